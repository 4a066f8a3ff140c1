// Package auth turns a request into an Actor: password sign-in and
// sessions stored by the hash of their token.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
)

// Config sets session lifetimes.
type Config struct {
	IdleTimeout time.Duration // a session unused this long ends
	MaxLifetime time.Duration // a session ends this long after sign-in, used or not
}

// Service signs users in and out and resolves sessions.
type Service struct {
	pool      *pgxpool.Pool
	cfg       Config
	dummyHash string // verified when the e-mail is unknown, so timing does not tell
}

// New returns an auth service.
func New(pool *pgxpool.Pool, cfg Config) (*Service, error) {
	if cfg.IdleTimeout <= 0 || cfg.MaxLifetime <= 0 {
		return nil, errors.New("auth: session timeouts must be positive")
	}
	h, err := HashPassword("egide-timing-equaliser")
	if err != nil {
		return nil, err
	}
	return &Service{pool: pool, cfg: cfg, dummyHash: h}, nil
}

// User is an account as shown to its owner.
type User struct {
	ID          uuid.UUID
	Email       string
	DisplayName string
	Superadmin  bool
}

var errBadCredentials = apperr.New(apperr.Unauthenticated, "wrong e-mail or password")

// NewToken returns a random 256-bit session token and its hash.
func NewToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is how a token is stored and looked up.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Login checks credentials and opens a session. meta carries the request's
// origin for the audit log. Wrong e-mail and wrong password give the same
// error after the same work.
func (s *Service) Login(ctx context.Context, email, password string, meta actor.Actor) (string, actor.Actor, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var (
		id       uuid.UUID
		hash     string
		disabled bool
	)
	err := s.pool.QueryRow(ctx, `SELECT id, password_hash, disabled_at IS NOT NULL FROM users WHERE email = $1`, email).
		Scan(&id, &hash, &disabled)
	known := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", actor.Actor{}, fmt.Errorf("find user: %w", err)
	}
	if !known {
		hash = s.dummyHash
	}
	ok, verr := verifyPassword(hash, password)
	if verr != nil {
		ok = false
	}
	if !known || !ok || disabled {
		failed := meta
		failed.UserID = id // zero when unknown
		if err := postgres.InTx(context.WithoutCancel(ctx), s.pool, func(tx pgx.Tx) error {
			return audit.Record(ctx, tx, failed, audit.Event{Action: "auth.login", ResourceType: "session", Outcome: audit.Denied})
		}); err != nil {
			return "", actor.Actor{}, err
		}
		return "", actor.Actor{}, errBadCredentials
	}
	token, tokenHash, err := NewToken()
	if err != nil {
		return "", actor.Actor{}, err
	}
	var a actor.Actor
	err = postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var org *uuid.UUID
		// A session acts for one organisation: the first the user belongs to.
		if err := tx.QueryRow(ctx, `SELECT organisation_id FROM memberships m JOIN organisations o ON o.id = m.organisation_id
			WHERE user_id = $1 ORDER BY o.name LIMIT 1`, id).Scan(&org); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("find organisation: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, organisation_id, expires_at)
			VALUES ($1, $2, $3, now() + make_interval(secs => $4))`, tokenHash, id, org, s.cfg.MaxLifetime.Seconds()); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		var err error
		a, err = s.actor(ctx, tx, tokenHash, meta)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "auth.login", ResourceType: "session"})
	})
	if err != nil {
		return "", actor.Actor{}, err
	}
	return token, a, nil
}

// actor reads the session's user and their current roles.
func (s *Service) actor(ctx context.Context, q pgx.Tx, tokenHash []byte, meta actor.Actor) (actor.Actor, error) {
	a := meta
	var org *uuid.UUID
	var roles []string
	var lastSeen time.Time
	err := q.QueryRow(ctx, `
		SELECT s.user_id, s.organisation_id, u.superadmin, s.last_seen_at,
		       coalesce(array_agg(m.role ORDER BY m.role) FILTER (WHERE m.role IS NOT NULL), '{}')
		FROM sessions s
		JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL
		LEFT JOIN memberships m ON m.user_id = s.user_id AND m.organisation_id = s.organisation_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $2)
		GROUP BY s.token_hash, u.superadmin`, tokenHash, s.cfg.IdleTimeout.Seconds()).
		Scan(&a.UserID, &org, &a.Superadmin, &lastSeen, &roles)
	if errors.Is(err, pgx.ErrNoRows) {
		return actor.Actor{}, apperr.New(apperr.Unauthenticated, "session expired or unknown: sign in again")
	}
	if err != nil {
		return actor.Actor{}, fmt.Errorf("read session: %w", err)
	}
	if org != nil {
		a.OrgID = *org
	}
	a.Roles = make([]actor.Role, len(roles))
	for i, r := range roles {
		a.Roles[i] = actor.Role(r)
	}
	a.SessionHash = tokenHash
	// Touch the session at most once a minute: enough for the idle timeout,
	// and most requests stay read-only.
	if time.Since(lastSeen) > time.Minute {
		if _, err := q.Exec(ctx, `UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1`, tokenHash); err != nil {
			return actor.Actor{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return a, nil
}

// Authenticate resolves a session token into the actor of this request,
// reading roles afresh so that a revocation applies to the next request.
func (s *Service) Authenticate(ctx context.Context, token string, meta actor.Actor) (actor.Actor, error) {
	if token == "" {
		return meta, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	var a actor.Actor
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		a, err = s.actor(ctx, tx, HashToken(token), meta)
		return err
	})
	return a, err
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, a actor.Actor) error {
	return postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, a.SessionHash); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "auth.logout", ResourceType: "session"})
	})
}

// Me returns the signed-in user's account.
func (s *Service) Me(ctx context.Context, a actor.Actor) (User, error) {
	if !a.Authenticated() {
		return User{}, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	u := User{ID: a.UserID}
	err := s.pool.QueryRow(ctx, `SELECT email, display_name, superadmin FROM users WHERE id = $1`, a.UserID).
		Scan(&u.Email, &u.DisplayName, &u.Superadmin)
	if err != nil {
		return User{}, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}
