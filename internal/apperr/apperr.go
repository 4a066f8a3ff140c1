// Package apperr defines the errors that cross the service boundary. The
// domain decides the code; only the edges (GraphQL, HTTP, CLI) translate it.
// Anything that is not an *Error is INTERNAL and its message never reaches
// a client.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for clients.
type Code string

// The codes a client can see.
const (
	NotFound        Code = "NOT_FOUND"
	Forbidden       Code = "FORBIDDEN"
	Invalid         Code = "INVALID"
	Conflict        Code = "CONFLICT"
	Unauthenticated Code = "UNAUTHENTICATED"
	Internal        Code = "INTERNAL"
	RateLimited     Code = "RATE_LIMITED"
)

// FieldError says which input field is wrong and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error with a client-safe message.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// RetryAfter, on a RATE_LIMITED error, is how long the client should
	// wait before trying again (the edges send it as Retry-After).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
}

// New returns an error with the given code and client-safe message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RateLimitedFor returns a RATE_LIMITED error telling the client to retry
// after d (at least one second).
func RateLimitedFor(d time.Duration, format string, args ...any) *Error {
	if d < time.Second {
		d = time.Second
	}
	return &Error{Code: RateLimited, Message: fmt.Sprintf(format, args...), RetryAfter: d}
}

// RetryAfterSeconds is e.RetryAfter in whole seconds, rounded up; 0 when unset.
func (e *Error) RetryAfterSeconds() int {
	if e.RetryAfter <= 0 {
		return 0
	}
	return int((e.RetryAfter + time.Second - 1) / time.Second)
}

// NotFoundMessage is the one message of every NOT_FOUND: it names no kind
// of record, so an id probed through any operation tells nothing about
// what it might be.
const NotFoundMessage = "not found"

// NotFoundError is the answer for a resource that does not exist and for
// one the actor may not see: both look exactly the same, whatever the kind
// of record, the operation or the cause.
func NotFoundError() *Error {
	return &Error{Code: NotFound, Message: NotFoundMessage}
}

// CodeOf returns the code of err, INTERNAL for anything unknown.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as an *Error when it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Validation collects field errors; Err returns nil when there are none.
type Validation struct {
	fields []FieldError
}

// Add records that field is wrong, with a message for the user. The same
// field and message are recorded once (a list of a thousand bad entries
// gives one error, not a thousand).
func (v *Validation) Add(field, format string, args ...any) {
	fe := FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
	for _, f := range v.fields {
		if f == fe {
			return
		}
	}
	v.fields = append(v.fields, fe)
}

// Check records the message when cond is false.
func (v *Validation) Check(cond bool, field, format string, args ...any) {
	if !cond {
		v.Add(field, format, args...)
	}
}

// Err returns an INVALID error naming every wrong field, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "invalid input", Fields: v.fields}
}

// InvalidField is a shortcut for one wrong field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Message: "invalid input",
		Fields: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}
