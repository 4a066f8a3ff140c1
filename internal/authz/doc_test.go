package authz

import (
	"os"
	"strings"
	"testing"

	"github.com/egide/egide/internal/actor"
)

// docs/security.md states the permission matrix; it must be the policy.
func TestSecurityDocMatchesPolicy(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "<!-- permission-matrix:start -->")
	end := strings.Index(doc, "<!-- permission-matrix:end -->")
	if start < 0 || end < start {
		t.Fatal("permission matrix markers missing in docs/security.md")
	}
	grant, err := loadPolicy()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(doc[start+len("<!-- permission-matrix:start -->"):end]), "\n")
	header := cells(lines[0])
	seen := map[Permission]bool{}
	for _, line := range lines[2:] {
		c := cells(line)
		p := Permission(c[0])
		seen[p] = true
		for i, role := range header[1:] {
			r := actor.Role(role)
			want := c[i+1]
			got := "no"
			if grant[r][p] {
				got = "yes"
				if (seesOnlyAssigned(r) && !strings.HasPrefix(string(p), "organisation:")) || needsAssignment(p) {
					got = "assigned"
				}
			}
			if got != want {
				t.Errorf("%s / %s: doc says %q, policy gives %q", p, r, want, got)
			}
		}
	}
	for _, p := range Permissions {
		if !seen[p] {
			t.Errorf("permission %s missing from docs/security.md", p)
		}
	}
}

func cells(line string) []string {
	parts := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
