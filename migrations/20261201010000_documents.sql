-- Documents (handlingar) of remisser and cases, and the files they hold.
--
-- Files are stored content-addressed: a file is cut into chunks of about 1 MiB,
-- each kept once under its SHA-256 however many files contain it; a blob is the
-- whole file (its SHA-256) as the ordered list of its chunks. Chunks are written
-- as an upload arrives, before the registering transaction; chunks that no blob
-- came to use (an interrupted upload) are removed by housekeeping once untouched
-- for a day.

CREATE TABLE blob_chunks (
    sha256 bytea PRIMARY KEY CHECK (length(sha256) = 32),
    data bytea NOT NULL CHECK (length(data) BETWEEN 1 AND 4194304),
    -- Set again whenever an upload meets this chunk, so that housekeeping never
    -- removes a chunk that an upload in flight is about to use.
    touched_at timestamptz NOT NULL DEFAULT now()
);
-- Most documents (PDF, DOCX, images) are compressed already: store the chunks
-- out of line without trying to compress them again.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE INDEX blob_chunks_touched_idx ON blob_chunks (touched_at);

CREATE TABLE blobs (
    sha256 bytea PRIMARY KEY CHECK (length(sha256) = 32),
    size bigint NOT NULL CHECK (size >= 1),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blob_parts (
    blob_sha256 bytea NOT NULL REFERENCES blobs (sha256),
    seq integer NOT NULL CHECK (seq >= 0),
    -- Where the chunk starts in the file, for range requests.
    start_at bigint NOT NULL CHECK (start_at >= 0),
    length integer NOT NULL CHECK (length >= 1),
    chunk_sha256 bytea NOT NULL REFERENCES blob_chunks (sha256),
    PRIMARY KEY (blob_sha256, seq)
);
CREATE INDEX blob_parts_chunk_idx ON blob_parts (chunk_sha256);

-- A handling: of a remiss (its incoming documents, shared by every respondent's
-- case) or of one case. Registered once and never changed: a corrected version is
-- a new document. Only the registrar's decisions about it are added later
-- (publication, the personal-data check, annulment), each with who and when.
CREATE TABLE documents (
    id uuid PRIMARY KEY,
    referral_id uuid REFERENCES referrals (id),
    case_id uuid REFERENCES cases (id),
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    direction text NOT NULL CHECK (direction IN ('incoming', 'drawn_up', 'outgoing')),
    -- The date it was received, drawn up or sent.
    dated_on date NOT NULL,
    -- The sender of an incoming document, the recipient of an outgoing one.
    counterpart text NOT NULL DEFAULT '' CHECK (length(counterpart) <= 200),
    file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    media_type text NOT NULL,
    size bigint NOT NULL CHECK (size >= 1),
    sha256 bytea NOT NULL REFERENCES blobs (sha256),
    -- The OSL provision when the document is secret; none when it is not.
    secrecy_provision text CHECK (length(btrim(secrecy_provision)) BETWEEN 1 AND 200),
    -- Whether clamd scanned it ('clean') or no scanner was configured.
    virus_scan text NOT NULL CHECK (virus_scan IN ('clean', 'not_scanned')),
    -- What the personnummer guard found in its title and text: nothing, something,
    -- or its text could not be read (too large, scanned, or unreadable).
    personal_data text NOT NULL CHECK (personal_data IN ('none_found', 'found', 'not_checked')),
    personal_data_checked_by uuid REFERENCES users (id),
    personal_data_checked_at timestamptz,
    published_by uuid REFERENCES users (id),
    published_at timestamptz,
    annulled_by uuid REFERENCES users (id),
    annulled_at timestamptz,
    annulled_reason text CHECK (length(btrim(annulled_reason)) BETWEEN 1 AND 2000),
    registered_by uuid NOT NULL REFERENCES users (id),
    registered_at timestamptz NOT NULL,
    -- The document title as the public may search it.
    search tsvector GENERATED ALWAYS AS (to_tsvector('swedish', title)) STORED,
    CONSTRAINT documents_of_referral_or_case CHECK ((referral_id IS NULL) <> (case_id IS NULL)),
    CONSTRAINT documents_checked_with_who CHECK ((personal_data_checked_by IS NULL) = (personal_data_checked_at IS NULL)),
    CONSTRAINT documents_published_with_who CHECK ((published_by IS NULL) = (published_at IS NULL)),
    CONSTRAINT documents_annulled_with_reason CHECK (
        (annulled_at IS NULL AND annulled_by IS NULL AND annulled_reason IS NULL)
        OR (annulled_at IS NOT NULL AND annulled_by IS NOT NULL AND annulled_reason IS NOT NULL)),
    -- Only a public, standing document whose personal data was ruled out or looked
    -- at may be published.
    CONSTRAINT documents_published_only_when_allowed CHECK (
        published_at IS NULL
        OR (secrecy_provision IS NULL AND annulled_at IS NULL
            AND (personal_data = 'none_found' OR personal_data_checked_at IS NOT NULL)))
);
CREATE INDEX documents_referral_idx ON documents (referral_id, registered_at) WHERE referral_id IS NOT NULL;
CREATE INDEX documents_case_idx ON documents (case_id, registered_at) WHERE case_id IS NOT NULL;
CREATE INDEX documents_sha256_idx ON documents (sha256);
CREATE INDEX documents_search_idx ON documents USING gin (search);

-- What a document is never allowed to lose: what it is and what it holds. Only
-- the decisions about it may be set later, and nothing is deleted.
CREATE FUNCTION documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a registered document is never deleted (annul it)';
    END IF;
    IF (NEW.id, NEW.referral_id, NEW.case_id, NEW.title, NEW.direction, NEW.dated_on, NEW.counterpart,
        NEW.file_name, NEW.media_type, NEW.size, NEW.sha256, NEW.secrecy_provision, NEW.virus_scan,
        NEW.personal_data, NEW.registered_by, NEW.registered_at)
       IS DISTINCT FROM
       (OLD.id, OLD.referral_id, OLD.case_id, OLD.title, OLD.direction, OLD.dated_on, OLD.counterpart,
        OLD.file_name, OLD.media_type, OLD.size, OLD.sha256, OLD.secrecy_provision, OLD.virus_scan,
        OLD.personal_data, OLD.registered_by, OLD.registered_at) THEN
        RAISE EXCEPTION 'a registered document is immutable (register a corrected version as a new document)';
    END IF;
    IF OLD.annulled_at IS NOT NULL AND NEW.annulled_at IS DISTINCT FROM OLD.annulled_at THEN
        RAISE EXCEPTION 'an annulment stands';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_immutable();

-- The number of each document in each case it belongs to: a remiss's document is
-- registered in every respondent's case. Gapless per case, like the diarium: the
-- registering transaction locks and bumps the case's series row.
CREATE TABLE document_series (
    case_id uuid PRIMARY KEY REFERENCES cases (id),
    last_number integer NOT NULL CHECK (last_number >= 1)
);

CREATE TABLE document_numbers (
    case_id uuid NOT NULL REFERENCES cases (id),
    number integer NOT NULL CHECK (number >= 1),
    document_id uuid NOT NULL REFERENCES documents (id),
    PRIMARY KEY (case_id, number),
    CONSTRAINT document_numbers_once_per_case UNIQUE (document_id, case_id)
);
