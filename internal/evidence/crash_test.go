package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/blob/blobtest"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

// The crash tests kill a real process (this test binary, run again as a
// helper) at each point of an upload with SIGKILL, then "restart": a new
// pool, store and Service on the same database and store, as a new
// server process would have.

// envCrashJob carries the helper process's job, as JSON.
const envCrashJob = "EGIDE_TEST_CRASH_JOB"

// crashSize is over blob.S3PartSize, so S3 uploads go multipart and a
// kill mid-stream leaves parts behind.
const crashSize = blob.S3PartSize + 4<<20

// crashPoints: before the object is stored, while it streams, after it
// is stored but before the record commits, after the commit.
var crashPoints = []string{"before-put", "mid-stream", "after-put", "after-commit"}

type crashJob struct {
	DatabaseURL string
	KeyRing     string
	FSDir       string         `json:",omitempty"`
	S3          *blob.S3Config `json:",omitempty"`
	Actor       actor.Actor
	EvidenceID  uuid.UUID
	Seed        uint64
	Size        int64
	Point       string
}

// genReader is size deterministic pseudo-random bytes, never held in memory.
type genReader struct {
	rng  *rand.ChaCha8
	left int64
}

func gen(seed uint64, size int64) *genReader {
	var s [32]byte
	s[0], s[1] = byte(seed), byte(seed>>8)
	copy(s[8:], "egide-evidence-test")
	return &genReader{rng: rand.NewChaCha8(s), left: size}
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, _ := g.rng.Read(p)
	g.left -= int64(n)
	return n, nil
}

func genSum(t testing.TB, seed uint64, size int64) string {
	h := sha256.New()
	if _, err := io.Copy(h, gen(seed, size)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// killAfter kills the process once more than n bytes were read.
type killAfter struct {
	r    io.Reader
	n    int64
	kill func()
}

func (k *killAfter) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	if k.n -= int64(n); k.n < 0 {
		k.kill()
	}
	return n, err
}

func killSelf() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // until the signal lands
}

// TestCrashHelper is the helper process: it uploads and is killed at the
// job's point. It does nothing in a normal run.
func TestCrashHelper(t *testing.T) {
	spec := os.Getenv(envCrashJob)
	if spec == "" {
		t.Skip("helper process of TestCrashRestart")
	}
	var job crashJob
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pool, kr, store := openVault(t, job)
	az, err := authz.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	svc := evidence.NewService(az, pool, kr, store, evidence.Config{})
	evidence.SetCrashHook(svc, func(point string) {
		if point == job.Point {
			killSelf()
		}
	})
	body := io.Reader(gen(job.Seed, job.Size))
	if job.Point == "mid-stream" {
		body = &killAfter{r: body, n: blob.S3PartSize + 1<<20, kill: killSelf}
	}
	_, err = svc.Upload(ctx, job.Actor, job.EvidenceID, body, job.Size, "")
	t.Fatalf("not killed at %s; upload returned %v", job.Point, err)
}

// openVault opens what a (re)started server opens.
func openVault(t *testing.T, job crashJob) (*pgxpool.Pool, *crypto.KeyRing, blob.Store) {
	t.Helper()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, job.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	kr, err := crypto.ParseKeyRing(job.KeyRing)
	if err != nil {
		t.Fatal(err)
	}
	var store blob.Store
	if job.S3 != nil {
		store, err = blob.NewS3Store(ctx, *job.S3)
	} else {
		store, err = blob.NewFSStore(job.FSDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return pool, kr, store
}

func TestCrashRestart(t *testing.T) {
	if os.Getenv(envCrashJob) != "" {
		t.Skip("in the helper process")
	}
	t.Parallel()
	for _, backend := range []string{"fs", "s3"} {
		for i, point := range crashPoints {
			t.Run(backend+"/"+point, func(t *testing.T) {
				t.Parallel()
				crashRestart(t, backend, point, uint64(i+1))
			})
		}
	}
}

func crashRestart(t *testing.T, backend, point string, seed uint64) {
	ctx := context.Background()
	spec, err := crypto.GenerateKeySpec(1)
	if err != nil {
		t.Fatal(err)
	}
	job := crashJob{DatabaseURL: pgtest.NewURL(t), KeyRing: spec, Seed: seed, Size: crashSize, Point: point}
	if backend == "s3" {
		cfg := blobtest.MinIO(t)
		job.S3 = &cfg
	} else {
		job.FSDir = t.TempDir()
	}

	// Before the crash: one stored file, which nothing may lose, and the
	// record whose upload dies.
	pool, kr, store := openVault(t, job)
	org := testfixture.Org(t, pool)
	job.Actor = testfixture.User(t, pool, org, actor.LegalStaff)
	d := testfixture.Dossier(t, pool, org)
	svc := evidence.NewService(testfixture.Authorizer(t, pool), pool, kr, store, evidence.Config{})
	create := func(svc *evidence.Service) evidence.Evidence {
		e, err := svc.Create(ctx, job.Actor, evidence.CreateInput{DossierID: d, Kind: evidence.KindOther, Title: "Pièce",
			IdempotencyKey: uuid.NewString()})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	owned := create(svc)
	if owned, err = svc.Upload(ctx, job.Actor, owned.ID, gen(100, 300<<10), 300<<10, ""); err != nil {
		t.Fatal(err)
	}
	job.EvidenceID = create(svc).ID
	pool.Close()

	// The crash.
	b, _ := json.Marshal(job)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envCrashJob+"="+string(b))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("helper: want it killed, got %v\n%s", err, out.String())
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("helper: want SIGKILL at %s, got %v\n%s", point, err, out.String())
	}

	// The restart.
	pool, kr, store = openVault(t, job)
	svc = evidence.NewService(testfixture.Authorizer(t, pool), pool, kr, store, evidence.Config{GCGrace: time.Minute})
	evidence.SetClock(svc, func() time.Time { return time.Now().Add(time.Hour) }) // every orphan is past the grace

	wantStored := 1
	if point == "after-commit" {
		wantStored = 2
	}
	orphans := checkInvariants(t, pool, svc, store, wantStored)
	wantOrphans := 0
	if point == "after-put" {
		wantOrphans = 1
		var uploadKey string
		if err := pool.QueryRow(ctx, `SELECT upload_key FROM evidence WHERE id = $1`, job.EvidenceID).Scan(&uploadKey); err != nil {
			t.Fatal(err)
		}
		if len(orphans) != 1 || orphans[0] != uploadKey {
			t.Fatalf("orphans %v, want the interrupted upload's object %s", orphans, uploadKey)
		}
	}
	if len(orphans) != wantOrphans {
		t.Fatalf("after a crash at %s: %d orphans %v, want %d", point, len(orphans), orphans, wantOrphans)
	}
	if backend == "fs" && point == "mid-stream" {
		// The half-written temporary file is there, invisible to List,
		// removed by NewFSStore once stale.
		tmp, _ := filepath.Glob(filepath.Join(job.FSDir, ".tmp", "put-*"))
		if len(tmp) != 1 {
			t.Errorf("want the killed Put's temporary file, got %v", tmp)
		}
	}

	n, err := svc.CollectGarbage(ctx)
	if err != nil || n != wantOrphans {
		t.Fatalf("collector: removed %d, %v; want %d", n, err, wantOrphans)
	}
	if left := checkInvariants(t, pool, svc, store, wantStored); len(left) != 0 {
		t.Fatalf("orphans left by the collector: %v", left)
	}

	// A retry of the upload succeeds (or, after the commit, answers the
	// stored record).
	e, err := svc.Upload(ctx, job.Actor, job.EvidenceID, gen(seed, crashSize), crashSize, "")
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if want := genSum(t, seed, crashSize); e.Status != evidence.StatusStored || e.SHA256 == nil || *e.SHA256 != want {
		t.Fatalf("retry: status %s, sha256 %v, want %s", e.Status, e.SHA256, want)
	}
	if left := checkInvariants(t, pool, svc, store, 2); len(left) != 0 {
		t.Fatalf("orphans after the retry: %v", left)
	}
	_, body, err := svc.Download(ctx, job.Actor, owned.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, body); err != nil || hex.EncodeToString(h.Sum(nil)) != *owned.SHA256 {
		t.Fatalf("the file stored before the crash: %v", err)
	}
}

// checkInvariants checks that every stored record's object exists and
// decrypts to its SHA-256, that no pending record points to an object,
// and returns the objects no record owns.
func checkInvariants(t *testing.T, pool *pgxpool.Pool, svc *evidence.Service, store blob.Store, wantStored int) []string {
	t.Helper()
	ctx := context.Background()
	var stored, pendingWithObject int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'stored'),
		count(*) FILTER (WHERE status = 'pending' AND object_key IS NOT NULL) FROM evidence`).Scan(&stored, &pendingWithObject); err != nil {
		t.Fatal(err)
	}
	if stored != wantStored || pendingWithObject != 0 {
		t.Fatalf("%d stored records (want %d), %d pending records with an object (want 0)", stored, wantStored, pendingWithObject)
	}
	checked := 0
	failed, err := svc.Verify(ctx, func(id uuid.UUID, ok bool, err error) {
		checked++
		if !ok {
			t.Errorf("stored evidence %s: %v", id, err)
		}
	})
	if err != nil || failed != 0 || checked != wantStored {
		t.Fatalf("verify: %d checked, %d failed, %v", checked, failed, err)
	}
	owned := map[string]bool{}
	rows, err := pool.Query(ctx, `SELECT object_key FROM evidence WHERE object_key IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		owned[k] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var orphans []string
	if err := store.List(ctx, "evidence/", func(i blob.Info) error {
		if !owned[i.Key] {
			orphans = append(orphans, i.Key)
		}
		delete(owned, i.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(owned) != 0 {
		t.Fatalf("records point to missing objects: %v", owned)
	}
	return orphans
}
