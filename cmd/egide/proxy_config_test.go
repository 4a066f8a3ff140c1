package main

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/egide/egide/internal/auth"
)

func TestProxyAndSignInConfig(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	def, err := LoadConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if len(def.TrustedProxies) != 0 || def.ForwardedHeader != "X-Forwarded-For" || def.hsts() || def.MaxConcurrentHashes != 0 {
		t.Fatalf("defaults: trust no proxy, X-Forwarded-For, no HSTS, the auth default for hashes; got %+v", def)
	}
	c, err := LoadConfig(env("EGIDE_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,10.1.2.3/16,::ffff:198.51.100.1",
		"EGIDE_FORWARDED_HEADER", "forwarded", "EGIDE_PUBLIC_URL", "HTTPS://egide.example.org", "EGIDE_AUTH_MAX_CONCURRENT_HASHES", "6"))
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("198.51.100.1/32")}
	if !slices.Equal(c.TrustedProxies, want) || c.ForwardedHeader != "Forwarded" || !c.hsts() || c.MaxConcurrentHashes != 6 {
		t.Fatalf("loaded: %+v", c)
	}
	if c, err := LoadConfig(env("EGIDE_PUBLIC_URL", "http://127.0.0.1:8080")); err != nil || c.hsts() {
		t.Fatalf("an http public address sends no HSTS: %v", err)
	}
	for name, tc := range map[string]struct{ env func(string) string }{
		"EGIDE_TRUSTED_PROXIES":             {env("EGIDE_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")},
		"EGIDE_TRUSTED_PROXIES ":            {env("EGIDE_TRUSTED_PROXIES", "10.0.0.0/33")},
		"EGIDE_FORWARDED_HEADER":            {env("EGIDE_FORWARDED_HEADER", "X-Real-IP")},
		"EGIDE_PUBLIC_URL":                  {env("EGIDE_PUBLIC_URL", "egide.example.org")},
		"EGIDE_PUBLIC_URL ":                 {env("EGIDE_PUBLIC_URL", "ftp://egide.example.org")},
		"EGIDE_AUTH_MAX_CONCURRENT_HASHES":  {env("EGIDE_AUTH_MAX_CONCURRENT_HASHES", "0")},
		"EGIDE_AUTH_MAX_CONCURRENT_HASHES ": {env("EGIDE_AUTH_MAX_CONCURRENT_HASHES", "many")},
	} {
		v := strings.TrimSpace(name)
		if _, err := LoadConfig(tc.env); err == nil || !strings.HasPrefix(err.Error(), v+":") {
			t.Errorf("%s: want an error naming %s, got %v", name, v, err)
		}
	}
	if auth.DefaultMaxConcurrentHashes() < 2 {
		t.Fatal("the default bound on verifications must be at least 2")
	}
}
