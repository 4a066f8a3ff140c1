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

// Text trims s and checks its length in characters: min..max.
func Text(v *apperr.Validation, field, s string, min, max int) string {
	s = strings.TrimSpace(s)
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

// Countries upper-cases and checks a list of country codes.
func Countries(v *apperr.Validation, field string, cs []string) []string {
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

// Labels trims a list of short labels, dropping empty ones and duplicates.
func Labels(v *apperr.Validation, field string, ls []string, maxLen, maxCount int) []string {
	out := make([]string, 0, len(ls))
	seen := map[string]bool{}
	for _, l := range ls {
		l = strings.TrimSpace(l)
		if l == "" || seen[l] {
			continue
		}
		if utf8.RuneCountInString(l) > maxLen {
			v.Add(field, "each entry must have at most %d characters", maxLen)
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	if len(out) > maxCount {
		v.Add(field, "at most %d entries", maxCount)
	}
	return out
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) > 12 {
		return string([]rune(s)[:12]) + "…"
	}
	return s
}
