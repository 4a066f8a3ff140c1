package postgres

import (
	"errors"
	"log/slog"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// encodeValue matches what pgx quotes of a Go value it could not encode
// ("unable to encode "x@y" into text format for uuid").
var encodeValue = regexp.MustCompile(`unable to encode .*? into (binary|text) format`)

// LogSafe is err's text for a log line, without the values a database
// error may quote: a *pgconn.PgError is reduced to its SQLSTATE and the
// names of the schema objects (constraint, table, column) — its message
// ("invalid input syntax for type date: "…""), detail ("Key (email)=(…)
// already exists"), hint and where are dropped — and what pgx quotes of a
// value it could not encode is cut. The wrapping context (fmt.Errorf
// "list dossiers: %w") is kept: it is written by the code, not typed.
func LogSafe(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		safe := "database error SQLSTATE " + pg.Code
		for _, kv := range [][2]string{{"constraint", pg.ConstraintName}, {"table", pg.TableName}, {"column", pg.ColumnName}} {
			if kv[1] != "" {
				safe += " " + kv[0] + "=" + kv[1]
			}
		}
		full := pg.Error()
		if strings.Contains(s, full) {
			s = strings.ReplaceAll(s, full, safe)
		} else {
			s = safe // wrapped in a way that did not quote it verbatim: keep nothing of it
		}
		for _, v := range []string{pg.Message, pg.Detail, pg.Hint, pg.Where, pg.InternalQuery} {
			if v != "" {
				s = strings.ReplaceAll(s, v, "…")
			}
		}
	}
	return encodeValue.ReplaceAllString(s, "unable to encode … into $1 format")
}

// RedactErrors is a slog ReplaceAttr function: every error logged as an
// attribute is written as LogSafe gives it.
func RedactErrors(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindAny {
		if err, ok := a.Value.Any().(error); ok {
			return slog.String(a.Key, LogSafe(err))
		}
	}
	return a
}

// ClientFault reports whether err holds a PostgreSQL data exception
// (SQLSTATE class 22: a value the database refused, such as text with a
// NUL character or a date out of range): the client's input, which input
// checks should have refused, never a server fault.
func ClientFault(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && strings.HasPrefix(pg.Code, "22")
}
