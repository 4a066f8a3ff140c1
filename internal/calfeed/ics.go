package calfeed

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one VEVENT of a feed. Timed events (hearings) are written as
// UTC instants; all-day events (deadlines) as dates.
type Event struct {
	UID         string
	Start, End  time.Time // instants of a timed event; days (any location, date taken) of an all-day one
	AllDay      bool
	Summary     string
	Location    string
	Description string
	URL         string
	Cancelled   bool
}

// Calendar is what WriteICS writes.
type Calendar struct {
	Name   string
	Stamp  time.Time // DTSTAMP of every event: when the feed was built
	Events []Event
}

// maxLine is the longest content line, in octets, without its CRLF
// (RFC 5545 3.1).
const maxLine = 75

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and newlines; other control characters are dropped (they are not
// allowed in a content line).
func escapeText(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r < 0x20 && r != '\t' || r == 0x7f:
		case r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold writes one content line folded at 75 octets (RFC 5545 3.1): a CRLF
// followed by one space continues the line; a fold never splits a UTF-8
// sequence.
func fold(b *strings.Builder, line string) {
	limit := maxLine
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = maxLine - 1 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}

const (
	utcForm  = "20060102T150405Z"
	dateForm = "20060102"
)

// WriteICS renders c as an iCalendar object (RFC 5545).
func WriteICS(c Calendar) []byte {
	var b strings.Builder
	line := func(s string) { fold(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Egide//Calendar feed//FR")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME:" + escapeText(c.Name))
	}
	// A hint for clients that honour it; they refresh on their own schedule.
	line("REFRESH-INTERVAL;VALUE=DURATION:PT8H")
	line("X-PUBLISHED-TTL:PT8H")
	stamp := c.Stamp.UTC().Format(utcForm)
	for _, e := range c.Events {
		line("BEGIN:VEVENT")
		line("UID:" + escapeText(e.UID))
		line("DTSTAMP:" + stamp)
		if e.AllDay {
			line("DTSTART;VALUE=DATE:" + e.Start.Format(dateForm))
			line("DTEND;VALUE=DATE:" + e.End.Format(dateForm))
			line("TRANSP:TRANSPARENT")
		} else {
			line("DTSTART:" + e.Start.UTC().Format(utcForm))
			line("DTEND:" + e.End.UTC().Format(utcForm))
		}
		line("SUMMARY:" + escapeText(e.Summary))
		if e.Location != "" {
			line("LOCATION:" + escapeText(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION:" + escapeText(e.Description))
		}
		if e.URL != "" {
			line("URL:" + e.URL)
		}
		if e.Cancelled {
			line("STATUS:CANCELLED")
		} else {
			line("STATUS:CONFIRMED")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}
