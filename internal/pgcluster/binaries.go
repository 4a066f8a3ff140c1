package pgcluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// defaultLibDir is where Debian and Ubuntu install each major version.
const defaultLibDir = "/usr/lib/postgresql"

// findBinaries returns the directory holding initdb, pg_ctl and postgres.
// version is the PG_VERSION of an existing cluster ("" if none): its own
// major version is preferred, since another one cannot open its files.
// Then PATH, then the highest version under libDir.
func findBinaries(version, libDir string) (string, error) {
	if version != "" {
		if d := filepath.Join(libDir, version, "bin"); hasServer(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		// pg_ctl runs the postgres beside its real path, not its symlink's.
		if real, err := filepath.EvalSymlinks(p); err == nil && hasServer(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(libDir, "*", "bin"))
	var best string
	var bestV []int
	for _, d := range dirs {
		v := parseVersion(filepath.Base(filepath.Dir(d)))
		if v != nil && hasServer(d) && slices.Compare(v, bestV) > 0 {
			best, bestV = d, v
		}
	}
	if best == "" {
		return "", fmt.Errorf("%w: looked on PATH and under %s/*/bin; install the PostgreSQL server package (Debian: postgresql)",
			ErrNoServerBinaries, libDir)
	}
	return best, nil
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// parseVersion parses "16" or "9.6"; nil if it is not a version.
func parseVersion(s string) []int {
	var v []int
	for part := range strings.SplitSeq(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil
		}
		v = append(v, n)
	}
	return v
}
