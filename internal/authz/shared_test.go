package authz

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/actor"
)

// A list scope takes in the dossiers shared with the actor's organisation:
// it exists only for the permissions held there, never widening an
// owner-only one to shared dossiers.
func TestDossierScopeOnlyForPermissionsHeldOnSharedDossiers(t *testing.T) {
	t.Parallel()
	az, err := New(nil) // no query: DossierScope decides from the policy
	if err != nil {
		t.Fatal(err)
	}
	staff := actor.Actor{UserID: uuid.New(), OrgID: uuid.New(), Roles: []actor.Role{actor.LegalStaff}}
	for _, p := range Permissions {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			_, err := az.DossierScope(staff, p, "x")
			var d *Denial
			switch {
			case ownerOnly(p) && (err == nil || errors.As(err, &d)):
				t.Errorf("owner-only %s: want a programming error, got %v", p, err)
			case !ownerOnly(p) && az.Granted(actor.LegalStaff, p) && err != nil:
				t.Errorf("%s: %v", p, err)
			case !ownerOnly(p) && !az.Granted(actor.LegalStaff, p) && !errors.As(err, &d):
				t.Errorf("%s not granted: want a denial, got %v", p, err)
			}
		})
	}
}
