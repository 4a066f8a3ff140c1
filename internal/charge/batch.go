package charge

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
)

// ByIDs reads charges by id in one query (dataloader), e.g. the charges
// that a page of charges replaces or was replaced by. Missing ones, and
// those in dossiers the actor may not read, are absent from the map.
func (s *Service) ByIDs(ctx context.Context, a actor.Actor, chargeIDs []uuid.UUID) (map[uuid.UUID]Charge, error) {
	out := make(map[uuid.UUID]Charge, len(chargeIDs))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.CaseRead, resourceType)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+from+` JOIN dossiers d ON d.id = c.dossier_id
			WHERE c.id = ANY(@ids) AND `+authz.ScopeClause, scope.Args(pgx.NamedArgs{"ids": chargeIDs}))
		if err != nil {
			return fmt.Errorf("read charges: %w", err)
		}
		cs, err := collect(rows)
		if err != nil {
			return err
		}
		for _, c := range cs {
			out[c.ID] = c
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "charge.read", ResourceType: resourceType,
			ResourceIDs: ids(cs), Permission: string(authz.CaseRead)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
