package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/auth/authtest"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

// BenchmarkProbe measures what an attacker probing ids measures: the time
// of a NOT_FOUND for an id that does not exist ("missing") and for one
// that exists in another organisation ("invisible"), through the whole
// HTTP stack, signed in as a jurist of the demo organisation. Both are
// refused with the same answer and the same audit event (access.denied,
// written in a transaction of its own), so they should cost the same.
// Addressed by dossier id (authz.Dossier) and by victim id (a row looked
// up first, authz.RowDossier). events/op is the number of audit events
// each probe wrote (1 in both cases). Each sub-benchmark asks one id over
// and over.
//
//	TEST_DATABASE_URL=... go test -run '^$' -bench Probe -count 5 ./graph/
func BenchmarkProbe(b *testing.B) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewURL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	srv, accs := seededServer(b, pool, 5)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	signedIn := false
	for _, a := range accs {
		if a.Role == "legal_staff" {
			raw, _ := postRaw(b, c, srv.URL, `mutation($e: String!, $p: String!, $c: String) { login(input: {email: $e, password: $p, totp: $c}) { status } }`,
				map[string]any{"e": a.Email, "p": a.Password, "c": (&authtest.Codes{}).Next(a.TOTPSecret)})
			signedIn = json.Valid([]byte(raw))
			break
		}
	}
	if !signedIn {
		b.Fatal("no jurist to sign in")
	}
	other := testfixture.Dossier(b, pool, testfixture.Org(b, pool))
	var otherVictim uuid.UUID
	if err := pool.QueryRow(ctx, `INSERT INTO victims (dossier_id, pseudonym) VALUES ($1, 'V') RETURNING id`, other).
		Scan(&otherVictim); err != nil {
		b.Fatal(err)
	}
	queries := map[string]string{
		"dossier": `query($id: ID!) { dossier(id: $id) { id reference } }`,
		"victim":  `query($id: ID!) { victim(id: $id) { id pseudonym } }`,
	}
	invisible := map[string]uuid.UUID{"dossier": other, "victim": otherVictim}
	var want string
	for _, kind := range []string{"dossier", "victim"} {
		for _, probe := range []string{"missing", "invisible"} {
			b.Run(kind+"/"+probe, func(b *testing.B) {
				var before int
				if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'access.denied'`).Scan(&before); err != nil {
					b.Fatal(err)
				}
				// One id per probe, asked again and again, as an attacker
				// timing one id does (fresh ids each time would measure the
				// audit index growing, not the answer).
				id := invisible[kind]
				if probe == "missing" {
					id = uuid.New()
				}
				b.ResetTimer()
				for b.Loop() {
					raw, _ := postRaw(b, c, srv.URL, queries[kind], map[string]any{"id": id})
					var r gqlAnswer
					if err := json.Unmarshal([]byte(raw), &r); err != nil || r.code() != "NOT_FOUND" {
						b.Fatalf("%s: %s", probe, raw)
					}
					if want == "" {
						want = r.Errors[0].Message
					} else if r.Errors[0].Message != want {
						b.Fatalf("%s: message %q, another probe had %q", probe, r.Errors[0].Message, want)
					}
				}
				b.StopTimer()
				var after int
				if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'access.denied'`).Scan(&after); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(after-before)/float64(b.N), "events/op")
			})
		}
	}
}
