-- Search, deadline planning and the public diarium.

-- Lead times of each organ for planning backwards from a deadline.
ALTER TABLE organs
    ADD COLUMN review_days integer NOT NULL DEFAULT 7 CHECK (review_days BETWEEN 0 AND 90),
    ADD COLUMN agenda_closing_days integer NOT NULL DEFAULT 10 CHECK (agenda_closing_days BETWEEN 0 AND 90);

-- Full-text search, Swedish configuration. A remiss is searched in two parts: what
-- the diarium may always show (title, sender, dnr) and its description, which a
-- secrecy marking hides from those outside the case.
ALTER TABLE referrals
    ADD COLUMN search_public tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('swedish', title), 'A')
        || setweight(to_tsvector('swedish', sender_name || ' ' || sender_dnr), 'B')) STORED,
    ADD COLUMN search_description tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('swedish', description), 'C')) STORED,
    -- The year/number part of the sender's dnr (`KS 2019/1939` -> `2019/1939`), for
    -- looking a remiss up by the number its sender gave it.
    ADD COLUMN sender_dnr_key text GENERATED ALWAYS AS (substring(sender_dnr FROM '[0-9]{4}/[0-9]+')) STORED,
    -- Set when a public field holds what looks like a personnummer; the diarium masks
    -- it and the registrar is told.
    ADD COLUMN personal_data_found boolean NOT NULL DEFAULT false;
CREATE INDEX referrals_search_public_idx ON referrals USING gin (search_public);
CREATE INDEX referrals_search_description_idx ON referrals USING gin (search_description);
CREATE INDEX referrals_sender_dnr_key_idx ON referrals (sender_dnr_key text_pattern_ops);
CREATE INDEX referrals_received_idx ON referrals (received_on);

-- A case is found by its diarienummer and by its report's and decisions' text
-- (kept current by the statements that save them).
ALTER TABLE cases
    ADD COLUMN dnr_text text GENERATED ALWAYS AS (dnr_prefix || ' ' || dnr_year || '/' || dnr_seq) STORED,
    ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector,
    ADD COLUMN personal_data_found boolean NOT NULL DEFAULT false;
CREATE INDEX cases_dnr_text_idx ON cases (dnr_text text_pattern_ops);
CREATE INDEX cases_year_seq_idx ON cases (dnr_year, dnr_seq);
CREATE INDEX cases_search_idx ON cases USING gin (search);
CREATE INDEX cases_referral_idx ON cases (referral_id, state);

-- The public diarium's feed and list: newest registrations first.
CREATE INDEX cases_created_idx ON cases (created_at DESC, id DESC);
CREATE INDEX referrals_personal_data_idx ON referrals (created_at DESC) WHERE personal_data_found;
CREATE INDEX cases_personal_data_idx ON cases (created_at DESC) WHERE personal_data_found;
