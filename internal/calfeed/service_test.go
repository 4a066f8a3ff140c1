package calfeed_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/calfeed"
	"github.com/egide/egide/internal/deadlines"
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// now: Friday 4 December 2026, noon in Paris.
var now = time.Date(2026, time.December, 4, 11, 0, 0, 0, time.UTC)

type bundle struct {
	pool          *pgxpool.Pool
	svc           *calfeed.Service
	org           uuid.UUID
	staff, lawyer actor.Actor
	d1, d2        uuid.UUID
	h1, h2        uuid.UUID // a hearing in d1 and one in d2
	dl1           uuid.UUID // an open deadline in d1
}

func setup(t *testing.T) bundle {
	t.Helper()
	pool := pgtest.New(t)
	az := testfixture.Authorizer(t, pool)
	svc := calfeed.NewService(pool, az, hearing.NewService(az), deadlines.NewService(az), "https://egide.test")
	svc.SetNow(func() time.Time { return now })
	b := bundle{pool: pool, svc: svc}
	b.org = testfixture.Org(t, pool)
	b.staff = testfixture.User(t, pool, b.org, actor.LegalStaff)
	b.lawyer = testfixture.User(t, pool, b.org, actor.PartnerLawyer)
	b.d1, b.d2 = testfixture.Dossier(t, pool, b.org), testfixture.Dossier(t, pool, b.org)
	testfixture.Assign(t, pool, b.d1, b.lawyer.UserID)
	b.h1 = b.hearing(t, b.d1, now.AddDate(0, 0, 10), "scheduled")
	b.h2 = b.hearing(t, b.d2, now.AddDate(0, 0, 20), "scheduled")
	b.hearing(t, b.d1, now.AddDate(0, 0, 11), "cancelled")
	b.hearing(t, b.d1, now.AddDate(0, 0, -40), "held")    // before the window
	b.hearing(t, b.d1, now.AddDate(1, 0, 5), "scheduled") // after it
	b.dl1 = b.deadline(t, b.d1, "2026-12-14", "open")
	b.deadline(t, b.d1, "2026-12-15", "done")
	return b
}

func (b bundle) hearing(t *testing.T, dossier uuid.UUID, at time.Time, status string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	reason := ""
	if status == "cancelled" {
		reason = "renvoyée"
	}
	if err := b.pool.QueryRow(context.Background(), `INSERT INTO hearings (dossier_id, kind, starts_at, court_room,
		attendees, status, cancel_reason, outcome_note) VALUES ($1, 'trial', $2, 'Salle 4, 2e étage', '{Me Confidentiel}', $3, $4, 'Note secrète')
		RETURNING id`, dossier, at, status, reason).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (b bundle) deadline(t *testing.T, dossier uuid.UUID, due, status string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	var doneBy *uuid.UUID
	var doneAt *time.Time
	if status == "done" {
		doneBy, doneAt = &b.staff.UserID, &now
	}
	if err := b.pool.QueryRow(context.Background(), `INSERT INTO deadlines (dossier_id, rule_id, title, due_on, status,
		done_by, done_at, created_by, note) VALUES ($1, 'manual', 'Conclusions de Mme Secrète', $2, $3, $4, $5, $6, 'Note secrète')
		RETURNING id`, dossier, due, status, doneBy, doneAt, b.staff.UserID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (b bundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := b.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func (b bundle) create(t *testing.T, a actor.Actor) (calfeed.Created, string) {
	t.Helper()
	c, err := b.svc.Create(context.Background(), a)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	token := strings.TrimSuffix(strings.TrimPrefix(c.URL, "https://egide.test/calendar/"), ".ics")
	if !strings.HasPrefix(c.URL, "https://egide.test/calendar/") || !strings.HasSuffix(c.URL, ".ics") || len(token) != 43 {
		t.Fatalf("url %q", c.URL)
	}
	return c, token
}

func (b bundle) serve(token string) (string, error) {
	body, err := b.svc.Serve(context.Background(), token, actor.Actor{RequestID: "feed-req", IP: "192.0.2.7", UserAgent: "Calendar/1"}, "http://ignored.example")
	return string(body), err
}

func TestTokenIsStoredAsItsHash(t *testing.T) {
	b := setup(t)
	c, token := b.create(t, b.staff)
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q is not 256 bits of base64url", token)
	}
	want := sha256.Sum256(raw)
	var stored []byte
	var n int
	if err := b.pool.QueryRow(context.Background(), `SELECT token_hash, (SELECT count(*) FROM calendar_feeds
		WHERE encode(token_hash, 'escape') LIKE '%' || $2 || '%') FROM calendar_feeds WHERE id = $1`, c.Feed.ID, token).
		Scan(&stored, &n); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored, want[:]) || n != 0 {
		t.Fatal("the stored value is not the token's SHA-256")
	}
	feeds, err := b.svc.List(context.Background(), b.staff)
	if err != nil || len(feeds) != 1 || feeds[0].ID != c.Feed.ID || feeds[0].LastUsedAt != nil {
		t.Fatalf("list = %+v, %v", feeds, err)
	}
	if testfixture.AuditCount(t, b.pool, "calendar_feed.create", "allowed") != 1 {
		t.Fatal("creation not audited")
	}
}

func TestFeedContent(t *testing.T) {
	b := setup(t)
	c, token := b.create(t, b.staff)
	body, err := b.serve(token)
	if err != nil {
		t.Fatal(err)
	}
	var ref1 string
	if err := b.pool.QueryRow(context.Background(), `SELECT reference FROM dossiers WHERE id = $1`, b.d1).Scan(&ref1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "UID:" + b.h1.String() + "@egide", "UID:" + b.h2.String() + "@egide",
		"UID:" + b.dl1.String() + "@egide", "SUMMARY:Audience — jugement — " + ref1,
		`LOCATION:Salle 4\, 2e étage`, "DTSTART;VALUE=DATE:20261214", "DTEND;VALUE=DATE:20261215",
		"SUMMARY:Échéance — date saisie à la main — " + ref1, "https://egide.test/dossiers/" + b.d1.String()} {
		if !strings.Contains(strings.ReplaceAll(body, "\r\n ", ""), want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	// Only the window's scheduled/held hearings and open deadlines; never a
	// title, a note, an attendee or a manual deadline's free text.
	if n := strings.Count(body, "BEGIN:VEVENT"); n != 3 {
		t.Errorf("%d events, want 3", n)
	}
	for _, never := range []string{"ignored.example", "Dossier de test", "Confidentiel", "secrète", "Secrète", "Test"} {
		if strings.Contains(body, never) {
			t.Errorf("feed shows %q", never)
		}
	}
	// One audit event, naming the feed, every record and the dossiers.
	var ids []uuid.UUID
	var actorID uuid.UUID
	var reqID string
	if err := b.pool.QueryRow(context.Background(), `SELECT resource_ids, actor_user_id, request_id FROM audit_events
		WHERE action = 'calendar_feed.fetch' AND outcome = 'allowed'`).Scan(&ids, &actorID, &reqID); err != nil {
		t.Fatalf("audit: %v", err)
	}
	for _, id := range []uuid.UUID{c.Feed.ID, b.h1, b.h2, b.dl1, b.d1, b.d2} {
		if !slices.Contains(ids, id) {
			t.Errorf("audit event does not name %s", id)
		}
	}
	if actorID != b.staff.UserID || reqID != "feed-req" {
		t.Errorf("audit actor %s request %q", actorID, reqID)
	}
	var others int
	b.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE request_id = 'feed-req'`).Scan(&others)
	if others != 1 {
		t.Errorf("%d audit events for one fetch, want 1", others)
	}
	feeds, _ := b.svc.List(context.Background(), b.staff)
	if len(feeds) != 1 || feeds[0].LastUsedAt == nil {
		t.Error("last used not recorded")
	}
}

func TestPartnerLawyerSeesOnlyAssignedDossiers(t *testing.T) {
	b := setup(t)
	_, token := b.create(t, b.lawyer)
	body, err := b.serve(token)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, b.h1.String()) || strings.Contains(body, b.h2.String()) || strings.Contains(body, b.d2.String()) {
		t.Fatalf("lawyer's feed is not limited to the assigned dossier:\n%s", body)
	}
	// Another organisation's dossier never shows.
	other := testfixture.Org(t, b.pool)
	od := testfixture.Dossier(t, b.pool, other)
	oh := b.hearing(t, od, now.AddDate(0, 0, 3), "scheduled")
	_, st := b.create(t, b.staff)
	if body, _ := b.serve(st); strings.Contains(body, oh.String()) {
		t.Fatal("another organisation's hearing in the feed")
	}
}

func TestRefusalsAreIndistinguishable(t *testing.T) {
	b := setup(t)
	_, unknown := b.create(t, b.staff) // replaced below by a random token of the same shape
	unknown = base64.RawURLEncoding.EncodeToString(uuid.New().NodeID()) + unknown[8:]
	wantErr := func(name, token string) string {
		t.Helper()
		body, err := b.serve(token)
		if apperr.CodeOf(err) != apperr.NotFound || body != "" {
			t.Fatalf("%s: %q, %v; want NOT_FOUND", name, body, err)
		}
		return err.Error()
	}
	msgs := map[string]string{"unknown": wantErr("unknown", unknown), "malformed": wantErr("malformed", "abc"),
		"empty": wantErr("empty", "")}

	c, tok := b.create(t, b.staff)
	if err := b.svc.Revoke(context.Background(), b.staff, c.Feed.ID); err != nil {
		t.Fatal(err)
	}
	msgs["revoked"] = wantErr("revoked", tok)

	_, tok = b.create(t, b.lawyer)
	b.exec(t, `UPDATE users SET disabled_at = now() WHERE id = $1`, b.lawyer.UserID)
	msgs["disabled"] = wantErr("disabled", tok)

	// Roles are read on every request: losing the role refuses at once,
	// getting it back serves again.
	dpo := testfixture.User(t, b.pool, b.org, actor.LegalStaff)
	_, tok = b.create(t, dpo)
	if _, err := b.serve(tok); err != nil {
		t.Fatal(err)
	}
	b.exec(t, `UPDATE memberships SET role = 'dpo' WHERE user_id = $1`, dpo.UserID)
	msgs["no role"] = wantErr("no role", tok)
	if testfixture.AuditCount(t, b.pool, "calendar_feed.fetch", "denied") != 1 {
		t.Error("the refusal of a known user is not recorded")
	}
	b.exec(t, `UPDATE memberships SET role = 'legal_staff' WHERE user_id = $1`, dpo.UserID)
	if _, err := b.serve(tok); err != nil {
		t.Fatalf("role given back: %v", err)
	}
	for name, m := range msgs {
		if m != msgs["unknown"] {
			t.Errorf("%s answers %q, unknown %q", name, m, msgs["unknown"])
		}
	}
}

func TestLimitAndRevoke(t *testing.T) {
	b := setup(t)
	var first calfeed.Created
	for i := range calfeed.MaxFeeds {
		c, _ := b.create(t, b.staff)
		if i == 0 {
			first = c
		}
	}
	if _, err := b.svc.Create(context.Background(), b.staff); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("feed %d: %v, want CONFLICT", calfeed.MaxFeeds+1, err)
	}
	// Someone else's feed is NOT_FOUND, and recorded.
	if err := b.svc.Revoke(context.Background(), b.lawyer, first.Feed.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("revoke another's: %v", err)
	}
	if testfixture.AuditCount(t, b.pool, "calendar_feed.revoke", "denied") != 1 {
		t.Error("refused revocation not recorded")
	}
	if err := b.svc.Revoke(context.Background(), b.staff, first.Feed.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.Revoke(context.Background(), b.staff, first.Feed.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("revoke twice: %v", err)
	}
	feeds, _ := b.svc.List(context.Background(), b.staff)
	if len(feeds) != calfeed.MaxFeeds-1 {
		t.Fatalf("%d feeds listed", len(feeds))
	}
	if _, err := b.svc.Create(context.Background(), b.staff); err != nil {
		t.Fatalf("after a revocation: %v", err)
	}
	// A role that does not read hearings creates none.
	admin := testfixture.User(t, b.pool, b.org, actor.Admin)
	if _, err := b.svc.Create(context.Background(), admin); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("admin: %v", err)
	}
}
