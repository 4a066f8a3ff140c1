// Package auditlog is the read side of the audit log, for the
// data-protection officer (their organisation's events) and the instance
// operator (instance-level events): search, CSV export and per-victim
// access reports. Reading the log is itself audited.
package auditlog

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // exports are in Europe/Paris even on a host without zoneinfo

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/page"
)

// MaxExportRows caps one CSV export.
const MaxExportRows = 1_000_000

// Service reads the audit log. Every method authorizes, runs in a
// transaction and writes its own audit event.
type Service struct {
	az      *authz.Authorizer
	now     func() time.Time
	paris   *time.Location
	maxRows int // export cap
	batch   int // rows per FETCH of an export
}

// NewService returns an audit log reader.
func NewService(az *authz.Authorizer) *Service {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil { // cannot happen: time/tzdata is embedded
		paris = time.UTC
	}
	return &Service{az: az, now: time.Now, paris: paris, maxRows: MaxExportRows, batch: 1000}
}

// Filter selects events; every condition set must hold.
type Filter struct {
	ActorID    *uuid.UUID
	ResourceID *uuid.UUID // events whose resource ids contain it
	DossierID  *uuid.UUID
	// Action is exact, or a prefix when it ends with * ("victim.*").
	Action  *string
	Outcome *audit.Outcome
	From    *time.Time // inclusive
	To      *time.Time // exclusive
	// Category: only its events (e.g. CategoryPrivilege).
	Category *Category
}

// Event is one audit event as the DPO reads it.
type Event struct {
	ID             int64
	OccurredAt     time.Time
	ActorID        *uuid.UUID
	ActorName      *string // the user's display name, when the actor is a user
	ActorRoles     []string
	OrganisationID *uuid.UUID
	Action         string
	ResourceType   string
	ResourceIDs    []uuid.UUID
	DossierID      *uuid.UUID
	Reason         string
	Outcome        audit.Outcome
	Permission     string
	SourceIP       *string
	UserAgent      string
	RequestID      string
	Sealed         bool // in the hash chain yet
}

// Page is one page of a search.
type Page struct {
	Nodes []Event
	Info  page.Info
}

// EventUUID is the public identifier of event id: the API's ids are UUIDs,
// so the position is carried big-endian in the last 8 bytes (the textual
// forms sort like the positions).
func EventUUID(id int64) uuid.UUID {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], uint64(id))
	return u
}

// EventID reverses EventUUID; false for a UUID it did not make.
func EventID(u uuid.UUID) (int64, bool) {
	for _, b := range u[:8] {
		if b != 0 {
			return 0, false
		}
	}
	id := int64(binary.BigEndian.Uint64(u[8:]))
	return id, id > 0
}

// scope is which events an actor may read: one organisation's (DPO), or
// the instance-level ones (organisation_id IS NULL: superadmin).
//
// An organisation's events are those of its actors (organisation_id), those
// about its dossiers whoever acted (dossier_organisation_id: a co-civil
// party reading a dossier shared with it, a refusal of an operator), and
// the failed sign-ins that name one of its members' accounts (no
// organisation, the account as actor). selectEvents reads them as three
// branches on three indexes, merged in time order.
type scope struct {
	org uuid.UUID // uuid.Nil: instance-level events
}

// scopeOf authorizes a reader of the log. A DPO reads their organisation's
// events even when also superadmin: one scope, one index range.
func (s *Service) scopeOf(a actor.Actor) (scope, error) {
	if err := s.az.Require(a, authz.AuditRead, "audit"); err != nil {
		return scope{}, err
	}
	switch {
	case a.Has(actor.DPO) && a.OrgID != uuid.Nil:
		return scope{org: a.OrgID}, nil
	case a.Superadmin:
		return scope{}, nil
	}
	return scope{}, &authz.Denial{Permission: authz.AuditRead, ResourceType: "audit", Visible: true}
}

func (f Filter) validate() error {
	var v apperr.Validation
	if f.Action != nil && len(*f.Action) > 200 {
		v.Add("filter.action", "at most 200 characters")
	}
	if f.Outcome != nil && *f.Outcome != audit.Allowed && *f.Outcome != audit.Denied {
		v.Add("filter.outcome", "must be allowed or denied")
	}
	if f.Category != nil && *f.Category != CategoryPrivilege {
		v.Add("filter.category", "unknown category")
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		v.Add("filter.to", "must be after from")
	}
	return v.Err()
}

// position is a decoded cursor: the last event of the previous page.
type position struct {
	at time.Time
	id int64
}

func encodeCursor(e Event) string {
	return page.Cursor{Key: e.OccurredAt.UTC().Format(time.RFC3339Nano), ID: EventUUID(e.ID)}.Encode()
}

func decodeCursor(after *string) (*position, error) {
	c, err := page.Decode(after)
	if err != nil || c == nil {
		return nil, err
	}
	at, err := time.Parse(time.RFC3339Nano, c.Key)
	id, ok := EventID(c.ID)
	if err != nil || !ok {
		return nil, apperr.InvalidField("after", "is not a cursor returned by this list")
	}
	return &position{at: at, id: id}, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// conditions is the WHERE of a search over "audit_events e". Only the
// conditions set are written, so that each query is planned for what it
// filters on: the actor index for actorId, the GIN index on resource_ids
// for resourceId, the (organisation_id, occurred_at, id) index otherwise.
// An organisation's scope is not in it: selectEvents adds it per branch.
func conditions(sc scope, f Filter, after *position) (string, pgx.NamedArgs) {
	args := pgx.NamedArgs{}
	var where []string
	if sc.org != uuid.Nil {
		args["org"] = sc.org
	} else {
		where = append(where, "e.organisation_id IS NULL")
	}
	if f.ActorID != nil {
		where = append(where, "e.actor_user_id = @actor")
		args["actor"] = *f.ActorID
	}
	if f.ResourceID != nil {
		where = append(where, "e.resource_ids @> @resources")
		args["resources"] = []uuid.UUID{*f.ResourceID}
	}
	if f.DossierID != nil {
		where = append(where, "e.dossier_id = @dossier")
		args["dossier"] = *f.DossierID
	}
	if f.Action != nil && *f.Action != "" {
		if prefix, ok := strings.CutSuffix(*f.Action, "*"); ok {
			where = append(where, `e.action LIKE @action ESCAPE '\'`)
			args["action"] = escapeLike(prefix) + "%"
		} else {
			where = append(where, "e.action = @action")
			args["action"] = *f.Action
		}
	}
	if f.Outcome != nil {
		where = append(where, "e.outcome = @outcome")
		args["outcome"] = string(*f.Outcome)
	}
	if f.Category != nil && *f.Category == CategoryPrivilege {
		where = append(where, "(e.action = ANY(@cat_actions) OR (e.action = 'access.denied' AND e.permission = ANY(@cat_perms)))")
		args["cat_actions"], args["cat_perms"] = PrivilegeActions(), privilegePermissions()
	}
	if f.From != nil {
		where = append(where, "e.occurred_at >= @from")
		args["from"] = *f.From
	}
	if f.To != nil {
		where = append(where, "e.occurred_at < @to")
		args["to"] = *f.To
	}
	if after != nil {
		where = append(where, "(e.occurred_at, e.id) < (@after_at, @after_id)")
		args["after_at"], args["after_id"] = after.at, after.id
	}
	if len(where) == 0 {
		return "true", args
	}
	return strings.Join(where, " AND "), args
}

// The columns a search reads from audit_events e, before the limit.
const eventColumns = `e.id, e.occurred_at, e.actor_user_id, e.roles, e.organisation_id, e.action, e.resource_type,
	e.resource_ids, e.dossier_id, e.reason, e.outcome, e.permission, e.source_ip, e.user_agent, e.request_id`

// orgBranches are the events of organisation @org, as three queries
// whose rows never overlap, each newest first on an index of its own:
//
//  1. its actors' events (audit_events_org_idx);
//  2. events about its dossiers by anyone else — a co-civil party, an
//     actor of no organisation (audit_events_dossier_org_idx, which holds
//     only such rows);
//  3. failed sign-ins naming one of its members' accounts: for each
//     member, its latest instance-level sign-in refusals
//     (audit_events_account_idx), at most lim each.
//
// where holds the search's own conditions, lim its LIMIT clause.
func orgBranches(where, lim string) string {
	order := ` ORDER BY e.occurred_at DESC, e.id DESC` + lim
	return `(SELECT ` + eventColumns + ` FROM audit_events e
			WHERE e.organisation_id = @org AND ` + where + order + `)
		UNION ALL
		(SELECT ` + eventColumns + ` FROM audit_events e
			WHERE e.dossier_organisation_id = @org AND e.dossier_organisation_id IS DISTINCT FROM e.organisation_id
			AND ` + where + order + `)
		UNION ALL
		(SELECT e.* FROM (SELECT DISTINCT m.user_id FROM memberships m WHERE m.organisation_id = @org) m
			CROSS JOIN LATERAL (SELECT ` + eventColumns + ` FROM audit_events e
				WHERE e.actor_user_id = m.user_id AND e.actor_user_id IS NOT NULL AND e.organisation_id IS NULL
				AND e.dossier_organisation_id IS NULL AND e.action LIKE 'auth.%' AND e.outcome = 'denied'
				AND ` + where + order + `) e)`
}

// selectEvents returns the query of a search, newest first, limit rows
// (none when 0). The actor's name and the seal are read only for the rows
// returned, after the limit.
func selectEvents(sc scope, f Filter, after *position, limit int) (string, pgx.NamedArgs) {
	where, args := conditions(sc, f, after)
	lim := ""
	if limit > 0 {
		lim = " LIMIT @limit"
		args["limit"] = limit
	}
	events := `SELECT ` + eventColumns + ` FROM audit_events e WHERE ` + where + `
			ORDER BY e.occurred_at DESC, e.id DESC` + lim
	if sc.org != uuid.Nil {
		events = orgBranches(where, lim) + `
			ORDER BY occurred_at DESC, id DESC` + lim
	}
	return `SELECT e.id, e.occurred_at, e.actor_user_id, u.display_name, e.roles, e.organisation_id, e.action,
			e.resource_type, e.resource_ids, e.dossier_id, e.reason, e.outcome, e.permission, host(e.source_ip),
			e.user_agent, e.request_id, EXISTS (SELECT 1 FROM audit_seals s WHERE s.event_id = e.id)
		FROM (` + events + `) e
		LEFT JOIN users u ON u.id = e.actor_user_id
		ORDER BY e.occurred_at DESC, e.id DESC`, args
}

func scanEvent(row pgx.Row) (Event, error) {
	var e Event
	var outcome string
	err := row.Scan(&e.ID, &e.OccurredAt, &e.ActorID, &e.ActorName, &e.ActorRoles, &e.OrganisationID, &e.Action,
		&e.ResourceType, &e.ResourceIDs, &e.DossierID, &e.Reason, &outcome, &e.Permission, &e.SourceIP,
		&e.UserAgent, &e.RequestID, &e.Sealed)
	e.Outcome = audit.Outcome(outcome)
	return e, err
}

// readEvent is the audit event of a read of the log. It names the user
// and the resource searched for (resourceIds) and the dossier, so that
// "who searched the log about victim V" is itself a search.
func readEvent(action string, f Filter) audit.Event {
	ev := audit.Event{Action: action, ResourceType: "audit", Permission: string(authz.AuditRead)}
	if f.ResourceID != nil {
		ev.ResourceIDs = append(ev.ResourceIDs, *f.ResourceID)
	}
	if f.ActorID != nil {
		ev.ResourceIDs = append(ev.ResourceIDs, *f.ActorID)
	}
	if f.DossierID != nil {
		ev.DossierID = *f.DossierID
	}
	return ev
}

// Search returns one page of the events the actor may read, newest first.
func (s *Service) Search(ctx context.Context, a actor.Actor, f Filter, first *int, after *string) (Page, error) {
	size, err := page.Size(first, 50)
	if err != nil {
		return Page{}, err
	}
	cur, err := decodeCursor(after)
	if err != nil {
		return Page{}, err
	}
	if err := f.validate(); err != nil {
		return Page{}, err
	}
	var out Page
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		sc, err := s.scopeOf(a)
		if err != nil {
			return err
		}
		q, args := selectEvents(sc, f, cur, size+1)
		rows, err := tx.Query(ctx, q, args)
		if err != nil {
			return fmt.Errorf("search audit events: %w", err)
		}
		out.Nodes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) { return scanEvent(r) })
		if err != nil {
			return fmt.Errorf("search audit events: %w", err)
		}
		if len(out.Nodes) > size {
			out.Nodes = out.Nodes[:size]
			out.Info.HasNextPage = true
		}
		if n := len(out.Nodes); n > 0 {
			c := encodeCursor(out.Nodes[n-1])
			out.Info.EndCursor = &c
		}
		return audit.Record(ctx, tx, a, readEvent("audit.search", f))
	})
	return out, err
}
