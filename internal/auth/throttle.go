package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/postgres"
)

// Throttling of sign-ins and of checks made inside a session, shared by
// every instance through the auth_throttle table (docs/security.md,
// "Sessions and requests"):
//
//   - Per e-mail (hashed), whatever the address, and per user for checks
//     made in a session: 5 attempts in 15 minutes, then the key locks for
//     1 minute, doubling with each further attempt up to an hour. A
//     success clears the key.
//   - Per source address: no lock-out. Past 30 failed attempts in 15
//     minutes the address slows down to one attempt every 5 seconds, and
//     only for e-mails that have not signed in successfully from that
//     address in the last 30 days: people who work there keep signing in.
//
// An attempt is counted when it is reserved, atomically and before its
// password is verified: of many simultaneous attempts only those within
// the budget go on to argon2id; the others are refused RATE_LIMITED. An
// attempt that then succeeds gives its reservation back.
const (
	throttleWindow     = 15 * time.Minute
	throttleEmailLimit = 5
	throttleMaxLock    = time.Hour
	throttleIPLimit    = 30
	throttleIPInterval = 5 * time.Second
	knownSourceTTL     = 30 * 24 * time.Hour
)

type keyKind int

const (
	kindAccount keyKind = iota // an e-mail or a user: locks
	kindAddress                // a source address: slows down
)

type throttleKey struct {
	name string
	kind keyKind
}

// attempt names the counters of one sign-in attempt, and the key that
// records a success of this e-mail from this address. The e-mail is
// hashed: the table holds no e-mail address.
type attempt struct {
	keys  []throttleKey // sorted by name: rows are locked in this order
	known string        // "" without an address
}

func emailKey(email string) string {
	h := sha256.Sum256([]byte(email))
	return "email:" + hex.EncodeToString(h[:16])
}

func newAttempt(email, ip string) attempt {
	ek := emailKey(email)
	a := attempt{keys: []throttleKey{{ek, kindAccount}}}
	if ip != "" {
		a.keys = append(a.keys, throttleKey{"ip:" + ip, kindAddress})
		a.known = "known:" + ek + "|" + ip
	}
	slices.SortFunc(a.keys, func(x, y throttleKey) int {
		if x.name < y.name {
			return -1
		}
		if x.name > y.name {
			return 1
		}
		return 0
	})
	return a
}

func userAttempt(user string) attempt {
	return attempt{keys: []throttleKey{{"user:" + user, kindAccount}}}
}

func (a attempt) names() []string {
	n := make([]string, len(a.keys))
	for i, k := range a.keys {
		n[i] = k.name
	}
	return n
}

// knownSource reports whether this e-mail signed in successfully from
// this address recently: then the address's slow-down does not apply.
func (s *Service) knownSource(ctx context.Context, a attempt) (bool, error) {
	if a.known == "" {
		return false, nil
	}
	var known bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM auth_throttle WHERE key = $1
		AND window_start > now() - make_interval(secs => $2))`, a.known, knownSourceTTL.Seconds()).Scan(&known)
	if err != nil {
		return false, fmt.Errorf("read known source: %w", err)
	}
	return known, nil
}

// lockedFor is a cheap read, without locking, of how long the attempt
// would be refused: it turns away attempts on a locked key before they
// queue for a password verification. reserve decides.
func (s *Service) lockedFor(ctx context.Context, a attempt, known bool) (time.Duration, error) {
	names := a.names()
	if known {
		names = accountNames(a)
	}
	var secs *float64
	err := s.pool.QueryRow(ctx, `SELECT extract(epoch FROM max(locked_until) - now())::float8 FROM auth_throttle
		WHERE key = ANY($1) AND locked_until > now()`, names).Scan(&secs)
	if err != nil {
		return 0, fmt.Errorf("read throttle: %w", err)
	}
	if secs == nil {
		return 0, nil
	}
	return time.Duration(*secs * float64(time.Second)), nil
}

func accountNames(a attempt) []string {
	var n []string
	for _, k := range a.keys {
		if k.kind == kindAccount {
			n = append(n, k.name)
		}
	}
	return n
}

// reserve counts the attempt on each of its keys, in one transaction that
// holds their rows locked, unless one of them is locked (a known source
// ignores the address's slow-down): then nothing is counted and it
// returns how long to wait. Concurrent reservations of one key queue on
// its row, so they never exceed its budget.
func (s *Service) reserve(ctx context.Context, a attempt, known bool) (time.Duration, error) {
	var wait time.Duration
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		names := a.names()
		// The no-op update locks an existing row from here on, so that
		// SweepThrottle cannot delete it before it is counted.
		if _, err := tx.Exec(ctx, `INSERT INTO auth_throttle (key) SELECT unnest($1::text[])
			ON CONFLICT (key) DO UPDATE SET key = excluded.key`, names); err != nil {
			return fmt.Errorf("create throttle: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT key, failures, window_start < now() - make_interval(secs => $2),
				coalesce(extract(epoch FROM locked_until - now())::float8, 0)
			FROM auth_throttle WHERE key = ANY($1) ORDER BY key FOR UPDATE`, names, throttleWindow.Seconds())
		if err != nil {
			return fmt.Errorf("lock throttle: %w", err)
		}
		type row struct {
			failures int
			expired  bool
			lockSecs float64
		}
		got := map[string]row{}
		for rows.Next() {
			var k string
			var r row
			if err := rows.Scan(&k, &r.failures, &r.expired, &r.lockSecs); err != nil {
				rows.Close()
				return fmt.Errorf("read throttle: %w", err)
			}
			got[k] = r
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read throttle: %w", err)
		}
		for _, k := range a.keys {
			r := got[k.name]
			if r.lockSecs > 0 && (k.kind == kindAccount || !known) {
				wait = max(wait, time.Duration(r.lockSecs*float64(time.Second)))
			}
		}
		if wait > 0 {
			return nil // nothing counted; the transaction only read
		}
		for _, k := range a.keys {
			r := got[k.name]
			n := r.failures + 1
			if r.expired {
				n = 1
			}
			var lock time.Duration
			switch {
			case k.kind == kindAccount && n >= throttleEmailLimit:
				lock = min(throttleMaxLock, time.Minute*time.Duration(math.Pow(2, float64(min(n-throttleEmailLimit, 12)))))
			case k.kind == kindAddress && n > throttleIPLimit:
				lock = throttleIPInterval
			}
			if _, err := tx.Exec(ctx, `UPDATE auth_throttle SET failures = $2,
					window_start = CASE WHEN $3 THEN now() ELSE window_start END,
					locked_until = CASE WHEN $4 > 0 THEN now() + make_interval(secs => $4) ELSE locked_until END
				WHERE key = $1`, k.name, n, r.expired, lock.Seconds()); err != nil {
				return fmt.Errorf("count attempt: %w", err)
			}
		}
		return nil
	})
	return wait, err
}

// succeeded gives back a reservation whose credentials were right, in
// the sign-in's transaction: the account's keys are cleared, the
// address's count goes down by this attempt (an office's successes never
// slow it down, and an attacker's own successful sign-in does not wipe the
// address's failures), and the e-mail is recorded as known from the
// address.
func succeeded(ctx context.Context, tx pgx.Tx, a attempt) error {
	if _, err := tx.Exec(ctx, `DELETE FROM auth_throttle WHERE key = ANY($1)`, accountNames(a)); err != nil {
		return fmt.Errorf("reset throttle: %w", err)
	}
	for _, k := range a.keys {
		if k.kind != kindAddress {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE auth_throttle SET failures = greatest(failures - 1, 0) WHERE key = $1`, k.name); err != nil {
			return fmt.Errorf("give back attempt: %w", err)
		}
	}
	if a.known != "" {
		if _, err := tx.Exec(ctx, `INSERT INTO auth_throttle (key, window_start) VALUES ($1, now())
			ON CONFLICT (key) DO UPDATE SET window_start = now()`, a.known); err != nil {
			return fmt.Errorf("record known source: %w", err)
		}
	}
	return nil
}

// giveBack returns the reservation of a check that did not fail (a right
// code, or an error unrelated to the answer): the attempt does not count.
func (s *Service) giveBack(ctx context.Context, a attempt) error {
	if _, err := s.pool.Exec(context.WithoutCancel(ctx), `UPDATE auth_throttle SET failures = greatest(failures - 1, 0)
		WHERE key = ANY($1)`, a.names()); err != nil {
		return fmt.Errorf("give back attempt: %w", err)
	}
	return nil
}

// SweepThrottle deletes the throttle rows that no longer change any
// decision: counters whose window is over and that hold no lock, and
// known sources older than 30 days. The server runs it every hour.
func SweepThrottle(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	tag, err := pool.Exec(ctx, `DELETE FROM auth_throttle
		WHERE (locked_until IS NULL OR locked_until < now())
		AND window_start < now() - CASE WHEN key LIKE 'known:%' THEN make_interval(secs => $2) ELSE make_interval(secs => $1) END`,
		throttleWindow.Seconds(), knownSourceTTL.Seconds())
	if err != nil {
		return 0, fmt.Errorf("sweep throttle: %w", err)
	}
	return tag.RowsAffected(), nil
}

func waitSeconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }
