package httpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

type evidenceSite struct {
	url    string
	pool   *pgxpool.Pool
	svc    *evidence.Service
	dir    string
	staff  actor.Actor
	cookie string
	dossid uuid.UUID
}

func newEvidenceSite(t *testing.T, maxSize int64) *evidenceSite {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.New(t)
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)))
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
	dir := t.TempDir()
	st, err := blob.NewFSStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := evidence.NewService(az, pool, kr, st, evidence.Config{MaxSize: maxSize})
	res := &graph.Resolver{AuthSvc: authSvc, EvidenceSvc: svc}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv := httptest.NewServer(New(Options{Logger: log, Auth: authSvc, Resolver: res, GraphQL: graph.NewHandler(res, graph.HandlerOptions{Logger: log}),
		Ready: func(context.Context) error { return nil }, InsecureCookies: true, SessionMaxAge: 2 * time.Hour, Evidence: svc}))
	t.Cleanup(srv.Close)
	s := &evidenceSite{url: srv.URL, pool: pool, svc: svc, dir: dir}
	org := testfixture.Org(t, pool)
	s.staff = testfixture.User(t, pool, org, actor.LegalStaff)
	s.dossid = testfixture.Dossier(t, pool, org)
	res2, err := authSvc.OpenSession(ctx, s.staff.UserID, actor.Actor{RequestID: "test"}, "auth.login")
	if err != nil {
		t.Fatal(err)
	}
	s.cookie = SessionCookie + "=" + res2.Token
	return s
}

func (s *evidenceSite) do(t *testing.T, method, path string, header map[string]string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{Response: &http.Response{StatusCode: 0, Header: http.Header{}}, body: []byte(err.Error())}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{Response: resp, body: []byte("READ ERROR: " + err.Error())}
	}
	return response{Response: resp, body: b}
}

func (s *evidenceSite) create(t *testing.T) uuid.UUID {
	t.Helper()
	e, err := s.svc.Create(context.Background(), s.staff, evidence.CreateInput{DossierID: s.dossid, Kind: evidence.KindDecision,
		Title: "Jugement", IdempotencyKey: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	return e.ID
}

func TestEvidenceUploadAndDownload(t *testing.T) {
	t.Parallel()
	s := newEvidenceSite(t, 1<<20)
	id := s.create(t)
	path := "/evidence/" + id.String() + "/content"
	content := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("jugement "), 20000)...)
	auth := map[string]string{CSRFHeader: "1", "Cookie": s.cookie}

	// The CSRF header and a session are required.
	if r := s.do(t, http.MethodPut, path, map[string]string{"Cookie": s.cookie}, bytes.NewReader(content)); r.StatusCode != http.StatusForbidden {
		t.Fatalf("without CSRF: %d", r.StatusCode)
	}
	if r := s.do(t, http.MethodPut, path, map[string]string{CSRFHeader: "1"}, bytes.NewReader(content)); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without session: %d", r.StatusCode)
	}
	if r := s.do(t, http.MethodGet, "/evidence/"+uuid.NewString()+"/content", auth, nil); r.StatusCode != http.StatusNotFound || r.errorCode() != "NOT_FOUND" {
		t.Fatalf("unknown id: %d %s", r.StatusCode, r.body)
	}
	if r := s.do(t, http.MethodGet, path, auth, nil); r.StatusCode != http.StatusConflict {
		t.Fatalf("download before upload: %d %s", r.StatusCode, r.body)
	}

	up := map[string]string{CSRFHeader: "1", "Cookie": s.cookie, FilenameHeader: "d%C3%A9cision%20du%2012.pdf"}
	r := s.do(t, http.MethodPut, path, up, bytes.NewReader(content))
	var out struct {
		ID          uuid.UUID `json:"id"`
		Status      string    `json:"status"`
		Size        int64     `json:"size"`
		SHA256      string    `json:"sha256"`
		ContentType string    `json:"contentType"`
	}
	if r.StatusCode != http.StatusOK || json.Unmarshal(r.body, &out) != nil {
		t.Fatalf("upload: %d %s", r.StatusCode, r.body)
	}
	sum := sha256.Sum256(content)
	if out.ID != id || out.Status != "STORED" || out.Size != int64(len(content)) || out.SHA256 != hex.EncodeToString(sum[:]) ||
		out.ContentType != "application/pdf" {
		t.Fatalf("upload answered %+v", out)
	}

	r = s.do(t, http.MethodGet, path, auth, nil)
	h := r.Header
	if r.StatusCode != http.StatusOK || !bytes.Equal(r.body, content) {
		t.Fatalf("download: %d, %d bytes", r.StatusCode, len(r.body))
	}
	for k, want := range map[string]string{
		"Content-Type": "application/octet-stream", "X-Egide-Content-Type": "application/pdf",
		"Content-Length": strconv.Itoa(len(content)), "X-Egide-SHA256": out.SHA256, "Cache-Control": "no-store",
		"Content-Disposition": `attachment; filename="d_cision du 12.pdf"; filename*=UTF-8''d%C3%A9cision%20du%2012.pdf`,
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if r := s.do(t, http.MethodGet, path, map[string]string{"Cookie": s.cookie}, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("download without CSRF: %d", r.StatusCode)
	}
	if testfixture.AuditCount(t, s.pool, "evidence.download", "allowed") != 1 || testfixture.AuditCount(t, s.pool, "evidence.upload", "allowed") != 1 {
		t.Fatal("upload or download not audited")
	}

	// A tampered object: the connection breaks instead of ending a short file.
	var key string
	s.pool.QueryRow(context.Background(), `SELECT object_key FROM evidence WHERE id = $1`, id).Scan(&key)
	file := filepath.Join(s.dir, filepath.FromSlash(key))
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-50] ^= 1
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r = s.do(t, http.MethodGet, path, auth, nil)
	if r.StatusCode == http.StatusOK && bytes.Equal(r.body, content) {
		t.Fatal("a tampered file was served whole")
	}
	if r.StatusCode == http.StatusOK && !strings.HasPrefix(string(r.body), "READ ERROR") {
		t.Fatalf("a tampered file ended normally (%d bytes)", len(r.body))
	}
}

func TestEvidenceUploadTooLarge(t *testing.T) {
	t.Parallel()
	s := newEvidenceSite(t, 1000)
	up := map[string]string{CSRFHeader: "1", "Cookie": s.cookie}
	// Declared too large: refused before reading.
	id := s.create(t)
	r := s.do(t, http.MethodPut, "/evidence/"+id.String()+"/content", up, bytes.NewReader(make([]byte, 1001)))
	if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(r.body), "at most 1000 bytes") {
		t.Fatalf("declared too large: %d %s", r.StatusCode, r.body)
	}
	// Streamed without a length: refused while streaming.
	pr, pw := io.Pipe()
	go func() { pw.Write(make([]byte, 5000)); pw.Close() }()
	r = s.do(t, http.MethodPut, "/evidence/"+id.String()+"/content", up, pr)
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("streamed too large: %d %s", r.StatusCode, r.body)
	}
	if e, _ := s.svc.Get(context.Background(), s.staff, id); e.Status != evidence.StatusPending {
		t.Fatalf("status %s after refused uploads", e.Status)
	}
}

func TestEvidenceRangeDownload(t *testing.T) {
	t.Parallel()
	s := newEvidenceSite(t, 1<<20)
	id := s.create(t)
	path := "/evidence/" + id.String() + "/content"
	content := make([]byte, 200<<10+77) // over three 64 KiB chunks
	for i := range content {
		content[i] = byte(i*7 + i/300)
	}
	auth := map[string]string{CSRFHeader: "1", "Cookie": s.cookie}
	if r := s.do(t, http.MethodPut, path, auth, bytes.NewReader(content)); r.StatusCode != http.StatusOK {
		t.Fatalf("upload: %d %s", r.StatusCode, r.body)
	}
	size := len(content)
	withRange := func(v string) map[string]string {
		return map[string]string{CSRFHeader: "1", "Cookie": s.cookie, "Range": v}
	}

	// An interrupted download: the client keeps the first N bytes, then
	// asks for the rest.
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	for k, v := range auth {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("full download: %d, Accept-Ranges %q", resp.StatusCode, resp.Header.Get("Accept-Ranges"))
	}
	const n = 100_003
	got := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, got); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r := s.do(t, http.MethodGet, path, withRange("bytes="+strconv.Itoa(n)+"-"), nil)
	if r.StatusCode != http.StatusPartialContent || r.Header.Get("Content-Range") != "bytes "+strconv.Itoa(n)+"-"+strconv.Itoa(size-1)+"/"+strconv.Itoa(size) ||
		r.Header.Get("Content-Length") != strconv.Itoa(size-n) || r.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("resume: %d %v", r.StatusCode, r.Header)
	}
	if !bytes.Equal(append(got, r.body...), content) {
		t.Fatalf("resumed download differs from the file (%d + %d bytes)", len(got), len(r.body))
	}
	sum := sha256.Sum256(content)
	if r.Header.Get("X-Egide-SHA256") != hex.EncodeToString(sum[:]) {
		t.Fatalf("X-Egide-SHA256 on a 206: %q", r.Header.Get("X-Egide-SHA256"))
	}

	// Bounded ranges, past the end clamped.
	for _, c := range []struct{ first, last, wantLast int }{
		{0, 0, 0}, {10, 65_545, 65_545}, {65_536, 131_071, 131_071}, {size - 1, size - 1, size - 1}, {150_000, size + 5000, size - 1},
	} {
		r := s.do(t, http.MethodGet, path, withRange("bytes="+strconv.Itoa(c.first)+"-"+strconv.Itoa(c.last)), nil)
		wantCR := "bytes " + strconv.Itoa(c.first) + "-" + strconv.Itoa(c.wantLast) + "/" + strconv.Itoa(size)
		if r.StatusCode != http.StatusPartialContent || r.Header.Get("Content-Range") != wantCR ||
			!bytes.Equal(r.body, content[c.first:c.wantLast+1]) {
			t.Fatalf("range %d-%d: %d %q, %d bytes", c.first, c.last, r.StatusCode, r.Header.Get("Content-Range"), len(r.body))
		}
	}

	// Unsatisfiable: 416 with the size.
	for _, v := range []string{"bytes=" + strconv.Itoa(size) + "-", "bytes=" + strconv.Itoa(size+1) + "-", "bytes=999999999-1000000000"} {
		r := s.do(t, http.MethodGet, path, withRange(v), nil)
		if r.StatusCode != http.StatusRequestedRangeNotSatisfiable || r.Header.Get("Content-Range") != "bytes */"+strconv.Itoa(size) ||
			r.Header.Get("Accept-Ranges") != "bytes" {
			t.Fatalf("%s: %d %v", v, r.StatusCode, r.Header)
		}
	}

	// Ignored: several ranges, suffixes, bad syntax, an If-Range: 200, whole.
	for _, hdr := range []map[string]string{
		withRange("bytes=0-10,20-30"), withRange("bytes=-500"), withRange("bytes=20-10"), withRange("items=5-"),
		withRange("bytes=+5-"), {CSRFHeader: "1", "Cookie": s.cookie, "Range": "bytes=5-", "If-Range": `"x"`},
	} {
		r := s.do(t, http.MethodGet, path, hdr, nil)
		if r.StatusCode != http.StatusOK || !bytes.Equal(r.body, content) || r.Header.Get("Content-Range") != "" {
			t.Fatalf("%v: %d, %d bytes", hdr, r.StatusCode, len(r.body))
		}
	}

	// The CSRF header is still required; errors carry Accept-Ranges too.
	r = s.do(t, http.MethodGet, path, map[string]string{"Cookie": s.cookie, "Range": "bytes=5-"}, nil)
	if r.StatusCode != http.StatusForbidden || r.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("range without CSRF: %d %v", r.StatusCode, r.Header)
	}
	// Every download is audited, a 416 too (docs/security.md: "audited
	// like any download"): it sends no byte of the file but tells its size.
	// 1 full + 1 resume + 5 bounded + 3 unsatisfiable + 6 ignored.
	if c := testfixture.AuditCount(t, s.pool, "evidence.download", "allowed"); c != 16 {
		t.Fatalf("%d downloads audited, want 16", c)
	}
	var named int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events
		WHERE action = 'evidence.download' AND $1 = ANY(resource_ids)`, id).Scan(&named); err != nil || named != 16 {
		t.Fatalf("%d download events name the evidence (%v), want 16", named, err)
	}

	// A tampered later chunk breaks a ranged response too.
	var key string
	s.pool.QueryRow(context.Background(), `SELECT object_key FROM evidence WHERE id = $1`, id).Scan(&key)
	file := filepath.Join(s.dir, filepath.FromSlash(key))
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-50] ^= 1
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r = s.do(t, http.MethodGet, path, withRange("bytes=70000-"), nil)
	if r.StatusCode == http.StatusPartialContent && !strings.HasPrefix(string(r.body), "READ ERROR") {
		t.Fatalf("a tampered file ended a 206 normally (%d bytes)", len(r.body))
	}
}

// A file name that reads as something else ("rapport‮fdp.exe" shows as
// "rapportexe.pdf") is refused on upload, before a byte is stored, as
// INVALID on fileName; so are control characters. An unknown id and an
// invisible one look alike: the same NOT_FOUND.
func TestEvidenceUploadRefusesMisleadingFileNames(t *testing.T) {
	t.Parallel()
	s := newEvidenceSite(t, 1<<20)
	id := s.create(t)
	path := "/evidence/" + id.String() + "/content"
	for _, header := range []string{url.PathEscape("rapport\u202efdp.exe"), url.PathEscape("a\u2066b\u2069.pdf"),
		url.PathEscape("\u200fx.pdf"), url.PathEscape("x\u202ay\u202c.pdf"), url.PathEscape("nul\x00.pdf"),
		url.PathEscape("line\nbreak.pdf"), "%E2%80%AEfdp.exe", "bad%ZZescape", "%FF%FE.pdf"} {
		name := header
		r := s.do(t, http.MethodPut, path, map[string]string{CSRFHeader: "1", "Cookie": s.cookie,
			FilenameHeader: header}, bytes.NewReader([]byte("%PDF-1.4\nx")))
		var out struct {
			Errors []struct {
				Extensions struct {
					Code   string `json:"code"`
					Fields []struct {
						Field string `json:"field"`
					} `json:"fields"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(r.body, &out); err != nil || r.StatusCode != http.StatusBadRequest || len(out.Errors) != 1 ||
			out.Errors[0].Extensions.Code != "INVALID" || len(out.Errors[0].Extensions.Fields) != 1 ||
			out.Errors[0].Extensions.Fields[0].Field != "fileName" {
			t.Fatalf("%+q: %d %s", name, r.StatusCode, r.body)
		}
	}
	var status string
	if err := s.pool.QueryRow(context.Background(), `SELECT status FROM evidence WHERE id = $1`, id).Scan(&status); err != nil || status != "pending" {
		t.Fatalf("after refused uploads the record is %q (%v), want pending", status, err)
	}
	// A plain name in another script is fine.
	if r := s.do(t, http.MethodPut, path, map[string]string{CSRFHeader: "1", "Cookie": s.cookie,
		FilenameHeader: url.PathEscape("تقرير (v2).pdf")}, bytes.NewReader([]byte("%PDF-1.4\nx"))); r.StatusCode != http.StatusOK {
		t.Fatalf("plain name: %d %s", r.StatusCode, r.body)
	}
	auth := map[string]string{CSRFHeader: "1", "Cookie": s.cookie}
	missing := s.do(t, http.MethodGet, "/evidence/"+uuid.NewString()+"/content", auth, nil)
	garbage := s.do(t, http.MethodGet, "/evidence/not-an-id/content", auth, nil)
	if missing.StatusCode != http.StatusNotFound || string(missing.body) != string(garbage.body) ||
		!strings.Contains(string(missing.body), `"message":"not found"`) {
		t.Fatalf("missing: %d %s; garbage: %d %s", missing.StatusCode, missing.body, garbage.StatusCode, garbage.body)
	}
}
