// Package user is user administration: an organisation's administrators
// create accounts, set roles, disable accounts, reset a password or a
// second factor, and decide who works on which dossier and which
// co-civil-party organisations see it.
package user

import (
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/page"
)

// User is a member of an organisation as its administrators see them.
type User struct {
	ID                 uuid.UUID
	Email              string
	DisplayName        string
	Roles              []actor.Role // in the organisation the user was read for
	Disabled           bool
	TOTPEnrolled       bool
	MustChangePassword bool
	LastSignInAt       *time.Time
	Assignments        []Assignment // to that organisation's dossiers
}

// Assignment is a user's assignment to a dossier.
type Assignment struct {
	DossierID  uuid.UUID
	Reference  string
	AssignedAt time.Time
}

// Assignee is a member assigned to a dossier.
type Assignee struct {
	UserID      uuid.UUID
	DisplayName string
	Roles       []actor.Role // in the dossier's organisation
	AssignedAt  time.Time
}

// CreateInput is a new account.
type CreateInput struct {
	Email             string
	DisplayName       string
	Roles             []actor.Role
	TemporaryPassword string
	// OrganisationID is for the instance operator only: the organisation
	// whose first administrator is created.
	OrganisationID *uuid.UUID
}

// Filter selects users; all conditions must hold.
type Filter struct {
	Text     *string // in the e-mail address or the display name
	Role     *actor.Role
	Disabled *bool
}

// ListParams is one page request.
type ListParams struct {
	First  *int
	After  *string
	Filter Filter
}

// Page is one page of users, by e-mail address.
type Page struct {
	Nodes []User
	Info  page.Info
}
