package auditlog

import (
	"strings"

	"github.com/egide/egide/internal/authz"
)

// Category is a named set of events the data-protection officer filters
// on, in the search and in the CSV export alike.
type Category string

// CategoryPrivilege: changes of who may do what — accounts created, roles
// granted or removed, dossier assignments and sharing, password and
// second-factor resets, sessions ended, accounts disabled or enabled — and
// every refused attempt at one.
const CategoryPrivilege Category = "privilege"

// PrivilegeActions are the actions of CategoryPrivilege (the one list; the
// search, the export and the tests use it).
func PrivilegeActions() []string {
	return []string{
		"user.create", "user.roles",
		"dossier.assign", "dossier.unassign", "dossier.share", "dossier.unshare",
		"user.password.reset", "user.totp.reset", "user.sessions.end",
		"user.disable", "user.enable",
	}
}

// privilegePermissions: a refusal (access.denied) of one of these is an
// attempted privilege change, in CategoryPrivilege too.
func privilegePermissions() []string {
	return []string{string(authz.UserWrite), string(authz.DossierAssign), string(authz.DossierShare)}
}

// ParseCategory reads a category as the API names it (PRIVILEGE, any case).
func ParseCategory(s string) (Category, bool) {
	if c := Category(strings.ToLower(s)); c == CategoryPrivilege {
		return c, true
	}
	return "", false
}
