// Package holiday knows the French public holidays (jours fériés) and so
// which calendar days are working days: courts do not sit on them, and the
// deadlines of French procedure that end on one move to the next working
// day (CPP 801).
package holiday

import "time"

// Name returns the French name of the public holiday of Code du travail
// L3133-1 (the national list) on the
// calendar day of d (its year, month and day, whatever its location), or ""
// when d is not one. Alsace-Moselle's two extra days (Vendredi saint,
// 26 December) are not national and not included.
func Name(d time.Time) string {
	y, m, day := d.Date()
	switch {
	case m == time.January && day == 1:
		return "Jour de l'an"
	case m == time.May && day == 1:
		return "Fête du Travail"
	case m == time.May && day == 8:
		return "Victoire 1945"
	case m == time.July && day == 14:
		return "Fête nationale"
	case m == time.August && day == 15:
		return "Assomption"
	case m == time.November && day == 1:
		return "Toussaint"
	case m == time.November && day == 11:
		return "Armistice 1918"
	case m == time.December && day == 25:
		return "Noël"
	}
	easter := Easter(y)
	on := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	switch on.Sub(easter) / (24 * time.Hour) {
	case 1:
		return "Lundi de Pâques"
	case 39:
		return "Ascension"
	case 50:
		return "Lundi de Pentecôte"
	}
	return ""
}

// IsWorkingDay reports whether the calendar day of d is neither a Saturday,
// a Sunday nor a national public holiday.
func IsWorkingDay(d time.Time) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && Name(d) == ""
}

// Easter returns Easter Sunday of year y in the Gregorian calendar, at UTC
// midnight (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher").
func Easter(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
