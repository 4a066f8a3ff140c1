package graph

import (
	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/valid"
)

// MaxRoles bounds a list of roles given to one user (there are fewer
// roles than that: duplicates aside, a longer list is never meant).
const MaxRoles = 10

// boundRoles refuses a roles input longer than MaxRoles before the user
// service walks it.
func boundRoles(field string, roles []actor.Role) error {
	var v apperr.Validation
	valid.List(&v, field, roles, MaxRoles)
	return v.Err()
}
