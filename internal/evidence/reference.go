package evidence

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// ReferenceService records references to illicit content and the reports
// made about it.
//
// Possessing child sexual abuse material is an offence (article 227-23 of
// the Code pénal), for an NGO as for anyone, whatever the purpose. Égide
// therefore never stores such content, not even encrypted: the evidence is
// a reference (where it was seen, its hashes, a description in words) and
// the reports made to those entitled to hold it (PHAROS, Point de Contact,
// the platform, the police). This is the only way to record it: the
// description refuses anything that looks like the content itself, and
// audit events carry identifiers only, never the URL.
//
// Every method authorizes, runs in one transaction and writes its audit
// event in it.
type ReferenceService struct {
	az    *authz.Authorizer
	now   func() time.Time
	paris *time.Location
}

// NewReferenceService returns a content reference service.
func NewReferenceService(az *authz.Authorizer) *ReferenceService {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.UTC // no tz database: the day boundary moves by an hour or two
	}
	return &ReferenceService{az: az, now: time.Now, paris: paris}
}

// Limits of the content_references and content_reports columns.
const (
	refMaxURL            = 2048
	refMaxPlatform       = 200
	refMaxPerceptualHash = 512
	refMaxDescription    = 4000
	reportMaxReference   = 200
	reportMaxOutcome     = 2000
	// refMaxBlob is the longest run of base64 characters a description may
	// hold: enough for any hash (a PhotoDNA hash is 192), far too little
	// for an image.
	refMaxBlob = 200
)

// refContentMessage explains the refusal of a description that carries
// content: the rule, and what to do instead.
const refContentMessage = "must describe the content in words, not contain it: Égide never stores such content, " +
	"since possessing it is an offence (no data: URI, no encoded file); record its URL and hashes instead"

var (
	refSHA256Re = regexp.MustCompile(`^[0-9a-f]{64}$`)
	refMD5Re    = regexp.MustCompile(`^[0-9a-f]{32}$`)
	// A data: URI always has a comma after its optional media type and
	// parameters (RFC 2397); \b keeps "metadata:" and "data: ..." in prose.
	refDataURIRe = regexp.MustCompile(`(?i)\bdata:[a-z0-9!#$&^_.+\-/;=]*,`)
	// refBase64Run is one run of base64 characters (standard or URL-safe
	// alphabet), padding included.
	refBase64Run = regexp.MustCompile(`[A-Za-z0-9+/_\-]+={0,2}`)
	// refWrappedLine is a line of a wrapped base64 file (MIME wraps at 76,
	// PEM at 64).
	refWrappedLine = regexp.MustCompile(`^[A-Za-z0-9+/_\-]{40,100}={0,2}$`)
	refHexRe       = regexp.MustCompile(`^[0-9a-fA-F]+$`)
)

// refLooksLikeContent reports whether a description seems to carry the
// content itself rather than describe it: a data: URI, a base64 run longer
// than refMaxBlob, or a base64 file wrapped over several lines (a list of
// hex hashes, one a line, is not one).
func refLooksLikeContent(s string) bool {
	if refDataURIRe.MatchString(s) {
		return true
	}
	for _, run := range refBase64Run.FindAllString(s, -1) {
		if len(run) > refMaxBlob {
			return true
		}
	}
	total, hexOnly := 0, true
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if refWrappedLine.MatchString(line) {
			total += len(line)
			hexOnly = hexOnly && refHexRe.MatchString(line)
			if total > refMaxBlob && !hexOnly {
				return true
			}
			continue
		}
		total, hexOnly = 0, true
	}
	return false
}

// refURL checks that s is an absolute http or https URL.
func refURL(v *apperr.Validation, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		v.Add("url", "is required")
		return s
	}
	if utf8.RuneCountInString(s) > refMaxURL {
		v.Add("url", "must have at most %d characters", refMaxURL)
		return s
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		v.Add("url", "must be an absolute http or https URL")
	}
	return s
}

// refHash trims and lower-cases an optional hex hash; "" means unknown.
func refHash(v *apperr.Validation, field string, s *string, re *regexp.Regexp, digits int) string {
	if s == nil {
		return ""
	}
	h := strings.ToLower(strings.TrimSpace(*s))
	if h != "" && !re.MatchString(h) {
		v.Add(field, "must be %d hexadecimal digits", digits)
	}
	return h
}

// refDate returns the calendar date of t as a Date (UTC midnight).
func refDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// today is the current calendar date in France, as a Date (UTC midnight).
func (s *ReferenceService) today() time.Time {
	return refDate(s.now().In(s.paris))
}

func refOpt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func refChannelValid(c Channel) bool {
	switch c {
	case ChannelPharos, ChannelPointDeContact, ChannelPlatform, ChannelPolice, ChannelOther:
		return true
	}
	return false
}

const refColumns = `r.id, r.dossier_id, r.url, r.platform, r.sha256, r.md5, r.perceptual_hash, r.description,
	r.observed_on, r.created_at`

func refScan(row pgx.Row) (ContentReference, error) {
	var c ContentReference
	err := row.Scan(&c.ID, &c.DossierID, &c.URL, &c.Platform, &c.SHA256, &c.MD5, &c.PerceptualHash,
		&c.Description, &c.ObservedOn, &c.CreatedAt)
	return c, err
}

const reportColumns = `p.id, p.content_reference_id, p.channel, p.reference, p.reported_on, p.outcome`

func reportScan(row pgx.Row) (Report, error) {
	var r Report
	err := row.Scan(&r.ID, &r.ContentReferenceID, &r.Channel, &r.Reference, &r.ReportedOn, &r.Outcome)
	return r, err
}

// Add records a reference to illicit content in an open dossier.
func (s *ReferenceService) Add(ctx context.Context, a actor.Actor, in ReferenceInput) (ContentReference, error) {
	var v apperr.Validation
	u := refURL(&v, in.URL)
	platform := valid.OptText(&v, "platform", in.Platform, refMaxPlatform)
	sha := refHash(&v, "sha256", in.SHA256, refSHA256Re, 64)
	md5 := refHash(&v, "md5", in.MD5, refMD5Re, 32)
	phash := valid.OptText(&v, "perceptualHash", in.PerceptualHash, refMaxPerceptualHash)
	desc := valid.OptText(&v, "description", in.Description, refMaxDescription)
	if desc != nil && refLooksLikeContent(*desc) {
		v.Add("description", refContentMessage)
	}
	var observed *time.Time
	if in.ObservedOn != nil {
		d := refDate(*in.ObservedOn)
		observed = &d
		v.Check(!d.After(s.today()), "observedOn", "must not be in the future")
	}
	if err := v.Err(); err != nil {
		return ContentReference{}, err
	}
	var c ContentReference
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Dossier(ctx, tx, a, authz.EvidenceWrite, in.DossierID, "dossier", in.DossierID)
		if err != nil {
			return err
		}
		if acc.Closed {
			return apperr.InvalidField("dossierId", "the dossier is closed")
		}
		c, err = refScan(tx.QueryRow(ctx, `
			INSERT INTO content_references AS r (dossier_id, url, platform, sha256, md5, perceptual_hash,
				description, observed_on, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING `+refColumns,
			in.DossierID, u, refOpt(platform), sha, md5, refOpt(phash), refOpt(desc), observed, a.UserID))
		if err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "content_reference.create", ResourceType: "content_reference",
			ResourceIDs: []uuid.UUID{c.ID}, DossierID: c.DossierID, Permission: string(authz.EvidenceWrite)})
	})
	return c, err
}

// authorizeReference finds the dossier of content reference id and checks
// p on it. Unknown references and those of dossiers the actor may not see
// are NOT_FOUND.
func (s *ReferenceService) authorizeReference(ctx context.Context, tx pgx.Tx, a actor.Actor, p authz.Permission,
	id uuid.UUID) (authz.DossierAccess, error) {
	return s.az.Row(ctx, tx, a, p, "content_references", "content_reference", id)
}

// RecordReport records a report made about referenced content. The
// dossier may be closed: an answer from PHAROS or the platform can come
// long after.
func (s *ReferenceService) RecordReport(ctx context.Context, a actor.Actor, in ReportInput) (Report, error) {
	var v apperr.Validation
	v.Check(refChannelValid(in.Channel), "channel", "unknown channel")
	ref := valid.OptLabel(&v, "reference", in.Reference, reportMaxReference)
	outcome := valid.OptText(&v, "outcome", in.Outcome, reportMaxOutcome)
	reported := refDate(in.ReportedOn)
	switch {
	case in.ReportedOn.IsZero():
		v.Add("reportedOn", "is required")
	case reported.After(s.today()):
		v.Add("reportedOn", "must not be in the future")
	}
	if err := v.Err(); err != nil {
		return Report{}, err
	}
	var r Report
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.authorizeReference(ctx, tx, a, authz.EvidenceWrite, in.ContentReferenceID)
		if err != nil {
			return err
		}
		r, err = reportScan(tx.QueryRow(ctx, `
			INSERT INTO content_reports AS p (content_reference_id, channel, reference, reported_on, outcome, created_by)
			VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING `+reportColumns,
			in.ContentReferenceID, string(in.Channel), refOpt(ref), reported, refOpt(outcome), a.UserID))
		if err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "content_report.create", ResourceType: "content_report",
			ResourceIDs: []uuid.UUID{r.ID}, DossierID: acc.DossierID, Permission: string(authz.EvidenceWrite)})
	})
	return r, err
}

// Get reads one content reference.
func (s *ReferenceService) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (ContentReference, error) {
	var c ContentReference
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.authorizeReference(ctx, tx, a, authz.EvidenceRead, id); err != nil {
			return err
		}
		var err error
		c, err = refScan(tx.QueryRow(ctx, `SELECT `+refColumns+` FROM content_references r WHERE r.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read content reference: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "content_reference.read", ResourceType: "content_reference",
			ResourceIDs: []uuid.UUID{id}, DossierID: c.DossierID, Permission: string(authz.EvidenceRead)})
	})
	return c, err
}

// ByDossier lists the content references of a dossier in the order they
// were recorded.
func (s *ReferenceService) ByDossier(ctx context.Context, a actor.Actor, dossierID uuid.UUID) ([]ContentReference, error) {
	var cs []ContentReference
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Dossier(ctx, tx, a, authz.EvidenceRead, dossierID, "dossier", dossierID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+refColumns+` FROM content_references r WHERE r.dossier_id = $1
			ORDER BY r.created_at, r.id`, dossierID)
		if err != nil {
			return fmt.Errorf("list content references: %w", err)
		}
		cs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ContentReference, error) { return refScan(r) })
		if err != nil {
			return fmt.Errorf("read content references: %w", err)
		}
		ids := make([]uuid.UUID, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "content_reference.list", ResourceType: "content_reference",
			ResourceIDs: ids, DossierID: dossierID, Permission: string(authz.EvidenceRead)})
	})
	return cs, err
}

// ReportsByReference lists the reports made about one content reference,
// by date reported.
func (s *ReferenceService) ReportsByReference(ctx context.Context, a actor.Actor, referenceID uuid.UUID) ([]Report, error) {
	var rs map[uuid.UUID][]Report
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.authorizeReference(ctx, tx, a, authz.EvidenceRead, referenceID)
		if err != nil {
			return err
		}
		rs, err = readReports(ctx, tx, a, `p.content_reference_id = ANY(@ids)`, pgx.NamedArgs{"ids": []uuid.UUID{referenceID}},
			acc.DossierID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return append([]Report{}, rs[referenceID]...), nil
}

// ReportsByReferences lists the reports about each of the references,
// those the actor may see (by date reported): one query for the
// references of a dossier page (the loader of ContentReference.reports).
func (s *ReferenceService) ReportsByReferences(ctx context.Context, a actor.Actor, referenceIDs []uuid.UUID) (map[uuid.UUID][]Report, error) {
	var rs map[uuid.UUID][]Report
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.EvidenceRead, "content_report")
		if err != nil {
			return err
		}
		rs, err = readReports(ctx, tx, a, `p.content_reference_id = ANY(@ids) AND EXISTS (
			SELECT FROM content_references r JOIN dossiers d ON d.id = r.dossier_id
			WHERE r.id = p.content_reference_id AND `+authz.ScopeClause+`)`, scope.Args(pgx.NamedArgs{"ids": referenceIDs}),
			uuid.Nil)
		return err
	})
	return rs, err
}

// readReports reads the reports that where lets through, by reference,
// and records the access (in dossierID, when they all belong to one).
func readReports(ctx context.Context, tx pgx.Tx, a actor.Actor, where string, args pgx.NamedArgs,
	dossierID uuid.UUID) (map[uuid.UUID][]Report, error) {
	rows, err := tx.Query(ctx, `SELECT `+reportColumns+` FROM content_reports p WHERE `+where+`
		ORDER BY p.reported_on, p.created_at, p.id`, args)
	if err != nil {
		return nil, fmt.Errorf("list content reports: %w", err)
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Report, error) { return reportScan(r) })
	if err != nil {
		return nil, fmt.Errorf("read content reports: %w", err)
	}
	out := make(map[uuid.UUID][]Report)
	ids := make([]uuid.UUID, len(rs))
	for i, r := range rs {
		out[r.ContentReferenceID] = append(out[r.ContentReferenceID], r)
		ids[i] = r.ID
	}
	return out, audit.Record(ctx, tx, a, audit.Event{Action: "content_report.list", ResourceType: "content_report",
		ResourceIDs: ids, DossierID: dossierID, Permission: string(authz.EvidenceRead)})
}
