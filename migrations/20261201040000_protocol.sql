-- The anslagstavla (KL 8 kap. 9–12 §§): one notice per adjusted protocol, and per
-- paragraph adjusted at once or delegation decision announced the same way. Its
-- dates are computed when it is posted and kept as they were announced; a notice
-- is never deleted, the board's archive is the notices whose take-down day has come.
CREATE TABLE notices (
    id uuid PRIMARY KEY,
    organ_id uuid NOT NULL REFERENCES organs (id),
    -- The adjusted protocol, or the one decision (omedelbar justering, delegation).
    meeting_id uuid UNIQUE REFERENCES meetings (id),
    decision_id uuid UNIQUE REFERENCES decisions (id),
    adjusted_on date NOT NULL,
    posted_on date NOT NULL,
    appeal_last_day date NOT NULL,
    take_down_on date NOT NULL,
    kept_at text NOT NULL CHECK (length(btrim(kept_at)) > 0),
    created_at timestamptz NOT NULL,
    CONSTRAINT notices_one_subject CHECK ((meeting_id IS NULL) <> (decision_id IS NULL)),
    CONSTRAINT notices_dates CHECK (
        posted_on >= adjusted_on AND appeal_last_day >= posted_on + 21 AND take_down_on > appeal_last_day)
);
CREATE INDEX notices_board_idx ON notices (take_down_on, posted_on);

-- The secretary's mark that a paragraph was adjusted at the meeting (omedelbar
-- justering): its decision is final in the protocol and may be dispatched.
ALTER TABLE decisions ADD COLUMN adjusted_at_once boolean NOT NULL DEFAULT false;

-- The § of a decision removed before justering, kept for the item's next decision
-- so that the § still follow the agenda.
ALTER TABLE agenda_items ADD COLUMN reserved_paragraph integer CHECK (reserved_paragraph >= 1);

-- A meeting cancelled, with its reason: it stays in the organ's plan, marked.
ALTER TABLE meetings
    ADD COLUMN cancelled_at timestamptz,
    ADD COLUMN cancel_reason text,
    ADD CONSTRAINT meetings_cancelled_with_reason CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL));

-- The paragraph as Kommunallagen 5 kap. 69 § wants it in the protocol: the
-- yrkanden, the beslutsgång and an open vote (who voted how).
ALTER TABLE decisions
    ADD COLUMN motions jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN procedure text NOT NULL DEFAULT '',
    ADD COLUMN votes jsonb NOT NULL DEFAULT '[]';

-- The nämnd's roster, kept by its secretary: members and substitutes (ersättare).
CREATE TABLE organ_members (
    id uuid PRIMARY KEY,
    organ_id uuid NOT NULL REFERENCES organs (id),
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    party text NOT NULL DEFAULT '',
    substitute boolean NOT NULL DEFAULT false,
    -- Off the roster (left the nämnd); kept for the protocols that name them.
    left_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX organ_members_organ_idx ON organ_members (organ_id);

-- Who took part in a meeting, its chair and its justerare, as they were then.
ALTER TABLE meetings ADD COLUMN attendees jsonb;
