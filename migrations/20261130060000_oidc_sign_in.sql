-- Single sign-on through the municipality's identity provider (OpenID Connect).
-- Accounts are created by an administrator and linked, never created by a login:
-- the first sign-in of a known e-mail address (or of a subject the administrator
-- entered) links the account to the person's identity at the provider, and later
-- sign-ins find the account by that identity alone.

-- An account that signs in only through the provider has no local password.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

-- The person's e-mail address: the key for the first sign-in, and where
-- notifications go. Kept as typed; unique whatever the case.
ALTER TABLE users ADD COLUMN email text
    CONSTRAINT users_email_shape CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$');
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- The person at the provider: the subject (Entra ID's `oid`, otherwise `sub`) and
-- the realm it was issued in (Entra ID's tenant `tid`, otherwise the issuer).
-- An administrator may enter the subject beforehand; the realm is then filled in by
-- the first sign-in.
ALTER TABLE users ADD COLUMN oidc_subject text
    CONSTRAINT users_oidc_subject_shape CHECK (length(oidc_subject) BETWEEN 1 AND 255);
ALTER TABLE users ADD COLUMN oidc_realm text
    CONSTRAINT users_oidc_realm_needs_subject CHECK (oidc_realm IS NULL OR oidc_subject IS NOT NULL);
CREATE UNIQUE INDEX users_oidc_subject_key ON users (oidc_subject);
