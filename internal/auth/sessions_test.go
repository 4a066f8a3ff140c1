package auth

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/testfixture"
)

// A user sees their open sessions and signs out of another one; nobody
// reaches another user's sessions, and 20 parallel ends of one session end
// it once.
func TestMySessions(t *testing.T) {
	t.Parallel()
	s := newSignIn(t)
	s.enrol(t)
	ctx := context.Background()
	here, there := s.login(t, s.svc), s.login(t, s.svc)

	list, err := s.svc.Sessions(ctx, here.Actor)
	if err != nil {
		t.Fatal(err)
	}
	// The enrolment's session, then two sign-ins.
	var current, other int
	var thereID uuid.UUID
	for _, si := range list {
		if si.Current {
			current++
			if si.ID != sessionID(here.Actor.SessionHash) {
				t.Errorf("the current session is %v, want %v", si.ID, sessionID(here.Actor.SessionHash))
			}
		}
		if si.ID == sessionID(there.Actor.SessionHash) {
			other++
			thereID = si.ID
		}
		if !si.ExpiresAt.After(si.CreatedAt) || si.LastSeenAt.Before(si.CreatedAt) {
			t.Errorf("session times %+v", si)
		}
	}
	if len(list) != 3 || current != 1 || other != 1 {
		t.Fatalf("sessions %+v: want 3, one current, the other sign-in among them", list)
	}

	// The current one ends with logout, not here.
	err = s.svc.EndSession(ctx, here.Actor, sessionID(here.Actor.SessionHash))
	wantCode(t, err, apperr.Invalid)

	// Someone else's session and a missing one: the same NOT_FOUND, both recorded.
	stranger := testfixture.User(t, s.pool, s.org, "legal_staff")
	opened, err := s.svc.OpenSession(ctx, stranger.UserID, s.meta, "auth.login")
	if err != nil {
		t.Fatal(err)
	}
	strangerSession := opened.Actor.SessionHash
	for _, id := range []uuid.UUID{sessionID(strangerSession), uuid.New()} {
		err := s.svc.EndSession(ctx, here.Actor, id)
		if e, ok := apperr.As(err); !ok || e.Code != apperr.NotFound || e.Message != apperr.NotFoundMessage {
			t.Fatalf("ending session %v of nobody or someone else: %v", id, err)
		}
		if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'auth.session.end' AND outcome = 'denied'
			AND resource_ids @> ARRAY[$1::uuid] AND actor_user_id = $2`, id, s.user); n != 1 {
			t.Errorf("%d denied events for session %v", n, id)
		}
	}
	if n := s.count(t, `SELECT count(*) FROM sessions WHERE token_hash = $1`, strangerSession); n != 1 {
		t.Fatal("another user's session was ended")
	}

	// 20 at once: one ends it, the others find nothing.
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for k := range errs {
		wg.Go(func() { errs[k] = s.svc.EndSession(ctx, here.Actor, thereID) })
	}
	wg.Wait()
	ended := 0
	for _, err := range errs {
		if err == nil {
			ended++
		} else if apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("parallel end: %v", err)
		}
	}
	if ended != 1 {
		t.Fatalf("%d of 20 parallel ends succeeded, want 1", ended)
	}
	if n := s.count(t, `SELECT count(*) FROM audit_events WHERE action = 'auth.session.end' AND outcome = 'allowed'
		AND resource_ids @> ARRAY[$1::uuid]`, thereID); n != 1 {
		t.Errorf("%d allowed events for the ended session", n)
	}
	_, err = s.svc.Authenticate(ctx, there.Token, s.meta)
	wantCode(t, err, apperr.Unauthenticated)
	if _, err := s.svc.Authenticate(ctx, here.Token, s.meta); err != nil {
		t.Fatalf("the current session ended too: %v", err)
	}

	// A session limited to a sign-in step sees nothing.
	limited := here.Actor
	limited.SignInStep = StagePasswordChange
	_, err = s.svc.Sessions(ctx, limited)
	wantCode(t, err, apperr.Unauthenticated)
	wantCode(t, s.svc.EndSession(ctx, limited, thereID), apperr.Unauthenticated)
}
