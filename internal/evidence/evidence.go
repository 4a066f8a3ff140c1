// Package evidence owns the evidence vault: documents stored encrypted
// (envelope encryption, streamed, verified by SHA-256 on every download)
// and references to illicit content, which is never stored.
package evidence

import (
	"time"

	"github.com/google/uuid"
)

// Kind is what a document is.
type Kind string

// Kinds.
const (
	KindComplaint      Kind = "complaint"
	KindPoliceReport   Kind = "police_report"
	KindPleading       Kind = "pleading"
	KindDecision       Kind = "decision"
	KindExpertReport   Kind = "expert_report"
	KindCorrespondence Kind = "correspondence"
	KindOther          Kind = "other"
)

// Status of an evidence record.
type Status string

// Statuses.
const (
	StatusPending Status = "pending"
	StatusStored  Status = "stored"
	StatusErased  Status = "erased"
)

// Evidence is a document of a dossier.
type Evidence struct {
	ID           uuid.UUID
	DossierID    uuid.UUID
	Kind         Kind
	Title        string
	Description  string
	DocumentDate *time.Time
	FileName     string
	Status       Status
	ContentType  string
	Size         *int64
	SHA256       *string // hex
	StoredAt     *time.Time
	CreatedAt    time.Time
	DownloadPath *string
	UploadPath   *string
}

// CreateInput is a new evidence record.
type CreateInput struct {
	DossierID      uuid.UUID
	Kind           Kind
	Title          string
	Description    *string
	DocumentDate   *time.Time
	FileName       *string
	IdempotencyKey string
}

// Channel is where illicit content was reported.
type Channel string

// Channels.
const (
	ChannelPharos         Channel = "pharos"
	ChannelPointDeContact Channel = "point_de_contact"
	ChannelPlatform       Channel = "platform"
	ChannelPolice         Channel = "police"
	ChannelOther          Channel = "other"
)

// ContentReference is illicit content, referenced but never stored.
type ContentReference struct {
	ID             uuid.UUID
	DossierID      uuid.UUID
	URL            string
	Platform       string
	SHA256         string
	MD5            string
	PerceptualHash string
	Description    string
	ObservedOn     *time.Time
	CreatedAt      time.Time
}

// Report is a report made about referenced content.
type Report struct {
	ID                 uuid.UUID
	ContentReferenceID uuid.UUID
	Channel            Channel
	Reference          string
	ReportedOn         time.Time
	Outcome            string
}

// ReferenceInput is a new content reference.
type ReferenceInput struct {
	DossierID      uuid.UUID
	URL            string
	Platform       *string
	SHA256         *string
	MD5            *string
	PerceptualHash *string
	Description    *string
	ObservedOn     *time.Time
}

// ReportInput is a new report.
type ReportInput struct {
	ContentReferenceID uuid.UUID
	Channel            Channel
	Reference          *string
	ReportedOn         time.Time
	Outcome            *string
}

// Erasure is what a crypto-shredding destroyed.
type Erasure struct {
	DossierID        uuid.UUID
	ErasedAt         time.Time
	EvidenceErased   int
	IdentitiesErased int
}
