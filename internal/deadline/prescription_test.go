package deadline

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func age(n int) *int { return &n }

func TestMajorityFromAge(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		facts            string
		age              int
		earliest, latest string
	}{
		{"2026-06-05", 14, "2029-06-06", "2030-06-05"},
		{"2026-06-05", 17, "2026-06-06", "2027-06-05"},
		{"2024-02-29", 15, "2026-03-01", "2027-02-28"},
		{"2026-01-01", 0, "2043-01-02", "2044-01-01"},
	} {
		e, l, err := Majority(day(c.facts), c.age)
		if err != nil {
			t.Fatal(err)
		}
		if e.Format(time.DateOnly) != c.earliest || l.Format(time.DateOnly) != c.latest {
			t.Errorf("%s aged %d: majority %s..%s, want %s..%s", c.facts, c.age,
				e.Format(time.DateOnly), l.Format(time.DateOnly), c.earliest, c.latest)
		}
	}
	for _, a := range []int{-1, 18, 30} {
		if _, _, err := Majority(day("2026-01-01"), a); !errors.Is(err, ErrAge) {
			t.Errorf("age %d: %v", a, err)
		}
	}
}

func TestPrescribe(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		f           Facts
		due, latest string
		warn        string
	}{
		{"crime from the facts", Facts{Category: Crime, FactsDate: day("2026-03-17")}, "2046-03-17", "", ""},
		{"délit from the facts", Facts{Category: Delit, FactsDate: day("2022-05-10")}, "2028-05-10", "", ""},
		{"délit before loi 2021-478", Facts{Category: Delit, FactsDate: day("2020-05-10")}, "2026-05-10", "", "loi 2021-478 du 21 avril 2021"},
		{"crime 706-47 on a minor, majority given", Facts{Category: CrimeOnMinor, FactsDate: day("2025-02-01"), Majority: day("2030-02-28")}, "2060-02-28", "", "Prescription glissante"},
		{"crime 706-47 on a minor aged 14", Facts{Category: CrimeOnMinor, FactsDate: day("2026-06-05"), AgeAtFacts: age(14)}, "2059-06-06", "2060-06-05", "après le samedi 5 juin 2060"},
		{"délit 706-47 on a minor aged 16", Facts{Category: DelitOnMinor, FactsDate: day("2026-06-05"), AgeAtFacts: age(16)}, "2037-06-06", "2038-06-05", "Prescription glissante"},
		{"délit 227-26 on a minor, majority given", Facts{Category: DelitOnMinorAggrav, FactsDate: day("2024-09-01"), Majority: day("2027-09-01")}, "2047-09-01", "", "Prescription glissante"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, err := Prescribe(c.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Due.Format(time.DateOnly); got != c.due {
				t.Errorf("due %s, want %s\n%s", got, c.due, strings.Join(res.Steps, "\n"))
			}
			latest := ""
			if !res.Latest.IsZero() {
				latest = res.Latest.Format(time.DateOnly)
			}
			if latest != c.latest {
				t.Errorf("latest %q, want %q", latest, c.latest)
			}
			if res.Extended {
				t.Error("a prescription was extended")
			}
			if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, c.warn) {
				t.Errorf("warnings %q lack %q", w, c.warn)
			}
			if c.f.AgeAtFacts != nil && !strings.Contains(strings.Join(res.Steps, "\n"), "la date de naissance n'est pas connue") {
				t.Errorf("steps do not say the range: %v", res.Steps)
			}
		})
	}
}

func TestPrescribeErrors(t *testing.T) {
	t.Parallel()
	if _, err := Prescribe(Facts{Category: "contravention", FactsDate: day("2026-01-01")}); !errors.Is(err, ErrCategory) {
		t.Errorf("category: %v", err)
	}
	if _, err := Prescribe(Facts{Category: Crime}); !errors.Is(err, ErrNoDate) {
		t.Errorf("no date: %v", err)
	}
	if _, err := Prescribe(Facts{Category: CrimeOnMinor, FactsDate: day("2026-01-01")}); err == nil {
		t.Error("a rule from majority without majority or age")
	}
	if _, err := Prescribe(Facts{Category: CrimeOnMinor, FactsDate: day("2026-01-01"), AgeAtFacts: age(18)}); !errors.Is(err, ErrAge) {
		t.Errorf("adult: %v", err)
	}
	if _, err := Prescribe(Facts{Category: DelitOnMinor, FactsDate: day("2026-06-05"), Majority: day("2031-06-05"), AgeAtFacts: age(14)}); !errors.Is(err, ErrAge) {
		t.Errorf("majority inconsistent with the age: %v", err)
	}
	if _, err := Prescribe(Facts{Category: DelitOnMinor, FactsDate: day("2026-06-05"), Majority: day("2030-01-10"), AgeAtFacts: age(14)}); err != nil {
		t.Errorf("majority consistent with the age: %v", err)
	}
	if _, err := Prescribe(Facts{Category: DelitOnMinor, FactsDate: day("2026-01-01"), Majority: day("2020-01-01")}); err == nil {
		t.Error("majority before the facts accepted")
	}
}

// Every category has a rule, and every prescription rule a category.
func TestPrescriptionCategoriesCoverTheRules(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for cat, id := range PrescriptionRule {
		r, ok := Lookup(id)
		if !ok || r.Kind != Prescription {
			t.Errorf("%s → %s is not a prescription rule", cat, id)
		}
		seen[id] = true
	}
	for _, r := range Rules() {
		if r.Kind == Prescription && !seen[r.ID] {
			t.Errorf("%s has no category", r.ID)
		}
	}
}
