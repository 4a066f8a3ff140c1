// Package actor describes who is making a request and from where. Every
// service call takes one; authorization decides on it and the audit log
// records it.
package actor

import "github.com/google/uuid"

// Role is a role a user holds in one organisation.
type Role string

// The roles of DESIGN.md. Superadmin is not a per-organisation role: it is a
// flag on the user (the instance operator).
const (
	Admin         Role = "admin"
	LegalStaff    Role = "legal_staff"
	PartnerLawyer Role = "partner_lawyer"
	Advocacy      Role = "advocacy"
	DPO           Role = "dpo"
	Superadmin    Role = "superadmin"
)

// OrgRoles are the roles that can be granted inside an organisation.
var OrgRoles = []Role{Admin, LegalStaff, PartnerLawyer, Advocacy, DPO}

// Valid reports whether r is a known per-organisation role.
func (r Role) Valid() bool {
	switch r {
	case Admin, LegalStaff, PartnerLawyer, Advocacy, DPO:
		return true
	}
	return false
}

// Actor is the authenticated caller of one request.
type Actor struct {
	UserID     uuid.UUID
	OrgID      uuid.UUID // the organisation the session acts for; zero for a superadmin-only session
	Roles      []Role    // roles held in OrgID, read from the database on every request
	Superadmin bool
	// SignInStep is empty for a full session; otherwise the one step of
	// signing in the session is limited to ("totp_enrollment",
	// "password_change"), and the actor is not Authenticated.
	SignInStep string
	// Where the request came from, for the audit log.
	SessionHash []byte
	RequestID   string
	IP          string
	UserAgent   string
}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool {
	if r == Superadmin {
		return a.Superadmin
	}
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Authenticated reports whether the actor is a fully signed-in user.
func (a Actor) Authenticated() bool { return a.UserID != uuid.Nil && a.SignInStep == "" }

// HasSession reports whether the request carries a session, full or not.
func (a Actor) HasSession() bool { return a.UserID != uuid.Nil }

// System is the actor for work the program does itself (seeding, the CLI);
// it is recorded as such in the audit log.
func System(requestID string) Actor {
	return Actor{RequestID: requestID}
}
