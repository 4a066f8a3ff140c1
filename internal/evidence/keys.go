package evidence

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres"
)

// RotationCounts says how many wrapped keys a rotation rewrapped, by kind.
type RotationCounts struct {
	DossierKeys int
	Victims     int
	Defendants  int
	TOTPSecrets int
}

// Total is the number of keys rewrapped.
func (c RotationCounts) Total() int { return c.DossierKeys + c.Victims + c.Defendants + c.TOTPSecrets }

// rotateBatch is how many rows one transaction rewraps.
const rotateBatch = 500

// RotateKeys rewraps every key wrapped by the key ring (dossier keys,
// identity keys, second-factor secret keys) under kr's active version.
// Objects and sealed values are untouched: data keys do not change. Once
// it returns without error, no wrapped key depends on an older version,
// which can then leave the ring. It is safe to run again, and to run
// while the server works (rows are rewrapped under a row lock).
func RotateKeys(ctx context.Context, pool *pgxpool.Pool, kr *crypto.KeyRing) (RotationCounts, error) {
	var c RotationCounts
	targets := []struct {
		table, column, aadPrefix string
		count                    *int
	}{
		{"dossier_keys", "wrapped_key", "dossier-key:", &c.DossierKeys},
		{"victims", "identity_wrapped_key", "victim:", &c.Victims},
		{"defendants", "identity_wrapped_key", "defendant:", &c.Defendants},
		{"users", "totp_secret_key", "totp:", &c.TOTPSecrets},
	}
	for _, t := range targets {
		n, err := rotateTable(ctx, pool, kr, t.table, t.column, t.aadPrefix)
		*t.count = n
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

// RotateKeys rewraps with the service's pool; see the function RotateKeys.
func (s *Service) RotateKeys(ctx context.Context, kr *crypto.KeyRing) (RotationCounts, error) {
	return RotateKeys(ctx, s.pool, kr)
}

func rotateTable(ctx context.Context, pool *pgxpool.Pool, kr *crypto.KeyRing, table, column, aadPrefix string) (int, error) {
	idColumn := "id"
	if table == "dossier_keys" {
		idColumn = "dossier_id"
	}
	active := kr.ActiveVersion()
	changed := 0
	var after uuid.UUID
	for {
		n, last, more := 0, after, false
		err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT `+idColumn+`, `+column+` FROM `+table+`
				WHERE `+idColumn+` > $1 AND `+column+` IS NOT NULL ORDER BY `+idColumn+` LIMIT $2 FOR UPDATE`,
				after, rotateBatch)
			if err != nil {
				return fmt.Errorf("rotate %s: %w", table, err)
			}
			type row struct {
				id      uuid.UUID
				wrapped []byte
			}
			var batch []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.wrapped); err != nil {
					rows.Close()
					return fmt.Errorf("rotate %s: %w", table, err)
				}
				batch = append(batch, r)
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("rotate %s: %w", table, err)
			}
			more = len(batch) == rotateBatch
			var rewrapped []uuid.UUID
			for _, r := range batch {
				last = r.id
				if v, err := crypto.WrappedVersion(r.wrapped); err == nil && v == active {
					continue
				}
				out, ok, err := kr.Rewrap(r.wrapped, []byte(aadPrefix+r.id.String()))
				if err != nil {
					return fmt.Errorf("rotate %s %s: %w", table, r.id, err)
				}
				if !ok {
					continue
				}
				if _, err := tx.Exec(ctx, `UPDATE `+table+` SET `+column+` = $2 WHERE `+idColumn+` = $1`, r.id, out); err != nil {
					return fmt.Errorf("rotate %s %s: %w", table, r.id, err)
				}
				rewrapped = append(rewrapped, r.id)
				n++
			}
			if len(rewrapped) == 0 {
				return nil
			}
			// A change to the keys of case data: recorded like any other
			// (by the system actor: the operator's command has no session).
			return audit.Record(ctx, tx, actor.System("keys-rotate"), audit.Event{Action: "keys.rotate",
				ResourceType: strings.TrimSuffix(aadPrefix, ":"), ResourceIDs: rewrapped})
		})
		if err != nil {
			return changed, err
		}
		changed += n
		after = last
		if !more {
			return changed, nil
		}
	}
}
