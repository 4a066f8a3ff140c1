package authz_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

// benchSeed fills a database with one organisation of 1 000 users (half
// legal staff, half partner lawyers), 2 000 dossiers, 10 000 assignments
// (ten per user, five per dossier) and 1 000 dossiers of another
// organisation, 200 of them shared with it.
func benchSeed(b *testing.B, pool *pgxpool.Pool) (org uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	org = testfixture.Org(b, pool)
	other := testfixture.Org(b, pool)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (email, display_name, password_hash)
			SELECT 'bench-' || g || '@example.org', 'Bench ' || g, 'x' FROM generate_series(1, 1000) g`, nil},
		{`INSERT INTO memberships (user_id, organisation_id, role)
			SELECT id, $1, CASE WHEN row_number() OVER (ORDER BY id) % 2 = 0 THEN 'legal_staff' ELSE 'partner_lawyer' END
			FROM users WHERE email LIKE 'bench-%'`, []any{org}},
		{`INSERT INTO dossiers (organisation_id, reference, title, themes, opened_on)
			SELECT $1, 'B-' || g, 'Bench dossier', '{grooming}', '2025-01-15' FROM generate_series(1, 2000) g`, []any{org}},
		{`INSERT INTO dossiers (organisation_id, reference, title, themes, opened_on)
			SELECT $1, 'O-' || g, 'Other dossier', '{grooming}', '2025-01-15' FROM generate_series(1, 1000) g`, []any{other}},
		{`INSERT INTO dossier_shares (dossier_id, organisation_id)
			SELECT id, $2 FROM dossiers WHERE organisation_id = $1 ORDER BY id LIMIT 200`, []any{other, org}},
		{`WITH u AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM users WHERE email LIKE 'bench-%'),
			   d AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS j FROM dossiers WHERE organisation_id = $1)
			INSERT INTO dossier_assignments (dossier_id, user_id)
			SELECT d.id, u.id FROM u CROSS JOIN generate_series(0, 9) k JOIN d ON d.j = (u.i * 10 + k) % 2000`, []any{org}},
		{`ANALYZE`, nil},
	} {
		if _, err := pool.Exec(ctx, q.sql, q.args...); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	var users, assignments int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM memberships WHERE organisation_id = $1),
		(SELECT count(*) FROM dossier_assignments)`, org).Scan(&users, &assignments); err != nil {
		b.Fatal(err)
	}
	if users != 1000 || assignments != 10000 {
		b.Fatalf("seeded %d users and %d assignments, want 1000 and 10000", users, assignments)
	}
	return org
}

// benchCase is one decision: who asks, for what, on which dossier.
type benchCase struct {
	name    string
	role    actor.Role
	perm    authz.Permission
	dossier string // "assigned", "unassigned" or "shared"
	allowed bool
}

// BenchmarkDossierDecision measures one authorization decision on one
// dossier (Authorizer.Dossier: one query inside the caller's transaction)
// with 1 000 users and 10 000 assignments. "in_tx" sub-benchmarks reuse
// one open transaction, as a service does; "with_tx" adds its begin and
// commit.
func BenchmarkDossierDecision(b *testing.B) {
	pool := pgtest.New(b)
	ctx := context.Background()
	org := benchSeed(b, pool)
	az := testfixture.Authorizer(b, pool)
	pick := func(role actor.Role, kind string) (actor.Actor, uuid.UUID) {
		b.Helper()
		var user, dossier uuid.UUID
		q := map[string]string{
			"assigned": `SELECT x.user_id, x.dossier_id FROM dossier_assignments x JOIN memberships m ON m.user_id = x.user_id
				WHERE m.role = $2 AND m.organisation_id = $1 ORDER BY x.user_id, x.dossier_id LIMIT 1`,
			"unassigned": `SELECT m.user_id, d.id FROM memberships m JOIN dossiers d ON d.organisation_id = m.organisation_id
				WHERE m.role = $2 AND m.organisation_id = $1
				  AND NOT EXISTS (SELECT 1 FROM dossier_assignments x WHERE x.user_id = m.user_id AND x.dossier_id = d.id)
				ORDER BY m.user_id, d.id LIMIT 1`,
			"shared": `SELECT m.user_id, s.dossier_id FROM memberships m JOIN dossier_shares s ON s.organisation_id = m.organisation_id
				WHERE m.role = $2 AND m.organisation_id = $1 ORDER BY m.user_id, s.dossier_id LIMIT 1`,
		}[kind]
		if err := pool.QueryRow(ctx, q, org, role).Scan(&user, &dossier); err != nil {
			b.Fatalf("pick %s %s: %v", role, kind, err)
		}
		return actor.Actor{UserID: user, OrgID: org, Roles: []actor.Role{role}}, dossier
	}
	cases := []benchCase{
		{"partner_lawyer_assigned_read", actor.PartnerLawyer, authz.CaseRead, "assigned", true},
		{"partner_lawyer_unassigned_denied", actor.PartnerLawyer, authz.CaseRead, "unassigned", false},
		{"legal_staff_shared_read", actor.LegalStaff, authz.CaseRead, "shared", true},
		{"legal_staff_assigned_identity", actor.LegalStaff, authz.IdentityRead, "assigned", true},
		{"legal_staff_assigned_write_lock", actor.LegalStaff, authz.CaseWrite, "assigned", true},
	}
	for _, c := range cases {
		a, dossier := pick(c.role, c.dossier)
		decide := func(tx pgx.Tx) {
			_, err := az.Dossier(ctx, tx, a, c.perm, dossier, "dossier", dossier)
			if (err == nil) != c.allowed {
				b.Fatalf("%s: allowed %v, err %v", c.name, c.allowed, err)
			}
		}
		b.Run(c.name+"/in_tx", func(b *testing.B) {
			tx, err := pool.Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = tx.Rollback(ctx) }()
			for b.Loop() {
				decide(tx)
			}
		})
		b.Run(c.name+"/with_tx", func(b *testing.B) {
			for b.Loop() {
				tx, err := pool.Begin(ctx)
				if err != nil {
					b.Fatal(err)
				}
				decide(tx)
				if err := tx.Commit(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPolicyLookup measures Authorizer.Can: the role × permission
// policy, evaluated once at start, looked up in memory.
func BenchmarkPolicyLookup(b *testing.B) {
	az, err := authz.New(nil) // the policy needs no database
	if err != nil {
		b.Fatal(err)
	}
	a := actor.Actor{UserID: uuid.New(), OrgID: uuid.New(), Roles: []actor.Role{actor.Advocacy, actor.PartnerLawyer}}
	n := 0
	for b.Loop() {
		if az.Can(a, authz.Permissions[n%len(authz.Permissions)]) {
			n++
		}
		n++
	}
}
