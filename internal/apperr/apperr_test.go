package apperr_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/egide/egide/internal/apperr"
)

func TestCodeOf(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		err  error
		want apperr.Code
	}{
		"domain error":         {apperr.New(apperr.Conflict, "x"), apperr.Conflict},
		"wrapped once":         {fmt.Errorf("ctx: %w", apperr.NotFoundError()), apperr.NotFound},
		"wrapped twice":        {fmt.Errorf("a: %w", fmt.Errorf("b: %w", apperr.InvalidField("f", "m"))), apperr.Invalid},
		"joined":               {errors.Join(errors.New("other"), apperr.New(apperr.Forbidden, "no")), apperr.Forbidden},
		"plain error":          {errors.New("boom"), apperr.Internal},
		"plain error wrapped":  {fmt.Errorf("x: %w", errors.New("boom")), apperr.Internal},
		"nil":                  {nil, apperr.Internal},
		"unauthenticated kept": {apperr.New(apperr.Unauthenticated, "sign in"), apperr.Unauthenticated},
	} {
		if got := apperr.CodeOf(tc.err); got != tc.want {
			t.Errorf("%s: CodeOf = %s, want %s", name, got, tc.want)
		}
	}
}

func TestAs(t *testing.T) {
	t.Parallel()
	orig := apperr.NotFoundError()
	e, ok := apperr.As(fmt.Errorf("wrapped: %w", orig))
	if !ok || e != orig {
		t.Fatalf("As did not find the wrapped error: %v %v", e, ok)
	}
	if e.Message != "not found" {
		t.Errorf("message %q", e.Message)
	}
	if _, ok := apperr.As(errors.New("plain")); ok {
		t.Error("As found an apperr.Error in a plain error")
	}
}

// An attacker probing ids through different operations must not learn
// what kind of record an id might be: every NOT_FOUND is the same error.
func TestNotFoundNamesNoKind(t *testing.T) {
	t.Parallel()
	want := apperr.NotFoundError()
	if want.Code != apperr.NotFound || apperr.NotFoundMessage != "not found" || want.Message != apperr.NotFoundMessage || len(want.Fields) != 0 {
		t.Fatalf("NotFoundError() = %+v", want)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	var v apperr.Validation
	if err := v.Err(); err != nil {
		t.Fatalf("empty validation gave %v", err)
	}
	v.Check(true, "ok", "never")
	if err := v.Err(); err != nil {
		t.Fatalf("a passing check gave %v", err)
	}
	v.Add("title", "is required")
	v.Check(false, "themes", "at most %d entries", 3)
	err := v.Err()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("want INVALID, got %v", err)
	}
	want := []apperr.FieldError{{Field: "title", Message: "is required"}, {Field: "themes", Message: "at most 3 entries"}}
	if len(e.Fields) != len(want) {
		t.Fatalf("fields %v, want %v", e.Fields, want)
	}
	for i := range want {
		if e.Fields[i] != want[i] {
			t.Errorf("field %d = %v, want %v", i, e.Fields[i], want[i])
		}
	}
	if !strings.Contains(err.Error(), "title") || !strings.Contains(err.Error(), "INVALID") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestInvalidField(t *testing.T) {
	t.Parallel()
	e := apperr.InvalidField("closedOn", "must not be before %s", "2025-01-01")
	if e.Code != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "closedOn" ||
		e.Fields[0].Message != "must not be before 2025-01-01" {
		t.Fatalf("%+v", e)
	}
}

func TestNewFormats(t *testing.T) {
	t.Parallel()
	e := apperr.New(apperr.Conflict, "dossier %s is %s", "D-1", "closed")
	if e.Message != "dossier D-1 is closed" || e.Error() != "CONFLICT: dossier D-1 is closed" {
		t.Fatalf("%q / %q", e.Message, e.Error())
	}
}

// A list of ten thousand bad entries gives one error per distinct
// message, not ten thousand: the answer does not grow with the input.
func TestValidationRecordsEachErrorOnce(t *testing.T) {
	t.Parallel()
	var v apperr.Validation
	for range 10_000 {
		v.Add("themes", "unknown theme")
	}
	v.Add("themes", "at most %d entries", 20)
	v.Add("title", "unknown theme")
	e, _ := apperr.As(v.Err())
	if e == nil || len(e.Fields) != 3 {
		t.Fatalf("%v", v.Err())
	}
}
