// Package frontend holds the web application's build (frontend/dist,
// produced by `make frontend`), embedded in the egide binary and served by
// internal/httpserver. Before the first build dist/ holds only .gitkeep and
// the server answers / with a short notice instead of the app.
package frontend

import "embed"

// Dist is the built web application: index.html at its root, hashed assets
// under assets/.
//
//go:embed all:dist
var Dist embed.FS
