package httpserver

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

func TestClientIPTrustsOnlyConfiguredProxies(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("2001:db8:ffff::1/128")}
	cases := []struct {
		name    string
		trusted []netip.Prefix
		header  string // ForwardedHeader
		peer    string
		xff     []string
		fwd     []string
		want    string
	}{
		{name: "no proxy configured: the headers are never read", peer: "10.0.0.1:4000", xff: []string{"203.0.113.7"},
			fwd: []string{"for=203.0.113.7"}, want: "10.0.0.1"},
		{name: "untrusted peer: its header is ignored", trusted: proxies, peer: "198.51.100.20:4000",
			xff: []string{"203.0.113.7"}, want: "198.51.100.20"},
		{name: "trusted peer: the forwarded address", trusted: proxies, peer: "10.0.0.1:4000",
			xff: []string{"203.0.113.7"}, want: "203.0.113.7"},
		{name: "spoofed left-most entries are ignored", trusted: proxies, peer: "10.0.0.1:4000",
			xff: []string{"127.0.0.1, 192.0.2.1, 203.0.113.7"}, want: "203.0.113.7"},
		{name: "spoofed entry naming a trusted proxy is ignored", trusted: proxies, peer: "10.0.0.1:4000",
			xff: []string{"10.0.0.9, 203.0.113.7"}, want: "203.0.113.7"},
		{name: "two proxies in a row", trusted: proxies, peer: "10.0.0.2:4000",
			xff: []string{"6.6.6.6, 203.0.113.7, 10.0.0.1"}, want: "203.0.113.7"},
		{name: "several header lines form one list", trusted: proxies, peer: "10.0.0.2:4000",
			xff: []string{"6.6.6.6", "203.0.113.7", "10.0.0.1"}, want: "203.0.113.7"},
		{name: "no header from a trusted peer: the peer", trusted: proxies, peer: "10.0.0.1:4000", want: "10.0.0.1"},
		{name: "garbage where a proxy wrote: the proxy", trusted: proxies, peer: "10.0.0.1:4000",
			xff: []string{"203.0.113.7, not-an-address"}, want: "10.0.0.1"},
		{name: "every hop a proxy: the farthest", trusted: proxies, peer: "10.0.0.1:4000",
			xff: []string{"10.0.0.5, 10.0.0.3"}, want: "10.0.0.5"},
		{name: "address with a port", trusted: proxies, peer: "10.0.0.1:4000",
			xff: []string{"203.0.113.7:5555"}, want: "203.0.113.7"},
		{name: "IPv6 peer and client", trusted: proxies, peer: "[2001:db8:ffff::1]:443",
			xff: []string{"2001:db8::42"}, want: "2001:db8::42"},
		{name: "IPv4-mapped peer", trusted: proxies, peer: "[::ffff:10.0.0.1]:443",
			xff: []string{"203.0.113.7"}, want: "203.0.113.7"},
		{name: "X-Forwarded-For mode ignores Forwarded", trusted: proxies, peer: "10.0.0.1:4000",
			xff: []string{"203.0.113.7"}, fwd: []string{"for=6.6.6.6"}, want: "203.0.113.7"},
		{name: "Forwarded mode", trusted: proxies, header: HeaderForwarded, peer: "10.0.0.1:4000",
			fwd: []string{`for=6.6.6.6;proto=https, For="[2001:db8::7]:4711";by=10.0.0.1`}, xff: []string{"192.0.2.99"},
			want: "2001:db8::7"},
		{name: "Forwarded mode, spoofed and obfuscated entries", trusted: proxies, header: HeaderForwarded, peer: "10.0.0.1:4000",
			fwd: []string{"for=unknown", "for=203.0.113.7, for=10.0.0.3"}, want: "203.0.113.7"},
		{name: "Forwarded mode, obfuscated client: the proxy", trusted: proxies, header: HeaderForwarded, peer: "10.0.0.1:4000",
			fwd: []string{"for=_hidden"}, want: "10.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add(HeaderXForwardedFor, v)
			}
			for _, v := range tc.fwd {
				r.Header.Add(HeaderForwarded, v)
			}
			opt := Options{TrustedProxies: tc.trusted, ForwardedHeader: tc.header}
			if got := opt.clientIP(r); got != tc.want {
				t.Fatalf("client address %q, want %q", got, tc.want)
			}
		})
	}
}

// Behind a trusted proxy the forwarded address is the one throttled and
// audited; a client talking to the server directly cannot choose it.
func TestForwardedAddressFeedsThrottleAndAudit(t *testing.T) {
	t.Parallel()
	wrong := func(s *site, xff string) response {
		return s.do(t, http.MethodPost, "/graphql",
			map[string]string{"Content-Type": "application/json", CSRFHeader: "1", HeaderXForwardedFor: xff},
			gqlBody(loginMutation, map[string]any{"e": s.email, "p": "not the password at all"}))
	}
	behind := newSite(t, siteOptions{trustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	if r := wrong(behind, "198.51.100.66, 203.0.113.50"); r.errorCode() != "UNAUTHENTICATED" {
		t.Fatalf("wrong password: %s", r.body)
	}
	if n := behind.count(t, `SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND source_ip = '203.0.113.50'`); n != 1 {
		t.Fatalf("%d failed sign-ins audited from the forwarded address", n)
	}
	if n := behind.count(t, `SELECT count(*) FROM auth_throttle WHERE key = 'ip:203.0.113.50'`); n != 1 {
		t.Fatal("the forwarded address is not the one throttled")
	}
	direct := newSite(t, siteOptions{})
	if r := wrong(direct, "203.0.113.50"); r.errorCode() != "UNAUTHENTICATED" {
		t.Fatalf("wrong password: %s", r.body)
	}
	if n := direct.count(t, `SELECT count(*) FROM audit_events WHERE action = 'auth.login' AND source_ip = '127.0.0.1'`); n != 1 {
		t.Fatalf("without trusted proxies the peer must be audited (%d events)", n)
	}
	if n := direct.count(t, `SELECT count(*) FROM auth_throttle WHERE key LIKE '%203.0.113.50%'`); n != 0 {
		t.Fatal("a client chose its throttled address with X-Forwarded-For")
	}
}

// A throttled sign-in answers RATE_LIMITED with how long to wait, in the
// error and in the Retry-After header.
func TestRateLimitedCarriesRetryAfter(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{})
	body := gqlBody(loginMutation, map[string]any{"e": s.email, "p": "not the password at all"})
	for range 5 {
		if r := s.do(t, http.MethodPost, "/graphql", jsonCSRF, body); r.errorCode() != "UNAUTHENTICATED" {
			t.Fatalf("wrong password: %s", r.body)
		}
	}
	r := s.do(t, http.MethodPost, "/graphql", jsonCSRF, s.loginBody())
	if r.errorCode() != "RATE_LIMITED" {
		t.Fatalf("after 5 failures: %s", r.body)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if !strings.Contains(string(r.body), `"retryAfter":`+strconv.Itoa(secs)) {
		t.Fatalf("extensions.retryAfter missing or different from the header: %s", r.body)
	}
	// Other answers carry no Retry-After.
	if r := s.do(t, http.MethodPost, "/graphql", jsonCSRF, gqlBody(`{ me { id } }`, nil)); r.Header.Get("Retry-After") != "" {
		t.Fatal("Retry-After on an answer that was not rate limited")
	}
}

// With an https public address, HSTS is on every response, even over the
// plain HTTP between the TLS-terminating proxy and the server.
func TestHSTSWhenThePublicAddressIsHTTPS(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{hsts: true})
	for _, path := range []string{"/healthz", "/", "/no/such/page", "/graphql"} {
		if got := s.do(t, http.MethodGet, path, nil, nil).Header.Get("Strict-Transport-Security"); got != HSTSValue {
			t.Errorf("GET %s: HSTS %q, want %q", path, got, HSTSValue)
		}
	}
	if HSTSValue != "max-age=63072000; includeSubDomains" {
		t.Fatalf("HSTS value %q", HSTSValue)
	}
}
