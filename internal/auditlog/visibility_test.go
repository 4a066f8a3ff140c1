package auditlog

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/testfixture"
)

// Issue 10: an event about a dossier is the owning organisation's to read,
// whoever acted; the acting organisation reads it too; a failed sign-in
// naming a member's account is read by the member's organisations.

// exported returns the rows of dpo's export with filter flt, cells joined
// by "|", without the log's own reads (audit.*).
func (f *fixture) exported(t *testing.T, dpo actor.Actor, flt Filter) []string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := f.svc.Export(context.Background(), dpo, flt, &buf); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rec := range readCSV(t, buf.Bytes())[1:] {
		if !strings.HasPrefix(rec[3], "audit.") {
			out = append(out, strings.Join(rec, "|"))
		}
	}
	return out
}

func TestAuditEventsOfASharedDossierReachTheOwnersDPO(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	orgC := testfixture.Org(t, f.pool)
	dpoC := testfixture.User(t, f.pool, orgC, actor.DPO)
	staffC := testfixture.User(t, f.pool, orgC, actor.LegalStaff)
	own := testfixture.Dossier(t, f.pool, f.orgA) // A's, shared with B
	testfixture.Share(t, f.pool, own, f.orgB)
	other := testfixture.Dossier(t, f.pool, orgC)
	v := uuid.New()
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	byOwner := f.insert(t, ev{at: h(1), by: f.staffA, action: "victim.read", ids: []uuid.UUID{v}, dossier: own})
	byCoParty := f.insert(t, ev{at: h(2), by: f.staffB, action: "victim.read", ids: []uuid.UUID{v}, dossier: own})
	refused := f.insert(t, ev{at: h(3), by: f.staffB, action: "access.denied", ids: []uuid.UUID{v}, dossier: own, denied: true})
	bySystem := f.insert(t, ev{at: h(4), action: "victim.erase", ids: []uuid.UUID{v}, dossier: own})
	// B's actor on C's dossier: B's and C's, never A's.
	elsewhere := f.insert(t, ev{at: h(5), by: f.staffB, action: "dossier.read", rtype: "dossier", ids: []uuid.UUID{other},
		dossier: other})
	byC := f.insert(t, ev{at: h(6), by: staffC, action: "dossier.read", rtype: "dossier", ids: []uuid.UUID{other}, dossier: other})

	// The stored owner is the dossier's, whatever the writer gives.
	var forged int64
	if err := f.pool.QueryRow(ctx, `INSERT INTO audit_events (actor_user_id, organisation_id, action, resource_type,
		dossier_id, outcome, dossier_organisation_id) VALUES ($1, $2, 'dossier.read', 'dossier', $3, 'allowed', $2)
		RETURNING id`, staffC.UserID, orgC, own).Scan(&forged); err != nil {
		t.Fatal(err)
	}
	var stored uuid.UUID
	if err := f.pool.QueryRow(ctx, `SELECT dossier_organisation_id FROM audit_events WHERE id = $1`, forged).
		Scan(&stored); err != nil || stored != f.orgA {
		t.Fatalf("dossier_organisation_id %v (%v), want the dossier's organisation", stored, err)
	}

	for name, tc := range map[string]struct {
		who  actor.Actor
		f    Filter
		want []int64
	}{
		"owner's DPO: every event about its dossier": {f.dpoA, Filter{}, []int64{forged, bySystem, refused, byCoParty, byOwner}},
		"owner's DPO, by dossier":                    {f.dpoA, Filter{DossierID: &own}, []int64{forged, bySystem, refused, byCoParty, byOwner}},
		"owner's DPO, by resource":                   {f.dpoA, Filter{ResourceID: &v}, []int64{bySystem, refused, byCoParty, byOwner}},
		"owner's DPO, by the co-party's actor":       {f.dpoA, Filter{ActorID: &f.staffB.UserID}, []int64{refused, byCoParty}},
		"owner's DPO, refusals":                      {f.dpoA, Filter{Action: ptr("access.*")}, []int64{refused}},
		"co-party's DPO: its own actor's events":     {f.dpoB, Filter{}, []int64{elsewhere, refused, byCoParty}},
		"co-party's DPO, by dossier":                 {f.dpoB, Filter{DossierID: &own}, []int64{refused, byCoParty}},
		"third organisation's DPO":                   {dpoC, Filter{DossierID: &own, Action: ptr("victim.*")}, []int64{}},
		"third organisation's DPO, everything":       {dpoC, Filter{}, []int64{forged, byC, elsewhere}},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := f.svc.Search(ctx, tc.who, tc.f, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Nodes); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}

	// Pages walk the merged branches without overlap or gap.
	var walked []int64
	var after *string
	for range 10 {
		p, err := f.svc.Search(ctx, f.dpoA, Filter{Action: ptr("victim.*")}, ptr(1), after)
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, ids(p.Nodes)...)
		if !p.Info.HasNextPage {
			break
		}
		after = p.Info.EndCursor
	}
	if want := []int64{bySystem, byCoParty, byOwner}; !slices.Equal(walked, want) {
		t.Fatalf("pages %v, want %v", walked, want)
	}

	// The export is the same scope.
	rows := f.exported(t, f.dpoA, Filter{ResourceID: &v})
	if len(rows) != 4 || !strings.Contains(rows[2], f.staffB.UserID.String()) {
		t.Fatalf("owner's export: %v", rows)
	}
	if rows := f.exported(t, dpoC, Filter{ResourceID: &v}); len(rows) != 0 {
		t.Fatalf("third organisation's export: %v", rows)
	}
}

// The same, written by the services: B's jurist reads A's shared dossier.
func TestCoPartyReadOfASharedDossierIsTheOwnersToSee(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	dossiers := dossier.NewService(testfixture.Authorizer(t, f.pool))
	orgC := testfixture.Org(t, f.pool)
	dpoC := testfixture.User(t, f.pool, orgC, actor.DPO)
	d := testfixture.Dossier(t, f.pool, f.orgA)
	testfixture.Share(t, f.pool, d, f.orgB)
	if _, err := dossiers.Get(ctx, f.staffB, d); err != nil {
		t.Fatal(err)
	}
	read := func(dpo actor.Actor) int {
		p, err := f.svc.Search(ctx, dpo, Filter{DossierID: &d, Action: ptr("dossier.read"), ActorID: &f.staffB.UserID}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Nodes)
	}
	if n := read(f.dpoA); n != 1 {
		t.Errorf("owner's DPO sees %d reads by the co-party, want 1", n)
	}
	if n := read(f.dpoB); n != 1 {
		t.Errorf("co-party's DPO sees %d reads by its actor, want 1", n)
	}
	if n := read(dpoC); n != 0 {
		t.Errorf("a third organisation's DPO sees %d reads", n)
	}
}

func TestFailedSignInsReachTheMembersDPO(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	both := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff, actor.Advocacy) // two roles: one membership row each
	f.exec(t, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'legal_staff')`, both.UserID, f.orgB)
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	// A sign-in refusal names the account, not an organisation.
	signIn := func(n int, who actor.Actor, action string, denied bool) int64 {
		return f.insert(t, ev{at: h(n), by: actor.Actor{UserID: who.UserID}, action: action, rtype: "session", denied: denied})
	}
	ofA := signIn(1, f.staffA, "auth.login", true)
	ofB := signIn(2, f.staffB, "auth.login", true)
	throttled := signIn(3, f.staffA, "auth.login.throttled", true)
	ofBoth := signIn(4, both, "auth.oidc.login", true)
	unknown := f.insert(t, ev{at: h(5), action: "auth.login", rtype: "session", denied: true}) // no account named
	// Not sign-in refusals: the operator's own instance-level work, an
	// instance-level success.
	signIn(6, f.staffA, "organisation.create", true)
	success := signIn(7, f.staffA, "auth.login", false)
	denied := audit.Denied

	for name, tc := range map[string]struct {
		who  actor.Actor
		f    Filter
		want []int64
	}{
		"A's DPO":             {f.dpoA, Filter{Action: ptr("auth.*")}, []int64{ofBoth, throttled, ofA}},
		"B's DPO":             {f.dpoB, Filter{Action: ptr("auth.*")}, []int64{ofBoth, ofB}},
		"A's DPO, by account": {f.dpoA, Filter{ActorID: &f.staffA.UserID}, []int64{throttled, ofA}},
		"A's DPO, B's member": {f.dpoA, Filter{ActorID: &f.staffB.UserID}, []int64{}},
		"A's DPO, refusals":   {f.dpoA, Filter{Outcome: &denied}, []int64{ofBoth, throttled, ofA}},
		"the operator":        {f.super, Filter{Action: ptr("auth.*")}, []int64{success, unknown, ofBoth, throttled, ofB, ofA}},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := f.svc.Search(ctx, tc.who, tc.f, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Nodes); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if rows := f.exported(t, f.dpoB, Filter{Action: ptr("auth.*")}); len(rows) != 2 {
		t.Fatalf("B's export: %v", rows)
	}
}
