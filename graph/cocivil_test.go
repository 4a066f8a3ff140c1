package graph_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/httpserver"
)

// The attacker of issue 10: a jurist of A, co-civil party on a dossier of
// B shared with A, tries every write on B's records (docs/security.md,
// "Co-civil parties"), 20 times at once each. Every attempt is FORBIDDEN,
// is audited as access.denied with the permission it lacked, and leaves
// B's dossier exactly as it was.

const coPartyAttempts = 20

// coPartyJurist is the legal staff member of A under test.
func (w *mxWorld) coPartyJurist(t *testing.T) *mxActor {
	t.Helper()
	for _, a := range w.actors {
		if a.role == actor.LegalStaff && a.kind == mxFull && !a.removed {
			return a
		}
	}
	t.Fatal("no legal staff actor")
	return nil
}

// dossierDigest sums up every row that belongs to dossier d: the dossier,
// its people, consents, charges, proceedings, standings, hearings,
// evidence, content references and reports, assignments, shares and key.
func (w *mxWorld) dossierDigest(ctx context.Context, d uuid.UUID) (string, error) {
	var sum string
	err := w.pool.QueryRow(ctx, `SELECT md5(concat_ws('|',
		(SELECT x::text FROM dossiers x WHERE x.id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM victims x WHERE x.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM consents x JOIN victims v ON v.id = x.victim_id WHERE v.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM defendants x WHERE x.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM charges x WHERE x.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM proceedings x WHERE x.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM civil_party_standings x JOIN proceedings p ON p.id = x.proceeding_id
			WHERE p.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM hearings x WHERE x.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM evidence x WHERE x.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM content_references x WHERE x.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.id) FROM content_reports x JOIN content_references r ON r.id = x.content_reference_id
			WHERE r.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.user_id) FROM dossier_assignments x WHERE x.dossier_id = $1),
		(SELECT string_agg(x::text, ',' ORDER BY x.organisation_id) FROM dossier_shares x WHERE x.dossier_id = $1),
		(SELECT x::text FROM dossier_keys x WHERE x.dossier_id = $1)))`, d).Scan(&sum)
	return sum, err
}

// coPartyDenials checks that request reqID wrote one refusal with
// permission perm about dossier d, for A, stored as the dossier owner's
// too, and nothing allowed.
func (w *mxWorld) coPartyDenials(ctx context.Context, t *testing.T, reqID, perm string, d uuid.UUID) {
	t.Helper()
	events := w.requestEvents(ctx, t, reqID)
	denied := 0
	for _, e := range events {
		switch {
		case e.Outcome == "allowed":
			t.Errorf("request %s: an allowed %s event", reqID, e.Action)
		case e.Action == "access.denied" && e.Permission == perm && e.DossierID != nil && *e.DossierID == d &&
			e.OrgID != nil && *e.OrgID == w.orgA:
			denied++
		}
	}
	if denied != 1 {
		t.Errorf("request %s: %d access.denied events with permission %s on the dossier, want 1: %v", reqID, denied, perm, events)
	}
	// And the owner's DPO reads it (docs/security.md, "Who reads it").
	var owner uuid.UUID
	if err := w.pool.QueryRow(ctx, `SELECT organisation_id FROM dossiers WHERE id = $1`, d).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := w.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE request_id = $1 AND action = 'access.denied'
		AND dossier_organisation_id = $2`, reqID, owner).Scan(&n); err != nil || n != 1 {
		t.Errorf("request %s: %d refusals stored for the dossier's owner (%v), want 1", reqID, n, err)
	}
}

func TestCoCivilPartyCannotWriteTheOwnersRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMatrixWorld(t)
	jurist := w.coPartyJurist(t)
	tried := 0
	for _, op := range authzOperations {
		if op.Root != "Mutation" || op.Scope != scopeDossier || !(mxOwnerOnly(op.Perm) || op.OwnStanding) {
			continue
		}
		tried++
		// shared: the jurist is not assigned to the dossier; shared_assigned:
		// the owner assigned the jurist (a member of the owner too), who acts
		// for A all the same.
		for _, rel := range []string{"shared", "shared_assigned"} {
			t.Run(op.Field+"/"+rel, func(t *testing.T) {
				t.Parallel()
				coPartyAttempt(ctx, t, w, jurist, op, rel)
			})
		}
	}
	if tried < 25 {
		t.Fatalf("only %d write mutations tried", tried)
	}

	// The file of a document the owner created, uploaded by the co-civil
	// party's jurist whom the owner assigned (PUT /evidence/{id}/content).
	t.Run("uploadEvidenceContent/shared_assigned", func(t *testing.T) {
		t.Parallel()
		d, err := w.dossierFor(ctx, jurist, "shared_assigned")
		if err != nil {
			t.Fatal(err)
		}
		pending, err := w.pendingEvidence(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		before, err := w.dossierDigest(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		status := make([]int, coPartyAttempts)
		reqIDs := make([]string, coPartyAttempts)
		errs := make([]error, coPartyAttempts)
		for i := range coPartyAttempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status[i], reqIDs[i], errs[i] = w.put(ctx, jurist, "/evidence/"+pending.String()+"/content", "%PDF-1.4\nforged\n")
			}()
		}
		wg.Wait()
		for i := range coPartyAttempts {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if status[i] != http.StatusForbidden {
				t.Fatalf("attempt %d: want HTTP 403, got %d", i, status[i])
			}
			w.coPartyDenials(ctx, t, reqIDs[i], "evidence:write", d.ID)
		}
		after, err := w.dossierDigest(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Error("the owner's document changed under refused uploads")
		}
	})
}

// coPartyAttempt makes coPartyAttempts concurrent requests of op by the
// co-civil party's jurist on a new dossier of the owner related as rel.
func coPartyAttempt(ctx context.Context, t *testing.T, w *mxWorld, jurist *mxActor, op *authzOperation, rel string) {
	d, err := w.dossierFor(ctx, jurist, rel)
	if err != nil {
		t.Fatal(err)
	}
	c := &mxCell{w: w, op: op, a: jurist, rel: rel, d: d}
	vars, err := op.Vars(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	before, err := w.dossierDigest(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	resps := make([]mxResponse, coPartyAttempts)
	errs := make([]error, coPartyAttempts)
	var wg sync.WaitGroup
	for i := range coPartyAttempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resps[i], errs[i] = w.do(ctx, jurist, jurist.token, op.Query, vars)
		}()
	}
	wg.Wait()
	for i, r := range resps {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if r.code() != string(mxForbidden) {
			t.Fatalf("attempt %d: want FORBIDDEN, got %s: %s", i, r.code(), r.body)
		}
		if strings.Contains(string(r.body), mxTitleMarker) || strings.Contains(string(r.body), mxNameMarker) {
			t.Fatalf("attempt %d returned the owner's data: %s", i, r.body)
		}
		w.coPartyDenials(ctx, t, r.reqID, string(op.Perm), d.ID)
	}
	after, err := w.dossierDigest(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the owner's dossier changed under %d refused %s", coPartyAttempts, op.Field)
	}
}

// put uploads body to path with a's session and the CSRF header; it
// returns the status and the request id.
func (w *mxWorld) put(ctx context.Context, a *mxActor, path, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, w.url+path, bytes.NewReader([]byte(body)))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set(httpserver.CSRFHeader, "1")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.AddCookie(&http.Cookie{Name: httpserver.SessionCookie, Value: a.token})
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, "", fmt.Errorf("read response: %w", err)
	}
	return resp.StatusCode, resp.Header.Get("X-Request-Id"), nil
}

// dpoOf is a new data-protection officer of org with a session.
func (w *mxWorld) dpoOf(ctx context.Context, t *testing.T, org uuid.UUID) *mxActor {
	t.Helper()
	id, _, err := w.newUser(ctx, actor.DPO, org)
	if err != nil {
		t.Fatal(err)
	}
	token, err := w.newSession(ctx, id, &org, auth.StageFull)
	if err != nil {
		t.Fatal(err)
	}
	return &mxActor{name: "dpo", role: actor.DPO, kind: mxFull, userID: id, token: token}
}

// auditCount is how many events dpo finds through auditEvents with filter.
func (w *mxWorld) auditCount(ctx context.Context, t *testing.T, dpo *mxActor, filter map[string]any) int {
	t.Helper()
	r, err := w.do(ctx, dpo, dpo.token, `query($f: AuditFilter) { auditEvents(filter: $f) { nodes { id action } } }`,
		map[string]any{"f": filter})
	if err != nil {
		t.Fatal(err)
	}
	if r.code() != "" {
		t.Fatalf("auditEvents: %s", r.body)
	}
	return strings.Count(string(r.body), `"action"`)
}

// Issue 10, through the real stack: the co-civil party's jurist reads the
// owner's shared dossier, and someone fails to sign in with the e-mail of a
// member of the co-civil party.
func TestAuditVisibilityAcrossCoCivilParties(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMatrixWorld(t)
	jurist := w.coPartyJurist(t)
	ownerDPO, coPartyDPO, thirdDPO := w.dpoOf(ctx, t, w.orgB), w.dpoOf(ctx, t, w.orgA), w.dpoOf(ctx, t, w.orgC)

	r, err := w.do(ctx, jurist, jurist.token, `query($id: ID!) { dossier(id: $id) { id title } }`,
		map[string]any{"id": w.dsShared.ID})
	if err != nil || r.code() != "" {
		t.Fatalf("the co-civil party reads the shared dossier: %v %s", err, r.body)
	}
	read := map[string]any{"dossierId": w.dsShared.ID, "actorId": jurist.userID, "action": "dossier.read"}
	for name, tc := range map[string]struct {
		dpo  *mxActor
		want int
	}{"owner's DPO": {ownerDPO, 1}, "co-civil party's DPO": {coPartyDPO, 1}, "third organisation's DPO": {thirdDPO, 0}} {
		if n := w.auditCount(ctx, t, tc.dpo, read); n != tc.want {
			t.Errorf("%s finds %d reads of the shared dossier by the co-civil party's jurist, want %d", name, n, tc.want)
		}
	}

	// A failed sign-in with a member's e-mail (the member is A's).
	if _, err := w.login(ctx, w.loginEmail, "not-the-password-at-all-99"); err == nil {
		t.Fatal("sign-in with a wrong password opened a session")
	}
	var member uuid.UUID
	if err := w.pool.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`, w.loginEmail).Scan(&member); err != nil {
		t.Fatal(err)
	}
	failed := map[string]any{"actorId": member, "action": "auth.login", "outcome": "DENIED"}
	for name, tc := range map[string]struct {
		dpo  *mxActor
		want int
	}{"the member's DPO": {coPartyDPO, 1}, "another organisation's DPO": {ownerDPO, 0}, "a third organisation's DPO": {thirdDPO, 0}} {
		if n := w.auditCount(ctx, t, tc.dpo, failed); n != tc.want {
			t.Errorf("%s finds %d failed sign-ins of the member, want %d", name, n, tc.want)
		}
	}
}
