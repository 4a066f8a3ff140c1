package dossier

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/holiday"
	"github.com/egide/egide/internal/page"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// Service reads and changes dossiers. Every method authorizes, runs in one
// transaction and writes its audit event in it.
type Service struct {
	az  *authz.Authorizer
	now func() time.Time
}

// NewService returns a dossier service.
func NewService(az *authz.Authorizer) *Service {
	return &Service{az: az, now: time.Now}
}

// CreateInput is a new dossier.
type CreateInput struct {
	Reference         string
	Title             string
	Summary           *string
	Themes            []Theme
	OpenedOn          *time.Time
	ParquetNumber     *string
	InstructionNumber *string
	Platforms         []string
	Countries         []string
	RetentionUntil    *time.Time
}

// UpdateInput changes a dossier; nil fields stay as they are.
type UpdateInput struct {
	Reference         *string
	Title             *string
	Summary           *string
	Themes            []Theme
	OpenedOn          *time.Time
	ParquetNumber     *string
	InstructionNumber *string
	Platforms         []string
	Countries         []string
	RetentionUntil    *time.Time
}

// CloseInput closes a dossier.
type CloseInput struct {
	ClosedOn *time.Time
	Reason   string
}

var constraints = postgres.Constraint{
	"dossiers_reference_key": apperr.InvalidField("reference", "another dossier of the organisation already has this reference"),
}

const columns = `d.id, d.organisation_id, d.reference, d.title, d.summary, d.themes, d.status, d.opened_on,
	d.closed_on, d.closing_reason, d.parquet_number, d.instruction_number, d.platforms, d.countries,
	d.retention_until, d.created_at, d.updated_at`

func scan(row pgx.Row) (Dossier, error) {
	var d Dossier
	var themes []string
	err := row.Scan(&d.ID, &d.OrganisationID, &d.Reference, &d.Title, &d.Summary, &themes, &d.Status,
		&d.OpenedOn, &d.ClosedOn, &d.ClosingReason, &d.ParquetNumber, &d.InstructionNumber, &d.Platforms,
		&d.Countries, &d.RetentionUntil, &d.CreatedAt, &d.UpdatedAt)
	d.Themes = make([]Theme, len(themes))
	for i, t := range themes {
		d.Themes[i] = Theme(t)
	}
	return d, err
}

// Bounds of the dossier's list inputs.
const (
	MaxThemes    = 20
	MaxPlatforms = 30
	MaxCountries = 50
)

func themeStrings(v *apperr.Validation, ts []Theme) []string {
	if !valid.List(v, "themes", ts, MaxThemes) {
		return nil
	}
	out := make([]string, 0, len(ts))
	seen := map[Theme]bool{}
	for _, t := range ts {
		if !t.valid() {
			v.Add("themes", "unknown theme")
			continue
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, string(t))
		}
	}
	if len(out) == 0 {
		v.Add("themes", "at least one theme is required")
	}
	return out
}

func today(now time.Time) time.Time {
	y, m, d := now.In(holiday.Paris()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Create opens a dossier in the actor's organisation.
func (s *Service) Create(ctx context.Context, a actor.Actor, in CreateInput) (Dossier, error) {
	var v apperr.Validation
	ref := valid.Label(&v, "reference", in.Reference, 1, 64)
	title := valid.Label(&v, "title", in.Title, 1, 300)
	summary := valid.OptText(&v, "summary", in.Summary, 20000)
	themes := themeStrings(&v, in.Themes)
	parquet := valid.OptLabel(&v, "parquetNumber", in.ParquetNumber, 64)
	instr := valid.OptLabel(&v, "instructionNumber", in.InstructionNumber, 64)
	platforms := valid.Labels(&v, "platforms", in.Platforms, 80, MaxPlatforms)
	countries := valid.Countries(&v, "countries", in.Countries, MaxCountries)
	opened := today(s.now())
	if in.OpenedOn != nil {
		opened = *in.OpenedOn
	}
	if in.RetentionUntil != nil && in.RetentionUntil.Before(opened) {
		v.Add("retentionUntil", "must not be before the opening date")
	}
	if err := v.Err(); err != nil {
		return Dossier{}, err
	}
	var d Dossier
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.az.Require(a, authz.DossierWrite, "dossier"); err != nil {
			return err
		}
		var err error
		d, err = scan(tx.QueryRow(ctx, `
			INSERT INTO dossiers AS d (organisation_id, reference, title, summary, themes, opened_on,
				parquet_number, instruction_number, platforms, countries, retention_until)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			RETURNING `+columns,
			a.OrgID, ref, title, opt(summary), themes, opened, opt(parquet), opt(instr), platforms, countries,
			in.RetentionUntil))
		if err != nil {
			return postgres.MapError(err, constraints)
		}
		// Whoever opens a dossier works on it: assign them, so that they
		// can record and read its identities (which need an assignment).
		if _, err := tx.Exec(ctx, `INSERT INTO dossier_assignments (dossier_id, user_id) VALUES ($1, $2)`, d.ID, a.UserID); err != nil {
			return fmt.Errorf("assign creator: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "dossier.create", ResourceType: "dossier",
			ResourceIDs: []uuid.UUID{d.ID}, DossierID: d.ID, Permission: string(authz.DossierWrite)})
	})
	return d, err
}

// Update changes the fields given.
func (s *Service) Update(ctx context.Context, a actor.Actor, id uuid.UUID, in UpdateInput) (Dossier, error) {
	var v apperr.Validation
	var ref, title *string
	if in.Reference != nil {
		r := valid.Label(&v, "reference", *in.Reference, 1, 64)
		ref = &r
	}
	if in.Title != nil {
		t := valid.Label(&v, "title", *in.Title, 1, 300)
		title = &t
	}
	summary := valid.OptText(&v, "summary", in.Summary, 20000)
	var themes, platforms, countries []string
	if in.Themes != nil {
		themes = themeStrings(&v, in.Themes)
	}
	if in.Platforms != nil {
		platforms = valid.Labels(&v, "platforms", in.Platforms, 80, MaxPlatforms)
	}
	if in.Countries != nil {
		countries = valid.Countries(&v, "countries", in.Countries, MaxCountries)
	}
	parquet := valid.OptLabel(&v, "parquetNumber", in.ParquetNumber, 64)
	instr := valid.OptLabel(&v, "instructionNumber", in.InstructionNumber, 64)
	if err := v.Err(); err != nil {
		return Dossier{}, err
	}
	var d Dossier
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Dossier(ctx, tx, a, authz.DossierWrite, id, "dossier", id); err != nil {
			return err
		}
		var err error
		d, err = scan(tx.QueryRow(ctx, `
			UPDATE dossiers AS d SET
				reference = coalesce($2, reference), title = coalesce($3, title), summary = coalesce($4, summary),
				themes = coalesce($5, themes), opened_on = coalesce($6, opened_on),
				parquet_number = coalesce($7, parquet_number), instruction_number = coalesce($8, instruction_number),
				platforms = coalesce($9, platforms), countries = coalesce($10, countries),
				retention_until = coalesce($11, retention_until), updated_at = now()
			WHERE id = $1
			RETURNING `+columns,
			id, ref, title, summary, themes, in.OpenedOn, parquet, instr, platforms, countries, in.RetentionUntil))
		if err != nil {
			return mapDateErr(postgres.MapError(err, constraints), in)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "dossier.update", ResourceType: "dossier",
			ResourceIDs: []uuid.UUID{id}, DossierID: id, Permission: string(authz.DossierWrite)})
	})
	return d, err
}

// mapDateErr names the field of a date check the database refused (the
// stored dates are only known there): the date the update changed.
func mapDateErr(err error, in UpdateInput) error {
	if e, ok := apperr.As(err); ok && e.Code == apperr.Invalid && len(e.Fields) == 0 {
		if in.RetentionUntil != nil && in.OpenedOn == nil {
			return apperr.InvalidField("retentionUntil", "must not be before the opening date")
		}
		return apperr.InvalidField("openedOn", "must not be after the closing date or the retention date")
	}
	return err
}

// Close closes an open dossier.
func (s *Service) Close(ctx context.Context, a actor.Actor, id uuid.UUID, in CloseInput) (Dossier, error) {
	var v apperr.Validation
	reason := valid.Text(&v, "reason", in.Reason, 1, 2000)
	if err := v.Err(); err != nil {
		return Dossier{}, err
	}
	closed := today(s.now())
	if in.ClosedOn != nil {
		closed = *in.ClosedOn
	}
	var d Dossier
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Dossier(ctx, tx, a, authz.DossierWrite, id, "dossier", id)
		if err != nil {
			return err
		}
		if acc.Closed {
			return apperr.New(apperr.Conflict, "the dossier is already closed")
		}
		d, err = scan(tx.QueryRow(ctx, `
			UPDATE dossiers AS d SET status = 'closed', closed_on = $2, closing_reason = $3, updated_at = now()
			WHERE id = $1 RETURNING `+columns, id, closed, reason))
		if err != nil {
			if e, ok := apperr.As(postgres.MapError(err)); ok && e.Code == apperr.Invalid {
				return apperr.InvalidField("closedOn", "must not be before the opening date")
			}
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "dossier.close", ResourceType: "dossier",
			ResourceIDs: []uuid.UUID{id}, DossierID: id, Permission: string(authz.DossierWrite)})
	})
	return d, err
}

// Reopen reopens a closed dossier.
func (s *Service) Reopen(ctx context.Context, a actor.Actor, id uuid.UUID) (Dossier, error) {
	var d Dossier
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Dossier(ctx, tx, a, authz.DossierWrite, id, "dossier", id)
		if err != nil {
			return err
		}
		if !acc.Closed {
			return apperr.New(apperr.Conflict, "the dossier is not closed")
		}
		d, err = scan(tx.QueryRow(ctx, `
			UPDATE dossiers AS d SET status = 'open', closed_on = NULL, closing_reason = '', updated_at = now()
			WHERE id = $1 RETURNING `+columns, id))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "dossier.reopen", ResourceType: "dossier",
			ResourceIDs: []uuid.UUID{id}, DossierID: id, Permission: string(authz.DossierWrite)})
	})
	return d, err
}

// Get reads one dossier.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Dossier, error) {
	var d Dossier
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Dossier(ctx, tx, a, authz.DossierRead, id, "dossier", id); err != nil {
			return err
		}
		var err error
		d, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM dossiers d WHERE d.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read dossier: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "dossier.read", ResourceType: "dossier",
			ResourceIDs: []uuid.UUID{id}, DossierID: id, Permission: string(authz.DossierRead)})
	})
	return d, err
}

// ByIDs reads the dossiers among ids that the actor may see, in one query
// (for dataloaders). Missing or hidden ones are simply absent.
func (s *Service) ByIDs(ctx context.Context, a actor.Actor, ids []uuid.UUID) (map[uuid.UUID]Dossier, error) {
	out := make(map[uuid.UUID]Dossier, len(ids))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.DossierRead, "dossier")
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM dossiers d WHERE d.id = ANY(@ids) AND `+authz.ScopeClause,
			scope.Args(pgx.NamedArgs{"ids": ids}))
		if err != nil {
			return fmt.Errorf("read dossiers: %w", err)
		}
		got := make([]uuid.UUID, 0, len(ids))
		for rows.Next() {
			d, err := scan(rows)
			if err != nil {
				return fmt.Errorf("scan dossier: %w", err)
			}
			out[d.ID] = d
			got = append(got, d.ID)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read dossiers: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "dossier.read", ResourceType: "dossier",
			ResourceIDs: got, Permission: string(authz.DossierRead)})
	})
	return out, err
}

// OrderField is what a list is sorted by.
type OrderField string

// Sort fields.
const (
	OrderOpenedOn  OrderField = "OPENED_ON"
	OrderReference OrderField = "REFERENCE"
	OrderUpdatedAt OrderField = "UPDATED_AT"
)

// Filter selects dossiers; all conditions must hold.
type Filter struct {
	Status      *Status
	Themes      []Theme
	Stage       *string
	Text        *string
	HearingFrom *time.Time
	HearingTo   *time.Time
}

// ListParams is one page request.
type ListParams struct {
	First      *int
	After      *string
	Filter     Filter
	OrderBy    OrderField
	Descending bool
	WantCount  bool // compute TotalCount (one more scan): only when the client asks for it
}

// Page is one page of dossiers.
type Page struct {
	Nodes      []Dossier
	Info       page.Info
	TotalCount int
}

type sortSpec struct {
	expr, cast string
	key        func(Dossier) string
}

var sorts = map[OrderField]sortSpec{
	OrderOpenedOn: {"d.opened_on", "date", func(d Dossier) string { return d.OpenedOn.Format("2006-01-02") }},
	// The cursor keeps the raw reference and SQL lowers both sides: Go's
	// and the database's lower() differ outside ASCII under a C locale.
	OrderReference: {"lower(d.reference)", "text", func(d Dossier) string { return d.Reference }},
	OrderUpdatedAt: {"d.updated_at", "timestamptz", func(d Dossier) string { return d.UpdatedAt.Format(time.RFC3339Nano) }},
}

// List returns one page of the dossiers the actor may see, filtered in SQL.
func (s *Service) List(ctx context.Context, a actor.Actor, p ListParams) (Page, error) {
	size, err := page.Size(p.First, 50)
	if err != nil {
		return Page{}, err
	}
	cur, err := page.Decode(p.After)
	if err != nil {
		return Page{}, err
	}
	if p.OrderBy == "" {
		p.OrderBy, p.Descending = OrderOpenedOn, true
	}
	sort, ok := sorts[p.OrderBy]
	if !ok {
		return Page{}, apperr.InvalidField("orderBy", "unknown sort field")
	}
	if cur != nil { // the key goes to SQL as the sort's type: it must parse as one
		var err error
		switch sort.cast {
		case "date":
			_, err = page.KeyDate(cur)
		case "timestamptz":
			_, err = page.KeyTime(cur)
		}
		if err != nil {
			return Page{}, err
		}
	}
	args := pgx.NamedArgs{}
	var where []string
	f := p.Filter
	if f.Status != nil {
		where = append(where, "d.status = @status")
		args["status"] = string(*f.Status)
	}
	if len(f.Themes) > 0 {
		var v apperr.Validation
		where = append(where, "d.themes && @themes")
		args["themes"] = themeStrings(&v, f.Themes)
		if err := v.Err(); err != nil {
			return Page{}, err
		}
	}
	if f.Stage != nil {
		where = append(where, `(SELECT p.stage FROM proceedings p WHERE p.dossier_id = d.id AND p.status = 'ongoing'
			ORDER BY p.started_on DESC, p.created_at DESC LIMIT 1) = @stage`)
		args["stage"] = *f.Stage
	}
	if f.Text != nil && strings.TrimSpace(*f.Text) != "" {
		where = append(where, `(d.reference || ' ' || d.title) ILIKE @text`)
		args["text"] = "%" + escapeLike(strings.TrimSpace(*f.Text)) + "%"
	}
	if f.HearingFrom != nil || f.HearingTo != nil {
		if f.HearingFrom != nil && f.HearingTo != nil && !f.HearingTo.After(*f.HearingFrom) {
			return Page{}, apperr.InvalidField("filter.hearingTo", "must be after hearingFrom")
		}
		where = append(where, `EXISTS (SELECT 1 FROM hearings h WHERE h.dossier_id = d.id AND h.status <> 'cancelled'
			AND (@hfrom::timestamptz IS NULL OR h.starts_at >= @hfrom) AND (@hto::timestamptz IS NULL OR h.starts_at < @hto))`)
		args["hfrom"], args["hto"] = f.HearingFrom, f.HearingTo
	}
	dir, cmp := "ASC", ">"
	if p.Descending {
		dir, cmp = "DESC", "<"
	}
	var out Page
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.DossierRead, "dossier")
		if err != nil {
			return err
		}
		scope.Args(args)
		br := scope.Branches()
		cond := strings.Join(append([]string{"true"}, where...), " AND ")
		if p.WantCount {
			if err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT (SELECT count(*) %s AND %s) + (SELECT count(*) %s AND %s)`,
				br[0], cond, br[1], cond), args).Scan(&out.TotalCount); err != nil {
				return fmt.Errorf("count dossiers: %w", err)
			}
		}
		pageCond := cond
		if cur != nil {
			key := "@ck::" + sort.cast
			if p.OrderBy == OrderReference {
				key = "lower(@ck::text)"
			}
			pageCond += fmt.Sprintf(" AND (%s, d.id) %s (%s, @cid)", sort.expr, cmp, key)
			args["ck"], args["cid"] = cur.Key, cur.ID
		}
		args["lim"] = size + 1
		order := fmt.Sprintf("ORDER BY %s %s, d.id %s LIMIT @lim", sort.expr, dir, dir)
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT * FROM ((SELECT %[1]s %[2]s AND %[4]s %[5]s)
			UNION ALL (SELECT %[1]s %[3]s AND %[4]s %[5]s)) d %[5]s`, columns, br[0], br[1], pageCond, order), args)
		if err != nil {
			return fmt.Errorf("list dossiers: %w", err)
		}
		out.Nodes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Dossier, error) { return scan(r) })
		if err != nil {
			return fmt.Errorf("list dossiers: %w", err)
		}
		if len(out.Nodes) > size {
			out.Nodes = out.Nodes[:size]
			out.Info.HasNextPage = true
		}
		ids := make([]uuid.UUID, len(out.Nodes))
		for i, d := range out.Nodes {
			ids[i] = d.ID
		}
		if n := len(out.Nodes); n > 0 {
			c := page.Cursor{Key: sort.key(out.Nodes[n-1]), ID: out.Nodes[n-1].ID}.Encode()
			out.Info.EndCursor = &c
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "dossier.list", ResourceType: "dossier",
			ResourceIDs: ids, Permission: string(authz.DossierRead)})
	})
	return out, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SharedWith returns, for each dossier among ids, the organisations it is
// shared with (the caller has already authorized the dossiers).
func (s *Service) SharedWith(ctx context.Context, a actor.Actor, ids []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
	out := map[uuid.UUID][]uuid.UUID{}
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.DossierRead, "dossier")
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT s.dossier_id, s.organisation_id FROM dossier_shares s
			JOIN dossiers d ON d.id = s.dossier_id WHERE s.dossier_id = ANY(@ids) AND `+authz.ScopeClause,
			scope.Args(pgx.NamedArgs{"ids": ids}))
		if err != nil {
			return fmt.Errorf("read shares: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var d, o uuid.UUID
			if err := rows.Scan(&d, &o); err != nil {
				return fmt.Errorf("scan share: %w", err)
			}
			out[d] = append(out[d], o)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read shares: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "dossier.shares.read", ResourceType: "dossier",
			ResourceIDs: ids, Permission: string(authz.DossierRead)})
	})
	return out, err
}
