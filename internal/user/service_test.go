package user_test

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
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
	"github.com/egide/egide/internal/user"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const goodPassword = "correct horse battery"

type fixture struct {
	pool     *pgxpool.Pool
	svc      *user.Service
	dossiers *dossier.Service
	orgA     uuid.UUID
	orgB     uuid.UUID
	adminA   actor.Actor
	adminB   actor.Actor
}

func setup(t *testing.T) fixture {
	t.Helper()
	pool := pgtest.New(t)
	az := testfixture.Authorizer(t, pool)
	f := fixture{
		pool:     pool,
		svc:      user.NewService(az, pool, auth.NewPasswordPolicy()),
		dossiers: dossier.NewService(az),
		orgA:     testfixture.Org(t, pool),
		orgB:     testfixture.Org(t, pool),
	}
	f.adminA = testfixture.User(t, pool, f.orgA, actor.Admin)
	f.adminB = testfixture.User(t, pool, f.orgB, actor.Admin)
	return f
}

func ptr[T any](v T) *T { return &v }

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
	if field != "" && !slices.ContainsFunc(e.Fields, func(fe apperr.FieldError) bool { return fe.Field == field }) {
		t.Fatalf("want an error on field %q, got %v", field, err)
	}
	return e
}

func wantMessage(t *testing.T, err error, code apperr.Code, part string) {
	t.Helper()
	e := wantErr(t, err, code, "")
	if !strings.Contains(e.Message, part) {
		t.Fatalf("want a message about %q, got %q", part, e.Message)
	}
}

// superadmin returns the instance operator: a flag, no organisation.
func superadmin(t *testing.T, pool *pgxpool.Pool) actor.Actor {
	t.Helper()
	org := testfixture.Org(t, pool)
	a := testfixture.User(t, pool, org)
	if _, err := pool.Exec(context.Background(), `UPDATE users SET superadmin = true WHERE id = $1`, a.UserID); err != nil {
		t.Fatalf("superadmin: %v", err)
	}
	a.OrgID, a.Superadmin = uuid.Nil, true
	return a
}

// session opens a full session for u in SQL and returns its token.
func session(t *testing.T, pool *pgxpool.Pool, u actor.Actor) string {
	t.Helper()
	token := uuid.NewString() + uuid.NewString()
	var org *uuid.UUID
	if u.OrgID != uuid.Nil {
		org = &u.OrgID
	}
	if _, err := pool.Exec(context.Background(), `INSERT INTO sessions (token_hash, user_id, organisation_id, expires_at)
		VALUES ($1, $2, $3, now() + interval '1 hour')`, auth.HashToken(token), u.UserID, org); err != nil {
		t.Fatalf("insert session: %v", err)
	}
	return token
}

func authService(t *testing.T, pool *pgxpool.Pool) *auth.Service {
	t.Helper()
	// No key ring: Authenticate opens no TOTP secret.
	s, err := auth.New(pool, nil, auth.Config{IdleTimeout: time.Hour, MaxLifetime: 12 * time.Hour})
	if err != nil {
		t.Fatalf("auth: %v", err)
	}
	return s
}

func (f fixture) input() user.CreateInput {
	return user.CreateInput{
		Email:             "  Camille.Martin@Example.ORG ",
		DisplayName:       " Camille Martin ",
		Roles:             []actor.Role{actor.LegalStaff, actor.Advocacy, actor.LegalStaff},
		TemporaryPassword: goodPassword,
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	u, err := f.svc.Create(ctx, f.adminA, f.input())
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if u.Email != "camille.martin@example.org" || u.DisplayName != "Camille Martin" || !u.MustChangePassword ||
		u.Disabled || u.TOTPEnrolled || u.LastSignInAt != nil || u.Assignments == nil || len(u.Assignments) != 0 {
		t.Fatalf("created %+v", u)
	}
	if !slices.Equal(u.Roles, []actor.Role{actor.Advocacy, actor.LegalStaff}) {
		t.Fatalf("roles %v", u.Roles)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM memberships WHERE user_id = $1 AND organisation_id = $2`, u.ID, f.orgA); n != 2 {
		t.Fatalf("%d memberships", n)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM users WHERE id = $1 AND password_hash LIKE '$argon2id$%'
		AND must_change_password`, u.ID); n != 1 {
		t.Fatal("password not hashed with argon2id or no forced change")
	}
	if n := testfixture.AuditCount(t, f.pool, "user.create", "allowed"); n != 1 {
		t.Fatalf("%d user.create events", n)
	}
	// The audit event names identifiers only.
	if n := count(t, f.pool, `SELECT count(*) FROM audit_events WHERE action = 'user.create' AND resource_ids = $1
		AND resource_type = 'user' AND reason = ''`, []uuid.UUID{u.ID}); n != 1 {
		t.Fatal("audit event does not name the user by id")
	}

	users := count(t, f.pool, `SELECT count(*) FROM users`)
	long := strings.Repeat("x", 201)
	cases := []struct {
		name  string
		edit  func(*user.CreateInput)
		code  apperr.Code
		field string
	}{
		{"duplicate email", func(in *user.CreateInput) { in.Email = "CAMILLE.martin@example.org" }, apperr.Invalid, "email"},
		{"no email", func(in *user.CreateInput) { in.Email = " " }, apperr.Invalid, "email"},
		{"bad email", func(in *user.CreateInput) { in.Email = "camille@localhost" }, apperr.Invalid, "email"},
		{"not an email", func(in *user.CreateInput) { in.Email = "Camille <c@example.org>" }, apperr.Invalid, "email"},
		{"no name", func(in *user.CreateInput) { in.DisplayName = "  " }, apperr.Invalid, "displayName"},
		{"long name", func(in *user.CreateInput) { in.DisplayName = long }, apperr.Invalid, "displayName"},
		{"no roles", func(in *user.CreateInput) { in.Roles = nil }, apperr.Invalid, "roles"},
		{"unknown role", func(in *user.CreateInput) { in.Roles = []actor.Role{actor.Superadmin} }, apperr.Invalid, "roles"},
		{"short password", func(in *user.CreateInput) { in.TemporaryPassword = "short" }, apperr.Invalid, "temporaryPassword"},
		{"common password", func(in *user.CreateInput) { in.TemporaryPassword = "Password1234" }, apperr.Invalid, "temporaryPassword"},
		{"password like the email", func(in *user.CreateInput) {
			in.Email, in.TemporaryPassword = "dominique@example.org", "dominique-2025!"
		}, apperr.Invalid, "temporaryPassword"},
		{"admin choosing another organisation", func(in *user.CreateInput) {
			in.Email, in.OrganisationID = "other@example.org", &f.orgB
		}, apperr.Forbidden, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := f.input()
			c.edit(&in)
			_, err := f.svc.Create(ctx, f.adminA, in)
			wantErr(t, err, c.code, c.field)
		})
	}
	if n := count(t, f.pool, `SELECT count(*) FROM users`); n != users {
		t.Fatalf("%d users after refused creations, want %d", n, users)
	}

	// The admin may name their own organisation.
	in := f.input()
	in.Email, in.OrganisationID = "own@example.org", &f.orgA
	if _, err := f.svc.Create(ctx, f.adminA, in); err != nil {
		t.Fatalf("create naming own organisation: %v", err)
	}
}

func TestOnlyAdministratorsManageUsers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	target := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	users := count(t, f.pool, `SELECT count(*) FROM users`)
	for _, r := range []actor.Role{actor.LegalStaff, actor.PartnerLawyer, actor.Advocacy, actor.DPO} {
		t.Run(string(r), func(t *testing.T) {
			a := testfixture.User(t, f.pool, f.orgA, r)
			users++
			in := f.input()
			in.Email = string(r) + "@example.org"
			_, err := f.svc.Create(ctx, a, in)
			wantErr(t, err, apperr.Forbidden, "")
			_, err = f.svc.List(ctx, a, user.ListParams{})
			wantErr(t, err, apperr.Forbidden, "")
			_, err = f.svc.Get(ctx, a, target.UserID)
			wantErr(t, err, apperr.Forbidden, "")
			_, err = f.svc.SetRoles(ctx, a, target.UserID, []actor.Role{actor.Admin})
			wantErr(t, err, apperr.Forbidden, "")
			_, err = f.svc.Disable(ctx, a, target.UserID)
			wantErr(t, err, apperr.Forbidden, "")
			_, err = f.svc.ResetPassword(ctx, a, target.UserID, goodPassword)
			wantErr(t, err, apperr.Forbidden, "")
			_, err = f.svc.EndSessions(ctx, a, target.UserID)
			wantErr(t, err, apperr.Forbidden, "")
		})
	}
	if n := count(t, f.pool, `SELECT count(*) FROM users`); n != users {
		t.Fatalf("%d users, want %d: a refused creation wrote", n, users)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM memberships WHERE user_id = $1 AND role = 'admin'`, target.UserID); n != 0 {
		t.Fatal("a refused role change wrote")
	}
	if n := testfixture.AuditCount(t, f.pool, "access.denied", "denied"); n != 28 {
		t.Fatalf("%d denials audited, want 28", n)
	}
	if _, err := f.svc.List(ctx, actor.Actor{}, user.ListParams{}); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("anonymous list: %v", err)
	}
}

func TestSuperadminCreatesFirstAdministrator(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	op := superadmin(t, f.pool)
	org := testfixture.Org(t, f.pool)
	in := user.CreateInput{Email: "first@example.org", DisplayName: "First", Roles: []actor.Role{actor.Admin},
		TemporaryPassword: goodPassword, OrganisationID: &org}
	u, err := f.svc.Create(ctx, op, in)
	if err != nil {
		t.Fatalf("create first admin: %v", err)
	}
	if !slices.Equal(u.Roles, []actor.Role{actor.Admin}) || !u.MustChangePassword {
		t.Fatalf("first admin %+v", u)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM memberships WHERE user_id = $1 AND organisation_id = $2 AND role = 'admin'`,
		u.ID, org); n != 1 {
		t.Fatal("first admin has no admin membership in the organisation")
	}

	in.Email = "second@example.org"
	_, err = f.svc.Create(ctx, op, in)
	wantMessage(t, err, apperr.Conflict, "already has an administrator")

	in.OrganisationID = &f.orgA // has adminA
	_, err = f.svc.Create(ctx, op, in)
	wantErr(t, err, apperr.Conflict, "")

	fresh := testfixture.Org(t, f.pool)
	in.OrganisationID = &fresh
	in.Roles = []actor.Role{actor.LegalStaff}
	_, err = f.svc.Create(ctx, op, in)
	wantErr(t, err, apperr.Forbidden, "")
	in.Roles = []actor.Role{actor.Admin, actor.LegalStaff}
	_, err = f.svc.Create(ctx, op, in)
	wantErr(t, err, apperr.Forbidden, "")

	in.Roles = []actor.Role{actor.Admin}
	in.OrganisationID = nil
	_, err = f.svc.Create(ctx, op, in)
	wantErr(t, err, apperr.Invalid, "organisationId")
	in.OrganisationID = ptr(uuid.New())
	_, err = f.svc.Create(ctx, op, in)
	wantErr(t, err, apperr.Invalid, "organisationId")

	if n := count(t, f.pool, `SELECT count(*) FROM users WHERE email = 'second@example.org'`); n != 0 {
		t.Fatal("a refused creation wrote")
	}

	// The operator does not administer users otherwise.
	_, err = f.svc.List(ctx, op, user.ListParams{})
	wantErr(t, err, apperr.Forbidden, "")
	_, err = f.svc.Get(ctx, op, u.ID)
	wantErr(t, err, apperr.Forbidden, "")
	_, err = f.svc.SetRoles(ctx, op, u.ID, []actor.Role{actor.LegalStaff})
	wantErr(t, err, apperr.Forbidden, "")
	_, err = f.svc.ResetPassword(ctx, op, u.ID, goodPassword)
	wantErr(t, err, apperr.Forbidden, "")
}

func TestListAndGet(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	var mine []uuid.UUID
	for i, r := range []actor.Role{actor.LegalStaff, actor.PartnerLawyer, actor.Advocacy, actor.DPO, actor.LegalStaff} {
		in := user.CreateInput{Email: string(rune('a'+i)) + "-member@example.org", DisplayName: "Member " + string(rune('A'+i)),
			Roles: []actor.Role{r}, TemporaryPassword: goodPassword}
		u, err := f.svc.Create(ctx, f.adminA, in)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		mine = append(mine, u.ID)
	}
	other := testfixture.User(t, f.pool, f.orgB, actor.LegalStaff)
	if _, err := f.pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, mine[4]); err != nil {
		t.Fatal(err)
	}
	d := testfixture.Dossier(t, f.pool, f.orgA)
	testfixture.Assign(t, f.pool, d, mine[0])

	// Walk every page of two: the organisation's six members, by e-mail, and nobody else.
	var seen []user.User
	var after *string
	for {
		p, err := f.svc.List(ctx, f.adminA, user.ListParams{First: ptr(2), After: after})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		seen = append(seen, p.Nodes...)
		if !p.Info.HasNextPage {
			break
		}
		after = p.Info.EndCursor
	}
	if len(seen) != 6 {
		t.Fatalf("listed %d users, want 6", len(seen))
	}
	for i, u := range seen {
		if u.ID == other.UserID {
			t.Fatal("listed a member of another organisation")
		}
		if i > 0 && seen[i-1].Email > u.Email {
			t.Fatal("not ordered by e-mail")
		}
		if u.ID == mine[0] && (len(u.Assignments) != 1 || u.Assignments[0].DossierID != d || u.Assignments[0].Reference == "") {
			t.Fatalf("assignments %+v", u.Assignments)
		}
	}

	filters := []struct {
		name string
		f    user.Filter
		want int
	}{
		{"text in e-mail", user.Filter{Text: ptr("B-MEMBER")}, 1},
		{"text in name", user.Filter{Text: ptr("member")}, 5},
		{"like characters are literal", user.Filter{Text: ptr("%")}, 0},
		{"role", user.Filter{Role: ptr(actor.LegalStaff)}, 2},
		{"disabled", user.Filter{Disabled: ptr(true)}, 1},
		{"enabled legal staff", user.Filter{Disabled: ptr(false), Role: ptr(actor.LegalStaff)}, 1},
	}
	for _, c := range filters {
		p, err := f.svc.List(ctx, f.adminA, user.ListParams{Filter: c.f})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(p.Nodes) != c.want {
			t.Fatalf("%s: %d users, want %d", c.name, len(p.Nodes), c.want)
		}
	}
	_, err := f.svc.List(ctx, f.adminA, user.ListParams{Filter: user.Filter{Role: ptr(actor.Superadmin)}})
	wantErr(t, err, apperr.Invalid, "filter.role")
	_, err = f.svc.List(ctx, f.adminA, user.ListParams{After: ptr("nonsense")})
	wantErr(t, err, apperr.Invalid, "after")
	_, err = f.svc.List(ctx, f.adminA, user.ListParams{First: ptr(0)})
	wantErr(t, err, apperr.Invalid, "first")

	u, err := f.svc.Get(ctx, f.adminA, mine[1])
	if err != nil || u.ID != mine[1] || !slices.Equal(u.Roles, []actor.Role{actor.PartnerLawyer}) {
		t.Fatalf("get: %+v %v", u, err)
	}
	if n := testfixture.AuditCount(t, f.pool, "user.read", "allowed"); n != 1 {
		t.Fatalf("%d user.read events", n)
	}
	if n := testfixture.AuditCount(t, f.pool, "user.list", "allowed"); n < 4 {
		t.Fatalf("%d user.list events", n)
	}
	_, err = f.svc.Get(ctx, f.adminA, other.UserID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Get(ctx, f.adminA, uuid.New())
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Get(ctx, f.adminB, mine[0])
	wantErr(t, err, apperr.NotFound, "")
}

func TestSetRoles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	staff := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	d := testfixture.Dossier(t, f.pool, f.orgA)
	testfixture.Assign(t, f.pool, d, staff.UserID)

	u, err := f.svc.SetRoles(ctx, f.adminA, staff.UserID, []actor.Role{actor.PartnerLawyer, actor.LegalStaff})
	if err != nil || !slices.Equal(u.Roles, []actor.Role{actor.LegalStaff, actor.PartnerLawyer}) || len(u.Assignments) != 1 {
		t.Fatalf("set roles: %+v %v", u, err)
	}
	// Without legal_staff nor partner_lawyer, the assignments go.
	u, err = f.svc.SetRoles(ctx, f.adminA, staff.UserID, []actor.Role{actor.Advocacy})
	if err != nil || !slices.Equal(u.Roles, []actor.Role{actor.Advocacy}) || len(u.Assignments) != 0 {
		t.Fatalf("set roles: %+v %v", u, err)
	}
	if n := testfixture.AuditCount(t, f.pool, "user.roles", "allowed"); n != 2 {
		t.Fatalf("%d user.roles events", n)
	}

	_, err = f.svc.SetRoles(ctx, f.adminA, staff.UserID, nil)
	wantErr(t, err, apperr.Invalid, "roles")
	_, err = f.svc.SetRoles(ctx, f.adminA, staff.UserID, []actor.Role{"boss"})
	wantErr(t, err, apperr.Invalid, "roles")
	_, err = f.svc.SetRoles(ctx, f.adminB, staff.UserID, []actor.Role{actor.Admin})
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.SetRoles(ctx, f.adminA, uuid.New(), []actor.Role{actor.Admin})
	wantErr(t, err, apperr.NotFound, "")

	// Nobody changes their own roles, not even to keep admin (duties_test.go).
	_, err = f.svc.SetRoles(ctx, f.adminA, f.adminA.UserID, []actor.Role{actor.Admin})
	wantMessage(t, err, apperr.Forbidden, "your own roles")
	// Another administrator may be demoted...
	second := testfixture.User(t, f.pool, f.orgA, actor.Admin)
	if _, err := f.svc.SetRoles(ctx, f.adminA, second.UserID, []actor.Role{actor.DPO}); err != nil {
		t.Fatalf("demote another admin: %v", err)
	}
	// ...but not the last enabled one (here adminA, by a stale session of
	// the demoted one: the actor still says admin, the database does not).
	third := testfixture.User(t, f.pool, f.orgA, actor.Admin)
	if _, err := f.svc.Disable(ctx, f.adminA, third.UserID); err != nil {
		t.Fatalf("disable: %v", err)
	}
	_, err = f.svc.SetRoles(ctx, second, f.adminA.UserID, []actor.Role{actor.LegalStaff})
	wantMessage(t, err, apperr.Conflict, "last administrator")
	if n := count(t, f.pool, `SELECT count(*) FROM memberships WHERE user_id = $1 AND role = 'admin'`, f.adminA.UserID); n != 1 {
		t.Fatal("admin lost the role")
	}
}

func TestDisableRevokesOnNextRequest(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	as := authService(t, f.pool)
	staff := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	token := session(t, f.pool, staff)
	if a, err := as.Authenticate(ctx, token, actor.Actor{}); err != nil || a.UserID != staff.UserID {
		t.Fatalf("authenticate before: %+v %v", a, err)
	}

	u, err := f.svc.Disable(ctx, f.adminA, staff.UserID)
	if err != nil || !u.Disabled {
		t.Fatalf("disable: %+v %v", u, err)
	}
	if _, err := as.Authenticate(ctx, token, actor.Actor{}); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("authenticate after disable: %v", err)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM sessions WHERE user_id = $1`, staff.UserID); n != 0 {
		t.Fatalf("%d sessions left", n)
	}
	// Disabling again changes nothing.
	if _, err := f.svc.Disable(ctx, f.adminA, staff.UserID); err != nil {
		t.Fatalf("disable again: %v", err)
	}
	// A session made afterwards does not work either while disabled.
	token = session(t, f.pool, staff)
	if _, err := as.Authenticate(ctx, token, actor.Actor{}); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("authenticate while disabled: %v", err)
	}

	u, err = f.svc.Enable(ctx, f.adminA, staff.UserID)
	if err != nil || u.Disabled {
		t.Fatalf("enable: %+v %v", u, err)
	}
	if _, err := as.Authenticate(ctx, token, actor.Actor{}); err != nil {
		t.Fatalf("authenticate after enable: %v", err)
	}
	if n := testfixture.AuditCount(t, f.pool, "user.disable", "allowed"); n != 2 {
		t.Fatalf("%d user.disable events", n)
	}
	if n := testfixture.AuditCount(t, f.pool, "user.enable", "allowed"); n != 1 {
		t.Fatalf("%d user.enable events", n)
	}

	_, err = f.svc.Disable(ctx, f.adminA, f.adminA.UserID)
	wantMessage(t, err, apperr.Conflict, "your own account")
	_, err = f.svc.Disable(ctx, f.adminB, staff.UserID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Enable(ctx, f.adminB, staff.UserID)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Disable(ctx, f.adminA, uuid.New())
	wantErr(t, err, apperr.NotFound, "")
	if n := count(t, f.pool, `SELECT count(*) FROM users WHERE disabled_at IS NOT NULL`); n != 0 {
		t.Fatal("a refused disable wrote")
	}
}

func TestAccountWideChangesStayInTheOrganisation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	// A member of A who is also an administrator of B: an admin of A must
	// not take over their account.
	both := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	if _, err := f.pool.Exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'admin')`,
		both.UserID, f.orgB); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.ResetPassword(ctx, f.adminA, both.UserID, goodPassword)
	wantErr(t, err, apperr.Forbidden, "")
	_, err = f.svc.ResetSecondFactor(ctx, f.adminA, both.UserID)
	wantErr(t, err, apperr.Forbidden, "")
	_, err = f.svc.Disable(ctx, f.adminA, both.UserID)
	wantErr(t, err, apperr.Forbidden, "")
	_, err = f.svc.EndSessions(ctx, f.adminA, both.UserID)
	wantErr(t, err, apperr.Forbidden, "")
	// Roles in A remain A's to set; B's are untouched.
	u, err := f.svc.SetRoles(ctx, f.adminA, both.UserID, []actor.Role{actor.Advocacy})
	if err != nil || !slices.Equal(u.Roles, []actor.Role{actor.Advocacy}) {
		t.Fatalf("set roles: %+v %v", u, err)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM memberships WHERE user_id = $1 AND organisation_id = $2 AND role = 'admin'`,
		both.UserID, f.orgB); n != 1 {
		t.Fatal("roles in another organisation changed")
	}
	// The operator's account is out of reach too.
	op := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	if _, err := f.pool.Exec(ctx, `UPDATE users SET superadmin = true WHERE id = $1`, op.UserID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ResetPassword(ctx, f.adminA, op.UserID, goodPassword)
	wantErr(t, err, apperr.Forbidden, "")
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	staff := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	session(t, f.pool, staff)

	u, err := f.svc.ResetPassword(ctx, f.adminA, staff.UserID, goodPassword)
	if err != nil || !u.MustChangePassword {
		t.Fatalf("reset: %+v %v", u, err)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM users WHERE id = $1 AND password_hash LIKE '$argon2id$%'`, staff.UserID); n != 1 {
		t.Fatal("password not replaced")
	}
	if n := count(t, f.pool, `SELECT count(*) FROM sessions WHERE user_id = $1`, staff.UserID); n != 0 {
		t.Fatal("sessions not ended")
	}
	if n := testfixture.AuditCount(t, f.pool, "user.password.reset", "allowed"); n != 1 {
		t.Fatalf("%d user.password.reset events", n)
	}

	other := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	_, err = f.svc.ResetPassword(ctx, f.adminA, other.UserID, "short")
	wantErr(t, err, apperr.Invalid, "temporaryPassword")
	// The fixture's e-mail is "<uuid>@example.org": a password containing it is refused.
	var email string
	if err := f.pool.QueryRow(ctx, `SELECT email FROM users WHERE id = $1`, other.UserID).Scan(&email); err != nil {
		t.Fatal(err)
	}
	local, _, _ := strings.Cut(email, "@")
	_, err = f.svc.ResetPassword(ctx, f.adminA, other.UserID, "x"+local)
	wantErr(t, err, apperr.Invalid, "temporaryPassword")
	if n := count(t, f.pool, `SELECT count(*) FROM users WHERE id = $1 AND password_hash = 'x' AND NOT must_change_password`,
		other.UserID); n != 1 {
		t.Fatal("a refused reset wrote")
	}
	_, err = f.svc.ResetPassword(ctx, f.adminB, other.UserID, goodPassword)
	wantErr(t, err, apperr.NotFound, "")
}

func TestResetSecondFactor(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	staff := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	if _, err := f.pool.Exec(ctx, `UPDATE users SET totp_secret_sealed = '\x01', totp_secret_key = '\x02', totp_last_step = 42
		WHERE id = $1`, staff.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2), ($1, $3)`,
		staff.UserID, auth.HashToken("a"), auth.HashToken("b")); err != nil {
		t.Fatal(err)
	}
	session(t, f.pool, staff)
	if u, err := f.svc.Get(ctx, f.adminA, staff.UserID); err != nil || !u.TOTPEnrolled {
		t.Fatalf("get: %+v %v", u, err)
	}

	_, err := f.svc.ResetSecondFactor(ctx, f.adminB, staff.UserID)
	wantErr(t, err, apperr.NotFound, "")
	if n := count(t, f.pool, `SELECT count(*) FROM recovery_codes WHERE user_id = $1`, staff.UserID); n != 2 {
		t.Fatal("a refused reset wrote")
	}

	u, err := f.svc.ResetSecondFactor(ctx, f.adminA, staff.UserID)
	if err != nil || u.TOTPEnrolled {
		t.Fatalf("reset: %+v %v", u, err)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM users WHERE id = $1 AND totp_secret_sealed IS NULL
		AND totp_secret_key IS NULL AND totp_last_step = 0`, staff.UserID); n != 1 {
		t.Fatal("secret not removed")
	}
	if n := count(t, f.pool, `SELECT count(*) FROM recovery_codes WHERE user_id = $1`, staff.UserID); n != 0 {
		t.Fatal("recovery codes left")
	}
	if n := count(t, f.pool, `SELECT count(*) FROM sessions WHERE user_id = $1`, staff.UserID); n != 0 {
		t.Fatal("sessions not ended")
	}
	if n := testfixture.AuditCount(t, f.pool, "user.totp.reset", "allowed"); n != 1 {
		t.Fatalf("%d user.totp.reset events", n)
	}
}

func TestEndSessions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	staff := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	session(t, f.pool, staff)
	session(t, f.pool, staff)
	session(t, f.pool, f.adminA)

	_, err := f.svc.EndSessions(ctx, f.adminB, staff.UserID)
	wantErr(t, err, apperr.NotFound, "")
	n, err := f.svc.EndSessions(ctx, f.adminA, staff.UserID)
	if err != nil || n != 2 {
		t.Fatalf("end sessions: %d %v", n, err)
	}
	if n, err := f.svc.EndSessions(ctx, f.adminA, staff.UserID); err != nil || n != 0 {
		t.Fatalf("end no sessions: %d %v", n, err)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM sessions WHERE user_id = $1`, f.adminA.UserID); n != 1 {
		t.Fatal("another user's session ended")
	}
	if n := testfixture.AuditCount(t, f.pool, "user.sessions.end", "allowed"); n != 2 {
		t.Fatalf("%d user.sessions.end events", n)
	}
}

func TestAssignment(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	lawyer := testfixture.User(t, f.pool, f.orgA, actor.PartnerLawyer)
	d := testfixture.Dossier(t, f.pool, f.orgA)

	_, err := f.dossiers.Get(ctx, lawyer, d)
	wantErr(t, err, apperr.NotFound, "")

	got, err := f.svc.Assign(ctx, f.adminA, d, lawyer.UserID)
	if err != nil || got.ID != d {
		t.Fatalf("assign: %+v %v", got, err)
	}
	if _, err := f.dossiers.Get(ctx, lawyer, d); err != nil {
		t.Fatalf("assigned lawyer reads the dossier: %v", err)
	}
	if _, err := f.svc.Assign(ctx, f.adminA, d, lawyer.UserID); err != nil {
		t.Fatalf("assign again: %v", err)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM dossier_assignments WHERE dossier_id = $1`, d); n != 1 {
		t.Fatalf("%d assignments", n)
	}
	if u, err := f.svc.Get(ctx, f.adminA, lawyer.UserID); err != nil || len(u.Assignments) != 1 || u.Assignments[0].DossierID != d {
		t.Fatalf("user's assignments: %+v %v", u, err)
	}

	if _, err := f.svc.Unassign(ctx, f.adminA, d, lawyer.UserID); err != nil {
		t.Fatalf("unassign: %v", err)
	}
	_, err = f.dossiers.Get(ctx, lawyer, d)
	wantErr(t, err, apperr.NotFound, "")
	if _, err := f.svc.Unassign(ctx, f.adminA, d, lawyer.UserID); err != nil {
		t.Fatalf("unassign again: %v", err)
	}
	if n := testfixture.AuditCount(t, f.pool, "dossier.assign", "allowed"); n != 2 {
		t.Fatalf("%d dossier.assign events", n)
	}
	if n := testfixture.AuditCount(t, f.pool, "dossier.unassign", "allowed"); n != 2 {
		t.Fatalf("%d dossier.unassign events", n)
	}

	advocacy := testfixture.User(t, f.pool, f.orgA, actor.Advocacy, actor.DPO)
	staffB := testfixture.User(t, f.pool, f.orgB, actor.LegalStaff)
	staffA := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	dB := testfixture.Dossier(t, f.pool, f.orgB)
	shared := testfixture.Dossier(t, f.pool, f.orgA)
	testfixture.Share(t, f.pool, shared, f.orgB)
	cases := []struct {
		name    string
		a       actor.Actor
		dossier uuid.UUID
		user    uuid.UUID
		code    apperr.Code
		field   string
	}{
		{"role that is not assigned", f.adminA, d, advocacy.UserID, apperr.Invalid, "userId"},
		{"administrator assigning themselves", f.adminA, d, f.adminA.UserID, apperr.Forbidden, "userId"},
		{"member of another organisation", f.adminA, d, staffB.UserID, apperr.NotFound, ""},
		{"unknown user", f.adminA, d, uuid.New(), apperr.NotFound, ""},
		{"unknown dossier", f.adminA, uuid.New(), lawyer.UserID, apperr.NotFound, ""},
		{"dossier of another organisation", f.adminA, dB, lawyer.UserID, apperr.NotFound, ""},
		{"other organisation's admin", f.adminB, d, lawyer.UserID, apperr.NotFound, ""},
		{"dossier merely shared with us", f.adminB, shared, staffB.UserID, apperr.Forbidden, ""},
		{"legal staff", staffA, d, lawyer.UserID, apperr.Forbidden, ""},
		{"unassigned partner lawyer", lawyer, d, lawyer.UserID, apperr.NotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Assign(ctx, c.a, c.dossier, c.user)
			wantErr(t, err, c.code, c.field)
			if c.code != apperr.Invalid && c.user != f.adminA.UserID { // removing oneself is allowed
				_, err = f.svc.Unassign(ctx, c.a, c.dossier, c.user)
				wantErr(t, err, c.code, c.field)
			}
		})
	}
	if n := count(t, f.pool, `SELECT count(*) FROM dossier_assignments`); n != 0 {
		t.Fatalf("%d assignments after refusals", n)
	}
}

func TestSharing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	staffB := testfixture.User(t, f.pool, f.orgB, actor.LegalStaff)
	d := testfixture.Dossier(t, f.pool, f.orgA)

	_, err := f.dossiers.Get(ctx, staffB, d)
	wantErr(t, err, apperr.NotFound, "")
	got, err := f.svc.Share(ctx, f.adminA, d, f.orgB)
	if err != nil || got.ID != d {
		t.Fatalf("share: %+v %v", got, err)
	}
	if _, err := f.dossiers.Get(ctx, staffB, d); err != nil {
		t.Fatalf("other organisation's staff reads the shared dossier: %v", err)
	}
	if _, err := f.svc.Share(ctx, f.adminA, d, f.orgB); err != nil {
		t.Fatalf("share again: %v", err)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM dossier_shares WHERE dossier_id = $1`, d); n != 1 {
		t.Fatalf("%d shares", n)
	}

	// The organisation it is shared with sees it but does not manage it.
	_, err = f.svc.Share(ctx, f.adminB, d, testfixture.Org(t, f.pool))
	wantErr(t, err, apperr.Forbidden, "")
	_, err = f.svc.Unshare(ctx, f.adminB, d, f.orgB)
	wantErr(t, err, apperr.Forbidden, "")

	if _, err := f.svc.Unshare(ctx, f.adminA, d, f.orgB); err != nil {
		t.Fatalf("unshare: %v", err)
	}
	_, err = f.dossiers.Get(ctx, staffB, d)
	wantErr(t, err, apperr.NotFound, "")
	if n := testfixture.AuditCount(t, f.pool, "dossier.share", "allowed"); n != 2 {
		t.Fatalf("%d dossier.share events", n)
	}
	if n := testfixture.AuditCount(t, f.pool, "dossier.unshare", "allowed"); n != 1 {
		t.Fatalf("%d dossier.unshare events", n)
	}

	staffA := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	cases := []struct {
		name    string
		a       actor.Actor
		dossier uuid.UUID
		org     uuid.UUID
		code    apperr.Code
		field   string
	}{
		{"own organisation", f.adminA, d, f.orgA, apperr.Invalid, "organisationId"},
		{"unknown organisation", f.adminA, d, uuid.New(), apperr.NotFound, ""},
		{"unknown dossier", f.adminA, uuid.New(), f.orgB, apperr.NotFound, ""},
		{"another organisation's dossier", f.adminB, d, f.orgB, apperr.NotFound, ""},
		{"legal staff", staffA, d, f.orgB, apperr.Forbidden, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Share(ctx, c.a, c.dossier, c.org)
			wantErr(t, err, c.code, c.field)
			_, err = f.svc.Unshare(ctx, c.a, c.dossier, c.org)
			wantErr(t, err, c.code, c.field)
		})
	}
	if n := count(t, f.pool, `SELECT count(*) FROM dossier_shares`); n != 0 {
		t.Fatalf("%d shares after refusals", n)
	}
}

func TestAssignees(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	d := testfixture.Dossier(t, f.pool, f.orgA)
	staff := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	lawyer := testfixture.User(t, f.pool, f.orgA, actor.PartnerLawyer)
	testfixture.Assign(t, f.pool, d, staff.UserID)
	testfixture.Assign(t, f.pool, d, lawyer.UserID)
	testfixture.Share(t, f.pool, d, f.orgB)

	for name, a := range map[string]actor.Actor{"admin": f.adminA, "legal staff": staff, "assigned lawyer": lawyer,
		"advocacy": testfixture.User(t, f.pool, f.orgA, actor.Advocacy)} {
		as, err := f.svc.Assignees(ctx, a, d)
		if err != nil || len(as) != 2 {
			t.Fatalf("%s: %+v %v", name, as, err)
		}
		for _, x := range as {
			if x.DisplayName == "" || len(x.Roles) != 1 || x.AssignedAt.IsZero() {
				t.Fatalf("%s: assignee %+v", name, x)
			}
		}
	}
	// The organisation it is shared with does not see the owner's staff.
	as, err := f.svc.Assignees(ctx, testfixture.User(t, f.pool, f.orgB, actor.LegalStaff), d)
	if err != nil || len(as) != 0 {
		t.Fatalf("shared organisation: %+v %v", as, err)
	}
	_, err = f.svc.Assignees(ctx, testfixture.User(t, f.pool, f.orgA, actor.DPO), d)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Assignees(ctx, testfixture.User(t, f.pool, f.orgA, actor.PartnerLawyer), d)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Assignees(ctx, testfixture.User(t, f.pool, testfixture.Org(t, f.pool), actor.Admin), d)
	wantErr(t, err, apperr.NotFound, "")
	_, err = f.svc.Assignees(ctx, f.adminA, uuid.New())
	wantErr(t, err, apperr.NotFound, "")
	if n := testfixture.AuditCount(t, f.pool, "user.list", "allowed"); n != 5 {
		t.Fatalf("%d user.list events", n)
	}
}

// Two administrators demoting each other at the same time: the
// organisation lock lets exactly one succeed.
func TestConcurrentDemotionsKeepAnAdministrator(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	second := testfixture.User(t, f.pool, f.orgA, actor.Admin)
	errs := make(chan error, 2)
	for _, p := range [][2]actor.Actor{{f.adminA, second}, {second, f.adminA}} {
		go func() {
			_, err := f.svc.SetRoles(ctx, p[0], p[1].UserID, []actor.Role{actor.LegalStaff})
			errs <- err
		}()
	}
	var ok, conflict int
	for range 2 {
		switch err := <-errs; apperr.CodeOf(err) {
		case apperr.Conflict:
			conflict++
		default:
			if err != nil {
				t.Fatalf("demote: %v", err)
			}
			ok++
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("%d succeeded, %d conflicts: want one each", ok, conflict)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM memberships WHERE organisation_id = $1 AND role = 'admin'`, f.orgA); n != 1 {
		t.Fatalf("%d administrators left, want 1", n)
	}
}
