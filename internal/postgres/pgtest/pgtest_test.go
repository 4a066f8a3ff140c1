package pgtest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestParallelTestsGetMigratedDatabasesOfTheirOwn(t *testing.T) {
	var mu sync.Mutex
	names := map[string]bool{}
	t.Run("group", func(t *testing.T) {
		for range 4 {
			t.Run("db", func(t *testing.T) {
				t.Parallel()
				pool := pgtest.New(t)
				var name string
				var migrated bool
				err := pool.QueryRow(t.Context(),
					"SELECT current_database(), to_regclass('dossiers') IS NOT NULL").Scan(&name, &migrated)
				if err != nil {
					t.Fatal(err)
				}
				if !migrated {
					t.Errorf("%s: table dossiers missing: migrations not applied", name)
				}
				mu.Lock()
				defer mu.Unlock()
				if names[name] {
					t.Errorf("database %s handed out twice", name)
				}
				names[name] = true
			})
		}
	})
	if len(names) != 4 && !t.Failed() && !t.Skipped() {
		t.Errorf("got databases %v, want 4", names)
	}
}

func TestDatabasesAreIsolated(t *testing.T) {
	t.Parallel()
	a, b := pgtest.New(t), pgtest.New(t)
	if _, err := a.Exec(t.Context(), "INSERT INTO organisations (name) VALUES ('Only in A')"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, a); n != 1 {
		t.Fatalf("A holds %d organisations, want 1", n)
	}
	if n := count(t, b); n != 0 {
		t.Fatalf("B holds %d organisations, want 0: databases are shared", n)
	}
}

func TestNewURLIsDroppedAtCleanup(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inner", func(t *testing.T) {
		conn, err := pgx.Connect(t.Context(), pgtest.NewURL(t))
		if err != nil {
			t.Fatal(err)
		}
		// Left open on purpose: the drop must force it out.
		if err := conn.QueryRow(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})
	if name == "" {
		t.SkipNow()
	}
	probe := pgtest.New(t)
	var exists bool
	err := probe.QueryRow(context.Background(),
		"SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatalf("database %s still exists after its test ended", name)
	}
}

func count(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM organisations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
