package httpserver

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// appIndex is a built index.html as Vite writes it: one module script, by src.
const appIndex = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Égide</title>
<script type="module" crossorigin src="/assets/index-abc123.js"></script>
<link rel="stylesheet" crossorigin href="/assets/index-abc123.css"></head><body><div id="root"></div></body></html>`

func appSite(t *testing.T, app fs.FS) *httptest.Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(New(Options{Logger: log, Frontend: app, Ready: func(context.Context) error { return nil }}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// inlineScript matches a script element with content (code between the tags).
var inlineScript = regexp.MustCompile(`(?is)<script\b[^>]*>\s*[^<\s]`)

// checkIndex fails unless the answer is index.html under the CSP, uncached,
// with no inline script.
func checkIndex(t *testing.T, res *http.Response, body string) {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if !strings.Contains(body, `<div id="root">`) {
		t.Errorf("not the app's index.html: %s", body)
	}
	for _, m := range regexp.MustCompile(`(?is)<script\b[^>]*>`).FindAllString(body, -1) {
		if !strings.Contains(m, ` src="/`) {
			t.Errorf("script without a same-origin src: %s", m)
		}
	}
	if inlineScript.MatchString(body) {
		t.Errorf("inline script in index.html: %s", body)
	}
}

func TestAppServesIndexAndFallsBack(t *testing.T) {
	app := fstest.MapFS{
		"index.html":              {Data: []byte(appIndex)},
		"assets/index-abc123.js":  {Data: []byte("console.log(1)")},
		"assets/index-abc123.css": {Data: []byte("body{}")},
		"favicon.svg":             {Data: []byte("<svg/>")},
		".gitkeep":                {Data: nil},
	}
	srv := appSite(t, app)

	for _, p := range []string{"/", "/index.html", "/dossiers", "/dossiers/0b5c7e", "/some/client/route"} {
		t.Run("index "+p, func(t *testing.T) {
			res, body := get(t, srv.URL+p)
			checkIndex(t, res, body)
		})
	}

	t.Run("hashed asset cached for long", func(t *testing.T) {
		res, body := get(t, srv.URL+"/assets/index-abc123.js")
		if res.StatusCode != 200 || body != "console.log(1)" {
			t.Fatalf("status %d body %q", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("Content-Type %q", ct)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("Cache-Control %q", cc)
		}
		if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("security headers missing on an asset")
		}
	})

	t.Run("unhashed file revalidated", func(t *testing.T) {
		res, _ := get(t, srv.URL+"/favicon.svg")
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("status %d Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
		}
	})

	for _, p := range []string{"/assets/missing.js", "/missing.css", "/.gitkeep", "/evidence/x", "/evidence/", "/audit/export.csv/x", "/auth/oidc/nope", "/graphql/x", "/healthz/x"} {
		t.Run("404 "+p, func(t *testing.T) {
			res, body := get(t, srv.URL+p)
			if res.StatusCode != http.StatusNotFound || strings.Contains(body, `id="root"`) {
				t.Fatalf("status %d body %q, want a plain 404", res.StatusCode, body)
			}
		})
	}

	// The web app's routes under /audit/ survive a reload (they once were
	// swallowed by the export's prefix).
	for _, p := range []string{"/audit", "/audit/", "/audit/access-report", "/audit/erase", "/audit/unknown-screen"} {
		t.Run("web route "+p, func(t *testing.T) {
			res, body := get(t, srv.URL+p)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="root"`) {
				t.Fatalf("status %d body %q, want index.html", res.StatusCode, body)
			}
		})
	}

	t.Run("API routes not shadowed", func(t *testing.T) {
		res, body := get(t, srv.URL+"/healthz")
		if res.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
			t.Errorf("/healthz: %d %s", res.StatusCode, body)
		}
		res, body = get(t, srv.URL+"/graphql")
		if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(body, `"errors"`) {
			t.Errorf("GET /graphql: %d %s", res.StatusCode, body)
		}
		pr, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{me{id}}"}`))
		if err != nil {
			t.Fatal(err)
		}
		pr.Body.Close()
		if pr.StatusCode != http.StatusForbidden {
			t.Errorf("POST /graphql without CSRF header: %d, want 403", pr.StatusCode)
		}
		// Evidence is not configured here: its route answers its own 404.
		res, body = get(t, srv.URL+"/evidence/00000000-0000-0000-0000-000000000000/content")
		if res.StatusCode != http.StatusNotFound || strings.Contains(body, `id="root"`) {
			t.Errorf("/evidence/{id}/content: %d %s", res.StatusCode, body)
		}
	})

	t.Run("POST to an app path", func(t *testing.T) {
		pr, err := http.Post(srv.URL+"/dossiers", "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		pr.Body.Close()
		if pr.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("status %d, want 405", pr.StatusCode)
		}
	})
}

func TestAppNotBuilt(t *testing.T) {
	srv := appSite(t, fstest.MapFS{".gitkeep": {Data: nil}})
	res, body := get(t, srv.URL+"/")
	if res.StatusCode != 200 || !strings.Contains(body, "make build") || strings.Contains(body, "<script") {
		t.Fatalf("status %d body %q", res.StatusCode, body)
	}
}

// TestEmbeddedApp checks the build embedded in the binary, when there is
// one (`make build` and `make test` build it first; a bare `go test` on a
// fresh checkout has only frontend/dist/.gitkeep).
func TestEmbeddedApp(t *testing.T) {
	if _, err := fs.Stat(embeddedApp(), "index.html"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("frontend/dist/index.html missing: run `make frontend` before the Go tests")
		}
		t.Skip("frontend not built (make frontend)")
	}
	srv := appSite(t, nil)
	for _, p := range []string{"/", "/dossiers/abc"} {
		res, body := get(t, srv.URL+p)
		checkIndex(t, res, body)
		// Every asset index.html references is served.
		for _, m := range regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(body, -1) {
			ar, _ := get(t, srv.URL+m[1])
			if ar.StatusCode != 200 || !strings.Contains(ar.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s: %d %q", m[1], ar.StatusCode, ar.Header.Get("Cache-Control"))
			}
		}
	}
}
