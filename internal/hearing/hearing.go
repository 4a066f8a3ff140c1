// Package hearing owns court hearings: scheduling, moving, cancelling,
// outcomes, and the calendar across dossiers.
package hearing

import (
	"time"

	"github.com/google/uuid"
)

// Kind is what a hearing is for.
type Kind string

// Kinds.
const (
	KindTrial        Kind = "trial"
	KindAdjournment  Kind = "adjournment"
	KindDeliberation Kind = "deliberation"
	KindPleading     Kind = "pleading"
	KindPartyHearing Kind = "party_hearing"
	KindOther        Kind = "other"
)

func (k Kind) valid() bool {
	switch k {
	case KindTrial, KindAdjournment, KindDeliberation, KindPleading, KindPartyHearing, KindOther:
		return true
	}
	return false
}

// Status of a hearing.
type Status string

// Statuses.
const (
	Scheduled Status = "scheduled"
	Held      Status = "held"
	Cancelled Status = "cancelled"
)

// Hearing is one court hearing.
type Hearing struct {
	ID           uuid.UUID
	DossierID    uuid.UUID
	ProceedingID *uuid.UUID
	Kind         Kind
	StartsAt     time.Time
	EndsAt       *time.Time
	CourtRoom    string
	Attendees    []string
	Status       Status
	OutcomeNote  string
	CancelReason string
	MovedCount   int
	CreatedAt    time.Time
}
