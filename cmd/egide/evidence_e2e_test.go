package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// genReader is size deterministic pseudo-random bytes after a head,
// never held in memory.
type genReader struct {
	head io.Reader
	rng  *rand.ChaCha8
	left int64
}

func gen(head string, seed byte, size int64) *genReader {
	var s [32]byte
	s[0] = seed
	return &genReader{head: strings.NewReader(head), rng: rand.NewChaCha8(s), left: size - int64(len(head))}
}

func (g *genReader) Read(p []byte) (int, error) {
	if n, _ := g.head.Read(p); n > 0 {
		return n, nil
	}
	if g.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, _ := g.rng.Read(p)
	g.left -= int64(n)
	return n, nil
}

// content sends a request to an evidence file endpoint.
func (c *client) content(method, path string, body io.Reader, size int64, csrf bool) *http.Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.ContentLength = size // -1: chunked
	}
	if csrf {
		req.Header.Set("X-Egide-CSRF", "1")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// statusOf drains and closes resp and returns its status and body.
func statusOf(resp *http.Response) (int, string) {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

const createEvidence = `mutation($d: ID!, $k: String!) { createEvidence(input: {dossierId: $d, kind: COMPLAINT,
	title: "Plainte déposée", fileName: "plainte.pdf", idempotencyKey: $k}) { id status uploadPath downloadPath } }`

func newDossier(c *client, ref string) string {
	d := c.ok(`mutation($r: String!) { createDossier(input: {reference: $r, title: "Pièces", themes: [GROOMING]}) { id } }`,
		map[string]any{"r": ref})
	return str(d, "createDossier", "id")
}

func TestEvidenceEndToEnd(t *testing.T) {
	t.Parallel()
	in := startDev(t, 1, nil)
	jurist := in.client(t)
	jurist.login(in.accounts["legal_staff"])
	dossierID := newDossier(jurist, "EVID-0001")

	key := uuid.NewString()
	d := jurist.ok(createEvidence, map[string]any{"d": dossierID, "k": key})
	id := str(d, "createEvidence", "id")
	upload := str(d, "createEvidence", "uploadPath")
	if str(d, "createEvidence", "status") != "PENDING" || upload != "/evidence/"+id+"/content" || get(d, "createEvidence", "downloadPath") != nil {
		t.Fatalf("created: %v", d)
	}
	if again := jurist.ok(createEvidence, map[string]any{"d": dossierID, "k": key}); str(again, "createEvidence", "id") != id {
		t.Fatalf("same idempotency key, another record: %v", again)
	}

	const size = 5<<20 + 123
	const head = "%PDF-1.4\n"
	h := sha256.New()
	io.Copy(h, gen(head, 7, size))
	want := hex.EncodeToString(h.Sum(nil))

	if code, body := statusOf(jurist.content(http.MethodPut, upload, gen(head, 7, size), size, false)); code != http.StatusForbidden {
		t.Fatalf("PUT without the CSRF header: %d %s", code, body)
	}
	anon := in.client(t)
	if code, body := statusOf(anon.content(http.MethodPut, upload, gen(head, 7, size), size, true)); code != http.StatusUnauthorized {
		t.Fatalf("PUT signed out: %d %s", code, body)
	}

	// Streamed: chunked, no length declared.
	code, body := statusOf(jurist.content(http.MethodPut, upload, gen(head, 7, size), -1, true))
	if code != http.StatusOK || !strings.Contains(body, `"STORED"`) || !strings.Contains(body, want) {
		t.Fatalf("PUT: %d %s", code, body)
	}
	d = jurist.ok(`query($id: ID!) { evidence(id: $id) { status sha256 size contentType fileName downloadPath uploadPath } }`,
		map[string]any{"id": id})
	e := get(d, "evidence")
	if str(e, "status") != "STORED" || str(e, "sha256") != want || get(e, "size") != float64(size) ||
		str(e, "contentType") != "application/pdf" || str(e, "fileName") != "plainte.pdf" ||
		str(e, "downloadPath") != upload || get(e, "uploadPath") != nil {
		t.Fatalf("stored record: %v", e)
	}
	d = jurist.ok(`query($id: ID!) { dossier(id: $id) { evidence { id status } } }`, map[string]any{"id": dossierID})
	if !strings.Contains(fmt.Sprint(get(d, "dossier", "evidence")), id) {
		t.Fatalf("dossier's evidence: %v", d)
	}
	// A retry of the upload changes nothing.
	if code, body := statusOf(jurist.content(http.MethodPut, upload, strings.NewReader("other"), 5, true)); code != http.StatusOK ||
		!strings.Contains(body, want) {
		t.Fatalf("second PUT: %d %s", code, body)
	}

	resp := jurist.content(http.MethodGet, upload, nil, 0, true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET: %v", resp.Status)
	}
	h.Reset()
	n, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != want {
		t.Fatalf("GET: %d bytes, %v; sha256 %x, want %s", n, err, h.Sum(nil), want)
	}
	if got := resp.Header.Get("X-Egide-SHA256"); got != want {
		t.Fatalf("X-Egide-SHA256 %q, want %s", got, want)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "plainte.pdf") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if code, _ := statusOf(jurist.content(http.MethodGet, upload, nil, 0, false)); code != http.StatusForbidden {
		t.Fatalf("GET without the CSRF header: %d", code)
	}
	if code, _ := statusOf(jurist.content(http.MethodGet, "/evidence/"+uuid.NewString()+"/content", nil, 0, true)); code != http.StatusNotFound {
		t.Fatalf("GET of an unknown id: %d", code)
	}

	adv := in.client(t)
	adv.login(in.accounts["advocacy"])
	if code, body := statusOf(adv.content(http.MethodGet, upload, nil, 0, true)); code == http.StatusOK || len(body) > 4096 {
		t.Fatalf("advocacy downloaded the file: %d (%d bytes)", code, len(body))
	}
	if r := adv.do(`query($id: ID!) { evidence(id: $id) { sha256 } }`, map[string]any{"id": id}); len(r.Errors) == 0 ||
		strings.Contains(r.raw, want) {
		t.Fatalf("advocacy read the record: %s", r.raw)
	}
	other := newDossier(jurist, "EVID-0002")
	pending := str(jurist.ok(createEvidence, map[string]any{"d": other, "k": uuid.NewString()}), "createEvidence", "uploadPath")
	if code, body := statusOf(adv.content(http.MethodPut, pending, strings.NewReader("%PDF-1.4\nx"), 10, true)); code == http.StatusOK {
		t.Fatalf("advocacy uploaded: %d %s", code, body)
	}
	if code, body := statusOf(jurist.content(http.MethodGet, pending, nil, 0, true)); code != http.StatusConflict {
		t.Fatalf("GET of a pending record: %d %s", code, body)
	}
}

func TestEvidenceUploadLimit(t *testing.T) {
	t.Parallel()
	in := startDev(t, 1, map[string]string{"EGIDE_MAX_UPLOAD_BYTES": "4096"})
	jurist := in.client(t)
	jurist.login(in.accounts["legal_staff"])
	dossierID := newDossier(jurist, "EVID-0003")
	upload := str(jurist.ok(createEvidence, map[string]any{"d": dossierID, "k": uuid.NewString()}), "createEvidence", "uploadPath")
	for _, declared := range []int64{8192, -1} { // declared over the limit; streamed past it
		if code, body := statusOf(jurist.content(http.MethodPut, upload, gen("", 1, 8192), declared, true)); code != http.StatusRequestEntityTooLarge {
			t.Fatalf("PUT of 8192 bytes (declared %d) over a 4096 limit: %d %s", declared, code, body)
		}
	}
	d := jurist.ok(`query($u: ID!) { evidence(id: $u) { status } }`, map[string]any{"u": strings.Split(upload, "/")[2]})
	if str(d, "evidence", "status") != "PENDING" {
		t.Fatalf("after refused uploads: %v", d)
	}
	if code, body := statusOf(jurist.content(http.MethodPut, upload, gen("", 1, 4096), 4096, true)); code != http.StatusOK {
		t.Fatalf("PUT at the limit: %d %s", code, body)
	}
}
