package main

import (
	"io"
	"log/slog"

	"github.com/egide/egide/internal/postgres"
)

// newLogger is the process's JSON logger. Database errors lose the values
// they quote (postgres.RedactErrors: no typed value reaches the logs), and
// durations are milliseconds: slog writes a time.Duration as integer
// nanoseconds, which nobody reads at a glance, so each is written under its
// key with "_ms" appended ("took": 1.2s → "took_ms": 1200).
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			return durationsAsMillis(groups, postgres.RedactErrors(groups, a))
		}}))
}

func durationsAsMillis(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindDuration {
		return a
	}
	d := a.Value.Duration()
	return slog.Float64(a.Key+"_ms", float64(d.Microseconds())/1000)
}
