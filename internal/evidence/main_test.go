package evidence_test

import (
	"os"
	"testing"

	"github.com/egide/egide/internal/blob/blobtest"
	"github.com/egide/egide/internal/postgres/pgtest"
)

// TestMain tears down both rigs: the PostgreSQL cluster and MinIO.
func TestMain(m *testing.M) {
	os.Exit(pgtest.Run(func() int { return blobtest.Run(m.Run) }))
}
