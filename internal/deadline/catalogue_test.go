package deadline

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// Every rule has a title, what it applies to, a source text, an article
// of the current CPP (manual dates excepted: their source is the court), a
// known trigger, a duration, who it concerns, and contiguous versions.
func TestEveryRuleIsComplete(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{}
	idForm := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	if len(Rules()) < 20 {
		t.Errorf("only %d rules", len(Rules()))
	}
	for _, r := range Rules() {
		if !idForm.MatchString(r.ID) || ids[r.ID] {
			t.Errorf("rule id %q malformed or duplicated", r.ID)
		}
		ids[r.ID] = true
		if r.Title == "" || r.AppliesTo == "" || r.Source == "" {
			t.Errorf("%s: title, applies-to or source missing", r.ID)
		}
		switch r.Kind {
		case Limit, Opens, Prescription, Manual:
		default:
			t.Errorf("%s: kind %q", r.ID, r.Kind)
		}
		cur := r.Current()
		if cur.Code != CPP {
			t.Errorf("%s: no reference in the current CPP", r.ID)
		}
		if (cur.Article == "") != (r.Kind == Manual) {
			t.Errorf("%s: current article %q for a %s rule", r.ID, cur.Article, r.Kind)
		}
		if r.Kind == Manual && len(r.Notes) == 0 {
			t.Errorf("%s: a manual rule must say where its date comes from", r.ID)
		}
		if _, ok := TriggerTitle[r.Trigger]; !ok {
			t.Errorf("%s: trigger %q has no French title", r.ID, r.Trigger)
		}
		switch r.Duration.Unit {
		case Days, ClearDays, Months, Years:
		default:
			t.Errorf("%s: unit %q", r.ID, r.Duration.Unit)
		}
		if r.Duration.N < 0 || (r.Duration.N == 0 && r.Kind != Manual && r.Kind != Opens) {
			t.Errorf("%s: duration %+v", r.ID, r.Duration)
		}
		if len(r.Concerns) == 0 {
			t.Errorf("%s: concerns nobody", r.ID)
		}
		for _, p := range r.Concerns {
			if PartyTitle[p] == "" {
				t.Errorf("%s: party %q has no French title", r.ID, p)
			}
		}
		if r.Follows != "" {
			if m, ok := Lookup(r.Follows); !ok || m.Trigger != r.Trigger || m.Follows != "" {
				t.Errorf("%s follows %q: unknown, another trigger or a chain", r.ID, r.Follows)
			}
		}
		// Versions: in date order, contiguous, the first open at the start.
		for i, ref := range r.Refs {
			if ref.Code != CPP && ref.Code != CPP2029 {
				t.Errorf("%s: code %q", r.ID, ref.Code)
			}
			if i == 0 && !ref.From.IsZero() {
				t.Errorf("%s: first version starts %s", r.ID, ref.From)
			}
			if i > 0 && !r.Refs[i-1].To.AddDate(0, 0, 1).Equal(ref.From) {
				t.Errorf("%s: versions %d and %d not contiguous", r.ID, i-1, i)
			}
			if i == len(r.Refs)-1 && !ref.To.IsZero() {
				t.Errorf("%s: last version ends %s", r.ID, ref.To)
			}
		}
		if r.Kind != Manual {
			if ref, ok := r.Ref(Recodification); !ok || ref.Code != CPP2029 {
				t.Errorf("%s: no CPP-2029 version from %s", r.ID, Recodification.Format(time.DateOnly))
			}
		}
	}
}

// Every rule computes, on any day of two years across the recodification,
// a date not before its trigger, explained without formatting errors, and
// a Limit always ends on a working day.
func TestEveryRuleComputes(t *testing.T) {
	t.Parallel()
	for _, r := range Rules() {
		for d := day("2027-12-01"); d.Before(day("2029-12-31")); d = d.AddDate(0, 0, 1) {
			res, err := Due(r, d, Options{})
			if err != nil {
				t.Fatalf("%s on %s: %v", r.ID, d.Format(time.DateOnly), err)
			}
			if res.Due.Before(d) || res.Due.Before(res.RawEnd) {
				t.Fatalf("%s on %s: due %s before trigger or raw end", r.ID, d.Format(time.DateOnly), res.Due)
			}
			all := strings.Join(append(res.Steps, res.Warnings...), "\n")
			if strings.Contains(all, "%!") || len(res.Steps) < 3 {
				t.Fatalf("%s on %s: %s", r.ID, d.Format(time.DateOnly), all)
			}
			if r.Kind == Limit && !isWorking(res.Due) {
				t.Fatalf("%s on %s: due %s is not a working day", r.ID, d.Format(time.DateOnly), res.Due)
			}
			if r.Kind == Limit && res.Extended == res.Due.Equal(res.RawEnd) {
				t.Fatalf("%s on %s: Extended %v but due %s raw %s", r.ID, d.Format(time.DateOnly), res.Extended, res.Due, res.RawEnd)
			}
		}
	}
}

func isWorking(d time.Time) bool { return why(d) == "jour ouvrable" }

func TestRulesIsACopy(t *testing.T) {
	t.Parallel()
	rs := Rules()
	rs[0].Title = "changed"
	rs[0].Refs[0].Article = "changed"
	r, _ := Lookup(rs[0].ID)
	r.Notes[0] = "changed"
	if again := Rules()[0]; again.Title == "changed" || again.Refs[0].Article == "changed" || again.Notes[0] == "changed" {
		t.Error("Rules shares the catalogue")
	}
}
