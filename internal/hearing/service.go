package hearing

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
	"github.com/egide/egide/internal/page"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// Service reads and changes hearings. Every method authorizes, runs in one
// transaction and writes its audit event in it.
type Service struct {
	az  *authz.Authorizer
	now func() time.Time
}

// NewService returns a hearing service.
func NewService(az *authz.Authorizer) *Service { return &Service{az: az, now: time.Now} }

// ScheduleInput is a new hearing.
type ScheduleInput struct {
	DossierID    uuid.UUID
	ProceedingID *uuid.UUID
	Kind         Kind
	StartsAt     time.Time
	EndsAt       *time.Time
	CourtRoom    *string
	Attendees    []string
}

// MoveInput is a new time or room. A nil EndsAt keeps the hearing's
// duration; a nil CourtRoom keeps the room.
type MoveInput struct {
	StartsAt  time.Time
	EndsAt    *time.Time
	CourtRoom *string
}

// ListParams is one page of the calendar: hearings starting in [From, To).
type ListParams struct {
	From             time.Time
	To               time.Time
	IncludeCancelled bool
	First            *int
	After            *string
}

// Page is one page of hearings.
type Page struct {
	Nodes []Hearing
	Info  page.Info
}

// Limits that catch typos in dates (a year keyed as 2205 or 1925) while
// leaving room for old hearings entered late and trials set far ahead.
const (
	maxPastYears   = 2
	maxFutureYears = 10
	// MaxWindow is the longest calendar window a list may ask for.
	MaxWindow = 400 * 24 * time.Hour
	// maxDuration bounds a hearing's expected end: long trials last weeks,
	// not years.
	maxDuration = 366 * 24 * time.Hour
)

const columns = `h.id, h.dossier_id, h.proceeding_id, h.kind, h.starts_at, h.ends_at, h.court_room,
	h.attendees, h.status, h.outcome_note, h.cancel_reason, h.moved_count, h.created_at`

func scan(row pgx.Row) (Hearing, error) {
	var h Hearing
	err := row.Scan(&h.ID, &h.DossierID, &h.ProceedingID, &h.Kind, &h.StartsAt, &h.EndsAt, &h.CourtRoom,
		&h.Attendees, &h.Status, &h.OutcomeNote, &h.CancelReason, &h.MovedCount, &h.CreatedAt)
	return h, err
}

func collect(rows pgx.Rows) ([]Hearing, error) {
	hs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Hearing, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("read hearings: %w", err)
	}
	return hs, nil
}

func ids(hs []Hearing) []uuid.UUID {
	out := make([]uuid.UUID, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

// checkTimes validates a start and an optional end against now.
func checkTimes(v *apperr.Validation, now, start time.Time, end *time.Time) {
	switch {
	case start.IsZero():
		v.Add("startsAt", "is required")
	case start.Before(now.AddDate(-maxPastYears, 0, 0)):
		v.Add("startsAt", "is more than %d years in the past; check the year", maxPastYears)
	case start.After(now.AddDate(maxFutureYears, 0, 0)):
		v.Add("startsAt", "is more than %d years ahead; check the year", maxFutureYears)
	}
	if end != nil {
		switch {
		case !end.After(start):
			v.Add("endsAt", "must be after startsAt")
		case end.Sub(start) > maxDuration:
			v.Add("endsAt", "must be within a year of startsAt; check the year")
		}
	}
}

func opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Schedule adds a hearing to an open dossier.
func (s *Service) Schedule(ctx context.Context, a actor.Actor, in ScheduleInput) (Hearing, error) {
	var v apperr.Validation
	if !in.Kind.valid() {
		v.Add("kind", "unknown kind of hearing")
	}
	checkTimes(&v, s.now(), in.StartsAt, in.EndsAt)
	room := valid.OptText(&v, "courtRoom", in.CourtRoom, 200)
	attendees := valid.Labels(&v, "attendees", in.Attendees, 80, 20)
	if err := v.Err(); err != nil {
		return Hearing{}, err
	}
	var h Hearing
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Dossier(ctx, tx, a, authz.HearingWrite, in.DossierID, "dossier", in.DossierID)
		if err != nil {
			return err
		}
		if acc.Closed {
			return apperr.InvalidField("dossierId", "the dossier is closed")
		}
		if in.ProceedingID != nil {
			var pd uuid.UUID
			err := tx.QueryRow(ctx, `SELECT dossier_id FROM proceedings WHERE id = $1`, *in.ProceedingID).Scan(&pd)
			if errors.Is(err, pgx.ErrNoRows) || err == nil && pd != in.DossierID {
				return apperr.InvalidField("proceedingId", "is not a proceeding of this dossier")
			}
			if err != nil {
				return fmt.Errorf("read proceeding: %w", err)
			}
		}
		h, err = scan(tx.QueryRow(ctx, `
			INSERT INTO hearings AS h (dossier_id, proceeding_id, kind, starts_at, ends_at, court_room, attendees)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			RETURNING `+columns,
			in.DossierID, in.ProceedingID, string(in.Kind), in.StartsAt, in.EndsAt, opt(room), attendees))
		if err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "hearing.schedule", ResourceType: "hearing",
			ResourceIDs: []uuid.UUID{h.ID}, DossierID: h.DossierID, Permission: string(authz.HearingWrite)})
	})
	return h, err
}

// authorize finds the dossier of hearing id and checks p on it. Unknown
// hearings and hearings of dossiers the actor may not see are NOT_FOUND.
func (s *Service) authorize(ctx context.Context, tx pgx.Tx, a actor.Actor, p authz.Permission, id uuid.UUID) (authz.DossierAccess, error) {
	return s.az.Row(ctx, tx, a, p, "hearings", "hearing", id)
}

// forUpdate authorizes a write on hearing id and returns it locked.
func (s *Service) forUpdate(ctx context.Context, tx pgx.Tx, a actor.Actor, id uuid.UUID) (authz.DossierAccess, Hearing, error) {
	acc, err := s.authorize(ctx, tx, a, authz.HearingWrite, id)
	if err != nil {
		return acc, Hearing{}, err
	}
	h, err := scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM hearings h WHERE h.id = $1 FOR UPDATE`, id))
	if err != nil {
		return acc, Hearing{}, fmt.Errorf("lock hearing: %w", err)
	}
	return acc, h, nil
}

// write runs one change on a hearing: it authorizes, locks the row, lets
// check refuse the change, runs update and records action.
func (s *Service) write(ctx context.Context, a actor.Actor, id uuid.UUID, action string,
	check func(authz.DossierAccess, Hearing) error, update func(tx pgx.Tx) pgx.Row) (Hearing, error) {
	var h Hearing
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, cur, err := s.forUpdate(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := check(acc, cur); err != nil {
			return err
		}
		h, err = scan(update(tx))
		if err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: action, ResourceType: "hearing",
			ResourceIDs: []uuid.UUID{id}, DossierID: h.DossierID, Permission: string(authz.HearingWrite)})
	})
	return h, err
}

// Move gives a scheduled hearing a new time (and room) and counts the move.
func (s *Service) Move(ctx context.Context, a actor.Actor, id uuid.UUID, in MoveInput) (Hearing, error) {
	var v apperr.Validation
	checkTimes(&v, s.now(), in.StartsAt, in.EndsAt)
	room := valid.OptText(&v, "courtRoom", in.CourtRoom, 200)
	if err := v.Err(); err != nil {
		return Hearing{}, err
	}
	return s.write(ctx, a, id, "hearing.move",
		func(acc authz.DossierAccess, cur Hearing) error {
			if acc.Closed {
				return apperr.New(apperr.Conflict, "the dossier is closed")
			}
			return mustBeScheduled(cur)
		},
		func(tx pgx.Tx) pgx.Row {
			// Without a new end, the hearing keeps its duration.
			return tx.QueryRow(ctx, `
				UPDATE hearings AS h SET starts_at = $2, ends_at = coalesce($3, ends_at + ($2 - starts_at)),
					court_room = coalesce($4, court_room), moved_count = moved_count + 1
				WHERE id = $1 RETURNING `+columns, id, in.StartsAt, in.EndsAt, room)
		})
}

func mustBeScheduled(h Hearing) error {
	switch h.Status {
	case Cancelled:
		return apperr.New(apperr.Conflict, "the hearing is cancelled")
	case Held:
		return apperr.New(apperr.Conflict, "the hearing has already been held")
	}
	return nil
}

// Cancel cancels a scheduled hearing, with the reason.
func (s *Service) Cancel(ctx context.Context, a actor.Actor, id uuid.UUID, reason string) (Hearing, error) {
	var v apperr.Validation
	reason = valid.Text(&v, "reason", reason, 1, 1000)
	if err := v.Err(); err != nil {
		return Hearing{}, err
	}
	return s.write(ctx, a, id, "hearing.cancel",
		func(_ authz.DossierAccess, cur Hearing) error { return mustBeScheduled(cur) },
		func(tx pgx.Tx) pgx.Row {
			return tx.QueryRow(ctx, `UPDATE hearings AS h SET status = 'cancelled', cancel_reason = $2
				WHERE id = $1 RETURNING `+columns, id, reason)
		})
}

// RecordOutcome records what happened and marks the hearing held. A held
// hearing's note can be corrected; a cancelled hearing has no outcome.
func (s *Service) RecordOutcome(ctx context.Context, a actor.Actor, id uuid.UUID, note string) (Hearing, error) {
	var v apperr.Validation
	note = valid.Text(&v, "note", note, 1, 4000)
	if err := v.Err(); err != nil {
		return Hearing{}, err
	}
	return s.write(ctx, a, id, "hearing.outcome",
		func(_ authz.DossierAccess, cur Hearing) error {
			if cur.Status == Cancelled {
				return apperr.New(apperr.Conflict, "the hearing is cancelled")
			}
			return nil
		},
		func(tx pgx.Tx) pgx.Row {
			return tx.QueryRow(ctx, `UPDATE hearings AS h SET status = 'held', outcome_note = $2
				WHERE id = $1 RETURNING `+columns, id, note)
		})
}

// Get reads one hearing.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Hearing, error) {
	var h Hearing
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.authorize(ctx, tx, a, authz.CaseRead, id); err != nil {
			return err
		}
		var err error
		h, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM hearings h WHERE h.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read hearing: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "hearing.read", ResourceType: "hearing",
			ResourceIDs: []uuid.UUID{id}, DossierID: h.DossierID, Permission: string(authz.CaseRead)})
	})
	return h, err
}

// ByDossier lists every hearing of a dossier, cancelled ones included, in
// date order.
func (s *Service) ByDossier(ctx context.Context, a actor.Actor, dossierID uuid.UUID) ([]Hearing, error) {
	var hs []Hearing
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Dossier(ctx, tx, a, authz.CaseRead, dossierID, "dossier", dossierID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM hearings h WHERE h.dossier_id = $1
			ORDER BY h.starts_at, h.id`, dossierID)
		if err != nil {
			return fmt.Errorf("list hearings: %w", err)
		}
		if hs, err = collect(rows); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "hearing.list", ResourceType: "hearing",
			ResourceIDs: ids(hs), DossierID: dossierID, Permission: string(authz.CaseRead)})
	})
	return hs, err
}

// ByProceeding lists the hearings of one proceeding in date order.
func (s *Service) ByProceeding(ctx context.Context, a actor.Actor, proceedingID uuid.UUID) ([]Hearing, error) {
	var hs []Hearing
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Row(ctx, tx, a, authz.CaseRead, "proceedings", "proceeding", proceedingID)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM hearings h WHERE h.proceeding_id = $1
			ORDER BY h.starts_at, h.id`, proceedingID)
		if err != nil {
			return fmt.Errorf("list hearings: %w", err)
		}
		if hs, err = collect(rows); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "hearing.list", ResourceType: "hearing",
			ResourceIDs: ids(hs), DossierID: acc.DossierID, Permission: string(authz.CaseRead)})
	})
	return hs, err
}

// NextByDossiers reads, for each dossier among dossierIDs that the actor
// may see, its next scheduled hearing starting at or after now, in one
// query (dataloader). Dossiers without one are absent.
func (s *Service) NextByDossiers(ctx context.Context, a actor.Actor, dossierIDs []uuid.UUID, now time.Time) (map[uuid.UUID]Hearing, error) {
	out := make(map[uuid.UUID]Hearing, len(dossierIDs))
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.CaseRead, "hearing")
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT DISTINCT ON (h.dossier_id) `+columns+`
			FROM hearings h JOIN dossiers d ON d.id = h.dossier_id
			WHERE h.dossier_id = ANY(@ids) AND h.status = 'scheduled' AND h.starts_at >= @now AND `+authz.ScopeClause+`
			ORDER BY h.dossier_id, h.starts_at, h.id`,
			scope.Args(pgx.NamedArgs{"ids": dossierIDs, "now": now}))
		if err != nil {
			return fmt.Errorf("next hearings: %w", err)
		}
		hs, err := collect(rows)
		if err != nil {
			return err
		}
		for _, h := range hs {
			out[h.DossierID] = h
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "hearing.read", ResourceType: "hearing",
			ResourceIDs: ids(hs), Permission: string(authz.CaseRead)})
	})
	return out, err
}

// List is the calendar: one page of the hearings starting in [From, To)
// across every dossier the actor may see, ordered by start time.
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
		if ck, err = page.KeyTime(cur); err != nil {
			return Page{}, err
		}
	}
	switch {
	case p.From.IsZero():
		return Page{}, apperr.InvalidField("from", "is required")
	case !p.To.After(p.From):
		return Page{}, apperr.InvalidField("to", "must be after from")
	case p.To.Sub(p.From) > MaxWindow:
		return Page{}, apperr.InvalidField("to", "the window must not exceed %d days", int(MaxWindow.Hours()/24))
	}
	args := pgx.NamedArgs{"from": p.From, "to": p.To, "lim": size + 1}
	where := []string{authz.ScopeClause, "h.starts_at >= @from", "h.starts_at < @to"}
	if !p.IncludeCancelled {
		where = append(where, "h.status <> 'cancelled'")
	}
	if cur != nil {
		where = append(where, "(h.starts_at, h.id) > (@ck::timestamptz, @cid::uuid)")
		args["ck"], args["cid"] = ck, cur.ID
	}
	var out Page
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		scope, err := s.az.DossierScope(a, authz.CaseRead, "hearing")
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM hearings h JOIN dossiers d ON d.id = h.dossier_id
			WHERE `+strings.Join(where, " AND ")+` ORDER BY h.starts_at, h.id LIMIT @lim`, scope.Args(args))
		if err != nil {
			return fmt.Errorf("list hearings: %w", err)
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
			c := page.Cursor{Key: last.StartsAt.UTC().Format(time.RFC3339Nano), ID: last.ID}.Encode()
			out.Info.EndCursor = &c
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "hearing.list", ResourceType: "hearing",
			ResourceIDs: ids(out.Nodes), Permission: string(authz.CaseRead)})
	})
	return out, err
}

// InWindow lists, inside the caller's transaction tx, the scheduled and
// held hearings starting in [from, to) across every dossier the actor may
// read (authz.DossierScope), by start time, at most limit of them; more
// reports whether some were left out. It writes no audit event: it is for
// a caller that records one event for the whole of its answer (the
// calendar feed, internal/calfeed). Errors: FORBIDDEN.
func (s *Service) InWindow(ctx context.Context, tx pgx.Tx, a actor.Actor, from, to time.Time, limit int) (hs []Hearing, more bool, err error) {
	if to.Sub(from) > MaxWindow || !to.After(from) {
		return nil, false, apperr.InvalidField("to", "the window must not exceed %d days", int(MaxWindow.Hours()/24))
	}
	scope, err := s.az.DossierScope(a, authz.CaseRead, "hearing")
	if err != nil {
		return nil, false, err
	}
	rows, err := tx.Query(ctx, `SELECT `+columns+` FROM hearings h JOIN dossiers d ON d.id = h.dossier_id
		WHERE `+authz.ScopeClause+` AND h.starts_at >= @from AND h.starts_at < @to AND h.status <> 'cancelled'
		ORDER BY h.starts_at, h.id LIMIT @lim`, scope.Args(pgx.NamedArgs{"from": from, "to": to, "lim": limit + 1}))
	if err != nil {
		return nil, false, fmt.Errorf("list hearings: %w", err)
	}
	if hs, err = collect(rows); err != nil {
		return nil, false, err
	}
	if len(hs) > limit {
		return hs[:limit], true, nil
	}
	return hs, false, nil
}
