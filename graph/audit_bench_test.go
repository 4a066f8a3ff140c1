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
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/audit"
)

// BenchmarkDossierListAudit measures what the audit log costs the home
// screen's dossier list (ListQuery: 50 dossiers with victims, defendants,
// current proceeding and next hearing), through the whole HTTP stack, on
// a pool working as the application role, over 2 000 demo dossiers, read
// by one jurist of the owning organisation.
//
//   - audit=on: as in production. Every transaction of the request writes
//     its audit event (the trigger queues it) and a Sealer runs with the
//     default 1 s interval, sealing into the hash chain.
//   - audit=off: the same database with the rule
//     `CREATE RULE audit_off AS ON INSERT TO audit_events DO INSTEAD NOTHING`:
//     the application still sends every INSERT and PostgreSQL still
//     parses and plans it, but nothing is written, indexed or queued (so the
//     sealer has nothing to do and those transactions write no WAL).
//   - audit=on,synchronous_commit=off: a diagnostic, not a proposal: audit
//     on, but commits do not wait for the WAL flush. What it regains is what
//     durable commits of the audit rows cost.
//
// The modes alternate within one run (see below); the metrics are each
// mode's throughput and audit_cost_% = 1 - on/off.
//
//	go test -run '^$' -bench DossierListAudit -benchtime 20x ./graph/
func BenchmarkDossierListAudit(b *testing.B) {
	st := newAppStack(b, 2000)
	ctx := context.Background()
	if q := os.Getenv("BENCH_SETUP_SQL"); q != "" {
		if _, err := st.super.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	var db string
	if err := st.super.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		b.Fatal(err)
	}
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

	body, _ := json.Marshal(map[string]any{"query": ListQuery, "variables": map[string]any{"n": 50}})
	list := func() error {
		req, _ := http.NewRequest(http.MethodPost, st.url+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Egide-CSRF", "1")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var r struct {
			Data struct {
				Dossiers struct{ Nodes []json.RawMessage } `json:"dossiers"`
			} `json:"data"`
			Errors []any `json:"errors"`
		}
		if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 || len(r.Data.Dossiers.Nodes) != 50 {
			return fmt.Errorf("list: %v %.300s", err, raw)
		}
		return nil
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
	type mode struct {
		name     string
		set, end func()
	}
	modes := []mode{
		{"on", func() {}, func() {}},
		{"off", func() { exec(`CREATE RULE audit_off AS ON INSERT TO audit_events DO INSTEAD NOTHING`) },
			func() { exec(`DROP RULE audit_off ON audit_events`) }},
		{"on_async_commit", func() {
			exec(`ALTER DATABASE ` + pgx.Identifier{db}.Sanitize() + ` SET synchronous_commit = off`)
			st.app.Reset() // new connections take the setting
			var v string
			if err := st.app.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&v); err != nil || v != "off" {
				b.Fatalf("synchronous_commit %q, %v", v, err)
			}
		}, func() {
			exec(`ALTER DATABASE ` + pgx.Identifier{db}.Sanitize() + ` RESET synchronous_commit`)
			st.app.Reset()
		}},
	}
	// The modes alternate in short slices, in a rotating order, so that
	// whatever else loads the machine weighs on each alike.
	const perSlice = 12 // requests per client per slice
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			spent := make([]time.Duration, len(modes))
			done := make([]int, len(modes))
			round := 0
			for b.Loop() {
				for k := range modes {
					i := (round + k) % len(modes)
					m := modes[i]
					b.StopTimer()
					m.set()
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
					m.end()
					b.StartTimer()
				}
				round++
			}
			rate := func(i int) float64 { return float64(done[i]) / spent[i].Seconds() }
			for i, m := range modes {
				b.ReportMetric(rate(i), m.name+"_req/s")
			}
			b.ReportMetric(100*(1-rate(0)/rate(1)), "audit_cost_%")
		})
	}
}
