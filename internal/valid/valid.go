// Package valid holds the input checks shared by several domains.
package valid

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/egide/egide/internal/apperr"
)

var countryRe = regexp.MustCompile(`^[A-Z]{2}$`)

// Country reports whether s is an ISO 3166-1 alpha-2 code (or empty).
func Country(s string) bool { return s == "" || countryRe.MatchString(s) }

// IsBidiControl reports whether r is a Unicode bidirectional formatting
// character: the embeddings and overrides U+202A–U+202E, the isolates
// U+2066–U+2069, the marks U+200E, U+200F and U+061C. In a name a person
// reads as-is they reorder what is shown ("Trojan Source"): a file
// "rapport‮fdp.exe" displays as "rapportexe.pdf".
func IsBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// HasBidiControl reports whether s holds a bidirectional formatting character.
func HasBidiControl(s string) bool { return strings.IndexFunc(s, IsBidiControl) >= 0 }

// control reports a C0/C1 control character other than tab and line
// breaks: NUL and the like, which no text field takes.
func control(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f)
}

// Text trims s and checks its length in characters: min..max. It refuses
// invalid UTF-8 and control characters (NUL ...) other than tab and line
// breaks.
func Text(v *apperr.Validation, field, s string, min, max int) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		v.Add(field, "must be valid UTF-8")
		return s
	}
	if strings.IndexFunc(s, control) >= 0 {
		v.Add(field, "must not contain control characters")
		return s
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < min && min == 1:
		v.Add(field, "is required")
	case n < min:
		v.Add(field, "must have at least %d characters", min)
	case n > max:
		v.Add(field, "must have at most %d characters", max)
	}
	return s
}

// OptText is Text for an optional field: nil stays nil.
func OptText(v *apperr.Validation, field string, s *string, max int) *string {
	if s == nil {
		return nil
	}
	t := Text(v, field, *s, 0, max)
	return &t
}

// Label is Text for a one-line name shown as typed — a reference, a
// pseudonym, a title: no line breaks or tabs, and no bidirectional
// formatting characters (see IsBidiControl).
func Label(v *apperr.Validation, field, s string, min, max int) string {
	if t := strings.TrimSpace(s); utf8.ValidString(t) && strings.IndexFunc(t, control) < 0 {
		switch {
		case strings.ContainsAny(t, "\t\n\r"):
			v.Add(field, "must be on one line")
			return t
		case HasBidiControl(t):
			v.Add(field, "must not contain bidirectional formatting characters")
			return t
		}
	}
	return Text(v, field, s, min, max)
}

// OptLabel is Label for an optional field: nil stays nil.
func OptLabel(v *apperr.Validation, field string, s *string, max int) *string {
	if s == nil {
		return nil
	}
	t := Label(v, field, *s, 0, max)
	return &t
}

// FileName checks a file name as the client sent it, before any clean-up:
// no control characters and no bidirectional formatting characters (a
// name must read as what it is). An empty name passes.
func FileName(v *apperr.Validation, field, name string) {
	switch {
	case !utf8.ValidString(name):
		v.Add(field, "must be valid UTF-8")
	case strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }) >= 0:
		v.Add(field, "must not contain control characters")
	case HasBidiControl(name):
		v.Add(field, "must not contain bidirectional formatting characters")
	}
}

// List refuses a list input with more than max entries (before anything
// looks at them) and reports whether it is within the bound.
func List[T any](v *apperr.Validation, field string, l []T, max int) bool {
	if len(l) > max {
		v.Add(field, "at most %d entries", max)
		return false
	}
	return true
}

// Countries upper-cases and checks a list of at most maxCount country codes.
func Countries(v *apperr.Validation, field string, cs []string, maxCount int) []string {
	if !List(v, field, cs, maxCount) {
		return nil
	}
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !Country(c) || c == "" {
			v.Add(field, "%q is not an ISO 3166-1 alpha-2 country code", truncate(c))
			continue
		}
		out = append(out, c)
	}
	return out
}

// Labels trims a list of at most maxCount short labels, dropping empty
// ones and duplicates.
func Labels(v *apperr.Validation, field string, ls []string, maxLen, maxCount int) []string {
	if !List(v, field, ls, maxCount) {
		return nil
	}
	out := make([]string, 0, len(ls))
	seen := map[string]bool{}
	for _, l := range ls {
		l = strings.TrimSpace(l)
		if l == "" || seen[l] {
			continue
		}
		if !utf8.ValidString(l) || strings.IndexFunc(l, control) >= 0 || strings.ContainsAny(l, "\t\n\r") || HasBidiControl(l) {
			v.Add(field, "entries must be one line of text, without control or bidirectional formatting characters")
			continue
		}
		if utf8.RuneCountInString(l) > maxLen {
			v.Add(field, "each entry must have at most %d characters", maxLen)
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) > 12 {
		return string([]rune(s)[:12]) + "…"
	}
	return s
}
