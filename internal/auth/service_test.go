package auth

// Internal tests: password hashing is unexported, and the helpers here
// cannot collide with those of the external auth_test package (whose
// TestMain, pgtest.Main, runs these tests too).

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/argon2"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"", "mot de passe accentué ✓"} {
		h, err := HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, fmt.Sprintf("$argon2id$v=%d$m=65536,t=3,p=2$", argon2.Version)) {
			t.Fatalf("hash %q: not PHC argon2id with the expected parameters", h)
		}
		if ok, err := verifyPassword(h, pw); err != nil || !ok {
			t.Fatalf("%q: own hash refused (%v)", pw, err)
		}
		if ok, err := verifyPassword(h, pw+"!"); err != nil || ok {
			t.Fatalf("%q: another password accepted (%v)", pw, err)
		}
		if h2, _ := HashPassword(pw); h2 == h {
			t.Fatal("two hashes of one password are equal: no salt")
		}
	}
}

// A hash carries its own parameters: those of older hashes still verify.
func TestVerifyPasswordUsesTheHashParameters(t *testing.T) {
	t.Parallel()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("old password"), salt, 1, 1024, 1, 16)
	b64 := base64.RawStdEncoding
	h := fmt.Sprintf("$argon2id$v=%d$m=1024,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
	if ok, err := verifyPassword(h, "old password"); err != nil || !ok {
		t.Fatalf("hash with other parameters refused: %v", err)
	}
	if ok, _ := verifyPassword(h, "old passwore"); ok {
		t.Fatal("wrong password accepted")
	}
}

func TestVerifyPasswordRefusesMalformedHashes(t *testing.T) {
	t.Parallel()
	good, err := HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=..., salt, key
	join := func(p ...string) string { return strings.Join(p, "$") }
	for name, h := range map[string]string{
		"empty":             "",
		"not PHC":           "x",
		"bcrypt":            "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
		"argon2i":           join("", "argon2i", parts[2], parts[3], parts[4], parts[5]),
		"other version":     join("", "argon2id", "v=16", parts[3], parts[4], parts[5]),
		"version garbage":   join("", "argon2id", "v=x", parts[3], parts[4], parts[5]),
		"parameters":        join("", "argon2id", parts[2], "m=lots", parts[4], parts[5]),
		"salt not base64":   join("", "argon2id", parts[2], parts[3], "!!!", parts[5]),
		"key not base64":    join("", "argon2id", parts[2], parts[3], parts[4], "***"),
		"empty key":         join("", "argon2id", parts[2], parts[3], parts[4], ""),
		"missing part":      join("", "argon2id", parts[2], parts[3], parts[5]),
		"extra part":        good + "$x",
		"no leading dollar": strings.TrimPrefix(good, "$"),
	} {
		ok, err := verifyPassword(h, "pw")
		if ok || err != errBadHash {
			t.Errorf("%s: verify(%q) = %v, %v; want false, errBadHash", name, h, ok, err)
		}
	}
}

func TestNewRefusesNonPositiveTimeouts(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{{}, {IdleTimeout: time.Hour}, {MaxLifetime: time.Hour}, {IdleTimeout: -1, MaxLifetime: time.Hour}} {
		if _, err := New(nil, nil, cfg); err == nil {
			t.Errorf("New accepted %+v", cfg)
		}
	}
}

// signIn is a database, an auth service on it whose clock the test moves,
// and a user of two roles who can sign in.
type signIn struct {
	pool   *pgxpool.Pool
	kr     *crypto.KeyRing
	svc    *Service
	org    uuid.UUID
	user   uuid.UUID
	email  string
	pw     string
	secret []byte // the TOTP secret, once enrolled
	clock  time.Time
	meta   actor.Actor
}

func newSignIn(t *testing.T) *signIn {
	t.Helper()
	pool := pgtest.New(t)
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210")))
	if err != nil {
		t.Fatal(err)
	}
	s := &signIn{pool: pool, kr: kr, pw: "une phrase de passe assez longue", clock: time.Now(),
		meta: actor.Actor{RequestID: "req-1", IP: "192.0.2.44", UserAgent: "go-test"}}
	s.svc = s.service(t, Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour})
	s.org = testfixture.Org(t, pool)
	a := testfixture.User(t, pool, s.org, actor.LegalStaff, actor.Advocacy)
	s.user = a.UserID
	hash, err := HashPassword(s.pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(context.Background(), `UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email`,
		s.user, hash).Scan(&s.email); err != nil {
		t.Fatal(err)
	}
	return s
}

// service returns another service on the same database and clock.
func (s *signIn) service(t *testing.T, cfg Config) *Service {
	t.Helper()
	svc, err := New(s.pool, s.kr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc.now = func() time.Time { return s.clock }
	return svc
}

// code moves the clock one TOTP step on and returns the code of that step.
func (s *signIn) code() string {
	s.clock = s.clock.Add(totpPeriod * time.Second)
	return TOTPCode(s.secret, s.clock)
}

// enrol signs in for the first time and enrols the second factor.
func (s *signIn) enrol(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	res, err := s.svc.Login(ctx, s.email, s.pw, nil, s.meta)
	if err != nil || res.Enrollment == nil {
		t.Fatalf("first sign-in: %+v %v", res, err)
	}
	if s.secret, err = DecodeSecret(res.Enrollment.Secret); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.svc.ConfirmTOTPEnrollment(ctx, res.Actor, s.code()); err != nil {
		t.Fatalf("enrol: %v", err)
	}
}

func (s *signIn) login(t *testing.T, svc *Service) LoginResult {
	t.Helper()
	c := s.code()
	res, err := svc.Login(context.Background(), s.email, s.pw, &c, s.meta)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return res
}

func (s *signIn) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func (s *signIn) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := s.pool.Exec(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func wantCode(t *testing.T, err error, want apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); err == nil || got != want {
		t.Fatalf("want %s, got %v", want, err)
	}
}

func TestLoginReturnsTheActorWithItsRoles(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	res := s.login(t, s.svc)
	a := res.Actor
	if !a.Authenticated() || a.UserID != s.user || a.OrgID != s.org || res.Stage != StageFull ||
		!slices.Equal(a.Roles, []actor.Role{actor.Advocacy, actor.LegalStaff}) {
		t.Fatalf("actor %+v, stage %s", a, res.Stage)
	}
	if string(a.SessionHash) != string(HashToken(res.Token)) || a.RequestID != "req-1" || a.IP != "192.0.2.44" || a.UserAgent != "go-test" {
		t.Fatalf("session hash or request origin lost: %+v", a)
	}
	if b, err := base64.RawURLEncoding.DecodeString(res.Token); err != nil || len(b) != 32 {
		t.Fatalf("token %q is not 256 random bits", res.Token)
	}
	// The sign-in is audited against the user and the organisation.
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'allowed'
		AND actor_user_id = $1 AND organisation_id = $2 AND session_hash = $3`, s.user, s.org, a.SessionHash); n != 1 {
		t.Fatalf("%d allowed auth.login events for this session", n)
	}
	if n := s.count(t, `SELECT count(*) FROM users WHERE id = $1 AND last_sign_in_at IS NOT NULL`, s.user); n != 1 {
		t.Fatal("last sign-in not recorded")
	}
	// Authenticate gives the same actor back.
	got, err := s.svc.Authenticate(context.Background(), res.Token, s.meta)
	if err != nil || got.UserID != a.UserID || got.OrgID != a.OrgID || !slices.Equal(got.Roles, a.Roles) {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
}

// A session acts for one organisation, the first by name, with the roles
// held there only; a user with no organisation gets none.
func TestSessionOrganisation(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	var first uuid.UUID
	if err := s.pool.QueryRow(context.Background(), `INSERT INTO organisations (name) VALUES ('0 Première association') RETURNING id`).
		Scan(&first); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'dpo')`, s.user, first)
	a := s.login(t, s.svc).Actor
	if a.OrgID != first || !slices.Equal(a.Roles, []actor.Role{actor.DPO}) {
		t.Fatalf("actor %+v: want the first organisation by name and its roles", a)
	}
	s.exec(t, `DELETE FROM memberships WHERE user_id = $1`, s.user)
	a = s.login(t, s.svc).Actor
	if a.OrgID != uuid.Nil || len(a.Roles) != 0 || !a.Authenticated() {
		t.Fatalf("actor without organisation: %+v", a)
	}
}

func TestFailedLoginsAreAuditedAndLookTheSame(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	ctx := context.Background()
	sessions := s.count(t, `SELECT count(*) FROM sessions`)
	c := s.code()
	_, wrongPw := s.svc.Login(ctx, s.email, "not the password at all", &c, s.meta)
	wantCode(t, wrongPw, apperr.Unauthenticated)
	c = s.code()
	_, unknown := s.svc.Login(ctx, "nobody@example.org", s.pw, &c, s.meta)
	wantCode(t, unknown, apperr.Unauthenticated)
	if wrongPw.Error() != unknown.Error() {
		t.Fatalf("the errors tell the cases apart: %q vs %q", wrongPw, unknown)
	}
	// One denied event each: the known user is named, the unknown e-mail is not.
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'denied' AND actor_user_id = $1`, s.user); n != 1 {
		t.Fatalf("%d denied events for the wrong password", n)
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'denied' AND actor_user_id IS NULL
		AND source_ip = '192.0.2.44' AND request_id = 'req-1'`); n != 1 {
		t.Fatalf("%d denied events for the unknown e-mail", n)
	}
	// Nothing in the audit log carries the e-mail or the password typed.
	if n := s.count(t, `SELECT count(*) FROM audit_events a
		WHERE a::text LIKE '%nobody%' OR a::text LIKE '%not the password%'`); n != 0 {
		t.Fatalf("credentials in the audit log")
	}
	if n := s.count(t, `SELECT count(*) FROM sessions`); n != sessions {
		t.Fatalf("%d sessions opened by failed sign-ins", n-sessions)
	}
}

func TestDisabledUserCannotSignIn(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	ctx := context.Background()
	c := s.code()
	_, wrong := s.svc.Login(ctx, s.email, "not the password at all", &c, s.meta)
	s.exec(t, `UPDATE users SET disabled_at = now() WHERE id = $1`, s.user)
	sessions := s.count(t, `SELECT count(*) FROM sessions`)
	c = s.code()
	_, err := s.svc.Login(ctx, s.email, s.pw, &c, s.meta)
	wantCode(t, err, apperr.Unauthenticated)
	if err.Error() != wrong.Error() {
		t.Fatalf("a disabled account is told apart: %q vs %q", err, wrong)
	}
	if n := s.count(t, `SELECT count(*) FROM sessions`); n != sessions {
		t.Fatal("a disabled user got a session")
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'denied' AND actor_user_id = $1`, s.user); n != 2 {
		t.Fatalf("%d denied events, want 2", n)
	}
}

func TestDisablingEndsExistingSessions(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	res := s.login(t, s.svc)
	s.exec(t, `UPDATE users SET disabled_at = now() WHERE id = $1`, s.user)
	_, err := s.svc.Authenticate(context.Background(), res.Token, s.meta)
	wantCode(t, err, apperr.Unauthenticated)
}

// The lifetimes come from Config: with short ones, sessions end on time
// without touching the database.
func TestSessionLifetimesFromConfig(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	ctx := context.Background()
	const short = 3 * time.Second
	sessions := map[string]struct {
		svc *Service
		tok string
	}{}
	for name, cfg := range map[string]Config{
		"idle":  {IdleTimeout: short, MaxLifetime: time.Hour},
		"short": {IdleTimeout: time.Hour, MaxLifetime: short},
		"long":  {IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour},
	} {
		svc := s.service(t, cfg)
		tok := s.login(t, svc).Token
		// Checked at once: a sign-in is slow (argon2id), a session check is not.
		if _, err := svc.Authenticate(ctx, tok, s.meta); err != nil {
			t.Fatalf("%s: fresh session refused: %v", name, err)
		}
		sessions[name] = struct {
			svc *Service
			tok string
		}{svc, tok}
	}
	time.Sleep(short + 500*time.Millisecond)
	for _, name := range []string{"idle", "short"} {
		_, err := sessions[name].svc.Authenticate(ctx, sessions[name].tok, s.meta)
		wantCode(t, err, apperr.Unauthenticated)
	}
	if _, err := sessions["long"].svc.Authenticate(ctx, sessions["long"].tok, s.meta); err != nil {
		t.Fatalf("a session within its lifetimes ended: %v", err)
	}
}

// Use keeps a session alive: Authenticate moves last_seen_at on (at most
// once a minute), and the absolute lifetime holds whatever the use.
func TestActivityExtendsOnlyTheIdleTimeout(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	ctx := context.Background()
	svc := s.service(t, Config{IdleTimeout: 10 * time.Minute, MaxLifetime: time.Hour})
	res := s.login(t, svc)
	h := HashToken(res.Token)
	lastSeen := func() time.Duration {
		t.Helper()
		var ago float64
		if err := s.pool.QueryRow(ctx, `SELECT extract(epoch FROM now() - last_seen_at) FROM sessions WHERE token_hash = $1`, h).Scan(&ago); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ago * float64(time.Second))
	}
	// Used 30 s ago: not touched again (most requests stay read-only).
	s.exec(t, `UPDATE sessions SET last_seen_at = now() - interval '30 seconds' WHERE token_hash = $1`, h)
	if _, err := svc.Authenticate(ctx, res.Token, s.meta); err != nil {
		t.Fatal(err)
	}
	if ago := lastSeen(); ago < 25*time.Second {
		t.Fatalf("touched after 30 s: last seen %s ago", ago)
	}
	// Used 9 minutes ago: touched, so the idle timeout starts again.
	s.exec(t, `UPDATE sessions SET last_seen_at = now() - interval '9 minutes' WHERE token_hash = $1`, h)
	if _, err := svc.Authenticate(ctx, res.Token, s.meta); err != nil {
		t.Fatal(err)
	}
	if ago := lastSeen(); ago > 10*time.Second {
		t.Fatalf("not touched: last seen %s ago", ago)
	}
	// 11 minutes idle: over.
	s.exec(t, `UPDATE sessions SET last_seen_at = now() - interval '11 minutes' WHERE token_hash = $1`, h)
	_, err := svc.Authenticate(ctx, res.Token, s.meta)
	wantCode(t, err, apperr.Unauthenticated)
	// Recently used but past its absolute lifetime: over too.
	other := s.login(t, svc)
	s.exec(t, `UPDATE sessions SET expires_at = now() - interval '1 second', last_seen_at = now() WHERE token_hash = $1`,
		HashToken(other.Token))
	_, err = svc.Authenticate(ctx, other.Token, s.meta)
	wantCode(t, err, apperr.Unauthenticated)
}

func TestAuthenticateRefusesUnknownTokens(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	ctx := context.Background()
	for _, tok := range []string{"", "garbage", strings.Repeat("A", 43)} {
		a, err := s.svc.Authenticate(ctx, tok, s.meta)
		wantCode(t, err, apperr.Unauthenticated)
		if a.HasSession() || a.Authenticated() {
			t.Fatalf("%q: actor %+v", tok, a)
		}
	}
	// The raw token is not what is stored: presenting the stored hash fails.
	s.enrol(t)
	res := s.login(t, s.svc)
	_, err := s.svc.Authenticate(ctx, base64.RawURLEncoding.EncodeToString(HashToken(res.Token)), s.meta)
	wantCode(t, err, apperr.Unauthenticated)
}

func TestLogoutDeletesTheSession(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	ctx := context.Background()
	one, two := s.login(t, s.svc), s.login(t, s.svc)
	if err := s.svc.Logout(ctx, one.Actor); err != nil {
		t.Fatal(err)
	}
	if n := s.count(t, `SELECT count(*) FROM sessions WHERE token_hash = $1`, HashToken(one.Token)); n != 0 {
		t.Fatal("the session row survived the logout")
	}
	if n := s.count(t, `SELECT count(*) FROM sessions WHERE token_hash = $1`, HashToken(two.Token)); n != 1 {
		t.Fatal("logout ended another session")
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'auth.logout' AND actor_user_id = $1 AND session_hash = $2`,
		s.user, one.Actor.SessionHash); n != 1 {
		t.Fatalf("%d auth.logout events", n)
	}
	_, err := s.svc.Authenticate(ctx, one.Token, s.meta)
	wantCode(t, err, apperr.Unauthenticated)
}

func TestRolesAreReadOnEveryRequest(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	ctx := context.Background()
	res := s.login(t, s.svc)
	roles := func() []actor.Role {
		t.Helper()
		a, err := s.svc.Authenticate(ctx, res.Token, s.meta)
		if err != nil {
			t.Fatal(err)
		}
		return a.Roles
	}
	s.exec(t, `DELETE FROM memberships WHERE user_id = $1 AND role = 'advocacy'`, s.user)
	if got := roles(); !slices.Equal(got, []actor.Role{actor.LegalStaff}) {
		t.Fatalf("after removing a role: %v", got)
	}
	s.exec(t, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'admin')`, s.user, s.org)
	if got := roles(); !slices.Equal(got, []actor.Role{actor.Admin, actor.LegalStaff}) {
		t.Fatalf("after granting a role: %v", got)
	}
	// A role in another organisation does not count in this session.
	other := testfixture.Org(t, s.pool)
	s.exec(t, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'dpo')`, s.user, other)
	if got := roles(); slices.Contains(got, actor.DPO) {
		t.Fatalf("a role of another organisation leaked into the session: %v", got)
	}
	s.exec(t, `DELETE FROM memberships WHERE user_id = $1`, s.user)
	if got := roles(); len(got) != 0 {
		t.Fatalf("after removing every role: %v", got)
	}
}

// Each sign-in issues a new token: a token planted before sign-in (session
// fixation) never becomes a valid session.
func TestEachLoginIssuesANewToken(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	before := s.count(t, `SELECT count(*) FROM sessions WHERE user_id = $1`, s.user)
	seen := map[string]bool{}
	for range 5 {
		tok := s.login(t, s.svc).Token
		if seen[tok] {
			t.Fatal("a token was issued twice")
		}
		seen[tok] = true
	}
	if n := s.count(t, `SELECT count(*) FROM sessions WHERE user_id = $1`, s.user); n != before+5 {
		t.Fatalf("%d new sessions, want 5", n-before)
	}
}
