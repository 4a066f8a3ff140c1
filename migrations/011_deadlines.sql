-- Deadlines (échéances, issue 13): a date the civil party must meet,
-- computed by the server from a rule of the catalogue (internal/deadline)
-- and a triggering event, or entered by hand (rule_id 'manual'). What the
-- computation applied is stored with it — the code version, the article,
-- the raw end, the explanation and warnings — so a date keeps the reading
-- it was computed with when the catalogue later changes.
CREATE TABLE deadlines (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id      uuid NOT NULL REFERENCES dossiers (id),
    proceeding_id   uuid REFERENCES proceedings (id),
    rule_id         text NOT NULL CHECK (rule_id ~ '^[a-z0-9-]{1,64}$'),
    code_version    text NOT NULL DEFAULT '' CHECK (code_version IN ('', 'CPP', 'CPP-2029')),
    article         text NOT NULL DEFAULT '' CHECK (length(article) <= 100),
    trigger_on      date,
    due_on          date NOT NULL,
    raw_end_on      date,
    extended        boolean NOT NULL DEFAULT false,
    steps           text[] NOT NULL DEFAULT '{}',
    warnings        text[] NOT NULL DEFAULT '{}',
    title           text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),
    done_by         uuid REFERENCES users (id),
    done_at         timestamptz,
    cancel_reason   text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 1000),
    cancelled_by    uuid REFERENCES users (id),
    cancelled_at    timestamptz,
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- A computed deadline names its trigger and its raw end; a manual one
    -- has a title and neither.
    CHECK (rule_id = 'manual' AND title <> '' AND trigger_on IS NULL AND raw_end_on IS NULL
        OR rule_id <> 'manual' AND trigger_on IS NOT NULL AND raw_end_on IS NOT NULL AND code_version <> ''),
    CHECK (raw_end_on IS NULL OR due_on >= raw_end_on),
    CHECK ((status = 'done') = (done_by IS NOT NULL AND done_at IS NOT NULL)),
    CHECK ((status = 'cancelled') = (cancelled_by IS NOT NULL AND cancelled_at IS NOT NULL AND cancel_reason <> ''))
);
-- Dossier.deadlines and nextDeadline (open first, by due date).
CREATE INDEX deadlines_dossier_idx ON deadlines (dossier_id, due_on);
-- The calendar across dossiers: open deadlines by due date.
CREATE INDEX deadlines_due_idx ON deadlines (due_on, id) WHERE status = 'open';
CREATE INDEX deadlines_proceeding_idx ON deadlines (proceeding_id) WHERE proceeding_id IS NOT NULL;

---- create above / drop below ----

DROP TABLE deadlines;
