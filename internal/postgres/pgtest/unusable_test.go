package pgtest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/egide/egide/internal/pgcluster"
)

// outcomeTB records how unusable ends a test instead of ending it.
type outcomeTB struct {
	testing.TB
	outcome string
}

func (o *outcomeTB) Helper()                        {}
func (o *outcomeTB) Skip(args ...any)               { o.outcome = "skip" }
func (o *outcomeTB) Fatal(args ...any)              { o.outcome = "fatal" }
func (o *outcomeTB) Fatalf(format string, a ...any) { o.outcome = "fatal" }

func TestUnusable(t *testing.T) {
	missing := fmt.Errorf("start: %w", pgcluster.ErrNoServerBinaries)
	for _, tc := range []struct {
		ci   string
		err  error
		want string
	}{
		{"", missing, "skip"},
		{"false", missing, "skip"},
		{"true", missing, "fatal"},
		{"1", missing, "fatal"},
		{"", errors.New("connection refused"), "fatal"},
	} {
		t.Setenv("CI", tc.ci)
		o := &outcomeTB{TB: t}
		unusable(o, tc.err)
		if o.outcome != tc.want {
			t.Errorf("CI=%q, %v: %s, want %s", tc.ci, tc.err, o.outcome, tc.want)
		}
	}
}
