package demo

import (
	"encoding/binary"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/proceeding"
	"github.com/egide/egide/migrations"
)

// testEnv is an env whose ids count from 1, so two generations compare equal.
func testEnv(t testing.TB, seed int64, now time.Time) *env {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	p := now.In(paris)
	return &env{seed: seed, now: now, paris: paris, org: uuid.UUID{1}, coOrg: uuid.UUID{2},
		today: time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC),
		newID: func() uuid.UUID {
			n++
			var id uuid.UUID
			binary.BigEndian.PutUint64(id[8:], n)
			return id
		}}
}

func testNow(t testing.TB) time.Time {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, time.March, 11, 10, 30, 0, 0, paris) // a Wednesday
}

// penalArticles reads the articles the schema knows.
func penalArticles(t *testing.T) []string {
	t.Helper()
	b, err := migrations.FS.ReadFile("001_core.sql")
	if err != nil {
		t.Fatal(err)
	}
	sql := string(b)
	sql = sql[strings.Index(sql, "INSERT INTO penal_articles"):]
	sql = sql[:strings.Index(sql, ";")]
	var out []string
	for _, m := range regexp.MustCompile(`\('([0-9-]+)',`).FindAllStringSubmatch(sql, -1) {
		out = append(out, m[1])
	}
	if len(out) < 20 {
		t.Fatalf("parsed only %d penal articles", len(out))
	}
	return out
}

func TestTablesCiteKnownArticles(t *testing.T) {
	known := penalArticles(t)
	check := func(where string, c chargeT) {
		if !slices.Contains(known, c.article) {
			t.Errorf("%s: article %s is not in penal_articles", where, c.article)
		}
		if c.participation != "author" && c.participation != "co_author" && c.participation != "accomplice" {
			t.Errorf("%s: participation %q", where, c.participation)
		}
	}
	for _, th := range themes {
		spec, ok := specs[th]
		if !ok {
			t.Fatalf("no spec for theme %s", th)
		}
		for _, role := range spec.roles {
			c, ok := spec.charges[role]
			if !ok {
				t.Errorf("%s: no charge for role %s", th, role)
			}
			check(th+"/"+role, c)
		}
		if len(spec.requals) == 0 {
			t.Errorf("%s: no requalification", th)
		}
		for _, q := range spec.requals {
			check(th+" requal from", q.from)
			check(th+" requal to", q.to)
			if q.third != nil {
				check(th+" requal third", *q.third)
			}
			if _, ok := spec.charges[q.role]; !ok || !slices.Contains(spec.roles, q.role) {
				t.Errorf("%s: requalification for unknown role %s", th, q.role)
			}
		}
		for _, pf := range spec.platforms {
			if platformPhrases[pf] == "" {
				t.Errorf("%s: no phrase for platform %q", th, pf)
			}
		}
		for _, sum := range spec.summaries {
			if strings.Contains(sum, "de {platform}") || strings.Contains(sum, "à {platform}") {
				t.Errorf("%s: %q would read \"de le\" or \"à le\"", th, sum)
			}
		}
		for _, s := range secondThemes[th] {
			if !slices.Contains(themes, s) || s == th {
				t.Errorf("%s: bad second theme %s", th, s)
			}
		}
	}
	for a, v := range articleVersions {
		if !slices.Contains(known, a) {
			t.Errorf("articleVersions: unknown article %s", a)
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			t.Errorf("articleVersions[%s]: %v", a, err)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	now := testNow(t)
	gen := func(seed int64) plan {
		e := testEnv(t, seed, now)
		var p plan
		for i := range 50 {
			e.dossier(&p, i)
		}
		return p
	}
	a, b := gen(7), gen(7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed and now gave different data")
	}
	if c := gen(8); reflect.DeepEqual(a.dossiers, c.dossiers) {
		t.Fatal("another seed gave the same dossiers")
	}
	// Dossier i does not depend on how many are generated before it.
	e := testEnv(t, 7, now)
	var p plan
	e.dossier(&p, 42)
	if p.dossiers[0].title != a.dossiers[42].title || p.dossiers[0].reference != a.dossiers[42].reference ||
		p.dossiers[0].summary != a.dossiers[42].summary {
		t.Fatal("dossier 42 differs when generated alone")
	}
}

// TestGeneratedInvariants checks, on many dossiers, the rules the schema
// cannot check: procedural chains, courts fitting stages, dates, hearings
// on weekdays at court hours.
func TestGeneratedInvariants(t *testing.T) {
	now := testNow(t)
	e := testEnv(t, 3, now)
	known := penalArticles(t)
	const n = 2400
	var p plan
	for i := range n {
		e.dossier(&p, i)
	}
	dossiers := map[uuid.UUID]*dossierRow{}
	for k := range p.dossiers {
		d := &p.dossiers[k]
		dossiers[d.id] = d
		if d.closedOn != nil && d.closedOn.Before(d.openedOn) || d.retentionUntil.Before(d.openedOn) {
			t.Errorf("%s: dates out of order", d.reference)
		}
		if d.openedOn.After(e.today) || d.closedOn != nil && d.closedOn.After(e.today) {
			t.Errorf("%s: dates in the future", d.reference)
		}
		if (d.status == "closed") != (d.closedOn != nil) || (d.status == "closed") != (d.closingReason != "") {
			t.Errorf("%s: status %s, closed on %v, reason %q", d.reference, d.status, d.closedOn, d.closingReason)
		}
		if len(d.themes) == 2 && d.themes[0] == d.themes[1] {
			t.Errorf("%s: theme twice", d.reference)
		}
		if len(d.title) > 300 || strings.Contains(d.title, "NOM-DEMO") {
			t.Errorf("%s: title %q", d.reference, d.title)
		}
		if strings.Contains(d.summary, "{") {
			t.Errorf("%s: placeholder left in summary %q", d.reference, d.summary)
		}
	}

	procs := map[uuid.UUID]*proceedingRow{}
	next := map[uuid.UUID]*proceedingRow{}
	ongoing := map[uuid.UUID]int{}
	for k := range p.proceedings {
		r := &p.proceedings[k]
		procs[r.id] = r
		if !proceeding.CourtKind(r.courtKind).Fits(proceeding.Stage(r.stage)) {
			t.Errorf("court %s does not fit stage %s", r.courtKind, r.stage)
		}
		if (r.status == "closed") != (r.endedOn != nil) || r.endedOn != nil && r.endedOn.Before(r.startedOn) {
			t.Errorf("proceeding %s: status %s, %v–%v", r.stage, r.status, r.startedOn, r.endedOn)
		}
		if (r.status == "closed") != (r.outcome != "") {
			t.Errorf("proceeding %s %s: outcome %q", r.stage, r.status, r.outcome)
		}
		if r.status == "ongoing" {
			ongoing[r.dossierID]++
		}
	}
	for _, r := range procs {
		if r.previous == nil {
			continue
		}
		prev := procs[*r.previous]
		next[prev.id] = r
		if prev.dossierID != r.dossierID || !proceeding.Stage(prev.stage).CanFollow(proceeding.Stage(r.stage)) {
			t.Errorf("%s cannot follow %s", r.stage, prev.stage)
		}
		if prev.endedOn == nil || prev.endedOn.After(r.startedOn) {
			t.Errorf("%s starts before %s ended", r.stage, prev.stage)
		}
	}
	for _, r := range procs {
		if r.status == "ongoing" && next[r.id] != nil {
			t.Errorf("ongoing %s is followed by %s", r.stage, next[r.id].stage)
		}
	}
	for id, d := range dossiers {
		if want := map[string]int{"open": 1, "closed": 0}[d.status]; ongoing[id] != want {
			t.Errorf("%s (%s): %d ongoing proceedings", d.reference, d.status, ongoing[id])
		}
	}

	charges := map[uuid.UUID]*chargeRow{}
	for k := range p.charges {
		charges[p.charges[k].id] = &p.charges[k]
	}
	requalified := map[uuid.UUID]bool{}
	chains3 := 0
	for _, c := range charges {
		if !slices.Contains(known, c.article) {
			t.Errorf("unknown article %s", c.article)
		}
		if c.retainedOn.After(e.today) {
			t.Errorf("charge retained in the future")
		}
		if c.replaces == nil {
			if c.reason != "" {
				t.Errorf("reason without requalification")
			}
			continue
		}
		old := charges[*c.replaces]
		requalified[c.dossierID] = true
		if old.dossierID != c.dossierID || old.defendantID != c.defendantID || old.retainedBy == c.retainedBy ||
			c.retainedOn.Before(old.retainedOn) || c.reason == "" {
			t.Errorf("bad requalification %s (%s) → %s (%s)", old.article, old.retainedBy, c.article, c.retainedBy)
		}
		if old.replaces != nil {
			chains3++
		}
	}
	if len(requalified) < n/3 {
		t.Errorf("%d of %d dossiers have a requalification, want at least a third", len(requalified), n)
	}
	if chains3 == 0 {
		t.Error("no chain of three charges")
	}

	consents := map[uuid.UUID]*consentRow{}
	victimDossier := map[uuid.UUID]uuid.UUID{}
	for _, v := range p.victims {
		victimDossier[v.id] = v.dossierID
		if v.age < 8 || v.age > 17 {
			t.Errorf("victim aged %d", v.age)
		}
		if v.identity != nil && !strings.Contains(v.identity.LegalName, "Fictif") {
			t.Errorf("identity not marked fictional: %q", v.identity.LegalName)
		}
		if v.identityAt != nil && v.identityAt.After(now) {
			t.Error("identity updated in the future")
		}
	}
	for k := range p.consents {
		c := &p.consents[k]
		consents[c.id] = c
		if c.withdrawnOn != nil && c.withdrawnOn.Before(c.givenOn) {
			t.Error("consent withdrawn before given")
		}
	}
	for _, s := range p.standings {
		pr := procs[s.proceedingID]
		if pr.stage != stTrial && pr.stage != stAppeal {
			t.Errorf("standing on %s", pr.stage)
		}
		if (s.admissibility == "pending") != (s.admissibilityOn == nil) {
			t.Errorf("admissibility %s on %v", s.admissibility, s.admissibilityOn)
		}
		if s.awarded != nil && (s.admissibility != "admitted" || *s.awarded > *s.claimed) {
			t.Errorf("awarded %d of %d, %s", *s.awarded, *s.claimed, s.admissibility)
		}
		if s.constitutedOn.Before(pr.startedOn) || s.constitutedOn.After(e.today) {
			t.Errorf("constituted on %v, proceeding started %v", s.constitutedOn, pr.startedOn)
		}
		if (s.basis == "CPP 2-22") != (s.consentID != nil) {
			t.Errorf("basis %s with consent %v", s.basis, s.consentID)
		}
		if s.consentID != nil {
			c := consents[*s.consentID]
			if victimDossier[c.victimID] != pr.dossierID || c.givenOn.After(s.constitutedOn) || c.withdrawnOn != nil {
				t.Error("standing relies on a consent of another dossier, given later or withdrawn")
			}
		}
	}

	var past, soon int
	for _, h := range p.hearings {
		at := h.startsAt.In(e.paris)
		if wd := at.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("hearing on a %s", wd)
		}
		if hm := at.Format("15:04"); hm != "09:00" && hm != "13:30" && hm != "14:00" {
			t.Errorf("hearing at %s", hm)
		}
		if h.endsAt != nil && !h.endsAt.After(h.startsAt) {
			t.Error("hearing ends before it starts")
		}
		switch h.status {
		case "scheduled":
			if !h.startsAt.After(now) {
				t.Errorf("scheduled hearing in the past: %v", at)
			}
			if h.startsAt.Before(now.AddDate(0, 0, 56)) {
				soon++
			}
			if procs[h.proceedingID].status != "ongoing" {
				t.Error("hearing scheduled in a closed proceeding")
			}
		case "held", "cancelled":
			past++
			if !h.startsAt.Before(now) {
				t.Errorf("%s hearing in the future: %v", h.status, at)
			}
			if (h.status == "held") != (h.outcomeNote != "") || (h.status == "cancelled") != (h.cancelReason != "") {
				t.Errorf("%s hearing: note %q, reason %q", h.status, h.outcomeNote, h.cancelReason)
			}
		default:
			t.Errorf("status %s", h.status)
		}
		if procs[h.proceedingID].dossierID != h.dossierID {
			t.Error("hearing of another dossier's proceeding")
		}
	}
	if past == 0 || soon == 0 {
		t.Errorf("%d past hearings, %d in the next 8 weeks", past, soon)
	}
}
