package organisation_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/organisation"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type bundle struct {
	pool  *pgxpool.Pool
	svc   *organisation.Service
	org   uuid.UUID
	admin actor.Actor
	root  actor.Actor // the instance operator, acting for no organisation
}

func setup(t *testing.T) bundle {
	t.Helper()
	pool := pgtest.New(t)
	org := testfixture.Org(t, pool)
	root := testfixture.User(t, pool, uuid.Nil)
	if _, err := pool.Exec(context.Background(), `UPDATE users SET superadmin = true WHERE id = $1`, root.UserID); err != nil {
		t.Fatal(err)
	}
	root.OrgID, root.Superadmin = uuid.Nil, true
	return bundle{
		pool:  pool,
		svc:   organisation.NewService(testfixture.Authorizer(t, pool)),
		org:   org,
		admin: testfixture.User(t, pool, org, actor.Admin),
		root:  root,
	}
}

func (b bundle) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM organisations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("error = %v, want INVALID on %s", err, field)
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("error = %v, want a message on field %s", err, field)
}

func ptr[T any](v T) *T { return &v }

func date(s string) *time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &d
}

func TestCreate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o, err := b.svc.Create(ctx, b.root, organisation.Input{
		Name: "  Fondation pour l'Enfance ", DeclaredOn: date("1977-05-12"), StatutoryObject: ptr("Protection de l'enfance"),
		PublicUtility: ptr(true), StandingArticles: []string{"CPP 2-3", "CPP 2-3", "CPP 2-22"},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if o.Name != "Fondation pour l'Enfance" || o.DeclaredOn == nil || !o.DeclaredOn.Equal(*date("1977-05-12")) ||
		o.StatutoryObject != "Protection de l'enfance" || !o.PublicUtility || o.JusticeApproved ||
		!slices.Equal(o.StandingArticles, []string{"CPP 2-3", "CPP 2-22"}) {
		t.Fatalf("organisation = %+v", o)
	}
	if n := testfixture.AuditCount(t, b.pool, "organisation.create", "allowed"); n != 1 {
		t.Fatalf("audit events = %d, want 1", n)
	}
	minimal, err := b.svc.Create(ctx, b.root, organisation.Input{Name: "Minimal"})
	if err != nil || minimal.StandingArticles == nil || len(minimal.StandingArticles) != 0 || minimal.DeclaredOn != nil {
		t.Fatalf("minimal = %+v, %v", minimal, err)
	}

	// The name is unique whatever its case.
	before := b.count(t)
	_, err = b.svc.Create(ctx, b.root, organisation.Input{Name: "FONDATION POUR L'ENFANCE"})
	wantField(t, err, "name")
	if b.count(t) != before {
		t.Fatal("organisation written after a duplicate name")
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tomorrow := time.Now().UTC().AddDate(0, 0, 2).Truncate(24 * time.Hour)
	tests := []struct {
		name  string
		in    organisation.Input
		field string
	}{
		{"no name", organisation.Input{Name: "  "}, "name"},
		{"name too long", organisation.Input{Name: strings.Repeat("é", 201)}, "name"},
		{"unknown article", organisation.Input{Name: "A", StandingArticles: []string{"CPP 2-1"}}, "standingArticles"},
		{"declared in the future", organisation.Input{Name: "A", DeclaredOn: &tomorrow}, "declaredOn"},
		{"statutory object too long", organisation.Input{Name: "A", StatutoryObject: ptr(strings.Repeat("x", 4001))}, "statutoryObject"},
	}
	before := b.count(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.Create(context.Background(), b.root, tt.in)
			wantField(t, err, tt.field)
		})
	}
	if b.count(t) != before {
		t.Fatal("organisation written after errors")
	}
}

func TestCreateAccess(t *testing.T) {
	t.Parallel()
	b := setup(t)
	before := b.count(t)
	for _, r := range actor.OrgRoles {
		_, err := b.svc.Create(context.Background(), testfixture.User(t, b.pool, b.org, r), organisation.Input{Name: "Nouvelle " + string(r)})
		wantCode(t, err, apperr.Forbidden)
	}
	_, err := b.svc.Create(context.Background(), actor.Actor{}, organisation.Input{Name: "Anonyme"})
	wantCode(t, err, apperr.Unauthenticated)
	if b.count(t) != before {
		t.Fatal("organisation written after refusals")
	}
	if n := testfixture.AuditCount(t, b.pool, "access.denied", "denied"); n != len(actor.OrgRoles) {
		t.Fatalf("denied events = %d, want %d", n, len(actor.OrgRoles))
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o, err := b.svc.Update(ctx, b.admin, b.org, organisation.Input{Name: "Association Renommée", JusticeApproved: ptr(true),
		DeclaredOn: date("2001-09-01")})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	// Omitted fields keep their value (the fixture has both articles).
	if o.Name != "Association Renommée" || !o.JusticeApproved || !slices.Equal(o.StandingArticles, []string{"CPP 2-3", "CPP 2-22"}) {
		t.Fatalf("updated = %+v", o)
	}
	o, err = b.svc.Update(ctx, b.admin, b.org, organisation.Input{Name: "Association Renommée", StandingArticles: []string{}})
	if err != nil || len(o.StandingArticles) != 0 || !o.JusticeApproved || o.DeclaredOn == nil {
		t.Fatalf("cleared articles = %+v, %v", o, err)
	}
	if n := testfixture.AuditCount(t, b.pool, "organisation.update", "allowed"); n != 2 {
		t.Fatalf("audit events = %d, want 2", n)
	}

	other := testfixture.Org(t, b.pool)
	var otherName string
	if err := b.pool.QueryRow(ctx, `SELECT name FROM organisations WHERE id = $1`, other).Scan(&otherName); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.Update(ctx, b.admin, b.org, organisation.Input{Name: strings.ToUpper(otherName)})
	wantField(t, err, "name")
	_, err = b.svc.Update(ctx, b.admin, b.org, organisation.Input{Name: ""})
	wantField(t, err, "name")

	tests := []struct {
		name string
		a    actor.Actor
		id   uuid.UUID
		code apperr.Code
	}{
		{"another organisation", b.admin, other, apperr.NotFound},
		{"unknown organisation", b.admin, uuid.New(), apperr.NotFound},
		{"legal staff of the organisation", testfixture.User(t, b.pool, b.org, actor.LegalStaff), b.org, apperr.Forbidden},
		{"instance operator", b.root, b.org, apperr.NotFound},
		{"anonymous", actor.Actor{}, b.org, apperr.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.Update(ctx, tt.a, tt.id, organisation.Input{Name: "Piratée"})
			wantCode(t, err, tt.code)
		})
	}
	got, err := b.svc.Get(ctx, b.admin, b.org)
	if err != nil || got.Name != "Association Renommée" {
		t.Fatalf("after refusals = %+v, %v", got, err)
	}
	if n := testfixture.AuditCount(t, b.pool, "organisation.update", "allowed"); n != 2 {
		t.Fatalf("audit events = %d after refusals, want 2", n)
	}
}

func TestVisibility(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	partner := testfixture.Org(t, b.pool)  // shares a dossier with b.org
	stranger := testfixture.Org(t, b.pool) // shares nothing
	d := testfixture.Dossier(t, b.pool, b.org)
	testfixture.Share(t, b.pool, d, partner)
	lawyer := testfixture.User(t, b.pool, b.org, actor.PartnerLawyer)
	assigned := testfixture.User(t, b.pool, b.org, actor.PartnerLawyer)
	testfixture.Assign(t, b.pool, d, assigned.UserID)

	all := []uuid.UUID{b.org, partner, stranger, uuid.New()}
	tests := []struct {
		name string
		a    actor.Actor
		want []uuid.UUID
	}{
		{"admin", b.admin, []uuid.UUID{b.org, partner}},
		{"legal staff", testfixture.User(t, b.pool, b.org, actor.LegalStaff), []uuid.UUID{b.org, partner}},
		{"advocacy", testfixture.User(t, b.pool, b.org, actor.Advocacy), []uuid.UUID{b.org, partner}},
		{"dpo: own only", testfixture.User(t, b.pool, b.org, actor.DPO), []uuid.UUID{b.org}},
		{"unassigned lawyer", lawyer, []uuid.UUID{b.org}},
		{"assigned lawyer", assigned, []uuid.UUID{b.org, partner}},
		{"partner organisation sees the owner", testfixture.User(t, b.pool, partner, actor.LegalStaff), []uuid.UUID{b.org, partner}},
		{"stranger", testfixture.User(t, b.pool, stranger, actor.LegalStaff), []uuid.UUID{stranger}},
		{"instance operator", b.root, []uuid.UUID{b.org, partner, stranger}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.svc.ByIDs(ctx, tt.a, all)
			if err != nil {
				t.Fatal(err)
			}
			var keys []uuid.UUID
			for _, id := range all {
				if o, ok := got[id]; ok {
					if o.ID != id {
						t.Fatalf("key %s holds %s", id, o.ID)
					}
					keys = append(keys, id)
				}
			}
			if !slices.Equal(keys, tt.want) || len(got) != len(tt.want) {
				t.Fatalf("visible = %v, want %v", keys, tt.want)
			}
			for _, id := range all {
				_, err := b.svc.Get(ctx, tt.a, id)
				if slices.Contains(tt.want, id) {
					if err != nil {
						t.Fatalf("get %s: %v", id, err)
					}
				} else {
					wantCode(t, err, apperr.NotFound)
				}
			}
		})
	}
	_, err := b.svc.ByIDs(ctx, actor.Actor{}, all)
	wantCode(t, err, apperr.Unauthenticated)
}

func TestList(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	partner := testfixture.Org(t, b.pool)
	testfixture.Share(t, b.pool, testfixture.Dossier(t, b.pool, b.org), partner)

	got, err := b.svc.List(ctx, b.admin)
	if err != nil || len(got) != 1 || got[0].ID != b.org {
		t.Fatalf("admin list = %+v, %v", got, err)
	}
	got, err = b.svc.List(ctx, b.root)
	if err != nil || len(got) != 2 {
		t.Fatalf("operator list = %+v, %v", got, err)
	}
	if strings.ToLower(got[0].Name) > strings.ToLower(got[1].Name) {
		t.Fatalf("not sorted by name: %q, %q", got[0].Name, got[1].Name)
	}
	_, err = b.svc.List(ctx, actor.Actor{})
	wantCode(t, err, apperr.Unauthenticated)
	// Reading organisations is not case data: nothing is audited.
	var n int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("audit events = %d, %v; want none", n, err)
	}
}
