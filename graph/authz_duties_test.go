package graph_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auditlog"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/authz"
)

// The separation-of-duties rows of the truth table (docs/security.md,
// "Roles and permissions"): every actor of the matrix changes their own
// roles and assigns themselves to a dossier of their organisation, through
// the real HTTP stack. Nobody succeeds; the administrator, who holds the
// permission, is told why; every refusal is audited as access.denied.

// mxSelfRow is one operation on the caller themselves.
type mxSelfRow struct {
	name  string
	query string
	vars  func(ctx context.Context, w *mxWorld, a *mxActor) (map[string]any, error)
	perm  authz.Permission
	// want: the outcome per role (the administrator's is always FORBIDDEN,
	// with message); others follow the policy.
	want    func(role actor.Role) mxOutcome
	message string
}

func selfRoles(roles ...string) func(context.Context, *mxWorld, *mxActor) (map[string]any, error) {
	return func(_ context.Context, _ *mxWorld, a *mxActor) (map[string]any, error) {
		return map[string]any{"id": a.userID, "r": roles}, nil
	}
}

// noUserWrite: without user:write through an organisation role, FORBIDDEN.
func noUserWrite(actor.Role) mxOutcome { return mxForbidden }

// assignRule: assigning on a dossier of the caller's organisation that
// nobody is assigned to: visible (FORBIDDEN) to roles reading every
// dossier of the organisation, NOT_FOUND to the others.
func assignRule(r actor.Role) mxOutcome {
	switch r {
	case actor.Admin, actor.LegalStaff, actor.Advocacy:
		return mxForbidden
	}
	return mxNotFound
}

var mxSelfRows = []mxSelfRow{
	{name: "setUserRoles/self_admin_and_legal_staff", perm: authz.UserWrite, want: noUserWrite, message: "your own roles",
		query: `mutation($id: ID!, $r: [Role!]!) { setUserRoles(id: $id, roles: $r) { id } }`,
		vars:  selfRoles("ADMIN", "LEGAL_STAFF")},
	{name: "setUserRoles/self_admin_and_partner_lawyer", perm: authz.UserWrite, want: noUserWrite, message: "your own roles",
		query: `mutation($id: ID!, $r: [Role!]!) { setUserRoles(id: $id, roles: $r) { id } }`,
		vars:  selfRoles("ADMIN", "PARTNER_LAWYER")},
	{name: "setUserRoles/self_admin_and_dpo", perm: authz.UserWrite, want: noUserWrite, message: "your own roles",
		query: `mutation($id: ID!, $r: [Role!]!) { setUserRoles(id: $id, roles: $r) { id } }`,
		vars:  selfRoles("ADMIN", "DPO")},
	{name: "setUserRoles/self_only_admin", perm: authz.UserWrite, want: noUserWrite, message: "your own roles",
		query: `mutation($id: ID!, $r: [Role!]!) { setUserRoles(id: $id, roles: $r) { id } }`,
		vars:  selfRoles("ADMIN")},
	{name: "setUserRoles/self_drop_everything_but_advocacy", perm: authz.UserWrite, want: noUserWrite, message: "your own roles",
		query: `mutation($id: ID!, $r: [Role!]!) { setUserRoles(id: $id, roles: $r) { id } }`,
		vars:  selfRoles("ADVOCACY")},
	{name: "assignDossier/self", perm: authz.DossierAssign, want: assignRule, message: "assign yourself",
		query: `mutation($d: ID!, $u: ID!) { assignDossier(dossierId: $d, userId: $u) { id } }`,
		vars: func(ctx context.Context, w *mxWorld, a *mxActor) (map[string]any, error) {
			d, err := w.newDossier(ctx, w.orgA)
			if err != nil {
				return nil, err
			}
			return map[string]any{"d": d.ID, "u": a.userID}, nil
		}},
}

// roleSet reads the roles a user holds, in every organisation.
func (w *mxWorld) roleSet(ctx context.Context, t *testing.T, id uuid.UUID) []string {
	t.Helper()
	var out []string
	if err := w.pool.QueryRow(ctx, `SELECT coalesce(array_agg(organisation_id::text || ':' || role ORDER BY organisation_id, role), '{}')
		FROM memberships WHERE user_id = $1`, id).Scan(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAuthzMatrixSelfChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMatrixWorld(t)
	for _, a := range w.actors {
		if a.removed {
			continue
		}
		for _, row := range mxSelfRows {
			t.Run(a.name+"/"+row.name, func(t *testing.T) {
				want := mxUnauthenticated
				if a.kind == mxFull {
					want = row.want(a.role)
				}
				vars := map[string]any{"id": uuid.New(), "d": uuid.New(), "u": uuid.New(), "r": []string{"ADMIN"}}
				if a.kind != mxAnon {
					var err error
					if vars, err = row.vars(ctx, w, a); err != nil {
						t.Fatal(err)
					}
				}
				before := w.roleSet(ctx, t, a.userID)
				r, err := w.do(ctx, a, a.token, row.query, vars)
				if err != nil {
					t.Fatal(err)
				}
				got := mxOutcome(r.code())
				if got == "" {
					got = mxAllowed
				}
				if got != want {
					t.Fatalf("got %s, want %s: %s", got, want, r.body)
				}
				if a.kind == mxAnon {
					return
				}
				if after := w.roleSet(ctx, t, a.userID); !slices.Equal(before, after) {
					t.Fatalf("roles changed: %v → %v", before, after)
				}
				var assigned int
				if err := w.pool.QueryRow(ctx, `SELECT count(*) FROM dossier_assignments WHERE user_id = $1 AND dossier_id = $2`,
					a.userID, vars["d"]).Scan(&assigned); err != nil || assigned != 0 {
					t.Fatalf("assigned (%v)", err)
				}
				if a.kind != mxFull {
					return
				}
				if a.role == actor.Admin && !strings.Contains(r.errors[0].Message, row.message) {
					t.Fatalf("the administrator is not told why: %q", r.errors[0].Message)
				}
				// The refusal is audited, with the permission it lacked.
				events := w.requestEvents(ctx, t, r.reqID)
				if !slices.ContainsFunc(events, func(e mxEvent) bool {
					return e.Action == "access.denied" && e.Outcome == "denied" && e.Permission == string(row.perm) &&
						e.ActorID != nil && *e.ActorID == a.userID
				}) {
					t.Fatalf("no access.denied event for %s: %v", row.perm, events)
				}
			})
		}
	}
}

// mxActorOf returns the matrix's (not removed) actor holding role.
func (w *mxWorld) mxActorOf(t *testing.T, role actor.Role) *mxActor {
	t.Helper()
	for _, a := range w.actors {
		if a.role == role && a.kind == mxFull && !a.removed {
			return a
		}
	}
	t.Fatalf("no actor %s", role)
	return nil
}

// newActor makes a user of org holding role, with a full session.
func (w *mxWorld) newActor(ctx context.Context, t *testing.T, role actor.Role, org uuid.UUID) *mxActor {
	t.Helper()
	id, _, err := w.newUser(ctx, role, org)
	if err != nil {
		t.Fatal(err)
	}
	var o *uuid.UUID
	if role != actor.Superadmin {
		o = &org
	}
	token, err := w.newSession(ctx, id, o, auth.StageFull)
	if err != nil {
		t.Fatal(err)
	}
	return &mxActor{name: string(role), role: role, kind: mxFull, userID: id, token: token}
}

func TestSeparationOfDutiesThroughTheAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMatrixWorld(t)
	admin := w.mxActorOf(t, actor.Admin)
	second := w.newActor(ctx, t, actor.Admin, w.orgA)
	const setRoles = `mutation($id: ID!, $r: [Role!]!) { setUserRoles(id: $id, roles: $r) { id roles } }`

	t.Run("20 parallel self-grants", func(t *testing.T) {
		codes := make([]string, 20)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := w.do(ctx, admin, admin.token, setRoles, map[string]any{"id": admin.userID, "r": []string{"ADMIN", "LEGAL_STAFF"}})
				if err != nil {
					codes[i] = err.Error()
					return
				}
				codes[i] = r.code()
			}()
		}
		wg.Wait()
		for i, c := range codes {
			if c != "FORBIDDEN" {
				t.Errorf("attempt %d: %s", i, c)
			}
		}
		if got := w.roleSet(ctx, t, admin.userID); len(got) != 1 || !strings.HasSuffix(got[0], ":admin") {
			t.Fatalf("roles %v", got)
		}
	})

	t.Run("admin with legal staff refused on the roles field", func(t *testing.T) {
		for _, rs := range [][]string{{"ADMIN", "LEGAL_STAFF"}, {"PARTNER_LAWYER", "ADMIN"}} {
			target, _, err := w.newUser(ctx, actor.LegalStaff, w.orgA)
			if err != nil {
				t.Fatal(err)
			}
			r, err := w.do(ctx, admin, admin.token, setRoles, map[string]any{"id": target, "r": rs})
			if err != nil {
				t.Fatal(err)
			}
			if r.code() != "FORBIDDEN" || !strings.Contains(string(r.body), `"field":"roles"`) ||
				!strings.Contains(r.errors[0].Message, "create a separate account") {
				t.Fatalf("%v: %s", rs, r.body)
			}
		}
	})

	t.Run("two administrators granting the two halves at once", func(t *testing.T) {
		for round := range 3 {
			target, _, err := w.newUser(ctx, actor.Advocacy, w.orgA)
			if err != nil {
				t.Fatal(err)
			}
			codes := make([]string, 20)
			var wg sync.WaitGroup
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					by, rs := admin, []string{"ADVOCACY", "ADMIN"}
					if i%2 == 1 {
						by, rs = second, []string{"ADVOCACY", "LEGAL_STAFF"}
					}
					r, err := w.do(ctx, by, by.token, setRoles, map[string]any{"id": target, "r": rs})
					if err != nil {
						codes[i] = err.Error()
						return
					}
					codes[i] = r.code()
				}()
			}
			wg.Wait()
			for i, c := range codes {
				if c != "" {
					t.Errorf("round %d, grant %d: %s", round, i, c)
				}
			}
			got := strings.Join(w.roleSet(ctx, t, target), " ")
			if strings.Contains(got, ":admin") && strings.Contains(got, ":legal_staff") {
				t.Fatalf("round %d: both halves granted: %s", round, got)
			}
		}
	})

	t.Run("no sharing with an organisation one belongs to", func(t *testing.T) {
		both := w.newActor(ctx, t, actor.Admin, w.orgA)
		if err := w.exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'legal_staff')`,
			both.userID, w.orgS); err != nil {
			t.Fatal(err)
		}
		d, err := w.newDossier(ctx, w.orgA)
		if err != nil {
			t.Fatal(err)
		}
		r, err := w.do(ctx, both, both.token, `mutation($d: ID!, $o: ID!) { shareDossier(dossierId: $d, organisationId: $o) { id } }`,
			map[string]any{"d": d.ID, "o": w.orgS})
		if err != nil {
			t.Fatal(err)
		}
		if r.code() != "FORBIDDEN" || !strings.Contains(string(r.body), `"field":"organisationId"`) {
			t.Fatalf("%s", r.body)
		}
		var shared int
		if err := w.pool.QueryRow(ctx, `SELECT count(*) FROM dossier_shares WHERE dossier_id = $1`, d.ID).Scan(&shared); err != nil || shared != 0 {
			t.Fatalf("shared: %d %v", shared, err)
		}
	})

	t.Run("taken e-mail: the same answer wherever the account is", func(t *testing.T) {
		const create = `mutation($e: String!) { createUser(input: {email: $e, displayName: "Nouveau",
			roles: [ADVOCACY], temporaryPassword: "Quartz-Meadow-Lantern-5309"}) { id } }`
		answers := map[string]string{}
		for name, email := range map[string]string{"mine": w.userOwn.email, "another organisation": w.userOther.email,
			"both": w.userShared.email} {
			r, err := w.do(ctx, admin, admin.token, create, map[string]any{"e": email})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(r.errors)
			answers[name] = string(b)
		}
		if answers["mine"] == "null" || !strings.Contains(answers["mine"], `"field":"email"`) {
			t.Fatalf("answer %s", answers["mine"])
		}
		for name, a := range answers {
			if a != answers["mine"] {
				t.Errorf("%s: %s, mine: %s", name, a, answers["mine"])
			}
		}
	})

	t.Run("the operator's first administrator is in that organisation's log", func(t *testing.T) {
		op := w.mxActorOf(t, actor.Superadmin)
		org, err := w.newOrg(ctx, "first")
		if err != nil {
			t.Fatal(err)
		}
		r, err := w.do(ctx, op, op.token, `mutation($o: ID!) { createUser(input: {email: "first-`+mxRandom()+`@example.org",
			displayName: "Première", roles: [ADMIN], temporaryPassword: "Quartz-Meadow-Lantern-5309", organisationId: $o}) { id } }`,
			map[string]any{"o": org})
		if err != nil || r.code() != "" {
			t.Fatalf("create: %v %s", err, r.body)
		}
		var out struct {
			Data struct {
				CreateUser struct{ ID string } `json:"createUser"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatal(err)
		}
		const search = `{ auditEvents(filter: {category: PRIVILEGE}, first: 100) { nodes { action resourceIds organisationId actorRoles } } }`
		for name, tc := range map[string]struct {
			org  uuid.UUID
			sees bool
		}{"its DPO": {org, true}, "another organisation's DPO": {w.orgA, false}} {
			dpo := w.newActor(ctx, t, actor.DPO, tc.org)
			r, err := w.do(ctx, dpo, dpo.token, search, nil)
			if err != nil || r.code() != "" {
				t.Fatalf("%s: %v %s", name, err, r.body)
			}
			if sees := strings.Contains(string(r.body), out.Data.CreateUser.ID); sees != tc.sees {
				t.Errorf("%s sees the creation: %v, want %v: %s", name, sees, tc.sees, r.body)
			}
		}
	})
}

// TestPrivilegeCategoryCoversTheOperations: every operation that changes
// rights (user:write, dossier:assign, dossier:share) writes an action of
// auditlog.PrivilegeActions, so that the DPO's filter misses none.
func TestPrivilegeCategoryCoversTheOperations(t *testing.T) {
	t.Parallel()
	actions := auditlog.PrivilegeActions()
	for _, op := range authzOperations {
		switch op.Perm {
		case authz.UserWrite, authz.DossierAssign, authz.DossierShare:
			if !slices.Contains(actions, op.Audit) {
				t.Errorf("%s writes %q, not in auditlog.PrivilegeActions", op.Field, op.Audit)
			}
		}
	}
}
