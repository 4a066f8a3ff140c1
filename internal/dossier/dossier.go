// Package dossier owns dossiers: the NGO's involvement in one criminal
// matter, their listing, sharing and assignments.
package dossier

import (
	"time"

	"github.com/google/uuid"
)

// Theme is a kind of exploitation.
type Theme string

// Themes.
const (
	ThemeLiveStreaming     Theme = "live_streaming"
	ThemeGrooming          Theme = "grooming"
	ThemeSextortion        Theme = "sextortion"
	ThemeAbuseImages       Theme = "abuse_images"
	ThemeTrafficking       Theme = "trafficking"
	ThemeChildProstitution Theme = "child_prostitution"
)

// Themes lists every theme.
var Themes = []Theme{ThemeLiveStreaming, ThemeGrooming, ThemeSextortion, ThemeAbuseImages,
	ThemeTrafficking, ThemeChildProstitution}

func (t Theme) valid() bool {
	for _, x := range Themes {
		if x == t {
			return true
		}
	}
	return false
}

// Status of a dossier.
type Status string

// Statuses.
const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// Dossier is the NGO's involvement in one criminal matter.
type Dossier struct {
	ID                uuid.UUID
	OrganisationID    uuid.UUID
	Reference         string
	Title             string
	Summary           string
	Themes            []Theme
	Status            Status
	OpenedOn          time.Time
	ClosedOn          *time.Time
	ClosingReason     string
	ParquetNumber     string
	InstructionNumber string
	Platforms         []string
	Countries         []string
	RetentionUntil    *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}
