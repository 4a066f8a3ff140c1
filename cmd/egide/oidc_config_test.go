package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres/pgtest"
)

func TestOIDCConfig(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"EGIDE_OIDC_ISSUER":        "https://id.example.org/realms/ngo",
		"EGIDE_OIDC_CLIENT_ID":     "egide",
		"EGIDE_OIDC_CLIENT_SECRET": "s3cret",
		"EGIDE_OIDC_REDIRECT_URL":  "https://egide.example.org/auth/oidc/callback",
	}
	with := func(changes map[string]string) func(string) string {
		env := map[string]string{}
		for k, v := range full {
			env[k] = v
		}
		for k, v := range changes {
			env[k] = v
		}
		return func(k string) string { return env[k] }
	}
	cases := []struct {
		name    string
		env     func(string) string
		wantErr string // the variable named; "" when accepted
	}{
		{name: "off", env: func(string) string { return "" }},
		{name: "complete", env: with(nil)},
		{name: "MFA required", env: with(map[string]string{"EGIDE_OIDC_REQUIRE_MFA": "true"})},
		{name: "loopback issuer over http", env: with(map[string]string{"EGIDE_OIDC_ISSUER": "http://127.0.0.1:5556/dex",
			"EGIDE_OIDC_REDIRECT_URL": "http://localhost:8080/auth/oidc/callback"})},
		{name: "secret missing", env: with(map[string]string{"EGIDE_OIDC_CLIENT_SECRET": ""}), wantErr: "EGIDE_OIDC_CLIENT_SECRET"},
		{name: "only the issuer", env: func(k string) string {
			if k == "EGIDE_OIDC_ISSUER" {
				return full[k]
			}
			return ""
		}, wantErr: "EGIDE_OIDC_CLIENT_ID"},
		{name: "issuer over http", env: with(map[string]string{"EGIDE_OIDC_ISSUER": "http://id.example.org"}), wantErr: "EGIDE_OIDC_ISSUER"},
		{name: "issuer not a URL", env: with(map[string]string{"EGIDE_OIDC_ISSUER": "id.example.org"}), wantErr: "EGIDE_OIDC_ISSUER"},
		{name: "redirect over http", env: with(map[string]string{"EGIDE_OIDC_REDIRECT_URL": "http://egide.example.org/auth/oidc/callback"}),
			wantErr: "EGIDE_OIDC_REDIRECT_URL"},
		{name: "redirect elsewhere", env: with(map[string]string{"EGIDE_OIDC_REDIRECT_URL": "https://egide.example.org/callback"}),
			wantErr: "EGIDE_OIDC_REDIRECT_URL"},
		{name: "MFA not a boolean", env: with(map[string]string{"EGIDE_OIDC_REQUIRE_MFA": "yes please"}), wantErr: "EGIDE_OIDC_REQUIRE_MFA"},
		{name: "MFA without SSO", env: func(k string) string {
			if k == "EGIDE_OIDC_REQUIRE_MFA" {
				return "true"
			}
			return ""
		}, wantErr: "EGIDE_OIDC_REQUIRE_MFA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadConfig(tc.env)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr+":") {
				t.Fatalf("want an error naming %s, got %v", tc.wantErr, err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("the error shows the secret: %v", err)
			}
		})
	}
	c, err := LoadConfig(with(map[string]string{"EGIDE_OIDC_REQUIRE_MFA": "true"}))
	if err != nil || c.OIDCIssuer != full["EGIDE_OIDC_ISSUER"] || c.OIDCClientID != "egide" || c.OIDCClientSecret != "s3cret" ||
		c.OIDCRedirectURL != full["EGIDE_OIDC_REDIRECT_URL"] || !c.OIDCRequireMFA {
		t.Fatalf("loaded: %+v %v", c, err)
	}
}

// newHandler serves single sign-on when, and only when, it is configured.
func TestOIDCWiring(t *testing.T) {
	t.Parallel()
	idp, err := mockoidc.Run() // on 127.0.0.1
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.New(t)
	client := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, on := range []bool{true, false} {
		cfg := Config{SessionIdle: time.Hour, SessionMax: 2 * time.Hour}
		if on {
			cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret = idp.Issuer(), idp.ClientID, idp.ClientSecret
			cfg.OIDCRedirectURL = "http://127.0.0.1:8080/auth/oidc/callback"
		}
		h, err := newHandler(pool, kr, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		resp, err := client.Get(srv.URL + "/auth/oidc/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// The sign-in screen learns it, before anyone is signed in.
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ signInOptions { singleSignOn } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Egide-CSRF", "1")
		gq, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(gq.Body)
		gq.Body.Close()
		srv.Close()
		if want := fmt.Sprintf(`{"data":{"signInOptions":{"singleSignOn":%t}}}`, on); string(body) != want {
			t.Fatalf("signInOptions %s, want %s", body, want)
		}
		switch {
		case on && (resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), idp.AuthorizationEndpoint()+"?")):
			t.Fatalf("SSO on: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		case !on && resp.StatusCode != http.StatusNotFound:
			t.Fatalf("SSO off: %d", resp.StatusCode)
		}
	}
}
