package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// sealLock mirrors the sealer's advisory lock (sealer.go), so tests can
// hold it as another instance would.
const sealLock int64 = 0x65676964655f736c

// testKey is a fixed checkpoint signing key: reproducible runs.
func testKey() (ed25519.PrivateKey, ed25519.PublicKey) {
	k := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	return k, k.Public().(ed25519.PublicKey)
}

var discard = slog.New(slog.DiscardHandler)

// open connects a pool to url (the superuser of the test server unless
// postgres.AsAppRole() is given), closed when the test ends.
func open(t testing.TB, dbURL string, opts ...postgres.Option) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := postgres.Open(ctx, dbURL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// fillSQL inserts $1 events with every column set, as the application
// would, each a millisecond after the previous. Text columns start with
// an ASCII letter, so flipping the low bit of their first byte keeps them
// valid text.
const fillSQL = `INSERT INTO audit_events (occurred_at, actor_user_id, organisation_id, session_hash, request_id,
	source_ip, user_agent, action, resource_type, resource_ids, dossier_id, reason, outcome, permission, roles)
SELECT now() - make_interval(secs => ($1 - i) / 1000.0), gen_random_uuid(), gen_random_uuid(), sha256(int8send(i)),
	'req-' || i, '10.0.0.0'::inet + i, 'Mozilla/5.0 (X11; Linux x86_64) egide-test/' || i,
	CASE WHEN i % 3 = 0 THEN 'victim.identity.reveal' ELSE 'dossier.read' END,
	CASE WHEN i % 3 = 0 THEN 'victim' ELSE 'dossier' END,
	ARRAY[gen_random_uuid(), gen_random_uuid()], gen_random_uuid(),
	CASE WHEN i % 3 = 0 THEN 'Préparation de l''audience ' || i ELSE '' END,
	CASE WHEN i % 10 = 0 THEN 'denied' ELSE 'allowed' END,
	CASE WHEN i % 3 = 0 THEN 'identity:read' ELSE 'dossier:read' END,
	ARRAY['legal_staff', 'admin']
FROM generate_series(1, $1) AS i`

// fill inserts n events through pool; the trigger queues them.
func fill(t testing.TB, pool *pgxpool.Pool, n int) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), fillSQL, n); err != nil {
		t.Fatalf("fill %d events: %v", n, err)
	}
}

// sealAll calls SealOnce until the queue is empty and returns how many
// events it sealed; it fails after more calls than the queue can need.
func sealAll(t testing.TB, s *audit.Sealer, batch int) int {
	t.Helper()
	total := 0
	for calls := 0; ; calls++ {
		n, err := s.SealOnce(context.Background())
		if err != nil {
			t.Fatalf("seal: %v", err)
		}
		total += n
		if n == 0 {
			return total
		}
		if calls > 10_000_000/batch {
			t.Fatal("sealing does not end")
		}
	}
}

// verify runs audit.Verify in one read-only snapshot, as `egide audit verify` does.
func verify(t testing.TB, pool *pgxpool.Pool, pub ed25519.PublicKey, store audit.CheckpointStore, opt audit.VerifyOptions) audit.Report {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	r, err := audit.Verify(ctx, tx, pub, store, opt)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return r
}

// count runs a count(*)-like query.
func count(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// assertWholeChain checks that every event is sealed exactly once, at
// positions 1..N without a gap, and that nothing is queued.
func assertWholeChain(t testing.TB, pool *pgxpool.Pool) int64 {
	t.Helper()
	events := count(t, pool, `SELECT count(*) FROM audit_events`)
	seals := count(t, pool, `SELECT count(*) FROM audit_seals`)
	distinct := count(t, pool, `SELECT count(DISTINCT event_id) FROM audit_seals`)
	maxSeq := count(t, pool, `SELECT coalesce(max(seq), 0) FROM audit_seals`)
	pending := count(t, pool, `SELECT count(*) FROM audit_pending`)
	if seals != events || distinct != events || maxSeq != events || pending != 0 {
		t.Fatalf("%d events, %d seals of %d distinct events, last position %d, %d queued: want every event sealed once at 1..%d",
			events, seals, distinct, maxSeq, pending, events)
	}
	return events
}

// problems lists a report's problems for a failure message.
func problems(r audit.Report) string {
	var b bytes.Buffer
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "\n  - %s", p)
	}
	return b.String()
}
