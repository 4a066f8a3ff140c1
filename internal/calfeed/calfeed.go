// Package calfeed serves each user a read-only iCalendar (RFC 5545) feed
// of their hearings and open deadlines, for the subscriptions of Outlook,
// Google Calendar or Apple Calendar (issue 13).
//
// Those applications cannot send a cookie or a header, so the feed's URL
// carries a 256-bit secret: whoever holds the URL reads the feed. The
// secret is shown once, when the feed is created, and only its SHA-256 is
// stored (like session tokens). Every request resolves the token to its
// user and reads their roles from PostgreSQL, so revoking the feed,
// disabling the account or removing a role takes effect at the next
// refresh. Hearings and deadlines are listed by the hearing and deadlines
// services, with their authz.DossierScope, inside one transaction that
// writes one audit event (calendar_feed.fetch) naming every record returned.
//
// The feed carries as little as it can: the kind of hearing or the title of
// the deadline rule, the dossier's internal reference, the court and room,
// and a link to the dossier page. Never a pseudonym, a dossier title, a
// note or an attendee.
package calfeed

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/deadlines"
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/holiday"
	"github.com/egide/egide/internal/postgres"
)

// Limits.
const (
	// MaxFeeds is how many feeds a user may hold at once (not revoked).
	MaxFeeds = 5
	// PastDays and FutureDays bound the window of a feed around today.
	PastDays   = 30
	FutureDays = 365
	// MaxEvents bounds the hearings, and separately the deadlines, of one
	// answer: the work of a request is bounded whatever the data.
	MaxEvents = 1000
	// tokenBytes is the size of the secret: 256 bits.
	tokenBytes = 32
	// defaultDuration is the length shown for a hearing with no expected end.
	defaultDuration = time.Hour
)

// Path is the URL path prefix of feeds: Path + token + ".ics".
const Path = "/calendar/"

// Feed is one of a user's feeds, as its owner sees it: never the token.
type Feed struct {
	ID         uuid.UUID
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Created is a new feed and its URL, shown once.
type Created struct {
	Feed Feed
	URL  string
}

// Service creates, lists, revokes and serves feeds.
type Service struct {
	pool      *pgxpool.Pool
	az        *authz.Authorizer
	hearings  *hearing.Service
	deadlines *deadlines.Service
	publicURL string
	now       func() time.Time
}

// NewService returns a feed service. publicURL (EGIDE_PUBLIC_URL, without
// a trailing slash) builds the feed's URL and the links to dossiers; empty,
// they are paths that the web app completes with its own origin.
func NewService(pool *pgxpool.Pool, az *authz.Authorizer, hs *hearing.Service, ds *deadlines.Service, publicURL string) *Service {
	return &Service{pool: pool, az: az, hearings: hs, deadlines: ds,
		publicURL: strings.TrimRight(publicURL, "/"), now: time.Now}
}

// perm is the permission a feed needs: reading hearings and deadlines.
const perm = authz.CaseRead

// HashToken is the stored form of a token (its SHA-256). A string that is
// not a well-formed token hashes too, so that it costs the same lookup as
// a real one and matches nothing.
func HashToken(token string) []byte {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != tokenBytes {
		raw = append([]byte("malformed:"), token...)
	}
	h := sha256.Sum256(raw)
	return h[:]
}

func (s *Service) url(token string) string { return s.publicURL + Path + token + ".ics" }

// Create makes a new feed for the caller, acting for the organisation of
// their session, and returns its URL once. Errors: UNAUTHENTICATED,
// FORBIDDEN (a role that does not read hearings), CONFLICT (MaxFeeds).
// Audited as calendar_feed.create.
func (s *Service) Create(ctx context.Context, a actor.Actor) (Created, error) {
	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return Created{}, fmt.Errorf("feed token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	var out Created
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.az.Require(a, perm, "calendar_feed"); err != nil {
			return err
		}
		// Serialise the creations of one user, so the limit holds.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, a.UserID); err != nil {
			return fmt.Errorf("lock user: %w", err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM calendar_feeds WHERE user_id = $1 AND revoked_at IS NULL`,
			a.UserID).Scan(&n); err != nil {
			return fmt.Errorf("count feeds: %w", err)
		}
		if n >= MaxFeeds {
			return apperr.New(apperr.Conflict, "at most 5 calendar links (MaxFeeds): revoke one first")
		}
		out.Feed = Feed{}
		if err := tx.QueryRow(ctx, `INSERT INTO calendar_feeds (token_hash, user_id, organisation_id)
			VALUES ($1, $2, $3) RETURNING id, created_at`, HashToken(token), a.UserID, a.OrgID).
			Scan(&out.Feed.ID, &out.Feed.CreatedAt); err != nil {
			return postgres.MapError(err)
		}
		out.URL = s.url(token)
		return audit.Record(ctx, tx, a, audit.Event{Action: "calendar_feed.create", ResourceType: "calendar_feed",
			ResourceIDs: []uuid.UUID{out.Feed.ID}, Permission: string(perm)})
	})
	return out, err
}

// List returns the caller's feeds that are not revoked, newest first. It
// is the caller's own account, not case data: not audited (like
// mySessions). Errors: UNAUTHENTICATED.
func (s *Service) List(ctx context.Context, a actor.Actor) ([]Feed, error) {
	var out []Feed
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, created_at, last_used_at FROM calendar_feeds
			WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id`, a.UserID)
		if err != nil {
			return fmt.Errorf("list feeds: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Feed, error) {
			var f Feed
			return f, r.Scan(&f.ID, &f.CreatedAt, &f.LastUsedAt)
		})
		return err
	})
	if out == nil && err == nil {
		out = []Feed{}
	}
	return out, err
}

// Revoke revokes one of the caller's feeds: its URL answers 404 from the
// next request on. Another user's feed and a missing or revoked one are
// NOT_FOUND alike, and the refusal is recorded. A user who lost their
// roles may still revoke. Audited as calendar_feed.revoke.
func (s *Service) Revoke(ctx context.Context, a actor.Actor, id uuid.UUID) error {
	ev := audit.Event{Action: "calendar_feed.revoke", ResourceType: "calendar_feed", ResourceIDs: []uuid.UUID{id},
		Permission: "session"} // one's own account, like auth.session.end
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE calendar_feeds SET revoked_at = now()
			WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, id, a.UserID)
		if err != nil {
			return fmt.Errorf("revoke feed: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return apperr.NotFoundError()
		}
		return audit.Record(ctx, tx, a, ev)
	})
	if apperr.CodeOf(err) == apperr.NotFound {
		ev.Outcome = audit.Denied
		if rerr := postgres.Detached(context.WithoutCancel(ctx), s.pool, func(tx pgx.Tx) error {
			return audit.Record(ctx, tx, a, ev)
		}); rerr != nil {
			return rerr
		}
	}
	return err
}

// Serve builds the feed of token for a request described by meta (request
// id, address, user agent). origin ("http://host:port") completes the links
// to dossiers when the service has no public URL (a dev instance); it is
// the address the request was sent to, so the links only ever go back to
// whoever asked. An unknown or revoked token, a disabled user
// and a user without a role that reads hearings are all NOT_FOUND, after
// the same lookup; the last is recorded as a denied calendar_feed.fetch event.
// Errors: NOT_FOUND.
func (s *Service) Serve(ctx context.Context, token string, meta actor.Actor, origin string) ([]byte, error) {
	hash := HashToken(token)
	var body []byte
	var refused bool
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		a, feedID, err := s.resolve(ctx, tx, hash, meta)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE calendar_feeds SET last_used_at = now() WHERE id = $1`, feedID); err != nil {
			return fmt.Errorf("touch feed: %w", err)
		}
		ev := audit.Event{Action: "calendar_feed.fetch", ResourceType: "calendar_feed", Permission: string(perm)}
		if !s.az.Can(a, perm) {
			// Signed in once, no longer allowed: the owner of the URL sees
			// what anyone else would; the DPO sees the attempt.
			refused = true
			ev.Outcome, ev.ResourceIDs = audit.Denied, []uuid.UUID{feedID}
			return audit.Record(ctx, tx, a, ev)
		}
		cal, recs, err := s.build(ctx, tx, a, s.base(origin))
		if err != nil {
			return err
		}
		body = WriteICS(cal)
		ev.ResourceIDs = append([]uuid.UUID{feedID}, recs...)
		return audit.Record(ctx, tx, a, ev)
	})
	if err == nil && refused {
		return nil, apperr.NotFoundError()
	}
	var d *authz.Denial
	if errors.As(err, &d) {
		return nil, apperr.NotFoundError()
	}
	return body, err
}

// resolve reads the feed of hash and the actor it acts as: its user, the
// organisation it was created for and the roles held there now.
func (s *Service) resolve(ctx context.Context, tx pgx.Tx, hash []byte, meta actor.Actor) (actor.Actor, uuid.UUID, error) {
	a := actor.Actor{RequestID: meta.RequestID, IP: meta.IP, UserAgent: meta.UserAgent}
	var feedID uuid.UUID
	var roles []string
	err := tx.QueryRow(ctx, `
		SELECT f.id, f.user_id, f.organisation_id,
		       coalesce(array_agg(m.role ORDER BY m.role) FILTER (WHERE m.role IS NOT NULL), '{}')
		FROM calendar_feeds f
		JOIN users u ON u.id = f.user_id AND u.disabled_at IS NULL
		LEFT JOIN memberships m ON m.user_id = f.user_id AND m.organisation_id = f.organisation_id
		WHERE f.token_hash = $1 AND f.revoked_at IS NULL
		GROUP BY f.id`, hash).Scan(&feedID, &a.UserID, &a.OrgID, &roles)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, uuid.Nil, apperr.NotFoundError()
	}
	if err != nil {
		return a, uuid.Nil, fmt.Errorf("read feed: %w", err)
	}
	a.Roles = make([]actor.Role, len(roles))
	for i, r := range roles {
		a.Roles[i] = actor.Role(r)
	}
	return a, feedID, nil
}

// build lists the actor's hearings and open deadlines of the window and
// returns the calendar and the ids of every record in it (hearings,
// deadlines, then their dossiers).
func (s *Service) build(ctx context.Context, tx pgx.Tx, a actor.Actor, base string) (Calendar, []uuid.UUID, error) {
	now := s.now()
	today := now.In(holiday.Paris())
	from := time.Date(today.Year(), today.Month(), today.Day()-PastDays, 0, 0, 0, 0, holiday.Paris())
	to := time.Date(today.Year(), today.Month(), today.Day()+FutureDays, 0, 0, 0, 0, holiday.Paris())
	hs, _, err := s.hearings.InWindow(ctx, tx, a, from, to, MaxEvents)
	if err != nil {
		return Calendar{}, nil, err
	}
	ds, _, err := s.deadlines.OpenInWindow(ctx, tx, a, from, to, MaxEvents)
	if err != nil {
		return Calendar{}, nil, err
	}
	dossierSet := map[uuid.UUID]bool{}
	var procIDs []uuid.UUID
	for _, h := range hs {
		dossierSet[h.DossierID] = true
		if h.ProceedingID != nil {
			procIDs = append(procIDs, *h.ProceedingID)
		}
	}
	for _, d := range ds {
		dossierSet[d.DossierID] = true
	}
	dossierIDs := make([]uuid.UUID, 0, len(dossierSet))
	for id := range dossierSet {
		dossierIDs = append(dossierIDs, id)
	}
	sort.Slice(dossierIDs, func(i, j int) bool { return dossierIDs[i].String() < dossierIDs[j].String() })
	// The dossiers and proceedings of records the scope already returned.
	refs := map[uuid.UUID]string{}
	rows, err := tx.Query(ctx, `SELECT id, reference FROM dossiers WHERE id = ANY($1)`, dossierIDs)
	if err != nil {
		return Calendar{}, nil, fmt.Errorf("read dossier references: %w", err)
	}
	if err := collectMap(rows, refs); err != nil {
		return Calendar{}, nil, err
	}
	courts := map[uuid.UUID]string{}
	rows, err = tx.Query(ctx, `SELECT id, CASE WHEN court_name <> '' THEN court_name ELSE court_kind END
		FROM proceedings WHERE id = ANY($1)`, procIDs)
	if err != nil {
		return Calendar{}, nil, fmt.Errorf("read courts: %w", err)
	}
	if err := collectMap(rows, courts); err != nil {
		return Calendar{}, nil, err
	}

	cal := Calendar{Name: "Égide — audiences et échéances", Stamp: now}
	var ids []uuid.UUID
	for _, h := range hs {
		ids = append(ids, h.ID)
		end := h.StartsAt.Add(defaultDuration)
		if h.EndsAt != nil {
			end = *h.EndsAt
		}
		var court string
		if h.ProceedingID != nil {
			court = courtTitle(courts[*h.ProceedingID])
		}
		cal.Events = append(cal.Events, Event{UID: h.ID.String() + "@egide", Start: h.StartsAt, End: end,
			Summary:     "Audience — " + kindTitle(h.Kind) + " — " + refs[h.DossierID],
			Location:    joinNonEmpty(", ", h.CourtRoom, court),
			Description: describe(base, h.DossierID, refs[h.DossierID]), URL: dossierURL(base, h.DossierID)})
	}
	for _, d := range ds {
		ids = append(ids, d.ID)
		// A manual deadline's title is free text: it stays in the app.
		title := "date saisie à la main"
		if r := d.Rule(); r != nil {
			title = r.Title
		}
		cal.Events = append(cal.Events, Event{UID: d.ID.String() + "@egide", AllDay: true,
			Start: d.DueOn, End: d.DueOn.AddDate(0, 0, 1),
			Summary:     "Échéance — " + title + " — " + refs[d.DossierID],
			Description: describe(base, d.DossierID, refs[d.DossierID]), URL: dossierURL(base, d.DossierID)})
	}
	sort.SliceStable(cal.Events, func(i, j int) bool { return cal.Events[i].Start.Before(cal.Events[j].Start) })
	return cal, append(ids, dossierIDs...), nil
}

func collectMap(rows pgx.Rows, into map[uuid.UUID]string) error {
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return fmt.Errorf("read: %w", err)
		}
		into[id] = v
	}
	return rows.Err()
}

// base is the address of the links in a feed: the public URL, else origin.
func (s *Service) base(origin string) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	return strings.TrimRight(origin, "/")
}

func dossierURL(base string, id uuid.UUID) string {
	if base == "" {
		return ""
	}
	return base + "/dossiers/" + id.String()
}

func describe(base string, id uuid.UUID, ref string) string {
	text := "Dossier " + ref + " dans Égide"
	if u := dossierURL(base, id); u != "" {
		text += " : " + u
	}
	return text
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// kindTitle is a kind of hearing in French.
func kindTitle(k hearing.Kind) string {
	switch k {
	case hearing.KindTrial:
		return "jugement"
	case hearing.KindAdjournment:
		return "renvoi"
	case hearing.KindDeliberation:
		return "délibéré"
	case hearing.KindPleading:
		return "plaidoiries"
	case hearing.KindPartyHearing:
		return "audition"
	}
	return "autre"
}

// courtTitle is a court name, or the French name of its kind when the
// proceeding names none.
func courtTitle(s string) string {
	if t, ok := courtKinds[s]; ok {
		return t
	}
	return s
}

var courtKinds = map[string]string{
	"parquet":                        "Parquet",
	"juge_instruction":               "Juge d'instruction",
	"tribunal_correctionnel":         "Tribunal correctionnel",
	"cour_criminelle_departementale": "Cour criminelle départementale",
	"cour_assises":                   "Cour d'assises",
	"tribunal_pour_enfants":          "Tribunal pour enfants",
	"cour_appel":                     "Cour d'appel",
	"cour_assises_appel":             "Cour d'assises d'appel",
	"cour_cassation":                 "Cour de cassation",
}
