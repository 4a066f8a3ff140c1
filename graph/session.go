package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth"

	"github.com/egide/egide/graph/model"
)

// SessionCookie lets the login and logout mutations set or clear the
// session cookie of the HTTP response.
type SessionCookie interface {
	Set(token string)
	Clear()
}

type cookieKey struct{}

// WithSessionCookie returns ctx carrying c.
func WithSessionCookie(ctx context.Context, c SessionCookie) context.Context {
	return context.WithValue(ctx, cookieKey{}, c)
}

type noCookie struct{}

func (noCookie) Set(string) {}
func (noCookie) Clear()     {}

func sessionCookie(ctx context.Context) SessionCookie {
	if c, ok := ctx.Value(cookieKey{}).(SessionCookie); ok {
		return c
	}
	return noCookie{}
}

// asActor returns ctx acting as a (after a sign-in step changed the
// session), with loaders for that actor.
func (r *Resolver) asActor(ctx context.Context, a actor.Actor) context.Context {
	return WithLoaders(WithActor(ctx, a), r.NewLoaders(a))
}

func (r *Resolver) viewer(ctx context.Context) (*model.Viewer, error) {
	a := ActorFrom(ctx)
	u, err := r.AuthSvc.Me(ctx, a)
	if err != nil {
		return nil, err
	}
	v := &model.Viewer{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Roles: a.Roles, Superadmin: u.Superadmin,
		TotpEnrolled: u.TOTPEnrolled, RecoveryCodesLeft: u.RecoveryCodesLeft, Status: model.LoginStatusSignedIn}
	switch a.SignInStep {
	case auth.StageTOTPEnrollment:
		v.Status = model.LoginStatusTotpEnrollmentRequired
	case auth.StagePasswordChange:
		v.Status = model.LoginStatusPasswordChangeRequired
	}
	// The organisation is shown to its members (a user left with no role
	// in it still gets their viewer, without it).
	if a.OrgID != uuid.Nil && a.Authenticated() && len(a.Roles) > 0 {
		o, err := loaders(ctx).Organisation.Load(ctx, a.OrgID)
		if err != nil {
			return nil, err
		}
		v.Organisation = &o
	}
	return v, nil
}
