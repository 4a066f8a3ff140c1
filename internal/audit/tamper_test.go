package audit_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

// The tamper test plays an attacker who is superuser of the database (so
// can switch the append-only triggers and foreign keys off) but does not
// hold the checkpoint signing key. On a chain of 10 000 sealed events with
// a signed checkpoint at its head, each case alters one thing and checks
// that Verify reports it, at the right first bad position where there is
// one. Each case alters the database in a transaction that Verify reads
// through and that is then rolled back: the next case starts from the
// intact chain again, at no cost of copying the database.

const (
	chainLen = 10_000
	// target is the position altered: it holds an identity reveal, every
	// column set (fillSQL: i ≡ 0 mod 3, and position i holds event i).
	target = 5_001
)

// tamperCase alters a clone of the sealed chain.
type tamperCase struct {
	name string
	// db runs as superuser with triggers and foreign keys off
	// (session_replication_role = replica), in one transaction.
	db func(ctx context.Context, tx pgx.Tx) error
	// checkpoint alters the case's own copy of the checkpoint directory.
	checkpoint func(t *testing.T, tx pgx.Tx, store audit.DirStore)
	firstBad   int64  // Report.FirstBad(); 0 for problems at no position
	want       string // some problem's text contains this
	single     bool   // exactly one problem, at target, naming the target event
	undetected bool   // a documented limit: Verify cannot see it
}

func TestTamperIsDetected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key, pub := testKey()

	// The chain: events inserted by the application role (the trigger
	// queues them), sealed by a Sealer running as that role, and a
	// checkpoint signed at its head.
	dbURL := pgtest.NewURL(t)
	app, super := open(t, dbURL, postgres.AsAppRole()), open(t, dbURL)
	store := audit.DirStore{Dir: t.TempDir()}
	fill(t, app, chainLen)
	s := audit.NewSealer(app, key, store, audit.SealerConfig{}, discard)
	if n := sealAll(t, s, 5000); n != chainLen {
		t.Fatalf("sealed %d events, want %d", n, chainLen)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	var targetEvent int64
	var reason string
	if err := app.QueryRow(ctx, `SELECT e.id, e.reason FROM audit_seals s JOIN audit_events e ON e.id = s.event_id
		WHERE s.seq = $1`, target).Scan(&targetEvent, &reason); err != nil || reason == "" {
		t.Fatalf("target position %d: event %d, reason %q, %v: want an event with a reason", target, targetEvent, reason, err)
	}
	cp, err := audit.LoadLatest(ctx, store)
	if err != nil || cp == nil || cp.Seq != chainLen {
		t.Fatalf("checkpoint after sealing: %+v %v, want one at %d", cp, err, chainLen)
	}
	// Each case gets its own copy of the checkpoint directory.
	copyStore := func(t *testing.T) audit.DirStore {
		own := audit.DirStore{Dir: t.TempDir()}
		files, err := store.List(ctx)
		if err != nil || len(files) != 2 {
			t.Fatalf("checkpoint files %v, %v: want latest.json and the log", files, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(store.Dir, f.Name))
			if err != nil {
				t.Fatal(err)
			}
			if err := own.Put(ctx, f.Name, b); err != nil {
				t.Fatal(err)
			}
		}
		return own
	}

	event := `WHERE id = (SELECT event_id FROM audit_seals WHERE seq = ` + fmt.Sprint(target) + `)`
	column := func(name, set string) tamperCase {
		return tamperCase{name: name, db: sqls(`UPDATE audit_events SET ` + set + ` ` + event),
			firstBad: target, want: "hash mismatch", single: true}
	}
	cases := []tamperCase{
		{name: "untouched", firstBad: 0},

		// One bit (or the smallest change the type allows) in each column of one event.
		column("occurred_at +1µs", `occurred_at = occurred_at + interval '1 microsecond'`),
		column("occurred_at -1µs", `occurred_at = occurred_at - interval '1 microsecond'`),
		column("actor_user_id bit", `actor_user_id = `+flipUUID("actor_user_id")),
		column("actor_user_id NULL", `actor_user_id = NULL`),
		column("organisation_id bit", `organisation_id = `+flipUUID("organisation_id")),
		column("session_hash bit", `session_hash = set_byte(session_hash, 31, get_byte(session_hash, 31) # 1)`),
		column("session_hash NULL", `session_hash = NULL`),
		column("request_id bit", `request_id = `+flipText("request_id")),
		column("source_ip bit", `source_ip = CASE WHEN (source_ip - '0.0.0.0'::inet) % 2 = 0 THEN source_ip + 1 ELSE source_ip - 1 END`),
		column("source_ip NULL", `source_ip = NULL`),
		column("user_agent bit", `user_agent = `+flipText("user_agent")),
		column("action bit", `action = `+flipText("action")),
		column("action replaced", `action = 'dossier.read'`),
		column("resource_type bit", `resource_type = `+flipText("resource_type")),
		column("resource_ids bit", `resource_ids[1] = `+flipUUID("resource_ids[1]")),
		column("resource_ids element removed", `resource_ids = resource_ids[2:2]`),
		column("dossier_id bit", `dossier_id = `+flipUUID("dossier_id")),
		column("dossier_id NULL", `dossier_id = NULL`),
		column("reason bit", `reason = `+flipText("reason")),
		column("reason emptied", `reason = ''`),
		column("outcome", `outcome = CASE outcome WHEN 'allowed' THEN 'denied' ELSE 'allowed' END`),
		column("permission bit", `permission = `+flipText("permission")),
		column("roles bit", `roles[1] = `+flipText("roles[1]")),
		column("role removed", `roles = roles[2:]`),
		{name: "id renumbered, seal following it", db: renumberEvent, firstBad: target, want: "hash mismatch"},

		// The seals.
		{name: "seal hash bit", firstBad: target, want: "hash mismatch",
			db: sqls(fmt.Sprintf(`UPDATE audit_seals SET hash = set_byte(hash, 0, get_byte(hash, 0) # 1) WHERE seq = %d`, target))},
		{name: "seal seq bit", firstBad: target, want: fmt.Sprintf("positions %d to %d are missing", target, target),
			db: sqls(fmt.Sprintf(`UPDATE audit_seals SET seq = seq # (1::bigint << 40) WHERE seq = %d`, target))},
		{name: "neighbouring seals' events swapped", db: swapSealedEvents, firstBad: target, want: "hash mismatch"},
		{name: "neighbouring events' contents swapped", db: swapEventContents, firstBad: target, want: "hash mismatch"},

		// Removal.
		{name: "event deleted", firstBad: target, want: "the sealed event is missing", single: true,
			db: sqls(`DELETE FROM audit_events ` + event)},
		{name: "seal deleted", firstBad: target, want: "neither the chain nor the sealing queue",
			db: sqls(fmt.Sprintf(`DELETE FROM audit_seals WHERE seq = %d`, target))},
		{name: "event and seal deleted", firstBad: target, want: fmt.Sprintf("positions %d to %d are missing", target, target),
			db: sqls(`DELETE FROM audit_events `+event, fmt.Sprintf(`DELETE FROM audit_seals WHERE seq = %d`, target))},
		{name: "tail cut: last 100 events and seals", firstBad: chainLen - 99, want: "its tail was cut",
			db: sqls(fmt.Sprintf(`DELETE FROM audit_events WHERE id IN (SELECT event_id FROM audit_seals WHERE seq > %d)`, chainLen-100),
				fmt.Sprintf(`DELETE FROM audit_seals WHERE seq > %d`, chainLen-100))},
		{name: "tail cut: last 100 seals only", firstBad: chainLen - 99, want: "neither the chain nor the sealing queue",
			db: sqls(fmt.Sprintf(`DELETE FROM audit_seals WHERE seq > %d`, chainLen-100))},
		// The attacker knows the algorithm and recomputes every later
		// link: only the signed checkpoint can tell.
		{name: "event erased from the middle, chain renumbered and recomputed", db: eraseAndRechain,
			firstBad: chainLen, want: "its tail was cut"},

		// Insertion.
		{name: "forged event in the middle, later seals renumbered", db: forgeInMiddle(false),
			firstBad: target + 2, want: "hash mismatch"},
		{name: "forged event in the middle, chain recomputed", db: forgeInMiddle(true),
			firstBad: chainLen, want: "differs from the signed checkpoint"},
		{name: "forged event outside the chain and the queue", firstBad: 0, want: "neither the chain nor the sealing queue",
			db: sqls(`INSERT INTO audit_events (action, resource_type, outcome) VALUES ('dossier.read', 'dossier', 'allowed')`)},
		// What the application role itself may do: insert, and empty the
		// queue (the sealer needs both).
		{name: "as the application role: event inserted, its queue entry removed", firstBad: 0,
			want: "neither the chain nor the sealing queue",
			db: sqls(`SET LOCAL session_replication_role = origin`, `SET LOCAL ROLE egide_app`,
				`INSERT INTO audit_events (action, resource_type, outcome) VALUES ('dossier.read', 'dossier', 'allowed')`,
				`DELETE FROM audit_pending`)},

		// The checkpoint.
		{name: "checkpoint signature bit", firstBad: 0, want: "signature does not verify",
			checkpoint: editCheckpoint(func(c *audit.Checkpoint) {
				sig, _ := base64.StdEncoding.DecodeString(c.Signature)
				sig[10] ^= 1
				c.Signature = base64.StdEncoding.EncodeToString(sig)
			})},
		{name: "checkpoint hash altered", firstBad: chainLen, want: "signature does not verify",
			checkpoint: editCheckpoint(func(c *audit.Checkpoint) { c.Hash = flipHex(c.Hash) })},
		{name: "checkpoint position altered", firstBad: chainLen - 1, want: "signature does not verify",
			checkpoint: editCheckpoint(func(c *audit.Checkpoint) { c.Seq-- })},
		// The attacker erases an event, recomputes the chain and signs its
		// head with a key of their own.
		// (The log's line at the old head, which they cannot re-sign, still
		// shows the cut.)
		{name: "chain rewritten and checkpoint re-signed with another key", db: eraseAndRechain,
			firstBad: chainLen, want: "signature does not verify", checkpoint: resignWithOtherKey},

		// A documented limit: a link appended after the latest checkpoint,
		// with a hash the attacker computed, verifies (until it has been
		// sealed longer than the grace period without a checkpoint).
		// Checkpoints bound what can be rewritten to what was sealed since
		// the last one (one sealing round: EGIDE_AUDIT_SEAL_INTERVAL);
		// appending is no erasure.
		{name: "LIMIT: forged event appended after the checkpoint", db: appendForged, undetected: true},
	}
	// One case at a time: cases altering the same rows would wait for
	// each other's locks, in orders that could deadlock.
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			own := copyStore(t)
			tx, err := super.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				t.Fatal(err)
			}
			if c.db != nil {
				if err := c.db(ctx, tx); err != nil {
					t.Fatalf("tamper: %v", err)
				}
			}
			if c.checkpoint != nil {
				c.checkpoint(t, tx, own)
			}
			r, err := audit.Verify(ctx, tx, pub, own, audit.VerifyOptions{})
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			switch {
			case c.name == "untouched" || c.undetected:
				if !r.OK() {
					t.Fatalf("problems reported:%s", problems(r))
				}
				if c.name == "untouched" && (r.Positions != chainLen || r.Head != chainLen || r.Pending != 0) {
					t.Fatalf("report %+v: want %d positions, head %d, nothing pending", r, chainLen, chainLen)
				}
				return
			case r.OK():
				t.Fatal("tampering not detected")
			}
			if got := r.FirstBad(); got != c.firstBad {
				t.Errorf("first bad position %d, want %d:%s", got, c.firstBad, problems(r))
			}
			if !strings.Contains(problems(r), c.want) {
				t.Errorf("no problem says %q:%s", c.want, problems(r))
			}
			if c.single && (len(r.Problems) != 1 || r.Problems[0].Seq != target || r.Problems[0].EventID != targetEvent) {
				t.Errorf("want exactly one problem, at position %d, event %d:%s", target, targetEvent, problems(r))
			}
		})
	}
}

// sqls runs statements in order.
func sqls(stmts ...string) func(context.Context, pgx.Tx) error {
	return func(ctx context.Context, tx pgx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}
}

// flipUUID is an SQL expression: the uuid expr with the low bit of its last byte flipped.
func flipUUID(expr string) string {
	return fmt.Sprintf(`encode(set_byte(uuid_send(%[1]s), 15, get_byte(uuid_send(%[1]s), 15) # 1), 'hex')::uuid`, expr)
}

// flipText is an SQL expression: the text expr with the low bit of its first (ASCII) byte flipped.
func flipText(expr string) string {
	return fmt.Sprintf(`chr(ascii(%[1]s) # 1) || substr(%[1]s, 2)`, expr)
}

func flipHex(h string) string {
	b, _ := hex.DecodeString(h)
	b[0] ^= 1
	return hex.EncodeToString(b)
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// sealedAt returns the event id at position seq.
func sealedAt(ctx context.Context, tx pgx.Tx, seq int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT event_id FROM audit_seals WHERE seq = $1`, seq).Scan(&id)
	return id, err
}

// renumberEvent gives the target event another id (the column is
// GENERATED ALWAYS: copy and delete) and points its seal at it.
func renumberEvent(ctx context.Context, tx pgx.Tx) error {
	id, err := sealedAt(ctx, tx, target)
	if err != nil {
		return err
	}
	return sqls(
		fmt.Sprintf(`INSERT INTO audit_events OVERRIDING SYSTEM VALUE SELECT id + 1000000, occurred_at, actor_user_id, organisation_id,
			session_hash, request_id, source_ip, user_agent, action, resource_type, resource_ids, dossier_id, reason, outcome,
			permission, roles FROM audit_events WHERE id = %d`, id),
		fmt.Sprintf(`DELETE FROM audit_events WHERE id = %d`, id),
		fmt.Sprintf(`UPDATE audit_seals SET event_id = %d WHERE seq = %d`, id+1000000, target),
	)(ctx, tx)
}

// swapSealedEvents swaps the events of positions target and target+1.
func swapSealedEvents(ctx context.Context, tx pgx.Tx) error {
	a, err := sealedAt(ctx, tx, target)
	if err != nil {
		return err
	}
	b, err := sealedAt(ctx, tx, target+1)
	if err != nil {
		return err
	}
	// event_id is UNIQUE (checked row by row): through a free value.
	return sqls(
		fmt.Sprintf(`UPDATE audit_seals SET event_id = -1 WHERE seq = %d`, target),
		fmt.Sprintf(`UPDATE audit_seals SET event_id = %d WHERE seq = %d`, a, target+1),
		fmt.Sprintf(`UPDATE audit_seals SET event_id = %d WHERE seq = %d`, b, target),
	)(ctx, tx)
}

// swapEventContents swaps every column but the id of the events at
// positions target and target+1.
func swapEventContents(ctx context.Context, tx pgx.Tx) error {
	a, err := sealedAt(ctx, tx, target)
	if err != nil {
		return err
	}
	b, err := sealedAt(ctx, tx, target+1)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE audit_events x SET occurred_at = y.occurred_at, actor_user_id = y.actor_user_id,
		organisation_id = y.organisation_id, session_hash = y.session_hash, request_id = y.request_id, source_ip = y.source_ip,
		user_agent = y.user_agent, action = y.action, resource_type = y.resource_type, resource_ids = y.resource_ids,
		dossier_id = y.dossier_id, reason = y.reason, outcome = y.outcome, permission = y.permission, roles = y.roles
		FROM audit_events y WHERE (x.id, y.id) IN (($1, $2), ($2, $1))`, a, b)
	return err
}

// eventColumns reads an audit.Sealed, as the sealer does (chain.go).
const eventColumns = `e.id, e.occurred_at, e.actor_user_id, e.organisation_id, e.session_hash, e.request_id,
	host(e.source_ip), e.user_agent, e.action, e.resource_type, e.resource_ids, e.dossier_id, e.reason, e.outcome,
	e.permission, e.roles`

func scanEvent(row pgx.Row) (audit.Sealed, error) {
	var e audit.Sealed
	err := row.Scan(&e.ID, &e.OccurredAt, &e.ActorUserID, &e.Organisation, &e.SessionHash, &e.RequestID,
		&e.SourceIP, &e.UserAgent, &e.Action, &e.ResourceType, &e.ResourceIDs, &e.DossierID, &e.Reason, &e.Outcome,
		&e.Permission, &e.Roles)
	return e, err
}

// shiftSeals moves every position after `after` by `by` (primary key
// checked row by row: through free values).
func shiftSeals(ctx context.Context, tx pgx.Tx, after, by int64) error {
	return sqls(
		fmt.Sprintf(`UPDATE audit_seals SET seq = seq + 1000000000 WHERE seq > %d`, after),
		fmt.Sprintf(`UPDATE audit_seals SET seq = seq - 1000000000 + %d WHERE seq > 1000000000`, by),
	)(ctx, tx)
}

// rechain recomputes the hashes of every position from `from` on, as an
// attacker who knows the (public) algorithm can.
func rechain(ctx context.Context, tx pgx.Tx, from int64) error {
	prev := audit.Genesis()
	if from > 1 {
		if err := tx.QueryRow(ctx, `SELECT hash FROM audit_seals WHERE seq = $1`, from-1).Scan(&prev); err != nil {
			return err
		}
	}
	rows, err := tx.Query(ctx, `SELECT s.seq, `+eventColumns+` FROM audit_seals s JOIN audit_events e ON e.id = s.event_id
		WHERE s.seq >= $1 ORDER BY s.seq`, from)
	if err != nil {
		return err
	}
	var seqs []int64
	var hashes [][]byte
	for rows.Next() {
		var seq int64
		e, err := scanEventAfter(rows, &seq)
		if err != nil {
			rows.Close()
			return err
		}
		prev = audit.ChainHash(prev, seq, e)
		seqs, hashes = append(seqs, seq), append(hashes, prev)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE audit_seals s SET hash = v.hash FROM unnest($1::bigint[], $2::bytea[]) AS v(seq, hash)
		WHERE s.seq = v.seq`, seqs, hashes)
	return err
}

// scanEventAfter scans a row of one leading column then the event.
func scanEventAfter(rows pgx.Rows, first any) (audit.Sealed, error) {
	var e audit.Sealed
	err := rows.Scan(first, &e.ID, &e.OccurredAt, &e.ActorUserID, &e.Organisation, &e.SessionHash, &e.RequestID,
		&e.SourceIP, &e.UserAgent, &e.Action, &e.ResourceType, &e.ResourceIDs, &e.DossierID, &e.Reason, &e.Outcome,
		&e.Permission, &e.Roles)
	return e, err
}

// eraseAndRechain removes the target event and its seal, closes the gap
// and recomputes every later link.
func eraseAndRechain(ctx context.Context, tx pgx.Tx) error {
	err := sqls(
		fmt.Sprintf(`DELETE FROM audit_events WHERE id = (SELECT event_id FROM audit_seals WHERE seq = %d)`, target),
		fmt.Sprintf(`DELETE FROM audit_seals WHERE seq = %d`, target),
	)(ctx, tx)
	if err != nil {
		return err
	}
	if err := shiftSeals(ctx, tx, target, -1); err != nil {
		return err
	}
	return rechain(ctx, tx, target)
}

// forgeEvent inserts an event outside the queue (trigger off) and seals
// it at position seq with a correct link from position seq-1.
func forgeEvent(ctx context.Context, tx pgx.Tx, seq int64) error {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO audit_events (action, resource_type, outcome, reason)
		VALUES ('dossier.read', 'dossier', 'allowed', 'forged') RETURNING id`).Scan(&id); err != nil {
		return err
	}
	e, err := scanEvent(tx.QueryRow(ctx, `SELECT `+eventColumns+` FROM audit_events e WHERE e.id = $1`, id))
	if err != nil {
		return err
	}
	var prev []byte
	if err := tx.QueryRow(ctx, `SELECT hash FROM audit_seals WHERE seq = $1`, seq-1).Scan(&prev); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_seals (seq, event_id, hash) VALUES ($1, $2, $3)`, seq, id, audit.ChainHash(prev, seq, e))
	return err
}

// forgeInMiddle slips a forged event in after the target, renumbering the
// later seals, and recomputes their links when recompute.
func forgeInMiddle(recompute bool) func(context.Context, pgx.Tx) error {
	return func(ctx context.Context, tx pgx.Tx) error {
		if err := shiftSeals(ctx, tx, target, 1); err != nil {
			return err
		}
		if err := forgeEvent(ctx, tx, target+1); err != nil {
			return err
		}
		if !recompute {
			return nil
		}
		return rechain(ctx, tx, target+2)
	}
}

// appendForged seals a forged event after the head.
func appendForged(ctx context.Context, tx pgx.Tx) error { return forgeEvent(ctx, tx, chainLen+1) }

// editCheckpoint changes the latest checkpoint file.
func editCheckpoint(change func(*audit.Checkpoint)) func(*testing.T, pgx.Tx, audit.DirStore) {
	return func(t *testing.T, _ pgx.Tx, store audit.DirStore) {
		c, err := audit.LoadLatest(context.Background(), store)
		if err != nil || c == nil {
			t.Fatalf("load checkpoint: %v", err)
		}
		change(c)
		b, _ := json.Marshal(c)
		if err := store.Put(context.Background(), audit.LatestCheckpoint, b); err != nil {
			t.Fatal(err)
		}
	}
}

// resignWithOtherKey writes a checkpoint of the (rewritten) head, signed
// with a key that is not the instance's.
func resignWithOtherKey(t *testing.T, tx pgx.Tx, store audit.DirStore) {
	_, other, _ := ed25519.GenerateKey(nil)
	var seq int64
	var hash []byte
	if err := tx.QueryRow(context.Background(), `SELECT seq, hash FROM audit_seals ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(audit.SignCheckpoint(other, seq, hash, time.Now()))
	if err := store.Put(context.Background(), audit.LatestCheckpoint, b); err != nil {
		t.Fatal(err)
	}
}
