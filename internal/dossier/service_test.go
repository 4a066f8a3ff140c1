package dossier_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type fixture struct {
	pool  *pgxpool.Pool
	svc   *dossier.Service
	org   uuid.UUID   // the actor's organisation
	other uuid.UUID   // another organisation
	staff actor.Actor // legal staff of org
}

func setup(t *testing.T) fixture {
	t.Helper()
	pool := pgtest.New(t)
	org := testfixture.Org(t, pool)
	return fixture{
		pool:  pool,
		svc:   dossier.NewService(testfixture.Authorizer(t, pool)),
		org:   org,
		other: testfixture.Org(t, pool),
		staff: testfixture.User(t, pool, org, actor.LegalStaff),
	}
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

// wantErr checks the code of err and, for INVALID, that field is named.
func wantErr(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got no error", code)
	}
	e, ok := apperr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("want %s, got %v", code, err)
	}
	if field == "" {
		return
	}
	for _, fe := range e.Fields {
		if fe.Field == field {
			return
		}
	}
	t.Fatalf("want an error on field %q, got %v", field, err)
}

// state sums up everything a dossier call may write, except refusals
// (access.denied events), so that a failed call can be shown to have
// written nothing.
func state(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var s string
	err := pool.QueryRow(context.Background(), `SELECT
		coalesce((SELECT md5(string_agg(d::text, '|' ORDER BY d.id)) FROM dossiers d), '') || ' ' ||
		(SELECT count(*) FROM dossier_assignments) || ' ' ||
		(SELECT count(*) FROM audit_events WHERE outcome = 'allowed')`).Scan(&s)
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	return s
}

// unchanged fails t if call writes anything.
func unchanged(t *testing.T, pool *pgxpool.Pool, call func()) {
	t.Helper()
	before := state(t, pool)
	call()
	if after := state(t, pool); after != before {
		t.Fatalf("a failed call wrote something: %s → %s", before, after)
	}
}

func count(t *testing.T, pool *pgxpool.Pool, query string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// lastAudit returns the resource ids of the latest event with action.
func lastAudit(t *testing.T, pool *pgxpool.Pool, action string) (ids []uuid.UUID, dossierID *uuid.UUID, actorID uuid.UUID) {
	t.Helper()
	err := pool.QueryRow(context.Background(), `SELECT resource_ids, dossier_id, actor_user_id FROM audit_events
		WHERE action = $1 ORDER BY id DESC LIMIT 1`, action).Scan(&ids, &dossierID, &actorID)
	if err != nil {
		t.Fatalf("audit event %s: %v", action, err)
	}
	return ids, dossierID, actorID
}

func minimal(ref string) dossier.CreateInput {
	return dossier.CreateInput{Reference: ref, Title: "Réseau de diffusion", Themes: []dossier.Theme{dossier.ThemeGrooming}}
}

func (f fixture) create(t *testing.T, in dossier.CreateInput) dossier.Dossier {
	t.Helper()
	d, err := f.svc.Create(context.Background(), f.staff, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return d
}

func parisToday() time.Time {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.UTC
	}
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestCreate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	opened, retention := date("2025-01-10"), date("2035-01-10")
	d, err := f.svc.Create(ctx, f.staff, dossier.CreateInput{
		Reference: "  PAR-2025-001 ", Title: "  Réseau de diffusion  ", Summary: ptr("Résumé anonymisé"),
		Themes:   []dossier.Theme{dossier.ThemeGrooming, dossier.ThemeSextortion, dossier.ThemeGrooming},
		OpenedOn: &opened, ParquetNumber: ptr("25/123"), InstructionNumber: ptr("JI-9"),
		Platforms: []string{" Discord ", "Discord", "", "Telegram"}, Countries: []string{"fr", " be"},
		RetentionUntil: &retention,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == uuid.Nil || d.OrganisationID != f.org || d.Reference != "PAR-2025-001" || d.Title != "Réseau de diffusion" ||
		d.Summary != "Résumé anonymisé" || d.Status != dossier.StatusOpen || !d.OpenedOn.Equal(opened) || d.ClosedOn != nil ||
		d.ParquetNumber != "25/123" || d.InstructionNumber != "JI-9" || d.RetentionUntil == nil || !d.RetentionUntil.Equal(retention) {
		t.Fatalf("created %+v", d)
	}
	if !slices.Equal(d.Themes, []dossier.Theme{dossier.ThemeGrooming, dossier.ThemeSextortion}) ||
		!slices.Equal(d.Platforms, []string{"Discord", "Telegram"}) || !slices.Equal(d.Countries, []string{"FR", "BE"}) {
		t.Fatalf("lists not cleaned: themes %v, platforms %v, countries %v", d.Themes, d.Platforms, d.Countries)
	}
	got, err := f.svc.Get(ctx, f.staff, d.ID)
	if err != nil || got.Reference != d.Reference || !slices.Equal(got.Countries, d.Countries) {
		t.Fatalf("read back %+v, %v", got, err)
	}

	// The creator is assigned, so that they can work on identities.
	if n := count(t, f.pool, `SELECT count(*) FROM dossier_assignments WHERE dossier_id = $1 AND user_id = $2`, d.ID, f.staff.UserID); n != 1 {
		t.Fatalf("creator not assigned (%d)", n)
	}
	if n := testfixture.AuditCount(t, f.pool, "dossier.create", "allowed"); n != 1 {
		t.Fatalf("%d dossier.create events", n)
	}
	ids, did, who := lastAudit(t, f.pool, "dossier.create")
	if !slices.Equal(ids, []uuid.UUID{d.ID}) || did == nil || *did != d.ID || who != f.staff.UserID {
		t.Fatalf("audit event: ids %v dossier %v actor %v", ids, did, who)
	}

	// Without a date, a dossier opens today (Paris time).
	before := parisToday()
	d2 := f.create(t, minimal("PAR-2025-002"))
	if after := parisToday(); !d2.OpenedOn.Equal(before) && !d2.OpenedOn.Equal(after) {
		t.Fatalf("opened on %s, want today %s", d2.OpenedOn, before)
	}
	if len(d2.Platforms) != 0 || len(d2.Countries) != 0 || d2.Summary != "" || d2.RetentionUntil != nil {
		t.Fatalf("defaults: %+v", d2)
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.create(t, minimal("EXISTING"))
	yesterday := parisToday().AddDate(0, 0, -1)
	for name, tc := range map[string]struct {
		change func(*dossier.CreateInput)
		field  string
	}{
		"reference missing":           {func(in *dossier.CreateInput) { in.Reference = "   " }, "reference"},
		"reference too long":          {func(in *dossier.CreateInput) { in.Reference = strings.Repeat("R", 65) }, "reference"},
		"title missing":               {func(in *dossier.CreateInput) { in.Title = "" }, "title"},
		"title too long":              {func(in *dossier.CreateInput) { in.Title = strings.Repeat("é", 301) }, "title"},
		"summary too long":            {func(in *dossier.CreateInput) { in.Summary = ptr(strings.Repeat("s", 20001)) }, "summary"},
		"no theme":                    {func(in *dossier.CreateInput) { in.Themes = nil }, "themes"},
		"unknown theme":               {func(in *dossier.CreateInput) { in.Themes = []dossier.Theme{"cooking"} }, "themes"},
		"parquet number too long":     {func(in *dossier.CreateInput) { in.ParquetNumber = ptr(strings.Repeat("1", 65)) }, "parquetNumber"},
		"instruction number too long": {func(in *dossier.CreateInput) { in.InstructionNumber = ptr(strings.Repeat("1", 65)) }, "instructionNumber"},
		"too many platforms":          {func(in *dossier.CreateInput) { in.Platforms = manyLabels(31) }, "platforms"},
		"bad country":                 {func(in *dossier.CreateInput) { in.Countries = []string{"FR", "FRA"} }, "countries"},
		"empty country":               {func(in *dossier.CreateInput) { in.Countries = []string{" "} }, "countries"},
		"retention before opening": {func(in *dossier.CreateInput) {
			in.OpenedOn, in.RetentionUntil = ptr(date("2025-01-10")), ptr(date("2025-01-09"))
		}, "retentionUntil"},
		"retention before default opening": {func(in *dossier.CreateInput) { in.RetentionUntil = &yesterday }, "retentionUntil"},
		"duplicate reference":              {func(in *dossier.CreateInput) { in.Reference = "existing" }, "reference"},
		"duplicate reference, spaces":      {func(in *dossier.CreateInput) { in.Reference = " Existing " }, "reference"},
	} {
		t.Run(name, func(t *testing.T) {
			in := minimal("NEW-1")
			tc.change(&in)
			unchanged(t, f.pool, func() {
				_, err := f.svc.Create(context.Background(), f.staff, in)
				wantErr(t, err, apperr.Invalid, tc.field)
			})
		})
	}
	if n := testfixture.AuditCount(t, f.pool, "access.denied", "denied"); n != 0 {
		t.Fatalf("invalid input recorded as %d refusals", n)
	}
}

func manyLabels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("platform-%d", i)
	}
	return out
}

func TestCreateSameReferenceInAnotherOrganisation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.create(t, minimal("SHARED-REF"))
	otherStaff := testfixture.User(t, f.pool, f.other, actor.LegalStaff)
	if _, err := f.svc.Create(context.Background(), otherStaff, minimal("shared-ref")); err != nil {
		t.Fatalf("the reference is unique per organisation only: %v", err)
	}
}

func TestCreateRefusedToRolesWithoutWrite(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, r := range []actor.Role{actor.Advocacy, actor.PartnerLawyer, actor.DPO, actor.Admin} {
		t.Run(string(r), func(t *testing.T) {
			a := testfixture.User(t, f.pool, f.org, r)
			denied := testfixture.AuditCount(t, f.pool, "access.denied", "denied")
			unchanged(t, f.pool, func() {
				_, err := f.svc.Create(context.Background(), a, minimal("REF-"+string(r)))
				wantErr(t, err, apperr.Forbidden, "")
			})
			if n := testfixture.AuditCount(t, f.pool, "access.denied", "denied"); n != denied+1 {
				t.Fatalf("refusal not audited: %d → %d", denied, n)
			}
		})
	}
	t.Run("signed out", func(t *testing.T) {
		unchanged(t, f.pool, func() {
			_, err := f.svc.Create(context.Background(), actor.Actor{}, minimal("REF-ANON"))
			wantErr(t, err, apperr.Unauthenticated, "")
		})
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	opened, retention := date("2025-01-10"), date("2035-01-10")
	orig := f.create(t, dossier.CreateInput{
		Reference: "UPD-1", Title: "Avant", Summary: ptr("Résumé"), Themes: []dossier.Theme{dossier.ThemeGrooming},
		OpenedOn: &opened, ParquetNumber: ptr("P-1"), InstructionNumber: ptr("I-1"), Platforms: []string{"Discord"},
		Countries: []string{"FR"}, RetentionUntil: &retention,
	})

	t.Run("partial update keeps the other fields", func(t *testing.T) {
		d, err := f.svc.Update(ctx, f.staff, orig.ID, dossier.UpdateInput{Title: ptr("  Après ")})
		if err != nil {
			t.Fatal(err)
		}
		want := orig
		want.Title = "Après"
		if d.Title != "Après" || d.Reference != want.Reference || d.Summary != want.Summary ||
			!slices.Equal(d.Themes, want.Themes) || !d.OpenedOn.Equal(want.OpenedOn) || d.ParquetNumber != want.ParquetNumber ||
			d.InstructionNumber != want.InstructionNumber || !slices.Equal(d.Platforms, want.Platforms) ||
			!slices.Equal(d.Countries, want.Countries) || !d.RetentionUntil.Equal(*want.RetentionUntil) ||
			d.Status != dossier.StatusOpen || !d.CreatedAt.Equal(orig.CreatedAt) {
			t.Fatalf("got %+v\nwant %+v", d, want)
		}
		if !d.UpdatedAt.After(orig.UpdatedAt) {
			t.Fatalf("updated_at not advanced: %s → %s", orig.UpdatedAt, d.UpdatedAt)
		}
		ids, did, _ := lastAudit(t, f.pool, "dossier.update")
		if !slices.Equal(ids, []uuid.UUID{orig.ID}) || did == nil || *did != orig.ID {
			t.Fatalf("audit %v %v", ids, did)
		}
	})

	t.Run("every field", func(t *testing.T) {
		newOpened, newRetention := date("2025-02-01"), date("2040-01-01")
		d, err := f.svc.Update(ctx, f.staff, orig.ID, dossier.UpdateInput{
			Reference: ptr(" UPD-1b "), Title: ptr("Titre"), Summary: ptr(""), Themes: []dossier.Theme{dossier.ThemeTrafficking},
			OpenedOn: &newOpened, ParquetNumber: ptr("P-2"), InstructionNumber: ptr(""), Platforms: []string{},
			Countries: []string{"de", "AT"}, RetentionUntil: &newRetention,
		})
		if err != nil {
			t.Fatal(err)
		}
		if d.Reference != "UPD-1b" || d.Title != "Titre" || d.Summary != "" ||
			!slices.Equal(d.Themes, []dossier.Theme{dossier.ThemeTrafficking}) || !d.OpenedOn.Equal(newOpened) ||
			d.ParquetNumber != "P-2" || d.InstructionNumber != "" || len(d.Platforms) != 0 ||
			!slices.Equal(d.Countries, []string{"DE", "AT"}) || !d.RetentionUntil.Equal(newRetention) {
			t.Fatalf("got %+v", d)
		}
	})

	t.Run("errors", func(t *testing.T) {
		other := f.create(t, minimal("TAKEN-REF"))
		foreign := testfixture.Dossier(t, f.pool, f.other)
		advocacy := testfixture.User(t, f.pool, f.org, actor.Advocacy)
		lawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
		assignedLawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
		testfixture.Assign(t, f.pool, orig.ID, assignedLawyer.UserID)
		for name, tc := range map[string]struct {
			a     actor.Actor
			id    uuid.UUID
			in    dossier.UpdateInput
			code  apperr.Code
			field string
		}{
			"unknown id":                 {f.staff, uuid.New(), dossier.UpdateInput{Title: ptr("x")}, apperr.NotFound, ""},
			"other organisation":         {f.staff, foreign, dossier.UpdateInput{Title: ptr("x")}, apperr.NotFound, ""},
			"duplicate reference":        {f.staff, orig.ID, dossier.UpdateInput{Reference: ptr("taken-ref")}, apperr.Invalid, "reference"},
			"reference emptied":          {f.staff, orig.ID, dossier.UpdateInput{Reference: ptr(" ")}, apperr.Invalid, "reference"},
			"title emptied":              {f.staff, orig.ID, dossier.UpdateInput{Title: ptr("")}, apperr.Invalid, "title"},
			"themes emptied":             {f.staff, orig.ID, dossier.UpdateInput{Themes: []dossier.Theme{}}, apperr.Invalid, "themes"},
			"unknown theme":              {f.staff, orig.ID, dossier.UpdateInput{Themes: []dossier.Theme{"x"}}, apperr.Invalid, "themes"},
			"bad country":                {f.staff, orig.ID, dossier.UpdateInput{Countries: []string{"France"}}, apperr.Invalid, "countries"},
			"summary too long":           {f.staff, orig.ID, dossier.UpdateInput{Summary: ptr(strings.Repeat("s", 20001))}, apperr.Invalid, "summary"},
			"opened after retention":     {f.staff, orig.ID, dossier.UpdateInput{OpenedOn: ptr(date("2050-01-01"))}, apperr.Invalid, "openedOn"},
			"advocacy":                   {advocacy, orig.ID, dossier.UpdateInput{Title: ptr("x")}, apperr.Forbidden, ""},
			"partner lawyer, unassigned": {lawyer, orig.ID, dossier.UpdateInput{Title: ptr("x")}, apperr.NotFound, ""},
			"partner lawyer, assigned":   {assignedLawyer, orig.ID, dossier.UpdateInput{Title: ptr("x")}, apperr.Forbidden, ""},
			"signed out":                 {actor.Actor{}, orig.ID, dossier.UpdateInput{Title: ptr("x")}, apperr.Unauthenticated, ""},
		} {
			t.Run(name, func(t *testing.T) {
				unchanged(t, f.pool, func() {
					_, err := f.svc.Update(ctx, tc.a, tc.id, tc.in)
					wantErr(t, err, tc.code, tc.field)
				})
			})
		}
		if d, err := f.svc.Get(ctx, f.staff, other.ID); err != nil || d.Reference != "TAKEN-REF" {
			t.Fatalf("the other dossier changed: %+v %v", d, err)
		}
	})
}

func TestCloseAndReopen(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	d := f.create(t, dossier.CreateInput{Reference: "CLO-1", Title: "T", Themes: []dossier.Theme{dossier.ThemeGrooming},
		OpenedOn: ptr(date("2025-01-10"))})

	t.Run("reopen an open dossier", func(t *testing.T) {
		unchanged(t, f.pool, func() {
			_, err := f.svc.Reopen(ctx, f.staff, d.ID)
			wantErr(t, err, apperr.Conflict, "")
		})
	})
	t.Run("closed before it was opened", func(t *testing.T) {
		unchanged(t, f.pool, func() {
			_, err := f.svc.Close(ctx, f.staff, d.ID, dossier.CloseInput{ClosedOn: ptr(date("2025-01-09")), Reason: "Fin"})
			wantErr(t, err, apperr.Invalid, "closedOn")
		})
	})
	t.Run("no reason", func(t *testing.T) {
		unchanged(t, f.pool, func() {
			_, err := f.svc.Close(ctx, f.staff, d.ID, dossier.CloseInput{Reason: "  "})
			wantErr(t, err, apperr.Invalid, "reason")
		})
	})
	t.Run("reason too long", func(t *testing.T) {
		unchanged(t, f.pool, func() {
			_, err := f.svc.Close(ctx, f.staff, d.ID, dossier.CloseInput{Reason: strings.Repeat("r", 2001)})
			wantErr(t, err, apperr.Invalid, "reason")
		})
	})
	t.Run("unknown, foreign or not allowed", func(t *testing.T) {
		foreign := testfixture.Dossier(t, f.pool, f.other)
		advocacy := testfixture.User(t, f.pool, f.org, actor.Advocacy)
		for name, tc := range map[string]struct {
			a    actor.Actor
			id   uuid.UUID
			code apperr.Code
		}{
			"unknown":  {f.staff, uuid.New(), apperr.NotFound},
			"foreign":  {f.staff, foreign, apperr.NotFound},
			"advocacy": {advocacy, d.ID, apperr.Forbidden},
		} {
			t.Run(name, func(t *testing.T) {
				unchanged(t, f.pool, func() {
					_, err := f.svc.Close(ctx, tc.a, tc.id, dossier.CloseInput{Reason: "Fin"})
					wantErr(t, err, tc.code, "")
					_, err = f.svc.Reopen(ctx, tc.a, tc.id)
					wantErr(t, err, tc.code, "")
				})
			})
		}
	})

	closed, err := f.svc.Close(ctx, f.staff, d.ID, dossier.CloseInput{ClosedOn: ptr(date("2025-06-30")), Reason: "  Jugement définitif "})
	if err != nil {
		t.Fatal(err)
	}
	if closed.Status != dossier.StatusClosed || closed.ClosedOn == nil || !closed.ClosedOn.Equal(date("2025-06-30")) ||
		closed.ClosingReason != "Jugement définitif" {
		t.Fatalf("closed %+v", closed)
	}
	if n := testfixture.AuditCount(t, f.pool, "dossier.close", "allowed"); n != 1 {
		t.Fatalf("%d dossier.close events", n)
	}

	t.Run("close twice", func(t *testing.T) {
		unchanged(t, f.pool, func() {
			_, err := f.svc.Close(ctx, f.staff, d.ID, dossier.CloseInput{Reason: "Encore"})
			wantErr(t, err, apperr.Conflict, "")
		})
	})

	reopened, err := f.svc.Reopen(ctx, f.staff, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if reopened.Status != dossier.StatusOpen || reopened.ClosedOn != nil || reopened.ClosingReason != "" {
		t.Fatalf("reopened %+v", reopened)
	}
	if n := testfixture.AuditCount(t, f.pool, "dossier.reopen", "allowed"); n != 1 {
		t.Fatalf("%d dossier.reopen events", n)
	}

	// Without a date, a dossier closes today (Paris time).
	before := parisToday()
	closed, err = f.svc.Close(ctx, f.staff, d.ID, dossier.CloseInput{Reason: "Fin"})
	if err != nil {
		t.Fatal(err)
	}
	if after := parisToday(); closed.ClosedOn == nil || (!closed.ClosedOn.Equal(before) && !closed.ClosedOn.Equal(after)) {
		t.Fatalf("closed on %v, want today %s", closed.ClosedOn, before)
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	own := f.create(t, minimal("GET-1"))
	foreign := testfixture.Dossier(t, f.pool, f.other)
	sharedWithUs := testfixture.Dossier(t, f.pool, f.other)
	testfixture.Share(t, f.pool, sharedWithUs, f.org)
	lawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
	assigned := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
	testfixture.Assign(t, f.pool, own.ID, assigned.UserID)
	testfixture.Assign(t, f.pool, sharedWithUs, assigned.UserID)
	otherStaff := testfixture.User(t, f.pool, f.other, actor.LegalStaff)

	for name, tc := range map[string]struct {
		a    actor.Actor
		id   uuid.UUID
		code apperr.Code // "" when visible
	}{
		"own":                              {f.staff, own.ID, ""},
		"shared with my organisation":      {f.staff, sharedWithUs, ""},
		"other organisation":               {f.staff, foreign, apperr.NotFound},
		"unknown":                          {f.staff, uuid.New(), apperr.NotFound},
		"owner sees it":                    {otherStaff, sharedWithUs, ""},
		"not shared back":                  {otherStaff, own.ID, apperr.NotFound},
		"partner lawyer, unassigned":       {lawyer, own.ID, apperr.NotFound},
		"partner lawyer, assigned":         {assigned, own.ID, ""},
		"partner lawyer, assigned, shared": {assigned, sharedWithUs, ""},
		"advocacy":                         {testfixture.User(t, f.pool, f.org, actor.Advocacy), own.ID, ""},
		"admin":                            {testfixture.User(t, f.pool, f.org, actor.Admin), own.ID, ""},
		"dpo reads no case content":        {testfixture.User(t, f.pool, f.org, actor.DPO), own.ID, apperr.NotFound},
		"signed out":                       {actor.Actor{}, own.ID, apperr.Unauthenticated},
	} {
		t.Run(name, func(t *testing.T) {
			reads := testfixture.AuditCount(t, f.pool, "dossier.read", "allowed")
			d, err := f.svc.Get(ctx, tc.a, tc.id)
			if tc.code != "" {
				wantErr(t, err, tc.code, "")
				if n := testfixture.AuditCount(t, f.pool, "dossier.read", "allowed"); n != reads {
					t.Fatal("a refused read was audited as allowed")
				}
				return
			}
			if err != nil || d.ID != tc.id {
				t.Fatalf("got %+v, %v", d, err)
			}
			ids, did, who := lastAudit(t, f.pool, "dossier.read")
			if !slices.Equal(ids, []uuid.UUID{tc.id}) || did == nil || *did != tc.id || who != tc.a.UserID {
				t.Fatalf("audit %v %v %v", ids, did, who)
			}
		})
	}
	// A refusal on an existing dossier is audited; a missing one has nothing to audit.
	if n := count(t, f.pool, `SELECT count(*) FROM audit_events WHERE action = 'access.denied' AND dossier_id = $1`, foreign); n != 1 {
		t.Fatalf("%d refusals audited on the foreign dossier", n)
	}
}

func TestByIDs(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	own := f.create(t, minimal("BY-1"))
	own2 := f.create(t, minimal("BY-2"))
	foreign := testfixture.Dossier(t, f.pool, f.other)
	shared := testfixture.Dossier(t, f.pool, f.other)
	testfixture.Share(t, f.pool, shared, f.org)
	unknown := uuid.New()
	all := []uuid.UUID{own.ID, own2.ID, foreign, shared, unknown}

	got, err := f.svc.ByIDs(ctx, f.staff, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[own.ID].Reference != "BY-1" || got[own2.ID].ID != own2.ID || got[shared].ID != shared {
		t.Fatalf("got %v", got)
	}
	ids, _, _ := lastAudit(t, f.pool, "dossier.read")
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	want := []uuid.UUID{own.ID, own2.ID, shared}
	slices.SortFunc(want, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	if !slices.Equal(ids, want) {
		t.Fatalf("audited %v, want %v", ids, want)
	}

	lawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
	testfixture.Assign(t, f.pool, own2.ID, lawyer.UserID)
	got, err = f.svc.ByIDs(ctx, lawyer, all)
	if err != nil || len(got) != 1 || got[own2.ID].ID != own2.ID {
		t.Fatalf("partner lawyer got %v, %v", got, err)
	}

	got, err = f.svc.ByIDs(ctx, f.staff, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("no ids: %v %v", got, err)
	}

	_, err = f.svc.ByIDs(ctx, testfixture.User(t, f.pool, f.org, actor.DPO), all)
	wantErr(t, err, apperr.Forbidden, "")
}

func TestSharedWith(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	third := testfixture.Org(t, f.pool)
	own := f.create(t, minimal("SH-1"))
	notShared := f.create(t, minimal("SH-2"))
	testfixture.Share(t, f.pool, own.ID, f.other)
	testfixture.Share(t, f.pool, own.ID, third)
	foreign := testfixture.Dossier(t, f.pool, f.other)
	testfixture.Share(t, f.pool, foreign, third)

	got, err := f.svc.SharedWith(ctx, f.staff, []uuid.UUID{own.ID, notShared.ID, foreign})
	if err != nil {
		t.Fatal(err)
	}
	orgs := got[own.ID]
	slices.SortFunc(orgs, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	want := []uuid.UUID{f.other, third}
	slices.SortFunc(want, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	if !slices.Equal(orgs, want) || len(got[notShared.ID]) != 0 || got[foreign] != nil {
		t.Fatalf("got %v", got)
	}

	// The organisation it is shared with sees the shares too.
	otherStaff := testfixture.User(t, f.pool, f.other, actor.LegalStaff)
	got, err = f.svc.SharedWith(ctx, otherStaff, []uuid.UUID{own.ID})
	if err != nil || len(got[own.ID]) != 2 {
		t.Fatalf("co-civil party got %v, %v", got, err)
	}
	// A partner lawyer not assigned to the dossier learns nothing.
	lawyer := testfixture.User(t, f.pool, f.org, actor.PartnerLawyer)
	got, err = f.svc.SharedWith(ctx, lawyer, []uuid.UUID{own.ID})
	if err != nil || len(got) != 0 {
		t.Fatalf("unassigned lawyer got %v, %v", got, err)
	}
}

// listWorld is a set of dossiers for list tests: own dossiers of org,
// dossiers of other shared with org, and others' dossiers not shared.
type listWorld struct {
	fixture
	own, sharedWithUs, hidden []uuid.UUID
	ref                       map[uuid.UUID]string
}

func insertDossier(t *testing.T, pool *pgxpool.Pool, org uuid.UUID, ref, title, opened string, themes ...string) uuid.UUID {
	t.Helper()
	if len(themes) == 0 {
		themes = []string{"grooming"}
	}
	var id uuid.UUID
	err := pool.QueryRow(context.Background(), `INSERT INTO dossiers (organisation_id, reference, title, themes, opened_on)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, org, ref, title, themes, opened).Scan(&id)
	if err != nil {
		t.Fatalf("insert dossier: %v", err)
	}
	return id
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func newListWorld(t *testing.T) listWorld {
	t.Helper()
	w := listWorld{fixture: setup(t), ref: map[uuid.UUID]string{}}
	add := func(into *[]uuid.UUID, org uuid.UUID, ref, title, opened string, themes ...string) uuid.UUID {
		id := insertDossier(t, w.pool, org, ref, title, opened, themes...)
		*into = append(*into, id)
		w.ref[id] = ref
		return id
	}
	// Several share an opening date, a reference differing only in case,
	// an updated_at: the id must break the ties.
	add(&w.own, w.org, "alpha-1", "Diffusion en direct", "2025-01-10", "live_streaming")
	add(&w.own, w.org, "Beta-2", "Pédopiégeage", "2025-01-10", "grooming")
	add(&w.own, w.org, "gamma-3", "Remise 100% fiable", "2025-01-10", "sextortion", "grooming")
	add(&w.own, w.org, "DELTA_4", "Images", "2024-12-01", "abuse_images")
	add(&w.own, w.org, "deltaX4", "Images bis", "2024-12-01", "abuse_images")
	add(&w.own, w.org, "Éclair-6", "Traite", "2025-03-01", "trafficking")
	add(&w.own, w.org, "zeta-7", "Prostitution", "2023-05-05", "child_prostitution")
	add(&w.sharedWithUs, w.other, "beta-2", "Pédopiégeage (coalition)", "2025-01-10", "grooming")
	add(&w.sharedWithUs, w.other, "eta-9", "Diffusion", "2025-02-02", "live_streaming")
	add(&w.sharedWithUs, w.other, "ALPHA-0", "Remise 100 fiable", "2024-06-06", "sextortion")
	add(&w.hidden, w.other, "alpha-2", "Caché", "2025-01-10", "grooming")
	add(&w.hidden, w.other, "hidden-1", "Caché 100%", "2025-01-11", "sextortion")
	for _, id := range w.sharedWithUs {
		testfixture.Share(t, w.pool, id, w.org)
	}
	// updated_at: three equal, the rest distinct (microseconds matter).
	base := time.Date(2025, 4, 1, 10, 0, 0, 0, time.UTC)
	for i, id := range append(append(slices.Clone(w.own), w.sharedWithUs...), w.hidden...) {
		at := base.Add(time.Duration(i) * 1500 * time.Microsecond)
		if i < 3 {
			at = base
		}
		exec(t, w.pool, `UPDATE dossiers SET updated_at = $2 WHERE id = $1`, id, at)
	}
	return w
}

func (w listWorld) visible() []uuid.UUID { return append(slices.Clone(w.own), w.sharedWithUs...) }

// expected returns the ids of the dossiers org sees that match where, in
// the order the database gives for orderBy.
func (w listWorld) expected(t *testing.T, org uuid.UUID, where, orderBy string) []uuid.UUID {
	t.Helper()
	if where == "" {
		where = "true"
	}
	rows, err := w.pool.Query(context.Background(), `SELECT id FROM dossiers d
		WHERE (organisation_id = $1 OR id IN (SELECT dossier_id FROM dossier_shares WHERE organisation_id = $1))
		AND `+where+` ORDER BY `+orderBy, org)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// walk lists every page and returns the ids in the order seen.
func (w listWorld) walk(t *testing.T, a actor.Actor, p dossier.ListParams) []uuid.UUID {
	t.Helper()
	var out []uuid.UUID
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("the walk does not end")
		}
		pg, err := w.svc.List(context.Background(), a, p)
		if err != nil {
			t.Fatalf("list page %d: %v", pages, err)
		}
		for _, d := range pg.Nodes {
			out = append(out, d.ID)
		}
		if p.First != nil && len(pg.Nodes) > *p.First {
			t.Fatalf("page of %d for first=%d", len(pg.Nodes), *p.First)
		}
		if !pg.Info.HasNextPage {
			return out
		}
		if pg.Info.EndCursor == nil || len(pg.Nodes) == 0 {
			t.Fatal("hasNextPage without a cursor")
		}
		p.After = pg.Info.EndCursor
	}
}

func (w listWorld) names(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = w.ref[id]
	}
	return out
}

func TestListOrderAndCursorWalk(t *testing.T) {
	t.Parallel()
	w := newListWorld(t)
	for _, tc := range []struct {
		field dossier.OrderField
		sql   string
	}{
		{dossier.OrderOpenedOn, "opened_on"},
		{dossier.OrderReference, "lower(reference)"},
		{dossier.OrderUpdatedAt, "updated_at"},
	} {
		for _, desc := range []bool{false, true} {
			dir := "ASC"
			if desc {
				dir = "DESC"
			}
			want := w.expected(t, w.org, "", fmt.Sprintf("%s %s, id %s", tc.sql, dir, dir))
			if len(want) != len(w.visible()) {
				t.Fatalf("expected %d rows, want %d", len(want), len(w.visible()))
			}
			for _, size := range []int{1, 2, 3, 4, 50} {
				t.Run(fmt.Sprintf("%s %s by %d", tc.field, dir, size), func(t *testing.T) {
					got := w.walk(t, w.staff, dossier.ListParams{First: ptr(size), OrderBy: tc.field, Descending: desc})
					if !slices.Equal(got, want) {
						t.Fatalf("walk gave\n%v\nwant\n%v", w.names(got), w.names(want))
					}
				})
			}
		}
	}
	t.Run("default order: latest opened first", func(t *testing.T) {
		want := w.expected(t, w.org, "", "opened_on DESC, id DESC")
		if got := w.walk(t, w.staff, dossier.ListParams{First: ptr(4)}); !slices.Equal(got, want) {
			t.Fatalf("got %v want %v", w.names(got), w.names(want))
		}
	})
	t.Run("default page size", func(t *testing.T) {
		pg, err := w.svc.List(context.Background(), w.staff, dossier.ListParams{})
		if err != nil || len(pg.Nodes) != len(w.visible()) || pg.Info.HasNextPage {
			t.Fatalf("got %d nodes, %v", len(pg.Nodes), err)
		}
	})
}

// The walk stays exact when rows change between pages: the cursor is a
// position, not an offset.
func TestListCursorSurvivesInserts(t *testing.T) {
	t.Parallel()
	w := newListWorld(t)
	ctx := context.Background()
	p := dossier.ListParams{First: ptr(3), OrderBy: dossier.OrderReference}
	first, err := w.svc.List(ctx, w.staff, p)
	if err != nil {
		t.Fatal(err)
	}
	insertDossier(t, w.pool, w.org, "aaa-before-everything", "Nouveau", "2025-01-01")
	p.After = first.Info.EndCursor
	rest := w.walk(t, w.staff, p)
	seen := map[uuid.UUID]bool{}
	for _, d := range first.Nodes {
		seen[d.ID] = true
	}
	for _, id := range rest {
		if seen[id] {
			t.Fatalf("%s seen twice", w.ref[id])
		}
		seen[id] = true
	}
	if len(seen) != len(w.visible()) {
		t.Fatalf("saw %d dossiers, want %d", len(seen), len(w.visible()))
	}
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	w := newListWorld(t)
	ctx := context.Background()
	byRef := map[string]uuid.UUID{}
	for id, r := range w.ref {
		byRef[r] = id
	}
	// Closed: one own dossier and one shared.
	exec(t, w.pool, `UPDATE dossiers SET status = 'closed', closed_on = '2025-05-01', closing_reason = 'Fin'
		WHERE id = ANY($1)`, []uuid.UUID{byRef["zeta-7"], byRef["eta-9"]})
	// Proceedings: Beta-2 is now at trial (its inquiry closed); gamma-3
	// has an older ongoing inquiry and a newer ongoing investigation.
	exec(t, w.pool, `INSERT INTO proceedings (dossier_id, stage, court_kind, started_on, status, ended_on) VALUES
		($1, 'preliminary_inquiry', 'parquet', '2025-01-11', 'closed', '2025-02-01'),
		($1, 'trial', 'tribunal_correctionnel', '2025-02-02', 'ongoing', NULL),
		($2, 'preliminary_inquiry', 'parquet', '2025-01-11', 'ongoing', NULL),
		($2, 'judicial_investigation', 'juge_instruction', '2025-03-01', 'ongoing', NULL),
		($3, 'trial', 'tribunal_correctionnel', '2025-02-02', 'ongoing', NULL),
		($4, 'trial', 'tribunal_correctionnel', '2025-02-02', 'ongoing', NULL)`,
		byRef["Beta-2"], byRef["gamma-3"], byRef["beta-2"], byRef["alpha-2"])
	// Hearings in March 2025 (Paris): one at the window's start, one just
	// before its end, one at its end (excluded), one cancelled.
	march, april := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	exec(t, w.pool, `INSERT INTO hearings (dossier_id, kind, starts_at, status) VALUES
		($1, 'trial', $5, 'scheduled'),
		($2, 'trial', $6::timestamptz - interval '1 microsecond', 'held'),
		($3, 'trial', $6, 'scheduled'),
		($4, 'trial', $5::timestamptz + interval '1 day', 'cancelled'),
		($7, 'trial', $5::timestamptz + interval '1 day', 'scheduled')`,
		byRef["alpha-1"], byRef["eta-9"], byRef["Beta-2"], byRef["gamma-3"], march, april, byRef["alpha-2"])

	status := func(s dossier.Status) *dossier.Status { return &s }
	for name, tc := range map[string]struct {
		filter dossier.Filter
		want   []string
	}{
		"no filter":              {dossier.Filter{}, w.names(w.visible())},
		"closed":                 {dossier.Filter{Status: status(dossier.StatusClosed)}, []string{"zeta-7", "eta-9"}},
		"open":                   {dossier.Filter{Status: status(dossier.StatusOpen)}, []string{"alpha-1", "Beta-2", "gamma-3", "DELTA_4", "deltaX4", "Éclair-6", "beta-2", "ALPHA-0"}},
		"one theme":              {dossier.Filter{Themes: []dossier.Theme{dossier.ThemeGrooming}}, []string{"Beta-2", "gamma-3", "beta-2"}},
		"themes: any of":         {dossier.Filter{Themes: []dossier.Theme{dossier.ThemeTrafficking, dossier.ThemeLiveStreaming}}, []string{"alpha-1", "Éclair-6", "eta-9"}},
		"stage of the current":   {dossier.Filter{Stage: ptr("trial")}, []string{"Beta-2", "beta-2"}},
		"latest ongoing stage":   {dossier.Filter{Stage: ptr("judicial_investigation")}, []string{"gamma-3"}},
		"no current at stage":    {dossier.Filter{Stage: ptr("preliminary_inquiry")}, nil},
		"text in reference":      {dossier.Filter{Text: ptr("ALPHA")}, []string{"alpha-1", "ALPHA-0"}},
		"text in title":          {dossier.Filter{Text: ptr(" pédopiégeage ")}, []string{"Beta-2", "beta-2"}},
		"text: % is literal":     {dossier.Filter{Text: ptr("100%")}, []string{"gamma-3"}},
		"text: _ is literal":     {dossier.Filter{Text: ptr("delta_")}, []string{"DELTA_4"}},
		"text: backslash":        {dossier.Filter{Text: ptr(`delta\`)}, nil},
		"text: blank is ignored": {dossier.Filter{Text: ptr("   ")}, w.names(w.visible())},
		"hearing window":         {dossier.Filter{HearingFrom: &march, HearingTo: &april}, []string{"alpha-1", "eta-9"}},
		"hearings from":          {dossier.Filter{HearingFrom: ptr(april)}, []string{"Beta-2"}},
		"hearings until":         {dossier.Filter{HearingTo: ptr(march.Add(time.Second))}, []string{"alpha-1"}},
		"combined":               {dossier.Filter{Status: status(dossier.StatusOpen), Themes: []dossier.Theme{dossier.ThemeGrooming}, Stage: ptr("trial"), Text: ptr("coalition")}, []string{"beta-2"}},
	} {
		t.Run(name, func(t *testing.T) {
			pg, err := w.svc.List(ctx, w.staff, dossier.ListParams{First: ptr(2), Filter: tc.filter, WantCount: true})
			if err != nil {
				t.Fatal(err)
			}
			if pg.TotalCount != len(tc.want) {
				t.Errorf("totalCount %d, want %d", pg.TotalCount, len(tc.want))
			}
			got := w.names(w.walk(t, w.staff, dossier.ListParams{First: ptr(2), Filter: tc.filter, OrderBy: dossier.OrderReference}))
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}

func TestListErrors(t *testing.T) {
	t.Parallel()
	w := newListWorld(t)
	ctx := context.Background()
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	garbage := "not-a-cursor"
	for name, tc := range map[string]struct {
		p     dossier.ListParams
		code  apperr.Code
		field string
	}{
		"page size 0":           {dossier.ListParams{First: ptr(0)}, apperr.Invalid, "first"},
		"page size negative":    {dossier.ListParams{First: ptr(-5)}, apperr.Invalid, "first"},
		"page size 201":         {dossier.ListParams{First: ptr(201)}, apperr.Invalid, "first"},
		"bad cursor":            {dossier.ListParams{After: &garbage}, apperr.Invalid, "after"},
		"unknown sort":          {dossier.ListParams{OrderBy: "TITLE"}, apperr.Invalid, "orderBy"},
		"unknown theme":         {dossier.ListParams{Filter: dossier.Filter{Themes: []dossier.Theme{"x"}}}, apperr.Invalid, "themes"},
		"empty hearing window":  {dossier.ListParams{Filter: dossier.Filter{HearingFrom: &day, HearingTo: &day}}, apperr.Invalid, "filter.hearingTo"},
		"reversed window":       {dossier.ListParams{Filter: dossier.Filter{HearingFrom: ptr(day.Add(time.Hour)), HearingTo: &day}}, apperr.Invalid, "filter.hearingTo"},
		"dpo reads no dossiers": {dossier.ListParams{}, apperr.Forbidden, ""},
		"signed out":            {dossier.ListParams{}, apperr.Unauthenticated, ""},
	} {
		t.Run(name, func(t *testing.T) {
			a := w.staff
			switch name {
			case "dpo reads no dossiers":
				a = testfixture.User(t, w.pool, w.org, actor.DPO)
			case "signed out":
				a = actor.Actor{}
			}
			lists := testfixture.AuditCount(t, w.pool, "dossier.list", "allowed")
			_, err := w.svc.List(ctx, a, tc.p)
			wantErr(t, err, tc.code, tc.field)
			if n := testfixture.AuditCount(t, w.pool, "dossier.list", "allowed"); n != lists {
				t.Fatal("a failed list was audited as allowed")
			}
		})
	}
	t.Run("page size bounds accepted", func(t *testing.T) {
		for _, n := range []int{1, 200} {
			if _, err := w.svc.List(ctx, w.staff, dossier.ListParams{First: ptr(n)}); err != nil {
				t.Fatalf("first=%d: %v", n, err)
			}
		}
	})
}

func TestListCountOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	w := newListWorld(t)
	ctx := context.Background()
	pg, err := w.svc.List(ctx, w.staff, dossier.ListParams{First: ptr(2)})
	if err != nil || pg.TotalCount != 0 || len(pg.Nodes) != 2 || !pg.Info.HasNextPage {
		t.Fatalf("without WantCount: %+v %v", pg.Info, err)
	}
	pg, err = w.svc.List(ctx, w.staff, dossier.ListParams{First: ptr(2), WantCount: true})
	if err != nil || pg.TotalCount != len(w.visible()) {
		t.Fatalf("totalCount %d, want %d (%v)", pg.TotalCount, len(w.visible()), err)
	}
	// The count is of the whole list, not of the page after the cursor.
	pg, err = w.svc.List(ctx, w.staff, dossier.ListParams{First: ptr(2), After: pg.Info.EndCursor, WantCount: true})
	if err != nil || pg.TotalCount != len(w.visible()) {
		t.Fatalf("second page totalCount %d (%v)", pg.TotalCount, err)
	}
}

func TestListScopes(t *testing.T) {
	t.Parallel()
	w := newListWorld(t)
	ctx := context.Background()
	sorted := func(ids []uuid.UUID) []string {
		n := w.names(ids)
		slices.Sort(n)
		return n
	}

	t.Run("the other organisation sees its own, not ours", func(t *testing.T) {
		otherStaff := testfixture.User(t, w.pool, w.other, actor.LegalStaff)
		got := w.walk(t, otherStaff, dossier.ListParams{First: ptr(2)})
		want := append(slices.Clone(w.sharedWithUs), w.hidden...)
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Fatalf("got %v, want %v", sorted(got), sorted(want))
		}
	})
	t.Run("a dossier appears once, whatever its shares", func(t *testing.T) {
		testfixture.Share(t, w.pool, w.own[0], w.other)
		testfixture.Share(t, w.pool, w.own[1], w.org) // shared with its own organisation
		otherStaff := testfixture.User(t, w.pool, w.other, actor.LegalStaff)
		got := w.walk(t, otherStaff, dossier.ListParams{First: ptr(3), OrderBy: dossier.OrderUpdatedAt})
		want := append(append(slices.Clone(w.sharedWithUs), w.hidden...), w.own[0])
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Fatalf("got %v, want %v", sorted(got), sorted(want))
		}
		ours := w.walk(t, w.staff, dossier.ListParams{First: ptr(3)})
		if !slices.Equal(sorted(ours), sorted(w.visible())) {
			t.Fatalf("owner got %v", sorted(ours))
		}
		if pg, err := w.svc.List(ctx, w.staff, dossier.ListParams{WantCount: true}); err != nil || pg.TotalCount != len(w.visible()) {
			t.Fatalf("owner totalCount %d, %v", pg.TotalCount, err)
		}
	})
	t.Run("a partner lawyer sees only assigned dossiers", func(t *testing.T) {
		lawyer := testfixture.User(t, w.pool, w.org, actor.PartnerLawyer)
		testfixture.Assign(t, w.pool, w.own[2], lawyer.UserID)
		testfixture.Assign(t, w.pool, w.sharedWithUs[1], lawyer.UserID)
		testfixture.Assign(t, w.pool, w.hidden[0], lawyer.UserID) // assigned, but not shared with the org
		for _, order := range []dossier.OrderField{dossier.OrderOpenedOn, dossier.OrderReference, dossier.OrderUpdatedAt} {
			got := w.walk(t, lawyer, dossier.ListParams{First: ptr(1), OrderBy: order})
			if want := []uuid.UUID{w.own[2], w.sharedWithUs[1]}; !slices.Equal(sorted(got), sorted(want)) {
				t.Fatalf("%s: got %v, want %v", order, w.names(got), w.names(want))
			}
		}
		pg, err := w.svc.List(ctx, lawyer, dossier.ListParams{WantCount: true})
		if err != nil || pg.TotalCount != 2 {
			t.Fatalf("lawyer totalCount %d, %v", pg.TotalCount, err)
		}
	})
	t.Run("advocacy and admin list the organisation's dossiers", func(t *testing.T) {
		for _, r := range []actor.Role{actor.Advocacy, actor.Admin} {
			a := testfixture.User(t, w.pool, w.org, r)
			if got := w.walk(t, a, dossier.ListParams{First: ptr(5)}); !slices.Equal(sorted(got), sorted(w.visible())) {
				t.Fatalf("%s got %v", r, sorted(got))
			}
		}
	})
}

func TestListAudit(t *testing.T) {
	t.Parallel()
	w := newListWorld(t)
	ctx := context.Background()
	pg, err := w.svc.List(ctx, w.staff, dossier.ListParams{First: ptr(3), OrderBy: dossier.OrderReference})
	if err != nil {
		t.Fatal(err)
	}
	ids, did, who := lastAudit(t, w.pool, "dossier.list")
	want := []uuid.UUID{pg.Nodes[0].ID, pg.Nodes[1].ID, pg.Nodes[2].ID}
	if !slices.Equal(ids, want) || did != nil || who != w.staff.UserID {
		t.Fatalf("audited %v (dossier %v, actor %v), want %v", ids, did, who, want)
	}
	if n := testfixture.AuditCount(t, w.pool, "dossier.list", "allowed"); n != 1 {
		t.Fatalf("%d dossier.list events for one call", n)
	}
	// An empty page is audited too, with no ids.
	if _, err := w.svc.List(ctx, w.staff, dossier.ListParams{Filter: dossier.Filter{Text: ptr("nothing matches this")}}); err != nil {
		t.Fatal(err)
	}
	if ids, _, _ := lastAudit(t, w.pool, "dossier.list"); len(ids) != 0 {
		t.Fatalf("empty page audited with %v", ids)
	}
}
