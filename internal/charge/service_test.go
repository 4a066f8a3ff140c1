package charge_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/charge"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type fixture struct {
	pool      *pgxpool.Pool
	svc       *charge.Service
	org       uuid.UUID
	staff     actor.Actor
	dossier   uuid.UUID
	defendant uuid.UUID
}

func setup(t *testing.T) fixture {
	t.Helper()
	pool := pgtest.New(t)
	org := testfixture.Org(t, pool)
	f := fixture{
		pool:    pool,
		svc:     charge.NewService(testfixture.Authorizer(t, pool)),
		org:     org,
		staff:   testfixture.User(t, pool, org, actor.LegalStaff),
		dossier: testfixture.Dossier(t, pool, org),
	}
	f.defendant = insertDefendant(t, pool, f.dossier)
	return f
}

func insertDefendant(t *testing.T, pool *pgxpool.Pool, dossierID uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := pool.QueryRow(context.Background(), `INSERT INTO defendants (dossier_id, pseudonym, role)
		VALUES ($1, $2, 'client') RETURNING id`, dossierID, "D-"+uuid.NewString()[:8]).Scan(&id); err != nil {
		t.Fatalf("insert defendant: %v", err)
	}
	return id
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func str(s string) *string { return &s }

func count(t *testing.T, pool *pgxpool.Pool, query string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// wantErr checks the code of err and, for INVALID, that field is named.
func wantErr(t *testing.T, err error, code apperr.Code, field string) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got no error", code)
	}
	e, ok := apperr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("want %s, got %v", code, err)
	}
	if field != "" {
		for _, fe := range e.Fields {
			if fe.Field == field {
				return e
			}
		}
		t.Fatalf("want an error on field %q, got %v", field, err)
	}
	return e
}

func (f fixture) addInput() charge.AddInput {
	return charge.AddInput{
		DossierID:                f.dossier,
		DefendantID:              &f.defendant,
		Article:                  "227-23",
		ArticleVersionDate:       ptr(date("2021-04-21")),
		Wording:                  str("Consultation habituelle d'images pédopornographiques"),
		AggravatingCircumstances: []string{"moyen de communication électronique", "  ", "moyen de communication électronique"},
		Participation:            charge.Author,
		RetainedBy:               charge.Prosecutor,
		RetainedOn:               date("2025-02-01"),
	}
}

func ptr[T any](v T) *T { return &v }

func (f fixture) add(t *testing.T) charge.Charge {
	t.Helper()
	c, err := f.svc.Add(context.Background(), f.staff, f.addInput())
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	return c
}

func requalifyInput(article, on, reason string) charge.RequalifyInput {
	return charge.RequalifyInput{
		Article:       article,
		Participation: charge.Accomplice,
		RetainedBy:    charge.InvestigatingJudge,
		RetainedOn:    date(on),
		Reason:        reason,
	}
}

func TestPenalArticles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	arts, err := f.svc.PenalArticles(ctx, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 27 {
		t.Fatalf("want the 27 seeded articles, got %d", len(arts))
	}
	if arts[0].Article != "121-6" || arts[0].Heading == "" {
		t.Errorf("first article: %+v", arts[0])
	}
	// Numeric order: 222-29-3 before 222-30, 227-22-2 before 227-23.
	pos := map[string]int{}
	for i, a := range arts {
		pos[a.Article] = i
	}
	if pos["222-29-3"] > pos["222-30"] || pos["227-22-2"] > pos["227-23"] {
		t.Errorf("articles not in numeric order: %v", arts)
	}
	if n := testfixture.AuditCount(t, f.pool, "penal_article.list", "allowed"); n != 1 {
		t.Errorf("audit events: %d", n)
	}
	if _, err := f.svc.PenalArticles(ctx, testfixture.User(t, f.pool, f.org, actor.Advocacy)); err != nil {
		t.Errorf("advocacy reads the articles: %v", err)
	}
	_, err = f.svc.PenalArticles(ctx, testfixture.User(t, f.pool, f.org, actor.DPO))
	wantErr(t, err, apperr.Forbidden, "")
	_, err = f.svc.PenalArticles(ctx, actor.Actor{})
	wantErr(t, err, apperr.Unauthenticated, "")
}

func TestAdd(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c, err := f.svc.Add(ctx, f.staff, f.addInput())
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == uuid.Nil || c.DossierID != f.dossier || c.DefendantID == nil || *c.DefendantID != f.defendant {
		t.Errorf("ids: %+v", c)
	}
	if c.Article != "227-23" || !strings.HasPrefix(c.ArticleHeading, "Images pédopornographiques") {
		t.Errorf("article: %q %q", c.Article, c.ArticleHeading)
	}
	if !c.RetainedOn.Equal(date("2025-02-01")) || c.ArticleVersionDate == nil || !c.ArticleVersionDate.Equal(date("2021-04-21")) {
		t.Errorf("dates: %v %v", c.RetainedOn, c.ArticleVersionDate)
	}
	if len(c.AggravatingCircumstances) != 1 || c.Participation != charge.Author || c.RetainedBy != charge.Prosecutor {
		t.Errorf("fields: %+v", c)
	}
	if !c.Current() || c.ReplacesChargeID != nil || c.RequalificationReason != "" {
		t.Errorf("a new charge is current and replaces nothing: %+v", c)
	}
	if n := testfixture.AuditCount(t, f.pool, "charge.create", "allowed"); n != 1 {
		t.Errorf("audit events: %d", n)
	}

	// Without a defendant nor optional fields.
	in := f.addInput()
	in.DefendantID, in.ArticleVersionDate, in.Wording, in.AggravatingCircumstances = nil, nil, nil, nil
	c2, err := f.svc.Add(ctx, f.staff, in)
	if err != nil {
		t.Fatal(err)
	}
	if c2.DefendantID != nil || c2.ArticleVersionDate != nil || c2.Wording != "" || c2.AggravatingCircumstances == nil {
		t.Errorf("optional fields: %+v", c2)
	}
}

func TestAddErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	other := testfixture.Dossier(t, f.pool, f.org)
	otherDefendant := insertDefendant(t, f.pool, other)
	closed := testfixture.Dossier(t, f.pool, f.org)
	if _, err := f.pool.Exec(ctx, `UPDATE dossiers SET status = 'closed', closed_on = '2025-06-01' WHERE id = $1`, closed); err != nil {
		t.Fatal(err)
	}
	otherOrg := testfixture.Org(t, f.pool)
	foreign := testfixture.Dossier(t, f.pool, otherOrg)
	lawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
	assignedLawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
	testfixture.Assign(t, f.pool, f.dossier, assignedLawyer.UserID)

	tests := []struct {
		name  string
		who   actor.Actor
		edit  func(*charge.AddInput)
		code  apperr.Code
		field string
	}{
		{"empty article", f.staff, func(in *charge.AddInput) { in.Article = " " }, apperr.Invalid, "article"},
		{"unknown article", f.staff, func(in *charge.AddInput) { in.Article = "999-1" }, apperr.Invalid, "article"},
		{"participation", f.staff, func(in *charge.AddInput) { in.Participation = "witness" }, apperr.Invalid, "participation"},
		{"authority", f.staff, func(in *charge.AddInput) { in.RetainedBy = "police" }, apperr.Invalid, "retainedBy"},
		{"no date", f.staff, func(in *charge.AddInput) { in.RetainedOn = time.Time{} }, apperr.Invalid, "retainedOn"},
		{"long wording", f.staff, func(in *charge.AddInput) { in.Wording = str(strings.Repeat("x", 4001)) }, apperr.Invalid, "wording"},
		{"defendant of another dossier", f.staff, func(in *charge.AddInput) { in.DefendantID = &otherDefendant }, apperr.Invalid, "defendantId"},
		{"unknown defendant", f.staff, func(in *charge.AddInput) { in.DefendantID = ptr(uuid.New()) }, apperr.Invalid, "defendantId"},
		{"closed dossier", f.staff, func(in *charge.AddInput) { in.DossierID, in.DefendantID = closed, nil }, apperr.Invalid, "dossierId"},
		{"unknown dossier", f.staff, func(in *charge.AddInput) { in.DossierID = uuid.New() }, apperr.NotFound, ""},
		{"other organisation", f.staff, func(in *charge.AddInput) { in.DossierID, in.DefendantID = foreign, nil }, apperr.NotFound, ""},
		{"advocacy", testfixture.User(t, f.pool, f.org, actor.Advocacy), func(*charge.AddInput) {}, apperr.Forbidden, ""},
		{"admin", testfixture.User(t, f.pool, f.org, actor.Admin), func(*charge.AddInput) {}, apperr.Forbidden, ""},
		{"unassigned lawyer", lawyer, func(*charge.AddInput) {}, apperr.NotFound, ""},
		{"assigned lawyer", assignedLawyer, func(*charge.AddInput) {}, apperr.Forbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := f.addInput()
			tt.edit(&in)
			_, err := f.svc.Add(ctx, tt.who, in)
			e := wantErr(t, err, tt.code, tt.field)
			if tt.name == "unknown article" && !strings.Contains(e.Fields[0].Message, "unknown Code pénal article") {
				t.Errorf("message: %q", e.Fields[0].Message)
			}
		})
	}
	if n := count(t, f.pool, `SELECT count(*) FROM charges`); n != 0 {
		t.Errorf("%d charges written after errors", n)
	}
	if n := testfixture.AuditCount(t, f.pool, "charge.create", "allowed"); n != 0 {
		t.Errorf("%d create events after errors", n)
	}
	// The unknown dossier too: a missing id is refused like a hidden one.
	if n := testfixture.AuditCount(t, f.pool, "access.denied", "denied"); n != 6 {
		t.Errorf("want the 6 refusals audited, got %d", n)
	}
}

// rowText is the whole stored row, to prove it never changes.
func rowText(t *testing.T, pool *pgxpool.Pool, id uuid.UUID) string {
	t.Helper()
	var s string
	if err := pool.QueryRow(context.Background(), `SELECT c::text FROM charges c WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatalf("read row: %v", err)
	}
	return s
}

func TestRequalificationChain(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c1 := f.add(t)
	before1 := rowText(t, f.pool, c1.ID)

	c2, err := f.svc.Requalify(ctx, f.staff, c1.ID, requalifyInput("227-22-2", "2025-03-01", "  Incitation established by the investigation "))
	if err != nil {
		t.Fatal(err)
	}
	before2 := rowText(t, f.pool, c2.ID)
	in := requalifyInput("222-29-1", "2025-03-01", "Complicity in sexual assault")
	in.AggravatingCircumstances = []string{"sur mineur de quinze ans"}
	c3, err := f.svc.Requalify(ctx, f.staff, c2.ID, in)
	if err != nil {
		t.Fatal(err)
	}

	if c2.ReplacesChargeID == nil || *c2.ReplacesChargeID != c1.ID || c3.ReplacesChargeID == nil || *c3.ReplacesChargeID != c2.ID {
		t.Fatalf("links: %v %v", c2.ReplacesChargeID, c3.ReplacesChargeID)
	}
	if c3.DossierID != f.dossier || c3.DefendantID == nil || *c3.DefendantID != f.defendant {
		t.Errorf("requalification keeps dossier and defendant: %+v", c3)
	}
	if c2.RequalificationReason != "Incitation established by the investigation" || c3.Article != "222-29-1" ||
		c3.Participation != charge.Accomplice || c3.RetainedBy != charge.InvestigatingJudge {
		t.Errorf("new qualification: %+v", c3)
	}
	if rowText(t, f.pool, c1.ID) != before1 || rowText(t, f.pool, c2.ID) != before2 {
		t.Errorf("replaced rows changed:\n%s\n%s", before1, rowText(t, f.pool, c1.ID))
	}

	for _, from := range []uuid.UUID{c1.ID, c2.ID, c3.ID} {
		h, err := f.svc.History(ctx, f.staff, from)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 || h[0].ID != c1.ID || h[1].ID != c2.ID || h[2].ID != c3.ID {
			t.Fatalf("history from %v: %v", from, h)
		}
		if h[0].Current() || h[1].Current() || !h[2].Current() {
			t.Errorf("only the last is current: %v %v %v", h[0].ReplacedByChargeID, h[1].ReplacedByChargeID, h[2].ReplacedByChargeID)
		}
		if *h[0].ReplacedByChargeID != c2.ID || *h[1].ReplacedByChargeID != c3.ID {
			t.Errorf("replacedBy: %v %v", h[0].ReplacedByChargeID, h[1].ReplacedByChargeID)
		}
	}
	if n := testfixture.AuditCount(t, f.pool, "charge.history", "allowed"); n != 3 {
		t.Errorf("history audit events: %d", n)
	}
	if n := testfixture.AuditCount(t, f.pool, "charge.requalify", "allowed"); n != 2 {
		t.Errorf("requalify audit events: %d", n)
	}

	// A second, independent charge is not part of the chain.
	other := f.add(t)
	if h, err := f.svc.History(ctx, f.staff, other.ID); err != nil || len(h) != 1 || h[0].ID != other.ID {
		t.Errorf("history of a lone charge: %v %v", h, err)
	}

	cur, err := f.svc.ByDossier(ctx, f.staff, f.dossier, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != 2 || cur[0].ID != c3.ID && cur[1].ID != c3.ID {
		t.Errorf("current charges: %v", cur)
	}
	all, err := f.svc.ByDossier(ctx, f.staff, f.dossier, true)
	if err != nil || len(all) != 4 {
		t.Errorf("all charges: %v %v", len(all), err)
	}
	byDef, err := f.svc.ByDefendant(ctx, f.staff, f.defendant)
	if err != nil || len(byDef) != 2 {
		t.Errorf("current charges of the defendant: %v %v", byDef, err)
	}
	for _, c := range byDef {
		if !c.Current() {
			t.Errorf("ByDefendant returned a replaced charge %v", c.ID)
		}
	}

	if r, err := f.svc.Replaces(ctx, f.staff, c3.ID); err != nil || r == nil || r.ID != c2.ID {
		t.Errorf("replaces: %v %v", r, err)
	}
	if r, err := f.svc.Replaces(ctx, f.staff, c1.ID); err != nil || r != nil {
		t.Errorf("replaces of an original: %v %v", r, err)
	}
	if r, err := f.svc.ReplacedBy(ctx, f.staff, c1.ID); err != nil || r == nil || r.ID != c2.ID {
		t.Errorf("replacedBy: %v %v", r, err)
	}
	if r, err := f.svc.ReplacedBy(ctx, f.staff, c3.ID); err != nil || r != nil {
		t.Errorf("replacedBy of a current charge: %v %v", r, err)
	}
}

func TestRequalifyErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c1 := f.add(t)
	c2, err := f.svc.Requalify(ctx, f.staff, c1.ID, requalifyInput("227-22-2", "2025-03-01", "Investigation"))
	if err != nil {
		t.Fatal(err)
	}
	closedDossier := testfixture.Dossier(t, f.pool, f.org)
	in := f.addInput()
	in.DossierID, in.DefendantID = closedDossier, nil
	onClosed, err := f.svc.Add(ctx, f.staff, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE dossiers SET status = 'closed', closed_on = '2025-06-01' WHERE id = $1`, closedDossier); err != nil {
		t.Fatal(err)
	}
	otherOrg := testfixture.Org(t, f.pool)
	outsider := testfixture.User(t, f.pool, otherOrg, actor.LegalStaff)
	before := count(t, f.pool, `SELECT count(*) FROM charges`)
	ok := requalifyInput("222-29-1", "2025-04-01", "Trial court")

	tests := []struct {
		name  string
		who   actor.Actor
		id    uuid.UUID
		in    charge.RequalifyInput
		code  apperr.Code
		field string
	}{
		{"already requalified", f.staff, c1.ID, ok, apperr.Conflict, ""},
		{"no reason", f.staff, c2.ID, requalifyInput("222-29-1", "2025-04-01", "  "), apperr.Invalid, "reason"},
		{"before the replaced charge", f.staff, c2.ID, requalifyInput("222-29-1", "2025-02-28", "Trial"), apperr.Invalid, "retainedOn"},
		{"unknown article", f.staff, c2.ID, requalifyInput("227-99", "2025-04-01", "Trial"), apperr.Invalid, "article"},
		{"bad participation", f.staff, c2.ID, func() charge.RequalifyInput { i := ok; i.Participation = "x"; return i }(), apperr.Invalid, "participation"},
		{"closed dossier", f.staff, onClosed.ID, ok, apperr.Conflict, ""},
		{"unknown charge", f.staff, uuid.New(), ok, apperr.NotFound, ""},
		{"other organisation", outsider, c2.ID, ok, apperr.NotFound, ""},
		{"advocacy", testfixture.User(t, f.pool, f.org, actor.Advocacy), c2.ID, ok, apperr.Forbidden, ""},
		{"unassigned lawyer", testfixture.User(t, f.pool, f.org, actor.PartnerLawyer), c2.ID, ok, apperr.NotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Requalify(ctx, tt.who, tt.id, tt.in)
			e := wantErr(t, err, tt.code, tt.field)
			if tt.name == "already requalified" && e.Message != "this charge was already requalified" {
				t.Errorf("message: %q", e.Message)
			}
		})
	}
	if n := count(t, f.pool, `SELECT count(*) FROM charges`); n != before {
		t.Errorf("charges written after errors: %d, want %d", n, before)
	}
	if n := testfixture.AuditCount(t, f.pool, "charge.requalify", "allowed"); n != 1 {
		t.Errorf("requalify events: %d", n)
	}
}

// Two requalifications of one charge at once: exactly one wins, the other
// is a CONFLICT (the UNIQUE replaces_charge_id settles the race).
func TestRequalifyRace(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c := f.add(t)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = f.svc.Requalify(ctx, f.staff, c.ID, requalifyInput("227-22", "2025-03-01", "race"))
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantErr(t, err, apperr.Conflict, "")
	}
	if won != 1 {
		t.Errorf("%d requalifications succeeded", won)
	}
	if k := count(t, f.pool, `SELECT count(*) FROM charges WHERE replaces_charge_id = $1`, c.ID); k != 1 {
		t.Errorf("%d replacements stored", k)
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c := f.add(t)
	otherOrg := testfixture.Org(t, f.pool)
	outsider := testfixture.User(t, f.pool, otherOrg, actor.LegalStaff)
	lawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
	partner := testfixture.Org(t, f.pool)
	coParty := testfixture.User(t, f.pool, partner, actor.LegalStaff)
	testfixture.Share(t, f.pool, f.dossier, partner)

	got, err := f.svc.Get(ctx, f.staff, c.ID)
	if err != nil || got.ID != c.ID || got.ArticleHeading == "" {
		t.Fatalf("get: %+v %v", got, err)
	}
	if n := testfixture.AuditCount(t, f.pool, "charge.read", "allowed"); n != 1 {
		t.Errorf("read events: %d", n)
	}
	for _, who := range []actor.Actor{testfixture.User(t, f.pool, f.org, actor.Advocacy), coParty} {
		if _, err := f.svc.Get(ctx, who, c.ID); err != nil {
			t.Errorf("%v reads: %v", who.Roles, err)
		}
	}

	_, err = f.svc.Get(ctx, f.staff, uuid.New())
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Get(ctx, outsider, c.ID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Get(ctx, lawyer, c.ID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Get(ctx, testfixture.User(t, f.pool, f.org, actor.DPO), c.ID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Get(ctx, testfixture.User(t, f.pool, f.org, actor.Admin), c.ID)
	wantErr(t, err, apperr.Forbidden, "")
	testfixture.Assign(t, f.pool, f.dossier, lawyer.UserID)
	if _, err := f.svc.Get(ctx, lawyer, c.ID); err != nil {
		t.Errorf("assigned lawyer reads: %v", err)
	}

	_, err = f.svc.History(ctx, outsider, c.ID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.History(ctx, f.staff, uuid.New())
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Replaces(ctx, outsider, c.ID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.ReplacedBy(ctx, f.staff, uuid.New())
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.ByDossier(ctx, outsider, f.dossier, true)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.ByDossier(ctx, f.staff, uuid.New(), false)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.ByDefendant(ctx, outsider, f.defendant)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.ByDefendant(ctx, f.staff, uuid.New())
	wantErr(t, err, apperr.NotFound, "")

	empty, err := f.svc.ByDossier(ctx, f.staff, testfixture.Dossier(t, f.pool, f.org), false)
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("empty dossier: %v %v", empty, err)
	}
	if n := testfixture.AuditCount(t, f.pool, "charge.list", "allowed"); n != 1 {
		t.Errorf("list events: %d", n)
	}
}
