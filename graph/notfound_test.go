package graph_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/egide/egide/internal/apperr"
)

// checkOneNotFound is what an attacker probing ids would compare: for
// every operation of the matrix (every id-taking query and mutation, and
// every nested field), a random id ("missing") and an existing id the
// caller may not see ("other_org", "unassigned", "revoked" ...) must get
// the very same answer — same HTTP status, same body — and every NOT_FOUND
// of the API is one error: code NOT_FOUND, message "not found", nothing
// else, whatever the kind of record.
func checkOneNotFound(t *testing.T, cells []*mxCell) {
	t.Run("one_not_found", func(t *testing.T) {
		type key struct{ actor, op string }
		type answer struct {
			rel    string
			body   string
			events string // the kinds of audit events the request wrote
		}
		byOp := map[key][]answer{}
		seen := 0
		for _, c := range cells {
			if c.err != nil || c.got != mxNotFound {
				continue
			}
			seen++
			for _, e := range c.resp.errors {
				ext, _ := json.Marshal(e.Extensions)
				if e.Message != apperr.NotFoundMessage || string(ext) != `{"code":"NOT_FOUND"}` {
					t.Errorf("%s: a NOT_FOUND that is not the one answer: message %q, extensions %s", c.name, e.Message, ext)
				}
			}
			k := key{c.a.name, c.op.Field}
			kinds := make([]string, 0, len(c.events))
			for _, e := range c.events {
				kinds = append(kinds, e.Action+"/"+e.Outcome)
			}
			sort.Strings(kinds)
			byOp[k] = append(byOp[k], answer{c.rel, string(c.resp.body), strings.Join(kinds, ",")})
			if c.resp.status != 200 {
				t.Errorf("%s: NOT_FOUND with HTTP %d", c.name, c.resp.status)
			}
		}
		compared := 0
		for k, as := range byOp {
			sort.Slice(as, func(i, j int) bool { return as[i].rel < as[j].rel })
			var missing *answer
			for i := range as {
				if as[i].rel == "missing" {
					missing = &as[i]
				}
			}
			if missing == nil {
				continue
			}
			for _, a := range as {
				if a.rel == "missing" {
					continue
				}
				compared++
				if a.body != missing.body {
					t.Errorf("%s/%s: a %s id and a missing one get different answers:\n%s: %s\nmissing: %s",
						k.actor, k.op, a.rel, a.rel, a.body, missing.body)
				}
				// Nor by what the probe costs: the same audit events
				// (a refusal written in a transaction of its own, or none).
				if a.events != missing.events {
					t.Errorf("%s/%s: a %s id writes audit events [%s], a missing one [%s]",
						k.actor, k.op, a.rel, a.events, missing.events)
				}
			}
		}
		if seen == 0 || compared == 0 {
			t.Fatalf("%d NOT_FOUND cells, %d invisible/missing pairs compared: the matrix proves nothing here", seen, compared)
		}
		t.Logf("%d NOT_FOUND answers, all one error; %d invisible ids answered exactly like a missing one", seen, compared)
	})
}
