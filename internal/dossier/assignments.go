package dossier

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/apperr"
)

// LoadInTx reads one dossier inside tx without any check of its own: it is
// for services that manage a dossier's assignments or shares, which have
// already authorized the dossier in tx and return it afterwards.
func LoadInTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Dossier, error) {
	d, err := scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM dossiers d WHERE d.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Dossier{}, apperr.NotFoundError()
	}
	if err != nil {
		return Dossier{}, fmt.Errorf("read dossier: %w", err)
	}
	return d, nil
}
