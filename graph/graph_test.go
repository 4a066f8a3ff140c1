package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/internal/auditlog"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/auth/authtest"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/calfeed"
	"github.com/egide/egide/internal/charge"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/deadlines"
	"github.com/egide/egide/internal/demo"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/httpserver"
	"github.com/egide/egide/internal/organisation"
	"github.com/egide/egide/internal/person"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/proceeding"
	"github.com/egide/egide/internal/user"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// queryCounter counts the SQL statements sent through a pool.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.n.Add(1)
	return ctx
}
func (q *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// seededServer seeds the database of pool with the demo and serves the
// real HTTP stack (every service but the evidence vault) over it.
func seededServer(t testing.TB, pool *pgxpool.Pool, dossiers int) (*httptest.Server, []demo.Account) {
	t.Helper()
	ctx := context.Background()
	kr, err := crypto.ParseKeyRing("# egide-dev-keyring\n1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	accs, err := demo.Seed(ctx, pool, kr, demo.Options{Dossiers: dossiers, Now: time.Now(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	az, err := authz.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	authSvc, err := auth.New(pool, kr, auth.Config{IdleTimeout: time.Hour, MaxLifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	hs, ds := hearing.NewService(az), deadlines.NewService(az)
	res := &graph.Resolver{AuthSvc: authSvc, OrganisationSvc: organisation.NewService(az), DossierSvc: dossier.NewService(az),
		PersonSvc: person.NewService(az, kr), ChargeSvc: charge.NewService(az), ProceedingSvc: proceeding.NewService(az),
		HearingSvc: hs, DeadlineSvc: ds, CalendarFeedSvc: calfeed.NewService(pool, az, hs, ds, "https://egide.test"), UserSvc: user.NewService(az, pool, authSvc.Policy()),
		AuditLogSvc: auditlog.NewService(az), ReferenceSvc: evidence.NewReferenceService(az)}
	log := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(httpserver.New(httpserver.Options{Logger: log, Auth: authSvc, Resolver: res,
		GraphQL: graph.NewHandler(res, graph.HandlerOptions{Logger: log}), InsecureCookies: true, SessionMaxAge: time.Hour,
		Ready: func(context.Context) error { return nil }, AuditLog: res.AuditLogSvc, CalendarFeeds: res.CalendarFeedSvc}))
	t.Cleanup(srv.Close)
	return srv, accs
}

// server is the real HTTP stack over a seeded database, with a statement counter.
func server(t *testing.T, dossiers int) (*httptest.Server, *queryCounter, []demo.Account) {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(pgtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	counter := &queryCounter{}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	srv, accs := seededServer(t, pool, dossiers)
	return srv, counter, accs
}

func post(t *testing.T, c *http.Client, url, query string, vars map[string]any) map[string]any {
	t.Helper()
	raw, _ := postRaw(t, c, url, query, vars)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("graphql: %v %s", err, raw)
	}
	return out.Data
}

// postRaw sends a GraphQL request and returns the raw answer and the
// request id the server gave it.
func postRaw(t testing.TB, c *http.Client, url, query string, vars map[string]any) (string, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Egide-CSRF", "1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw), resp.Header.Get("X-Request-Id")
}

// ListQuery is the dossier list of the home screen: 50 dossiers with their
// victims, current proceeding, next hearing and deadlines.
const ListQuery = `query($n: Int) { dossiers(first: $n) { totalCount pageInfo { endCursor }
	nodes { id reference title themes status organisation { name }
		victims { id pseudonym ageAtFacts } defendants { pseudonym role }
		currentProceeding { stage courtKind courtName } nextHearing { startsAt kind courtRoom }
		nextDeadline { dueOn rule { title } } deadlines { id dueOn } } } }`

// The statements a dossier list costs do not grow with the page size:
// every nested field is batched by a dataloader.
func TestDossierListQueryCountIsConstant(t *testing.T) {
	t.Parallel()
	srv, counter, accs := server(t, 60)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	for _, a := range accs {
		if a.Role == "legal_staff" {
			post(t, c, srv.URL, `mutation($e: String!, $p: String!, $c: String) { login(input: {email: $e, password: $p, totp: $c}) { status } }`,
				map[string]any{"e": a.Email, "p": a.Password, "c": (&authtest.Codes{}).Next(a.TOTPSecret)})
			break
		}
	}
	count := func(n int) int64 {
		before := counter.n.Load()
		d := post(t, c, srv.URL, ListQuery, map[string]any{"n": n})
		nodes := d["dossiers"].(map[string]any)["nodes"].([]any)
		if len(nodes) != n {
			t.Fatalf("want %d dossiers, got %d", n, len(nodes))
		}
		return counter.n.Load() - before
	}
	five, fifty := count(5), count(50)
	t.Logf("SQL statements per request: %d for 5 dossiers, %d for 50", five, fifty)
	if five != fifty {
		t.Fatalf("query count grows with the page: %d for 5 dossiers, %d for 50", five, fifty)
	}
	if fifty > 40 {
		t.Fatalf("%d statements for one list request: too many", fifty)
	}
}
