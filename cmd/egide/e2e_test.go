package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/egide/egide/internal/auth/authtest"
	"github.com/egide/egide/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// instance is a running egide process (in-process) for one test.
type instance struct {
	addr     string
	dataDir  string
	accounts map[string]account // by role
	codes    *authtest.Codes
}

type account struct {
	Email, Password, Role, TOTPSecret string
}

// startDev boots `egide dev` against a fresh database, with extra
// environment (e.g. a small upload limit), and returns once it listens.
func startDev(t *testing.T, dossiers int, extra map[string]string) *instance {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"DATABASE_URL":        pgtest.NewURL(t),
		"EGIDE_DATA_DIR":      dir,
		"EGIDE_LISTEN":        "127.0.0.1:0",
		"EGIDE_DEMO_DOSSIERS": fmt.Sprint(dossiers),
		"EGIDE_LOG_LEVEL":     "warn",
	}
	for k, v := range extra {
		env[k] = v
	}
	addrc := make(chan string, 1)
	var out bytes.Buffer
	p := &Program{Getenv: func(k string) string { return env[k] }, Stdout: &syncWriter{w: &out}, Stderr: &syncWriter{w: &out},
		Started: func(addr string) { addrc <- addr }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, []string{"dev"}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("egide dev: %v", err)
		}
	})
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("egide dev stopped: %v\n%s", err, out.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("egide dev did not start\n%s", out.String())
	}
	inst := &instance{addr: addr, dataDir: dir, accounts: map[string]account{}, codes: &authtest.Codes{}}
	b, err := os.ReadFile(filepath.Join(dir, "dev-accounts.json"))
	if err != nil {
		t.Fatalf("accounts file: %v", err)
	}
	var accs []account
	if err := json.Unmarshal(b, &accs); err != nil {
		t.Fatalf("accounts file: %v", err)
	}
	for _, a := range accs {
		if _, ok := inst.accounts[a.Role]; !ok {
			inst.accounts[a.Role] = a
		}
	}
	return inst
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// client is one browser-like user of the API, with its cookie jar.
type client struct {
	t     *testing.T
	base  string
	http  *http.Client
	codes *authtest.Codes
}

func (in *instance) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: "http://" + in.addr, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}, codes: in.codes}
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code   string `json:"code"`
		Fields []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"extensions"`
}

type gqlResponse struct {
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
	status int
	raw    string
}

func (c *client) do(query string, vars map[string]any) gqlResponse {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Egide-CSRF", "1")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		c.t.Fatalf("decode response (%d): %v: %s", resp.StatusCode, err, raw)
	}
	r.status, r.raw = resp.StatusCode, string(raw)
	return r
}

// ok runs a query that must succeed and returns its data.
func (c *client) ok(query string, vars map[string]any) map[string]any {
	c.t.Helper()
	r := c.do(query, vars)
	if len(r.Errors) > 0 {
		c.t.Fatalf("unexpected errors: %s", r.raw)
	}
	return r.Data
}

// fails runs a query that must fail with code and returns the first error.
func (c *client) fails(code, query string, vars map[string]any) gqlError {
	c.t.Helper()
	r := c.do(query, vars)
	if len(r.Errors) == 0 {
		c.t.Fatalf("want error %s, got data: %s", code, r.raw)
	}
	if got := r.Errors[0].Extensions.Code; got != code {
		c.t.Fatalf("want error %s, got %s: %s", code, got, r.raw)
	}
	return r.Errors[0]
}

func (c *client) login(a account) {
	c.t.Helper()
	d := c.ok(`mutation($e: String!, $p: String!, $c: String) { login(input: {email: $e, password: $p, totp: $c}) { status } }`,
		map[string]any{"e": a.Email, "p": a.Password, "c": c.codes.Next(a.TOTPSecret)})
	if s := str(d, "login", "status"); s != "SIGNED_IN" {
		c.t.Fatalf("login %s: status %s", a.Role, s)
	}
}

// get walks a decoded JSON value by keys and indexes.
func get(v any, path ...any) any {
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

func str(v any, path ...any) string { s, _ := get(v, path...).(string); return s }

func wantField(t *testing.T, e gqlError, field string) {
	t.Helper()
	for _, f := range e.Extensions.Fields {
		if f.Field == field && f.Message != "" {
			return
		}
	}
	t.Fatalf("want an error on field %q, got %+v", field, e)
}

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	in := startDev(t, 31, nil)
	for _, role := range []string{"admin", "legal_staff", "partner_lawyer", "advocacy", "dpo", "superadmin"} {
		if _, ok := in.accounts[role]; !ok {
			t.Fatalf("no demo account for role %s", role)
		}
	}
	for _, name := range []string{"dev.env", "dev-accounts.json"} {
		st, err := os.Stat(filepath.Join(in.dataDir, name))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: want a file with mode 0600, got %v %v", name, st, err)
		}
	}

	t.Run("probes", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/readyz"} {
			resp, err := http.Get("http://" + in.addr + path)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("GET %s: %v %v", path, resp, err)
			}
			resp.Body.Close()
		}
	})

	t.Run("transport hardening", func(t *testing.T) {
		resp, err := http.Post("http://"+in.addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ me { id } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), `"FORBIDDEN"`) {
			t.Fatalf("POST without CSRF header: want 403 FORBIDDEN, got %d %s", resp.StatusCode, b)
		}
		resp, err = http.Get("http://" + in.addr + "/graphql?query=%7Bme%7Bid%7D%7D")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("GET /graphql: want 405, got %d", resp.StatusCode)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("CSP missing: %q", csp)
		}
		c := in.client(t)
		deep := "{ me { organisation { id } } }"
		for i := 0; i < 8; i++ {
			deep = strings.Replace(deep, "{ id }", "{ id name }", 1)
		}
		c.fails("INVALID", `{ dossiers { nodes { victims { dossier { victims { dossier { victims { dossier { victims { dossier { victims { dossier { id } } } } } } } } } } } }`, nil)
		c.fails("INVALID", `{ nope }`, nil)
	})

	t.Run("unauthenticated", func(t *testing.T) {
		c := in.client(t)
		if d := c.ok(`{ me { id } }`, nil); d["me"] != nil {
			t.Fatalf("me without session: %v", d)
		}
		c.fails("UNAUTHENTICATED", `{ dossiers { totalCount } }`, nil)
		e := c.fails("UNAUTHENTICATED", `mutation { login(input: {email: "nobody@example.org", password: "wrong password"}) { status } }`, nil)
		e2 := c.fails("UNAUTHENTICATED", `mutation($e: String!) { login(input: {email: $e, password: "wrong password"}) { status } }`,
			map[string]any{"e": in.accounts["legal_staff"].Email})
		if e.Message != e2.Message {
			t.Fatalf("unknown e-mail and wrong password must look the same: %q vs %q", e.Message, e2.Message)
		}
	})

	jurist := in.client(t)
	jurist.login(in.accounts["legal_staff"])

	t.Run("dossier list and pagination", func(t *testing.T) {
		q := `query($after: String) { dossiers(first: 20, after: $after, orderBy: {field: REFERENCE, direction: ASC}) {
			totalCount pageInfo { hasNextPage endCursor }
			nodes { id reference themes status organisation { name } victims { pseudonym hasIdentity }
				currentProceeding { stage courtKind } nextHearing { startsAt kind } } } }`
		seen := map[string]bool{}
		var after any
		total := 0
		for page := 0; page < 10; page++ {
			d := jurist.ok(q, map[string]any{"after": after})
			total = int(get(d, "dossiers", "totalCount").(float64))
			for _, n := range get(d, "dossiers", "nodes").([]any) {
				id := str(n, "id")
				if seen[id] {
					t.Fatalf("dossier %s on two pages", id)
				}
				seen[id] = true
			}
			if get(d, "dossiers", "pageInfo", "hasNextPage") != true {
				break
			}
			after = get(d, "dossiers", "pageInfo", "endCursor")
		}
		if total < 31 || len(seen) != total {
			t.Fatalf("pagination: total %d, walked %d", total, len(seen))
		}
		d := jurist.ok(`{ dossiers(filter: {themes: [LIVE_STREAMING], status: OPEN}) { totalCount nodes { themes status } } }`, nil)
		for _, n := range get(d, "dossiers", "nodes").([]any) {
			if str(n, "status") != "OPEN" || !strings.Contains(fmt.Sprint(get(n, "themes")), "LIVE_STREAMING") {
				t.Fatalf("filter not applied: %v", n)
			}
		}
		jurist.fails("INVALID", `{ dossiers(first: 1000) { totalCount } }`, nil)
		jurist.fails("INVALID", `{ dossiers(after: "garbage") { totalCount } }`, nil)
	})

	var dossierID, victimID, chargeID, proceedingID string
	t.Run("create a dossier and its case", func(t *testing.T) {
		d := jurist.ok(`mutation { createDossier(input: {reference: "E2E-0001", title: "Commande d'abus diffusés en direct",
			themes: [LIVE_STREAMING, SEXTORTION], openedOn: "2026-01-10", countries: ["ph", "FR"]}) { id reference countries status } }`, nil)
		dossierID = str(d, "createDossier", "id")
		if got := fmt.Sprint(get(d, "createDossier", "countries")); got != "[PH FR]" {
			t.Fatalf("countries: %s", got)
		}
		e := jurist.fails("INVALID", `mutation { createDossier(input: {reference: "e2e-0001", title: "Doublon", themes: [GROOMING]}) { id } }`, nil)
		wantField(t, e, "reference")
		e = jurist.fails("INVALID", `mutation { createDossier(input: {reference: "", title: "", themes: []}) { id } }`, nil)
		wantField(t, e, "reference")
		wantField(t, e, "title")
		wantField(t, e, "themes")

		d = jurist.ok(`mutation($d: ID!) { addVictim(input: {dossierId: $d, pseudonym: "Victime A", ageAtFacts: 12, country: "PH"}) { id pseudonym hasIdentity } }`,
			map[string]any{"d": dossierID})
		victimID = str(d, "addVictim", "id")
		e = jurist.fails("INVALID", `mutation($d: ID!) { addVictim(input: {dossierId: $d, pseudonym: "Victime B", ageAtFacts: 19}) { id } }`,
			map[string]any{"d": dossierID})
		wantField(t, e, "ageAtFacts")
		d = jurist.ok(`mutation($v: ID!) { setVictimIdentity(id: $v, input: {legalName: "Prénom FICTIF-E2E", birthDate: "2013-04-02"}) { hasIdentity } }`,
			map[string]any{"v": victimID})
		if get(d, "setVictimIdentity", "hasIdentity") != true {
			t.Fatalf("identity not recorded: %v", d)
		}
		d = jurist.ok(`mutation($v: ID!) { revealIdentity(personId: $v, reason: "Préparation de l'audience") { legalName birthDate } }`,
			map[string]any{"v": victimID})
		if str(d, "revealIdentity", "legalName") != "Prénom FICTIF-E2E" || str(d, "revealIdentity", "birthDate") != "2013-04-02" {
			t.Fatalf("reveal: %v", d)
		}

		d = jurist.ok(`mutation($d: ID!) { addCharge(input: {dossierId: $d, article: "227-23", participation: AUTHOR,
			retainedBy: PROSECUTOR, retainedOn: "2026-01-15", wording: "Détention d'images"}) { id current articleHeading } }`,
			map[string]any{"d": dossierID})
		chargeID = str(d, "addCharge", "id")
		e = jurist.fails("INVALID", `mutation($d: ID!) { addCharge(input: {dossierId: $d, article: "999-99", participation: AUTHOR,
			retainedBy: PROSECUTOR, retainedOn: "2026-01-15"}) { id } }`, map[string]any{"d": dossierID})
		wantField(t, e, "article")
		d = jurist.ok(`mutation($c: ID!) { requalifyCharge(id: $c, input: {article: "121-7", participation: ACCOMPLICE,
			retainedBy: INVESTIGATING_JUDGE, retainedOn: "2026-03-01", reason: "Commande d'un abus diffusé en direct"}) {
			id current replaces { id current } history { article } } }`, map[string]any{"c": chargeID})
		if get(d, "requalifyCharge", "replaces", "id") != chargeID || get(d, "requalifyCharge", "replaces", "current") != false {
			t.Fatalf("requalification: %v", d)
		}
		if got := fmt.Sprint(get(d, "requalifyCharge", "history")); got != "[map[article:227-23] map[article:121-7]]" {
			t.Fatalf("history: %s", got)
		}
		jurist.fails("CONFLICT", `mutation($c: ID!) { requalifyCharge(id: $c, input: {article: "222-23", participation: AUTHOR,
			retainedBy: TRIAL_COURT, retainedOn: "2026-06-01", reason: "x"}) { id } }`, map[string]any{"c": chargeID})

		d = jurist.ok(`mutation($d: ID!) { openProceeding(input: {dossierId: $d, stage: JUDICIAL_INVESTIGATION, courtKind: JUGE_INSTRUCTION,
			courtName: "Tribunal judiciaire de Paris", startedOn: "2026-02-01"}) { id status } }`, map[string]any{"d": dossierID})
		proceedingID = str(d, "openProceeding", "id")
		e = jurist.fails("INVALID", `mutation($p: ID!) { advanceProceeding(id: $p, input: {endedOn: "2026-09-01", outcome: "Renvoi",
			stage: APPEAL, courtKind: COUR_APPEL, startedOn: "2026-09-02"}) { id } }`, map[string]any{"p": proceedingID})
		wantField(t, e, "stage")
		d = jurist.ok(`mutation($p: ID!) { advanceProceeding(id: $p, input: {endedOn: "2026-09-01", outcome: "Ordonnance de renvoi",
			stage: TRIAL, courtKind: TRIBUNAL_CORRECTIONNEL, startedOn: "2026-09-02"}) { id stage previous { id status } } }`,
			map[string]any{"p": proceedingID})
		if get(d, "advanceProceeding", "previous", "status") != "CLOSED" {
			t.Fatalf("advance: %v", d)
		}
		trialID := str(d, "advanceProceeding", "id")
		jurist.ok(`mutation($p: ID!) { constituteCivilParty(input: {proceedingId: $p, constitutedOn: "2026-09-10", mode: LETTER,
			legalBasis: "CPP 2-3", damagesClaimedCents: 500000}) { id admissibility } }`, map[string]any{"p": trialID})

		start := time.Now().Add(72 * time.Hour).Truncate(time.Hour).UTC()
		d = jurist.ok(`mutation($d: ID!, $p: ID!, $s: Time!) { scheduleHearing(input: {dossierId: $d, proceedingId: $p, kind: TRIAL,
			startsAt: $s, courtRoom: "Salle 2.07", attendees: ["juriste"]}) { id status } }`,
			map[string]any{"d": dossierID, "p": trialID, "s": start.Format(time.RFC3339)})
		hearingID := str(d, "scheduleHearing", "id")
		e = jurist.fails("INVALID", `mutation($d: ID!, $s: Time!, $e: Time!) { scheduleHearing(input: {dossierId: $d, kind: TRIAL,
			startsAt: $s, endsAt: $e}) { id } }`, map[string]any{"d": dossierID, "s": start.Format(time.RFC3339),
			"e": start.Add(-time.Hour).Format(time.RFC3339)})
		wantField(t, e, "endsAt")
		d = jurist.ok(`query($f: Time!, $t: Time!) { hearings(from: $f, to: $t) { nodes { id dossier { reference } } } }`,
			map[string]any{"f": start.Add(-time.Hour).Format(time.RFC3339), "t": start.Add(time.Hour).Format(time.RFC3339)})
		if !strings.Contains(fmt.Sprint(get(d, "hearings", "nodes")), hearingID) {
			t.Fatalf("calendar misses the hearing: %v", d)
		}
		d = jurist.ok(`query($id: ID!) { dossier(id: $id) { nextHearing { id } currentProceeding { stage }
			charges(includeReplaced: true) { article current } victims { pseudonym hasIdentity } } }`, map[string]any{"id": dossierID})
		if str(d, "dossier", "nextHearing", "id") != hearingID || str(d, "dossier", "currentProceeding", "stage") != "TRIAL" {
			t.Fatalf("dossier view: %v", d)
		}

		jurist.ok(`mutation($d: ID!) { closeDossier(id: $d, input: {closedOn: "2026-10-01", reason: "Jugement définitif"}) { status } }`,
			map[string]any{"d": dossierID})
		e = jurist.fails("INVALID", `mutation($d: ID!, $s: Time!) { scheduleHearing(input: {dossierId: $d, kind: TRIAL, startsAt: $s}) { id } }`,
			map[string]any{"d": dossierID, "s": start.Format(time.RFC3339)})
		wantField(t, e, "dossierId")
		jurist.fails("CONFLICT", `mutation($d: ID!) { closeDossier(id: $d, input: {reason: "encore"}) { status } }`, map[string]any{"d": dossierID})
		jurist.ok(`mutation($d: ID!) { reopenDossier(id: $d) { status } }`, map[string]any{"d": dossierID})
	})

	t.Run("unknown and malformed ids", func(t *testing.T) {
		jurist.fails("NOT_FOUND", `{ dossier(id: "8a0b7e0e-8b9a-4a8e-9d55-3f2f5f0c2c11") { id } }`, nil)
		jurist.fails("INVALID", `{ dossier(id: "not-a-uuid") { id } }`, nil)
		jurist.fails("NOT_FOUND", `{ victim(id: "8a0b7e0e-8b9a-4a8e-9d55-3f2f5f0c2c11") { id } }`, nil)
	})

	t.Run("advocacy sees no identity", func(t *testing.T) {
		adv := in.client(t)
		adv.login(in.accounts["advocacy"])
		d := adv.ok(`query($id: ID!) { dossier(id: $id) { reference victims { pseudonym } } }`, map[string]any{"id": dossierID})
		if str(d, "dossier", "reference") != "E2E-0001" {
			t.Fatalf("advocacy dossier view: %v", d)
		}
		r := adv.do(`mutation($v: ID!) { revealIdentity(personId: $v, reason: "curiosité") { legalName } }`, map[string]any{"v": victimID})
		if len(r.Errors) == 0 || strings.Contains(r.raw, "FICTIF-E2E") {
			t.Fatalf("advocacy revealed an identity: %s", r.raw)
		}
		adv.fails("FORBIDDEN", `mutation { createDossier(input: {reference: "ADV-1", title: "x", themes: [GROOMING]}) { id } }`, nil)
	})

	t.Run("dpo reads no case content", func(t *testing.T) {
		dpo := in.client(t)
		dpo.login(in.accounts["dpo"])
		r := dpo.do(`query($id: ID!) { dossier(id: $id) { reference } }`, map[string]any{"id": dossierID})
		if len(r.Errors) == 0 || strings.Contains(r.raw, "E2E-0001") {
			t.Fatalf("dpo read a dossier: %s", r.raw)
		}
	})

	t.Run("logout", func(t *testing.T) {
		c := in.client(t)
		c.login(in.accounts["legal_staff"])
		c.ok(`mutation { logout }`, nil)
		if d := c.ok(`{ me { id } }`, nil); d["me"] != nil {
			t.Fatalf("session survived logout: %v", d)
		}
	})
}

func TestServeRefusesIncompleteConfiguration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "DATABASE_URL"},
		{map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x"}, "EGIDE_KEYRING"},
		{map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x", "EGIDE_KEYRING": "# egide-dev-keyring\n1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}, "dev key ring"},
		{map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x", "EGIDE_KEYRING": "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}, "EGIDE_AUDIT_SIGNING_KEY_FILE"},
		{map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x", "EGIDE_KEYRING": "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
			"EGIDE_AUDIT_SIGNING_KEY_FILE": "/nonexistent"}, "EGIDE_AUDIT_CHECKPOINT_DIR"},
		{map[string]string{"EGIDE_SESSION_IDLE": "forever"}, "EGIDE_SESSION_IDLE"},
		{map[string]string{"EGIDE_LISTEN": "nonsense"}, "EGIDE_LISTEN"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		p := &Program{Getenv: func(k string) string { return c.env[k] }, Stdout: &out, Stderr: &out}
		err := p.Run(context.Background(), []string{"serve"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("env %v: want an error naming %s, got %v", c.env, c.want, err)
		}
	}
}
