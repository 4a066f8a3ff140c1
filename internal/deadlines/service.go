package deadlines

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/deadline"
	"github.com/egide/egide/internal/holiday"
	"github.com/egide/egide/internal/page"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// Permissions. Deadlines are read like the rest of the case (case:read,
// also on a dossier shared with the organisation) and written like
// hearings (hearing:write: legal staff and assigned partner lawyers),
// which is owner-only on a shared dossier (authz.onShared): a co-civil
// party keeps its own calendar in its own dossier.
const (
	readPerm  = authz.CaseRead
	writePerm = authz.HearingWrite
	kind      = "deadline"
)

// Service reads and changes deadlines. Every method authorizes, runs in one
// transaction and writes its audit event in it.
type Service struct {
	az  *authz.Authorizer
	now func() time.Time
}

// NewService returns a deadline service.
func NewService(az *authz.Authorizer) *Service { return &Service{az: az, now: time.Now} }

// ComputeInput asks the server to compute and store a deadline from a rule
// of the catalogue and the day of its triggering event.
type ComputeInput struct {
	DossierID    uuid.UUID
	ProceedingID *uuid.UUID
	RuleID       string
	TriggerOn    time.Time
}

// ManualInput is a deadline entered by hand.
type ManualInput struct {
	DossierID    uuid.UUID
	ProceedingID *uuid.UUID
	Title        string
	DueOn        time.Time
	Note         *string
}

// ListParams is one page of the calendar: open deadlines due in [From, To]
// (calendar days, both included).
type ListParams struct {
	From          time.Time
	To            time.Time
	IncludeClosed bool
	First         *int
	After         *string
}

// Page is one page of deadlines.
type Page struct {
	Nodes []Deadline
	Info  page.Info
}

// Limits that catch typos in dates.
const (
	// A trigger may be old (a prescription counts from the facts or from
	// the victim's majority) but not a century old.
	maxTriggerPastYears = 60
	// A trigger is an event that happened, or at most one expected within
	// a year (a majority date, a decision whose date is set).
	maxTriggerFutureYears = 1
	maxManualPastYears    = 2
	maxManualFutureYears  = 10
	// MaxWindow is the longest calendar window a list may ask for.
	MaxWindow = 400
)

const columns = `x.id, x.dossier_id, x.proceeding_id, x.rule_id, x.code_version, x.article, x.trigger_on,
	x.due_on, x.raw_end_on, x.extended, x.steps, x.warnings, x.title, x.note, x.status, x.done_by, x.done_at,
	x.cancel_reason, x.cancelled_by, x.cancelled_at, x.created_by, x.created_at`

// order is open deadlines first, then by due date.
const order = `(x.status <> 'open'), x.due_on, x.id`

func scan(row pgx.Row) (Deadline, error) {
	var d Deadline
	err := row.Scan(&d.ID, &d.DossierID, &d.ProceedingID, &d.RuleID, &d.CodeVersion, &d.Article, &d.TriggerOn,
		&d.DueOn, &d.RawEndOn, &d.Extended, &d.Steps, &d.Warnings, &d.Title, &d.Note, &d.Status, &d.DoneBy, &d.DoneAt,
		&d.CancelReason, &d.CancelledBy, &d.CancelledAt, &d.CreatedBy, &d.CreatedAt)
	return d, err
}

func collect(rows pgx.Rows) ([]Deadline, error) {
	ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Deadline, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("read deadlines: %w", err)
	}
	return ds, nil
}

func ids(ds []Deadline) []uuid.UUID {
	out := make([]uuid.UUID, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// day is the calendar day of t (in its own location) at UTC midnight.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// today is the day in Europe/Paris, where the courts are.
func (s *Service) today() time.Time {
	return day(s.now().In(holiday.Paris()))
}

// Compute computes the deadline of rule in.RuleID for an event on
// in.TriggerOn and stores it in an open dossier, with its explanation.
// Errors: INVALID (ruleId unknown, triggerOn missing, implausible or not
// covered by the rule, proceedingId of another dossier, dossier closed),
// NOT_FOUND, FORBIDDEN.
func (s *Service) Compute(ctx context.Context, a actor.Actor, in ComputeInput) (Deadline, error) {
	rule, res, err := s.compute(in.RuleID, in.TriggerOn)
	if err != nil {
		return Deadline{}, err
	}
	return s.insert(ctx, a, in.DossierID, in.ProceedingID, func(tx pgx.Tx) pgx.Row {
		return tx.QueryRow(ctx, `
			INSERT INTO deadlines AS x (dossier_id, proceeding_id, rule_id, code_version, article, trigger_on, due_on,
				raw_end_on, extended, steps, warnings, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			RETURNING `+columns,
			in.DossierID, in.ProceedingID, rule.ID, string(res.Ref.Code), res.Ref.Article, res.Trigger, res.Due,
			res.RawEnd, res.Extended, nonNil(res.Steps), nonNil(res.Warnings), a.UserID)
	})
}

// compute validates a rule id and a trigger day and computes the date.
func (s *Service) compute(ruleID string, triggerOn time.Time) (deadline.Rule, deadline.Result, error) {
	var v apperr.Validation
	today := s.today()
	rule, ok := deadline.Lookup(ruleID)
	if !ok {
		v.Add("ruleId", "is not a rule of the catalogue")
	}
	trigger := day(triggerOn)
	switch {
	case triggerOn.IsZero():
		v.Add("triggerOn", "is required")
	case trigger.After(today.AddDate(maxTriggerFutureYears, 0, 0)):
		v.Add("triggerOn", "is more than %d year ahead; check the year", maxTriggerFutureYears)
	case trigger.Before(today.AddDate(-maxTriggerPastYears, 0, 0)):
		v.Add("triggerOn", "is more than %d years in the past; check the year", maxTriggerPastYears)
	}
	if err := v.Err(); err != nil {
		return rule, deadline.Result{}, err
	}
	res, err := deadline.Due(rule, trigger, deadline.Options{})
	if errors.Is(err, deadline.ErrNoVersion) {
		return rule, res, apperr.InvalidField("triggerOn", "no version of the rule applies on that date")
	}
	if err != nil {
		return rule, res, fmt.Errorf("compute deadline: %w", err)
	}
	return rule, res, nil
}

// Preview is a computed date that is not stored: what computeDeadline
// would store, shown before saving.
type Preview struct {
	Rule        RuleVersion
	CodeVersion string
	Article     string
	TriggerOn   time.Time
	DueOn       time.Time
	RawEndOn    time.Time
	Extended    bool
	Steps       []string
	Warnings    []string
}

// Preview computes the date of rule ruleID for an event on triggerOn
// without storing it, for anyone who may read case data: it reads no case
// data (audited as deadline_rule.preview, like the catalogue).
// Errors: INVALID (ruleId, triggerOn), FORBIDDEN.
func (s *Service) Preview(ctx context.Context, a actor.Actor, ruleID string, triggerOn time.Time) (Preview, error) {
	var out Preview
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.az.Require(a, readPerm, "deadline_rule"); err != nil {
			return err
		}
		rule, res, err := s.compute(ruleID, triggerOn)
		if err != nil {
			return err
		}
		out = Preview{Rule: version(rule, res.Trigger), CodeVersion: string(res.Ref.Code), Article: res.Ref.Article,
			TriggerOn: res.Trigger, DueOn: res.Due, RawEndOn: res.RawEnd, Extended: res.Extended,
			Steps: nonNil(res.Steps), Warnings: nonNil(res.Warnings)}
		return audit.Record(ctx, tx, a, audit.Event{Action: "deadline_rule.preview", ResourceType: "deadline_rule",
			Permission: string(readPerm)})
	})
	return out, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// AddManual stores a deadline entered by hand (a date the catalogue does
// not compute) in an open dossier.
// Errors: INVALID (title, dueOn, note, proceedingId, dossier closed),
// NOT_FOUND, FORBIDDEN.
func (s *Service) AddManual(ctx context.Context, a actor.Actor, in ManualInput) (Deadline, error) {
	var v apperr.Validation
	today := s.today()
	title := valid.Text(&v, "title", in.Title, 1, 200)
	note := valid.OptText(&v, "note", in.Note, 2000)
	due := day(in.DueOn)
	switch {
	case in.DueOn.IsZero():
		v.Add("dueOn", "is required")
	case due.Before(today.AddDate(-maxManualPastYears, 0, 0)):
		v.Add("dueOn", "is more than %d years in the past; check the year", maxManualPastYears)
	case due.After(today.AddDate(maxManualFutureYears, 0, 0)):
		v.Add("dueOn", "is more than %d years ahead; check the year", maxManualFutureYears)
	}
	if err := v.Err(); err != nil {
		return Deadline{}, err
	}
	n := ""
	if note != nil {
		n = *note
	}
	return s.insert(ctx, a, in.DossierID, in.ProceedingID, func(tx pgx.Tx) pgx.Row {
		return tx.QueryRow(ctx, `
			INSERT INTO deadlines AS x (dossier_id, proceeding_id, rule_id, due_on, title, note, created_by)
			VALUES ($1, $2, 'manual', $3, $4, $5, $6)
			RETURNING `+columns,
			in.DossierID, in.ProceedingID, due, title, n, a.UserID)
	})
}

// insert authorizes a new deadline in dossierID, checks the proceeding,
// runs the insert and records deadline.create.
func (s *Service) insert(ctx context.Context, a actor.Actor, dossierID uuid.UUID, proceedingID *uuid.UUID,
	ins func(pgx.Tx) pgx.Row) (Deadline, error) {
	var d Deadline
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Dossier(ctx, tx, a, writePerm, dossierID, "dossier", dossierID)
		if err != nil {
			return err
		}
		if acc.Closed {
			return apperr.InvalidField("dossierId", "the dossier is closed")
		}
		if proceedingID != nil {
			var pd uuid.UUID
			err := tx.QueryRow(ctx, `SELECT dossier_id FROM proceedings WHERE id = $1`, *proceedingID).Scan(&pd)
			if errors.Is(err, pgx.ErrNoRows) || err == nil && pd != dossierID {
				return apperr.InvalidField("proceedingId", "is not a proceeding of this dossier")
			}
			if err != nil {
				return fmt.Errorf("read proceeding: %w", err)
			}
		}
		if d, err = scan(ins(tx)); err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "deadline.create", ResourceType: kind,
			ResourceIDs: []uuid.UUID{d.ID}, DossierID: d.DossierID, Permission: string(writePerm)})
	})
	return d, err
}

// write runs one change on an open deadline: it authorizes, locks the
// row, refuses a deadline that is no longer open, runs update and records
// action. A closed dossier's deadlines may still be completed or
// cancelled: closing a dossier must not leave them open for ever.
func (s *Service) write(ctx context.Context, a actor.Actor, id uuid.UUID, action string,
	update func(tx pgx.Tx) pgx.Row) (Deadline, error) {
	var d Deadline
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Row(ctx, tx, a, writePerm, "deadlines", kind, id); err != nil {
			return err
		}
		var st Status
		if err := tx.QueryRow(ctx, `SELECT status FROM deadlines WHERE id = $1 FOR UPDATE`, id).Scan(&st); err != nil {
			return fmt.Errorf("lock deadline: %w", err)
		}
		switch st {
		case Done:
			return apperr.New(apperr.Conflict, "the deadline is already done")
		case Cancelled:
			return apperr.New(apperr.Conflict, "the deadline is cancelled")
		}
		var err error
		if d, err = scan(update(tx)); err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: action, ResourceType: kind,
			ResourceIDs: []uuid.UUID{id}, DossierID: d.DossierID, Permission: string(writePerm)})
	})
	return d, err
}

// Complete marks an open deadline done, by the actor, now.
// Errors: NOT_FOUND, FORBIDDEN, CONFLICT (not open).
func (s *Service) Complete(ctx context.Context, a actor.Actor, id uuid.UUID) (Deadline, error) {
	return s.write(ctx, a, id, "deadline.complete", func(tx pgx.Tx) pgx.Row {
		return tx.QueryRow(ctx, `UPDATE deadlines AS x SET status = 'done', done_by = $2, done_at = now()
			WHERE id = $1 RETURNING `+columns, id, a.UserID)
	})
}

// Cancel cancels an open deadline, with the reason.
// Errors: INVALID (reason), NOT_FOUND, FORBIDDEN, CONFLICT (not open).
func (s *Service) Cancel(ctx context.Context, a actor.Actor, id uuid.UUID, reason string) (Deadline, error) {
	var v apperr.Validation
	reason = valid.Text(&v, "reason", reason, 1, 1000)
	if err := v.Err(); err != nil {
		return Deadline{}, err
	}
	return s.write(ctx, a, id, "deadline.cancel", func(tx pgx.Tx) pgx.Row {
		return tx.QueryRow(ctx, `UPDATE deadlines AS x SET status = 'cancelled', cancel_reason = $2,
			cancelled_by = $3, cancelled_at = now()
			WHERE id = $1 RETURNING `+columns, id, reason, a.UserID)
	})
}

// Get reads one deadline. Errors: NOT_FOUND.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Deadline, error) {
	var d Deadline
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Row(ctx, tx, a, readPerm, "deadlines", kind, id); err != nil {
			return err
		}
		var err error
		if d, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM deadlines x WHERE x.id = $1`, id)); err != nil {
			return fmt.Errorf("read deadline: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "deadline.read", ResourceType: kind,
			ResourceIDs: []uuid.UUID{id}, DossierID: d.DossierID, Permission: string(readPerm)})
	})
	return d, err
}

// ByDossier lists every deadline of one dossier: open ones first, then by
// due date. Errors: NOT_FOUND.
func (s *Service) ByDossier(ctx context.Context, a actor.Actor, dossierID uuid.UUID) ([]Deadline, error) {
	var ds []Deadline
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Dossier(ctx, tx, a, readPerm, dossierID, "dossier", dossierID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM deadlines x WHERE x.dossier_id = $1 ORDER BY `+order, dossierID)
		if err != nil {
			return fmt.Errorf("list deadlines: %w", err)
		}
		if ds, err = collect(rows); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "deadline.list", ResourceType: kind,
			ResourceIDs: ids(ds), DossierID: dossierID, Permission: string(readPerm)})
	})
	return ds, err
}

// ByDossiers lists the deadlines of every dossier among dossierIDs that the
// actor may see, in one statement (dataloader), each list ordered like
// ByDossier. Dossiers the actor may not see, or without deadlines, are
// absent.
func (s *Service) ByDossiers(ctx context.Context, a actor.Actor, dossierIDs []uuid.UUID) (map[uuid.UUID][]Deadline, error) {
	out := make(map[uuid.UUID][]Deadline, len(dossierIDs))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, readPerm, kind)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM deadlines x JOIN dossiers d ON d.id = x.dossier_id
			WHERE x.dossier_id = ANY(@ids) AND `+authz.ScopeClause+` ORDER BY `+order,
			scope.Args(pgx.NamedArgs{"ids": dossierIDs}))
		if err != nil {
			return fmt.Errorf("list deadlines: %w", err)
		}
		ds, err := collect(rows)
		if err != nil {
			return err
		}
		for _, d := range ds {
			out[d.DossierID] = append(out[d.DossierID], d)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "deadline.list", ResourceType: kind,
			ResourceIDs: ids(ds), DossierID: single(dossierIDs), Permission: string(readPerm)})
	})
	return out, err
}

// single is the dossier of a batch of one (a dossier page), so that the
// event is found by the dossier's audit search; zero for a larger batch.
func single(dossierIDs []uuid.UUID) uuid.UUID {
	if len(dossierIDs) == 1 {
		return dossierIDs[0]
	}
	return uuid.Nil
}

// NextByDossiers reads, for each dossier among dossierIDs that the actor
// may see, its open deadline due soonest from today on, in one statement
// (dataloader). Dossiers without one are absent.
func (s *Service) NextByDossiers(ctx context.Context, a actor.Actor, dossierIDs []uuid.UUID) (map[uuid.UUID]Deadline, error) {
	out := make(map[uuid.UUID]Deadline, len(dossierIDs))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, readPerm, kind)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT DISTINCT ON (x.dossier_id) `+columns+`
			FROM deadlines x JOIN dossiers d ON d.id = x.dossier_id
			WHERE x.dossier_id = ANY(@ids) AND x.status = 'open' AND x.due_on >= @today AND `+authz.ScopeClause+`
			ORDER BY x.dossier_id, x.due_on, x.id`,
			scope.Args(pgx.NamedArgs{"ids": dossierIDs, "today": s.today()}))
		if err != nil {
			return fmt.Errorf("next deadlines: %w", err)
		}
		ds, err := collect(rows)
		if err != nil {
			return err
		}
		for _, d := range ds {
			out[d.DossierID] = d
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "deadline.read", ResourceType: kind,
			ResourceIDs: ids(ds), DossierID: single(dossierIDs), Permission: string(readPerm)})
	})
	return out, err
}

// List is the calendar: one page of the deadlines due in [From, To] across
// every dossier the actor may see, by due date; open ones only unless
// IncludeClosed. Errors: INVALID (from, to, first, after), FORBIDDEN.
func (s *Service) List(ctx context.Context, a actor.Actor, p ListParams) (Page, error) {
	size, err := page.Size(p.First, 100)
	if err != nil {
		return Page{}, err
	}
	cur, err := page.Decode(p.After)
	if err != nil {
		return Page{}, err
	}
	var ck time.Time
	if cur != nil {
		if ck, err = page.KeyDate(cur); err != nil {
			return Page{}, err
		}
	}
	from, to := day(p.From), day(p.To)
	switch {
	case p.From.IsZero():
		return Page{}, apperr.InvalidField("from", "is required")
	case p.To.IsZero():
		return Page{}, apperr.InvalidField("to", "is required")
	case to.Before(from):
		return Page{}, apperr.InvalidField("to", "must not be before from")
	case to.Sub(from) > MaxWindow*24*time.Hour:
		return Page{}, apperr.InvalidField("to", "the window must not exceed %d days", MaxWindow)
	}
	args := pgx.NamedArgs{"from": from, "to": to, "lim": size + 1}
	where := []string{authz.ScopeClause, "x.due_on >= @from", "x.due_on <= @to"}
	if !p.IncludeClosed {
		where = append(where, "x.status = 'open'")
	}
	if cur != nil {
		where = append(where, "(x.due_on, x.id) > (@ck::date, @cid::uuid)")
		args["ck"], args["cid"] = ck, cur.ID
	}
	var out Page
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, readPerm, kind)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM deadlines x JOIN dossiers d ON d.id = x.dossier_id
			WHERE `+strings.Join(where, " AND ")+` ORDER BY x.due_on, x.id LIMIT @lim`, scope.Args(args))
		if err != nil {
			return fmt.Errorf("list deadlines: %w", err)
		}
		if out.Nodes, err = collect(rows); err != nil {
			return err
		}
		if len(out.Nodes) > size {
			out.Nodes = out.Nodes[:size]
			out.Info.HasNextPage = true
		}
		if n := len(out.Nodes); n > 0 {
			last := out.Nodes[n-1]
			c := page.Cursor{Key: last.DueOn.Format(time.DateOnly), ID: last.ID}.Encode()
			out.Info.EndCursor = &c
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "deadline.list", ResourceType: kind,
			ResourceIDs: ids(out.Nodes), Permission: string(readPerm)})
	})
	return out, err
}

// RulesAt returns the catalogue with the versions that apply to a trigger
// on day at (today in Europe/Paris when zero), for anyone who may read
// case data. The catalogue is law, not case data; the call is audited like
// penalArticles (deadline_rule.list).
func (s *Service) RulesAt(ctx context.Context, a actor.Actor, at time.Time) ([]RuleVersion, error) {
	if at.IsZero() {
		at = s.today()
	}
	var out []RuleVersion
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if err := s.az.Require(a, readPerm, "deadline_rule"); err != nil {
			return err
		}
		out = Rules(day(at))
		return audit.Record(ctx, tx, a, audit.Event{Action: "deadline_rule.list", ResourceType: "deadline_rule",
			Permission: string(readPerm)})
	})
	return out, err
}

// OpenInWindow lists, inside the caller's transaction tx, the open
// deadlines due in [from, to] (days, both included) across every dossier
// the actor may read (authz.DossierScope), by due date, at most limit of
// them; more reports whether some were left out. It writes no audit
// event: it is for a caller that records one event for the whole of its
// answer (the calendar feed, internal/calfeed). Errors: FORBIDDEN.
func (s *Service) OpenInWindow(ctx context.Context, tx pgx.Tx, a actor.Actor, from, to time.Time, limit int) (ds []Deadline, more bool, err error) {
	from, to = day(from), day(to)
	if to.Before(from) || to.Sub(from) > MaxWindow*24*time.Hour {
		return nil, false, apperr.InvalidField("to", "the window must not exceed %d days", MaxWindow)
	}
	scope, err := s.az.DossierScope(a, readPerm, kind)
	if err != nil {
		return nil, false, err
	}
	rows, err := tx.Query(ctx, `SELECT `+columns+` FROM deadlines x JOIN dossiers d ON d.id = x.dossier_id
		WHERE `+authz.ScopeClause+` AND x.due_on >= @from AND x.due_on <= @to AND x.status = 'open'
		ORDER BY x.due_on, x.id LIMIT @lim`, scope.Args(pgx.NamedArgs{"from": from, "to": to, "lim": limit + 1}))
	if err != nil {
		return nil, false, fmt.Errorf("list deadlines: %w", err)
	}
	if ds, err = collect(rows); err != nil {
		return nil, false, err
	}
	if len(ds) > limit {
		return ds[:limit], true, nil
	}
	return ds, false, nil
}
