package deadlines_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/deadlines"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// now is the service's clock in these tests: Friday 4 December 2026, noon
// in Paris.
var now = time.Date(2026, time.December, 4, 11, 0, 0, 0, time.UTC)

type bundle struct {
	pool    *pgxpool.Pool
	svc     *deadlines.Service
	org     uuid.UUID
	staff   actor.Actor
	dossier uuid.UUID
}

func setup(t *testing.T) bundle {
	t.Helper()
	pool := pgtest.New(t)
	org := testfixture.Org(t, pool)
	svc := deadlines.NewService(testfixture.Authorizer(t, pool))
	svc.SetNow(func() time.Time { return now })
	return bundle{pool: pool, svc: svc, org: org, staff: testfixture.User(t, pool, org, actor.LegalStaff),
		dossier: testfixture.Dossier(t, pool, org)}
}

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (b bundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := b.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
}

func (b bundle) compute(t *testing.T, a actor.Actor, dossierID uuid.UUID, rule, trigger string) (deadlines.Deadline, error) {
	t.Helper()
	return b.svc.Compute(context.Background(), a, deadlines.ComputeInput{DossierID: dossierID, RuleID: rule,
		TriggerOn: date(t, trigger)})
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
		return
	}
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

// A jurist computes the 10-day appeal of a judgment delivered on Tuesday
// 15 December 2026: the 10 days end on Friday 25 December (Christmas), so
// CPP 801 extends the deadline to Monday 28 December.
func TestComputeAppeal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var proc uuid.UUID
	if err := b.pool.QueryRow(context.Background(), `INSERT INTO proceedings (dossier_id, stage, court_kind, started_on)
		VALUES ($1, 'trial', 'tribunal_correctionnel', '2026-06-01') RETURNING id`, b.dossier).Scan(&proc); err != nil {
		t.Fatal(err)
	}
	d, err := b.svc.Compute(context.Background(), b.staff, deadlines.ComputeInput{DossierID: b.dossier,
		ProceedingID: &proc, RuleID: "tc-appel", TriggerOn: date(t, "2026-12-15")})
	if err != nil {
		t.Fatalf("compute: %v", err)
	}
	if d.RuleID != "tc-appel" || d.CodeVersion != "CPP" || d.Article != "498 al. 1" || d.Status != deadlines.Open ||
		!d.DueOn.Equal(date(t, "2026-12-28")) || d.RawEndOn == nil || !d.RawEndOn.Equal(date(t, "2026-12-25")) ||
		!d.Extended || d.TriggerOn == nil || !d.TriggerOn.Equal(date(t, "2026-12-15")) || d.CreatedBy != b.staff.UserID ||
		d.ProceedingID == nil || *d.ProceedingID != proc {
		t.Fatalf("deadline = %+v", d)
	}
	if !slices.ContainsFunc(d.Steps, func(s string) bool { return strings.Contains(s, "801") }) {
		t.Fatalf("steps do not explain the extension: %q", d.Steps)
	}
	if n := testfixture.AuditCount(t, b.pool, "deadline.create", "allowed"); n != 1 {
		t.Fatalf("deadline.create events = %d, want 1", n)
	}
	if rv := d.Rule(); rv == nil || rv.ID != "tc-appel" || rv.Article != "498 al. 1" || rv.Duration != "10 jours" {
		t.Fatalf("rule = %+v", rv)
	}
}

func TestComputeValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	_, err := b.compute(t, b.staff, b.dossier, "no-such-rule", "2026-12-01")
	wantField(t, err, "ruleId")
	_, err = b.compute(t, b.staff, b.dossier, "tc-appel", "2028-01-10")
	wantField(t, err, "triggerOn")
	_, err = b.compute(t, b.staff, b.dossier, "tc-appel", "1925-01-10")
	wantField(t, err, "triggerOn")
	_, err = b.svc.Compute(ctx, b.staff, deadlines.ComputeInput{DossierID: b.dossier, RuleID: "tc-appel"})
	wantField(t, err, "triggerOn")
	// A proceeding of another dossier.
	other := testfixture.Dossier(t, b.pool, b.org)
	var proc uuid.UUID
	if err := b.pool.QueryRow(ctx, `INSERT INTO proceedings (dossier_id, stage, court_kind, started_on)
		VALUES ($1, 'trial', 'tribunal_correctionnel', '2026-06-01') RETURNING id`, other).Scan(&proc); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.Compute(ctx, b.staff, deadlines.ComputeInput{DossierID: b.dossier, ProceedingID: &proc,
		RuleID: "tc-appel", TriggerOn: date(t, "2026-12-01")})
	wantField(t, err, "proceedingId")
	// A closed dossier takes no new deadline.
	b.exec(t, `UPDATE dossiers SET status = 'closed', closed_on = '2026-06-01' WHERE id = $1`, b.dossier)
	_, err = b.compute(t, b.staff, b.dossier, "tc-appel", "2026-12-01")
	wantField(t, err, "dossierId")
	_, err = b.svc.AddManual(ctx, b.staff, deadlines.ManualInput{DossierID: b.dossier, Title: "Conclusions",
		DueOn: date(t, "2027-01-10")})
	wantField(t, err, "dossierId")
	var n int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM deadlines`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("deadlines = %d, %v; want none", n, err)
	}
}

func TestManual(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	d, err := b.svc.AddManual(ctx, b.staff, deadlines.ManualInput{DossierID: b.dossier, Title: "  Dépôt des conclusions ",
		DueOn: date(t, "2027-01-11"), Note: ptr("fixé à l'audience du 3 décembre")})
	if err != nil {
		t.Fatalf("add manual: %v", err)
	}
	if d.RuleID != deadlines.ManualRule || d.Title != "Dépôt des conclusions" || !d.DueOn.Equal(date(t, "2027-01-11")) ||
		d.TriggerOn != nil || d.RawEndOn != nil || d.Note != "fixé à l'audience du 3 décembre" {
		t.Fatalf("deadline = %+v", d)
	}
	if d.Rule() != nil {
		t.Fatal("a manual deadline has no rule")
	}
	_, err = b.svc.AddManual(ctx, b.staff, deadlines.ManualInput{DossierID: b.dossier, Title: " ", DueOn: date(t, "2027-01-11")})
	wantField(t, err, "title")
	_, err = b.svc.AddManual(ctx, b.staff, deadlines.ManualInput{DossierID: b.dossier, Title: "x", DueOn: date(t, "2207-01-11")})
	wantField(t, err, "dueOn")
}

func TestCompleteAndCancel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	d1, err := b.compute(t, b.staff, b.dossier, "tc-appel", "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	d2, err := b.compute(t, b.staff, b.dossier, "pourvoi", "2026-11-20")
	if err != nil {
		t.Fatal(err)
	}
	done, err := b.svc.Complete(ctx, b.staff, d1.ID)
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	if done.Status != deadlines.Done || done.DoneBy == nil || *done.DoneBy != b.staff.UserID || done.DoneAt == nil {
		t.Fatalf("done = %+v", done)
	}
	_, err = b.svc.Complete(ctx, b.staff, d1.ID)
	wantCode(t, err, apperr.Conflict)
	_, err = b.svc.Cancel(ctx, b.staff, d2.ID, "  ")
	wantField(t, err, "reason")
	c, err := b.svc.Cancel(ctx, b.staff, d2.ID, "appeal withdrawn")
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if c.Status != deadlines.Cancelled || c.CancelReason != "appeal withdrawn" || c.CancelledBy == nil || c.CancelledAt == nil {
		t.Fatalf("cancelled = %+v", c)
	}
	_, err = b.svc.Cancel(ctx, b.staff, d2.ID, "again")
	wantCode(t, err, apperr.Conflict)
	_, err = b.svc.Complete(ctx, b.staff, d2.ID)
	wantCode(t, err, apperr.Conflict)
	_, err = b.svc.Complete(ctx, b.staff, uuid.New())
	wantCode(t, err, apperr.NotFound)
	for action, want := range map[string]int{"deadline.complete": 1, "deadline.cancel": 1} {
		if n := testfixture.AuditCount(t, b.pool, action, "allowed"); n != want {
			t.Errorf("%s events = %d, want %d", action, n, want)
		}
	}
}

func TestListOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	late, _ := b.compute(t, b.staff, b.dossier, "tc-appel", "2026-12-20")
	early, _ := b.compute(t, b.staff, b.dossier, "tc-appel", "2026-12-01")
	doneEarliest, _ := b.compute(t, b.staff, b.dossier, "tc-appel", "2026-11-20")
	if _, err := b.svc.Complete(ctx, b.staff, doneEarliest.ID); err != nil {
		t.Fatal(err)
	}
	ds, err := b.svc.ByDossier(ctx, b.staff, b.dossier)
	if err != nil {
		t.Fatal(err)
	}
	got := []uuid.UUID{}
	for _, d := range ds {
		got = append(got, d.ID)
	}
	if want := []uuid.UUID{early.ID, late.ID, doneEarliest.ID}; !slices.Equal(got, want) {
		t.Fatalf("order = %v, want open first by due date %v", got, want)
	}
	m, err := b.svc.ByDossiers(ctx, b.staff, []uuid.UUID{b.dossier, uuid.New()})
	if err != nil || len(m) != 1 || len(m[b.dossier]) != 3 || m[b.dossier][0].ID != early.ID {
		t.Fatalf("by dossiers = %v, %v", m, err)
	}
	next, err := b.svc.NextByDossiers(ctx, b.staff, []uuid.UUID{b.dossier})
	if err != nil || next[b.dossier].ID != early.ID {
		t.Fatalf("next = %v, %v", next, err)
	}
	// The calendar: open ones in the window, then every one, a page at a time.
	p, err := b.svc.List(ctx, b.staff, deadlines.ListParams{From: date(t, "2026-12-01"), To: date(t, "2027-01-31")})
	if err != nil || len(p.Nodes) != 2 || p.Nodes[0].ID != early.ID {
		t.Fatalf("list = %+v, %v", p, err)
	}
	var all []uuid.UUID
	var after *string
	for {
		p, err := b.svc.List(ctx, b.staff, deadlines.ListParams{From: date(t, "2026-11-01"), To: date(t, "2027-01-31"),
			IncludeClosed: true, First: ptr(1), After: after})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Nodes[0].ID)
		if !p.Info.HasNextPage {
			break
		}
		after = p.Info.EndCursor
	}
	if want := []uuid.UUID{doneEarliest.ID, early.ID, late.ID}; !slices.Equal(all, want) {
		t.Fatalf("pages = %v, want %v", all, want)
	}
	_, err = b.svc.List(ctx, b.staff, deadlines.ListParams{From: date(t, "2026-01-01"), To: date(t, "2027-12-31")})
	wantField(t, err, "to")
}

// Who may do what, per role and relation to the dossier.
func TestPermissions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	existing, err := b.compute(t, b.staff, b.dossier, "tc-appel", "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	lawyer := testfixture.User(t, b.pool, b.org, actor.PartnerLawyer)
	assignedLawyer := testfixture.User(t, b.pool, b.org, actor.PartnerLawyer)
	testfixture.Assign(t, b.pool, b.dossier, assignedLawyer.UserID)
	other := testfixture.Org(t, b.pool)
	otherStaff := testfixture.User(t, b.pool, other, actor.LegalStaff)
	cases := []struct {
		name        string
		a           actor.Actor
		read, write apperr.Code // "" = allowed
	}{
		{"legal_staff", b.staff, "", ""},
		{"partner_lawyer_assigned", assignedLawyer, "", ""},
		{"partner_lawyer_unassigned", lawyer, apperr.NotFound, apperr.NotFound},
		{"advocacy", testfixture.User(t, b.pool, b.org, actor.Advocacy), "", apperr.Forbidden},
		{"admin", testfixture.User(t, b.pool, b.org, actor.Admin), apperr.Forbidden, apperr.Forbidden},
		{"dpo", testfixture.User(t, b.pool, b.org, actor.DPO), apperr.NotFound, apperr.NotFound},
		{"other_org", otherStaff, apperr.NotFound, apperr.NotFound},
		{"anonymous", actor.Actor{}, apperr.Unauthenticated, apperr.Unauthenticated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.svc.ByDossier(ctx, c.a, b.dossier)
			wantCode(t, err, c.read)
			_, err = b.svc.Get(ctx, c.a, existing.ID)
			wantCode(t, err, c.read)
			_, err = b.compute(t, c.a, b.dossier, "tc-appel", "2026-12-02")
			wantCode(t, err, c.write)
			_, err = b.svc.Cancel(ctx, c.a, existing.ID, "test")
			if c.write != "" {
				wantCode(t, err, c.write)
			} else if err != nil {
				t.Fatalf("cancel: %v", err)
			} else {
				// Reopen it for the next actor.
				b.exec(t, `UPDATE deadlines SET status = 'open', cancel_reason = '', cancelled_by = NULL,
					cancelled_at = NULL WHERE id = $1`, existing.ID)
			}
		})
	}
	if n := testfixture.AuditCount(t, b.pool, "access.denied", "denied"); n == 0 {
		t.Fatal("no denial was audited")
	}
}

// On a dossier shared with its organisation, a co-civil party's jurist
// reads the owner's deadlines but writes none: FORBIDDEN, not NOT_FOUND.
func TestSharedNotOwner(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	existing, err := b.compute(t, b.staff, b.dossier, "tc-appel", "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	co := testfixture.Org(t, b.pool)
	testfixture.Share(t, b.pool, b.dossier, co)
	coStaff := testfixture.User(t, b.pool, co, actor.LegalStaff)
	ds, err := b.svc.ByDossier(ctx, coStaff, b.dossier)
	if err != nil || len(ds) != 1 {
		t.Fatalf("shared read = %v, %v", ds, err)
	}
	p, err := b.svc.List(ctx, coStaff, deadlines.ListParams{From: date(t, "2026-12-01"), To: date(t, "2026-12-31")})
	if err != nil || len(p.Nodes) != 1 {
		t.Fatalf("shared calendar = %v, %v", p, err)
	}
	_, err = b.compute(t, coStaff, b.dossier, "tc-appel", "2026-12-02")
	wantCode(t, err, apperr.Forbidden)
	_, err = b.svc.AddManual(ctx, coStaff, deadlines.ManualInput{DossierID: b.dossier, Title: "x", DueOn: date(t, "2027-01-11")})
	wantCode(t, err, apperr.Forbidden)
	_, err = b.svc.Complete(ctx, coStaff, existing.ID)
	wantCode(t, err, apperr.Forbidden)
	_, err = b.svc.Cancel(ctx, coStaff, existing.ID, "not ours")
	wantCode(t, err, apperr.Forbidden)
	// The calendar of another organisation's staff holds none of them.
	stranger := testfixture.User(t, b.pool, testfixture.Org(t, b.pool), actor.LegalStaff)
	p, err = b.svc.List(ctx, stranger, deadlines.ListParams{From: date(t, "2026-12-01"), To: date(t, "2026-12-31")})
	if err != nil || len(p.Nodes) != 0 {
		t.Fatalf("stranger calendar = %v, %v", p, err)
	}
}

func TestParallelCreations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.svc.Compute(context.Background(), b.staff, deadlines.ComputeInput{DossierID: b.dossier,
				RuleID: "tc-appel", TriggerOn: date(t, "2026-12-01").AddDate(0, 0, i)})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("creation %d: %v", i, err)
		}
	}
	var rows int
	if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM deadlines WHERE dossier_id = $1`, b.dossier).
		Scan(&rows); err != nil || rows != n {
		t.Fatalf("rows = %d, %v; want %d", rows, err, n)
	}
	if got := testfixture.AuditCount(t, b.pool, "deadline.create", "allowed"); got != n {
		t.Fatalf("deadline.create events = %d, want %d", got, n)
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rs, err := b.svc.RulesAt(ctx, b.staff, date(t, "2029-03-01"))
	if err != nil || len(rs) == 0 {
		t.Fatalf("rules = %v, %v", rs, err)
	}
	i := slices.IndexFunc(rs, func(r deadlines.RuleVersion) bool { return r.ID == "tc-appel" })
	if i < 0 || rs[i].CodeVersion != "CPP-2029" || rs[i].Article != "" {
		t.Fatalf("tc-appel in 2029 = %+v", rs[i])
	}
	if _, err := b.svc.RulesAt(ctx, testfixture.User(t, b.pool, b.org, actor.DPO), time.Time{}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("dpo: %v", err)
	}
	if n := testfixture.AuditCount(t, b.pool, "deadline_rule.list", "allowed"); n != 1 {
		t.Fatalf("deadline_rule.list events = %d", n)
	}
}

func TestPreview(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	p, err := b.svc.Preview(ctx, b.staff, "tc-appel", date(t, "2026-12-15"))
	if err != nil || !p.DueOn.Equal(date(t, "2026-12-28")) || !p.Extended || p.Rule.ID != "tc-appel" || len(p.Steps) == 0 {
		t.Fatalf("preview = %+v, %v", p, err)
	}
	var n int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM deadlines`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a preview stored %d deadlines (%v)", n, err)
	}
	_, err = b.svc.Preview(ctx, b.staff, "tc-appel", date(t, "2028-06-01"))
	wantField(t, err, "triggerOn")
	_, err = b.svc.Preview(ctx, testfixture.User(t, b.pool, b.org, actor.Admin), "tc-appel", date(t, "2026-12-15"))
	wantCode(t, err, apperr.Forbidden)
	if n := testfixture.AuditCount(t, b.pool, "deadline_rule.preview", "allowed"); n != 1 {
		t.Fatalf("deadline_rule.preview events = %d", n)
	}
}
