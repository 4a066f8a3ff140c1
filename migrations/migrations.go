// Package migrations holds the numbered SQL migrations, embedded in the
// binary. Never edit a migration that has landed: add a new one.
package migrations

import "embed"

// FS holds every migration file (NNN_name.sql, tern format).
//
//go:embed *.sql
var FS embed.FS
