-- Calendar feeds (issue 13): a read-only iCalendar subscription of a user's
-- hearings and open deadlines. Calendar applications cannot send a cookie
-- or a header, so the URL carries a 256-bit secret; like session tokens it
-- is stored only as its SHA-256, so a database dump gives no usable URL.
-- The feed acts for the organisation the user was signed in to when they
-- created it; roles are read from memberships on every request.
CREATE TABLE calendar_feeds (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    CHECK (last_used_at IS NULL OR last_used_at >= created_at),
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
-- A user's feeds (the list on "Mon compte", the limit per user, revoking
-- all of them when an administrator disables the account).
CREATE INDEX calendar_feeds_user_idx ON calendar_feeds (user_id, created_at);

---- create above / drop below ----

DROP TABLE calendar_feeds;
