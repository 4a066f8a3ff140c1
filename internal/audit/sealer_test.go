package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

// logged returns the positions of the checkpoints in the log of the
// store at dir, in the order they were written.
func logged(t testing.TB, dir string) []int64 {
	t.Helper()
	var seqs []int64
	segments, _ := filepath.Glob(filepath.Join(dir, "checkpoints-*.log"))
	for _, seg := range segments {
		b, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var c audit.Checkpoint
			if err := json.Unmarshal([]byte(line), &c); err != nil {
				t.Fatalf("%s: %q: %v", seg, line, err)
			}
			seqs = append(seqs, c.Seq)
		}
	}
	return seqs
}

// pgCode is the SQLSTATE of err, "" when it is not a PostgreSQL error.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// The application role may add to the log but never change it; a
// superuser is stopped by the triggers (and must turn them off, which the
// tamper test then catches).
func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app, super := open(t, dbURL, postgres.AsAppRole()), open(t, dbURL)
	key, pub := testKey()
	store := audit.DirStore{Dir: t.TempDir()}

	// The application role inserts (the trigger queues) and seals.
	fill(t, app, 20)
	if err := postgres.InTx(ctx, app, func(tx pgx.Tx) error {
		return audit.Record(ctx, tx, actor.Actor{UserID: uuid.New(), IP: "192.0.2.1"}, audit.Event{Action: "dossier.read", ResourceType: "dossier"})
	}); err != nil {
		t.Fatalf("the application role cannot record an event: %v", err)
	}
	s := audit.NewSealer(app, key, store, audit.SealerConfig{}, discard)
	if n := sealAll(t, s, 5000); n != 21 {
		t.Fatalf("the sealer, as the application role, sealed %d events, want 21", n)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatalf("checkpoint as the application role: %v", err)
	}

	var role string
	if err := app.QueryRow(ctx, `SELECT current_user`).Scan(&role); err != nil || role != postgres.AppRole {
		t.Fatalf("the application pool works as %q (%v), want %s", role, err, postgres.AppRole)
	}
	changes := []string{
		`UPDATE audit_events SET reason = 'x' WHERE id = 1`,
		`UPDATE audit_events SET reason = 'x'`,
		`DELETE FROM audit_events WHERE id = 1`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events CASCADE`,
		`UPDATE audit_seals SET hash = sha256(hash) WHERE seq = 1`,
		`DELETE FROM audit_seals WHERE seq = 21`,
		`TRUNCATE audit_seals`,
	}
	for _, sql := range changes {
		t.Run("application role: "+sql, func(t *testing.T) {
			_, err := app.Exec(ctx, sql)
			if pgCode(err) != "42501" || !strings.Contains(err.Error(), "permission denied") {
				t.Fatalf("want permission denied (42501), got %v", err)
			}
		})
	}
	// Nor may it switch the protections off.
	for _, sql := range []string{
		`SET session_replication_role = replica`,
		`ALTER TABLE audit_events DISABLE TRIGGER USER`,
		`ALTER TABLE audit_seals DISABLE TRIGGER audit_seals_immutable`,
		`DROP TRIGGER audit_events_immutable ON audit_events`,
		`CREATE RULE audit_off AS ON INSERT TO audit_events DO INSTEAD NOTHING`,
	} {
		t.Run("application role: "+sql, func(t *testing.T) {
			if _, err := app.Exec(ctx, sql); pgCode(err) != "42501" {
				t.Fatalf("want 42501 (insufficient privilege), got %v", err)
			}
		})
	}
	// A GRANT without the grant option only warns: check nothing was granted.
	if _, err := app.Exec(ctx, `GRANT UPDATE, DELETE, TRUNCATE ON audit_events, audit_seals TO egide_app`); err != nil {
		t.Logf("self-grant: %v", err)
	}
	var granted bool
	if err := super.QueryRow(ctx, `SELECT has_table_privilege('egide_app', 'audit_events', 'UPDATE, DELETE, TRUNCATE')
		OR has_table_privilege('egide_app', 'audit_seals', 'UPDATE, DELETE, TRUNCATE')`).Scan(&granted); err != nil || granted {
		t.Fatalf("the application role granted itself a change to the log: %v %v", granted, err)
	}
	for _, sql := range append(changes[:len(changes):len(changes)], `TRUNCATE audit_events, audit_pending, audit_seals`) {
		t.Run("superuser: "+sql, func(t *testing.T) {
			_, err := super.Exec(ctx, sql)
			if err == nil {
				t.Fatal("the audit log was changed")
			}
			// TRUNCATE of a referenced table alone is refused for the
			// foreign keys before the trigger runs.
			if !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "foreign key") {
				t.Fatalf("want the append-only trigger to refuse, got %v", err)
			}
		})
	}
	if r := verify(t, super, pub, store, audit.VerifyOptions{}); !r.OK() || r.Head != 21 {
		t.Fatalf("after the refused changes: head %d, problems:%s", r.Head, problems(r))
	}
}

// In production the server logs in as a non-superuser member of
// egide_app: leaving the role (RESET ROLE) gains it nothing.
func TestLoginRoleCannotLeaveTheAppRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	super := open(t, dbURL)
	name := "egide_test_login_" + strings.ToLower(uuid.NewString()[:8])
	password := uuid.NewString()
	if _, err := super.Exec(ctx, fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD '%s' IN ROLE egide_app`, name, password)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := super.Exec(context.Background(), `DROP ROLE IF EXISTS `+name); err != nil {
			t.Errorf("drop role: %v", err)
		}
	})
	var superName string
	if err := super.QueryRow(ctx, `SELECT current_user`).Scan(&superName); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(name, password)
	pool := open(t, u.String(), postgres.AsAppRole())
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `RESET ROLE`); err != nil {
		t.Fatal(err)
	}
	fill(t, pool, 1)
	for _, sql := range []string{
		`UPDATE audit_events SET reason = 'x'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_seals`,
		`SET session_replication_role = replica`,
		`ALTER TABLE audit_events DISABLE TRIGGER USER`,
		`SET ROLE ` + ident(superName),
	} {
		if _, err := conn.Exec(ctx, sql); pgCode(err) != "42501" {
			t.Errorf("%s as the login role: want 42501, got %v", sql, err)
		}
	}
	conn.Conn().Close(ctx) // its role was reset: not back into the pool
}

// Events written concurrently from many goroutines, through two
// instances' pools, while both instances' sealers run, are all sealed
// exactly once, at positions 1..N without a gap, by the time both have
// stopped; no checkpoint ever goes back; the whole verifies.
func TestConcurrentWritersAndTwoSealers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	pools := []*pgxpool.Pool{open(t, dbURL, postgres.AsAppRole()), open(t, dbURL, postgres.AsAppRole())}
	key, pub := testKey()
	store := audit.DirStore{Dir: t.TempDir()}
	cfg := audit.SealerConfig{Interval: 2 * time.Millisecond, Batch: 37, CheckpointInterval: 5 * time.Millisecond}
	sealers := []*audit.Sealer{audit.NewSealer(pools[0], key, store, cfg, discard), audit.NewSealer(pools[1], key, store, cfg, discard)}
	runCtx, stop := context.WithCancel(ctx)
	var running sync.WaitGroup
	for _, s := range sealers {
		running.Go(func() { s.Run(runCtx) })
	}

	const writers, txPerWriter = 16, 40
	var committed atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			pool := pools[w%2]
			a := actor.Actor{UserID: uuid.New(), OrgID: uuid.New(), Roles: []actor.Role{actor.LegalStaff}, RequestID: fmt.Sprint("w", w),
				IP: "2001:db8::1", UserAgent: "writer"}
			for i := range txPerWriter {
				// 1 to 3 events per transaction; every fifth transaction
				// rolls back, and its events must appear nowhere.
				events := 1 + i%3
				rollback := i%5 == 4
				err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
					for range events {
						if err := audit.Record(ctx, tx, a, audit.Event{Action: "dossier.read", ResourceType: "dossier",
							ResourceIDs: []uuid.UUID{uuid.New()}, DossierID: uuid.New(), Permission: "dossier:read"}); err != nil {
							return err
						}
					}
					if rollback {
						return errRollback
					}
					return nil
				})
				switch {
				case rollback && errors.Is(err, errRollback):
				case err != nil:
					errc <- err
					return
				default:
					committed.Add(int64(events))
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	// Stopping both at once: each drains the queue, waiting for the lock
	// the other holds, and leaves a final checkpoint.
	stop()
	running.Wait()
	n := assertWholeChain(t, pools[0])
	if n != committed.Load() {
		t.Fatalf("%d events in the log, %d committed", n, committed.Load())
	}
	seqs := logged(t, store.Dir)
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("checkpoints went from %d to %d: %v", seqs[i-1], seqs[i], seqs)
		}
	}
	t.Logf("%d events; %d checkpoints written, at %v", n, len(seqs), seqs)
	r := verify(t, pools[1], pub, store, audit.VerifyOptions{})
	if !r.OK() || r.Head != n || r.Checkpoint == nil || r.Checkpoint.Seq != n {
		t.Fatalf("verify: head %d, checkpoint %+v, want %d; problems:%s", r.Head, r.Checkpoint, n, problems(r))
	}
}

var errRollback = errors.New("roll back")

// A sealer that finds the lock taken returns at once with nothing done;
// checkpointing waits for the lock instead of signing a stale head.
func TestSealOnceYieldsToTheLockHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app, super := open(t, dbURL, postgres.AsAppRole()), open(t, dbURL)
	key, _ := testKey()
	s := audit.NewSealer(app, key, audit.DirStore{Dir: t.TempDir()}, audit.SealerConfig{}, discard)
	fill(t, app, 10)

	holder, err := super.Begin(ctx) // another instance, mid-seal
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, sealLock); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SealOnce(ctx); n != 0 || err != nil {
		t.Fatalf("SealOnce while another holds the lock: %d, %v; want 0, nil", n, err)
	}
	if q := count(t, super, `SELECT count(*) FROM audit_pending`); q != 10 {
		t.Fatalf("%d queued, want 10 untouched", q)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := s.Checkpoint(short); err == nil {
		t.Fatal("Checkpoint did not wait for the lock")
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// The cancelled Checkpoint's backend may hold the lock an instant
	// (it learns its client left only when it has the lock to report).
	sealed := 0
	for try := 0; sealed == 0 && try < 100; try++ {
		n, err := s.SealOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sealed = n
		if n == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if sealed != 10 {
		t.Fatalf("SealOnce once the lock is free sealed %d, want 10", sealed)
	}
}

// Every queued event is sealed within ceil(queued / batch) sealing rounds:
// under normal operation none waits more than a few intervals.
func TestQueueDrainsInBoundedRounds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app := open(t, dbURL, postgres.AsAppRole())
	key, _ := testKey()
	const batch, queued = 1000, 4500
	s := audit.NewSealer(app, key, audit.DirStore{Dir: t.TempDir()}, audit.SealerConfig{Batch: batch}, discard)
	fill(t, app, queued)
	for round := 1; round <= (queued+batch-1)/batch; round++ {
		n, err := s.SealOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := min(batch, queued-(round-1)*batch); n != want {
			t.Fatalf("round %d sealed %d, want %d", round, n, want)
		}
	}
	if q := count(t, app, `SELECT count(*) FROM audit_pending`); q != 0 {
		t.Fatalf("%d events still queued after %d rounds", q, (queued+batch-1)/batch)
	}
	assertWholeChain(t, app)

	// Run seals at once on start, then every interval, several batches a tick.
	fill(t, app, 2500)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); s.Run(runCtx) }()
	deadline := time.Now().Add(30 * time.Second)
	for count(t, app, `SELECT count(*) FROM audit_pending`) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	<-done
	assertWholeChain(t, app)
}

// A checkpoint only moves forward: the same head is not signed again, a
// head sealed by another instance is picked up, and a chain that no
// longer contains the latest checkpoint (its tail cut, or rewritten) is
// never signed over, which would erase the evidence.
func TestCheckpointNeverGoesBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app, super := open(t, dbURL, postgres.AsAppRole()), open(t, dbURL)
	key, pub := testKey()
	store := audit.DirStore{Dir: t.TempDir()}
	a := audit.NewSealer(app, key, store, audit.SealerConfig{}, discard)
	b := audit.NewSealer(open(t, dbURL, postgres.AsAppRole()), key, store, audit.SealerConfig{}, discard)

	fill(t, app, 100)
	sealAll(t, a, 5000)
	for range 2 {
		if err := a.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
	}
	fill(t, app, 100)
	sealAll(t, b, 5000)
	if err := b.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if got := logged(t, store.Dir); fmt.Sprint(got) != "[100 200]" {
		t.Fatalf("checkpoints written at %v, want [100 200]: once per new head", got)
	}

	// A superuser cuts the last 50 events; the application goes on.
	if err := postgres.InTx(ctx, super, func(tx pgx.Tx) error {
		return sqls(`SET LOCAL session_replication_role = replica`,
			`DELETE FROM audit_events WHERE id IN (SELECT event_id FROM audit_seals WHERE seq > 150)`,
			`DELETE FROM audit_seals WHERE seq > 150`)(ctx, tx)
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Checkpoint(ctx); err == nil || !strings.Contains(err.Error(), "latest checkpoint") {
		t.Fatalf("checkpoint over a cut chain: %v, want a refusal", err)
	}
	fill(t, app, 80) // the chain grows past the old head again, on another history
	sealAll(t, a, 5000)
	if err := a.Checkpoint(ctx); err == nil || !strings.Contains(err.Error(), "latest checkpoint") {
		t.Fatalf("checkpoint over a rewritten chain: %v, want a refusal", err)
	}
	if got := logged(t, store.Dir); fmt.Sprint(got) != "[100 200]" {
		t.Fatalf("checkpoints written at %v, want [100 200]: the evidence was signed over", got)
	}
	r := verify(t, super, pub, store, audit.VerifyOptions{})
	if r.OK() || r.FirstBad() != 200 {
		t.Fatalf("verify after the cut: first bad %d, want 200:%s", r.FirstBad(), problems(r))
	}
}

// Events waiting for the sealer are normal for a while, then a problem.
func TestVerifyPendingGrace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app := open(t, dbURL, postgres.AsAppRole())
	_, pub := testKey()
	store := audit.DirStore{Dir: t.TempDir()}
	fill(t, app, 3) // occurred just now
	if _, err := app.Exec(ctx, `INSERT INTO audit_events (occurred_at, action, resource_type, outcome)
		VALUES (now() - interval '5 minutes', 'dossier.read', 'dossier', 'allowed')`); err != nil {
		t.Fatal(err)
	}
	r := verify(t, app, pub, store, audit.VerifyOptions{})
	if r.Pending != 3 || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].What, "longer than the grace period") {
		t.Fatalf("pending %d, problems:%s; want 3 pending and the old one reported", r.Pending, problems(r))
	}
	if r := verify(t, app, pub, store, audit.VerifyOptions{PendingGrace: time.Hour}); !r.OK() || r.Pending != 4 {
		t.Fatalf("with an hour of grace: pending %d, problems:%s", r.Pending, problems(r))
	}
}
