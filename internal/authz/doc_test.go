package authz

import (
	"os"
	"regexp"
	"slices"
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

// docs/security.md names the permissions that apply on a dossier shared
// with the organisation (co-civil party); they must be onShared's, and
// every other dossier permission owner-only.
func TestSecurityDocNamesTheSharedPermissions(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(b)), " ")
	const lead = "On a dossier shared with it only "
	start := strings.Index(doc, lead)
	end := strings.Index(doc[max(start, 0):], " apply")
	if start < 0 || end < 0 {
		t.Fatalf("docs/security.md does not say which permissions apply on a shared dossier (%q ... apply)", lead)
	}
	var doced []string
	for _, m := range regexp.MustCompile("`([a-z]+:[a-z]+)`").FindAllStringSubmatch(doc[start:start+end], -1) {
		doced = append(doced, m[1])
	}
	var code []string
	for _, p := range Permissions {
		if onShared(p) {
			code = append(code, string(p))
		}
		if onShared(p) == ownerOnly(p) {
			t.Errorf("%s is both or neither owner-only and held on shared dossiers", p)
		}
	}
	slices.Sort(doced)
	slices.Sort(code)
	if !slices.Equal(doced, code) {
		t.Errorf("docs/security.md: on a shared dossier %v apply; authz.onShared: %v", doced, code)
	}
}

func cells(line string) []string {
	parts := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
