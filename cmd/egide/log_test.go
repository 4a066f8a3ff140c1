package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

func TestLogDurationsInMilliseconds(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	newLogger(&buf, slog.LevelInfo).Info("postgres started", "took", 1234567*time.Microsecond, "port", 5432)
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	if got := line["took_ms"]; got != 1234.567 {
		t.Errorf("took_ms = %v, want 1234.567 (line %s)", got, buf.String())
	}
	if _, raw := line["took"]; raw {
		t.Errorf("the raw nanoseconds are still logged: %s", buf.String())
	}
	if line["port"] != float64(5432) {
		t.Errorf("other attributes changed: %s", buf.String())
	}
}
