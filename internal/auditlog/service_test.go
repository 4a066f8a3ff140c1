package auditlog

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/page"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// base is long before the tests run, so the events they insert never mix
// with the audit events the service writes (at now()).
var base = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

type fixture struct {
	pool                                      *pgxpool.Pool
	svc                                       *Service
	orgA, orgB                                uuid.UUID
	dpoA, dpoB, staffA, staffB                actor.Actor
	adminA, advocacyA, lawyerA, super, anonym actor.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := pgtest.New(t)
	f := &fixture{pool: pool, svc: NewService(testfixture.Authorizer(t, pool))}
	f.orgA, f.orgB = testfixture.Org(t, pool), testfixture.Org(t, pool)
	f.dpoA = testfixture.User(t, pool, f.orgA, actor.DPO)
	f.dpoB = testfixture.User(t, pool, f.orgB, actor.DPO)
	f.staffA = testfixture.User(t, pool, f.orgA, actor.LegalStaff)
	f.staffB = testfixture.User(t, pool, f.orgB, actor.LegalStaff)
	f.adminA = testfixture.User(t, pool, f.orgA, actor.Admin)
	f.advocacyA = testfixture.User(t, pool, f.orgA, actor.Advocacy)
	f.lawyerA = testfixture.User(t, pool, f.orgA, actor.PartnerLawyer)
	f.super = testfixture.User(t, pool, uuid.Nil)
	f.super.OrgID, f.super.Superadmin = uuid.Nil, true
	f.exec(t, `UPDATE users SET superadmin = true WHERE id = $1`, f.super.UserID)
	f.setName(t, f.staffA, "Jeanne Martin")
	f.setName(t, f.staffB, "Paul Durand")
	f.anonym = actor.Actor{RequestID: "anon"}
	return f
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) setName(t *testing.T, a actor.Actor, name string) {
	t.Helper()
	f.exec(t, `UPDATE users SET display_name = $2 WHERE id = $1`, a.UserID, name)
}

// ev is an event inserted directly (the test pool may insert anything).
type ev struct {
	at      time.Time
	by      actor.Actor // zero: the system
	org     uuid.UUID   // uuid.Nil: the actor's organisation, or none
	action  string
	rtype   string
	ids     []uuid.UUID
	dossier uuid.UUID
	reason  string
	denied  bool
	ua      string
	reqID   string
}

func nullID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

func (f *fixture) insert(t *testing.T, e ev) int64 {
	t.Helper()
	org := e.org
	if org == uuid.Nil {
		org = e.by.OrgID
	}
	if e.rtype == "" {
		e.rtype = "victim"
	}
	if e.ids == nil {
		e.ids = []uuid.UUID{}
	}
	outcome := "allowed"
	if e.denied {
		outcome = "denied"
	}
	roles := []string{}
	for _, r := range e.by.Roles {
		roles = append(roles, string(r))
	}
	var id int64
	err := f.pool.QueryRow(context.Background(), `
		INSERT INTO audit_events (occurred_at, actor_user_id, organisation_id, request_id, source_ip, user_agent,
			action, resource_type, resource_ids, dossier_id, reason, outcome, permission, roles)
		VALUES ($1, $2, $3, $4, '192.0.2.7', $5, $6, $7, $8, $9, $10, $11, 'case:read', $12) RETURNING id`,
		e.at, nullID(e.by.UserID), nullID(org), e.reqID, e.ua, e.action, e.rtype, e.ids, nullID(e.dossier),
		e.reason, outcome, roles).Scan(&id)
	if err != nil {
		t.Fatalf("insert event: %v", err)
	}
	return id
}

func ids(p []Event) []int64 {
	out := []int64{}
	for _, e := range p {
		if !strings.HasPrefix(e.Action, "audit.") {
			out = append(out, e.ID)
		}
	}
	return out
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSearchFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v1, v2, d1, d2 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	e1 := f.insert(t, ev{at: h(1), by: f.staffA, action: "victim.read", ids: []uuid.UUID{v1}, dossier: d1})
	e2 := f.insert(t, ev{at: h(2), by: f.staffA, action: "victim.identity.reveal", ids: []uuid.UUID{v1}, dossier: d1, reason: "audience"})
	e3 := f.insert(t, ev{at: h(3), by: f.adminA, action: "dossier.read", rtype: "dossier", ids: []uuid.UUID{d1}, dossier: d1})
	e4 := f.insert(t, ev{at: h(4), by: f.lawyerA, action: "access.denied", ids: []uuid.UUID{v2}, dossier: d2, denied: true})
	e5 := f.insert(t, ev{at: h(5), by: f.staffA, action: "victim.list", ids: []uuid.UUID{v2, v1}})
	e6 := f.insert(t, ev{at: h(6), by: f.staffA, action: "a_b.x"})
	e7 := f.insert(t, ev{at: h(7), by: f.staffA, action: "azb.x"})
	e8 := f.insert(t, ev{at: h(1), by: f.staffB, action: "victim.read", ids: []uuid.UUID{v1}, dossier: d1})
	e9 := f.insert(t, ev{at: h(1), action: "auth.login", rtype: "session", denied: true})
	e10 := f.insert(t, ev{at: h(2), by: f.super, action: "organisation.create", rtype: "organisation"})

	denied := audit.Denied
	for name, tc := range map[string]struct {
		who  actor.Actor
		f    Filter
		want []int64
	}{
		"no filter":            {f.dpoA, Filter{}, []int64{e7, e6, e5, e4, e3, e2, e1}},
		"actor":                {f.dpoA, Filter{ActorID: &f.staffA.UserID}, []int64{e7, e6, e5, e2, e1}},
		"resource":             {f.dpoA, Filter{ResourceID: &v1}, []int64{e5, e2, e1}},
		"dossier":              {f.dpoA, Filter{DossierID: &d1}, []int64{e3, e2, e1}},
		"exact action":         {f.dpoA, Filter{Action: ptr("victim.identity.reveal")}, []int64{e2}},
		"action prefix":        {f.dpoA, Filter{Action: ptr("victim.*")}, []int64{e5, e2, e1}},
		"prefix escapes LIKE":  {f.dpoA, Filter{Action: ptr("a_b*")}, []int64{e6}},
		"star inside is exact": {f.dpoA, Filter{Action: ptr("victim.*.read")}, []int64{}},
		"outcome":              {f.dpoA, Filter{Outcome: &denied}, []int64{e4}},
		"from inclusive, to exclusive": {f.dpoA, Filter{From: ptr(h(2)), To: ptr(h(4))},
			[]int64{e3, e2}},
		"resource between dates": {f.dpoA, Filter{ResourceID: &v1, From: ptr(h(2)), To: ptr(h(6))}, []int64{e5, e2}},
		"all conditions":         {f.dpoA, Filter{ResourceID: &v1, ActorID: &f.staffA.UserID, DossierID: &d1, Action: ptr("victim.*")}, []int64{e2, e1}},
		// Isolation: a DPO sees their organisation's events only, the
		// operator only the instance-level ones.
		"other organisation's DPO":        {f.dpoB, Filter{}, []int64{e8}},
		"other organisation's resource":   {f.dpoB, Filter{ResourceID: &v2}, []int64{}},
		"other organisation's actor":      {f.dpoA, Filter{ActorID: &f.staffB.UserID}, []int64{}},
		"superadmin: instance-level only": {f.super, Filter{}, []int64{e10, e9}},
		"superadmin filtering on an org":  {f.super, Filter{ResourceID: &v1}, []int64{}},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := f.svc.Search(context.Background(), tc.who, tc.f, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Nodes); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}

	// What a node carries.
	p, err := f.svc.Search(context.Background(), f.dpoA, Filter{Action: ptr("victim.identity.reveal")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := p.Nodes[0]
	if n.ActorName == nil || *n.ActorName != "Jeanne Martin" || *n.ActorID != f.staffA.UserID ||
		!slices.Equal(n.ActorRoles, []string{"legal_staff"}) || *n.OrganisationID != f.orgA || n.Reason != "audience" ||
		n.Outcome != audit.Allowed || n.Permission != "case:read" || n.SourceIP == nil || *n.SourceIP != "192.0.2.7" ||
		n.DossierID == nil || *n.DossierID != d1 || !slices.Equal(n.ResourceIDs, []uuid.UUID{v1}) || n.Sealed ||
		!n.OccurredAt.Equal(h(2)) || n.ResourceType != "victim" || p.Info.HasNextPage {
		t.Fatalf("node %+v", n)
	}
	p, err = f.svc.Search(context.Background(), f.super, Filter{Action: ptr("auth.login")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Nodes[0]; n.ActorID != nil || n.ActorName != nil || n.OrganisationID != nil || n.Outcome != audit.Denied {
		t.Fatalf("system node %+v", n)
	}
}

func TestSearchPaginationWalksWithoutOverlap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var all []int64
	for i := range 23 {
		// Groups of three share an instant: the id breaks the tie.
		all = append(all, f.insert(t, ev{at: base.Add(time.Duration(i/3) * time.Minute), by: f.staffA, action: "page.read"}))
	}
	slices.Reverse(all)
	var got []int64
	var after *string
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		p, err := f.svc.Search(context.Background(), f.dpoA, Filter{Action: ptr("page.*")}, ptr(5), after)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(p.Nodes)...)
		if !p.Info.HasNextPage {
			if len(p.Nodes) != 3 {
				t.Fatalf("last page has %d nodes", len(p.Nodes))
			}
			break
		}
		if len(p.Nodes) != 5 || p.Info.EndCursor == nil {
			t.Fatalf("page %d: %d nodes, cursor %v", pages, len(p.Nodes), p.Info.EndCursor)
		}
		after = p.Info.EndCursor
	}
	if !slices.Equal(got, all) {
		t.Fatalf("walk %v, want %v", got, all)
	}
}

func TestRolesWithoutAuditReadAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	v := f.victim(t, f.orgA)
	for _, a := range []actor.Actor{f.staffA, f.adminA, f.advocacyA, f.lawyerA} {
		before := testfixture.AuditCount(t, f.pool, "access.denied", "denied")
		_, err := f.svc.Search(ctx, a, Filter{}, nil, nil)
		wantCode(t, err, apperr.Forbidden)
		var buf bytes.Buffer
		_, err = f.svc.Export(ctx, a, Filter{}, &buf)
		wantCode(t, err, apperr.Forbidden)
		if buf.Len() != 0 {
			t.Fatalf("%v: a refused export wrote %q", a.Roles, buf.String())
		}
		_, err = f.svc.VictimReport(ctx, a, v.id, nil, nil)
		wantCode(t, err, apperr.Forbidden)
		if n := testfixture.AuditCount(t, f.pool, "access.denied", "denied"); n != before+3 {
			t.Fatalf("%v: %d refusals audited, want 3", a.Roles, n-before)
		}
	}
	_, err := f.svc.Search(ctx, f.anonym, Filter{}, nil, nil)
	wantCode(t, err, apperr.Unauthenticated)
	_, err = f.svc.Export(ctx, f.anonym, Filter{}, io.Discard)
	wantCode(t, err, apperr.Unauthenticated)
	_, err = f.svc.VictimReport(ctx, f.anonym, v.id, nil, nil)
	wantCode(t, err, apperr.Unauthenticated)
	for _, action := range []string{"audit.search", "audit.export", "audit.victim_report"} {
		if n := testfixture.AuditCount(t, f.pool, action, "allowed"); n != 0 {
			t.Fatalf("%d %s events after refusals", n, action)
		}
	}
}

func TestInvalidInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	bad := audit.Outcome("maybe")
	for name, tc := range map[string]struct {
		filter Filter
		first  *int
		after  *string
		field  string
	}{
		"page too small":   {first: ptr(0), field: "first"},
		"page too large":   {first: ptr(201), field: "first"},
		"garbage cursor":   {after: ptr("nope"), field: "after"},
		"uuid cursor":      {after: ptr(page.Cursor{Key: "2025-01-01T00:00:00Z", ID: uuid.New()}.Encode()), field: "after"},
		"unknown outcome":  {filter: Filter{Outcome: &bad}, field: "filter.outcome"},
		"to before from":   {filter: Filter{From: ptr(base), To: ptr(base.Add(-time.Second))}, field: "filter.to"},
		"to equal to from": {filter: Filter{From: ptr(base), To: ptr(base)}, field: "filter.to"},
		"long action":      {filter: Filter{Action: ptr(strings.Repeat("a", 201))}, field: "filter.action"},
	} {
		_, err := f.svc.Search(ctx, f.dpoA, tc.filter, tc.first, tc.after)
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
			t.Errorf("%s: want INVALID on %s, got %v", name, tc.field, err)
		}
	}
	_, err := f.svc.Export(ctx, f.dpoA, Filter{Outcome: &bad}, io.Discard)
	wantCode(t, err, apperr.Invalid)
	_, err = f.svc.VictimReport(ctx, f.dpoA, uuid.New(), ptr(base), ptr(base))
	if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || e.Fields[0].Field != "to" {
		t.Fatalf("report with to = from: %v", err)
	}
	if n := testfixture.AuditCount(t, f.pool, "audit.search", "allowed"); n != 0 {
		t.Fatalf("invalid searches audited as reads: %d", n)
	}
}

func TestReadingTheLogIsAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	v, d := uuid.New(), uuid.New()
	if _, err := f.svc.Search(ctx, f.dpoA, Filter{ResourceID: &v, ActorID: &f.staffA.UserID, DossierID: &d}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Export(ctx, f.dpoA, Filter{ResourceID: &v}, io.Discard); err != nil {
		t.Fatal(err)
	}
	// "Who searched the log about victim v" is a search like any other.
	p, err := f.svc.Search(ctx, f.dpoA, Filter{ResourceID: &v, Action: ptr("audit.*")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Nodes) != 2 {
		t.Fatalf("%d audit reads about the victim, want 2 (search, export)", len(p.Nodes))
	}
	exp, search := p.Nodes[0], p.Nodes[1]
	if search.Action != "audit.search" || search.ResourceType != "audit" || *search.ActorID != f.dpoA.UserID ||
		!slices.Equal(search.ResourceIDs, []uuid.UUID{v, f.staffA.UserID}) || *search.DossierID != d ||
		search.Permission != "audit:read" || *search.OrganisationID != f.orgA || !slices.Equal(search.ActorRoles, []string{"dpo"}) {
		t.Fatalf("search event %+v", search)
	}
	if exp.Action != "audit.export" || !slices.Equal(exp.ResourceIDs, []uuid.UUID{v}) || exp.DossierID != nil {
		t.Fatalf("export event %+v", exp)
	}
	if n := testfixture.AuditCount(t, f.pool, "audit.search", "allowed"); n != 2 {
		t.Fatalf("%d searches audited, want 2", n)
	}
}

func TestSealedFlag(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sealed := f.insert(t, ev{at: base, by: f.staffA, action: "victim.read"})
	f.insert(t, ev{at: base.Add(time.Second), by: f.staffA, action: "victim.read"})
	f.exec(t, `DELETE FROM audit_pending WHERE event_id = $1`, sealed)
	f.exec(t, `INSERT INTO audit_seals (seq, event_id, hash) VALUES (1, $1, $2)`, sealed, bytes.Repeat([]byte{1}, 32))
	p, err := f.svc.Search(context.Background(), f.dpoA, Filter{Action: ptr("victim.read")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Nodes) != 2 || p.Nodes[0].Sealed || !p.Nodes[1].Sealed || p.Nodes[1].ID != sealed {
		t.Fatalf("sealed flags: %+v", p.Nodes)
	}
}

// readCSV checks the byte-order mark and parses an export.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 byte-order mark: %q", b[:min(len(b), 20)])
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.Comma = CSVSeparator
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse export: %v", err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], CSVHeader()) {
		t.Fatalf("header %v", recs)
	}
	return recs
}

func TestExportNeutralisesFormulasAndRoundTrips(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.setName(t, f.staffA, "@SUM(1+1)")
	v, d := uuid.New(), uuid.New()
	cases := []struct{ reason, want string }{
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\tindent", "'\tindent"},
		{"\r=1", "'\r=1"},
		{`a "quoted"; semi;colon, comma`, `a "quoted"; semi;colon, comma`},
		{"multi\nline", "multi\nline"},
		{"audience du 3 mars", "audience du 3 mars"},
		{"é à ç œ 🙂", "é à ç œ 🙂"},
	}
	for i, c := range cases {
		f.insert(t, ev{at: base.Add(time.Duration(i) * time.Minute), by: f.staffA, action: "victim.identity.reveal",
			ids: []uuid.UUID{v, d}, dossier: d, reason: c.reason, ua: "=HYPERLINK(\"http://x\")", reqID: "-req"})
	}
	summer := f.insert(t, ev{at: time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC), action: "auth.login", rtype: "session",
		org: f.orgA, denied: true})

	var buf bytes.Buffer
	res, err := f.svc.Export(ctx, f.dpoA, Filter{To: ptr(base.AddDate(1, 0, 0))}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != len(cases)+1 || res.Truncated {
		t.Fatalf("result %+v", res)
	}
	recs := readCSV(t, buf.Bytes())
	if len(recs) != len(cases)+2 {
		t.Fatalf("%d records", len(recs))
	}
	// Newest first: the summer event, then the cases in reverse.
	sys := recs[1]
	if sys[0] != "2025-07-01T14:00:00+02:00" || sys[1] != "système" || sys[3] != "auth.login" || sys[8] != "refusé" {
		t.Fatalf("system row %q (event %d)", sys, summer)
	}
	for i, c := range cases {
		rec := recs[len(recs)-1-i]
		want := []string{
			base.Add(time.Duration(i) * time.Minute).In(f.svc.paris).Format(time.RFC3339),
			"'@SUM(1+1) (" + f.staffA.UserID.String() + ")",
			"legal_staff", "victim.identity.reveal", "victim", v.String() + " " + d.String(), d.String(),
			c.want, "autorisé", "case:read", "192.0.2.7", "'=HYPERLINK(\"http://x\")", "'-req",
		}
		if !slices.Equal(rec, want) {
			t.Errorf("case %q:\n got %q\nwant %q", c.reason, rec, want)
		}
	}
	if !strings.HasPrefix(recs[len(recs)-1][0], "2025-03-10T13:00:00+01:00") {
		t.Fatalf("winter time in Paris: %q", recs[len(recs)-1][0])
	}
	// No cell of the export starts with a formula character.
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Fatalf("cell %q starts with a formula character", cell)
			}
		}
	}
}

func TestNeutraliseCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "", "=1+1": "'=1+1", "+33 6": "'+33 6", "-2": "'-2", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"a=1": "a=1", " =1": " =1", "'=1": "'=1", "2025-03-10": "2025-03-10",
	} {
		if got := NeutraliseCell(in); got != want {
			t.Errorf("NeutraliseCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExportIsCapped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.svc.maxRows, f.svc.batch = 10, 4
	for i := range 15 {
		f.insert(t, ev{at: base.Add(time.Duration(i) * time.Second), by: f.staffA, action: "victim.read"})
	}
	var buf bytes.Buffer
	res, err := f.svc.Export(context.Background(), f.dpoA, Filter{Action: ptr("victim.read")}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	if res.Rows != 10 || !res.Truncated || len(recs) != 12 || !strings.Contains(recs[11][0], "limité") {
		t.Fatalf("result %+v, %d records, last %q", res, len(recs), recs[len(recs)-1])
	}
	// Exactly the cap: not truncated.
	f.svc.maxRows = 15
	buf.Reset()
	if res, err = f.svc.Export(context.Background(), f.dpoA, Filter{Action: ptr("victim.read")}, &buf); err != nil {
		t.Fatal(err)
	}
	if recs := readCSV(t, buf.Bytes()); res.Rows != 15 || res.Truncated || len(recs) != 16 {
		t.Fatalf("at the cap: %+v, %d records", res, len(recs))
	}
}

// heapProbe counts what an export writes and samples the live heap (after
// a collection) as it goes.
type heapProbe struct {
	n, next int
	peak    uint64
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func (h *heapProbe) Write(p []byte) (int, error) {
	h.n += len(p)
	if h.n >= h.next {
		h.next = h.n + 1<<20
		h.peak = max(h.peak, liveHeap())
	}
	return len(p), nil
}

// Not parallel: it measures the process's heap.
func TestLargeExportStreamsInBoundedMemory(t *testing.T) {
	f := newFixture(t)
	const events = 20000
	// Fat rows (about 1 KiB each, 20 MiB in all), so that holding the
	// result would show.
	f.exec(t, `INSERT INTO audit_events (occurred_at, actor_user_id, organisation_id, action, resource_type,
			resource_ids, reason, outcome, user_agent, roles)
		SELECT $1::timestamptz + i * interval '1 second', $2, $3, 'victim.read', 'victim',
			ARRAY[gen_random_uuid(), gen_random_uuid()], repeat('motif ', 80), 'allowed', repeat('Mozilla ', 50), '{legal_staff}'
		FROM generate_series(1, $4) i`, base, f.staffA.UserID, f.orgA, events)
	before := liveHeap()
	probe := &heapProbe{}
	res, err := f.svc.Export(context.Background(), f.dpoA, Filter{Action: ptr("victim.read")}, probe)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != events || probe.n < 20<<20 {
		t.Fatalf("exported %d rows, %d bytes", res.Rows, probe.n)
	}
	growth := int64(probe.peak) - int64(before)
	t.Logf("%d bytes exported; live heap %d KiB before, peak growth %d KiB", probe.n, before>>10, growth>>10)
	if growth > 4<<20 {
		t.Fatalf("live heap grew by %d KiB while exporting: the export is not streamed", growth>>10)
	}
}

type victim struct{ id, dossier, consent uuid.UUID }

// victim inserts a victim with one consent in a new dossier of org.
func (f *fixture) victim(t *testing.T, org uuid.UUID) victim {
	t.Helper()
	ctx := context.Background()
	v := victim{dossier: testfixture.Dossier(t, f.pool, org)}
	if err := f.pool.QueryRow(ctx, `INSERT INTO victims (dossier_id, pseudonym) VALUES ($1, 'Victime A') RETURNING id`,
		v.dossier).Scan(&v.id); err != nil {
		t.Fatal(err)
	}
	if err := f.pool.QueryRow(ctx, `INSERT INTO consents (victim_id, given_by, given_on) VALUES ($1, 'victim', '2025-01-02')
		RETURNING id`, v.id).Scan(&v.consent); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVictimReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	v := f.victim(t, f.orgA)
	other := f.victim(t, f.orgA)
	var ref string
	if err := f.pool.QueryRow(ctx, `SELECT reference FROM dossiers WHERE id = $1`, v.dossier).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	f.insert(t, ev{at: h(1), by: f.staffA, action: "victim.create", ids: []uuid.UUID{v.id}, dossier: v.dossier})
	f.insert(t, ev{at: h(2), by: f.staffA, action: "victim.read", ids: []uuid.UUID{v.id}, dossier: v.dossier})
	f.insert(t, ev{at: h(3), by: f.staffA, action: "victim.list", ids: []uuid.UUID{other.id, v.id}})
	f.insert(t, ev{at: h(4), by: f.staffA, action: "victim.identity.reveal", ids: []uuid.UUID{v.id}, dossier: v.dossier,
		reason: "préparation de l'audience"})
	f.insert(t, ev{at: h(5), by: f.staffA, action: "victim.identity.write", ids: []uuid.UUID{v.id}, dossier: v.dossier})
	f.insert(t, ev{at: h(6), by: f.staffA, action: "victim.update", ids: []uuid.UUID{v.id}, dossier: v.dossier})
	f.insert(t, ev{at: h(7), by: f.staffA, action: "consent.list", rtype: "consent", ids: []uuid.UUID{v.consent}})
	f.insert(t, ev{at: h(8), by: f.lawyerA, action: "access.denied", ids: []uuid.UUID{v.id}, dossier: v.dossier, denied: true})
	// A co-civil party's lawyer reading the victim of a shared dossier.
	f.insert(t, ev{at: h(9), by: f.staffB, action: "victim.read", ids: []uuid.UUID{v.id}, dossier: v.dossier})
	f.insert(t, ev{at: h(10), action: "victim.erase", ids: []uuid.UUID{v.id}, dossier: v.dossier})
	// Not about v: another victim, the dossier itself.
	f.insert(t, ev{at: h(2), by: f.staffA, action: "victim.read", ids: []uuid.UUID{other.id}, dossier: v.dossier})
	f.insert(t, ev{at: h(2), by: f.staffA, action: "dossier.read", rtype: "dossier", ids: []uuid.UUID{v.dossier}, dossier: v.dossier})

	r, err := f.svc.VictimReport(ctx, f.dpoA, v.id, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pseudonym != "Victime A" || r.DossierReference != ref || r.GeneratedAt.IsZero() || r.VictimID != v.id {
		t.Fatalf("report %+v", r)
	}
	type line struct{ who, what, reason string }
	want := []line{
		{"Jeanne Martin", "a créé la fiche", ""},
		{"Jeanne Martin", "a consulté la fiche (pseudonymisée)", ""},
		{"Jeanne Martin", "a vu la victime dans une liste", ""},
		{"Jeanne Martin", "a consulté l'identité", "préparation de l'audience"},
		{"Jeanne Martin", "a modifié l'identité", ""},
		{"Jeanne Martin", "a modifié la fiche", ""},
		{"Jeanne Martin", "a consulté les consentements", ""},
		{"Test", "tentative refusée", ""},
		{"Paul Durand", "a consulté la fiche (pseudonymisée)", ""},
		{"système", "victim.erase", ""},
	}
	var got []line
	for _, e := range r.Entries {
		got = append(got, line{e.Who, e.What, e.Reason})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("entries:\n got %v\nwant %v", got, want)
	}
	if e := r.Entries[7]; e.Outcome != audit.Denied || !slices.Equal(e.Roles, []string{"partner_lawyer"}) || !e.OccurredAt.Equal(h(8)) {
		t.Fatalf("refusal entry %+v", e)
	}
	if e := r.Entries[0]; e.Outcome != audit.Allowed || !slices.Equal(e.Roles, []string{"legal_staff"}) || e.Action != "victim.create" {
		t.Fatalf("first entry %+v", e)
	}

	// Between two dates: from inclusive, to exclusive.
	r, err = f.svc.VictimReport(ctx, f.dpoA, v.id, ptr(h(4)), ptr(h(6)))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != 2 || r.Entries[0].What != "a consulté l'identité" || r.Entries[1].What != "a modifié l'identité" {
		t.Fatalf("dated report %+v", r.Entries)
	}

	// The report is audited with the victim as its resource, and shows in
	// the next report.
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'audit.victim_report'
		AND resource_ids = ARRAY[$1::uuid] AND dossier_id = $2 AND actor_user_id = $3 AND permission = 'audit:read'`,
		v.id, v.dossier, f.dpoA.UserID).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d report events (%v)", n, err)
	}
	r, err = f.svc.VictimReport(ctx, f.dpoA, v.id, ptr(h(11)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != 2 || r.Entries[0].What != "a établi un rapport des accès" {
		t.Fatalf("reports in the report: %+v", r.Entries)
	}
}

func TestVictimReportRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	v := f.victim(t, f.orgA)
	for name, a := range map[string]actor.Actor{"another organisation's DPO": f.dpoB, "the operator": f.super} {
		before := testfixture.AuditCount(t, f.pool, "access.denied", "denied")
		_, err := f.svc.VictimReport(ctx, a, v.id, nil, nil)
		if apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("%s: want NOT_FOUND, got %v", name, err)
		}
		if n := testfixture.AuditCount(t, f.pool, "access.denied", "denied"); n != before+1 {
			t.Fatalf("%s: refusal not audited", name)
		}
	}
	_, err := f.svc.VictimReport(ctx, f.dpoA, uuid.New(), nil, nil)
	wantCode(t, err, apperr.NotFound)
	if n := testfixture.AuditCount(t, f.pool, "audit.victim_report", "allowed"); n != 0 {
		t.Fatalf("%d reports audited after refusals", n)
	}
}

// explain returns the plan PostgreSQL chooses for q.
func explain(t *testing.T, pool *pgxpool.Pool, q string, args pgx.NamedArgs) string {
	t.Helper()
	rows, err := pool.Query(context.Background(), "EXPLAIN "+q, args)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	return strings.Join(lines, "\n")
}

// The two questions a DPO asks most — who accessed victim V between two
// dates, what did user U open last week — are each one indexed query.
func TestSearchesUseTheIndexes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	orgs := []uuid.UUID{f.orgA, f.orgB, testfixture.Org(t, f.pool), testfixture.Org(t, f.pool)}
	users := make([]uuid.UUID, 40) // users[o+4*j] belongs to orgs[o]
	for i := range users {
		users[i] = testfixture.User(t, f.pool, orgs[i%len(orgs)], actor.LegalStaff).UserID
	}
	victims := make([]uuid.UUID, 2000)
	for i := range victims {
		victims[i] = uuid.New()
	}
	target := uuid.New() // named by a few events of organisation B in the week, 1 of A
	wantTarget := 0
	week := Filter{From: ptr(base.Add(48 * time.Hour)), To: ptr(base.Add(48*time.Hour + 7*24*time.Hour))}
	// A skewed instance: organisation B (the DPO's) has one event in 25, one
	// in 100 is instance-level, three large organisations share the rest.
	// One event every ten minutes: ten weeks.
	// Some events are about a dossier of B by another organisation's actor
	// (a co-civil party), some are failed sign-ins naming a member of any
	// organisation: B's DPO reads those of B's dossiers and B's members.
	dossierB := testfixture.Dossier(t, f.pool, f.orgB)
	batch := &pgx.Batch{}
	for i := range 10000 {
		at := base.Add(time.Duration(i) * 10 * time.Minute)
		var org, user any
		action, outcome, dossier := []string{"victim.read", "victim.list", "dossier.read", "hearing.list"}[i%4], "allowed", uuid.New()
		switch o := []int{0, 2, 3}[i%3]; {
		case i%100 == 0:
		case i%25 == 1:
			org, user = f.orgB, users[1+4*((i/25)%10)]
		case i%50 == 7:
			org, user, dossier = orgs[2], users[2+4*(i%10)], dossierB
		case i%40 == 3:
			user, action, outcome = users[i%len(users)], "auth.login", "denied"
		default:
			org, user = orgs[o], users[o+4*(i%10)]
		}
		res := []uuid.UUID{victims[i%len(victims)], victims[(i*7)%len(victims)]}
		if (org == f.orgB && !at.Before(*week.From) && at.Before(*week.To) && (i/25)%8 == 0) || i == 4002 {
			res = append(res, target)
			if org == f.orgB {
				wantTarget++
			}
		}
		batch.Queue(`INSERT INTO audit_events (occurred_at, actor_user_id, organisation_id, action, resource_type,
				resource_ids, dossier_id, outcome) VALUES ($1, $2, $3, $4, 'victim', $5, $6, $7)`,
			at, user, org, action, res, dossier, outcome)
	}
	if err := f.pool.SendBatch(ctx, batch).Close(); err != nil {
		t.Fatal(err)
	}
	// As autovacuum leaves it: statistics, and the GIN index's pending list
	// merged into the index.
	f.exec(t, `VACUUM ANALYZE audit_events`)
	f.exec(t, `ANALYZE users`)

	byVictim, byUser := week, week
	byVictim.ResourceID = &target
	byUser.ActorID = &users[5]
	for name, tc := range map[string]planCase{
		"who accessed victim V":   searchPlan(scope{org: f.orgB}, byVictim, "audit_events_resource_idx"),
		"what did user U open":    searchPlan(scope{org: f.orgB}, byUser, "audit_events_actor_idx"),
		"victim report":           reportPlan([]uuid.UUID{target, uuid.New()}, week.From, week.To),
		"victim report, all time": reportPlan([]uuid.UUID{target, uuid.New()}, nil, nil),
		// Its organisation's actors, others' actors on its dossiers, failed
		// sign-ins of its members: one index each.
		"the DPO's latest events": searchPlan(scope{org: f.orgB}, Filter{}, "audit_events_org_idx",
			"audit_events_dossier_org_idx", "audit_events_account_idx"),
		"the DPO's latest refusals": searchPlan(scope{org: f.orgB}, Filter{Action: ptr("auth.*")}, "audit_events_org_idx",
			"audit_events_dossier_org_idx", "audit_events_account_idx"),
		"the operator's events": searchPlan(scope{}, Filter{}, "audit_events_org_idx"),
	} {
		plan := explain(t, f.pool, tc.q, tc.args)
		t.Logf("%s:\n%s", name, plan)
		if strings.Contains(plan, "Seq Scan on audit_events") {
			t.Errorf("%s: a sequential scan of audit_events:\n%s", name, plan)
		}
		for _, index := range tc.indexes {
			if !strings.Contains(plan, index) {
				t.Errorf("%s: want %s:\n%s", name, index, plan)
			}
		}
	}
	// And they return the right rows.
	p, err := f.svc.Search(ctx, f.dpoB, byVictim, ptr(200), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Nodes) != wantTarget || wantTarget == 0 {
		t.Fatalf("%d events about the victim, want %d", len(p.Nodes), wantTarget)
	}
	for _, e := range p.Nodes {
		if !slices.Contains(e.ResourceIDs, target) || *e.OrganisationID != f.orgB || e.OccurredAt.Before(*week.From) {
			t.Fatalf("wrong row %+v", e)
		}
	}
}

type planCase struct {
	q       string
	args    pgx.NamedArgs
	indexes []string // each used
}

func reportPlan(ids []uuid.UUID, from, to *time.Time) planCase {
	q, args := reportQuery(ids, from, to)
	return planCase{q, args, []string{"audit_events_resource_idx"}}
}

// searchPlan is the query Search runs for sc and f.
func searchPlan(sc scope, f Filter, indexes ...string) planCase {
	q, args := selectEvents(sc, f, nil, 51)
	return planCase{q, args, indexes}
}

func TestEventUUID(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{1, 255, 1 << 40, 1<<63 - 1} {
		got, ok := EventID(EventUUID(id))
		if !ok || got != id {
			t.Fatalf("round trip of %d: %d %v", id, got, ok)
		}
	}
	if EventUUID(9).String() >= EventUUID(10).String() || EventUUID(255).String() >= EventUUID(256).String() {
		t.Fatal("event UUIDs do not sort like positions")
	}
	if _, ok := EventID(uuid.New()); ok {
		t.Fatal("a random UUID read as an event id")
	}
	if _, ok := EventID(uuid.Nil); ok {
		t.Fatal("the nil UUID read as an event id")
	}
}
