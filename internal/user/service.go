package user

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/page"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// Service administers users, dossier assignments and shares. Every method
// authorizes, runs in one transaction and writes its audit event in it.
// Administrators reach the members of their own organisation only: a user
// of another organisation is NOT_FOUND, like one that does not exist.
type Service struct {
	az     *authz.Authorizer
	policy *auth.PasswordPolicy
}

// NewService returns a user administration service. Every query runs in
// az's transactions, on the pool az was built with.
func NewService(az *authz.Authorizer, _ *pgxpool.Pool, policy *auth.PasswordPolicy) *Service {
	return &Service{az: az, policy: policy}
}

var constraints = postgres.Constraint{
	"users_email_key": apperr.InvalidField("email", "another account already uses this e-mail address"),
}

// roleAdmin is the administrator role as stored in memberships.
const roleAdmin = string(actor.Admin)

// assignable: the roles of the people who work on a dossier.
var assignable = []string{string(actor.LegalStaff), string(actor.PartnerLawyer)}

// userColumns reads a user over "users u" with their roles in @org.
const userColumns = `u.id, u.email, u.display_name,
	array(SELECT m.role FROM memberships m WHERE m.user_id = u.id AND m.organisation_id = @org ORDER BY m.role),
	u.disabled_at IS NOT NULL, u.totp_secret_sealed IS NOT NULL, u.must_change_password, u.last_sign_in_at`

func scanUser(row pgx.Row) (User, error) {
	var u User
	var roles []string
	err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &roles, &u.Disabled, &u.TOTPEnrolled,
		&u.MustChangePassword, &u.LastSignInAt)
	u.Roles = toRoles(roles)
	u.Assignments = []Assignment{}
	return u, err
}

func toRoles(rs []string) []actor.Role {
	out := make([]actor.Role, len(rs))
	for i, r := range rs {
		out[i] = actor.Role(r)
	}
	return out
}

// readUser reads one user with their roles and assignments in org.
func readUser(ctx context.Context, tx pgx.Tx, org, id uuid.UUID) (User, error) {
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = @id`,
		pgx.NamedArgs{"org": org, "id": id}))
	if err != nil {
		return User{}, fmt.Errorf("read user: %w", err)
	}
	us := []User{u}
	if err := withAssignments(ctx, tx, org, us); err != nil {
		return User{}, err
	}
	return us[0], nil
}

// withAssignments fills in the users' assignments to org's dossiers, in
// one query.
func withAssignments(ctx context.Context, tx pgx.Tx, org uuid.UUID, us []User) error {
	if len(us) == 0 {
		return nil
	}
	idx := make(map[uuid.UUID]int, len(us))
	ids := make([]uuid.UUID, len(us))
	for i, u := range us {
		idx[u.ID], ids[i] = i, u.ID
	}
	rows, err := tx.Query(ctx, `SELECT x.user_id, x.dossier_id, d.reference, x.created_at
		FROM dossier_assignments x JOIN dossiers d ON d.id = x.dossier_id
		WHERE x.user_id = ANY($1) AND d.organisation_id = $2
		ORDER BY x.created_at, x.dossier_id`, ids, org)
	if err != nil {
		return fmt.Errorf("read assignments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid uuid.UUID
		var as Assignment
		if err := rows.Scan(&uid, &as.DossierID, &as.Reference, &as.AssignedAt); err != nil {
			return fmt.Errorf("scan assignment: %w", err)
		}
		u := &us[idx[uid]]
		u.Assignments = append(u.Assignments, as)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read assignments: %w", err)
	}
	return nil
}

// requireAdmin refuses an actor who does not hold p through a role in their
// organisation. The instance operator's user:write is a flag, not a role:
// it only creates first administrators (see Create).
func (s *Service) requireAdmin(a actor.Actor, p authz.Permission) error {
	if err := s.az.Require(a, p, "user"); err != nil {
		return err
	}
	if s.orgGrants(a, p) {
		return nil
	}
	return &authz.Denial{Permission: p, ResourceType: "user", Visible: true}
}

// orgGrants reports whether one of a's roles in their organisation grants p.
func (s *Service) orgGrants(a actor.Actor, p authz.Permission) bool {
	if a.OrgID == uuid.Nil {
		return false
	}
	for _, r := range a.Roles {
		if s.az.Granted(r, p) {
			return true
		}
	}
	return false
}

// member checks that user id belongs to org: NOT_FOUND otherwise, and a
// user of another organisation is refused and audited as a hidden record.
// lock is a row-lock clause for the user row ("" for none).
func member(ctx context.Context, tx pgx.Tx, p authz.Permission, org, id uuid.UUID, lock string) error {
	var isMember bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.organisation_id = $2)
		FROM users u WHERE u.id = $1 `+lock, id, org).Scan(&isMember)
	if errors.Is(err, pgx.ErrNoRows) { // refused and audited like a user of another organisation
		return &authz.Denial{Permission: p, ResourceType: "user", ResourceID: id}
	}
	if err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	if !isMember {
		return &authz.Denial{Permission: p, ResourceType: "user", ResourceID: id}
	}
	return nil
}

// ownAccount refuses account-wide changes (password, second factor, status,
// sessions) to an account that also belongs to another organisation or to
// the instance operator: an administrator must not be able to take over an
// account that carries rights beyond their organisation.
func ownAccount(ctx context.Context, tx pgx.Tx, p authz.Permission, org, id uuid.UUID) error {
	var wider bool
	if err := tx.QueryRow(ctx, `SELECT u.superadmin OR EXISTS (SELECT 1 FROM memberships m
			WHERE m.user_id = u.id AND m.organisation_id <> $2)
		FROM users u WHERE u.id = $1`, id, org).Scan(&wider); err != nil {
		return fmt.Errorf("read account scope: %w", err)
	}
	if wider {
		return &authz.Denial{Permission: p, ResourceType: "user", ResourceID: id, Visible: true}
	}
	return nil
}

// lockOrg serialises the changes to an organisation's administrators, so
// that two concurrent changes cannot both remove "another" administrator.
// NO KEY UPDATE leaves inserts that reference the organisation unblocked.
func lockOrg(ctx context.Context, tx pgx.Tx, org uuid.UUID) error {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM organisations WHERE id = $1 FOR NO KEY UPDATE`, org); err != nil {
		return fmt.Errorf("lock organisation: %w", err)
	}
	return nil
}

// otherAdmins reports whether id is an administrator of org and how many
// other enabled administrators org has.
func otherAdmins(ctx context.Context, tx pgx.Tx, org, id uuid.UUID) (isAdmin bool, others int, err error) {
	err = tx.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM memberships WHERE organisation_id = $1 AND user_id = $2 AND role = 'admin'),
		(SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
		 WHERE m.organisation_id = $1 AND m.role = 'admin' AND m.user_id <> $2 AND u.disabled_at IS NULL)`,
		org, id).Scan(&isAdmin, &others)
	if err != nil {
		return false, 0, fmt.Errorf("count administrators: %w", err)
	}
	return isAdmin, others, nil
}

func userEvent(action string, p authz.Permission, ids ...uuid.UUID) audit.Event {
	return audit.Event{Action: action, ResourceType: "user", ResourceIDs: ids, Permission: string(p)}
}

// validEmail lower-cases and checks an e-mail address.
func validEmail(v *apperr.Validation, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		v.Add("email", "is required")
	case utf8.RuneCountInString(s) > 254:
		v.Add("email", "must have at most 254 characters")
	default:
		addr, err := mail.ParseAddress(s)
		_, domain, _ := strings.Cut(s, "@")
		if err != nil || addr.Address != s || !strings.Contains(domain, ".") {
			v.Add("email", "is not a valid e-mail address")
		}
	}
	return s
}

// validRoles checks a non-empty set of organisation roles, without
// duplicates, in the order given.
func validRoles(v *apperr.Validation, field string, rs []actor.Role) []string {
	out := make([]string, 0, len(rs))
	seen := map[actor.Role]bool{}
	for _, r := range rs {
		if !r.Valid() {
			v.Add(field, "unknown role")
			continue
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, string(r))
		}
	}
	if len(rs) == 0 {
		v.Add(field, "at least one role is required")
	}
	return out
}

func contains(rs []string, r string) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// checkPassword adds the password policy's verdict to v.
func (s *Service) checkPassword(v *apperr.Validation, field, password, email string) {
	if err := s.policy.Check(field, password, email); err != nil {
		e, ok := apperr.As(err)
		if !ok {
			v.Add(field, "is not acceptable")
			return
		}
		for _, fe := range e.Fields {
			v.Add(fe.Field, "%s", fe.Message)
		}
	}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// List returns one page of the members of the actor's organisation, by
// e-mail address.
func (s *Service) List(ctx context.Context, a actor.Actor, p ListParams) (Page, error) {
	size, err := page.Size(p.First, 50)
	if err != nil {
		return Page{}, err
	}
	cur, err := page.Decode(p.After)
	if err != nil {
		return Page{}, err
	}
	args := pgx.NamedArgs{"org": a.OrgID, "lim": size + 1}
	where := []string{`EXISTS (SELECT 1 FROM memberships mm WHERE mm.user_id = u.id AND mm.organisation_id = @org)`}
	f := p.Filter
	if f.Text != nil && strings.TrimSpace(*f.Text) != "" {
		where = append(where, `(u.email || ' ' || u.display_name) ILIKE @text`)
		args["text"] = "%" + escapeLike(strings.TrimSpace(*f.Text)) + "%"
	}
	if f.Role != nil {
		if !f.Role.Valid() {
			return Page{}, apperr.InvalidField("filter.role", "unknown role")
		}
		where = append(where, `EXISTS (SELECT 1 FROM memberships mr WHERE mr.user_id = u.id AND mr.organisation_id = @org AND mr.role = @role)`)
		args["role"] = string(*f.Role)
	}
	if f.Disabled != nil {
		where = append(where, `(u.disabled_at IS NOT NULL) = @disabled`)
		args["disabled"] = *f.Disabled
	}
	if cur != nil {
		where = append(where, `(lower(u.email), u.id) > (@ck, @cid)`)
		args["ck"], args["cid"] = cur.Key, cur.ID
	}
	var out Page
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.requireAdmin(a, authz.UserRead); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+userColumns+` FROM users u WHERE `+strings.Join(where, " AND ")+`
			ORDER BY lower(u.email), u.id LIMIT @lim`, args)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		out.Nodes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) { return scanUser(r) })
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		if len(out.Nodes) > size {
			out.Nodes = out.Nodes[:size]
			out.Info.HasNextPage = true
		}
		if err := withAssignments(ctx, tx, a.OrgID, out.Nodes); err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(out.Nodes))
		for i, u := range out.Nodes {
			ids[i] = u.ID
		}
		if n := len(out.Nodes); n > 0 {
			last := out.Nodes[n-1]
			c := page.Cursor{Key: strings.ToLower(last.Email), ID: last.ID}.Encode()
			out.Info.EndCursor = &c
		}
		return audit.Record(ctx, tx, a, userEvent("user.list", authz.UserRead, ids...))
	})
	return out, err
}

// Get reads one member of the actor's organisation.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (User, error) {
	var u User
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.requireAdmin(a, authz.UserRead); err != nil {
			return err
		}
		if err := member(ctx, tx, authz.UserRead, a.OrgID, id, ""); err != nil {
			return err
		}
		var err error
		if u, err = readUser(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, userEvent("user.read", authz.UserRead, id))
	})
	return u, err
}

// Create makes an account that must change its temporary password at first
// sign-in, in the actor's organisation; or, for the instance operator with
// OrganisationID, the first administrator of that organisation.
func (s *Service) Create(ctx context.Context, a actor.Actor, in CreateInput) (User, error) {
	var v apperr.Validation
	email := validEmail(&v, in.Email)
	name := valid.Text(&v, "displayName", in.DisplayName, 1, 200)
	roles := validRoles(&v, "roles", in.Roles)
	s.checkPassword(&v, "temporaryPassword", in.TemporaryPassword, email)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	var hash string
	if s.az.Can(a, authz.UserWrite) { // no costly hashing for a caller about to be refused
		var err error
		if hash, err = auth.HashPassword(in.TemporaryPassword); err != nil {
			return User{}, fmt.Errorf("hash password: %w", err)
		}
	}
	var u User
	err := s.inTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.az.Require(a, authz.UserWrite, "user"); err != nil {
			return err
		}
		org, err := s.createTarget(ctx, tx, a, in.OrganisationID, roles)
		if err != nil {
			return err
		}
		if combinesDuties(roles) {
			return refuse(authz.UserWrite, "user", uuid.Nil, uuid.Nil, "roles", msgAdminAndStaff)
		}
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO users (email, display_name, password_hash, must_change_password)
			VALUES ($1, $2, $3, true) RETURNING id`, email, name, hash).Scan(&id); err != nil {
			return postgres.MapError(err, constraints)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role)
			SELECT $1, $2, unnest($3::text[])`, id, org, roles); err != nil {
			return fmt.Errorf("insert memberships: %w", err)
		}
		if u, err = readUser(ctx, tx, org, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, inOrg(a, org), userEvent("user.create", authz.UserWrite, id))
	})
	return u, err
}

// inOrg is the actor as recorded for what it does in org. The instance
// operator's creation of a first administrator is recorded in that
// organisation (with the operator's superadmin flag and no roles), so
// that its data-protection officer sees who created its administrator.
func inOrg(a actor.Actor, org uuid.UUID) actor.Actor {
	if org != a.OrgID {
		a.OrgID, a.Roles = org, nil
	}
	return a
}

// createTarget decides the organisation of a new account. An
// administrator creates accounts in their own organisation; the instance
// operator creates only the first administrator of an organisation.
func (s *Service) createTarget(ctx context.Context, tx pgx.Tx, a actor.Actor, orgID *uuid.UUID, roles []string) (uuid.UUID, error) {
	orgAdmin := s.orgGrants(a, authz.UserWrite)
	deny := &authz.Denial{Permission: authz.UserWrite, ResourceType: "user", Visible: true}
	if orgID == nil || (orgAdmin && *orgID == a.OrgID) {
		switch {
		case orgAdmin:
			return a.OrgID, nil
		case a.Superadmin:
			return uuid.Nil, apperr.InvalidField("organisationId", "is required: the organisation of its first administrator")
		}
		return uuid.Nil, deny
	}
	if !a.Superadmin || len(roles) != 1 || roles[0] != roleAdmin {
		return uuid.Nil, deny
	}
	// Locked, so that two concurrent requests cannot both create "the
	// first" administrator; then read in a statement of its own, whose
	// snapshot (READ COMMITTED) sees the administrator a request that held
	// the lock before committed. (Read in the locking statement, the
	// subquery would use the snapshot taken before waiting for the lock.)
	var found bool
	err := tx.QueryRow(ctx, `SELECT true FROM organisations WHERE id = $1 FOR NO KEY UPDATE`, *orgID).Scan(&found)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, apperr.InvalidField("organisationId", "no such organisation")
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("lock organisation: %w", err)
	}
	var hasAdmin bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.organisation_id = $1 AND m.role = 'admin' AND u.disabled_at IS NULL)`, *orgID).Scan(&hasAdmin); err != nil {
		return uuid.Nil, fmt.Errorf("read administrators: %w", err)
	}
	if hasAdmin {
		return uuid.Nil, apperr.New(apperr.Conflict, "the organisation already has an administrator: they create its accounts")
	}
	return *orgID, nil
}

// SetRoles replaces a member's roles in the actor's organisation. Nobody
// changes their own roles, admin is never held with legal_staff or
// partner_lawyer (FORBIDDEN, audited), and the organisation keeps at least
// one enabled administrator. Someone left with neither legal_staff nor
// partner_lawyer loses their dossier assignments.
func (s *Service) SetRoles(ctx context.Context, a actor.Actor, id uuid.UUID, roles []actor.Role) (User, error) {
	var v apperr.Validation
	rs := validRoles(&v, "roles", roles)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	var u User
	err := s.inTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.requireAdmin(a, authz.UserWrite); err != nil {
			return err
		}
		// Serialises every change of roles in the organisation: two
		// administrators replacing a member's roles concurrently (one with
		// admin, the other with legal_staff) leave one set or the other,
		// never their union.
		if err := lockOrg(ctx, tx, a.OrgID); err != nil {
			return err
		}
		if err := member(ctx, tx, authz.UserWrite, a.OrgID, id, "FOR NO KEY UPDATE"); err != nil {
			return err
		}
		if id == a.UserID {
			return refuse(authz.UserWrite, "user", id, uuid.Nil, "", msgOwnRoles)
		}
		if combinesDuties(rs) {
			return refuse(authz.UserWrite, "user", id, uuid.Nil, "roles", msgAdminAndStaff)
		}
		if !contains(rs, roleAdmin) {
			isAdmin, others, err := otherAdmins(ctx, tx, a.OrgID, id)
			if err != nil {
				return err
			}
			if isAdmin && others == 0 {
				return apperr.New(apperr.Conflict, "the organisation's last administrator keeps the admin role")
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM memberships WHERE user_id = $1 AND organisation_id = $2 AND role <> ALL($3)`,
			id, a.OrgID, rs); err != nil {
			return fmt.Errorf("remove roles: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role)
			SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`, id, a.OrgID, rs); err != nil {
			return fmt.Errorf("add roles: %w", err)
		}
		if !contains(rs, assignable[0]) && !contains(rs, assignable[1]) {
			if _, err := tx.Exec(ctx, `DELETE FROM dossier_assignments x USING dossiers d
				WHERE x.dossier_id = d.id AND d.organisation_id = $2 AND x.user_id = $1`, id, a.OrgID); err != nil {
				return fmt.Errorf("remove assignments: %w", err)
			}
		}
		var err error
		if u, err = readUser(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, userEvent("user.roles", authz.UserWrite, id))
	})
	return u, err
}

// accountChange runs an account-wide change of user id (status, password,
// second factor, sessions) for an administrator of their organisation, and
// records it as action.
func (s *Service) accountChange(ctx context.Context, a actor.Actor, id uuid.UUID, action string,
	change func(tx pgx.Tx) error) (User, error) {
	var u User
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.requireAdmin(a, authz.UserWrite); err != nil {
			return err
		}
		if err := lockOrg(ctx, tx, a.OrgID); err != nil {
			return err
		}
		if err := member(ctx, tx, authz.UserWrite, a.OrgID, id, "FOR NO KEY UPDATE"); err != nil {
			return err
		}
		if err := ownAccount(ctx, tx, authz.UserWrite, a.OrgID, id); err != nil {
			return err
		}
		if err := change(tx); err != nil {
			return err
		}
		var err error
		if u, err = readUser(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, userEvent(action, authz.UserWrite, id))
	})
	return u, err
}

// endSessions deletes every session of a user and returns how many. It
// also revokes their calendar feeds (internal/calfeed): a feed URL is a
// credential too, and whatever made an administrator end the sessions (a
// lost laptop, a departure, a reset) applies to it.
func endSessions(ctx context.Context, tx pgx.Tx, id uuid.UUID) (int, error) {
	tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE calendar_feeds SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, id); err != nil {
		return 0, fmt.Errorf("revoke calendar feeds: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Disable disables an account and ends its sessions: it is refused from
// the next request on. Nobody disables their own account.
func (s *Service) Disable(ctx context.Context, a actor.Actor, id uuid.UUID) (User, error) {
	return s.accountChange(ctx, a, id, "user.disable", func(tx pgx.Tx) error {
		if id == a.UserID {
			return apperr.New(apperr.Conflict, "you cannot disable your own account")
		}
		isAdmin, others, err := otherAdmins(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		if isAdmin && others == 0 {
			return apperr.New(apperr.Conflict, "the organisation's last enabled administrator cannot be disabled")
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1`, id); err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		_, err = endSessions(ctx, tx, id)
		return err
	})
}

// Enable enables a disabled account.
func (s *Service) Enable(ctx context.Context, a actor.Actor, id uuid.UUID) (User, error) {
	return s.accountChange(ctx, a, id, "user.enable", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET disabled_at = NULL WHERE id = $1`, id); err != nil {
			return fmt.Errorf("enable user: %w", err)
		}
		return nil
	})
}

// ResetPassword sets a temporary password that must be changed at next
// sign-in, and ends the user's sessions.
func (s *Service) ResetPassword(ctx context.Context, a actor.Actor, id uuid.UUID, temporaryPassword string) (User, error) {
	// Length and common passwords first; closeness to the e-mail once it is read.
	var v apperr.Validation
	s.checkPassword(&v, "temporaryPassword", temporaryPassword, "")
	if err := v.Err(); err != nil {
		return User{}, err
	}
	return s.accountChange(ctx, a, id, "user.password.reset", func(tx pgx.Tx) error {
		var email string
		if err := tx.QueryRow(ctx, `SELECT email FROM users WHERE id = $1`, id).Scan(&email); err != nil {
			return fmt.Errorf("read user: %w", err)
		}
		if err := s.policy.Check("temporaryPassword", temporaryPassword, email); err != nil {
			return err
		}
		hash, err := auth.HashPassword(temporaryPassword)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, must_change_password = true WHERE id = $1`,
			id, hash); err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		_, err = endSessions(ctx, tx, id)
		return err
	})
}

// ResetSecondFactor removes the user's TOTP secret and recovery codes, so
// that they enrol a new second factor at next sign-in, and ends their
// sessions.
func (s *Service) ResetSecondFactor(ctx context.Context, a actor.Actor, id uuid.UUID) (User, error) {
	return s.accountChange(ctx, a, id, "user.totp.reset", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret_sealed = NULL, totp_secret_key = NULL, totp_last_step = 0
			WHERE id = $1`, id); err != nil {
			return fmt.Errorf("reset second factor: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("delete recovery codes: %w", err)
		}
		_, err := endSessions(ctx, tx, id)
		return err
	})
}

// EndSessions ends every session of a user and returns how many there were.
func (s *Service) EndSessions(ctx context.Context, a actor.Actor, id uuid.UUID) (int, error) {
	var n int
	_, err := s.accountChange(ctx, a, id, "user.sessions.end", func(tx pgx.Tx) error {
		var err error
		n, err = endSessions(ctx, tx, id)
		return err
	})
	return n, err
}

// ownDossier authorizes p on a dossier of the actor's own organisation: a
// dossier merely shared with it is seen but not managed (FORBIDDEN).
func (s *Service) ownDossier(ctx context.Context, tx pgx.Tx, a actor.Actor, p authz.Permission, id uuid.UUID) (authz.DossierAccess, error) {
	acc, err := s.az.Dossier(ctx, tx, a, p, id, "dossier", id)
	if err != nil {
		return authz.DossierAccess{}, err
	}
	if acc.OrgID != a.OrgID {
		return authz.DossierAccess{}, &authz.Denial{Permission: p, ResourceType: "dossier", ResourceID: id, DossierID: id, Visible: true}
	}
	return acc, nil
}

func dossierEvent(action string, p authz.Permission, dossierID, other uuid.UUID) audit.Event {
	return audit.Event{Action: action, ResourceType: "dossier", ResourceIDs: []uuid.UUID{dossierID, other},
		DossierID: dossierID, Permission: string(p)}
}

// Assign assigns a member of the dossier's organisation holding legal_staff
// or partner_lawyer to the dossier; assigning them again changes nothing.
// Nobody assigns themselves (FORBIDDEN, audited).
func (s *Service) Assign(ctx context.Context, a actor.Actor, dossierID, userID uuid.UUID) (dossier.Dossier, error) {
	var d dossier.Dossier
	err := s.inTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.ownDossier(ctx, tx, a, authz.DossierAssign, dossierID)
		if err != nil {
			return err
		}
		if userID == a.UserID {
			return refuse(authz.DossierAssign, "user", userID, dossierID, "userId", msgOwnAssignment)
		}
		// Share-locked, so that a concurrent change of roles waits for the
		// assignment and then drops it if the role is gone.
		if err := member(ctx, tx, authz.DossierAssign, acc.OrgID, userID, "FOR SHARE"); err != nil {
			return err
		}
		var eligible bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships
			WHERE user_id = $1 AND organisation_id = $2 AND role = ANY($3))`, userID, acc.OrgID, assignable).
			Scan(&eligible); err != nil {
			return fmt.Errorf("read roles: %w", err)
		}
		if !eligible {
			return apperr.InvalidField("userId", "only legal staff and partner lawyers are assigned to dossiers")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO dossier_assignments (dossier_id, user_id) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, dossierID, userID); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		if d, err = dossier.LoadInTx(ctx, tx, dossierID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, dossierEvent("dossier.assign", authz.DossierAssign, dossierID, userID))
	})
	return d, err
}

// Unassign removes a member from a dossier; removing someone who is not
// assigned changes nothing. An administrator may remove themselves: it
// only takes access away.
func (s *Service) Unassign(ctx context.Context, a actor.Actor, dossierID, userID uuid.UUID) (dossier.Dossier, error) {
	var d dossier.Dossier
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.ownDossier(ctx, tx, a, authz.DossierAssign, dossierID)
		if err != nil {
			return err
		}
		var isMember, assigned bool
		err = tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.organisation_id = $2),
			EXISTS (SELECT 1 FROM dossier_assignments x WHERE x.user_id = u.id AND x.dossier_id = $3)
			FROM users u WHERE u.id = $1`, userID, acc.OrgID, dossierID).Scan(&isMember, &assigned)
		if errors.Is(err, pgx.ErrNoRows) { // refused and audited like a user the dossier does not concern
			return &authz.Denial{Permission: authz.DossierAssign, ResourceType: "user", ResourceID: userID, DossierID: dossierID}
		}
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		if !isMember && !assigned {
			return &authz.Denial{Permission: authz.DossierAssign, ResourceType: "user", ResourceID: userID, DossierID: dossierID}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM dossier_assignments WHERE dossier_id = $1 AND user_id = $2`,
			dossierID, userID); err != nil {
			return fmt.Errorf("unassign: %w", err)
		}
		if d, err = dossier.LoadInTx(ctx, tx, dossierID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, dossierEvent("dossier.unassign", authz.DossierAssign, dossierID, userID))
	})
	return d, err
}

// shareTarget checks the organisation a dossier is (un)shared with.
func shareTarget(ctx context.Context, tx pgx.Tx, acc authz.DossierAccess, orgID uuid.UUID) error {
	if orgID == acc.OrgID {
		return apperr.InvalidField("organisationId", "is the dossier's own organisation")
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1)`, orgID).Scan(&exists); err != nil {
		return fmt.Errorf("find organisation: %w", err)
	}
	if !exists {
		return apperr.NotFoundError()
	}
	return nil
}

// Share shares a dossier with a co-civil-party organisation; sharing it
// again changes nothing. Nobody shares with an organisation they belong to
// (FORBIDDEN, audited).
func (s *Service) Share(ctx context.Context, a actor.Actor, dossierID, orgID uuid.UUID) (dossier.Dossier, error) {
	var d dossier.Dossier
	err := s.inTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.ownDossier(ctx, tx, a, authz.DossierShare, dossierID)
		if err != nil {
			return err
		}
		if err := shareTarget(ctx, tx, acc, orgID); err != nil {
			return err
		}
		// Sharing with an organisation one belongs to would let the
		// administrator read the dossier there (case content, evidence).
		var belongs bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1 AND organisation_id = $2)`,
			a.UserID, orgID).Scan(&belongs); err != nil {
			return fmt.Errorf("read memberships: %w", err)
		}
		if belongs {
			return refuse(authz.DossierShare, "organisation", orgID, dossierID, "organisationId", msgOwnShare)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO dossier_shares (dossier_id, organisation_id) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, dossierID, orgID); err != nil {
			return fmt.Errorf("share: %w", err)
		}
		if d, err = dossier.LoadInTx(ctx, tx, dossierID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, dossierEvent("dossier.share", authz.DossierShare, dossierID, orgID))
	})
	return d, err
}

// Unshare stops sharing a dossier with an organisation; its members lose
// access on their next request.
func (s *Service) Unshare(ctx context.Context, a actor.Actor, dossierID, orgID uuid.UUID) (dossier.Dossier, error) {
	var d dossier.Dossier
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.ownDossier(ctx, tx, a, authz.DossierShare, dossierID)
		if err != nil {
			return err
		}
		if err := shareTarget(ctx, tx, acc, orgID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM dossier_shares WHERE dossier_id = $1 AND organisation_id = $2`,
			dossierID, orgID); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		if d, err = dossier.LoadInTx(ctx, tx, dossierID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, dossierEvent("dossier.unshare", authz.DossierShare, dossierID, orgID))
	})
	return d, err
}

// Assignees lists the members assigned to a dossier, for administrators
// and the dossier's staff. Members of the organisation a dossier is shared
// with see none: the owner's staff is not theirs to know.
func (s *Service) Assignees(ctx context.Context, a actor.Actor, dossierID uuid.UUID) ([]Assignee, error) {
	out := []Assignee{}
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Dossier(ctx, tx, a, authz.DossierRead, dossierID, "dossier", dossierID)
		if err != nil {
			return err
		}
		if !s.az.Can(a, authz.DossierAssign) && !s.az.Can(a, authz.CaseRead) {
			return &authz.Denial{Permission: authz.CaseRead, ResourceType: "user", DossierID: dossierID, Visible: true}
		}
		var ids []uuid.UUID
		if acc.OrgID == a.OrgID {
			rows, err := tx.Query(ctx, `SELECT u.id, u.display_name,
					array(SELECT m.role FROM memberships m WHERE m.user_id = u.id AND m.organisation_id = $2 ORDER BY m.role),
					x.created_at
				FROM dossier_assignments x JOIN users u ON u.id = x.user_id
				WHERE x.dossier_id = $1 ORDER BY x.created_at, u.id`, dossierID, acc.OrgID)
			if err != nil {
				return fmt.Errorf("read assignees: %w", err)
			}
			out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Assignee, error) {
				var as Assignee
				var roles []string
				err := r.Scan(&as.UserID, &as.DisplayName, &roles, &as.AssignedAt)
				as.Roles = toRoles(roles)
				return as, err
			})
			if err != nil {
				return fmt.Errorf("read assignees: %w", err)
			}
			for _, as := range out {
				ids = append(ids, as.UserID)
			}
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "user.list", ResourceType: "user", ResourceIDs: ids,
			DossierID: dossierID, Permission: string(authz.DossierRead)})
	})
	return out, err
}
