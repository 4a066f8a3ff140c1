package audit_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

// BenchmarkSealOnce: sealing a pre-filled queue of 100 000 events with
// SealOnce, as the application role, one batch per transaction.
//
//	go test -run '^$' -bench SealOnce -benchtime 1x ./internal/audit/
func BenchmarkSealOnce(b *testing.B) {
	const queued = 100_000
	for _, batch := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			dbURL := pgtest.NewURL(b)
			app := open(b, dbURL, postgres.AsAppRole())
			key, _ := testKey()
			s := audit.NewSealer(app, key, audit.DirStore{Dir: b.TempDir()}, audit.SealerConfig{Batch: batch}, discard)
			var sealed int
			var spent time.Duration
			for b.Loop() {
				b.StopTimer()
				fill(b, app, queued)
				b.StartTimer()
				start := time.Now()
				sealed += sealAll(b, s, batch)
				spent += time.Since(start)
			}
			b.ReportMetric(float64(sealed)/spent.Seconds(), "events/s")
		})
	}
}

// BenchmarkVerify: recomputing and checking the whole chain, as `egide
// audit verify` does, over 100 000 sealed events; over 1 000 000 with
// EGIDE_BENCH_1M=1 (the set-up then takes a minute or more).
//
//	EGIDE_BENCH_1M=1 go test -run '^$' -bench Verify -benchtime 1x -timeout 30m ./internal/audit/
func BenchmarkVerify(b *testing.B) {
	n := 100_000
	if os.Getenv("EGIDE_BENCH_1M") == "1" {
		n = 1_000_000
	}
	ctx := context.Background()
	dbURL := pgtest.NewURL(b)
	super := open(b, dbURL)
	key, pub := testKey()
	store := audit.DirStore{Dir: b.TempDir()}
	start := time.Now()
	for done := 0; done < n; done += 100_000 {
		fill(b, super, min(100_000, n-done))
	}
	filled := time.Since(start)
	s := audit.NewSealer(open(b, dbURL, postgres.AsAppRole()), key, store, audit.SealerConfig{}, discard)
	start = time.Now()
	if got := sealAll(b, s, 5000); got != n {
		b.Fatalf("sealed %d, want %d", got, n)
	}
	sealing := time.Since(start)
	if err := s.Checkpoint(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := super.Exec(ctx, `VACUUM ANALYZE audit_events, audit_seals, audit_pending`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d events: inserted in %s, sealed in %s (%.0f events/s)", n, filled.Round(time.Millisecond),
		sealing.Round(time.Millisecond), float64(n)/sealing.Seconds())
	var spent time.Duration
	for b.Loop() {
		t0 := time.Now()
		r := verify(b, super, pub, store, audit.VerifyOptions{})
		spent += time.Since(t0)
		if !r.OK() || r.Positions != int64(n) {
			b.Fatalf("verify: %d positions:%s", r.Positions, problems(r))
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/spent.Seconds(), "events/s")
}

// BenchmarkRoundCheckpoint: what the per-round checkpoint adds to a
// sealing round that sealed one event (one Ed25519 signature, latest.json
// rewritten, one line appended to the log, under the sealing lock); and
// Verify's cost per checkpoint of the log, over 10 000 of them.
//
//	go test -run '^$' -bench RoundCheckpoint -benchtime 200x ./internal/audit/
func BenchmarkRoundCheckpoint(b *testing.B) {
	ctx := context.Background()
	dbURL := pgtest.NewURL(b)
	app, super := open(b, dbURL, postgres.AsAppRole()), open(b, dbURL)
	key, pub := testKey()
	store := audit.DirStore{Dir: b.TempDir()}
	s := audit.NewSealer(app, key, store, audit.SealerConfig{}, discard)
	var spent time.Duration
	for b.Loop() {
		b.StopTimer()
		fill(b, app, 1)
		if n, err := s.SealOnce(ctx); err != nil || n != 1 {
			b.Fatalf("seal: %d %v", n, err)
		}
		b.StartTimer()
		start := time.Now()
		if err := s.Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(start)
	}
	b.ReportMetric(float64(spent.Microseconds())/float64(b.N), "µs/checkpoint")

	b.StopTimer()
	for range 10_000 {
		fill(b, app, 1)
		if _, err := s.Round(ctx); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	r := verify(b, super, pub, store, audit.VerifyOptions{})
	if !r.OK() {
		b.Fatalf("verify:%s", problems(r))
	}
	b.Logf("verify: %d positions, %d checkpoints in %s", r.Positions, r.Checkpoints, time.Since(start).Round(time.Millisecond))
}
