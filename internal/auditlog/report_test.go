package auditlog

import (
	"fmt"
	"testing"
	"time"

	"github.com/egide/egide/internal/audit"
)

// Consecutive identical list views fold into one entry that counts them;
// anything else in between, or any other access, stays apart.
func TestGroupListViews(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := func(min int) time.Time { return time.Date(2026, 12, 4, 9, min, 0, 0, time.UTC) }
	e := func(min int, who, action string, outcome audit.Outcome, roles ...string) ReportEntry {
		return ReportEntry{OccurredAt: at(min), Who: who, Action: action, What: Describe(action), Outcome: outcome, Roles: roles}
	}
	list := "victim.list"
	cases := []struct {
		name string
		in   []ReportEntry
		want []string // What, Count
	}{
		{"empty", nil, nil},
		{"one list view", []ReportEntry{e(1, "A", list, audit.Allowed)}, []string{"a vu la victime dans une liste ×1"}},
		{"three in a row", []ReportEntry{e(1, "A", list, audit.Allowed, "legal_staff"), e(2, "A", list, audit.Allowed, "legal_staff"),
			e(3, "A", list, audit.Allowed, "legal_staff")},
			[]string{"a vu la victime dans une liste (3 fois, la dernière le 04/12/2026 à 10:03:00) ×3"}},
		{"interrupted by a read", []ReportEntry{e(1, "A", list, audit.Allowed), e(2, "A", "victim.read", audit.Allowed),
			e(3, "A", list, audit.Allowed)},
			[]string{"a vu la victime dans une liste ×1", "a consulté la fiche (pseudonymisée) ×1", "a vu la victime dans une liste ×1"}},
		{"other actor, roles, outcome or list", []ReportEntry{e(1, "A", list, audit.Allowed), e(2, "B", list, audit.Allowed),
			e(3, "B", list, audit.Allowed, "dpo"), e(4, "B", list, audit.Denied, "dpo"), e(5, "B", "consent.list", audit.Denied, "dpo")},
			[]string{"a vu la victime dans une liste ×1", "a vu la victime dans une liste ×1", "a vu la victime dans une liste ×1",
				"a vu la victime dans une liste ×1", "a consulté les consentements ×1"}},
		{"reads are never folded", []ReportEntry{e(1, "A", "victim.identity.reveal", audit.Allowed),
			e(2, "A", "victim.identity.reveal", audit.Allowed)},
			[]string{"a consulté l'identité ×1", "a consulté l'identité ×1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := groupListViews(c.in, paris)
			var got []string
			for _, r := range out {
				got = append(got, fmt.Sprintf("%s ×%d", r.What, r.Count))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
			if len(out) > 0 && !out[0].OccurredAt.Equal(at(1)) {
				t.Fatalf("the first entry starts at %s, want the first view", out[0].OccurredAt)
			}
		})
	}
}
