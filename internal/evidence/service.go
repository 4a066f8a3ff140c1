package evidence

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/valid"
)

// Config tunes the vault.
type Config struct {
	// MaxSize is the largest file accepted, in bytes (default 2 GiB).
	MaxSize int64
	// GCGrace is how old an object no record owns must be before the
	// collector removes it (default 24h): an upload in flight is never
	// collected under its feet.
	GCGrace time.Duration
}

// Defaults.
const (
	DefaultMaxSize = 2 << 30
	DefaultGCGrace = 24 * time.Hour
)

// Service keeps evidence files. Records, wrapped keys and the audit log
// are in PostgreSQL; the files, encrypted, in a blob.Store.
type Service struct {
	az    *authz.Authorizer
	pool  *pgxpool.Pool
	kr    *crypto.KeyRing
	store blob.Store
	cfg   Config
	now   func() time.Time
	// crashAt, nil in production, is called at the named points of an
	// upload ("before-put", "after-put", "after-commit"): the crash tests
	// kill the process there.
	crashAt func(point string)
}

// NewService returns the vault. pool serves the maintenance work done
// without an actor (collection, verification, key rotation).
func NewService(az *authz.Authorizer, pool *pgxpool.Pool, kr *crypto.KeyRing, store blob.Store, cfg Config) *Service {
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = DefaultMaxSize
	}
	if cfg.GCGrace <= 0 {
		cfg.GCGrace = DefaultGCGrace
	}
	return &Service{az: az, pool: pool, kr: kr, store: store, cfg: cfg, now: time.Now}
}

// MaxSize is the largest file accepted.
func (s *Service) MaxSize() int64 { return s.cfg.MaxSize }

// ContentPath is where a record's file is uploaded and downloaded.
func ContentPath(id uuid.UUID) string { return "/evidence/" + id.String() + "/content" }

const columns = `e.id, e.dossier_id, e.kind, e.title, e.description, e.document_date, e.file_name, e.status,
	e.content_type, e.size, e.sha256, e.stored_at, e.created_at`

func scan(row pgx.Row) (Evidence, error) {
	var e Evidence
	var sum []byte
	err := row.Scan(&e.ID, &e.DossierID, &e.Kind, &e.Title, &e.Description, &e.DocumentDate, &e.FileName,
		&e.Status, &e.ContentType, &e.Size, &sum, &e.StoredAt, &e.CreatedAt)
	if err != nil {
		return e, err
	}
	if sum != nil {
		h := hex.EncodeToString(sum)
		e.SHA256 = &h
	}
	path := ContentPath(e.ID)
	switch e.Status {
	case StatusPending:
		e.UploadPath = &path
	case StatusStored:
		e.DownloadPath = &path
	}
	return e, nil
}

func (k Kind) valid() bool {
	switch k {
	case KindComplaint, KindPoliceReport, KindPleading, KindDecision, KindExpertReport, KindCorrespondence, KindOther:
		return true
	}
	return false
}

// cleanFileName keeps a file name safe to store and offer for download:
// no path, no control characters, at most 255 bytes.
func cleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	for len(name) > 255 {
		_, size := lastRune(name)
		name = name[:len(name)-size]
	}
	return name
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, len(s)
}

func opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Create records a document of a dossier, to be uploaded next. The same
// idempotency key in the same dossier returns the record created first.
func (s *Service) Create(ctx context.Context, a actor.Actor, in CreateInput) (Evidence, error) {
	var v apperr.Validation
	if !in.Kind.valid() {
		v.Add("kind", "unknown kind")
	}
	title := valid.Label(&v, "title", in.Title, 1, 300)
	desc := valid.OptText(&v, "description", in.Description, 4000)
	idem := valid.Text(&v, "idempotencyKey", in.IdempotencyKey, 1, 128)
	valid.FileName(&v, "fileName", opt(in.FileName))
	name := cleanFileName(opt(in.FileName))
	if err := v.Err(); err != nil {
		return Evidence{}, err
	}
	var e Evidence
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.az.Dossier(ctx, tx, a, authz.EvidenceWrite, in.DossierID, "dossier", in.DossierID)
		if err != nil {
			return err
		}
		e, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM evidence e WHERE e.dossier_id = $1 AND e.idempotency_key = $2`,
			in.DossierID, idem))
		switch {
		case err == nil:
			return audit.Record(ctx, tx, a, audit.Event{Action: "evidence.create", ResourceType: "evidence",
				ResourceIDs: []uuid.UUID{e.ID}, DossierID: e.DossierID, Permission: string(authz.EvidenceWrite)})
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("read evidence: %w", err)
		}
		if acc.Closed {
			return apperr.InvalidField("dossierId", "the dossier is closed")
		}
		var erased bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dossier_keys WHERE dossier_id = $1 AND wrapped_key IS NULL)`,
			in.DossierID).Scan(&erased); err != nil {
			return fmt.Errorf("read dossier key: %w", err)
		}
		if erased {
			return errErased
		}
		// ON CONFLICT: a concurrent retry with the same key inserted
		// first; its record is read below once it commits.
		e, err = scan(tx.QueryRow(ctx, `
			INSERT INTO evidence AS e (dossier_id, kind, title, description, document_date, file_name, idempotency_key, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (dossier_id, idempotency_key) DO NOTHING
			RETURNING `+columns,
			in.DossierID, in.Kind, title, opt(desc), in.DocumentDate, name, idem, a.UserID))
		if errors.Is(err, pgx.ErrNoRows) {
			e, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM evidence e WHERE e.dossier_id = $1 AND e.idempotency_key = $2`,
				in.DossierID, idem))
		}
		if err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "evidence.create", ResourceType: "evidence",
			ResourceIDs: []uuid.UUID{e.ID}, DossierID: e.DossierID, Permission: string(authz.EvidenceWrite)})
	})
	return e, err
}

// authorize finds an evidence record's dossier and checks p on it; a
// record the actor may not see is NOT_FOUND.
func (s *Service) authorize(ctx context.Context, tx pgx.Tx, a actor.Actor, p authz.Permission, id uuid.UUID) (authz.DossierAccess, error) {
	return s.az.Row(ctx, tx, a, p, "evidence", "evidence", id)
}

// Get reads one record.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Evidence, error) {
	var e Evidence
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.authorize(ctx, tx, a, authz.EvidenceRead, id); err != nil {
			return err
		}
		var err error
		if e, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM evidence e WHERE e.id = $1`, id)); err != nil {
			return fmt.Errorf("read evidence: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "evidence.read", ResourceType: "evidence",
			ResourceIDs: []uuid.UUID{id}, DossierID: e.DossierID, Permission: string(authz.EvidenceRead)})
	})
	return e, err
}

// ByDossier lists a dossier's records, newest first.
func (s *Service) ByDossier(ctx context.Context, a actor.Actor, dossierID uuid.UUID) ([]Evidence, error) {
	out := []Evidence{}
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Dossier(ctx, tx, a, authz.EvidenceRead, dossierID, "dossier", dossierID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM evidence e WHERE e.dossier_id = $1
			ORDER BY e.created_at DESC, e.id DESC`, dossierID)
		if err != nil {
			return fmt.Errorf("list evidence: %w", err)
		}
		ids := []uuid.UUID{}
		for rows.Next() {
			e, err := scan(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("list evidence: %w", err)
			}
			out = append(out, e)
			ids = append(ids, e.ID)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list evidence: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "evidence.list", ResourceType: "evidence",
			ResourceIDs: ids, DossierID: dossierID, Permission: string(authz.EvidenceRead)})
	})
	return out, err
}

// Upload stores the file of a pending record: sniffed, hashed and
// encrypted in one streaming pass, under a new object key. declaredSize is
// the body's length, -1 when unknown; fileName, when not empty, replaces
// the record's. Uploading to a stored record returns it unchanged (a
// retry). Until the record is marked stored, in a transaction after the
// object is complete, nothing points to the object: a crash at any point
// leaves at worst an orphan for the collector.
func (s *Service) Upload(ctx context.Context, a actor.Actor, id uuid.UUID, body io.Reader, declaredSize int64,
	fileName string) (Evidence, error) {
	if declaredSize > s.cfg.MaxSize {
		return Evidence{}, &TooLargeError{Max: s.cfg.MaxSize}
	}
	var fv apperr.Validation
	valid.FileName(&fv, "fileName", fileName)
	if err := fv.Err(); err != nil {
		return Evidence{}, err
	}
	var (
		e           Evidence
		done        bool
		key         string
		dk, wrapped []byte
	)
	defer func() { clear(dk) }()
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		acc, err := s.authorize(ctx, tx, a, authz.EvidenceWrite, id)
		if err != nil {
			return err
		}
		if e, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM evidence e WHERE e.id = $1 FOR UPDATE`, id)); err != nil {
			return fmt.Errorf("read evidence: %w", err)
		}
		switch e.Status {
		case StatusStored:
			done = true
			return nil
		case StatusErased:
			return errErased
		}
		if acc.Closed {
			return apperr.InvalidField("dossierId", "the dossier is closed")
		}
		dossierKey, err := s.dossierKey(ctx, tx, e.DossierID, true)
		if err != nil {
			return err
		}
		defer clear(dossierKey)
		if dk, err = crypto.NewDataKey(); err != nil {
			return err
		}
		if wrapped, err = crypto.Seal(dossierKey, dk, dataKeyAAD(id)); err != nil {
			return fmt.Errorf("wrap data key: %w", err)
		}
		key = newObjectKey(e.DossierID)
		_, err = tx.Exec(ctx, `UPDATE evidence SET upload_key = $2 WHERE id = $1`, id, key)
		return err
	})
	if err != nil || done {
		return e, err
	}
	s.crash("before-put")

	contentType, all, err := sniff(body)
	if err != nil {
		return Evidence{}, err
	}
	size, sum, err := s.encryptTo(ctx, key, all, declaredSize, dk, streamAAD(id, e.DossierID))
	if err != nil {
		s.removeObject(ctx, key)
		return Evidence{}, err
	}
	s.crash("after-put")
	name := cleanFileName(fileName)
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.authorize(ctx, tx, a, authz.EvidenceWrite, id); err != nil {
			return err
		}
		var erased bool
		if err := tx.QueryRow(ctx, `SELECT wrapped_key IS NULL FROM dossier_keys WHERE dossier_id = $1 FOR SHARE`,
			e.DossierID).Scan(&erased); err != nil {
			return fmt.Errorf("read dossier key: %w", err)
		}
		if erased {
			return errErased
		}
		var err error
		e, err = scan(tx.QueryRow(ctx, `
			UPDATE evidence e SET status = 'stored', object_key = upload_key, wrapped_key = $3, size = $4, sha256 = $5,
				content_type = $6, stored_at = now(), file_name = CASE WHEN $7 = '' THEN file_name ELSE $7 END
			WHERE e.id = $1 AND e.status = 'pending' AND e.upload_key = $2
			RETURNING `+columns, id, key, wrapped, size, sum, contentType, name))
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.Conflict, "another upload of this evidence was started; try again")
		}
		if err != nil {
			return postgres.MapError(err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "evidence.upload", ResourceType: "evidence",
			ResourceIDs: []uuid.UUID{id}, DossierID: e.DossierID, Permission: string(authz.EvidenceWrite)})
	})
	if err != nil {
		s.removeObject(ctx, key)
		return Evidence{}, err
	}
	s.crash("after-commit")
	return e, nil
}

// crash calls the crash tests' hook.
func (s *Service) crash(point string) {
	if s.crashAt != nil {
		s.crashAt(point)
	}
}

// removeObject deletes an object no record owns, best effort: the
// collector removes what it leaves.
func (s *Service) removeObject(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_ = s.store.Delete(ctx, key)
}

// Download opens a stored file. The access is audited (and committed)
// before anything is read. The reader decrypts and checks the SHA-256
// recorded at upload: a damaged or altered file ends in an error wrapping
// crypto.ErrDecrypt, never in io.EOF, so a caller must treat any error as
// an incomplete file. The caller closes it.
func (s *Service) Download(ctx context.Context, a actor.Actor, id uuid.UUID) (Evidence, io.ReadCloser, error) {
	return s.DownloadFrom(ctx, a, id, 0)
}

// DownloadFrom is Download from byte offset of the file on, to resume an
// interrupted download: the same authorization and audit, and a reader of
// the file's bytes from offset to its end. Offset 0 is Download, verified
// against the recorded SHA-256; from any other offset only the chunks read
// are authenticated (see openObjectFrom). An offset below 0 or past the
// size is a *RangeError (INVALID), audited like any download first: the
// answer tells the file's size, and an access that tells something is
// recorded.
func (s *Service) DownloadFrom(ctx context.Context, a actor.Actor, id uuid.UUID, offset int64) (Evidence, io.ReadCloser, error) {
	var e Evidence
	var o object
	var rangeErr *RangeError
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.authorize(ctx, tx, a, authz.EvidenceRead, id); err != nil {
			return err
		}
		var err error
		if e, err = scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM evidence e WHERE e.id = $1`, id)); err != nil {
			return fmt.Errorf("read evidence: %w", err)
		}
		switch e.Status {
		case StatusPending:
			return apperr.New(apperr.Conflict, "the file of this evidence is not uploaded yet")
		case StatusErased:
			return errErased
		}
		if o, err = scanObject(tx.QueryRow(ctx, `SELECT `+objectColumns+`
			FROM evidence e JOIN dossier_keys k ON k.dossier_id = e.dossier_id WHERE e.id = $1`, id)); err != nil {
			return fmt.Errorf("read evidence keys: %w", err)
		}
		if offset < 0 || offset > o.size {
			rangeErr = &RangeError{Offset: offset, Size: o.size} // answered once the audit is committed
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "evidence.download", ResourceType: "evidence",
			ResourceIDs: []uuid.UUID{id}, DossierID: e.DossierID, Permission: string(authz.EvidenceRead)})
	})
	if err != nil {
		return Evidence{}, nil, err
	}
	if rangeErr != nil {
		return Evidence{}, nil, rangeErr
	}
	var body io.ReadCloser
	if offset == 0 {
		body, err = s.openObject(ctx, o)
	} else {
		body, err = s.openObjectFrom(ctx, o, offset)
	}
	if err != nil {
		return Evidence{}, nil, err
	}
	return e, body, nil
}

// EraseDossier crypto-shreds a dossier: its key, the data keys of its
// files and the keys of its people's identities are destroyed in one
// transaction, which makes all of them unreadable for good; the encrypted
// objects are then deleted, best effort (the collector removes the rest).
// Other dossiers are untouched. The reason is required and audited.
func (s *Service) EraseDossier(ctx context.Context, a actor.Actor, dossierID uuid.UUID, reason string) (Erasure, error) {
	var v apperr.Validation
	reason = valid.Text(&v, "reason", reason, 1, 1000)
	if err := v.Err(); err != nil {
		return Erasure{}, err
	}
	out := Erasure{DossierID: dossierID}
	var keys []string
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		if _, err := s.az.Dossier(ctx, tx, a, authz.DossierErase, dossierID, "dossier", dossierID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO dossier_keys (dossier_id, wrapped_key, erased_at) VALUES ($1, NULL, now())
			ON CONFLICT (dossier_id) DO UPDATE SET wrapped_key = NULL, erased_at = coalesce(dossier_keys.erased_at, now())
			RETURNING erased_at`, dossierID).Scan(&out.ErasedAt); err != nil {
			return fmt.Errorf("erase dossier key: %w", err)
		}
		rows, err := tx.Query(ctx, `UPDATE evidence SET status = 'erased', wrapped_key = NULL, object_key = NULL
			WHERE dossier_id = $1 AND status <> 'erased' RETURNING coalesce(object_key, upload_key, '')`, dossierID)
		if err != nil {
			return fmt.Errorf("erase evidence: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return fmt.Errorf("erase evidence: %w", err)
			}
			out.EvidenceErased++
			if k != "" {
				keys = append(keys, k)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("erase evidence: %w", err)
		}
		for _, table := range []string{"victims", "defendants"} {
			tag, err := tx.Exec(ctx, `UPDATE `+table+` SET identity_wrapped_key = NULL
				WHERE dossier_id = $1 AND identity_wrapped_key IS NOT NULL`, dossierID)
			if err != nil {
				return fmt.Errorf("erase %s identities: %w", table, err)
			}
			out.IdentitiesErased += int(tag.RowsAffected())
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "dossier.erase", ResourceType: "dossier",
			ResourceIDs: []uuid.UUID{dossierID}, DossierID: dossierID, Reason: reason, Permission: string(authz.DossierErase)})
	})
	if err != nil {
		return Erasure{}, err
	}
	for _, k := range keys {
		s.removeObject(ctx, k)
	}
	return out, nil
}
