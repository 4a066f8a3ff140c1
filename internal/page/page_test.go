package page_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/page"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"", "2025-01-15", "ref-é/ü \"quoted\" %_", "2025-01-15T10:11:12.123456Z"} {
		c := page.Cursor{Key: key, ID: uuid.New()}
		s := c.Encode()
		got, err := page.Decode(&s)
		if err != nil {
			t.Fatalf("decode %q: %v", s, err)
		}
		if got == nil || *got != c {
			t.Fatalf("round trip of %+v gave %+v", c, got)
		}
	}
}

func TestDecodeEmptyIsNoCursor(t *testing.T) {
	t.Parallel()
	empty := ""
	for _, s := range []*string{nil, &empty} {
		c, err := page.Decode(s)
		if err != nil || c != nil {
			t.Fatalf("Decode(%v) = %v, %v; want nil, nil", s, c, err)
		}
	}
}

func TestDecodeRefusesGarbage(t *testing.T) {
	t.Parallel()
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, s := range map[string]string{
		"not base64":     "%%%not-base64%%%",
		"padded base64":  base64.URLEncoding.EncodeToString([]byte(`{"k":"a","i":"`+uuid.NewString()+`"}`)) + "=",
		"not JSON":       enc("hello"),
		"JSON array":     enc(`["a"]`),
		"no id":          enc(`{"k":"a"}`),
		"nil id":         enc(`{"k":"a","i":"` + uuid.Nil.String() + `"}`),
		"bad id":         enc(`{"k":"a","i":"not-a-uuid"}`),
		"key not string": enc(`{"k":12,"i":"` + uuid.NewString() + `"}`),
		"truncated":      page.Cursor{Key: "x", ID: uuid.New()}.Encode()[:10],
		"unknown field":  enc(`{"k":"a","i":"` + uuid.NewString() + `","x":1}`),
		"trailing JSON":  enc(`{"k":"a","i":"` + uuid.NewString() + `"}{}`),
		"NUL in key":     enc(`{"k":"a\u0000b","i":"` + uuid.NewString() + `"}`),
		"control in key": enc(`{"k":"a\u001bb","i":"` + uuid.NewString() + `"}`),
		"raw NUL":        enc("{\"k\":\"a\x00\",\"i\":\"" + uuid.NewString() + "\"}"),
		"bad UTF-8":      enc("{\"k\":\"\xff\xfe\",\"i\":\"" + uuid.NewString() + "\"}"),
		"oversized":      page.Cursor{Key: strings.Repeat("x", page.MaxCursor), ID: uuid.New()}.Encode(),
		"NUL":            "\x00",
		"spaces":         "   ",
	} {
		_, err := page.Decode(&s)
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "after" {
			t.Errorf("%s: Decode(%q) = %v, want INVALID on field after", name, s, err)
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	n := func(i int) *int { return &i }
	for _, tc := range []struct {
		first *int
		want  int
		ok    bool
	}{
		{nil, 50, true},
		{n(1), 1, true},
		{n(page.MaxSize), page.MaxSize, true},
		{n(0), 0, false},
		{n(-1), 0, false},
		{n(page.MaxSize + 1), 0, false},
	} {
		got, err := page.Size(tc.first, 50)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("Size(%v) = %d, %v; want %d", tc.first, got, err, tc.want)
			}
			continue
		}
		if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || e.Fields[0].Field != "first" {
			t.Errorf("Size(%d) = %d, %v; want INVALID on field first", *tc.first, got, err)
		}
	}
}

// A list parses the key of a decoded cursor as its sort key: a cursor of
// another list (another key type), or a forged key, is INVALID on
// "after", never sent to SQL.
func TestCursorKeys(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	for _, tc := range []struct {
		key          string
		date, anTime bool
	}{
		{"2025-01-15", true, false},
		{"2025-01-15T10:11:12.123456Z", false, true},
		{"someone@example.org", false, false},
		{"2025-13-45", false, false},
		{"", false, false},
		{"'; DROP TABLE dossiers; --", false, false},
	} {
		c := &page.Cursor{Key: tc.key, ID: id}
		_, errDate := page.KeyDate(c)
		_, errTime := page.KeyTime(c)
		for _, r := range []struct {
			kind string
			err  error
			ok   bool
		}{{"date", errDate, tc.date}, {"time", errTime, tc.anTime}} {
			if r.ok {
				if r.err != nil {
					t.Errorf("%q as a %s: %v", tc.key, r.kind, r.err)
				}
				continue
			}
			e, ok := apperr.As(r.err)
			if !ok || e.Code != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "after" {
				t.Errorf("%q as a %s: %v, want INVALID on after", tc.key, r.kind, r.err)
			}
		}
	}
}
