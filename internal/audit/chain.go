package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/google/uuid"
)

// The hash chain. Position seq holds one event; its hash is
//
//	SHA-256("egide-audit-v1" || previous hash || seq || canonical(event))
//
// with the all-zero hash before position 1. The canonical encoding puts
// every column in a fixed order, each length-prefixed, so that no two
// different events encode alike and a change to any column, however
// small, changes the hash.

// ChainDomain separates this hash from any other use of SHA-256.
const ChainDomain = "egide-audit-v1"

// Sealed is an event as it is hashed: every column of audit_events.
type Sealed struct {
	ID           int64
	OccurredAt   time.Time
	ActorUserID  *uuid.UUID
	Organisation *uuid.UUID
	SessionHash  []byte
	RequestID    string
	SourceIP     *string // PostgreSQL's text form of the inet
	UserAgent    string
	Action       string
	ResourceType string
	ResourceIDs  []uuid.UUID
	DossierID    *uuid.UUID
	Reason       string
	Outcome      string
	Permission   string
	Roles        []string
}

// sealedColumns reads a Sealed, in the order of scanSealed.
const sealedColumns = `e.id, e.occurred_at, e.actor_user_id, e.organisation_id, e.session_hash, e.request_id,
	host(e.source_ip), e.user_agent, e.action, e.resource_type, e.resource_ids, e.dossier_id, e.reason, e.outcome,
	e.permission, e.roles`

type scanner interface{ Scan(dest ...any) error }

func scanSealed(row scanner, extra ...any) (Sealed, error) {
	var e Sealed
	dest := append([]any{&e.ID, &e.OccurredAt, &e.ActorUserID, &e.Organisation, &e.SessionHash, &e.RequestID,
		&e.SourceIP, &e.UserAgent, &e.Action, &e.ResourceType, &e.ResourceIDs, &e.DossierID, &e.Reason, &e.Outcome,
		&e.Permission, &e.Roles}, extra...)
	err := row.Scan(dest...)
	return e, err
}

type encoder struct{ b []byte }

func (w *encoder) u64(v uint64) { w.b = binary.BigEndian.AppendUint64(w.b, v) }

func (w *encoder) bytes(p []byte) {
	w.u64(uint64(len(p)))
	w.b = append(w.b, p...)
}

func (w *encoder) str(s string) { w.bytes([]byte(s)) }

// opt encodes presence, then the value, so NULL and "" differ.
func (w *encoder) optUUID(id *uuid.UUID) {
	if id == nil {
		w.b = append(w.b, 0)
		return
	}
	w.b = append(w.b, 1)
	w.b = append(w.b, id[:]...)
}

func (w *encoder) optStr(s *string) {
	if s == nil {
		w.b = append(w.b, 0)
		return
	}
	w.b = append(w.b, 1)
	w.str(*s)
}

// Canonical is the byte encoding of e that the chain hashes.
func Canonical(e Sealed) []byte {
	w := &encoder{b: make([]byte, 0, 256+16*len(e.ResourceIDs))}
	w.u64(uint64(e.ID))
	w.u64(uint64(e.OccurredAt.UnixMicro()))
	w.optUUID(e.ActorUserID)
	w.optUUID(e.Organisation)
	if e.SessionHash == nil {
		w.b = append(w.b, 0)
	} else {
		w.b = append(w.b, 1)
		w.bytes(e.SessionHash)
	}
	w.str(e.RequestID)
	w.optStr(e.SourceIP)
	w.str(e.UserAgent)
	w.str(e.Action)
	w.str(e.ResourceType)
	w.u64(uint64(len(e.ResourceIDs)))
	for _, id := range e.ResourceIDs {
		w.b = append(w.b, id[:]...)
	}
	w.optUUID(e.DossierID)
	w.str(e.Reason)
	w.str(e.Outcome)
	w.str(e.Permission)
	w.u64(uint64(len(e.Roles)))
	for _, r := range e.Roles {
		w.str(r)
	}
	return w.b
}

// ChainHash is the hash of position seq holding e after prev.
func ChainHash(prev []byte, seq int64, e Sealed) []byte {
	h := sha256.New()
	h.Write([]byte(ChainDomain))
	h.Write(prev)
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], uint64(seq))
	h.Write(s[:])
	h.Write(Canonical(e))
	return h.Sum(nil)
}

// Genesis is the hash before the first position.
func Genesis() []byte { return make([]byte, sha256.Size) }
