package organisation

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/holiday"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// Service reads and changes organisations. Writes are audited; reads are
// not, since an organisation's details are not case data.
type Service struct {
	az  *authz.Authorizer
	now func() time.Time
}

// NewService returns an organisation service.
func NewService(az *authz.Authorizer) *Service { return &Service{az: az, now: time.Now} }

// Input is an organisation's details. On update, nil fields stay as they
// are; an empty StandingArticles list clears them.
type Input struct {
	Name             string
	DeclaredOn       *time.Time
	StatutoryObject  *string
	PublicUtility    *bool
	JusticeApproved  *bool
	StandingArticles []string
}

var constraints = postgres.Constraint{
	"organisations_name_key": apperr.InvalidField("name", "another organisation already has this name"),
}

const columns = `o.id, o.name, o.declared_on, o.statutory_object, o.public_utility, o.justice_approved,
	o.standing_articles, o.created_at`

func scan(row pgx.Row) (Organisation, error) {
	var o Organisation
	err := row.Scan(&o.ID, &o.Name, &o.DeclaredOn, &o.StatutoryObject, &o.PublicUtility, &o.JusticeApproved,
		&o.StandingArticles, &o.CreatedAt)
	return o, err
}

func today(now time.Time) time.Time {
	y, m, d := now.In(holiday.Paris()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// validate checks in and returns the cleaned name, statutory object and
// standing articles (nil when not given).
func (s *Service) validate(in Input) (name string, object *string, articles []string, err error) {
	var v apperr.Validation
	name = valid.Text(&v, "name", in.Name, 1, 200)
	object = valid.OptText(&v, "statutoryObject", in.StatutoryObject, 4000)
	if in.DeclaredOn != nil && in.DeclaredOn.After(today(s.now())) {
		v.Add("declaredOn", "must not be in the future")
	}
	if in.StandingArticles != nil && valid.List(&v, "standingArticles", in.StandingArticles, 10) {
		articles = make([]string, 0, len(in.StandingArticles))
		seen := map[string]bool{}
		for _, sa := range in.StandingArticles {
			if !knownArticle(sa) {
				v.Add("standingArticles", "%q is not a standing article: use \"CPP 2-3\" or \"CPP 2-22\"", truncate(sa))
				continue
			}
			if !seen[sa] {
				seen[sa] = true
				articles = append(articles, sa)
			}
		}
	}
	return name, object, articles, v.Err()
}

func knownArticle(s string) bool {
	for _, a := range StandingArticles {
		if a == s {
			return true
		}
	}
	return false
}

func truncate(s string) string {
	if r := []rune(s); len(r) > 12 {
		return string(r[:12]) + "…"
	}
	return s
}

// Create adds an organisation (instance operator only).
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Organisation, error) {
	name, object, articles, err := s.validate(in)
	if err != nil {
		return Organisation{}, err
	}
	if articles == nil {
		articles = []string{}
	}
	var o Organisation
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.az.Require(a, authz.OrganisationCreate, "organisation"); err != nil {
			return err
		}
		var err error
		o, err = scan(tx.QueryRow(ctx, `
			INSERT INTO organisations AS o (name, declared_on, statutory_object, public_utility, justice_approved,
				standing_articles)
			VALUES ($1, $2, $3, coalesce($4, false), coalesce($5, false), $6)
			RETURNING `+columns,
			name, in.DeclaredOn, deref(object), in.PublicUtility, in.JusticeApproved, articles))
		if err != nil {
			return postgres.MapError(err, constraints)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "organisation.create", ResourceType: "organisation",
			ResourceIDs: []uuid.UUID{o.ID}, Permission: string(authz.OrganisationCreate)})
	})
	return o, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Update changes the actor's own organisation. Any other organisation is
// NOT_FOUND, whether or not it exists.
func (s *Service) Update(ctx context.Context, a actor.Actor, id uuid.UUID, in Input) (Organisation, error) {
	name, object, articles, err := s.validate(in)
	if err != nil {
		return Organisation{}, err
	}
	var o Organisation
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if !a.Authenticated() {
			return apperr.New(apperr.Unauthenticated, "sign in required")
		}
		if id != a.OrgID {
			return &authz.Denial{Permission: authz.OrganisationUpdate, ResourceType: "organisation", ResourceID: id}
		}
		if err := s.az.Require(a, authz.OrganisationUpdate, "organisation"); err != nil {
			return err
		}
		var err error
		o, err = scan(tx.QueryRow(ctx, `
			UPDATE organisations AS o SET name = $2, declared_on = coalesce($3, declared_on),
				statutory_object = coalesce($4, statutory_object), public_utility = coalesce($5, public_utility),
				justice_approved = coalesce($6, justice_approved), standing_articles = coalesce($7, standing_articles)
			WHERE id = $1 RETURNING `+columns,
			id, name, in.DeclaredOn, object, in.PublicUtility, in.JusticeApproved, articles))
		if err != nil {
			return postgres.MapError(err, constraints)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "organisation.update", ResourceType: "organisation",
			ResourceIDs: []uuid.UUID{id}, Permission: string(authz.OrganisationUpdate)})
	})
	return o, err
}

// visible is the condition on "organisations o" that the actor may read:
// their own organisation, those that a dossier visible to them belongs to
// or is shared with (so Dossier.organisation and sharedWith resolve), or
// every one for the instance operator.
const visible = `(@all OR o.id = @own OR (@via_dossiers AND EXISTS (
	SELECT 1 FROM dossiers d
	WHERE (d.organisation_id = o.id OR EXISTS (SELECT 1 FROM dossier_shares os WHERE os.dossier_id = d.id AND os.organisation_id = o.id))
	  AND ` + authz.ScopeClause + `)))`

// visibility checks that the actor may read organisations at all and
// returns the named arguments of visible.
func (s *Service) visibility(a actor.Actor) (pgx.NamedArgs, error) {
	if err := s.az.Require(a, authz.OrganisationRead, "organisation"); err != nil {
		return nil, err
	}
	args := pgx.NamedArgs{"all": a.Superadmin, "own": a.OrgID, "via_dossiers": false}
	// Roles without dossier:read (e.g. the DPO) see their own organisation only.
	if a.OrgID != uuid.Nil && s.az.Can(a, authz.DossierRead) {
		scope, err := s.az.DossierScope(a, authz.DossierRead, "organisation")
		if err != nil {
			return nil, err
		}
		args["via_dossiers"] = true
		return scope.Args(args), nil
	}
	return authz.Scope{}.Args(args), nil
}

// Get reads one organisation the actor may see.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Organisation, error) {
	m, err := s.ByIDs(ctx, a, []uuid.UUID{id})
	if err != nil {
		return Organisation{}, err
	}
	o, ok := m[id]
	if !ok {
		return Organisation{}, apperr.NotFoundError()
	}
	return o, nil
}

// ByIDs reads the organisations among ids that the actor may see, in one
// query (dataloader). Missing or hidden ones are absent.
func (s *Service) ByIDs(ctx context.Context, a actor.Actor, ids []uuid.UUID) (map[uuid.UUID]Organisation, error) {
	out := make(map[uuid.UUID]Organisation, len(ids))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		args, err := s.visibility(a)
		if err != nil {
			return err
		}
		args["ids"] = ids
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM organisations o WHERE o.id = ANY(@ids) AND `+visible, args)
		if err != nil {
			return fmt.Errorf("read organisations: %w", err)
		}
		orgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Organisation, error) { return scan(r) })
		if err != nil {
			return fmt.Errorf("read organisations: %w", err)
		}
		for _, o := range orgs {
			out[o.ID] = o
		}
		return nil
	})
	return out, err
}

// List returns the actor's own organisation, or every organisation for the
// instance operator, by name.
func (s *Service) List(ctx context.Context, a actor.Actor) ([]Organisation, error) {
	var out []Organisation
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.az.Require(a, authz.OrganisationRead, "organisation"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM organisations o WHERE $1 OR o.id = $2
			ORDER BY lower(o.name), o.id`, a.Superadmin, a.OrgID)
		if err != nil {
			return fmt.Errorf("list organisations: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Organisation, error) { return scan(r) })
		if err != nil {
			return fmt.Errorf("list organisations: %w", err)
		}
		return nil
	})
	return out, err
}
