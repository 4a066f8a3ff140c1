package auth_test

import (
	"testing"

	"github.com/egide/egide/internal/postgres/pgtest"
)

// The only TestMain of the package's tests: every test file uses pgtest.
func TestMain(m *testing.M) { pgtest.Main(m) }
