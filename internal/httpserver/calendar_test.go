package httpserver

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/calfeed"
	"github.com/egide/egide/internal/deadlines"
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

// TestCalendarFeedEndpoint: the feed answers text/calendar to its token
// alone (no cookie, no CSRF header), never cached; every refusal is the
// same 404; the token never reaches the access log.
func TestCalendarFeedEndpoint(t *testing.T) {
	pool := pgtest.New(t)
	az, err := authz.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	feeds := calfeed.NewService(pool, az, hearing.NewService(az), deadlines.NewService(az), "")
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	srv := httptest.NewServer(New(Options{Logger: log, Ready: func(context.Context) error { return nil },
		CalendarFeeds: feeds, GraphQL: http.NotFoundHandler()}))
	t.Cleanup(srv.Close)

	org := testfixture.Org(t, pool)
	staff := testfixture.User(t, pool, org, actor.LegalStaff)
	d := testfixture.Dossier(t, pool, org)
	if _, err := pool.Exec(context.Background(), `INSERT INTO hearings (dossier_id, kind, starts_at) VALUES ($1, 'trial', $2)`,
		d, time.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	c, err := feeds.Create(context.Background(), staff)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.URL, "/calendar/") || !strings.HasSuffix(c.URL, ".ics") {
		t.Fatalf("url without EGIDE_PUBLIC_URL: %q", c.URL)
	}
	token := strings.TrimSuffix(strings.TrimPrefix(c.URL, "/calendar/"), ".ics")

	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, body := get(c.URL)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/calendar; charset=utf-8" ||
		res.Header.Get("Cache-Control") != "private, no-store" || !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") ||
		!strings.Contains(body, "SUMMARY:Audience — jugement — ") ||
		!strings.Contains(body, "URL:"+srv.URL+"/dossiers/"+d.String()) {
		t.Fatalf("feed: %d %v\n%s", res.StatusCode, res.Header, body)
	}

	if _, err := pool.Exec(context.Background(), `UPDATE calendar_feeds SET revoked_at = now()`); err != nil {
		t.Fatal(err)
	}
	_, want := get("/calendar/" + strings.Repeat("A", 43) + ".ics")
	for _, p := range []string{c.URL, "/calendar/x.ics", "/calendar/" + token, "/calendar/%2e%2e.ics"} {
		res, body := get(p)
		if res.StatusCode != 404 || body != want || !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: %d %q, want 404 %q", p, res.StatusCode, body, want)
		}
	}
	if strings.Contains(logs.String(), token) {
		t.Fatal("the feed token is in the access log")
	}
	if !strings.Contains(logs.String(), "/calendar/[token].ics") {
		t.Fatal("feed requests are not logged")
	}
}
