package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/crypto"
)

// The key hierarchy: key ring → dossier key → object data key → chunks.
// Every wrapped value is bound to what it protects, so one copied to
// another row does not open.

func dossierKeyAAD(dossierID uuid.UUID) []byte { return []byte("dossier-key:" + dossierID.String()) }
func dataKeyAAD(id uuid.UUID) []byte           { return []byte("evidence-key:" + id.String()) }
func streamAAD(id, dossierID uuid.UUID) []byte {
	return []byte("evidence:" + id.String() + "|dossier:" + dossierID.String())
}

// objectPrefix is where every evidence object lives in the store.
const objectPrefix = "evidence/"

func newObjectKey(dossierID uuid.UUID) string {
	return objectPrefix + dossierID.String() + "/" + uuid.NewString()
}

// errStoreStopped ends the encryptor when the store gave up reading.
var errStoreStopped = errors.New("evidence: the store stopped reading")

// errErased: the dossier's key was destroyed.
var errErased = apperr.New(apperr.Conflict, "the dossier's content was erased")

// dossierKey returns the dossier's key, creating it on first use. The
// caller clears it.
func (s *Service) dossierKey(ctx context.Context, tx pgx.Tx, dossierID uuid.UUID, create bool) ([]byte, error) {
	if create {
		key, err := crypto.NewDataKey()
		if err != nil {
			return nil, err
		}
		wrapped, err := s.kr.Wrap(key, dossierKeyAAD(dossierID))
		clear(key)
		if err != nil {
			return nil, fmt.Errorf("wrap dossier key: %w", err)
		}
		// A concurrent first upload may win: then its key is the one.
		if _, err := tx.Exec(ctx, `INSERT INTO dossier_keys (dossier_id, wrapped_key) VALUES ($1, $2)
			ON CONFLICT (dossier_id) DO NOTHING`, dossierID, wrapped); err != nil {
			return nil, fmt.Errorf("create dossier key: %w", err)
		}
	}
	var wrapped []byte
	err := tx.QueryRow(ctx, `SELECT wrapped_key FROM dossier_keys WHERE dossier_id = $1 FOR SHARE`, dossierID).Scan(&wrapped)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("dossier %s has no key", dossierID)
	}
	if err != nil {
		return nil, fmt.Errorf("read dossier key: %w", err)
	}
	if wrapped == nil {
		return nil, errErased
	}
	key, err := s.kr.Unwrap(wrapped, dossierKeyAAD(dossierID))
	if err != nil {
		return nil, fmt.Errorf("unwrap dossier key %s: %w", dossierID, err)
	}
	return key, nil
}

// dataKey unwraps an object's data key with its dossier key.
func dataKey(dossierKey, wrapped []byte, id uuid.UUID) ([]byte, error) {
	key, err := crypto.Open(dossierKey, wrapped, dataKeyAAD(id))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key of evidence %s: %w", id, err)
	}
	return key, nil
}

// TooLargeError is the refusal of a file over the size limit; the HTTP
// edge answers it with 413. It reaches clients as INVALID.
type TooLargeError struct{ Max int64 }

func (e *TooLargeError) Error() string { return fmt.Sprintf("file too large: at most %d bytes", e.Max) }

// Unwrap gives the client-facing error.
func (e *TooLargeError) Unwrap() error {
	return apperr.New(apperr.Invalid, "file too large: at most %d bytes", e.Max)
}

// RangeError refuses a download from an offset outside the file; the HTTP
// edge answers it with 416. It reaches clients as INVALID.
type RangeError struct{ Offset, Size int64 }

func (e *RangeError) Error() string {
	return fmt.Sprintf("offset %d is outside the file (%d bytes)", e.Offset, e.Size)
}

// Unwrap gives the client-facing error.
func (e *RangeError) Unwrap() error {
	return apperr.New(apperr.Invalid, "offset %d is outside the file (%d bytes)", e.Offset, e.Size)
}

// sniffReader reads the first 512 bytes for content sniffing and emits
// them again.
func sniff(r io.Reader) (contentType string, all io.Reader, err error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", nil, fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	return http.DetectContentType(head), io.MultiReader(bytes.NewReader(head), r), nil
}

// limitCounter counts bytes and fails past max.
type limitCounter struct {
	r   io.Reader
	n   int64
	max int64
}

func (l *limitCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return 0, &TooLargeError{Max: l.max}
	}
	return n, err
}

// encryptTo streams src, encrypted, into the store under key. It returns
// the plaintext's size and SHA-256. On failure the object may or may not
// exist (blob.Store.Put keeps the old one, there is none) and the caller
// deletes it.
func (s *Service) encryptTo(ctx context.Context, key string, src io.Reader, declaredSize int64,
	dk, aad []byte) (size int64, sum []byte, err error) {
	h := sha256.New()
	counted := &limitCounter{r: src, max: s.cfg.MaxSize}
	pr, pw := io.Pipe()
	encErr := make(chan error, 1)
	go func() {
		err := func() error {
			w, err := crypto.NewEncryptWriter(pw, dk, aad)
			if err != nil {
				return err
			}
			buf := make([]byte, 64<<10)
			if _, err := io.CopyBuffer(w, io.TeeReader(counted, h), buf); err != nil {
				return err
			}
			return w.Close()
		}()
		pw.CloseWithError(err) // nil: EOF
		encErr <- err
	}()
	storeSize := int64(-1)
	if declaredSize >= 0 {
		storeSize = crypto.EncryptedSize(declaredSize)
	}
	putErr := s.store.Put(ctx, key, pr, storeSize)
	pr.CloseWithError(errStoreStopped) // unblocks the encryptor after a failed Put
	eErr := <-encErr
	var tooLarge *TooLargeError
	switch {
	case errors.As(eErr, &tooLarge):
		return 0, nil, tooLarge
	case putErr != nil && errors.Is(putErr, blob.ErrSize):
		return 0, nil, apperr.New(apperr.Invalid, "the file does not have the size declared (%d bytes)", declaredSize)
	case eErr != nil && !errors.Is(eErr, errStoreStopped):
		return 0, nil, fmt.Errorf("read upload: %w", eErr)
	case putErr != nil:
		return 0, nil, fmt.Errorf("store object: %w", putErr)
	}
	return counted.n, h.Sum(nil), nil
}

// verifyingReader decrypts and, at the end, checks the size and SHA-256
// recorded at upload: a mismatch is an error wrapping crypto.ErrDecrypt
// in place of io.EOF, so a reader never takes a wrong file for a whole one.
type verifyingReader struct {
	src  io.ReadCloser
	r    io.Reader
	h    hash.Hash
	n    int64
	size int64
	want []byte
	err  error
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if errors.Is(err, io.EOF) {
		if v.n != v.size || subtle.ConstantTimeCompare(v.h.Sum(nil), v.want) != 1 {
			v.err = fmt.Errorf("%w: the file does not match its recorded SHA-256", crypto.ErrDecrypt)
			return n, v.err
		}
		v.err = io.EOF
	} else if err != nil {
		v.err = err
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.src.Close() }

// openObject opens the stored object of e for reading, decrypting and
// verifying it.
func (s *Service) openObject(ctx context.Context, o object) (io.ReadCloser, error) {
	src, err := s.store.Get(ctx, o.objectKey)
	if err != nil {
		return nil, fmt.Errorf("open object of evidence %s: %w", o.id, err)
	}
	dk, err := s.unwrapObjectKey(o)
	if err != nil {
		src.Close()
		return nil, err
	}
	defer clear(dk)
	src = readAhead(src, readAheadSize)
	r, err := crypto.NewDecryptReader(src, dk, streamAAD(o.id, o.dossierID))
	if err != nil {
		src.Close()
		return nil, fmt.Errorf("decrypt evidence %s: %w", o.id, err)
	}
	return &verifyingReader{src: src, r: r, h: sha256.New(), size: o.size, want: o.sha256}, nil
}

// openObjectFrom opens the stored object of o for reading from plaintext
// offset (0 < offset ≤ o.size) to the end. It reads the stream's header,
// then only the ciphertext from the chunk holding offset on.
//
// There is no whole-file SHA-256 check here, since the bytes before offset
// are never read; none is needed for integrity: every chunk read is
// authenticated (AES-GCM under the object's own key, with its index, the
// last-chunk flag and the header in the nonce and additional data, and the
// stream bound to this evidence and dossier), so what is returned is
// exactly the uploaded file from offset to its end, or an error wrapping
// crypto.ErrDecrypt.
func (s *Service) openObjectFrom(ctx context.Context, o object, offset int64) (io.ReadCloser, error) {
	dk, err := s.unwrapObjectKey(o)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	header, err := s.readStreamHeader(ctx, o)
	if err != nil {
		return nil, err
	}
	chunk, skip := crypto.ChunkForOffset(offset)
	src, err := s.store.GetRange(ctx, o.objectKey, crypto.CiphertextOffset(chunk))
	if err != nil {
		return nil, fmt.Errorf("open object of evidence %s: %w", o.id, err)
	}
	src = readAhead(src, readAheadSize)
	r, err := crypto.NewDecryptReaderAt(header, src, dk, streamAAD(o.id, o.dossierID), chunk)
	if err == nil {
		_, err = io.CopyN(io.Discard, r, skip)
	}
	if err != nil {
		src.Close()
		return nil, fmt.Errorf("decrypt evidence %s from byte %d: %w", o.id, offset, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{r, src}, nil
}

// readStreamHeader reads the first crypto.HeaderSize bytes of o's object.
func (s *Service) readStreamHeader(ctx context.Context, o object) ([]byte, error) {
	src, err := s.store.Get(ctx, o.objectKey)
	if err != nil {
		return nil, fmt.Errorf("open object of evidence %s: %w", o.id, err)
	}
	defer src.Close()
	header := make([]byte, crypto.HeaderSize)
	if _, err := io.ReadFull(src, header); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("decrypt evidence %s: %w: object shorter than its header", o.id, crypto.ErrDecrypt)
		}
		return nil, fmt.Errorf("read object of evidence %s: %w", o.id, err)
	}
	return header, nil
}

// readAheadSize is how much of an object is fetched while the previous
// part is decrypted and hashed.
const readAheadSize = 1 << 20

// readAhead reads src in a goroutine, one buffer ahead of the consumer,
// so that fetching from the store overlaps decryption and hashing instead
// of adding to them. Memory stays bounded by one buffer.
func readAhead(src io.ReadCloser, size int) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		_, err := io.CopyBuffer(pw, src, make([]byte, size))
		pw.CloseWithError(err)
	}()
	return &aheadReader{PipeReader: pr, src: src}
}

type aheadReader struct {
	*io.PipeReader
	src io.Closer
}

// Close stops the copy (its next write fails) and releases the source.
func (a *aheadReader) Close() error {
	a.PipeReader.Close()
	return a.src.Close()
}

func (s *Service) unwrapObjectKey(o object) ([]byte, error) {
	if o.dossierWrapped == nil {
		return nil, errErased
	}
	dossierKey, err := s.kr.Unwrap(o.dossierWrapped, dossierKeyAAD(o.dossierID))
	if err != nil {
		return nil, fmt.Errorf("unwrap dossier key %s: %w", o.dossierID, err)
	}
	defer clear(dossierKey)
	return dataKey(dossierKey, o.wrappedKey, o.id)
}

// object is what reading a stored file takes.
type object struct {
	id, dossierID  uuid.UUID
	objectKey      string
	wrappedKey     []byte
	dossierWrapped []byte
	size           int64
	sha256         []byte
}

const objectColumns = `e.id, e.dossier_id, e.object_key, e.wrapped_key, k.wrapped_key, e.size, e.sha256`

func scanObject(row pgx.Row) (object, error) {
	var o object
	err := row.Scan(&o.id, &o.dossierID, &o.objectKey, &o.wrappedKey, &o.dossierWrapped, &o.size, &o.sha256)
	return o, err
}
