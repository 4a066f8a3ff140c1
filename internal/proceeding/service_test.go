package proceeding_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/proceeding"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type fixture struct {
	pool    *pgxpool.Pool
	svc     *proceeding.Service
	org     uuid.UUID
	staff   actor.Actor
	dossier uuid.UUID
}

func setup(t *testing.T) fixture {
	t.Helper()
	pool := pgtest.New(t)
	org := testfixture.Org(t, pool)
	return fixture{
		pool:    pool,
		svc:     proceeding.NewService(testfixture.Authorizer(t, pool)),
		org:     org,
		staff:   testfixture.User(t, pool, org, actor.LegalStaff),
		dossier: testfixture.Dossier(t, pool, org),
	}
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func str(s string) *string { return &s }

func cents(n int64) *int64 { return &n }

func count(t *testing.T, pool *pgxpool.Pool, query string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func exec(t *testing.T, pool *pgxpool.Pool, query string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), query, args...); err != nil {
		t.Fatalf("exec: %v", err)
	}
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

// courtFor is a court kind that fits each stage.
var courtFor = map[proceeding.Stage]proceeding.CourtKind{
	proceeding.PreliminaryInquiry:    proceeding.Parquet,
	proceeding.JudicialInvestigation: proceeding.JugeInstruction,
	proceeding.Trial:                 proceeding.TribunalCorrectionnel,
	proceeding.Appeal:                proceeding.CourAppel,
	proceeding.Cassation:             proceeding.CourCassation,
}

var stages = []proceeding.Stage{proceeding.PreliminaryInquiry, proceeding.JudicialInvestigation,
	proceeding.Trial, proceeding.Appeal, proceeding.Cassation}

func (f fixture) open(t *testing.T, dossierID uuid.UUID, stage proceeding.Stage, started string) proceeding.Proceeding {
	t.Helper()
	p, err := f.svc.Open(context.Background(), f.staff, proceeding.OpenInput{DossierID: dossierID, Stage: stage,
		CourtKind: courtFor[stage], CourtName: str("Tribunal judiciaire de Paris"), StartedOn: date(started)})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return p
}

func advanceInput(to proceeding.Stage, ended, started string) proceeding.AdvanceInput {
	return proceeding.AdvanceInput{EndedOn: date(ended), Outcome: "Renvoi devant la juridiction", Stage: to,
		CourtKind: courtFor[to], DocketNumber: str("RG 25/001"), StartedOn: date(started)}
}

func closeDossier(t *testing.T, pool *pgxpool.Pool, id uuid.UUID) {
	t.Helper()
	exec(t, pool, `UPDATE dossiers SET status = 'closed', closed_on = '2025-12-01' WHERE id = $1`, id)
}

func TestOpen(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	p, err := f.svc.Open(ctx, f.staff, proceeding.OpenInput{DossierID: f.dossier, Stage: proceeding.Trial,
		CourtKind: proceeding.CourCriminelleDepartementale, CourtName: str(" Cour criminelle de Paris "),
		Chamber: str("1re section"), DocketNumber: str("25/0042"), StartedOn: date("2025-03-01")})
	if err != nil {
		t.Fatal(err)
	}
	if p.DossierID != f.dossier || p.Stage != proceeding.Trial || p.CourtKind != proceeding.CourCriminelleDepartementale ||
		p.CourtName != "Cour criminelle de Paris" || p.Chamber != "1re section" || p.DocketNumber != "25/0042" {
		t.Errorf("fields: %+v", p)
	}
	if p.Status != proceeding.Ongoing || p.EndedOn != nil || p.PreviousID != nil || p.NextID != nil ||
		!p.StartedOn.Equal(date("2025-03-01")) {
		t.Errorf("state: %+v", p)
	}
	if n := testfixture.AuditCount(t, f.pool, "proceeding.create", "allowed"); n != 1 {
		t.Errorf("audit events: %d", n)
	}

	closed := testfixture.Dossier(t, f.pool, f.org)
	closeDossier(t, f.pool, closed)
	foreign := testfixture.Dossier(t, f.pool, testfixture.Org(t, f.pool))
	ok := proceeding.OpenInput{DossierID: f.dossier, Stage: proceeding.PreliminaryInquiry,
		CourtKind: proceeding.Parquet, StartedOn: date("2025-01-20")}
	tests := []struct {
		name  string
		who   actor.Actor
		edit  func(*proceeding.OpenInput)
		code  apperr.Code
		field string
	}{
		{"unknown stage", f.staff, func(in *proceeding.OpenInput) { in.Stage = "hearing" }, apperr.Invalid, "stage"},
		{"inquiry at a court of appeal", f.staff, func(in *proceeding.OpenInput) { in.CourtKind = proceeding.CourAppel }, apperr.Invalid, "courtKind"},
		{"trial at the parquet", f.staff, func(in *proceeding.OpenInput) { in.Stage = proceeding.Trial }, apperr.Invalid, "courtKind"},
		{"investigation at a tribunal", f.staff, func(in *proceeding.OpenInput) {
			in.Stage, in.CourtKind = proceeding.JudicialInvestigation, proceeding.TribunalCorrectionnel
		}, apperr.Invalid, "courtKind"},
		{"appeal at cassation", f.staff, func(in *proceeding.OpenInput) {
			in.Stage, in.CourtKind = proceeding.Appeal, proceeding.CourCassation
		}, apperr.Invalid, "courtKind"},
		{"no start", f.staff, func(in *proceeding.OpenInput) { in.StartedOn = time.Time{} }, apperr.Invalid, "startedOn"},
		{"long court name", f.staff, func(in *proceeding.OpenInput) { in.CourtName = str(strings.Repeat("x", 201)) }, apperr.Invalid, "courtName"},
		{"long docket", f.staff, func(in *proceeding.OpenInput) { in.DocketNumber = str(strings.Repeat("x", 65)) }, apperr.Invalid, "docketNumber"},
		{"closed dossier", f.staff, func(in *proceeding.OpenInput) { in.DossierID = closed }, apperr.Invalid, "dossierId"},
		{"unknown dossier", f.staff, func(in *proceeding.OpenInput) { in.DossierID = uuid.New() }, apperr.NotFound, ""},
		{"other organisation", f.staff, func(in *proceeding.OpenInput) { in.DossierID = foreign }, apperr.NotFound, ""},
		{"advocacy", testfixture.User(t, f.pool, f.org, actor.Advocacy), func(*proceeding.OpenInput) {}, apperr.Forbidden, ""},
		{"unassigned lawyer", testfixture.User(t, f.pool, f.org, actor.PartnerLawyer), func(*proceeding.OpenInput) {}, apperr.NotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.edit(&in)
			_, err := f.svc.Open(ctx, tt.who, in)
			wantErr(t, err, tt.code, tt.field)
		})
	}
	if n := count(t, f.pool, `SELECT count(*) FROM proceedings`); n != 1 {
		t.Errorf("%d proceedings after errors, want 1", n)
	}
	if n := testfixture.AuditCount(t, f.pool, "proceeding.create", "allowed"); n != 1 {
		t.Errorf("audit events after errors: %d", n)
	}
}

// Every stage pair: exactly the transitions of the schema are allowed.
func TestAdvanceTransitions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	allowed := map[[2]proceeding.Stage]bool{
		{proceeding.PreliminaryInquiry, proceeding.JudicialInvestigation}: true,
		{proceeding.PreliminaryInquiry, proceeding.Trial}:                 true,
		{proceeding.JudicialInvestigation, proceeding.Trial}:              true,
		{proceeding.Trial, proceeding.Appeal}:                             true,
		{proceeding.Trial, proceeding.Cassation}:                          true,
		{proceeding.Appeal, proceeding.Cassation}:                         true,
		{proceeding.Cassation, proceeding.Trial}:                          true,
		{proceeding.Cassation, proceeding.Appeal}:                         true,
	}
	for _, from := range stages {
		for _, to := range stages {
			t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
				cur := f.open(t, f.dossier, from, "2025-01-20")
				next, err := f.svc.Advance(ctx, f.staff, cur.ID, advanceInput(to, "2025-05-01", "2025-05-02"))
				if !allowed[[2]proceeding.Stage{from, to}] {
					e := wantErr(t, err, apperr.Invalid, "stage")
					want := fmt.Sprintf("cannot go from %s to %s", strings.ToUpper(string(from)), strings.ToUpper(string(to)))
					if e.Fields[0].Message != want {
						t.Errorf("message %q, want %q", e.Fields[0].Message, want)
					}
					still, err := f.svc.Get(ctx, f.staff, cur.ID)
					if err != nil || still.Status != proceeding.Ongoing || still.EndedOn != nil || still.Outcome != "" || still.NextID != nil {
						t.Errorf("refused advance changed the proceeding: %+v %v", still, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if next.Stage != to || next.CourtKind != courtFor[to] || next.DossierID != f.dossier ||
					next.PreviousID == nil || *next.PreviousID != cur.ID || next.Status != proceeding.Ongoing ||
					!next.StartedOn.Equal(date("2025-05-02")) || next.DocketNumber != "RG 25/001" {
					t.Errorf("next: %+v", next)
				}
				old, err := f.svc.Get(ctx, f.staff, cur.ID)
				if err != nil {
					t.Fatal(err)
				}
				if old.Status != proceeding.Closed || old.EndedOn == nil || !old.EndedOn.Equal(date("2025-05-01")) ||
					old.Outcome != "Renvoi devant la juridiction" || old.NextID == nil || *old.NextID != next.ID {
					t.Errorf("closed: %+v", old)
				}
				n, err := f.svc.Next(ctx, f.staff, cur.ID)
				if err != nil || n == nil || n.ID != next.ID {
					t.Errorf("next lookup: %v %v", n, err)
				}
			})
		}
	}
	if n := testfixture.AuditCount(t, f.pool, "proceeding.advance", "allowed"); n != len(allowed) {
		t.Errorf("advance events: %d, want %d", n, len(allowed))
	}
	if n := count(t, f.pool, `SELECT count(*) FROM proceedings`); n != len(stages)*len(stages)+len(allowed) {
		t.Errorf("proceedings: %d", n)
	}
}

func TestAdvanceErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	inquiry := f.open(t, f.dossier, proceeding.PreliminaryInquiry, "2025-01-20")
	closedOne := f.open(t, f.dossier, proceeding.Trial, "2025-01-20")
	if _, err := f.svc.Close(ctx, f.staff, closedOne.ID, proceeding.CloseInput{EndedOn: date("2025-02-01"), Outcome: "Relaxe"}); err != nil {
		t.Fatal(err)
	}
	onClosedDossier := f.open(t, testfixture.Dossier(t, f.pool, f.org), proceeding.PreliminaryInquiry, "2025-01-20")
	closeDossier(t, f.pool, onClosedDossier.DossierID)
	outsider := testfixture.User(t, f.pool, testfixture.Org(t, f.pool), actor.LegalStaff)
	ok := advanceInput(proceeding.JudicialInvestigation, "2025-04-01", "2025-04-02")
	edit := func(fn func(*proceeding.AdvanceInput)) proceeding.AdvanceInput { in := ok; fn(&in); return in }
	before := count(t, f.pool, `SELECT count(*) FROM proceedings`)

	tests := []struct {
		name  string
		who   actor.Actor
		id    uuid.UUID
		in    proceeding.AdvanceInput
		code  apperr.Code
		field string
	}{
		{"court kind does not fit", f.staff, inquiry.ID, edit(func(in *proceeding.AdvanceInput) { in.CourtKind = proceeding.CourAssises }), apperr.Invalid, "courtKind"},
		{"trial at juge d'instruction", f.staff, inquiry.ID, edit(func(in *proceeding.AdvanceInput) { in.Stage = proceeding.Trial }), apperr.Invalid, "courtKind"},
		{"next starts before the end", f.staff, inquiry.ID, edit(func(in *proceeding.AdvanceInput) { in.StartedOn = date("2025-03-31") }), apperr.Invalid, "startedOn"},
		{"ends before it started", f.staff, inquiry.ID, edit(func(in *proceeding.AdvanceInput) {
			in.EndedOn, in.StartedOn = date("2025-01-19"), date("2025-01-19")
		}), apperr.Invalid, "endedOn"},
		{"no outcome", f.staff, inquiry.ID, edit(func(in *proceeding.AdvanceInput) { in.Outcome = " " }), apperr.Invalid, "outcome"},
		{"closed proceeding", f.staff, closedOne.ID, advanceInput(proceeding.Appeal, "2025-04-01", "2025-04-02"), apperr.Conflict, ""},
		{"closed dossier", f.staff, onClosedDossier.ID, ok, apperr.Conflict, ""},
		{"unknown proceeding", f.staff, uuid.New(), ok, apperr.NotFound, ""},
		{"other organisation", outsider, inquiry.ID, ok, apperr.NotFound, ""},
		{"advocacy", testfixture.User(t, f.pool, f.org, actor.Advocacy), inquiry.ID, ok, apperr.Forbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Advance(ctx, tt.who, tt.id, tt.in)
			wantErr(t, err, tt.code, tt.field)
		})
	}
	if n := count(t, f.pool, `SELECT count(*) FROM proceedings`); n != before {
		t.Errorf("proceedings written after errors: %d, want %d", n, before)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM proceedings WHERE id = $1 AND status = 'ongoing'`, inquiry.ID); n != 1 {
		t.Error("a refused advance closed the proceeding")
	}

	// Advancing twice: the second finds it closed.
	if _, err := f.svc.Advance(ctx, f.staff, inquiry.ID, ok); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Advance(ctx, f.staff, inquiry.ID, advanceInput(proceeding.Trial, "2025-04-01", "2025-04-02"))
	wantErr(t, err, apperr.Conflict, "")
	if n := count(t, f.pool, `SELECT count(*) FROM proceedings WHERE previous_id = $1`, inquiry.ID); n != 1 {
		t.Errorf("%d next stages", n)
	}
}

func TestCloseAndUpdate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	p := f.open(t, f.dossier, proceeding.Trial, "2025-03-01")

	_, err := f.svc.Close(ctx, f.staff, p.ID, proceeding.CloseInput{EndedOn: date("2025-02-28"), Outcome: "Condamnation"})
	wantErr(t, err, apperr.Invalid, "endedOn")
	_, err = f.svc.Close(ctx, f.staff, p.ID, proceeding.CloseInput{EndedOn: date("2025-03-28"), Outcome: ""})
	wantErr(t, err, apperr.Invalid, "outcome")
	_, err = f.svc.Close(ctx, f.staff, p.ID, proceeding.CloseInput{Outcome: "x"})
	wantErr(t, err, apperr.Invalid, "endedOn")
	_, err = f.svc.Close(ctx, f.staff, uuid.New(), proceeding.CloseInput{EndedOn: date("2025-03-28"), Outcome: "x"})
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Close(ctx, testfixture.User(t, f.pool, f.org, actor.Advocacy), p.ID, proceeding.CloseInput{EndedOn: date("2025-03-28"), Outcome: "x"})
	wantErr(t, err, apperr.Forbidden, "")
	if n := count(t, f.pool, `SELECT count(*) FROM proceedings WHERE status = 'closed'`); n != 0 {
		t.Fatal("closed after errors")
	}

	c, err := f.svc.Close(ctx, f.staff, p.ID, proceeding.CloseInput{EndedOn: date("2025-03-01"), Outcome: "Condamnation"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != proceeding.Closed || c.EndedOn == nil || !c.EndedOn.Equal(date("2025-03-01")) || c.Outcome != "Condamnation" {
		t.Errorf("closed: %+v", c)
	}
	_, err = f.svc.Close(ctx, f.staff, p.ID, proceeding.CloseInput{EndedOn: date("2025-04-01"), Outcome: "Again"})
	wantErr(t, err, apperr.Conflict, "")
	if n := testfixture.AuditCount(t, f.pool, "proceeding.close", "allowed"); n != 1 {
		t.Errorf("close events: %d", n)
	}

	u, err := f.svc.Update(ctx, f.staff, p.ID, proceeding.UpdateInput{DocketNumber: str("25/0099"), Chamber: str("")})
	if err != nil {
		t.Fatal(err)
	}
	if u.DocketNumber != "25/0099" || u.Chamber != "" || u.CourtName != "Tribunal judiciaire de Paris" {
		t.Errorf("update: %+v", u)
	}
	if n := testfixture.AuditCount(t, f.pool, "proceeding.update", "allowed"); n != 1 {
		t.Errorf("update events: %d", n)
	}
	_, err = f.svc.Update(ctx, f.staff, p.ID, proceeding.UpdateInput{Chamber: str(strings.Repeat("x", 201))})
	wantErr(t, err, apperr.Invalid, "chamber")
	_, err = f.svc.Update(ctx, f.staff, uuid.New(), proceeding.UpdateInput{})
	wantErr(t, err, apperr.NotFound, "")
	outsider := testfixture.User(t, f.pool, testfixture.Org(t, f.pool), actor.LegalStaff)
	_, err = f.svc.Update(ctx, outsider, p.ID, proceeding.UpdateInput{DocketNumber: str("x")})
	wantErr(t, err, apperr.NotFound, "")
	lawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
	testfixture.Assign(t, f.pool, f.dossier, lawyer.UserID)
	_, err = f.svc.Update(ctx, lawyer, p.ID, proceeding.UpdateInput{DocketNumber: str("x")})
	wantErr(t, err, apperr.Forbidden, "")
	if got, _ := f.svc.Get(ctx, f.staff, p.ID); got.DocketNumber != "25/0099" {
		t.Errorf("docket changed by a refused update: %q", got.DocketNumber)
	}
}

func TestReads(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	// Dossier A: an advanced chain and a parallel, later, ongoing inquiry.
	first := f.open(t, f.dossier, proceeding.PreliminaryInquiry, "2025-01-20")
	second, err := f.svc.Advance(ctx, f.staff, first.ID, advanceInput(proceeding.JudicialInvestigation, "2025-02-01", "2025-02-01"))
	if err != nil {
		t.Fatal(err)
	}
	parallel := f.open(t, f.dossier, proceeding.PreliminaryInquiry, "2025-03-01")
	// Dossier B: everything closed. Dossier C: nothing. Dossier D: another organisation's.
	dossierB := testfixture.Dossier(t, f.pool, f.org)
	b := f.open(t, dossierB, proceeding.Trial, "2025-01-20")
	if _, err := f.svc.Close(ctx, f.staff, b.ID, proceeding.CloseInput{EndedOn: date("2025-02-01"), Outcome: "Relaxe"}); err != nil {
		t.Fatal(err)
	}
	dossierC := testfixture.Dossier(t, f.pool, f.org)
	otherOrg := testfixture.Org(t, f.pool)
	outsider := testfixture.User(t, f.pool, otherOrg, actor.LegalStaff)
	dossierD := testfixture.Dossier(t, f.pool, otherOrg)
	d, err := proceeding.NewService(testfixture.Authorizer(t, f.pool)).Open(ctx, outsider, proceeding.OpenInput{
		DossierID: dossierD, Stage: proceeding.Trial, CourtKind: proceeding.TribunalPourEnfants, StartedOn: date("2025-01-01")})
	if err != nil {
		t.Fatal(err)
	}

	cur, err := f.svc.CurrentByDossiers(ctx, f.staff, []uuid.UUID{f.dossier, dossierB, dossierC, dossierD})
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != 1 || cur[f.dossier].ID != parallel.ID {
		t.Errorf("current: %v", cur)
	}
	if n := testfixture.AuditCount(t, f.pool, "proceeding.read", "allowed"); n != 1 {
		t.Errorf("read events: %d", n)
	}
	// The later start wins over the chain's current stage; close it and the chain's is current.
	if _, err := f.svc.Close(ctx, f.staff, parallel.ID, proceeding.CloseInput{EndedOn: date("2025-03-02"), Outcome: "Classement"}); err != nil {
		t.Fatal(err)
	}
	if cur, err = f.svc.CurrentByDossiers(ctx, f.staff, []uuid.UUID{f.dossier}); err != nil || cur[f.dossier].ID != second.ID {
		t.Errorf("current after closing the parallel one: %v %v", cur, err)
	}
	lawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
	if cur, err = f.svc.CurrentByDossiers(ctx, lawyer, []uuid.UUID{f.dossier}); err != nil || len(cur) != 0 {
		t.Errorf("unassigned lawyer sees: %v %v", cur, err)
	}
	_, err = f.svc.CurrentByDossiers(ctx, testfixture.User(t, f.pool, f.org, actor.DPO), []uuid.UUID{f.dossier})
	wantErr(t, err, apperr.Forbidden, "")

	byID, err := f.svc.ByIDs(ctx, f.staff, []uuid.UUID{first.ID, second.ID, d.ID, uuid.New()})
	if err != nil {
		t.Fatal(err)
	}
	if len(byID) != 2 || byID[first.ID].NextID == nil || *byID[first.ID].NextID != second.ID ||
		byID[second.ID].PreviousID == nil || *byID[second.ID].PreviousID != first.ID {
		t.Errorf("by ids: %v", byID)
	}
	testfixture.Assign(t, f.pool, f.dossier, lawyer.UserID)
	if byID, err = f.svc.ByIDs(ctx, lawyer, []uuid.UUID{first.ID, b.ID}); err != nil || len(byID) != 1 {
		t.Errorf("assigned lawyer by ids: %v %v", byID, err)
	}

	list, err := f.svc.ByDossier(ctx, f.staff, f.dossier)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != parallel.ID || list[1].ID != second.ID || list[2].ID != first.ID {
		t.Errorf("latest first: %v", list)
	}
	if empty, err := f.svc.ByDossier(ctx, f.staff, dossierC); err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("empty: %v %v", empty, err)
	}
	_, err = f.svc.ByDossier(ctx, outsider, f.dossier)
	wantErr(t, err, apperr.NotFound, "")

	if n, err := f.svc.Next(ctx, f.staff, second.ID); err != nil || n != nil {
		t.Errorf("next of the last stage: %v %v", n, err)
	}
	_, err = f.svc.Next(ctx, outsider, first.ID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Get(ctx, outsider, first.ID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Get(ctx, f.staff, uuid.New())
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Get(ctx, testfixture.User(t, f.pool, f.org, actor.Admin), first.ID)
	wantErr(t, err, apperr.Forbidden, "")
	if _, err := f.svc.Get(ctx, testfixture.User(t, f.pool, f.org, actor.Advocacy), first.ID); err != nil {
		t.Errorf("advocacy reads: %v", err)
	}
}

type standingFixture struct {
	fixture
	proc    proceeding.Proceeding
	consent uuid.UUID
}

func setupStanding(t *testing.T) standingFixture {
	t.Helper()
	f := setup(t)
	s := standingFixture{fixture: f, proc: f.open(t, f.dossier, proceeding.Trial, "2025-03-01")}
	s.consent = insertConsent(t, f.pool, f.dossier, "2025-02-01")
	return s
}

func insertConsent(t *testing.T, pool *pgxpool.Pool, dossierID uuid.UUID, given string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	var victim, consent uuid.UUID
	if err := pool.QueryRow(ctx, `INSERT INTO victims (dossier_id, pseudonym) VALUES ($1, $2) RETURNING id`,
		dossierID, "V-"+uuid.NewString()[:8]).Scan(&victim); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `INSERT INTO consents (victim_id, given_by, given_on, reference)
		VALUES ($1, 'legal_representative', $2, 'C-1') RETURNING id`, victim, date(given)).Scan(&consent); err != nil {
		t.Fatal(err)
	}
	return consent
}

func (s standingFixture) input(basis string, consent *uuid.UUID) proceeding.ConstituteInput {
	return proceeding.ConstituteInput{ProceedingID: s.proc.ID, ConstitutedOn: date("2025-03-10"),
		Mode: proceeding.ModeHearingDeclaration, LegalBasis: basis, ConsentID: consent, DamagesClaimedCents: cents(500000)}
}

func TestConstituteCivilParty(t *testing.T) {
	t.Parallel()
	s := setupStanding(t)
	ctx := context.Background()

	st, err := s.svc.ConstituteCivilParty(ctx, s.staff, s.input("CPP 2-22", &s.consent))
	if err != nil {
		t.Fatal(err)
	}
	if st.ProceedingID != s.proc.ID || st.DossierID != s.dossier || st.OrganisationID != s.org ||
		st.LegalBasis != "CPP 2-22" || st.ConsentID == nil || *st.ConsentID != s.consent ||
		st.Admissibility != proceeding.Pending || st.AdmissibilityDecidedOn != nil ||
		st.DamagesClaimedCents == nil || *st.DamagesClaimedCents != 500000 || !st.ConstitutedOn.Equal(date("2025-03-10")) {
		t.Errorf("standing: %+v", st)
	}
	if n := testfixture.AuditCount(t, s.pool, "standing.create", "allowed"); n != 1 {
		t.Errorf("audit events: %d", n)
	}
	c, err := s.svc.Consent(ctx, s.staff, s.consent)
	if err != nil || c.ID != s.consent || c.Reference != "C-1" || !c.GivenOn.Equal(date("2025-02-01")) {
		t.Errorf("consent: %+v %v", c, err)
	}
	list, err := s.svc.StandingsByProceeding(ctx, s.staff, s.proc.ID)
	if err != nil || len(list) != 1 || list[0].ID != st.ID {
		t.Errorf("standings: %v %v", list, err)
	}

	// A co-civil party organisation, the dossier shared with it, constitutes for itself.
	partner := testfixture.Org(t, s.pool)
	testfixture.Share(t, s.pool, s.dossier, partner)
	coParty := testfixture.User(t, s.pool, partner, actor.LegalStaff)
	st2, err := s.svc.ConstituteCivilParty(ctx, coParty, s.input("CPP 2-3", nil))
	if err != nil {
		t.Fatal(err)
	}
	if st2.OrganisationID != partner || st2.ConsentID != nil {
		t.Errorf("co-party standing: %+v", st2)
	}
	if list, _ := s.svc.StandingsByProceeding(ctx, s.staff, s.proc.ID); len(list) != 2 {
		t.Errorf("standings: %d", len(list))
	}
}

func TestConstituteErrors(t *testing.T) {
	t.Parallel()
	s := setupStanding(t)
	ctx := context.Background()
	withdrawn := insertConsent(t, s.pool, s.dossier, "2025-01-01")
	exec(t, s.pool, `UPDATE consents SET withdrawn_on = '2025-02-15' WHERE id = $1`, withdrawn)
	late := insertConsent(t, s.pool, s.dossier, "2025-03-11")
	elsewhere := insertConsent(t, s.pool, testfixture.Dossier(t, s.pool, s.org), "2025-01-01")
	narrowOrg := testfixture.Org(t, s.pool)
	exec(t, s.pool, `UPDATE organisations SET standing_articles = '{CPP 2-3}' WHERE id = $1`, narrowOrg)
	testfixture.Share(t, s.pool, s.dossier, narrowOrg)
	narrow := testfixture.User(t, s.pool, narrowOrg, actor.LegalStaff)
	closedDossier := testfixture.Dossier(t, s.pool, s.org)
	onClosed := s.open(t, closedDossier, proceeding.Trial, "2025-03-01")
	closeDossier(t, s.pool, closedDossier)
	outsider := testfixture.User(t, s.pool, testfixture.Org(t, s.pool), actor.LegalStaff)
	edit := func(fn func(*proceeding.ConstituteInput)) proceeding.ConstituteInput {
		in := s.input("CPP 2-22", &s.consent)
		fn(&in)
		return in
	}

	tests := []struct {
		name  string
		who   actor.Actor
		in    proceeding.ConstituteInput
		code  apperr.Code
		field string
	}{
		{"CPP 2-22 without consent", s.staff, s.input("CPP 2-22", nil), apperr.Invalid, "consentId"},
		{"withdrawn consent", s.staff, s.input("CPP 2-22", &withdrawn), apperr.Invalid, "consentId"},
		{"consent given after", s.staff, s.input("CPP 2-22", &late), apperr.Invalid, "consentId"},
		{"consent of another dossier", s.staff, s.input("CPP 2-22", &elsewhere), apperr.Invalid, "consentId"},
		{"unknown consent", s.staff, s.input("CPP 2-3", ptr(uuid.New())), apperr.Invalid, "consentId"},
		{"unknown legal basis", s.staff, s.input("CPP 2-4", nil), apperr.Invalid, "legalBasis"},
		{"basis the organisation does not rely on", narrow, s.input("CPP 2-22", &s.consent), apperr.Invalid, "legalBasis"},
		{"negative damages", s.staff, edit(func(in *proceeding.ConstituteInput) { in.DamagesClaimedCents = cents(-1) }), apperr.Invalid, "damagesClaimedCents"},
		{"mode", s.staff, edit(func(in *proceeding.ConstituteInput) { in.Mode = "email" }), apperr.Invalid, "mode"},
		{"no date", s.staff, edit(func(in *proceeding.ConstituteInput) { in.ConstitutedOn = time.Time{} }), apperr.Invalid, "constitutedOn"},
		{"closed dossier", s.staff, edit(func(in *proceeding.ConstituteInput) {
			in.ProceedingID, in.ConsentID, in.LegalBasis = onClosed.ID, nil, "CPP 2-3"
		}), apperr.Conflict, ""},
		{"unknown proceeding", s.staff, edit(func(in *proceeding.ConstituteInput) { in.ProceedingID = uuid.New() }), apperr.NotFound, ""},
		{"other organisation", outsider, s.input("CPP 2-3", nil), apperr.NotFound, ""},
		{"advocacy", testfixture.User(t, s.pool, s.org, actor.Advocacy), s.input("CPP 2-3", nil), apperr.Forbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.svc.ConstituteCivilParty(ctx, tt.who, tt.in)
			wantErr(t, err, tt.code, tt.field)
		})
	}
	if n := count(t, s.pool, `SELECT count(*) FROM civil_party_standings`); n != 0 {
		t.Fatalf("%d standings written after errors", n)
	}

	if _, err := s.svc.ConstituteCivilParty(ctx, s.staff, s.input("CPP 2-3", nil)); err != nil {
		t.Fatal(err)
	}
	_, err := s.svc.ConstituteCivilParty(ctx, s.staff, s.input("CPP 2-22", &s.consent))
	e := wantErr(t, err, apperr.Conflict, "")
	if !strings.Contains(e.Message, "already civil party") {
		t.Errorf("message: %q", e.Message)
	}
	if n := count(t, s.pool, `SELECT count(*) FROM civil_party_standings`); n != 1 {
		t.Errorf("%d standings", n)
	}
}

func ptr[T any](v T) *T { return &v }

func TestWithdrawStanding(t *testing.T) {
	t.Parallel()
	s := setupStanding(t)
	ctx := context.Background()
	st, err := s.svc.ConstituteCivilParty(ctx, s.staff, s.input("CPP 2-3", nil))
	if err != nil {
		t.Fatal(err)
	}
	partner := testfixture.Org(t, s.pool)
	testfixture.Share(t, s.pool, s.dossier, partner)
	coParty := testfixture.User(t, s.pool, partner, actor.LegalStaff)
	tests := []struct {
		name  string
		who   actor.Actor
		id    uuid.UUID
		on    time.Time
		code  apperr.Code
		field string
	}{
		{"no date", s.staff, st.ID, time.Time{}, apperr.Invalid, "withdrawnOn"},
		{"before the constitution", s.staff, st.ID, date("2025-03-09"), apperr.Invalid, "withdrawnOn"},
		{"another organisation's standing", coParty, st.ID, date("2025-06-01"), apperr.Forbidden, ""},
		{"unknown standing", s.staff, uuid.New(), date("2025-06-01"), apperr.NotFound, ""},
		{"advocacy", testfixture.User(t, s.pool, s.org, actor.Advocacy), st.ID, date("2025-06-01"), apperr.Forbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.svc.WithdrawStanding(ctx, tt.who, tt.id, tt.on)
			wantErr(t, err, tt.code, tt.field)
		})
	}
	got, err := s.svc.WithdrawStanding(ctx, s.staff, st.ID, date("2025-06-01"))
	if err != nil || got.WithdrawnOn == nil || !got.WithdrawnOn.Equal(date("2025-06-01")) {
		t.Fatalf("withdrawn: %v %+v", err, got)
	}
	// Once; and a withdrawn constitution is not decided.
	_, err = s.svc.WithdrawStanding(ctx, s.staff, st.ID, date("2025-06-02"))
	wantErr(t, err, apperr.Conflict, "")
	_, err = s.svc.DecideStanding(ctx, s.staff, st.ID, proceeding.DecideInput{Admissibility: proceeding.Admitted, DecidedOn: date("2025-06-03")})
	wantErr(t, err, apperr.Conflict, "")
	if n := testfixture.AuditCount(t, s.pool, "standing.withdraw", "allowed"); n != 1 {
		t.Errorf("withdraw events: %d", n)
	}
	if n := count(t, s.pool, `SELECT count(*) FROM civil_party_standings WHERE admissibility <> 'pending'`); n != 0 {
		t.Fatal("decided after withdrawal")
	}
}

func TestDecideStanding(t *testing.T) {
	t.Parallel()
	s := setupStanding(t)
	ctx := context.Background()
	st, err := s.svc.ConstituteCivilParty(ctx, s.staff, s.input("CPP 2-3", nil))
	if err != nil {
		t.Fatal(err)
	}
	partner := testfixture.Org(t, s.pool)
	testfixture.Share(t, s.pool, s.dossier, partner)
	coParty := testfixture.User(t, s.pool, partner, actor.LegalStaff)
	outsider := testfixture.User(t, s.pool, testfixture.Org(t, s.pool), actor.LegalStaff)
	ok := proceeding.DecideInput{Admissibility: proceeding.Admitted, DecidedOn: date("2025-06-01"), DamagesAwardedCents: cents(150000)}

	tests := []struct {
		name  string
		who   actor.Actor
		id    uuid.UUID
		in    proceeding.DecideInput
		code  apperr.Code
		field string
	}{
		{"pending", s.staff, st.ID, proceeding.DecideInput{Admissibility: proceeding.Pending, DecidedOn: date("2025-06-01")}, apperr.Invalid, "admissibility"},
		{"damages when rejected", s.staff, st.ID, proceeding.DecideInput{Admissibility: proceeding.Rejected, DecidedOn: date("2025-06-01"), DamagesAwardedCents: cents(1)}, apperr.Invalid, "damagesAwardedCents"},
		{"negative damages", s.staff, st.ID, proceeding.DecideInput{Admissibility: proceeding.Admitted, DecidedOn: date("2025-06-01"), DamagesAwardedCents: cents(-5)}, apperr.Invalid, "damagesAwardedCents"},
		{"before the constitution", s.staff, st.ID, proceeding.DecideInput{Admissibility: proceeding.Admitted, DecidedOn: date("2025-03-09")}, apperr.Invalid, "decidedOn"},
		{"no date", s.staff, st.ID, proceeding.DecideInput{Admissibility: proceeding.Admitted}, apperr.Invalid, "decidedOn"},
		{"another organisation's standing", coParty, st.ID, ok, apperr.Forbidden, ""},
		{"unknown standing", s.staff, uuid.New(), ok, apperr.NotFound, ""},
		{"other organisation", outsider, st.ID, ok, apperr.NotFound, ""},
		{"advocacy", testfixture.User(t, s.pool, s.org, actor.Advocacy), st.ID, ok, apperr.Forbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.svc.DecideStanding(ctx, tt.who, tt.id, tt.in)
			wantErr(t, err, tt.code, tt.field)
		})
	}
	if n := count(t, s.pool, `SELECT count(*) FROM civil_party_standings WHERE admissibility <> 'pending'`); n != 0 {
		t.Fatal("decided after errors")
	}

	got, err := s.svc.DecideStanding(ctx, s.staff, st.ID, ok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Admissibility != proceeding.Admitted || got.AdmissibilityDecidedOn == nil || !got.AdmissibilityDecidedOn.Equal(date("2025-06-01")) ||
		got.DamagesAwardedCents == nil || *got.DamagesAwardedCents != 150000 || got.DossierID != s.dossier {
		t.Errorf("decided: %+v", got)
	}
	// Decided on the day of the constitution, rejected: no damages.
	got, err = s.svc.DecideStanding(ctx, s.staff, st.ID, proceeding.DecideInput{Admissibility: proceeding.Rejected, DecidedOn: date("2025-03-10")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Admissibility != proceeding.Rejected || got.DamagesAwardedCents != nil {
		t.Errorf("rejected: %+v", got)
	}
	if n := testfixture.AuditCount(t, s.pool, "standing.decide", "allowed"); n != 2 {
		t.Errorf("decide events: %d", n)
	}

	_, err = s.svc.StandingsByProceeding(ctx, outsider, s.proc.ID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = s.svc.StandingsByProceeding(ctx, s.staff, uuid.New())
	wantErr(t, err, apperr.NotFound, "")
	if list, err := s.svc.StandingsByProceeding(ctx, coParty, s.proc.ID); err != nil || len(list) != 1 {
		t.Errorf("co-party reads the standings: %v %v", list, err)
	}
	_, err = s.svc.Consent(ctx, outsider, s.consent)
	wantErr(t, err, apperr.NotFound, "")
	_, err = s.svc.Consent(ctx, s.staff, uuid.New())
	wantErr(t, err, apperr.NotFound, "")
}

// Issue 10: on a dossier shared with it, a co-civil party records its own
// standing — constitutes (citing a consent recorded on the dossier),
// records the court's decision on it, withdraws it — under standing:write;
// the owner does not change the co-civil party's standing, nor the
// co-civil party the owner's proceedings.
func TestCoCivilPartyRecordsItsOwnStanding(t *testing.T) {
	t.Parallel()
	s := setupStanding(t)
	ctx := context.Background()
	partner := testfixture.Org(t, s.pool)
	testfixture.Share(t, s.pool, s.dossier, partner)
	coParty := testfixture.User(t, s.pool, partner, actor.LegalStaff)

	own, err := s.svc.ConstituteCivilParty(ctx, coParty, s.input("CPP 2-22", &s.consent))
	if err != nil {
		t.Fatal(err)
	}
	if own.OrganisationID != partner {
		t.Fatalf("standing of %v, want the co-civil party's", own.OrganisationID)
	}
	decide := proceeding.DecideInput{Admissibility: proceeding.Admitted, DecidedOn: date("2025-06-01")}
	_, err = s.svc.DecideStanding(ctx, s.staff, own.ID, decide)
	wantErr(t, err, apperr.Forbidden, "")
	_, err = s.svc.WithdrawStanding(ctx, s.staff, own.ID, date("2025-06-01"))
	wantErr(t, err, apperr.Forbidden, "")
	if got, err := s.svc.DecideStanding(ctx, coParty, own.ID, decide); err != nil || got.Admissibility != proceeding.Admitted {
		t.Fatalf("the co-civil party decides its standing: %+v %v", got, err)
	}
	if got, err := s.svc.WithdrawStanding(ctx, coParty, own.ID, date("2025-06-02")); err != nil || got.WithdrawnOn == nil {
		t.Fatalf("the co-civil party withdraws its standing: %+v %v", got, err)
	}
	_, err = s.svc.Open(ctx, coParty, proceeding.OpenInput{DossierID: s.dossier, Stage: proceeding.Trial,
		CourtKind: proceeding.TribunalCorrectionnel, StartedOn: date("2025-05-01")})
	wantErr(t, err, apperr.Forbidden, "")

	if n := count(t, s.pool, `SELECT count(*) FROM audit_events WHERE action LIKE 'standing.%' AND outcome = 'allowed'
		AND actor_user_id = $1 AND permission = 'standing:write'`, coParty.UserID); n != 3 {
		t.Errorf("%d standing events of the co-civil party with standing:write, want 3", n)
	}
	if n := count(t, s.pool, `SELECT count(*) FROM audit_events WHERE action = 'access.denied' AND actor_user_id = $1
		AND permission = 'standing:write'`, s.staff.UserID); n != 2 {
		t.Errorf("%d refusals of the owner's changes to the co-civil party's standing, want 2", n)
	}
}
