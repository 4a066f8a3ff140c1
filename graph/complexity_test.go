package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/graph/generated"
)

// aliases repeats field n times, each under its own alias.
func aliases(n int, field string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	return b.String()
}

// The complexity counts every item of a page (first) and every alias.
func TestComplexityCountsPagesAndAliases(t *testing.T) {
	t.Parallel()
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	cases := []struct {
		query string
		vars  map[string]any
		want  int
	}{
		{`{ me { id } }`, nil, 2},
		{`{ dossiers(first: 100) { nodes { id } } }`, nil, 1 + 100*2},
		{`{ dossiers { nodes { id } } }`, nil, 1 + 50*2}, // the schema's default page
		{`{ dossiers(first: 10) { totalCount pageInfo { hasNextPage endCursor } nodes { id victims { id pseudonym } } } }`, nil,
			1 + 1 + 3 + 10*(1+1+3)},
		{`query($n: Int) { dossiers(first: $n) { nodes { id } } }`, map[string]any{"n": json.Number("30")}, 1 + 30*2},
		{`query($n: Int) { dossiers(first: $n) { nodes { id } } }`, map[string]any{"n": int64(-5)}, 1 + 1*2},
		{`{ dossiers(first: 20) { nodes { ...F } } } fragment F on Dossier { id reference }`, nil, 1 + 20*3},
		{`{ ` + aliases(50, `dossiers(first: 100) { nodes { id } }`) + `}`, nil, 50 * (1 + 100*2)},
		{`{ hearings(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", first: 200) { nodes { id dossier { id } } } }`, nil,
			1 + 200*(1+1+2)},
	}
	for _, c := range cases {
		doc, err := gqlparser.LoadQuery(schema, c.query)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got := graph.Complexity(doc.Operations[0].SelectionSet, c.vars); got != c.want {
			t.Errorf("%s: complexity %d, want %d", c.query, got, c.want)
		}
	}
}

// A query that aliases a full page of dossiers 50 times is refused before
// anything runs, with INVALID and a message saying why.
func TestTooComplexQueryIsRefused(t *testing.T) {
	t.Parallel()
	h := graph.NewHandler(&graph.Resolver{}, graph.HandlerOptions{Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	body, _ := json.Marshal(map[string]any{"query": `{ ` + aliases(50, `dossiers(first: 100) { nodes { id } }`) + `}`})
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var r struct {
		Data   any `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "INVALID" || r.Data != nil ||
		!strings.Contains(r.Errors[0].Message, fmt.Sprintf("its complexity is %d, at most %d", 50*201, graph.MaxComplexity)) {
		t.Fatalf("want one INVALID error naming the complexity: %s", raw)
	}
}

// Every query the web app sends fits the limit, at the page sizes it uses
// (at most 100 for a variable page size).
func TestWebAppQueriesFitTheComplexityLimit(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../frontend/src/api/queries.ts")
	if err != nil {
		t.Fatal(err)
	}
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	docs := regexp.MustCompile("(?s)graphql\\(\\s*`([^`]*)`").FindAllStringSubmatch(string(src), -1)
	fragments := map[string]string{}
	fragName := regexp.MustCompile(`fragment\s+(\w+)\s+on`)
	for _, d := range docs {
		if m := fragName.FindStringSubmatch(d[1]); m != nil && strings.HasPrefix(strings.TrimSpace(d[1]), "fragment") {
			fragments[m[1]] = d[1]
		}
	}
	spread := regexp.MustCompile(`\.\.\.\s*(\w+)`)
	checked := 0
	for _, d := range docs {
		q := d[1]
		if strings.HasPrefix(strings.TrimSpace(q), "fragment") {
			continue
		}
		// The fragments it spreads, transitively.
		need, full := map[string]bool{}, q
		for changed := true; changed; {
			changed = false
			for _, m := range spread.FindAllStringSubmatch(full, -1) {
				if f, ok := fragments[m[1]]; ok && !need[m[1]] {
					need[m[1]], full, changed = true, full+"\n"+f, true
				}
			}
		}
		doc, err := gqlparser.LoadQuery(schema, full)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		vars := map[string]any{"first": int64(100), "n": int64(100)}
		for _, op := range doc.Operations {
			checked++
			if n := graph.Complexity(op.SelectionSet, vars); n > graph.MaxComplexity {
				t.Errorf("operation %s: complexity %d, over the limit %d", op.Name, n, graph.MaxComplexity)
			} else {
				t.Logf("operation %s: complexity %d", op.Name, n)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d operations found in the web app", checked)
	}
}

// One request listing the victims of a dossier under 10 aliases writes
// one victim.list event, naming every victim listed.
func TestAliasedListsWriteOneEvent(t *testing.T) {
	t.Parallel()
	st := newAppStack(t, 12)
	c := st.client()
	if r := st.login(t, c, "juriste1@demo.egide.local"); len(r.Errors) > 0 {
		t.Fatalf("sign-in: %s", r.raw)
	}
	ctx := context.Background()
	var dossiers []uuid.UUID
	rows, err := st.super.Query(ctx, `SELECT d.id FROM dossiers d WHERE EXISTS (SELECT 1 FROM victims v WHERE v.dossier_id = d.id)
		ORDER BY d.reference LIMIT 10`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		dossiers = append(dossiers, id)
	}
	if rows.Err() != nil || len(dossiers) < 2 {
		t.Fatalf("dossiers with victims: %d, %v", len(dossiers), rows.Err())
	}
	// Ten aliases: each dossier, its victims listed twice under two
	// names, so the same victims come up more than once.
	var q strings.Builder
	q.WriteString("{ ")
	for i := range 10 {
		fmt.Fprintf(&q, `d%d: dossier(id: "%s") { v%d: victims { id } w%d: victims { id pseudonym } } `, i, dossiers[i%len(dossiers)], i, i)
	}
	q.WriteString("}")
	raw, reqID := postRaw(t, c, st.url, q.String(), nil)
	if strings.Contains(raw, `"errors"`) {
		t.Fatalf("query: %s", raw)
	}
	var data struct {
		Data map[string]map[string][]struct {
			ID uuid.UUID `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(raw), &data); err != nil {
		t.Fatal(err)
	}
	listed := map[uuid.UUID]bool{}
	for _, d := range data.Data {
		for _, vs := range d {
			for _, v := range vs {
				listed[v.ID] = true
			}
		}
	}
	var n int
	var ids []uuid.UUID
	if err := st.super.QueryRow(ctx, `SELECT count(*) OVER (), resource_ids FROM audit_events
		WHERE request_id = $1 AND action = 'victim.list' LIMIT 1`, reqID).Scan(&n, &ids); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d victim.list events for one request, want 1", n)
	}
	named := map[uuid.UUID]bool{}
	for _, id := range ids {
		if named[id] {
			t.Fatalf("victim %s named twice in %v", id, ids)
		}
		named[id] = true
	}
	if len(listed) == 0 || len(named) != len(listed) {
		t.Fatalf("the event names %d victims, the answer listed %d", len(named), len(listed))
	}
	for id := range listed {
		if !named[id] {
			t.Fatalf("victim %s listed but not in the event", id)
		}
	}
}
