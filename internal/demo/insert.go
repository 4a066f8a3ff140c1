package demo

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// id and optID hand uuids to COPY in pgx's own type: encoding a uuid.UUID
// goes through driver.Valuer, which costs more than the rest of the row.
func id(u uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: u, Valid: true} }

func optID(u *uuid.UUID) pgtype.UUID {
	if u == nil {
		return pgtype.UUID{}
	}
	return id(*u)
}

// copyRows streams n rows into table with COPY: one round trip per table
// whatever the number of dossiers.
func copyRows(ctx context.Context, tx pgx.Tx, table string, cols []string, n int, row func(int) []any) error {
	if n == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		return row(i), nil
	}))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}

// insert writes the plan, parents first. Foreign keys between rows of one
// table (a requalified charge, a previous proceeding) are checked at the
// end of each COPY, so their order inside a table does not matter.
func insert(ctx context.Context, tx pgx.Tx, e *env, p *plan) error {
	steps := []struct {
		table string
		cols  []string
		n     int
		row   func(int) []any
	}{
		{"dossiers", []string{"id", "organisation_id", "reference", "title", "summary", "themes", "status",
			"opened_on", "closed_on", "closing_reason", "parquet_number", "instruction_number", "platforms",
			"countries", "retention_until"}, len(p.dossiers), func(i int) []any {
			d := &p.dossiers[i]
			return []any{id(d.id), id(e.org), d.reference, d.title, d.summary, d.themes, d.status, d.openedOn,
				d.closedOn, d.closingReason, d.parquetNumber, d.instructionNumber, d.platforms, d.countries,
				d.retentionUntil}
		}},
		{"victims", []string{"id", "dossier_id", "pseudonym", "age_at_facts", "country", "identity_ciphertext",
			"identity_wrapped_key", "identity_updated_at"}, len(p.victims), func(i int) []any {
			v := &p.victims[i]
			return []any{id(v.id), id(v.dossierID), v.pseudonym, v.age, v.country, v.ciphertext, v.wrappedKey, v.identityAt}
		}},
		{"consents", []string{"id", "victim_id", "given_by", "given_on", "scope", "reference", "withdrawn_on"},
			len(p.consents), func(i int) []any {
				c := &p.consents[i]
				return []any{id(c.id), id(c.victimID), c.givenBy, c.givenOn, c.scope, c.reference, c.withdrawnOn}
			}},
		{"defendants", []string{"id", "dossier_id", "pseudonym", "role", "country", "identity_ciphertext",
			"identity_wrapped_key", "identity_updated_at"}, len(p.defendants), func(i int) []any {
			d := &p.defendants[i]
			return []any{id(d.id), id(d.dossierID), d.pseudonym, d.role, d.country, d.ciphertext, d.wrappedKey, d.identityAt}
		}},
		{"charges", []string{"id", "dossier_id", "defendant_id", "article", "article_version_date", "wording",
			"aggravating_circumstances", "participation", "retained_by", "retained_on", "replaces_charge_id",
			"requalification_reason"}, len(p.charges), func(i int) []any {
			c := &p.charges[i]
			aggr := c.aggravating
			if aggr == nil {
				aggr = []string{} // NOT NULL
			}
			return []any{id(c.id), id(c.dossierID), id(c.defendantID), c.article, c.versionDate, c.wording, aggr,
				c.participation, c.retainedBy, c.retainedOn, optID(c.replaces), c.reason}
		}},
		{"proceedings", []string{"id", "dossier_id", "stage", "court_kind", "court_name", "chamber",
			"docket_number", "started_on", "ended_on", "status", "outcome", "previous_id"}, len(p.proceedings),
			func(i int) []any {
				r := &p.proceedings[i]
				return []any{id(r.id), id(r.dossierID), r.stage, r.courtKind, r.courtName, r.chamber, r.docketNumber,
					r.startedOn, r.endedOn, r.status, r.outcome, optID(r.previous)}
			}},
		{"civil_party_standings", []string{"id", "proceeding_id", "organisation_id", "constituted_on", "mode",
			"legal_basis", "consent_id", "admissibility", "admissibility_on", "damages_claimed_cents",
			"damages_awarded_cents"}, len(p.standings), func(i int) []any {
			s := &p.standings[i]
			return []any{id(s.id), id(s.proceedingID), id(s.orgID), s.constitutedOn, s.mode, s.basis, optID(s.consentID),
				s.admissibility, s.admissibilityOn, s.claimed, s.awarded}
		}},
		{"hearings", []string{"id", "dossier_id", "proceeding_id", "kind", "starts_at", "ends_at", "court_room",
			"attendees", "status", "outcome_note", "cancel_reason", "moved_count"}, len(p.hearings),
			func(i int) []any {
				h := &p.hearings[i]
				return []any{id(h.id), id(h.dossierID), id(h.proceedingID), h.kind, h.startsAt, h.endsAt, h.courtRoom,
					h.attendees, h.status, h.outcomeNote, h.cancelReason, h.moved}
			}},
		{"deadlines", []string{"id", "dossier_id", "proceeding_id", "rule_id", "code_version", "article", "trigger_on",
			"due_on", "raw_end_on", "extended", "steps", "warnings", "note", "status", "done_by", "done_at",
			"cancel_reason", "cancelled_by", "cancelled_at", "created_by", "created_at"}, len(p.deadlines),
			func(i int) []any {
				x := &p.deadlines[i]
				return []any{id(x.id), id(x.dossierID), optID(x.proceedingID), x.ruleID, x.codeVersion, x.article,
					x.triggerOn, x.dueOn, x.rawEnd, x.extended, x.steps, x.warnings, x.note, x.status, optID(x.doneBy),
					x.doneAt, x.cancelReason, optID(x.cancelledBy), x.cancelledAt, id(x.createdBy), x.createdAt}
			}},
	}
	for _, s := range steps {
		if err := copyRows(ctx, tx, s.table, s.cols, s.n, s.row); err != nil {
			return err
		}
	}
	return nil
}
