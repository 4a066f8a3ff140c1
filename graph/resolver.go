// Package graph is the GraphQL edge: the schema, thin resolvers that decode
// input, call one service function and return, the error presenter and the
// per-request dataloaders. No business rule lives here.
package graph

import (
	"context"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auditlog"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/calfeed"
	"github.com/egide/egide/internal/charge"
	"github.com/egide/egide/internal/deadlines"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/organisation"
	"github.com/egide/egide/internal/person"
	"github.com/egide/egide/internal/proceeding"
	"github.com/egide/egide/internal/user"
)

// Resolver holds the services the resolvers call.
type Resolver struct {
	// Field names end in Svc so they never collide with resolver methods
	// (queryResolver.Dossiers, dossierResolver.Charges ...).
	AuthSvc         *auth.Service
	OrganisationSvc *organisation.Service
	DossierSvc      *dossier.Service
	PersonSvc       *person.Service
	ChargeSvc       *charge.Service
	ProceedingSvc   *proceeding.Service
	HearingSvc      *hearing.Service
	DeadlineSvc     *deadlines.Service
	CalendarFeedSvc *calfeed.Service
	UserSvc         *user.Service
	AuditLogSvc     *auditlog.Service
	EvidenceSvc     *evidence.Service
	ReferenceSvc    *evidence.ReferenceService
	// SingleSignOn: OIDC sign-in is configured (the sign-in screen offers it).
	SingleSignOn bool
}

type actorKey struct{}

// WithActor returns ctx carrying the request's actor.
func WithActor(ctx context.Context, a actor.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the request's actor (an unauthenticated one when none).
func ActorFrom(ctx context.Context) actor.Actor {
	a, _ := ctx.Value(actorKey{}).(actor.Actor)
	return a
}

// ptr returns a pointer to a copy of v, for nullable results.
func ptr[T any](v T) *T { return &v }
