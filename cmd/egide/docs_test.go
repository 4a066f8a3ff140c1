package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README promises two commands; this keeps the promise true: they are
// the first two commands it shows, the Makefile defines them, and CI runs
// the second.
func TestReadmeCommandsAreTheRealOnes(t *testing.T) {
	t.Parallel()
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		return string(b)
	}
	readme, makefile, ci := read("../../README.md"), read("../../Makefile"), read("../../.ci/run")
	cmds := regexp.MustCompile("(?m)^\\s*(make [a-z-]+)\\s*$").FindAllStringSubmatch(readme, -1)
	if len(cmds) < 2 || cmds[0][1] != "make run" || cmds[1][1] != "make test" {
		t.Fatalf("README must show `make run` then `make test` first, found %v", cmds)
	}
	for _, target := range []string{"run", "test"} {
		if !regexp.MustCompile("(?m)^" + target + ":").MatchString(makefile) {
			t.Errorf("Makefile has no %q target", target)
		}
	}
	if !regexp.MustCompile(`(?m)^make test\s*$`).MatchString(ci) || !strings.Contains(ci, "CI=true") {
		t.Errorf(".ci/run must run `make test` with CI=true")
	}
	if !strings.Contains(makefile, "$(BIN) dev") {
		t.Errorf("make run must start `egide dev`")
	}
}

// `make help` lists the targets whose rule carries a "## description"; every
// phony target a person may type must carry one, or help hides it.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	makefile := string(b)
	phony := regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindStringSubmatch(makefile)
	if phony == nil {
		t.Fatal("Makefile has no .PHONY line")
	}
	// The same pattern as the help target's grep.
	described := regexp.MustCompile(`(?m)^([a-z0-9-]+):.*## `)
	listed := map[string]bool{}
	for _, m := range described.FindAllStringSubmatch(makefile, -1) {
		listed[m[1]] = true
	}
	if !strings.Contains(makefile, `grep -E '^[a-z0-9-]+:.*## '`) {
		t.Fatal("the help target's pattern changed: update this test with it")
	}
	for _, target := range strings.Fields(phony[1]) {
		if !listed[target] {
			t.Errorf("make help does not list %q: give its rule a '## description'", target)
		}
	}
}
