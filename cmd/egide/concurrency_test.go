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

	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/auth/authtest"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

// devKeyRing is shared by the two instances, as a production key ring is.
const devKeyRing = "# egide-dev-keyring\n1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// running is an in-process `egide dev` started by bootDev.
type running struct {
	addr string
	out  *syncWriter
	buf  *bytes.Buffer
	stop func() error // cancels the program and returns Run's error
}

// bootDev starts `egide dev` with env and returns once it listens.
func bootDev(t *testing.T, env map[string]string) *running {
	t.Helper()
	var buf bytes.Buffer
	out := &syncWriter{w: &buf}
	addrc := make(chan string, 1)
	p := &Program{Getenv: func(k string) string { return env[k] }, Stdout: out, Stderr: out,
		Started: func(addr string) { addrc <- addr }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, []string{"dev"}) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	select {
	case addr := <-addrc:
		return &running{addr: addr, out: out, buf: &buf, stop: stop}
	case err := <-done:
		t.Fatalf("egide dev stopped: %v\n%s", err, buf.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("egide dev did not start\n%s", buf.String())
	}
	return nil
}

func (r *running) output() string {
	r.out.mu.Lock()
	defer r.out.mu.Unlock()
	return r.buf.String()
}

// gql posts a GraphQL request; safe to call from any goroutine.
func gql(hc *http.Client, base, query string, vars map[string]any) (gqlResponse, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Egide-CSRF", "1")
	resp, err := hc.Do(req)
	if err != nil {
		return gqlResponse{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("decode (%d): %w: %s", resp.StatusCode, err, raw)
	}
	r.status, r.raw = resp.StatusCode, string(raw)
	if len(r.Errors) > 0 {
		return r, fmt.Errorf("graphql: %s", raw)
	}
	return r, nil
}

// Two instances on one database, under load from parallel clients, extend
// one audit chain: once both have stopped (each sealing what is left and
// writing a final checkpoint into the shared checkpoint directory), every
// event is sealed exactly once, at positions 1..N, and `egide audit
// verify` finds the log intact.
func TestTwoInstancesShareOneAuditChain(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewURL(t)
	shared := t.TempDir()
	keyFile := filepath.Join(shared, "audit-signing-key")
	if err := audit.GenerateSigningKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	cpDir := filepath.Join(shared, "checkpoints")
	env := func(dataDir string) map[string]string {
		return map[string]string{
			"DATABASE_URL":                    dbURL,
			"EGIDE_DATA_DIR":                  dataDir,
			"EGIDE_KEYRING":                   devKeyRing, // identities and second factors sealed by one, read by the other
			"EGIDE_LISTEN":                    "127.0.0.1:0",
			"EGIDE_DEMO_DOSSIERS":             "20",
			"EGIDE_LOG_LEVEL":                 "warn",
			"EGIDE_AUDIT_SIGNING_KEY_FILE":    keyFile,
			"EGIDE_AUDIT_CHECKPOINT_DIR":      cpDir,
			"EGIDE_AUDIT_SEAL_INTERVAL":       "20ms",
			"EGIDE_AUDIT_CHECKPOINT_INTERVAL": "100ms",
		}
	}
	dirB := t.TempDir()
	instances := []*running{bootDev(t, env(t.TempDir())), bootDev(t, env(dirB))}

	// Each seed gives the demo users new passwords: the second one's work.
	var accs []account
	b, err := os.ReadFile(filepath.Join(dirB, "dev-accounts.json"))
	if err == nil {
		err = json.Unmarshal(b, &accs)
	}
	if err != nil {
		t.Fatalf("accounts: %v", err)
	}
	var jurist account
	for _, a := range accs {
		if a.Role == "legal_staff" {
			jurist = a
			break
		}
	}
	codes := &authtest.Codes{}
	const clientsPerInstance, requestsPerClient = 4, 24
	type job struct {
		base string
		hc   *http.Client
	}
	var jobs []job
	for _, in := range instances {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
		base := "http://" + in.addr
		r, err := gql(hc, base, `mutation($e: String!, $p: String!, $c: String) { login(input: {email: $e, password: $p, totp: $c}) { status } }`,
			map[string]any{"e": jurist.Email, "p": jurist.Password, "c": codes.Next(jurist.TOTPSecret)})
		if err != nil || str(r.Data, "login", "status") != "SIGNED_IN" {
			t.Fatalf("sign-in on %s: %v %s", in.addr, err, r.raw)
		}
		for range clientsPerInstance {
			jobs = append(jobs, job{base, hc}) // the clients of an instance share its session
		}
	}

	var wg sync.WaitGroup
	errc := make(chan error, len(jobs))
	for k, j := range jobs {
		wg.Go(func() {
			var dossierID string
			for i := range requestsPerClient {
				var err error
				var r gqlResponse
				switch {
				case i%3 == 0 || dossierID == "":
					r, err = gql(j.hc, j.base, `{ dossiers(first: 20) { nodes { id reference victims { pseudonym }
						currentProceeding { stage } nextHearing { startsAt } } } }`, nil)
					if err == nil {
						dossierID = str(r.Data, "dossiers", "nodes", i%20, "id")
					}
				case i%3 == 1:
					_, err = gql(j.hc, j.base, `query($id: ID!) { dossier(id: $id) { reference charges { article } victims { pseudonym } } }`,
						map[string]any{"id": dossierID})
				default:
					_, err = gql(j.hc, j.base, `mutation($r: String!) { createDossier(input: {reference: $r, title: "Charge concurrente",
						themes: [GROOMING]}) { id } }`, map[string]any{"r": fmt.Sprintf("CONC-%d-%d", k, i)})
				}
				if err != nil {
					errc <- fmt.Errorf("client %d, request %d: %w", k, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}

	// Both stop at once; each seals what is left and writes a checkpoint.
	var stopping sync.WaitGroup
	for _, in := range instances {
		stopping.Go(func() {
			if err := in.stop(); err != nil {
				t.Errorf("egide dev on %s: %v", in.addr, err)
			}
		})
	}
	stopping.Wait()
	for _, in := range instances {
		for _, line := range strings.Split(in.output(), "\n") {
			if strings.Contains(line, `"level":"ERROR"`) {
				t.Errorf("instance %s logged an error: %s", in.addr, line)
			}
		}
	}

	var out bytes.Buffer
	verifyEnv := map[string]string{"DATABASE_URL": dbURL, "EGIDE_AUDIT_SIGNING_KEY_FILE": keyFile, "EGIDE_AUDIT_CHECKPOINT_DIR": cpDir}
	p := &Program{Getenv: func(k string) string { return verifyEnv[k] }, Stdout: &out, Stderr: &out}
	if err := p.Run(context.Background(), []string{"audit", "verify"}); err != nil {
		t.Fatalf("egide audit verify: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "OK: the audit log is intact") || !strings.Contains(out.String(), "; 0 events waiting to be sealed") {
		t.Fatalf("egide audit verify:\n%s", out.String())
	}
	t.Logf("egide audit verify: %s", strings.TrimSpace(out.String()))

	ctx := context.Background()
	pool, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var events, seals, distinct, maxSeq, pending int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_events), (SELECT count(*) FROM audit_seals),
		(SELECT count(DISTINCT event_id) FROM audit_seals), (SELECT coalesce(max(seq), 0) FROM audit_seals),
		(SELECT count(*) FROM audit_pending)`).Scan(&events, &seals, &distinct, &maxSeq, &pending); err != nil {
		t.Fatal(err)
	}
	if seals != events || distinct != events || maxSeq != events || pending != 0 {
		t.Fatalf("%d events, %d seals of %d distinct events, last position %d, %d queued: want every event sealed once at 1..%d",
			events, seals, distinct, maxSeq, pending, events)
	}
	if min := int64(len(jobs) * requestsPerClient); events < min {
		t.Fatalf("%d audit events for %d requests", events, min)
	}
	cp, err := audit.LoadLatest(ctx, audit.DirStore{Dir: cpDir})
	if err != nil || cp == nil || cp.Seq != events {
		t.Fatalf("latest checkpoint %+v, %v: want one at the head, %d", cp, err, events)
	}
}
