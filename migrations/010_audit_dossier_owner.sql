-- Audit events about a dossier are the owning organisation's to read,
-- whoever acted (issue 10). organisation_id is the actor's organisation:
-- a co-civil party's jurist reading the owner's shared dossier writes an
-- event of the co-civil party, which the owner's DPO must see too.
--
-- The dossier's organisation is stored on the event as it is written, by
-- a trigger (no writer can forget or forge it; a value given is replaced):
-- the DPO's searches then walk indexes, where a join to dossiers at read
-- time would sort every event of every dossier of the organisation. It is
-- derived from dossier_id, which the hash chain covers, and dossiers do not
-- change organisation; the chain does not cover it. Events written before
-- this migration have none (the log is append-only: they are not
-- rewritten) and stay visible to the actor's organisation only.
ALTER TABLE audit_events ADD COLUMN dossier_organisation_id uuid;

CREATE FUNCTION egide_audit_dossier_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.dossier_id IS NULL THEN
        NEW.dossier_organisation_id := NULL;
    ELSE
        NEW.dossier_organisation_id := (SELECT d.organisation_id FROM dossiers d WHERE d.id = NEW.dossier_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_events_dossier_owner BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION egide_audit_dossier_owner();

-- The owner's DPO: events about its dossiers that another organisation's
-- actor (or no organisation) wrote — the owner's own are on
-- audit_events_org_idx already. Only those rows are indexed, so the index
-- costs nothing to the owner's own accesses.
CREATE INDEX audit_events_dossier_org_idx ON audit_events (dossier_organisation_id, occurred_at, id)
    WHERE dossier_organisation_id IS NOT NULL AND dossier_organisation_id IS DISTINCT FROM organisation_id;

-- A member's DPO: instance-level events that name an account (failed
-- sign-ins carry the user, not an organisation), newest first per member.
CREATE INDEX audit_events_account_idx ON audit_events (actor_user_id, occurred_at, id)
    WHERE organisation_id IS NULL AND actor_user_id IS NOT NULL;

---- create above / drop below ----

DROP INDEX audit_events_account_idx, audit_events_dossier_org_idx;
DROP TRIGGER audit_events_dossier_owner ON audit_events;
DROP FUNCTION egide_audit_dossier_owner();
ALTER TABLE audit_events DROP COLUMN dossier_organisation_id;
