// Package organisation owns the associations that use Égide.
package organisation

import (
	"time"

	"github.com/google/uuid"
)

// Organisation is an association that acts as civil party.
type Organisation struct {
	ID               uuid.UUID
	Name             string
	DeclaredOn       *time.Time
	StatutoryObject  string
	PublicUtility    bool
	JusticeApproved  bool
	StandingArticles []string
	CreatedAt        time.Time
}

// StandingArticles an organisation may rely on.
var StandingArticles = []string{"CPP 2-3", "CPP 2-22"}
