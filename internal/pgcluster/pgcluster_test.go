package pgcluster

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// clusterDir returns a fresh directory the server's user can reach: as
// root, t.TempDir() sits in a 0700 directory that user cannot traverse.
func clusterDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func start(t *testing.T, dir string, fast bool) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{Dir: dir, Fast: fast, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if errors.Is(err, ErrNoServerBinaries) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return c
}

func connect(t *testing.T, c *Cluster) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), c.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestStartStopRestartKeepsData(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	c := start(t, dir, true)
	conn := connect(t, c)
	if _, err := conn.Exec(t.Context(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('hello')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(t.Context())
	if err := c.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(t.Context()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	if os.Geteuid() == 0 {
		fi, err := os.Stat(filepath.Join(dir, "data"))
		if err != nil {
			t.Fatal(err)
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid == 0 {
			t.Fatal("data directory owned by root: the server ran as root")
		}
	}

	c2 := start(t, dir, true)
	if c2.URL() != c.URL() {
		t.Errorf("restart changed the URL (port or password): %s then %s", c.URL(), c2.URL())
	}
	var v string
	if err := connect(t, c2).QueryRow(t.Context(), "SELECT v FROM kept").Scan(&v); err != nil || v != "hello" {
		t.Fatalf("data after restart: %q, %v", v, err)
	}
}

func TestStartAfterKill(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	// Not Fast: with synchronous_commit off, the kill may lose the commit.
	c := start(t, dir, false)
	if _, err := connect(t, c).Exec(t.Context(), "CREATE TABLE survived ()"); err != nil {
		t.Fatal(err)
	}
	pid, err := postmasterPID(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The signal is asynchronous: until the postmaster is gone, it runs.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		pids, _ := serverPIDs(filepath.Join(dir, "data"))
		if !slices.Contains(pids, pid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("postmaster survived SIGKILL")
		}
	}

	c2 := start(t, dir, false)
	var n int
	if err := connect(t, c2).QueryRow(t.Context(), "SELECT count(*) FROM pg_tables WHERE tablename = 'survived'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("table after kill and restart: %d, %v", n, err)
	}
}

func TestStartTwiceFails(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	start(t, dir, true)
	_, err := Start(t.Context(), Options{Dir: dir})
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Start: got %v, want ErrAlreadyRunning", err)
	}
}

func TestExplicitPort(t *testing.T) {
	t.Parallel()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Start(t.Context(), Options{Dir: clusterDir(t), Port: port, Fast: true})
	if errors.Is(err, ErrNoServerBinaries) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop(context.Background())
	if c.port != port {
		t.Fatalf("port %d, want %d", c.port, port)
	}
	if _, err := pgx.Connect(t.Context(), c.URLFor("template1")); err != nil {
		t.Fatal(err)
	}
}

func TestUnreachableDirAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another user")
	}
	t.Parallel()
	parent := clusterDir(t)
	if err := os.Chmod(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Start(t.Context(), Options{Dir: filepath.Join(parent, "pg")})
	if errors.Is(err, ErrNoServerBinaries) {
		t.Skip(err)
	}
	if err == nil {
		t.Fatal("Start succeeded in a directory the server's user cannot reach")
	}
	t.Log(err)
}

func TestFindBinaries(t *testing.T) {
	lib := t.TempDir()
	for _, v := range []string{"9.6", "13", "16", "notaversion"} {
		bin := filepath.Join(lib, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
			if err := os.WriteFile(filepath.Join(bin, name), nil, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("PATH", t.TempDir())

	for version, want := range map[string]string{"": "16", "13": "13", "12": "16"} {
		got, err := findBinaries(version, lib)
		if err != nil || got != filepath.Join(lib, want, "bin") {
			t.Errorf("findBinaries(%q) = %s, %v; want version %s", version, got, err, want)
		}
	}
	if _, err := findBinaries("", t.TempDir()); !errors.Is(err, ErrNoServerBinaries) {
		t.Errorf("without binaries: %v, want ErrNoServerBinaries", err)
	}
}

func TestConfQuote(t *testing.T) {
	if got := confQuote(`/a'b\c`); got != `'/a''b\\c'` {
		t.Fatal(got)
	}
	if strconv.Quote(confQuote("")) != `"''"` {
		t.Fatal("empty")
	}
}

func TestRecordedPortTakenPicksAnother(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	c := start(t, dir, true)
	if err := c.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c2 := start(t, dir, true)
	if c2.port == c.port {
		t.Fatalf("reused port %d though it is taken", c.port)
	}
	connect(t, c2)
}
