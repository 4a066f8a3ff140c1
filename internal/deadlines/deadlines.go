// Package deadlines stores the deadlines (échéances) of dossiers: dates
// computed by the server from a rule of the catalogue of package deadline
// and a triggering event, or entered by hand, and their status.
//
// It is a package of its own, beside internal/deadline, so that the
// catalogue and its computation stay pure (no database, no clock: the
// legal readings are tested without PostgreSQL, and docs/deadlines.md is
// generated from them) while this one holds the SQL, the authorization and
// the audit, like every other domain service.
package deadlines

import (
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/deadline"
)

// ManualRule is the rule id of a deadline entered by hand (a date the
// catalogue does not compute).
const ManualRule = "manual"

// Status of a deadline.
type Status string

// Statuses.
const (
	Open      Status = "open"
	Done      Status = "done"
	Cancelled Status = "cancelled"
)

// Deadline is one stored deadline. For a computed one, what the
// computation applied is kept as it was (code version, article, raw end,
// explanation, warnings), whatever later changes to the catalogue.
type Deadline struct {
	ID           uuid.UUID
	DossierID    uuid.UUID
	ProceedingID *uuid.UUID
	// RuleID is a catalogue rule id, or ManualRule.
	RuleID       string
	CodeVersion  string // "" for a manual deadline
	Article      string // "" when the numbering is unknown or for a manual deadline
	TriggerOn    *time.Time
	DueOn        time.Time
	RawEndOn     *time.Time
	Extended     bool
	Steps        []string
	Warnings     []string
	Title        string
	Note         string
	Status       Status
	DoneBy       *uuid.UUID
	DoneAt       *time.Time
	CancelReason string
	CancelledBy  *uuid.UUID
	CancelledAt  *time.Time
	CreatedBy    uuid.UUID
	CreatedAt    time.Time
}

// Rule returns the catalogue rule of a computed deadline in the version
// of its trigger day; nil for a manual deadline.
func (d Deadline) Rule() *RuleVersion {
	if d.RuleID == ManualRule || d.TriggerOn == nil {
		return nil
	}
	r, ok := deadline.Lookup(d.RuleID)
	if !ok {
		return nil
	}
	rv := version(r, *d.TriggerOn)
	return &rv
}

// RuleVersion is a catalogue rule as shown to users: the version of it
// that applies on a given day, its texts in French.
type RuleVersion struct {
	ID          string
	Title       string
	AppliesTo   string
	Kind        deadline.Kind
	Event       string // the triggering event
	Duration    string // "10 jours", "5 jours francs"
	CodeVersion string
	Article     string // "" when the numbering is not known yet
	Citation    string // "art. 498 al. 1 CPP"
	Concerns    []string
	Limits      []string
	Notes       []string
	Source      string
	Follows     *string
}

func version(r deadline.Rule, at time.Time) RuleVersion {
	ref, ok := r.Ref(at)
	if !ok {
		ref = r.Current()
	}
	rv := RuleVersion{ID: r.ID, Title: r.Title, AppliesTo: r.AppliesTo, Kind: r.Kind,
		Event: deadline.TriggerTitle[r.Trigger], Duration: r.Duration.French(), CodeVersion: string(ref.Code),
		Article: ref.Article, Citation: ref.Cite(), Limits: nonNil(r.Limits), Notes: nonNil(r.Notes),
		Source: r.Source, Concerns: make([]string, 0, len(r.Concerns))}
	if r.Kind == deadline.Manual {
		rv.Duration = ""
		rv.Citation = "date fixée par la juridiction"
	}
	for _, p := range r.Concerns {
		rv.Concerns = append(rv.Concerns, deadline.PartyTitle[p])
	}
	if r.Follows != "" {
		f := r.Follows
		rv.Follows = &f
	}
	return rv
}

// Rules returns the catalogue in the versions that apply on day at.
func Rules(at time.Time) []RuleVersion {
	rules := deadline.Rules()
	out := make([]RuleVersion, 0, len(rules))
	for _, r := range rules {
		out = append(out, version(r, at))
	}
	return out
}
