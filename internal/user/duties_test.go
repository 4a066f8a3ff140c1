package user_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/auditlog"
	"github.com/egide/egide/internal/testfixture"
	"github.com/egide/egide/internal/user"
)

// The separation-of-duties rules (docs/security.md, "Roles and
// permissions"), each tried the way an attacker would.

// roles returns the roles user id holds in org, sorted.
func roles(t *testing.T, pool *pgxpool.Pool, org, id uuid.UUID) []string {
	t.Helper()
	var out []string
	if err := pool.QueryRow(context.Background(), `SELECT coalesce(array_agg(role ORDER BY role), '{}')
		FROM memberships WHERE user_id = $1 AND organisation_id = $2`, id, org).Scan(&out); err != nil {
		t.Fatalf("read roles: %v", err)
	}
	return out
}

// deniedOn counts the access.denied events of actor on resource with permission p.
func deniedOn(t *testing.T, pool *pgxpool.Pool, actorID, resource uuid.UUID, p string) int {
	t.Helper()
	return count(t, pool, `SELECT count(*) FROM audit_events WHERE action = 'access.denied' AND outcome = 'denied'
		AND actor_user_id = $1 AND resource_ids @> ARRAY[$2::uuid] AND permission = $3`, actorID, resource, p)
}

func TestNobodyChangesTheirOwnRoles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	// An administrator of A who is also legal staff in B.
	both := testfixture.User(t, f.pool, f.orgA, actor.Admin)
	testfixture.User(t, f.pool, f.orgA, actor.Admin) // A has another administrator
	if _, err := f.pool.Exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'legal_staff')`,
		both.UserID, f.orgB); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		a     actor.Actor
		roles []actor.Role
	}{
		"admin adds legal_staff to self":           {f.adminA, []actor.Role{actor.Admin, actor.LegalStaff}},
		"admin adds partner_lawyer to self":        {f.adminA, []actor.Role{actor.Admin, actor.PartnerLawyer}},
		"admin adds dpo to self":                   {f.adminA, []actor.Role{actor.Admin, actor.DPO}},
		"admin keeps only admin":                   {f.adminA, []actor.Role{actor.Admin}},
		"admin drops admin for legal_staff":        {f.adminA, []actor.Role{actor.LegalStaff}},
		"admin also in B adds legal_staff in A":    {both, []actor.Role{actor.Admin, actor.LegalStaff}},
		"admin also in B drops admin":              {both, []actor.Role{actor.Advocacy}},
		"admin also in B re-sets the same roles":   {both, []actor.Role{actor.Admin}},
		"admin of B adds legal_staff to self in B": {f.adminB, []actor.Role{actor.Admin, actor.LegalStaff}},
	} {
		t.Run(name, func(t *testing.T) {
			before := roles(t, f.pool, tc.a.OrgID, tc.a.UserID)
			denied := deniedOn(t, f.pool, tc.a.UserID, tc.a.UserID, "user:write")
			_, err := f.svc.SetRoles(ctx, tc.a, tc.a.UserID, tc.roles)
			wantMessage(t, err, apperr.Forbidden, "your own roles")
			if got := roles(t, f.pool, tc.a.OrgID, tc.a.UserID); !slices.Equal(got, before) {
				t.Fatalf("roles changed: %v → %v", before, got)
			}
			if n := deniedOn(t, f.pool, tc.a.UserID, tc.a.UserID, "user:write"); n != denied+1 {
				t.Fatalf("%d denial events, want %d", n, denied+1)
			}
		})
	}
	if got := roles(t, f.pool, f.orgB, both.UserID); !slices.Equal(got, []string{"legal_staff"}) {
		t.Fatalf("roles in B changed: %v", got)
	}
	// Acting for B, they are legal staff there and manage nobody; acting
	// for A, they do not reach B's accounts or create accounts in B.
	inB := both
	inB.OrgID, inB.Roles = f.orgB, []actor.Role{actor.LegalStaff}
	_, err := f.svc.SetRoles(ctx, inB, both.UserID, []actor.Role{actor.Admin})
	wantErr(t, err, apperr.Forbidden, "")
	_, err = f.svc.SetRoles(ctx, both, f.adminB.UserID, []actor.Role{actor.LegalStaff})
	wantErr(t, err, apperr.NotFound, "")
	in := f.input()
	in.Roles, in.OrganisationID = []actor.Role{actor.Admin}, &f.orgB
	_, err = f.svc.Create(ctx, both, in)
	wantErr(t, err, apperr.Forbidden, "")
}

func TestConcurrentSelfGrantsAreAllRefused(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs := []actor.Role{actor.Admin, actor.LegalStaff}
			if i%2 == 1 {
				rs = []actor.Role{actor.Admin, actor.PartnerLawyer}
			}
			_, errs[i] = f.svc.SetRoles(ctx, f.adminA, f.adminA.UserID, rs)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("attempt %d: want FORBIDDEN, got %v", i, err)
		}
	}
	if got := roles(t, f.pool, f.orgA, f.adminA.UserID); !slices.Equal(got, []string{"admin"}) {
		t.Fatalf("roles after the attempts: %v", got)
	}
	if got := deniedOn(t, f.pool, f.adminA.UserID, f.adminA.UserID, "user:write"); got != n {
		t.Fatalf("%d denial events, want %d", got, n)
	}
}

func TestNobodyAssignsThemselves(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	d := testfixture.Dossier(t, f.pool, f.orgA)
	// An account that holds both roles from before the rule (inserted
	// directly: the service no longer grants the combination).
	legacy := testfixture.User(t, f.pool, f.orgA, actor.Admin, actor.LegalStaff)
	for name, a := range map[string]actor.Actor{
		"admin":                 f.adminA,
		"admin and legal staff": legacy,
	} {
		t.Run(name, func(t *testing.T) {
			e := wantErr(t, func() error { _, err := f.svc.Assign(ctx, a, d, a.UserID); return err }(), apperr.Forbidden, "userId")
			if e.Message != "you cannot assign yourself to a dossier: ask another administrator" {
				t.Fatalf("message %q", e.Message)
			}
			if n := count(t, f.pool, `SELECT count(*) FROM dossier_assignments WHERE user_id = $1`, a.UserID); n != 0 {
				t.Fatal("assigned")
			}
			if n := count(t, f.pool, `SELECT count(*) FROM audit_events WHERE action = 'access.denied' AND actor_user_id = $1
				AND dossier_id = $2 AND permission = 'dossier:assign' AND resource_ids @> ARRAY[$1::uuid]`, a.UserID, d); n != 1 {
				t.Fatalf("%d denial events", n)
			}
		})
	}
	// Another dossier of the organisation, 20 attempts at once.
	d2 := testfixture.Dossier(t, f.pool, f.orgA)
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Assign(ctx, legacy, d2, legacy.UserID)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("attempt %d: want FORBIDDEN, got %v", i, err)
		}
	}
	if c := count(t, f.pool, `SELECT count(*) FROM dossier_assignments WHERE dossier_id = $1`, d2); c != 0 {
		t.Fatalf("%d assignments", c)
	}
	// A dossier of another organisation stays NOT_FOUND, self or not.
	other := testfixture.Dossier(t, f.pool, f.orgB)
	_, err := f.svc.Assign(ctx, legacy, other, legacy.UserID)
	wantErr(t, err, apperr.NotFound, "")
	// Removing oneself only takes access away: allowed.
	testfixture.Assign(t, f.pool, d, legacy.UserID)
	if _, err := f.svc.Unassign(ctx, legacy, d, legacy.UserID); err != nil {
		t.Fatalf("unassign oneself: %v", err)
	}
	// Another administrator assigns them, once they are no longer admin.
	if _, err := f.svc.SetRoles(ctx, f.adminA, legacy.UserID, []actor.Role{actor.LegalStaff}); err != nil {
		t.Fatalf("drop admin: %v", err)
	}
	if _, err := f.svc.Assign(ctx, f.adminA, d, legacy.UserID); err != nil {
		t.Fatalf("assigned by another administrator: %v", err)
	}
}

func TestAdministratorIsNeverAlsoStaff(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		target []actor.Role // the member's roles before
		set    []actor.Role
		ok     bool
	}{
		"legal staff made admin too":     {[]actor.Role{actor.LegalStaff}, []actor.Role{actor.LegalStaff, actor.Admin}, false},
		"partner lawyer made admin too":  {[]actor.Role{actor.PartnerLawyer}, []actor.Role{actor.Admin, actor.PartnerLawyer}, false},
		"admin made legal staff too":     {[]actor.Role{actor.Admin}, []actor.Role{actor.Admin, actor.LegalStaff}, false},
		"admin made partner lawyer too":  {[]actor.Role{actor.Admin}, []actor.Role{actor.Admin, actor.PartnerLawyer}, false},
		"advocacy given all three":       {[]actor.Role{actor.Advocacy}, []actor.Role{actor.Admin, actor.LegalStaff, actor.PartnerLawyer}, false},
		"legal staff replaced by admin":  {[]actor.Role{actor.LegalStaff}, []actor.Role{actor.Admin}, true},
		"admin and dpo":                  {[]actor.Role{actor.Admin}, []actor.Role{actor.Admin, actor.DPO}, true},
		"admin and advocacy":             {[]actor.Role{actor.Advocacy}, []actor.Role{actor.Admin, actor.Advocacy}, true},
		"legal staff and partner lawyer": {[]actor.Role{actor.LegalStaff}, []actor.Role{actor.LegalStaff, actor.PartnerLawyer}, true},
	} {
		t.Run(name, func(t *testing.T) {
			m := testfixture.User(t, f.pool, f.orgA, tc.target...)
			before := roles(t, f.pool, f.orgA, m.UserID)
			_, err := f.svc.SetRoles(ctx, f.adminA, m.UserID, tc.set)
			if tc.ok {
				if err != nil {
					t.Fatalf("set roles: %v", err)
				}
				return
			}
			e := wantErr(t, err, apperr.Forbidden, "roles")
			if !slices.ContainsFunc(e.Fields, func(fe apperr.FieldError) bool {
				return fe.Message == "an administrator cannot also be legal staff or partner lawyer in the same organisation: create a separate account"
			}) {
				t.Fatalf("field message: %+v", e.Fields)
			}
			if got := roles(t, f.pool, f.orgA, m.UserID); !slices.Equal(got, before) {
				t.Fatalf("roles changed: %v → %v", before, got)
			}
			if n := deniedOn(t, f.pool, f.adminA.UserID, m.UserID, "user:write"); n != 1 {
				t.Fatalf("%d denial events", n)
			}
		})
	}
	t.Run("created with both", func(t *testing.T) {
		for _, rs := range [][]actor.Role{{actor.Admin, actor.LegalStaff}, {actor.PartnerLawyer, actor.Admin}} {
			in := f.input()
			in.Email, in.Roles = "both-"+uuid.NewString()[:8]+"@example.org", rs
			_, err := f.svc.Create(ctx, f.adminA, in)
			wantErr(t, err, apperr.Forbidden, "roles")
			if n := count(t, f.pool, `SELECT count(*) FROM users WHERE email = $1`, in.Email); n != 0 {
				t.Fatal("created")
			}
		}
	})
	t.Run("per organisation", func(t *testing.T) {
		// B's administrator may be legal staff in A: A's dossiers are not
		// B's to assign.
		testfixture.Share(t, f.pool, testfixture.Dossier(t, f.pool, f.orgA), f.orgB)
		if _, err := f.pool.Exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'advocacy')`,
			f.adminB.UserID, f.orgA); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetRoles(ctx, f.adminA, f.adminB.UserID, []actor.Role{actor.LegalStaff}); err != nil {
			t.Fatalf("legal staff in A, admin in B: %v", err)
		}
	})
}

func TestConcurrentGrantsNeverCombineDuties(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	second := testfixture.User(t, f.pool, f.orgA, actor.Admin)
	for round := range 3 {
		m := testfixture.User(t, f.pool, f.orgA, actor.Advocacy)
		const n = 20
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// One administrator grants admin, the other legal staff,
				// each keeping the member's advocacy.
				if i%2 == 0 {
					_, errs[i] = f.svc.SetRoles(ctx, f.adminA, m.UserID, []actor.Role{actor.Advocacy, actor.Admin})
				} else {
					_, errs[i] = f.svc.SetRoles(ctx, second, m.UserID, []actor.Role{actor.Advocacy, actor.LegalStaff})
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, grant %d: %v", round, i, err)
			}
		}
		got := roles(t, f.pool, f.orgA, m.UserID)
		if !slices.Equal(got, []string{"admin", "advocacy"}) && !slices.Equal(got, []string{"advocacy", "legal_staff"}) {
			t.Fatalf("round %d: roles %v", round, got)
		}
	}
}

func TestOperatorOnlyCreatesFirstAdministrator(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	op := superadmin(t, f.pool)
	fresh := testfixture.Org(t, f.pool)

	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := f.input()
			in.Email = "first-" + uuid.NewString()[:8] + "@example.org"
			in.Roles, in.OrganisationID = []actor.Role{actor.Admin}, &fresh
			_, errs[i] = f.svc.Create(ctx, op, in)
		}()
	}
	wg.Wait()
	var ok, conflict int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.CodeOf(err) == apperr.Conflict:
			conflict++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Fatalf("%d created, %d conflicts: want 1 and %d", ok, conflict, n-1)
	}
	if c := count(t, f.pool, `SELECT count(*) FROM memberships WHERE organisation_id = $1`, fresh); c != 1 {
		t.Fatalf("%d memberships in the organisation", c)
	}
	var first uuid.UUID
	if err := f.pool.QueryRow(ctx, `SELECT user_id FROM memberships WHERE organisation_id = $1`, fresh).Scan(&first); err != nil {
		t.Fatal(err)
	}

	// Anything more in an organisation is refused.
	d := testfixture.Dossier(t, f.pool, fresh)
	staff := testfixture.User(t, f.pool, fresh, actor.LegalStaff)
	in := f.input()
	in.OrganisationID = &fresh
	for name, call := range map[string]func() error{
		"second admin": func() error {
			in := in
			in.Email, in.Roles = "second-"+uuid.NewString()[:8]+"@example.org", []actor.Role{actor.Admin}
			_, err := f.svc.Create(ctx, op, in)
			return err
		},
		"other role": func() error {
			o := testfixture.Org(t, f.pool)
			in := in
			in.Email, in.Roles, in.OrganisationID = "staff-"+uuid.NewString()[:8]+"@example.org", []actor.Role{actor.LegalStaff}, &o
			_, err := f.svc.Create(ctx, op, in)
			return err
		},
		"role change":       func() error { _, err := f.svc.SetRoles(ctx, op, staff.UserID, []actor.Role{actor.Admin}); return err },
		"admin role change": func() error { _, err := f.svc.SetRoles(ctx, op, first, []actor.Role{actor.DPO}); return err },
		"assignment":        func() error { _, err := f.svc.Assign(ctx, op, d, staff.UserID); return err },
		"unassignment":      func() error { _, err := f.svc.Unassign(ctx, op, d, staff.UserID); return err },
		"share":             func() error { _, err := f.svc.Share(ctx, op, d, f.orgA); return err },
		"disable":           func() error { _, err := f.svc.Disable(ctx, op, first); return err },
		"password reset":    func() error { _, err := f.svc.ResetPassword(ctx, op, first, goodPassword+" again"); return err },
		"second factor":     func() error { _, err := f.svc.ResetSecondFactor(ctx, op, first); return err },
		"sessions":          func() error { _, err := f.svc.EndSessions(ctx, op, first); return err },
		"list":              func() error { _, err := f.svc.List(ctx, op, user.ListParams{}); return err },
	} {
		t.Run(name, func(t *testing.T) {
			// FORBIDDEN, CONFLICT (the organisation has its administrator),
			// or NOT_FOUND for dossiers, which the operator does not see.
			err := call()
			if c := apperr.CodeOf(err); c != apperr.Forbidden && c != apperr.Conflict && c != apperr.NotFound {
				t.Fatalf("want a refusal, got %v", err)
			}
		})
	}
	if c := count(t, f.pool, `SELECT count(*) FROM memberships WHERE organisation_id = $1 AND role = 'admin'`, fresh); c != 1 {
		t.Fatalf("%d administrators", c)
	}
	if c := count(t, f.pool, `SELECT count(*) FROM dossier_assignments WHERE dossier_id = $1`, d) +
		count(t, f.pool, `SELECT count(*) FROM dossier_shares WHERE dossier_id = $1`, d) +
		count(t, f.pool, `SELECT count(*) FROM users WHERE id = $1 AND disabled_at IS NOT NULL`, first); c != 0 {
		t.Fatal("the operator changed something in the organisation")
	}

	// The creation is recorded in the organisation, for its DPO: the DPO
	// of that organisation finds it among the changes of rights, another
	// organisation's DPO does not.
	var orgOf uuid.UUID
	var rolesAt []string
	if err := f.pool.QueryRow(ctx, `SELECT organisation_id, roles FROM audit_events
		WHERE action = 'user.create' AND actor_user_id = $1 AND resource_ids = ARRAY[$2::uuid]`, op.UserID, first).
		Scan(&orgOf, &rolesAt); err != nil {
		t.Fatalf("read event: %v", err)
	}
	if orgOf != fresh || !slices.Equal(rolesAt, []string{"superadmin"}) {
		t.Fatalf("event in %v with roles %v", orgOf, rolesAt)
	}
	logs := auditlog.NewService(testfixture.Authorizer(t, f.pool))
	privilege := auditlog.CategoryPrivilege
	for name, tc := range map[string]struct {
		org  uuid.UUID
		sees bool
	}{"dpo of the organisation": {fresh, true}, "dpo of another": {f.orgA, false}} {
		t.Run(name, func(t *testing.T) {
			dpo := testfixture.User(t, f.pool, tc.org, actor.DPO)
			p, err := logs.Search(ctx, dpo, auditlog.Filter{Category: &privilege}, nil, nil)
			if err != nil {
				t.Fatalf("search: %v", err)
			}
			found := slices.ContainsFunc(p.Nodes, func(e auditlog.Event) bool {
				return e.Action == "user.create" && slices.Contains(e.ResourceIDs, first)
			})
			if found != tc.sees {
				t.Fatalf("sees the creation: %v, want %v", found, tc.sees)
			}
		})
	}
}

func TestTakenEmailRevealsNotWhere(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	op := superadmin(t, f.pool)
	emailOf := func(id uuid.UUID) string {
		var e string
		if err := f.pool.QueryRow(ctx, `SELECT email FROM users WHERE id = $1`, id).Scan(&e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	mine := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	theirs := testfixture.User(t, f.pool, f.orgB, actor.LegalStaff)
	shared := testfixture.User(t, f.pool, f.orgA, actor.LegalStaff)
	testfixture.User(t, f.pool, f.orgB) // nothing
	answers := map[string]error{}
	for name, email := range map[string]string{
		"in my organisation":      emailOf(mine.UserID),
		"in another organisation": emailOf(theirs.UserID),
		"in mine and another":     emailOf(shared.UserID),
		"the operator's account":  emailOf(op.UserID),
	} {
		in := f.input()
		in.Email = email
		_, answers[name] = f.svc.Create(ctx, f.adminA, in)
	}
	in := f.input()
	in.Email = strings.ToUpper(emailOf(theirs.UserID))
	_, answers["another, in capitals"] = f.svc.Create(ctx, f.adminA, in)
	want := answers["in my organisation"]
	wantErr(t, want, apperr.Invalid, "email")
	for name, got := range answers {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: answered %#v, in my organisation %#v", name, got, want)
		}
	}
	if n := count(t, f.pool, `SELECT count(*) FROM memberships WHERE user_id = $1`, theirs.UserID); n != 1 {
		t.Fatal("the other organisation's account changed")
	}
}

func TestNobodySharesWithTheirOtherOrganisation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	d := testfixture.Dossier(t, f.pool, f.orgA)
	// A's administrator is also legal staff of B: shared with B, the
	// dossier's case content and evidence would be theirs to read there.
	if _, err := f.pool.Exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'legal_staff')`,
		f.adminA.UserID, f.orgB); err != nil {
		t.Fatal(err)
	}
	e := wantErr(t, func() error { _, err := f.svc.Share(ctx, f.adminA, d, f.orgB); return err }(), apperr.Forbidden, "organisationId")
	if e.Message != "you cannot share a dossier with an organisation you belong to: ask another administrator" {
		t.Fatalf("message %q", e.Message)
	}
	if n := count(t, f.pool, `SELECT count(*) FROM dossier_shares WHERE dossier_id = $1`, d); n != 0 {
		t.Fatal("shared")
	}
	if n := count(t, f.pool, `SELECT count(*) FROM audit_events WHERE action = 'access.denied' AND actor_user_id = $1
		AND dossier_id = $2 AND permission = 'dossier:share' AND resource_ids = ARRAY[$3::uuid]`, f.adminA.UserID, d, f.orgB); n != 1 {
		t.Fatalf("%d denial events", n)
	}
	// Another administrator of A, who is not in B, may share it.
	other := testfixture.User(t, f.pool, f.orgA, actor.Admin)
	if _, err := f.svc.Share(ctx, other, d, f.orgB); err != nil {
		t.Fatalf("share by another administrator: %v", err)
	}
	// Stopping a share only takes access away.
	if _, err := f.svc.Unshare(ctx, f.adminA, d, f.orgB); err != nil {
		t.Fatalf("unshare: %v", err)
	}
	// An organisation the administrator does not belong to is fine.
	if _, err := f.svc.Share(ctx, f.adminA, d, testfixture.Org(t, f.pool)); err != nil {
		t.Fatalf("share with a third organisation: %v", err)
	}
}
