package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Problem is one thing verification found wrong.
type Problem struct {
	Seq     int64  // chain position, 0 when the problem is not at a position
	EventID int64  // the event concerned, 0 when none
	What    string // what is wrong, for a person
}

func (p Problem) String() string {
	switch {
	case p.Seq > 0 && p.EventID > 0:
		return fmt.Sprintf("position %d (event %d): %s", p.Seq, p.EventID, p.What)
	case p.Seq > 0:
		return fmt.Sprintf("position %d: %s", p.Seq, p.What)
	case p.EventID > 0:
		return fmt.Sprintf("event %d: %s", p.EventID, p.What)
	}
	return p.What
}

// Report is the result of a verification.
type Report struct {
	Positions  int64       // chain positions checked
	Pending    int64       // events queued for sealing, younger than the grace period
	Head       int64       // last position
	HeadHash   []byte      // its hash
	Checkpoint *Checkpoint // latest checkpoint, nil when none was found
	Problems   []Problem   // empty when everything checks out
}

// OK reports whether nothing is wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// FirstBad is the first chain position found wrong, 0 when none.
func (r Report) FirstBad() int64 {
	for _, p := range r.Problems {
		if p.Seq > 0 {
			return p.Seq
		}
	}
	return 0
}

// VerifyOptions tune a verification.
type VerifyOptions struct {
	// PendingGrace: queued events younger than this are in the normal
	// sealing delay; older unsealed events are a problem. Default 1 minute.
	PendingGrace time.Duration
	// MaxProblems stops listing after this many (default 100).
	MaxProblems int
}

// Verify recomputes the whole chain from the events, checks that every
// event is sealed (or queued for less than the grace period), and checks
// the chain against the latest signed checkpoint in store, whose
// signature must verify with pub. q must see the audit tables (a
// transaction or a connection, ideally REPEATABLE READ for a consistent
// view while sealing goes on).
func Verify(ctx context.Context, q pgx.Tx, pub ed25519.PublicKey, store CheckpointStore, opt VerifyOptions) (Report, error) {
	if opt.PendingGrace <= 0 {
		opt.PendingGrace = time.Minute
	}
	if opt.MaxProblems <= 0 {
		opt.MaxProblems = 100
	}
	var r Report
	add := func(p Problem) {
		if len(r.Problems) < opt.MaxProblems {
			r.Problems = append(r.Problems, p)
		}
	}
	cp, err := LoadLatest(ctx, store)
	if err != nil {
		return r, err
	}
	r.Checkpoint = cp
	var cpHash []byte
	if cp != nil {
		if !cp.VerifySignature(pub) {
			add(Problem{What: "the latest checkpoint's signature does not verify: it was not written by this instance's key"})
		}
		if cpHash, err = hex.DecodeString(cp.Hash); err != nil {
			add(Problem{What: "the latest checkpoint is malformed"})
		}
	}

	// 1. The chain, in position order, recomputed from the events.
	rows, err := q.Query(ctx, `SELECT s.seq, s.event_id, s.hash, e.id IS NOT NULL, `+sealedColumns+`
		FROM audit_seals s LEFT JOIN audit_events e ON e.id = s.event_id ORDER BY s.seq`)
	if err != nil {
		return r, fmt.Errorf("read chain: %w", err)
	}
	prev := Genesis()
	expect := int64(1)
	for rows.Next() {
		var seq, eventID int64
		var stored []byte
		var present bool
		// The event columns are NULL when the event row is gone.
		e, err := scanNullable(rows, &seq, &eventID, &stored, &present)
		if err != nil {
			rows.Close()
			return r, fmt.Errorf("read chain: %w", err)
		}
		r.Positions++
		if seq != expect {
			add(Problem{Seq: expect, What: fmt.Sprintf("positions %d to %d are missing", expect, seq-1)})
			expect = seq
		}
		expect++
		switch {
		case !present:
			add(Problem{Seq: seq, EventID: eventID, What: "the sealed event is missing"})
		default:
			if want := ChainHash(prev, seq, e); !bytes.Equal(want, stored) {
				add(Problem{Seq: seq, EventID: eventID, What: "hash mismatch: the event, its position or an earlier link was altered"})
			}
		}
		// Go on from the stored hash, so one alteration is reported once.
		prev = stored
		r.Head, r.HeadHash = seq, stored
		if cp != nil && seq == cp.Seq && cpHash != nil && !bytes.Equal(stored, cpHash) {
			add(Problem{Seq: seq, What: "the chain differs from the signed checkpoint at this position"})
		}
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("read chain: %w", err)
	}
	if cp != nil && r.Head < cp.Seq {
		add(Problem{Seq: r.Head + 1, What: fmt.Sprintf("the chain ends at position %d but a signed checkpoint covers %d: its tail was cut", r.Head, cp.Seq)})
	}

	// 2. Events outside the chain: queued recently is normal; anything
	// else was inserted around the sealer or removed from its queue.
	urows, err := q.Query(ctx, `SELECT e.id, p.event_id IS NOT NULL, e.occurred_at < now() - make_interval(secs => $1)
		FROM audit_events e LEFT JOIN audit_seals s ON s.event_id = e.id LEFT JOIN audit_pending p ON p.event_id = e.id
		WHERE s.event_id IS NULL ORDER BY e.id`, opt.PendingGrace.Seconds())
	if err != nil {
		return r, fmt.Errorf("read unsealed: %w", err)
	}
	for urows.Next() {
		var id int64
		var queued, old bool
		if err := urows.Scan(&id, &queued, &old); err != nil {
			urows.Close()
			return r, fmt.Errorf("read unsealed: %w", err)
		}
		switch {
		case queued && !old:
			r.Pending++
		case queued:
			add(Problem{EventID: id, What: "queued for sealing for longer than the grace period: is a sealer running?"})
		default:
			add(Problem{EventID: id, What: "the event is in neither the chain nor the sealing queue: inserted around the log or its queue entry was removed"})
		}
	}
	if err := urows.Err(); err != nil {
		return r, fmt.Errorf("read unsealed: %w", err)
	}
	return r, nil
}

// scanNullable scans a chain row whose event columns may all be NULL.
func scanNullable(rows pgx.Rows, seq, eventID *int64, stored *[]byte, present *bool) (Sealed, error) {
	var (
		id                                                  *int64
		occurred                                            *time.Time
		reqID, ua, action, rtype, reason, outcome, perm, ip *string
		e                                                   Sealed
	)
	err := rows.Scan(seq, eventID, stored, present, &id, &occurred, &e.ActorUserID, &e.Organisation, &e.SessionHash,
		&reqID, &ip, &ua, &action, &rtype, &e.ResourceIDs, &e.DossierID, &reason, &outcome, &perm, &e.Roles)
	if err != nil || !*present {
		return e, err
	}
	e.ID, e.OccurredAt, e.SourceIP = *id, *occurred, ip
	e.RequestID, e.UserAgent, e.Action, e.ResourceType = *reqID, *ua, *action, *rtype
	e.Reason, e.Outcome, e.Permission = *reason, *outcome, *perm
	return e, nil
}
