package demo

import (
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/deadline"
)

// deadlineRow is a deadline (échéance) as stored by internal/deadlines:
// the date, its explanation and warnings are those deadline.Due computes
// from the rule and the trigger, never written by hand.
type deadlineRow struct {
	id, dossierID            uuid.UUID
	proceedingID             *uuid.UUID
	ruleID                   string
	codeVersion, article     string
	triggerOn, dueOn, rawEnd time.Time
	extended                 bool
	steps, warnings          []string
	note, status             string
	doneBy                   *uuid.UUID
	doneAt                   *time.Time
	cancelReason             string
	cancelledBy              *uuid.UUID
	cancelledAt              *time.Time
	createdBy                uuid.UUID
	createdAt                time.Time
}

// jurist is the jurist dossier i is assigned to (see link).
func (g *gen) jurist() uuid.UUID {
	if g.i%3 != 2 {
		return g.staff[0]
	}
	return g.staff[1]
}

// deadline computes rule ruleID for an event on trigger with package
// deadline and returns it open; ok is false when the rule has no version
// for that day (it never happens for the catalogue's current rules).
func (g *gen) deadline(d *dossierRow, p *proceedingRow, ruleID string, trigger time.Time) (deadlineRow, bool) {
	res, err := deadline.DueByID(ruleID, trigger, deadline.Options{})
	if err != nil {
		return deadlineRow{}, false
	}
	// Entered the day of the event, at the end of the afternoon, and
	// never after now.
	created := g.timeOn(minDate(res.Trigger, day(g.today, -1)), 17, 30)
	if created.After(g.now) {
		created = g.now.Add(-time.Hour)
	}
	row := deadlineRow{id: g.id(), dossierID: d.id, ruleID: ruleID, codeVersion: string(res.Ref.Code),
		article: res.Ref.Article, triggerOn: res.Trigger, dueOn: res.Due, rawEnd: res.RawEnd,
		extended: res.Extended, steps: nonNil(res.Steps), warnings: nonNil(res.Warnings), status: "open",
		createdBy: g.jurist(), createdAt: created}
	if p != nil {
		pid := p.id
		row.proceedingID = &pid
	}
	return row, true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// done marks a past deadline met, a day or a few after its event.
func (g *gen) done(row deadlineRow, note string) deadlineRow {
	span := max(1, int(row.dueOn.Sub(row.triggerOn).Hours()/24))
	at := g.timeOn(minDate(day(row.triggerOn, g.between(1, span)), day(g.today, -1)), 11, 0)
	by := row.createdBy
	row.status, row.note, row.doneBy, row.doneAt = "done", note, &by, &at
	return row
}

// cancelled marks a past deadline as not to be met, with the reason.
func (g *gen) cancelled(row deadlineRow, reason string) deadlineRow {
	at := g.timeOn(minDate(day(row.triggerOn, g.between(1, 3)), day(g.today, -1)), 16, 0)
	by := row.createdBy
	row.status, row.cancelReason, row.cancelledBy, row.cancelledAt = "cancelled", reason, &by, &at
	return row
}

func (g *gen) add(row deadlineRow, ok bool) {
	if ok {
		g.p.deadlines = append(g.p.deadlines, row)
	}
}

// deadlines derives the deadlines a civil party had or has to meet from
// the dossier's proceedings and hearings (hearings: this dossier's). A
// closed dossier has none open.
func (g *gen) deadlines(d *dossierRow, procs []proceedingRow, hearings []hearingRow) {
	for k := range procs {
		p := &procs[k]
		last := k == len(procs)-1
		switch {
		case p.stage == stInvestigation && p.endedOn != nil:
			// The avis de fin d'information came some months before the
			// order sending the case to trial.
			if on := weekdayBefore(day(*p.endedOn, -g.between(100, 140))); on.After(p.startedOn) {
				row, ok := g.deadline(d, p, "afi-intention", on)
				g.add(g.done(row, "Intention de formuler des observations déclarée au greffe"), ok)
			}
		case p.stage == stInvestigation:
			// Ongoing: a recent order, notified to the association.
			if g.i%2 == 0 {
				on := weekdayBefore(day(g.today, -g.between(2, 13)))
				row, ok := g.deadline(d, p, "afi-intention", on)
				row.note = "Avis de fin d'information reçu ; décider des demandes d'actes à présenter"
				g.add(row, ok)
				row, ok = g.deadline(d, p, "afi-observations", on)
				g.add(row, ok)
			} else {
				on := weekdayBefore(day(g.today, -g.between(0, 8)))
				row, ok := g.deadline(d, p, "ji-refus-actes", on)
				row.note = "Ordonnance refusant l'expertise demandée ; apprécier l'opportunité d'un appel"
				g.add(row, ok)
			}
		case (p.stage == stTrial || p.stage == stAppeal) && p.endedOn == nil:
			// Conclusions for the coming trial hearing.
			for _, h := range hearings {
				if h.proceedingID != p.id || h.kind != "trial" || h.status != "scheduled" {
					continue
				}
				on := time.Date(h.startsAt.In(g.paris).Year(), h.startsAt.In(g.paris).Month(), h.startsAt.In(g.paris).Day(),
					0, 0, 0, 0, time.UTC)
				row, ok := g.deadline(d, p, "manuel-audience", on)
				row.note = "Conclusions de partie civile et demande de dommages et intérêts à déposer à l'audience"
				g.add(row, ok)
				if set := weekdayBefore(day(on, -7)); set.After(g.today) && g.r.IntN(2) == 0 {
					row, ok := g.deadline(d, p, "manuel-conclusions", set)
					row.note = "Date fixée par la juridiction pour la communication des conclusions aux autres parties"
					g.add(row, ok)
				}
				break
			}
		case p.stage == stTrial:
			rule := "tc-appel"
			if p.courtKind == "cour_criminelle_departementale" || p.courtKind == "cour_assises" {
				rule = "criminel-appel"
			}
			row, ok := g.deadline(d, p, rule, *p.endedOn)
			if last {
				row = g.cancelled(row, "Décision conforme aux demandes de l'association : pas d'appel")
			} else {
				row = g.done(row, "Appel du prévenu enregistré ; appel de l'association sur les intérêts civils déclaré au greffe")
			}
			g.add(row, ok)
		case p.stage == stAppeal:
			row, ok := g.deadline(d, p, "pourvoi", *p.endedOn)
			if last {
				row = g.cancelled(row, "Arrêt conforme aux demandes de l'association : pas de pourvoi")
			} else {
				row = g.done(row, "Pourvoi du prévenu enregistré ; l'association défendra au pourvoi")
			}
			g.add(row, ok)
		}
	}
}
