package auditlog

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
)

func TestPrivilegeCategory(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	n := 0
	insert := func(org uuid.UUID, action, permission, outcome string) int64 {
		t.Helper()
		n++
		var id int64
		if err := f.pool.QueryRow(ctx, `INSERT INTO audit_events (occurred_at, actor_user_id, organisation_id, request_id,
				user_agent, action, resource_type, resource_ids, reason, outcome, permission, roles)
			VALUES ($1, $2, $3, 'r', '', $4, 'user', '{}', '', $5, $6, '{admin}') RETURNING id`,
			h(n), f.adminA.UserID, org, action, outcome, permission).Scan(&id); err != nil {
			t.Fatalf("insert: %v", err)
		}
		return id
	}
	var want, wantDenied, wantDossier []int64
	for _, action := range PrivilegeActions() {
		id := insert(f.orgA, action, "user:write", "allowed")
		want = append(want, id)
		if strings.HasPrefix(action, "dossier.") {
			wantDossier = append(wantDossier, id)
		}
	}
	for _, p := range []string{"user:write", "dossier:assign", "dossier:share"} {
		id := insert(f.orgA, "access.denied", p, "denied")
		want, wantDenied = append(want, id), append(wantDenied, id)
	}
	// Not changes of rights.
	for _, e := range [][3]string{{"dossier.read", "dossier:read", "allowed"}, {"access.denied", "case:read", "denied"},
		{"access.denied", "user:read", "denied"}, {"user.list", "user:read", "allowed"}, {"user.read", "user:read", "allowed"},
		{"victim.identity.reveal", "identity:read", "allowed"}, {"auth.login", "", "allowed"},
		{"auth.password.change", "", "allowed"}, {"user.created", "user:write", "allowed"}} {
		insert(f.orgA, e[0], e[1], e[2])
	}
	insert(f.orgB, "user.roles", "user:write", "allowed") // another organisation's
	slices.Reverse(want)
	slices.Reverse(wantDenied)
	slices.Reverse(wantDossier)

	privilege, denied := CategoryPrivilege, audit.Denied
	for name, tc := range map[string]struct {
		f    Filter
		want []int64
	}{
		"privilege":            {Filter{Category: &privilege}, want},
		"privilege and denied": {Filter{Category: &privilege, Outcome: &denied}, wantDenied},
		"privilege and action": {Filter{Category: &privilege, Action: ptr("dossier.*")}, wantDossier},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := f.svc.Search(ctx, f.dpoA, tc.f, ptr(100), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Nodes); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}

	// The export selects the same events.
	var buf bytes.Buffer
	if _, err := f.svc.Export(ctx, f.dpoA, Filter{Category: &privilege}, &buf); err != nil {
		t.Fatal(err)
	}
	if rows := readCSV(t, buf.Bytes()); len(rows)-1 != len(want) {
		t.Fatalf("%d exported rows, want %d", len(rows)-1, len(want))
	}

	bad := Category("everything")
	_, err := f.svc.Search(ctx, f.dpoA, Filter{Category: &bad}, nil, nil)
	wantCode(t, err, apperr.Invalid)
	if e, _ := apperr.As(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "filter.category" {
		t.Fatalf("error %v", err)
	}
}

func TestParseCategory(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{"PRIVILEGE": true, "privilege": true, "Privilege": true, "": false, "ALL": false} {
		c, got := ParseCategory(in)
		if got != ok || (ok && c != CategoryPrivilege) {
			t.Errorf("%q: %q %v", in, c, got)
		}
	}
}
