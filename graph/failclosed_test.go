package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/auth/authtest"
	"github.com/egide/egide/internal/demo"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

// appStack is the real HTTP stack on a pool working as the application
// role, as `egide serve` runs it, with a superuser pool on the same
// database for what an operator (or a test) does behind it.
type appStack struct {
	url      string
	app      *pgxpool.Pool
	super    *pgxpool.Pool
	accounts map[string]demo.Account // by e-mail
	codes    *authtest.Codes
}

func newAppStack(t testing.TB, dossiers int) *appStack {
	t.Helper()
	return newAppStackPool(t, dossiers, "")
}

// newAppStackPool is newAppStack with pool settings for the application's
// pool (e.g. "pool_max_conns=1").
func newAppStackPool(t testing.TB, dossiers int, poolParams string) *appStack {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	appURL := dbURL
	if poolParams != "" {
		sep := "?"
		if strings.Contains(appURL, "?") {
			sep = "&"
		}
		appURL += sep + poolParams
	}
	app, err := postgres.Open(ctx, appURL, postgres.AsAppRole())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	super, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(super.Close)
	srv, accs := seededServer(t, app, dossiers)
	st := &appStack{url: srv.URL, app: app, super: super, accounts: map[string]demo.Account{}, codes: &authtest.Codes{}}
	for _, a := range accs {
		st.accounts[a.Email] = a
	}
	return st
}

// gqlResult is a GraphQL answer, kept raw to search it byte by byte.
type gqlResult struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	raw string
}

func (st *appStack) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

func (st *appStack) do(t testing.TB, c *http.Client, query string, vars map[string]any) gqlResult {
	t.Helper()
	raw, _ := postRaw(t, c, st.url, query, vars)
	var r gqlResult
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		t.Fatalf("decode: %v: %s", err, raw)
	}
	r.raw = raw
	return r
}

const loginMutation = `mutation($e: String!, $p: String!, $c: String) { login(input: {email: $e, password: $p, totp: $c}) { status } }`

func (st *appStack) login(t testing.TB, c *http.Client, email string) gqlResult {
	t.Helper()
	a, ok := st.accounts[email]
	if !ok {
		t.Fatalf("no demo account %s", email)
	}
	return st.do(t, c, loginMutation, map[string]any{"e": a.Email, "p": a.Password, "c": st.codes.Next(a.TOTPSecret)})
}

// tableCounts counts the rows of every table of the schema.
func tableCounts(t testing.TB, pool *pgxpool.Pool) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, name := range tables {
		var n int64
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

// caseData is every piece of case content the seeded database holds that
// a response could carry: references, titles, summaries, pseudonyms.
func caseData(t testing.TB, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT reference FROM dossiers UNION SELECT title FROM dossiers UNION SELECT summary FROM dossiers
		UNION SELECT pseudonym FROM victims UNION SELECT pseudonym FROM defendants
		UNION SELECT court_name FROM proceedings UNION SELECT court_room FROM hearings`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s *string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		// Short values ("Salle 1") could match by chance; the distinctive ones suffice.
		if s != nil && len(*s) >= 8 {
			out = append(out, *s)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// When the audit event cannot be written, nothing happens: every request
// fails, no byte of case data leaves, no change is stored (DESIGN: one
// transaction per service call, the audit event inside it).
func TestAuditFailureFailsClosed(t *testing.T) {
	t.Parallel()
	st := newAppStack(t, 12)
	ctx := context.Background()
	const jurist, jurist2, dpo = "juriste1@demo.egide.local", "juriste2@demo.egide.local", "dpo@demo.egide.local"

	// Before: sessions opened, and each request below shown to work.
	c, d := st.client(), st.client()
	for email, cl := range map[string]*http.Client{jurist: c, dpo: d} {
		if r := st.login(t, cl, email); len(r.Errors) > 0 || fmt.Sprint(r.Data["login"]) != "map[status:SIGNED_IN]" {
			t.Fatalf("sign-in %s: %s", email, r.raw)
		}
	}
	list := st.do(t, c, ListQuery, map[string]any{"n": 50})
	nodes, _ := jsonAt(list.Data, "dossiers", "nodes").([]any)
	if len(list.Errors) > 0 || len(nodes) == 0 {
		t.Fatalf("list before: %s", list.raw)
	}
	var dossierID, victimID, legalName string
	for _, n := range nodes {
		for _, v := range jsonAt(n, "victims").([]any) {
			r := st.do(t, c, `mutation($v: ID!) { revealIdentity(personId: $v, reason: "Préparation de l'audience") { legalName } }`,
				map[string]any{"v": jsonAt(v, "id")})
			if len(r.Errors) == 0 {
				dossierID, victimID = jsonAt(n, "id").(string), jsonAt(v, "id").(string)
				legalName = jsonAt(r.Data, "revealIdentity", "legalName").(string)
				break
			}
		}
		if legalName != "" {
			break
		}
	}
	if legalName == "" {
		t.Fatal("no identity the jurist can reveal among the seeded dossiers")
	}
	secrets := append(caseData(t, st.super), legalName)
	if len(secrets) < 50 {
		t.Fatalf("only %d case values to look for", len(secrets))
	}
	// The search finds case data where there is some.
	seen := 0
	for _, s := range secrets {
		if strings.Contains(list.raw, s) {
			seen++
		}
	}
	if seen < 10 {
		t.Fatalf("the list, audit working, shows only %d of the case values looked for", seen)
	}
	// Each request runs once with the audit log working (round "before"),
	// then with it refusing; round names what must be unique.
	requests := []struct {
		name, query string
		vars        func(round string) map[string]any
		client      *http.Client
	}{
		{"list dossiers", ListQuery, vars(map[string]any{"n": 50}), c},
		{"read a dossier", `query($id: ID!) { dossier(id: $id) { reference title summary victims { pseudonym }
			defendants { pseudonym } charges { article } currentProceeding { courtName } nextHearing { courtRoom } } }`,
			vars(map[string]any{"id": dossierID}), c},
		{"read a victim", `query($id: ID!) { victim(id: $id) { pseudonym ageAtFacts dossier { reference } } }`,
			vars(map[string]any{"id": victimID}), c},
		{"reveal an identity", `mutation($v: ID!) { revealIdentity(personId: $v, reason: "Préparation de l'audience") { legalName birthDate } }`,
			vars(map[string]any{"v": victimID}), c},
		{"hearing calendar", `query($f: Time!, $t: Time!) { hearings(from: $f, to: $t) { nodes { courtRoom dossier { reference title } } } }`,
			vars(map[string]any{"f": time.Now().AddDate(0, -6, 0).Format(time.RFC3339), "t": time.Now().AddDate(0, 6, 0).Format(time.RFC3339)}), c},
		{"create a dossier", `mutation($r: String!) { createDossier(input: {reference: $r, title: "Écrit malgré tout", themes: [GROOMING]}) { id reference } }`,
			func(round string) map[string]any { return map[string]any{"r": "FC-" + round} }, c},
		{"add a victim", `mutation($d: ID!, $p: String!) { addVictim(input: {dossierId: $d, pseudonym: $p, ageAtFacts: 11}) { id pseudonym } }`,
			func(round string) map[string]any { return map[string]any{"d": dossierID, "p": "Victime " + round} }, c},
		{"update a dossier", `mutation($d: ID!, $t: String!) { updateDossier(id: $d, input: {title: $t}) { id title } }`,
			func(round string) map[string]any { return map[string]any{"d": dossierID, "t": "Titre " + round} }, c},
		{"set an identity", `mutation($v: ID!, $n: String!) { setVictimIdentity(id: $v, input: {legalName: $n}) { hasIdentity } }`,
			func(round string) map[string]any { return map[string]any{"v": victimID, "n": "Nom " + round} }, c},
		{"read the audit log (DPO)", `{ auditEvents(first: 10) { nodes { action dossierId } } }`, vars(nil), d},
	}
	for _, rq := range requests {
		if r := st.do(t, rq.client, rq.query, rq.vars("before")); len(r.Errors) > 0 {
			t.Fatalf("%s, audit working: %s", rq.name, r.raw)
		}
	}
	// The changes above are the baseline.
	secrets = append(caseData(t, st.super), legalName)
	before := tableCounts(t, st.super)
	changed := func() string { // what the updates above would change
		var out string
		if err := st.super.QueryRow(ctx, `SELECT d.title || encode(v.identity_ciphertext, 'hex')
			FROM dossiers d JOIN victims v ON v.dossier_id = d.id WHERE v.id = $1`, victimID).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	unchanged := changed()

	// The audit log now refuses the application's inserts (privileges are
	// per database: only this test's database).
	if _, err := st.super.Exec(ctx, `REVOKE INSERT ON audit_events FROM egide_app`); err != nil {
		t.Fatal(err)
	}
	for _, rq := range requests {
		t.Run(rq.name, func(t *testing.T) {
			r := st.do(t, rq.client, rq.query, rq.vars("after"))
			if len(r.Errors) == 0 {
				t.Fatalf("succeeded without its audit event: %s", r.raw)
			}
			for _, s := range secrets {
				if strings.Contains(r.raw, s) {
					t.Fatalf("the response carries case data %q: %s", s, r.raw)
				}
			}
			for _, v := range r.Data {
				if v != nil {
					t.Fatalf("the response carries data: %s", r.raw)
				}
			}
			if strings.Contains(r.raw, "audit_events") || strings.Contains(r.raw, "permission denied") {
				t.Errorf("the error leaks database internals: %s", r.raw)
			}
			t.Logf("%s", r.raw)
		})
	}
	t.Run("sign in", func(t *testing.T) {
		r := st.login(t, st.client(), jurist2)
		if len(r.Errors) == 0 {
			t.Fatalf("signed in without its audit event: %s", r.raw)
		}
		t.Logf("%s", r.raw)
	})
	t.Run("nothing written", func(t *testing.T) {
		after := tableCounts(t, st.super)
		for table, n := range before {
			// A sign-in reserves its attempt in auth_throttle, committed
			// before the password is checked so that parallel attempts
			// cannot overrun the budget: an attempt that then failed (here,
			// on its audit event) still spent it. That is a counter, not data.
			if table == "auth_throttle" {
				continue
			}
			if after[table] != n {
				t.Errorf("%s: %d rows, %d before", table, after[table], n)
			}
		}
		if changed() != unchanged {
			t.Error("the dossier's title or the victim's identity changed")
		}
	})

	// And back: the same requests work once the log accepts events again.
	if _, err := st.super.Exec(ctx, `GRANT INSERT ON audit_events TO egide_app`); err != nil {
		t.Fatal(err)
	}
	if r := st.do(t, c, ListQuery, map[string]any{"n": 5}); len(r.Errors) > 0 {
		t.Fatalf("list after the grant: %s", r.raw)
	}
}

// vars is the same variables every round.
func vars(v map[string]any) func(string) map[string]any {
	return func(string) map[string]any { return v }
}

// jsonAt walks decoded JSON by keys and indexes.
func jsonAt(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}
