-- Members of a paragraph's meeting who took no part in it (jäv, or left the
-- meeting): a list of {member, reason}, shown in the paragraph of the protocol.
ALTER TABLE decisions ADD COLUMN absences jsonb NOT NULL DEFAULT '[]';

-- A roster member's address, for the kallelse by e-mail; optional.
ALTER TABLE organ_members ADD COLUMN email text
    CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$');

-- A kallelse sent to the members: the PDF as sent (in the file store, read from
-- it when each message goes out) and to whom. Kept after the outbox has purged
-- its messages, so that the meeting page can say who got which kallelse, when.
CREATE TABLE agenda_mailings (
    id uuid PRIMARY KEY,
    meeting_id uuid NOT NULL REFERENCES meetings (id),
    file_name text NOT NULL CHECK (length(btrim(file_name)) > 0),
    sha256 bytea NOT NULL REFERENCES blobs (sha256),
    size bigint NOT NULL CHECK (size >= 1),
    -- "Anna Andersson (S) <anna@example.se>", one per message.
    recipients text[] NOT NULL,
    -- Members on the roster without an address, who got nothing.
    without_address text[] NOT NULL,
    sent_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL
);
CREATE INDEX agenda_mailings_meeting_idx ON agenda_mailings (meeting_id, created_at);

-- The outbox carries the kallelse too: a message is about a case or a mailing.
ALTER TABLE outbox
    ALTER COLUMN case_id DROP NOT NULL,
    ADD COLUMN agenda_mailing_id uuid REFERENCES agenda_mailings (id),
    ADD CONSTRAINT outbox_about_one CHECK ((case_id IS NULL) <> (agenda_mailing_id IS NULL)),
    DROP CONSTRAINT outbox_kind_check,
    ADD CONSTRAINT outbox_kind_check CHECK (kind IN
        ('reply', 'assigned', 'returned', 'review', 'approved', 'on_agenda', 'reminder', 'agenda'));
CREATE INDEX outbox_agenda_mailing_idx ON outbox (agenda_mailing_id) WHERE agenda_mailing_id IS NOT NULL;
