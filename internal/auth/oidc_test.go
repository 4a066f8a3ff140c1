package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

// oidcRig is a database with one local account, an auth service and a
// mock identity provider on loopback, run by the test.
type oidcRig struct {
	pool  *pgxpool.Pool
	svc   *auth.Service
	sso   *auth.OIDC
	idp   *mockoidc.MockOIDC
	user  uuid.UUID
	email string
	meta  actor.Actor
}

// idpUser is the identity the mock provider signs in next; edit changes
// the ID token's standard claims (to forge a bad one).
type idpUser struct {
	sub, email string
	verified   *bool // nil: no email_verified claim
	amr        []string
	azp        string
	edit       func(*mockoidc.IDTokenClaims)
}

type idpClaims struct {
	*mockoidc.IDTokenClaims
	Email         string   `json:"email,omitempty"`
	EmailVerified *bool    `json:"email_verified,omitempty"`
	AMR           []string `json:"amr,omitempty"`
	AZP           string   `json:"azp,omitempty"`
}

func (u *idpUser) ID() string { return u.sub }

func (u *idpUser) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": u.sub})
}

func (u *idpUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if u.edit != nil {
		u.edit(base)
	}
	return &idpClaims{IDTokenClaims: base, Email: u.email, EmailVerified: u.verified, AMR: u.amr, AZP: u.azp}, nil
}

func ptr[T any](v T) *T { return &v }

// newOIDCRig starts the provider (wrapped by mw, if any) and configures
// single sign-on against it; cfg may adjust the configuration.
func newOIDCRig(t *testing.T, cfg func(*auth.OIDCConfig), mw func(http.Handler) http.Handler) *oidcRig {
	t.Helper()
	pool := pgtest.New(t)
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(pool, kr, auth.Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	idp, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if mw != nil {
		if err := idp.AddMiddleware(mw); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	c := auth.OIDCConfig{Issuer: idp.Issuer(), ClientID: idp.ClientID, ClientSecret: idp.ClientSecret,
		RedirectURL: "http://127.0.0.1:1/auth/oidc/callback"} // never followed: the test reads the redirect
	if cfg != nil {
		cfg(&c)
	}
	sso, err := auth.NewOIDC(svc, c)
	if err != nil {
		t.Fatal(err)
	}
	org := testfixture.Org(t, pool)
	a := testfixture.User(t, pool, org, actor.LegalStaff)
	r := &oidcRig{pool: pool, svc: svc, sso: sso, idp: idp, user: a.UserID,
		meta: actor.Actor{RequestID: "t", IP: "127.0.0.1", UserAgent: "go-test"}}
	if err := pool.QueryRow(context.Background(), `SELECT email FROM users WHERE id = $1`, a.UserID).Scan(&r.email); err != nil {
		t.Fatal(err)
	}
	return r
}

// noRedirects is a client that hands every redirect back to the test.
func noRedirects() *http.Client {
	return &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn runs Begin, lets the provider sign u in, and returns the callback
// the browser would bring back (with its cookie state).
func (r *oidcRig) signIn(t *testing.T, u mockoidc.User) auth.OIDCCallback {
	t.Helper()
	start, err := r.sso.Begin(context.Background())
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	if u != nil {
		r.idp.QueueUser(u)
	}
	resp, err := noRedirects().Get(start.URL)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	return auth.OIDCCallback{State: q.Get("state"), BrowserState: start.State, Code: q.Get("code"), Error: q.Get("error")}
}

func (r *oidcRig) verified() *idpUser {
	return &idpUser{sub: "sub-" + uuid.NewString()[:8], email: r.email, verified: ptr(true)}
}

func (r *oidcRig) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := r.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOIDCSignInBindsTheSubjectThenUsesIt(t *testing.T) {
	t.Parallel()
	r := newOIDCRig(t, nil, nil)
	ctx := context.Background()

	start, err := r.sso.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(start.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
		q.Get("state") != start.State || q.Get("scope") != "openid email" || q.Get("response_type") != "code" {
		t.Fatalf("authorization request: %v", q)
	}
	if q.Get("nonce") == start.State {
		t.Fatal("nonce and state must differ")
	}
	if n := r.count(t, `SELECT count(*) FROM oidc_logins`); n != 1 {
		t.Fatalf("pending sign-ins: %d", n)
	}

	idu := r.verified()
	res, err := r.sso.Finish(ctx, r.signIn(t, idu), r.meta)
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	if res.Stage != auth.StageFull || res.Actor.UserID != r.user {
		t.Fatalf("result: stage %q user %v", res.Stage, res.Actor.UserID)
	}
	a, err := r.svc.Authenticate(ctx, res.Token, r.meta)
	if err != nil || a.UserID != r.user || a.SignInStep != "" {
		t.Fatalf("authenticate: %v %+v", err, a)
	}
	var subject string
	if err := r.pool.QueryRow(ctx, `SELECT oidc_subject FROM users WHERE id = $1`, r.user).Scan(&subject); err != nil {
		t.Fatal(err)
	}
	if subject != r.idp.Issuer()+"|"+idu.sub {
		t.Fatalf("bound subject %q", subject)
	}
	if n := testfixture.AuditCount(t, r.pool, auth.OIDCAction, "allowed"); n != 1 {
		t.Fatalf("allowed events: %d", n)
	}
	// Only the session's own callback consumed a pending sign-in; the one
	// begun above for inspection is still pending.
	if n := r.count(t, `SELECT count(*) FROM oidc_logins`); n != 1 {
		t.Fatalf("pending sign-ins after finish: %d", n)
	}

	// Bound: the subject alone finds the account, whatever e-mail the
	// provider now sends.
	idu.email = "renamed-" + uuid.NewString()[:8] + "@example.org"
	res, err = r.sso.Finish(ctx, r.signIn(t, idu), r.meta)
	if err != nil || res.Actor.UserID != r.user {
		t.Fatalf("second sign-in by subject: %v", err)
	}
	// Another subject with the account's e-mail may not take it over.
	_, err = r.sso.Finish(ctx, r.signIn(t, r.verified()), r.meta)
	if !errors.Is(err, auth.ErrOIDCDenied) {
		t.Fatalf("other subject, same e-mail: %v", err)
	}
}

func TestOIDCStateIsSingleUseAndBoundToTheBrowser(t *testing.T) {
	t.Parallel()
	r := newOIDCRig(t, nil, nil)
	ctx := context.Background()
	sessions := func() int { return r.count(t, `SELECT count(*) FROM sessions`) }

	cb := r.signIn(t, r.verified())
	forged := cb
	forged.State, forged.BrowserState = "forged-state", "forged-state"
	noCookie := cb
	noCookie.BrowserState = ""
	tampered := cb
	tampered.State = cb.State[:len(cb.State)-1] + "x"
	for name, bad := range map[string]auth.OIDCCallback{"forged": forged, "no cookie": noCookie, "tampered": tampered} {
		if _, err := r.sso.Finish(ctx, bad, r.meta); !errors.Is(err, auth.ErrOIDCState) {
			t.Fatalf("%s state: %v", name, err)
		}
	}
	// None of them used up the real sign-in.
	if _, err := r.sso.Finish(ctx, cb, r.meta); err != nil {
		t.Fatalf("genuine callback: %v", err)
	}
	if _, err := r.sso.Finish(ctx, cb, r.meta); !errors.Is(err, auth.ErrOIDCState) {
		t.Fatalf("replayed state: %v", err)
	}
	if n := sessions(); n != 1 {
		t.Fatalf("sessions: %d", n)
	}
	if n := testfixture.AuditCount(t, r.pool, auth.OIDCAction, "denied"); n != 4 {
		t.Fatalf("denied events: %d", n)
	}

	// Expired: refused, and the pending row is gone.
	cb = r.signIn(t, r.verified())
	if _, err := r.pool.Exec(ctx, `UPDATE oidc_logins SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if _, err := r.sso.Finish(ctx, cb, r.meta); !errors.Is(err, auth.ErrOIDCState) {
		t.Fatalf("expired state: %v", err)
	}
	if n := r.count(t, `SELECT count(*) FROM oidc_logins`); n != 0 {
		t.Fatalf("pending sign-ins: %d", n)
	}
	// Begin sweeps expired sign-ins left behind by browsers that never came back.
	if _, err := r.sso.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.pool.Exec(ctx, `UPDATE oidc_logins SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if _, err := r.sso.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	if n := r.count(t, `SELECT count(*) FROM oidc_logins WHERE expires_at < now()`); n != 0 {
		t.Fatalf("expired sign-ins left: %d", n)
	}
	if n := sessions(); n != 1 {
		t.Fatalf("sessions: %d", n)
	}
}

// resign replaces the ID token of the provider's token answers with the
// same claims signed by another key (under the same key id).
func resign(t *testing.T) func(http.Handler) http.Handler {
	other, err := mockoidc.RandomKeypair(2048)
	if err != nil {
		t.Fatal(err)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != mockoidc.TokenEndpoint {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var body map[string]any
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["id_token"] == nil {
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
			parts := strings.Split(body["id_token"].(string), ".")
			header, _ := base64.RawURLEncoding.DecodeString(parts[0])
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			var h struct {
				Kid string `json:"kid"`
			}
			claims := jwt.MapClaims{}
			_ = json.Unmarshal(header, &h)
			_ = json.Unmarshal(payload, &claims)
			other.Kid = h.Kid
			body["id_token"], _ = other.SignJWT(claims)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(body)
		})
	}
}

func TestOIDCDenials(t *testing.T) {
	t.Parallel()
	exec := func(query string) func(*testing.T, *oidcRig, *idpUser, *auth.OIDCCallback) {
		return func(t *testing.T, r *oidcRig, _ *idpUser, _ *auth.OIDCCallback) {
			if _, err := r.pool.Exec(context.Background(), query, r.user); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name   string
		cfg    func(*auth.OIDCConfig)
		mw     func(*testing.T) func(http.Handler) http.Handler
		user   func(*idpUser)
		before func(*testing.T, *oidcRig, *idpUser, *auth.OIDCCallback) // after the provider, before Finish
		denied bool                                                     // known account refused: audited with its id
		reason string                                                   // in the error, for the log
	}{
		{name: "unknown e-mail", reason: "no account", user: func(u *idpUser) { u.email = "nobody-" + u.sub + "@example.org" }},
		{name: "no e-mail", reason: "no account", user: func(u *idpUser) { u.email = "" }},
		{name: "e-mail not verified", reason: "not verified", user: func(u *idpUser) { u.verified = ptr(false) }},
		{name: "disabled account", reason: "disabled", before: exec(`UPDATE users SET disabled_at = now() WHERE id = $1`), denied: true},
		{name: "superadmin", reason: "superadmin", before: exec(`UPDATE users SET superadmin = true WHERE id = $1`), denied: true},
		{name: "bound to another subject", reason: "bound to another identity", denied: true,
			before: exec(`UPDATE users SET oidc_subject = 'https://other.example|x' WHERE id = $1`)},
		{name: "wrong nonce", reason: "nonce", user: func(u *idpUser) { u.edit = func(c *mockoidc.IDTokenClaims) { c.Nonce = "not-the-nonce" } }},
		{name: "wrong audience", reason: "expected audience", user: func(u *idpUser) {
			u.edit = func(c *mockoidc.IDTokenClaims) { c.Audience = jwt.ClaimStrings{"another-client"} }
		}},
		{name: "another party in the audience", reason: "another client", user: func(u *idpUser) {
			u.edit = func(c *mockoidc.IDTokenClaims) { c.Audience = append(c.Audience, "another-client") }
		}},
		{name: "authorized party is another client", reason: "another client", user: func(u *idpUser) { u.azp = "another-client" }},
		{name: "wrong issuer", reason: "different provider", user: func(u *idpUser) {
			u.edit = func(c *mockoidc.IDTokenClaims) { c.Issuer = "https://evil.example" }
		}},
		{name: "expired token", reason: "expired", user: func(u *idpUser) {
			u.edit = func(c *mockoidc.IDTokenClaims) { c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Minute)) }
		}},
		{name: "signed by another key", reason: "signature", mw: resign},
		{name: "wrong PKCE verifier", reason: "refused the code", before: func(t *testing.T, r *oidcRig, _ *idpUser, _ *auth.OIDCCallback) {
			if _, err := r.pool.Exec(context.Background(), `UPDATE oidc_logins SET verifier = 'x'`); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "code already used", reason: "refused the code", before: func(t *testing.T, r *oidcRig, _ *idpUser, cb *auth.OIDCCallback) {
			// The provider used the code for another exchange: it refuses it.
			s, err := r.idp.SessionStore.GetSessionByID(cb.Code)
			if err != nil {
				t.Fatal(err)
			}
			s.Granted = true
		}},
		{name: "provider error", reason: "no code", before: func(_ *testing.T, _ *oidcRig, _ *idpUser, cb *auth.OIDCCallback) {
			cb.Code, cb.Error = "", "access_denied"
		}},
		{name: "second factor required, none shown", reason: "second factor", cfg: func(c *auth.OIDCConfig) { c.RequireMFA = true },
			user: func(u *idpUser) { u.amr = []string{"pwd"} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mw func(http.Handler) http.Handler
			if tc.mw != nil {
				mw = tc.mw(t)
			}
			r := newOIDCRig(t, tc.cfg, mw)
			u := r.verified()
			if tc.user != nil {
				tc.user(u)
			}
			cb := r.signIn(t, u)
			if tc.before != nil {
				tc.before(t, r, u, &cb)
			}
			_, err := r.sso.Finish(context.Background(), cb, r.meta)
			if !errors.Is(err, auth.ErrOIDCDenied) {
				t.Fatalf("want denied, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("want reason %q, got %v", tc.reason, err)
			}
			if strings.Contains(err.Error(), r.email) || strings.Contains(err.Error(), u.sub) {
				t.Fatalf("the reason names the person: %v", err)
			}
			if n := r.count(t, `SELECT count(*) FROM sessions`); n != 0 {
				t.Fatalf("sessions: %d", n)
			}
			if n := r.count(t, `SELECT count(*) FROM audit_events WHERE action = $1 AND outcome = 'denied'`, auth.OIDCAction); n != 1 {
				t.Fatalf("denied events: %d", n)
			}
			want := 0
			if tc.denied {
				want = 1
			}
			if n := r.count(t, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_user_id = $2`, auth.OIDCAction, r.user); n != want {
				t.Fatalf("events naming the account: %d, want %d", n, want)
			}
			// Nothing was bound to an identity that was refused.
			if n := r.count(t, `SELECT count(*) FROM users WHERE oidc_subject LIKE '%|sub-%'`); n != 0 {
				t.Fatalf("subjects bound: %d", n)
			}
			if n := r.count(t, `SELECT count(*) FROM oidc_logins`); n != 0 {
				t.Fatalf("pending sign-ins left: %d", n)
			}
		})
	}
}

func TestOIDCAcceptedVariants(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  func(*auth.OIDCConfig)
		user func(*idpUser)
	}{
		{name: "no email_verified claim", user: func(u *idpUser) { u.verified = nil }},
		{name: "e-mail in another case", user: func(u *idpUser) { u.email = strings.ToUpper(u.email) }},
		{name: "second factor shown", cfg: func(c *auth.OIDCConfig) { c.RequireMFA = true },
			user: func(u *idpUser) { u.amr = []string{"pwd", "otp"} }},
		{name: "authorized party is us", user: func(u *idpUser) {
			u.edit = func(c *mockoidc.IDTokenClaims) { c.Audience = append(c.Audience, "another-client") }
			u.azp = "SELF"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newOIDCRig(t, tc.cfg, nil)
			u := r.verified()
			tc.user(u)
			if u.azp == "SELF" {
				u.azp = r.idp.ClientID
			}
			res, err := r.sso.Finish(context.Background(), r.signIn(t, u), r.meta)
			if err != nil {
				t.Fatalf("finish: %v", err)
			}
			if a, err := r.svc.Authenticate(context.Background(), res.Token, r.meta); err != nil || a.UserID != r.user {
				t.Fatalf("authenticate: %v", err)
			}
		})
	}
}

func TestOIDCProviderDown(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(pool, kr, auth.Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String() + "/oidc"
	ln.Close() // nothing answers there now
	// No network at construction: Égide starts while its provider is down.
	sso, err := auth.NewOIDC(svc, auth.OIDCConfig{Issuer: issuer, ClientID: "c", ClientSecret: "s",
		RedirectURL: "http://127.0.0.1:1/auth/oidc/callback"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sso.Begin(context.Background())
	if err == nil || errors.Is(err, auth.ErrOIDCDenied) || errors.Is(err, auth.ErrOIDCState) {
		t.Fatalf("begin with the provider down: %v", err)
	}
	if _, err := auth.NewOIDC(svc, auth.OIDCConfig{Issuer: issuer}); err == nil {
		t.Fatal("incomplete configuration accepted")
	}
}
