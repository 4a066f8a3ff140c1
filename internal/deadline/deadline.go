// Package deadline is the catalogue of the French criminal-procedure
// deadline rules (délais) a civil party must meet, and the computation of
// their due dates. It is pure: no database, no I/O, no clock.
//
// Every rule names the article it applies per code version (the current
// Code de procédure pénale, "CPP", and the code recodified by ordonnance
// 2025-1091, "CPP-2029", whose article numbers are mostly unknown yet), its
// triggering event, its duration and how it is counted. Due computes the
// last day of a délai and explains each step in French, so a jurist can
// check it. The legal readings are in docs/deadlines.md; that page's
// catalogue table is generated from Rules (TestDeadlinesDocMatchesCatalogue).
//
// Dates are calendar days: the year, month and day of a time.Time in its
// own location (like holiday.Name); results are at UTC midnight. A délai
// expires at 24:00 on its last day (CPP 801).
package deadline

import (
	"errors"
	"fmt"
	"time"

	"github.com/egide/egide/internal/holiday"
)

// CodeVersion names a code whose article numbering a rule cites.
type CodeVersion string

// Code versions.
const (
	// CPP is the Code de procédure pénale as numbered today.
	CPP CodeVersion = "CPP"
	// CPP2029 is the code recodified by ordonnance 2025-1091 of
	// 19 November 2025 (in force 1 January 2029 per REFERENCE.md, "maybe
	// 2030").
	CPP2029 CodeVersion = "CPP-2029"
)

// Recodification is the first day the recodified code is taken to apply
// (ordonnance 2025-1091: 1 January 2029; REFERENCE.md says "maybe 2030").
// A trigger on or after it selects a rule's CPP-2029 reference.
var Recodification = time.Date(2029, time.January, 1, 0, 0, 0, 0, time.UTC)

// CountingArticle is the article that states how délais are counted (ends at
// 24:00, Saturday/Sunday/holiday → next working day) in each code version.
var CountingArticle = map[CodeVersion]string{
	CPP:     "801",
	CPP2029: "L1322-1 à L1322-6",
}

// Unit is the unit of a duration.
type Unit string

// Units.
const (
	Days      Unit = "days"         // jours
	ClearDays Unit = "jours_francs" // jours francs: neither the trigger day nor the last day counts
	Months    Unit = "months"       // mois, same day of the month
	Years     Unit = "years"        // années, same day and month
)

// Duration is a length of time in one unit.
type Duration struct {
	N    int
	Unit Unit
}

// Kind says what the computed date means.
type Kind string

// Kinds of rule.
const (
	// Limit: a délai that expires; act at the latest on Due (24:00).
	// Extended by CPP 801.
	Limit Kind = "limit"
	// Opens: an act admissible only from Due (e.g. CPP 85). Not extended.
	Opens Kind = "opens"
	// Prescription: the public action is time-barred after Due. Not
	// extended (REFERENCE.md does not say CPP 801 applies; not extending is
	// the prudent reading).
	Prescription Kind = "prescription"
	// Manual: a date the court set; Due is that date, never moved.
	Manual Kind = "manual"
)

// Trigger is the kind of event a rule counts from.
type Trigger string

// Triggering events.
const (
	JudgmentDelivered        Trigger = "judgment_delivered"        // prononcé du jugement ou de l'arrêt
	JudgmentSignified        Trigger = "judgment_signified"        // signification de la décision
	OrdonnanceNotified       Trigger = "ordonnance_notified"       // notification ou signification de l'ordonnance
	AvisFinInformationSent   Trigger = "avis_fin_information_sent" // envoi de l'avis de fin d'information
	RequisitionsCommunicated Trigger = "requisitions_communicated" // communication des réquisitions ou observations
	ComplaintFiled           Trigger = "complaint_filed"           // dépôt de la plainte simple
	ProsecutorRefusal        Trigger = "prosecutor_refusal"        // refus de poursuivre du procureur
	OffenceCommitted         Trigger = "offence_committed"         // jour des faits
	VictimMajority           Trigger = "victim_majority"           // majorité de la victime
	DateSetByCourt           Trigger = "date_set_by_court"         // date fixée par la juridiction
	HearingDate              Trigger = "hearing_date"              // date d'audience
)

// TriggerTitle is the French name of each trigger.
var TriggerTitle = map[Trigger]string{
	JudgmentDelivered:        "prononcé de la décision",
	JudgmentSignified:        "signification de la décision",
	OrdonnanceNotified:       "notification ou signification de l'ordonnance",
	AvisFinInformationSent:   "envoi de l'avis de fin d'information",
	RequisitionsCommunicated: "communication des réquisitions ou observations",
	ComplaintFiled:           "dépôt de la plainte",
	ProsecutorRefusal:        "refus de poursuivre du procureur",
	OffenceCommitted:         "jour des faits",
	VictimMajority:           "majorité de la victime",
	DateSetByCourt:           "date fixée par la juridiction",
	HearingDate:              "date d'audience",
}

// Party is who a rule concerns.
type Party string

// Parties.
const (
	CivilParty         Party = "civil_party"
	Defendant          Party = "defendant"
	Prosecutor         Party = "prosecutor"
	ProsecutorGeneral  Party = "prosecutor_general"
	PersonUnderInquiry Party = "mis_en_examen"
	Complainant        Party = "complainant"
)

// PartyTitle is the French name of each party.
var PartyTitle = map[Party]string{
	CivilParty:         "partie civile",
	Defendant:          "prévenu ou accusé",
	Prosecutor:         "ministère public",
	ProsecutorGeneral:  "procureur général",
	PersonUnderInquiry: "personne mise en examen",
	Complainant:        "plaignant",
}

// Ref is the article a rule applies in one code version, and when that
// version applies (by the trigger date). Zero From or To is open-ended. An
// empty Article means the numbering is not known yet.
type Ref struct {
	Code    CodeVersion
	Article string
	From    time.Time
	To      time.Time // last day included
}

// Covers reports whether the version applies to a trigger on day d.
func (r Ref) Covers(d time.Time) bool {
	d = civil(d)
	return (r.From.IsZero() || !d.Before(r.From)) && (r.To.IsZero() || !d.After(r.To))
}

// Cite is the reference as a French citation ("art. 498 CPP").
func (r Ref) Cite() string {
	if r.Article == "" {
		return fmt.Sprintf("%s (numéro d'article inconnu)", r.Code)
	}
	return fmt.Sprintf("art. %s %s", r.Article, r.Code)
}

// Rule is one deadline rule of the catalogue.
type Rule struct {
	ID        string
	Title     string // French title
	AppliesTo string // French: the decision or act it applies to
	Kind      Kind
	Refs      []Ref // per code version, in date order, contiguous
	Trigger   Trigger
	// Follows is the id of a rule whose window this one extends: the
	// duration counts from the last day of that rule's window computed
	// from the same trigger (appel incident, CPP 500 and 380-10).
	Follows  string
	Duration Duration
	Concerns []Party
	Limits   []string // limits on the right (e.g. civil interests only)
	Source   string   // French summary of the text applied
	Notes    []string // readings and uncertain points
}

// Ref returns the version of the rule that applies to a trigger on day d.
func (r Rule) Ref(d time.Time) (Ref, bool) {
	for _, ref := range r.Refs {
		if ref.Covers(d) {
			return ref, true
		}
	}
	return Ref{}, false
}

// Current is the rule's reference in today's CPP numbering.
func (r Rule) Current() Ref {
	for _, ref := range r.Refs {
		if ref.Code == CPP {
			return ref
		}
	}
	return Ref{}
}

// Result is a computed date and how it was reached.
type Result struct {
	RuleID  string
	Ref     Ref       // the version applied (chosen by the trigger date)
	Trigger time.Time // the day of the event
	RawEnd  time.Time // the end of the duration before any extension
	Due     time.Time // Limit: last day (24:00); Opens: first day; Prescription: last day; Manual: the date
	// Latest, for a prescription counted from an age rather than a date
	// of majority, is the latest possible end (Due is the earliest).
	Latest   time.Time
	Extended bool     // CPP 801 moved the end
	Steps    []string // the explanation, in French
	Warnings []string // what the jurist must check, in French
}

// Options refine a computation. None exists yet: the délai de distance for
// parties abroad is an uncertain point (REFERENCE.md) and is not applied;
// when it is settled it belongs here.
type Options struct{}

// Errors.
var (
	ErrNoDate      = errors.New("deadline: the trigger date is missing")
	ErrUnknownRule = errors.New("deadline: unknown rule")
	ErrNoVersion   = errors.New("deadline: no version of the rule covers the trigger date")
	ErrAge         = errors.New("deadline: the age at the facts must be between 0 and 17")
	ErrCategory    = errors.New("deadline: unknown offence category")
)

// Due computes the date of rule r for an event on day trigger.
func Due(r Rule, trigger time.Time, _ Options) (Result, error) {
	if trigger.IsZero() {
		return Result{}, ErrNoDate
	}
	t := civil(trigger)
	ref, ok := r.Ref(t)
	if !ok {
		return Result{}, fmt.Errorf("%w: %s on %s", ErrNoVersion, r.ID, t.Format(time.DateOnly))
	}
	res := Result{RuleID: r.ID, Ref: ref, Trigger: t}
	cite := ref.Cite()
	if r.Kind == Manual {
		cite = "date fixée par la juridiction"
	}
	res.step("Règle : %s — %s.", r.Title, cite)
	res.step("Événement déclencheur : %s le %s.", TriggerTitle[r.Trigger], Long(t))
	if ref.Code == CPP2029 {
		res.warn("Déclencheur à compter du %s : le code recodifié (ordonnance 2025-1091) s'applique ; %s ; la durée reprise est celle du code actuel (%s) — à vérifier dans le nouveau texte.",
			Long(Recodification), numbering(ref), r.Current().Cite())
	}
	if r.Kind == Manual {
		res.RawEnd, res.Due = t, t
		res.step("Date fixée par la juridiction : le %s. Elle n'est ni calculée ni reportée.", Long(t))
		if !holiday.IsWorkingDay(t) {
			res.warn("Le %s n'est pas un jour ouvrable (%s) : vérifier la date fixée.", Long(t), why(t))
		}
		return res, nil
	}
	start := t
	if r.Follows != "" {
		main, ok := Lookup(r.Follows)
		if !ok {
			return Result{}, fmt.Errorf("%w: %s follows %s", ErrUnknownRule, r.ID, r.Follows)
		}
		m, err := Due(main, t, Options{})
		if err != nil {
			return Result{}, err
		}
		start = m.RawEnd
		res.step("Ce délai s'ajoute à celui de la règle « %s » : fin du délai principal le %s.", main.Title, Long(m.RawEnd))
		if m.Extended {
			alt := add(m.Due, r.Duration)
			alt = nextWorkingDay(alt)
			res.warn("Le délai principal a été prorogé au %s (art. 801). Égide fait courir ce délai-ci de la fin non prorogée du délai principal (lecture prudente) ; une lecture qui partirait de la fin prorogée donnerait le %s — à vérifier.",
				Long(m.Due), Long(alt))
		}
	}
	res.RawEnd = add(start, r.Duration)
	switch r.Duration.Unit {
	case Days:
		if r.Duration.N == 0 {
			break
		}
		res.step("Le jour de départ n'est pas compté : le délai court à partir du %s.", Long(start.AddDate(0, 0, 1)))
		res.step("%s : fin du délai le %s à 24 heures.", r.Duration.French(), Long(res.RawEnd))
	case ClearDays:
		res.step("Délai franc : le jour de départ (%s) n'est pas compté ; %s pleins du %s au %s.",
			Long(start), r.Duration.French(), Long(start.AddDate(0, 0, 1)), Long(start.AddDate(0, 0, r.Duration.N)))
		res.step("Le jour de l'échéance n'est pas compté non plus : dernier jour utile le %s à 24 heures.", Long(res.RawEnd))
	case Months, Years:
		same := time.Date(start.Year()+yearsOf(r.Duration), start.Month()+time.Month(monthsOf(r.Duration)), 1, 0, 0, 0, 0, time.UTC)
		if res.RawEnd.Day() != start.Day() {
			res.step("%s à compter du %s : le %d n'existe pas en %s, le délai finit le dernier jour du mois, le %s.",
				r.Duration.French(), Long(start), start.Day(), monthName(same), Long(res.RawEnd))
		} else {
			res.step("%s à compter du %s : même quantième, le %s.", r.Duration.French(), Long(start), Long(res.RawEnd))
		}
	}
	res.Due = res.RawEnd
	switch r.Kind {
	case Limit:
		if !holiday.IsWorkingDay(res.RawEnd) {
			res.Due = nextWorkingDay(res.RawEnd)
			res.Extended = true
			var skipped []string
			for d := res.RawEnd; d.Before(res.Due); d = d.AddDate(0, 0, 1) {
				skipped = append(skipped, fmt.Sprintf("%s (%s)", Long(d), why(d)))
			}
			res.step("Un délai qui expire un samedi, un dimanche ou un jour férié est prorogé jusqu'au premier jour ouvrable suivant (art. %s %s) : %s.",
				CountingArticle[ref.Code], ref.Code, join(skipped))
		}
		res.step("Échéance : le %s à 24 heures.", Long(res.Due))
	case Opens:
		if r.Duration.N == 0 {
			res.step("L'acte est recevable à compter du %s.", Long(res.Due))
			break
		}
		res.Due = res.RawEnd.AddDate(0, 0, 1)
		res.step("Le délai doit être écoulé : l'acte est recevable à compter du %s (lecture prudente, sans report).", Long(res.Due))
	case Prescription:
		res.step("Dernier jour pour mettre en mouvement l'action publique : le %s ; prescription acquise le lendemain (sans report de week-end ou de jour férié : lecture prudente).", Long(res.Due))
	}
	return res, nil
}

func numbering(r Ref) string {
	if r.Article == "" {
		return "son numéro d'article n'est pas encore connu"
	}
	return "article " + r.Article
}

// French is the duration in French ("10 jours", "5 jours francs", "3 mois").
func (d Duration) French() string {
	plural := func(one, many string) string {
		if d.N > 1 {
			return many
		}
		return one
	}
	if d.N == 0 {
		return "sans délai"
	}
	switch d.Unit {
	case Days:
		return fmt.Sprintf("%d %s", d.N, plural("jour", "jours"))
	case ClearDays:
		return fmt.Sprintf("%d %s", d.N, plural("jour franc", "jours francs"))
	case Months:
		return fmt.Sprintf("%d mois", d.N)
	case Years:
		return fmt.Sprintf("%d %s", d.N, plural("an", "ans"))
	}
	return fmt.Sprintf("%d %s", d.N, d.Unit)
}

// add returns the last day of a duration counted from day start: start
// itself does not count (dies a quo), so 10 days from the 1st end on the
// 11th; jours francs add one more day (the last day does not count either,
// Crim. 7 févr. 1989, n° 88-84.512); months and years land on the same day
// of the month, or the last day of the month when that day does not exist.
func add(start time.Time, d Duration) time.Time {
	switch d.Unit {
	case Days:
		return start.AddDate(0, 0, d.N)
	case ClearDays:
		return start.AddDate(0, 0, d.N+1)
	case Months, Years:
		return addMonthsClamped(start, yearsOf(d)*12+monthsOf(d))
	}
	panic("deadline: unknown unit " + string(d.Unit))
}

func yearsOf(d Duration) int {
	if d.Unit == Years {
		return d.N
	}
	return 0
}

func monthsOf(d Duration) int {
	if d.Unit == Months {
		return d.N
	}
	return 0
}

// addMonthsClamped adds n months to d, keeping the day of the month or
// taking the month's last day when it has fewer days (31 January + 1 month
// = 28 or 29 February; 29 February + 1 year = 28 February).
func addMonthsClamped(d time.Time, n int) time.Time {
	first := time.Date(d.Year(), d.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d.Day(), last), 0, 0, 0, 0, time.UTC)
}

func nextWorkingDay(d time.Time) time.Time {
	for !holiday.IsWorkingDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// why says why a day is not a working day, in French.
func why(d time.Time) string {
	if n := holiday.Name(d); n != "" {
		return "jour férié : " + n
	}
	switch d.Weekday() {
	case time.Saturday:
		return "samedi"
	case time.Sunday:
		return "dimanche"
	}
	return "jour ouvrable"
}

// civil is the calendar day of t (in t's location) at UTC midnight.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (res *Result) step(format string, a ...any) {
	res.Steps = append(res.Steps, fmt.Sprintf(format, a...))
}

func (res *Result) warn(format string, a ...any) {
	res.Warnings = append(res.Warnings, fmt.Sprintf(format, a...))
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		switch {
		case i == 0:
		case i == len(s)-1:
			out += " et "
		default:
			out += ", "
		}
		out += x
	}
	return out
}

var weekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

func monthName(d time.Time) string { return months[d.Month()-1] }

// Long is a day in French: "vendredi 25 décembre 2026" ("1er" for the first).
func Long(d time.Time) string {
	day := fmt.Sprint(d.Day())
	if d.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %s %d", weekdays[d.Weekday()], day, monthName(d), d.Year())
}
