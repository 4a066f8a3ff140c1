package apperr_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every NOT_FOUND of the code base is apperr.NotFoundError() (or, at the
// HTTP edge, apperr.NotFoundMessage): no hand-made one that names a kind
// of record ("victim not found") can come back.
func TestNoOtherNotFound(t *testing.T) {
	t.Parallel()
	banned := []*regexp.Regexp{
		regexp.MustCompile(`apperr\.New\(\s*apperr\.NotFound\b`),
		regexp.MustCompile(`Code:\s*apperr\.NotFound\b`),
		regexp.MustCompile(`apperr\.NotFoundf\(`),
		regexp.MustCompile(`apperr\.NotFound,\s*"`), // writeError(w, 404, apperr.NotFound, "evidence not found")
	}
	root := filepath.Join("..", "..")
	checked := 0
	for _, dir := range []string{"internal", "graph", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
				strings.Contains(path, filepath.Join("internal", "apperr")) {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			checked++
			for _, re := range banned {
				if loc := re.FindIndex(b); loc != nil {
					line := strings.Count(string(b[:loc[0]]), "\n") + 1
					t.Errorf("%s:%d: a NOT_FOUND of its own (%s): use apperr.NotFoundError()", path, line, b[loc[0]:loc[1]])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 50 {
		t.Fatalf("only %d files checked: wrong root?", checked)
	}
}
