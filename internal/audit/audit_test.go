package audit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

// In one read request, events alike but for their resources become one
// event naming each resource once; events that differ in anything else
// (action, dossier, outcome...) or name no resource stay apart.
func TestRecordMergesAlikeEventsOfARequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app := open(t, dbURL, postgres.AsAppRole())
	a := actor.Actor{UserID: uuid.New(), OrgID: uuid.New(), Roles: []actor.Role{actor.LegalStaff}, RequestID: "req-merge", IP: "192.0.2.7"}
	d := uuid.New()
	v := []uuid.UUID{uuid.New(), uuid.New(), uuid.New(), uuid.New()}
	events := []audit.Event{
		{Action: "victim.list", ResourceType: "victim", ResourceIDs: v[:2], Permission: "case:read"},
		{Action: "victim.list", ResourceType: "victim", ResourceIDs: v[1:3], Permission: "case:read"},
		{Action: "victim.list", ResourceType: "victim", ResourceIDs: v[3:], Permission: "case:read"},
		{Action: "victim.list", ResourceType: "victim", ResourceIDs: v[:1], DossierID: d, Permission: "case:read"},
		{Action: "victim.list", ResourceType: "victim", ResourceIDs: v[:1], Outcome: audit.Denied, Permission: "case:read"},
		{Action: "defendant.list", ResourceType: "defendant", ResourceIDs: v[:1], Permission: "case:read"},
		{Action: "victim.list", ResourceType: "victim", Permission: "case:read"},
		{Action: "victim.list", ResourceType: "victim", Permission: "case:read"},
	}
	sctx, sh := postgres.Share(ctx)
	for _, e := range events {
		if err := postgres.InTx(sctx, app, func(tx pgx.Tx) error { return audit.Record(sctx, tx, a, e) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := sh.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := app.Query(ctx, `SELECT action, outcome, dossier_id IS NOT NULL, resource_ids FROM audit_events
		WHERE request_id = 'req-merge' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var action, outcome string
		var inDossier bool
		var ids []uuid.UUID
		if err := rows.Scan(&action, &outcome, &inDossier, &ids); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(action, " ", outcome, " ", inDossier, " ", len(ids)))
		if action == "victim.list" && outcome == "allowed" && !inDossier && len(ids) > 0 && fmt.Sprint(ids) != fmt.Sprint(v) {
			t.Errorf("merged ids %v, want %v: each once, in order", ids, v)
		}
	}
	want := "[victim.list allowed false 4 victim.list allowed true 1 victim.list denied false 1 defendant.list allowed false 1 " +
		"victim.list allowed false 0 victim.list allowed false 0]"
	if fmt.Sprint(got) != want {
		t.Fatalf("events %v\nwant   %s", got, want)
	}
}
