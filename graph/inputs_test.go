package graph_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/graph/generated"
	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth/authtest"
	"github.com/egide/egide/internal/demo"
	"github.com/egide/egide/internal/page"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

// gqlAnswer is a GraphQL response as an attacker reads it.
type gqlAnswer struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code   string `json:"code"`
			Fields []struct {
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"fields"`
		} `json:"extensions"`
	} `json:"errors"`
}

func (a gqlAnswer) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	return a.Errors[0].Extensions.Code
}

func (a gqlAnswer) fields() []string {
	var out []string
	for _, e := range a.Errors {
		for _, f := range e.Extensions.Fields {
			out = append(out, f.Field)
		}
	}
	return out
}

// syncLog collects what a handler logs.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// bareGraphQL is the GraphQL handler alone (no database: only what needs
// none, introspection and validation, can be asked of it).
func bareGraphQL(t *testing.T, introspection bool) (func(query string) (int, gqlAnswer), *syncLog) {
	t.Helper()
	logs := &syncLog{}
	res := &graph.Resolver{}
	h := graph.NewHandler(res, graph.HandlerOptions{Introspection: introspection, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	return func(query string) (int, gqlAnswer) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		a := actor.Actor{RequestID: "req-1"}
		ctx := graph.WithLoaders(graph.WithActor(req.Context(), a), res.NewLoaders(a))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(ctx))
		var out gqlAnswer
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%d: %v %s", rec.Code, err, rec.Body.String())
		}
		return rec.Code, out
	}, logs
}

// In serve (introspection off), an introspection query is refused plainly
// — FORBIDDEN, a message, no INTERNAL and no ERROR log line — and no
// validation error suggests names ("Did you mean …"), which would publish
// the schema one guess at a time.
func TestIntrospectionOffAndNoSuggestions(t *testing.T) {
	t.Parallel()
	do, logs := bareGraphQL(t, false)
	for _, q := range []string{
		`{ __schema { types { name } } }`,
		`{ __type(name: "Victim") { fields { name } } }`,
		`query IntrospectionQuery { __schema { queryType { name } mutationType { name } types { name kind } } }`,
		`{ __schema { queryType { name } } __type(name: "Dossier") { name } }`,
	} {
		_, got := do(q)
		if len(got.Errors) == 0 || got.code() != "FORBIDDEN" {
			t.Fatalf("%s: want FORBIDDEN, got %+v", q, got)
		}
		for _, e := range got.Errors {
			if e.Extensions.Code != "FORBIDDEN" || e.Message != "introspection is disabled on this server" {
				t.Errorf("%s: error %+v", q, e)
			}
		}
		if b, _ := json.Marshal(got.Data); strings.Contains(string(b), "Victim") || strings.Contains(string(b), "Dossier") {
			t.Errorf("%s: the schema leaked: %s", q, b)
		}
	}
	// __typename is not introspection of the schema: still answered.
	if _, got := do(`{ __typename }`); len(got.Errors) != 0 || got.Data["__typename"] != "Query" {
		t.Errorf("__typename: %+v", got)
	}
	for _, tc := range []struct{ query, hidden string }{
		{`{ dossierz { id } }`, `"dossiers"`},
		{`{ dossiers(frist: 5) { totalCount } }`, `"first"`},
		{`{ dossiers(filter: {txt: "a"}) { totalCount } }`, `"text"`},
		{`{ dossiers(filter: {status: OPN}) { totalCount } }`, `"OPEN"`},
		{`{ dossiers(orderBy: {field: OPENED, direction: ASC}) { totalCount } }`, `"OPENED_ON"`},
		{`query($f: DossierFiltr) { dossiers(filter: $f) { totalCount } }`, `Did you mean`},
		{`{ dossiers { nodes { titel } } }`, `"title"`},
	} {
		status, got := do(tc.query)
		if status >= 500 || got.code() != "INVALID" {
			t.Fatalf("%s: HTTP %d %+v, want INVALID", tc.query, status, got)
		}
		for _, e := range got.Errors {
			if strings.Contains(e.Message, "Did you mean") || strings.Contains(e.Message, tc.hidden) || e.Message == "" {
				t.Errorf("%s: the message suggests: %q", tc.query, e.Message)
			}
		}
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("refused introspection or invalid queries logged as errors:\n%s", logs)
	}
	// In dev, introspection answers (and the refusal above is not a bug
	// of the schema).
	dev, _ := bareGraphQL(t, true)
	if _, got := dev(`{ __schema { queryType { name } } }`); len(got.Errors) != 0 {
		t.Fatalf("introspection in dev: %+v", got)
	}
}

// attacker is a signed-in client of the seeded server.
type attacker struct {
	t   *testing.T
	url string
	c   *http.Client
}

func signIn(t *testing.T, url string, accs []demo.Account, role string) *attacker {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	for _, a := range accs {
		if a.Role == role {
			post(t, c, url, `mutation($e: String!, $p: String!, $c: String) { login(input: {email: $e, password: $p, totp: $c}) { status } }`,
				map[string]any{"e": a.Email, "p": a.Password, "c": (&authtest.Codes{}).Next(a.TOTPSecret)})
			return &attacker{t: t, url: url, c: c}
		}
	}
	t.Fatalf("no %s account", role)
	return nil
}

func (a *attacker) ask(query string, vars map[string]any) gqlAnswer {
	a.t.Helper()
	raw, _ := postRaw(a.t, a.c, a.url, query, vars)
	var out gqlAnswer
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		a.t.Fatalf("%v: %.300s", err, raw)
	}
	return out
}

// What an attacker sends in the fields of otherwise well-formed requests:
// forged cursors, oversized lists, names that read as something else.
// Every one is INVALID on the field it came in, never INTERNAL.
func TestAttackerInputs(t *testing.T) {
	t.Parallel()
	pool, err := pgxpool.New(context.Background(), pgtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	srv, accs := seededServer(t, pool, 3)
	staff := signIn(t, srv.URL, accs, "legal_staff")
	admin := signIn(t, srv.URL, accs, "admin")
	d := staff.ask(`{ dossiers(first: 1) { nodes { id victims { id } } } }`, nil)
	nodes := d.Data["dossiers"].(map[string]any)["nodes"].([]any)
	dossierID := nodes[0].(map[string]any)["id"].(string)
	victimID := nodes[0].(map[string]any)["victims"].([]any)[0].(map[string]any)["id"].(string)

	t.Run("cursors", func(t *testing.T) {
		enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		id := uuid.NewString()
		cursors := map[string]string{
			"garbage":                   "!!!not base64!!!",
			"base64 of garbage":         enc("garbage"),
			"base64 of a JSON array":    enc(`[1,2]`),
			"no id":                     enc(`{"k":"2025-01-01"}`),
			"NUL in the key":            enc(`{"k":"2025-01-01\u0000","i":"` + id + `"}`),
			"SQL in the key":            enc(`{"k":"'; SELECT 1; --","i":"` + id + `"}`),
			"users list shape":          page.Cursor{Key: "someone@example.org", ID: uuid.New()}.Encode(),
			"reference-sorted shape":    page.Cursor{Key: "D-2025-001", ID: uuid.New()}.Encode(),
			"out-of-range date":         page.Cursor{Key: "2025-02-30", ID: uuid.New()}.Encode(),
			"oversized":                 page.Cursor{Key: strings.Repeat("9", 5000), ID: uuid.New()}.Encode(),
			"date on the timestamp key": page.Cursor{Key: "2025-01-01", ID: uuid.New()}.Encode(),
		}
		lists := []struct {
			who   *attacker
			query string
			takes []string // cursors this list takes as a valid position
		}{
			// Sorted by opening date: a date is a position.
			{staff, `query($a: String) { dossiers(after: $a) { totalCount } }`, []string{"date on the timestamp key"}},
			{staff, `query($a: String) { dossiers(after: $a, orderBy: {field: UPDATED_AT, direction: DESC}) { totalCount } }`, nil},
			{staff, `query($a: String) { hearings(from: "2020-01-01T00:00:00Z", to: "2040-01-01T00:00:00Z", after: $a) { nodes { id } } }`, nil},
			// Sorted by e-mail address: any text is a position.
			{admin, `query($a: String) { users(after: $a) { nodes { id } } }`, []string{"users list shape",
				"reference-sorted shape", "out-of-range date", "date on the timestamp key", "SQL in the key"}},
		}
		for name, c := range cursors {
			for i, l := range lists {
				if slices.Contains(l.takes, name) {
					continue
				}
				got := l.who.ask(l.query, map[string]any{"a": c})
				if got.code() != "INVALID" || fmt.Sprint(got.fields()) != "[after]" {
					t.Errorf("list %d, cursor %s: want INVALID on after, got %+v", i, name, got)
				}
			}
		}
	})

	t.Run("bidi and control characters", func(t *testing.T) {
		const rlo = "\u202e"
		for _, tc := range []struct {
			name, query, field string
			vars               map[string]any
		}{
			{"dossier reference", `mutation($v: String!) { createDossier(input: {reference: $v, title: "t", themes: [GROOMING]}) { id } }`,
				"reference", nil},
			{"dossier title", `mutation($v: String!) { createDossier(input: {reference: "R-bidi", title: $v, themes: [GROOMING]}) { id } }`,
				"title", nil},
			{"prosecutor's reference", `mutation($v: String) { createDossier(input: {reference: "R-bidi", title: "t", themes: [GROOMING], parquetNumber: $v}) { id } }`,
				"parquetNumber", nil},
			{"dossier title update", `mutation($id: ID!, $v: String) { updateDossier(id: $id, input: {title: $v}) { id } }`,
				"title", map[string]any{"id": dossierID}},
			{"victim pseudonym", `mutation($d: ID!, $v: String!) { addVictim(input: {dossierId: $d, pseudonym: $v}) { id } }`,
				"pseudonym", map[string]any{"d": dossierID}},
			{"defendant pseudonym", `mutation($d: ID!, $v: String!) { addDefendant(input: {dossierId: $d, pseudonym: $v, role: RECRUITER}) { id } }`,
				"pseudonym", map[string]any{"d": dossierID}},
			{"evidence title", `mutation($d: ID!, $v: String!) { createEvidence(input: {dossierId: $d, kind: OTHER, title: $v, idempotencyKey: "k1"}) { id } }`,
				"title", map[string]any{"d": dossierID}},
			{"evidence file name", `mutation($d: ID!, $v: String) { createEvidence(input: {dossierId: $d, kind: OTHER, title: "t", fileName: $v, idempotencyKey: "k2"}) { id } }`,
				"fileName", map[string]any{"d": dossierID}},
			{"consent reference", `mutation($id: ID!, $v: String) { recordConsent(input: {victimId: $id, givenBy: VICTIM, givenOn: "2025-01-01", reference: $v}) { id } }`,
				"reference", map[string]any{"id": victimID}},
		} {
			for _, v := range []string{"rapport" + rlo + "fdp.exe", "a\u2066b\u2069", "\u200fx", "x\u202ay\u202c"} {
				vars := map[string]any{"v": v}
				for k, x := range tc.vars {
					vars[k] = x
				}
				got := staff.ask(tc.query, vars)
				if got.code() != "INVALID" || fmt.Sprint(got.fields()) != "["+tc.field+"]" {
					t.Errorf("%s %+q: want INVALID on %s, got %+v", tc.name, v, tc.field, got)
				}
			}
		}
	})

	// User ids, which the authorization matrix does not try missing: a
	// random id and a user of another organisation get the same answer
	// and the same refusal event.
	t.Run("user ids", func(t *testing.T) {
		stranger := testfixture.User(t, pool, testfixture.Org(t, pool), actor.LegalStaff).UserID
		for _, q := range []string{
			`query($id: ID!) { user(id: $id) { id } }`,
			`mutation($id: ID!) { disableUser(id: $id) { id } }`,
			`mutation($id: ID!) { setUserRoles(id: $id, roles: [LEGAL_STAFF]) { id } }`,
			`mutation($id: ID!) { resetUserPassword(id: $id, temporaryPassword: "une phrase de passe assez longue") { id } }`,
			`mutation($id: ID!) { unassignDossier(dossierId: "` + dossierID + `", userId: $id) { id } }`,
		} {
			var bodies, events []string
			for _, id := range []uuid.UUID{uuid.New(), stranger} {
				raw, reqID := postRaw(t, admin.c, admin.url, q, map[string]any{"id": id})
				bodies = append(bodies, raw)
				var kinds string
				if err := pool.QueryRow(context.Background(), `SELECT coalesce(string_agg(action || '/' || outcome, ',' ORDER BY id), '')
					FROM audit_events WHERE request_id = $1`, reqID).Scan(&kinds); err != nil {
					t.Fatal(err)
				}
				events = append(events, kinds)
			}
			if bodies[0] != bodies[1] || events[0] != events[1] || !strings.Contains(bodies[0], `"NOT_FOUND"`) {
				t.Errorf("%s\nmissing: %s [%s]\nother organisation: %s [%s]", q, bodies[0], events[0], bodies[1], events[1])
			}
		}
	})

	t.Run("list bounds", func(t *testing.T) {
		checkListBounds(t, staff, admin, dossierID)
	})
}

// listBound is how a list input of the schema is bounded, and a request
// that sends it n entries.
type listBound struct {
	max   int
	admin bool // the administrator sends it, not the jurist
	field string
	query string
	entry func(i int) any
}

// listBounds has every list-typed input of the schema (input object
// fields and arguments, "Type.field" or "Mutation.field.arg"): a new one
// fails TestAttackerInputs until it is bounded and listed here.
func listBounds(dossierID string) map[string]listBound {
	theme := func(int) any { return "GROOMING" }
	label := func(i int) any { return fmt.Sprintf("entry %d", i) }
	country := func(int) any { return "FR" }
	role := func(int) any { return "LEGAL_STAFF" }
	create := func(field string) string {
		return `mutation($v: [` + map[bool]string{true: "Theme", false: "String"}[field == "themes"] + `!]) { createDossier(input: {reference: "R-bound", title: "t", themes: [GROOMING], ` +
			field + `: $v}) { id } }`
	}
	update := func(field, typ string) string {
		return `mutation($v: [` + typ + `!]) { updateDossier(id: "` + dossierID + `", input: {` + field + `: $v}) { id } }`
	}
	charge := `article: "227-23", participation: AUTHOR, retainedBy: PROSECUTOR, retainedOn: "2025-01-01", aggravatingCircumstances: $v`
	return map[string]listBound{
		"CreateDossierInput.themes": {max: 20, field: "themes", entry: theme,
			query: `mutation($v: [Theme!]!) { createDossier(input: {reference: "R-bound", title: "t", themes: $v}) { id } }`},
		"CreateDossierInput.platforms": {max: 30, field: "platforms", entry: label, query: create("platforms")},
		"CreateDossierInput.countries": {max: 50, field: "countries", entry: country, query: create("countries")},
		"UpdateDossierInput.themes":    {max: 20, field: "themes", entry: theme, query: update("themes", "Theme")},
		"UpdateDossierInput.platforms": {max: 30, field: "platforms", entry: label, query: update("platforms", "String")},
		"UpdateDossierInput.countries": {max: 50, field: "countries", entry: country, query: update("countries", "String")},
		"DossierFilter.themes": {max: 20, field: "themes", entry: theme,
			query: `query($v: [Theme!]) { dossiers(filter: {themes: $v}) { totalCount } }`},
		"AddChargeInput.aggravatingCircumstances": {max: 30, field: "aggravatingCircumstances", entry: label,
			query: `mutation($v: [String!]) { addCharge(input: {dossierId: "` + dossierID + `", ` + charge + `}) { id } }`},
		"RequalifyChargeInput.aggravatingCircumstances": {max: 30, field: "aggravatingCircumstances", entry: label,
			query: `mutation($v: [String!]) { requalifyCharge(id: "` + uuid.NewString() + `", input: {` + charge + `, reason: "r"}) { id } }`},
		"ScheduleHearingInput.attendees": {max: 20, field: "attendees", entry: label,
			query: `mutation($v: [String!]) { scheduleHearing(input: {dossierId: "` + dossierID + `", kind: TRIAL, startsAt: "2031-01-06T09:00:00Z", attendees: $v}) { id } }`},
		"OrganisationInput.standingArticles": {max: 10, admin: true, field: "standingArticles", entry: func(int) any { return "CPP 2-3" },
			query: `mutation($v: [String!]) { updateOrganisation(id: "` + uuid.NewString() + `", input: {name: "n", standingArticles: $v}) { id } }`},
		"CreateUserInput.roles": {max: graph.MaxRoles, admin: true, field: "roles", entry: role,
			query: `mutation($v: [Role!]!) { createUser(input: {email: "bound@example.org", displayName: "d", roles: $v, temporaryPassword: "une phrase de passe assez longue"}) { id } }`},
		"Mutation.setUserRoles.roles": {max: graph.MaxRoles, admin: true, field: "roles", entry: role,
			query: `mutation($v: [Role!]!) { setUserRoles(id: "` + uuid.NewString() + `", roles: $v) { id } }`},
	}
}

// schemaListInputs lists the list-typed input fields and arguments.
func schemaListInputs() []string {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
	var out []string
	for name, def := range schema.Types {
		if strings.HasPrefix(name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if def.Kind == ast.InputObject && f.Type.Elem != nil {
				out = append(out, name+"."+f.Name)
			}
			if def.Kind == ast.Object && !strings.HasPrefix(f.Name, "__") {
				for _, a := range f.Arguments {
					if a.Type.Elem != nil {
						out = append(out, name+"."+f.Name+"."+a.Name)
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func checkListBounds(t *testing.T, staff, admin *attacker, dossierID string) {
	bounds := listBounds(dossierID)
	for _, in := range schemaListInputs() {
		if _, ok := bounds[in]; !ok {
			t.Errorf("list input %s has no bound: bound it (valid.List) and add it to listBounds", in)
		}
	}
	for name, b := range bounds {
		who := staff
		if b.admin {
			who = admin
		}
		entries := func(n int) []any {
			out := make([]any, n)
			for i := range out {
				out[i] = b.entry(i)
			}
			return out
		}
		over := fmt.Sprintf("at most %d entries", b.max)
		got := who.ask(b.query, map[string]any{"v": entries(b.max + 1)})
		found := false
		for _, e := range got.Errors {
			for _, f := range e.Extensions.Fields {
				found = found || (f.Field == b.field && f.Message == over)
			}
		}
		if got.code() != "INVALID" || !found {
			t.Errorf("%s with %d entries: want INVALID %q on %s, got %+v", name, b.max+1, over, b.field, got)
		}
		// Ten thousand entries: one error, not one per entry.
		if got := who.ask(b.query, map[string]any{"v": entries(10_000)}); got.code() != "INVALID" || len(got.fields()) > 3 {
			t.Errorf("%s with 10 000 entries: %d field errors (%v)", name, len(got.fields()), got.code())
		}
		// At the bound, whatever else the request gets, it is not that.
		for _, e := range who.ask(b.query, map[string]any{"v": entries(b.max)}).Errors {
			for _, f := range e.Extensions.Fields {
				if f.Message == over {
					t.Errorf("%s with %d entries refused as too many", name, b.max)
				}
			}
		}
	}
	_ = context.Background
}
