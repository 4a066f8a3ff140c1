package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
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
	Positions   int64       // chain positions checked
	Pending     int64       // events queued for sealing, younger than the grace period
	Head        int64       // last position
	HeadHash    []byte      // its hash
	Checkpoint  *Checkpoint // newest checkpoint found, nil when none was found
	Checkpoints int         // checkpoints checked: latest.json, every line of the log, older files
	Problems    []Problem   // empty when everything checks out
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
	// sealing delay; older unsealed events are a problem, and so are
	// positions sealed longer ago than this that no checkpoint covers.
	// Default 1 minute.
	PendingGrace time.Duration
	// ClockSkew: how far apart the clocks of instances may be; a
	// checkpoint signed more than this before another of a lower position
	// means positions went backwards. Default 1 minute.
	ClockSkew time.Duration
	// MaxProblems stops listing after this many (default 100).
	MaxProblems int
}

// stored is a checkpoint as found in the store, and where, kept small:
// a log of a year of activity holds millions.
type stored struct {
	seq  int64
	at   int64 // signing time, Unix nanoseconds
	hash [sha256.Size]byte
	ok   bool  // hash well-formed
	file int32 // index in the store's files
	line int32 // in the log; 0 for a file of one checkpoint
}

// found is every checkpoint of a store.
type found struct {
	files  []StoredFile
	all    []stored    // by position
	newest *Checkpoint // the highest position (latest.json when tied)
}

// src says where s was found.
func (f found) src(s stored) string {
	if s.line > 0 {
		return fmt.Sprintf("%s line %d", f.files[s.file].Name, s.line)
	}
	return f.files[s.file].Name
}

// Verify recomputes the whole chain from the events, checks that every
// event is sealed (or queued for less than the grace period), and checks
// every checkpoint in store: its signature must verify with pub, the chain
// must hold its position with its hash, positions must only grow, in the
// log's order and over time, and latest.json must be the newest (not
// deleted, not rolled back). q must see the audit tables (a transaction or
// a connection, ideally REPEATABLE READ for a consistent view while
// sealing goes on).
func Verify(ctx context.Context, q pgx.Tx, pub ed25519.PublicKey, store CheckpointStore, opt VerifyOptions) (Report, error) {
	if opt.PendingGrace <= 0 {
		opt.PendingGrace = time.Minute
	}
	if opt.ClockSkew <= 0 {
		opt.ClockSkew = time.Minute
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
	f, err := checkCheckpoints(ctx, store, pub, opt, add)
	if err != nil {
		return r, err
	}
	cps := f.all
	r.Checkpoints = len(cps)
	r.Checkpoint = f.newest
	var newestSeq int64
	if f.newest != nil {
		newestSeq = f.newest.Seq
	}

	// 1. The chain, in position order, recomputed from the events, and
	// compared with every checkpoint on the way.
	rows, err := q.Query(ctx, `SELECT s.seq, s.event_id, s.hash, s.sealed_at < now() - make_interval(secs => $1),
		e.id IS NOT NULL, `+sealedColumns+`
		FROM audit_seals s LEFT JOIN audit_events e ON e.id = s.event_id ORDER BY s.seq`, opt.PendingGrace.Seconds())
	if err != nil {
		return r, fmt.Errorf("read chain: %w", err)
	}
	prev := Genesis()
	expect := int64(1)
	next := 0 // the next checkpoint of cps to meet
	var oldest int64
	for rows.Next() {
		var seq, eventID int64
		var hash []byte
		var old, present bool
		// The event columns are NULL when the event row is gone.
		e, err := scanNullable(rows, &seq, &eventID, &hash, &old, &present)
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
			if want := ChainHash(prev, seq, e); !bytes.Equal(want, hash) {
				add(Problem{Seq: seq, EventID: eventID, What: "hash mismatch: the event, its position or an earlier link was altered"})
			}
		}
		// Go on from the stored hash, so one alteration is reported once.
		prev = hash
		r.Head, r.HeadHash = seq, hash
		if old {
			oldest = seq
		}
		for ; next < len(cps) && cps[next].seq < seq; next++ {
			add(Problem{Seq: cps[next].seq, What: fmt.Sprintf("a signed checkpoint (%s) covers this position, which the chain lacks",
				f.src(cps[next]))})
		}
		var reported [][]byte
		for ; next < len(cps) && cps[next].seq == seq; next++ {
			c := cps[next]
			if !c.ok || bytes.Equal(c.hash[:], hash) || containsHash(reported, c.hash[:]) {
				continue
			}
			reported = append(reported, c.hash[:])
			add(Problem{Seq: seq, What: fmt.Sprintf("the chain differs from the signed checkpoint at this position (%s)", f.src(c))})
		}
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("read chain: %w", err)
	}
	if len(cps) > 0 && r.Head < newestSeq {
		add(Problem{Seq: r.Head + 1, What: fmt.Sprintf("the chain ends at position %d but a signed checkpoint (%s) covers %d: its tail was cut",
			r.Head, f.src(cps[len(cps)-1]), newestSeq)})
	}
	if oldest > newestSeq {
		add(Problem{Seq: newestSeq + 1, What: fmt.Sprintf("positions %d to %d were sealed more than %s ago but no checkpoint covers them: "+
			"the newest checkpoints were deleted or rolled back, or checkpoints cannot be written", newestSeq+1, oldest, opt.PendingGrace)})
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

func containsHash(hs [][]byte, h []byte) bool {
	for _, x := range hs {
		if bytes.Equal(x, h) {
			return true
		}
	}
	return false
}

// checkCheckpoints reads every checkpoint of store and checks what can be
// checked without the chain: signatures, the log's order, latest.json
// being the newest, positions growing over time.
func checkCheckpoints(ctx context.Context, store CheckpointStore, pub ed25519.PublicKey, opt VerifyOptions,
	add func(Problem)) (found, error) {
	files, err := store.List(ctx)
	if err != nil {
		return found{}, err
	}
	f := found{files: files}
	var latest *stored
	parse := func(b []byte, file, line int) (stored, bool) {
		s := stored{file: int32(file), line: int32(line)}
		var c Checkpoint
		if err := json.Unmarshal(b, &c); err != nil {
			add(Problem{What: fmt.Sprintf("%s: the checkpoint is malformed", f.src(s))})
			return s, false
		}
		s.seq, s.at = c.Seq, c.Time.UnixNano()
		if h, err := hex.DecodeString(c.Hash); err == nil && len(h) == sha256.Size {
			s.ok = copy(s.hash[:], h) == sha256.Size
		} else {
			add(Problem{What: fmt.Sprintf("%s: the checkpoint's hash is malformed", f.src(s))})
		}
		if !c.VerifySignature(pub) {
			add(Problem{What: fmt.Sprintf("%s (position %d): the checkpoint's signature does not verify: "+
				"it was not written by this instance's key", f.src(s), c.Seq)})
		}
		if f.newest == nil || c.Seq > f.newest.Seq || (c.Seq == f.newest.Seq && files[file].Name == LatestCheckpoint) {
			f.newest = &c
		}
		return s, true
	}
	var logPrev *stored
	for i, file := range files {
		switch {
		case file.Name == LatestCheckpoint, isLegacyCheckpoint(file.Name):
			b, err := store.Get(ctx, file.Name)
			if err != nil {
				return found{}, err
			}
			if s, ok := parse(b, i, 0); ok {
				if file.Name == LatestCheckpoint {
					latest = &s
				}
				f.all = append(f.all, s)
			}
		case isLogSegment(file.Name):
			b, err := store.Get(ctx, file.Name)
			if err != nil {
				return found{}, err
			}
			for n, line := range bytes.Split(b, []byte("\n")) {
				if len(bytes.TrimSpace(line)) == 0 {
					continue
				}
				s, ok := parse(line, i, n+1)
				if !ok {
					continue
				}
				if logPrev != nil && s.seq <= logPrev.seq {
					add(Problem{What: fmt.Sprintf("the checkpoint log goes backwards: position %d (%s) after position %d (%s)",
						s.seq, f.src(s), logPrev.seq, f.src(*logPrev))})
				}
				logPrev = &s
				f.all = append(f.all, s)
			}
		}
	}
	if len(f.all) == 0 {
		return f, nil
	}
	sort.SliceStable(f.all, func(i, j int) bool { return f.all[i].seq < f.all[j].seq })
	top := f.all[len(f.all)-1]
	switch {
	case latest == nil:
		add(Problem{What: fmt.Sprintf("%s is missing while %s covers position %d: it was deleted", LatestCheckpoint, f.src(top), top.seq)})
	case latest.seq < top.seq:
		add(Problem{What: fmt.Sprintf("%s is at position %d but %s is at %d: %s was rolled back",
			LatestCheckpoint, latest.seq, f.src(top), top.seq, LatestCheckpoint)})
	}
	// In position order, signing times only grow (give or take the skew
	// between instances' clocks).
	var latestSigned *stored
	stamp := func(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339) }
	for i := range f.all {
		s := &f.all[i]
		if latestSigned != nil && s.seq > latestSigned.seq && s.at < latestSigned.at-opt.ClockSkew.Nanoseconds() {
			add(Problem{What: fmt.Sprintf("positions went backwards: %s signed position %d at %s, after %s had signed position %d at %s",
				f.src(*latestSigned), latestSigned.seq, stamp(latestSigned.at), f.src(*s), s.seq, stamp(s.at))})
		}
		if latestSigned == nil || s.at > latestSigned.at {
			latestSigned = s
		}
	}
	return f, nil
}

// scanNullable scans a chain row whose event columns may all be NULL.
func scanNullable(rows pgx.Rows, seq, eventID *int64, hash *[]byte, old, present *bool) (Sealed, error) {
	var (
		id                                                  *int64
		occurred                                            *time.Time
		reqID, ua, action, rtype, reason, outcome, perm, ip *string
		e                                                   Sealed
	)
	err := rows.Scan(seq, eventID, hash, old, present, &id, &occurred, &e.ActorUserID, &e.Organisation, &e.SessionHash,
		&reqID, &ip, &ua, &action, &rtype, &e.ResourceIDs, &e.DossierID, &reason, &outcome, &perm, &e.Roles)
	if err != nil || !*present {
		return e, err
	}
	e.ID, e.OccurredAt, e.SourceIP = *id, *occurred, ip
	e.RequestID, e.UserAgent, e.Action, e.ResourceType = *reqID, *ua, *action, *rtype
	e.Reason, e.Outcome, e.Permission = *reason, *outcome, *perm
	return e, nil
}
