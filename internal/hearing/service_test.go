package hearing_test

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
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type bundle struct {
	pool    *pgxpool.Pool
	svc     *hearing.Service
	org     uuid.UUID
	staff   actor.Actor
	dossier uuid.UUID
	// base is a whole hour tomorrow: hearings start from it.
	base time.Time
}

func setup(t *testing.T) bundle {
	t.Helper()
	pool := pgtest.New(t)
	org := testfixture.Org(t, pool)
	return bundle{
		pool:    pool,
		svc:     hearing.NewService(testfixture.Authorizer(t, pool)),
		org:     org,
		staff:   testfixture.User(t, pool, org, actor.LegalStaff),
		dossier: testfixture.Dossier(t, pool, org),
		base:    time.Now().UTC().Add(24 * time.Hour).Truncate(time.Hour),
	}
}

func (b bundle) schedule(t *testing.T, dossierID uuid.UUID, startsAt time.Time) hearing.Hearing {
	t.Helper()
	h, err := b.svc.Schedule(context.Background(), b.staff, hearing.ScheduleInput{
		DossierID: dossierID, Kind: hearing.KindTrial, StartsAt: startsAt})
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	return h
}

func (b bundle) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM hearings`).Scan(&n); err != nil {
		t.Fatalf("count hearings: %v", err)
	}
	return n
}

func (b bundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := b.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
}

func (b bundle) proceeding(t *testing.T, dossierID uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := b.pool.QueryRow(context.Background(), `INSERT INTO proceedings (dossier_id, stage, court_kind, started_on)
		VALUES ($1, 'trial', 'tribunal_correctionnel', '2025-02-01') RETURNING id`, dossierID).Scan(&id)
	if err != nil {
		t.Fatalf("insert proceeding: %v", err)
	}
	return id
}

func (b bundle) closeDossier(t *testing.T, dossierID uuid.UUID) {
	t.Helper()
	b.exec(t, `UPDATE dossiers SET status = 'closed', closed_on = '2025-06-01' WHERE id = $1`, dossierID)
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

func TestSchedule(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	proc := b.proceeding(t, b.dossier)
	end := b.base.Add(3 * time.Hour)
	h, err := b.svc.Schedule(ctx, b.staff, hearing.ScheduleInput{
		DossierID: b.dossier, ProceedingID: &proc, Kind: hearing.KindPleading, StartsAt: b.base, EndsAt: &end,
		CourtRoom: ptr("  Salle 2 "), Attendees: []string{"avocate", " juriste ", "avocate", ""},
	})
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	if h.DossierID != b.dossier || h.ProceedingID == nil || *h.ProceedingID != proc || h.Kind != hearing.KindPleading ||
		!h.StartsAt.Equal(b.base) || h.EndsAt == nil || !h.EndsAt.Equal(end) || h.CourtRoom != "Salle 2" ||
		!slices.Equal(h.Attendees, []string{"avocate", "juriste"}) || h.Status != hearing.Scheduled || h.MovedCount != 0 {
		t.Fatalf("hearing = %+v", h)
	}
	if n := testfixture.AuditCount(t, b.pool, "hearing.schedule", "allowed"); n != 1 {
		t.Fatalf("audit events = %d, want 1", n)
	}
	got, err := b.svc.Get(ctx, b.staff, h.ID)
	if err != nil || got.ID != h.ID || got.CourtRoom != "Salle 2" {
		t.Fatalf("get = %+v, %v", got, err)
	}
}

func TestScheduleValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	now := time.Now().UTC()
	tests := []struct {
		name  string
		in    hearing.ScheduleInput
		field string
	}{
		{"unknown kind", hearing.ScheduleInput{Kind: "brunch", StartsAt: b.base}, "kind"},
		{"end before start", hearing.ScheduleInput{Kind: hearing.KindTrial, StartsAt: b.base, EndsAt: ptr(b.base.Add(-time.Hour))}, "endsAt"},
		{"end at start", hearing.ScheduleInput{Kind: hearing.KindTrial, StartsAt: b.base, EndsAt: ptr(b.base)}, "endsAt"},
		{"end years later", hearing.ScheduleInput{Kind: hearing.KindTrial, StartsAt: b.base, EndsAt: ptr(b.base.AddDate(2, 0, 0))}, "endsAt"},
		{"no start", hearing.ScheduleInput{Kind: hearing.KindTrial}, "startsAt"},
		{"far past", hearing.ScheduleInput{Kind: hearing.KindTrial, StartsAt: now.AddDate(-3, 0, 0)}, "startsAt"},
		{"far future", hearing.ScheduleInput{Kind: hearing.KindTrial, StartsAt: now.AddDate(11, 0, 0)}, "startsAt"},
		{"court room too long", hearing.ScheduleInput{Kind: hearing.KindTrial, StartsAt: b.base, CourtRoom: ptr(strings.Repeat("x", 201))}, "courtRoom"},
		{"attendee too long", hearing.ScheduleInput{Kind: hearing.KindTrial, StartsAt: b.base, Attendees: []string{strings.Repeat("x", 81)}}, "attendees"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.DossierID = b.dossier
			_, err := b.svc.Schedule(context.Background(), b.staff, tt.in)
			wantField(t, err, tt.field)
		})
	}
	if n := b.count(t); n != 0 {
		t.Fatalf("%d hearings written after errors", n)
	}
}

func TestScheduleRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	other := testfixture.Dossier(t, b.pool, b.org)
	otherProc := b.proceeding(t, other)
	closed := testfixture.Dossier(t, b.pool, b.org)
	b.closeDossier(t, closed)

	_, err := b.svc.Schedule(ctx, b.staff, hearing.ScheduleInput{DossierID: closed, Kind: hearing.KindTrial, StartsAt: b.base})
	wantField(t, err, "dossierId")

	_, err = b.svc.Schedule(ctx, b.staff, hearing.ScheduleInput{DossierID: b.dossier, ProceedingID: &otherProc,
		Kind: hearing.KindTrial, StartsAt: b.base})
	wantField(t, err, "proceedingId")

	_, err = b.svc.Schedule(ctx, b.staff, hearing.ScheduleInput{DossierID: b.dossier, ProceedingID: ptr(uuid.New()),
		Kind: hearing.KindTrial, StartsAt: b.base})
	wantField(t, err, "proceedingId")

	if n := b.count(t); n != 0 {
		t.Fatalf("%d hearings written after errors", n)
	}
	if n := testfixture.AuditCount(t, b.pool, "hearing.schedule", "allowed"); n != 0 {
		t.Fatalf("audit events = %d after errors, want 0", n)
	}
}

func TestScheduleAccess(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	otherOrg := testfixture.Org(t, b.pool)
	foreign := testfixture.Dossier(t, b.pool, otherOrg)
	assigned := testfixture.Dossier(t, b.pool, b.org)
	lawyer := testfixture.User(t, b.pool, b.org, actor.PartnerLawyer)
	testfixture.Assign(t, b.pool, assigned, lawyer.UserID)

	tests := []struct {
		name    string
		a       actor.Actor
		dossier uuid.UUID
		code    apperr.Code
	}{
		{"unknown dossier", b.staff, uuid.New(), apperr.NotFound},
		{"dossier of another organisation", b.staff, foreign, apperr.NotFound},
		{"advocacy", testfixture.User(t, b.pool, b.org, actor.Advocacy), b.dossier, apperr.Forbidden},
		{"admin", testfixture.User(t, b.pool, b.org, actor.Admin), b.dossier, apperr.Forbidden},
		{"dpo", testfixture.User(t, b.pool, b.org, actor.DPO), b.dossier, apperr.NotFound},
		{"partner lawyer, unassigned", lawyer, b.dossier, apperr.NotFound},
		{"anonymous", actor.Actor{}, b.dossier, apperr.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.Schedule(ctx, tt.a, hearing.ScheduleInput{DossierID: tt.dossier, Kind: hearing.KindTrial, StartsAt: b.base})
			wantCode(t, err, tt.code)
		})
	}
	if n := b.count(t); n != 0 {
		t.Fatalf("%d hearings written after refusals", n)
	}
	// Refusals are in the audit log (advocacy, admin, dpo, lawyer, foreign,
	// and the unknown dossier: a missing id is refused like a hidden one).
	if n := testfixture.AuditCount(t, b.pool, "access.denied", "denied"); n != 6 {
		t.Fatalf("denied events = %d, want 6", n)
	}

	h, err := b.svc.Schedule(ctx, lawyer, hearing.ScheduleInput{DossierID: assigned, Kind: hearing.KindTrial, StartsAt: b.base})
	if err != nil || h.DossierID != assigned {
		t.Fatalf("lawyer schedules in assigned dossier: %+v, %v", h, err)
	}
}

func TestMove(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	end := b.base.Add(2 * time.Hour)
	h, err := b.svc.Schedule(ctx, b.staff, hearing.ScheduleInput{DossierID: b.dossier, Kind: hearing.KindTrial,
		StartsAt: b.base, EndsAt: &end, CourtRoom: ptr("Salle 1")})
	if err != nil {
		t.Fatal(err)
	}

	// Without a new end the hearing keeps its duration and its room.
	later := b.base.Add(48 * time.Hour)
	m, err := b.svc.Move(ctx, b.staff, h.ID, hearing.MoveInput{StartsAt: later})
	if err != nil {
		t.Fatalf("move: %v", err)
	}
	if !m.StartsAt.Equal(later) || m.EndsAt == nil || !m.EndsAt.Equal(later.Add(2*time.Hour)) || m.CourtRoom != "Salle 1" || m.MovedCount != 1 {
		t.Fatalf("moved = %+v", m)
	}
	newEnd := later.Add(5 * time.Hour)
	m, err = b.svc.Move(ctx, b.staff, h.ID, hearing.MoveInput{StartsAt: later, EndsAt: &newEnd, CourtRoom: ptr("Salle 3")})
	if err != nil || !m.EndsAt.Equal(newEnd) || m.CourtRoom != "Salle 3" || m.MovedCount != 2 {
		t.Fatalf("moved again = %+v, %v", m, err)
	}
	if n := testfixture.AuditCount(t, b.pool, "hearing.move", "allowed"); n != 2 {
		t.Fatalf("audit events = %d, want 2", n)
	}

	_, err = b.svc.Move(ctx, b.staff, h.ID, hearing.MoveInput{StartsAt: later, EndsAt: ptr(later.Add(-time.Minute))})
	wantField(t, err, "endsAt")
	_, err = b.svc.Move(ctx, b.staff, h.ID, hearing.MoveInput{StartsAt: time.Now().AddDate(20, 0, 0)})
	wantField(t, err, "startsAt")
	_, err = b.svc.Move(ctx, b.staff, uuid.New(), hearing.MoveInput{StartsAt: later})
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.Move(ctx, testfixture.User(t, b.pool, b.org, actor.Advocacy), h.ID, hearing.MoveInput{StartsAt: later})
	wantCode(t, err, apperr.Forbidden)
	_, err = b.svc.Move(ctx, testfixture.User(t, b.pool, testfixture.Org(t, b.pool), actor.LegalStaff), h.ID, hearing.MoveInput{StartsAt: later})
	wantCode(t, err, apperr.NotFound)

	// A cancelled or held hearing cannot be moved; neither can one of a closed dossier.
	cancelled := b.schedule(t, b.dossier, b.base)
	if _, err := b.svc.Cancel(ctx, b.staff, cancelled.ID, "renvoi sine die"); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.Move(ctx, b.staff, cancelled.ID, hearing.MoveInput{StartsAt: later})
	wantCode(t, err, apperr.Conflict)
	held := b.schedule(t, b.dossier, b.base)
	if _, err := b.svc.RecordOutcome(ctx, b.staff, held.ID, "renvoyée au 12"); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.Move(ctx, b.staff, held.ID, hearing.MoveInput{StartsAt: later})
	wantCode(t, err, apperr.Conflict)
	b.closeDossier(t, b.dossier)
	_, err = b.svc.Move(ctx, b.staff, h.ID, hearing.MoveInput{StartsAt: b.base})
	wantCode(t, err, apperr.Conflict)

	got, err := b.svc.Get(ctx, b.staff, h.ID)
	if err != nil || got.MovedCount != 2 || !got.StartsAt.Equal(later) {
		t.Fatalf("after refused moves = %+v, %v", got, err)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	h := b.schedule(t, b.dossier, b.base)

	_, err := b.svc.Cancel(ctx, b.staff, h.ID, "   ")
	wantField(t, err, "reason")
	_, err = b.svc.Cancel(ctx, b.staff, h.ID, strings.Repeat("x", 1001))
	wantField(t, err, "reason")
	_, err = b.svc.Cancel(ctx, b.staff, uuid.New(), "x")
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.Cancel(ctx, testfixture.User(t, b.pool, b.org, actor.PartnerLawyer), h.ID, "x")
	wantCode(t, err, apperr.NotFound)

	c, err := b.svc.Cancel(ctx, b.staff, h.ID, " juridiction dessaisie ")
	if err != nil || c.Status != hearing.Cancelled || c.CancelReason != "juridiction dessaisie" {
		t.Fatalf("cancel = %+v, %v", c, err)
	}
	_, err = b.svc.Cancel(ctx, b.staff, h.ID, "again")
	wantCode(t, err, apperr.Conflict)
	if n := testfixture.AuditCount(t, b.pool, "hearing.cancel", "allowed"); n != 1 {
		t.Fatalf("audit events = %d, want 1", n)
	}
}

func TestRecordOutcome(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	h := b.schedule(t, b.dossier, b.base)

	_, err := b.svc.RecordOutcome(ctx, b.staff, h.ID, "")
	wantField(t, err, "note")
	_, err = b.svc.RecordOutcome(ctx, b.staff, uuid.New(), "x")
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.RecordOutcome(ctx, testfixture.User(t, b.pool, b.org, actor.Advocacy), h.ID, "x")
	wantCode(t, err, apperr.Forbidden)

	o, err := b.svc.RecordOutcome(ctx, b.staff, h.ID, "Affaire mise en délibéré")
	if err != nil || o.Status != hearing.Held || o.OutcomeNote != "Affaire mise en délibéré" {
		t.Fatalf("outcome = %+v, %v", o, err)
	}
	// A held hearing's note can be corrected.
	if o, err = b.svc.RecordOutcome(ctx, b.staff, h.ID, "Délibéré au 3 mars"); err != nil || o.OutcomeNote != "Délibéré au 3 mars" {
		t.Fatalf("corrected outcome = %+v, %v", o, err)
	}
	c := b.schedule(t, b.dossier, b.base)
	if _, err := b.svc.Cancel(ctx, b.staff, c.ID, "x"); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.RecordOutcome(ctx, b.staff, c.ID, "x")
	wantCode(t, err, apperr.Conflict)
	// A held hearing cannot be cancelled either.
	_, err = b.svc.Cancel(ctx, b.staff, h.ID, "x")
	wantCode(t, err, apperr.Conflict)
	if n := testfixture.AuditCount(t, b.pool, "hearing.outcome", "allowed"); n != 2 {
		t.Fatalf("audit events = %d, want 2", n)
	}
}

func TestGetAccess(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	h := b.schedule(t, b.dossier, b.base)
	lawyer := testfixture.User(t, b.pool, b.org, actor.PartnerLawyer)

	if _, err := b.svc.Get(ctx, testfixture.User(t, b.pool, b.org, actor.Advocacy), h.ID); err != nil {
		t.Fatalf("advocacy reads a hearing: %v", err)
	}
	if n := testfixture.AuditCount(t, b.pool, "hearing.read", "allowed"); n != 1 {
		t.Fatalf("audit events = %d, want 1", n)
	}
	_, err := b.svc.Get(ctx, b.staff, uuid.New())
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.Get(ctx, testfixture.User(t, b.pool, testfixture.Org(t, b.pool), actor.LegalStaff), h.ID)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.Get(ctx, lawyer, h.ID)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.Get(ctx, testfixture.User(t, b.pool, b.org, actor.DPO), h.ID)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.Get(ctx, testfixture.User(t, b.pool, b.org, actor.Admin), h.ID)
	wantCode(t, err, apperr.Forbidden)

	testfixture.Assign(t, b.pool, b.dossier, lawyer.UserID)
	if _, err := b.svc.Get(ctx, lawyer, h.ID); err != nil {
		t.Fatalf("assigned lawyer reads a hearing: %v", err)
	}
	// A co-civil-party organisation sees the hearings of a shared dossier.
	partnerOrg := testfixture.Org(t, b.pool)
	testfixture.Share(t, b.pool, b.dossier, partnerOrg)
	if _, err := b.svc.Get(ctx, testfixture.User(t, b.pool, partnerOrg, actor.LegalStaff), h.ID); err != nil {
		t.Fatalf("shared dossier: %v", err)
	}
}

func TestByDossierAndProceeding(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	proc := b.proceeding(t, b.dossier)
	late := b.schedule(t, b.dossier, b.base.Add(72*time.Hour))
	early, err := b.svc.Schedule(ctx, b.staff, hearing.ScheduleInput{DossierID: b.dossier, ProceedingID: &proc,
		Kind: hearing.KindTrial, StartsAt: b.base})
	if err != nil {
		t.Fatal(err)
	}
	mid := b.schedule(t, b.dossier, b.base.Add(24*time.Hour))
	if _, err := b.svc.Cancel(ctx, b.staff, mid.ID, "x"); err != nil {
		t.Fatal(err)
	}
	b.schedule(t, testfixture.Dossier(t, b.pool, b.org), b.base) // another dossier

	hs, err := b.svc.ByDossier(ctx, b.staff, b.dossier)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(hs); !slices.Equal(got, []uuid.UUID{early.ID, mid.ID, late.ID}) {
		t.Fatalf("by dossier = %v, want early, mid (cancelled), late", got)
	}
	_, err = b.svc.ByDossier(ctx, b.staff, uuid.New())
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.ByDossier(ctx, testfixture.User(t, b.pool, testfixture.Org(t, b.pool), actor.LegalStaff), b.dossier)
	wantCode(t, err, apperr.NotFound)

	hs, err = b.svc.ByProceeding(ctx, b.staff, proc)
	if err != nil || !slices.Equal(ids(hs), []uuid.UUID{early.ID}) {
		t.Fatalf("by proceeding = %v, %v", ids(hs), err)
	}
	_, err = b.svc.ByProceeding(ctx, b.staff, uuid.New())
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.ByProceeding(ctx, testfixture.User(t, b.pool, b.org, actor.PartnerLawyer), proc)
	wantCode(t, err, apperr.NotFound)
	if n := testfixture.AuditCount(t, b.pool, "hearing.list", "allowed"); n != 2 {
		t.Fatalf("audit events = %d, want 2", n)
	}
}

func ids(hs []hearing.Hearing) []uuid.UUID {
	out := make([]uuid.UUID, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func TestNextByDossiers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	now := time.Now()
	d2 := testfixture.Dossier(t, b.pool, b.org)
	d3 := testfixture.Dossier(t, b.pool, b.org)
	foreignOrg := testfixture.Org(t, b.pool)
	foreign := testfixture.Dossier(t, b.pool, foreignOrg)

	// Dossier 1: a past hearing, a cancelled one and a held one come
	// first; the next is the earliest scheduled one from now.
	b.schedule(t, b.dossier, now.Add(-48*time.Hour))
	c := b.schedule(t, b.dossier, b.base)
	if _, err := b.svc.Cancel(ctx, b.staff, c.ID, "x"); err != nil {
		t.Fatal(err)
	}
	held := b.schedule(t, b.dossier, b.base.Add(time.Hour))
	if _, err := b.svc.RecordOutcome(ctx, b.staff, held.ID, "x"); err != nil {
		t.Fatal(err)
	}
	want := b.schedule(t, b.dossier, b.base.Add(2*time.Hour))
	b.schedule(t, b.dossier, b.base.Add(3*time.Hour))
	// Dossier 2: only past and cancelled hearings. Dossier 3: none.
	b.schedule(t, d2, now.Add(-time.Hour))
	c2 := b.schedule(t, d2, b.base)
	if _, err := b.svc.Cancel(ctx, b.staff, c2.ID, "x"); err != nil {
		t.Fatal(err)
	}
	// Another organisation's dossier never shows.
	b.exec(t, `INSERT INTO hearings (dossier_id, kind, starts_at) VALUES ($1, 'trial', $2)`, foreign, b.base)

	got, err := b.svc.NextByDossiers(ctx, b.staff, []uuid.UUID{b.dossier, d2, d3, foreign, uuid.New()}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[b.dossier].ID != want.ID {
		t.Fatalf("next = %+v, want only dossier 1 → %s", got, want.ID)
	}
	if n := testfixture.AuditCount(t, b.pool, "hearing.read", "allowed"); n != 1 {
		t.Fatalf("audit events = %d, want 1", n)
	}
	// An unassigned partner lawyer sees no next hearing.
	got, err = b.svc.NextByDossiers(ctx, testfixture.User(t, b.pool, b.org, actor.PartnerLawyer), []uuid.UUID{b.dossier}, now)
	if err != nil || len(got) != 0 {
		t.Fatalf("unassigned lawyer: %+v, %v", got, err)
	}
}

func TestListCalendar(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	d2 := testfixture.Dossier(t, b.pool, b.org)
	foreign := testfixture.Dossier(t, b.pool, testfixture.Org(t, b.pool))

	// Seven hearings interleaved over two dossiers; two share a start time
	// so the id breaks the tie across a page boundary.
	var want []hearing.Hearing
	for i, at := range []time.Duration{0, 1, 2, 2, 3, 5, 8} {
		d := b.dossier
		if i%2 == 1 {
			d = d2
		}
		want = append(want, b.schedule(t, d, b.base.Add(at*time.Hour)))
	}
	slices.SortFunc(want, func(x, y hearing.Hearing) int {
		if c := x.StartsAt.Compare(y.StartsAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID.String(), y.ID.String())
	})
	cancelled := b.schedule(t, d2, b.base.Add(4*time.Hour))
	if _, err := b.svc.Cancel(ctx, b.staff, cancelled.ID, "x"); err != nil {
		t.Fatal(err)
	}
	b.schedule(t, b.dossier, b.base.Add(30*24*time.Hour)) // outside the window
	b.exec(t, `INSERT INTO hearings (dossier_id, kind, starts_at) VALUES ($1, 'trial', $2)`, foreign, b.base.Add(time.Hour))

	from, to := b.base.Add(-time.Hour), b.base.Add(7*24*time.Hour)
	var got []uuid.UUID
	var after *string
	pages := 0
	for {
		p, err := b.svc.List(ctx, b.staff, hearing.ListParams{From: from, To: to, First: ptr(3), After: after})
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		got = append(got, ids(p.Nodes)...)
		if !p.Info.HasNextPage {
			break
		}
		if pages > 5 || p.Info.EndCursor == nil {
			t.Fatalf("pagination does not end: %+v", p.Info)
		}
		after = p.Info.EndCursor
	}
	if pages != 3 || !slices.Equal(got, ids(want)) {
		t.Fatalf("calendar over %d pages = %v, want %v in 3 pages", pages, got, ids(want))
	}
	if n := testfixture.AuditCount(t, b.pool, "hearing.list", "allowed"); n != 3 {
		t.Fatalf("audit events = %d, want 3", n)
	}

	p, err := b.svc.List(ctx, b.staff, hearing.ListParams{From: from, To: to, IncludeCancelled: true, First: ptr(100)})
	if err != nil || len(p.Nodes) != len(want)+1 || !slices.Contains(ids(p.Nodes), cancelled.ID) || p.Info.HasNextPage {
		t.Fatalf("with cancelled = %v, %+v, %v", ids(p.Nodes), p.Info, err)
	}

	// A partner lawyer sees the hearings of their dossiers only, and may schedule there.
	lawyer := testfixture.User(t, b.pool, b.org, actor.PartnerLawyer)
	testfixture.Assign(t, b.pool, d2, lawyer.UserID)
	p, err = b.svc.List(ctx, lawyer, hearing.ListParams{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range p.Nodes {
		if h.DossierID != d2 {
			t.Fatalf("lawyer sees hearing %s of dossier %s", h.ID, h.DossierID)
		}
	}
	if len(p.Nodes) != 3 {
		t.Fatalf("lawyer sees %d hearings, want 3", len(p.Nodes))
	}
	h, err := b.svc.Schedule(ctx, lawyer, hearing.ScheduleInput{DossierID: d2, Kind: hearing.KindPleading, StartsAt: b.base})
	if err != nil {
		t.Fatalf("lawyer schedules: %v", err)
	}
	if p, err = b.svc.List(ctx, lawyer, hearing.ListParams{From: from, To: to}); err != nil || !slices.Contains(ids(p.Nodes), h.ID) {
		t.Fatalf("lawyer's new hearing missing: %v, %v", ids(p.Nodes), err)
	}
}

func TestListValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	from := b.base
	bad := "bm90IGEgY3Vyc29y"
	tests := []struct {
		name  string
		p     hearing.ListParams
		field string
	}{
		{"to before from", hearing.ListParams{From: from, To: from.Add(-time.Hour)}, "to"},
		{"empty window", hearing.ListParams{From: from, To: from}, "to"},
		{"window too long", hearing.ListParams{From: from, To: from.Add(401 * 24 * time.Hour)}, "to"},
		{"no from", hearing.ListParams{To: from}, "from"},
		{"page too large", hearing.ListParams{From: from, To: from.Add(time.Hour), First: ptr(1000)}, "first"},
		{"page empty", hearing.ListParams{From: from, To: from.Add(time.Hour), First: ptr(0)}, "first"},
		{"bad cursor", hearing.ListParams{From: from, To: from.Add(time.Hour), After: &bad}, "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.List(ctx, b.staff, tt.p)
			wantField(t, err, tt.field)
		})
	}
	if _, err := b.svc.List(ctx, b.staff, hearing.ListParams{From: from, To: from.Add(400 * 24 * time.Hour)}); err != nil {
		t.Fatalf("400-day window: %v", err)
	}
	_, err := b.svc.List(ctx, testfixture.User(t, b.pool, b.org, actor.DPO), hearing.ListParams{From: from, To: from.Add(time.Hour)})
	wantCode(t, err, apperr.Forbidden)
}
