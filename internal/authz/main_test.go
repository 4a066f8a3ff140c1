package authz_test

import (
	"testing"

	"github.com/egide/egide/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
