package evidence_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

const (
	refTestURL = "https://forum.example.net/t/topic-zq81723?p=4"
	refTestSHA = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
	refTestMD5 = "098f6bcd4621d373cade4e832627b4f6"
)

type refBundle struct {
	pool    *pgxpool.Pool
	svc     *evidence.ReferenceService
	org     uuid.UUID
	staff   actor.Actor
	dossier uuid.UUID
}

func refSetup(t *testing.T) refBundle {
	t.Helper()
	pool := pgtest.New(t)
	org := testfixture.Org(t, pool)
	return refBundle{
		pool:    pool,
		svc:     evidence.NewReferenceService(testfixture.Authorizer(t, pool)),
		org:     org,
		staff:   testfixture.User(t, pool, org, actor.LegalStaff),
		dossier: testfixture.Dossier(t, pool, org),
	}
}

func (b refBundle) add(t *testing.T, dossierID uuid.UUID) evidence.ContentReference {
	t.Helper()
	c, err := b.svc.Add(context.Background(), b.staff, evidence.ReferenceInput{DossierID: dossierID, URL: refTestURL})
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	return c
}

func (b refBundle) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func (b refBundle) closeDossier(t *testing.T, dossierID uuid.UUID) {
	t.Helper()
	if _, err := b.pool.Exec(context.Background(),
		`UPDATE dossiers SET status = 'closed', closed_on = '2025-06-01' WHERE id = $1`, dossierID); err != nil {
		t.Fatalf("close dossier: %v", err)
	}
}

func refWantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

// refWantField wants INVALID with a message on field, and returns it.
func refWantField(t *testing.T, err error, field string) string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("error = %v, want INVALID on %s", err, field)
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	t.Fatalf("error = %v, want a message on field %s", err, field)
	return ""
}

func refPtr[T any](v T) *T { return &v }

func refDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestReferenceAdd(t *testing.T) {
	t.Parallel()
	b := refSetup(t)
	ctx := context.Background()
	observed := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	c, err := b.svc.Add(ctx, b.staff, evidence.ReferenceInput{
		DossierID: b.dossier, URL: "  " + refTestURL + " ", Platform: refPtr(" Forum X "),
		SHA256: refPtr(" " + refTestSHA), MD5: refPtr(refTestMD5), PerceptualHash: refPtr("pdna:AAECAwQF"),
		Description: refPtr(" Photographie d'un enfant, environ 10 ans, décor de chambre. Hash list: " + strings.ToLower(refTestSHA)),
		ObservedOn:  &observed,
	})
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	if c.ID == uuid.Nil || c.DossierID != b.dossier || c.URL != refTestURL || c.Platform != "Forum X" ||
		c.SHA256 != strings.ToLower(refTestSHA) || c.MD5 != refTestMD5 || c.PerceptualHash != "pdna:AAECAwQF" ||
		!strings.HasPrefix(c.Description, "Photographie") || c.ObservedOn == nil || !c.ObservedOn.Equal(observed) ||
		c.CreatedAt.IsZero() {
		t.Fatalf("reference = %+v", c)
	}
	if n := testfixture.AuditCount(t, b.pool, "content_reference.create", "allowed"); n != 1 {
		t.Fatalf("create events = %d, want 1", n)
	}

	// Optional fields may be left out, and the date of today is not the future.
	today := refDay(time.Now().In(mustParis(t)))
	m, err := b.svc.Add(ctx, b.staff, evidence.ReferenceInput{DossierID: b.dossier, URL: "http://example.org/x", ObservedOn: &today})
	if err != nil || m.SHA256 != "" || m.MD5 != "" || m.Platform != "" || m.Description != "" || !m.ObservedOn.Equal(today) {
		t.Fatalf("minimal reference = %+v, %v", m, err)
	}

	got, err := b.svc.Get(ctx, b.staff, c.ID)
	if err != nil || got.ID != c.ID || got.URL != c.URL || got.SHA256 != c.SHA256 || got.Description != c.Description ||
		got.ObservedOn == nil || !got.ObservedOn.Equal(observed) || !got.CreatedAt.Equal(c.CreatedAt) {
		t.Fatalf("get = %+v, %v; want %+v", got, err, c)
	}
	list, err := b.svc.ByDossier(ctx, b.staff, b.dossier)
	if err != nil || len(list) != 2 || list[0].ID != c.ID || list[1].ID != m.ID {
		t.Fatalf("by dossier = %+v, %v", list, err)
	}
	if n := testfixture.AuditCount(t, b.pool, "content_reference.read", "allowed"); n != 1 {
		t.Fatalf("read events = %d, want 1", n)
	}
	if n := testfixture.AuditCount(t, b.pool, "content_reference.list", "allowed"); n != 1 {
		t.Fatalf("list events = %d, want 1", n)
	}
	empty, err := b.svc.ByDossier(ctx, b.staff, testfixture.Dossier(t, b.pool, b.org))
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty dossier = %+v, %v", empty, err)
	}
}

func mustParis(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

func TestReferenceAddValidation(t *testing.T) {
	t.Parallel()
	b := refSetup(t)
	tomorrow := refDay(time.Now()).AddDate(0, 0, 2)
	blob := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x89PNG\r\n\x1a\n binary ", 20)))
	var wrapped strings.Builder
	for i := 0; i < len(blob); i += 76 {
		wrapped.WriteString(blob[i:min(i+76, len(blob))] + "\n")
	}
	tests := []struct {
		name  string
		in    evidence.ReferenceInput
		field string
	}{
		{"no url", evidence.ReferenceInput{URL: "  "}, "url"},
		{"relative url", evidence.ReferenceInput{URL: "/t/81723"}, "url"},
		{"no host", evidence.ReferenceInput{URL: "https:///t/81723"}, "url"},
		{"ftp url", evidence.ReferenceInput{URL: "ftp://example.org/a.jpg"}, "url"},
		{"data url", evidence.ReferenceInput{URL: "data:image/png;base64,iVBORw0KGgo="}, "url"},
		{"not a url", evidence.ReferenceInput{URL: "http://exa mple.org/%zz"}, "url"},
		{"url too long", evidence.ReferenceInput{URL: "https://example.org/" + strings.Repeat("a", 2029)}, "url"},
		{"platform too long", evidence.ReferenceInput{URL: refTestURL, Platform: refPtr(strings.Repeat("x", 201))}, "platform"},
		{"sha256 too short", evidence.ReferenceInput{URL: refTestURL, SHA256: refPtr(refTestSHA[:63])}, "sha256"},
		{"sha256 not hex", evidence.ReferenceInput{URL: refTestURL, SHA256: refPtr("z" + refTestSHA[1:])}, "sha256"},
		{"md5 too long", evidence.ReferenceInput{URL: refTestURL, MD5: refPtr(refTestMD5 + "0")}, "md5"},
		{"md5 not hex", evidence.ReferenceInput{URL: refTestURL, MD5: refPtr("g" + refTestMD5[1:])}, "md5"},
		{"perceptual hash too long", evidence.ReferenceInput{URL: refTestURL, PerceptualHash: refPtr(strings.Repeat("a", 513))}, "perceptualHash"},
		{"description too long", evidence.ReferenceInput{URL: refTestURL, Description: refPtr(strings.Repeat("é", 4001))}, "description"},
		{"description with a data URI", evidence.ReferenceInput{URL: refTestURL,
			Description: refPtr("Image : DATA:image/jpeg;base64,/9j/4AAQSkZJRg==")}, "description"},
		{"description with a bare data URI", evidence.ReferenceInput{URL: refTestURL, Description: refPtr("voir data:,abc")}, "description"},
		{"description with a base64 blob", evidence.ReferenceInput{URL: refTestURL, Description: refPtr("copie : " + blob)}, "description"},
		{"description with a wrapped base64 file", evidence.ReferenceInput{URL: refTestURL, Description: refPtr(wrapped.String())}, "description"},
		{"observed in the future", evidence.ReferenceInput{URL: refTestURL, ObservedOn: &tomorrow}, "observedOn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.DossierID = b.dossier
			_, err := b.svc.Add(context.Background(), b.staff, tt.in)
			msg := refWantField(t, err, tt.field)
			if tt.field == "description" && strings.HasPrefix(tt.name, "description with") && !strings.Contains(msg, "never stores") {
				t.Errorf("message %q does not say why", msg)
			}
		})
	}
	if n := b.count(t, "content_references"); n != 0 {
		t.Fatalf("%d references written after errors", n)
	}
	if n := testfixture.AuditCount(t, b.pool, "content_reference.create", "allowed"); n != 0 {
		t.Fatalf("create events = %d after errors, want 0", n)
	}
}

// Descriptions that only look a little like content are accepted: prose
// with "data:", hashes, hash lists one a line, a PhotoDNA-sized hash.
func TestReferenceDescriptionAllowed(t *testing.T) {
	t.Parallel()
	b := refSetup(t)
	sha := strings.ToLower(refTestSHA)
	for _, d := range []string{
		"Metadata: EXIF retirées. Les data: aucune.",
		"Hashes :\n" + sha + "\n" + sha + "\n" + sha + "\n" + sha + "\n",
		"PhotoDNA : " + strings.Repeat("Ab+/", 48),
	} {
		if _, err := b.svc.Add(context.Background(), b.staff, evidence.ReferenceInput{DossierID: b.dossier, URL: refTestURL,
			Description: &d}); err != nil {
			t.Errorf("description %.30q: %v", d, err)
		}
	}
}

func TestReferenceAddRules(t *testing.T) {
	t.Parallel()
	b := refSetup(t)
	closed := testfixture.Dossier(t, b.pool, b.org)
	b.closeDossier(t, closed)
	_, err := b.svc.Add(context.Background(), b.staff, evidence.ReferenceInput{DossierID: closed, URL: refTestURL})
	refWantField(t, err, "dossierId")
	if n := b.count(t, "content_references"); n != 0 {
		t.Fatalf("%d references written in a closed dossier", n)
	}
}

func TestReferenceAccess(t *testing.T) {
	t.Parallel()
	b := refSetup(t)
	ctx := context.Background()
	ref := b.add(t, b.dossier)
	foreignOrg := testfixture.Org(t, b.pool)
	foreign := testfixture.Dossier(t, b.pool, foreignOrg)
	foreignStaff := testfixture.User(t, b.pool, foreignOrg, actor.LegalStaff)
	var foreignRef uuid.UUID
	if err := b.pool.QueryRow(ctx, `INSERT INTO content_references (dossier_id, url) VALUES ($1, $2) RETURNING id`,
		foreign, refTestURL).Scan(&foreignRef); err != nil {
		t.Fatalf("insert foreign reference: %v", err)
	}
	lawyer := testfixture.User(t, b.pool, b.org, actor.PartnerLawyer)
	reportIn := func(id uuid.UUID) evidence.ReportInput {
		return evidence.ReportInput{ContentReferenceID: id, Channel: evidence.ChannelPharos, ReportedOn: refDay(time.Now())}
	}

	tests := []struct {
		name string
		a    actor.Actor
		// dossier is where Add and ByDossier go; reference is what Get,
		// RecordReport and ReportsByReference ask for.
		dossier, reference uuid.UUID
		code               apperr.Code
	}{
		{"unknown", b.staff, uuid.New(), uuid.New(), apperr.NotFound},
		{"another organisation", foreignStaff, b.dossier, ref.ID, apperr.NotFound},
		{"dossier of another organisation", b.staff, foreign, foreignRef, apperr.NotFound},
		{"advocacy", testfixture.User(t, b.pool, b.org, actor.Advocacy), b.dossier, ref.ID, apperr.Forbidden},
		{"admin", testfixture.User(t, b.pool, b.org, actor.Admin), b.dossier, ref.ID, apperr.Forbidden},
		{"dpo", testfixture.User(t, b.pool, b.org, actor.DPO), b.dossier, ref.ID, apperr.NotFound},
		{"partner lawyer, unassigned", lawyer, b.dossier, ref.ID, apperr.NotFound},
		{"anonymous", actor.Actor{}, b.dossier, ref.ID, apperr.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.Add(ctx, tt.a, evidence.ReferenceInput{DossierID: tt.dossier, URL: refTestURL})
			refWantCode(t, err, tt.code)
			_, err = b.svc.ByDossier(ctx, tt.a, tt.dossier)
			refWantCode(t, err, tt.code)
			_, err = b.svc.RecordReport(ctx, tt.a, reportIn(tt.reference))
			refWantCode(t, err, tt.code)
			_, err = b.svc.Get(ctx, tt.a, tt.reference)
			refWantCode(t, err, tt.code)
			_, err = b.svc.ReportsByReference(ctx, tt.a, tt.reference)
			refWantCode(t, err, tt.code)
		})
	}
	if n := b.count(t, "content_references"); n != 2 {
		t.Fatalf("%d references after refusals, want 2", n)
	}
	if n := b.count(t, "content_reports"); n != 0 {
		t.Fatalf("%d reports written after refusals", n)
	}
	// Every refusal is in the audit log, of a missing id too (refused
	// like a hidden one): 7 actors (all but anonymous) × 5 calls.
	if n := testfixture.AuditCount(t, b.pool, "access.denied", "denied"); n != 35 {
		t.Fatalf("denied events = %d, want 35", n)
	}

	// Once assigned, the partner lawyer does everything.
	assigned := testfixture.Dossier(t, b.pool, b.org)
	testfixture.Assign(t, b.pool, assigned, lawyer.UserID)
	c, err := b.svc.Add(ctx, lawyer, evidence.ReferenceInput{DossierID: assigned, URL: refTestURL})
	if err != nil || c.DossierID != assigned {
		t.Fatalf("lawyer adds in an assigned dossier: %+v, %v", c, err)
	}
	if _, err := b.svc.RecordReport(ctx, lawyer, reportIn(c.ID)); err != nil {
		t.Fatalf("lawyer records a report: %v", err)
	}
	if _, err := b.svc.Get(ctx, lawyer, c.ID); err != nil {
		t.Fatalf("lawyer reads: %v", err)
	}
	if cs, err := b.svc.ByDossier(ctx, lawyer, assigned); err != nil || len(cs) != 1 {
		t.Fatalf("lawyer lists: %+v, %v", cs, err)
	}
	if rs, err := b.svc.ReportsByReference(ctx, lawyer, c.ID); err != nil || len(rs) != 1 {
		t.Fatalf("lawyer lists reports: %+v, %v", rs, err)
	}
}

func TestReportRecord(t *testing.T) {
	t.Parallel()
	b := refSetup(t)
	ctx := context.Background()
	ref := b.add(t, b.dossier)
	other := b.add(t, b.dossier)
	d1 := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	d2 := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)
	d3 := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)

	// Recorded out of order, listed by date reported.
	r3, err := b.svc.RecordReport(ctx, b.staff, evidence.ReportInput{ContentReferenceID: ref.ID,
		Channel: evidence.ChannelPolice, Reference: refPtr(" PV 2025/118 "), ReportedOn: d3, Outcome: refPtr("Plainte jointe au dossier.")})
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	if r3.ID == uuid.Nil || r3.ContentReferenceID != ref.ID || r3.Channel != evidence.ChannelPolice ||
		r3.Reference != "PV 2025/118" || !r3.ReportedOn.Equal(d3) || r3.Outcome != "Plainte jointe au dossier." {
		t.Fatalf("report = %+v", r3)
	}
	r1, err := b.svc.RecordReport(ctx, b.staff, evidence.ReportInput{ContentReferenceID: ref.ID,
		Channel: evidence.ChannelPharos, Reference: refPtr("PHA-7781"), ReportedOn: d1})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := b.svc.RecordReport(ctx, b.staff, evidence.ReportInput{ContentReferenceID: ref.ID,
		Channel: evidence.ChannelPlatform, ReportedOn: d2})
	if err != nil || r2.Reference != "" || r2.Outcome != "" {
		t.Fatalf("report without reference = %+v, %v", r2, err)
	}
	if _, err := b.svc.RecordReport(ctx, b.staff, evidence.ReportInput{ContentReferenceID: other.ID,
		Channel: evidence.ChannelPointDeContact, ReportedOn: d1}); err != nil {
		t.Fatal(err)
	}
	if n := testfixture.AuditCount(t, b.pool, "content_report.create", "allowed"); n != 4 {
		t.Fatalf("create events = %d, want 4", n)
	}

	rs, err := b.svc.ReportsByReference(ctx, b.staff, ref.ID)
	if err != nil || len(rs) != 3 || rs[0].ID != r1.ID || rs[1].ID != r2.ID || rs[2].ID != r3.ID {
		t.Fatalf("reports = %+v, %v", rs, err)
	}
	if n := testfixture.AuditCount(t, b.pool, "content_report.list", "allowed"); n != 1 {
		t.Fatalf("list events = %d, want 1", n)
	}

	// A report can come after the dossier is closed; a new reference cannot.
	b.closeDossier(t, b.dossier)
	if _, err := b.svc.RecordReport(ctx, b.staff, evidence.ReportInput{ContentReferenceID: ref.ID,
		Channel: evidence.ChannelOther, ReportedOn: refDay(time.Now())}); err != nil {
		t.Fatalf("report on a closed dossier: %v", err)
	}
}

func TestReportRecordValidation(t *testing.T) {
	t.Parallel()
	b := refSetup(t)
	ref := b.add(t, b.dossier)
	day := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		in    evidence.ReportInput
		field string
	}{
		{"unknown channel", evidence.ReportInput{Channel: "twitter", ReportedOn: day}, "channel"},
		{"no channel", evidence.ReportInput{ReportedOn: day}, "channel"},
		{"reference too long", evidence.ReportInput{Channel: evidence.ChannelPharos, ReportedOn: day,
			Reference: refPtr(strings.Repeat("x", 201))}, "reference"},
		{"outcome too long", evidence.ReportInput{Channel: evidence.ChannelPharos, ReportedOn: day,
			Outcome: refPtr(strings.Repeat("x", 2001))}, "outcome"},
		{"no date", evidence.ReportInput{Channel: evidence.ChannelPharos}, "reportedOn"},
		{"in the future", evidence.ReportInput{Channel: evidence.ChannelPharos, ReportedOn: refDay(time.Now()).AddDate(0, 0, 2)}, "reportedOn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.ContentReferenceID = ref.ID
			_, err := b.svc.RecordReport(context.Background(), b.staff, tt.in)
			refWantField(t, err, tt.field)
		})
	}
	if n := b.count(t, "content_reports"); n != 0 {
		t.Fatalf("%d reports written after errors", n)
	}
	if n := testfixture.AuditCount(t, b.pool, "content_report.create", "allowed"); n != 0 {
		t.Fatalf("create events = %d after errors, want 0", n)
	}
}

// The URL says what the content is and where: it stays in
// content_references, never in the audit log.
func TestReferenceAuditHasNoURL(t *testing.T) {
	t.Parallel()
	b := refSetup(t)
	ctx := context.Background()
	c := b.add(t, b.dossier)
	if _, err := b.svc.RecordReport(ctx, b.staff, evidence.ReportInput{ContentReferenceID: c.ID,
		Channel: evidence.ChannelPharos, ReportedOn: refDay(time.Now())}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Get(ctx, b.staff, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.ByDossier(ctx, b.staff, b.dossier); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.ReportsByReference(ctx, b.staff, c.ID); err != nil {
		t.Fatal(err)
	}
	_, _ = b.svc.Get(ctx, testfixture.User(t, b.pool, b.org, actor.Advocacy), c.ID) // a denial is logged too

	rows, err := b.pool.Query(ctx, `SELECT action, row_to_json(e)::text FROM audit_events e
		WHERE action LIKE 'content_%' OR action = 'access.denied'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	actions := map[string]bool{}
	for rows.Next() {
		var action, row string
		if err := rows.Scan(&action, &row); err != nil {
			t.Fatal(err)
		}
		actions[action] = true
		if strings.Contains(row, "forum.example.net") || strings.Contains(row, "topic-zq") {
			t.Errorf("audit event %s holds the URL: %s", action, row)
		}
		if !strings.Contains(row, c.ID.String()) && action != "content_report.create" && action != "content_report.list" {
			t.Errorf("audit event %s does not name the reference: %s", action, row)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"content_reference.create", "content_report.create", "content_reference.read",
		"content_reference.list", "content_report.list", "access.denied"} {
		if !actions[a] {
			t.Errorf("no %s event", a)
		}
	}
}
