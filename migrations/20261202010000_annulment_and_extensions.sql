-- Issue 12.5 and 12.6: a remiss's makulering and its anstånd.

-- A makulerad registration stays, with its cases and their numbers, marked with
-- when, by whom and why.
ALTER TABLE referrals
    ADD COLUMN annulled_at timestamptz,
    ADD COLUMN annulled_by uuid REFERENCES users (id),
    ADD COLUMN annulled_reason text,
    ADD CONSTRAINT referrals_annulment_complete CHECK (
        (annulled_at IS NULL AND annulled_by IS NULL AND annulled_reason IS NULL)
        OR (annulled_at IS NOT NULL AND annulled_by IS NOT NULL
            AND length(btrim(annulled_reason)) BETWEEN 1 AND 2000));

-- Each anstånd: the deadline it replaced and the one agreed, kept as the history
-- of the remiss's deadline (referrals.deadline holds the one in force).
CREATE TABLE deadline_extensions (
    id uuid PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referrals (id),
    previous_deadline date NOT NULL,
    deadline date NOT NULL,
    granted_on date NOT NULL,
    granted_by text NOT NULL CHECK (length(btrim(granted_by)) BETWEEN 1 AND 200),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL,
    CONSTRAINT deadline_extensions_later CHECK (deadline > previous_deadline)
);
CREATE INDEX deadline_extensions_referral_idx ON deadline_extensions (referral_id, recorded_at);
