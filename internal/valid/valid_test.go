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
	got := valid.Countries(&v, "countries", []string{" fr", "Be "}, 50)
	if !slices.Equal(got, []string{"FR", "BE"}) || v.Err() != nil {
		t.Fatalf("got %v, %v", got, v.Err())
	}
	for _, bad := range []string{"", "  ", "FRA", "F1", strings.Repeat("x", 40)} {
		var v apperr.Validation
		got := valid.Countries(&v, "countries", []string{"FR", bad}, 50)
		if !slices.Equal(got, []string{"FR"}) || !slices.Equal(fields(&v), []string{"countries"}) {
			t.Errorf("%q: got %v, fields %v", bad, got, fields(&v))
		}
	}
	// The echoed value is truncated: a message never carries a long input.
	var v2 apperr.Validation
	valid.Countries(&v2, "countries", []string{strings.Repeat("A", 40)}, 50)
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
	// The bound is on the list as sent, before anything walks it:
	// duplicates count (a list of a million copies is refused at once).
	var dups apperr.Validation
	got = valid.Labels(&dups, "platforms", []string{"a", "a", "b"}, 10, 3)
	if dups.Err() != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("duplicates within the bound: %v, %v", got, dups.Err())
	}
	var flood apperr.Validation
	if got := valid.Labels(&flood, "platforms", slices.Repeat([]string{"a"}, 10_000), 10, 3); got != nil {
		t.Fatalf("an oversized list was walked: %v", got)
	}
	if e, _ := apperr.As(flood.Err()); e == nil || len(e.Fields) != 1 || e.Fields[0].Message != "at most 3 entries" {
		t.Fatalf("oversized list: %v", flood.Err())
	}
}

// Text fields never take NUL or other control characters (they would
// reach PostgreSQL, which refuses NUL as an internal error); tab and line
// breaks stay allowed in free text.
func TestTextRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"plain", true},
		{"two\nlines\r\nand\ttab", true},
		{"nul\x00byte", false},
		{"\x00", false},
		{"escape\x1b[31m", false},
		{"bell\a", false},
		{"del\x7f", false},
		{"c1\u0085c1", false},
		{"bad \xff utf-8", false},
	} {
		var v apperr.Validation
		valid.Text(&v, "summary", tc.in, 0, 100)
		if ok := v.Err() == nil; ok != tc.ok {
			t.Errorf("Text(%q): accepted %v, want %v (%v)", tc.in, ok, tc.ok, v.Err())
		}
		if !tc.ok && !slices.Equal(fields(&v), []string{"summary"}) {
			t.Errorf("Text(%q): fields %v, want [summary]", tc.in, fields(&v))
		}
	}
}

// References, pseudonyms, titles and file names refuse the Unicode
// bidirectional formatting characters ("Trojan Source": a name that reads
// as something else) and, for one-line labels, line breaks.
func TestBidiControlsRefused(t *testing.T) {
	t.Parallel()
	bidi := []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C}
	for _, r := range bidi {
		if !valid.IsBidiControl(r) {
			t.Errorf("U+%04X is not refused", r)
		}
		s := "rapport" + string(r) + "fdp.exe"
		var label, file, opt apperr.Validation
		valid.Label(&label, "reference", s, 1, 64)
		valid.FileName(&file, "fileName", s)
		valid.OptLabel(&opt, "reference", &s, 64)
		for name, v := range map[string]*apperr.Validation{"Label": &label, "FileName": &file, "OptLabel": &opt} {
			e, ok := apperr.As(v.Err())
			if !ok || e.Code != apperr.Invalid || len(e.Fields) != 1 || !strings.Contains(e.Fields[0].Message, "bidirectional") {
				t.Errorf("%s(U+%04X): %v, want INVALID on the field", name, r, v.Err())
			}
		}
		var l apperr.Validation
		valid.Labels(&l, "platforms", []string{s}, 80, 5)
		if l.Err() == nil {
			t.Errorf("Labels(U+%04X) accepted", r)
		}
	}
	for _, ok := range []string{"D-2025/014", "Léa B.", "تقرير.pdf", "עברית", "rapport (v2).pdf", "\u200Bzero width space"} {
		var label, file apperr.Validation
		valid.Label(&label, "reference", ok, 1, 64)
		valid.FileName(&file, "fileName", ok)
		if label.Err() != nil || file.Err() != nil {
			t.Errorf("%q refused: %v %v", ok, label.Err(), file.Err())
		}
	}
	for _, bad := range []string{"two\nlines", "tab\there", "nul\x00"} {
		var label, file apperr.Validation
		valid.Label(&label, "reference", bad, 1, 64)
		valid.FileName(&file, "fileName", bad)
		if label.Err() == nil || file.Err() == nil {
			t.Errorf("%q accepted: %v %v", bad, label.Err(), file.Err())
		}
	}
	var empty apperr.Validation
	valid.FileName(&empty, "fileName", "")
	if empty.Err() != nil {
		t.Errorf("an empty file name is refused: %v", empty.Err())
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	var v apperr.Validation
	if !valid.List(&v, "ids", make([]int, 1000), 1000) || v.Err() != nil {
		t.Fatalf("a list at the bound refused: %v", v.Err())
	}
	if valid.List(&v, "ids", make([]int, 1001), 1000) || !slices.Equal(fields(&v), []string{"ids"}) {
		t.Fatalf("a list over the bound: %v", v.Err())
	}
}
