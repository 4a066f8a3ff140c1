package valid_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/valid"
)

// fields returns the field names of the errors v collected.
func fields(v *apperr.Validation) []string {
	e, ok := apperr.As(v.Err())
	if !ok {
		return nil
	}
	out := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f.Field
	}
	return out
}

func TestCountry(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"": true, "FR": true, "BE": true, "fr": false, "FRA": false, "F": false, "F1": false, "É": false} {
		if got := valid.Country(s); got != want {
			t.Errorf("Country(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		min, max int
		want     string
		msg      string // "" when valid
	}{
		{"  Titre  ", 1, 10, "Titre", ""},
		{"   ", 1, 10, "", "is required"},
		{"", 0, 10, "", ""},
		{"ab", 3, 10, "ab", "must have at least 3 characters"},
		{"éééé", 1, 4, "éééé", ""}, // characters, not bytes
		{"ééééé", 1, 4, "ééééé", "must have at most 4 characters"},
	} {
		var v apperr.Validation
		got := valid.Text(&v, "title", tc.in, tc.min, tc.max)
		if got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
		e, _ := apperr.As(v.Err())
		switch {
		case tc.msg == "" && e != nil:
			t.Errorf("Text(%q): unexpected %v", tc.in, e)
		case tc.msg != "" && (e == nil || e.Fields[0].Field != "title" || e.Fields[0].Message != tc.msg):
			t.Errorf("Text(%q): got %v, want %q on title", tc.in, e, tc.msg)
		}
	}
}

func TestOptText(t *testing.T) {
	t.Parallel()
	var v apperr.Validation
	if got := valid.OptText(&v, "summary", nil, 5); got != nil {
		t.Fatalf("nil became %q", *got)
	}
	s := "  x  "
	if got := valid.OptText(&v, "summary", &s, 5); got == nil || *got != "x" {
		t.Fatalf("got %v", got)
	}
	empty := ""
	if got := valid.OptText(&v, "summary", &empty, 5); got == nil || *got != "" {
		t.Fatalf("empty optional text: %v", got)
	}
	if v.Err() != nil {
		t.Fatalf("unexpected %v", v.Err())
	}
	long := "123456"
	valid.OptText(&v, "summary", &long, 5)
	if f := fields(&v); !slices.Equal(f, []string{"summary"}) {
		t.Fatalf("fields %v", f)
	}
}

func TestCountries(t *testing.T) {
	t.Parallel()
	var v apperr.Validation
	got := valid.Countries(&v, "countries", []string{" fr", "Be "})
	if !slices.Equal(got, []string{"FR", "BE"}) || v.Err() != nil {
		t.Fatalf("got %v, %v", got, v.Err())
	}
	for _, bad := range []string{"", "  ", "FRA", "F1", strings.Repeat("x", 40)} {
		var v apperr.Validation
		got := valid.Countries(&v, "countries", []string{"FR", bad})
		if !slices.Equal(got, []string{"FR"}) || !slices.Equal(fields(&v), []string{"countries"}) {
			t.Errorf("%q: got %v, fields %v", bad, got, fields(&v))
		}
	}
	// The echoed value is truncated: a message never carries a long input.
	var v2 apperr.Validation
	valid.Countries(&v2, "countries", []string{strings.Repeat("A", 40)})
	e, _ := apperr.As(v2.Err())
	if len(e.Fields[0].Message) > 80 {
		t.Errorf("message too long: %q", e.Fields[0].Message)
	}
}

func TestLabels(t *testing.T) {
	t.Parallel()
	var v apperr.Validation
	got := valid.Labels(&v, "platforms", []string{" Discord ", "", "Discord", "Telegram", "  "}, 10, 5)
	if !slices.Equal(got, []string{"Discord", "Telegram"}) || v.Err() != nil {
		t.Fatalf("got %v, %v", got, v.Err())
	}

	var long apperr.Validation
	got = valid.Labels(&long, "platforms", []string{"ok", strings.Repeat("é", 11)}, 10, 5)
	if !slices.Equal(got, []string{"ok"}) || !slices.Equal(fields(&long), []string{"platforms"}) {
		t.Fatalf("too long label: got %v, fields %v", got, fields(&long))
	}
	var exact apperr.Validation
	valid.Labels(&exact, "platforms", []string{strings.Repeat("é", 10)}, 10, 5)
	if exact.Err() != nil {
		t.Fatalf("a label of exactly maxLen characters refused: %v", exact.Err())
	}

	var many apperr.Validation
	valid.Labels(&many, "platforms", []string{"a", "b", "c"}, 10, 2)
	if !slices.Equal(fields(&many), []string{"platforms"}) {
		t.Fatalf("too many labels: fields %v", fields(&many))
	}
	var dups apperr.Validation
	valid.Labels(&dups, "platforms", []string{"a", "a", "a", "b"}, 10, 2)
	if dups.Err() != nil {
		t.Fatalf("duplicates counted against the limit: %v", dups.Err())
	}
}
