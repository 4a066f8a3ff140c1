// Package page implements cursor pagination: opaque cursors over a sort
// key and an id (keyset pagination, so deep pages cost the same as the
// first and concurrent inserts never shift a page).
package page

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/apperr"
)

// MaxSize is the largest page any list returns.
const MaxSize = 200

// Cursor is the position after which a page starts.
type Cursor struct {
	Key string    `json:"k"`
	ID  uuid.UUID `json:"i"`
}

// Encode returns the opaque form of c.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c) // cannot fail: two strings
	return base64.RawURLEncoding.EncodeToString(b)
}

// MaxCursor bounds the length of a cursor a client sends back; the ones
// this package encodes are far shorter.
const MaxCursor = 1024

// errCursor is the one answer to anything that is not a cursor this
// package encoded: INVALID on the field "after", never INTERNAL.
func errCursor() error {
	return apperr.InvalidField("after", "is not a cursor returned by this list")
}

// Decode parses an opaque cursor; nil for an empty one. Anything but a
// cursor that Encode could have written — bad base64, base64 of anything
// but {"k": text, "i": uuid}, a nil id, a key with control characters or
// invalid UTF-8, an oversized one — is INVALID on "after". The key is
// still the client's: a list checks it parses as its sort key before it
// reaches SQL (KeyTime, KeyDate).
func Decode(s *string) (*Cursor, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	if len(*s) > MaxCursor {
		return nil, errCursor()
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(*s)
	if err != nil || !utf8.Valid(b) {
		return nil, errCursor()
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Cursor
	if err := dec.Decode(&c); err != nil || dec.More() || c.ID == uuid.Nil || !utf8.ValidString(c.Key) ||
		strings.IndexFunc(c.Key, unicode.IsControl) >= 0 {
		return nil, errCursor()
	}
	return &c, nil
}

// KeyTime parses a cursor key written as an RFC 3339 time.
func KeyTime(c *Cursor) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, c.Key)
	if err != nil {
		return time.Time{}, errCursor()
	}
	return t, nil
}

// KeyDate parses a cursor key written as a calendar date (2006-01-02).
func KeyDate(c *Cursor) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, c.Key)
	if err != nil {
		return time.Time{}, errCursor()
	}
	return t, nil
}

// Size checks a requested page size: default def, 1..MaxSize.
func Size(first *int, def int) (int, error) {
	if first == nil {
		return def, nil
	}
	if *first < 1 || *first > MaxSize {
		return 0, apperr.InvalidField("first", "must be between 1 and %d", MaxSize)
	}
	return *first, nil
}

// Info says how to fetch the next page.
type Info struct {
	HasNextPage bool
	EndCursor   *string
}
