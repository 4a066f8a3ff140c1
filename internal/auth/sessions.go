package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
)

// SessionInfo is one of a user's open sessions, as its owner sees it.
type SessionInfo struct {
	// ID names the session without its token: the first 16 bytes of the
	// token's SHA-256 (itself only a lookup key), shown as a UUID so that
	// audit events can name it.
	ID         uuid.UUID
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	Current    bool // the session of this request
}

// sessionID is the public name of the session whose token hashes to h.
func sessionID(h []byte) uuid.UUID {
	var id uuid.UUID
	copy(id[:], h)
	return id
}

// Sessions lists the caller's open sessions (not expired, not idle for
// longer than the idle timeout), the most recently used first. A session
// limited to a sign-in step sees none.
func (s *Service) Sessions(ctx context.Context, a actor.Actor) ([]SessionInfo, error) {
	if !a.HasSession() || a.SignInStep != "" {
		return nil, apperr.New(apperr.Unauthenticated, "sign in required")
	}
	var out []SessionInfo
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT token_hash, created_at, last_seen_at, expires_at FROM sessions
			WHERE user_id = $1 AND expires_at > now() AND last_seen_at > now() - make_interval(secs => $2)
			ORDER BY last_seen_at DESC, created_at DESC`, a.UserID, s.cfg.IdleTimeout.Seconds())
		if err != nil {
			return fmt.Errorf("list sessions: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (SessionInfo, error) {
			var h []byte
			var si SessionInfo
			if err := r.Scan(&h, &si.CreatedAt, &si.LastSeenAt, &si.ExpiresAt); err != nil {
				return si, err
			}
			si.ID, si.Current = sessionID(h), sessionID(h) == sessionID(a.SessionHash)
			return si, nil
		})
		return err
	})
	return out, err
}

// EndSession signs the caller out of another of their sessions (a browser
// left signed in elsewhere); the current one ends with Logout. A session
// that is not the caller's, or no longer open, is NOT_FOUND. Audited as
// auth.session.end naming the session.
func (s *Service) EndSession(ctx context.Context, a actor.Actor, id uuid.UUID) error {
	if !a.HasSession() || a.SignInStep != "" {
		return apperr.New(apperr.Unauthenticated, "sign in required")
	}
	if id == sessionID(a.SessionHash) {
		return apperr.InvalidField("id", "is the current session: sign out instead")
	}
	ev := audit.Event{Action: "auth.session.end", ResourceType: "session", ResourceIDs: []uuid.UUID{id}, Permission: "session"}
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND substring(token_hash FROM 1 FOR 16) = $2`, a.UserID, id[:])
		if err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return apperr.NotFoundError()
		}
		return audit.Record(ctx, tx, a, ev)
	})
	if e, ok := apperr.As(err); ok && e.Code == apperr.NotFound {
		// Someone else's session and a missing one are refused alike, and
		// both recorded: a probe tells nothing.
		ev.Outcome = audit.Denied
		if rerr := postgres.InTx(context.WithoutCancel(ctx), s.pool, func(tx pgx.Tx) error { return audit.Record(ctx, tx, a, ev) }); rerr != nil {
			return rerr
		}
	}
	return err
}
