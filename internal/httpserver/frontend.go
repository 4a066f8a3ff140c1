package httpserver

import (
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/egide/egide/frontend"
	"github.com/egide/egide/internal/apperr"
)

// embeddedApp is the web application built into the binary (frontend/dist).
func embeddedApp() fs.FS {
	sub, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path: cannot happen
	}
	return sub
}

// apiPrefixes are never answered by the web application: an unknown path
// there is a 404, not index.html. Under /audit/ only the export is the
// API's: /audit, /audit/access-report and /audit/erase are the web app's
// (a reload or a bookmark of them must land on the screen).
var apiPrefixes = []string{"/graphql", "/healthz", "/readyz", "/evidence/", AuditExportPath, "/auth/"}

// appHandler serves the web application: files of app as they are, hashed
// assets (assets/) cached for a year, and index.html, never cached, for
// every other path (the client-side routes). It is registered at "/" (any
// method: "GET /" would conflict with "/graphql") and answers 405 itself. Without a built application it
// answers a short notice.
func appHandler(app fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean("/" + r.URL.Path)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, apperr.Invalid, "method not allowed")
			return
		}
		for _, prefix := range apiPrefixes {
			if p == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(p, prefix) {
				http.NotFound(w, r)
				return
			}
		}
		name := strings.TrimPrefix(p, "/")
		if name != "" && name != "index.html" {
			if strings.HasPrefix(path.Base(name), ".") {
				http.NotFound(w, r)
				return
			}
			if serveFile(w, r, app, name) {
				return
			}
			// A missing file (it has an extension) is a 404; anything else
			// is a client-side route.
			if path.Ext(name) != "" {
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		if !serveFile(w, r, app, "index.html") {
			notBuilt(w)
		}
	})
}

// serveFile answers with the file name of app, reporting false when there
// is no such file.
func serveFile(w http.ResponseWriter, r *http.Request, app fs.FS, name string) bool {
	f, err := app.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return false
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return false
	}
	if w.Header().Get("Cache-Control") == "" {
		if strings.HasPrefix(name, "assets/") {
			// Vite puts a content hash in every asset's name.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
	}
	http.ServeContent(w, r, name, time.Time{}, rs)
	return true
}

// notBuilt answers / when the binary was built without the web application
// (frontend/dist holds only .gitkeep): `make build` builds it first.
func notBuilt(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Égide</title></head>
<body><h1>Égide</h1><p>L'application web n'est pas incluse dans ce binaire : construisez-le avec <code>make build</code>.
L'API GraphQL répond sur <code>POST /graphql</code> (en-tête <code>X-Egide-CSRF: 1</code>).</p>
<p lang="en">The web application is not built into this binary: build it with <code>make build</code>.</p></body></html>`))
}
