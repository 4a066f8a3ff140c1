-- The audit log becomes append-only and tamper-evident.
--
-- * The application runs as the role egide_app (the server sets it on every
--   connection), which may INSERT and SELECT audit rows but never UPDATE,
--   DELETE or TRUNCATE them; triggers refuse those to everyone else too.
-- * Every event is queued in audit_pending by a trigger in the inserting
--   transaction; a sealer (any instance, one at a time) takes queued events
--   in id order, gives each the next position in a SHA-256 hash chain
--   (audit_seals) and removes it from the queue.

ALTER TABLE audit_events ADD COLUMN roles text[] NOT NULL DEFAULT '{}';
CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at, id);
CREATE INDEX audit_events_action_idx ON audit_events (action, occurred_at);

CREATE TABLE audit_pending (
    event_id bigint PRIMARY KEY REFERENCES audit_events (id)
);

CREATE FUNCTION egide_audit_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_pending (event_id) VALUES (NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER audit_events_enqueue AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION egide_audit_enqueue();
INSERT INTO audit_pending (event_id) SELECT id FROM audit_events;

-- Position seq of the chain holds event_id; hash = SHA-256 over the
-- previous hash, seq and the event's canonical encoding (internal/audit).
CREATE TABLE audit_seals (
    seq         bigint PRIMARY KEY CHECK (seq >= 1),
    event_id    bigint NOT NULL UNIQUE REFERENCES audit_events (id),
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    sealed_at   timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION egide_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION egide_audit_immutable();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION egide_audit_immutable();
CREATE TRIGGER audit_seals_immutable BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION egide_audit_immutable();
CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION egide_audit_immutable();

-- The application's role. Roles are cluster-wide: create it once.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'egide_app') THEN
        CREATE ROLE egide_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
END $$;
GRANT USAGE ON SCHEMA public TO egide_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO egide_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO egide_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_seals FROM egide_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON penal_articles FROM egide_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_version FROM egide_app;
-- Tables of later migrations get the same base grants; each migration
-- revokes what its tables must not allow.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO egide_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO egide_app;

---- create above / drop below ----

ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM egide_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM egide_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM egide_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM egide_app;
REVOKE USAGE ON SCHEMA public FROM egide_app;
DROP TABLE audit_seals, audit_pending;
DROP TRIGGER audit_events_immutable ON audit_events;
DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP TRIGGER audit_events_enqueue ON audit_events;
DROP FUNCTION egide_audit_immutable(), egide_audit_enqueue();
DROP INDEX audit_events_occurred_idx, audit_events_action_idx;
ALTER TABLE audit_events DROP COLUMN roles;
