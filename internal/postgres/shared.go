package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A Shared transaction is the one transaction of a read request: every InTx
// made with its context during the request runs in it, one at a time, so
// that a page and the nested fields it asks for are read in one snapshot
// (REPEATABLE READ) and their audit events are committed with one commit.
// Nothing is sent to the client before Finish has committed: if the
// commit fails, no case data leaves.
//
// A request holds at most one connection of the pool at a time: work that
// must commit on its own (a refusal's audit event, see Detached) runs after
// the shared transaction has ended, so a request never waits for a second
// connection while holding the first (which, with all of the pool's
// connections held that way, would deadlock).
type Shared struct {
	mu       sync.Mutex
	pool     *pgxpool.Pool // of the transaction, set when it begins
	tx       pgx.Tx
	err      error // the first failure; every later use returns it
	finished bool
	detached []detachedTx
	later    []statement    // sent in one batch before the commit
	merged   map[string]int // index in later of the statement queued under a merge key
}

type statement struct {
	sql  string
	args []any
	key  string // merge key, "" when not mergeable
}

type detachedTx struct {
	pool *pgxpool.Pool
	fn   func(pgx.Tx) error
}

type sharedKey struct{}

// ErrFinished is returned by InTx with the context of a finished Shared.
var ErrFinished = errors.New("the request's transaction has ended")

// Share returns ctx whose InTx calls share one transaction, and that
// transaction, which the caller must Finish.
func Share(ctx context.Context) (context.Context, *Shared) {
	s := &Shared{}
	return context.WithValue(ctx, sharedKey{}, s), s
}

// unshared returns ctx without its Shared transaction.
func unshared(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedKey{}, (*Shared)(nil))
}

func shared(ctx context.Context) *Shared {
	s, _ := ctx.Value(sharedKey{}).(*Shared)
	return s
}

// run runs fn in the shared transaction, begun on pool at the first call.
// fn must not call InTx itself (the calls are serialised: it would wait
// for itself).
func (s *Shared) run(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.finished:
		return ErrFinished
	case s.err != nil:
		return s.err
	case s.tx == nil:
		tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
		if err != nil {
			s.err = fmt.Errorf("begin: %w", err)
			return s.err
		}
		s.pool, s.tx = pool, tx
	case s.pool != pool:
		return errors.New("postgres: one request's transactions on two pools")
	}
	queued := len(s.later)
	before := make([][]any, queued) // the queued statements' arguments, which a merge may replace
	for i, st := range s.later {
		before[i] = st.args
	}
	err := fn(sharedTx{s.tx, s})
	if err != nil {
		// What a failed call queued or merged goes with it, as in a rollback.
		s.later = s.later[:queued]
		for i := range s.later {
			s.later[i].args = before[i]
		}
		s.merged = nil
		for i, st := range s.later {
			if st.key != "" {
				if s.merged == nil {
					s.merged = map[string]int{}
				}
				s.merged[st.key] = i
			}
		}
		if s.tx.Conn().PgConn().TxStatus() == 'E' {
			// PostgreSQL refuses everything until rollback: the request fails.
			s.err = fmt.Errorf("request transaction aborted: %w", err)
		}
	}
	return err
}

// sharedTx is the shared transaction as fn sees it: Later knows it by its
// type, so only statements of this very transaction are deferred.
type sharedTx struct {
	pgx.Tx
	s *Shared
}

// Later queues an INSERT (or any statement whose result nobody reads) to
// be sent, with the others queued, in one batch just before the request's
// transaction commits, and reports true, when tx is a request's shared
// transaction; otherwise it does nothing and reports false (the caller
// executes the statement itself). A failure of the batch fails the
// request like a failed commit.
func Later(tx pgx.Tx, sql string, args ...any) bool {
	st, ok := tx.(sharedTx)
	if !ok {
		return false
	}
	st.s.later = append(st.s.later, statement{sql: sql, args: args}) // st.s.mu is held by run, which called fn with tx
	return true
}

// LaterMerged is Later for a statement that may be merged with one queued
// before it in the same request under the same key: merge receives the
// queued statement's arguments and these, and returns the arguments of
// the one statement to send instead of both (it must not modify the
// slices it receives). An empty key merges nothing.
func LaterMerged(tx pgx.Tx, key string, merge func(queued, args []any) []any, sql string, args ...any) bool {
	st, ok := tx.(sharedTx)
	if !ok {
		return false
	}
	s := st.s // s.mu is held by run, which called fn with tx
	if i, ok := s.merged[key]; ok && key != "" && s.later[i].sql == sql {
		s.later[i].args = merge(s.later[i].args, args)
		return true
	}
	if key != "" {
		if s.merged == nil {
			s.merged = map[string]int{}
		}
		s.merged[key] = len(s.later)
	}
	s.later = append(s.later, statement{sql: sql, args: args, key: key})
	return true
}

// Finish commits the shared transaction (rolls it back after a failure),
// releases its connection, then runs the Detached transactions. It returns
// the first failure: the caller must then send no data.
func (s *Shared) Finish(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished {
		return s.err
	}
	s.finished = true
	if s.tx != nil {
		if s.err == nil && len(s.later) > 0 {
			b := &pgx.Batch{}
			for _, st := range s.later {
				b.Queue(st.sql, st.args...)
			}
			if err := s.tx.SendBatch(ctx, b).Close(); err != nil {
				s.err = fmt.Errorf("queued statements: %w", err)
			}
		}
		s.later, s.merged = nil, nil
		if s.err == nil {
			if err := s.tx.Commit(ctx); err != nil {
				s.err = MapError(fmt.Errorf("commit: %w", err))
			}
		}
		_ = s.tx.Rollback(context.WithoutCancel(ctx)) // no-op after commit
		s.tx = nil
	}
	own := unshared(ctx)
	for _, d := range s.detached {
		if err := InTx(own, d.pool, d.fn); err != nil && s.err == nil {
			s.err = err
		}
	}
	s.detached = nil
	return s.err
}

// Detached runs fn in a transaction of its own, whatever happens to the
// caller's: at once, or, during a Shared request, when it finishes (before
// anything is sent).
func Detached(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	s := shared(ctx)
	if s == nil {
		return InTx(ctx, pool, fn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished {
		return InTx(unshared(ctx), pool, fn)
	}
	s.detached = append(s.detached, detachedTx{pool: pool, fn: fn})
	return nil
}
