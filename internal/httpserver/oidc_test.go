package httpserver_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/httpserver"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ssoSite is Égide with single sign-on against a mock provider, both on
// loopback, and one local account.
type ssoSite struct {
	url   string
	pool  *pgxpool.Pool
	svc   *auth.Service
	idp   *mockoidc.MockOIDC
	user  uuid.UUID
	email string
	logs  *syncBuffer
}

func newSSOSite(t *testing.T, withSSO bool) *ssoSite {
	t.Helper()
	pool := pgtest.New(t)
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(pool, kr, auth.Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })

	srv := httptest.NewUnstartedServer(nil) // listens on 127.0.0.1
	s := &ssoSite{url: "http://" + srv.Listener.Addr().String(), pool: pool, svc: svc, idp: idp, logs: &syncBuffer{}}
	opt := httpserver.Options{Logger: slog.New(slog.NewJSONHandler(s.logs, nil)), Auth: svc,
		Ready: func(context.Context) error { return nil }, SessionMaxAge: 2 * time.Hour}
	if withSSO {
		opt.OIDC, err = auth.NewOIDC(svc, auth.OIDCConfig{Issuer: idp.Issuer(), ClientID: idp.ClientID,
			ClientSecret: idp.ClientSecret, RedirectURL: s.url + httpserver.OIDCCallbackPath})
		if err != nil {
			t.Fatal(err)
		}
	}
	srv.Config.Handler = httpserver.New(opt)
	srv.Start()
	t.Cleanup(srv.Close)

	org := testfixture.Org(t, pool)
	s.user = testfixture.User(t, pool, org, actor.LegalStaff).UserID
	if err := pool.QueryRow(context.Background(), `SELECT email FROM users WHERE id = $1`, s.user).Scan(&s.email); err != nil {
		t.Fatal(err)
	}
	return s
}

// browser follows nothing by itself: each step is a request the test
// makes, carrying the cookies Égide set (Secure ones too: the test server
// is plain HTTP on loopback).
type browser struct {
	t       *testing.T
	site    string
	client  *http.Client
	cookies map[string]*http.Cookie
}

func newBrowser(t *testing.T, site string) *browser {
	return &browser{t: t, site: site, cookies: map[string]*http.Cookie{}, client: &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get requests rawURL and returns the response (body closed) and the
// cookies it set.
func (b *browser) get(rawURL string) (*http.Response, map[string]*http.Cookie) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	ours := strings.HasPrefix(rawURL, b.site+"/")
	if ours {
		for _, c := range b.cookies {
			if strings.HasPrefix(req.URL.Path, c.Path) {
				req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			}
		}
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	set := map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		set[c.Name] = c
		if !ours {
			continue
		}
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return resp, set
}

// signIn runs login → provider → callback for u and returns the
// callback's answer.
func (b *browser) signIn(s *ssoSite, u *mockoidc.MockUser) (*http.Response, map[string]*http.Cookie, string) {
	b.t.Helper()
	s.idp.QueueUser(u)
	resp, _ := b.get(s.url + httpserver.OIDCLoginPath)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), s.idp.AuthorizationEndpoint()+"?") {
		b.t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = b.get(resp.Header.Get("Location"))
	callback := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(callback, s.url+httpserver.OIDCCallbackPath+"?") {
		b.t.Fatalf("provider: %d to %q", resp.StatusCode, callback)
	}
	resp, set := b.get(callback)
	return resp, set, callback
}

func (s *ssoSite) idpUser() *mockoidc.MockUser {
	return &mockoidc.MockUser{Subject: "sub-" + uuid.NewString()[:8], Email: s.email, EmailVerified: true}
}

func (s *ssoSite) sessions(t *testing.T) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOIDCSignInOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSSOSite(t, true)
	b := newBrowser(t, s.url)
	u := s.idpUser()

	s.idp.QueueUser(u)
	resp, set := b.get(s.url + httpserver.OIDCLoginPath)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	st := set[httpserver.OIDCStateCookie]
	if st == nil || st.Value == "" || !st.HttpOnly || !st.Secure || st.SameSite != http.SameSiteLaxMode ||
		st.Path != "/auth/oidc" || st.MaxAge != int(auth.OIDCLoginTTL.Seconds()) {
		t.Fatalf("state cookie: %+v", st)
	}
	authz, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if q := authz.Query(); q.Get("state") != st.Value || q.Get("code_challenge_method") != "S256" ||
		q.Get("redirect_uri") != s.url+httpserver.OIDCCallbackPath {
		t.Fatalf("authorization request: %v", q)
	}
	resp, _ = b.get(authz.String())
	callback := resp.Header.Get("Location")
	resp, set = b.get(callback)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/" {
		t.Fatalf("callback: %d to %q; logs:\n%s", resp.StatusCode, resp.Header.Get("Location"), s.logs)
	}
	if c := set[httpserver.OIDCStateCookie]; c == nil || c.MaxAge >= 0 || c.Path != "/auth/oidc" {
		t.Fatalf("state cookie not cleared: %+v", c)
	}
	sess := set[httpserver.SessionCookie]
	if sess == nil || sess.Value == "" || !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteStrictMode ||
		sess.Path != "/" || sess.MaxAge != int((2*time.Hour).Seconds()) {
		t.Fatalf("session cookie: %+v", sess)
	}
	a, err := s.svc.Authenticate(context.Background(), sess.Value, actor.Actor{})
	if err != nil || a.UserID != s.user || a.SignInStep != "" {
		t.Fatalf("authenticate: %v %+v", err, a)
	}

	// The same callback again (back button, or a stolen URL): refused.
	resp, set = b.get(callback)
	if resp.Header.Get("Location") != "/?sso=expired" || set[httpserver.SessionCookie] != nil {
		t.Fatalf("replayed callback: %q %v", resp.Header.Get("Location"), set)
	}
	if n := s.sessions(t); n != 1 {
		t.Fatalf("sessions: %d", n)
	}
	if logs := s.logs.String(); strings.Contains(logs, s.email) || strings.Contains(logs, u.Subject) ||
		strings.Contains(logs, st.Value) {
		t.Fatalf("personal data or state in the logs:\n%s", logs)
	}
}

func TestOIDCRefusalsOverHTTP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		setup  func(*testing.T, *ssoSite, *mockoidc.MockUser)
		attack func(*testing.T, *browser, string) *http.Response // replaces the callback
		want   string
	}{
		{name: "unknown e-mail", want: "/?sso=denied",
			setup: func(_ *testing.T, _ *ssoSite, u *mockoidc.MockUser) { u.Email = "nobody-" + u.Subject + "@example.org" }},
		{name: "disabled account", want: "/?sso=denied", setup: func(t *testing.T, s *ssoSite, _ *mockoidc.MockUser) {
			if _, err := s.pool.Exec(context.Background(), `UPDATE users SET disabled_at = now() WHERE id = $1`, s.user); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "tampered state", want: "/?sso=expired", attack: func(t *testing.T, b *browser, callback string) *http.Response {
			u, _ := url.Parse(callback)
			q := u.Query()
			q.Set("state", q.Get("state")+"x")
			u.RawQuery = q.Encode()
			resp, _ := b.get(u.String())
			return resp
		}},
		{name: "no state cookie", want: "/?sso=expired", attack: func(t *testing.T, b *browser, callback string) *http.Response {
			delete(b.cookies, httpserver.OIDCStateCookie)
			resp, _ := b.get(callback)
			return resp
		}},
		{name: "another browser's callback", want: "/?sso=expired", attack: func(t *testing.T, b *browser, callback string) *http.Response {
			// Login CSRF: an attacker's own callback URL, opened by the victim.
			victim := newBrowser(t, b.site)
			resp, _ := victim.get(callback)
			return resp
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSSOSite(t, true)
			b := newBrowser(t, s.url)
			u := s.idpUser()
			if tc.setup != nil {
				tc.setup(t, s, u)
			}
			var resp *http.Response
			var set map[string]*http.Cookie
			if tc.attack == nil {
				resp, set, _ = b.signIn(s, u)
			} else {
				s.idp.QueueUser(u)
				r, _ := b.get(s.url + httpserver.OIDCLoginPath)
				r, _ = b.get(r.Header.Get("Location"))
				resp = tc.attack(t, b, r.Header.Get("Location"))
				set = map[string]*http.Cookie{}
				for _, c := range resp.Cookies() {
					set[c.Name] = c
				}
			}
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != tc.want {
				t.Fatalf("callback: %d to %q, want %q", resp.StatusCode, resp.Header.Get("Location"), tc.want)
			}
			if set[httpserver.SessionCookie] != nil || s.sessions(t) != 0 {
				t.Fatal("a session was opened")
			}
			if n := testfixture.AuditCount(t, s.pool, auth.OIDCAction, "denied"); n != 1 {
				t.Fatalf("denied events: %d", n)
			}
			if logs := s.logs.String(); strings.Contains(logs, s.email) || strings.Contains(logs, u.Subject) {
				t.Fatalf("personal data in the logs:\n%s", logs)
			}
		})
	}
}

func TestOIDCOffAnswers404(t *testing.T) {
	t.Parallel()
	s := newSSOSite(t, false)
	b := newBrowser(t, s.url)
	for _, path := range []string{httpserver.OIDCLoginPath, httpserver.OIDCCallbackPath + "?state=x&code=y"} {
		if resp, set := b.get(s.url + path); resp.StatusCode != http.StatusNotFound || len(set) != 0 {
			t.Fatalf("%s: %d, cookies %v", path, resp.StatusCode, set)
		}
	}
}
