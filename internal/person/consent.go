package person

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

// RecordConsentInput is a new consent.
type RecordConsentInput struct {
	VictimID  uuid.UUID
	GivenBy   ConsentGiver
	GivenOn   time.Time
	Scope     *string
	Reference *string
}

func (g ConsentGiver) valid() bool {
	switch g {
	case GiverVictim, GiverLegalRepresentative, GiverAdHocAdministrator:
		return true
	}
	return false
}

const consentColumns = `c.id, c.victim_id, c.given_by, c.given_on, c.scope, c.reference, c.withdrawn_on`

func scanConsent(row pgx.Row) (Consent, error) {
	var c Consent
	err := row.Scan(&c.ID, &c.VictimID, &c.GivenBy, &c.GivenOn, &c.Scope, &c.Reference, &c.WithdrawnOn)
	return c, err
}

// RecordConsent records the agreement of a victim or their representative.
func (s *Service) RecordConsent(ctx context.Context, a actor.Actor, in RecordConsentInput) (Consent, error) {
	var v apperr.Validation
	v.Check(in.GivenBy.valid(), "givenBy", "unknown kind of giver")
	v.Check(!in.GivenOn.IsZero(), "givenOn", "is required")
	v.Check(!in.GivenOn.After(s.today()), "givenOn", "must not be in the future")
	scope := valid.OptText(&v, "scope", in.Scope, 2000)
	ref := valid.OptLabel(&v, "reference", in.Reference, 128)
	if err := v.Err(); err != nil {
		return Consent{}, err
	}
	var out Consent
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		did, err := authz.RowDossier(ctx, tx, personTable(kindVictim), kindVictim, in.VictimID)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, did, kindVictim, in.VictimID); err != nil {
			return err
		}
		out, err = scanConsent(tx.QueryRow(ctx, `
			INSERT INTO consents AS c (victim_id, given_by, given_on, scope, reference)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+consentColumns,
			in.VictimID, string(in.GivenBy), in.GivenOn, opt(scope), opt(ref)))
		if err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "consent.create", ResourceType: "consent",
			ResourceIDs: []uuid.UUID{out.ID, in.VictimID}, DossierID: did, Permission: string(authz.CaseWrite)})
	})
	return out, err
}

// WithdrawConsent records that a consent was withdrawn. Errors: NOT_FOUND,
// INVALID (withdrawnOn in the future or before the consent was given),
// CONFLICT (already withdrawn).
func (s *Service) WithdrawConsent(ctx context.Context, a actor.Actor, id uuid.UUID, withdrawnOn time.Time) (Consent, error) {
	var v apperr.Validation
	v.Check(!withdrawnOn.IsZero(), "withdrawnOn", "is required")
	v.Check(!withdrawnOn.After(s.today()), "withdrawnOn", "must not be in the future")
	if err := v.Err(); err != nil {
		return Consent{}, err
	}
	var out Consent
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		var did uuid.UUID
		err := tx.QueryRow(ctx, `SELECT v.dossier_id FROM consents c JOIN victims v ON v.id = c.victim_id WHERE c.id = $1`,
			id).Scan(&did)
		if errors.Is(err, pgx.ErrNoRows) { // refused and audited like a hidden one
			return &authz.Denial{Permission: authz.CaseWrite, ResourceType: "consent", ResourceID: id}
		}
		if err != nil {
			return fmt.Errorf("read consent dossier: %w", err)
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseWrite, did, "consent", id); err != nil {
			return err
		}
		cur, err := scanConsent(tx.QueryRow(ctx, `SELECT `+consentColumns+` FROM consents c WHERE c.id = $1 FOR UPDATE`, id))
		if err != nil {
			return fmt.Errorf("read consent: %w", err)
		}
		if cur.WithdrawnOn != nil {
			return apperr.New(apperr.Conflict, "the consent is already withdrawn")
		}
		if withdrawnOn.Before(cur.GivenOn) {
			return apperr.InvalidField("withdrawnOn", "must not be before the date the consent was given")
		}
		out, err = scanConsent(tx.QueryRow(ctx, `UPDATE consents AS c SET withdrawn_on = $2 WHERE id = $1
			RETURNING `+consentColumns, id, withdrawnOn))
		if err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "consent.withdraw", ResourceType: "consent",
			ResourceIDs: []uuid.UUID{id, cur.VictimID}, DossierID: did, Permission: string(authz.CaseWrite)})
	})
	return out, err
}

// ConsentsByVictims reads the consents of several victims, oldest first.
// Every victim asked for gets a list (empty when it has no consent or the
// actor may not read its dossier).
func (s *Service) ConsentsByVictims(ctx context.Context, a actor.Actor, victimIDs []uuid.UUID) (map[uuid.UUID][]Consent, error) {
	out := make(map[uuid.UUID][]Consent, len(victimIDs))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.CaseRead, "consent")
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+consentColumns+` FROM consents c
			JOIN victims v ON v.id = c.victim_id JOIN dossiers d ON d.id = v.dossier_id
			WHERE c.victim_id = ANY(@ids) AND `+authz.ScopeClause+` ORDER BY c.given_on, c.created_at, c.id`,
			scope.Args(pgx.NamedArgs{"ids": victimIDs}))
		if err != nil {
			return fmt.Errorf("read consents: %w", err)
		}
		cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Consent, error) { return scanConsent(r) })
		if err != nil {
			return fmt.Errorf("read consents: %w", err)
		}
		ids := make([]uuid.UUID, len(cs))
		for i, c := range cs {
			out[c.VictimID] = append(out[c.VictimID], c)
			ids[i] = c.ID
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "consent.list", ResourceType: "consent",
			ResourceIDs: ids, Permission: string(authz.CaseRead)})
	})
	if err != nil {
		return nil, err
	}
	for _, id := range victimIDs {
		if out[id] == nil {
			out[id] = []Consent{}
		}
	}
	return out, nil
}
