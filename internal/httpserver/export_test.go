package httpserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auditlog"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

// exportSite serves the audit export over a fresh database, with signed-in
// sessions for a DPO and a legal staff member of one organisation.
type exportSite struct {
	*site
	org                    uuid.UUID
	dpo, staff             actor.Actor
	dpoCookie, staffCookie string
}

func newExportSite(t *testing.T) *exportSite {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.New(t)
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	az, err := authz.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	authSvc, err := auth.New(pool, kr, auth.Config{IdleTimeout: time.Hour, MaxLifetime: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	s := &exportSite{site: &site{pool: pool, logs: &logSink{}}}
	srv := httptest.NewServer(New(Options{Logger: slog.New(slog.NewJSONHandler(s.logs, nil)), Auth: authSvc,
		GraphQL: http.NotFoundHandler(), Ready: func(context.Context) error { return nil },
		SessionMaxAge: 2 * time.Hour, AuditLog: auditlog.NewService(az)}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	s.org = testfixture.Org(t, pool)
	s.dpo = testfixture.User(t, pool, s.org, actor.DPO)
	s.staff = testfixture.User(t, pool, s.org, actor.LegalStaff)
	cookie := func(a actor.Actor) string {
		res, err := authSvc.OpenSession(ctx, a.UserID, actor.Actor{RequestID: "test"}, "auth.login")
		if err != nil {
			t.Fatal(err)
		}
		return SessionCookie + "=" + res.Token
	}
	s.dpoCookie, s.staffCookie = cookie(s.dpo), cookie(s.staff)
	return s
}

func (s *exportSite) get(t *testing.T, query string, header map[string]string) response {
	t.Helper()
	return s.do(t, http.MethodGet, AuditExportPath+query, header, nil)
}

func csrfAnd(cookie string) map[string]string {
	return map[string]string{CSRFHeader: "1", "Cookie": cookie}
}

func TestAuditExportWantsTheCSRFHeader(t *testing.T) {
	t.Parallel()
	s := newExportSite(t)
	for _, h := range []map[string]string{
		{"Cookie": s.dpoCookie},
		{"Cookie": s.dpoCookie, CSRFHeader: "0"},
	} {
		r := s.get(t, "", h)
		if r.StatusCode != http.StatusForbidden || r.errorCode() != "FORBIDDEN" ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%v: %d %s", h, r.StatusCode, r.body)
		}
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'audit.export'`); n != 0 {
		t.Fatalf("%d exports without the CSRF header", n)
	}
}

func TestAuditExportWantsASession(t *testing.T) {
	t.Parallel()
	s := newExportSite(t)
	r := s.get(t, "", map[string]string{CSRFHeader: "1"})
	if r.StatusCode != http.StatusUnauthorized || r.errorCode() != "UNAUTHENTICATED" {
		t.Fatalf("no cookie: %d %s", r.StatusCode, r.body)
	}
	r = s.get(t, "", csrfAnd(SessionCookie+"=stale"))
	if r.StatusCode != http.StatusUnauthorized || r.errorCode() != "UNAUTHENTICATED" {
		t.Fatalf("stale cookie: %d %s", r.StatusCode, r.body)
	}
	if c := sessionCookie(r); c == nil || c.MaxAge >= 0 {
		t.Fatalf("stale cookie not cleared: %+v", c)
	}
	for _, m := range []string{http.MethodPost, http.MethodHead} {
		r = s.do(t, m, AuditExportPath, csrfAnd(s.dpoCookie), nil)
		if r.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("%s: %d", m, r.StatusCode)
		}
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'audit.export'`); n != 0 {
		t.Fatalf("%d exports audited", n)
	}
}

func TestAuditExportRefusesOtherRoles(t *testing.T) {
	t.Parallel()
	s := newExportSite(t)
	r := s.get(t, "", csrfAnd(s.staffCookie))
	if r.StatusCode != http.StatusForbidden || r.errorCode() != "FORBIDDEN" || r.Header.Get("Content-Disposition") != "" {
		t.Fatalf("legal staff: %d %s", r.StatusCode, r.body)
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'access.denied' AND permission = 'audit:read'`); n != 1 {
		t.Fatalf("%d refusals audited", n)
	}
}

func TestAuditExportNamesTheBadParameter(t *testing.T) {
	t.Parallel()
	s := newExportSite(t)
	for query, fields := range map[string][]string{
		"?actorId=nope":   {"actorId"},
		"?resourceId=1":   {"resourceId"},
		"?dossierId=x":    {"dossierId"},
		"?outcome=maybe":  {"outcome"},
		"?category=all":   {"category"},
		"?from=yesterday": {"from"},
		"?to=2025-13-01":  {"to"},
		"?actorId=a&to=b": {"actorId", "to"},
		"?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z": {"to"}, // the service's check
	} {
		r := s.get(t, query, csrfAnd(s.dpoCookie))
		var out struct {
			Errors []struct {
				Message    string `json:"message"`
				Extensions struct {
					Code   string `json:"code"`
					Fields []struct {
						Field string `json:"field"`
					} `json:"fields"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(r.body, &out); err != nil || r.StatusCode != http.StatusBadRequest || len(out.Errors) != 1 ||
			out.Errors[0].Extensions.Code != "INVALID" {
			t.Fatalf("%s: %d %s", query, r.StatusCode, r.body)
		}
		var got []string
		for _, f := range out.Errors[0].Extensions.Fields {
			got = append(got, f.Field)
			if !strings.Contains(out.Errors[0].Message, f.Field) {
				t.Errorf("%s: message %q does not name %s", query, out.Errors[0].Message, f.Field)
			}
		}
		if !slices.Equal(got, fields) {
			t.Errorf("%s: fields %v, want %v", query, got, fields)
		}
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'audit.export'`); n != 0 {
		t.Fatalf("%d exports audited after bad parameters", n)
	}
}

func TestAuditExportDownload(t *testing.T) {
	t.Parallel()
	s := newExportSite(t)
	ctx := context.Background()
	victim := uuid.New()
	at := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	for i, reason := range []string{"=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "\tx", "ordinaire"} {
		if _, err := s.pool.Exec(ctx, `INSERT INTO audit_events (occurred_at, actor_user_id, organisation_id, action,
				resource_type, resource_ids, reason, outcome, roles)
			VALUES ($1, $2, $3, 'victim.identity.reveal', 'victim', $4, $5, 'allowed', '{legal_staff}')`,
			at.Add(time.Duration(i)*time.Minute), s.staff.UserID, s.org, []uuid.UUID{victim}, reason); err != nil {
			t.Fatal(err)
		}
	}
	// Another victim, and a refusal: filtered out below.
	if _, err := s.pool.Exec(ctx, `INSERT INTO audit_events (occurred_at, actor_user_id, organisation_id, action,
			resource_type, resource_ids, outcome) VALUES ($1, $2, $3, 'victim.read', 'victim', $4, 'denied')`,
		at, s.staff.UserID, s.org, []uuid.UUID{uuid.New()}); err != nil {
		t.Fatal(err)
	}

	// The + of the offset left unencoded, as a hand-typed URL would.
	q := "?resourceId=" + victim.String() + "&outcome=ALLOWED&action=victim.*&from=2025-03-10T13:00:00+01:00&to=" +
		url.QueryEscape("2025-03-11T00:00:00+01:00")
	r := s.get(t, q, csrfAnd(s.dpoCookie))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", r.StatusCode, r.body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="journal-audit-\d{4}-\d{2}-\d{2}\.csv"$`).MatchString(cd) {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("headers %v", r.Header)
	}
	if !bytes.HasPrefix(r.body, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no byte-order mark")
	}
	cr := csv.NewReader(bytes.NewReader(r.body[3:]))
	cr.Comma = auditlog.CSVSeparator
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || !slices.Equal(recs[0], auditlog.CSVHeader()) {
		t.Fatalf("%d records: %q", len(recs), recs)
	}
	var reasons []string
	for _, rec := range recs[1:] {
		reasons = append(reasons, rec[7])
	}
	want := []string{"ordinaire", "'\tx", "'@SUM(A1)", "'-1", "'+1", "'=cmd|' /C calc'!A0"}
	if !slices.Equal(reasons, want) {
		t.Fatalf("reasons %q, want %q", reasons, want)
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'audit.export'
		AND actor_user_id = $1 AND resource_ids = ARRAY[$2::uuid]`, s.dpo.UserID, victim).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d export events (%v)", n, err)
	}
}

func TestAuditExportPrivilegeCategory(t *testing.T) {
	t.Parallel()
	s := newExportSite(t)
	ctx := context.Background()
	at := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	for i, e := range [][3]string{{"user.roles", "user:write", "allowed"}, {"access.denied", "dossier:assign", "denied"},
		{"victim.read", "case:read", "allowed"}, {"access.denied", "case:read", "denied"}} {
		if _, err := s.pool.Exec(ctx, `INSERT INTO audit_events (occurred_at, actor_user_id, organisation_id, action,
				resource_type, resource_ids, outcome, permission, roles)
			VALUES ($1, $2, $3, $4, 'user', '{}', $5, $6, '{admin}')`,
			at.Add(time.Duration(i)*time.Minute), s.staff.UserID, s.org, e[0], e[2], e[1]); err != nil {
			t.Fatal(err)
		}
	}
	r := s.get(t, "?category=PRIVILEGE&to=2025-03-11T00:00:00Z", csrfAnd(s.dpoCookie))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", r.StatusCode, r.body)
	}
	cr := csv.NewReader(bytes.NewReader(r.body[3:]))
	cr.Comma = auditlog.CSVSeparator
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records, want the header and 2: %q", len(recs), recs)
	}
}

func TestAuditExportOffWithoutTheService(t *testing.T) {
	t.Parallel()
	s := newSite(t, siteOptions{})
	r := s.do(t, http.MethodGet, AuditExportPath, map[string]string{CSRFHeader: "1"}, nil)
	if r.StatusCode != http.StatusNotFound || r.errorCode() != "NOT_FOUND" {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
}
