package demo

import (
	"time"

	"github.com/egide/egide/internal/holiday"
)

// Hearing times: courts sit at 09:00 or in the afternoon.
var (
	morning   = [2]int{9, 0}
	afternoon = [][2]int{{13, 30}, {14, 0}}
)

func (g *gen) timeOn(d time.Time, h, m int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, g.paris)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// weekdayAfter moves a day when courts do not sit (a weekend day or a
// public holiday) to the next working day.
func weekdayAfter(d time.Time) time.Time {
	for !holiday.IsWorkingDay(d) {
		d = day(d, 1)
	}
	return d
}

// weekdayBefore moves a day when courts do not sit to the previous working
// day.
func weekdayBefore(d time.Time) time.Time {
	for !holiday.IsWorkingDay(d) {
		d = day(d, -1)
	}
	return d
}

// soon is a weekday 1 to 8 weeks after today, between lo and hi days.
func (g *gen) soon(lo, hi int) time.Time {
	return weekdayAfter(day(g.today, g.between(lo, hi)))
}

// hearing builds a hearing on date d; the caller sets status and notes.
func (g *gen) hearing(d *dossierRow, p *proceedingRow, kind string, on time.Time, room string) hearingRow {
	slot := morning
	if g.r.IntN(2) == 0 || kind == "deliberation" {
		slot = afternoon[g.r.IntN(len(afternoon))]
	}
	start := g.timeOn(on, slot[0], slot[1])
	var length time.Duration
	switch kind {
	case "trial", "pleading":
		length = 3*time.Hour + 30*time.Minute
		if slot != morning {
			length = 4 * time.Hour
		}
	case "party_hearing":
		length = 2 * time.Hour
	default:
		length = time.Hour
	}
	end := start.Add(length)
	attendees := []string{"juriste", "avocate partenaire"}
	switch kind {
	case "deliberation":
		attendees = []string{"juriste"}
	case "party_hearing", "adjournment":
		attendees = []string{"avocate partenaire"}
	case "trial":
		if g.r.IntN(3) == 0 {
			attendees = append(attendees, "chargée de plaidoyer")
		}
	}
	return hearingRow{id: g.id(), dossierID: d.id, proceedingID: p.id, kind: kind, startsAt: start, endsAt: &end,
		courtRoom: room, attendees: attendees, status: "scheduled"}
}

func (g *gen) scheduled(h hearingRow) {
	if g.r.IntN(5) == 0 {
		h.moved = 1
	}
	g.p.hearings = append(g.p.hearings, h)
}

func (g *gen) held(h hearingRow, note string) {
	h.status, h.outcomeNote = "held", note
	g.p.hearings = append(g.p.hearings, h)
}

func (g *gen) hearings(d *dossierRow, procs []proceedingRow, trialKind string) {
	long := trialKind == "cour_criminelle_departementale" || trialKind == "cour_assises"
	for k := range procs {
		p := &procs[k]
		switch {
		case p.stage == stInvestigation:
			g.investigationHearings(d, p)
		case p.stage != stTrial && p.stage != stAppeal:
		case p.endedOn != nil:
			g.pastTrial(d, p, long)
		default:
			g.ongoingTrial(d, p, long)
		}
	}
}

// investigationHearings: the judge hears the civil party.
func (g *gen) investigationHearings(d *dossierRow, p *proceedingRow) {
	last := day(g.today, -2)
	if p.endedOn != nil {
		last = *p.endedOn
	}
	if span := int(last.Sub(p.startedOn).Hours()/24) - 30; span > 0 && g.r.IntN(2) == 0 {
		on := weekdayBefore(day(p.startedOn, 30+g.r.IntN(span)))
		g.held(g.hearing(d, p, "party_hearing", on, p.chamber),
			"Audition de la partie civile par le juge d'instruction ; demande d'actes déposée")
	}
	if p.endedOn == nil && g.r.IntN(2) == 0 {
		g.scheduled(g.hearing(d, p, "party_hearing", g.soon(7, 53), p.chamber))
	}
}

// pastTrial: the trial was held, then the decision delivered on the
// day the proceeding ended.
func (g *gen) pastTrial(d *dossierRow, p *proceedingRow, long bool) {
	room := g.pick(courtRooms)
	end := *p.endedOn
	on := weekdayAfter(maxDate(day(end, -g.between(14, 42)), p.startedOn))
	g.held(g.hearing(d, p, "trial", on, room), "Débats tenus ; plaidoirie de l'avocate de l'association")
	if long {
		g.held(g.hearing(d, p, "pleading", weekdayAfter(day(on, 1)), room), "Réquisitions et plaidoiries")
	}
	g.held(g.hearing(d, p, "deliberation", maxDate(weekdayBefore(end), on), room), "Décision rendue")
}

// ongoingTrial: a few past hearings (adjourned or cancelled), and the
// next ones within eight weeks.
func (g *gen) ongoingTrial(d *dossierRow, p *proceedingRow, long bool) {
	r := g.r
	room := g.pick(courtRooms)
	lo, hi := day(p.startedOn, 7), day(g.today, -2)
	span := int(hi.Sub(lo).Hours() / 24)
	if span > 0 {
		for range r.IntN(3) {
			on := weekdayBefore(day(lo, r.IntN(span)))
			if r.IntN(3) == 0 {
				h := g.hearing(d, p, "trial", on, room)
				h.status, h.cancelReason = "cancelled", g.pick(cancelReasons)
				g.p.hearings = append(g.p.hearings, h)
			} else {
				g.held(g.hearing(d, p, "adjournment", on, room), g.pick(adjournmentNotes))
			}
		}
	}
	scenario := r.IntN(3)
	if scenario == 1 && span <= 0 {
		scenario = 0
	}
	switch scenario {
	case 0: // trial to come, then the decision
		on := g.soon(7, 35)
		g.scheduled(g.hearing(d, p, "trial", on, room))
		if long {
			on = weekdayAfter(day(on, 1))
			g.scheduled(g.hearing(d, p, "pleading", on, room))
		}
		if deliberation := weekdayAfter(day(on, g.between(14, 21))); deliberation.Before(day(g.today, 56)) {
			g.scheduled(g.hearing(d, p, "deliberation", deliberation, room))
		}
	case 1: // tried already, decision reserved
		on := weekdayBefore(day(hi, -r.IntN(min(span, 20))))
		g.held(g.hearing(d, p, "trial", on, room), "Débats tenus ; affaire mise en délibéré")
		g.scheduled(g.hearing(d, p, "deliberation", g.soon(7, 42), room))
	default: // a procedural hearing soon, the trial later
		g.scheduled(g.hearing(d, p, "adjournment", g.soon(7, 30), room))
		g.scheduled(g.hearing(d, p, "trial", weekdayAfter(day(g.today, g.between(70, 140))), room))
	}
}
