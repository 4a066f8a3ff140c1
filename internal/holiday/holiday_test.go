package holiday

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestEaster(t *testing.T) {
	t.Parallel()
	// Published dates of Easter Sunday.
	for y, want := range map[int]string{2019: "2019-04-21", 2024: "2024-03-31", 2025: "2025-04-20",
		2026: "2026-04-05", 2027: "2027-03-28", 2029: "2029-04-01", 2038: "2038-04-25"} {
		if got := Easter(y).Format(time.DateOnly); got != want {
			t.Errorf("Easter(%d) = %s, want %s", y, got, want)
		}
	}
}

func TestNameAndWorkingDays(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		day, name string
		working   bool
	}{
		{"2026-01-01", "Jour de l'an", false},
		{"2026-04-06", "Lundi de Pâques", false},
		{"2026-05-01", "Fête du Travail", false},
		{"2026-05-08", "Victoire 1945", false},
		{"2026-05-14", "Ascension", false},
		{"2026-05-25", "Lundi de Pentecôte", false},
		{"2026-07-14", "Fête nationale", false},
		{"2026-08-15", "Assomption", false},
		{"2026-11-01", "Toussaint", false},
		{"2026-11-11", "Armistice 1918", false},
		{"2026-12-25", "Noël", false},
		{"2026-12-26", "", false}, // a Saturday; not a national holiday
		{"2026-12-04", "", true},  // a Friday
		{"2026-12-07", "", true},  // a Monday
		{"2026-04-03", "", true},  // Vendredi saint: Alsace-Moselle only
		{"2026-04-05", "", false}, // Easter is a Sunday
	} {
		d := date(c.day)
		if got := Name(d); got != c.name {
			t.Errorf("Name(%s) = %q, want %q", c.day, got, c.name)
		}
		if got := IsWorkingDay(d); got != c.working {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", c.day, got, c.working)
		}
	}
	// The calendar day counts, not the instant: 25 December at 23:30 in
	// Paris is still Christmas.
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if Name(time.Date(2026, 12, 25, 23, 30, 0, 0, paris)) != "Noël" {
		t.Error("the day in Paris was not used")
	}
}

func TestElevenHolidaysAYear(t *testing.T) {
	t.Parallel()
	for y := 2000; y <= 2100; y++ {
		n := 0
		for d := date("2000-01-01").AddDate(y-2000, 0, 0); d.Year() == y; d = d.AddDate(0, 0, 1) {
			if Name(d) != "" {
				n++
			}
		}
		// Ascension can fall on 1 or 8 May (2008: 1 May), two names one day.
		if n != 11 && n != 10 {
			t.Errorf("%d: %d public holidays", y, n)
		}
	}
}
