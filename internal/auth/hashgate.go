package auth

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/egide/egide/internal/apperr"
)

// Defaults of the hash gate (Config.MaxConcurrentHashes and the queue).
const (
	// DefaultHashQueueWait is how long a sign-in waits for a free slot.
	DefaultHashQueueWait = time.Second
	// hashQueuePerSlot: sign-ins that may wait, per slot, before the next
	// one is refused at once.
	hashQueuePerSlot = 4
)

// DefaultMaxConcurrentHashes is max(2, GOMAXPROCS): argon2id is CPU-bound,
// so more at once only adds memory (64 MiB each) and latency.
func DefaultMaxConcurrentHashes() int { return max(2, runtime.GOMAXPROCS(0)) }

// hashGate bounds the argon2id verifications running at once in one
// process: each holds 64 MiB. A verification past the bound waits up to
// wait in a queue of at most queue sign-ins, then is refused RATE_LIMITED.
type hashGate struct {
	slots   chan struct{}
	queue   int64
	wait    time.Duration
	waiting atomic.Int64
}

func newHashGate(slots, queue int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, slots), queue: int64(queue), wait: wait}
}

// errBusy answers a sign-in that found no free slot in time.
func errBusy() error {
	return apperr.RateLimitedFor(time.Second, "the server is busy signing others in: try again in a moment")
}

// acquire takes a slot, waiting at most g.wait; release gives it back.
func (g *hashGate) acquire(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.enter(), nil
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return nil, errBusy()
	}
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.enter(), nil
	case <-t.C:
		return nil, errBusy()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *hashGate) enter() func() {
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			<-g.slots
		}
	}
}
