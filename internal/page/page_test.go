package page_test

import (
	"encoding/base64"
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
