package auth

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/egide/egide/internal/apperr"
)

// vmHWM is the process's peak resident memory so far (Linux), in bytes.
func vmHWM(t *testing.T) uint64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// TestSignInBurstMemory measures the memory of a burst of 300 concurrent
// anonymous sign-ins (unknown e-mails, each from its own address, so the
// throttle stops none of them: only the verification slots do). Opt-in,
// one process per run since VmHWM only grows (BENCHMARKS.md):
//
//	EGIDE_BENCH_SIGNIN_BURST=1 EGIDE_BENCH_HASHES=2 TEST_DATABASE_URL=... \
//	  go test -count=1 -run TestSignInBurstMemory -v ./internal/auth/
func TestSignInBurstMemory(t *testing.T) {
	if os.Getenv("EGIDE_BENCH_SIGNIN_BURST") != "1" {
		t.Skip("EGIDE_BENCH_SIGNIN_BURST=1 runs the sign-in burst measurement")
	}
	slots := DefaultMaxConcurrentHashes()
	if v := os.Getenv("EGIDE_BENCH_HASHES"); v != "" {
		var err error
		if slots, err = strconv.Atoi(v); err != nil || slots < 1 {
			t.Fatalf("EGIDE_BENCH_HASHES=%q", v)
		}
	}
	const attempts = 300
	s := newSignIn(t)
	svc := s.service(t, Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour, MaxConcurrentHashes: slots})
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHWM, baseSys := vmHWM(t), ms.Sys
	var peakHeap atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peakHeap.Load() {
					peakHeap.Store(m.HeapInuse)
				}
			}
		}
	}()
	start := time.Now()
	codes := burst(svc, attempts, func(i int) string { return fmt.Sprintf("burst-%d@example.org", i) },
		func(int) string { return "not a password anyone has" },
		func(i int) string { return fmt.Sprintf("198.18.%d.%d", i/250, i%250+1) })
	took := time.Since(start)
	close(stop)
	<-done
	runtime.ReadMemStats(&ms)
	hwm := vmHWM(t)
	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	t.Logf("slots %d (%d MiB of argon2id memory), GOMAXPROCS %d: %d sign-ins in %s: %d verified, %d RATE_LIMITED; "+
		"at most %d verifications at once",
		slots, slots*64, runtime.GOMAXPROCS(0), attempts, took.Round(time.Millisecond), codes[apperr.Unauthenticated],
		codes[apperr.RateLimited], HashPeak(svc))
	t.Logf("VmHWM %.0f MiB before, %.0f MiB after (+%.0f); Go Sys %.0f → %.0f MiB; peak HeapInuse %.0f MiB",
		mib(baseHWM), mib(hwm), mib(hwm-baseHWM), mib(baseSys), mib(ms.Sys), mib(peakHeap.Load()))
	if HashPeak(svc) > int64(slots) {
		t.Fatalf("%d verifications at once, bound %d", HashPeak(svc), slots)
	}
}
