package deadline

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the catalogue section of docs/deadlines.md from the code")

const (
	docPath    = "../../docs/deadlines.md"
	startMark  = "<!-- deadline-catalogue:start -->"
	endMark    = "<!-- deadline-catalogue:end -->"
	updateHint = "go test ./internal/deadline/ -run TestDeadlinesDocMatchesCatalogue -update"
)

// docs/deadlines.md shows the catalogue; the section between the markers is
// generated from Rules, so it cannot drift (regenerate with -update).
func TestDeadlinesDocMatchesCatalogue(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, startMark)
	end := strings.Index(doc, endMark)
	if start < 0 || end < start {
		t.Fatalf("catalogue markers missing in docs/deadlines.md")
	}
	want := "\n" + renderCatalogue() + "\n"
	got := doc[start+len(startMark) : end]
	if got == want {
		return
	}
	if *update {
		doc = doc[:start+len(startMark)] + want + doc[end:]
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/deadlines.md's catalogue differs from the code; run: %s", updateHint)
}

func renderCatalogue() string {
	var b strings.Builder
	b.WriteString("| id | règle | déclencheur | durée | décompte | concerne | CPP | CPP-2029 | limites |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range Rules() {
		var concerns []string
		for _, p := range r.Concerns {
			concerns = append(concerns, PartyTitle[p])
		}
		var refs [2]string
		for _, ref := range r.Refs {
			s := ref.Article
			if s == "" {
				s = "inconnu"
			}
			switch {
			case ref.Code == CPP && !ref.To.IsZero():
				s += fmt.Sprintf(" (jusqu'au %s)", ref.To.Format("02/01/2006"))
			case ref.Code == CPP2029:
				s += fmt.Sprintf(" (dès le %s)", ref.From.Format("02/01/2006"))
			}
			if ref.Code == CPP {
				refs[0] = s
			} else {
				refs[1] = s
			}
		}
		if r.Kind == Manual {
			refs[0] = "— (date de la juridiction)"
			refs[1] = "—"
		}
		duration := r.Duration.French()
		if r.Kind == Manual {
			duration = "—"
		}
		row := []string{"`" + r.ID + "`", r.Title, TriggerTitle[r.Trigger], duration, counting(r),
			strings.Join(concerns, ", "), refs[0], refs[1], strings.Join(r.Limits, " ; ")}
		for i := range row {
			row[i] = strings.ReplaceAll(row[i], "|", "\\|")
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	b.WriteString("\nTexte appliqué et notes, par règle :\n\n")
	for _, r := range Rules() {
		fmt.Fprintf(&b, "- `%s` — %s *S'applique à :* %s.", r.ID, r.Source, r.AppliesTo)
		for _, n := range r.Notes {
			b.WriteString(" " + n)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func counting(r Rule) string {
	var s string
	switch r.Duration.Unit {
	case Days:
		s = "jour du départ non compté"
	case ClearDays:
		s = "jours francs (ni le départ ni l'échéance)"
	case Months, Years:
		s = "même quantième, sinon fin de mois"
	}
	if r.Follows != "" {
		s = "après la fin de `" + r.Follows + "`, " + s
	}
	switch r.Kind {
	case Limit:
		s += " ; report art. 801"
	case Opens:
		if r.Duration.N > 0 {
			s += " ; ouvert le lendemain, sans report"
		} else {
			s = "dès le déclencheur"
		}
	case Prescription:
		s += " ; sans report"
	case Manual:
		s = "date fixée, sans report"
	}
	return s
}
