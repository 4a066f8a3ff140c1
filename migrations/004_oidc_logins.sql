-- Single sign-on with OpenID Connect: sign-ins begun at the identity
-- provider and not yet finished. Kept here, not in process memory, so that
-- the callback may reach any instance. A row is deleted when its callback
-- arrives (single use) and is worthless after expires_at.

CREATE TABLE oidc_logins (
    state_hash  bytea PRIMARY KEY CHECK (length(state_hash) = 32),  -- SHA-256 of the state sent to the provider
    nonce_hash  bytea NOT NULL CHECK (length(nonce_hash) = 32),     -- SHA-256 of the nonce the ID token must carry
    verifier    text NOT NULL,                                       -- PKCE code verifier
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);

---- create above / drop below ----

DROP TABLE oidc_logins;
