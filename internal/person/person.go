// Package person owns victims and defendants: always pseudonymised, with
// an identity sealed under a key of its own that only an explicit, audited
// action reveals, and that is erased by destroying that key.
package person

import (
	"time"

	"github.com/google/uuid"
)

// Victim is a minor, shown by pseudonym.
type Victim struct {
	ID                uuid.UUID
	DossierID         uuid.UUID
	Pseudonym         string
	AgeAtFacts        *int
	Country           string
	HasIdentity       bool
	IdentityUpdatedAt *time.Time
	CreatedAt         time.Time
}

// DefendantRole is a defendant's role in the facts.
type DefendantRole string

// Defendant roles.
const (
	RoleRecruiter   DefendantRole = "recruiter"
	RoleClient      DefendantRole = "client"
	RoleFacilitator DefendantRole = "facilitator"
	RoleDistributor DefendantRole = "distributor"
	RoleAbuser      DefendantRole = "abuser"
	RoleOther       DefendantRole = "other"
)

func (r DefendantRole) valid() bool {
	switch r {
	case RoleRecruiter, RoleClient, RoleFacilitator, RoleDistributor, RoleAbuser, RoleOther:
		return true
	}
	return false
}

// Defendant is a person prosecuted, shown by pseudonym.
type Defendant struct {
	ID                uuid.UUID
	DossierID         uuid.UUID
	Pseudonym         string
	Role              DefendantRole
	Country           string
	HasIdentity       bool
	IdentityUpdatedAt *time.Time
	CreatedAt         time.Time
}

// Identity is the sealed part of a person. It is encrypted as JSON.
type Identity struct {
	LegalName           string     `json:"legal_name"`
	BirthDate           *time.Time `json:"birth_date,omitempty"`
	Address             string     `json:"address,omitempty"`
	Phone               string     `json:"phone,omitempty"`
	Email               string     `json:"email,omitempty"`
	LegalRepresentative string     `json:"legal_representative,omitempty"`
	AdHocAdministrator  string     `json:"ad_hoc_administrator,omitempty"`
}

// ConsentGiver is who gave a consent.
type ConsentGiver string

// Consent givers.
const (
	GiverVictim              ConsentGiver = "victim"
	GiverLegalRepresentative ConsentGiver = "legal_representative"
	GiverAdHocAdministrator  ConsentGiver = "ad_hoc_administrator"
)

// Consent is the agreement to the NGO's action required by CPP 2-22.
type Consent struct {
	ID          uuid.UUID
	VictimID    uuid.UUID
	GivenBy     ConsentGiver
	GivenOn     time.Time
	Scope       string
	Reference   string
	WithdrawnOn *time.Time
}
