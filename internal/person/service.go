package person

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// Service reads and changes victims, defendants, their identities and the
// victims' consents. Every method authorizes, runs in one transaction and
// writes its audit event in it.
type Service struct {
	az    *authz.Authorizer
	kr    *crypto.KeyRing
	now   func() time.Time
	paris *time.Location
}

// NewService returns a person service.
func NewService(az *authz.Authorizer, kr *crypto.KeyRing) *Service {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.UTC // no tz database: the day boundary moves by an hour or two
	}
	return &Service{az: az, kr: kr, now: time.Now, paris: paris}
}

// today is the current calendar date in France, as a Date (UTC midnight).
func (s *Service) today() time.Time {
	y, m, d := s.now().In(s.paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AddVictimInput is a new victim.
type AddVictimInput struct {
	DossierID  uuid.UUID
	Pseudonym  string
	AgeAtFacts *int
	Country    *string
}

// UpdateVictimInput changes a victim; nil fields stay as they are.
type UpdateVictimInput struct {
	Pseudonym  *string
	AgeAtFacts *int
	Country    *string
}

// AddDefendantInput is a new defendant.
type AddDefendantInput struct {
	DossierID uuid.UUID
	Pseudonym string
	Role      DefendantRole
	Country   *string
}

// UpdateDefendantInput changes a defendant; nil fields stay as they are.
type UpdateDefendantInput struct {
	Pseudonym *string
	Role      *DefendantRole
	Country   *string
}

var victimConstraints = postgres.Constraint{
	"victims_pseudonym_key": apperr.InvalidField("pseudonym", "another victim of this dossier already has this pseudonym"),
}

var defendantConstraints = postgres.Constraint{
	"defendants_pseudonym_key": apperr.InvalidField("pseudonym", "another defendant of this dossier already has this pseudonym"),
}

const victimColumns = `v.id, v.dossier_id, v.pseudonym, v.age_at_facts, v.country,
	v.identity_wrapped_key IS NOT NULL, v.identity_updated_at, v.created_at`

const defendantColumns = `v.id, v.dossier_id, v.pseudonym, v.role, v.country,
	v.identity_wrapped_key IS NOT NULL, v.identity_updated_at, v.created_at`

func scanVictim(row pgx.Row) (Victim, error) {
	var v Victim
	err := row.Scan(&v.ID, &v.DossierID, &v.Pseudonym, &v.AgeAtFacts, &v.Country, &v.HasIdentity,
		&v.IdentityUpdatedAt, &v.CreatedAt)
	return v, err
}

func scanDefendant(row pgx.Row) (Defendant, error) {
	var d Defendant
	err := row.Scan(&d.ID, &d.DossierID, &d.Pseudonym, &d.Role, &d.Country, &d.HasIdentity,
		&d.IdentityUpdatedAt, &d.CreatedAt)
	return d, err
}

func pseudonym(v *apperr.Validation, p string) string {
	return valid.Label(v, "pseudonym", p, 1, 80)
}

func country(v *apperr.Validation, c *string) *string {
	if c == nil {
		return nil
	}
	up := strings.ToUpper(strings.TrimSpace(*c))
	if up != "" && !valid.Country(up) { // "" is none: on an update, it clears the country
		v.Add("country", "must be an ISO 3166-1 alpha-2 country code, such as FR")
	}
	return &up
}

func ageAtFacts(v *apperr.Validation, age *int) {
	if age != nil && (*age < 0 || *age > 17) {
		v.Add("ageAtFacts", "must be between 0 and 17: victims are minors")
	}
}

func opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// personTable names the table of a kind of person; kind is never user input.
func personTable(kind string) string {
	if kind == kindDefendant {
		return "defendants"
	}
	return "victims"
}

const (
	kindVictim    = "victim"
	kindDefendant = "defendant"
)

// authorizeAdd checks a write on the dossier a new person joins, which
// must be open.
func (s *Service) authorizeAdd(ctx context.Context, tx pgx.Tx, a actor.Actor, dossierID uuid.UUID) error {
	acc, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, dossierID, "dossier", dossierID)
	if err != nil {
		return err
	}
	if acc.Closed {
		return apperr.InvalidField("dossierId", "the dossier is closed")
	}
	return nil
}

// AddVictim adds a victim, by pseudonym, to an open dossier.
func (s *Service) AddVictim(ctx context.Context, a actor.Actor, in AddVictimInput) (Victim, error) {
	var v apperr.Validation
	p := pseudonym(&v, in.Pseudonym)
	ageAtFacts(&v, in.AgeAtFacts)
	c := country(&v, in.Country)
	if err := v.Err(); err != nil {
		return Victim{}, err
	}
	var out Victim
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.authorizeAdd(ctx, tx, a, in.DossierID); err != nil {
			return err
		}
		var err error
		out, err = scanVictim(tx.QueryRow(ctx, `
			INSERT INTO victims AS v (dossier_id, pseudonym, age_at_facts, country)
			VALUES ($1, $2, $3, $4) RETURNING `+victimColumns,
			in.DossierID, p, in.AgeAtFacts, opt(c)))
		if err != nil {
			return postgres.MapError(err, victimConstraints)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "victim.create", ResourceType: kindVictim,
			ResourceIDs: []uuid.UUID{out.ID}, DossierID: in.DossierID, Permission: string(authz.CaseWrite)})
	})
	return out, err
}

// UpdateVictim changes the pseudonymised details given.
func (s *Service) UpdateVictim(ctx context.Context, a actor.Actor, id uuid.UUID, in UpdateVictimInput) (Victim, error) {
	var v apperr.Validation
	var p *string
	if in.Pseudonym != nil {
		x := pseudonym(&v, *in.Pseudonym)
		p = &x
	}
	ageAtFacts(&v, in.AgeAtFacts)
	c := country(&v, in.Country)
	if err := v.Err(); err != nil {
		return Victim{}, err
	}
	var out Victim
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		did, err := authz.RowDossier(ctx, tx, personTable(kindVictim), kindVictim, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, did, kindVictim, id); err != nil {
			return err
		}
		out, err = scanVictim(tx.QueryRow(ctx, `
			UPDATE victims AS v SET pseudonym = coalesce($2, pseudonym),
				age_at_facts = coalesce($3, age_at_facts), country = coalesce($4, country)
			WHERE id = $1 RETURNING `+victimColumns, id, p, in.AgeAtFacts, c))
		if err != nil {
			return postgres.MapError(err, victimConstraints)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "victim.update", ResourceType: kindVictim,
			ResourceIDs: []uuid.UUID{id}, DossierID: did, Permission: string(authz.CaseWrite)})
	})
	return out, err
}

// GetVictim reads one victim (pseudonymised).
func (s *Service) GetVictim(ctx context.Context, a actor.Actor, id uuid.UUID) (Victim, error) {
	var out Victim
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		did, err := authz.RowDossier(ctx, tx, personTable(kindVictim), kindVictim, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, did, kindVictim, id); err != nil {
			return err
		}
		out, err = scanVictim(tx.QueryRow(ctx, `SELECT `+victimColumns+` FROM victims v WHERE v.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read victim: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "victim.read", ResourceType: kindVictim,
			ResourceIDs: []uuid.UUID{id}, DossierID: did, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// VictimsByDossiers reads the victims of several dossiers (dataloader),
// ordered by pseudonym. Dossiers the actor may not read give no victims.
func (s *Service) VictimsByDossiers(ctx context.Context, a actor.Actor, dossierIDs []uuid.UUID) (map[uuid.UUID][]Victim, error) {
	out := make(map[uuid.UUID][]Victim, len(dossierIDs))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.CaseRead, kindVictim)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+victimColumns+` FROM victims v JOIN dossiers d ON d.id = v.dossier_id
			WHERE v.dossier_id = ANY(@ids) AND `+authz.ScopeClause+` ORDER BY lower(v.pseudonym), v.id`,
			scope.Args(pgx.NamedArgs{"ids": dossierIDs}))
		if err != nil {
			return fmt.Errorf("read victims: %w", err)
		}
		vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Victim, error) { return scanVictim(r) })
		if err != nil {
			return fmt.Errorf("read victims: %w", err)
		}
		ids := make([]uuid.UUID, len(vs))
		for i, v := range vs {
			out[v.DossierID] = append(out[v.DossierID], v)
			ids[i] = v.ID
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "victim.list", ResourceType: kindVictim,
			ResourceIDs: ids, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// AddDefendant adds a defendant, by pseudonym, to an open dossier.
func (s *Service) AddDefendant(ctx context.Context, a actor.Actor, in AddDefendantInput) (Defendant, error) {
	var v apperr.Validation
	p := pseudonym(&v, in.Pseudonym)
	v.Check(in.Role.valid(), "role", "unknown role")
	c := country(&v, in.Country)
	if err := v.Err(); err != nil {
		return Defendant{}, err
	}
	var out Defendant
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.authorizeAdd(ctx, tx, a, in.DossierID); err != nil {
			return err
		}
		var err error
		out, err = scanDefendant(tx.QueryRow(ctx, `
			INSERT INTO defendants AS v (dossier_id, pseudonym, role, country)
			VALUES ($1, $2, $3, $4) RETURNING `+defendantColumns,
			in.DossierID, p, string(in.Role), opt(c)))
		if err != nil {
			return postgres.MapError(err, defendantConstraints)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "defendant.create", ResourceType: kindDefendant,
			ResourceIDs: []uuid.UUID{out.ID}, DossierID: in.DossierID, Permission: string(authz.CaseWrite)})
	})
	return out, err
}

// UpdateDefendant changes the pseudonymised details given.
func (s *Service) UpdateDefendant(ctx context.Context, a actor.Actor, id uuid.UUID, in UpdateDefendantInput) (Defendant, error) {
	var v apperr.Validation
	var p, role *string
	if in.Pseudonym != nil {
		x := pseudonym(&v, *in.Pseudonym)
		p = &x
	}
	if in.Role != nil {
		v.Check(in.Role.valid(), "role", "unknown role")
		r := string(*in.Role)
		role = &r
	}
	c := country(&v, in.Country)
	if err := v.Err(); err != nil {
		return Defendant{}, err
	}
	var out Defendant
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		did, err := authz.RowDossier(ctx, tx, personTable(kindDefendant), kindDefendant, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, did, kindDefendant, id); err != nil {
			return err
		}
		out, err = scanDefendant(tx.QueryRow(ctx, `
			UPDATE defendants AS v SET pseudonym = coalesce($2, pseudonym),
				role = coalesce($3, role), country = coalesce($4, country)
			WHERE id = $1 RETURNING `+defendantColumns, id, p, role, c))
		if err != nil {
			return postgres.MapError(err, defendantConstraints)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "defendant.update", ResourceType: kindDefendant,
			ResourceIDs: []uuid.UUID{id}, DossierID: did, Permission: string(authz.CaseWrite)})
	})
	return out, err
}

// GetDefendant reads one defendant (pseudonymised).
func (s *Service) GetDefendant(ctx context.Context, a actor.Actor, id uuid.UUID) (Defendant, error) {
	var out Defendant
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		did, err := authz.RowDossier(ctx, tx, personTable(kindDefendant), kindDefendant, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, did, kindDefendant, id); err != nil {
			return err
		}
		out, err = scanDefendant(tx.QueryRow(ctx, `SELECT `+defendantColumns+` FROM defendants v WHERE v.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read defendant: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "defendant.read", ResourceType: kindDefendant,
			ResourceIDs: []uuid.UUID{id}, DossierID: did, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// DefendantsByDossiers reads the defendants of several dossiers
// (dataloader), ordered by pseudonym. Dossiers the actor may not read give
// no defendants.
func (s *Service) DefendantsByDossiers(ctx context.Context, a actor.Actor, dossierIDs []uuid.UUID) (map[uuid.UUID][]Defendant, error) {
	out := make(map[uuid.UUID][]Defendant, len(dossierIDs))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.CaseRead, kindDefendant)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+defendantColumns+` FROM defendants v JOIN dossiers d ON d.id = v.dossier_id
			WHERE v.dossier_id = ANY(@ids) AND `+authz.ScopeClause+` ORDER BY lower(v.pseudonym), v.id`,
			scope.Args(pgx.NamedArgs{"ids": dossierIDs}))
		if err != nil {
			return fmt.Errorf("read defendants: %w", err)
		}
		ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Defendant, error) { return scanDefendant(r) })
		if err != nil {
			return fmt.Errorf("read defendants: %w", err)
		}
		ids := make([]uuid.UUID, len(ds))
		for i, d := range ds {
			out[d.DossierID] = append(out[d.DossierID], d)
			ids[i] = d.ID
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "defendant.list", ResourceType: kindDefendant,
			ResourceIDs: ids, Permission: string(authz.CaseRead)})
	})
	return out, err
}
