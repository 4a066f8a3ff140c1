// Package auth turns a request into an Actor: password and TOTP sign-in,
// recovery codes, sessions stored by the hash of their token, and the
// throttling of failed attempts.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres"
)

// Config sets session lifetimes and how many password verifications may
// run at once.
type Config struct {
	IdleTimeout time.Duration // a session unused this long ends
	MaxLifetime time.Duration // a session ends this long after sign-in, used or not
	// MaxConcurrentHashes bounds the argon2id verifications running at
	// once in this process (64 MiB each); 0: DefaultMaxConcurrentHashes().
	MaxConcurrentHashes int
	// HashQueueWait is how long a sign-in waits for a free verification
	// slot before RATE_LIMITED; 0: DefaultHashQueueWait.
	HashQueueWait time.Duration
	// HashQueueLen is how many sign-ins may wait for a slot at once; past
	// it they are refused at once; 0: 4 per slot.
	HashQueueLen int
}

// Session stages: a session is full, or limited to one step of signing in.
const (
	StageFull           = "full"
	StageTOTPEnrollment = "totp_enrollment"
	StagePasswordChange = "password_change"
)

// Service signs users in and out and resolves sessions.
type Service struct {
	pool      *pgxpool.Pool
	kr        *crypto.KeyRing
	cfg       Config
	policy    *PasswordPolicy
	dummyHash string // verified when the e-mail is unknown, so timing does not tell
	now       func() time.Time
	// hashChecks counts argon2id verifications: tests use it to show that
	// every failed sign-in does the same work.
	hashChecks atomic.Int64
	// hashActive and hashPeak are the verifications running now and the
	// most seen at once: tests show the gate bounds them.
	hashActive atomic.Int64
	hashPeak   atomic.Int64
	gate       *hashGate
}

// New returns an auth service. kr seals the TOTP secrets.
func New(pool *pgxpool.Pool, kr *crypto.KeyRing, cfg Config) (*Service, error) {
	if cfg.IdleTimeout <= 0 || cfg.MaxLifetime <= 0 {
		return nil, errors.New("auth: session timeouts must be positive")
	}
	if cfg.MaxConcurrentHashes < 0 || cfg.HashQueueWait < 0 || cfg.HashQueueLen < 0 {
		return nil, errors.New("auth: hash limits must not be negative")
	}
	if cfg.MaxConcurrentHashes == 0 {
		cfg.MaxConcurrentHashes = DefaultMaxConcurrentHashes()
	}
	if cfg.HashQueueWait == 0 {
		cfg.HashQueueWait = DefaultHashQueueWait
	}
	if cfg.HashQueueLen == 0 {
		cfg.HashQueueLen = hashQueuePerSlot * cfg.MaxConcurrentHashes
	}
	h, err := HashPassword("egide-timing-equaliser")
	if err != nil {
		return nil, err
	}
	return &Service{pool: pool, kr: kr, cfg: cfg, policy: NewPasswordPolicy(), dummyHash: h, now: time.Now,
		gate: newHashGate(cfg.MaxConcurrentHashes, cfg.HashQueueLen, cfg.HashQueueWait)}, nil
}

// Policy returns the password policy the service enforces.
func (s *Service) Policy() *PasswordPolicy { return s.policy }

// User is an account as shown to its owner.
type User struct {
	ID                uuid.UUID
	Email             string
	DisplayName       string
	Superadmin        bool
	TOTPEnrolled      bool
	RecoveryCodesLeft int
}

// Enrollment is a TOTP secret offered to a user who has none yet.
type Enrollment struct {
	Secret     string
	OTPAuthURI string
	QRCodePNG  string
}

// LoginResult is an opened session.
type LoginResult struct {
	Token      string
	Actor      actor.Actor
	Stage      string
	Enrollment *Enrollment // when Stage is StageTOTPEnrollment
}

var errBadCredentials = apperr.New(apperr.Unauthenticated, "wrong e-mail, password or code")

// NewToken returns a random 256-bit session token and its hash.
func NewToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is how a token is stored and looked up.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func totpAAD(user uuid.UUID) []byte { return []byte("totp:" + user.String()) }

type account struct {
	id           uuid.UUID
	hash         string
	disabled     bool
	mustChange   bool
	totpSealed   []byte
	totpKey      []byte
	totpLastStep int64
}

// Login checks credentials and opens a session. meta carries the request's
// origin. Unknown e-mail, wrong password, wrong code and disabled account
// all give the same error after the same work. Before any password is
// verified the attempt is reserved against the throttle (throttle.go) and
// waits for one of the service's verification slots: an attempt over
// budget, or one that finds no slot in time, is refused RATE_LIMITED
// without hashing.
func (s *Service) Login(ctx context.Context, email, password string, code *string, meta actor.Actor) (LoginResult, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	att := newAttempt(email, meta.IP)
	fromKnown, err := s.knownSource(ctx, att)
	if err != nil {
		return LoginResult{}, err
	}
	if wait, err := s.lockedFor(ctx, att, fromKnown); err != nil {
		return LoginResult{}, err
	} else if wait > 0 {
		return LoginResult{}, s.throttled(ctx, meta, wait)
	}
	release, err := s.gate.acquire(ctx)
	if err != nil {
		return LoginResult{}, err
	}
	defer release()
	if wait, err := s.reserve(ctx, att, fromKnown); err != nil {
		return LoginResult{}, err
	} else if wait > 0 {
		return LoginResult{}, s.throttled(ctx, meta, wait)
	}
	var acc account
	err = s.pool.QueryRow(ctx, `SELECT id, password_hash, disabled_at IS NOT NULL, must_change_password,
		totp_secret_sealed, totp_secret_key, totp_last_step FROM users WHERE email = $1`, email).
		Scan(&acc.id, &acc.hash, &acc.disabled, &acc.mustChange, &acc.totpSealed, &acc.totpKey, &acc.totpLastStep)
	known := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return LoginResult{}, fmt.Errorf("find user: %w", err)
	}
	if !known {
		acc.hash = s.dummyHash
	}
	ok, verr := s.checkPassword(acc.hash, password)
	release()
	ok = ok && verr == nil && known && !acc.disabled

	var res LoginResult
	if ok {
		err = postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			stage, enrol, sealed, key, err := s.secondFactor(ctx, tx, email, acc, code)
			if err != nil || stage == "" {
				return err
			}
			res, err = s.openSession(ctx, tx, acc.id, stage, sealed, key, meta)
			if err != nil {
				return err
			}
			res.Enrollment = enrol
			if err := succeeded(ctx, tx, att); err != nil {
				return err
			}
			return audit.Record(ctx, tx, res.Actor, audit.Event{Action: "auth.login", ResourceType: "session"})
		})
		if err != nil {
			return LoginResult{}, err
		}
		if res.Token != "" {
			return res, nil
		}
	}
	if err := s.recordDenied(ctx, meta, acc.id, "auth.login"); err != nil {
		return LoginResult{}, err
	}
	return LoginResult{}, errBadCredentials
}

// throttled audits a sign-in refused by the throttle and returns its error.
func (s *Service) throttled(ctx context.Context, meta actor.Actor, wait time.Duration) error {
	if err := s.recordDenied(ctx, meta, uuid.Nil, "auth.login.throttled"); err != nil {
		return err
	}
	return apperr.RateLimitedFor(wait, "too many failed sign-ins: try again in %d seconds", waitSeconds(wait))
}

// checkPassword verifies a password; the caller holds a slot of s.gate.
func (s *Service) checkPassword(hash, password string) (bool, error) {
	s.hashChecks.Add(1)
	n := s.hashActive.Add(1)
	defer s.hashActive.Add(-1)
	for {
		p := s.hashPeak.Load()
		if n <= p || s.hashPeak.CompareAndSwap(p, n) {
			break
		}
	}
	return verifyPassword(hash, password)
}

// secondFactor decides the stage of a session whose password was right: ""
// when the code is wrong or replayed; the enrolment offer for an account
// without a second factor.
func (s *Service) secondFactor(ctx context.Context, tx pgx.Tx, email string, acc account, code *string) (string, *Enrollment, []byte, []byte, error) {
	after := StageFull
	if acc.mustChange {
		after = StagePasswordChange
	}
	if acc.totpSealed == nil {
		secret, err := NewTOTPSecret()
		if err != nil {
			return "", nil, nil, nil, err
		}
		sealed, key, err := s.kr.SealRecord(secret, totpAAD(acc.id))
		if err != nil {
			return "", nil, nil, nil, fmt.Errorf("seal totp: %w", err)
		}
		uri := OTPAuthURI(email, secret)
		png, err := QRCodePNG(uri)
		if err != nil {
			return "", nil, nil, nil, err
		}
		return StageTOTPEnrollment, &Enrollment{Secret: EncodeSecret(secret), OTPAuthURI: uri, QRCodePNG: png}, sealed, key, nil
	}
	if code == nil || strings.TrimSpace(*code) == "" {
		return "", nil, nil, nil, nil
	}
	if ok, err := s.checkCode(ctx, tx, acc, *code); err != nil || !ok {
		return "", nil, nil, nil, err
	}
	return after, nil, nil, nil, nil
}

// checkCode accepts a TOTP code (once per time step) or an unused
// recovery code (once).
func (s *Service) checkCode(ctx context.Context, tx pgx.Tx, acc account, code string) (bool, error) {
	code = strings.TrimSpace(code)
	if len(code) == totpDigits {
		secret, err := s.kr.OpenRecord(acc.totpSealed, acc.totpKey, totpAAD(acc.id))
		if err != nil {
			return false, fmt.Errorf("open totp secret: %w", err)
		}
		step, ok := matchTOTP(secret, code, s.now(), acc.totpLastStep)
		if !ok {
			return false, nil
		}
		// Conditional update: of two sign-ins racing with the same code,
		// only one moves the step forward.
		tag, err := tx.Exec(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, acc.id, step)
		if err != nil {
			return false, fmt.Errorf("record totp step: %w", err)
		}
		return tag.RowsAffected() == 1, nil
	}
	tag, err := tx.Exec(ctx, `UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
		acc.id, recoveryHash(code))
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// openSession creates a session of the given stage and returns its actor.
func (s *Service) openSession(ctx context.Context, tx pgx.Tx, user uuid.UUID, stage string, pendingSealed, pendingKey []byte, meta actor.Actor) (LoginResult, error) {
	token, tokenHash, err := NewToken()
	if err != nil {
		return LoginResult{}, err
	}
	var org *uuid.UUID
	// A session acts for one organisation: the first the user belongs to.
	if err := tx.QueryRow(ctx, `SELECT organisation_id FROM memberships m JOIN organisations o ON o.id = m.organisation_id
		WHERE user_id = $1 ORDER BY o.name LIMIT 1`, user).Scan(&org); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return LoginResult{}, fmt.Errorf("find organisation: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, organisation_id, expires_at, stage, pending_totp_sealed, pending_totp_key)
		VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6, $7)`,
		tokenHash, user, org, s.cfg.MaxLifetime.Seconds(), stage, pendingSealed, pendingKey); err != nil {
		return LoginResult{}, fmt.Errorf("insert session: %w", err)
	}
	if stage == StageFull {
		if _, err := tx.Exec(ctx, `UPDATE users SET last_sign_in_at = now() WHERE id = $1`, user); err != nil {
			return LoginResult{}, fmt.Errorf("record sign-in: %w", err)
		}
	}
	a, err := s.actor(ctx, tx, tokenHash, meta)
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Token: token, Actor: a, Stage: stage}, nil
}

// OpenSession opens a full session for a user authenticated elsewhere
// (single sign-on), as Login does after its checks.
func (s *Service) OpenSession(ctx context.Context, user uuid.UUID, meta actor.Actor, action string) (LoginResult, error) {
	var res LoginResult
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		res, err = s.openSession(ctx, tx, user, StageFull, nil, nil, meta)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, res.Actor, audit.Event{Action: action, ResourceType: "session"})
	})
	return res, err
}

// actor reads the session's user, stage and current roles.
func (s *Service) actor(ctx context.Context, q pgx.Tx, tokenHash []byte, meta actor.Actor) (actor.Actor, error) {
	a := meta
	var org *uuid.UUID
	var roles []string
	var lastSeen time.Time
	var stage string
	err := q.QueryRow(ctx, `
		SELECT s.user_id, s.organisation_id, u.superadmin, s.last_seen_at, s.stage,
		       coalesce(array_agg(m.role ORDER BY m.role) FILTER (WHERE m.role IS NOT NULL), '{}')
		FROM sessions s
		JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL
		LEFT JOIN memberships m ON m.user_id = s.user_id AND m.organisation_id = s.organisation_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $2)
		GROUP BY s.token_hash, u.superadmin`, tokenHash, s.cfg.IdleTimeout.Seconds()).
		Scan(&a.UserID, &org, &a.Superadmin, &lastSeen, &stage, &roles)
	if errors.Is(err, pgx.ErrNoRows) {
		return actor.Actor{}, apperr.New(apperr.Unauthenticated, "session expired or unknown: sign in again")
	}
	if err != nil {
		return actor.Actor{}, fmt.Errorf("read session: %w", err)
	}
	if org != nil {
		a.OrgID = *org
	}
	a.SignInStep = ""
	if stage != StageFull {
		a.SignInStep = stage
	}
	a.Roles = make([]actor.Role, len(roles))
	for i, r := range roles {
		a.Roles[i] = actor.Role(r)
	}
	a.SessionHash = tokenHash
	// Touch the session at most once a minute: enough for the idle timeout,
	// and most requests stay read-only.
	if time.Since(lastSeen) > time.Minute {
		if _, err := q.Exec(ctx, `UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1`, tokenHash); err != nil {
			return actor.Actor{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return a, nil
}

// Authenticate resolves a session token into the actor of this request,
// reading roles and account status afresh, so that a revocation applies to
// the very next request.
func (s *Service) Authenticate(ctx context.Context, token string, meta actor.Actor) (actor.Actor, error) {
	if token == "" {
		return meta, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	var a actor.Actor
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		a, err = s.actor(ctx, tx, HashToken(token), meta)
		return err
	})
	return a, err
}

// guardedCheck runs fn, a check of a code or password made by someone who
// already holds a session (enrolment, new recovery codes, password
// change): the attempt is reserved against the user's throttle key before
// fn runs, a wrong answer is audited as action denied and stays counted,
// like a failed sign-in, so a stolen session cannot guess a second factor
// or password unseen and unthrottled. A right answer clears the key; any
// other error gives the reservation back.
func (s *Service) guardedCheck(ctx context.Context, a actor.Actor, action string, fn func() error) error {
	att := userAttempt(a.UserID.String())
	if wait, err := s.reserve(ctx, att, false); err != nil {
		return err
	} else if wait > 0 {
		if err := s.recordDenied(ctx, a, a.UserID, action); err != nil {
			return err
		}
		return apperr.RateLimitedFor(wait, "too many wrong codes: try again in %d seconds", waitSeconds(wait))
	}
	err := fn()
	e, ok := apperr.As(err)
	switch {
	case err == nil:
		if _, derr := s.pool.Exec(context.WithoutCancel(ctx), `DELETE FROM auth_throttle WHERE key = ANY($1)`, att.names()); derr != nil {
			return fmt.Errorf("reset throttle: %w", derr)
		}
	case ok && e.Code == apperr.Invalid && len(e.Fields) == 1 &&
		(e.Fields[0].Field == "code" || e.Fields[0].Field == "currentPassword"):
		if ferr := s.recordDenied(ctx, a, a.UserID, action); ferr != nil {
			return ferr
		}
	default:
		if gerr := s.giveBack(ctx, att); gerr != nil {
			return errors.Join(err, gerr)
		}
	}
	return err
}

// ConfirmTOTPEnrollment stores the secret offered at sign-in once the user
// proves their app has it, and returns fresh recovery codes. The session
// moves on to a full one (or to the password change, if one is due).
func (s *Service) ConfirmTOTPEnrollment(ctx context.Context, a actor.Actor, code string) ([]string, actor.Actor, error) {
	if !a.HasSession() {
		return nil, a, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	if a.SignInStep != StageTOTPEnrollment {
		return nil, a, apperr.New(apperr.Conflict, "no second factor is being enrolled in this session")
	}
	var codes []string
	err := s.guardedCheck(ctx, a, "auth.totp.enroll", func() error {
		return s.confirmTOTP(ctx, a, code, &codes)
	})
	if err != nil {
		return nil, a, err
	}
	a, err = s.refresh(ctx, a)
	return codes, a, err
}

func (s *Service) confirmTOTP(ctx context.Context, a actor.Actor, code string, codes *[]string) error {
	return postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var sealed, key []byte
		var mustChange bool
		if err := tx.QueryRow(ctx, `SELECT s.pending_totp_sealed, s.pending_totp_key, u.must_change_password
			FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 FOR UPDATE OF s`, a.SessionHash).
			Scan(&sealed, &key, &mustChange); err != nil {
			return fmt.Errorf("read pending secret: %w", err)
		}
		secret, err := s.kr.OpenRecord(sealed, key, totpAAD(a.UserID))
		if err != nil {
			return fmt.Errorf("open pending secret: %w", err)
		}
		step, ok := matchTOTP(secret, code, s.now(), 0)
		if !ok {
			return apperr.InvalidField("code", "this code does not match: check the time of the device and try the next code")
		}
		tag, err := tx.Exec(ctx, `UPDATE users SET totp_secret_sealed = $2, totp_secret_key = $3, totp_last_step = $4
			WHERE id = $1 AND totp_secret_sealed IS NULL`, a.UserID, sealed, key, step)
		if err != nil {
			return fmt.Errorf("store totp secret: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return apperr.New(apperr.Conflict, "a second factor is already enrolled")
		}
		if *codes, err = s.replaceRecoveryCodes(ctx, tx, a.UserID); err != nil {
			return err
		}
		next := StageFull
		if mustChange {
			next = StagePasswordChange
		}
		if err := s.setStage(ctx, tx, a, next); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "auth.totp.enroll", ResourceType: "user", ResourceIDs: []uuid.UUID{a.UserID}})
	})
}

func (s *Service) setStage(ctx context.Context, tx pgx.Tx, a actor.Actor, stage string) error {
	if _, err := tx.Exec(ctx, `UPDATE sessions SET stage = $2, pending_totp_sealed = NULL, pending_totp_key = NULL
		WHERE token_hash = $1`, a.SessionHash, stage); err != nil {
		return fmt.Errorf("update session: %w", err)
	}
	if stage == StageFull {
		if _, err := tx.Exec(ctx, `UPDATE users SET last_sign_in_at = now() WHERE id = $1`, a.UserID); err != nil {
			return fmt.Errorf("record sign-in: %w", err)
		}
	}
	return nil
}

func (s *Service) refresh(ctx context.Context, a actor.Actor) (actor.Actor, error) {
	var out actor.Actor
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = s.actor(ctx, tx, a.SessionHash, a)
		return err
	})
	return out, err
}

// RecoveryCodeCount is how many recovery codes an enrolment hands out.
const RecoveryCodeCount = 10

func recoveryHash(code string) []byte {
	norm := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	h := sha256.Sum256([]byte(norm))
	return h[:]
}

// replaceRecoveryCodes voids the user's codes and issues new ones: 10
// codes of 50 random bits, shown as XXXXX-XXXXX.
func (s *Service) replaceRecoveryCodes(ctx context.Context, tx pgx.Tx, user uuid.UUID) ([]string, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, user); err != nil {
		return nil, fmt.Errorf("void recovery codes: %w", err)
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("recovery code: %w", err)
		}
		c := b32.EncodeToString(b)[:10]
		codes[i] = c[:5] + "-" + c[5:]
		if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, user, recoveryHash(codes[i])); err != nil {
			return nil, fmt.Errorf("store recovery code: %w", err)
		}
	}
	return codes, nil
}

// RegenerateRecoveryCodes replaces the user's recovery codes; it needs a
// current TOTP code.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, a actor.Actor, code string) ([]string, error) {
	if !a.Authenticated() {
		return nil, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	var codes []string
	err := s.guardedCheck(ctx, a, "auth.recovery_codes.regenerate", func() error {
		return postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			return s.regenerate(ctx, tx, a, code, &codes)
		})
	})
	return codes, err
}

func (s *Service) regenerate(ctx context.Context, tx pgx.Tx, a actor.Actor, code string, codes *[]string) error {
	{
		acc := account{id: a.UserID}
		if err := tx.QueryRow(ctx, `SELECT totp_secret_sealed, totp_secret_key, totp_last_step FROM users WHERE id = $1 FOR UPDATE`, a.UserID).
			Scan(&acc.totpSealed, &acc.totpKey, &acc.totpLastStep); err != nil {
			return fmt.Errorf("read user: %w", err)
		}
		if len(strings.TrimSpace(code)) != totpDigits || acc.totpSealed == nil {
			return apperr.InvalidField("code", "enter the current 6-digit code of your authenticator app")
		}
		ok, err := s.checkCode(ctx, tx, acc, code)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.InvalidField("code", "this code does not match or was already used")
		}
		if *codes, err = s.replaceRecoveryCodes(ctx, tx, a.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "auth.recovery_codes.regenerate", ResourceType: "user", ResourceIDs: []uuid.UUID{a.UserID}})
	}
}

// ChangePassword replaces the user's password after checking the current
// one; the user's other sessions end. A session limited to the password
// change becomes a full one.
func (s *Service) ChangePassword(ctx context.Context, a actor.Actor, current, next string) (actor.Actor, error) {
	if !a.HasSession() || (a.SignInStep != "" && a.SignInStep != StagePasswordChange) {
		return a, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	var email, hash string
	if err := s.pool.QueryRow(ctx, `SELECT email, password_hash FROM users WHERE id = $1`, a.UserID).Scan(&email, &hash); err != nil {
		return a, fmt.Errorf("read user: %w", err)
	}
	release, err := s.gate.acquire(ctx)
	if err != nil {
		return a, err
	}
	defer release()
	if err := s.guardedCheck(ctx, a, "auth.password.change", func() error {
		ok, err := s.checkPassword(hash, current)
		release()
		if err != nil || !ok {
			return apperr.InvalidField("currentPassword", "is not your current password")
		}
		return nil
	}); err != nil {
		return a, err
	}
	if err := s.policy.Check("newPassword", next, email); err != nil {
		return a, err
	}
	if next == current {
		return a, apperr.InvalidField("newPassword", "must differ from the current password")
	}
	release2, err := s.gate.acquire(ctx)
	if err != nil {
		return a, err
	}
	newHash, err := HashPassword(next)
	release2()
	if err != nil {
		return a, err
	}
	err = postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1`, a.UserID, newHash); err != nil {
			return fmt.Errorf("update password: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, a.UserID, a.SessionHash); err != nil {
			return fmt.Errorf("end other sessions: %w", err)
		}
		if err := s.setStage(ctx, tx, a, StageFull); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "auth.password.change", ResourceType: "user", ResourceIDs: []uuid.UUID{a.UserID}})
	})
	if err != nil {
		return a, err
	}
	return s.refresh(ctx, a)
}

// Logout ends the session of a.
func (s *Service) Logout(ctx context.Context, a actor.Actor) error {
	return postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, a.SessionHash); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "auth.logout", ResourceType: "session"})
	})
}

// Me returns the signed-in user's account (also for a limited session).
func (s *Service) Me(ctx context.Context, a actor.Actor) (User, error) {
	if !a.HasSession() {
		return User{}, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	u := User{ID: a.UserID}
	// In a transaction: a read request's shared one when there is one.
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT email, display_name, superadmin, totp_secret_sealed IS NOT NULL,
			(SELECT count(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL)
			FROM users u WHERE id = $1`, a.UserID).
			Scan(&u.Email, &u.DisplayName, &u.Superadmin, &u.TOTPEnrolled, &u.RecoveryCodesLeft)
	})
	if err != nil {
		return User{}, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}

func (s *Service) recordDenied(ctx context.Context, meta actor.Actor, user uuid.UUID, action string) error {
	return postgres.InTx(context.WithoutCancel(ctx), s.pool, func(tx pgx.Tx) error {
		m := meta
		m.UserID = user
		return audit.Record(ctx, tx, m, audit.Event{Action: action, ResourceType: "session", Outcome: audit.Denied})
	})
}
