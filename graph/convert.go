package graph

import (
	"github.com/egide/egide/graph/model"
	"github.com/egide/egide/internal/organisation"
	"github.com/egide/egide/internal/person"
)

// Input conversions for the inputs that are not bound to domain types.

func organisationInput(in model.OrganisationInput) organisation.Input {
	return organisation.Input{
		Name:             in.Name,
		DeclaredOn:       in.DeclaredOn,
		StatutoryObject:  in.StatutoryObject,
		PublicUtility:    in.PublicUtility,
		JusticeApproved:  in.JusticeApproved,
		StandingArticles: in.StandingArticles,
	}
}

func identityInput(in model.IdentityInput) person.IdentityInput {
	return person.IdentityInput{LegalName: in.LegalName, BirthDate: in.BirthDate, Address: in.Address, Phone: in.Phone,
		Email: in.Email, LegalRepresentative: in.LegalRepresentative, AdHocAdministrator: in.AdHocAdministrator}
}

// cents widens a GraphQL Int amount of euro cents.
func cents(v *int) *int64 {
	if v == nil {
		return nil
	}
	c := int64(*v)
	return &c
}
