package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
)

// audit runs the audit subcommands: verify, keygen, public-key.
func (p *Program) audit(ctx context.Context, cfg Config, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: egide audit verify | keygen FILE | public-key")
	}
	switch args[0] {
	case "keygen":
		if len(args) != 2 {
			return errors.New("usage: egide audit keygen FILE")
		}
		if err := audit.GenerateSigningKeyFile(args[1]); err != nil {
			return err
		}
		key, err := audit.LoadSigningKeyFile(args[1])
		if err != nil {
			return err
		}
		fmt.Fprintln(p.Stdout, audit.EncodePublicKey(key.Public().(ed25519.PublicKey)))
		return nil
	case "public-key":
		key, err := audit.LoadSigningKeyFile(cfg.AuditSigningKeyFile)
		if err != nil {
			return fmt.Errorf("EGIDE_AUDIT_SIGNING_KEY_FILE: %w", err)
		}
		fmt.Fprintln(p.Stdout, audit.EncodePublicKey(key.Public().(ed25519.PublicKey)))
		return nil
	case "verify":
		return p.auditVerify(ctx, cfg)
	}
	return fmt.Errorf("unknown audit command %q", args[0])
}

// verifyKey is the public key checkpoints must verify with: given, or
// derived from the signing key.
func verifyKey(cfg Config) (ed25519.PublicKey, error) {
	if cfg.AuditPublicKey != "" {
		pub, err := audit.ParsePublicKey(cfg.AuditPublicKey)
		if err != nil {
			return nil, fmt.Errorf("EGIDE_AUDIT_PUBLIC_KEY: %w", err)
		}
		return pub, nil
	}
	if cfg.AuditSigningKeyFile == "" {
		return nil, errors.New("EGIDE_AUDIT_PUBLIC_KEY or EGIDE_AUDIT_SIGNING_KEY_FILE is required")
	}
	key, err := audit.LoadSigningKeyFile(cfg.AuditSigningKeyFile)
	if err != nil {
		return nil, fmt.Errorf("EGIDE_AUDIT_SIGNING_KEY_FILE: %w", err)
	}
	return key.Public().(ed25519.PublicKey), nil
}

func (p *Program) auditVerify(ctx context.Context, cfg Config) error {
	if err := requireDB(cfg); err != nil {
		return err
	}
	if cfg.AuditCheckpointDir == "" {
		return errors.New("EGIDE_AUDIT_CHECKPOINT_DIR is required")
	}
	pub, err := verifyKey(cfg)
	if err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	start := time.Now()
	var r audit.Report
	// One snapshot: sealing may go on meanwhile without confusing the check.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	r, err = audit.Verify(ctx, tx, pub, audit.DirStore{Dir: cfg.AuditCheckpointDir}, audit.VerifyOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(p.Stdout, "checked %d chain positions in %s; head %d", r.Positions, time.Since(start).Round(time.Millisecond), r.Head)
	if r.Checkpoint != nil {
		fmt.Fprintf(p.Stdout, "; %d checkpoint(s) checked, the newest at %d (%s)", r.Checkpoints, r.Checkpoint.Seq,
			r.Checkpoint.Time.Format(time.RFC3339))
	} else {
		fmt.Fprint(p.Stdout, "; no checkpoint yet")
	}
	fmt.Fprintf(p.Stdout, "; %d events waiting to be sealed\n", r.Pending)
	if r.OK() {
		fmt.Fprintln(p.Stdout, "OK: the audit log is intact")
		return nil
	}
	fmt.Fprintf(p.Stdout, "TAMPERING DETECTED: first bad position %d\n", r.FirstBad())
	for _, pr := range r.Problems {
		fmt.Fprintln(p.Stdout, "  -", pr.String())
	}
	return fmt.Errorf("audit log verification failed: %d problem(s)", len(r.Problems))
}
