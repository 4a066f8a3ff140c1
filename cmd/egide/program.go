package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/auditlog"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/calfeed"
	"github.com/egide/egide/internal/charge"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/deadlines"
	"github.com/egide/egide/internal/demo"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/httpserver"
	"github.com/egide/egide/internal/organisation"
	"github.com/egide/egide/internal/person"
	"github.com/egide/egide/internal/pgcluster"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/proceeding"
	"github.com/egide/egide/internal/user"
)

const usage = `usage: egide <command>

commands:
  dev              build-free dev mode: private PostgreSQL under var/ (unless DATABASE_URL),
                   dev key ring, demo data, server on EGIDE_LISTEN; writes var/dev.env
  serve            production server (needs DATABASE_URL and a key ring)
  migrate up       apply pending migrations
  migrate status   show applied and pending migrations
  seed             add the demo data to DATABASE_URL (dev key ring only) [-dossiers N] [-accounts FILE]
  keys generate    print a new key-ring entry for EGIDE_KEYRING / EGIDE_KEYRING_FILE
  keys rotate      rewrap every wrapped key under the key ring's newest version (add it first)
  evidence verify  decrypt every stored evidence file and check its SHA-256; exit 1 on any failure
  evidence gc      remove stored objects no record owns (older than EGIDE_BLOB_GC_GRACE)
  audit verify     check the audit hash chain against every signed checkpoint; exit 1 on any problem
  audit keygen FILE  create an audit signing key (mode 0600) and print its public key
  audit public-key print the public key of EGIDE_AUDIT_SIGNING_KEY_FILE (for EGIDE_AUDIT_PUBLIC_KEY)

Configuration comes from the environment (EGIDE_*, DATABASE_URL): see docs/operations.md.
`

// Program is the egide process. Tests run it in-process with their own
// environment and learn the listening address through Started.
type Program struct {
	Getenv  func(string) string
	Stdout  io.Writer
	Stderr  io.Writer
	Started func(addr string) // called once the server listens
}

// Run executes one subcommand.
func (p *Program) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(p.Stderr, usage)
		return errors.New("no command")
	}
	cfg, err := LoadConfig(p.Getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := p.logger(cfg)
	switch args[0] {
	case "dev":
		return p.dev(ctx, cfg, log)
	case "serve":
		return p.serve(ctx, cfg, log)
	case "migrate":
		return p.migrate(ctx, cfg, args[1:])
	case "seed":
		return p.seed(ctx, cfg, args[1:])
	case "audit":
		return p.audit(ctx, cfg, args[1:])
	case "evidence":
		return p.evidenceCmd(ctx, cfg, args[1:])
	case "keys":
		if len(args) == 2 && args[1] == "rotate" {
			return p.keysRotate(ctx, cfg)
		}
		if len(args) == 2 && args[1] == "generate" {
			spec, err := crypto.GenerateKeySpec(1)
			if err != nil {
				return err
			}
			fmt.Fprintln(p.Stdout, spec)
			return nil
		}
		return errors.New("usage: egide keys generate | rotate")
	case "help", "-h", "--help":
		fmt.Fprint(p.Stdout, usage)
		return nil
	}
	fmt.Fprint(p.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func (p *Program) logger(cfg Config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	return newLogger(p.Stderr, lvl)
}

func requireDB(cfg Config) error {
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required (e.g. postgres://egide@db.internal:5432/egide)")
	}
	return nil
}

// keyRing loads the configured key ring; EGIDE_KEYRING wins over the file.
func keyRing(cfg Config) (*crypto.KeyRing, error) {
	switch {
	case cfg.KeyRing != "":
		kr, err := crypto.ParseKeyRing(cfg.KeyRing)
		if err != nil {
			return nil, fmt.Errorf("EGIDE_KEYRING: %w", err)
		}
		return kr, nil
	case cfg.KeyRingFile != "":
		kr, err := crypto.LoadKeyRingFile(cfg.KeyRingFile)
		if err != nil {
			return nil, fmt.Errorf("EGIDE_KEYRING_FILE: %w", err)
		}
		return kr, nil
	}
	return nil, errors.New("EGIDE_KEYRING_FILE or EGIDE_KEYRING is required (create one with: egide keys generate)")
}

func (p *Program) serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	if err := requireDB(cfg); err != nil {
		return err
	}
	kr, err := keyRing(cfg)
	if err != nil {
		return err
	}
	if kr.IsDev() {
		return errors.New("refusing to serve with a dev key ring: set EGIDE_KEYRING_FILE to a production key ring (egide keys generate)")
	}
	if cfg.InsecureCookies && !cfg.loopback() {
		return errors.New("EGIDE_INSECURE_COOKIES is only allowed when EGIDE_LISTEN is a loopback address")
	}
	if cfg.AuditSigningKeyFile == "" {
		return errors.New("EGIDE_AUDIT_SIGNING_KEY_FILE is required (create one with: egide audit keygen FILE)")
	}
	if cfg.AuditCheckpointDir == "" {
		return errors.New("EGIDE_AUDIT_CHECKPOINT_DIR is required: a directory outside the database for signed audit checkpoints")
	}
	if cfg.BlobBackend == "fs" && cfg.BlobDir == "" {
		return errors.New("EGIDE_BLOB_DIR is required with EGIDE_BLOB_BACKEND=fs: the directory of the encrypted evidence files")
	}
	if err := postgres.MigrateURL(ctx, cfg.MigrateDatabaseURL); err != nil {
		return err
	}
	if err := checkLoginRole(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	return p.run(ctx, cfg, log, kr, false)
}

// auditTables are the tables whose triggers keep the audit log append-only
// and queue every event for sealing.
var auditTables = []string{"audit_events", "audit_seals", "audit_pending"}

// checkLoginRole refuses a login role that could rewrite the audit log
// unseen: a superuser (which could switch back from the application role),
// the owner of an audit table or a member of its owner (which can disable
// the append-only triggers), a role with the TRIGGER privilege on one
// (itself or through a role it belongs to), and a role with CREATEROLE
// (which can make itself a member of the owner).
func checkLoginRole(ctx context.Context, url string) error {
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	const fix = "use a login role that is only a member of egide_app (CREATE ROLE egide_server LOGIN PASSWORD '…' IN ROLE egide_app), " +
		"and the schema owner only in EGIDE_MIGRATE_DATABASE_URL; see docs/operations.md"
	var login string
	var super, createRole bool
	if err := pool.QueryRow(ctx, `SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = session_user`).
		Scan(&login, &super, &createRole); err != nil {
		return fmt.Errorf("check database role: %w", err)
	}
	switch {
	case super:
		return fmt.Errorf("DATABASE_URL logs in as %s, a superuser, which could switch back from egide_app and rewrite the audit log: %s",
			login, fix)
	case createRole:
		return fmt.Errorf("DATABASE_URL logs in as %s, which has CREATEROLE: it could make itself a member of the audit tables' owner "+
			"and disable their triggers: %s", login, fix)
	}
	rows, err := pool.Query(ctx, `SELECT t.name, pg_get_userbyid(c.relowner), c.relowner = r.oid,
			pg_has_role(r.oid, c.relowner, 'MEMBER'),
			has_table_privilege(r.oid, c.oid, 'TRIGGER') OR EXISTS (SELECT 1 FROM pg_roles g
				WHERE pg_has_role(r.oid, g.oid, 'MEMBER') AND has_table_privilege(g.oid, c.oid, 'TRIGGER'))
		FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name), pg_roles r
		WHERE r.rolname = session_user ORDER BY t.name`, auditTables)
	if err != nil {
		return fmt.Errorf("check database role: %w", err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var table, owner string
		var owns, member, trigger bool
		if err := rows.Scan(&table, &owner, &owns, &member, &trigger); err != nil {
			return fmt.Errorf("check database role: %w", err)
		}
		found++
		switch {
		case owns:
			return fmt.Errorf("DATABASE_URL logs in as %s, the owner of %s, which can disable the audit log's triggers and rewrite it: %s",
				login, table, fix)
		case member:
			return fmt.Errorf("DATABASE_URL logs in as %s, a member of %s, the owner of %s, which can disable the audit log's triggers "+
				"and rewrite it: %s", login, owner, table, fix)
		case trigger:
			return fmt.Errorf("DATABASE_URL logs in as %s, which has the TRIGGER privilege on %s and can disable the audit log's "+
				"triggers: REVOKE TRIGGER ON %s FROM it (and from the roles it belongs to); %s", login, table, table, fix)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check database role: %w", err)
	}
	if found != len(auditTables) {
		return fmt.Errorf("check database role: the audit tables are not all visible to %s (migrations not applied?)", login)
	}
	return nil
}

func (p *Program) migrate(ctx context.Context, cfg Config, args []string) error {
	if err := requireDB(cfg); err != nil {
		return err
	}
	if len(args) != 1 || (args[0] != "up" && args[0] != "status") {
		return errors.New("usage: egide migrate up|status")
	}
	if args[0] == "up" {
		if err := postgres.MigrateURL(ctx, cfg.MigrateDatabaseURL); err != nil {
			return err
		}
	}
	st, err := postgres.StatusURL(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	for i, name := range st.Names {
		state := "pending"
		if int32(i) < st.Current {
			state = "applied"
		}
		fmt.Fprintf(p.Stdout, "%-8s %s\n", state, name)
	}
	fmt.Fprintf(p.Stdout, "version %d of %d\n", st.Current, st.Latest)
	return nil
}

func (p *Program) seed(ctx context.Context, cfg Config, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(p.Stderr)
	n := fs.Int("dossiers", cfg.DemoDossiers, "dossiers to seed")
	accounts := fs.String("accounts", "", "write the demo accounts to this file (mode 0600)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	kr, err := keyRing(cfg)
	if err != nil {
		return err
	}
	if !kr.IsDev() {
		return errors.New("refusing to seed demo data with a production key ring")
	}
	if err := postgres.MigrateURL(ctx, cfg.MigrateDatabaseURL); err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.AsAppRole())
	if err != nil {
		return err
	}
	defer pool.Close()
	start := time.Now()
	accs, err := demo.Seed(ctx, pool, kr, demo.Options{Dossiers: *n, Now: time.Now()})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if *accounts != "" {
		if err := demo.WriteAccounts(*accounts, accs); err != nil {
			return err
		}
	}
	fmt.Fprintf(p.Stdout, "seeded %d demo dossiers in %s\n", *n, time.Since(start).Round(time.Millisecond))
	return nil
}

// dev runs the whole system on one machine with no setup: a private
// PostgreSQL cluster under the data dir unless DATABASE_URL is set, a dev
// key ring, demo data, and the server.
func (p *Program) dev(ctx context.Context, cfg Config, log *slog.Logger) error {
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("EGIDE_DATA_DIR: %w", err)
	}
	// 0711: others may traverse (the private cluster runs as an unprivileged
	// user when egide runs as root) but not list; every secret in it is 0600.
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return fmt.Errorf("EGIDE_DATA_DIR: %w", err)
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		return fmt.Errorf("EGIDE_DATA_DIR: %w", err)
	}
	if cfg.DatabaseURL == "" {
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "pg"), Logger: log})
		if err != nil {
			return fmt.Errorf("start private PostgreSQL (or set DATABASE_URL): %w", err)
		}
		defer func() {
			if err := cluster.Stop(context.WithoutCancel(ctx)); err != nil {
				log.Error("stop PostgreSQL", "error", err)
			}
		}()
		if err := createDatabase(ctx, cluster.URL(), "egide"); err != nil {
			return err
		}
		cfg.DatabaseURL = cluster.URLFor("egide")
	}
	if cfg.KeyRing == "" && cfg.KeyRingFile == "" {
		cfg.KeyRingFile = filepath.Join(dir, "dev-keyring")
		if _, err := os.Stat(cfg.KeyRingFile); errors.Is(err, os.ErrNotExist) {
			if err := crypto.GenerateDevKeyRingFile(cfg.KeyRingFile); err != nil {
				return fmt.Errorf("generate dev key ring: %w", err)
			}
		}
	}
	if cfg.AuditSigningKeyFile == "" {
		cfg.AuditSigningKeyFile = filepath.Join(dir, "dev-audit-signing-key")
		if _, err := os.Stat(cfg.AuditSigningKeyFile); errors.Is(err, os.ErrNotExist) {
			if err := audit.GenerateSigningKeyFile(cfg.AuditSigningKeyFile); err != nil {
				return err
			}
		}
	}
	if cfg.AuditCheckpointDir == "" {
		cfg.AuditCheckpointDir = filepath.Join(dir, "audit-checkpoints")
	}
	if cfg.BlobBackend == "fs" && cfg.BlobDir == "" {
		cfg.BlobDir = filepath.Join(dir, "blobs")
	}
	kr, err := keyRing(cfg)
	if err != nil {
		return err
	}
	if kr.IsDev() {
		log.Warn("DEV KEY RING IN USE: identities and files are encrypted with a key stored in plain text beside the data. " +
			"Never use it for real data; egide serve refuses it.")
	}
	if err := postgres.MigrateURL(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.AsAppRole())
	if err != nil {
		return err
	}
	// The accounts of an earlier start keep their passwords and TOTP
	// secrets: people add them to an authenticator app once.
	accountsFile := filepath.Join(dir, "dev-accounts.json")
	keep, err := demo.ReadAccounts(accountsFile)
	if err != nil {
		pool.Close()
		return err
	}
	accs, err := demo.Seed(ctx, pool, kr, demo.Options{Dossiers: cfg.DemoDossiers, Now: time.Now(), Keep: keep})
	pool.Close()
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	if err := demo.WriteAccounts(accountsFile, accs); err != nil {
		return err
	}
	cfg.InsecureCookies = cfg.loopback()
	env := fmt.Sprintf("# Written by egide dev: the environment of this dev instance.\n"+
		"# Use it with: set -a; . %[1]s/dev.env; set +a; bin/egide migrate status\n"+
		"DATABASE_URL=%[2]s\nEGIDE_KEYRING_FILE=%[3]s\nEGIDE_DATA_DIR=%[1]s\nEGIDE_LISTEN=%[4]s\nEGIDE_INSECURE_COOKIES=%[5]t\n"+
		"EGIDE_AUDIT_SIGNING_KEY_FILE=%[6]s\nEGIDE_AUDIT_CHECKPOINT_DIR=%[7]s\nEGIDE_BLOB_BACKEND=%[8]s\nEGIDE_BLOB_DIR=%[9]s\n",
		dir, cfg.DatabaseURL, cfg.KeyRingFile, cfg.Listen, cfg.InsecureCookies, cfg.AuditSigningKeyFile, cfg.AuditCheckpointDir,
		cfg.BlobBackend, cfg.BlobDir)
	if err := os.WriteFile(filepath.Join(dir, "dev.env"), []byte(env), 0o600); err != nil {
		return fmt.Errorf("write dev.env: %w", err)
	}
	started := p.Started
	p.Started = func(addr string) {
		fmt.Fprintf(p.Stdout, "\n  Égide is running: http://%s\n  GraphQL API:      POST http://%s/graphql (header X-Egide-CSRF: 1)\n"+
			"  Demo accounts:    %s\n  Environment:      %s\n  Stop with Ctrl-C.\n\n", addr, addr, accountsFile, filepath.Join(dir, "dev.env"))
		if started != nil {
			started(addr)
		}
	}
	return p.run(ctx, cfg, log, kr, true)
}

func createDatabase(ctx context.Context, url, name string) error {
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("check database: %w", err)
	}
	if !exists {
		if _, err := pool.Exec(ctx, `CREATE DATABASE `+name); err != nil {
			return fmt.Errorf("create database: %w", err)
		}
	}
	return nil
}

// run serves until ctx ends, then drains in-flight requests.
func (p *Program) run(ctx context.Context, cfg Config, log *slog.Logger, kr *crypto.KeyRing, dev bool) error {
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.AsAppRole())
	if err != nil {
		return err
	}
	defer pool.Close()
	vault, err := newVault(ctx, pool, kr, cfg)
	if err != nil {
		return err
	}
	key, err := audit.LoadSigningKeyFile(cfg.AuditSigningKeyFile)
	if err != nil {
		return fmt.Errorf("EGIDE_AUDIT_SIGNING_KEY_FILE: %w", err)
	}
	sealer := audit.NewSealer(pool, key, audit.DirStore{Dir: cfg.AuditCheckpointDir},
		audit.SealerConfig{Interval: cfg.AuditSealInterval, CheckpointInterval: cfg.AuditCheckpointInterval}, log)
	h, err := newHandlerWith(pool, kr, cfg, log, dev, vault, sealer)
	if err != nil {
		return err
	}
	gcCtx, stopGC := context.WithCancel(context.WithoutCancel(ctx))
	gcDone := make(chan struct{})
	go func() { defer close(gcDone); collectGarbage(gcCtx, vault, log) }()
	defer func() { stopGC(); <-gcDone }()
	sweepDone := make(chan struct{})
	go func() { defer close(sweepDone); sweepThrottle(gcCtx, pool, log) }()
	defer func() { stopGC(); <-sweepDone }()
	// One checkpoint before listening, so that /readyz says from the
	// start whether checkpoints can be written (Run retries every
	// EGIDE_AUDIT_SEAL_INTERVAL while they cannot).
	first, cancelFirst := context.WithTimeout(ctx, 30*time.Second)
	if err := sealer.Checkpoint(first); err != nil {
		log.Error("audit checkpoint", "error", err)
	}
	cancelFirst()
	sealCtx, stopSealer := context.WithCancel(context.WithoutCancel(ctx))
	sealerDone := make(chan struct{})
	go func() { defer close(sealerDone); sealer.Run(sealCtx) }()
	defer func() {
		// Runs after the server has drained (deferred first, so last): the
		// sealer seals what the last requests logged and leaves a final
		// checkpoint as it stops (Sealer.Run drains).
		stopSealer()
		<-sealerDone
	}()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("EGIDE_LISTEN: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	log.Info("listening", "addr", addr, "dev", dev, "hsts", cfg.hsts(), "trusted_proxies", len(cfg.TrustedProxies))
	if p.Started != nil {
		p.Started(addr)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// sweepThrottle deletes stale sign-in throttle rows at start and every
// hour (any instance may: the rule is in the rows).
func sweepThrottle(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) {
	for {
		n, err := auth.SweepThrottle(ctx, pool)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("sign-in throttle sweep", "error", err)
		case n > 0:
			log.Info("sign-in throttle sweep", "removed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

// newHandler wires services, GraphQL and HTTP, without the evidence vault.
func newHandler(pool *pgxpool.Pool, kr *crypto.KeyRing, cfg Config, log *slog.Logger, dev bool) (http.Handler, error) {
	return newHandlerWith(pool, kr, cfg, log, dev, nil, nil)
}

// newHandlerWith wires services, GraphQL and HTTP; vault serves the
// evidence files (nil: the file endpoints answer 404); the instance is
// ready only while sealer's checkpoints can be written (nil: not checked).
func newHandlerWith(pool *pgxpool.Pool, kr *crypto.KeyRing, cfg Config, log *slog.Logger, dev bool,
	vault *evidence.Service, sealer *audit.Sealer) (http.Handler, error) {
	az, err := authz.New(pool)
	if err != nil {
		return nil, err
	}
	authSvc, err := auth.New(pool, kr, auth.Config{IdleTimeout: cfg.SessionIdle, MaxLifetime: cfg.SessionMax,
		MaxConcurrentHashes: cfg.MaxConcurrentHashes})
	if err != nil {
		return nil, err
	}
	var sso *auth.OIDC
	if cfg.OIDCIssuer != "" {
		if sso, err = auth.NewOIDC(authSvc, auth.OIDCConfig{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
			ClientSecret: cfg.OIDCClientSecret, RedirectURL: cfg.OIDCRedirectURL, RequireMFA: cfg.OIDCRequireMFA}); err != nil {
			return nil, err
		}
	}
	hearings, dls := hearing.NewService(az), deadlines.NewService(az)
	res := &graph.Resolver{
		AuthSvc:         authSvc,
		OrganisationSvc: organisation.NewService(az),
		DossierSvc:      dossier.NewService(az),
		PersonSvc:       person.NewService(az, kr),
		ChargeSvc:       charge.NewService(az),
		ProceedingSvc:   proceeding.NewService(az),
		HearingSvc:      hearings,
		DeadlineSvc:     dls,
		CalendarFeedSvc: calfeed.NewService(pool, az, hearings, dls, cfg.PublicURL),
		UserSvc:         user.NewService(az, pool, authSvc.Policy()),
		AuditLogSvc:     auditlog.NewService(az),
		EvidenceSvc:     vault,
		ReferenceSvc:    evidence.NewReferenceService(az),
		SingleSignOn:    sso != nil,
	}
	return httpserver.New(httpserver.Options{
		Logger:          log,
		Auth:            authSvc,
		Resolver:        res,
		GraphQL:         graph.NewHandler(res, graph.HandlerOptions{Introspection: dev, Logger: log}),
		Ready:           readiness(pool, sealer),
		InsecureCookies: cfg.InsecureCookies,
		SessionMaxAge:   cfg.SessionMax,
		OIDC:            sso,
		AuditLog:        res.AuditLogSvc,
		Evidence:        vault,
		CalendarFeeds:   res.CalendarFeedSvc,
		TrustedProxies:  cfg.TrustedProxies,
		ForwardedHeader: cfg.ForwardedHeader,
		HSTS:            cfg.hsts(),
	}), nil
}

// readiness: the database answers, its schema is the one this binary
// expects, and the sealer's last checkpoint could be written.
func readiness(pool *pgxpool.Pool, sealer *audit.Sealer) func(context.Context) error {
	return func(ctx context.Context) error {
		if sealer != nil {
			if err := sealer.Ready(); err != nil {
				return err
			}
		}
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("database: %w", err)
		}
		defer conn.Release()
		st, err := postgres.Status(ctx, conn.Conn())
		if err != nil {
			return err
		}
		if st.Pending() {
			return fmt.Errorf("migrations pending: at %d of %d", st.Current, st.Latest)
		}
		return nil
	}
}
