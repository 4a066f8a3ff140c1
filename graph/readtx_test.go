package graph_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// A query operation is one transaction: the page and its nested fields
// are read in one snapshot and all their audit events commit together.
func TestReadRequestIsOneTransaction(t *testing.T) {
	t.Parallel()
	st := newAppStack(t, 12)
	c := st.client()
	if r := st.login(t, c, "juriste1@demo.egide.local"); len(r.Errors) > 0 {
		t.Fatalf("sign-in: %s", r.raw)
	}
	raw, reqID := postRaw(t, c, st.url, ListQuery, map[string]any{"n": 50})
	if strings.Contains(raw, `"errors"`) {
		t.Fatalf("list: %s", raw)
	}
	var events, txs int
	var actions string
	if err := st.super.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT xmin::text),
		string_agg(DISTINCT action, ',' ORDER BY action) FROM audit_events WHERE request_id = $1`, reqID).
		Scan(&events, &txs, &actions); err != nil {
		t.Fatal(err)
	}
	if actions != "deadline.list,deadline.read,defendant.list,dossier.list,hearing.read,proceeding.read,victim.list" || txs != 1 {
		t.Fatalf("request %s: %d events (%s) in %d transactions, want 7 in 1", reqID, events, actions, txs)
	}
}

// When one access of a read request cannot be recorded, the whole request
// returns nothing, not even the parts whose events were written before
// (their transaction is the same, and it does not commit).
func TestReadRequestFailsWhole(t *testing.T) {
	t.Parallel()
	st := newAppStack(t, 12)
	c := st.client()
	if r := st.login(t, c, "juriste1@demo.egide.local"); len(r.Errors) > 0 {
		t.Fatalf("sign-in: %s", r.raw)
	}
	secrets := caseData(t, st.super)
	// The page's event (dossier.list) is written first; the victims' fails.
	if _, err := st.super.Exec(context.Background(),
		`ALTER TABLE audit_events ADD CONSTRAINT refuse_victims CHECK (action <> 'victim.list') NOT VALID`); err != nil {
		t.Fatal(err)
	}
	r := st.do(t, c, ListQuery, map[string]any{"n": 50})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "INTERNAL" || r.Data != nil {
		t.Fatalf("want only INTERNAL, no data: %s", r.raw)
	}
	for _, s := range secrets {
		if strings.Contains(r.raw, s) {
			t.Fatalf("the response carries case data %q", s)
		}
	}
	var n int
	if err := st.super.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'dossier.list'`).
		Scan(&n); err != nil || n != 0 {
		t.Fatalf("dossier.list events committed: %d, %v", n, err)
	}
}

// A read request holds at most one connection at a time, so requests that
// read, are refused (the refusal commits on its own) and ask for the
// viewer at once complete on a pool of one connection.
func TestReadRequestsNeedOneConnection(t *testing.T) {
	t.Parallel()
	st := newAppStackPool(t, 12, "pool_max_conns=1")
	jurist, lawyer := st.client(), st.client()
	for email, c := range map[string]*http.Client{"juriste1@demo.egide.local": jurist, "avocate@demo.egide.local": lawyer} {
		if r := st.login(t, c, email); len(r.Errors) > 0 {
			t.Fatalf("sign-in %s: %s", email, r.raw)
		}
	}
	var unassigned string // a dossier the partner lawyer may not see
	if err := st.super.QueryRow(context.Background(), `SELECT d.id FROM dossiers d WHERE NOT EXISTS (
		SELECT FROM dossier_assignments a JOIN users u ON u.id = a.user_id
		WHERE a.dossier_id = d.id AND u.email = 'avocate@demo.egide.local') LIMIT 1`).Scan(&unassigned); err != nil {
		t.Fatal(err)
	}
	requests := []struct {
		c     *http.Client
		query string
		vars  map[string]any
		ok    func(gqlResult) bool
	}{
		{jurist, ListQuery, map[string]any{"n": 20}, func(r gqlResult) bool { return len(r.Errors) == 0 }},
		{jurist, `{ me { displayName } dossiers(first: 3) { nodes { reference victims { pseudonym } } } }`, nil,
			func(r gqlResult) bool { return len(r.Errors) == 0 && r.Data["me"] != nil }},
		{lawyer, `query($id: ID!) { me { displayName } dossier(id: $id) { reference } }`, map[string]any{"id": unassigned},
			func(r gqlResult) bool { return len(r.Errors) == 1 && r.Errors[0].Extensions["code"] == "NOT_FOUND" }},
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 6 {
				rq := requests[(w+i)%len(requests)]
				if r := st.do(t, rq.c, rq.query, rq.vars); !rq.ok(r) {
					t.Errorf("%.60s: %s", rq.query, r.raw)
				}
			}
		})
	}
	wg.Wait()
	var denials int
	if err := st.super.QueryRow(context.Background(), `SELECT count(*) FROM audit_events
		WHERE outcome = 'denied' AND dossier_id = $1`, unassigned).Scan(&denials); err != nil || denials == 0 {
		t.Fatalf("refusals recorded: %d, %v", denials, err)
	}
}
