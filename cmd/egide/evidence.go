package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/postgres"
)

// gcInterval is how often the server collects orphaned objects.
const gcInterval = time.Hour

// openStore opens the configured blob store.
func openStore(ctx context.Context, cfg Config) (blob.Store, error) {
	switch cfg.BlobBackend {
	case "s3":
		st, err := blob.NewS3Store(ctx, blob.S3Config{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, Bucket: cfg.S3Bucket,
			AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, UseTLS: cfg.S3TLS})
		if err != nil {
			return nil, fmt.Errorf("EGIDE_S3_*: %w", err)
		}
		return st, nil
	case "fs", "":
		if cfg.BlobDir == "" {
			return nil, errors.New("EGIDE_BLOB_DIR is required with EGIDE_BLOB_BACKEND=fs: the directory of the encrypted evidence files")
		}
		st, err := blob.NewFSStore(cfg.BlobDir)
		if err != nil {
			return nil, fmt.Errorf("EGIDE_BLOB_DIR: %w", err)
		}
		return st, nil
	}
	return nil, fmt.Errorf("EGIDE_BLOB_BACKEND: want fs or s3")
}

// newVault returns the evidence service on the configured store.
func newVault(ctx context.Context, pool *pgxpool.Pool, kr *crypto.KeyRing, cfg Config) (*evidence.Service, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	az, err := authz.New(pool)
	if err != nil {
		return nil, err
	}
	return evidence.NewService(az, pool, kr, st, evidence.Config{MaxSize: cfg.MaxUploadBytes, GCGrace: cfg.BlobGCGrace}), nil
}

// collectGarbage runs the collector at start, then every gcInterval,
// until ctx ends.
func collectGarbage(ctx context.Context, vault *evidence.Service, log *slog.Logger) {
	for {
		n, err := vault.CollectGarbage(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("evidence garbage collection", "error", err)
		case n > 0:
			log.Info("evidence garbage collection", "removed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(gcInterval):
		}
	}
}

// maintenance opens what the vault's subcommands need.
func (p *Program) maintenance(ctx context.Context, cfg Config) (*pgxpool.Pool, *crypto.KeyRing, error) {
	if err := requireDB(cfg); err != nil {
		return nil, nil, err
	}
	kr, err := keyRing(cfg)
	if err != nil {
		return nil, nil, err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.AsAppRole())
	if err != nil {
		return nil, nil, err
	}
	return pool, kr, nil
}

// keysRotate rewraps every wrapped key under the ring's active version.
func (p *Program) keysRotate(ctx context.Context, cfg Config) error {
	pool, kr, err := p.maintenance(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	c, err := evidence.RotateKeys(ctx, pool, kr)
	fmt.Fprintf(p.Stdout, "rewrapped under key version %d: %d dossier keys, %d victim identities, %d defendant identities, %d second-factor secrets\n",
		kr.ActiveVersion(), c.DossierKeys, c.Victims, c.Defendants, c.TOTPSecrets)
	if err != nil {
		return fmt.Errorf("key rotation stopped (run it again once fixed): %w", err)
	}
	fmt.Fprintln(p.Stdout, "OK: no wrapped key depends on an older version any more")
	return nil
}

// evidenceCmd runs `evidence verify` and `evidence gc`.
func (p *Program) evidenceCmd(ctx context.Context, cfg Config, args []string) error {
	if len(args) != 1 || (args[0] != "verify" && args[0] != "gc") {
		return errors.New("usage: egide evidence verify | gc")
	}
	pool, kr, err := p.maintenance(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	vault, err := newVault(ctx, pool, kr, cfg)
	if err != nil {
		return err
	}
	if args[0] == "gc" {
		n, err := vault.CollectGarbage(ctx)
		fmt.Fprintf(p.Stdout, "removed %d orphaned objects\n", n)
		return err
	}
	checked := 0
	failed, err := vault.Verify(ctx, func(id uuid.UUID, ok bool, err error) {
		checked++
		if !ok {
			fmt.Fprintf(p.Stdout, "FAILED %s: %v\n", id, err)
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(p.Stdout, "checked %d stored files, %d failed\n", checked, failed)
	if failed > 0 {
		return fmt.Errorf("evidence verification failed: %d file(s)", failed)
	}
	fmt.Fprintln(p.Stdout, "OK: every stored file decrypts and matches its SHA-256")
	return nil
}
