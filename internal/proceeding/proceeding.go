// Package proceeding owns the stages of criminal proceedings in a dossier,
// the transitions between them, and the NGO's civil-party standing in each.
package proceeding

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Stage of criminal proceedings.
type Stage string

// Stages.
const (
	PreliminaryInquiry    Stage = "preliminary_inquiry"
	JudicialInvestigation Stage = "judicial_investigation"
	Trial                 Stage = "trial"
	Appeal                Stage = "appeal"
	Cassation             Stage = "cassation"
)

// CourtKind is the authority or court in charge.
type CourtKind string

// Court kinds.
const (
	Parquet                      CourtKind = "parquet"
	JugeInstruction              CourtKind = "juge_instruction"
	TribunalCorrectionnel        CourtKind = "tribunal_correctionnel"
	CourCriminelleDepartementale CourtKind = "cour_criminelle_departementale"
	CourAssises                  CourtKind = "cour_assises"
	TribunalPourEnfants          CourtKind = "tribunal_pour_enfants"
	CourAppel                    CourtKind = "cour_appel"
	CourAssisesAppel             CourtKind = "cour_assises_appel"
	CourCassation                CourtKind = "cour_cassation"
)

// Status of a proceeding.
type Status string

// Statuses.
const (
	Ongoing Status = "ongoing"
	Closed  Status = "closed"
)

// Proceeding is one stage or instance.
type Proceeding struct {
	ID           uuid.UUID
	DossierID    uuid.UUID
	Stage        Stage
	CourtKind    CourtKind
	CourtName    string
	Chamber      string
	DocketNumber string
	StartedOn    time.Time
	EndedOn      *time.Time
	Status       Status
	Outcome      string
	PreviousID   *uuid.UUID
	NextID       *uuid.UUID
	CreatedAt    time.Time
}

// StandingMode is how the NGO became civil party.
type StandingMode string

// Standing modes.
const (
	ModeComplaint          StandingMode = "complaint"
	ModeIntervention       StandingMode = "intervention"
	ModeHearingDeclaration StandingMode = "hearing_declaration"
	ModeLetter             StandingMode = "letter"
)

// Admissibility is the court's decision on a constitution.
type Admissibility string

// Admissibility decisions.
const (
	Pending  Admissibility = "pending"
	Admitted Admissibility = "admitted"
	Rejected Admissibility = "rejected"
)

// Standing is the NGO's constitution as civil party in one proceeding.
type Standing struct {
	ID                     uuid.UUID
	ProceedingID           uuid.UUID
	DossierID              uuid.UUID
	OrganisationID         uuid.UUID
	ConstitutedOn          time.Time
	Mode                   StandingMode
	LegalBasis             string
	ConsentID              *uuid.UUID
	Admissibility          Admissibility
	AdmissibilityDecidedOn *time.Time
	DamagesClaimedCents    *int64
	DamagesAwardedCents    *int64
	WithdrawnOn            *time.Time // the constitution was withdrawn (désistement)
}

func (s Stage) valid() bool {
	switch s {
	case PreliminaryInquiry, JudicialInvestigation, Trial, Appeal, Cassation:
		return true
	}
	return false
}

// label is the stage as clients name it (the GraphQL enum value).
func (s Stage) label() string { return strings.ToUpper(string(s)) }

// CanFollow reports whether next may follow s (advanceProceeding): inquiry
// → investigation or trial; investigation → trial; trial → appeal or
// cassation; appeal → cassation; cassation → trial or appeal (referral
// after quashing).
func (s Stage) CanFollow(next Stage) bool {
	switch s {
	case PreliminaryInquiry:
		return next == JudicialInvestigation || next == Trial
	case JudicialInvestigation:
		return next == Trial
	case Trial:
		return next == Appeal || next == Cassation
	case Appeal:
		return next == Cassation
	case Cassation:
		return next == Trial || next == Appeal
	}
	return false
}

// Fits reports whether a court of kind k can hold stage s.
func (k CourtKind) Fits(s Stage) bool {
	switch s {
	case PreliminaryInquiry:
		return k == Parquet
	case JudicialInvestigation:
		return k == JugeInstruction
	case Trial:
		return k == TribunalCorrectionnel || k == CourCriminelleDepartementale || k == CourAssises ||
			k == TribunalPourEnfants
	case Appeal:
		return k == CourAppel || k == CourAssisesAppel
	case Cassation:
		return k == CourCassation
	}
	return false
}

func (m StandingMode) valid() bool {
	switch m {
	case ModeComplaint, ModeIntervention, ModeHearingDeclaration, ModeLetter:
		return true
	}
	return false
}

// Legal bases of a civil-party constitution.
const (
	BasisCPP23  = "CPP 2-3"
	BasisCPP222 = "CPP 2-22"
)
