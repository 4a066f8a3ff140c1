package graph_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/egide/egide/internal/audit"
)

// BenchmarkDossierListAudit measures what the audit log costs the home
// screen's dossier list (ListQuery: 50 dossiers with victims, defendants,
// current proceeding and next hearing), through the whole HTTP stack, on
// a pool working as the application role, over 4 000 demo dossiers whose
// first 30 pages the requests walk in turn, read by one jurist of the
// owning organisation.
//
//   - audit=on: as in production. The request's events are written in its
//     transaction (the trigger queues them) and a Sealer runs with the
//     default 1 s interval, sealing them and filling the resource index.
//   - audit=off: the same database with a BEFORE INSERT trigger on
//     audit_events that returns NULL: the application still sends every
//     INSERT, but nothing is written, indexed or queued (so the sealer has
//     nothing to do and the transactions write no WAL). Not a rule: a
//     prepared statement planned under a rule keeps it after DROP RULE
//     (PostgreSQL 15), which left the "on" slices that followed an "off"
//     one writing nothing. Each mode's events per request are counted and
//     checked (5 and 0).
//
// The modes alternate within one run (see below); the metrics are each
// mode's throughput and audit_cost_% = 1 - on/off.
//
//	go test -run '^$' -bench DossierListAudit -benchtime 20x ./graph/
func BenchmarkDossierListAudit(b *testing.B) {
	st := newAppStack(b, 4000)
	ctx := context.Background()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	if r := st.login(b, hc, "juriste1@demo.egide.local"); len(r.Errors) > 0 {
		b.Fatalf("sign-in: %s", r.raw)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	sealer := audit.NewSealer(st.app, key, audit.DirStore{Dir: b.TempDir()}, audit.SealerConfig{}, slog.New(slog.DiscardHandler))
	sealCtx, stopSealer := context.WithCancel(ctx)
	var sealing sync.WaitGroup
	sealing.Go(func() { sealer.Run(sealCtx) })
	defer func() { stopSealer(); sealing.Wait() }()

	// The pages of the list, walked in turn by the requests: each names
	// other dossiers, victims and defendants, as users paging through the
	// list do (the same page over and over would flatter the indexes).
	pageQuery := strings.Replace(ListQuery, "query($n: Int) { dossiers(first: $n)",
		"query($n: Int, $after: String) { dossiers(first: $n, after: $after)", 1)
	fetch := func(body []byte) (*string, error) {
		req, _ := http.NewRequest(http.MethodPost, st.url+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Egide-CSRF", "1")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var r struct {
			Data struct {
				Dossiers struct {
					PageInfo struct{ EndCursor *string } `json:"pageInfo"`
					Nodes    []json.RawMessage
				} `json:"dossiers"`
			} `json:"data"`
			Errors []any `json:"errors"`
		}
		if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 || len(r.Data.Dossiers.Nodes) != 50 {
			return nil, fmt.Errorf("list: %v %.300s", err, raw)
		}
		return r.Data.Dossiers.PageInfo.EndCursor, nil
	}
	var pages [][]byte
	for after := (*string)(nil); len(pages) < 30; {
		vars := map[string]any{"n": 50}
		if after != nil {
			vars["after"] = *after
		}
		body, _ := json.Marshal(map[string]any{"query": pageQuery, "variables": vars})
		pages = append(pages, body)
		var err error
		if after, err = fetch(body); err != nil {
			b.Fatal(err)
		}
	}
	var turn atomic.Int64
	list := func() error {
		_, err := fetch(pages[int(turn.Add(1))%len(pages)])
		return err
	}
	events := func() int64 {
		var n int64
		if err := st.super.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	before := events()
	if err := list(); err != nil {
		b.Fatal(err)
	}
	b.Logf("audit events per list request: %d", events()-before)

	exec := func(sql string) {
		if _, err := st.super.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	exec(`CREATE FUNCTION bench_skip_row() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'`)
	type mode struct {
		name     string
		set, end func()
	}
	modes := []mode{
		{"on", func() {}, func() {}},
		{"off", func() {
			exec(`CREATE TRIGGER audit_off BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION bench_skip_row()`)
		}, func() { exec(`DROP TRIGGER audit_off ON audit_events`) }},
	}
	warm := func(clients int) {
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				if err := list(); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	// The modes alternate in short slices, in a rotating order, so that
	// whatever else loads the machine weighs on each alike.
	const perSlice = 12 // requests per client per slice
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			spent := make([]time.Duration, len(modes))
			done := make([]int, len(modes))
			written := make([]int64, len(modes)) // audit events, to check each mode is what it says
			round := 0
			for b.Loop() {
				for k := range modes {
					i := (round + k) % len(modes)
					m := modes[i]
					b.StopTimer()
					m.set()
					// Untimed: the trigger change invalidated the connections'
					// cached plans; each mode pays its re-planning here.
					warm(clients)
					before := events()
					b.StartTimer()
					start := time.Now()
					var wg sync.WaitGroup
					for range clients {
						wg.Go(func() {
							for range perSlice {
								if err := list(); err != nil {
									b.Error(err)
									return
								}
							}
						})
					}
					wg.Wait()
					spent[i] += time.Since(start)
					done[i] += clients * perSlice
					b.StopTimer()
					written[i] += events() - before
					m.end()
					b.StartTimer()
				}
				round++
			}
			rate := func(i int) float64 { return float64(done[i]) / spent[i].Seconds() }
			for i, m := range modes {
				b.ReportMetric(rate(i), m.name+"_req/s")
				perReq := float64(written[i]) / float64(done[i])
				b.ReportMetric(perReq, m.name+"_events/req")
				if want := map[string]float64{"on": 5, "off": 0}[m.name]; perReq != want {
					b.Fatalf("%s: %.2f audit events per request, want %v: the mode is not what it says", m.name, perReq, want)
				}
			}
			b.ReportMetric(100*(1-rate(0)/rate(1)), "audit_cost_%")
		})
	}
}
