package graph_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/graph/generated"
	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/authz"
)

// The authorization truth table of issue 3: every Query and Mutation field
// of the schema (authzOperations), and every field resolved by a resolver
// on a case-data type (nestedFieldPermissions), is called by every role on
// targets in every relation to the caller — assigned, unassigned, of
// another organisation, shared with the caller's, assignment revoked, role
// removed, missing; on a dossier shared with the caller's organisation
// also with the caller assigned to it (shared_assigned) and, for the
// standing mutations, on a standing of the caller's own organisation
// (shared_own) — through the real HTTP stack. The expected outcome is
// computed from the policy (authz.Authorizer.Granted) and the rules of
// docs/security.md, never written by hand, so a change of policy changes
// the expectations and a change of behaviour fails a cell.
//
// Subtests are named actor/operation/relation, e.g.
// partner_lawyer/revealIdentity/other_org.

// mxOutcome is the class of a response.
type mxOutcome string

const (
	mxAllowed         mxOutcome = "ALLOWED"
	mxAbsent          mxOutcome = "ABSENT" // a list answered, without the target in it
	mxNotFound        mxOutcome = "NOT_FOUND"
	mxForbidden       mxOutcome = "FORBIDDEN"
	mxUnauthenticated mxOutcome = "UNAUTHENTICATED"
	mxInvalid         mxOutcome = "INVALID"
	mxConflict        mxOutcome = "CONFLICT"
)

// permSession marks the operations on the caller's own session (me, login,
// logout ...), which follow rules of their own rather than the policy.
const permSession authz.Permission = "session"

// mxScope is what an operation acts on.
type mxScope int

const (
	scopeSession mxScope = iota // the caller's own session
	scopeOrg                    // an organisation or its users
	scopeDossier                // one dossier or a record of it, or a list of them
)

// authzOperation is one Query or Mutation field and how to call it.
type authzOperation struct {
	Root, Field string
	Perm        authz.Permission // what it needs, or permSession
	Scope       mxScope
	// Dossier scope: the kind of record the operation is addressed by (for
	// missing ids), and whether every cell needs a dossier of its own
	// (the operation changes state).
	Target string
	Fresh  bool
	// List: allowed, the result holds the target iff the caller reaches it.
	List bool
	// Rules of docs/security.md beyond the policy, for dossier scope (the
	// owner-only permissions are mxOwnerOnly's): OwnStanding — only the
	// organisation that constituted records the court's decision on its
	// standing or withdraws it; tried also on a standing of the caller's
	// organisation in a dossier shared with it ("shared_own").
	OwnStanding bool
	// FreshSession: the cell uses a session of its own (logout ends it).
	FreshSession bool
	// Audit is the action of the event an allowed call writes (exact, or
	// a prefix ending in "*"); NoAudit says instead why it writes none.
	// Exactly one is set (audit_completeness_test.go checks the events).
	Audit, NoAudit string
	// AuditIDs: what the allowed event names, when not the ids the
	// request addressed or returned (or, for a list, the target).
	AuditIDs func(c *mxCell) []uuid.UUID
	// Rels: the relations an organisation-scope operation is tried in.
	Rels  []string
	Query string
	Vars  func(ctx context.Context, c *mxCell) (map[string]any, error)
	// Expect: the rule of organisation and session scope, and of a
	// dossier-scope operation that does not follow dossierRule.
	Expect func(c *mxCell) mxOutcome
}

// The relations of a target to the caller.
var (
	mxDossierRels = []string{"assigned", "unassigned", "other_org", "shared", "revoked", "missing"}
	mxListRels    = []string{"assigned", "unassigned", "other_org", "shared", "revoked"}
	mxOrgRels     = []string{"own", "shared", "other_org"}
	mxCreateRels  = []string{"own", "other_org"}
	mxOwnRels     = []string{"own"}
)

func dateVar(days int) string {
	return time.Now().AddDate(0, 0, days).Format(time.RFC3339)
}

// authzOperations lists every Query and Mutation field of the schema
// (schema_rules_test.go fails when one is missing).
var authzOperations = []*authzOperation{
	// The caller's own session (docs/security.md, "Sessions and requests").
	{Root: "Query", Field: "me", NoAudit: "the caller's own account, no case data", Perm: permSession, Scope: scopeSession,
		Query:  `{ me { id status } }`,
		Expect: sessionRule(mxAllowed, mxAllowed, mxAllowed)},
	{Root: "Query", Field: "signInOptions", NoAudit: "public: how to sign in, no data", Perm: permSession, Scope: scopeSession,
		Query:  `{ signInOptions { singleSignOn } }`,
		Expect: sessionRule(mxAllowed, mxAllowed, mxAllowed)},
	{Root: "Mutation", Field: "login", Audit: "auth.login", Perm: permSession, Scope: scopeSession,
		Query: `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { status } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"e": c.w.loginEmail, "p": mxPassword}, nil
		},
		Expect: sessionRule(mxAllowed, mxAllowed, mxAllowed)},
	{Root: "Mutation", Field: "logout", Audit: "auth.logout", Perm: permSession, Scope: scopeSession, FreshSession: true,
		Query:  `mutation { logout }`,
		Expect: sessionRule(mxAllowed, mxAllowed, mxUnauthenticated)},
	{Root: "Mutation", Field: "changePassword", Audit: "auth.password.change", Perm: permSession, Scope: scopeSession,
		Query: `mutation { changePassword(input: {currentPassword: "not-the-password-17", newPassword: "Granite-Harbour-Willow-7302"}) { id } }`,
		// The fixture users' password is not that one: the check runs, and refuses.
		Expect: sessionRule(mxInvalid, mxUnauthenticated, mxUnauthenticated)},
	{Root: "Mutation", Field: "confirmTotpEnrollment", Audit: "auth.totp.enroll", Perm: permSession, Scope: scopeSession,
		Query: `mutation { confirmTotpEnrollment(code: "000000") { codes } }`,
		// A full session has nothing to enrol; the limited one gets a wrong code.
		Expect: sessionRule(mxConflict, mxInvalid, mxUnauthenticated)},
	{Root: "Mutation", Field: "regenerateRecoveryCodes", Audit: "auth.recovery_codes.regenerate", Perm: permSession, Scope: scopeSession,
		Query:  `mutation { regenerateRecoveryCodes(code: "000000") { codes } }`,
		Expect: sessionRule(mxInvalid, mxUnauthenticated, mxUnauthenticated)},
	{Root: "Query", Field: "mySessions", NoAudit: "the caller's own sessions, no case data", Perm: permSession, Scope: scopeSession,
		Query:  `{ mySessions { id current } }`,
		Expect: sessionRule(mxAllowed, mxUnauthenticated, mxUnauthenticated)},
	{Root: "Mutation", Field: "endMySession", Audit: "auth.session.end", Perm: permSession, Scope: scopeSession,
		Query:  `mutation { endMySession(id: "7f1b2c3d-0000-4000-8000-000000000001") }`,
		Expect: sessionRule(mxNotFound, mxUnauthenticated, mxUnauthenticated)},
	// Calendar feeds (internal/calfeed): the caller's own links; the feed
	// itself is a file endpoint (TestCalendarFeedEndpoint).
	{Root: "Query", Field: "calendarFeeds", NoAudit: "the caller's own calendar links, no case data", Perm: permSession, Scope: scopeSession,
		Query:  `{ calendarFeeds { id createdAt lastUsedAt } }`,
		Expect: sessionRule(mxAllowed, mxUnauthenticated, mxUnauthenticated)},
	{Root: "Mutation", Field: "createCalendarFeed", Audit: "calendar_feed.create", Perm: authz.CaseRead, Scope: scopeOrg, Rels: mxOwnRels,
		Query: `mutation { createCalendarFeed { feed { id } url } }`, Expect: requireRule(authz.CaseRead)},
	{Root: "Mutation", Field: "revokeCalendarFeed", Audit: "calendar_feed.revoke", Perm: permSession, Scope: scopeSession,
		Query:  `mutation { revokeCalendarFeed(id: "7f1b2c3d-0000-4000-8000-000000000002") }`,
		Expect: sessionRule(mxNotFound, mxUnauthenticated, mxUnauthenticated)},

	// Organisations and users.
	{Root: "Query", Field: "penalArticles", Audit: "penal_article.list", Perm: authz.CaseRead, Scope: scopeOrg, Rels: mxOwnRels,
		Query: `{ penalArticles { article } }`, Expect: requireRule(authz.CaseRead)},
	{Root: "Query", Field: "organisations", NoAudit: noAuditOrganisation, Perm: authz.OrganisationRead, Scope: scopeOrg, List: true, Rels: mxOrgRels,
		Query: `{ organisations { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			c.marker = c.w.worldOrg(c.rel).String()
			return nil, nil
		},
		// Their own organisation; every one for the instance operator.
		Expect: func(c *mxCell) mxOutcome {
			if o := requireRule(authz.OrganisationRead)(c); o != mxAllowed {
				return o
			}
			if c.a.role == actor.Superadmin || c.rel == "own" || c.rel == "role_removed" {
				return mxAllowed
			}
			return mxAbsent
		}},
	{Root: "Query", Field: "organisation", NoAudit: noAuditOrganisation, Perm: authz.OrganisationRead, Scope: scopeOrg, Rels: mxOrgRels,
		Query: `query($id: ID!) { organisation(id: $id) { id name } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"id": c.w.worldOrg(c.rel)}, nil
		},
		// Their own; those owning or sharing a dossier they reach (B shares
		// one with A, not assigned to anyone); all for the instance operator.
		Expect: func(c *mxCell) mxOutcome {
			if o := requireRule(authz.OrganisationRead)(c); o != mxAllowed {
				return o
			}
			switch {
			case c.a.role == actor.Superadmin, c.rel == "own", c.rel == "role_removed":
				return mxAllowed
			case c.rel == "shared" && c.a.role != actor.PartnerLawyer && c.can(authz.DossierRead):
				return mxAllowed
			}
			return mxNotFound
		}},
	{Root: "Mutation", Field: "createOrganisation", Audit: "organisation.create", Perm: authz.OrganisationCreate, Scope: scopeOrg, Rels: mxOwnRels,
		Query: `mutation($n: String!) { createOrganisation(input: {name: $n, standingArticles: ["CPP 2-3"]}) { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"n": "MX new " + mxRandom()}, nil
		},
		Expect: requireRule(authz.OrganisationCreate)},
	{Root: "Mutation", Field: "updateOrganisation", Audit: "organisation.update", Perm: authz.OrganisationUpdate, Scope: scopeOrg, Rels: mxOrgRels,
		Query: `mutation($id: ID!, $n: String!) { updateOrganisation(id: $id, input: {name: $n}) { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			id := c.w.worldOrg(c.rel)
			return map[string]any{"id": id, "n": c.w.orgName[id]}, nil // its own name: nothing changes
		},
		// Only the caller's own organisation; any other is NOT_FOUND.
		Expect: func(c *mxCell) mxOutcome {
			if c.a.kind != mxFull {
				return mxUnauthenticated
			}
			if !c.hasOrg() || c.w.worldOrg(c.rel) != c.w.orgA {
				return mxNotFound
			}
			return requireRule(authz.OrganisationUpdate)(c)
		}},
	{Root: "Query", Field: "users", Audit: "user.list", Perm: authz.UserRead, Scope: scopeOrg, List: true, Rels: mxOrgRels,
		Query: `query($t: String) { users(filter: {text: $t}) { nodes { id } } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			u := c.w.worldUser(c.rel)
			c.marker = u.id.String()
			return map[string]any{"t": u.email}, nil
		},
		Expect: func(c *mxCell) mxOutcome {
			if o := orgAdminRule(authz.UserRead)(c); o != mxAllowed {
				return o
			}
			if c.rel == "other_org" {
				return mxAbsent
			}
			return mxAllowed
		}},
	{Root: "Query", Field: "user", Audit: "user.read", Perm: authz.UserRead, Scope: scopeOrg, Rels: mxOrgRels,
		Query: `query($id: ID!) { user(id: $id) { id email } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"id": c.w.worldUser(c.rel).id}, nil
		},
		Expect: memberRule(authz.UserRead, false)},
	{Root: "Mutation", Field: "createUser", Audit: "user.create", Perm: authz.UserWrite, Scope: scopeOrg, Rels: mxCreateRels,
		Query: `mutation($e: String!, $r: [Role!]!, $o: ID) { createUser(input: {email: $e, displayName: "New member",
			roles: $r, temporaryPassword: "Quartz-Meadow-Lantern-5309", organisationId: $o}) { id } }`,
		Vars: func(ctx context.Context, c *mxCell) (map[string]any, error) {
			v := map[string]any{"e": "mx-new-" + mxRandom() + "@example.org", "r": []string{"LEGAL_STAFF"}}
			if c.a.role == actor.Superadmin { // the first administrator of an organisation
				v["r"] = []string{"ADMIN"}
			}
			switch {
			case c.rel == "other_org":
				v["o"] = c.w.orgB // it has an administrator
			case c.a.role == actor.Superadmin:
				org, err := c.w.newOrg(ctx, "first-admin")
				if err != nil {
					return nil, err
				}
				v["o"] = org
			}
			return v, nil
		},
		// An administrator in their own organisation; the instance operator
		// only the first administrator of an organisation.
		Expect: func(c *mxCell) mxOutcome {
			if o := requireRule(authz.UserWrite)(c); o != mxAllowed {
				return o
			}
			switch {
			case c.a.role == actor.Superadmin && c.rel == "other_org":
				return mxConflict // B has its administrator, who creates its accounts
			case c.a.role == actor.Superadmin:
				return mxAllowed
			case c.rel == "other_org":
				return mxForbidden
			}
			return orgAdminRule(authz.UserWrite)(c)
		}},
	{Root: "Mutation", Field: "setUserRoles", Audit: "user.roles", Perm: authz.UserWrite, Scope: scopeOrg, Rels: mxOrgRels,
		Query: `mutation($id: ID!) { setUserRoles(id: $id, roles: [LEGAL_STAFF, ADVOCACY]) { id } }`,
		Vars:  userTargetVars(nil), Expect: memberRule(authz.UserWrite, false)},
	{Root: "Mutation", Field: "disableUser", Audit: "user.disable", Perm: authz.UserWrite, Scope: scopeOrg, Rels: mxOrgRels,
		Query: `mutation($id: ID!) { disableUser(id: $id) { id disabled } }`,
		Vars:  userTargetVars(nil), Expect: memberRule(authz.UserWrite, true)},
	{Root: "Mutation", Field: "enableUser", Audit: "user.enable", Perm: authz.UserWrite, Scope: scopeOrg, Rels: mxOrgRels,
		Query: `mutation($id: ID!) { enableUser(id: $id) { id disabled } }`,
		Vars: userTargetVars(func(ctx context.Context, c *mxCell, id uuid.UUID) error {
			return c.w.exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, id)
		}),
		Expect: memberRule(authz.UserWrite, true)},
	{Root: "Mutation", Field: "resetUserPassword", Audit: "user.password.reset", Perm: authz.UserWrite, Scope: scopeOrg, Rels: mxOrgRels,
		Query: `mutation($id: ID!) { resetUserPassword(id: $id, temporaryPassword: "Saffron-Glacier-Compass-2286") { id } }`,
		Vars:  userTargetVars(nil), Expect: memberRule(authz.UserWrite, true)},
	{Root: "Mutation", Field: "resetUserSecondFactor", Audit: "user.totp.reset", Perm: authz.UserWrite, Scope: scopeOrg, Rels: mxOrgRels,
		Query: `mutation($id: ID!) { resetUserSecondFactor(id: $id) { id } }`,
		Vars:  userTargetVars(nil), Expect: memberRule(authz.UserWrite, true)},
	{Root: "Mutation", Field: "endUserSessions", Audit: "user.sessions.end", Perm: authz.UserWrite, Scope: scopeOrg, Rels: mxOrgRels,
		Query: `mutation($id: ID!) { endUserSessions(id: $id) }`,
		Vars: userTargetVars(func(ctx context.Context, c *mxCell, id uuid.UUID) error {
			_, err := c.w.newSession(ctx, id, &c.w.orgA, auth.StageFull)
			return err
		}),
		Expect: memberRule(authz.UserWrite, true)},
	// The audit log (docs/security.md, audit:read): the DPO reads its
	// organisation's events, the instance operator the instance-level ones.
	// Each cell searches for an event of its own, in the organisation the
	// relation names ("instance": none).
	{Root: "Query", Field: "auditEvents", Audit: "audit.search", Perm: authz.AuditRead, Scope: scopeOrg, List: true,
		Rels:  []string{"own", "other_org", "instance"},
		Query: `query($r: ID) { auditEvents(filter: {resourceId: $r}) { nodes { id action resourceIds } } }`,
		Vars: func(ctx context.Context, c *mxCell) (map[string]any, error) {
			r, err := c.w.auditFixture(ctx, c.rel)
			c.marker = r.String()
			return map[string]any{"r": r}, err
		},
		// The search event names what was searched for, found or not.
		AuditIDs: func(c *mxCell) []uuid.UUID { return c.addressed() },
		Expect: func(c *mxCell) mxOutcome {
			if o := requireRule(authz.AuditRead)(c); o != mxAllowed {
				return o
			}
			if (c.a.role == actor.DPO && c.rel == "own") || (c.a.role == actor.Superadmin && c.rel == "instance") {
				return mxAllowed
			}
			return mxAbsent
		}},
	{Root: "Mutation", Field: "createDossier", Audit: "dossier.create", Perm: authz.DossierWrite, Scope: scopeOrg, Rels: mxOwnRels,
		Query: `mutation($r: String!) { createDossier(input: {reference: $r, title: "New dossier", themes: [SEXTORTION]}) { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"r": "MX-NEW-" + mxRandom()}, nil
		},
		Expect: requireRule(authz.DossierWrite)},

	// Dossiers and their records.
	{Root: "Query", Field: "dossier", Audit: "dossier.read", Perm: authz.DossierRead, Scope: scopeDossier, Target: "dossier",
		Query: `query($id: ID!) { dossier(id: $id) { id title } }`, Vars: idVar(func(d *mxDossier) uuid.UUID { return d.ID })},
	{Root: "Query", Field: "dossiers", Audit: "dossier.list", Perm: authz.DossierRead, Scope: scopeDossier, Target: "dossier", List: true,
		Query: `query($t: String) { dossiers(filter: {text: $t}) { nodes { id } } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			c.marker = c.d.ID.String()
			return map[string]any{"t": c.d.Marker}, nil
		}},
	{Root: "Query", Field: "victim", Audit: "victim.read", Perm: authz.CaseRead, Scope: scopeDossier, Target: "victim",
		Query: `query($id: ID!) { victim(id: $id) { id pseudonym } }`, Vars: idVar(func(d *mxDossier) uuid.UUID { return d.Victim })},
	{Root: "Query", Field: "defendant", Audit: "defendant.read", Perm: authz.CaseRead, Scope: scopeDossier, Target: "defendant",
		Query: `query($id: ID!) { defendant(id: $id) { id pseudonym } }`, Vars: idVar(func(d *mxDossier) uuid.UUID { return d.Defendant })},
	{Root: "Query", Field: "charge", Audit: "charge.read", Perm: authz.CaseRead, Scope: scopeDossier, Target: "charge",
		Query: `query($id: ID!) { charge(id: $id) { id article } }`, Vars: idVar(func(d *mxDossier) uuid.UUID { return d.Charge })},
	{Root: "Query", Field: "proceeding", Audit: "proceeding.read", Perm: authz.CaseRead, Scope: scopeDossier, Target: "proceeding",
		Query: `query($id: ID!) { proceeding(id: $id) { id stage } }`, Vars: idVar(func(d *mxDossier) uuid.UUID { return d.Proc })},
	{Root: "Query", Field: "hearing", Audit: "hearing.read", Perm: authz.CaseRead, Scope: scopeDossier, Target: "hearing",
		Query: `query($id: ID!) { hearing(id: $id) { id startsAt } }`, Vars: idVar(func(d *mxDossier) uuid.UUID { return d.Hearing })},
	{Root: "Query", Field: "hearings", Audit: "hearing.list", Perm: authz.CaseRead, Scope: scopeDossier, Target: "hearing", List: true,
		Query: `query($from: Time!, $to: Time!) { hearings(from: $from, to: $to) { nodes { id } } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			c.marker = c.d.Hearing.String()
			return map[string]any{"from": c.d.HearingAt.Add(-time.Second).Format(time.RFC3339),
				"to": c.d.HearingAt.Add(time.Second).Format(time.RFC3339)}, nil
		}},
	{Root: "Query", Field: "deadline", Audit: "deadline.read", Perm: authz.CaseRead, Scope: scopeDossier, Target: "deadline",
		Query: `query($id: ID!) { deadline(id: $id) { id dueOn } }`, Vars: idVar(func(d *mxDossier) uuid.UUID { return d.Deadline })},
	{Root: "Query", Field: "deadlines", Audit: "deadline.list", Perm: authz.CaseRead, Scope: scopeDossier, Target: "deadline", List: true,
		Query: `query($from: Date!, $to: Date!) { deadlines(from: $from, to: $to, first: 200) { nodes { id } } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			c.marker = c.d.Deadline.String()
			day := c.d.DeadlineOn.Format(time.DateOnly)
			return map[string]any{"from": day, "to": day}, nil
		}},
	// The catalogue is law, not case data: anyone who may read case data
	// reads it; audited like penalArticles.
	{Root: "Query", Field: "deadlineRules", Audit: "deadline_rule.list", Perm: authz.CaseRead, Scope: scopeOrg, Rels: mxOwnRels,
		Query: `{ deadlineRules { id article } }`, Expect: requireRule(authz.CaseRead)},
	{Root: "Query", Field: "deadlinePreview", Audit: "deadline_rule.preview", Perm: authz.CaseRead, Scope: scopeOrg, Rels: mxOwnRels,
		Query: `{ deadlinePreview(ruleId: "tc-appel", triggerOn: "2026-01-15") { dueOn steps } }`, Expect: requireRule(authz.CaseRead)},
	// A report on one victim: the DPO of the organisation owning its
	// dossier only (not the co-civil parties'); for any other holder of
	// audit:read the victim is NOT_FOUND; roles without audit:read are
	// refused before the victim is looked up (FORBIDDEN, whatever the id).
	{Root: "Query", Field: "victimAccessReport", Audit: "audit.victim_report", Perm: authz.AuditRead, Scope: scopeDossier,
		Target: "victim",
		Query:  `query($id: ID!) { victimAccessReport(victimId: $id) { pseudonym entries { what } } }`,
		Vars:   idVar(func(d *mxDossier) uuid.UUID { return d.Victim }),
		Expect: func(c *mxCell) mxOutcome {
			switch {
			case c.a.kind != mxFull:
				return mxUnauthenticated
			case !c.can(authz.AuditRead):
				return mxForbidden
			case c.a.role == actor.DPO && c.rel != "other_org" && c.rel != "shared" && c.rel != "missing":
				return mxAllowed // a dossier of the DPO's organisation
			}
			return mxNotFound
		}},
	{Root: "Mutation", Field: "revealIdentity", Audit: "victim.identity.reveal", Perm: authz.IdentityRead, Scope: scopeDossier, Target: "person",
		Query: `mutation($id: ID!) { revealIdentity(personId: $id, reason: "preparing the hearing") { legalName } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Victim })},

	{Root: "Mutation", Field: "updateDossier", Audit: "dossier.update", Perm: authz.DossierWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($id: ID!) { updateDossier(id: $id, input: {summary: "Updated summary"}) { id } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.ID })},
	{Root: "Mutation", Field: "closeDossier", Audit: "dossier.close", Perm: authz.DossierWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($id: ID!) { closeDossier(id: $id, input: {reason: "final judgment"}) { id status } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.ID })},
	{Root: "Mutation", Field: "reopenDossier", Audit: "dossier.reopen", Perm: authz.DossierWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($id: ID!) { reopenDossier(id: $id) { id status } }`,
		Vars: func(ctx context.Context, c *mxCell) (map[string]any, error) {
			err := c.w.exec(ctx, `UPDATE dossiers SET status = 'closed', closed_on = '2025-06-01', closing_reason = 'done' WHERE id = $1`, c.d.ID)
			return map[string]any{"id": c.d.ID}, err
		}},
	{Root: "Mutation", Field: "assignDossier", Audit: "dossier.assign", Perm: authz.DossierAssign, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!, $u: ID!) { assignDossier(dossierId: $d, userId: $u) { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"d": c.d.ID, "u": c.w.assignee}, nil
		}},
	{Root: "Mutation", Field: "unassignDossier", Audit: "dossier.unassign", Perm: authz.DossierAssign, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!, $u: ID!) { unassignDossier(dossierId: $d, userId: $u) { id } }`,
		Vars: func(ctx context.Context, c *mxCell) (map[string]any, error) {
			var err error
			if c.d.Org == c.w.orgA {
				err = c.w.assign(ctx, c.d.ID, c.w.assignee)
			}
			return map[string]any{"d": c.d.ID, "u": c.w.assignee}, err
		}},
	{Root: "Mutation", Field: "shareDossier", Audit: "dossier.share", Perm: authz.DossierShare, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!, $o: ID!) { shareDossier(dossierId: $d, organisationId: $o) { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"d": c.d.ID, "o": c.w.orgS}, nil
		}},
	{Root: "Mutation", Field: "unshareDossier", Audit: "dossier.unshare", Perm: authz.DossierShare, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!, $o: ID!) { unshareDossier(dossierId: $d, organisationId: $o) { id } }`,
		Vars: func(ctx context.Context, c *mxCell) (map[string]any, error) {
			var err error
			if c.d.Org != uuid.Nil {
				err = c.w.share(ctx, c.d.ID, c.w.orgS)
			}
			return map[string]any{"d": c.d.ID, "o": c.w.orgS}, err
		}},
	{Root: "Mutation", Field: "addVictim", Audit: "victim.create", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!) { addVictim(input: {dossierId: $d, pseudonym: "Second victim", ageAtFacts: 9}) { id } }`,
		Vars:  dossierVar("d")},
	{Root: "Mutation", Field: "updateVictim", Audit: "victim.update", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "victim", Fresh: true,
		Query: `mutation($id: ID!) { updateVictim(id: $id, input: {ageAtFacts: 13}) { id } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Victim })},
	{Root: "Mutation", Field: "setVictimIdentity", Audit: "victim.identity.write", Perm: authz.IdentityWrite, Scope: scopeDossier, Target: "victim", Fresh: true,
		Query: `mutation($id: ID!) { setVictimIdentity(id: $id, input: {legalName: "Another Legal Name"}) { id hasIdentity } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Victim })},
	{Root: "Mutation", Field: "recordConsent", Audit: "consent.create", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "victim", Fresh: true,
		Query: `mutation($v: ID!) { recordConsent(input: {victimId: $v, givenBy: VICTIM, givenOn: "2025-02-15"}) { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"v": c.d.Victim}, nil
		}},
	{Root: "Mutation", Field: "withdrawConsent", Audit: "consent.withdraw", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "consent", Fresh: true,
		Query: `mutation($id: ID!) { withdrawConsent(id: $id, withdrawnOn: "2025-06-01") { id } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Consent })},
	{Root: "Mutation", Field: "addDefendant", Audit: "defendant.create", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!) { addDefendant(input: {dossierId: $d, pseudonym: "Facilitator B", role: FACILITATOR}) { id } }`,
		Vars:  dossierVar("d")},
	{Root: "Mutation", Field: "updateDefendant", Audit: "defendant.update", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "defendant", Fresh: true,
		Query: `mutation($id: ID!) { updateDefendant(id: $id, input: {country: "PH"}) { id } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Defendant })},
	{Root: "Mutation", Field: "setDefendantIdentity", Audit: "defendant.identity.write", Perm: authz.IdentityWrite, Scope: scopeDossier, Target: "defendant", Fresh: true,
		Query: `mutation($id: ID!) { setDefendantIdentity(id: $id, input: {legalName: "Another Legal Name"}) { id hasIdentity } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Defendant })},
	{Root: "Mutation", Field: "addCharge", Audit: "charge.create", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!, $def: ID) { addCharge(input: {dossierId: $d, defendantId: $def, article: "227-23",
			participation: ACCOMPLICE, retainedBy: PROSECUTOR, retainedOn: "2025-05-01"}) { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"d": c.d.ID, "def": c.d.Defendant}, nil
		}},
	{Root: "Mutation", Field: "requalifyCharge", Audit: "charge.requalify", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "charge", Fresh: true,
		Query: `mutation($id: ID!) { requalifyCharge(id: $id, input: {article: "227-22", participation: AUTHOR,
			retainedBy: TRIAL_COURT, retainedOn: "2025-05-01", reason: "requalified at trial"}) { id } }`,
		Vars: idVar(func(d *mxDossier) uuid.UUID { return d.Charge })},
	{Root: "Mutation", Field: "openProceeding", Audit: "proceeding.create", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!) { openProceeding(input: {dossierId: $d, stage: TRIAL, courtKind: TRIBUNAL_CORRECTIONNEL,
			startedOn: "2025-05-01"}) { id } }`,
		Vars: dossierVar("d")},
	{Root: "Mutation", Field: "updateProceeding", Audit: "proceeding.update", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "proceeding", Fresh: true,
		Query: `mutation($id: ID!) { updateProceeding(id: $id, input: {chamber: "15e chambre"}) { id } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Proc })},
	{Root: "Mutation", Field: "closeProceeding", Audit: "proceeding.close", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "proceeding", Fresh: true,
		Query: `mutation($id: ID!) { closeProceeding(id: $id, input: {endedOn: "2025-06-01", outcome: "partial dismissal"}) { id status } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Proc })},
	{Root: "Mutation", Field: "advanceProceeding", Audit: "proceeding.advance", Perm: authz.CaseWrite, Scope: scopeDossier, Target: "proceeding", Fresh: true,
		Query: `mutation($id: ID!) { advanceProceeding(id: $id, input: {endedOn: "2025-06-01", outcome: "sent to trial",
			stage: TRIAL, courtKind: TRIBUNAL_CORRECTIONNEL, startedOn: "2025-06-02"}) { id } }`,
		Vars: idVar(func(d *mxDossier) uuid.UUID { return d.Proc })},
	{Root: "Mutation", Field: "constituteCivilParty", Audit: "standing.create", Perm: authz.StandingWrite, Scope: scopeDossier, Target: "proceeding", Fresh: true,
		Query: `mutation($p: ID!) { constituteCivilParty(input: {proceedingId: $p, constitutedOn: "2025-05-01", mode: LETTER,
			legalBasis: "CPP 2-3"}) { id } }`,
		// A proceeding where the caller's organisation is not civil party yet.
		Vars: func(ctx context.Context, c *mxCell) (map[string]any, error) {
			p := uuid.New()
			if c.d.Org == uuid.Nil {
				return map[string]any{"p": p}, nil
			}
			err := c.w.exec(ctx, `INSERT INTO proceedings (id, dossier_id, stage, court_kind, started_on)
				VALUES ($1, $2, 'trial', 'tribunal_correctionnel', '2025-04-01')`, p, c.d.ID)
			return map[string]any{"p": p}, err
		}},
	{Root: "Mutation", Field: "decideCivilPartyStanding", Audit: "standing.decide", Perm: authz.StandingWrite, Scope: scopeDossier, Target: "standing", Fresh: true,
		OwnStanding: true,
		Query: `mutation($id: ID!) { decideCivilPartyStanding(id: $id, input: {admissibility: ADMITTED, decidedOn: "2025-06-01"}) {
			id admissibility } }`,
		Vars: idVar(func(d *mxDossier) uuid.UUID { return d.Standing })},
	{Root: "Mutation", Field: "withdrawCivilParty", Audit: "standing.withdraw", Perm: authz.StandingWrite, Scope: scopeDossier, Target: "standing", Fresh: true,
		OwnStanding: true,
		Query:       `mutation($id: ID!) { withdrawCivilParty(id: $id, input: {withdrawnOn: "2025-06-01"}) { id withdrawnOn } }`,
		Vars:        idVar(func(d *mxDossier) uuid.UUID { return d.Standing })},
	{Root: "Mutation", Field: "scheduleHearing", Audit: "hearing.schedule", Perm: authz.HearingWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!, $p: ID, $at: Time!) { scheduleHearing(input: {dossierId: $d, proceedingId: $p, kind: TRIAL,
			startsAt: $at}) { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"d": c.d.ID, "p": c.d.Proc, "at": dateVar(40)}, nil
		}},
	{Root: "Mutation", Field: "computeDeadline", Audit: "deadline.create", Perm: authz.HearingWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!, $p: ID) { computeDeadline(input: {dossierId: $d, proceedingId: $p, ruleId: "tc-appel",
			triggerOn: "2026-01-15"}) { id dueOn } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"d": c.d.ID, "p": c.d.Proc}, nil
		}},
	{Root: "Mutation", Field: "addManualDeadline", Audit: "deadline.create", Perm: authz.HearingWrite, Scope: scopeDossier, Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!) { addManualDeadline(input: {dossierId: $d, title: "Conclusions", dueOn: "2027-02-01"}) { id } }`,
		Vars:  dossierVar("d")},
	{Root: "Mutation", Field: "completeDeadline", Audit: "deadline.complete", Perm: authz.HearingWrite, Scope: scopeDossier, Target: "deadline", Fresh: true,
		Query: `mutation($id: ID!) { completeDeadline(id: $id) { id status } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Deadline })},
	{Root: "Mutation", Field: "cancelDeadline", Audit: "deadline.cancel", Perm: authz.HearingWrite, Scope: scopeDossier, Target: "deadline", Fresh: true,
		Query: `mutation($id: ID!) { cancelDeadline(id: $id, reason: "appeal withdrawn") { id status } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Deadline })},
	{Root: "Mutation", Field: "moveHearing", Audit: "hearing.move", Perm: authz.HearingWrite, Scope: scopeDossier, Target: "hearing", Fresh: true,
		Query: `mutation($id: ID!, $at: Time!) { moveHearing(id: $id, input: {startsAt: $at}) { id movedCount } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"id": c.d.Hearing, "at": dateVar(50)}, nil
		}},
	{Root: "Mutation", Field: "cancelHearing", Audit: "hearing.cancel", Perm: authz.HearingWrite, Scope: scopeDossier, Target: "hearing", Fresh: true,
		Query: `mutation($id: ID!) { cancelHearing(id: $id, reason: "court strike") { id status } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Hearing })},
	{Root: "Mutation", Field: "recordHearingOutcome", Audit: "hearing.outcome", Perm: authz.HearingWrite, Scope: scopeDossier, Target: "hearing", Fresh: true,
		Query: `mutation($id: ID!) { recordHearingOutcome(id: $id, note: "adjourned to a later date") { id status } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Hearing })},

	// The evidence vault (issue 5): legal staff and assigned partner
	// lawyers, on their dossiers and those shared with them; the file
	// endpoints are TestAuditFileEndpoints' cells.
	{Root: "Query", Field: "evidence", Audit: "evidence.read", Perm: authz.EvidenceRead, Scope: scopeDossier, Target: "evidence",
		Query: `query($id: ID!) { evidence(id: $id) { id title status sha256 downloadPath } }`,
		Vars:  idVar(func(d *mxDossier) uuid.UUID { return d.Evidence })},
	{Root: "Query", Field: "contentReference", Audit: "content_reference.read", Perm: authz.EvidenceRead, Scope: scopeDossier,
		Target: "content_reference",
		Query:  `query($id: ID!) { contentReference(id: $id) { id url sha256 } }`,
		Vars:   idVar(func(d *mxDossier) uuid.UUID { return d.Ref })},
	{Root: "Mutation", Field: "createEvidence", Audit: "evidence.create", Perm: authz.EvidenceWrite, Scope: scopeDossier, Target: "dossier",
		Fresh: true,
		Query: `mutation($d: ID!, $k: String!) { createEvidence(input: {dossierId: $d, kind: DECISION, title: "Judgment",
			fileName: "judgment.pdf", idempotencyKey: $k}) { id status uploadPath } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"d": c.d.ID, "k": "mx-" + mxRandom()}, nil
		}},
	{Root: "Mutation", Field: "addContentReference", Audit: "content_reference.create", Perm: authz.EvidenceWrite, Scope: scopeDossier,
		Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!) { addContentReference(input: {dossierId: $d, url: "https://images.example.net/a/77",
			platform: "image host", md5: "0123456789abcdef0123456789abcdef", observedOn: "2025-03-02"}) { id } }`,
		Vars: dossierVar("d")},
	{Root: "Mutation", Field: "recordContentReport", Audit: "content_report.create", Perm: authz.EvidenceWrite, Scope: scopeDossier,
		Target: "content_reference", Fresh: true,
		Query: `mutation($r: ID!) { recordContentReport(input: {contentReferenceId: $r, channel: PLATFORM, reference: "T-881",
			reportedOn: "2025-03-03"}) { id } }`,
		Vars: func(_ context.Context, c *mxCell) (map[string]any, error) {
			return map[string]any{"r": c.d.Ref}, nil
		}},
	// Crypto-shredding: the DPO of the owning organisation only; the DPO
	// holds no dossier:read, so a dossier shared with its organisation is
	// NOT_FOUND to it (see expect). Destructive: a dossier per cell.
	{Root: "Mutation", Field: "eraseDossierContent", Audit: "dossier.erase", Perm: authz.DossierErase, Scope: scopeDossier,
		Target: "dossier", Fresh: true,
		Query: `mutation($d: ID!) { eraseDossierContent(dossierId: $d, reason: "retention period ended") { dossierId } }`,
		Vars:  dossierVar("d")},
}

// nestedFieldPermissions maps every field that a resolver computes on a
// type carrying case data to the permission that guards it
// (schema_rules_test.go fails when one is missing). The matrix reads each
// of them through a root query the caller may use.
var nestedFieldPermissions = map[string]authz.Permission{
	"Dossier.organisation": authz.OrganisationRead,
	"Dossier.sharedWith":   authz.DossierRead,
	// Also needs dossier:assign or case:read; empty for a co-civil party
	// (the owner's staff is not theirs to know).
	"Dossier.assignees":         authz.DossierRead,
	"Dossier.victims":           authz.CaseRead,
	"Dossier.defendants":        authz.CaseRead,
	"Dossier.charges":           authz.CaseRead,
	"Dossier.proceedings":       authz.CaseRead,
	"Dossier.currentProceeding": authz.CaseRead,
	"Dossier.hearings":          authz.CaseRead,
	"Dossier.nextHearing":       authz.CaseRead,
	"Dossier.deadlines":         authz.CaseRead,
	"Dossier.nextDeadline":      authz.CaseRead,

	"Victim.dossier":  authz.DossierRead,
	"Victim.consents": authz.CaseRead,

	"Defendant.dossier": authz.DossierRead,
	"Defendant.charges": authz.CaseRead,

	"Charge.dossier":    authz.DossierRead,
	"Charge.defendant":  authz.CaseRead,
	"Charge.replaces":   authz.CaseRead,
	"Charge.replacedBy": authz.CaseRead,
	"Charge.history":    authz.CaseRead,

	"Proceeding.dossier":             authz.DossierRead,
	"Proceeding.previous":            authz.CaseRead,
	"Proceeding.next":                authz.CaseRead,
	"Proceeding.civilPartyStandings": authz.CaseRead,
	"Proceeding.hearings":            authz.CaseRead,

	"Hearing.dossier":    authz.DossierRead,
	"Hearing.proceeding": authz.CaseRead,

	"Deadline.dossier":    authz.DossierRead,
	"Deadline.proceeding": authz.CaseRead,

	"CivilPartyStanding.proceeding":   authz.CaseRead,
	"CivilPartyStanding.organisation": authz.OrganisationRead,
	"CivilPartyStanding.consent":      authz.CaseRead,

	"Dossier.evidence":          authz.EvidenceRead,
	"Dossier.contentReferences": authz.EvidenceRead,
	"Evidence.dossier":          authz.DossierRead,
	"ContentReference.dossier":  authz.DossierRead,
	"ContentReference.reports":  authz.EvidenceRead,
}

// nestedRoot is how the matrix reaches the objects of a type: a root query
// field and the fixture record it is given.
type nestedRoot struct {
	field string
	perm  authz.Permission
	id    func(d *mxDossier) uuid.UUID
	via   string // a list field in between (CivilPartyStanding via Proceeding.civilPartyStandings)
}

var nestedRoots = map[string]nestedRoot{
	"Dossier":            {"dossier", authz.DossierRead, func(d *mxDossier) uuid.UUID { return d.ID }, ""},
	"Victim":             {"victim", authz.CaseRead, func(d *mxDossier) uuid.UUID { return d.Victim }, ""},
	"Defendant":          {"defendant", authz.CaseRead, func(d *mxDossier) uuid.UUID { return d.Defendant }, ""},
	"Charge":             {"charge", authz.CaseRead, func(d *mxDossier) uuid.UUID { return d.Charge }, ""},
	"Proceeding":         {"proceeding", authz.CaseRead, func(d *mxDossier) uuid.UUID { return d.Proc }, ""},
	"Hearing":            {"hearing", authz.CaseRead, func(d *mxDossier) uuid.UUID { return d.Hearing }, ""},
	"Deadline":           {"deadline", authz.CaseRead, func(d *mxDossier) uuid.UUID { return d.Deadline }, ""},
	"CivilPartyStanding": {"proceeding", authz.CaseRead, func(d *mxDossier) uuid.UUID { return d.Proc }, "civilPartyStandings"},
	"Evidence":           {"evidence", authz.EvidenceRead, func(d *mxDossier) uuid.UUID { return d.Evidence }, ""},
	"ContentReference":   {"contentReference", authz.EvidenceRead, func(d *mxDossier) uuid.UUID { return d.Ref }, ""},
}

// nestedRootOverride: fields that are null on the usual record are read
// on one where they are not.
var nestedRootOverride = map[string]func(d *mxDossier) uuid.UUID{
	"Charge.replacedBy": func(d *mxDossier) uuid.UUID { return d.Charge0 },
	"Proceeding.next":   func(d *mxDossier) uuid.UUID { return d.Proc0 },
}

// mxDeviation is a cell where the behaviour knowingly differs from the
// rule. The cell passes with the observed outcome and says so in the log;
// once fixed, the cell fails until the deviation is removed here.
type mxDeviation struct {
	match func(c *mxCell) bool
	got   mxOutcome
	why   string
}

var authzKnownDeviations = []mxDeviation{
	{
		match: func(c *mxCell) bool { return c.a.kind == mxAnon && c.op.Field == "logout" },
		got:   mxAllowed,
		why:   "logout without a session answers false, not UNAUTHENTICATED (graph/base.resolvers.go Logout): harmless",
	},
}

// mxCell is one request of the table and what came of it.
type mxCell struct {
	w      *mxWorld
	op     *authzOperation
	nested string // "Type.field" for the cells of nestedFieldPermissions
	a      *mxActor
	rel    string
	name   string

	d      *mxDossier // dossier-scope target
	marker string     // list cells: what the result holds iff the target is reached
	want   mxOutcome
	dev    *mxDeviation
	got    mxOutcome
	resp   mxResponse
	vars   map[string]any
	err    error
	events []mxEvent // the audit events of the request, by its request id
	audits int       // audit requirements checked
}

func (c *mxCell) roles() []actor.Role {
	if c.a.kind == mxAnon || c.a.removed {
		return nil
	}
	return []actor.Role{c.a.role}
}

// can reports whether a role of the caller holds p (the instance
// operator's flag included).
func (c *mxCell) can(p authz.Permission) bool {
	for _, r := range c.roles() {
		if c.w.az.Granted(r, p) {
			return true
		}
	}
	return false
}

// hasOrg: the instance operator's session acts for no organisation.
func (c *mxCell) hasOrg() bool { return c.a.role != actor.Superadmin }

// dossierRule is the decision of docs/security.md on one dossier (or one
// record of it) for permission p: NOT_FOUND outside the caller's
// organisation and the dossiers shared with it; partner lawyers reach only
// the dossiers they are assigned to; identities need an assignment
// whatever the role; FORBIDDEN only for a caller who may read the dossier.
// A list answers FORBIDDEN when no role holds p, and otherwise holds the
// dossier iff the caller reaches it.
func (c *mxCell) dossierRule(p authz.Permission, list bool) mxOutcome {
	if c.a.kind != mxFull {
		return mxUnauthenticated
	}
	assigned := c.rel == "assigned" || c.rel == "shared_assigned" || (c.rel == "role_removed" && assignable(c.a.role))
	reaches := func(r actor.Role) bool { return r != actor.PartnerLawyer || assigned }
	identity := p == authz.IdentityRead || p == authz.IdentityWrite
	var visible, allowed bool
	for _, r := range c.roles() {
		visible = visible || reaches(r) && c.w.az.Granted(r, authz.DossierRead)
		allowed = allowed || reaches(r) && c.w.az.Granted(r, p) && (!identity || assigned)
	}
	inScope := c.hasOrg() && c.rel != "other_org" && c.rel != "missing"
	if list {
		switch {
		case !c.can(p) || !c.hasOrg():
			return mxForbidden
		case inScope && allowed:
			return mxAllowed
		}
		return mxAbsent
	}
	switch {
	case !inScope:
		return mxNotFound
	case allowed:
		return mxAllowed
	case visible:
		return mxForbidden
	}
	return mxNotFound
}

// mxOnShared are the permissions docs/security.md says an organisation
// holds on a dossier shared with it (co-civil party): it reads, and writes
// its own civil-party standing. Every other dossier permission is the
// owning organisation's.
var mxOnShared = map[authz.Permission]bool{authz.DossierRead: true, authz.CaseRead: true, authz.EvidenceRead: true,
	authz.StandingWrite: true}

// mxOwnerOnly: p applies to the organisation's own dossiers only.
func mxOwnerOnly(p authz.Permission) bool { return !mxOnShared[p] }

// expect computes the outcome a cell must have.
func (c *mxCell) expect() mxOutcome {
	if c.nested != "" {
		typ, _, _ := strings.Cut(c.nested, ".")
		if o := c.dossierRule(nestedRoots[typ].perm, false); o != mxAllowed {
			return o
		}
		p := nestedFieldPermissions[c.nested]
		if p == authz.OrganisationRead {
			return requireRule(p)(c)
		}
		return c.dossierRule(p, false)
	}
	if c.op.Scope != scopeDossier || c.op.Expect != nil {
		return c.op.Expect(c)
	}
	return c.sharedRule(c.op.Perm, c.op.List, c.op.OwnStanding)
}

// sharedRule is dossierRule with the co-civil-party rule of
// docs/security.md: on a dossier shared with the caller's organisation an
// owner-only permission (or a standing of the owner's, ownStanding) is
// refused, and NOT_FOUND to a caller who may not even read the dossier
// (the DPO erasing).
func (c *mxCell) sharedRule(p authz.Permission, list, ownStanding bool) mxOutcome {
	o := c.dossierRule(p, list)
	shared := c.rel == "shared" || c.rel == "shared_assigned"
	if o == mxAllowed && shared && (mxOwnerOnly(p) || ownStanding) {
		if c.dossierRule(authz.DossierRead, false) != mxAllowed {
			return mxNotFound
		}
		return mxForbidden
	}
	return o
}

// sessionRule gives the outcome of a session operation for a full session,
// a limited one and no session.
func sessionRule(full, limited, none mxOutcome) func(c *mxCell) mxOutcome {
	return func(c *mxCell) mxOutcome {
		switch c.a.kind {
		case mxLimited:
			return limited
		case mxAnon:
			return none
		}
		return full
	}
}

// requireRule: an organisation-level permission, held or not.
func requireRule(p authz.Permission) func(c *mxCell) mxOutcome {
	return func(c *mxCell) mxOutcome {
		switch {
		case c.a.kind != mxFull:
			return mxUnauthenticated
		case c.can(p):
			return mxAllowed
		}
		return mxForbidden
	}
}

// orgAdminRule: user:* through a role in the caller's organisation (the
// instance operator's user:write only creates first administrators).
func orgAdminRule(p authz.Permission) func(c *mxCell) mxOutcome {
	return func(c *mxCell) mxOutcome {
		switch {
		case c.a.kind != mxFull:
			return mxUnauthenticated
		case c.can(p) && c.hasOrg():
			return mxAllowed
		}
		return mxForbidden
	}
}

// memberRule: user:* on one user: the organisation's own members only
// (others are NOT_FOUND); account-wide changes refused (FORBIDDEN) for an
// account that also belongs to another organisation.
func memberRule(p authz.Permission, accountWide bool) func(c *mxCell) mxOutcome {
	return func(c *mxCell) mxOutcome {
		if o := orgAdminRule(p)(c); o != mxAllowed {
			return o
		}
		switch {
		case c.rel == "other_org":
			return mxNotFound
		case c.rel == "shared" && accountWide:
			return mxForbidden
		}
		return mxAllowed
	}
}

func idVar(id func(d *mxDossier) uuid.UUID) func(context.Context, *mxCell) (map[string]any, error) {
	return func(_ context.Context, c *mxCell) (map[string]any, error) {
		return map[string]any{"id": id(c.d)}, nil
	}
}

func dossierVar(name string) func(context.Context, *mxCell) (map[string]any, error) {
	return func(_ context.Context, c *mxCell) (map[string]any, error) {
		return map[string]any{name: c.d.ID}, nil
	}
}

// userTargetVars gives the cell a user of its own, related as the cell's
// relation says, prepared by prep.
func userTargetVars(prep func(ctx context.Context, c *mxCell, id uuid.UUID) error) func(context.Context, *mxCell) (map[string]any, error) {
	return func(ctx context.Context, c *mxCell) (map[string]any, error) {
		id, err := c.w.targetUser(ctx, c.rel)
		if err == nil && prep != nil {
			err = prep(ctx, c, id)
		}
		return map[string]any{"id": id}, err
	}
}

// nestedOperation builds the query reading field ("Type.field") through its root.
func nestedOperation(schema *ast.Schema, field string) (*authzOperation, error) {
	typ, name, _ := strings.Cut(field, ".")
	root, ok := nestedRoots[typ]
	if !ok {
		return nil, fmt.Errorf("%s: no root query in nestedRoots for type %s", field, typ)
	}
	def := schema.Types[typ]
	if def == nil || def.Fields.ForName(name) == nil {
		return nil, fmt.Errorf("%s: no such field in the schema", field)
	}
	sel := name
	if t := schema.Types[def.Fields.ForName(name).Type.Name()]; t != nil && t.Kind == ast.Object {
		sel += " { __typename }"
	}
	if root.via != "" {
		sel = root.via + " { id " + sel + " }"
	}
	id := root.id
	if o, ok := nestedRootOverride[field]; ok {
		id = o
	}
	return &authzOperation{Root: typ, Field: field, Perm: nestedFieldPermissions[field], Scope: scopeDossier,
		Target: root.field, Query: fmt.Sprintf(`query($id: ID!) { %s(id: $id) { id %s } }`, root.field, sel), Vars: idVar(id)}, nil
}

// relations lists the relations a cell of op is tried in for actor a.
func relations(op *authzOperation, a *mxActor) []string {
	switch {
	case a.removed:
		return []string{"role_removed"}
	case op.Scope == scopeSession:
		return []string{"self"}
	case op.Scope == scopeOrg && a.kind != mxFull:
		return []string{"own"}
	case op.Scope == scopeOrg:
		return op.Rels
	case a.kind == mxAnon:
		if op.List {
			return []string{"unassigned"}
		}
		return []string{"unassigned", "missing"}
	case a.kind == mxLimited:
		if op.List {
			return []string{"assigned"}
		}
		return []string{"assigned", "missing"}
	}
	var out []string
	rels := mxDossierRels
	if op.List {
		rels = mxListRels
	}
	for _, r := range rels {
		if (r == "assigned" || r == "revoked") && !assignable(a.role) {
			continue
		}
		out = append(out, r)
		switch {
		case r == "shared" && op.OwnStanding:
			out = append(out, "shared_own") // the caller's own standing in B's dossier
		case r == "shared" && !op.List && assignable(a.role):
			// Assigned to B's dossier (by B, as a member of B too), acting
			// for A: the assignment opens no owner-only permission.
			out = append(out, "shared_assigned")
		}
	}
	return out
}

// cells builds every cell of the table.
func (w *mxWorld) cells(t *testing.T) []*mxCell {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	ops := append([]*authzOperation(nil), authzOperations...)
	fields := make([]string, 0, len(nestedFieldPermissions))
	for f := range nestedFieldPermissions {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	nested := map[*authzOperation]string{}
	for _, f := range fields {
		op, err := nestedOperation(schema, f)
		if err != nil {
			t.Fatal(err)
		}
		nested[op] = f
		ops = append(ops, op)
	}
	var cells []*mxCell
	for _, op := range ops {
		for _, a := range w.actors {
			for _, rel := range relations(op, a) {
				c := &mxCell{w: w, op: op, nested: nested[op], a: a, rel: rel, name: a.name + "/" + op.Field + "/" + rel}
				c.want = c.expect()
				for i := range authzKnownDeviations {
					if authzKnownDeviations[i].match(c) {
						c.dev = &authzKnownDeviations[i]
					}
				}
				cells = append(cells, c)
			}
		}
	}
	return cells
}

// run makes the cell's request: its own dossier and session when it
// changes state, the shared fixtures otherwise.
func (c *mxCell) run(ctx context.Context) {
	w := c.w
	token := c.a.token
	if c.op.FreshSession && c.a.kind != mxAnon {
		var org *uuid.UUID
		if c.hasOrg() {
			org = &w.orgA
		}
		stage := auth.StageFull
		if c.a.kind == mxLimited {
			stage = auth.StageTOTPEnrollment
		}
		if token, c.err = w.newSession(ctx, c.a.userID, org, stage); c.err != nil {
			return
		}
	}
	if c.op.Scope == scopeDossier {
		if c.op.Fresh && c.rel != "missing" {
			if c.d, c.err = w.dossierFor(ctx, c.a, c.rel); c.err != nil {
				return
			}
		} else {
			c.d = w.worldDossier(c.rel)
		}
	}
	if c.op.Vars != nil {
		if c.vars, c.err = c.op.Vars(ctx, c); c.err != nil {
			return
		}
	}
	if c.resp, c.err = w.do(ctx, c.a, token, c.op.Query, c.vars); c.err != nil {
		return
	}
	c.got = mxOutcome(c.resp.code())
	if c.got == "" {
		c.got = mxAllowed
		if c.op.List && !strings.Contains(string(c.resp.body), c.marker) {
			c.got = mxAbsent
		}
	}
}

// check compares the cell with its expectation, and looks for fixture
// secrets in what it returned.
func (c *mxCell) check(t *testing.T) {
	if c.err != nil {
		t.Fatalf("cell set-up or request failed: %v", c.err)
	}
	want := c.want
	if c.dev != nil {
		switch c.got {
		case c.dev.got:
			t.Logf("known deviation: the rule gives %s, the behaviour is %s: %s", want, c.got, c.dev.why)
			want = c.got
		case want:
			t.Errorf("the known deviation (%s) no longer occurs: remove it from authzKnownDeviations", c.dev.why)
		}
	}
	body := string(c.resp.body)
	if c.got != want {
		t.Errorf("want %s, got %s (HTTP %d)\nquery: %s\nvariables: %v\nresponse: %s", want, c.got, c.resp.status,
			strings.Join(strings.Fields(c.op.Query), " "), c.vars, body)
	}
	if c.got != mxAllowed && (strings.Contains(body, mxTitleMarker) || strings.Contains(body, mxNameMarker)) {
		t.Errorf("a refused request returned fixture data: %s", body)
	}
	if c.op.Field != "revealIdentity" && strings.Contains(body, mxNameMarker) {
		t.Errorf("an identity left through %s, not revealIdentity: %s", c.op.Field, body)
	}
	if c.op.Field == "revealIdentity" && c.got == mxAllowed && !strings.Contains(body, c.d.NameMarker) {
		t.Errorf("revealIdentity allowed but did not return the identity: %s", body)
	}
	if c.op.Field == "eraseDossierContent" && c.rel != "missing" {
		// Erased iff allowed: a refusal destroys nothing.
		var status string
		if err := c.w.pool.QueryRow(context.Background(), `SELECT status FROM evidence WHERE id = $1`, c.d.Evidence).
			Scan(&status); err != nil {
			t.Fatal(err)
		}
		if (status == "erased") != (c.got == mxAllowed) {
			t.Errorf("eraseDossierContent %s, and the dossier's stored document is %s", c.got, status)
		}
	}
	c.checkAudit(t)
}

// revoke shows that the users under test reach their dossiers, then takes
// that away: assignments of D_revoked for the assignable roles, the role
// (the superadmin flag) of the second user of every role. The cells that
// follow are the very next requests.
func (w *mxWorld) revoke(ctx context.Context, t *testing.T) {
	t.Helper()
	mustBe := func(a *mxActor, want mxOutcome, query string, vars map[string]any) {
		t.Helper()
		r, err := w.do(ctx, a, a.token, query, vars)
		if err != nil {
			t.Fatal(err)
		}
		got := mxOutcome(r.code())
		if got == "" {
			got = mxAllowed
		}
		if got != want {
			t.Fatalf("%s before revocation: want %s, got %s: %s", a.name, want, got, r.body)
		}
	}
	for _, a := range w.actors {
		if a.kind != mxFull {
			continue
		}
		switch {
		case a.removed:
			mustBe(a, mxAllowed, `{ organisations { id } }`, nil)
			if a.role != actor.Superadmin && w.az.Granted(a.role, authz.DossierRead) {
				mustBe(a, mxAllowed, `query($id: ID!) { dossier(id: $id) { id } }`, map[string]any{"id": w.dsRemoved.ID})
			}
			sql := `DELETE FROM memberships WHERE user_id = $1`
			if a.role == actor.Superadmin {
				sql = `UPDATE users SET superadmin = false WHERE id = $1`
			}
			if err := w.exec(ctx, sql, a.userID); err != nil {
				t.Fatal(err)
			}
		case assignable(a.role):
			mustBe(a, mxAllowed, `query($id: ID!) { dossier(id: $id) { id } }`, map[string]any{"id": w.dsRevoked.ID})
			mustBe(a, mxAllowed, `mutation($id: ID!) { revealIdentity(personId: $id, reason: "before revocation") { legalName } }`,
				map[string]any{"id": w.dsRevoked.Victim})
			if err := w.exec(ctx, `DELETE FROM dossier_assignments WHERE dossier_id = $1 AND user_id = $2`,
				w.dsRevoked.ID, a.userID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestAuthzMatrix(t *testing.T) {
	t.Parallel()
	start := time.Now()
	ctx := context.Background()
	w := newMatrixWorld(t)
	w.revoke(ctx, t)
	cells := w.cells(t)

	// The requests run concurrently, each cell on its own records when it
	// changes state; the comparisons then run as one subtest per cell.
	work := make(chan *mxCell)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				c.run(ctx)
			}
		}()
	}
	for _, c := range cells {
		work <- c
	}
	close(work)
	wg.Wait()
	ran := time.Since(start)
	events := w.loadAudit(ctx, t, cells)

	count := map[mxOutcome]int{}
	allowedSomewhere := map[string]bool{}
	for _, c := range cells {
		count[c.got]++
		allowedSomewhere[c.op.Field] = allowedSomewhere[c.op.Field] || c.got == mxAllowed
		t.Run(c.name, c.check)
	}
	checkOneNotFound(t, cells)
	// A table whose inputs never succeed would prove nothing.
	for _, c := range cells {
		if c.op.Perm != permSession && !allowedSomewhere[c.op.Field] {
			t.Errorf("%s: allowed in no cell: its fixture input must succeed for the roles that hold %s", c.op.Field, c.op.Perm)
			allowedSomewhere[c.op.Field] = true
		}
	}
	t.Logf("%d cells in %v: %v; %d audit events read, %d checks", len(cells), ran.Round(time.Millisecond), count,
		events, auditChecks(cells))
}
