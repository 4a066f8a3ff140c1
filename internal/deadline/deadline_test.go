package deadline

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestDue: every rule of the catalogue with real-looking dates, including
// ends on a Saturday, a Sunday, 14 July, Easter Monday, Ascension, Whit
// Monday, 8 May, 15 August, 1 November, 25 December and 1 January chains,
// month ends and jours francs.
func TestDue(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, rule, trigger, raw, due string
		extended                      bool
		mention                       string // a step must contain it
	}{
		// Tribunal correctionnel, 10 days (498).
		{"weekday", "tc-appel", "2026-11-02", "2026-11-12", "2026-11-12", false, "jeudi 12 novembre 2026 à 24 heures"},
		{"Saturday", "tc-appel", "2026-11-11", "2026-11-21", "2026-11-23", true, "samedi 21 novembre 2026 (samedi)"},
		{"Sunday", "tc-appel", "2026-11-12", "2026-11-22", "2026-11-23", true, "dimanche 22 novembre 2026 (dimanche)"},
		{"Christmas Friday to Monday", "tc-appel", "2026-12-15", "2026-12-25", "2026-12-28", true, "vendredi 25 décembre 2026 (jour férié : Noël), samedi 26 décembre 2026 (samedi) et dimanche 27 décembre 2026 (dimanche)"},
		{"New Year Friday to Monday", "tc-appel", "2026-12-22", "2027-01-01", "2027-01-04", true, "jour férié : Jour de l'an"},
		{"14 July", "tc-appel", "2026-07-04", "2026-07-14", "2026-07-15", true, "jour férié : Fête nationale"},
		{"Easter Monday", "tc-appel", "2026-03-27", "2026-04-06", "2026-04-07", true, "jour férié : Lundi de Pâques"},
		{"Ascension", "tc-appel", "2026-05-04", "2026-05-14", "2026-05-15", true, "jour férié : Ascension"},
		{"Whit Monday", "tc-appel", "2026-05-15", "2026-05-25", "2026-05-26", true, "jour férié : Lundi de Pentecôte"},
		{"8 May Friday", "tc-appel", "2026-04-28", "2026-05-08", "2026-05-11", true, "jour férié : Victoire 1945"},
		{"signified", "tc-appel-signification", "2026-12-04", "2026-12-14", "2026-12-14", false, "signification de la décision le vendredi 4 décembre 2026"},
		// 500: 5 days after the end of the main window.
		{"incident", "tc-appel-incident", "2026-11-02", "2026-11-17", "2026-11-17", false, "fin du délai principal le jeudi 12 novembre 2026"},
		{"incident after an extended main window", "tc-appel-incident", "2026-11-25", "2026-12-10", "2026-12-10", false, "fin du délai principal le samedi 5 décembre 2026"},
		// 505: 20 days.
		{"procureur général", "tc-appel-pg", "2026-11-02", "2026-11-22", "2026-11-23", true, "20 jours"},
		// Cour d'assises, cour criminelle départementale (380-9, 380-10).
		{"assises", "criminel-appel", "2026-06-05", "2026-06-15", "2026-06-15", false, "art. 380-9 CPP"},
		{"assises Christmas", "criminel-appel", "2026-12-15", "2026-12-25", "2026-12-28", true, "Noël"},
		{"assises signified", "criminel-appel-signification", "2026-07-04", "2026-07-14", "2026-07-15", true, "Fête nationale"},
		{"assises incident", "criminel-appel-incident", "2026-06-05", "2026-06-20", "2026-06-22", true, "art. 380-10 CPP"},
		// Pourvoi, 5 jours francs (568): Crim. 13 janv. 2015, arrêt du
		// mardi 5 juin 2012, last day Monday 11 June (the pourvoi of
		// 12 June was late).
		{"jours francs Crim. 2015", "pourvoi", "2012-06-05", "2012-06-11", "2012-06-11", false, "le jour de départ (mardi 5 juin 2012) n'est pas compté ; 5 jours francs pleins du mercredi 6 juin 2012 au dimanche 10 juin 2012"},
		{"jours francs before Christmas", "pourvoi", "2026-12-18", "2026-12-24", "2026-12-24", false, "dernier jour utile le jeudi 24 décembre 2026"},
		{"jours francs to Sunday", "pourvoi", "2026-12-21", "2026-12-27", "2026-12-28", true, "dimanche 27 décembre 2026 (dimanche)"},
		{"jours francs 14 July", "pourvoi", "2026-07-08", "2026-07-14", "2026-07-15", true, "Fête nationale"},
		{"jours francs signified", "pourvoi-signification", "2026-12-04", "2026-12-10", "2026-12-10", false, "Délai franc"},
		// Juge d'instruction (186, 186-1).
		{"ordonnance 15 August Saturday", "ji-ordonnance", "2026-08-05", "2026-08-15", "2026-08-17", true, "samedi 15 août 2026 (jour férié : Assomption) et dimanche 16 août 2026 (dimanche)"},
		{"refus d'actes Toussaint", "ji-refus-actes", "2026-10-22", "2026-11-01", "2026-11-02", true, "jour férié : Toussaint"},
		// Avis de fin d'information (175).
		{"intention", "afi-intention", "2026-11-16", "2026-12-01", "2026-12-01", false, "15 jours"},
		{"intention Boxing Day", "afi-intention", "2026-12-11", "2026-12-26", "2026-12-28", true, "samedi 26 décembre 2026 (samedi)"},
		{"1 month to a Sunday", "afi-observations-detenu", "2026-12-31", "2027-01-31", "2027-02-01", true, "même quantième"},
		{"1 month, 29 January to 28 February", "afi-observations-detenu", "2027-01-29", "2027-02-28", "2027-03-01", true, "le 29 n'existe pas en février"},
		{"3 months, 30 November to 28 February", "afi-observations", "2026-11-30", "2027-02-28", "2027-03-01", true, "le 30 n'existe pas en février"},
		{"3 months, leap year", "afi-observations", "2027-11-30", "2028-02-29", "2028-02-29", false, "le 30 n'existe pas en février"},
		{"reply 10 days", "afi-reponse-detenu", "2026-12-04", "2026-12-14", "2026-12-14", false, "communication des réquisitions"},
		{"reply 1 month, 31 March to 30 April", "afi-reponse", "2026-03-31", "2026-04-30", "2026-04-30", false, "le 31 n'existe pas en avril"},
		{"reply 1 month to a Saturday", "afi-reponse", "2026-04-30", "2026-05-30", "2026-06-01", true, "samedi 30 mai 2026"},
		// Plainte avec constitution de partie civile (85): an opening date.
		{"CPC opens the day after 3 months, not moved", "cpc-apres-plainte", "2026-01-10", "2026-04-10", "2026-04-11", false, "recevable à compter du samedi 11 avril 2026"},
		{"CPC opens after month end", "cpc-apres-plainte", "2026-11-30", "2027-02-28", "2027-03-01", false, "le 30 n'existe pas en février"},
		{"CPC after refusal", "cpc-apres-refus", "2026-06-05", "2026-06-05", "2026-06-05", false, "recevable à compter du vendredi 5 juin 2026"},
		// Prescription: not moved by CPP 801.
		{"crime 20 years", "prescription-crime", "2026-03-17", "2046-03-17", "2046-03-17", false, "samedi 17 mars 2046"},
		{"crime on minor 30 years from majority on 29 February", "prescription-crime-mineur", "2028-02-29", "2058-02-28", "2058-02-28", false, "le 29 n'existe pas en février"},
		{"délit 6 years from 29 February", "prescription-delit", "2024-02-29", "2030-02-28", "2030-02-28", false, "le 29 n'existe pas en février"},
		{"délit on minor 10 years", "prescription-delit-mineur", "2027-09-01", "2037-09-01", "2037-09-01", false, "10 ans"},
		{"délit 227-26 on minor 20 years, Sunday", "prescription-delit-mineur-20", "2027-09-01", "2047-09-01", "2047-09-01", false, "dimanche 1er septembre 2047"},
		// Opposition (491, 492).
		{"opposition", "opposition", "2026-12-15", "2026-12-25", "2026-12-28", true, "Noël"},
		{"opposition outside metropolitan France", "opposition-hors-metropole", "2026-11-25", "2026-12-25", "2026-12-28", true, "1 mois"},
		// Manual dates: never moved.
		{"manual", "manuel-conclusions", "2026-12-10", "2026-12-10", "2026-12-10", false, "Date fixée par la juridiction"},
		{"hearing", "manuel-audience", "2026-12-26", "2026-12-26", "2026-12-26", false, "n'est ni calculée ni reportée"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, err := DueByID(c.rule, day(c.trigger), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.RawEnd.Format(time.DateOnly); got != c.raw {
				t.Errorf("%s from %s: raw end %s, want %s", c.rule, c.trigger, got, c.raw)
			}
			if got := res.Due.Format(time.DateOnly); got != c.due {
				t.Errorf("%s from %s: due %s, want %s\n%s", c.rule, c.trigger, got, c.due, strings.Join(res.Steps, "\n"))
			}
			if res.Extended != c.extended {
				t.Errorf("extended = %v, want %v", res.Extended, c.extended)
			}
			if all := strings.Join(res.Steps, "\n"); !strings.Contains(all, c.mention) {
				t.Errorf("no step mentions %q:\n%s", c.mention, all)
			}
			if res.Ref.Code != CPP || res.RuleID != c.rule {
				t.Errorf("ref %+v, rule %s", res.Ref, res.RuleID)
			}
		})
	}
}

func TestExplanationOfAChristmasChain(t *testing.T) {
	t.Parallel()
	res, err := DueByID("tc-appel", day("2026-12-15"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Règle : Appel d'un jugement contradictoire du tribunal correctionnel — art. 498 al. 1 CPP.",
		"Événement déclencheur : prononcé de la décision le mardi 15 décembre 2026.",
		"Le jour de départ n'est pas compté : le délai court à partir du mercredi 16 décembre 2026.",
		"10 jours : fin du délai le vendredi 25 décembre 2026 à 24 heures.",
		"Un délai qui expire un samedi, un dimanche ou un jour férié est prorogé jusqu'au premier jour ouvrable suivant (art. 801 CPP) : vendredi 25 décembre 2026 (jour férié : Noël), samedi 26 décembre 2026 (samedi) et dimanche 27 décembre 2026 (dimanche).",
		"Échéance : le lundi 28 décembre 2026 à 24 heures.",
	}
	if strings.Join(res.Steps, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(res.Steps, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %v", res.Warnings)
	}
}

// The appel incident counts from the unextended end of the main window (the
// prudent reading) and says what the other reading would give.
func TestIncidentAfterAnExtendedMainWindowWarns(t *testing.T) {
	t.Parallel()
	res, err := DueByID("tc-appel-incident", day("2026-11-25"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(res.Warnings, "\n")
	if !strings.Contains(w, "prorogé au lundi 7 décembre 2026") || !strings.Contains(w, "donnerait le lundi 14 décembre 2026") {
		t.Errorf("warnings: %s", w)
	}
	if res.Due.Format(time.DateOnly) != "2026-12-10" {
		t.Errorf("due %s", res.Due.Format(time.DateOnly))
	}
}

// The code version is chosen by the trigger date: the current CPP until
// 31 December 2028, the recodified code (ordonnance 2025-1091) from
// 1 January 2029, whose numbering is not known and whose use is flagged.
func TestCodeVersionSwitch(t *testing.T) {
	t.Parallel()
	before, err := DueByID("tc-appel", day("2028-12-21"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if before.Ref.Code != CPP || before.Ref.Article != "498 al. 1" || len(before.Warnings) != 0 {
		t.Errorf("2028-12-21: %+v %v", before.Ref, before.Warnings)
	}
	// 31 December 2028 is a Sunday, 1 January 2029 a holiday.
	if got := before.Due.Format(time.DateOnly); got != "2029-01-02" {
		t.Errorf("2028-12-21: due %s, want 2029-01-02", got)
	}
	last, _ := DueByID("tc-appel", day("2028-12-31"), Options{})
	if last.Ref.Code != CPP {
		t.Errorf("2028-12-31 applies %s", last.Ref.Code)
	}
	after, err := DueByID("tc-appel", day("2029-01-03"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Ref.Code != CPP2029 || after.Ref.Article != "" {
		t.Errorf("2029-01-03: %+v", after.Ref)
	}
	if got := after.Due.Format(time.DateOnly); got != "2029-01-15" {
		t.Errorf("2029-01-03: due %s, want 2029-01-15", got)
	}
	steps := strings.Join(after.Steps, "\n")
	if !strings.Contains(steps, "art. L1322-1 à L1322-6 CPP-2029") || !strings.Contains(steps, "CPP-2029 (numéro d'article inconnu)") {
		t.Errorf("2029 steps: %s", steps)
	}
	if w := strings.Join(after.Warnings, "\n"); !strings.Contains(w, "ordonnance 2025-1091") || !strings.Contains(w, "art. 498 al. 1 CPP") {
		t.Errorf("2029 warnings: %s", w)
	}
	first, _ := DueByID("tc-appel", day("2029-01-01"), Options{})
	if first.Ref.Code != CPP2029 {
		t.Errorf("2029-01-01 applies %s", first.Ref.Code)
	}
}

// A trigger given in Europe/Paris late in the evening is that calendar day.
func TestTriggerIsTheCalendarDayOfItsLocation(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	res, err := DueByID("tc-appel", time.Date(2026, 12, 15, 23, 30, 0, 0, paris), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Trigger.Format(time.DateOnly) != "2026-12-15" || res.Due.Format(time.DateOnly) != "2026-12-28" {
		t.Errorf("trigger %s due %s", res.Trigger, res.Due)
	}
}

func TestManualDateOnAWeekendWarns(t *testing.T) {
	t.Parallel()
	res, err := DueByID("manuel-audience", day("2026-12-26"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "samedi") {
		t.Errorf("warnings: %v", res.Warnings)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	if _, err := DueByID("tc-appel", time.Time{}, Options{}); !errors.Is(err, ErrNoDate) {
		t.Errorf("zero date: %v", err)
	}
	if _, err := DueByID("nope", day("2026-01-01"), Options{}); !errors.Is(err, ErrUnknownRule) {
		t.Errorf("unknown rule: %v", err)
	}
	r, _ := Lookup("tc-appel")
	r.Refs = r.Refs[1:]
	if _, err := Due(r, day("2026-01-05"), Options{}); !errors.Is(err, ErrNoVersion) {
		t.Errorf("no version: %v", err)
	}
}

func TestMonthArithmetic(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-08-31", 3, "2026-11-30"},
		{"2026-12-31", 2, "2027-02-28"},
		{"2026-10-15", 3, "2027-01-15"},
		{"2028-02-29", 12, "2029-02-28"},
		{"2026-05-31", -1, "2026-04-30"},
	} {
		if got := addMonthsClamped(day(c.from), c.n).Format(time.DateOnly); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestLong(t *testing.T) {
	t.Parallel()
	for d, want := range map[string]string{
		"2026-12-25": "vendredi 25 décembre 2026",
		"2027-01-01": "vendredi 1er janvier 2027",
		"2026-08-15": "samedi 15 août 2026",
	} {
		if got := Long(day(d)); got != want {
			t.Errorf("Long(%s) = %q, want %q", d, got, want)
		}
	}
}
