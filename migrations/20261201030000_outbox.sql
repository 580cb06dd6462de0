-- E-mail goes out through an outbox: a message is written in the transaction of
-- the change that causes it (so a rolled-back change sends nothing and a
-- committed one is never lost), and a task in every instance delivers it.

CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    -- What caused it: the dispatched yttrande, or a notification to a user.
    kind text NOT NULL CHECK (kind IN
        ('reply', 'assigned', 'returned', 'review', 'approved', 'on_agenda', 'reminder')),
    case_id uuid NOT NULL REFERENCES cases (id),
    -- The user a notification is for; none for the yttrande.
    user_id uuid REFERENCES users (id),
    recipient text NOT NULL
        CHECK (length(recipient) <= 254 AND recipient ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    subject text NOT NULL CHECK (length(btrim(subject)) > 0),
    -- Plain text, paragraphs split by blank lines; the HTML part is made from it.
    body text NOT NULL,
    -- The page the message is about (`/arenden/…`), made absolute with the public
    -- address when sent.
    link text,
    -- Registered documents sent as attachments, read from the store when sent:
    -- what goes out is what was stored.
    attachments uuid[] NOT NULL DEFAULT '{}',
    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    -- When a queued message is due; a claimed one is due again when its claim
    -- lapses (the instance died mid-send).
    next_attempt_at timestamptz NOT NULL,
    -- The SMTP server's last answer, or why it could not be reached.
    last_error text,
    created_at timestamptz NOT NULL,
    sent_at timestamptz,
    CONSTRAINT outbox_sent_has_time CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE state = 'queued';
CREATE INDEX outbox_case_idx ON outbox (case_id, created_at);
CREATE INDEX outbox_unsent_idx ON outbox (created_at) WHERE state <> 'sent';
CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE state = 'sent';

-- A deadline reminder goes out once per case, kind of date and date, whichever
-- instance gets there first: the key decides, not a leader.
CREATE TABLE deadline_reminders (
    case_id uuid NOT NULL REFERENCES cases (id),
    kind text NOT NULL CHECK (kind IN ('submit', 'approve', 'agenda')),
    due_on date NOT NULL,
    PRIMARY KEY (case_id, kind, due_on)
);

-- Each user may turn the notifications off.
ALTER TABLE users ADD COLUMN notify_by_email boolean NOT NULL DEFAULT true;

-- The address the yttrande was e-mailed to (the sender's registry), if it was.
ALTER TABLE replies ADD COLUMN recipient_email text
    CHECK (length(recipient_email) <= 254 AND recipient_email ~ '^[^@[:space:]]+@[^@[:space:]]+$');
CREATE INDEX replies_recipient_idx ON replies (recipient, created_at DESC) WHERE recipient_email IS NOT NULL;
