package deadline

import (
	"fmt"
	"time"
)

// Category is the kind of offence that selects a prescription rule. The
// jurist chooses it: whether an offence falls under CPP 706-47 is a legal
// qualification (and an uncertain point for 227-23 and 225-4-1), never
// guessed from an article number.
type Category string

// Offence categories (loi 2021-478, as stated in REFERENCE.md).
const (
	Crime              Category = "crime"                 // 20 years from the facts
	CrimeOnMinor       Category = "crime_706_47_minor"    // 30 years from majority
	Delit              Category = "delit"                 // 6 years from the facts
	DelitOnMinor       Category = "delit_706_47_minor"    // 10 years from majority
	DelitOnMinorAggrav Category = "delit_222_29_1_227_26" // 20 years from majority
)

// PrescriptionRule maps each category to its rule id.
var PrescriptionRule = map[Category]string{
	Crime:              "prescription-crime",
	CrimeOnMinor:       "prescription-crime-mineur",
	Delit:              "prescription-delit",
	DelitOnMinor:       "prescription-delit-mineur",
	DelitOnMinorAggrav: "prescription-delit-mineur-20",
}

// Facts are what the jurist gives to compute a prescription: never a date
// of birth. For a rule counted from majority, either Majority (the date the
// victim turned 18) or AgeAtFacts (completed years on FactsDate); given
// both, Majority is used and must agree with the age.
type Facts struct {
	Category   Category
	FactsDate  time.Time // the day the offence was committed (the last day, for a continuing one)
	Majority   time.Time // optional: the victim's 18th birthday
	AgeAtFacts *int      // optional: the victim's age on FactsDate, 0 to 17
}

// Majority bounds the date a victim aged age (completed years) on day facts
// turned or turns 18: born after facts−(age+1) years and on or before
// facts−age years, so the majority falls after facts+(17−age) years and on
// or before facts+(18−age) years. It returns the earliest and latest
// possible days.
func Majority(facts time.Time, age int) (earliest, latest time.Time, err error) {
	if age < 0 || age > 17 {
		return time.Time{}, time.Time{}, ErrAge
	}
	f := civil(facts)
	latest = addMonthsClamped(f, (18-age)*12)
	earliest = addMonthsClamped(f, (17-age)*12).AddDate(0, 0, 1)
	return earliest, latest, nil
}

// Prescribe computes the last day before the public action is time-barred
// (Due), for the rule of the facts' category. Counted from an age, Due is
// the earliest possible end (the prudent date) and Latest the latest.
func Prescribe(f Facts) (Result, error) {
	id, ok := PrescriptionRule[f.Category]
	if !ok {
		return Result{}, fmt.Errorf("%w: %q", ErrCategory, f.Category)
	}
	r, _ := Lookup(id)
	if f.FactsDate.IsZero() {
		return Result{}, ErrNoDate
	}
	facts := civil(f.FactsDate)
	var res Result
	var err error
	switch {
	case r.Trigger == OffenceCommitted:
		res, err = Due(r, facts, Options{})
	case !f.Majority.IsZero():
		m := civil(f.Majority)
		if m.Before(facts) {
			return Result{}, fmt.Errorf("deadline: majority %s before the facts %s: not a minor at the facts",
				m.Format(time.DateOnly), facts.Format(time.DateOnly))
		}
		if f.AgeAtFacts != nil {
			earliest, latest, aerr := Majority(facts, *f.AgeAtFacts)
			if aerr != nil {
				return Result{}, aerr
			}
			if m.Before(earliest) || m.After(latest) {
				return Result{}, fmt.Errorf("%w: majority %s does not match the age %d at the facts %s",
					ErrAge, m.Format(time.DateOnly), *f.AgeAtFacts, facts.Format(time.DateOnly))
			}
		}
		res, err = Due(r, m, Options{})
		if err == nil {
			res.Steps = append([]string{fmt.Sprintf("Faits du %s ; majorité de la victime le %s (date donnée par le juriste).", Long(facts), Long(m))}, res.Steps...)
		}
	case f.AgeAtFacts != nil:
		earliest, latest, aerr := Majority(facts, *f.AgeAtFacts)
		if aerr != nil {
			return Result{}, aerr
		}
		res, err = Due(r, earliest, Options{})
		if err != nil {
			return Result{}, err
		}
		late, lerr := Due(r, latest, Options{})
		if lerr != nil {
			return Result{}, lerr
		}
		res.Latest = late.Due
		res.Steps = append([]string{
			fmt.Sprintf("Faits du %s, victime âgée de %d ans : majorité entre le %s et le %s (la date de naissance n'est pas connue d'Égide).",
				Long(facts), *f.AgeAtFacts, Long(earliest), Long(latest)),
			fmt.Sprintf("Date la plus proche retenue (lecture prudente) : majorité le %s.", Long(earliest)),
		}, res.Steps...)
		res.warn("Selon la date de naissance exacte, la prescription peut n'être acquise qu'après le %s : seule la date du %s est sûre.", Long(late.Due), Long(res.Due))
	default:
		return Result{}, fmt.Errorf("deadline: rule %s counts from majority: give the date of majority or the age at the facts", id)
	}
	if err != nil {
		return Result{}, err
	}
	if facts.Before(law2021) {
		res.warn("Faits antérieurs à la loi 2021-478 du 21 avril 2021 : les délais et règles transitoires applicables à ces faits sont à vérifier.")
	}
	if r.Trigger == VictimMajority {
		res.warn("Prescription glissante (loi 2021-478) non calculée : une infraction de même nature commise par le même auteur sur un autre mineur peut prolonger ce délai.")
	}
	return res, nil
}

var law2021 = time.Date(2021, time.April, 21, 0, 0, 0, 0, time.UTC)
