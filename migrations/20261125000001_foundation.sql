-- The foundation: organs, users and roles, sessions, remisser with one case per
-- respondent, the diarium series that numbers them, and the audit trail.
-- The tables of the answer workflow (reports, reviews, meetings, decisions,
-- replies) are planned here too so that later changes only add columns.

CREATE TABLE organs (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    diarium_prefix text NOT NULL CHECK (diarium_prefix ~ '^[A-ZÅÄÖ]{1,10}$'),
    administration text NOT NULL CHECK (length(btrim(administration)) BETWEEN 1 AND 200),
    delegation_allowed boolean NOT NULL DEFAULT false,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organs_name_key UNIQUE (name),
    CONSTRAINT organs_diarium_prefix_key UNIQUE (diarium_prefix)
);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    username text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,49}$'),
    display_name text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
    title text NOT NULL DEFAULT '',
    -- The organ the user works in; none for a first administrator.
    organ_id uuid REFERENCES organs (id),
    password_hash text NOT NULL,
    -- Administrators manage organs, users and roles across the municipality.
    is_admin boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    -- Bumped when the password changes or the user is deactivated: every session
    -- carries the epoch it was made in, and one with an older epoch is ended.
    session_epoch integer NOT NULL DEFAULT 1,
    -- Demo accounts share a published password; the login page shows it while
    -- any of them still has it.
    demo boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_username_key UNIQUE (username)
);

CREATE TABLE user_roles (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organ_id uuid NOT NULL REFERENCES organs (id),
    role text NOT NULL CHECK (role IN ('registrator', 'handlaggare', 'granskare', 'sekreterare')),
    PRIMARY KEY (user_id, organ_id, role)
);
CREATE INDEX user_roles_organ_role_idx ON user_roles (organ_id, role);

-- Sessions live here so that any instance can serve any request.
CREATE TABLE sessions (
    id text PRIMARY KEY,
    data jsonb NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Failed logins, per account name and per client address, to slow down guessing.
CREATE TABLE login_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL,
    address text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_username_idx ON login_failures (username, at);
CREATE INDEX login_failures_address_idx ON login_failures (address, at);

CREATE TABLE referrals (
    id uuid PRIMARY KEY,
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    sender_organ_id uuid REFERENCES organs (id),
    sender_name text NOT NULL CHECK (length(btrim(sender_name)) BETWEEN 1 AND 200),
    sender_dnr text NOT NULL DEFAULT '' CHECK (length(sender_dnr) <= 100),
    received_on date NOT NULL,
    deadline date NOT NULL,
    secret boolean NOT NULL DEFAULT false,
    secrecy_provision text NOT NULL DEFAULT '' CHECK (length(secrecy_provision) <= 200),
    registered_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT referrals_deadline_after_received CHECK (deadline >= received_on),
    CONSTRAINT referrals_secrecy_has_provision CHECK (NOT secret OR length(btrim(secrecy_provision)) > 0)
);
-- Keyset paging of the list: newest first, and by deadline.
CREATE INDEX referrals_created_idx ON referrals (created_at DESC, id DESC);
CREATE INDEX referrals_deadline_idx ON referrals (deadline, id);

-- One row per organ and year; the registering transaction locks and bumps it, so
-- numbers are unique and gapless (a rolled-back registration gives its number back).
CREATE TABLE diarium_series (
    organ_id uuid NOT NULL REFERENCES organs (id),
    year integer NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    last_seq integer NOT NULL CHECK (last_seq >= 1),
    PRIMARY KEY (organ_id, year)
);

CREATE TABLE cases (
    id uuid PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referrals (id),
    organ_id uuid NOT NULL REFERENCES organs (id),
    -- The diarienummer as given at registration; the prefix is kept as it was then.
    dnr_prefix text NOT NULL,
    dnr_year integer NOT NULL,
    dnr_seq integer NOT NULL CHECK (dnr_seq >= 1),
    state text NOT NULL DEFAULT 'registered' CHECK (state IN
        ('registered', 'drafting', 'in_review', 'approved', 'on_agenda', 'decided', 'answered', 'declined')),
    assigned_officer_id uuid REFERENCES users (id),
    declined_reason text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cases_dnr_key UNIQUE (organ_id, dnr_year, dnr_seq),
    CONSTRAINT cases_one_per_respondent UNIQUE (referral_id, organ_id),
    CONSTRAINT cases_officer_when_drafting CHECK (state IN ('registered', 'declined') OR assigned_officer_id IS NOT NULL),
    CONSTRAINT cases_declined_has_reason CHECK ((state = 'declined') = (declined_reason IS NOT NULL))
);
CREATE INDEX cases_organ_state_idx ON cases (organ_id, state);
CREATE INDEX cases_officer_idx ON cases (assigned_officer_id) WHERE assigned_officer_id IS NOT NULL;

-- The tjänsteutlåtande: every save is an immutable revision.
CREATE TABLE report_revisions (
    id uuid PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id),
    number integer NOT NULL CHECK (number >= 1),
    title text NOT NULL,
    proposals jsonb NOT NULL DEFAULT '[]',
    summary text NOT NULL DEFAULT '',
    preparation text NOT NULL DEFAULT '',
    background text NOT NULL DEFAULT '',
    considerations text NOT NULL DEFAULT '',
    signatories jsonb NOT NULL DEFAULT '[]',
    author_id uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT report_revisions_number_key UNIQUE (case_id, number)
);

CREATE TABLE reviews (
    id uuid PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id),
    revision_id uuid NOT NULL REFERENCES report_revisions (id),
    reviewer_id uuid NOT NULL REFERENCES users (id),
    outcome text NOT NULL CHECK (outcome IN ('approved', 'returned')),
    comment text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reviews_case_idx ON reviews (case_id, created_at);

CREATE TABLE meetings (
    id uuid PRIMARY KEY,
    organ_id uuid NOT NULL REFERENCES organs (id),
    starts_at timestamptz NOT NULL,
    place text NOT NULL DEFAULT '',
    adjusted_on date,
    adjusted_by text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meetings_organ_idx ON meetings (organ_id, starts_at);

CREATE TABLE agenda_items (
    id uuid PRIMARY KEY,
    meeting_id uuid NOT NULL REFERENCES meetings (id),
    case_id uuid NOT NULL REFERENCES cases (id),
    position integer NOT NULL CHECK (position >= 1),
    CONSTRAINT agenda_items_position_key UNIQUE (meeting_id, position) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX agenda_items_case_idx ON agenda_items (case_id);

-- Paragraph numbers (§) run per organ and year, like the diarium.
CREATE TABLE paragraph_series (
    organ_id uuid NOT NULL REFERENCES organs (id),
    year integer NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    last_seq integer NOT NULL CHECK (last_seq >= 1),
    PRIMARY KEY (organ_id, year)
);

CREATE TABLE decisions (
    id uuid PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id),
    -- The agenda item decided at a meeting; none for a delegation decision.
    agenda_item_id uuid REFERENCES agenda_items (id),
    paragraph_year integer,
    paragraph integer CHECK (paragraph >= 1),
    decided_on date NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('adopted', 'amended', 'referred_back', 'tabled', 'delegation')),
    -- The amended decision (outcome amended); otherwise the report's proposals stand.
    decision_text text NOT NULL DEFAULT '',
    -- Why the case went back (återremiss) or was postponed (bordläggning).
    reason text NOT NULL DEFAULT '',
    attendance text NOT NULL DEFAULT '',
    reservations jsonb NOT NULL DEFAULT '[]',
    statements jsonb NOT NULL DEFAULT '[]',
    delegation_reference text,
    -- The revision of the report that was decided on.
    revision_id uuid NOT NULL REFERENCES report_revisions (id),
    decided_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT decisions_agenda_item_key UNIQUE (agenda_item_id),
    CONSTRAINT decisions_item_or_delegation CHECK (
        (outcome = 'delegation' AND agenda_item_id IS NULL AND delegation_reference IS NOT NULL AND paragraph IS NULL)
        OR (outcome <> 'delegation' AND agenda_item_id IS NOT NULL AND paragraph IS NOT NULL)),
    CONSTRAINT decisions_amended_has_text CHECK (outcome <> 'amended' OR length(btrim(decision_text)) > 0)
);
CREATE INDEX decisions_case_idx ON decisions (case_id, created_at);

CREATE TABLE replies (
    case_id uuid PRIMARY KEY REFERENCES cases (id),
    decision_id uuid NOT NULL REFERENCES decisions (id),
    dispatched_on date NOT NULL,
    recipient text NOT NULL CHECK (length(btrim(recipient)) > 0),
    dispatched_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Every change appends one event in the transaction that makes it.
CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor_id uuid REFERENCES users (id),
    action text NOT NULL,
    entity_type text NOT NULL,
    entity_id uuid NOT NULL,
    referral_id uuid REFERENCES referrals (id),
    case_id uuid REFERENCES cases (id),
    before jsonb,
    after jsonb
);
CREATE INDEX audit_events_case_idx ON audit_events (case_id, id) WHERE case_id IS NOT NULL;
CREATE INDEX audit_events_referral_idx ON audit_events (referral_id, id) WHERE referral_id IS NOT NULL;
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, id);
