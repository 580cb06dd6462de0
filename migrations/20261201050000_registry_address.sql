-- The sender's registry (registratorns e-post): where the yttrande is e-mailed at
-- dispatch, entered when the remiss is registered.
ALTER TABLE referrals ADD COLUMN sender_email text
    CONSTRAINT referrals_sender_email_shape
    CHECK (length(sender_email) <= 254 AND sender_email ~ '^[^@[:space:]]+@[^@[:space:]]+$');
