package proceeding

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
)

// StandingsByProceedings reads the civil-party constitutions of several
// proceedings in one query (dataloader), each list in the order of
// StandingsByProceeding. Proceedings the actor may not read, or with no
// standing, are absent from the map.
func (s *Service) StandingsByProceedings(ctx context.Context, a actor.Actor, proceedingIDs []uuid.UUID) (map[uuid.UUID][]Standing, error) {
	out := make(map[uuid.UUID][]Standing, len(proceedingIDs))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.CaseRead, standingType)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+standingColumns+standingFrom+` JOIN dossiers d ON d.id = p.dossier_id
			WHERE s.proceeding_id = ANY(@ids) AND `+authz.ScopeClause+`
			ORDER BY s.proceeding_id, s.constituted_on, s.created_at, s.id`,
			scope.Args(pgx.NamedArgs{"ids": proceedingIDs}))
		if err != nil {
			return fmt.Errorf("list standings: %w", err)
		}
		sts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Standing, error) { return scanStanding(r) })
		if err != nil {
			return fmt.Errorf("list standings: %w", err)
		}
		ids := make([]uuid.UUID, len(sts))
		for i, st := range sts {
			out[st.ProceedingID] = append(out[st.ProceedingID], st)
			ids[i] = st.ID
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "standing.list", ResourceType: standingType,
			ResourceIDs: ids, Permission: string(authz.CaseRead)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
