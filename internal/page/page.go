// Package page implements cursor pagination: opaque cursors over a sort
// key and an id (keyset pagination, so deep pages cost the same as the
// first and concurrent inserts never shift a page).
package page

import (
	"encoding/base64"
	"encoding/json"

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

// Decode parses an opaque cursor; nil for an empty one.
func Decode(s *string) (*Cursor, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*s)
	var c Cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == uuid.Nil {
		return nil, apperr.InvalidField("after", "is not a cursor returned by this list")
	}
	return &c, nil
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
