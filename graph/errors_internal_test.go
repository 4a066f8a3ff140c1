package graph

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/egide/egide/internal/actor"
)

// The presenter decides what a client sees and what the log keeps of an
// error: a value the database refused is the client's INVALID, logged as
// a warning; anything else unexpected is INTERNAL, logged as an error;
// neither log line carries the value.
func TestPresenterDatabaseErrors(t *testing.T) {
	t.Parallel()
	const secret = "Zorglub-secret@example.org"
	for _, tc := range []struct {
		name, code, level string
		err               error
	}{
		{"data exception", "INVALID", "WARN", fmt.Errorf("list dossiers: %w", &pgconn.PgError{Severity: "ERROR", Code: "22007",
			Message: `invalid input syntax for type date: "` + secret + `"`})},
		{"NUL refused by the database", "INVALID", "WARN", fmt.Errorf("insert: %w", &pgconn.PgError{Severity: "ERROR", Code: "22021",
			Message: `invalid byte sequence for encoding "UTF8": 0x00`})},
		{"server fault", "INTERNAL", "ERROR", fmt.Errorf("insert: %w", &pgconn.PgError{Severity: "ERROR", Code: "23505",
			Message: "duplicate key", Detail: "Key (email)=(" + secret + ") already exists."})},
		{"plain error", "INTERNAL", "ERROR", fmt.Errorf("boom")},
	} {
		var logs bytes.Buffer
		p := presenter(slog.New(slog.NewJSONHandler(&logs, nil)))
		ctx := WithActor(context.Background(), actor.Actor{RequestID: "req-7"})
		got := p(ctx, tc.err)
		if got.Extensions["code"] != tc.code || strings.Contains(got.Message, secret) || strings.Contains(got.Message, "SQLSTATE") {
			t.Errorf("%s: client sees %q %v", tc.name, got.Message, got.Extensions)
		}
		line := logs.String()
		if strings.Count(line, "\n") != 1 || !strings.Contains(line, `"level":"`+tc.level+`"`) || !strings.Contains(line, "req-7") {
			t.Errorf("%s: log %q, want one %s line with the request id", tc.name, line, tc.level)
		}
		if strings.Contains(line, "Zorglub") {
			t.Errorf("%s: the value reached the log: %s", tc.name, line)
		}
	}
	// gqlparser's errors keep their text, minus suggestions.
	var logs bytes.Buffer
	got := presenter(slog.New(slog.NewJSONHandler(&logs, nil)))(context.Background(),
		gqlerror.Errorf(`Cannot query field "dossierz" on type "Query". Did you mean "dossier" or "dossiers"?`))
	if got.Message != `Cannot query field "dossierz" on type "Query".` || got.Extensions["code"] != "INVALID" || logs.Len() != 0 {
		t.Errorf("validation error: %q %v, log %q", got.Message, got.Extensions, logs.String())
	}
}
