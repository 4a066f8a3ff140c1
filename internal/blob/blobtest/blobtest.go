// Package blobtest gives tests a real S3 store: one MinIO server per test
// process, started on first use on a loopback port with a temporary data
// directory and random root credentials, and a new bucket for each test.
//
// Every package using blobtest calls Main from its TestMain, which stops
// the server:
//
//	func TestMain(m *testing.M) { blobtest.Main(m) }
//
// The server binary is $EGIDE_MINIO_BIN, else .cache/bin/minio under the
// module root (built by `make minio`), else minio on PATH. Without one,
// S3 tests skip, or fail when CI=true.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/testrig"
)

const (
	// EnvBin names the MinIO server binary to use.
	EnvBin = "EGIDE_MINIO_BIN"
	// Region of the test buckets.
	Region = "us-east-1"
	// dirPrefix names server directories in os.TempDir(), followed by the
	// owning test process's PID.
	dirPrefix = "egide-miniotest-"
	pidFile   = "minio.pid"
	logFile   = "minio.log"
)

// errNoBinary: no MinIO server binary was found.
var errNoBinary = errors.New("no MinIO server binary")

// shared is the server of this test process, set up once on first use;
// Main stops it.
var shared struct {
	once sync.Once
	main bool // Main is running the tests
	srv  *server
	err  error
}

type server struct {
	cmd       *exec.Cmd
	exited    chan struct{} // closed when cmd has been waited for
	dir       string
	lock      *os.File
	endpoint  string // 127.0.0.1:port
	accessKey string
	secretKey string
	admin     *minio.Client
}

// Main runs the tests of m, stops the MinIO server if one was started,
// and exits with the tests' status.
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
			fmt.Fprintf(os.Stderr, "blobtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// MinIO returns the configuration of a new, empty bucket on the test
// process's MinIO server, with the server's root credentials. The bucket
// and its objects are removed when the test ends.
func MinIO(t testing.TB) blob.S3Config {
	t.Helper()
	s := get(t)
	bucket := "egide-test-" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.admin.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: Region}); err != nil {
		t.Fatalf("blobtest: create bucket: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.admin.RemoveBucketWithOptions(ctx, bucket, minio.RemoveBucketOptions{ForceDelete: true}); err != nil {
			t.Errorf("blobtest: remove bucket %s: %v", bucket, err)
		}
	})
	return blob.S3Config{
		Endpoint:  s.endpoint,
		Region:    Region,
		Bucket:    bucket,
		AccessKey: s.accessKey,
		SecretKey: s.secretKey,
	}
}

// Binary returns the MinIO server binary that MinIO would run.
func Binary() (string, error) {
	if p := os.Getenv(EnvBin); p != "" {
		if err := executable(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBin, p, err)
		}
		return p, nil
	}
	var tried []string
	if root, err := moduleRoot(); err == nil {
		p := filepath.Join(root, ".cache", "bin", "minio")
		if executable(p) == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	tried = append(tried, "minio on PATH")
	return "", fmt.Errorf("%w (%s is unset; tried %s): build it with `make minio`", errNoBinary, EnvBin, strings.Join(tried, ", "))
}

func executable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", p)
	}
	return nil
}

// moduleRoot is the nearest directory above the working directory (a
// test's package directory) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// get returns the server, started on first use; it skips or fails t when
// none can be had.
func get(t testing.TB) *server {
	t.Helper()
	if !shared.main {
		t.Fatal("blobtest: call blobtest.Main(m) from this package's TestMain, so the MinIO server is stopped after the tests")
	}
	shared.once.Do(func() { shared.srv, shared.err = start() })
	if err := shared.err; err != nil {
		if !errors.Is(err, errNoBinary) {
			t.Fatalf("blobtest: %v", err)
		}
		msg := fmt.Sprintf("blobtest: %v", err)
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(msg + " (CI is set: S3 tests must run)")
		}
		t.Skip(msg)
	}
	return shared.srv
}

func start() (*server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	testrig.Reap(dirPrefix, func(dir string) error { killServer(dir); return nil })
	// A free port can be taken between our probe and MinIO's listen:
	// try again on another.
	for attempt := 1; ; attempt++ {
		s, err := startOnce(bin)
		if err == nil {
			return s, nil
		}
		if attempt == 3 || !strings.Contains(err.Error(), "port is already in use") {
			return nil, err
		}
	}
}

func startOnce(bin string) (s *server, err error) {
	s = &server{exited: make(chan struct{})}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.close())
		}
	}()
	if s.dir, s.lock, err = testrig.OwnedDir(dirPrefix); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.endpoint = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s.accessKey = "egide" + randomHex(8)
	s.secretKey = randomHex(20)
	logf, err := os.Create(filepath.Join(s.dir, logFile))
	if err != nil {
		return nil, err
	}
	defer logf.Close()

	s.cmd = exec.Command(bin, "server", "--quiet", "--address", s.endpoint, filepath.Join(s.dir, "data"))
	s.cmd.Env = append(childEnv(),
		"MINIO_ROOT_USER="+s.accessKey,
		"MINIO_ROOT_PASSWORD="+s.secretKey,
		"MINIO_BROWSER=off", // no console listening on another port
		"MINIO_UPDATE=off",
	)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // a ^C to go test is handled by Main, not MinIO
		Pdeathsig: syscall.SIGKILL, // dies with us; testrig.Reap covers the rest
	}
	if err := s.cmd.Start(); err != nil {
		s.cmd = nil
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	if err := os.WriteFile(filepath.Join(s.dir, pidFile), []byte(strconv.Itoa(s.cmd.Process.Pid)), 0o600); err != nil {
		return nil, err
	}
	if err := s.waitReady(60 * time.Second); err != nil {
		return nil, err
	}
	s.admin, err = minio.New(s.endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(s.accessKey, s.secretKey, ""),
		Region: Region,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// waitReady polls the liveness endpoint until it answers 200.
func (s *server) waitReady(timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	url := "http://" + s.endpoint + "/minio/health/live"
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("minio exited before it was ready (%v): %s", s.cmd.ProcessState, s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("minio not ready after %v: %s", timeout, s.logTail())
		}
	}
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, logFile))
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return string(bytes.TrimSpace(b))
}

func (s *server) close() error {
	var errs []error
	if s.cmd != nil {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(15 * time.Second):
				s.cmd.Process.Kill()
				<-s.exited
			}
		}
	}
	if s.dir != "" {
		errs = append(errs, os.RemoveAll(s.dir))
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}

// killServer kills the MinIO recorded in dir, if that PID still runs a
// command naming dir (not a process that reused the PID).
func killServer(dir string) {
	b, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil || pid <= 0 {
		return
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil || !bytes.Contains(cmdline, []byte(dir)) {
		return
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// childEnv drops MINIO_* and AWS_* variables, which would change the
// server's settings.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MINIO_") && !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
