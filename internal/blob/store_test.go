package blob_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/blob/blobtest"
)

func TestMain(m *testing.M) { blobtest.Main(m) }

const MiB = 1 << 20

// storeCase is one Store implementation under the contract tests.
type storeCase struct {
	name string
	// open returns a new, empty store, and checks that a failed Put on key
	// left nothing behind besides (no temporary file, no upload).
	open func(t *testing.T) (s blob.Store, noLeftovers func(t *testing.T, key string))
}

var stores = []storeCase{
	{"fs", func(t *testing.T) (blob.Store, func(*testing.T, string)) {
		dir := t.TempDir()
		s, err := blob.NewFSStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		return s, func(t *testing.T, key string) {
			t.Helper()
			entries, err := os.ReadDir(filepath.Join(dir, ".tmp"))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) > 0 {
				t.Errorf("temporary files left: %v", entries)
			}
		}
	}},
	{"s3", func(t *testing.T) (blob.Store, func(*testing.T, string)) {
		cfg := blobtest.MinIO(t)
		s, err := blob.NewS3Store(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s, func(t *testing.T, key string) {
			t.Helper()
			c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Region: cfg.Region})
			if err != nil {
				t.Fatal(err)
			}
			for u := range c.ListIncompleteUploads(t.Context(), cfg.Bucket, key, true) {
				if u.Err != nil {
					t.Fatal(u.Err)
				}
				t.Errorf("incomplete multipart upload left: %+v", u)
			}
		}
	}},
}

// forEachStore runs test against a new empty store of each kind.
func forEachStore(t *testing.T, test func(t *testing.T, s blob.Store, noLeftovers func(*testing.T, string))) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			s, noLeftovers := sc.open(t)
			test(t, s, noLeftovers)
		})
	}
}

// gen is a reproducible stream of n pseudo-random bytes, made as it is
// read: no buffer holds the object.
type gen struct {
	rng       *rand.ChaCha8
	remaining int64
}

func newGen(seed byte, n int64) *gen {
	return &gen{rng: rand.NewChaCha8([32]byte{seed}), remaining: n}
}

func (g *gen) Read(p []byte) (int, error) {
	if g.remaining == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.remaining {
		p = p[:g.remaining]
	}
	n, _ := g.rng.Read(p)
	g.remaining -= int64(n)
	return n, nil
}

// digest is the SHA-256 of gen(seed, n).
func digest(t *testing.T, seed byte, n int64) [32]byte {
	t.Helper()
	return hashOf(t, newGen(seed, n))
}

func hashOf(t *testing.T, r io.Reader) [32]byte {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

func put(t *testing.T, s blob.Store, key string, seed byte, n int64) {
	t.Helper()
	if err := s.Put(t.Context(), key, newGen(seed, n), n); err != nil {
		t.Fatalf("Put(%s, %d B): %v", key, n, err)
	}
}

// checkContent fails unless key holds gen(seed, n).
func checkContent(t *testing.T, s blob.Store, key string, seed byte, n int64) {
	t.Helper()
	rc, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	defer rc.Close()
	if got, want := hashOf(t, rc), digest(t, seed, n); got != want {
		t.Errorf("Get(%s): content differs from what was put (%d B)", key, n)
	}
	info, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat(%s): %v", key, err)
	}
	if info.Key != key || info.Size != n {
		t.Errorf("Stat(%s) = %+v, want key %s size %d", key, info, key, n)
	}
}

func checkNotFound(t *testing.T, s blob.Store, key string) {
	t.Helper()
	if _, err := s.Stat(t.Context(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat(%s) error = %v, want ErrNotFound", key, err)
	}
	rc, err := s.Get(t.Context(), key)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Get(%s) error = %v, want ErrNotFound", key, err)
	}
}

func TestRoundTrip(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		// 20 MiB is over S3PartSize: a multipart upload.
		for i, n := range []int64{0, 1, 10 * MiB, 20 * MiB} {
			seed := byte(i + 1)
			t.Run(byteSize(n), func(t *testing.T) {
				key := fmt.Sprintf("evidence/0b9a3f2e-2f6c-4d7e-9a51-3c1f0e6d8b27/%d", n)
				put(t, s, key, seed, n)
				checkContent(t, s, key, seed, n)

				// Unknown size: streamed to EOF.
				key += "-unknown-size"
				if err := s.Put(t.Context(), key, newGen(seed, n), -1); err != nil {
					t.Fatalf("Put(size -1): %v", err)
				}
				checkContent(t, s, key, seed, n)
			})
		}
	})
}

func byteSize(n int64) string {
	if n >= MiB {
		return fmt.Sprintf("%dMiB", n/MiB)
	}
	return fmt.Sprintf("%dB", n)
}

func TestOverwrite(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		put(t, s, "a/b", 1, 1000)
		put(t, s, "a/b", 2, 10)
		checkContent(t, s, "a/b", 2, 10)
		put(t, s, "a/b", 3, 0)
		checkContent(t, s, "a/b", 3, 0)
	})
}

func TestStat(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		before := time.Now().Add(-2 * time.Second) // S3 keeps whole seconds
		put(t, s, "evidence/d/o", 1, 1234)
		info, err := s.Stat(t.Context(), "evidence/d/o")
		if err != nil {
			t.Fatal(err)
		}
		if info.Key != "evidence/d/o" || info.Size != 1234 {
			t.Errorf("Stat = %+v", info)
		}
		if info.Modified.Before(before) || info.Modified.After(time.Now().Add(2*time.Second)) {
			t.Errorf("Stat.Modified = %v, want about now", info.Modified)
		}
	})
}

func TestNotFound(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		checkNotFound(t, s, "evidence/nothing")
		put(t, s, "evidence/d/o", 1, 10)
		// A "directory" of objects is no object.
		checkNotFound(t, s, "evidence/d")
		checkNotFound(t, s, "evidence")
		// Nor is an object's path followed by more.
		checkNotFound(t, s, "evidence/d/o/x")
	})
}

func TestDeleteIdempotent(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		ctx := t.Context()
		if err := s.Delete(ctx, "evidence/never"); err != nil {
			t.Fatalf("Delete(absent) = %v", err)
		}
		put(t, s, "evidence/d/o", 1, 10)
		put(t, s, "evidence/d/p", 2, 10)
		for range 2 {
			if err := s.Delete(ctx, "evidence/d/o"); err != nil {
				t.Fatalf("Delete = %v", err)
			}
		}
		checkNotFound(t, s, "evidence/d/o")
		checkContent(t, s, "evidence/d/p", 2, 10)
		if err := s.Delete(ctx, "evidence/d/p"); err != nil {
			t.Fatal(err)
		}
		// The emptied "directory" can be written again.
		put(t, s, "evidence/d/q", 3, 10)
		checkContent(t, s, "evidence/d/q", 3, 10)
	})
}

func TestList(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		keys := []string{"evidence/d1/a", "evidence/d1/b", "evidence/d10/c", "evidence/d2/c", "other/x", "top"}
		for i, k := range keys {
			put(t, s, k, byte(i), int64(i))
		}
		for _, tc := range []struct {
			prefix string
			want   []string
		}{
			{"", keys},
			{"evidence/", keys[:4]},
			{"evidence/d1/", keys[:2]},
			{"evidence/d1", keys[:3]},
			{"evidence/d1/a", keys[:1]},
			{"evidence/d", keys[:4]},
			{"evidence/d3/", nil},
			{"nothing/here/", nil},
			{"to", keys[5:]},
			{"top/", nil},
		} {
			var got []string
			err := s.List(t.Context(), tc.prefix, func(info blob.Info) error {
				got = append(got, info.Key)
				if want := int64(slices.Index(keys, info.Key)); info.Size != want {
					t.Errorf("List: %s has size %d, want %d", info.Key, info.Size, want)
				}
				if info.Modified.IsZero() {
					t.Errorf("List: %s has no modification time", info.Key)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("List(%q): %v", tc.prefix, err)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
			}
		}

		// An error from fn stops the listing and is returned.
		stop := errors.New("stop")
		calls := 0
		err := s.List(t.Context(), "", func(blob.Info) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("List with failing fn: err %v after %d calls, want %v after 1", err, calls, stop)
		}
	})
}

func TestInvalidKeys(t *testing.T) {
	bad := []string{
		"", "/evidence/a", "evidence/../a", "..", "../a", "a/..", ".", "a/./b", "a//b", "a/", "/",
		".tmp/x", "a/.hidden", "a b", "a\\b", "é", "a\x00b", "a\nb", "a:b", "a?b", "a%2e",
		strings.Repeat("a", blob.MaxKeyLen+1),
	}
	for _, k := range bad {
		if blob.ValidKey(k) == nil {
			t.Errorf("ValidKey(%q) = nil", k)
		}
	}
	for _, k := range []string{"a", "evidence/0b9a3f2e-2f6c-4d7e-9a51-3c1f0e6d8b27/obj_1.bin", "A-Z_0.9", "a..b", strings.Repeat("a", blob.MaxKeyLen)} {
		if err := blob.ValidKey(k); err != nil {
			t.Errorf("ValidKey(%q) = %v", k, err)
		}
	}
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		ctx := t.Context()
		for _, k := range bad {
			errs := map[string]error{"Put": s.Put(ctx, k, strings.NewReader("x"), 1), "Delete": s.Delete(ctx, k)}
			rc, err := s.Get(ctx, k)
			if err == nil {
				rc.Close()
			}
			errs["Get"] = err
			_, errs["Stat"] = s.Stat(ctx, k)
			for op, err := range errs {
				if !errors.Is(err, blob.ErrInvalidKey) {
					t.Errorf("%s(%q) error = %v, want ErrInvalidKey", op, k, err)
				}
			}
		}
		for _, p := range []string{"a b", "../", "é"} {
			if err := s.List(ctx, p, func(blob.Info) error { return nil }); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("List(%q) error = %v, want ErrInvalidKey", p, err)
			}
		}
		// Nothing was written.
		if err := s.List(ctx, "", func(i blob.Info) error { t.Errorf("found %s", i.Key); return nil }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestWrongSize: a reader shorter or longer than the size given fails the
// Put, and the key keeps its previous object.
func TestWrongSize(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, noLeftovers func(*testing.T, string)) {
		for _, tc := range []struct {
			name         string
			actual, size int64
		}{
			{"short", 5, 10},
			{"long", 10, 5},
			{"empty but sized", 0, 1},
			{"sized empty", 1, 0},
			{"short multipart", 20 * MiB, 30 * MiB},
			{"long multipart", 30 * MiB, 20 * MiB},
		} {
			t.Run(tc.name, func(t *testing.T) {
				put(t, s, "k/old", 9, 3)
				err := s.Put(t.Context(), "k/old", newGen(1, tc.actual), tc.size)
				if err == nil {
					t.Fatalf("Put of %d bytes with size %d succeeded", tc.actual, tc.size)
				}
				checkContent(t, s, "k/old", 9, 3)
				err = s.Put(t.Context(), "k/new", newGen(1, tc.actual), tc.size)
				if err == nil {
					t.Fatalf("Put of %d bytes with size %d succeeded", tc.actual, tc.size)
				}
				checkNotFound(t, s, "k/new")
				noLeftovers(t, "k/new")
			})
		}
		if err := s.Put(t.Context(), "k/neg", strings.NewReader(""), -2); err == nil {
			t.Error("Put with size -2 succeeded")
		}
	})
}

// cancelAfter delivers r, and cancels after n bytes (then goes on, as a
// reader that ignores the context would).
type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n <= 0 {
		c.cancel()
	}
	return n, err
}

func TestCancelMidPut(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, noLeftovers func(*testing.T, string)) {
		for _, tc := range []struct {
			name       string
			total      int64
			size       int64
			cancelFrom int64
		}{
			{"single request", 10 * MiB, 10 * MiB, 5 * MiB},
			{"multipart", 40 * MiB, 40 * MiB, 20 * MiB},
			{"unknown size", 40 * MiB, -1, 20 * MiB},
		} {
			t.Run(tc.name, func(t *testing.T) {
				key := "evidence/d/" + strings.ReplaceAll(tc.name, " ", "-")
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				err := s.Put(ctx, key, &cancelAfter{r: newGen(1, tc.total), n: tc.cancelFrom, cancel: cancel}, tc.size)
				if err == nil {
					t.Fatal("Put succeeded despite the cancellation")
				}
				if !errors.Is(err, context.Canceled) {
					t.Logf("Put error does not wrap context.Canceled: %v", err)
				}
				checkNotFound(t, s, key)
				noLeftovers(t, key)
			})
		}
	})
}

// TestNotVisibleUntilComplete: while a Put is under way, its key shows
// the previous state, not part of the new object.
func TestNotVisibleUntilComplete(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		pr, pw := io.Pipe()
		defer pw.CloseWithError(errors.New("test ended")) // if it fails early
		done := make(chan error, 1)
		go func() { done <- s.Put(context.Background(), "evidence/d/o", pr, 2*MiB) }()
		// Returns once Put has read the first half.
		if _, err := io.CopyN(pw, newGen(1, 2*MiB), MiB); err != nil {
			t.Fatal(err)
		}
		checkNotFound(t, s, "evidence/d/o")
		// The rest of the same stream.
		g := newGen(1, 2*MiB)
		io.CopyN(io.Discard, g, MiB)
		if _, err := io.Copy(pw, g); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		checkContent(t, s, "evidence/d/o", 1, 2*MiB)
	})
}

// TestBoundedMemory: putting and getting 256 MiB keeps the heap within
// 64 MiB of where it started: the stores stream.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1 GiB")
	}
	const n = 256 * MiB
	const bound = 64 * MiB
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		for _, size := range []int64{n, -1} {
			key := "big/known"
			if size < 0 {
				key = "big/unknown"
			}
			t.Run(key, func(t *testing.T) {
				growth := heapGrowth(t, func() {
					if err := s.Put(t.Context(), key, newGen(7, n), size); err != nil {
						t.Fatal(err)
					}
				})
				t.Logf("Put: heap grew by at most %s", byteSize(growth))
				if growth > bound {
					t.Errorf("Put of %s: heap grew by %s, want under %s", byteSize(n), byteSize(growth), byteSize(bound))
				}
				growth = heapGrowth(t, func() { checkContent(t, s, key, 7, n) })
				t.Logf("Get: heap grew by at most %s", byteSize(growth))
				if growth > bound {
					t.Errorf("Get of %s: heap grew by %s, want under %s", byteSize(n), byteSize(growth), byteSize(bound))
				}
				if err := s.Delete(t.Context(), key); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

// heapGrowth runs f and returns the peak of HeapInuse during f less its
// value before, sampled every few milliseconds.
func heapGrowth(t *testing.T, f func()) int64 {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := int64(ms.HeapInuse)
	var peak atomic.Int64
	peak.Store(base)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if v := int64(ms.HeapInuse); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	return max(peak.Load(), int64(ms.HeapInuse)) - base
}

// The FS store's own promises: permissions, temporary files.

func TestFSPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	s, err := blob.NewFSStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "evidence/d/o", 1, 10)
	for p, want := range map[string]os.FileMode{
		dir:                                0o700 | os.ModeDir,
		filepath.Join(dir, "evidence"):     0o700 | os.ModeDir,
		filepath.Join(dir, "evidence/d"):   0o700 | os.ModeDir,
		filepath.Join(dir, "evidence/d/o"): 0o600,
		filepath.Join(dir, ".tmp"):         0o700 | os.ModeDir,
	} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
	}
	// Get returns the file itself.
	rc, err := s.Get(t.Context(), "evidence/d/o")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, ok := rc.(*os.File); !ok {
		t.Errorf("Get returned %T, want *os.File", rc)
	}
}

func TestFSStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := blob.NewFSStore(dir); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".tmp", "put-stale")
	fresh := filepath.Join(dir, ".tmp", "put-fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	s, err := blob.NewFSStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a recent temporary file (a Put under way elsewhere) was removed: %v", err)
	}
	// List never shows them.
	if err := s.List(t.Context(), "", func(i blob.Info) error { t.Errorf("List found %s", i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestS3MissingBucket(t *testing.T) {
	cfg := blobtest.MinIO(t)
	cfg.Bucket = "egide-absent-bucket"
	if _, err := blob.NewS3Store(t.Context(), cfg); err == nil {
		t.Fatal("NewS3Store succeeded on a missing bucket")
	}
	cfg.CreateBucket = true
	s, err := blob.NewS3Store(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, _ := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
		c.RemoveBucketWithOptions(context.Background(), cfg.Bucket, minio.RemoveBucketOptions{ForceDelete: true})
	})
	put(t, s, "a", 1, 1)
	// Created by another instance meanwhile: fine.
	if _, err := blob.NewS3Store(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	// Wrong credentials: unreachable.
	cfg.SecretKey = "wrong-secret"
	if _, err := blob.NewS3Store(t.Context(), cfg); err == nil {
		t.Fatal("NewS3Store succeeded with a wrong secret key")
	}
}

func TestGetRange(t *testing.T) {
	forEachStore(t, func(t *testing.T, s blob.Store, _ func(*testing.T, string)) {
		const key, n = "evidence/range/obj", 300_000
		want, err := io.ReadAll(newGen(7, n))
		if err != nil {
			t.Fatal(err)
		}
		put(t, s, key, 7, n)
		for _, off := range []int64{0, 1, 65_574, n - 1, n, n + 10} {
			rc, err := s.GetRange(t.Context(), key, off)
			if err != nil {
				t.Fatalf("GetRange(%d): %v", off, err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("GetRange(%d): read: %v", off, err)
			}
			if exp := want[min(off, n):]; string(got) != string(exp) {
				t.Errorf("GetRange(%d): %d bytes, want the %d from the offset", off, len(got), len(exp))
			}
		}
		// An empty object reads empty from 0.
		put(t, s, "evidence/range/empty", 1, 0)
		if rc, err := s.GetRange(t.Context(), "evidence/range/empty", 0); err != nil {
			t.Errorf("GetRange of an empty object: %v", err)
		} else if b, err := io.ReadAll(rc); err != nil || len(b) != 0 {
			t.Errorf("GetRange of an empty object: %d bytes, %v", len(b), err)
		} else {
			rc.Close()
		}
		if _, err := s.GetRange(t.Context(), "evidence/range/absent", 5); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("GetRange of an absent object: %v, want ErrNotFound", err)
		}
		if _, err := s.GetRange(t.Context(), "../x", 0); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("GetRange of an invalid key: %v, want ErrInvalidKey", err)
		}
		if rc, err := s.GetRange(t.Context(), key, -1); err == nil {
			rc.Close()
			t.Error("GetRange with a negative offset succeeded")
		}
	})
}
