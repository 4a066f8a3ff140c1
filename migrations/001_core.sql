-- Core schema: organisations, people who use Égide, dossiers and everything
-- a civil-party NGO tracks in one criminal matter. Every rule the domain
-- relies on is also a constraint here, so no code path can bypass it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE organisations (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    declared_on         date,
    statutory_object    text NOT NULL DEFAULT '' CHECK (length(statutory_object) <= 4000),
    public_utility      boolean NOT NULL DEFAULT false,
    justice_approved    boolean NOT NULL DEFAULT false,
    standing_articles   text[] NOT NULL DEFAULT '{}'
                        CHECK (standing_articles <@ ARRAY['CPP 2-3','CPP 2-22']::text[]),
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    display_name    text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
    password_hash   text NOT NULL,
    superadmin      boolean NOT NULL DEFAULT false,
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- A user holds roles per organisation.
CREATE TABLE memberships (
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('admin','legal_staff','partner_lawyer','advocacy','dpo')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, organisation_id, role)
);
CREATE INDEX memberships_organisation_idx ON memberships (organisation_id);

-- Sessions are stored by the SHA-256 of their token: a database dump
-- does not give anyone a usable cookie.
CREATE TABLE sessions (
    token_hash      bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id uuid REFERENCES organisations (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE dossiers (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id     uuid NOT NULL REFERENCES organisations (id),
    reference           text NOT NULL CHECK (length(btrim(reference)) BETWEEN 1 AND 64),
    title               text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    summary             text NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
    themes              text[] NOT NULL CHECK (cardinality(themes) >= 1 AND themes <@ ARRAY[
                            'live_streaming','grooming','sextortion','abuse_images',
                            'trafficking','child_prostitution']::text[]),
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
    opened_on           date NOT NULL,
    closed_on           date,
    closing_reason      text NOT NULL DEFAULT '',
    parquet_number      text NOT NULL DEFAULT '' CHECK (length(parquet_number) <= 64),
    instruction_number  text NOT NULL DEFAULT '' CHECK (length(instruction_number) <= 64),
    platforms           text[] NOT NULL DEFAULT '{}',
    countries           text[] NOT NULL DEFAULT '{}',
    retention_until     date,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
    CHECK (closed_on IS NULL OR closed_on >= opened_on),
    CHECK (retention_until IS NULL OR retention_until >= opened_on)
);
CREATE UNIQUE INDEX dossiers_reference_key ON dossiers (organisation_id, lower(reference));
CREATE INDEX dossiers_list_idx ON dossiers (organisation_id, opened_on DESC, id DESC);
CREATE INDEX dossiers_status_idx ON dossiers (organisation_id, status);
CREATE INDEX dossiers_themes_idx ON dossiers USING gin (themes);
CREATE INDEX dossiers_text_idx ON dossiers USING gin ((reference || ' ' || title) gin_trgm_ops);

-- Co-civil parties: a dossier shared with another organisation.
CREATE TABLE dossier_shares (
    dossier_id      uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_id, organisation_id)
);
CREATE INDEX dossier_shares_org_idx ON dossier_shares (organisation_id);

-- Which staff member or partner lawyer works on which dossier.
CREATE TABLE dossier_assignments (
    dossier_id  uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_id, user_id)
);
CREATE INDEX dossier_assignments_user_idx ON dossier_assignments (user_id);

-- Victims and defendants are always pseudonymised. Their identity is a
-- JSON document sealed with a per-person data key (AES-256-GCM, the
-- person id bound as associated data); the data key is wrapped by the
-- key ring. Erasing identity_wrapped_key makes the identity unreadable.
CREATE TABLE victims (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id              uuid NOT NULL REFERENCES dossiers (id),
    pseudonym               text NOT NULL CHECK (length(btrim(pseudonym)) BETWEEN 1 AND 80),
    age_at_facts            smallint CHECK (age_at_facts BETWEEN 0 AND 17),
    country                 text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    identity_ciphertext     bytea,
    identity_wrapped_key    bytea,
    identity_updated_at     timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    CHECK ((identity_ciphertext IS NULL) = (identity_wrapped_key IS NULL) OR identity_wrapped_key IS NULL)
);
CREATE UNIQUE INDEX victims_pseudonym_key ON victims (dossier_id, lower(pseudonym));

-- CPP 2-22 requires the agreement of the victim or their representative.
CREATE TABLE consents (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    victim_id   uuid NOT NULL REFERENCES victims (id),
    given_by    text NOT NULL CHECK (given_by IN ('victim','legal_representative','ad_hoc_administrator')),
    given_on    date NOT NULL,
    scope       text NOT NULL DEFAULT '' CHECK (length(scope) <= 2000),
    reference   text NOT NULL DEFAULT '' CHECK (length(reference) <= 128),
    withdrawn_on date CHECK (withdrawn_on IS NULL OR withdrawn_on >= given_on),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_victim_idx ON consents (victim_id);

CREATE TABLE defendants (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id              uuid NOT NULL REFERENCES dossiers (id),
    pseudonym               text NOT NULL CHECK (length(btrim(pseudonym)) BETWEEN 1 AND 80),
    role                    text NOT NULL CHECK (role IN ('recruiter','client','facilitator','distributor','abuser','other')),
    country                 text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    identity_ciphertext     bytea,
    identity_wrapped_key    bytea,
    identity_updated_at     timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX defendants_pseudonym_key ON defendants (dossier_id, lower(pseudonym));

-- The Code pénal articles Égide knows; a charge must cite one of them.
CREATE TABLE penal_articles (
    article     text PRIMARY KEY,
    heading     text NOT NULL
);
INSERT INTO penal_articles (article, heading) VALUES
 ('121-6',    'Complicité — peine encourue'),
 ('121-7',    'Complicité — définition'),
 ('222-22',   'Agressions sexuelles — définition'),
 ('222-22-1', 'Contrainte morale ou surprise (âge, autorité)'),
 ('222-23',   'Viol'),
 ('222-23-1', 'Viol sur mineur de quinze ans par majeur'),
 ('222-24',   'Viol aggravé'),
 ('222-29-1', 'Agression sexuelle sur mineur de quinze ans'),
 ('222-29-2', 'Agression sexuelle incestueuse'),
 ('222-29-3', 'Agression sexuelle sur mineur de quinze ans par majeur'),
 ('222-30',   'Agression sexuelle aggravée'),
 ('225-4-1',  'Traite des êtres humains'),
 ('225-4-2',  'Traite des êtres humains aggravée'),
 ('225-5',    'Proxénétisme'),
 ('225-7',    'Proxénétisme aggravé'),
 ('225-7-1',  'Proxénétisme à l''égard d''un mineur de quinze ans'),
 ('225-12-1', 'Recours à la prostitution d''un mineur'),
 ('225-12-2', 'Recours à la prostitution d''un mineur — circonstances aggravantes'),
 ('227-22',   'Corruption de mineur'),
 ('227-22-1', 'Propositions sexuelles à un mineur de quinze ans par moyen électronique'),
 ('227-22-2', 'Incitation d''un mineur à commettre des actes de nature sexuelle sur lui-même ou sur autrui'),
 ('227-23',   'Images pédopornographiques — fixation, diffusion, détention, consultation'),
 ('227-23-1', 'Sollicitation de contenus à caractère sexuel auprès d''un mineur'),
 ('227-24',   'Messages violents ou pornographiques susceptibles d''être vus par un mineur'),
 ('227-25',   'Atteinte sexuelle sur mineur de quinze ans'),
 ('227-26',   'Atteinte sexuelle aggravée'),
 ('312-10',   'Chantage');

-- A charge is never overwritten: a requalification inserts a new charge
-- that names the one it replaces, with when and by whom.
CREATE TABLE charges (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id                  uuid NOT NULL REFERENCES dossiers (id),
    defendant_id                uuid REFERENCES defendants (id),
    article                     text NOT NULL REFERENCES penal_articles (article),
    article_version_date        date,
    wording                     text NOT NULL DEFAULT '' CHECK (length(wording) <= 4000),
    aggravating_circumstances   text[] NOT NULL DEFAULT '{}',
    participation               text NOT NULL CHECK (participation IN ('author','co_author','accomplice')),
    retained_by                 text NOT NULL CHECK (retained_by IN ('prosecutor','investigating_judge','trial_court','appeal_court','cassation_court')),
    retained_on                 date NOT NULL,
    replaces_charge_id          uuid UNIQUE REFERENCES charges (id),
    requalification_reason      text NOT NULL DEFAULT '' CHECK (length(requalification_reason) <= 4000),
    created_at                  timestamptz NOT NULL DEFAULT now(),
    CHECK (replaces_charge_id IS NULL OR replaces_charge_id <> id)
);
CREATE INDEX charges_dossier_idx ON charges (dossier_id, retained_on);
CREATE INDEX charges_defendant_idx ON charges (defendant_id);

CREATE TABLE proceedings (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id      uuid NOT NULL REFERENCES dossiers (id),
    stage           text NOT NULL CHECK (stage IN ('preliminary_inquiry','judicial_investigation','trial','appeal','cassation')),
    court_kind      text NOT NULL CHECK (court_kind IN ('parquet','juge_instruction','tribunal_correctionnel',
                        'cour_criminelle_departementale','cour_assises','tribunal_pour_enfants',
                        'cour_appel','cour_assises_appel','cour_cassation')),
    court_name      text NOT NULL DEFAULT '' CHECK (length(court_name) <= 200),
    chamber         text NOT NULL DEFAULT '' CHECK (length(chamber) <= 200),
    docket_number   text NOT NULL DEFAULT '' CHECK (length(docket_number) <= 64),
    started_on      date NOT NULL,
    ended_on        date,
    status          text NOT NULL DEFAULT 'ongoing' CHECK (status IN ('ongoing','closed')),
    outcome         text NOT NULL DEFAULT '' CHECK (length(outcome) <= 4000),
    previous_id     uuid UNIQUE REFERENCES proceedings (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (ended_on IS NOT NULL)),
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX proceedings_dossier_idx ON proceedings (dossier_id, started_on DESC);

CREATE TABLE civil_party_standings (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    proceeding_id       uuid NOT NULL REFERENCES proceedings (id),
    organisation_id     uuid NOT NULL REFERENCES organisations (id),
    constituted_on      date NOT NULL,
    mode                text NOT NULL CHECK (mode IN ('complaint','intervention','hearing_declaration','letter')),
    legal_basis         text NOT NULL CHECK (legal_basis IN ('CPP 2-3','CPP 2-22')),
    consent_id          uuid REFERENCES consents (id),
    admissibility       text NOT NULL DEFAULT 'pending' CHECK (admissibility IN ('pending','admitted','rejected')),
    admissibility_on    date,
    damages_claimed_cents bigint CHECK (damages_claimed_cents >= 0),
    damages_awarded_cents bigint CHECK (damages_awarded_cents >= 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (proceeding_id, organisation_id),
    CHECK ((admissibility = 'pending') = (admissibility_on IS NULL))
);

CREATE TABLE hearings (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id      uuid NOT NULL REFERENCES dossiers (id),
    proceeding_id   uuid REFERENCES proceedings (id),
    kind            text NOT NULL CHECK (kind IN ('trial','adjournment','deliberation','pleading','party_hearing','other')),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz,
    court_room      text NOT NULL DEFAULT '' CHECK (length(court_room) <= 200),
    attendees       text[] NOT NULL DEFAULT '{}',
    status          text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','held','cancelled')),
    outcome_note    text NOT NULL DEFAULT '' CHECK (length(outcome_note) <= 4000),
    cancel_reason   text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 1000),
    moved_count     integer NOT NULL DEFAULT 0 CHECK (moved_count >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX hearings_dossier_idx ON hearings (dossier_id, starts_at);
CREATE INDEX hearings_starts_idx ON hearings (starts_at) WHERE status <> 'cancelled';

-- Every access to case data writes one event, in the same transaction as
-- the access. Identifiers only: no names, no free text from case records.
CREATE TABLE audit_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    actor_user_id   uuid,
    organisation_id uuid,
    session_hash    bytea,
    request_id      text NOT NULL DEFAULT '',
    source_ip       inet,
    user_agent      text NOT NULL DEFAULT '',
    action          text NOT NULL,
    resource_type   text NOT NULL,
    resource_ids    uuid[] NOT NULL DEFAULT '{}',
    dossier_id      uuid,
    reason          text NOT NULL DEFAULT '',
    outcome         text NOT NULL CHECK (outcome IN ('allowed','denied')),
    permission      text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, occurred_at);
CREATE INDEX audit_events_dossier_idx ON audit_events (dossier_id, occurred_at);
CREATE INDEX audit_events_resource_idx ON audit_events USING gin (resource_ids);

---- create above / drop below ----

DROP TABLE audit_events, hearings, civil_party_standings, proceedings, charges, penal_articles,
    defendants, consents, victims, dossier_assignments, dossier_shares, dossiers, sessions,
    memberships, users, organisations;
