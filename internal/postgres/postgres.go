// Package postgres owns the connection pool, transactions, migrations and
// the mapping of PostgreSQL errors to domain errors.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/migrations"
)

// VersionTable is where tern records the applied migration version.
const VersionTable = "schema_version"

// AppRole is the PostgreSQL role the application works as: it may not
// change or delete audit records (migrations/005_audit_chain.sql).
const AppRole = "egide_app"

// Option configures a pool.
type Option func(*pgxpool.Config)

// AsAppRole makes every connection of the pool work as AppRole (SET ROLE),
// whatever role the URL logs in with (which must be a member of it).
func AsAppRole() Option {
	return func(cfg *pgxpool.Config) {
		cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
			if _, err := conn.Exec(ctx, "SET ROLE "+AppRole); err != nil {
				return fmt.Errorf("set role %s (run the migrations, and grant %s to the login role): %w", AppRole, AppRole, err)
			}
			return nil
		}
	}
}

// Open connects a pool and checks that the server answers.
func Open(ctx context.Context, url string, opts ...Option) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	for _, o := range opts {
		o(cfg)
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.ConnConfig.RuntimeParams["application_name"] = "egide"
	// Short OLTP queries: JIT compilation costs more than it saves (seen:
	// 7 ms of JIT for a 6 ms dossier count).
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return pool, nil
}

func newMigrator(ctx context.Context, conn *pgx.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return nil, fmt.Errorf("new migrator: %w", err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return m, nil
}

// Migrate applies every pending migration. It takes an advisory lock, so
// several instances starting at once apply each migration exactly once.
func Migrate(ctx context.Context, conn *pgx.Conn) error {
	m, err := newMigrator(ctx, conn)
	if err != nil {
		return err
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// MigrationStatus reports the applied and the latest known version.
type MigrationStatus struct {
	Current int32
	Latest  int32
	Names   []string
}

// Pending reports whether migrations remain to apply.
func (s MigrationStatus) Pending() bool { return s.Current < s.Latest }

// Status reads the migration state of the database.
func Status(ctx context.Context, conn *pgx.Conn) (MigrationStatus, error) {
	m, err := newMigrator(ctx, conn)
	if err != nil {
		return MigrationStatus{}, err
	}
	cur, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return MigrationStatus{}, fmt.Errorf("current version: %w", err)
	}
	st := MigrationStatus{Current: cur, Latest: int32(len(m.Migrations))}
	for _, mg := range m.Migrations {
		st.Names = append(st.Names, mg.Name)
	}
	return st, nil
}

// MigrateURL connects once to url and applies pending migrations.
func MigrateURL(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return Migrate(ctx, conn)
}

// StatusURL connects once to url and reads the migration state.
func StatusURL(ctx context.Context, url string) (MigrationStatus, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return MigrationStatus{}, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return Status(ctx, conn)
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled
// back otherwise. The rollback uses a context that is not cancelled, so a
// client hanging up never leaves a transaction open on the connection.
// With the context of a Shared request, fn runs in its transaction instead.
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	if s := shared(ctx); s != nil {
		return s.run(ctx, pool, fn)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		rbCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = tx.Rollback(rbCtx) // no-op after commit
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return MapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Constraint maps a database constraint name to the domain error that a
// violation of it means (e.g. a unique index on a reference → CONFLICT on
// field "reference").
type Constraint map[string]*apperr.Error

// MapError turns a PostgreSQL error into a domain error where the database
// enforced a domain rule; anything else stays internal. known gives the
// meaning of named constraints.
func MapError(err error, known ...Constraint) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	for _, k := range known {
		if e, ok := k[pgErr.ConstraintName]; ok {
			return e
		}
	}
	switch pgErr.Code {
	case "23505": // unique_violation
		return apperr.New(apperr.Conflict, "already exists")
	case "23503": // foreign_key_violation
		return apperr.New(apperr.Invalid, "refers to something that does not exist")
	case "23514", "23502": // check, not null
		return apperr.New(apperr.Invalid, "invalid value")
	case "40001", "40P01": // serialization failure, deadlock
		return apperr.New(apperr.Conflict, "concurrent update, try again")
	}
	if ClientFault(err) { // data exceptions: too long, bad date/time, bad text representation, NUL character ...
		return apperr.New(apperr.Invalid, "invalid value")
	}
	return err
}
