package charge

// Internal tests: their helpers cannot collide with those of the external
// charge_test package; TestMain (pgtest.Main) is that package's.

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

func batchCharge(t *testing.T, pool *pgxpool.Pool, dossierID uuid.UUID, replaces *uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := pool.QueryRow(context.Background(), `INSERT INTO charges (dossier_id, article, participation, retained_by,
		retained_on, replaces_charge_id) VALUES ($1, '227-23', 'author', 'prosecutor', '2025-02-01', $2) RETURNING id`,
		dossierID, replaces).Scan(&id); err != nil {
		t.Fatalf("insert charge: %v", err)
	}
	return id
}

func TestBatchByIDs(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	svc := NewService(testfixture.Authorizer(t, pool))
	org, partner, outsiderOrg := testfixture.Org(t, pool), testfixture.Org(t, pool), testfixture.Org(t, pool)
	staff := testfixture.User(t, pool, org, actor.LegalStaff)

	own := testfixture.Dossier(t, pool, org)
	original := batchCharge(t, pool, own, nil)
	requalified := batchCharge(t, pool, own, &original)
	shared := testfixture.Dossier(t, pool, partner)
	testfixture.Share(t, pool, shared, org)
	sharedCharge := batchCharge(t, pool, shared, nil)
	hidden := batchCharge(t, pool, testfixture.Dossier(t, pool, outsiderOrg), nil)

	got, err := svc.ByIDs(ctx, staff, []uuid.UUID{original, requalified, sharedCharge, hidden, uuid.New()})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d charges, want 3: %v", len(got), got)
	}
	o, r := got[original], got[requalified]
	if o.DossierID != own || o.ArticleHeading == "" || o.ReplacedByChargeID == nil || *o.ReplacedByChargeID != requalified ||
		r.ReplacesChargeID == nil || *r.ReplacesChargeID != original || r.ReplacedByChargeID != nil || o.Current() || !r.Current() {
		t.Fatalf("original %+v\nrequalified %+v", o, r)
	}
	if got[sharedCharge].DossierID != shared {
		t.Fatalf("shared charge %+v", got[sharedCharge])
	}
	if n := testfixture.AuditCount(t, pool, "charge.read", "allowed"); n != 1 {
		t.Fatalf("%d charge.read events", n)
	}
	var audited []uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT resource_ids FROM audit_events WHERE action = 'charge.read'`).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(audited, hidden) || len(audited) != 3 {
		t.Fatalf("audited %v", audited)
	}

	lawyer := testfixture.User(t, pool, org, actor.PartnerLawyer)
	if got, err := svc.ByIDs(ctx, lawyer, []uuid.UUID{original, requalified}); err != nil || len(got) != 0 {
		t.Fatalf("unassigned lawyer got %v, %v", got, err)
	}
	testfixture.Assign(t, pool, own, lawyer.UserID)
	if got, err := svc.ByIDs(ctx, lawyer, []uuid.UUID{original, requalified, sharedCharge}); err != nil || len(got) != 2 {
		t.Fatalf("assigned lawyer got %v, %v", got, err)
	}
	if got, err := svc.ByIDs(ctx, staff, nil); err != nil || len(got) != 0 {
		t.Fatalf("no ids: %v, %v", got, err)
	}
	before := testfixture.AuditCount(t, pool, "charge.read", "allowed")
	if _, err := svc.ByIDs(ctx, testfixture.User(t, pool, org, actor.DPO), []uuid.UUID{original}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("dpo: %v", err)
	}
	if _, err := svc.ByIDs(ctx, actor.Actor{}, []uuid.UUID{original}); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("signed out: %v", err)
	}
	if n := testfixture.AuditCount(t, pool, "charge.read", "allowed"); n != before {
		t.Fatal("a refused batch was audited as allowed")
	}
}
