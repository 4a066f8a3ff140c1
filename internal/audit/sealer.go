package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/postgres"
)

// sealLock is the advisory lock that makes one sealer at a time, across
// every instance, extend the chain.
const sealLock int64 = 0x65676964655f736c // "egide_sl"

// SealerConfig tunes the sealer.
type SealerConfig struct {
	Interval time.Duration // how often queued events are sealed (default 1s)
	Batch    int           // events per sealing transaction (default 5000)
	// CheckpointInterval: a checkpoint is signed after every sealing round
	// that sealed something, and retried every Interval after a failure;
	// with nothing sealed, the checkpoint directory's writability and the
	// chain's agreement with the newest checkpoint are still checked this
	// often (default 1m).
	CheckpointInterval time.Duration
	// LogSegmentSize: the checkpoint log starts a new file past this
	// many bytes (default LogSegmentSize).
	LogSegmentSize int64
}

// Sealer seals queued events into the hash chain and writes checkpoints.
// Every instance runs one; the advisory lock lets one work at a time, so
// sealing never serialises requests (they only insert into the queue).
type Sealer struct {
	pool  *pgxpool.Pool
	key   ed25519.PrivateKey
	store CheckpointStore
	cfg   SealerConfig
	log   *slog.Logger
	now   func() time.Time

	mu        sync.Mutex
	attempted bool  // a checkpoint was attempted
	lastErr   error // how the last attempt failed, nil when it succeeded
}

// NewSealer returns a sealer signing checkpoints with key into store.
func NewSealer(pool *pgxpool.Pool, key ed25519.PrivateKey, store CheckpointStore, cfg SealerConfig, log *slog.Logger) *Sealer {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 5000
	}
	if cfg.CheckpointInterval <= 0 {
		cfg.CheckpointInterval = time.Minute
	}
	if cfg.LogSegmentSize <= 0 {
		cfg.LogSegmentSize = LogSegmentSize
	}
	return &Sealer{pool: pool, key: key, store: store, cfg: cfg, log: log, now: time.Now}
}

// stepTimeout bounds one sealing or checkpoint transaction of Run;
// drainTimeout its final drain, which delays the instance's stop.
const (
	stepTimeout  = 30 * time.Second
	drainTimeout = 10 * time.Second
)

// Run seals and checkpoints until ctx ends, then seals what is still
// queued (waiting for the lock if another instance holds it) and writes a
// final checkpoint.
//
// Each step runs with a context that ctx's end does not cancel: a step cut
// off mid-transaction leaves its server process holding the sealing lock
// until it notices its client is gone, and a final SealOnce would then
// find the lock taken and seal nothing.
func (s *Sealer) Run(ctx context.Context) {
	tick := time.NewTicker(s.cfg.Interval)
	defer tick.Stop()
	work := context.WithoutCancel(ctx)
	step := func(fn func(context.Context) error) error {
		c, cancel := context.WithTimeout(work, stepTimeout)
		defer cancel()
		return fn(c)
	}
	drain := func() error {
		c, cancel := context.WithTimeout(work, drainTimeout)
		defer cancel()
		return s.Drain(c)
	}
	lastCheckpoint := time.Time{}
	for {
		if ctx.Err() == nil {
			due := time.Since(lastCheckpoint) >= s.cfg.CheckpointInterval
			if checkpointed, _ := s.round(ctx, step, due); checkpointed {
				lastCheckpoint = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			if err := drain(); err != nil {
				s.log.Error("audit sealing at stop", "error", err)
			}
			return
		case <-tick.C:
		}
	}
}

// Round is what Run does every Interval: it seals every queued event,
// batch by batch, then signs a checkpoint if it sealed anything (or the
// last checkpoint failed). It returns how many events it sealed. After a
// Round, every event it sealed is covered by a signed checkpoint: cutting
// them from the chain is caught by the next verification.
func (s *Sealer) Round(ctx context.Context) (int, error) {
	var sealed int
	var failed error
	step := func(fn func(context.Context) error) error {
		err := fn(ctx)
		if err != nil && failed == nil {
			failed = err
		}
		return err
	}
	sealed = s.sealRounds(ctx, step)
	if failed == nil && (sealed > 0 || s.Ready() != nil) {
		_ = step(s.Checkpoint)
	}
	return sealed, failed
}

// round is one Round of Run, whose steps run through step; a checkpoint
// is also attempted when due. It reports whether the checkpoint interval
// starts again (a checkpoint succeeded, or a due one failed and was said).
func (s *Sealer) round(ctx context.Context, step func(func(context.Context) error) error, due bool) (bool, int) {
	sealed := s.sealRounds(ctx, step)
	if ctx.Err() != nil || (sealed == 0 && s.Ready() == nil && !due) {
		return false, sealed
	}
	before := s.Ready()
	if err := step(s.Checkpoint); err != nil {
		// Retried every round: said again only when it changes, or once
		// per checkpoint interval.
		if before == nil || due || s.Ready().Error() != before.Error() {
			s.log.Error("audit checkpoint", "error", err)
		}
		return due, sealed
	}
	if before != nil {
		s.log.Info("audit checkpoint written again")
	}
	return true, sealed
}

// sealRounds seals batches until the queue is short of a batch, and
// returns how many events it sealed.
func (s *Sealer) sealRounds(ctx context.Context, step func(func(context.Context) error) error) int {
	sealed := 0
	for ctx.Err() == nil {
		var n int
		err := step(func(c context.Context) (err error) { n, err = s.SealOnce(c); return err })
		if err != nil {
			s.log.Error("audit sealing", "error", err)
			break
		}
		sealed += n
		if n < s.cfg.Batch {
			break
		}
	}
	return sealed
}

// Ready reports whether this sealer's last checkpoint attempt succeeded
// (an error saying why not, or that none was attempted yet): an instance
// that cannot write checkpoints leaves its newest accesses open to an
// undetected erasure, and must not take requests.
func (s *Sealer) Ready() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.attempted:
		return errors.New("audit checkpoint: none attempted yet")
	case s.lastErr != nil:
		return fmt.Errorf("audit checkpoint: the last one failed: %w", s.lastErr)
	}
	return nil
}

func (s *Sealer) recordCheckpoint(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempted, s.lastErr = true, err
}

// Drain seals every queued event, waiting for the sealing lock rather
// than yielding it, then writes a checkpoint: for a stopping instance,
// whose queued events another instance may not be there to seal.
func (s *Sealer) Drain(ctx context.Context) error {
	for {
		n, err := s.seal(ctx, true)
		if err != nil {
			return err
		}
		if n < s.cfg.Batch {
			return s.Checkpoint(ctx)
		}
	}
}

// tail returns the last position and hash of the chain (0 and the
// genesis hash when empty).
func tail(ctx context.Context, tx pgx.Tx) (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_seals ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, Genesis(), nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("chain tail: %w", err)
	}
	return seq, hash, nil
}

// SealOnce seals up to one batch of queued events, oldest id first, and
// returns how many. It returns 0 at once when another sealer holds the lock.
func (s *Sealer) SealOnce(ctx context.Context) (int, error) { return s.seal(ctx, false) }

// seal is SealOnce; with wait, it waits for the lock instead of yielding.
func (s *Sealer) seal(ctx context.Context, wait bool) (int, error) {
	n := 0
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if wait {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, sealLock); err != nil {
				return fmt.Errorf("seal lock: %w", err)
			}
		} else {
			var locked bool
			if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, sealLock).Scan(&locked); err != nil {
				return fmt.Errorf("seal lock: %w", err)
			}
			if !locked {
				return nil
			}
		}
		seq, prev, err := tail(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+sealedColumns+` FROM audit_pending p JOIN audit_events e ON e.id = p.event_id
			ORDER BY e.id LIMIT $1`, s.cfg.Batch)
		if err != nil {
			return fmt.Errorf("read queue: %w", err)
		}
		var seals [][]any
		var ids []int64
		for rows.Next() {
			e, err := scanSealed(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("read event: %w", err)
			}
			seq++
			prev = ChainHash(prev, seq, e)
			seals = append(seals, []any{seq, e.ID, prev})
			ids = append(ids, e.ID)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read queue: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_seals"}, []string{"seq", "event_id", "hash"},
			pgx.CopyFromRows(seals)); err != nil {
			return fmt.Errorf("write seals: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM audit_pending WHERE event_id = ANY($1)`, ids); err != nil {
			return fmt.Errorf("dequeue: %w", err)
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// Checkpoint signs the current head of the chain and stores it, unless it
// is the head of the newest checkpoint already (then it rewrites
// latest.json as it is, which proves the store still writable). It holds
// the sealing lock so that checkpoints never go backwards, and it refuses
// to sign when the store's newest checkpoint is unreadable, rolled back
// or deleted (LoadNewest), or when the chain no longer holds its head (its
// tail cut, or its history rewritten): signing over it would erase the
// evidence that Verify finds against that checkpoint. Its outcome is what
// Ready reports.
func (s *Sealer) Checkpoint(ctx context.Context) error {
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, sealLock); err != nil {
			return fmt.Errorf("seal lock: %w", err)
		}
		seq, hash, err := tail(ctx, tx)
		if err != nil {
			return err
		}
		last, logged, err := newest(ctx, s.store)
		if err != nil {
			return fmt.Errorf("checkpoint: not signing over the checkpoint store (run egide audit verify): %w", err)
		}
		if last != nil {
			if err := extends(ctx, tx, *last, seq); err != nil {
				return err
			}
			if logged == nil || logged.Seq < last.Seq {
				// A crash between latest.json and the log, or a store
				// from before the log: the log catches up.
				if err := appendToLog(ctx, s.store, *last, s.cfg.LogSegmentSize); err != nil {
					return err
				}
			}
			if seq == last.Seq {
				b, err := json.MarshalIndent(last, "", "  ")
				if err != nil {
					return fmt.Errorf("checkpoint: %w", err)
				}
				return s.store.Put(ctx, LatestCheckpoint, b)
			}
		}
		if seq == 0 {
			return nil
		}
		return writeCheckpoint(ctx, s.store, SignCheckpoint(s.key, seq, hash, s.now()), s.cfg.LogSegmentSize)
	})
	s.recordCheckpoint(err)
	return err
}

// extends checks that the chain, whose head is position head, still holds
// the head of checkpoint last.
func extends(ctx context.Context, tx pgx.Tx, last Checkpoint, head int64) error {
	if head < last.Seq {
		return fmt.Errorf("checkpoint: the chain ends at position %d, before the latest checkpoint at %d: "+
			"its tail was cut; not signing over it (run egide audit verify)", head, last.Seq)
	}
	var at []byte
	err := tx.QueryRow(ctx, `SELECT hash FROM audit_seals WHERE seq = $1`, last.Seq).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && hex.EncodeToString(at) != last.Hash) {
		return fmt.Errorf("checkpoint: the chain no longer holds the latest checkpoint's head at position %d: "+
			"it was rewritten; not signing over it (run egide audit verify)", last.Seq)
	}
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}
