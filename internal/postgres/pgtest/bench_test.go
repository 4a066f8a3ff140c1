package pgtest_test

import (
	"testing"

	"github.com/egide/egide/internal/postgres/pgtest"
)

// BenchmarkNewURL measures what a test database costs to create; the
// drops run after the measure.
func BenchmarkNewURL(b *testing.B) {
	pgtest.NewURL(b) // server and template set-up, outside the measure
	for b.Loop() {
		pgtest.NewURL(b)
	}
}
