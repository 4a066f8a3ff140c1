package charge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// Service reads and changes charges. Every method authorizes, runs in one
// transaction and writes its audit event in it. Charges are never
// UPDATEd: a requalification inserts a new row naming the one it replaces.
type Service struct {
	az *authz.Authorizer
}

// NewService returns a charge service.
func NewService(az *authz.Authorizer) *Service { return &Service{az: az} }

// AddInput is a new charge.
type AddInput struct {
	DossierID                uuid.UUID
	DefendantID              *uuid.UUID
	Article                  string
	ArticleVersionDate       *time.Time
	Wording                  *string
	AggravatingCircumstances []string
	Participation            Participation
	RetainedBy               Authority
	RetainedOn               time.Time
}

// RequalifyInput is the new qualification that replaces a charge. The
// dossier and the defendant are those of the replaced charge.
type RequalifyInput struct {
	Article                  string
	ArticleVersionDate       *time.Time
	Wording                  *string
	AggravatingCircumstances []string
	Participation            Participation
	RetainedBy               Authority
	RetainedOn               time.Time
	Reason                   string
}

const resourceType = "charge"

var errAlreadyRequalified = apperr.New(apperr.Conflict, "this charge was already requalified")

var constraints = postgres.Constraint{
	// The race between two requalifications of the same charge.
	"charges_replaces_charge_id_key": errAlreadyRequalified,
	"charges_article_fkey":           apperr.InvalidField("article", "unknown Code pénal article"),
	"charges_defendant_id_fkey":      apperr.InvalidField("defendantId", "no such defendant in this dossier"),
}

// from names the charge (c), its article (pa) and the charge that replaced
// it, if any (r: replaces_charge_id is UNIQUE, so at most one row).
const (
	columns = `c.id, c.dossier_id, c.defendant_id, c.article, pa.heading, c.article_version_date, c.wording,
	c.aggravating_circumstances, c.participation, c.retained_by, c.retained_on, c.replaces_charge_id, r.id,
	c.requalification_reason, c.created_at`
	from = ` FROM charges c JOIN penal_articles pa ON pa.article = c.article
	LEFT JOIN charges r ON r.replaces_charge_id = c.id`
)

func scan(row pgx.Row) (Charge, error) {
	var c Charge
	err := row.Scan(&c.ID, &c.DossierID, &c.DefendantID, &c.Article, &c.ArticleHeading, &c.ArticleVersionDate,
		&c.Wording, &c.AggravatingCircumstances, &c.Participation, &c.RetainedBy, &c.RetainedOn,
		&c.ReplacesChargeID, &c.ReplacedByChargeID, &c.RequalificationReason, &c.CreatedAt)
	if c.AggravatingCircumstances == nil {
		c.AggravatingCircumstances = []string{}
	}
	return c, err
}

func collect(rows pgx.Rows) ([]Charge, error) {
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Charge, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("read charges: %w", err)
	}
	if cs == nil {
		cs = []Charge{}
	}
	return cs, nil
}

func ids(cs []Charge) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// day drops the time of day: a Date is a calendar day at UTC midnight.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func optDay(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := day(*t)
	return &d
}

// qualification holds the checked fields common to a new charge and a
// requalification.
type qualification struct {
	article       string
	versionDate   *time.Time
	wording       string
	aggravating   []string
	participation Participation
	retainedBy    Authority
	retainedOn    time.Time
}

func checkQualification(v *apperr.Validation, article string, versionDate *time.Time, wording *string,
	aggravating []string, p Participation, by Authority, on time.Time) qualification {
	q := qualification{
		article:       valid.Text(v, "article", article, 1, 32),
		versionDate:   optDay(versionDate),
		aggravating:   valid.Labels(v, "aggravatingCircumstances", aggravating, 300, 30),
		participation: p,
		retainedBy:    by,
		retainedOn:    day(on),
	}
	if w := valid.OptText(v, "wording", wording, 4000); w != nil {
		q.wording = *w
	}
	v.Check(p.valid(), "participation", "unknown mode of participation")
	v.Check(by.valid(), "retainedBy", "unknown authority")
	v.Check(!on.IsZero(), "retainedOn", "is required")
	return q
}

// checkArticle refuses an article Égide does not know, with a message
// that names it (the foreign key would only say "does not exist").
func checkArticle(ctx context.Context, tx pgx.Tx, article string) error {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM penal_articles WHERE article = $1)`, article).Scan(&ok); err != nil {
		return fmt.Errorf("check article: %w", err)
	}
	if !ok {
		return apperr.InvalidField("article", "unknown Code pénal article %q; see penalArticles for the known ones", article)
	}
	return nil
}

// PenalArticles lists the Code pénal articles a charge may cite.
func (s *Service) PenalArticles(ctx context.Context, a actor.Actor) ([]Article, error) {
	var out []Article
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.az.Require(a, authz.CaseRead, "penal_article"); err != nil {
			return err
		}
		// Ordered by the numbers of the article, not as text: 222-29-1 before 222-30.
		rows, err := tx.Query(ctx, `SELECT article, heading FROM penal_articles
			ORDER BY string_to_array(article, '-')::int[], article`)
		if err != nil {
			return fmt.Errorf("read penal articles: %w", err)
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Article])
		if err != nil {
			return fmt.Errorf("read penal articles: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "penal_article.list", ResourceType: "penal_article",
			Permission: string(authz.CaseRead)})
	})
	return out, err
}

// Get reads one charge.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Charge, error) {
	var c Charge
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "charges", resourceType, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, resourceType, id); err != nil {
			return err
		}
		c, err = scan(tx.QueryRow(ctx, `SELECT `+columns+from+` WHERE c.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read charge: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "charge.read", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{id}, DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return c, err
}

// Replaces reads the charge that charge id replaced; nil when id is an
// original qualification.
func (s *Service) Replaces(ctx context.Context, a actor.Actor, id uuid.UUID) (*Charge, error) {
	return s.neighbour(ctx, a, id, `c.id = (SELECT x.replaces_charge_id FROM charges x WHERE x.id = $1)`)
}

// ReplacedBy reads the charge that replaced charge id; nil when id is current.
func (s *Service) ReplacedBy(ctx context.Context, a actor.Actor, id uuid.UUID) (*Charge, error) {
	return s.neighbour(ctx, a, id, `c.replaces_charge_id = $1`)
}

func (s *Service) neighbour(ctx context.Context, a actor.Actor, id uuid.UUID, cond string) (*Charge, error) {
	var out *Charge
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "charges", resourceType, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, resourceType, id); err != nil {
			return err
		}
		c, err := scan(tx.QueryRow(ctx, `SELECT `+columns+from+` WHERE `+cond, id))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return nil // nothing read, nothing to audit
		case err != nil:
			return fmt.Errorf("read charge: %w", err)
		}
		out = &c
		return audit.Record(ctx, tx, a, audit.Event{Action: "charge.read", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{c.ID}, DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// ByDossier lists the charges of a dossier by date retained: only the
// current ones unless includeReplaced.
func (s *Service) ByDossier(ctx context.Context, a actor.Actor, dossierID uuid.UUID, includeReplaced bool) ([]Charge, error) {
	var out []Charge
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, "dossier", dossierID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+from+`
			WHERE c.dossier_id = $1 AND ($2 OR r.id IS NULL)
			ORDER BY c.retained_on, c.created_at, c.id`, dossierID, includeReplaced)
		if err != nil {
			return fmt.Errorf("list charges: %w", err)
		}
		if out, err = collect(rows); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "charge.list", ResourceType: resourceType,
			ResourceIDs: ids(out), DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// ByDefendant lists the current charges (not replaced) of one defendant.
func (s *Service) ByDefendant(ctx context.Context, a actor.Actor, defendantID uuid.UUID) ([]Charge, error) {
	var out []Charge
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		var dossierID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT dossier_id FROM defendants WHERE id = $1`, defendantID).Scan(&dossierID)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("read defendant dossier: %w", err)
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, "defendant", defendantID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+from+`
			WHERE c.defendant_id = $1 AND c.dossier_id = $2 AND r.id IS NULL
			ORDER BY c.retained_on, c.created_at, c.id`, defendantID, dossierID)
		if err != nil {
			return fmt.Errorf("list charges: %w", err)
		}
		if out, err = collect(rows); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "charge.list", ResourceType: resourceType,
			ResourceIDs: ids(out), DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// History returns the whole requalification chain charge id belongs to,
// from the original qualification to the current one.
func (s *Service) History(ctx context.Context, a actor.Actor, id uuid.UUID) ([]Charge, error) {
	var out []Charge
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "charges", resourceType, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, resourceType, id); err != nil {
			return err
		}
		// The chain is linear (replaces_charge_id is UNIQUE and only ever
		// names an older row), so it is the ancestors of id, id itself and
		// its descendants; depth orders it. The depth bound is a safeguard.
		rows, err := tx.Query(ctx, `
			WITH RECURSIVE up (id, replaces, depth) AS (
				SELECT id, replaces_charge_id, 0 FROM charges WHERE id = $1
				UNION ALL
				SELECT x.id, x.replaces_charge_id, up.depth - 1 FROM charges x JOIN up ON x.id = up.replaces
				WHERE up.depth > -1000
			), down (id, depth) AS (
				SELECT id, 0 FROM charges WHERE id = $1
				UNION ALL
				SELECT x.id, down.depth + 1 FROM charges x JOIN down ON x.replaces_charge_id = down.id
				WHERE down.depth < 1000
			), chain AS (
				SELECT id, depth FROM up UNION SELECT id, depth FROM down
			)
			SELECT `+columns+from+` JOIN chain ON chain.id = c.id
			WHERE c.dossier_id = $2
			ORDER BY chain.depth`, id, dossierID)
		if err != nil {
			return fmt.Errorf("read charge history: %w", err)
		}
		if out, err = collect(rows); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "charge.history", ResourceType: resourceType,
			ResourceIDs: ids(out), DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// Add records a new charge in a dossier.
func (s *Service) Add(ctx context.Context, a actor.Actor, in AddInput) (Charge, error) {
	var v apperr.Validation
	q := checkQualification(&v, in.Article, in.ArticleVersionDate, in.Wording, in.AggravatingCircumstances,
		in.Participation, in.RetainedBy, in.RetainedOn)
	if err := v.Err(); err != nil {
		return Charge{}, err
	}
	var c Charge
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, in.DossierID, "dossier", in.DossierID)
		if err != nil {
			return err
		}
		if acc.Closed {
			return apperr.InvalidField("dossierId", "the dossier is closed")
		}
		if err := checkArticle(ctx, tx, q.article); err != nil {
			return err
		}
		if in.DefendantID != nil {
			var same bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM defendants WHERE id = $1 AND dossier_id = $2)`,
				*in.DefendantID, in.DossierID).Scan(&same)
			if err != nil {
				return fmt.Errorf("check defendant: %w", err)
			}
			if !same {
				return apperr.InvalidField("defendantId", "no such defendant in this dossier")
			}
		}
		c, err = s.insert(ctx, tx, in.DossierID, in.DefendantID, q, nil, "")
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "charge.create", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{c.ID}, DossierID: in.DossierID, Permission: string(authz.CaseWrite)})
	})
	return c, err
}

// Requalify replaces charge id by a new qualification. The replaced charge
// stays as it was; it is only named by the new one.
func (s *Service) Requalify(ctx context.Context, a actor.Actor, id uuid.UUID, in RequalifyInput) (Charge, error) {
	var v apperr.Validation
	q := checkQualification(&v, in.Article, in.ArticleVersionDate, in.Wording, in.AggravatingCircumstances,
		in.Participation, in.RetainedBy, in.RetainedOn)
	reason := valid.Text(&v, "reason", in.Reason, 1, 4000)
	if err := v.Err(); err != nil {
		return Charge{}, err
	}
	var c Charge
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "charges", resourceType, id)
		if err != nil {
			return err
		}
		acc, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, dossierID, resourceType, id)
		if err != nil {
			return err
		}
		if acc.Closed {
			return apperr.New(apperr.Conflict, "the dossier is closed")
		}
		old, err := scan(tx.QueryRow(ctx, `SELECT `+columns+from+` WHERE c.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read charge: %w", err)
		}
		if !old.Current() {
			return errAlreadyRequalified
		}
		if q.retainedOn.Before(old.RetainedOn) {
			return apperr.InvalidField("retainedOn", "must not be before the date of the replaced charge (%s)",
				old.RetainedOn.Format(time.DateOnly))
		}
		if err := checkArticle(ctx, tx, q.article); err != nil {
			return err
		}
		c, err = s.insert(ctx, tx, old.DossierID, old.DefendantID, q, &old.ID, reason)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "charge.requalify", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{c.ID, old.ID}, DossierID: dossierID, Permission: string(authz.CaseWrite)})
	})
	return c, err
}

func (s *Service) insert(ctx context.Context, tx pgx.Tx, dossierID uuid.UUID, defendantID *uuid.UUID,
	q qualification, replaces *uuid.UUID, reason string) (Charge, error) {
	var id uuid.UUID
	err := tx.QueryRow(ctx, `
		INSERT INTO charges (dossier_id, defendant_id, article, article_version_date, wording,
			aggravating_circumstances, participation, retained_by, retained_on, replaces_charge_id,
			requalification_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		dossierID, defendantID, q.article, q.versionDate, q.wording, q.aggravating, string(q.participation),
		string(q.retainedBy), q.retainedOn, replaces, reason).Scan(&id)
	if err != nil {
		return Charge{}, postgres.MapError(err, constraints)
	}
	c, err := scan(tx.QueryRow(ctx, `SELECT `+columns+from+` WHERE c.id = $1`, id))
	if err != nil {
		return Charge{}, fmt.Errorf("read new charge: %w", err)
	}
	return c, nil
}
