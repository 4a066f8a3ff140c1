package auth_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

// flow is one database with an auth service and a user to sign in.
type flow struct {
	pool  *pgxpool.Pool
	svc   *auth.Service
	email string
	pw    string
	user  uuid.UUID
	org   uuid.UUID
	meta  actor.Actor
	clock time.Time // the service's clock: each code moves it one TOTP step on
}

// next returns a valid code for the next time step, moving the clock on,
// so tests never wait for a real 30-second window.
func (f *flow) next(secret string) string {
	f.clock = f.clock.Add(30 * time.Second)
	raw, err := auth.DecodeSecret(secret)
	if err != nil {
		panic(err)
	}
	return auth.TOTPCode(raw, f.clock)
}

func newFlow(t *testing.T, cfg auth.Config) *flow {
	t.Helper()
	pool := pgtest.New(t)
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IdleTimeout == 0 {
		cfg = auth.Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour}
	}
	svc, err := auth.New(pool, kr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	org := testfixture.Org(t, pool)
	a := testfixture.User(t, pool, org, actor.LegalStaff)
	f := &flow{pool: pool, svc: svc, user: a.UserID, org: org, pw: "correct horse battery staple",
		meta: actor.Actor{RequestID: "t", IP: "192.0.2.10", UserAgent: "go-test"}, clock: time.Now()}
	auth.SetClock(svc, func() time.Time { return f.clock })
	hash, err := auth.HashPassword(f.pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(context.Background(), `UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email`,
		f.user, hash).Scan(&f.email); err != nil {
		t.Fatal(err)
	}
	return f
}

func code(t *testing.T, err error) apperr.Code {
	t.Helper()
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}

// enrol signs in for the first time and enrols a second factor; it
// returns the secret and the recovery codes.
func (f *flow) enrol(t *testing.T) (string, []string) {
	t.Helper()
	ctx := context.Background()
	res, err := f.svc.Login(ctx, f.email, f.pw, nil, f.meta)
	if err != nil {
		t.Fatalf("first login: %v", err)
	}
	if res.Stage != auth.StageTOTPEnrollment || res.Enrollment == nil || !strings.HasPrefix(res.Enrollment.QRCodePNG, "data:image/png;base64,") ||
		!strings.HasPrefix(res.Enrollment.OTPAuthURI, "otpauth://totp/") {
		t.Fatalf("first login must offer enrolment: %+v", res)
	}
	if res.Actor.Authenticated() {
		t.Fatal("a session limited to enrolment must not be authenticated")
	}
	if _, _, err := f.svc.ConfirmTOTPEnrollment(ctx, res.Actor, "000000"); code(t, err) != apperr.Invalid {
		t.Fatalf("wrong enrolment code: want INVALID, got %v", err)
	}
	codes, a, err := f.svc.ConfirmTOTPEnrollment(ctx, res.Actor, f.next(res.Enrollment.Secret))
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if !a.Authenticated() || len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("after enrolment: actor %+v, %d codes", a, len(codes))
	}
	return res.Enrollment.Secret, codes
}

func TestEnrolmentThenSignIn(t *testing.T) {
	t.Parallel()
	f := newFlow(t, auth.Config{})
	ctx := context.Background()
	secret, _ := f.enrol(t)

	// From now on the code is mandatory.
	if _, err := f.svc.Login(ctx, f.email, f.pw, nil, f.meta); code(t, err) != apperr.Unauthenticated {
		t.Fatalf("login without code: %v", err)
	}
	c := f.next(secret)
	res, err := f.svc.Login(ctx, f.email, f.pw, &c, f.meta)
	if err != nil || !res.Actor.Authenticated() || res.Stage != auth.StageFull {
		t.Fatalf("login with code: %+v %v", res, err)
	}
	// The same code again, in the same window: a replay.
	if _, err := f.svc.Login(ctx, f.email, f.pw, &c, f.meta); code(t, err) != apperr.Unauthenticated {
		t.Fatalf("replayed code accepted: %v", err)
	}
}

func TestRecoveryCodesAreSingleUse(t *testing.T) {
	t.Parallel()
	f := newFlow(t, auth.Config{})
	ctx := context.Background()
	_, codes := f.enrol(t)
	rc := strings.ToLower(codes[3]) // case and dash do not matter
	if _, err := f.svc.Login(ctx, f.email, f.pw, &rc, f.meta); err != nil {
		t.Fatalf("recovery code refused: %v", err)
	}
	if _, err := f.svc.Login(ctx, f.email, f.pw, &rc, f.meta); code(t, err) != apperr.Unauthenticated {
		t.Fatalf("recovery code used twice: %v", err)
	}
	u, err := f.svc.Me(ctx, actor.Actor{UserID: f.user})
	if err != nil || u.RecoveryCodesLeft != auth.RecoveryCodeCount-1 {
		t.Fatalf("codes left: %+v %v", u, err)
	}
}

func TestFailuresLookTheSameAndDoTheSameWork(t *testing.T) {
	t.Parallel()
	f := newFlow(t, auth.Config{})
	ctx := context.Background()
	secret, _ := f.enrol(t)
	good := f.next(secret)
	bad := "123456"
	cases := []struct {
		name, email, pw string
		code            *string
	}{
		{"unknown e-mail", "nobody@example.org", f.pw, &good},
		{"wrong password", f.email, "wrong password!!", &good},
		{"wrong code", f.email, f.pw, &bad},
		{"missing code", f.email, f.pw, nil},
	}
	var msg string
	for _, c := range cases {
		before := auth.HashChecks(f.svc)
		_, err := f.svc.Login(ctx, c.email, c.pw, c.code, actor.Actor{IP: "192.0.2.99"})
		if code(t, err) != apperr.Unauthenticated {
			t.Fatalf("%s: %v", c.name, err)
		}
		if msg == "" {
			msg = err.Error()
		} else if err.Error() != msg {
			t.Fatalf("%s: message %q differs from %q", c.name, err.Error(), msg)
		}
		if n := auth.HashChecks(f.svc) - before; n != 1 {
			t.Fatalf("%s: %d password verifications, want exactly 1 (same work whatever failed)", c.name, n)
		}
	}
	var denied int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND outcome = 'denied'`).Scan(&denied); err != nil || denied != len(cases) {
		t.Fatalf("denied sign-ins audited: %d (%v)", denied, err)
	}
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	f := newFlow(t, auth.Config{})
	ctx := context.Background()
	secret, _ := f.enrol(t)
	for i := 0; i < 5; i++ {
		if _, err := f.svc.Login(ctx, f.email, "wrong password!!", nil, f.meta); code(t, err) != apperr.Unauthenticated {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	c := f.next(secret)
	if _, err := f.svc.Login(ctx, f.email, f.pw, &c, f.meta); code(t, err) != apperr.RateLimited {
		t.Fatalf("locked account accepted the right password: %v", err)
	}
	// The lock is on the e-mail, whoever asks; an unknown e-mail locks the same way.
	if _, err := f.svc.Login(ctx, f.email, f.pw, &c, actor.Actor{IP: "198.51.100.7"}); code(t, err) != apperr.RateLimited {
		t.Fatalf("lock must hold from another address: %v", err)
	}
	var throttled int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'auth.login.throttled'`).Scan(&throttled); err != nil || throttled != 2 {
		t.Fatalf("throttled attempts audited: %d %v", throttled, err)
	}
	// When the lock expires, the right credentials work again and reset the counter.
	if _, err := f.pool.Exec(ctx, `UPDATE auth_throttle SET locked_until = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	c = f.next(secret)
	if _, err := f.svc.Login(ctx, f.email, f.pw, &c, f.meta); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	f := newFlow(t, auth.Config{})
	ctx := context.Background()
	secret, _ := f.enrol(t)
	login := func() auth.LoginResult {
		t.Helper()
		c := f.next(secret)
		res, err := f.svc.Login(ctx, f.email, f.pw, &c, f.meta)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	one, two := login(), login()
	if one.Token == two.Token || len(one.Token) < 43 {
		t.Fatal("each sign-in must issue a new random token (no fixation)")
	}
	var stored int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, []byte(one.Token)).Scan(&stored); err != nil || stored != 0 {
		t.Fatal("the raw token must not be stored")
	}
	if _, err := f.svc.Authenticate(ctx, one.Token, f.meta); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	// Logout ends only that session.
	if err := f.svc.Logout(ctx, one.Actor); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, one.Token, f.meta); code(t, err) != apperr.Unauthenticated {
		t.Fatalf("session after logout: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, two.Token, f.meta); err != nil {
		t.Fatalf("other session after logout: %v", err)
	}
	// Idle timeout and absolute lifetime.
	if _, err := f.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = now() - interval '2 hours' WHERE token_hash = $1`, auth.HashToken(two.Token)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, two.Token, f.meta); code(t, err) != apperr.Unauthenticated {
		t.Fatalf("idle session accepted: %v", err)
	}
	three := login()
	if _, err := f.pool.Exec(ctx, `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, auth.HashToken(three.Token)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, three.Token, f.meta); code(t, err) != apperr.Unauthenticated {
		t.Fatalf("expired session accepted: %v", err)
	}
	// Revocation: a role removed, then the account disabled, on the next request.
	four := login()
	if _, err := f.pool.Exec(ctx, `DELETE FROM memberships WHERE user_id = $1`, f.user); err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Authenticate(ctx, four.Token, f.meta)
	if err != nil || len(a.Roles) != 0 {
		t.Fatalf("roles must be read on every request: %+v %v", a, err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, f.user); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, four.Token, f.meta); code(t, err) != apperr.Unauthenticated {
		t.Fatalf("disabled account mid-session: %v", err)
	}
}

func TestPasswordChangeRequiredAfterReset(t *testing.T) {
	t.Parallel()
	f := newFlow(t, auth.Config{})
	ctx := context.Background()
	secret, _ := f.enrol(t)
	if _, err := f.pool.Exec(ctx, `UPDATE users SET must_change_password = true WHERE id = $1`, f.user); err != nil {
		t.Fatal(err)
	}
	c := f.next(secret)
	res, err := f.svc.Login(ctx, f.email, f.pw, &c, f.meta)
	if err != nil || res.Stage != auth.StagePasswordChange || res.Actor.Authenticated() {
		t.Fatalf("login after reset: %+v %v", res, err)
	}
	for _, bad := range []struct{ cur, next, field string }{
		{"not the password", "a brand new passphrase", "currentPassword"},
		{f.pw, "short", "newPassword"},
		{f.pw, "motdepasse123", "newPassword"},
		{f.pw, f.pw, "newPassword"},
	} {
		_, err := f.svc.ChangePassword(ctx, res.Actor, bad.cur, bad.next)
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != bad.field {
			t.Fatalf("change %q → %q: want INVALID on %s, got %v", bad.cur, bad.next, bad.field, err)
		}
	}
	a, err := f.svc.ChangePassword(ctx, res.Actor, f.pw, "a brand new passphrase")
	if err != nil || !a.Authenticated() {
		t.Fatalf("change password: %+v %v", a, err)
	}
}
