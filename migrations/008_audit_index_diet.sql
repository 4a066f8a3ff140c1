-- Every access writes an audit row in the request's transaction, so each
-- index of audit_events is paid by every request. Two were paid for
-- nothing (BENCHMARKS.md, "Dossier list with the audit log on and off"):
--
-- * audit_events_occurred_idx (occurred_at, id): no reader uses it. The
--   DPO's and the operator's searches always filter on the organisation
--   (audit_events_org_idx, 006); `audit verify` walks the seals.
-- * audit_events_dossier_idx indexed the NULL dossier of every list event
--   (a page of 50 dossiers, its victims...): only events of one dossier
--   are searched by dossier, so the index keeps only those.
DROP INDEX audit_events_occurred_idx;
DROP INDEX audit_events_dossier_idx;
CREATE INDEX audit_events_dossier_idx ON audit_events (dossier_id, occurred_at) WHERE dossier_id IS NOT NULL;

---- create above / drop below ----

DROP INDEX audit_events_dossier_idx;
CREATE INDEX audit_events_dossier_idx ON audit_events (dossier_id, occurred_at);
CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at, id);
