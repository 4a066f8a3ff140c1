package httpserver

// Internal tests: their helpers cannot collide with those of the external
// httpserver_test package, whose TestMain (pgtest.Main) runs them too.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/charge"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/organisation"
	"github.com/egide/egide/internal/person"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/proceeding"
	"github.com/egide/egide/internal/testfixture"
	"github.com/egide/egide/internal/user"
)

// logSink collects what the server logs.
type logSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// site is the whole HTTP stack over a fresh database, as cmd/egide wires
// it, with one account that can sign in.
type site struct {
	url   string
	pool  *pgxpool.Pool
	logs  *logSink
	email string
	pw    string
}

type siteOptions struct {
	insecureCookies bool
	ready           func(context.Context) error
	graphQL         http.Handler // replaces the GraphQL handler when set
	trustedProxies  []netip.Prefix
	hsts            bool
}

func newSite(t *testing.T, so siteOptions) *site {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.New(t)
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	az, err := authz.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	authSvc, err := auth.New(pool, kr, auth.Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	res := &graph.Resolver{AuthSvc: authSvc, OrganisationSvc: organisation.NewService(az), DossierSvc: dossier.NewService(az),
		PersonSvc: person.NewService(az, kr), ChargeSvc: charge.NewService(az), ProceedingSvc: proceeding.NewService(az),
		HearingSvc: hearing.NewService(az), UserSvc: user.NewService(az, pool, authSvc.Policy())}
	s := &site{pool: pool, logs: &logSink{}, pw: "une phrase de passe assez longue"}
	log := slog.New(slog.NewJSONHandler(s.logs, nil))
	if so.ready == nil {
		so.ready = func(context.Context) error { return nil }
	}
	if so.graphQL == nil {
		so.graphQL = graph.NewHandler(res, graph.HandlerOptions{Logger: log})
	}
	srv := httptest.NewServer(New(Options{Logger: log, Auth: authSvc, Resolver: res, GraphQL: so.graphQL,
		Ready: so.ready, InsecureCookies: so.insecureCookies, SessionMaxAge: 2 * time.Hour,
		TrustedProxies: so.trustedProxies, HSTS: so.hsts}))
	t.Cleanup(srv.Close)
	s.url = srv.URL

	org := testfixture.Org(t, pool)
	u := testfixture.User(t, pool, org, actor.LegalStaff)
	hash, err := auth.HashPassword(s.pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email`, u.UserID, hash).Scan(&s.email); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *site) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// response is an answer with its body read.
type response struct {
	*http.Response
	body []byte
}

func (r response) errorCode() string {
	var out struct {
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(r.body, &out) != nil || len(out.Errors) == 0 {
		return ""
	}
	return out.Errors[0].Extensions.Code
}

func (s *site) do(t *testing.T, method, path string, header map[string]string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Response: resp, body: b}
}

var jsonCSRF = map[string]string{"Content-Type": "application/json", CSRFHeader: "1"}

func gqlBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

const loginMutation = `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { status } }`

func (s *site) loginBody() []byte {
	return gqlBody(loginMutation, map[string]any{"e": s.email, "p": s.pw})
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	ok := newSite(t, siteOptions{})
	if r := ok.do(t, http.MethodGet, "/healthz", nil, nil); r.StatusCode != http.StatusOK || !bytes.Contains(r.body, []byte(`"ok"`)) {
		t.Fatalf("healthz: %d %s", r.StatusCode, r.body)
	}
	if r := ok.do(t, http.MethodGet, "/readyz", nil, nil); r.StatusCode != http.StatusOK || !bytes.Contains(r.body, []byte(`"ready"`)) {
		t.Fatalf("readyz: %d %s", r.StatusCode, r.body)
	}
	down := newSite(t, siteOptions{ready: func(context.Context) error { return errors.New("migrations pending: secret detail") }})
	r := down.do(t, http.MethodGet, "/readyz", nil, nil)
	if r.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(r.body, []byte(`"unavailable"`)) {
		t.Fatalf("readyz when not ready: %d %s", r.StatusCode, r.body)
	}
	if bytes.Contains(r.body, []byte("secret detail")) {
		t.Fatal("the readiness error reached the client")
	}
	if !strings.Contains(down.logs.String(), "not ready") {
		t.Fatal("an instance that is not ready must say why in its log")
	}
	// Health answers even when not ready: the process is alive.
	if r := down.do(t, http.MethodGet, "/healthz", nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("healthz when not ready: %d", r.StatusCode)
	}
	if r := ok.do(t, http.MethodPost, "/healthz", nil, nil); r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /healthz: %d", r.StatusCode)
	}
}

func TestGraphQLRefusesRequestsWithoutTheCSRFHeader(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{insecureCookies: true})
	for name, header := range map[string]map[string]string{
		"missing":     {"Content-Type": "application/json"},
		"wrong value": {"Content-Type": "application/json", CSRFHeader: "true"},
		"form post":   {"Content-Type": "application/x-www-form-urlencoded"},
	} {
		r := s.do(t, http.MethodPost, "/graphql", header, s.loginBody())
		if r.StatusCode != http.StatusForbidden || r.errorCode() != "FORBIDDEN" {
			t.Fatalf("%s: %d %s", name, r.StatusCode, r.body)
		}
		if len(r.Cookies()) != 0 {
			t.Fatalf("%s: a cookie was set", name)
		}
	}
	// Nothing ran: no session, no sign-in attempt audited, nothing throttled.
	if n := s.count(t, `SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM audit_events) + (SELECT count(*) FROM auth_throttle)`); n != 0 {
		t.Fatalf("%d rows written by refused requests", n)
	}
	// With the header, the same request signs in.
	if r := s.do(t, http.MethodPost, "/graphql", jsonCSRF, s.loginBody()); r.StatusCode != http.StatusOK || r.errorCode() != "" {
		t.Fatalf("with the header: %d %s", r.StatusCode, r.body)
	}
}

func TestGraphQLIsPOSTOnly(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{})
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		r := s.do(t, m, "/graphql?query=%7Bme%7Bid%7D%7D", map[string]string{CSRFHeader: "1"}, nil)
		if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != http.MethodPost || r.errorCode() == "" {
			t.Fatalf("%s: %d allow %q %s", m, r.StatusCode, r.Header.Get("Allow"), r.body)
		}
	}
	// Only JSON: no multipart, no form.
	r := s.do(t, http.MethodPost, "/graphql", map[string]string{CSRFHeader: "1", "Content-Type": "application/x-www-form-urlencoded"},
		[]byte("query=%7Bme%7Bid%7D%7D"))
	if r.StatusCode == http.StatusOK && r.errorCode() == "" {
		t.Fatalf("a form post was executed: %s", r.body)
	}
}

func TestGraphQLBodyIsBounded(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{})
	body := func(pad int) []byte {
		return gqlBody(loginMutation, map[string]any{"e": s.email, "p": s.pw, "pad": strings.Repeat("x", pad)})
	}
	// Refused as invalid input before anything runs (gqlgen answers it
	// with status 200, like any GraphQL error).
	r := s.do(t, http.MethodPost, "/graphql", jsonCSRF, body(MaxGraphQLBody))
	if r.StatusCode >= 500 || r.errorCode() != "INVALID" || !bytes.Contains(r.body, []byte("too large")) {
		t.Fatalf("body over 1 MiB: %d %.200s", r.StatusCode, r.body)
	}
	if n := s.count(t, `SELECT count(*) FROM sessions`); n != 0 {
		t.Fatal("an oversized request was executed")
	}
	// Just under the limit is served.
	r = s.do(t, http.MethodPost, "/graphql", jsonCSRF, body(MaxGraphQLBody-1024))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("body under 1 MiB: %d %.200s", r.StatusCode, r.body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{})
	ids := map[string]bool{}
	hexID := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, tc := range []struct {
		method, path string
		body         []byte
	}{
		{http.MethodGet, "/healthz", nil},
		{http.MethodGet, "/", nil},
		{http.MethodGet, "/no/such/page", nil},
		{http.MethodGet, "/graphql", nil},
		{http.MethodPost, "/graphql", gqlBody(`{ me { id } }`, nil)},
	} {
		r := s.do(t, tc.method, tc.path, jsonCSRF, tc.body)
		h := r.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s %s: CSP %q lacks %s", tc.method, tc.path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s %s: CSP allows unsafe code: %q", tc.method, tc.path, csp)
		}
		for k, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
			"X-Frame-Options": "DENY", "Cross-Origin-Opener-Policy": "same-origin"} {
			if got := h.Get(k); got != want {
				t.Errorf("%s %s: %s = %q, want %q", tc.method, tc.path, k, got, want)
			}
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS over plain HTTP", tc.method, tc.path)
		}
		id := h.Get("X-Request-Id")
		if !hexID.MatchString(id) || ids[id] {
			t.Errorf("%s %s: request id %q missing or reused", tc.method, tc.path, id)
		}
		ids[id] = true
		if tc.path == "/graphql" && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: Cache-Control %q", tc.method, tc.path, h.Get("Cache-Control"))
		}
	}
}

func TestHSTSOverTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(New(Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready: func(context.Context) error { return nil }}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Fatalf("HSTS %q over TLS", hsts)
	}
}

func sessionCookie(r response) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == SessionCookie {
			return c
		}
	}
	return nil
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	for _, insecure := range []bool{false, true} {
		s := newSite(t, siteOptions{insecureCookies: insecure})
		r := s.do(t, http.MethodPost, "/graphql", jsonCSRF, s.loginBody())
		c := sessionCookie(r)
		if r.StatusCode != http.StatusOK || c == nil || c.Value == "" {
			t.Fatalf("insecure=%v: login set no session cookie: %d %s", insecure, r.StatusCode, r.body)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure == insecure ||
			c.MaxAge != int((2*time.Hour).Seconds()) {
			t.Fatalf("insecure=%v: cookie %+v", insecure, c)
		}
		if bytes.Contains(r.body, []byte(c.Value)) {
			t.Fatal("the session token is in the response body: scripts could read it")
		}

		// Logout clears it, with the same attributes.
		r = s.do(t, http.MethodPost, "/graphql", map[string]string{"Content-Type": "application/json", CSRFHeader: "1",
			"Cookie": SessionCookie + "=" + c.Value}, gqlBody(`mutation { logout }`, nil))
		cleared := sessionCookie(r)
		if r.errorCode() != "" || cleared == nil || cleared.MaxAge >= 0 || cleared.Value != "" || !cleared.HttpOnly ||
			cleared.Secure == insecure || cleared.SameSite != http.SameSiteStrictMode {
			t.Fatalf("insecure=%v: logout: cookie %+v, %s", insecure, cleared, r.body)
		}
		if n := s.count(t, `SELECT count(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions after logout", n)
		}

		// A cookie that no longer names a session is cleared too.
		r = s.do(t, http.MethodPost, "/graphql", map[string]string{"Content-Type": "application/json", CSRFHeader: "1",
			"Cookie": SessionCookie + "=" + c.Value}, gqlBody(`{ me { id } }`, nil))
		if gone := sessionCookie(r); gone == nil || gone.MaxAge >= 0 {
			t.Fatalf("insecure=%v: stale cookie not cleared: %+v", insecure, gone)
		}
	}
}

func TestPanicGivesAnOpaque500(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{graphQL: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom: /srv/egide/secret.go:42 password=hunter2")
	})})
	r := s.do(t, http.MethodPost, "/graphql", jsonCSRF, gqlBody(`{ me { id } }`, nil))
	if r.StatusCode != http.StatusInternalServerError || r.errorCode() != "INTERNAL" {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	for _, leak := range []string{"boom", "hunter2", ".go", "goroutine", "panic"} {
		if bytes.Contains(r.body, []byte(leak)) {
			t.Fatalf("the body leaks %q: %s", leak, r.body)
		}
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Fatal("no request id on a 500")
	}
	// The operator gets the detail, under the request id.
	logs := s.logs.String()
	if !strings.Contains(logs, `"msg":"panic"`) || !strings.Contains(logs, r.Header.Get("X-Request-Id")) || !strings.Contains(logs, "goroutine") {
		t.Fatalf("panic not logged with its request id and stack: %s", logs)
	}
	// The server keeps serving.
	if r := s.do(t, http.MethodGet, "/healthz", nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("after a panic: %d", r.StatusCode)
	}
}

// The access log says what was asked, never what was typed: no query
// string, no body, no GraphQL document or variables.
func TestAccessLogCarriesNoUserInput(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{})
	const marker = "Zorglub7731"
	var got []response
	got = append(got,
		s.do(t, http.MethodGet, "/healthz?token="+marker, nil, nil),
		s.do(t, http.MethodPost, "/graphql?q="+marker, jsonCSRF,
			gqlBody(`query($t: String) { dossiers(filter: {text: $t}) { totalCount } }`, map[string]any{"t": marker})),
		s.do(t, http.MethodPost, "/graphql", jsonCSRF, gqlBody(`{ dossiers(filter: {text: "`+marker+`"}) { totalCount } }`, nil)),
		s.do(t, http.MethodPost, "/graphql", jsonCSRF, gqlBody(`{ `+marker+` }`, nil)), // invalid query
		s.do(t, http.MethodPost, "/graphql", jsonCSRF, gqlBody(loginMutation,
			map[string]any{"e": marker + "@example.org", "p": marker + "-password"})), // failed sign-in
		s.do(t, http.MethodPost, "/graphql", jsonCSRF, gqlBody(loginMutation,
			map[string]any{"e": s.email, "p": s.pw})), // sign-in
		s.do(t, http.MethodPost, "/graphql", map[string]string{"Content-Type": "application/json"}, []byte(marker)), // refused
	)
	logs := s.logs.String()
	if strings.Contains(logs, marker) || strings.Contains(logs, s.pw) || strings.Contains(logs, s.email) {
		t.Fatalf("user input in the log:\n%s", logs)
	}
	// Yet every request is there, by path, status and request id.
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var raw map[string]any
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if raw["msg"] != "request" {
			continue
		}
		lines++
		if raw["path"] != "/healthz" && raw["path"] != "/graphql" {
			t.Errorf("logged path %q", raw["path"])
		}
		if raw["request_id"] == "" || raw["status"] == nil || raw["duration_ms"] == nil {
			t.Errorf("access log line lacks request id, status or duration: %s", line)
		}
	}
	if lines != len(got) {
		t.Fatalf("%d access log lines for %d requests:\n%s", lines, len(got), logs)
	}
	for _, r := range got {
		if !strings.Contains(logs, `"request_id":"`+r.Header.Get("X-Request-Id")+`"`) {
			t.Fatalf("request %s not logged under its id", r.Header.Get("X-Request-Id"))
		}
	}
}
