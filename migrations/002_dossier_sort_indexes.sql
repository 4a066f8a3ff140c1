-- Dossier lists sort by opening date, reference or last change, within an
-- organisation; each sort walks its own index (keyset pagination).
CREATE INDEX dossiers_updated_idx ON dossiers (organisation_id, updated_at DESC, id DESC);
CREATE INDEX dossiers_reference_sort_idx ON dossiers (organisation_id, lower(reference), id);

---- create above / drop below ----

DROP INDEX dossiers_updated_idx, dossiers_reference_sort_idx;
