package graph

import (
	"github.com/egide/egide/graph/model"
	"github.com/egide/egide/internal/user"
)

// Conversions of user administration results to their GraphQL types
// (generated, not bound: the resolvers map them here).

func userModel(u user.User) model.User {
	as := make([]model.Assignment, len(u.Assignments))
	for i, a := range u.Assignments {
		as[i] = model.Assignment{DossierID: a.DossierID, Reference: a.Reference, AssignedAt: a.AssignedAt}
	}
	return model.User{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Roles: u.Roles, Disabled: u.Disabled,
		TotpEnrolled: u.TOTPEnrolled, MustChangePassword: u.MustChangePassword, LastSignInAt: u.LastSignInAt,
		Assignments: as}
}

// userResult converts the result of a service call returning one user.
func userResult(u user.User, err error) (model.User, error) {
	if err != nil {
		return model.User{}, err
	}
	return userModel(u), nil
}

func userFilter(f *model.UserFilter) user.Filter {
	if f == nil {
		return user.Filter{}
	}
	return user.Filter{Text: f.Text, Role: f.Role, Disabled: f.Disabled}
}

func assigneeModels(as []user.Assignee) []model.DossierAssignee {
	out := make([]model.DossierAssignee, len(as))
	for i, a := range as {
		out[i] = model.DossierAssignee{UserID: a.UserID, DisplayName: a.DisplayName, Roles: a.Roles, AssignedAt: a.AssignedAt}
	}
	return out
}
