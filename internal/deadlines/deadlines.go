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

// Rule returns the catalogue rule of a computed deadline.
func (d Deadline) Rule() (RuleVersion, bool) {
	if d.RuleID == ManualRule {
		return RuleVersion{}, false
	}
	r, ok := deadline.Lookup(d.RuleID)
	if !ok {
		return RuleVersion{}, false
	}
	rv := RuleVersion{Rule: r}
	if d.TriggerOn != nil {
		rv.Ref, _ = r.Ref(*d.TriggerOn)
	}
	return rv, true
}

// RuleVersion is a catalogue rule with the version of it that applies on
// a given day.
type RuleVersion struct {
	deadline.Rule
	Ref deadline.Ref
}

// Rules returns the catalogue with the versions that apply on day at.
func Rules(at time.Time) []RuleVersion {
	rules := deadline.Rules()
	out := make([]RuleVersion, 0, len(rules))
	for _, r := range rules {
		ref, ok := r.Ref(at)
		if !ok {
			ref = r.Current()
		}
		out = append(out, RuleVersion{Rule: r, Ref: ref})
	}
	return out
}
