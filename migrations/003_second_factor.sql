-- Sign-in hardening: a mandatory TOTP second factor with single-use
-- recovery codes, forced password changes, sessions limited to finishing
-- sign-in, and throttling of failed sign-ins that every instance shares.

ALTER TABLE users
    ADD COLUMN totp_secret_sealed   bytea,       -- sealed with the key ring, bound to the user id
    ADD COLUMN totp_secret_key      bytea,       -- its wrapped data key
    ADD COLUMN totp_last_step       bigint NOT NULL DEFAULT 0,  -- last accepted time step: no replay
    ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
    ADD COLUMN last_sign_in_at      timestamptz,
    ADD COLUMN oidc_subject         text,
    ADD CONSTRAINT users_totp_pair CHECK ((totp_secret_sealed IS NULL) = (totp_secret_key IS NULL));
CREATE UNIQUE INDEX users_oidc_subject_key ON users (oidc_subject) WHERE oidc_subject IS NOT NULL;

-- Hashes of single-use recovery codes (high-entropy codes: SHA-256 is enough).
CREATE TABLE recovery_codes (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at     timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- A session is either full, or limited to one step of signing in.
ALTER TABLE sessions
    ADD COLUMN stage text NOT NULL DEFAULT 'full'
        CHECK (stage IN ('full', 'totp_enrollment', 'password_change')),
    ADD COLUMN pending_totp_sealed bytea,  -- the secret being enrolled, until confirmed
    ADD COLUMN pending_totp_key    bytea;

-- Failed sign-ins per e-mail (hashed) and per source address, in a sliding
-- window; when over the limit the key is locked until locked_until.
CREATE TABLE auth_throttle (
    key             text PRIMARY KEY,
    failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    window_start    timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz
);

---- create above / drop below ----

DROP TABLE auth_throttle, recovery_codes;
ALTER TABLE sessions DROP COLUMN stage, DROP COLUMN pending_totp_sealed, DROP COLUMN pending_totp_key;
ALTER TABLE users DROP CONSTRAINT users_totp_pair, DROP COLUMN totp_secret_sealed, DROP COLUMN totp_secret_key,
    DROP COLUMN totp_last_step, DROP COLUMN must_change_password, DROP COLUMN last_sign_in_at, DROP COLUMN oidc_subject;
