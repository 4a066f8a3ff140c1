package auditlog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
)

// system names the actor of an event no user caused.
const system = "système"

// Report is every access to one victim's data, for a data-subject access
// request (RGPD art. 15), in words a non-technical reader understands.
type Report struct {
	VictimID         uuid.UUID
	Pseudonym        string
	DossierReference string
	GeneratedAt      time.Time
	Entries          []ReportEntry // oldest first
}

// ReportEntry is one access.
type ReportEntry struct {
	OccurredAt time.Time
	Who        string // display name, or « système »
	Roles      []string
	What       string // in French
	Action     string // the action code
	Outcome    audit.Outcome
	Reason     string
	// Count is how many consecutive, identical list views this entry
	// stands for (1 for any other access), the last of them at LastAt.
	Count  int
	LastAt time.Time
}

// Describe says in plain French what an action did to a victim's data;
// an action it does not know is given as its code.
func Describe(action string) string {
	switch action {
	case "victim.create":
		return "a créé la fiche"
	case "victim.read":
		return "a consulté la fiche (pseudonymisée)"
	case "victim.list":
		return "a vu la victime dans une liste"
	case "victim.update":
		return "a modifié la fiche"
	case "victim.identity.reveal":
		return "a consulté l'identité"
	case "victim.identity.write":
		return "a modifié l'identité"
	case "consent.create":
		return "a enregistré un consentement"
	case "consent.withdraw":
		return "a enregistré le retrait d'un consentement"
	case "consent.read":
		return "a consulté un consentement"
	case "consent.list":
		return "a consulté les consentements"
	case "access.denied":
		return "tentative refusée"
	case "audit.search":
		return "a recherché dans le journal d'audit"
	case "audit.export":
		return "a exporté le journal d'audit"
	case "audit.victim_report":
		return "a établi un rapport des accès"
	case "keys.rotate":
		return "a renouvelé la clé qui protège l'identité (sans la lire)"
	}
	return action
}

// VictimReport lists every access to one victim's data between from
// (inclusive) and to (exclusive), oldest first. Only a DPO of the
// organisation owning the victim's dossier may make it; for anyone else
// with audit:read the victim does not exist (NOT_FOUND, audited as a
// refusal), and roles without audit:read are FORBIDDEN.
//
// The DPO holds no case:read: the pseudonym and the dossier reference are
// read here, directly, after those checks — nothing else of the case.
//
// What is included: every event whose resource ids contain the victim's
// id or the id of one of the victim's consents, whatever organisation the
// actor acted for (a co-civil party the dossier is shared with included).
// That is: the victim's creation, reads of the pseudonymised record,
// lists that returned the victim (victims of a dossier), changes, identity
// reveals (with their reason) and identity changes, consents recorded,
// read, listed or withdrawn, refused attempts on any of these, and the
// audit log's own reads about the victim (searches by resource, reports).
// What is not: dossier-level events that did not return the victim's data
// (reading the dossier's title, its hearings, charges...), which name the
// dossier and not the victim.
func (s *Service) VictimReport(ctx context.Context, a actor.Actor, victimID uuid.UUID, from, to *time.Time) (Report, error) {
	if from != nil && to != nil && !to.After(*from) {
		return Report{}, apperr.InvalidField("to", "must be after from")
	}
	out := Report{VictimID: victimID}
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if !s.az.Can(a, authz.AuditRead) {
			return &authz.Denial{Permission: authz.AuditRead, ResourceType: "victim", ResourceID: victimID, Visible: true}
		}
		var dossierID, orgID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT v.pseudonym, d.reference, d.id, d.organisation_id
			FROM victims v JOIN dossiers d ON d.id = v.dossier_id WHERE v.id = $1`, victimID).
			Scan(&out.Pseudonym, &out.DossierReference, &dossierID, &orgID)
		if errors.Is(err, pgx.ErrNoRows) { // refused and audited like a victim of another organisation
			return &authz.Denial{Permission: authz.AuditRead, ResourceType: "victim", ResourceID: victimID}
		}
		if err != nil {
			return fmt.Errorf("read victim: %w", err)
		}
		if !a.Has(actor.DPO) || a.OrgID != orgID {
			return &authz.Denial{Permission: authz.AuditRead, ResourceType: "victim", ResourceID: victimID, DossierID: dossierID}
		}
		if out.Entries, err = reportEntries(ctx, tx, victimID, from, to); err != nil {
			return err
		}
		out.Entries = groupListViews(out.Entries, s.paris)
		out.GeneratedAt = s.now()
		return audit.Record(ctx, tx, a, audit.Event{Action: "audit.victim_report", ResourceType: "victim",
			ResourceIDs: []uuid.UUID{victimID}, DossierID: dossierID, Permission: string(authz.AuditRead)})
	})
	if err != nil {
		return Report{}, err
	}
	return out, nil
}

// reportQuery finds the events of a report through the GIN index on
// resource_ids (&&: any of the ids), within the dates given.
func reportQuery(ids []uuid.UUID, from, to *time.Time) (string, pgx.NamedArgs) {
	args := pgx.NamedArgs{"ids": ids}
	where := "e.resource_ids && @ids"
	if from != nil {
		where += " AND e.occurred_at >= @from"
		args["from"] = *from
	}
	if to != nil {
		where += " AND e.occurred_at < @to"
		args["to"] = *to
	}
	return `SELECT e.occurred_at, e.actor_user_id, u.display_name, e.roles, e.action, e.outcome, e.reason
		FROM audit_events e LEFT JOIN users u ON u.id = e.actor_user_id
		WHERE ` + where + `
		ORDER BY e.occurred_at, e.id`, args
}

func reportEntries(ctx context.Context, tx pgx.Tx, victimID uuid.UUID, from, to *time.Time) ([]ReportEntry, error) {
	ids := []uuid.UUID{victimID}
	rows, err := tx.Query(ctx, `SELECT id FROM consents WHERE victim_id = $1`, victimID)
	if err != nil {
		return nil, fmt.Errorf("read consents: %w", err)
	}
	consents, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("read consents: %w", err)
	}
	ids = append(ids, consents...)
	q, args := reportQuery(ids, from, to)
	rows, err = tx.Query(ctx, q, args)
	if err != nil {
		return nil, fmt.Errorf("read accesses: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReportEntry, error) {
		var e ReportEntry
		var actorID *uuid.UUID
		var name *string
		var outcome string
		err := r.Scan(&e.OccurredAt, &actorID, &name, &e.Roles, &e.Action, &outcome, &e.Reason)
		e.Outcome = audit.Outcome(outcome)
		e.What = Describe(e.Action)
		switch {
		case actorID == nil:
			e.Who = system
		case name == nil:
			e.Who = actorID.String()
		default:
			e.Who = *name
		}
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read accesses: %w", err)
	}
	return entries, nil
}

// groupListViews folds each run of consecutive list views alike (same
// action, actor, roles and outcome) into its first entry, which then says
// how many there were and when the last was: a page reloaded many times
// does not bury the other accesses of a report. Reads, changes, reveals
// and refusals stay one entry each.
func groupListViews(entries []ReportEntry, loc *time.Location) []ReportEntry {
	out := entries[:0:0]
	for _, e := range entries {
		e.Count, e.LastAt = 1, e.OccurredAt
		if n := len(out); n > 0 && strings.HasSuffix(e.Action, ".list") && sameView(out[n-1], e) {
			last := &out[n-1]
			last.Count++
			last.LastAt = e.OccurredAt
			last.What = fmt.Sprintf("%s (%d fois, la dernière le %s)", Describe(last.Action), last.Count,
				last.LastAt.In(loc).Format("02/01/2006 à 15:04:05"))
			continue
		}
		out = append(out, e)
	}
	return out
}

func sameView(a, b ReportEntry) bool {
	return a.Action == b.Action && a.Who == b.Who && a.Outcome == b.Outcome && slices.Equal(a.Roles, b.Roles)
}
