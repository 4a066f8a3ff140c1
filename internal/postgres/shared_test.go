package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

func TestShared(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	txid := func(ctx context.Context) (id int64) {
		t.Helper()
		if err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT txid_current()`).Scan(&id)
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}

	t.Run("concurrent calls share one transaction, committed by Finish", func(t *testing.T) {
		sctx, sh := postgres.Share(ctx)
		ids := make([]int64, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() { ids[i] = txid(sctx) })
		}
		wg.Wait()
		if err := postgres.InTx(sctx, pool, func(tx pgx.Tx) error { return insertOrg(sctx, tx, "Shared") }); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("transaction ids %v: want one", ids)
			}
		}
		if n := count(t, pool); n != 0 {
			t.Fatalf("%d organisations visible before Finish", n)
		}
		if err := sh.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(t, pool); n != 1 {
			t.Fatalf("%d organisations after Finish, want 1", n)
		}
		if err := sh.Finish(ctx); err != nil {
			t.Fatalf("second Finish: %v", err)
		}
		if err := postgres.InTx(sctx, pool, func(pgx.Tx) error { return nil }); !errors.Is(err, postgres.ErrFinished) {
			t.Fatalf("InTx after Finish: %v, want ErrFinished", err)
		}
	})

	t.Run("an aborted transaction fails the whole request", func(t *testing.T) {
		sctx, sh := postgres.Share(ctx)
		if err := postgres.InTx(sctx, pool, func(tx pgx.Tx) error { return insertOrg(sctx, tx, "Lost") }); err != nil {
			t.Fatal(err)
		}
		if err := postgres.InTx(sctx, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(sctx, `SELECT 1/0`)
			return err
		}); err == nil {
			t.Fatal("division by zero succeeded")
		}
		if err := postgres.InTx(sctx, pool, func(pgx.Tx) error { return nil }); err == nil {
			t.Fatal("the request went on after its transaction aborted")
		}
		if err := sh.Finish(ctx); err == nil {
			t.Fatal("Finish reported success")
		}
		if n := count(t, pool); n != 1 {
			t.Fatalf("%d organisations, want 1: the aborted request's insert was committed", n)
		}
	})

	t.Run("an error that leaves the transaction usable is the caller's", func(t *testing.T) {
		sctx, sh := postgres.Share(ctx)
		notFound := errors.New("not found")
		if err := postgres.InTx(sctx, pool, func(pgx.Tx) error { return notFound }); !errors.Is(err, notFound) {
			t.Fatal(err)
		}
		if err := postgres.InTx(sctx, pool, func(tx pgx.Tx) error { return insertOrg(sctx, tx, "Kept") }); err != nil {
			t.Fatal(err)
		}
		if err := sh.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(t, pool); n != 2 {
			t.Fatalf("%d organisations, want 2", n)
		}
	})

	t.Run("statements queued with Later are sent before the commit; a failed call's are dropped", func(t *testing.T) {
		sctx, sh := postgres.Share(ctx)
		insert := `INSERT INTO organisations (name) VALUES ($1)`
		if err := postgres.InTx(sctx, pool, func(tx pgx.Tx) error {
			if !postgres.Later(tx, insert, "Later") {
				t.Error("Later refused the shared transaction")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		refused := errors.New("refused")
		if err := postgres.InTx(sctx, pool, func(tx pgx.Tx) error {
			postgres.Later(tx, insert, "Dropped")
			return refused
		}); !errors.Is(err, refused) {
			t.Fatal(err)
		}
		if n := count(t, pool); n != 2 {
			t.Fatalf("%d organisations before Finish, want 2", n)
		}
		if err := sh.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		var names string
		if err := pool.QueryRow(ctx, `SELECT string_agg(name, ',' ORDER BY name) FROM organisations`).Scan(&names); err != nil ||
			names != "Kept,Later,Shared" {
			t.Fatalf("organisations %q, %v", names, err)
		}
		if err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
			if postgres.Later(tx, insert, "Own") {
				t.Error("Later queued on a transaction of its own")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("detached work commits on its own, after the shared transaction", func(t *testing.T) {
		sctx, sh := postgres.Share(ctx)
		shared := txid(sctx)
		var own int64
		if err := postgres.Detached(sctx, pool, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT txid_current()`).Scan(&own); err != nil {
				return err
			}
			return insertOrg(ctx, tx, "Detached")
		}); err != nil {
			t.Fatal(err)
		}
		if own != 0 {
			t.Fatal("detached work ran while the shared transaction held the request's connection")
		}
		if err := postgres.InTx(sctx, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(sctx, `SELECT 1/0`)
			return err
		}); err == nil {
			t.Fatal("division by zero succeeded")
		}
		if err := sh.Finish(ctx); err == nil {
			t.Fatal("Finish reported success")
		}
		if own == 0 || own == shared {
			t.Fatalf("detached transaction %d, shared %d: want one of its own", own, shared)
		}
		if n := count(t, pool); n != 4 {
			t.Fatalf("%d organisations, want 4: the detached insert survives the failed request", n)
		}
	})
}

// Statements queued under one merge key in a request become one; a failed
// call's queued statements and merges are undone with it.
func TestLaterMerged(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE merge_test (k text NOT NULL, ids int[] NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const insert = `INSERT INTO merge_test (k, ids) VALUES ($1, $2)`
	merge := func(queued, args []any) []any {
		ids := append(append([]int(nil), queued[1].([]int)...), args[1].([]int)...)
		return []any{queued[0], ids}
	}
	queue := func(sctx context.Context, fail bool, key string, ids ...int) {
		t.Helper()
		err := postgres.InTx(sctx, pool, func(tx pgx.Tx) error {
			if !postgres.LaterMerged(tx, key, merge, insert, key, ids) {
				t.Fatal("not deferred in a shared transaction")
			}
			if fail {
				return errors.New("fail")
			}
			return nil
		})
		if (err != nil) != fail {
			t.Fatalf("InTx: %v", err)
		}
	}
	sctx, sh := postgres.Share(ctx)
	queue(sctx, false, "a", 1, 2)
	queue(sctx, false, "b", 3)
	queue(sctx, false, "a", 4)
	queue(sctx, true, "a", 5) // rolled back: 5 appears nowhere
	queue(sctx, true, "c", 6) // rolled back
	queue(sctx, false, "c", 7)
	queue(sctx, false, "", 8) // no key: never merged
	queue(sctx, false, "", 9)
	if err := sh.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := pool.QueryRow(ctx, `SELECT string_agg(k || ':' || array_to_string(ids, ','), ' ' ORDER BY k, ids)
		FROM merge_test`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := ":8 :9 a:1,2,4 b:3 c:7"; got != want {
		t.Fatalf("rows %q, want %q", got, want)
	}
	// Outside a shared transaction, nothing is deferred.
	if err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		if postgres.LaterMerged(tx, "a", merge, insert, "a", []int{1}) {
			t.Fatal("deferred outside a shared transaction")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
