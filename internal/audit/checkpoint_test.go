package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

// The newest sealed events are covered by a signed checkpoint as soon as
// the sealing round that sealed them ends, not at the next minute: a
// superuser who deletes them (triggers off) right after is caught. The
// sealer is driven round by round (Round is what Run does every
// EGIDE_AUDIT_SEAL_INTERVAL), with a checkpoint interval of an hour, so
// only the per-round checkpoint can be what catches it.
func TestNewestSealedEventsAreCoveredAfterOneRound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app, super := open(t, dbURL, postgres.AsAppRole()), open(t, dbURL)
	key, pub := testKey()
	store := audit.DirStore{Dir: t.TempDir()}
	s := audit.NewSealer(app, key, store, audit.SealerConfig{Batch: 7, CheckpointInterval: time.Hour}, discard)

	for round, n := range []int{20, 1, 13} {
		fill(t, app, n)
		if got, err := s.Round(ctx); err != nil || got != n {
			t.Fatalf("round %d: sealed %d, %v; want %d", round, got, err, n)
		}
		if err := s.Ready(); err != nil {
			t.Fatalf("round %d: not ready: %v", round, err)
		}
	}
	if got := fmt.Sprint(logged(t, store.Dir)); got != "[20 21 34]" {
		t.Fatalf("checkpoints logged at %s, want one per round: [20 21 34]", got)
	}
	// A round with nothing to seal signs nothing new.
	if got, err := s.Round(ctx); err != nil || got != 0 {
		t.Fatalf("idle round: %d, %v", got, err)
	}
	if got := fmt.Sprint(logged(t, store.Dir)); got != "[20 21 34]" {
		t.Fatalf("after an idle round: checkpoints logged at %s", got)
	}
	if r := verify(t, super, pub, store, audit.VerifyOptions{}); !r.OK() || r.Checkpoint == nil || r.Checkpoint.Seq != 34 {
		t.Fatalf("before the cut: checkpoint %+v, problems:%s", r.Checkpoint, problems(r))
	}

	for _, cut := range []int64{1, 13} {
		t.Run(fmt.Sprintf("newest %d deleted", cut), func(t *testing.T) {
			tx, err := super.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if err := sqls(`SET LOCAL session_replication_role = replica`,
				fmt.Sprintf(`DELETE FROM audit_events WHERE id IN (SELECT event_id FROM audit_seals WHERE seq > %d)`, 34-cut),
				fmt.Sprintf(`DELETE FROM audit_seals WHERE seq > %d`, 34-cut))(ctx, tx); err != nil {
				t.Fatal(err)
			}
			r, err := audit.Verify(ctx, tx, pub, store, audit.VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r.OK() || r.FirstBad() != 35-cut || !strings.Contains(problems(r), "its tail was cut") {
				t.Fatalf("first bad %d, want %d (its tail was cut):%s", r.FirstBad(), 35-cut, problems(r))
			}
		})
	}
}

// checkpointHistory builds a chain of 30 positions checkpointed at 10, 20
// and 30, and returns the store and a function copying it for one case.
func checkpointHistory(t *testing.T) (app, super *pgxpool.Pool, store audit.DirStore, copyStore func(*testing.T) audit.DirStore) {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app, super = open(t, dbURL, postgres.AsAppRole()), open(t, dbURL)
	key, _ := testKey()
	store = audit.DirStore{Dir: t.TempDir()}
	s := audit.NewSealer(app, key, store, audit.SealerConfig{}, discard)
	for range 3 {
		fill(t, app, 10)
		if _, err := s.Round(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(logged(t, store.Dir)); got != "[10 20 30]" {
		t.Fatalf("checkpoints at %s, want [10 20 30]", got)
	}
	copyStore = func(t *testing.T) audit.DirStore {
		own := audit.DirStore{Dir: t.TempDir()}
		files, err := store.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(store.Dir, f.Name))
			if err != nil {
				t.Fatal(err)
			}
			if err := own.Put(ctx, f.Name, b); err != nil {
				t.Fatal(err)
			}
		}
		return own
	}
	return app, super, store, copyStore
}

// logLines returns the checkpoints of the only log segment of store.
func logLines(t *testing.T, store audit.DirStore) (string, []audit.Checkpoint) {
	t.Helper()
	segs, _ := filepath.Glob(filepath.Join(store.Dir, "checkpoints-*.log"))
	if len(segs) != 1 {
		t.Fatalf("log segments %v, want one", segs)
	}
	b, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	var cs []audit.Checkpoint
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var c audit.Checkpoint
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	return segs[0], cs
}

func writeLog(t *testing.T, path string, cs ...audit.Checkpoint) {
	t.Helper()
	var b strings.Builder
	for _, c := range cs {
		line, _ := json.Marshal(c)
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func putLatest(t *testing.T, store audit.DirStore, c audit.Checkpoint) {
	t.Helper()
	b, _ := json.Marshal(c)
	if err := store.Put(context.Background(), audit.LatestCheckpoint, b); err != nil {
		t.Fatal(err)
	}
}

// Verify checks every checkpoint it finds, not only latest.json: each must
// agree with the chain, positions must only grow, and latest.json must be
// the newest. Every case signs with the instance's own key (a thief of the
// checkpoint directory's write access, or a restore of an old copy of it),
// so signatures alone cannot tell.
func TestVerifyChecksEveryCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, super, _, copyStore := checkpointHistory(t)
	key, pub := testKey()
	hashAt := func(seq int64) []byte {
		var h []byte
		if err := super.QueryRow(ctx, `SELECT hash FROM audit_seals WHERE seq = $1`, seq).Scan(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	cut := func(after int64) func(context.Context, pgx.Tx) error {
		return sqls(`SET LOCAL session_replication_role = replica`,
			fmt.Sprintf(`DELETE FROM audit_events WHERE id IN (SELECT event_id FROM audit_seals WHERE seq > %d)`, after),
			fmt.Sprintf(`DELETE FROM audit_seals WHERE seq > %d`, after))
	}
	cases := []struct {
		name     string
		store    func(t *testing.T, store audit.DirStore, log string, lines []audit.Checkpoint)
		db       func(context.Context, pgx.Tx) error
		opt      audit.VerifyOptions
		want     []string // each in some problem; none: OK
		firstBad int64
	}{
		{name: "untouched"},
		{name: "latest.json rolled back to an older signed checkpoint",
			store: func(t *testing.T, s audit.DirStore, _ string, lines []audit.Checkpoint) { putLatest(t, s, lines[1]) },
			want:  []string{"latest.json is at position 20 but checkpoints-000000000000010.log line 3 is at 30: latest.json was rolled back"}},
		{name: "latest.json rolled back and the chain cut to match",
			store:    func(t *testing.T, s audit.DirStore, _ string, lines []audit.Checkpoint) { putLatest(t, s, lines[1]) },
			db:       cut(20),
			want:     []string{"was rolled back", "the chain ends at position 20 but a signed checkpoint (checkpoints-000000000000010.log line 3) covers 30: its tail was cut"},
			firstBad: 21},
		{name: "latest.json deleted",
			store: func(t *testing.T, s audit.DirStore, _ string, _ []audit.Checkpoint) {
				if err := os.Remove(filepath.Join(s.Dir, audit.LatestCheckpoint)); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"latest.json is missing while checkpoints-000000000000010.log line 3 covers position 30: it was deleted"}},
		{name: "latest.json deleted and the chain cut", db: cut(25),
			store: func(t *testing.T, s audit.DirStore, _ string, _ []audit.Checkpoint) {
				if err := os.Remove(filepath.Join(s.Dir, audit.LatestCheckpoint)); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"it was deleted", "its tail was cut"}, firstBad: 26},
		{name: "an older checkpoint's hash disagrees with the chain",
			store: func(t *testing.T, s audit.DirStore, log string, lines []audit.Checkpoint) {
				lines[1] = audit.SignCheckpoint(key, 20, hashAt(19), lines[1].Time)
				writeLog(t, log, lines...)
			},
			want: []string{"position 20: the chain differs from the signed checkpoint at this position (checkpoints-000000000000010.log line 2)"}, firstBad: 20},
		{name: "the chain rewritten below an older checkpoint, consistent with the newest",
			store: func(t *testing.T, s audit.DirStore, log string, lines []audit.Checkpoint) {
				// As if position 10 had held another hash when signed.
				lines[0] = audit.SignCheckpoint(key, 10, hashAt(9), lines[0].Time)
				writeLog(t, log, lines...)
			},
			want: []string{"position 10: the chain differs"}, firstBad: 10},
		{name: "positions going backwards in the log",
			store: func(t *testing.T, s audit.DirStore, log string, lines []audit.Checkpoint) {
				writeLog(t, log, lines[0], lines[2], lines[1])
			},
			want: []string{"the checkpoint log goes backwards: position 20 (checkpoints-000000000000010.log line 3) after position 30 (checkpoints-000000000000010.log line 2)"}},
		{name: "a lower position signed after a higher one",
			store: func(t *testing.T, s audit.DirStore, log string, lines []audit.Checkpoint) {
				late := audit.SignCheckpoint(key, 15, hashAt(15), lines[2].Time.Add(time.Hour))
				writeLog(t, log, lines[0], lines[1], lines[2])
				if err := s.Put(ctx, "checkpoint-000000000000015.json", must(json.Marshal(late))); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"positions went backwards: checkpoint-000000000000015.json signed position 15"}},
		{name: "an older checkpoint of the log re-signed by another key",
			store: func(t *testing.T, s audit.DirStore, log string, lines []audit.Checkpoint) {
				other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
				lines[0] = audit.SignCheckpoint(other, 10, hashAt(10), lines[0].Time)
				writeLog(t, log, lines...)
			},
			want: []string{"checkpoints-000000000000010.log line 1 (position 10): the checkpoint's signature does not verify"}},
		{name: "a malformed line in the log",
			store: func(t *testing.T, s audit.DirStore, log string, lines []audit.Checkpoint) {
				writeLog(t, log, lines...)
				f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
				f.WriteString("{garbage\n")
				f.Close()
			},
			want: []string{"checkpoints-000000000000010.log line 4: the checkpoint is malformed"}},
		// The whole store rolled back (latest.json and the log, as from an
		// old backup): what was sealed since is no longer covered.
		{name: "latest.json and the log both rolled back",
			store: func(t *testing.T, s audit.DirStore, log string, lines []audit.Checkpoint) {
				writeLog(t, log, lines[0])
				putLatest(t, s, lines[0])
			},
			opt:  audit.VerifyOptions{PendingGrace: time.Nanosecond},
			want: []string{"positions 11 to 30 were sealed more than 1ns ago but no checkpoint covers them"}, firstBad: 11},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			own := copyStore(t)
			log, lines := logLines(t, own)
			if c.store != nil {
				c.store(t, own, log, lines)
			}
			tx, err := super.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if c.db != nil {
				if err := c.db(ctx, tx); err != nil {
					t.Fatal(err)
				}
			}
			r, err := audit.Verify(ctx, tx, pub, own, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.want) == 0 {
				if !r.OK() || r.Checkpoints != 4 || r.Checkpoint == nil || r.Checkpoint.Seq != 30 {
					t.Fatalf("%d checkpoints, newest %+v, want 4 and 30; problems:%s", r.Checkpoints, r.Checkpoint, problems(r))
				}
				return
			}
			for _, w := range c.want {
				if !strings.Contains(problems(r), w) {
					t.Errorf("no problem says %q:%s", w, problems(r))
				}
			}
			if r.FirstBad() != c.firstBad {
				t.Errorf("first bad %d, want %d:%s", r.FirstBad(), c.firstBad, problems(r))
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// A sealer does not sign over a checkpoint store whose latest.json was
// rolled back or deleted (that would bury the evidence), and says so in
// Ready; it goes on once the store is whole again.
func TestSealerRefusesARolledBackStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	app, _, store, _ := checkpointHistory(t)
	key, _ := testKey()
	s := audit.NewSealer(app, key, store, audit.SealerConfig{}, discard)
	_, lines := logLines(t, store)
	whole, err := os.ReadFile(filepath.Join(store.Dir, audit.LatestCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		alter func(t *testing.T)
		want  string
	}{
		{"rolled back", func(t *testing.T) { putLatest(t, store, lines[0]) }, "latest.json is at position 10 but the checkpoint log goes on to position 30: it was rolled back"},
		{"deleted", func(t *testing.T) {
			if err := os.Remove(filepath.Join(store.Dir, audit.LatestCheckpoint)); err != nil {
				t.Fatal(err)
			}
		}, "latest.json is missing but the checkpoint log goes on to position 35: it was deleted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := fmt.Sprint(logged(t, store.Dir))
			c.alter(t)
			fill(t, app, 5)
			if _, err := s.Round(ctx); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("round over a %s latest.json: %v, want %q", c.name, err, c.want)
			}
			if err := s.Ready(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ready: %v, want %q", err, c.want)
			}
			if got := fmt.Sprint(logged(t, store.Dir)); got != before {
				t.Fatalf("checkpoints logged at %s, before %s: signed over the evidence", got, before)
			}
			if err := store.Put(ctx, audit.LatestCheckpoint, whole); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Round(ctx); err != nil || s.Ready() != nil {
				t.Fatalf("round once the store is whole: %v, ready: %v", err, s.Ready())
			}
			last := logged(t, store.Dir)
			whole, _ = os.ReadFile(filepath.Join(store.Dir, audit.LatestCheckpoint))
			if last[len(last)-1] <= 30 {
				t.Fatalf("checkpoints logged at %v: want the new head signed", last)
			}
		})
	}
}

// An instance whose checkpoints cannot be written is not ready, from the
// first failed write until one succeeds; the failing round is retried at
// the next one, without anything new to seal.
func TestReadinessFollowsCheckpointWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app, super := open(t, dbURL, postgres.AsAppRole()), open(t, dbURL)
	key, pub := testKey()
	parent := filepath.Join(t.TempDir(), "mount")
	store := audit.DirStore{Dir: filepath.Join(parent, "checkpoints")}
	s := audit.NewSealer(app, key, store, audit.SealerConfig{}, discard)
	if err := s.Ready(); err == nil {
		t.Fatal("ready before any checkpoint was attempted")
	}
	// The mount point is missing and a file stands in its place (no
	// permission bits: the tests may run as root).
	if err := os.WriteFile(parent, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fill(t, app, 3)
	if n, err := s.Round(ctx); n != 3 || err == nil {
		t.Fatalf("round into an unwritable store: sealed %d, %v; want 3 and an error", n, err)
	}
	if err := s.Ready(); err == nil || !strings.Contains(err.Error(), "checkpoint") {
		t.Fatalf("ready after a failed checkpoint: %v", err)
	}
	if n, err := s.Round(ctx); n != 0 || err == nil || s.Ready() == nil {
		t.Fatalf("second round, store still unwritable: %d, %v, ready %v", n, err, s.Ready())
	}
	if err := os.Remove(parent); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Round(ctx); n != 0 || err != nil {
		t.Fatalf("round once the store is back: %d, %v", n, err)
	}
	if err := s.Ready(); err != nil {
		t.Fatalf("not ready once a checkpoint was written: %v", err)
	}
	if r := verify(t, super, pub, store, audit.VerifyOptions{}); !r.OK() || r.Checkpoint == nil || r.Checkpoint.Seq != 3 {
		t.Fatalf("checkpoint %+v, problems:%s", r.Checkpoint, problems(r))
	}
}

// The log starts a new segment once the current one holds
// LogSegmentSize bytes (here: after every line), the segments' names sort
// in signing order, and Verify reads them all: a rollback across segments
// is caught.
func TestCheckpointLogSegments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app, super := open(t, dbURL, postgres.AsAppRole()), open(t, dbURL)
	key, pub := testKey()
	store := audit.DirStore{Dir: t.TempDir()}
	s := audit.NewSealer(app, key, store, audit.SealerConfig{LogSegmentSize: 1}, discard)
	for _, n := range []int{9, 1, 990} {
		fill(t, app, n)
		if _, err := s.Round(ctx); err != nil {
			t.Fatal(err)
		}
	}
	files, err := store.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	want := "[checkpoints-000000000000009.log checkpoints-000000000000010.log checkpoints-000000000001000.log latest.json]"
	if fmt.Sprint(names) != want {
		t.Fatalf("files %v, want %s", names, want)
	}
	if got := fmt.Sprint(logged(t, store.Dir)); got != "[9 10 1000]" {
		t.Fatalf("logged %s", got)
	}
	if r := verify(t, super, pub, store, audit.VerifyOptions{}); !r.OK() || r.Checkpoints != 4 {
		t.Fatalf("%d checkpoints, problems:%s", r.Checkpoints, problems(r))
	}
	// The newest segment removed and latest.json rolled back with it.
	if err := os.Remove(filepath.Join(store.Dir, "checkpoints-000000000001000.log")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(store.Dir, "checkpoints-000000000000010.log"))
	if err := store.Put(ctx, audit.LatestCheckpoint, bytes.TrimSpace(b)); err != nil {
		t.Fatal(err)
	}
	r := verify(t, super, pub, store, audit.VerifyOptions{PendingGrace: time.Nanosecond})
	if !strings.Contains(problems(r), "positions 11 to 1000 were sealed more than 1ns ago but no checkpoint covers them") {
		t.Fatalf("the lost segment went unnoticed:%s", problems(r))
	}
}
