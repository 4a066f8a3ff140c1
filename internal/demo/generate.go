package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/person"
)

// Stages and court kinds, as stored.
const (
	stInquiry       = "preliminary_inquiry"
	stInvestigation = "judicial_investigation"
	stTrial         = "trial"
	stAppeal        = "appeal"
	stCassation     = "cassation"
)

// shape is the procedural history of a dossier: the stages it went
// through, the last one ongoing unless the dossier is closed.
type shape struct {
	path   []string
	closed bool
}

// shapes cover every stage; each block of 12 dossiers uses each once.
var shapes = []shape{
	{[]string{stInquiry}, false},
	{[]string{stInquiry, stInvestigation}, false},
	{[]string{stInquiry, stInvestigation, stTrial}, false},
	{[]string{stInquiry, stTrial}, false},
	{[]string{stInquiry, stInvestigation, stTrial, stAppeal}, false},
	{[]string{stInquiry, stInvestigation, stTrial}, true},
	{[]string{stInvestigation, stTrial}, false},
	{[]string{stInvestigation}, false},
	{[]string{stInquiry, stInvestigation, stTrial, stAppeal, stCassation}, false},
	{[]string{stInquiry, stInvestigation, stTrial}, false},
	{[]string{stInquiry, stTrial, stAppeal}, true},
	{[]string{stInquiry}, true},
}

// crimes are the articles that send a case to a cour criminelle or
// cour d'assises rather than a tribunal correctionnel.
var crimes = []string{"222-23", "222-23-1", "222-24", "225-7-1"}

// plan holds the rows to insert for new dossiers.
type plan struct {
	dossiers    []dossierRow
	victims     []victimRow
	consents    []consentRow
	defendants  []defendantRow
	charges     []chargeRow
	proceedings []proceedingRow
	standings   []standingRow
	hearings    []hearingRow
	deadlines   []deadlineRow
}

type dossierRow struct {
	id                               uuid.UUID
	reference, title, summary        string
	themes                           []string
	status                           string
	openedOn                         time.Time
	closedOn                         *time.Time
	closingReason                    string
	parquetNumber, instructionNumber string
	platforms, countries             []string
	retentionUntil                   time.Time
}

// personRow is a victim or defendant; identity, when set, is sealed into
// ciphertext and wrappedKey before the insert.
type personRow struct {
	id, dossierID          uuid.UUID
	pseudonym              string
	country                string
	identity               *person.Identity
	identityAt             *time.Time
	ciphertext, wrappedKey []byte
}

type victimRow struct {
	personRow
	age int16
}

type defendantRow struct {
	personRow
	role string
}

type consentRow struct {
	id, victimID     uuid.UUID
	givenBy          string
	givenOn          time.Time
	scope, reference string
	withdrawnOn      *time.Time
}

type chargeRow struct {
	id, dossierID, defendantID uuid.UUID
	chargeT
	versionDate *time.Time
	retainedBy  string
	retainedOn  time.Time
	replaces    *uuid.UUID
	reason      string
}

type proceedingRow struct {
	id, dossierID                    uuid.UUID
	stage, courtKind                 string
	courtName, chamber, docketNumber string
	startedOn                        time.Time
	endedOn                          *time.Time
	status, outcome                  string
	previous                         *uuid.UUID
}

type standingRow struct {
	id, proceedingID, orgID uuid.UUID
	constitutedOn           time.Time
	mode, basis             string
	consentID               *uuid.UUID
	admissibility           string
	admissibilityOn         *time.Time
	claimed, awarded        *int64
}

type hearingRow struct {
	id, dossierID, proceedingID uuid.UUID
	kind                        string
	startsAt                    time.Time
	endsAt                      *time.Time
	courtRoom                   string
	attendees                   []string
	status, outcomeNote         string
	cancelReason                string
	moved                       int32
}

// env is what every dossier's generation shares.
type env struct {
	seed  int64
	now   time.Time
	today time.Time // civil date of now in Paris, at UTC midnight
	paris *time.Location
	org   uuid.UUID // the demo organisation
	coOrg uuid.UUID // the co-civil party
	newID func() uuid.UUID
	// staff are the two jurists dossiers are assigned to (uJurist1,
	// uJurist2): who entered and met the deadlines.
	staff [2]uuid.UUID
}

// shared reports whether dossier i is shared with the co-civil party.
func shared(i int) bool { return i%9 == 4 }

// reference is dossier i's reference. Its number (i+1) is the natural
// key: the year depends on "now", so existence is checked on the number.
func reference(year, i int) string { return fmt.Sprintf("ECP-%d-%04d", year, i+1) }

// gen generates one dossier. Each dossier has a PRNG of its own, seeded
// by (seed, i), so dossier i is the same whatever the number requested.
type gen struct {
	*env
	r *rand.Rand
	p *plan
	i int
}

// dossier appends dossier i and all its rows to p and returns its id.
func (e *env) dossier(p *plan, i int) uuid.UUID {
	g := &gen{env: e, r: rand.New(rand.NewPCG(uint64(e.seed), uint64(i))), p: p, i: i}
	return g.dossier()
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func day(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

func ptr[T any](v T) *T { return &v }

func minDate(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxDate(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// stageSpan is how long a stage lasts, in days.
func (g *gen) stageSpan(stage string) int {
	switch stage {
	case stInquiry:
		return g.between(60, 360)
	case stInvestigation:
		return g.between(300, 900)
	case stTrial:
		return g.between(30, 210)
	case stAppeal:
		return g.between(150, 450)
	default:
		return g.between(150, 400)
	}
}

// elapsed is how long an ongoing stage has been running, in days.
func (g *gen) elapsed(stage string) int {
	switch stage {
	case stInquiry:
		return g.between(20, 300)
	case stInvestigation:
		return g.between(60, 700)
	case stTrial:
		return g.between(45, 300)
	case stAppeal:
		return g.between(45, 250)
	default:
		return g.between(30, 300)
	}
}

// stageDates places the stages of path before today, each starting
// within days of the previous one's end.
func (g *gen) stageDates(sh shape) (starts []time.Time, ends []*time.Time) {
	n := len(sh.path)
	starts, ends = make([]time.Time, n), make([]*time.Time, n)
	last := sh.path[n-1]
	// Decisions and orders ending a stage are dated on weekdays.
	if sh.closed {
		end := weekdayBefore(day(g.today, -g.between(20, 500)))
		ends[n-1] = &end
		starts[n-1] = day(end, -g.stageSpan(last))
	} else {
		starts[n-1] = day(g.today, -g.elapsed(last))
	}
	for k := n - 2; k >= 0; k-- {
		end := weekdayBefore(day(starts[k+1], -g.r.IntN(15)))
		ends[k] = &end
		starts[k] = day(end, -g.stageSpan(sh.path[k]))
	}
	return starts, ends
}

func (g *gen) id() uuid.UUID { return g.newID() }

func (g *gen) dossier() uuid.UUID {
	i, r := g.i, g.r
	theme := themes[i%len(themes)]
	spec := specs[theme]
	dThemes := []string{theme}
	if r.IntN(3) == 0 {
		dThemes = append(dThemes, g.pick(secondThemes[theme]))
	}
	sh := shapes[(i*7+(i/len(shapes))*5)%len(shapes)]
	starts, ends := g.stageDates(sh)
	hasInvestigation := slices.Contains(sh.path, stInvestigation)
	trialIdx := slices.Index(sh.path, stTrial)
	trialClosed := trialIdx >= 0 && ends[trialIdx] != nil

	opened := minDate(day(starts[0], r.IntN(45)), g.today)
	var closedOn *time.Time
	if sh.closed {
		c := maxDate(minDate(day(*ends[len(ends)-1], g.between(10, 60)), g.today), opened)
		closedOn = &c
	}
	limit := g.today // no decision after it
	if closedOn != nil {
		limit = *closedOn
	}

	d := dossierRow{
		id:       g.id(),
		title:    g.pick(spec.titles),
		themes:   dThemes,
		status:   "open",
		openedOn: opened,
		closedOn: closedOn,
		parquetNumber: fmt.Sprintf("%02d/%03d/%05d", starts[0].Year()%100, starts[0].YearDay(),
			g.between(1, 99999)),
		retentionUntil: opened.AddDate(10, 0, 0),
	}
	d.reference = reference(opened.Year(), i)
	if closedOn != nil {
		d.status = "closed"
		d.closingReason = closingReasons[sh.path[len(sh.path)-1]]
		d.retentionUntil = closedOn.AddDate(5, 0, 0)
	}
	if hasInvestigation {
		j := slices.Index(sh.path, stInvestigation)
		d.instructionNumber = fmt.Sprintf("JI %02d/%05d", starts[j].Year()%100, g.between(1, 99999))
	}
	place := cities[r.IntN(len(cities))]

	// Platforms: one or two of the main theme's, maybe one of the second's.
	d.platforms = []string{g.pick(spec.platforms)}
	if p := g.pick(spec.platforms); r.IntN(2) == 0 && p != d.platforms[0] {
		d.platforms = append(d.platforms, p)
	}
	if len(dThemes) > 1 {
		if p := g.pick(specs[dThemes[1]].platforms); !slices.Contains(d.platforms, p) {
			d.platforms = append(d.platforms, p)
		}
	}

	// Facts happened before the first proceeding.
	facts := day(starts[0], -g.between(10, 200))

	// Requalification: by the investigating judge, or by the trial court
	// once it has ruled; a third step when both happened.
	var rq *requalT
	if (hasInvestigation || trialClosed) && r.IntN(10) < 7 {
		var fit []requalT
		for _, q := range spec.requals {
			// Without an investigation a tribunal correctionnel rules: it
			// cannot requalify into a crime.
			if hasInvestigation || !slices.Contains(crimes, q.to.article) {
				fit = append(fit, q)
			}
		}
		if len(fit) > 0 {
			rq = &fit[r.IntN(len(fit))]
		}
	}

	victims := g.victims(&d, spec, facts)
	defendants := g.defendants(&d, spec, rq, victims)
	countries := []string{"FR"}
	for _, v := range victims {
		countries = append(countries, v.country)
	}
	for _, df := range defendants {
		countries = append(countries, df.country)
	}
	summary := g.pick(spec.summaries)
	abroad := ""
	for _, c := range countries {
		if c != "FR" {
			abroad = c
			break
		}
	}
	if abroad == "" && strings.Contains(summary, "{country}") {
		abroad = g.pick([]string{"BE", "CI", "MA"}) // where the money or the intermediaries were
		countries = append(countries, abroad)
	}
	slices.Sort(countries)
	d.countries = slices.Compact(countries)
	d.summary = strings.NewReplacer("{platform}", platformPhrases[d.platforms[0]], "{country}", countryNames[abroad],
		"{city}", place.name, "{victims}", victimCount(len(victims))).Replace(summary)

	// The trial court depends on the gravest charge the case was sent
	// to trial for.
	crime := false
	if hasInvestigation {
		for _, df := range defendants {
			a := spec.charges[df.role].article
			if df.main && rq != nil {
				a = rq.to.article
			}
			crime = crime || slices.Contains(crimes, a)
		}
	}
	trialKind := "tribunal_correctionnel"
	switch {
	case crime && r.IntN(5) == 0:
		trialKind = "cour_assises"
	case crime:
		trialKind = "cour_criminelle_departementale"
	case (theme == "grooming" || theme == "sextortion") && r.IntN(8) == 0:
		trialKind = "tribunal_pour_enfants" // the author was a minor
	}

	procs := g.proceedings(&d, sh, starts, ends, place, trialKind)
	g.charges(&d, spec, rq, defendants, sh, starts, ends, limit)
	consents := g.consents(&d, victims, limit)
	g.standings(&d, procs, consents, limit)
	first := len(g.p.hearings)
	g.hearings(&d, procs, trialKind)
	g.deadlines(&d, procs, g.p.hearings[first:])

	g.p.dossiers = append(g.p.dossiers, d)
	return d.id
}

var countryNames = map[string]string{
	"PH": "Philippines", "RO": "Roumanie", "BG": "Bulgarie", "MA": "Maroc", "BE": "Belgique",
	"CI": "Côte d'Ivoire", "FR": "France",
}

func victimCount(n int) string {
	return [...]string{"une victime", "deux victimes", "trois victimes"}[n-1]
}

func (g *gen) victims(d *dossierRow, spec themeSpec, facts time.Time) []victimRow {
	r := g.r
	n := g.between(1, 3)
	named := r.IntN(2) == 0 // "Lina-7" rather than "Victime A"
	first := r.IntN(len(victimPseudonyms))
	minAge := 8
	if slices.Contains(d.themes, "trafficking") || slices.Contains(d.themes, "child_prostitution") {
		minAge = 13
	}
	var out []victimRow
	for k := range n {
		v := victimRow{personRow: personRow{id: g.id(), dossierID: d.id, country: g.pick(spec.countries)},
			age: int16(g.between(minAge, 17))}
		if named {
			v.pseudonym = fmt.Sprintf("%s-%d", victimPseudonyms[(first+k)%len(victimPseudonyms)], g.between(1, 9))
		} else {
			v.pseudonym = "Victime " + letters[k:k+1]
		}
		// About half the victims have a sealed identity, entered soon after
		// the dossier opened. All of it is fictional and says so.
		if r.IntN(2) == 0 {
			tag := fmt.Sprintf("NOM-DEMO-%04d%s", g.i+1, letters[k:k+1])
			birth := day(facts.AddDate(-int(v.age), 0, 0), -r.IntN(300))
			id := &person.Identity{LegalName: "Prénom Fictif " + tag, BirthDate: &birth}
			if v.age < 16 || r.IntN(3) > 0 {
				id.LegalRepresentative = "Parent Fictif " + tag + " (représentant légal)"
			}
			if r.IntN(4) == 0 {
				id.AdHocAdministrator = "Administrateur ad hoc fictif — Association Démo Tutelles"
			}
			if r.IntN(2) == 0 {
				id.Address = fmt.Sprintf("%d rue de l'Exemple, 75000 Paris (adresse fictive)", g.between(1, 120))
				// ARCEP reserves 06 39 98 xx xx for fiction.
				id.Phone = fmt.Sprintf("+33 6 39 98 %02d %02d", r.IntN(100), r.IntN(100))
			}
			at := g.timeOn(minDate(day(d.openedOn, g.between(1, 20)), g.today), 10, 15)
			at = minTime(at, g.now)
			v.identity, v.identityAt = id, &at
		}
		out = append(out, v)
	}
	g.p.victims = append(g.p.victims, out...)
	return out
}

type defendant struct {
	defendantRow
	main bool
}

func (g *gen) defendants(d *dossierRow, spec themeSpec, rq *requalT, victims []victimRow) []defendant {
	r := g.r
	n := g.between(1, 3)
	var out []defendant
	for k := range n {
		role := g.pick(spec.roles)
		if k == 0 {
			role = spec.roles[0]
			if rq != nil {
				role = rq.role
			}
		}
		df := defendant{defendantRow: defendantRow{personRow: personRow{id: g.id(), dossierID: d.id,
			pseudonym: fmt.Sprintf("Mis en cause %d", k+1), country: "FR"}, role: role}, main: k == 0}
		// Facilitators and recruiters often act from the victims' country.
		if (role == "facilitator" || role == "recruiter" || role == "abuser") && r.IntN(2) == 0 {
			df.country = victims[0].country
		}
		if r.IntN(3) == 0 {
			at := minTime(g.timeOn(minDate(day(d.openedOn, g.between(1, 30)), g.today), 11, 0), g.now)
			df.identity = &person.Identity{LegalName: fmt.Sprintf("Nom Fictif MEC-DEMO-%04d-%d", g.i+1, k+1)}
			df.identityAt = &at
		}
		out = append(out, df)
		g.p.defendants = append(g.p.defendants, df.defendantRow)
	}
	return out
}

func (g *gen) charge(d *dossierRow, df uuid.UUID, c chargeT, by string, on time.Time) chargeRow {
	row := chargeRow{id: g.id(), dossierID: d.id, defendantID: df, chargeT: c, retainedBy: by, retainedOn: on}
	if v, ok := articleVersions[c.article]; ok {
		t, _ := time.Parse(time.DateOnly, v) // constant table, checked by tests
		row.versionDate = &t
	}
	return row
}

// charges: each defendant is charged by the prosecutor when the first
// proceeding starts, or put under investigation by the judge; the main
// defendant's charge may be requalified (see requalT).
func (g *gen) charges(d *dossierRow, spec themeSpec, rq *requalT, defendants []defendant, sh shape,
	starts []time.Time, ends []*time.Time, limit time.Time) {
	r := g.r
	end := func(k int) time.Time {
		if ends[k] != nil {
			return *ends[k]
		}
		return limit
	}
	first := minDate(day(starts[0], r.IntN(20)), end(0))
	j := slices.Index(sh.path, stInvestigation)
	t := slices.Index(sh.path, stTrial)
	for _, df := range defendants {
		if !df.main || rq == nil {
			by, on := "prosecutor", first
			if j >= 0 && !df.main && r.IntN(2) == 0 {
				by, on = "investigating_judge", minDate(day(starts[j], g.between(10, 120)), end(j))
			}
			g.p.charges = append(g.p.charges, g.charge(d, df.id, spec.charges[df.role], by, on))
			continue
		}
		c1 := g.charge(d, df.id, rq.from, "prosecutor", first)
		var c2 chargeRow
		if j >= 0 {
			on := minDate(day(starts[j], g.between(30, 400)), end(j))
			c2 = g.charge(d, df.id, rq.to, "investigating_judge", maxDate(on, first))
		} else {
			c2 = g.charge(d, df.id, rq.to, "trial_court", *ends[t])
		}
		c2.replaces, c2.reason = &c1.id, rq.reason
		g.p.charges = append(g.p.charges, c1, c2)
		if j >= 0 && t >= 0 && ends[t] != nil && rq.third != nil && r.IntN(2) == 0 {
			c3 := g.charge(d, df.id, *rq.third, "trial_court", *ends[t])
			c3.replaces, c3.reason = &c2.id, rq.thirdReason
			g.p.charges = append(g.p.charges, c3)
		}
	}
}

func (g *gen) proceedings(d *dossierRow, sh shape, starts []time.Time, ends []*time.Time, place city,
	trialKind string) []proceedingRow {
	r := g.r
	var out []proceedingRow
	var prev *uuid.UUID
	for k, stage := range sh.path {
		p := proceedingRow{id: g.id(), dossierID: d.id, stage: stage, startedOn: starts[k], endedOn: ends[k],
			status: "ongoing", previous: prev}
		yy := starts[k].Year() % 100
		next := ""
		if k+1 < len(sh.path) {
			next = sh.path[k+1]
		}
		switch stage {
		case stInquiry:
			p.courtKind, p.courtName = "parquet", "Parquet du tribunal judiciaire de "+place.name
			p.chamber, p.docketNumber = g.pick(parquetSections), d.parquetNumber
			switch next {
			case stInvestigation:
				p.outcome = "Ouverture d'une information judiciaire (réquisitoire introductif)"
			case stTrial:
				p.outcome = "Citation directe des prévenus devant le tribunal correctionnel"
			default:
				p.outcome = "Classement sans suite : auteur non identifié"
			}
		case stInvestigation:
			p.courtKind, p.courtName = "juge_instruction", "Tribunal judiciaire de "+place.name
			p.chamber, p.docketNumber = fmt.Sprintf("Cabinet d'instruction n° %d", g.between(1, 12)), d.instructionNumber
			if trialKind == "tribunal_correctionnel" || trialKind == "tribunal_pour_enfants" {
				p.outcome = "Ordonnance de renvoi devant la juridiction de jugement"
			} else {
				p.outcome = "Ordonnance de mise en accusation"
			}
		case stTrial:
			p.courtKind = trialKind
			switch trialKind {
			case "tribunal_correctionnel":
				p.courtName, p.chamber = "Tribunal judiciaire de "+place.name, g.pick(tcChambers)
			case "tribunal_pour_enfants":
				p.courtName, p.chamber = "Tribunal pour enfants de "+place.name, "Audience collégiale"
			case "cour_criminelle_departementale":
				p.courtName = "Cour criminelle départementale " + place.dept
			default:
				p.courtName = "Cour d'assises " + place.dept
			}
			p.docketNumber = fmt.Sprintf("%02d/%05d", yy, g.between(1, 99999))
			years := g.between(2, 8)
			if next != "" {
				p.outcome = fmt.Sprintf("Condamnation à %d ans d'emprisonnement ; appel interjeté par le prévenu", years)
			} else {
				p.outcome = fmt.Sprintf("Condamnation à %d ans d'emprisonnement dont %d avec sursis probatoire ; "+
					"constitution de partie civile de l'association reçue", years, r.IntN(years))
			}
		case stAppeal:
			if trialKind == "cour_criminelle_departementale" || trialKind == "cour_assises" {
				p.courtKind, p.courtName = "cour_assises_appel", place.assisesAppl
			} else {
				p.courtKind, p.courtName, p.chamber = "cour_appel", "Cour d'appel de "+place.appeal, g.pick(appealChambers)
				if trialKind == "tribunal_pour_enfants" {
					p.chamber = "Chambre spéciale des mineurs"
				}
			}
			p.docketNumber = fmt.Sprintf("RG %02d/%05d", yy, g.between(1, 99999))
			if next != "" {
				p.outcome = "Arrêt confirmatif ; pourvoi en cassation formé par le prévenu"
			} else {
				p.outcome = "Arrêt confirmatif, peine réduite ; dommages et intérêts alloués à l'association"
			}
		case stCassation:
			p.courtKind, p.courtName, p.chamber = "cour_cassation", "Cour de cassation", "Chambre criminelle"
			p.docketNumber = fmt.Sprintf("%c %02d-8%d.%03d", 'A'+rune(r.IntN(26)), yy, r.IntN(10), r.IntN(1000))
			p.outcome = "Rejet du pourvoi"
		}
		if p.endedOn != nil {
			p.status = "closed"
		} else {
			p.outcome = ""
		}
		id := p.id
		prev = &id
		out = append(out, p)
	}
	g.p.proceedings = append(g.p.proceedings, out...)
	return out
}

func (g *gen) consents(d *dossierRow, victims []victimRow, limit time.Time) []consentRow {
	r := g.r
	var out []consentRow
	for k, v := range victims {
		if k > 0 && r.IntN(5) == 0 {
			continue // not every victim agreed
		}
		c := consentRow{id: g.id(), victimID: v.id, givenBy: "legal_representative",
			givenOn:   minDate(day(d.openedOn, g.between(3, 40)), limit),
			scope:     g.pick(consentScopes),
			reference: fmt.Sprintf("ACC-%s-V%d", d.reference, k+1)}
		switch {
		case v.identity != nil && v.identity.AdHocAdministrator != "":
			c.givenBy = "ad_hoc_administrator"
		case v.age >= 16 && r.IntN(3) == 0:
			c.givenBy = "victim"
		}
		if k > 0 && r.IntN(8) == 0 {
			w := maxDate(minDate(day(c.givenOn, g.between(30, 200)), g.today), c.givenOn)
			c.withdrawnOn = &w
		}
		out = append(out, c)
	}
	g.p.consents = append(g.p.consents, out...)
	return out
}

// standings: the NGO is civil party before every trial and appeal court,
// the co-civil party too on shared dossiers.
func (g *gen) standings(d *dossierRow, procs []proceedingRow, consents []consentRow, limit time.Time) {
	r := g.r
	for _, p := range procs {
		if p.stage != stTrial && p.stage != stAppeal {
			continue
		}
		last := limit
		if p.endedOn != nil {
			last = *p.endedOn
		}
		orgs := []uuid.UUID{g.org}
		if shared(g.i) {
			orgs = append(orgs, g.coOrg)
		}
		for n, org := range orgs {
			s := standingRow{id: g.id(), proceedingID: p.id, orgID: org, basis: "CPP 2-3", admissibility: "pending"}
			from := p.startedOn
			// CPP 2-22 needs a victim's agreement given before constitution;
			// only the demo organisation relies on it.
			if n == 0 && len(consents) > 0 && consents[0].withdrawnOn == nil && r.IntN(5) < 3 &&
				!consents[0].givenOn.After(last) {
				s.basis, s.consentID = "CPP 2-22", &consents[0].id
				from = maxDate(from, consents[0].givenOn)
			}
			s.constitutedOn = minDate(weekdayAfter(day(from, r.IntN(30))), last)
			switch {
			case n > 0:
				s.mode = "intervention"
			case p.stage == stAppeal:
				s.mode = g.pick([]string{"intervention", "letter"})
			default:
				s.mode = g.pick([]string{"hearing_declaration", "hearing_declaration", "letter", "intervention"})
			}
			claimed := int64(g.between(1, 30)) * 100_000 // 1 000 € steps
			s.claimed = &claimed
			switch {
			case p.endedOn != nil && r.IntN(8) == 0:
				s.admissibility, s.admissibilityOn = "rejected", p.endedOn
			case p.endedOn != nil:
				awarded := claimed * int64(g.between(20, 100)) / 100 / 10_000 * 10_000
				s.admissibility, s.admissibilityOn, s.awarded = "admitted", p.endedOn, &awarded
			case r.IntN(3) == 0:
				// Admitted at an earlier hearing, damages still to be decided.
				on := maxDate(minDate(day(s.constitutedOn, g.between(1, 40)), last), s.constitutedOn)
				s.admissibility, s.admissibilityOn = "admitted", &on
			}
			g.p.standings = append(g.p.standings, s)
		}
	}
}
