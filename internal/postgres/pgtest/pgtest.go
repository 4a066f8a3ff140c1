// Package pgtest gives each test its own freshly migrated PostgreSQL
// database, cloned from a template database so it costs milliseconds.
//
// The server is TEST_DATABASE_URL when set (a postgres:// URL of a role
// that may create databases), else a private cluster that the test
// process starts on first use. Every package using pgtest calls Main from
// its TestMain, which stops that cluster:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without a server, DB tests skip, or fail when CI=true.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/pgcluster"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/testrig"
	"github.com/egide/egide/migrations"
)

const (
	envURL = "TEST_DATABASE_URL"
	// templateLock serialises template creation among the test processes
	// sharing a server (go test runs packages in parallel).
	templateLock int64 = 0x65676964655f7470 // "egide_tp"
	// clusterPrefix names private cluster directories in os.TempDir(),
	// followed by the owning test process's PID.
	clusterPrefix = "egide-pgtest-"
)

// shared is the server of this test process: every test in the binary
// uses it, so it is package-level. Set up once on first use; Main tears
// it down.
var shared struct {
	once sync.Once
	main bool // Main is running the tests
	srv  *server
	err  error
}

type server struct {
	admin    *pgxpool.Pool // maintenance database: creates and drops test databases
	adminURL string
	template string
	cluster  *pgcluster.Cluster // nil with TEST_DATABASE_URL
	dir      string             // of cluster
	lock     *os.File           // flocked while this process owns dir
}

// Main runs the tests of m, stops the private cluster if this process
// started one, and exits with the tests' status.
func Main(m *testing.M) { os.Exit(Run(m.Run)) }

// Run is Main for a package that uses several rigs: it runs run (m.Run, or
// another rig's Run around it), tears down as Main does and returns the
// exit code instead of exiting, e.g.
//
//	os.Exit(pgtest.Run(func() int { return blobtest.Run(m.Run) }))
func Run(run func() int) int {
	shared.main = true
	code := run()
	if s := shared.srv; s != nil {
		if err := s.close(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// New returns a pool on a new database with every migration applied; the
// pool is closed and the database dropped when the test ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dbURL := NewURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close) // runs before NewURL's drop
	return pool
}

// NewURL is New for tests that connect by themselves (e.g. booting the
// whole program): the URL of a new migrated database, dropped when the
// test ends.
func NewURL(t testing.TB) string {
	t.Helper()
	s := get(t)
	name := "egide_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(s.template)); err != nil {
		t.Fatalf("pgtest: create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE: a connection the test leaked must not leak the database.
		if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop test database %s: %v", name, err)
		}
	})
	u, _ := dbURL(s.adminURL, name) // adminURL was validated by setup
	return u
}

// get returns the server, set up on first use; it skips or fails t when
// none can be had.
func get(t testing.TB) *server {
	t.Helper()
	if !shared.main {
		t.Fatal("pgtest: call pgtest.Main(m) from this package's TestMain, so the private PostgreSQL cluster is stopped after the tests")
	}
	shared.once.Do(func() { shared.srv, shared.err = setup() })
	if shared.err != nil {
		unusable(t, shared.err)
	}
	return shared.srv
}

// unusable ends t for want of a server: a skip when PostgreSQL is not
// installed, unless under CI, where a skip would hide untested code.
func unusable(t testing.TB, err error) {
	t.Helper()
	if !errors.Is(err, pgcluster.ErrNoServerBinaries) {
		t.Fatalf("pgtest: %v", err)
		return
	}
	msg := fmt.Sprintf("pgtest: no PostgreSQL: %s is unset and %v", envURL, err)
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal(msg + " (CI is set: DB tests must run)")
		return
	}
	t.Skip(msg)
}

func setup() (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := &server{adminURL: os.Getenv(envURL)}
	if s.adminURL == "" {
		if err := s.startCluster(ctx); err != nil {
			return nil, errors.Join(err, s.close())
		}
	}
	if _, err := dbURL(s.adminURL, "x"); err != nil {
		return nil, errors.Join(err, s.close())
	}
	var err error
	if s.admin, err = pgxpool.New(ctx, s.adminURL); err == nil {
		err = s.admin.Ping(ctx)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("connect to %s: %w", redact(s.adminURL), err), s.close())
	}
	if s.template, err = ensureTemplate(ctx, s.adminURL); err != nil {
		return nil, errors.Join(err, s.close())
	}
	return s, nil
}

// startCluster starts the private cluster in a new directory, first
// reaping those of test processes that died without running Main.
func (s *server) startCluster(ctx context.Context) error {
	testrig.Reap(clusterPrefix, pgcluster.Kill)
	dir, lock, err := testrig.OwnedDir(clusterPrefix)
	s.dir, s.lock = dir, lock
	if err != nil {
		return err
	}
	s.cluster, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Fast: true})
	if err != nil {
		return err
	}
	s.adminURL = s.cluster.URL()
	return nil
}

func (s *server) close() error {
	if s.admin != nil {
		s.admin.Close()
	}
	var errs []error
	if s.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		errs = append(errs, s.cluster.Stop(ctx))
	}
	if s.dir != "" {
		errs = append(errs, os.RemoveAll(s.dir))
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}

// ensureTemplate creates, unless it exists, the template database of the
// current migrations, named from their hash so a changed migration gets a
// new one.
func ensureTemplate(ctx context.Context, adminURL string) (string, error) {
	name, err := templateName()
	if err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", redact(adminURL), err)
	}
	// Closing the session releases the advisory lock.
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return "", fmt.Errorf("lock template creation: %w", err)
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look for the template: %w", err)
	}
	if exists {
		return name, nil
	}
	// Built under another name and renamed when complete, so a run that
	// dies half-way never leaves a half-migrated template.
	build := name + "_build"
	for _, sql := range []string{
		"DROP DATABASE IF EXISTS " + ident(build) + " WITH (FORCE)",
		"CREATE DATABASE " + ident(build),
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return "", fmt.Errorf("build template: %w", err)
		}
	}
	buildURL, _ := dbURL(adminURL, build)
	if err := postgres.MigrateURL(ctx, buildURL); err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	// ALLOW_CONNECTIONS false: CREATE DATABASE … TEMPLATE fails while
	// anyone is connected to the template, so nobody may be.
	for _, sql := range []string{
		"ALTER DATABASE " + ident(build) + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
		"ALTER DATABASE " + ident(build) + " RENAME TO " + ident(name),
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return "", fmt.Errorf("finish template: %w", err)
		}
	}
	return name, nil
}

// templateName is egide_tpl_ and the start of the migrations' SHA-256.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return "egide_tpl_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// dbURL is base with its database replaced by db.
func dbURL(base, db string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL", envURL)
	}
	u.Path, u.RawPath = "/"+db, ""
	return u.String(), nil
}

func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return envURL
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
