package calfeed

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/egide/egide/internal/holiday"
)

func TestEscapeText(t *testing.T) {
	for in, want := range map[string]string{
		"Salle 4, 2e étage; aile B": `Salle 4\, 2e étage\; aile B`,
		"a\\b":                      `a\\b`,
		"ligne 1\nligne 2\r\nfin":   `ligne 1\nligne 2\nfin`,
		"bell\x07tab\tok":           "belltab\tok",
	} {
		if got := escapeText(in); got != want {
			t.Errorf("escapeText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFoldAt75Octets(t *testing.T) {
	// Multi-byte runes straddle the 75th octet: no fold may split one.
	long := "SUMMARY:" + strings.Repeat("é", 100) + strings.Repeat("a", 80)
	var b strings.Builder
	fold(&b, long)
	out := b.String()
	if !strings.HasSuffix(out, "\r\n") {
		t.Fatal("line not ended by CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	if len(lines) < 3 {
		t.Fatalf("got %d lines, want folding", len(lines))
	}
	var unfolded strings.Builder
	for i, l := range lines {
		if len(l) > maxLine {
			t.Errorf("line %d is %d octets", i, len(l))
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i, l)
		}
		if i > 0 {
			if l[0] != ' ' {
				t.Fatalf("continuation %d does not start with a space", i)
			}
			l = l[1:]
		}
		unfolded.WriteString(l)
	}
	if unfolded.String() != long {
		t.Fatal("unfolding does not give the line back")
	}
	// A line of exactly 75 octets is not folded.
	b.Reset()
	fold(&b, strings.Repeat("x", 75))
	if b.String() != strings.Repeat("x", 75)+"\r\n" {
		t.Fatal("75 octets were folded")
	}
}

func TestGoldenFeed(t *testing.T) {
	stamp := time.Date(2026, 12, 4, 11, 0, 0, 0, time.UTC)
	cal := Calendar{Name: "Égide — audiences et échéances", Stamp: stamp, Events: []Event{
		{UID: "0b6f3f3e-4c1d-4c8e-9d7a-1f2e3d4c5b6a@egide",
			Start: time.Date(2027, 1, 12, 13, 30, 0, 0, holiday.Paris()), End: time.Date(2027, 1, 12, 17, 0, 0, 0, holiday.Paris()),
			Summary:     "Audience — jugement — DOS-2026-014",
			Location:    "Salle 4, Tribunal correctionnel de Paris",
			Description: "Dossier DOS-2026-014 dans Égide : https://egide.example.org/dossiers/5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
			URL:         "https://egide.example.org/dossiers/5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d"},
		{UID: "1c7e4a2b-5d6e-4f70-8a9b-0c1d2e3f4a5b@egide", AllDay: true,
			Start: time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC),
			Summary: "Échéance — Appel d'un jugement correctionnel; partie civile — DOS-2026-014"},
	}}
	want := strings.Join([]string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Egide//Calendar feed//FR",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"X-WR-CALNAME:Égide — audiences et échéances",
		"REFRESH-INTERVAL;VALUE=DURATION:PT8H",
		"X-PUBLISHED-TTL:PT8H",
		"BEGIN:VEVENT",
		"UID:0b6f3f3e-4c1d-4c8e-9d7a-1f2e3d4c5b6a@egide",
		"DTSTAMP:20261204T110000Z",
		"DTSTART:20270112T123000Z",
		"DTEND:20270112T160000Z",
		"SUMMARY:Audience — jugement — DOS-2026-014",
		`LOCATION:Salle 4\, Tribunal correctionnel de Paris`,
		"DESCRIPTION:Dossier DOS-2026-014 dans Égide : https://egide.example.org/do",
		" ssiers/5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
		"URL:https://egide.example.org/dossiers/5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
		"STATUS:CONFIRMED",
		"END:VEVENT",
		"BEGIN:VEVENT",
		"UID:1c7e4a2b-5d6e-4f70-8a9b-0c1d2e3f4a5b@egide",
		"DTSTAMP:20261204T110000Z",
		"DTSTART;VALUE=DATE:20261214",
		"DTEND;VALUE=DATE:20261215",
		"TRANSP:TRANSPARENT",
		// 75 octets would cut the em dash: the fold comes before it.
		`SUMMARY:Échéance — Appel d'un jugement correctionnel\; partie civile `,
		" — DOS-2026-014",
		"STATUS:CONFIRMED",
		"END:VEVENT",
		"END:VCALENDAR",
		"",
	}, "\r\n")
	if got := string(WriteICS(cal)); got != want {
		t.Errorf("feed:\n%s\nwant:\n%s", got, want)
	}
}
