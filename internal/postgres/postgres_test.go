package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func count(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM organisations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertOrg(ctx context.Context, tx pgx.Tx, name string) error {
	_, err := tx.Exec(ctx, `INSERT INTO organisations (name) VALUES ($1)`, name)
	return err
}

// openTx counts this database's sessions left inside a transaction.
func openTx(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	// A connection whose context was cancelled is closed by pgx without a
	// round trip: its server backend stays "idle in transaction" until it
	// reads the closed socket. Wait (bounded) for what the server will see,
	// rather than racing it.
	var n int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 || time.Now().After(deadline) {
			return n
		}
	}
}

func TestInTx(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()

	t.Run("commits when fn succeeds", func(t *testing.T) {
		if err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error { return insertOrg(ctx, tx, "Committed") }); err != nil {
			t.Fatal(err)
		}
		if n := count(t, pool); n != 1 {
			t.Fatalf("%d organisations, want 1", n)
		}
	})

	t.Run("rolls back and returns fn's error", func(t *testing.T) {
		boom := errors.New("boom")
		err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := insertOrg(ctx, tx, "Rolled back"); err != nil {
				return err
			}
			return fmt.Errorf("wrapped: %w", boom)
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want fn's error", err)
		}
		if n := count(t, pool); n != 1 {
			t.Fatalf("%d organisations, want 1: the failed insert was committed", n)
		}
	})

	t.Run("rolls back when ctx is cancelled inside fn", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		err := postgres.InTx(cctx, pool, func(tx pgx.Tx) error {
			if err := insertOrg(cctx, tx, "Cancelled"); err != nil {
				return err
			}
			cancel()
			return cctx.Err()
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
		if n := count(t, pool); n != 1 {
			t.Fatalf("%d organisations, want 1", n)
		}
		if n := openTx(t, pool); n != 0 {
			t.Fatalf("%d connections left idle in transaction", n)
		}
	})

	t.Run("no commit when ctx is cancelled before it", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		err := postgres.InTx(cctx, pool, func(tx pgx.Tx) error {
			if err := insertOrg(cctx, tx, "Never committed"); err != nil {
				return err
			}
			cancel() // fn succeeds, but the commit cannot be sent
			return nil
		})
		if err == nil {
			t.Fatal("commit on a cancelled context reported success")
		}
		if n := count(t, pool); n != 1 {
			t.Fatalf("%d organisations, want 1", n)
		}
		if n := openTx(t, pool); n != 0 {
			t.Fatalf("%d connections left idle in transaction", n)
		}
	})

	t.Run("maps a failed commit", func(t *testing.T) {
		// A deferred constraint is checked at commit: InTx must map it.
		err := postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `CREATE TEMP TABLE t (a int UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO t VALUES (1), (1)`)
			return err
		})
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("got %v, want CONFLICT", err)
		}
	})

	t.Run("begin fails on a cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		called := false
		err := postgres.InTx(cctx, pool, func(pgx.Tx) error { called = true; return nil })
		if err == nil || called {
			t.Fatalf("err %v, fn called %v", err, called)
		}
	})
}

func TestMapError(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	var org string
	if err := pool.QueryRow(ctx, `INSERT INTO organisations (name) VALUES ('Org') RETURNING id`).Scan(&org); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO dossiers (organisation_id, reference, title, themes, opened_on)
		VALUES ($1, 'R-1', 'T', '{grooming}', '2025-01-01')`, org); err != nil {
		t.Fatal(err)
	}
	// pgErr runs a statement that must fail and returns its error.
	pgErr := func(sql string, args ...any) error {
		t.Helper()
		_, err := pool.Exec(ctx, sql, args...)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: want a PostgreSQL error, got %v", sql, err)
		}
		return err
	}
	dup := pgErr(`INSERT INTO dossiers (organisation_id, reference, title, themes, opened_on)
		VALUES ($1, 'r-1', 'T', '{grooming}', '2025-01-01')`, org)
	fk := pgErr(`INSERT INTO dossiers (organisation_id, reference, title, themes, opened_on)
		VALUES (gen_random_uuid(), 'R-2', 'T', '{grooming}', '2025-01-01')`)
	check := pgErr(`INSERT INTO dossiers (organisation_id, reference, title, themes, opened_on, retention_until)
		VALUES ($1, 'R-3', 'T', '{grooming}', '2025-01-01', '2024-01-01')`, org)
	notNull := pgErr(`INSERT INTO organisations (name) VALUES (NULL)`)
	badDate := pgErr(`SELECT '2025-02-30'::date`)
	nul := pgErr(`SELECT $1::text`, "a\x00b")
	badUUID := pgErr(`SELECT $1::text::uuid`, "not-a-uuid")

	named := postgres.Constraint{"dossiers_reference_key": apperr.InvalidField("reference", "taken")}
	other := postgres.Constraint{"something_else": apperr.New(apperr.Forbidden, "x")}
	plain := errors.New("plain")
	domain := apperr.NotFoundError()

	for name, tc := range map[string]struct {
		err   error
		known []postgres.Constraint
		code  apperr.Code
		field string
	}{
		"unique":                   {dup, nil, apperr.Conflict, ""},
		"unique, named constraint": {dup, []postgres.Constraint{other, named}, apperr.Invalid, "reference"},
		"unique, wrapped":          {fmt.Errorf("insert: %w", dup), []postgres.Constraint{named}, apperr.Invalid, "reference"},
		"unique, unrelated names":  {dup, []postgres.Constraint{other}, apperr.Conflict, ""},
		"foreign key":              {fk, nil, apperr.Invalid, ""},
		"check":                    {check, nil, apperr.Invalid, ""},
		"not null":                 {notNull, nil, apperr.Invalid, ""},
		"bad date":                 {badDate, nil, apperr.Invalid, ""},
		"NUL in text":              {nul, nil, apperr.Invalid, ""},
		"bad uuid text":            {badUUID, nil, apperr.Invalid, ""},
		"serialization failure":    {&pgconn.PgError{Code: "40001"}, nil, apperr.Conflict, ""},
		"deadlock":                 {&pgconn.PgError{Code: "40P01"}, nil, apperr.Conflict, ""},
		"other PostgreSQL error":   {&pgconn.PgError{Code: "42P01"}, nil, apperr.Internal, ""},
		"not a PostgreSQL error":   {plain, nil, apperr.Internal, ""},
		"already a domain error":   {domain, []postgres.Constraint{named}, apperr.NotFound, ""},
	} {
		got := postgres.MapError(tc.err, tc.known...)
		if c := apperr.CodeOf(got); c != tc.code {
			t.Errorf("%s: code %s, want %s (%v)", name, c, tc.code, got)
			continue
		}
		if tc.field != "" {
			if e, _ := apperr.As(got); len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
				t.Errorf("%s: got %v, want field %s", name, got, tc.field)
			}
		}
		if tc.code == apperr.Internal && got != tc.err {
			t.Errorf("%s: an unmapped error must come back unchanged, got %v", name, got)
		}
	}
	if postgres.MapError(nil) != nil {
		t.Error("MapError(nil) != nil")
	}
	if got := postgres.MapError(domain); got != error(domain) {
		t.Errorf("a domain error was replaced: %v", got)
	}
	// The client-facing message never carries the SQL error's detail.
	if e, _ := apperr.As(postgres.MapError(dup)); e == nil || e.Message != "already exists" {
		t.Errorf("unique message: %v", e)
	}
}

func TestMigrationStatus(t *testing.T) {
	t.Parallel()
	url := pgtest.NewURL(t)
	ctx := context.Background()

	st, err := postgres.StatusURL(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending() || st.Current != st.Latest || st.Latest < 1 || int(st.Latest) != len(st.Names) {
		t.Fatalf("migrated database: %+v", st)
	}
	if st.Names[0] != "001_core.sql" {
		t.Errorf("first migration %q", st.Names[0])
	}
	// Migrating an up-to-date database changes nothing.
	if err := postgres.MigrateURL(ctx, url); err != nil {
		t.Fatal(err)
	}

	// An empty database: every migration pending.
	freshURL := emptyDatabase(t, url)
	conn, err := pgx.Connect(ctx, freshURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	st, err = postgres.Status(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Pending() || st.Current != 0 || st.Latest != int32(len(st.Names)) {
		t.Fatalf("empty database: %+v", st)
	}
	if err := postgres.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	st, err = postgres.Status(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending() || st.Current != st.Latest {
		t.Fatalf("after Migrate: %+v", st)
	}
	var tables int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'dossiers'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 1 {
		t.Fatal("Migrate did not create the tables")
	}
}

// emptyDatabase creates an empty database next to the one of url (whose
// role may create databases: pgtest's) and returns its URL.
func emptyDatabase(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var name string
	if err := admin.QueryRow(ctx, `SELECT current_database() || '_empty'`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+ident+` TEMPLATE template0`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), `DROP DATABASE IF EXISTS `+ident+` WITH (FORCE)`); err != nil {
			t.Error(err)
		}
	})
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestPending(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cur, latest int32
		want        bool
	}{{0, 2, true}, {1, 2, true}, {2, 2, false}, {3, 2, false}} {
		if got := (postgres.MigrationStatus{Current: tc.cur, Latest: tc.latest}).Pending(); got != tc.want {
			t.Errorf("Pending(%d/%d) = %v", tc.cur, tc.latest, got)
		}
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	url := pgtest.NewURL(t)
	ctx := context.Background()
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var tz, app, jit string
	if err := pool.QueryRow(ctx, `SELECT current_setting('timezone'), current_setting('application_name'), current_setting('jit')`).
		Scan(&tz, &app, &jit); err != nil {
		t.Fatal(err)
	}
	if tz != "UTC" || app != "egide" || jit != "off" {
		t.Fatalf("session settings: timezone %s, application_name %s, jit %s", tz, app, jit)
	}
	if _, err := postgres.Open(ctx, "not a url"); err == nil {
		t.Fatal("Open accepted a malformed URL")
	}
}

// What a log line says of a database error: the SQLSTATE and the names of
// the schema objects, never a value — neither the message ("invalid input
// syntax for type date: "…"") nor the detail ("Key (lower(reference))=(…)
// already exists") — whatever wraps it.
func TestLogSafe(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	const secret = "Zorglub-secret@example.org"
	var org string
	if err := pool.QueryRow(ctx, `INSERT INTO organisations (name) VALUES ('Org') RETURNING id`).Scan(&org); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO dossiers (organisation_id, reference, title, themes, opened_on) VALUES ($1, $2, 'T', '{grooming}', '2025-01-01')`
	if _, err := pool.Exec(ctx, insert, org, secret); err != nil {
		t.Fatal(err)
	}
	_, dup := pool.Exec(ctx, insert, org, secret)
	_, date := pool.Exec(ctx, `SELECT $1::text::date`, secret)
	_, nul := pool.Exec(ctx, `SELECT $1::text`, secret+"\x00")
	_, enc := pool.Exec(ctx, `SELECT $1::uuid`, secret)
	// As PostgreSQL reports it to a role that may read the columns.
	detail := fmt.Errorf("insert user: %w", &pgconn.PgError{Severity: "ERROR", Code: "23505",
		Message: "duplicate key value violates unique constraint \"users_email_key\"",
		Detail:  "Key (email)=(" + secret + ") already exists.", ConstraintName: "users_email_key", TableName: "users"})
	for name, err := range map[string]error{
		"unique":             dup,
		"unique with detail": detail,
		"bad date":           date,
		"NUL":                nul,
		"encode":             enc,
		"wrapped twice":      fmt.Errorf("list dossiers: %w", fmt.Errorf("scan: %w", date)),
		"joined":             errors.Join(errors.New("rollback"), dup),
	} {
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		got := postgres.LogSafe(err)
		if strings.Contains(got, "Zorglub") || strings.Contains(got, "example.org") {
			t.Errorf("%s: %q carries the value", name, got)
		}
		var pe *pgconn.PgError
		if errors.As(err, &pe) && !strings.Contains(got, "SQLSTATE "+pe.Code) {
			t.Errorf("%s: %q lost the SQLSTATE", name, got)
		}
		// Through a logger wired with RedactErrors, the same.
		var b strings.Builder
		log := slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{ReplaceAttr: postgres.RedactErrors}))
		log.Error("internal error", "error", err, "cause", fmt.Errorf("while listing: %w", err))
		if strings.Contains(b.String(), "Zorglub") || !strings.Contains(b.String(), `"error":`) {
			t.Errorf("%s: logged %s", name, b.String())
		}
	}
	if got := postgres.LogSafe(fmt.Errorf("list dossiers: %w", dup)); !strings.HasPrefix(got, "list dossiers: ") ||
		!strings.Contains(got, "constraint=") {
		t.Errorf("the context was lost: %q", got)
	}
	if postgres.LogSafe(nil) != "" || postgres.LogSafe(errors.New("plain")) != "plain" {
		t.Error("LogSafe of nil or a plain error")
	}
}
