// Package blob stores opaque objects (the encrypted evidence files) by key,
// on the local filesystem (FSStore, the default) or in an S3-compatible
// object store (S3Store: MinIO, or any S3).
//
// Neither store encrypts, compresses or inspects what it is given: it
// keeps the bytes the caller passes to Put, and returns them from Get. The
// caller encrypts first (internal/crypto); a store only ever sees
// ciphertext.
//
// Keys are opaque ASCII paths such as "evidence/<dossier-uuid>/<object-uuid>"
// (see ValidKey). Every method refuses an invalid key with an error
// wrapping ErrInvalidKey before touching storage.
//
// Several Égide instances may share one store: no method assumes its
// process is the only writer.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Store keeps objects by key.
type Store interface {
	// Put stores the object, reading r to EOF; size is its exact length, or
	// -1 if unknown. It streams: memory use does not grow with the object.
	// An existing object under key is replaced. The new object becomes
	// visible only complete: when Put fails (a read error, a cancelled
	// context, a length other than size, a crash), key holds what it held
	// before, or nothing. Errors: ErrInvalidKey, ErrSize, the context's
	// error, r's error, the storage's.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Get streams the object; the caller closes it, and keeps ctx alive
	// while reading. Errors: ErrNotFound when absent, ErrInvalidKey.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// GetRange streams the object from byte offset (≥ 0) to its end, like
	// Get; an offset at or past the end gives an empty reader. Errors:
	// ErrNotFound when absent, ErrInvalidKey, a negative offset.
	GetRange(ctx context.Context, key string, offset int64) (io.ReadCloser, error)
	// Delete removes the object; deleting an absent object is no error.
	// Errors: ErrInvalidKey.
	Delete(ctx context.Context, key string) error
	// Stat describes the object. Errors: ErrNotFound when absent,
	// ErrInvalidKey.
	Stat(ctx context.Context, key string) (Info, error)
	// List calls fn for every object whose key starts with prefix, in no
	// particular order (for the garbage collector of orphans). An error
	// from fn stops the listing and is returned as is. Objects put or
	// deleted during the listing may or may not be seen. Errors:
	// ErrInvalidKey when prefix has a character a key may not have.
	List(ctx context.Context, prefix string, fn func(Info) error) error
}

// Info describes a stored object.
type Info struct {
	Key      string
	Size     int64
	Modified time.Time
}

var (
	// ErrNotFound: no object under the key. Returned wrapped: test with
	// errors.Is.
	ErrNotFound = errors.New("blob: object not found")
	// ErrInvalidKey: the key breaks the rules of ValidKey.
	ErrInvalidKey = errors.New("blob: invalid key")
	// ErrSize: the reader given to Put did not hold exactly size bytes.
	ErrSize = errors.New("blob: object length differs from the size given")
)

func validOffset(key string, offset int64) error {
	if offset < 0 {
		return fmt.Errorf("blob: get %s: negative offset %d", key, offset)
	}
	return nil
}

// MaxKeyLen is the longest key accepted (S3's limit).
const MaxKeyLen = 1024

// ValidKey reports why key is not a valid object key, or nil. A key is
// 1 to MaxKeyLen characters from [a-zA-Z0-9/_.-], made of non-empty
// segments separated by single slashes (so no leading or trailing slash),
// none of which starts with a dot (so no "." or "..": those segments, and
// hidden names, are reserved to the stores).
func ValidKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if err := validChars(key); err != nil {
		return err
	}
	segStart := true
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case segStart && c == '/':
			return fmt.Errorf("%w: %q has an empty segment (leading, trailing or double slash)", ErrInvalidKey, key)
		case segStart && c == '.':
			return fmt.Errorf("%w: %q has a segment starting with a dot", ErrInvalidKey, key)
		}
		segStart = c == '/'
	}
	if segStart {
		return fmt.Errorf("%w: %q ends with a slash", ErrInvalidKey, key)
	}
	return nil
}

// validPrefix checks a List prefix: it must be the start of some valid
// key ("" included).
func validPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := ValidKey(strings.TrimSuffix(prefix, "/")); err != nil {
		return fmt.Errorf("prefix: %w", err)
	}
	return nil
}

// validPut checks Put's key and size.
func validPut(key string, size int64) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if size < -1 {
		return fmt.Errorf("blob: put %s: %w: negative size %d", key, ErrSize, size)
	}
	return nil
}

func validChars(s string) error {
	if len(s) > MaxKeyLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '_' || c == '-' || c == '.') {
			// %q of the whole key could echo arbitrary bytes into logs.
			return fmt.Errorf("%w: byte 0x%02x at offset %d is not in [a-zA-Z0-9/_.-]", ErrInvalidKey, c, i)
		}
	}
	return nil
}

// ctxReader fails reads once ctx is done, so a Put whose context is
// cancelled stops reading even where the storage does not watch ctx.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// exactReader passes on r, which must hold exactly size bytes. It fails
// with ErrSize when r ends early, or has more: before handing out the last
// of the size bytes it checks that r ends there, so a consumer that stops
// after size bytes never receives the complete object from a reader that
// holds more. It deliberately hides io.ReaderAt and io.Seeker, which
// would lead minio-go to buffer several parts at once.
type exactReader struct {
	r         io.Reader
	size      int64 // expected total
	remaining int64
	err       error // sticky
}

func newExactReader(r io.Reader, size int64) *exactReader {
	return &exactReader{r: r, size: size, remaining: size}
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.remaining == 0 {
		if err := e.checkEOF(); err != nil {
			e.err = err
			return 0, err
		}
		e.err = io.EOF
		return 0, io.EOF
	}
	if int64(len(p)) > e.remaining {
		p = p[:e.remaining]
	}
	n, err := e.r.Read(p)
	e.remaining -= int64(n)
	switch {
	case err == io.EOF && e.remaining > 0:
		e.err = fmt.Errorf("%w: got %d bytes, expected %d", ErrSize, e.size-e.remaining, e.size)
		return n, e.err
	case err != nil && err != io.EOF:
		e.err = err
		return n, err
	case e.remaining == 0:
		if err := e.checkEOF(); err != nil {
			e.err = err
			return 0, err // withhold the last bytes: the object stays incomplete
		}
		e.err = io.EOF
		return n, nil
	}
	return n, nil
}

// checkEOF reads past the expected end: r must be at EOF.
func (e *exactReader) checkEOF() error {
	var b [1]byte
	for range 100 {
		n, err := e.r.Read(b[:])
		if n > 0 {
			return fmt.Errorf("%w: more than the %d bytes expected", ErrSize, e.size)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}
