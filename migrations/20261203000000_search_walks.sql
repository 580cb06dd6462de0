-- Search at a city's scale (BENCHMARKS.md, 2026-11-30 findings).
--
-- The public diarium finds answered cases newest first: walking every case
-- newest first passed ~12,000 open ones (the newest remisser are still being
-- answered) for 500 matches. This index holds only the cases that are public
-- by their state, so the walk passes only those.
CREATE INDEX cases_public_created_idx ON cases (created_at DESC, id DESC)
    WHERE state IN ('decided', 'answered');

-- A remiss found by its words is shown with all its cases: with the case id in
-- the (remiss, organ) index, its cases are read from the index alone.
ALTER TABLE cases DROP CONSTRAINT cases_one_per_respondent;
ALTER TABLE cases ADD CONSTRAINT cases_one_per_respondent UNIQUE (referral_id, organ_id) INCLUDE (id);

-- The signed-in search reads a remiss's words as one vector (title, sender and
-- description); concatenating the public part and the description on every row
-- it walked cost more than storing them together. Built as the two were, so
-- ranks are unchanged.
DROP INDEX referrals_search_all_idx;
DROP INDEX referrals_search_description_idx;
ALTER TABLE referrals
    DROP COLUMN search_description,
    ADD COLUMN search_all tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('swedish', title), 'A')
        || setweight(to_tsvector('swedish', sender_name || ' ' || sender_dnr), 'B')
        || setweight(to_tsvector('swedish', description), 'C')) STORED;
CREATE INDEX referrals_search_all_idx ON referrals USING gin (search_all);
