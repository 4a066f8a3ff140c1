-- The evidence vault. Files are encrypted before they leave the process:
-- each object has its own data key, wrapped by its dossier's key, itself
-- wrapped by the key ring. Wrapped keys live here, objects in the blob
-- store. Erasing a dossier's key makes all its objects unreadable
-- (crypto-shredding) without touching other dossiers.

CREATE TABLE dossier_keys (
    dossier_id      uuid PRIMARY KEY REFERENCES dossiers (id),
    wrapped_key     bytea,              -- NULL once erased
    created_at      timestamptz NOT NULL DEFAULT now(),
    erased_at       timestamptz,
    CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);

CREATE TABLE evidence (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id      uuid NOT NULL REFERENCES dossiers (id),
    kind            text NOT NULL CHECK (kind IN ('complaint','police_report','pleading','decision',
                        'expert_report','correspondence','other')),
    title           text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    document_date   date,
    file_name       text NOT NULL DEFAULT '' CHECK (length(file_name) <= 255),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','stored','erased')),
    -- Set when an upload starts; an object under upload_key that no stored
    -- record owns after the grace period is collected.
    upload_key      text,
    object_key      text UNIQUE,
    wrapped_key     bytea,              -- the object's data key, wrapped by the dossier key
    content_type    text NOT NULL DEFAULT '' CHECK (length(content_type) <= 255),  -- sniffed from the bytes
    size            bigint CHECK (size >= 0),
    sha256          bytea CHECK (length(sha256) = 32),
    idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 128),
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    stored_at       timestamptz,
    UNIQUE (dossier_id, idempotency_key),
    CHECK ((status = 'stored') = (object_key IS NOT NULL AND wrapped_key IS NOT NULL AND size IS NOT NULL
           AND sha256 IS NOT NULL AND stored_at IS NOT NULL) OR status = 'erased')
);
CREATE INDEX evidence_dossier_idx ON evidence (dossier_id, created_at);
CREATE INDEX evidence_upload_key_idx ON evidence (upload_key) WHERE upload_key IS NOT NULL;

-- Possessing child sexual abuse material is an offence: such content is
-- never stored, only referenced, with the reports made about it.
CREATE TABLE content_references (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id      uuid NOT NULL REFERENCES dossiers (id),
    url             text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    platform        text NOT NULL DEFAULT '' CHECK (length(platform) <= 200),
    sha256          text NOT NULL DEFAULT '' CHECK (sha256 = '' OR sha256 ~ '^[0-9a-f]{64}$'),
    md5             text NOT NULL DEFAULT '' CHECK (md5 = '' OR md5 ~ '^[0-9a-f]{32}$'),
    perceptual_hash text NOT NULL DEFAULT '' CHECK (length(perceptual_hash) <= 512),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    observed_on     date,
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX content_references_dossier_idx ON content_references (dossier_id, created_at);

CREATE TABLE content_reports (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    content_reference_id  uuid NOT NULL REFERENCES content_references (id),
    channel               text NOT NULL CHECK (channel IN ('pharos','point_de_contact','platform','police','other')),
    reference             text NOT NULL DEFAULT '' CHECK (length(reference) <= 200),
    reported_on           date NOT NULL,
    outcome               text NOT NULL DEFAULT '' CHECK (length(outcome) <= 2000),
    created_by            uuid REFERENCES users (id),
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX content_reports_reference_idx ON content_reports (content_reference_id, reported_on);

---- create above / drop below ----

DROP TABLE content_reports, content_references, evidence, dossier_keys;
