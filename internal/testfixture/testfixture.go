// Package testfixture creates the organisations, users and dossiers that
// service tests start from, directly in SQL (no service, no audit), on a
// database made by pgtest.
package testfixture

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/authz"
)

// Org inserts an organisation and returns its id.
func Org(t testing.TB, pool *pgxpool.Pool) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := pool.QueryRow(context.Background(),
		`INSERT INTO organisations (name, standing_articles) VALUES ($1, '{CPP 2-3,CPP 2-22}') RETURNING id`,
		"Org "+uuid.NewString()[:8]).Scan(&id)
	if err != nil {
		t.Fatalf("insert organisation: %v", err)
	}
	return id
}

// User inserts a user holding roles in org and returns them as an actor.
func User(t testing.TB, pool *pgxpool.Pool, org uuid.UUID, roles ...actor.Role) actor.Actor {
	t.Helper()
	ctx := context.Background()
	var id uuid.UUID
	err := pool.QueryRow(ctx, `INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'Test', 'x') RETURNING id`,
		uuid.NewString()+"@example.org").Scan(&id)
	if err != nil {
		t.Fatalf("insert user: %v", err)
	}
	for _, r := range roles {
		if _, err := pool.Exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, $3)`, id, org, r); err != nil {
			t.Fatalf("insert membership: %v", err)
		}
	}
	return actor.Actor{UserID: id, OrgID: org, Roles: roles, RequestID: "test", IP: "127.0.0.1", UserAgent: "go-test"}
}

// Dossier inserts an open dossier of org and returns its id.
func Dossier(t testing.TB, pool *pgxpool.Pool, org uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := pool.QueryRow(context.Background(), `INSERT INTO dossiers (organisation_id, reference, title, themes, opened_on)
		VALUES ($1, $2, 'Dossier de test', '{grooming}', '2025-01-15') RETURNING id`, org, "T-"+uuid.NewString()[:8]).Scan(&id)
	if err != nil {
		t.Fatalf("insert dossier: %v", err)
	}
	return id
}

// Assign assigns a user to a dossier.
func Assign(t testing.TB, pool *pgxpool.Pool, dossier, user uuid.UUID) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `INSERT INTO dossier_assignments (dossier_id, user_id) VALUES ($1, $2)`, dossier, user); err != nil {
		t.Fatalf("assign: %v", err)
	}
}

// Share shares a dossier with another organisation.
func Share(t testing.TB, pool *pgxpool.Pool, dossier, org uuid.UUID) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `INSERT INTO dossier_shares (dossier_id, organisation_id) VALUES ($1, $2)`, dossier, org); err != nil {
		t.Fatalf("share: %v", err)
	}
}

// Authorizer returns the real authorizer on pool.
func Authorizer(t testing.TB, pool *pgxpool.Pool) *authz.Authorizer {
	t.Helper()
	az, err := authz.New(pool)
	if err != nil {
		t.Fatalf("authz: %v", err)
	}
	return az
}

// AuditCount counts audit events with the given action and outcome.
func AuditCount(t testing.TB, pool *pgxpool.Pool, action, outcome string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = $1 AND outcome = $2`,
		action, outcome).Scan(&n); err != nil {
		t.Fatalf("count audit: %v", err)
	}
	return n
}
