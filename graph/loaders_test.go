package graph_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/egide/egide/internal/auth/authtest"
	"github.com/egide/egide/internal/demo"
)

// loaderSignIn returns a client signed in as the first demo account with role.
func loaderSignIn(t *testing.T, url string, accs []demo.Account, role string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	for _, a := range accs {
		if a.Role == role {
			post(t, c, url, `mutation($e: String!, $p: String!, $c: String) { login(input: {email: $e, password: $p, totp: $c}) { status } }`,
				map[string]any{"e": a.Email, "p": a.Password, "c": (&authtest.Codes{}).Next(a.TOTPSecret)})
			return c
		}
	}
	t.Fatalf("no demo account with role %s", role)
	return nil
}

func id(t *testing.T, data map[string]any, field string) string {
	t.Helper()
	obj, ok := data[field].(map[string]any)
	if !ok {
		t.Fatalf("no %s in %v", field, data)
	}
	return obj["id"].(string)
}

// buildDossier creates, through the API, a dossier with n victims of n
// consents each, n charges each requalified n times, and n proceedings
// with the organisation's standing in each.
func buildDossier(t *testing.T, c *http.Client, url, ref string, n int) string {
	t.Helper()
	gql := func(q string, vars map[string]any) map[string]any { t.Helper(); return post(t, c, url, q, vars) }
	dossierID := id(t, gql(`mutation($ref: String!) { createDossier(input: {reference: $ref, title: "Détail", themes: [GROOMING]}) { id } }`,
		map[string]any{"ref": ref}), "createDossier")
	for i := range n {
		victim := id(t, gql(`mutation($d: ID!, $p: String!) { addVictim(input: {dossierId: $d, pseudonym: $p}) { id } }`,
			map[string]any{"d": dossierID, "p": fmt.Sprintf("V-%d", i)}), "addVictim")
		for j := range n {
			gql(`mutation($v: ID!, $on: Date!) { recordConsent(input: {victimId: $v, givenBy: LEGAL_REPRESENTATIVE, givenOn: $on}) { id } }`,
				map[string]any{"v": victim, "on": fmt.Sprintf("2025-01-%02d", j+1)})
		}
		charge := id(t, gql(`mutation($d: ID!) { addCharge(input: {dossierId: $d, article: "227-23", participation: AUTHOR,
			retainedBy: PROSECUTOR, retainedOn: "2025-02-01"}) { id } }`, map[string]any{"d": dossierID}), "addCharge")
		for j := range n {
			charge = id(t, gql(`mutation($c: ID!, $on: Date!) { requalifyCharge(id: $c, input: {article: "227-23", participation: AUTHOR,
				retainedBy: INVESTIGATING_JUDGE, retainedOn: $on, reason: "Requalification"}) { id } }`,
				map[string]any{"c": charge, "on": fmt.Sprintf("2025-03-%02d", j+1)}), "requalifyCharge")
		}
		proc := id(t, gql(`mutation($d: ID!, $on: Date!) { openProceeding(input: {dossierId: $d, stage: TRIAL,
			courtKind: TRIBUNAL_CORRECTIONNEL, startedOn: $on}) { id } }`,
			map[string]any{"d": dossierID, "on": fmt.Sprintf("2025-04-%02d", i+1)}), "openProceeding")
		gql(`mutation($d: ID!, $p: ID!) { computeDeadline(input: {dossierId: $d, proceedingId: $p, ruleId: "tc-appel",
			triggerOn: "2025-04-10"}) { id } }`, map[string]any{"d": dossierID, "p": proc})
		gql(`mutation($p: ID!) { constituteCivilParty(input: {proceedingId: $p, constitutedOn: "2025-05-01", mode: LETTER,
			legalBasis: "CPP 2-3"}) { id } }`, map[string]any{"p": proc})
		ref := id(t, gql(`mutation($d: ID!, $u: String!) { addContentReference(input: {dossierId: $d, url: $u}) { id } }`,
			map[string]any{"d": dossierID, "u": fmt.Sprintf("https://plateforme.example/contenu/%s-%d", ref, i)}), "addContentReference")
		for j := range n {
			gql(`mutation($r: ID!, $on: Date!) { recordContentReport(input: {contentReferenceId: $r, channel: PHAROS,
				reportedOn: $on}) { id } }`, map[string]any{"r": ref, "on": fmt.Sprintf("2025-06-%02d", j+1)})
		}
	}
	return dossierID
}

// DetailQuery is the dossier screen: its lists and, in each, the nested
// lists and links a dataloader batches.
const DetailQuery = `query($id: ID!) { dossier(id: $id) { id
	charges(includeReplaced: true) { id replaces { id } replacedBy { id } }
	proceedings { id civilPartyStandings { id } }
	victims { id consents { id } }
	contentReferences { id reports { id } }
	deadlines { id rule { id article } proceeding { id } } nextDeadline { id } } }`

func list(m map[string]any, field string) []map[string]any {
	raw, _ := m[field].([]any)
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		out[i] = x.(map[string]any)
	}
	return out
}

// The statements of the dossier screen do not grow with the number of
// victims, consents, charges and proceedings: each nested field is one
// batch, whatever the goroutine timing.
func TestDossierDetailQueryCountIsConstant(t *testing.T) {
	t.Parallel()
	srv, counter, accs := server(t, 1)
	c := loaderSignIn(t, srv.URL, accs, "legal_staff")
	small, large := buildDossier(t, c, srv.URL, "DETAIL-1", 1), buildDossier(t, c, srv.URL, "DETAIL-3", 3)

	query := func(dossierID string, n int) int64 {
		t.Helper()
		before := counter.n.Load()
		d := post(t, c, srv.URL, DetailQuery, map[string]any{"id": dossierID})["dossier"].(map[string]any)
		spent := counter.n.Load() - before

		charges := list(d, "charges")
		if len(charges) != n*(n+1) {
			t.Fatalf("%d charges, want %d", len(charges), n*(n+1))
		}
		byID := map[string]map[string]any{}
		for _, ch := range charges {
			byID[ch["id"].(string)] = ch
		}
		replaces, replacedBy := 0, 0
		for _, ch := range charges {
			if r, ok := ch["replaces"].(map[string]any); ok {
				replaces++
				if old := byID[r["id"].(string)]; old == nil || old["replacedBy"].(map[string]any)["id"] != ch["id"] {
					t.Fatalf("charge %v replaces %v, which does not name it back", ch["id"], r["id"])
				}
			}
			if _, ok := ch["replacedBy"].(map[string]any); ok {
				replacedBy++
			}
		}
		if replaces != n*n || replacedBy != n*n {
			t.Fatalf("%d replaces and %d replacedBy, want %d", replaces, replacedBy, n*n)
		}
		for _, p := range list(d, "proceedings") {
			if len(list(p, "civilPartyStandings")) != 1 {
				t.Fatalf("proceeding %v: standings %v", p["id"], p["civilPartyStandings"])
			}
		}
		for _, dl := range list(d, "deadlines") {
			if dl["proceeding"] == nil || dl["rule"].(map[string]any)["article"] != "498 al. 1" {
				t.Fatalf("deadline %v", dl)
			}
		}
		if len(list(d, "deadlines")) != n {
			t.Fatalf("%d deadlines, want %d", len(list(d, "deadlines")), n)
		}
		victims := list(d, "victims")
		if len(list(d, "proceedings")) != n || len(victims) != n {
			t.Fatalf("%d proceedings, %d victims, want %d", len(list(d, "proceedings")), len(victims), n)
		}
		for _, r := range list(d, "contentReferences") {
			if len(list(r, "reports")) != n {
				t.Fatalf("content reference %v: %d reports, want %d", r["id"], len(list(r, "reports")), n)
			}
		}
		for _, v := range victims {
			if len(list(v, "consents")) != n {
				t.Fatalf("victim %v: %d consents, want %d", v["id"], len(list(v, "consents")), n)
			}
		}
		return spent
	}
	one, three := query(small, 1), query(large, 3)
	t.Logf("SQL statements per dossier screen: %d with one of each, %d with three", one, three)
	if one != three {
		t.Fatalf("the dossier screen costs %d statements with one of each, %d with three: a nested field is not batched", one, three)
	}
	// Nine services calls (dossier, charges, proceedings, victims, consents,
	// standings, replaces, replacedBy, and the session) of a few statements each.
	if three > 50 {
		t.Fatalf("%d statements for one dossier screen: too many", three)
	}
}
