package proceeding

// Internal tests: their helpers cannot collide with those of the external
// proceeding_test package; TestMain (pgtest.Main) is that package's.

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func batchRow(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := pool.QueryRow(context.Background(), sql+" RETURNING id", args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func batchProceeding(t *testing.T, pool *pgxpool.Pool, dossierID uuid.UUID) uuid.UUID {
	t.Helper()
	return batchRow(t, pool, `INSERT INTO proceedings (dossier_id, stage, court_kind, started_on)
		VALUES ($1, 'trial', 'tribunal_correctionnel', '2025-03-01')`, dossierID)
}

func batchStanding(t *testing.T, pool *pgxpool.Pool, proceedingID, orgID uuid.UUID, on string) uuid.UUID {
	t.Helper()
	return batchRow(t, pool, `INSERT INTO civil_party_standings (proceeding_id, organisation_id, constituted_on, mode, legal_basis)
		VALUES ($1, $2, $3, 'letter', 'CPP 2-3')`, proceedingID, orgID, on)
}

func standingIDs(sts []Standing) []uuid.UUID {
	out := make([]uuid.UUID, len(sts))
	for i, s := range sts {
		out[i] = s.ID
	}
	return out
}

func TestBatchStandingsByProceedings(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	svc := NewService(testfixture.Authorizer(t, pool))
	org, partner, outsiderOrg := testfixture.Org(t, pool), testfixture.Org(t, pool), testfixture.Org(t, pool)
	staff := testfixture.User(t, pool, org, actor.LegalStaff)

	own := testfixture.Dossier(t, pool, org)
	p1, p2, empty := batchProceeding(t, pool, own), batchProceeding(t, pool, own), batchProceeding(t, pool, own)
	// Constituted out of order: the list is by constitution date.
	late := batchStanding(t, pool, p1, org, "2025-04-01")
	testfixture.Share(t, pool, own, partner)
	early := batchStanding(t, pool, p1, partner, "2025-03-05")
	only := batchStanding(t, pool, p2, org, "2025-03-10")
	foreign := testfixture.Dossier(t, pool, outsiderOrg)
	pf := batchProceeding(t, pool, foreign)
	hidden := batchStanding(t, pool, pf, outsiderOrg, "2025-03-10")

	got, err := svc.StandingsByProceedings(ctx, staff, []uuid.UUID{p1, p2, empty, pf, uuid.New()})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Equal(standingIDs(got[p1]), []uuid.UUID{early, late}) ||
		!slices.Equal(standingIDs(got[p2]), []uuid.UUID{only}) {
		t.Fatalf("got %v", got)
	}
	if got[p1][0].DossierID != own || got[p1][0].OrganisationID != partner || got[p1][0].ProceedingID != p1 {
		t.Fatalf("standing %+v", got[p1][0])
	}
	// One event, naming what was read and nothing else.
	if n := testfixture.AuditCount(t, pool, "standing.list", "allowed"); n != 1 {
		t.Fatalf("%d standing.list events", n)
	}
	var audited []uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT resource_ids FROM audit_events WHERE action = 'standing.list'`).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(audited, hidden) || len(audited) != 3 {
		t.Fatalf("audited %v", audited)
	}

	// The co-civil party sees the standings of the shared dossier.
	co := testfixture.User(t, pool, partner, actor.LegalStaff)
	if got, err := svc.StandingsByProceedings(ctx, co, []uuid.UUID{p1, pf}); err != nil || len(got[p1]) != 2 || got[pf] != nil {
		t.Fatalf("co-civil party got %v, %v", got, err)
	}
	// A partner lawyer sees only the dossiers they are assigned to.
	lawyer := testfixture.User(t, pool, org, actor.PartnerLawyer)
	if got, err := svc.StandingsByProceedings(ctx, lawyer, []uuid.UUID{p1, p2}); err != nil || len(got) != 0 {
		t.Fatalf("unassigned lawyer got %v, %v", got, err)
	}
	testfixture.Assign(t, pool, own, lawyer.UserID)
	if got, err := svc.StandingsByProceedings(ctx, lawyer, []uuid.UUID{p1, p2}); err != nil || len(got) != 2 {
		t.Fatalf("assigned lawyer got %v, %v", got, err)
	}
	// Roles without case:read are refused, and nothing is audited as read.
	dpo := testfixture.User(t, pool, org, actor.DPO)
	before := testfixture.AuditCount(t, pool, "standing.list", "allowed")
	if _, err := svc.StandingsByProceedings(ctx, dpo, []uuid.UUID{p1}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("dpo: %v", err)
	}
	if _, err := svc.StandingsByProceedings(ctx, actor.Actor{}, []uuid.UUID{p1}); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("signed out: %v", err)
	}
	if n := testfixture.AuditCount(t, pool, "standing.list", "allowed"); n != before {
		t.Fatal("a refused batch was audited as allowed")
	}
}
