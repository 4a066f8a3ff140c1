// Package pgcluster runs a private PostgreSQL cluster from the server
// binaries installed on the machine: for `egide dev`, whose data persists
// in a directory across runs, and for the test rig.
//
// Layout of Options.Dir:
//
//	data/          the cluster (PGDATA)
//	password       password of the superuser "egide" (0600)
//	postgres.log   server log
//	.s.PGSQL.*     unix socket, so it never collides with a system server
package pgcluster

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoServerBinaries means initdb/pg_ctl/postgres are not installed.
var ErrNoServerBinaries = errors.New("pgcluster: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")

// ErrAlreadyRunning means a server already serves the cluster directory,
// e.g. a second `egide dev`.
var ErrAlreadyRunning = errors.New("pgcluster: a server is already running in this directory")

const (
	// Superuser is the role initdb creates; URL connects as it.
	Superuser = "egide"

	dataSubdir   = "data"
	passwordFile = "password"
	logFile      = "postgres.log"
	// confFile holds the settings rewritten at each start; postgresql.conf
	// includes it, so initdb's defaults stay untouched.
	confFile = "egide.conf"

	// maxSocketPath is sun_path's capacity minus the terminating NUL.
	maxSocketPath = 107
	stopTimeout   = 60 * time.Second
	pingTimeout   = 30 * time.Second
)

// Options configures Start.
type Options struct {
	// Dir holds the cluster; created if missing, reused if it holds one.
	Dir string
	// Port on 127.0.0.1. 0 reuses the port recorded in Dir when it is
	// free, else picks a free one.
	Port int
	// Fast turns off fsync, synchronous_commit and full_page_writes (and
	// tunes for parallel tests). For tests only: a crash can lose or
	// corrupt data.
	Fast bool
	// Logger receives lifecycle events; nil discards them.
	Logger *slog.Logger
}

// Cluster is a running server. Its methods are safe for concurrent use.
type Cluster struct {
	dir      string
	data     string
	bin      string
	port     int
	password string
	// cred runs the server binaries as an unprivileged user when this
	// process is root (initdb and postgres refuse root); nil otherwise.
	cred *syscall.Credential
	log  *slog.Logger
}

// Start runs the cluster in opts.Dir, creating it on first use, and
// returns once it accepts connections. The server keeps running after
// this process exits; call Stop.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgcluster: Options.Dir is empty")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c := &Cluster{dir: dir, data: filepath.Join(dir, dataSubdir), log: opts.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}

	version, err := os.ReadFile(filepath.Join(c.data, "PG_VERSION"))
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if c.bin, err = findBinaries(strings.TrimSpace(string(version)), defaultLibDir); err != nil {
		return nil, err
	}
	if err := c.prepareDir(exists); err != nil {
		return nil, err
	}
	if err := c.clearStale(ctx); err != nil {
		return nil, err
	}
	if exists {
		pw, err := os.ReadFile(filepath.Join(dir, passwordFile))
		if err != nil {
			return nil, fmt.Errorf("pgcluster: read the password of the existing cluster: %w", err)
		}
		c.password = strings.TrimSpace(string(pw))
	} else if err := c.initdb(ctx, opts.Fast); err != nil {
		return nil, err
	}

	started := time.Now()
	if err := c.start(ctx, opts); err != nil {
		return nil, err
	}
	if err := c.ping(ctx); err != nil {
		return nil, errors.Join(err, c.Stop(context.WithoutCancel(ctx)))
	}
	c.log.Info("postgres started", "dir", dir, "port", c.port, "took", time.Since(started).Round(time.Millisecond))
	return c, nil
}

// URL is a pgx URL of the maintenance database "postgres".
func (c *Cluster) URL() string { return c.URLFor("postgres") }

// URLFor is a pgx URL of database db on this cluster.
func (c *Cluster) URLFor(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(Superuser, c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop shuts the server down (fast mode: sessions are disconnected,
// nothing is lost). Stopping a stopped cluster does nothing. Pass a
// context that is not already cancelled, even on shutdown.
func (c *Cluster) Stop(ctx context.Context) error {
	pm, err := postmasterPID(filepath.Join(c.data, "postmaster.pid"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if pids, ok := serverPIDs(c.data); ok && !slices.Contains(pids, pm) {
		return nil // killed: pg_ctl would wait for a zombie
	}
	out, err := c.command(ctx, "pg_ctl", "stop", "-D", c.data, "-m", "fast", "-w",
		"-t", strconv.Itoa(int(stopTimeout/time.Second)), "-s").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgcluster: pg_ctl stop: %w: %s", err, bytesTrim(out))
	}
	c.log.Info("postgres stopped", "dir", c.dir)
	return nil
}

// prepareDir creates Dir and, as root, picks the user that runs the server
// and hands Dir to it.
func (c *Cluster) prepareDir(exists bool) error {
	// Parents must stay traversable by the server's user: not 0700 as
	// MkdirAll(dir, 0o700) would make them.
	if err := os.MkdirAll(filepath.Dir(c.dir), 0o755); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := os.Mkdir(c.dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if os.Geteuid() != 0 {
		return nil
	}
	acct, err := serverAccount(c.data, exists)
	if err != nil {
		return err
	}
	if err := checkReachable(c.dir, acct); err != nil {
		return err
	}
	c.cred = &syscall.Credential{Uid: acct.uid, Gid: acct.gid}
	c.log.Debug("running postgres as an unprivileged user", "user", acct.name, "uid", acct.uid)
	for _, p := range []string{c.dir, filepath.Join(c.dir, passwordFile), filepath.Join(c.dir, logFile)} {
		if err := os.Chown(p, int(acct.uid), int(acct.gid)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("pgcluster: hand %s to %s: %w", p, acct.name, err)
		}
	}
	return nil
}

func (c *Cluster) initdb(ctx context.Context, fast bool) error {
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	c.password = hex.EncodeToString(buf)
	pwPath := filepath.Join(c.dir, passwordFile)
	if err := c.writeFile(pwPath, c.password+"\n"); err != nil {
		return err
	}
	args := []string{"-D", c.data, "-U", Superuser, "--auth=scram-sha-256", "--pwfile=" + pwPath,
		"--encoding=UTF8", "--no-instructions"}
	if fast {
		args = append(args, "--no-sync")
	}
	started := time.Now()
	out, err := c.command(ctx, "initdb", append(args, "--locale=C.UTF-8")...).CombinedOutput()
	if err != nil {
		// Some systems lack the C.UTF-8 locale.
		c.log.Warn("initdb with locale C.UTF-8 failed, retrying with C", "output", bytesTrim(out))
		if out, err = c.command(ctx, "initdb", append(args, "--locale=C")...).CombinedOutput(); err != nil {
			return fmt.Errorf("pgcluster: initdb: %w: %s", err, bytesTrim(out))
		}
	}
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	_, err = fmt.Fprintf(f, "\n# Settings of egide's private cluster, rewritten at each start.\ninclude_if_exists = '%s'\n", confFile)
	if err := errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("pgcluster: append to postgresql.conf: %w", err)
	}
	c.log.Info("postgres cluster created", "dir", c.dir, "took", time.Since(started).Round(time.Millisecond))
	return nil
}

// start runs pg_ctl start, choosing another port if an automatically
// chosen one was taken meanwhile.
func (c *Cluster) start(ctx context.Context, opts Options) error {
	recorded := c.recordedPort()
	logPath := filepath.Join(c.dir, logFile)
	for attempt := 1; ; attempt++ {
		port, auto := opts.Port, opts.Port == 0
		if auto {
			if recorded != 0 && portFree(recorded) {
				port = recorded
			} else {
				var err error
				if port, err = freePort(); err != nil {
					return err
				}
			}
			recorded = 0
		}
		if err := c.writeConf(port, opts.Fast); err != nil {
			return err
		}
		offset := fileSize(logPath)
		if offset == 0 {
			// pg_ctl's shell appends to it as the server's user.
			if err := c.writeFile(logPath, ""); err != nil {
				return err
			}
		}
		out, err := c.command(ctx, "pg_ctl", "start", "-D", c.data, "-l", logPath, "-w",
			"-t", strconv.Itoa(waitSeconds(ctx)), "-s").CombinedOutput()
		if err == nil {
			c.port = port
			return nil
		}
		tail := logSince(logPath, offset)
		if auto && attempt < 3 && strings.Contains(tail, "Address already in use") {
			c.log.Debug("port taken meanwhile, trying another", "port", port)
			continue
		}
		return fmt.Errorf("pgcluster: pg_ctl start (port %d): %w: %s\n%s:\n%s", port, err, bytesTrim(out), logPath, tail)
	}
}

func (c *Cluster) writeConf(port int, fast bool) error {
	var b strings.Builder
	b.WriteString("# Written by egide (pgcluster) at each start: edits are lost.\n")
	b.WriteString("listen_addresses = '127.0.0.1'\n")
	fmt.Fprintf(&b, "port = %d\n", port)
	sockets := c.dir
	if len(filepath.Join(c.dir, ".s.PGSQL.65535")) > maxSocketPath {
		sockets = "" // too long for a socket path: TCP only
	}
	fmt.Fprintf(&b, "unix_socket_directories = %s\n", confQuote(sockets))
	onOff := map[bool]string{true: "off", false: "on"}[fast]
	for _, k := range []string{"fsync", "synchronous_commit", "full_page_writes"} {
		fmt.Fprintf(&b, "%s = %s\n", k, onOff)
	}
	if fast {
		// Parallel tests each open a pool; a fresh cluster has no WAL
		// segments to recycle, and zero-filling new ones slows every
		// CREATE DATABASE.
		b.WriteString("max_connections = 300\nwal_init_zero = off\n")
	}
	return c.writeFile(filepath.Join(c.data, confFile), b.String())
}

// recordedPort is the port of the previous run, 0 if none.
func (c *Cluster) recordedPort() int {
	f, err := os.Open(filepath.Join(c.data, confFile))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "port = "); ok {
			p, _ := strconv.Atoi(v)
			return p
		}
	}
	return 0
}

// ping waits until the superuser can log in over TCP: pg_ctl -w only
// tells that the postmaster is ready.
func (c *Cluster) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.URL())
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(context.WithoutCancel(ctx))
			if err == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: server started but does not accept connections: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// command runs a server binary, as the unprivileged user when root.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	cmd.Env = childEnv()
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// writeFile writes a 0600 file the server's user owns.
func (c *Cluster) writeFile(path, content string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if c.cred != nil {
		if err := os.Chown(path, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	return nil
}

// childEnv drops PG* variables (PGDATA, PGPORT…): they would override the
// private cluster's settings.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitSeconds is pg_ctl's -t: the context's remaining time, else a minute.
func waitSeconds(ctx context.Context) int {
	if d, ok := ctx.Deadline(); ok {
		return max(1, int(time.Until(d).Seconds()))
	}
	return 60
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// logSince returns what the server logged after offset, at most the last 4 KiB.
func logSince(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if size := fileSize(path); size-offset > 4096 {
		offset = size - 4096
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(f)
	return strings.TrimSpace(string(b))
}

// confQuote quotes a postgresql.conf string value.
func confQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func bytesTrim(b []byte) string { return strings.TrimSpace(string(b)) }
