// Package audit writes the access log. Every service call records its
// event inside the transaction of the access itself, so an access that
// cannot be logged does not happen.
package audit

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/postgres"
)

// Outcome of an access attempt.
type Outcome string

// Outcomes.
const (
	Allowed Outcome = "allowed"
	Denied  Outcome = "denied"
)

// Event is one access. Identifiers only: never names or free text taken
// from case records.
type Event struct {
	Action       string // e.g. "dossier.read", "victim.identity.reveal"
	ResourceType string // e.g. "dossier", "victim"
	ResourceIDs  []uuid.UUID
	DossierID    uuid.UUID // zero when the resource belongs to no dossier
	Reason       string    // the reason the actor gave, where the action asks for one
	Outcome      Outcome
	Permission   string // the permission checked
}

const insertEvent = `
	INSERT INTO audit_events (actor_user_id, organisation_id, session_hash, request_id, source_ip,
		user_agent, action, resource_type, resource_ids, dossier_id, reason, outcome, permission, roles)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`

// Record writes e for a in tx. A failure must fail the caller's transaction.
func Record(ctx context.Context, tx pgx.Tx, a actor.Actor, e Event) error {
	if e.Outcome == "" {
		e.Outcome = Allowed
	}
	ids := e.ResourceIDs
	if ids == nil {
		ids = []uuid.UUID{}
	}
	args := []any{nullUUID(a.UserID), nullUUID(a.OrgID), a.SessionHash, a.RequestID, ip(a.IP),
		truncate(a.UserAgent, 512), e.Action, e.ResourceType, ids, nullUUID(e.DossierID),
		truncate(e.Reason, 1000), string(e.Outcome), e.Permission, roles(a)}
	// In a read request's shared transaction, the events of its accesses
	// go to the database together, just before it commits; those alike
	// but for the resources they name become one event naming them all,
	// so that one request listing many things (aliases, nested lists)
	// adds one event per kind of access, not one per list.
	if postgres.LaterMerged(tx, mergeKey(args), mergeEvents, insertEvent, args...) {
		return nil
	}
	if _, err := tx.Exec(ctx, insertEvent, args...); err != nil {
		return fmt.Errorf("write audit event %s: %w", e.Action, err)
	}
	return nil
}

// idsArg is the position of the resource ids among insertEvent's arguments.
const idsArg = 8

// mergeKey is what two events must share to be merged: every column but
// the resource ids. Events naming no resource are not merged (each
// counts).
func mergeKey(args []any) string {
	if len(args[idsArg].([]uuid.UUID)) == 0 {
		return ""
	}
	var b strings.Builder
	for i, a := range args {
		if i != idsArg {
			fmt.Fprintf(&b, "%d:%#v|", i, a)
		}
	}
	return b.String()
}

// mergeEvents is one event naming the resources of both, each once, in
// the order they were first named.
func mergeEvents(queued, args []any) []any {
	a, b := queued[idsArg].([]uuid.UUID), args[idsArg].([]uuid.UUID)
	seen := make(map[uuid.UUID]bool, len(a)+len(b))
	ids := make([]uuid.UUID, 0, len(a)+len(b))
	for _, id := range append(a[:len(a):len(a)], b...) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	out := append([]any(nil), queued...)
	out[idsArg] = ids
	return out
}

// roles are the actor's roles when the event happened, superadmin included.
func roles(a actor.Actor) []string {
	out := make([]string, 0, len(a.Roles)+1)
	if a.Superadmin {
		out = append(out, string(actor.Superadmin))
	}
	for _, r := range a.Roles {
		out = append(out, string(r))
	}
	return out
}

func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

func ip(s string) any {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return nil
	}
	return addr
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// cut on a rune boundary
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
