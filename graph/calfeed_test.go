package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/authz"
)

// TestCalendarFeedAcrossRoles: every actor of the authorization matrix
// creates a calendar feed through the API and fetches it with the token
// alone. A role that reads hearings gets exactly the hearings and
// deadlines of the dossiers the matrix says it reads as a list, with one
// calendar_feed.fetch event naming them; any other is refused at creation.
// The actors whose role is removed then get the same 404 as an unknown
// token: roles are read on every request.
func TestCalendarFeedAcrossRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMatrixWorld(t)
	rels := map[string]*mxDossier{"assigned": w.dsAssigned, "unassigned": w.dsUnassigned, "other_org": w.dsOther,
		"shared": w.dsShared}
	anon := &mxActor{name: "anonymous", kind: mxAnon}
	_, _ = w.request(ctx, anon, http.MethodGet, "/calendar/"+strings.Repeat("A", 43)+".ics", "", false)
	unknown, err := w.request(ctx, anon, http.MethodGet, "/calendar/"+strings.Repeat("B", 43)+".ics", "", false)
	if err != nil || unknown.status != http.StatusNotFound {
		t.Fatalf("unknown token: %d %v", unknown.status, err)
	}
	for _, a := range w.actors {
		if a.kind != mxFull {
			continue
		}
		name := a.name
		if a.removed {
			name += "_role_removed"
		}
		t.Run(name, func(t *testing.T) {
			// Before the removal, a removed actor still holds its role.
			held := *a
			held.removed = false
			c := &mxCell{w: w, a: &held}
			r, err := w.do(ctx, a, a.token, `mutation { createCalendarFeed { feed { id } url } }`, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !c.can(authz.CaseRead) || !c.hasOrg() {
				if r.code() != string(mxForbidden) {
					t.Fatalf("createCalendarFeed: want FORBIDDEN, got %s", r.body)
				}
				return
			}
			var out struct {
				Data struct {
					CreateCalendarFeed struct{ URL string }
				}
			}
			if err := json.Unmarshal(r.body, &out); err != nil || r.code() != "" {
				t.Fatalf("createCalendarFeed: %s", r.body)
			}
			path, ok := strings.CutPrefix(out.Data.CreateCalendarFeed.URL, "https://egide.test")
			if !ok || !strings.HasPrefix(path, "/calendar/") {
				t.Fatalf("url %q", out.Data.CreateCalendarFeed.URL)
			}
			feed, err := w.request(ctx, anon, http.MethodGet, path, "", false)
			if err != nil || feed.status != http.StatusOK {
				t.Fatalf("feed: %d %v %.200s", feed.status, err, feed.body)
			}
			body := strings.ReplaceAll(string(feed.body), "\r\n ", "")
			events := w.requestEvents(ctx, t, feed.reqID)
			if len(events) != 1 || events[0].Action != "calendar_feed.fetch" || events[0].Outcome != "allowed" ||
				events[0].ActorID == nil || *events[0].ActorID != a.userID {
				t.Fatalf("events of the fetch: %+v", events)
			}
			check := rels
			if a.removed { // assigned to the dossier of that relation only
				check = map[string]*mxDossier{"role_removed": w.dsRemoved, "other_org": w.dsOther}
			}
			for rel, d := range check {
				c.rel = rel
				want := c.dossierRule(authz.CaseRead, true) == mxAllowed
				for what, id := range map[string]string{"hearing": d.Hearing.String(), "deadline": d.Deadline.String()} {
					if got := strings.Contains(body, "UID:"+id+"@egide"); got != want {
						t.Errorf("%s of the %s dossier in the feed: %v, want %v", what, rel, got, want)
					}
				}
				if got := slices.Contains(events[0].ResourceIDs, d.Hearing); got != want {
					t.Errorf("the event names the %s dossier's hearing: %v, want %v", rel, got, want)
				}
				if strings.Contains(body, d.Marker) || strings.Contains(body, d.NameMarker) {
					t.Errorf("the feed shows the %s dossier's title or a legal name", rel)
				}
			}
			if !a.removed {
				return
			}
			sql := `DELETE FROM memberships WHERE user_id = $1`
			if a.role == actor.Superadmin {
				sql = `UPDATE users SET superadmin = false WHERE id = $1`
			}
			if err := w.exec(ctx, sql, a.userID); err != nil {
				t.Fatal(err)
			}
			after, err := w.request(ctx, anon, http.MethodGet, path, "", false)
			if err != nil || after.status != http.StatusNotFound || string(after.body) != string(unknown.body) {
				t.Fatalf("after the role was removed: %d %s, want the 404 of an unknown token", after.status, after.body)
			}
		})
	}
}

// TestEndUserSessionsRevokesCalendarFeeds: an administrator who ends a
// user's sessions (or disables the account) revokes their calendar links
// in the same transaction: the URL answers 404 and the link is gone from
// the user's list.
func TestEndUserSessionsRevokesCalendarFeeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMatrixWorld(t)
	var staff, admin *mxActor
	for _, a := range w.actors {
		if a.kind == mxFull && !a.removed {
			switch a.role {
			case actor.LegalStaff:
				staff = a
			case actor.Admin:
				admin = a
			}
		}
	}
	if staff == nil || admin == nil {
		t.Fatal("no legal staff or administrator in the matrix world")
	}
	r, err := w.do(ctx, staff, staff.token, `mutation { createCalendarFeed { url } }`, nil)
	if err != nil || r.code() != "" {
		t.Fatalf("create: %v %s", err, r.body)
	}
	var out struct {
		Data struct{ CreateCalendarFeed struct{ URL string } }
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(out.Data.CreateCalendarFeed.URL, "https://egide.test")
	anon := &mxActor{name: "anonymous", kind: mxAnon}
	if f, err := w.request(ctx, anon, http.MethodGet, path, "", false); err != nil || f.status != http.StatusOK {
		t.Fatalf("before: %d %v", f.status, err)
	}
	r, err = w.do(ctx, admin, admin.token, `mutation($id: ID!) { endUserSessions(id: $id) }`, map[string]any{"id": staff.userID})
	if err != nil || r.code() != "" {
		t.Fatalf("endUserSessions: %v %s", err, r.body)
	}
	if f, err := w.request(ctx, anon, http.MethodGet, path, "", false); err != nil || f.status != http.StatusNotFound {
		t.Fatalf("after endUserSessions: %d %v, want 404", f.status, err)
	}
	var open int
	if err := w.pool.QueryRow(ctx, `SELECT count(*) FROM calendar_feeds WHERE user_id = $1 AND revoked_at IS NULL`,
		staff.userID).Scan(&open); err != nil || open != 0 {
		t.Fatalf("%d links still open (%v)", open, err)
	}
}
