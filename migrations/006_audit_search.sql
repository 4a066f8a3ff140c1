-- The audit log's readers (internal/auditlog) always read one
-- organisation's events (the DPO) or the instance-level ones (the operator:
-- organisation_id IS NULL), newest first with keyset pagination on
-- (occurred_at, id). Without this index the latest events of a small
-- organisation, or the rare instance-level ones, are found by walking the
-- whole log backwards. Searches by actor or by resource keep their own
-- indexes (001).
CREATE INDEX audit_events_org_idx ON audit_events (organisation_id, occurred_at, id);

---- create above / drop below ----

DROP INDEX audit_events_org_idx;
