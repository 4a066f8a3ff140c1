// Command egide-load drives a running Égide with the dossier-list query of
// the home screen and reports throughput and latency. It only talks to the
// address it is given (loopback in `make loadtest`), and stops by itself.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/egide/egide/internal/auth/authtest"
)

// Query is the list benchmarked in BENCHMARKS.md: 50 dossiers with their
// victims, current proceeding and next hearing.
const Query = `query($after: String) { dossiers(first: 50, after: $after) { totalCount pageInfo { endCursor hasNextPage }
	nodes { id reference title themes status victims { id pseudonym ageAtFacts }
		currentProceeding { stage courtKind courtName } nextHearing { startsAt kind courtRoom } } } }`

func main() {
	var (
		base     = flag.String("url", "http://127.0.0.1:8090", "Égide base URL (loopback only)")
		accounts = flag.String("accounts", "var/loadtest/dev-accounts.json", "demo accounts file")
		role     = flag.String("role", "legal_staff", "role of the account to use")
		conc     = flag.Int("concurrency", 8, "parallel clients")
		dur      = flag.Duration("duration", 20*time.Second, "how long to run")
		warmup   = flag.Duration("warmup", 3*time.Second, "warm-up before measuring")
		pages    = flag.Int("pages", 20, "pages each client walks before starting over from the first")
	)
	flag.Parse()
	if err := run(*base, *accounts, *role, *conc, *dur, *warmup, *pages); err != nil {
		fmt.Fprintln(os.Stderr, "egide-load:", err)
		os.Exit(1)
	}
}

func run(base, accountsFile, role string, conc int, dur, warmup time.Duration, pages int) error {
	b, err := os.ReadFile(accountsFile)
	if err != nil {
		return err
	}
	var accs []struct{ Email, Password, Role, TOTPSecret string }
	if err := json.Unmarshal(b, &accs); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	var email, password, secret string
	for _, a := range accs {
		if a.Role == role {
			email, password, secret = a.Email, a.Password, a.TOTPSecret
			break
		}
	}
	if email == "" {
		return fmt.Errorf("no %s account in %s", role, accountsFile)
	}
	ctx, cancel := context.WithTimeout(context.Background(), warmup+dur)
	defer cancel()
	measureFrom := time.Now().Add(warmup)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  int
	)
	// One sign-in (a TOTP code is accepted once), its session shared by
	// every client, each with its own connections.
	jar, err := login(base, email, password, (&authtest.Codes{}).Next(secret))
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var after any
			for n := 0; ctx.Err() == nil; n++ {
				if n%pages == 0 {
					after = nil
				}
				start := time.Now()
				next, err := list(ctx, c, base, after)
				d := time.Since(start)
				if ctx.Err() != nil {
					return
				}
				after = next
				if start.Before(measureFrom) {
					continue
				}
				mu.Lock()
				if err != nil {
					failures++
				} else {
					latencies = append(latencies, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(latencies) == 0 {
		return errors.New("no successful request")
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(float64(len(latencies)-1)*p)] }
	fmt.Printf("requests: %d ok, %d failed in %s with %d clients\n", len(latencies), failures, dur, conc)
	fmt.Printf("throughput: %.1f req/s\n", float64(len(latencies))/dur.Seconds())
	fmt.Printf("latency: p50 %s  p95 %s  p99 %s  max %s\n", pct(0.50).Round(100*time.Microsecond),
		pct(0.95).Round(100*time.Microsecond), pct(0.99).Round(100*time.Microsecond), latencies[len(latencies)-1].Round(100*time.Microsecond))
	if failures > 0 {
		return fmt.Errorf("%d requests failed", failures)
	}
	return nil
}

func login(base, email, password, code string) (http.CookieJar, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	var out struct{ Errors []any }
	if err := post(context.Background(), c, base, `mutation($e: String!, $p: String!, $c: String) {
		login(input: {email: $e, password: $p, totp: $c}) { status } }`,
		map[string]any{"e": email, "p": password, "c": code}, &out); err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("login: %v", out.Errors)
	}
	return jar, nil
}

func list(ctx context.Context, c *http.Client, base string, after any) (any, error) {
	var out struct {
		Data struct {
			Dossiers struct {
				Nodes    []json.RawMessage
				PageInfo struct {
					EndCursor   *string
					HasNextPage bool
				}
			}
		}
		Errors []any
	}
	if err := post(ctx, c, base, Query, map[string]any{"after": after}, &out); err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 || len(out.Data.Dossiers.Nodes) == 0 {
		return nil, fmt.Errorf("list: %v", out.Errors)
	}
	if !out.Data.Dossiers.PageInfo.HasNextPage {
		return nil, nil
	}
	return *out.Data.Dossiers.PageInfo.EndCursor, nil
}

func post(ctx context.Context, c *http.Client, base, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Egide-CSRF", "1")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return json.Unmarshal(raw, out)
}
