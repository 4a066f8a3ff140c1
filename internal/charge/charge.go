// Package charge owns qualifications: Code pénal articles charged in a
// dossier, and their requalification history, which is never overwritten.
package charge

import (
	"time"

	"github.com/google/uuid"
)

// Article is a Code pénal article known to Égide.
type Article struct {
	Article string
	Heading string
}

// Participation is how a defendant took part.
type Participation string

// Modes of participation.
const (
	Author     Participation = "author"
	CoAuthor   Participation = "co_author"
	Accomplice Participation = "accomplice"
)

// Authority is who retained a qualification.
type Authority string

// Authorities.
const (
	Prosecutor         Authority = "prosecutor"
	InvestigatingJudge Authority = "investigating_judge"
	TrialCourt         Authority = "trial_court"
	AppealCourt        Authority = "appeal_court"
	CassationCourt     Authority = "cassation_court"
)

// Charge is one qualification.
type Charge struct {
	ID                       uuid.UUID
	DossierID                uuid.UUID
	DefendantID              *uuid.UUID
	Article                  string
	ArticleHeading           string
	ArticleVersionDate       *time.Time
	Wording                  string
	AggravatingCircumstances []string
	Participation            Participation
	RetainedBy               Authority
	RetainedOn               time.Time
	ReplacesChargeID         *uuid.UUID
	ReplacedByChargeID       *uuid.UUID
	RequalificationReason    string
	CreatedAt                time.Time
}

// Current reports whether no requalification replaced the charge.
func (c Charge) Current() bool { return c.ReplacedByChargeID == nil }

func (p Participation) valid() bool {
	switch p {
	case Author, CoAuthor, Accomplice:
		return true
	}
	return false
}

func (a Authority) valid() bool {
	switch a {
	case Prosecutor, InvestigatingJudge, TrialCourt, AppealCourt, CassationCourt:
		return true
	}
	return false
}
