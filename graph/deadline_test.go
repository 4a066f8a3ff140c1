package graph_test

import (
	"slices"
	"testing"
	"time"

	"github.com/egide/egide/internal/deadline"
)

// saturdayTrigger is a recent day whose 10-day appeal window ends on a
// Saturday, so that CPP 801 extends it.
func saturdayTrigger() time.Time {
	d := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -20)
	for d.AddDate(0, 0, 10).Weekday() != time.Saturday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// Through the API: the server computes the date and explains it; the
// client cannot send one; bad input is INVALID on the field at fault.
func TestDeadlineAPI(t *testing.T) {
	t.Parallel()
	srv, _, accs := server(t, 1)
	staff := signIn(t, srv.URL, accs, "legal_staff")
	created := staff.ask(`mutation { createDossier(input: {reference: "DL-1", title: "Échéances", themes: [GROOMING]}) { id } }`, nil)
	if created.code() != "" {
		t.Fatalf("create dossier: %+v", created)
	}
	dossierID := created.Data["createDossier"].(map[string]any)["id"].(string)
	trigger := saturdayTrigger()
	want, err := deadline.DueByID("tc-appel", trigger, deadline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := staff.ask(`mutation($d: ID!, $on: Date!) { computeDeadline(input: {dossierId: $d, ruleId: "tc-appel", triggerOn: $on}) {
		id dueOn rawEndOn extended steps warnings status codeVersion article
		rule { id title article codeVersion citation concerns limits notes kind event duration } } }`,
		map[string]any{"d": dossierID, "on": trigger.Format(time.DateOnly)})
	if got.code() != "" {
		t.Fatalf("compute: %+v", got)
	}
	dl := got.Data["computeDeadline"].(map[string]any)
	rule := dl["rule"].(map[string]any)
	if dl["dueOn"] != want.Due.Format(time.DateOnly) || dl["rawEndOn"] != want.RawEnd.Format(time.DateOnly) ||
		dl["extended"] != true || dl["status"] != "OPEN" || dl["article"] != "498 al. 1" || dl["codeVersion"] != "CPP" ||
		rule["id"] != "tc-appel" || rule["article"] != "498 al. 1" || rule["kind"] != "LIMIT" || rule["duration"] != "10 jours" ||
		len(dl["steps"].([]any)) != len(want.Steps) {
		t.Fatalf("deadline = %v, want due %s", dl, want.Due.Format(time.DateOnly))
	}
	// The dossier shows it, with its next deadline.
	d := staff.ask(`query($id: ID!) { dossier(id: $id) { deadlines { id } nextDeadline { id dueOn } } }`, map[string]any{"id": dossierID})
	if d.code() != "" || len(d.Data["dossier"].(map[string]any)["deadlines"].([]any)) != 1 {
		t.Fatalf("dossier deadlines: %+v", d)
	}
	// The client never sends a due date for a computed deadline.
	if a := staff.ask(`mutation($d: ID!) { computeDeadline(input: {dossierId: $d, ruleId: "tc-appel", triggerOn: "2026-01-05",
		dueOn: "2026-12-31"}) { id } }`, map[string]any{"d": dossierID}); len(a.Errors) == 0 {
		t.Fatalf("a due date was accepted: %+v", a)
	}
	invalid := func(name, q string, vars map[string]any, field string) {
		t.Helper()
		a := staff.ask(q, vars)
		if a.code() != "INVALID" || !slices.Contains(a.fields(), field) {
			t.Errorf("%s: want INVALID on %s, got %+v", name, field, a)
		}
	}
	compute := `mutation($d: ID!, $r: String!, $on: Date!) { computeDeadline(input: {dossierId: $d, ruleId: $r, triggerOn: $on}) { id } }`
	invalid("unknown rule", compute, map[string]any{"d": dossierID, "r": "appel-imaginaire", "on": "2026-01-05"}, "ruleId")
	invalid("trigger two years ahead", compute, map[string]any{"d": dossierID, "r": "tc-appel",
		"on": time.Now().AddDate(2, 0, 0).Format(time.DateOnly)}, "triggerOn")
	invalid("manual without title", `mutation($d: ID!) { addManualDeadline(input: {dossierId: $d, title: "", dueOn: "2027-01-05"}) { id } }`,
		map[string]any{"d": dossierID}, "title")
	invalid("cancel without reason", `mutation($id: ID!) { cancelDeadline(id: $id, reason: " ") { id } }`,
		map[string]any{"id": dl["id"]}, "reason")
	// A preview computes the same date without storing it.
	pv := staff.ask(`query($on: Date!) { deadlinePreview(ruleId: "tc-appel", triggerOn: $on) { dueOn extended steps rule { article } } }`,
		map[string]any{"on": trigger.Format(time.DateOnly)})
	if pv.code() != "" || pv.Data["deadlinePreview"].(map[string]any)["dueOn"] != dl["dueOn"] {
		t.Fatalf("preview: %+v", pv)
	}
	invalid("preview of an unknown rule", `{ deadlinePreview(ruleId: "x", triggerOn: "2026-01-05") { dueOn } }`, nil, "ruleId")
	// The catalogue: a version per day.
	rules := staff.ask(`{ deadlineRules(at: "2029-02-01") { id codeVersion article citation } }`, nil)
	if rules.code() != "" || len(rules.Data["deadlineRules"].([]any)) != len(deadline.Rules()) {
		t.Fatalf("rules: %+v", rules)
	}
	for _, r := range rules.Data["deadlineRules"].([]any) {
		if r := r.(map[string]any); r["id"] == "tc-appel" && (r["codeVersion"] != "CPP-2029" || r["article"] != "") {
			t.Fatalf("rule in 2029: %v", r)
		}
	}
	// Done, then no longer open.
	if a := staff.ask(`mutation($id: ID!) { completeDeadline(id: $id) { status doneAt } }`, map[string]any{"id": dl["id"]}); a.code() != "" ||
		a.Data["completeDeadline"].(map[string]any)["status"] != "DONE" {
		t.Fatalf("complete: %+v", a)
	}
	if a := staff.ask(`mutation($id: ID!) { cancelDeadline(id: $id, reason: "trop tard") { id } }`, map[string]any{"id": dl["id"]}); a.code() != "CONFLICT" {
		t.Fatalf("cancel a done deadline: %+v", a)
	}
	// A closed dossier takes no new deadline.
	if a := staff.ask(`mutation($id: ID!) { closeDossier(id: $id, input: {reason: "jugement définitif"}) { id } }`,
		map[string]any{"id": dossierID}); a.code() != "" {
		t.Fatalf("close dossier: %+v", a)
	}
	invalid("closed dossier", compute, map[string]any{"d": dossierID, "r": "tc-appel", "on": "2026-01-05"}, "dossierId")
}
