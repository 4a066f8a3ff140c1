package auth

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/testfixture"
)

// burst runs n sign-ins at once (released together) and counts their
// outcomes by code; attempt i uses email(i), password(i) and address ip(i).
func burst(svc *Service, n int, email, password, ip func(i int) string) map[apperr.Code]int {
	var (
		mu    sync.Mutex
		codes = map[apperr.Code]int{}
		start = make(chan struct{})
		wg    sync.WaitGroup
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := svc.Login(context.Background(), email(i), password(i), nil, actor.Actor{RequestID: "burst", IP: ip(i)})
			c := apperr.CodeOf(err)
			if e, ok := apperr.As(err); ok && e.Code == apperr.RateLimited && e.RetryAfter <= 0 {
				c = "RATE_LIMITED without RetryAfter"
			}
			mu.Lock()
			codes[c]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

// An attacker firing many wrong passwords at one account at the same
// moment gets no more password verifications than the throttle's budget,
// from one address or from many: the budget is reserved in PostgreSQL
// before the password is verified.
func TestParallelWrongPasswordsCostAtMostTheBudget(t *testing.T) {
	t.Parallel()
	for name, ip := range map[string]func(int) string{
		"one address":    func(int) string { return "203.0.113.9" },
		"many addresses": func(i int) string { return fmt.Sprintf("198.18.%d.%d", i/250, i%250+1) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSignIn(t)
			s.enrol(t)
			// Enough verification slots for every attempt: only the
			// throttle may stop them.
			svc := s.service(t, Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour, MaxConcurrentHashes: 50})
			const attackers = 50
			codes := burst(svc, attackers, func(int) string { return s.email },
				func(i int) string { return fmt.Sprintf("wrong guess number %d", i) }, ip)
			hashes := HashChecks(svc)
			if hashes > throttleEmailLimit || hashes < 1 {
				t.Fatalf("%d password verifications for %d parallel attempts, want at most %d", hashes, attackers, throttleEmailLimit)
			}
			if codes[apperr.Unauthenticated] != int(hashes) || codes[apperr.RateLimited] != attackers-int(hashes) {
				t.Fatalf("outcomes %v with %d verifications: the rest must be RATE_LIMITED (with a Retry-After)", codes, hashes)
			}
			// The account is locked: the right password too is refused, unhashed.
			c := s.code()
			_, err := svc.Login(context.Background(), s.email, s.pw, &c, s.meta)
			wantCode(t, err, apperr.RateLimited)
			if HashChecks(svc) != hashes {
				t.Fatal("a locked account's password was verified")
			}
		})
	}
}

// However many anonymous sign-ins arrive at once, no more than
// MaxConcurrentHashes verifications run together; those that find no slot
// within the queue's wait are refused RATE_LIMITED with a Retry-After.
func TestHashGateBoundsConcurrentVerifications(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	const slots, attempts = 2, 300
	svc := s.service(t, Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour, MaxConcurrentHashes: slots,
		HashQueueWait: 200 * time.Millisecond})
	codes := burst(svc, attempts, func(i int) string { return fmt.Sprintf("nobody-%d@example.org", i) },
		func(int) string { return "not a password anyone has" },
		func(i int) string { return fmt.Sprintf("198.19.%d.%d", i/250, i%250+1) })
	if peak := HashPeak(svc); peak > slots || peak < 1 {
		t.Fatalf("%d verifications ran at once, bound %d", peak, slots)
	}
	if codes[apperr.RateLimited] == 0 || codes[apperr.Unauthenticated] == 0 ||
		codes[apperr.RateLimited]+codes[apperr.Unauthenticated] != attempts {
		t.Fatalf("outcomes %v: want some verified (UNAUTHENTICATED) and the overflow RATE_LIMITED with a Retry-After", codes)
	}
	if got := HashChecks(svc); got != int64(codes[apperr.Unauthenticated]) {
		t.Fatalf("%d verifications for %d UNAUTHENTICATED answers: a refused sign-in was hashed", got, codes[apperr.Unauthenticated])
	}
}

// An attacker behind an office's address sprays wrong passwords at many
// accounts. The address slows the attacker down, but the people who
// signed in from it before keep signing in, and a newcomer waits a few
// seconds at most; nobody is locked out by the address.
func TestAddressSprayDoesNotLockOutItsUsers(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t) // from s.meta.IP: the user is known there
	ctx := context.Background()
	office := actor.Actor{RequestID: "spray", IP: s.meta.IP}
	for i := range throttleIPLimit + 1 {
		_, err := s.svc.Login(ctx, fmt.Sprintf("target-%d@example.org", i), "Summer2026!", nil, office)
		wantCode(t, err, apperr.Unauthenticated)
	}
	// The attacker is slowed down: the next guesses are refused unhashed.
	before := HashChecks(s.svc)
	for i := range 3 {
		_, err := s.svc.Login(ctx, fmt.Sprintf("more-%d@example.org", i), "Summer2026!", nil, office)
		wantCode(t, err, apperr.RateLimited)
		if e, _ := apperr.As(err); e.RetryAfter > throttleIPInterval {
			t.Fatalf("the address is slowed down, not locked: Retry-After %s", e.RetryAfter)
		}
	}
	if HashChecks(s.svc) != before {
		t.Fatal("a slowed-down address's guesses were hashed")
	}
	// The user who signs in from the office signs in, at once.
	s.login(t, s.svc)
	// A colleague who never signed in from there waits, then signs in.
	v := testfixture.User(t, s.pool, s.org, actor.LegalStaff)
	hash, err := HashPassword("la phrase de passe du collègue")
	if err != nil {
		t.Fatal(err)
	}
	var vEmail string
	if err := s.pool.QueryRow(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email`, v.UserID, hash).Scan(&vEmail); err != nil {
		t.Fatal(err)
	}
	_, err = s.svc.Login(ctx, vEmail, "la phrase de passe du collègue", nil, office)
	wantCode(t, err, apperr.RateLimited)
	s.exec(t, `UPDATE auth_throttle SET locked_until = now() - interval '1 second' WHERE key = $1`, "ip:"+s.meta.IP)
	if res, err := s.svc.Login(ctx, vEmail, "la phrase de passe du collègue", nil, office); err != nil || res.Token == "" {
		t.Fatalf("the colleague, after the address's interval: %v", err)
	}
	// Being known at the address does not exempt an account from its own
	// budget: wrong passwords for the user still lock the user's e-mail.
	for range throttleEmailLimit {
		_, err := s.svc.Login(ctx, s.email, "not the password at all", nil, office)
		wantCode(t, err, apperr.Unauthenticated)
	}
	c := s.code()
	_, err = s.svc.Login(ctx, s.email, s.pw, &c, office)
	wantCode(t, err, apperr.RateLimited)
	// The address was never locked for other addresses' users either.
	if n := s.count(t, `SELECT count(*) FROM auth_throttle WHERE key LIKE 'ip:%' AND locked_until > now() + interval '1 minute'`); n != 0 {
		t.Fatalf("%d addresses locked for more than the slow-down interval", n)
	}
}

// Successes from an address give their attempt back: an office where
// everyone signs in all day is never slowed down by its own successes.
func TestSuccessesDoNotCountAgainstTheAddress(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	for range 3 {
		s.login(t, s.svc)
	}
	if n := s.count(t, `SELECT failures FROM auth_throttle WHERE key = $1`, "ip:"+s.meta.IP); n != 0 {
		t.Fatalf("%d attempts left on the address after only successes", n)
	}
	if n := s.count(t, `SELECT count(*) FROM auth_throttle WHERE key LIKE 'email:%'`); n != 0 {
		t.Fatal("a success must clear the e-mail's count")
	}
}

// The sweep deletes only rows that no longer change a decision.
func TestSweepThrottleKeepsWhatStillCounts(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.exec(t, `INSERT INTO auth_throttle (key, failures, window_start, locked_until) VALUES
		('email:stale', 3, now() - interval '16 minutes', NULL),
		('email:stale-locked', 9, now() - interval '2 hours', now() + interval '10 minutes'),
		('email:fresh', 2, now() - interval '1 minute', NULL),
		('ip:192.0.2.1', 40, now() - interval '20 minutes', now() - interval '1 second'),
		('known:email:a|192.0.2.1', 0, now() - interval '29 days', NULL),
		('known:email:b|192.0.2.1', 0, now() - interval '31 days', NULL)`)
	n, err := SweepThrottle(context.Background(), s.pool)
	if err != nil || n != 3 {
		t.Fatalf("swept %d rows (%v), want 3", n, err)
	}
	if got := s.count(t, `SELECT count(*) FROM auth_throttle WHERE key IN ('email:stale-locked', 'email:fresh', 'known:email:a|192.0.2.1')`); got != 3 {
		t.Fatalf("%d of the 3 rows that still count are left", got)
	}
}

// A stolen session guessing the current password in parallel gets no more
// verifications than the user's budget either.
func TestParallelPasswordChangeGuessesCostAtMostTheBudget(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	svc := s.service(t, Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour, MaxConcurrentHashes: 20})
	a := s.login(t, svc).Actor
	before := HashChecks(svc)
	var (
		mu    sync.Mutex
		codes = map[apperr.Code]int{}
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := svc.ChangePassword(context.Background(), a, fmt.Sprintf("guess number %d", i), "a brand new passphrase")
			mu.Lock()
			codes[apperr.CodeOf(err)]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	hashes := HashChecks(svc) - before
	if hashes > throttleEmailLimit || codes[apperr.Invalid] != int(hashes) || codes[apperr.RateLimited] != 20-int(hashes) {
		t.Fatalf("%d verifications, outcomes %v: want at most %d, the rest RATE_LIMITED", hashes, codes, throttleEmailLimit)
	}
}
