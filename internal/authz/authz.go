// Package authz is the one place that decides whether an actor may do
// something. Role × permission comes from an embedded casbin policy; which
// organisation and which dossiers a role reaches (sharing, assignments) is
// read from the database inside the caller's transaction, so a revoked
// role or assignment takes effect on the very next request.
package authz

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
)

//go:embed model.conf
var modelConf string

//go:embed policy.csv
var policyCSV string

// Permission is an object:action pair of the policy.
type Permission string

// The permissions the services check.
const (
	OrganisationCreate Permission = "organisation:create"
	OrganisationRead   Permission = "organisation:read"
	OrganisationUpdate Permission = "organisation:update"
	DossierRead        Permission = "dossier:read"
	DossierWrite       Permission = "dossier:write"
	CaseRead           Permission = "case:read"
	CaseWrite          Permission = "case:write"
	HearingWrite       Permission = "hearing:write"
	IdentityRead       Permission = "identity:read"
	IdentityWrite      Permission = "identity:write"
	UserRead           Permission = "user:read"
	UserWrite          Permission = "user:write"
	DossierAssign      Permission = "dossier:assign"
	DossierShare       Permission = "dossier:share"
	AuditRead          Permission = "audit:read"
	EvidenceRead       Permission = "evidence:read"
	EvidenceWrite      Permission = "evidence:write"
	DossierErase       Permission = "dossier:erase"
	// StandingWrite: the organisation's own civil-party standing
	// (constitute, record the court's decision on it, withdraw it), on its
	// dossiers and on those shared with it — the one part of a shared
	// dossier a co-civil party writes.
	StandingWrite Permission = "standing:write"
)

// Permissions lists every permission, for tests and the docs.
var Permissions = []Permission{OrganisationCreate, OrganisationRead, OrganisationUpdate,
	DossierRead, DossierWrite, CaseRead, CaseWrite, HearingWrite, IdentityRead, IdentityWrite,
	UserRead, UserWrite, DossierAssign, DossierShare, AuditRead, EvidenceRead, EvidenceWrite, DossierErase,
	StandingWrite}

// needsAssignment: permissions that only apply to dossiers the user is
// personally assigned to, whatever their role.
func needsAssignment(p Permission) bool {
	return p == IdentityRead || p == IdentityWrite
}

// onShared: the dossier permissions an organisation holds on a dossier
// shared with it (co-civil party): reading what its roles allow, and
// writing its own civil-party standing. Every other dossier permission is
// owner-only — the dossier, its staff and sharing, and the owner's
// records in it (victims, consents, defendants, identities, charges,
// proceedings, hearings, evidence): a co-civil party gets FORBIDDEN. Listed
// as what is allowed, so that a new permission is owner-only until said
// otherwise.
func onShared(p Permission) bool {
	return p == DossierRead || p == CaseRead || p == EvidenceRead || p == StandingWrite
}

// ownerOnly: permissions that only the organisation owning a dossier holds
// on it, not the organisations it is shared with. identity:read is one of
// them: an assignment is the owner's decision about one of its members
// acting for it, so it is not honoured in a session of another
// organisation (the same person, assigned by the owner, reveals the
// identity in a session of the owner, under the owner's roles).
func ownerOnly(p Permission) bool { return !onShared(p) }

// seesOnlyAssigned: roles that reach only the dossiers they are assigned to.
func seesOnlyAssigned(r actor.Role) bool { return r == actor.PartnerLawyer }

// Authorizer decides. It is immutable after New and safe for concurrent use.
type Authorizer struct {
	pool  *pgxpool.Pool
	grant map[actor.Role]map[Permission]bool
}

// New loads the embedded casbin model and policy and evaluates it once for
// every role × permission, so a decision is a map lookup.
func New(pool *pgxpool.Pool) (*Authorizer, error) {
	grant, err := loadPolicy()
	if err != nil {
		return nil, err
	}
	return &Authorizer{pool: pool, grant: grant}, nil
}

func loadPolicy() (map[actor.Role]map[Permission]bool, error) {
	m, err := model.NewModelFromString(modelConf)
	if err != nil {
		return nil, fmt.Errorf("authz model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz enforcer: %w", err)
	}
	for n, line := range strings.Split(policyCSV, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) != 4 || f[0] != "p" {
			return nil, fmt.Errorf("authz policy line %d: want p, role, object, action", n+1)
		}
		if !known(Permission(f[2]+":"+f[3])) || !(actor.Role(f[1]).Valid() || actor.Role(f[1]) == actor.Superadmin) {
			return nil, fmt.Errorf("authz policy line %d: unknown role or permission", n+1)
		}
		if _, err := e.AddPolicy(f[1], f[2], f[3]); err != nil {
			return nil, fmt.Errorf("authz policy line %d: %w", n+1, err)
		}
	}
	grant := map[actor.Role]map[Permission]bool{}
	for _, r := range append([]actor.Role{actor.Superadmin}, actor.OrgRoles...) {
		grant[r] = map[Permission]bool{}
		for _, p := range Permissions {
			obj, act, _ := strings.Cut(string(p), ":")
			ok, err := e.Enforce(string(r), obj, act)
			if err != nil {
				return nil, fmt.Errorf("authz evaluate %s %s: %w", r, p, err)
			}
			grant[r][p] = ok
		}
	}
	return grant, nil
}

func known(p Permission) bool {
	for _, x := range Permissions {
		if x == p {
			return true
		}
	}
	return false
}

// Granted reports whether role r holds permission p, before any dossier
// scoping. It is the policy as written in docs/security.md.
func (az *Authorizer) Granted(r actor.Role, p Permission) bool { return az.grant[r][p] }

func (az *Authorizer) roles(a actor.Actor) []actor.Role {
	if !a.Authenticated() {
		return nil
	}
	rs := a.Roles
	if a.Superadmin {
		rs = append([]actor.Role{actor.Superadmin}, rs...)
	}
	return rs
}

// Can reports whether the actor may use p at all (organisation level).
func (az *Authorizer) Can(a actor.Actor, p Permission) bool {
	for _, r := range az.roles(a) {
		if az.grant[r][p] {
			return true
		}
	}
	return false
}

// Denial is returned when an access is refused. It is recorded in the
// audit log in its own transaction, and reaches clients as NOT_FOUND when
// the actor may not even know the resource exists, FORBIDDEN otherwise.
type Denial struct {
	Permission   Permission
	ResourceType string
	ResourceID   uuid.UUID
	DossierID    uuid.UUID
	Visible      bool
}

func (d *Denial) Error() string {
	return fmt.Sprintf("denied %s on %s", d.Permission, d.ResourceType)
}

// Unwrap gives the client-facing error.
func (d *Denial) Unwrap() error {
	if d.Visible {
		return apperr.New(apperr.Forbidden, "not allowed")
	}
	return apperr.NotFoundError()
}

// Require refuses an organisation-level permission the actor lacks.
func (az *Authorizer) Require(a actor.Actor, p Permission, resourceType string) error {
	if !a.Authenticated() {
		return apperr.New(apperr.Unauthenticated, "sign in required")
	}
	if az.Can(a, p) {
		return nil
	}
	return &Denial{Permission: p, ResourceType: resourceType, Visible: true}
}

// DossierAccess is what a dossier check learnt about the dossier.
type DossierAccess struct {
	DossierID uuid.UUID
	OrgID     uuid.UUID
	Closed    bool
	Assigned  bool
}

// Dossier checks p on one dossier inside tx. For write permissions the
// dossier row is share-locked until tx ends, so it cannot be closed or
// erased under the caller's feet. resourceType and resourceID name what the
// caller is after (the dossier itself or a child record) for the audit log
// and for a NOT_FOUND that says the right kind.
func (az *Authorizer) Dossier(ctx context.Context, tx pgx.Tx, a actor.Actor, p Permission,
	dossierID uuid.UUID, resourceType string, resourceID uuid.UUID) (DossierAccess, error) {
	if !a.Authenticated() {
		return DossierAccess{}, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	deny := &Denial{Permission: p, ResourceType: resourceType, ResourceID: resourceID, DossierID: dossierID}
	lock := ""
	if strings.HasSuffix(string(p), ":write") {
		lock = " FOR SHARE OF d"
	}
	var acc DossierAccess
	var inScope bool
	err := tx.QueryRow(ctx, `
		SELECT d.organisation_id, d.status = 'closed',
		       d.organisation_id = $2 OR EXISTS (SELECT 1 FROM dossier_shares s WHERE s.dossier_id = d.id AND s.organisation_id = $2),
		       EXISTS (SELECT 1 FROM dossier_assignments x WHERE x.dossier_id = d.id AND x.user_id = $3)
		FROM dossiers d WHERE d.id = $1`+lock, dossierID, a.OrgID, a.UserID).
		Scan(&acc.OrgID, &acc.Closed, &inScope, &acc.Assigned)
	if errors.Is(err, pgx.ErrNoRows) {
		// Refused and audited like a dossier the actor may not see: a probe
		// of a missing id answers, records and costs what one of a hidden
		// id does.
		deny.DossierID = uuid.Nil
		return DossierAccess{}, deny
	}
	if err != nil {
		return DossierAccess{}, fmt.Errorf("authz dossier: %w", err)
	}
	acc.DossierID = dossierID
	if !inScope {
		return DossierAccess{}, deny
	}
	reaches := func(r actor.Role) bool { return !seesOnlyAssigned(r) || acc.Assigned }
	if ownerOnly(p) && acc.OrgID != a.OrgID {
		// A co-civil party sees a shared dossier and records its own
		// standing in it (standing:write; which standing is its own is the
		// proceeding service's check), but the dossier, its staff, its
		// sharing and every record of the owner's belong to the owner.
		for _, r := range az.roles(a) {
			if reaches(r) && az.grant[r][DossierRead] {
				deny.Visible = true
			}
		}
		return DossierAccess{}, deny
	}
	for _, r := range az.roles(a) {
		if reaches(r) && az.grant[r][DossierRead] {
			deny.Visible = true
		}
		if reaches(r) && az.grant[r][p] && (!needsAssignment(p) || acc.Assigned) {
			return acc, nil
		}
	}
	return DossierAccess{}, deny
}

// Scope limits a list query to the dossiers an actor reaches with one
// permission. Use ScopeClause in the WHERE of a query over dossiers d, with
// Args merged into its named arguments.
type Scope struct {
	OrgID    uuid.UUID
	UserID   uuid.UUID
	AllOfOrg bool // false: only dossiers the user is assigned to
}

// ScopeClause filters rows of "dossiers d" to a Scope (named arguments).
const ScopeClause = `(d.organisation_id = @az_org OR EXISTS (SELECT 1 FROM dossier_shares azs WHERE azs.dossier_id = d.id AND azs.organisation_id = @az_org))
	AND (@az_all OR EXISTS (SELECT 1 FROM dossier_assignments aza WHERE aza.dossier_id = d.id AND aza.user_id = @az_user))`

// Branches returns the two halves of the scope as "FROM ... WHERE ..."
// fragments over "dossiers d": the organisation's own dossiers, and those
// shared with it. A list query runs its filter, order and limit in each
// half and merges them (UNION ALL), so that PostgreSQL walks the
// (organisation_id, sort key) indexes instead of filtering every row, which
// an OR across the two would force.
func (s Scope) Branches() [2]string {
	assigned := ""
	if !s.AllOfOrg {
		assigned = " AND d.id IN (SELECT aza.dossier_id FROM dossier_assignments aza WHERE aza.user_id = @az_user)"
	}
	return [2]string{
		`FROM dossiers d WHERE d.organisation_id = @az_org` + assigned,
		`FROM dossier_shares azs JOIN dossiers d ON d.id = azs.dossier_id
		 WHERE azs.organisation_id = @az_org AND d.organisation_id <> @az_org` + assigned,
	}
}

// Args returns the named arguments of ScopeClause, added to into.
func (s Scope) Args(into pgx.NamedArgs) pgx.NamedArgs {
	if into == nil {
		into = pgx.NamedArgs{}
	}
	into["az_org"] = s.OrgID
	into["az_user"] = s.UserID
	into["az_all"] = s.AllOfOrg
	return into
}

// DossierScope returns the scope of dossiers in which the actor holds p.
// A scope takes in the dossiers shared with the actor's organisation, so p
// must be one held on them (a read): an owner-only permission is refused
// as a programming error rather than widened to shared dossiers.
func (az *Authorizer) DossierScope(a actor.Actor, p Permission, resourceType string) (Scope, error) {
	if !a.Authenticated() {
		return Scope{}, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	if ownerOnly(p) {
		return Scope{}, fmt.Errorf("authz: %s is owner-only and has no list scope", p)
	}
	s := Scope{OrgID: a.OrgID, UserID: a.UserID}
	found := false
	for _, r := range az.roles(a) {
		if !az.grant[r][p] {
			continue
		}
		found = true
		if !seesOnlyAssigned(r) && !needsAssignment(p) {
			s.AllOfOrg = true
		}
	}
	if !found || a.OrgID == uuid.Nil {
		return Scope{}, &Denial{Permission: p, ResourceType: resourceType, Visible: true}
	}
	return s, nil
}

// InTx runs fn in one transaction for a signed-in actor a (anyone else is
// UNAUTHENTICATED before any query). If fn is refused by a
// Denial, the refusal is written to the audit log in a transaction of its
// own (the access's transaction was rolled back) and the client-facing
// error is returned.
func (az *Authorizer) InTx(ctx context.Context, a actor.Actor, fn func(pgx.Tx) error) error {
	// Before anything reads the database: an anonymous caller must not
	// learn whether an id exists (NOT_FOUND vs UNAUTHENTICATED).
	if !a.Authenticated() {
		return apperr.New(apperr.Unauthenticated, "sign in required")
	}
	err := postgres.InTx(ctx, az.pool, fn)
	var d *Denial
	if errors.As(err, &d) {
		ev := audit.Event{Action: "access.denied", ResourceType: d.ResourceType, DossierID: d.DossierID,
			Outcome: audit.Denied, Permission: string(d.Permission)}
		if d.ResourceID != uuid.Nil {
			ev.ResourceIDs = []uuid.UUID{d.ResourceID}
		}
		// In a transaction of its own: the access's was rolled back (or, in
		// a shared read request, may yet be).
		if aerr := postgres.Detached(context.WithoutCancel(ctx), az.pool, func(tx pgx.Tx) error {
			return audit.Record(ctx, tx, a, ev)
		}); aerr != nil {
			return fmt.Errorf("record denial: %w", aerr)
		}
		return d.Unwrap()
	}
	return err
}

// rowTables are the tables whose rows belong to one dossier, looked up by
// RowDossier (a fixed list: the table name is spliced into SQL).
var rowTables = map[string]bool{"victims": true, "defendants": true, "charges": true, "proceedings": true,
	"hearings": true, "evidence": true, "content_references": true, "deadlines": true}

// RowDossier returns the dossier a row of table belongs to, to authorize
// an access to that row with Dossier. When the row does not exist it is a
// *Denial (NOT_FOUND, audited as access.denied naming id, like a row the
// actor may not see).
func RowDossier(ctx context.Context, tx pgx.Tx, table, kind string, id uuid.UUID) (uuid.UUID, error) {
	if !rowTables[table] {
		return uuid.Nil, fmt.Errorf("authz: no dossier rows in table %q", table)
	}
	var d uuid.UUID
	err := tx.QueryRow(ctx, `SELECT dossier_id FROM `+table+` WHERE id = $1`, id).Scan(&d)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, &Denial{ResourceType: kind, ResourceID: id}
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("read %s dossier: %w", kind, err)
	}
	return d, nil
}

// Row checks p on the dossier that row id of table belongs to, for an
// access to that row (resourceType, e.g. "hearing"): NOT_FOUND when the row
// does not exist or the actor may not see its dossier.
func (az *Authorizer) Row(ctx context.Context, tx pgx.Tx, a actor.Actor, p Permission, table, resourceType string,
	id uuid.UUID) (DossierAccess, error) {
	d, err := RowDossier(ctx, tx, table, resourceType, id)
	var missing *Denial
	if errors.As(err, &missing) {
		missing.Permission = p
	}
	if err != nil {
		return DossierAccess{}, err
	}
	return az.Dossier(ctx, tx, a, p, d, resourceType, id)
}
