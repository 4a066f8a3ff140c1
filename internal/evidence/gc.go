package evidence

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/postgres"
)

// gcPage is how many stored objects the collector checks per query.
const gcPage = 500

// CollectGarbage deletes the stored objects that no record owns and that
// are older than the grace period: uploads that failed or were
// interrupted, objects of erased dossiers whose deletion failed. An
// upload in flight owns nothing yet, hence the grace period. It returns
// how many objects it removed.
func (s *Service) CollectGarbage(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-s.cfg.GCGrace)
	var page []string
	removed := 0
	flush := func() error {
		if len(page) == 0 {
			return nil
		}
		owned := make(map[string]bool, len(page))
		rows, err := s.pool.Query(ctx, `SELECT object_key FROM evidence WHERE object_key = ANY($1)`, page)
		if err != nil {
			return fmt.Errorf("gc: read owners: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return fmt.Errorf("gc: read owners: %w", err)
			}
			owned[k] = true
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("gc: read owners: %w", err)
		}
		for _, k := range page {
			if owned[k] {
				continue
			}
			if err := s.store.Delete(ctx, k); err != nil {
				return fmt.Errorf("gc: delete %s: %w", k, err)
			}
			removed++
		}
		page = page[:0]
		return nil
	}
	err := s.store.List(ctx, objectPrefix, func(info blob.Info) error {
		if !info.Modified.Before(cutoff) {
			return nil
		}
		page = append(page, info.Key)
		if len(page) >= gcPage {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return removed, err
}

// Verify re-reads every stored file, decrypting it and checking its
// SHA-256, and reports each to fn (err says why a file failed). It
// returns how many failed; an error only when it could not go on.
func (s *Service) Verify(ctx context.Context, fn func(id uuid.UUID, ok bool, err error)) (failed int, err error) {
	var after uuid.UUID
	buf := make([]byte, 64<<10)
	for {
		rows, err := s.pool.Query(ctx, `SELECT `+objectColumns+`
			FROM evidence e JOIN dossier_keys k ON k.dossier_id = e.dossier_id
			WHERE e.status = 'stored' AND e.id > $1 ORDER BY e.id LIMIT 100`, after)
		if err != nil {
			return failed, fmt.Errorf("verify: list evidence: %w", err)
		}
		var batch []object
		for rows.Next() {
			o, err := scanObject(rows)
			if err != nil {
				rows.Close()
				return failed, fmt.Errorf("verify: list evidence: %w", err)
			}
			batch = append(batch, o)
		}
		if err := rows.Err(); err != nil {
			return failed, fmt.Errorf("verify: list evidence: %w", err)
		}
		if len(batch) == 0 {
			return failed, nil
		}
		// Verifying decrypts the files: an access like any other, recorded
		// before it happens (by the system actor: no session runs this).
		ids := make([]uuid.UUID, len(batch))
		for i, o := range batch {
			ids[i] = o.id
		}
		if err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			return audit.Record(ctx, tx, actor.System("evidence-verify"), audit.Event{Action: "evidence.verify",
				ResourceType: "evidence", ResourceIDs: ids})
		}); err != nil {
			return failed, fmt.Errorf("verify: %w", err)
		}
		for _, o := range batch {
			err := s.verifyOne(ctx, o, buf)
			if err != nil {
				if ctx.Err() != nil {
					return failed, ctx.Err()
				}
				failed++
			}
			fn(o.id, err == nil, err)
		}
		after = batch[len(batch)-1].id
	}
}

func (s *Service) verifyOne(ctx context.Context, o object, buf []byte) error {
	r, err := s.openObject(ctx, o)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := io.CopyBuffer(io.Discard, r, buf); err != nil {
		return fmt.Errorf("evidence %s: %w", o.id, err)
	}
	return nil
}
