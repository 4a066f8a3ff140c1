package user

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/authz"
)

// Separation of duties (docs/security.md, "Roles and permissions"):
//
//   - nobody changes their own roles or assigns themselves to a dossier:
//     another administrator must do it (removing oneself from a dossier is
//     allowed: it only takes access away);
//   - in one organisation, nobody is both administrator (who decides who
//     works on which dossier) and legal staff or partner lawyer (who read
//     identities and evidence on the dossiers they are assigned to);
//   - nobody shares a dossier with an organisation they belong to: as its
//     member they would read the dossier there;
//   - the instance operator only creates the first administrator of an
//     organisation that has none (see createTarget).
//
// Each refusal is FORBIDDEN with a message saying which rule applies, and
// is written to the audit log as access.denied, like any refusal.

// refusal is a Denial with its own answer: authz.Authorizer.InTx records
// the denial (it finds it through Unwrap), and Service.inTx gives the
// client answer instead of a bare "not allowed".
type refusal struct {
	denial *authz.Denial
	answer *apperr.Error
}

func (r *refusal) Error() string { return r.denial.Error() }
func (r *refusal) Unwrap() error { return r.denial }

// refuse returns a refusal of p on user id (uuid.Nil: none yet), answered
// with message, on field when not empty.
func refuse(p authz.Permission, resourceType string, id, dossierID uuid.UUID, field, message string) *refusal {
	answer := &apperr.Error{Code: apperr.Forbidden, Message: message}
	if field != "" {
		answer.Fields = []apperr.FieldError{{Field: field, Message: message}}
	}
	return &refusal{
		denial: &authz.Denial{Permission: p, ResourceType: resourceType, ResourceID: id, DossierID: dossierID, Visible: true},
		answer: answer,
	}
}

// The messages of the separation-of-duties refusals (clients may match them).
const (
	msgOwnRoles      = "you cannot change your own roles: ask another administrator"
	msgOwnAssignment = "you cannot assign yourself to a dossier: ask another administrator"
	msgAdminAndStaff = "an administrator cannot also be legal staff or partner lawyer in the same organisation: create a separate account"
	msgOwnShare      = "you cannot share a dossier with an organisation you belong to: ask another administrator"
)

// inTx is authz.Authorizer.InTx, answering a refusal with its own message.
func (s *Service) inTx(ctx context.Context, a actor.Actor, fn func(pgx.Tx) error) error {
	var answer *apperr.Error
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		answer = nil
		err := fn(tx)
		var r *refusal
		if errors.As(err, &r) {
			answer = r.answer
		}
		return err
	})
	if answer != nil && apperr.CodeOf(err) == apperr.Forbidden {
		return answer
	}
	return err
}

// combinesDuties reports whether roles, held in one organisation, would
// let one person both assign dossiers and read identities or evidence.
func combinesDuties(roles []string) bool {
	return contains(roles, roleAdmin) && (contains(roles, assignable[0]) || contains(roles, assignable[1]))
}
