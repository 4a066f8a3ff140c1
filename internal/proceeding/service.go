package proceeding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/person"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// Service reads and changes proceedings and civil-party standings. Every
// method authorizes, runs in one transaction and writes its audit event in it.
type Service struct {
	az *authz.Authorizer
}

// NewService returns a proceeding service.
func NewService(az *authz.Authorizer) *Service { return &Service{az: az} }

// OpenInput is a new proceeding.
type OpenInput struct {
	DossierID    uuid.UUID
	Stage        Stage
	CourtKind    CourtKind
	CourtName    *string
	Chamber      *string
	DocketNumber *string
	StartedOn    time.Time
}

// UpdateInput changes a proceeding's court details; nil fields stay as they are.
type UpdateInput struct {
	CourtName    *string
	Chamber      *string
	DocketNumber *string
}

// CloseInput ends a proceeding.
type CloseInput struct {
	EndedOn time.Time
	Outcome string
}

// AdvanceInput ends a proceeding and opens the next stage.
type AdvanceInput struct {
	EndedOn      time.Time
	Outcome      string
	Stage        Stage
	CourtKind    CourtKind
	CourtName    *string
	Chamber      *string
	DocketNumber *string
	StartedOn    time.Time
}

// ConstituteInput is the organisation's constitution as civil party.
type ConstituteInput struct {
	ProceedingID        uuid.UUID
	ConstitutedOn       time.Time
	Mode                StandingMode
	LegalBasis          string
	ConsentID           *uuid.UUID
	DamagesClaimedCents *int64
}

// DecideInput is the court's decision on a constitution.
type DecideInput struct {
	Admissibility       Admissibility
	DecidedOn           time.Time
	DamagesAwardedCents *int64
}

const (
	resourceType = "proceeding"
	standingType = "standing"
)

var constraints = postgres.Constraint{
	// The race between two advances of the same proceeding.
	"proceedings_previous_id_key": apperr.New(apperr.Conflict, "this proceeding was already advanced to a next stage"),
	"civil_party_standings_proceeding_id_organisation_id_key": apperr.New(apperr.Conflict,
		"the organisation is already civil party in this proceeding"),
}

// n is the next stage, if any: previous_id is UNIQUE, so at most one row.
const (
	columns = `p.id, p.dossier_id, p.stage, p.court_kind, p.court_name, p.chamber, p.docket_number, p.started_on,
	p.ended_on, p.status, p.outcome, p.previous_id, n.id, p.created_at`
	from = ` FROM proceedings p LEFT JOIN proceedings n ON n.previous_id = p.id`

	standingColumns = `s.id, s.proceeding_id, p.dossier_id, s.organisation_id, s.constituted_on, s.mode,
	s.legal_basis, s.consent_id, s.admissibility, s.admissibility_on, s.damages_claimed_cents, s.damages_awarded_cents,
	s.withdrawn_on`
	standingFrom = ` FROM civil_party_standings s JOIN proceedings p ON p.id = s.proceeding_id`
)

func scan(row pgx.Row) (Proceeding, error) {
	var p Proceeding
	err := row.Scan(&p.ID, &p.DossierID, &p.Stage, &p.CourtKind, &p.CourtName, &p.Chamber, &p.DocketNumber,
		&p.StartedOn, &p.EndedOn, &p.Status, &p.Outcome, &p.PreviousID, &p.NextID, &p.CreatedAt)
	return p, err
}

func scanStanding(row pgx.Row) (Standing, error) {
	var s Standing
	err := row.Scan(&s.ID, &s.ProceedingID, &s.DossierID, &s.OrganisationID, &s.ConstitutedOn, &s.Mode,
		&s.LegalBasis, &s.ConsentID, &s.Admissibility, &s.AdmissibilityDecidedOn, &s.DamagesClaimedCents,
		&s.DamagesAwardedCents, &s.WithdrawnOn)
	return s, err
}

// day drops the time of day: a Date is a calendar day at UTC midnight.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func date(t time.Time) string { return t.Format(time.DateOnly) }

func opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// court holds the checked court details of a new proceeding.
type court struct {
	stage                 Stage
	kind                  CourtKind
	name, chamber, docket string
	startedOn             time.Time
}

func checkCourt(v *apperr.Validation, stage Stage, kind CourtKind, name, chamber, docket *string, startedOn time.Time) court {
	c := court{stage: stage, kind: kind, startedOn: day(startedOn),
		name:    opt(valid.OptText(v, "courtName", name, 200)),
		chamber: opt(valid.OptText(v, "chamber", chamber, 200)),
		docket:  opt(valid.OptText(v, "docketNumber", docket, 64)),
	}
	if !stage.valid() {
		v.Add("stage", "unknown stage")
	} else if !kind.Fits(stage) {
		v.Add("courtKind", "a %s cannot hold the stage %s", strings.ToUpper(string(kind)), stage.label())
	}
	v.Check(!startedOn.IsZero(), "startedOn", "is required")
	return c
}

func (s *Service) insert(ctx context.Context, tx pgx.Tx, dossierID uuid.UUID, c court, previous *uuid.UUID) (Proceeding, error) {
	var id uuid.UUID
	err := tx.QueryRow(ctx, `
		INSERT INTO proceedings (dossier_id, stage, court_kind, court_name, chamber, docket_number, started_on, previous_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		dossierID, string(c.stage), string(c.kind), c.name, c.chamber, c.docket, c.startedOn, previous).Scan(&id)
	if err != nil {
		return Proceeding{}, postgres.MapError(err, constraints)
	}
	return readOne(ctx, tx, id)
}

func readOne(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Proceeding, error) {
	p, err := scan(tx.QueryRow(ctx, `SELECT `+columns+from+` WHERE p.id = $1`, id))
	if err != nil {
		return Proceeding{}, fmt.Errorf("read proceeding: %w", err)
	}
	return p, nil
}

// Open opens a proceeding in a dossier: its first stage, or a parallel one.
func (s *Service) Open(ctx context.Context, a actor.Actor, in OpenInput) (Proceeding, error) {
	var v apperr.Validation
	c := checkCourt(&v, in.Stage, in.CourtKind, in.CourtName, in.Chamber, in.DocketNumber, in.StartedOn)
	if err := v.Err(); err != nil {
		return Proceeding{}, err
	}
	var p Proceeding
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, in.DossierID, "dossier", in.DossierID)
		if err != nil {
			return err
		}
		if acc.Closed {
			return apperr.InvalidField("dossierId", "the dossier is closed")
		}
		if p, err = s.insert(ctx, tx, in.DossierID, c, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "proceeding.create", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{p.ID}, DossierID: in.DossierID, Permission: string(authz.CaseWrite)})
	})
	return p, err
}

// Update changes a proceeding's court details.
func (s *Service) Update(ctx context.Context, a actor.Actor, id uuid.UUID, in UpdateInput) (Proceeding, error) {
	var v apperr.Validation
	name := valid.OptText(&v, "courtName", in.CourtName, 200)
	chamber := valid.OptText(&v, "chamber", in.Chamber, 200)
	docket := valid.OptText(&v, "docketNumber", in.DocketNumber, 64)
	if err := v.Err(); err != nil {
		return Proceeding{}, err
	}
	var p Proceeding
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "proceedings", resourceType, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, dossierID, resourceType, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE proceedings SET court_name = coalesce($2, court_name),
			chamber = coalesce($3, chamber), docket_number = coalesce($4, docket_number) WHERE id = $1`,
			id, name, chamber, docket); err != nil {
			return postgres.MapError(err, constraints)
		}
		if p, err = readOne(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "proceeding.update", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{id}, DossierID: dossierID, Permission: string(authz.CaseWrite)})
	})
	return p, err
}

// lockOngoing reads proceeding id for update and refuses a closed one.
func lockOngoing(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Proceeding, error) {
	p, err := scan(tx.QueryRow(ctx, `SELECT `+columns+from+` WHERE p.id = $1 FOR UPDATE OF p`, id))
	if err != nil {
		return Proceeding{}, fmt.Errorf("lock proceeding: %w", err)
	}
	if p.Status == Closed {
		return Proceeding{}, apperr.New(apperr.Conflict, "the proceeding is already closed")
	}
	return p, nil
}

func closeRow(ctx context.Context, tx pgx.Tx, p Proceeding, endedOn time.Time, outcome string) error {
	if endedOn.Before(p.StartedOn) {
		return apperr.InvalidField("endedOn", "must not be before the proceeding started (%s)", date(p.StartedOn))
	}
	if _, err := tx.Exec(ctx, `UPDATE proceedings SET status = 'closed', ended_on = $2, outcome = $3 WHERE id = $1`,
		p.ID, endedOn, outcome); err != nil {
		return postgres.MapError(err, constraints)
	}
	return nil
}

// Close ends an ongoing proceeding with its outcome.
func (s *Service) Close(ctx context.Context, a actor.Actor, id uuid.UUID, in CloseInput) (Proceeding, error) {
	var v apperr.Validation
	outcome := valid.Text(&v, "outcome", in.Outcome, 1, 4000)
	v.Check(!in.EndedOn.IsZero(), "endedOn", "is required")
	if err := v.Err(); err != nil {
		return Proceeding{}, err
	}
	ended := day(in.EndedOn)
	var p Proceeding
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "proceedings", resourceType, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, dossierID, resourceType, id); err != nil {
			return err
		}
		cur, err := lockOngoing(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := closeRow(ctx, tx, cur, ended, outcome); err != nil {
			return err
		}
		if p, err = readOne(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "proceeding.close", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{id}, DossierID: dossierID, Permission: string(authz.CaseWrite)})
	})
	return p, err
}

// Advance closes proceeding id with its outcome and opens the next stage,
// linked to it, in one transaction. It returns the new proceeding.
func (s *Service) Advance(ctx context.Context, a actor.Actor, id uuid.UUID, in AdvanceInput) (Proceeding, error) {
	var v apperr.Validation
	outcome := valid.Text(&v, "outcome", in.Outcome, 1, 4000)
	v.Check(!in.EndedOn.IsZero(), "endedOn", "is required")
	c := checkCourt(&v, in.Stage, in.CourtKind, in.CourtName, in.Chamber, in.DocketNumber, in.StartedOn)
	ended := day(in.EndedOn)
	if !in.EndedOn.IsZero() && !in.StartedOn.IsZero() && c.startedOn.Before(ended) {
		v.Add("startedOn", "must not be before the current stage ended (%s)", date(ended))
	}
	if err := v.Err(); err != nil {
		return Proceeding{}, err
	}
	var p Proceeding
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "proceedings", resourceType, id)
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
		cur, err := lockOngoing(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.NextID != nil {
			return apperr.New(apperr.Conflict, "this proceeding was already advanced to a next stage")
		}
		if !cur.Stage.CanFollow(c.stage) {
			return apperr.InvalidField("stage", "cannot go from %s to %s", cur.Stage.label(), c.stage.label())
		}
		if err := closeRow(ctx, tx, cur, ended, outcome); err != nil {
			return err
		}
		if p, err = s.insert(ctx, tx, dossierID, c, &id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "proceeding.advance", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{id, p.ID}, DossierID: dossierID, Permission: string(authz.CaseWrite)})
	})
	return p, err
}

// Get reads one proceeding.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Proceeding, error) {
	var p Proceeding
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "proceedings", resourceType, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, resourceType, id); err != nil {
			return err
		}
		if p, err = readOne(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "proceeding.read", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{id}, DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return p, err
}

// Next reads the stage that followed proceeding id; nil when none did.
func (s *Service) Next(ctx context.Context, a actor.Actor, id uuid.UUID) (*Proceeding, error) {
	var out *Proceeding
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "proceedings", resourceType, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, resourceType, id); err != nil {
			return err
		}
		p, err := scan(tx.QueryRow(ctx, `SELECT `+columns+from+` WHERE p.previous_id = $1`, id))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return nil // nothing read, nothing to audit
		case err != nil:
			return fmt.Errorf("read next proceeding: %w", err)
		}
		out = &p
		return audit.Record(ctx, tx, a, audit.Event{Action: "proceeding.read", ResourceType: resourceType,
			ResourceIDs: []uuid.UUID{p.ID}, DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// ByDossier lists the proceedings of a dossier, latest first.
func (s *Service) ByDossier(ctx context.Context, a actor.Actor, dossierID uuid.UUID) ([]Proceeding, error) {
	var out []Proceeding
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, "dossier", dossierID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+from+` WHERE p.dossier_id = $1
			ORDER BY p.started_on DESC, p.created_at DESC, p.id DESC`, dossierID)
		if err != nil {
			return fmt.Errorf("list proceedings: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Proceeding, error) { return scan(r) })
		if err != nil {
			return fmt.Errorf("list proceedings: %w", err)
		}
		if out == nil {
			out = []Proceeding{}
		}
		ids := make([]uuid.UUID, len(out))
		for i, p := range out {
			ids[i] = p.ID
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "proceeding.list", ResourceType: resourceType,
			ResourceIDs: ids, DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// scoped reads, in one query, the proceedings matching cond (over p and
// dossiers d) in the dossiers the actor reaches with case:read, and writes
// one audit event naming them. The map is keyed by key(p).
func (s *Service) scoped(ctx context.Context, a actor.Actor, query string, args pgx.NamedArgs,
	key func(Proceeding) uuid.UUID) (map[uuid.UUID]Proceeding, error) {
	out := map[uuid.UUID]Proceeding{}
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.CaseRead, resourceType)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, query, scope.Args(args))
		if err != nil {
			return fmt.Errorf("read proceedings: %w", err)
		}
		ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Proceeding, error) { return scan(r) })
		if err != nil {
			return fmt.Errorf("read proceedings: %w", err)
		}
		ids := make([]uuid.UUID, len(ps))
		for i, p := range ps {
			out[key(p)] = p
			ids[i] = p.ID
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "proceeding.read", ResourceType: resourceType,
			ResourceIDs: ids, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// CurrentByDossiers reads the current proceeding of several dossiers
// (dataloader): the most recently started ongoing one. A dossier with none,
// or that the actor may not see, is absent from the map.
func (s *Service) CurrentByDossiers(ctx context.Context, a actor.Actor, dossierIDs []uuid.UUID) (map[uuid.UUID]Proceeding, error) {
	return s.scoped(ctx, a, `SELECT DISTINCT ON (p.dossier_id) `+columns+from+`
		JOIN dossiers d ON d.id = p.dossier_id
		WHERE p.dossier_id = ANY(@ids) AND p.status = 'ongoing' AND `+authz.ScopeClause+`
		ORDER BY p.dossier_id, p.started_on DESC, p.created_at DESC, p.id DESC`,
		pgx.NamedArgs{"ids": dossierIDs}, func(p Proceeding) uuid.UUID { return p.DossierID })
}

// ByIDs reads proceedings by id (dataloader). Missing or hidden ones are
// simply absent.
func (s *Service) ByIDs(ctx context.Context, a actor.Actor, ids []uuid.UUID) (map[uuid.UUID]Proceeding, error) {
	return s.scoped(ctx, a, `SELECT `+columns+from+` JOIN dossiers d ON d.id = p.dossier_id
		WHERE p.id = ANY(@ids) AND `+authz.ScopeClause,
		pgx.NamedArgs{"ids": ids}, func(p Proceeding) uuid.UUID { return p.ID })
}

// ConstituteCivilParty records the actor's organisation as civil party in
// a proceeding, on a legal basis the organisation relies on. CPP 2-22
// requires the standing consent of a victim of the same dossier.
func (s *Service) ConstituteCivilParty(ctx context.Context, a actor.Actor, in ConstituteInput) (Standing, error) {
	var v apperr.Validation
	basis := strings.TrimSpace(in.LegalBasis)
	v.Check(basis == BasisCPP23 || basis == BasisCPP222, "legalBasis", "must be %q or %q", BasisCPP23, BasisCPP222)
	v.Check(in.Mode.valid(), "mode", "unknown mode")
	v.Check(!in.ConstitutedOn.IsZero(), "constitutedOn", "is required")
	v.Check(in.DamagesClaimedCents == nil || *in.DamagesClaimedCents >= 0, "damagesClaimedCents", "must not be negative")
	if basis == BasisCPP222 && in.ConsentID == nil {
		v.Add("consentId", "CPP 2-22 requires the consent of the victim or their representative")
	}
	if err := v.Err(); err != nil {
		return Standing{}, err
	}
	on := day(in.ConstitutedOn)
	var st Standing
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "proceedings", resourceType, in.ProceedingID)
		if err != nil {
			return err
		}
		acc, err := s.az.Dossier(ctx, tx, a, authz.StandingWrite, dossierID, resourceType, in.ProceedingID)
		if err != nil {
			return err
		}
		if acc.Closed {
			return apperr.New(apperr.Conflict, "the dossier is closed")
		}
		var articles []string
		if err := tx.QueryRow(ctx, `SELECT standing_articles FROM organisations WHERE id = $1`, a.OrgID).
			Scan(&articles); err != nil {
			return fmt.Errorf("read standing articles: %w", err)
		}
		if !slices.Contains(articles, basis) {
			relied := "none"
			if len(articles) > 0 {
				relied = strings.Join(articles, ", ")
			}
			return apperr.InvalidField("legalBasis", "the organisation does not rely on %s (it relies on: %s)", basis, relied)
		}
		if in.ConsentID != nil {
			if err := checkConsent(ctx, tx, *in.ConsentID, dossierID, on); err != nil {
				return err
			}
		}
		var id uuid.UUID
		err = tx.QueryRow(ctx, `
			INSERT INTO civil_party_standings (proceeding_id, organisation_id, constituted_on, mode, legal_basis,
				consent_id, damages_claimed_cents)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			in.ProceedingID, a.OrgID, on, string(in.Mode), basis, in.ConsentID, in.DamagesClaimedCents).Scan(&id)
		if err != nil {
			return postgres.MapError(err, constraints)
		}
		if st, err = readStanding(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "standing.create", ResourceType: standingType,
			ResourceIDs: []uuid.UUID{id}, DossierID: dossierID, Permission: string(authz.StandingWrite)})
	})
	return st, err
}

// checkConsent requires a consent of a victim of the dossier, given by the
// constitution date and not withdrawn. The row is share-locked so that it
// cannot be withdrawn before this transaction ends.
func checkConsent(ctx context.Context, tx pgx.Tx, consentID, dossierID uuid.UUID, on time.Time) error {
	var given time.Time
	var withdrawn *time.Time
	err := tx.QueryRow(ctx, `SELECT c.given_on, c.withdrawn_on FROM consents c JOIN victims v ON v.id = c.victim_id
		WHERE c.id = $1 AND v.dossier_id = $2 FOR SHARE OF c`, consentID, dossierID).Scan(&given, &withdrawn)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.InvalidField("consentId", "no such consent of a victim of this dossier")
	}
	if err != nil {
		return fmt.Errorf("read consent: %w", err)
	}
	if withdrawn != nil {
		return apperr.InvalidField("consentId", "this consent was withdrawn on %s", date(*withdrawn))
	}
	if given.After(on) {
		return apperr.InvalidField("consentId", "this consent was given after the constitution date (%s)", date(given))
	}
	return nil
}

func readStanding(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Standing, error) {
	st, err := scanStanding(tx.QueryRow(ctx, `SELECT `+standingColumns+standingFrom+` WHERE s.id = $1`, id))
	if err != nil {
		return Standing{}, fmt.Errorf("read standing: %w", err)
	}
	return st, nil
}

// DecideStanding records the court's decision on a constitution. Only the
// organisation that constituted records it (again, to correct it: every
// change is audited); damages are awarded only to an admitted civil party;
// a withdrawn constitution is not decided.
func (s *Service) DecideStanding(ctx context.Context, a actor.Actor, id uuid.UUID, in DecideInput) (Standing, error) {
	var v apperr.Validation
	v.Check(in.Admissibility == Admitted || in.Admissibility == Rejected, "admissibility", "must be ADMITTED or REJECTED")
	v.Check(!in.DecidedOn.IsZero(), "decidedOn", "is required")
	if in.DamagesAwardedCents != nil {
		v.Check(*in.DamagesAwardedCents >= 0, "damagesAwardedCents", "must not be negative")
		v.Check(in.Admissibility == Admitted, "damagesAwardedCents", "damages are awarded only when the constitution is admitted")
	}
	if err := v.Err(); err != nil {
		return Standing{}, err
	}
	on := day(in.DecidedOn)
	return s.changeOwnStanding(ctx, a, id, "standing.decide", func(tx pgx.Tx, cur Standing) error {
		if cur.WithdrawnOn != nil {
			return apperr.New(apperr.Conflict, "the constitution was withdrawn on %s", date(*cur.WithdrawnOn))
		}
		if on.Before(cur.ConstitutedOn) {
			return apperr.InvalidField("decidedOn", "must not be before the constitution (%s)", date(cur.ConstitutedOn))
		}
		_, err := tx.Exec(ctx, `UPDATE civil_party_standings SET admissibility = $2, admissibility_on = $3,
			damages_awarded_cents = $4 WHERE id = $1`, id, string(in.Admissibility), on, in.DamagesAwardedCents)
		return err
	})
}

// WithdrawStanding records that the organisation withdrew its
// constitution (désistement) on a day. Only the organisation that
// constituted records it, once.
func (s *Service) WithdrawStanding(ctx context.Context, a actor.Actor, id uuid.UUID, withdrawnOn time.Time) (Standing, error) {
	if withdrawnOn.IsZero() {
		return Standing{}, apperr.InvalidField("withdrawnOn", "is required")
	}
	on := day(withdrawnOn)
	return s.changeOwnStanding(ctx, a, id, "standing.withdraw", func(tx pgx.Tx, cur Standing) error {
		if cur.WithdrawnOn != nil {
			return apperr.New(apperr.Conflict, "the constitution was already withdrawn on %s", date(*cur.WithdrawnOn))
		}
		if on.Before(cur.ConstitutedOn) {
			return apperr.InvalidField("withdrawnOn", "must not be before the constitution (%s)", date(cur.ConstitutedOn))
		}
		_, err := tx.Exec(ctx, `UPDATE civil_party_standings SET withdrawn_on = $2 WHERE id = $1`, id, on)
		return err
	})
}

// changeOwnStanding authorizes a change to standing id (standing:write on
// its dossier, and the caller's organisation must be the civil party: a
// co-civil party sees the owner's standing but changes only its own, and
// the owner does not change the co-civil party's), locks it,
// applies change, and records action.
func (s *Service) changeOwnStanding(ctx context.Context, a actor.Actor, id uuid.UUID, action string,
	change func(pgx.Tx, Standing) error) (Standing, error) {
	var st Standing
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		var dossierID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT p.dossier_id`+standingFrom+` WHERE s.id = $1`, id).Scan(&dossierID)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf(standingType)
		}
		if err != nil {
			return fmt.Errorf("read standing dossier: %w", err)
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.StandingWrite, dossierID, standingType, id); err != nil {
			return err
		}
		cur, err := scanStanding(tx.QueryRow(ctx, `SELECT `+standingColumns+standingFrom+` WHERE s.id = $1
			FOR UPDATE OF s`, id))
		if err != nil {
			return fmt.Errorf("lock standing: %w", err)
		}
		if cur.OrganisationID != a.OrgID {
			return &authz.Denial{Permission: authz.StandingWrite, ResourceType: standingType, ResourceID: id,
				DossierID: dossierID, Visible: true}
		}
		if err := change(tx, cur); err != nil {
			return postgres.MapError(err, constraints)
		}
		if st, err = readStanding(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: action, ResourceType: standingType,
			ResourceIDs: []uuid.UUID{id}, DossierID: dossierID, Permission: string(authz.StandingWrite)})
	})
	return st, err
}

// StandingsByProceeding lists the civil-party constitutions in a proceeding.
func (s *Service) StandingsByProceeding(ctx context.Context, a actor.Actor, proceedingID uuid.UUID) ([]Standing, error) {
	var out []Standing
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		dossierID, err := authz.RowDossier(ctx, tx, "proceedings", resourceType, proceedingID)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, resourceType, proceedingID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+standingColumns+standingFrom+` WHERE s.proceeding_id = $1
			ORDER BY s.constituted_on, s.created_at, s.id`, proceedingID)
		if err != nil {
			return fmt.Errorf("list standings: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Standing, error) { return scanStanding(r) })
		if err != nil {
			return fmt.Errorf("list standings: %w", err)
		}
		if out == nil {
			out = []Standing{}
		}
		ids := make([]uuid.UUID, len(out))
		for i, st := range out {
			ids[i] = st.ID
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "standing.list", ResourceType: standingType,
			ResourceIDs: ids, DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return out, err
}

// Consent reads the consent a standing relies on.
func (s *Service) Consent(ctx context.Context, a actor.Actor, consentID uuid.UUID) (person.Consent, error) {
	var c person.Consent
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		var dossierID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT v.dossier_id FROM consents c JOIN victims v ON v.id = c.victim_id
			WHERE c.id = $1`, consentID).Scan(&dossierID)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("consent")
		}
		if err != nil {
			return fmt.Errorf("read consent dossier: %w", err)
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, "consent", consentID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT id, victim_id, given_by, given_on, scope, reference, withdrawn_on
			FROM consents WHERE id = $1`, consentID).Scan(&c.ID, &c.VictimID, &c.GivenBy, &c.GivenOn, &c.Scope,
			&c.Reference, &c.WithdrawnOn); err != nil {
			return fmt.Errorf("read consent: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "consent.read", ResourceType: "consent",
			ResourceIDs: []uuid.UUID{consentID}, DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return c, err
}
