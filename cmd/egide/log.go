package main

import (
	"io"
	"log/slog"
)

// newLogger is the process's JSON logger. slog writes a time.Duration as
// integer nanoseconds, which nobody reads at a glance: every duration is
// written instead as milliseconds under its key with "_ms" appended
// ("took": 1.2s → "took_ms": 1200).
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: durationsAsMillis}))
}

func durationsAsMillis(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindDuration {
		return a
	}
	d := a.Value.Duration()
	return slog.Float64(a.Key+"_ms", float64(d.Microseconds())/1000)
}
