// Package scalar marshals the API's custom scalars. Malformed input is an
// INVALID error that names the expected format, never a 500.
package scalar

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/egide/egide/internal/apperr"
)

// DateLayout is the wire format of a Date.
const DateLayout = "2006-01-02"

// MarshalUUID writes an ID.
func MarshalUUID(id uuid.UUID) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(id.String()))
	})
}

// UnmarshalUUID reads an ID; anything but a canonical UUID is INVALID.
func UnmarshalUUID(v any) (uuid.UUID, error) {
	s, ok := v.(string)
	if !ok {
		return uuid.Nil, apperr.New(apperr.Invalid, "an ID must be a string")
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, apperr.New(apperr.Invalid, "malformed ID")
	}
	return id, nil
}

// MarshalDate writes a calendar date.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(DateLayout)))
	})
}

// UnmarshalDate reads a YYYY-MM-DD date as midnight UTC.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, apperr.New(apperr.Invalid, "a date must be a string YYYY-MM-DD")
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, apperr.New(apperr.Invalid, "malformed date %q: want YYYY-MM-DD", truncate(s))
	}
	return t, nil
}

// MarshalTime writes an instant in Europe/Paris, where hearings happen.
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.In(paris()).Format(time.RFC3339)))
	})
}

// UnmarshalTime reads an RFC 3339 instant (with its offset).
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, apperr.New(apperr.Invalid, "a time must be an RFC 3339 string")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, apperr.New(apperr.Invalid, "malformed time %q: want RFC 3339, e.g. 2026-12-01T09:30:00+01:00", truncate(s))
	}
	return t, nil
}

func paris() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
