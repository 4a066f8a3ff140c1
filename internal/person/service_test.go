package person_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/person"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// bundle is what every test starts from: an organisation with one open
// dossier, its people in every role, and another organisation with a
// dossier of its own.
type bundle struct {
	pool       *pgxpool.Pool
	svc        *person.Service
	org        uuid.UUID
	dossier    uuid.UUID
	staff      actor.Actor // legal_staff assigned to dossier
	unassigned actor.Actor // legal_staff, not assigned
	lawyer     actor.Actor // partner_lawyer assigned to dossier
	outsider   actor.Actor // partner_lawyer, not assigned
	advocacy   actor.Actor
	dpo        actor.Actor
	admin      actor.Actor // assigned, but admin only
	otherOrg   uuid.UUID
	otherDos   uuid.UUID
	otherStaff actor.Actor // legal_staff of otherOrg, assigned to otherDos
}

func setup(t *testing.T) bundle {
	t.Helper()
	t.Parallel()
	pool := pgtest.New(t)
	spec, err := crypto.GenerateKeySpec(1)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := crypto.ParseKeyRing(spec)
	if err != nil {
		t.Fatal(err)
	}
	b := bundle{pool: pool, svc: person.NewService(testfixture.Authorizer(t, pool), kr)}
	b.org = testfixture.Org(t, pool)
	b.dossier = testfixture.Dossier(t, pool, b.org)
	b.staff = testfixture.User(t, pool, b.org, actor.LegalStaff)
	b.unassigned = testfixture.User(t, pool, b.org, actor.LegalStaff)
	b.lawyer = testfixture.User(t, pool, b.org, actor.PartnerLawyer)
	b.outsider = testfixture.User(t, pool, b.org, actor.PartnerLawyer)
	b.advocacy = testfixture.User(t, pool, b.org, actor.Advocacy)
	b.dpo = testfixture.User(t, pool, b.org, actor.DPO)
	b.admin = testfixture.User(t, pool, b.org, actor.Admin)
	for _, a := range []actor.Actor{b.staff, b.lawyer, b.admin} {
		testfixture.Assign(t, pool, b.dossier, a.UserID)
	}
	b.otherOrg = testfixture.Org(t, pool)
	b.otherDos = testfixture.Dossier(t, pool, b.otherOrg)
	b.otherStaff = testfixture.User(t, pool, b.otherOrg, actor.LegalStaff)
	testfixture.Assign(t, pool, b.otherDos, b.otherStaff.UserID)
	return b
}

func ctx(t *testing.T) context.Context { return t.Context() }

func sp(s string) *string { return &s }
func ip(i int) *int       { return &i }

func date(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// inDays is a Date n days from today (UTC midnight).
func inDays(n int) time.Time {
	y, m, d := time.Now().UTC().Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, time.UTC)
}

func (b bundle) victim(t *testing.T, dossier uuid.UUID, by actor.Actor, pseudo string) person.Victim {
	t.Helper()
	v, err := b.svc.AddVictim(ctx(t), by, person.AddVictimInput{DossierID: dossier, Pseudonym: pseudo})
	if err != nil {
		t.Fatalf("add victim: %v", err)
	}
	return v
}

func (b bundle) defendant(t *testing.T, pseudo string) person.Defendant {
	t.Helper()
	d, err := b.svc.AddDefendant(ctx(t), b.staff, person.AddDefendantInput{DossierID: b.dossier, Pseudonym: pseudo,
		Role: person.RoleRecruiter})
	if err != nil {
		t.Fatalf("add defendant: %v", err)
	}
	return d
}

func (b bundle) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := b.pool.QueryRow(ctx(t), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (b bundle) audits(t *testing.T, action string) int {
	t.Helper()
	return testfixture.AuditCount(t, b.pool, action, "allowed")
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error = %v (%s), want %s", err, got, code)
	}
}

// wantHidden accepts either answer for a role without the permission:
// NOT_FOUND (may not know it exists) or FORBIDDEN (sees the dossier).
func wantHidden(t *testing.T, err error) {
	t.Helper()
	if c := apperr.CodeOf(err); c != apperr.NotFound && c != apperr.Forbidden {
		t.Fatalf("error = %v (%s), want NOT_FOUND or FORBIDDEN", err, c)
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

func TestAddVictim(t *testing.T) {
	b := setup(t)
	v, err := b.svc.AddVictim(ctx(t), b.staff, person.AddVictimInput{DossierID: b.dossier, Pseudonym: "  Camille  ",
		AgeAtFacts: ip(13), Country: sp("fr")})
	if err != nil {
		t.Fatal(err)
	}
	if v.Pseudonym != "Camille" || v.Country != "FR" || v.AgeAtFacts == nil || *v.AgeAtFacts != 13 ||
		v.DossierID != b.dossier || v.HasIdentity || v.IdentityUpdatedAt != nil {
		t.Errorf("victim = %+v", v)
	}
	if n := b.audits(t, "victim.create"); n != 1 {
		t.Errorf("victim.create events = %d, want 1", n)
	}

	for _, tc := range []struct {
		name  string
		in    person.AddVictimInput
		field string
	}{
		{"empty pseudonym", person.AddVictimInput{Pseudonym: "  "}, "pseudonym"},
		{"long pseudonym", person.AddVictimInput{Pseudonym: strings.Repeat("é", 81)}, "pseudonym"},
		{"negative age", person.AddVictimInput{Pseudonym: "A", AgeAtFacts: ip(-1)}, "ageAtFacts"},
		{"adult", person.AddVictimInput{Pseudonym: "A", AgeAtFacts: ip(18)}, "ageAtFacts"},
		{"country", person.AddVictimInput{Pseudonym: "A", Country: sp("FRA")}, "country"},
		{"duplicate pseudonym", person.AddVictimInput{Pseudonym: "CAMILLE"}, "pseudonym"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.DossierID = b.dossier
			_, err := b.svc.AddVictim(ctx(t), b.staff, tc.in)
			wantField(t, err, tc.field)
		})
	}

	// The same pseudonym in another dossier is fine.
	b.victim(t, b.otherDos, b.otherStaff, "Camille")

	in := person.AddVictimInput{DossierID: b.dossier, Pseudonym: "Noé"}
	_, err = b.svc.AddVictim(ctx(t), b.staff, person.AddVictimInput{DossierID: uuid.New(), Pseudonym: "Noé"})
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.AddVictim(ctx(t), b.otherStaff, in)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.AddVictim(ctx(t), b.outsider, in)
	wantCode(t, err, apperr.NotFound)
	for _, a := range []actor.Actor{b.advocacy, b.lawyer, b.admin} {
		_, err = b.svc.AddVictim(ctx(t), a, in)
		wantCode(t, err, apperr.Forbidden)
	}
	_, err = b.svc.AddVictim(ctx(t), b.dpo, in)
	wantHidden(t, err)

	if _, err := b.pool.Exec(ctx(t), `UPDATE dossiers SET status = 'closed', closed_on = '2025-02-01' WHERE id = $1`, b.dossier); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.AddVictim(ctx(t), b.staff, in)
	wantField(t, err, "dossierId")

	if n := b.count(t, "victims"); n != 2 {
		t.Errorf("victims = %d, want 2: a failed call wrote something", n)
	}
	if n := b.audits(t, "victim.create"); n != 2 {
		t.Errorf("victim.create events = %d, want 2", n)
	}
	if n := testfixture.AuditCount(t, b.pool, "access.denied", "denied"); n == 0 {
		t.Error("denials were not audited")
	}
}

func TestUpdateVictim(t *testing.T) {
	b := setup(t)
	v := b.victim(t, b.dossier, b.staff, "Camille")
	b.victim(t, b.dossier, b.staff, "Noé")

	got, err := b.svc.UpdateVictim(ctx(t), b.staff, v.ID, person.UpdateVictimInput{AgeAtFacts: ip(9), Country: sp("be")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Pseudonym != "Camille" || *got.AgeAtFacts != 9 || got.Country != "BE" {
		t.Errorf("victim = %+v", got)
	}
	got, err = b.svc.UpdateVictim(ctx(t), b.staff, v.ID, person.UpdateVictimInput{Pseudonym: sp("Lou")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Pseudonym != "Lou" || *got.AgeAtFacts != 9 || got.Country != "BE" {
		t.Errorf("victim = %+v", got)
	}
	if n := b.audits(t, "victim.update"); n != 2 {
		t.Errorf("victim.update events = %d, want 2", n)
	}

	_, err = b.svc.UpdateVictim(ctx(t), b.staff, v.ID, person.UpdateVictimInput{Pseudonym: sp("noé")})
	wantField(t, err, "pseudonym")
	_, err = b.svc.UpdateVictim(ctx(t), b.staff, v.ID, person.UpdateVictimInput{Pseudonym: sp("")})
	wantField(t, err, "pseudonym")
	_, err = b.svc.UpdateVictim(ctx(t), b.staff, v.ID, person.UpdateVictimInput{AgeAtFacts: ip(18)})
	wantField(t, err, "ageAtFacts")
	_, err = b.svc.UpdateVictim(ctx(t), b.staff, v.ID, person.UpdateVictimInput{Country: sp("F1")})
	wantField(t, err, "country")
	_, err = b.svc.UpdateVictim(ctx(t), b.staff, uuid.New(), person.UpdateVictimInput{AgeAtFacts: ip(3)})
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.UpdateVictim(ctx(t), b.otherStaff, v.ID, person.UpdateVictimInput{AgeAtFacts: ip(3)})
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.UpdateVictim(ctx(t), b.advocacy, v.ID, person.UpdateVictimInput{AgeAtFacts: ip(3)})
	wantCode(t, err, apperr.Forbidden)
	_, err = b.svc.UpdateVictim(ctx(t), b.outsider, v.ID, person.UpdateVictimInput{AgeAtFacts: ip(3)})
	wantCode(t, err, apperr.NotFound)

	got, err = b.svc.GetVictim(ctx(t), b.staff, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pseudonym != "Lou" || *got.AgeAtFacts != 9 || got.Country != "BE" {
		t.Errorf("after failed updates victim = %+v", got)
	}
	if n := b.audits(t, "victim.update"); n != 2 {
		t.Errorf("victim.update events = %d, want 2", n)
	}
	// An empty country clears it; an absent one leaves it.
	if got, err = b.svc.UpdateVictim(ctx(t), b.staff, v.ID, person.UpdateVictimInput{Country: sp(" ")}); err != nil || got.Country != "" {
		t.Errorf("clear the country: %v %+v", err, got)
	}
}

func TestReadVictims(t *testing.T) {
	b := setup(t)
	v := b.victim(t, b.dossier, b.staff, "Zoé")
	w := b.victim(t, b.dossier, b.staff, "ambre")
	ov := b.victim(t, b.otherDos, b.otherStaff, "Other")
	second := testfixture.Dossier(t, b.pool, b.org) // the lawyer is not assigned to it
	sv := b.victim(t, second, b.staff, "Second")

	for _, a := range []actor.Actor{b.staff, b.unassigned, b.lawyer, b.advocacy} {
		got, err := b.svc.GetVictim(ctx(t), a, v.ID)
		if err != nil {
			t.Fatalf("%v: %v", a.Roles, err)
		}
		if got.ID != v.ID || got.Pseudonym != "Zoé" {
			t.Errorf("victim = %+v", got)
		}
	}
	if n := b.audits(t, "victim.read"); n != 4 {
		t.Errorf("victim.read events = %d, want 4", n)
	}
	_, err := b.svc.GetVictim(ctx(t), b.staff, uuid.New())
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.GetVictim(ctx(t), b.staff, ov.ID)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.GetVictim(ctx(t), b.outsider, v.ID)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.GetVictim(ctx(t), b.dpo, v.ID)
	wantHidden(t, err)
	_, err = b.svc.GetVictim(ctx(t), b.admin, v.ID)
	wantHidden(t, err)

	all := []uuid.UUID{b.dossier, second, b.otherDos}
	got, err := b.svc.VictimsByDossiers(ctx(t), b.staff, all)
	if err != nil {
		t.Fatal(err)
	}
	if l := got[b.dossier]; len(l) != 2 || l[0].ID != w.ID || l[1].ID != v.ID {
		t.Errorf("victims of dossier = %+v, want ambre then Zoé", l)
	}
	if l := got[second]; len(l) != 1 || l[0].ID != sv.ID {
		t.Errorf("victims of second dossier = %+v", l)
	}
	if l := got[b.otherDos]; len(l) != 0 {
		t.Errorf("victims of another organisation's dossier leaked: %+v", l)
	}
	got, err = b.svc.VictimsByDossiers(ctx(t), b.lawyer, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[b.dossier]) != 2 || len(got[second]) != 0 || len(got[b.otherDos]) != 0 {
		t.Errorf("partner lawyer sees %+v, want only the assigned dossier", got)
	}
	if n := b.audits(t, "victim.list"); n != 2 {
		t.Errorf("victim.list events = %d, want 2", n)
	}
	_, err = b.svc.VictimsByDossiers(ctx(t), b.dpo, all)
	wantHidden(t, err)

	// Sharing the other organisation's dossier makes its victims visible.
	testfixture.Share(t, b.pool, b.otherDos, b.org)
	got, err = b.svc.VictimsByDossiers(ctx(t), b.staff, all)
	if err != nil {
		t.Fatal(err)
	}
	if l := got[b.otherDos]; len(l) != 1 || l[0].ID != ov.ID {
		t.Errorf("victims of shared dossier = %+v", l)
	}
}

func TestDefendants(t *testing.T) {
	b := setup(t)
	d, err := b.svc.AddDefendant(ctx(t), b.staff, person.AddDefendantInput{DossierID: b.dossier, Pseudonym: "X1",
		Role: person.RoleClient, Country: sp("ph")})
	if err != nil {
		t.Fatal(err)
	}
	if d.Pseudonym != "X1" || d.Role != person.RoleClient || d.Country != "PH" || d.HasIdentity {
		t.Errorf("defendant = %+v", d)
	}
	b.defendant(t, "X2")

	in := person.AddDefendantInput{DossierID: b.dossier, Pseudonym: "X3", Role: person.RoleAbuser}
	for _, tc := range []struct {
		name  string
		in    person.AddDefendantInput
		field string
	}{
		{"empty pseudonym", person.AddDefendantInput{Role: person.RoleOther}, "pseudonym"},
		{"duplicate pseudonym", person.AddDefendantInput{Pseudonym: "x1", Role: person.RoleOther}, "pseudonym"},
		{"role", person.AddDefendantInput{Pseudonym: "X9", Role: "boss"}, "role"},
		{"country", person.AddDefendantInput{Pseudonym: "X9", Role: person.RoleOther, Country: sp("France")}, "country"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.DossierID = b.dossier
			_, err := b.svc.AddDefendant(ctx(t), b.staff, tc.in)
			wantField(t, err, tc.field)
		})
	}
	_, err = b.svc.AddDefendant(ctx(t), b.otherStaff, in)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.AddDefendant(ctx(t), b.advocacy, in)
	wantCode(t, err, apperr.Forbidden)

	role := person.RoleDistributor
	got, err := b.svc.UpdateDefendant(ctx(t), b.staff, d.ID, person.UpdateDefendantInput{Role: &role})
	if err != nil {
		t.Fatal(err)
	}
	if got.Role != role || got.Pseudonym != "X1" || got.Country != "PH" {
		t.Errorf("defendant = %+v", got)
	}
	bad := person.DefendantRole("boss")
	_, err = b.svc.UpdateDefendant(ctx(t), b.staff, d.ID, person.UpdateDefendantInput{Role: &bad})
	wantField(t, err, "role")
	_, err = b.svc.UpdateDefendant(ctx(t), b.staff, d.ID, person.UpdateDefendantInput{Pseudonym: sp("X2")})
	wantField(t, err, "pseudonym")
	_, err = b.svc.UpdateDefendant(ctx(t), b.staff, uuid.New(), person.UpdateDefendantInput{Role: &role})
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.UpdateDefendant(ctx(t), b.lawyer, d.ID, person.UpdateDefendantInput{Role: &role})
	wantCode(t, err, apperr.Forbidden)

	got, err = b.svc.GetDefendant(ctx(t), b.advocacy, d.ID)
	if err != nil || got.ID != d.ID || got.Role != role {
		t.Errorf("get defendant = %+v, %v", got, err)
	}
	_, err = b.svc.GetDefendant(ctx(t), b.otherStaff, d.ID)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.GetDefendant(ctx(t), b.staff, uuid.New())
	wantCode(t, err, apperr.NotFound)

	list, err := b.svc.DefendantsByDossiers(ctx(t), b.lawyer, []uuid.UUID{b.dossier, b.otherDos})
	if err != nil {
		t.Fatal(err)
	}
	if l := list[b.dossier]; len(l) != 2 || l[0].ID != d.ID {
		t.Errorf("defendants = %+v", l)
	}
	if len(list[b.otherDos]) != 0 {
		t.Error("defendants of another organisation leaked")
	}
	_, err = b.svc.DefendantsByDossiers(ctx(t), b.dpo, []uuid.UUID{b.dossier})
	wantHidden(t, err)

	if _, err := b.pool.Exec(ctx(t), `UPDATE dossiers SET status = 'closed', closed_on = '2025-02-01' WHERE id = $1`, b.dossier); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.AddDefendant(ctx(t), b.staff, in)
	wantField(t, err, "dossierId")

	if n := b.count(t, "defendants"); n != 2 {
		t.Errorf("defendants = %d, want 2", n)
	}
	for action, want := range map[string]int{"defendant.create": 2, "defendant.update": 1, "defendant.read": 1,
		"defendant.list": 1} {
		if n := b.audits(t, action); n != want {
			t.Errorf("%s events = %d, want %d", action, n, want)
		}
	}
}

// marker is planted in identities: it must never appear outside the
// sealed column.
const marker = "Zéphyrine-Marker-Q7XK"

func identity() person.IdentityInput {
	birth := date("2011-03-04")
	return person.IdentityInput{LegalName: "  " + marker + " Dupont ", BirthDate: &birth, Address: sp("1 rue de la Paix"),
		Phone: sp("+33 6 12 34 56 78"), Email: sp("mere@example.fr"), LegalRepresentative: sp("Mère"),
		AdHocAdministrator: sp("")}
}

func TestSetVictimIdentity(t *testing.T) {
	b := setup(t)
	v := b.victim(t, b.dossier, b.staff, "Camille")

	for _, tc := range []struct {
		name  string
		edit  func(*person.IdentityInput)
		field string
	}{
		{"no legal name", func(in *person.IdentityInput) { in.LegalName = " " }, "legalName"},
		{"long legal name", func(in *person.IdentityInput) { in.LegalName = strings.Repeat("a", 201) }, "legalName"},
		{"future birth", func(in *person.IdentityInput) { d := inDays(3); in.BirthDate = &d }, "birthDate"},
		{"ancient birth", func(in *person.IdentityInput) { d := date("0202-01-01"); in.BirthDate = &d }, "birthDate"},
		{"email", func(in *person.IdentityInput) { in.Email = sp("mere at example.fr") }, "email"},
		{"email without domain", func(in *person.IdentityInput) { in.Email = sp("mere@") }, "email"},
		{"phone", func(in *person.IdentityInput) { in.Phone = sp("call me") }, "phone"},
		{"address", func(in *person.IdentityInput) { in.Address = sp(strings.Repeat("a", 501)) }, "address"},
		{"representative", func(in *person.IdentityInput) { in.LegalRepresentative = sp(strings.Repeat("a", 301)) }, "legalRepresentative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := identity()
			tc.edit(&in)
			_, err := b.svc.SetVictimIdentity(ctx(t), b.staff, v.ID, in)
			wantField(t, err, tc.field)
			if strings.Contains(err.Error(), marker) {
				t.Errorf("error repeats the identity: %v", err)
			}
		})
	}
	_, err := b.svc.SetVictimIdentity(ctx(t), b.staff, uuid.New(), identity())
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.SetVictimIdentity(ctx(t), b.otherStaff, v.ID, identity())
	wantCode(t, err, apperr.NotFound)
	for _, a := range []actor.Actor{b.unassigned, b.advocacy, b.admin, b.dpo, b.outsider} {
		_, err = b.svc.SetVictimIdentity(ctx(t), a, v.ID, identity())
		wantHidden(t, err)
	}
	var set int
	if err := b.pool.QueryRow(ctx(t), `SELECT count(*) FROM victims WHERE identity_wrapped_key IS NOT NULL
		OR identity_ciphertext IS NOT NULL OR identity_updated_at IS NOT NULL`).Scan(&set); err != nil {
		t.Fatal(err)
	}
	if set != 0 {
		t.Fatal("a refused identity write was stored")
	}

	got, err := b.svc.SetVictimIdentity(ctx(t), b.staff, v.ID, identity())
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasIdentity || got.IdentityUpdatedAt == nil || got.Pseudonym != "Camille" {
		t.Errorf("victim = %+v", got)
	}
	// An assigned partner lawyer may write it too.
	if _, err := b.svc.SetVictimIdentity(ctx(t), b.lawyer, v.ID, identity()); err != nil {
		t.Fatal(err)
	}
	if n := b.audits(t, "victim.identity.write"); n != 2 {
		t.Errorf("victim.identity.write events = %d, want 2", n)
	}

	var ct, wk []byte
	if err := b.pool.QueryRow(ctx(t), `SELECT identity_ciphertext, identity_wrapped_key FROM victims WHERE id = $1`,
		v.ID).Scan(&ct, &wk); err != nil {
		t.Fatal(err)
	}
	if len(ct) == 0 || len(wk) == 0 {
		t.Fatal("identity not stored")
	}
	for _, s := range []string{marker, "Dupont", "example.fr", "2011-03-04"} {
		if bytes.Contains(ct, []byte(s)) || bytes.Contains(wk, []byte(s)) {
			t.Errorf("stored identity contains %q in clear", s)
		}
	}
	var leaks int
	if err := b.pool.QueryRow(ctx(t), `SELECT count(*) FROM audit_events WHERE reason LIKE '%'||$1||'%'
		OR action LIKE '%'||$1||'%' OR user_agent LIKE '%'||$1||'%'`, marker).Scan(&leaks); err != nil {
		t.Fatal(err)
	}
	if leaks != 0 {
		t.Error("the identity reached the audit log")
	}
}

func TestRevealIdentity(t *testing.T) {
	b := setup(t)
	v := b.victim(t, b.dossier, b.staff, "Camille")
	if _, err := b.svc.SetVictimIdentity(ctx(t), b.staff, v.ID, identity()); err != nil {
		t.Fatal(err)
	}
	const reason = "préparer l'audience du 12 mars"

	got, err := b.svc.RevealIdentity(ctx(t), b.staff, v.ID, "  "+reason+" ")
	if err != nil {
		t.Fatal(err)
	}
	want := person.Identity{LegalName: marker + " Dupont", Address: "1 rue de la Paix", Phone: "+33 6 12 34 56 78",
		Email: "mere@example.fr", LegalRepresentative: "Mère"}
	if got.BirthDate == nil || !got.BirthDate.Equal(date("2011-03-04")) {
		t.Errorf("birth date = %v", got.BirthDate)
	}
	got.BirthDate = nil
	if got != want {
		t.Errorf("identity = %+v, want %+v", got, want)
	}

	var action, gotReason, perm string
	var ids []uuid.UUID
	var dossier uuid.UUID
	if err := b.pool.QueryRow(ctx(t), `SELECT action, reason, permission, resource_ids, dossier_id FROM audit_events
		WHERE action LIKE '%.identity.reveal' AND actor_user_id = $1`, b.staff.UserID).
		Scan(&action, &gotReason, &perm, &ids, &dossier); err != nil {
		t.Fatal(err)
	}
	if action != "victim.identity.reveal" || gotReason != reason || perm != "identity:read" ||
		len(ids) != 1 || ids[0] != v.ID || dossier != b.dossier {
		t.Errorf("audit event = %s %q %s %v %s", action, gotReason, perm, ids, dossier)
	}

	// An assigned partner lawyer may reveal.
	if got, err := b.svc.RevealIdentity(ctx(t), b.lawyer, v.ID, reason); err != nil || got.LegalName != want.LegalName {
		t.Errorf("partner lawyer reveal = %+v, %v", got, err)
	}
	// Neither unassigned staff, nor roles without identity:read, even assigned (admin).
	for name, a := range map[string]actor.Actor{"unassigned legal staff": b.unassigned, "advocacy": b.advocacy,
		"dpo": b.dpo, "assigned admin": b.admin, "unassigned lawyer": b.outsider, "other organisation": b.otherStaff} {
		t.Run(name, func(t *testing.T) {
			got, err := b.svc.RevealIdentity(ctx(t), a, v.ID, reason)
			wantHidden(t, err)
			if got != (person.Identity{}) {
				t.Errorf("identity returned with an error: %+v", got)
			}
		})
	}
	if n := b.audits(t, "victim.identity.reveal"); n != 2 {
		t.Errorf("victim.identity.reveal events = %d, want 2", n)
	}

	for _, r := range []string{"", "  ab  ", strings.Repeat("x", 501)} {
		_, err := b.svc.RevealIdentity(ctx(t), b.staff, v.ID, r)
		wantField(t, err, "reason")
	}
	_, err = b.svc.RevealIdentity(ctx(t), b.staff, uuid.New(), reason)
	wantCode(t, err, apperr.NotFound)

	// No identity recorded, or erased by destroying its key: NOT_FOUND.
	w := b.victim(t, b.dossier, b.staff, "Noé")
	_, err = b.svc.RevealIdentity(ctx(t), b.staff, w.ID, reason)
	wantCode(t, err, apperr.NotFound)
	if _, err := b.pool.Exec(ctx(t), `UPDATE victims SET identity_wrapped_key = NULL WHERE id = $1`, v.ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.RevealIdentity(ctx(t), b.staff, v.ID, reason)
	wantCode(t, err, apperr.NotFound)
	if n := b.audits(t, "victim.identity.reveal"); n != 2 {
		t.Errorf("victim.identity.reveal events = %d, want 2 (failed reveals must not count)", n)
	}
}

func TestRevealDefendantIdentity(t *testing.T) {
	b := setup(t)
	d := b.defendant(t, "X1")
	in := identity()
	in.LegalName = "Jean Martin"
	_, err := b.svc.SetDefendantIdentity(ctx(t), b.advocacy, d.ID, in)
	wantHidden(t, err)
	_, err = b.svc.SetDefendantIdentity(ctx(t), b.staff, d.ID, person.IdentityInput{})
	wantField(t, err, "legalName")
	_, err = b.svc.SetDefendantIdentity(ctx(t), b.staff, uuid.New(), in)
	wantCode(t, err, apperr.NotFound)
	got, err := b.svc.SetDefendantIdentity(ctx(t), b.staff, d.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasIdentity || got.IdentityUpdatedAt == nil {
		t.Errorf("defendant = %+v", got)
	}
	id, err := b.svc.RevealIdentity(ctx(t), b.lawyer, d.ID, "vérifier l'identité")
	if err != nil {
		t.Fatal(err)
	}
	if id.LegalName != "Jean Martin" {
		t.Errorf("identity = %+v", id)
	}
	_, err = b.svc.RevealIdentity(ctx(t), b.advocacy, d.ID, "vérifier l'identité")
	wantHidden(t, err)
	for action, want := range map[string]int{"defendant.identity.write": 1, "defendant.identity.reveal": 1,
		"victim.identity.reveal": 0} {
		if n := b.audits(t, action); n != want {
			t.Errorf("%s events = %d, want %d", action, n, want)
		}
	}
}

// A sealed identity is bound to its row: keys or ciphertexts moved to
// another person do not open, and never yield someone else's identity.
func TestRevealIdentityMovedKey(t *testing.T) {
	b := setup(t)
	v1 := b.victim(t, b.dossier, b.staff, "Camille")
	v2 := b.victim(t, b.dossier, b.staff, "Noé")
	d := b.defendant(t, "X1")
	if _, err := b.svc.SetVictimIdentity(ctx(t), b.staff, v1.ID, identity()); err != nil {
		t.Fatal(err)
	}
	other := identity()
	other.LegalName = "Someone Else"
	if _, err := b.svc.SetVictimIdentity(ctx(t), b.staff, v2.ID, other); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.SetDefendantIdentity(ctx(t), b.staff, d.ID, other); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, sql string }{
		{"wrapped key to another victim", `UPDATE victims SET identity_wrapped_key =
			(SELECT identity_wrapped_key FROM victims WHERE id = $1) WHERE id = $2`},
		{"both columns to another victim", `UPDATE victims t SET identity_wrapped_key = s.identity_wrapped_key,
			identity_ciphertext = s.identity_ciphertext FROM victims s WHERE s.id = $1 AND t.id = $2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := b.pool.Begin(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx(t), tc.sql, v1.ID, v2.ID); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(ctx(t)); err != nil {
				t.Fatal(err)
			}
			got, err := b.svc.RevealIdentity(ctx(t), b.staff, v2.ID, "test de falsification")
			if err == nil || strings.Contains(got.LegalName, marker) {
				t.Fatalf("moved key opened: %+v, %v", got, err)
			}
			if strings.Contains(err.Error(), marker) {
				t.Errorf("error reveals the identity: %v", err)
			}
		})
	}
	// Across tables: a victim's sealed identity moved to a defendant.
	if _, err := b.pool.Exec(ctx(t), `UPDATE defendants t SET identity_wrapped_key = s.identity_wrapped_key,
		identity_ciphertext = s.identity_ciphertext FROM victims s WHERE s.id = $1 AND t.id = $2`, v1.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := b.svc.RevealIdentity(ctx(t), b.staff, d.ID, "test de falsification"); err == nil {
		t.Fatalf("victim identity opened as a defendant's: %+v", got)
	}
	// The original still opens.
	if got, err := b.svc.RevealIdentity(ctx(t), b.staff, v1.ID, "contrôle"); err != nil || !strings.Contains(got.LegalName, marker) {
		t.Errorf("original identity = %+v, %v", got, err)
	}
}

func TestConsents(t *testing.T) {
	b := setup(t)
	v := b.victim(t, b.dossier, b.staff, "Camille")
	w := b.victim(t, b.dossier, b.staff, "Noé")
	ov := b.victim(t, b.otherDos, b.otherStaff, "Other")

	c, err := b.svc.RecordConsent(ctx(t), b.staff, person.RecordConsentInput{VictimID: v.ID,
		GivenBy: person.GiverLegalRepresentative, GivenOn: date("2025-02-10"), Scope: sp(" constitution de partie civile "),
		Reference: sp("ACC-1")})
	if err != nil {
		t.Fatal(err)
	}
	if c.VictimID != v.ID || c.GivenBy != person.GiverLegalRepresentative || !c.GivenOn.Equal(date("2025-02-10")) ||
		c.Scope != "constitution de partie civile" || c.Reference != "ACC-1" || c.WithdrawnOn != nil {
		t.Errorf("consent = %+v", c)
	}
	if _, err := b.svc.RecordConsent(ctx(t), b.otherStaff, person.RecordConsentInput{VictimID: ov.ID,
		GivenBy: person.GiverVictim, GivenOn: date("2025-01-01")}); err != nil {
		t.Fatal(err)
	}

	valid := person.RecordConsentInput{VictimID: v.ID, GivenBy: person.GiverVictim, GivenOn: date("2025-01-01")}
	for _, tc := range []struct {
		name  string
		edit  func(*person.RecordConsentInput)
		field string
	}{
		{"giver", func(in *person.RecordConsentInput) { in.GivenBy = "parent" }, "givenBy"},
		{"future", func(in *person.RecordConsentInput) { in.GivenOn = inDays(3) }, "givenOn"},
		{"no date", func(in *person.RecordConsentInput) { in.GivenOn = time.Time{} }, "givenOn"},
		{"scope", func(in *person.RecordConsentInput) { in.Scope = sp(strings.Repeat("a", 2001)) }, "scope"},
		{"reference", func(in *person.RecordConsentInput) { in.Reference = sp(strings.Repeat("a", 129)) }, "reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := valid
			tc.edit(&in)
			_, err := b.svc.RecordConsent(ctx(t), b.staff, in)
			wantField(t, err, tc.field)
		})
	}
	unknown := valid
	unknown.VictimID = uuid.New()
	_, err = b.svc.RecordConsent(ctx(t), b.staff, unknown)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.RecordConsent(ctx(t), b.otherStaff, valid)
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.RecordConsent(ctx(t), b.advocacy, valid)
	wantCode(t, err, apperr.Forbidden)
	_, err = b.svc.RecordConsent(ctx(t), b.outsider, valid)
	wantCode(t, err, apperr.NotFound)
	if n := b.count(t, "consents"); n != 2 {
		t.Errorf("consents = %d, want 2", n)
	}

	_, err = b.svc.WithdrawConsent(ctx(t), b.staff, c.ID, date("2025-02-09"))
	wantField(t, err, "withdrawnOn")
	_, err = b.svc.WithdrawConsent(ctx(t), b.staff, c.ID, inDays(2))
	wantField(t, err, "withdrawnOn")
	_, err = b.svc.WithdrawConsent(ctx(t), b.staff, uuid.New(), date("2025-03-01"))
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.WithdrawConsent(ctx(t), b.otherStaff, c.ID, date("2025-03-01"))
	wantCode(t, err, apperr.NotFound)
	_, err = b.svc.WithdrawConsent(ctx(t), b.advocacy, c.ID, date("2025-03-01"))
	wantCode(t, err, apperr.Forbidden)

	got, err := b.svc.WithdrawConsent(ctx(t), b.staff, c.ID, date("2025-02-10"))
	if err != nil {
		t.Fatal(err)
	}
	if got.WithdrawnOn == nil || !got.WithdrawnOn.Equal(date("2025-02-10")) {
		t.Errorf("consent = %+v", got)
	}
	_, err = b.svc.WithdrawConsent(ctx(t), b.staff, c.ID, date("2025-03-01"))
	wantCode(t, err, apperr.Conflict)

	c2, err := b.svc.RecordConsent(ctx(t), b.staff, valid)
	if err != nil {
		t.Fatal(err)
	}
	list, err := b.svc.ConsentsByVictims(ctx(t), b.lawyer, []uuid.UUID{v.ID, w.ID, ov.ID})
	if err != nil {
		t.Fatal(err)
	}
	if l := list[v.ID]; len(l) != 2 || l[0].ID != c2.ID || l[1].ID != c.ID || l[1].WithdrawnOn == nil {
		t.Errorf("consents of victim = %+v, want the 2025-01-01 one then the withdrawn one", l)
	}
	if l, ok := list[w.ID]; !ok || l == nil || len(l) != 0 {
		t.Errorf("consents of victim without any = %#v, want an empty list", l)
	}
	if len(list[ov.ID]) != 0 {
		t.Error("consents of another organisation's victim leaked")
	}
	_, err = b.svc.ConsentsByVictims(ctx(t), b.dpo, []uuid.UUID{v.ID})
	wantHidden(t, err)

	for action, want := range map[string]int{"consent.create": 3, "consent.withdraw": 1, "consent.list": 1} {
		if n := b.audits(t, action); n != want {
			t.Errorf("%s events = %d, want %d", action, n, want)
		}
	}
}

func TestUnauthenticated(t *testing.T) {
	b := setup(t)
	v := b.victim(t, b.dossier, b.staff, "Camille")
	_, err := b.svc.GetVictim(ctx(t), actor.Actor{}, v.ID)
	wantCode(t, err, apperr.Unauthenticated)
	_, err = b.svc.RevealIdentity(ctx(t), actor.Actor{}, v.ID, "une raison")
	wantCode(t, err, apperr.Unauthenticated)
	_, err = b.svc.VictimsByDossiers(ctx(t), actor.Actor{}, []uuid.UUID{b.dossier})
	wantCode(t, err, apperr.Unauthenticated)
}
