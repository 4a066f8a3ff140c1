package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Streams encrypt files (evidence documents) too large to hold in memory,
// with the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015) as
// age and Tink use it. Format (integers big endian):
//
//	header: 0x03 | version 0x01 | chunk size (4) = 65536 | salt (32)
//	chunks: AES-256-GCM(plaintext chunk) | tag (16), one after another
//
// Every chunk but the last holds exactly chunk size plaintext bytes; the last
// holds fewer, possibly none. So a stream always ends with a short chunk, the
// encoding of a plaintext is unique, and a reader knows a chunk is the last
// from its length alone, without reading ahead.
//
// Chunk i is sealed under the key HKDF-SHA256(data key, salt,
// "egide/stream/v1") with nonce = i as 88 bits || 0x01 for the last chunk,
// 0x00 otherwise, and additional data header || caller's aad. The counter
// stops chunks being dropped, duplicated or reordered; the flag stops a
// stream being cut at a chunk boundary; the header in the additional data
// authenticates it; the aad binds the stream to its record; the salt gives
// each stream its own key, so a data key may encrypt several streams without
// ever repeating a (key, nonce) pair.
const (
	formatStream        byte = 0x03
	streamVersion1      byte = 0x01
	streamChunkSize          = 64 << 10
	streamSaltSize           = 32
	streamHeaderSize         = 1 + 1 + 4 + streamSaltSize
	streamSealedChunk        = streamChunkSize + tagSize
	streamKeyInfo            = "egide/stream/v1"
	streamFlagLastChunk      = 0x01
)

// NewEncryptWriter returns a writer that encrypts what is written to it into
// dst, under a KeySize dataKey, bound to aad (e.g.
// "evidence:<evidence id>|dossier:<dossier id>"), which must not be empty
// and must be given again to NewDecryptReader. It writes the header to dst
// before returning.
//
// Close MUST be called: it writes the last chunk, without which the stream
// does not decrypt. Close does not close dst. The writer buffers one chunk
// (64 KiB), whatever the size of the file, and is not safe for concurrent
// use. To hash the plaintext in the same pass, read the source through
// io.TeeReader(src, sha256.New()) while copying it to the writer.
//
// Errors from dst are returned wrapped and make the writer unusable.
func NewEncryptWriter(dst io.Writer, dataKey, aad []byte) (io.WriteCloser, error) {
	salt := make([]byte, streamSaltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("crypto: stream salt: %w", err)
	}
	w, err := newEncryptWriter(dst, dataKey, aad, salt)
	if err != nil {
		return nil, err // not a nil *encryptWriter in a non-nil interface
	}
	return w, nil
}

// newEncryptWriter takes the salt so that tests can pin it.
func newEncryptWriter(dst io.Writer, dataKey, aad, salt []byte) (*encryptWriter, error) {
	if len(aad) == 0 {
		return nil, errors.New("crypto: encrypt stream: empty aad; bind the stream to what it protects")
	}
	header := make([]byte, streamHeaderSize)
	header[0] = formatStream
	header[1] = streamVersion1
	binary.BigEndian.PutUint32(header[2:], streamChunkSize)
	copy(header[6:], salt)
	aead, err := newStreamAEAD(dataKey, salt)
	if err != nil {
		return nil, fmt.Errorf("crypto: encrypt stream: %w", err)
	}
	if err := writeFull(dst, header); err != nil {
		return nil, fmt.Errorf("crypto: encrypt stream: write header: %w", err)
	}
	return &encryptWriter{
		dst:  dst,
		aead: aead,
		ad:   withHeader(header, aad),
		buf:  make([]byte, 0, streamSealedChunk),
	}, nil
}

func newStreamAEAD(dataKey, salt []byte) (cipher.AEAD, error) {
	if len(dataKey) != KeySize {
		return nil, fmt.Errorf("data key must be %d bytes, got %d", KeySize, len(dataKey))
	}
	key, err := hkdf.Key(sha256.New, dataKey, salt, streamKeyInfo, KeySize)
	if err != nil {
		return nil, fmt.Errorf("derive stream key: %w", err)
	}
	defer clear(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("new cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("new GCM: %w", err)
	}
	return aead, nil
}

// streamNonce returns the nonce of chunk counter.
func streamNonce(nonce *[nonceSize]byte, counter uint64, last bool) []byte {
	// The top 3 bytes of the 88-bit counter stay zero: 2^64 chunks is
	// already far beyond any file.
	binary.BigEndian.PutUint64(nonce[3:11], counter)
	nonce[11] = 0
	if last {
		nonce[11] = streamFlagLastChunk
	}
	return nonce[:]
}

type encryptWriter struct {
	dst     io.Writer
	aead    cipher.AEAD
	ad      []byte // header || aad
	buf     []byte // pending plaintext, then the sealed chunk; cap streamSealedChunk
	counter uint64
	nonce   [nonceSize]byte
	closed  bool
	err     error // sticky: once set, every call returns it
}

func (w *encryptWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("crypto: encrypt stream: write after close")
	}
	if w.err != nil {
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		// A full chunk straight from p is sealed without copying it first.
		if len(w.buf) == 0 && len(p) >= streamChunkSize {
			if err := w.seal(p[:streamChunkSize], false); err != nil {
				return n, err
			}
			p = p[streamChunkSize:]
			n += streamChunkSize
			continue
		}
		k := copy(w.buf[len(w.buf):streamChunkSize], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		n += k
		// A full chunk is never the last one, so it can go now.
		if len(w.buf) == streamChunkSize {
			if err := w.seal(w.buf, false); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// Close writes the last chunk. It does not close the underlying writer.
func (w *encryptWriter) Close() error {
	if w.closed || w.err != nil {
		return w.err
	}
	w.closed = true
	return w.seal(w.buf, true)
}

// seal encrypts plaintext (w.buf or a chunk of the caller's slice) as the
// next chunk into w.buf and writes it out.
func (w *encryptWriter) seal(plaintext []byte, last bool) error {
	if w.counter == math.MaxUint64 {
		w.err = errors.New("crypto: encrypt stream: too many chunks")
		return w.err
	}
	nonce := streamNonce(&w.nonce, w.counter, last)
	sealed := w.aead.Seal(w.buf[:0], nonce, plaintext, w.ad)
	w.counter++
	w.buf = w.buf[:0]
	if err := writeFull(w.dst, sealed); err != nil {
		w.err = fmt.Errorf("crypto: encrypt stream: write chunk: %w", err)
		return w.err
	}
	return nil
}

func writeFull(dst io.Writer, b []byte) error {
	n, err := dst.Write(b)
	if err != nil {
		return err
	}
	if n != len(b) {
		return io.ErrShortWrite
	}
	return nil
}

// NewDecryptReader returns a reader of the plaintext of a stream written by
// NewEncryptWriter with the same dataKey and aad. It returns a chunk's
// plaintext only once the chunk has authenticated, and fails with an error
// wrapping ErrDecrypt on a wrong key or aad, any modification, a cut
// (truncation, even at a chunk boundary) or bytes appended to the stream.
// Plaintext read before such an error came from authentic chunks but is
// incomplete: a caller serving it must abort the response, not end it
// normally. Errors reading src are returned wrapped, not as ErrDecrypt.
//
// It reads the header and authenticates the first chunk before returning,
// so a wrong key, a wrong aad or a damaged header fails here, before the
// caller has sent anything. It buffers one chunk and is not safe for
// concurrent use.
func NewDecryptReader(src io.Reader, dataKey, aad []byte) (io.Reader, error) {
	header := make([]byte, streamHeaderSize)
	if _, err := io.ReadFull(src, header); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: stream shorter than its header", ErrDecrypt)
		}
		return nil, fmt.Errorf("crypto: decrypt stream: read header: %w", err)
	}
	return newDecryptReader(header, src, dataKey, aad, 0)
}

// newDecryptReader checks header and returns a reader of the chunks of src
// from chunk firstChunk on, having authenticated the first of them.
func newDecryptReader(header []byte, src io.Reader, dataKey, aad []byte, firstChunk uint64) (io.Reader, error) {
	if len(header) != streamHeaderSize {
		return nil, fmt.Errorf("%w: stream header is %d bytes, want %d", ErrDecrypt, len(header), streamHeaderSize)
	}
	if header[0] != formatStream {
		return nil, fmt.Errorf("%w: not a stream (format %#02x)", ErrDecrypt, header[0])
	}
	if header[1] != streamVersion1 {
		return nil, fmt.Errorf("%w: unknown stream version %d", ErrDecrypt, header[1])
	}
	// Only the v1 size is accepted, so a forged header cannot make us
	// allocate a huge buffer before anything has authenticated.
	if size := binary.BigEndian.Uint32(header[2:]); size != streamChunkSize {
		return nil, fmt.Errorf("%w: stream chunk size %d, want %d", ErrDecrypt, size, streamChunkSize)
	}
	aead, err := newStreamAEAD(dataKey, header[6:])
	if err != nil {
		return nil, fmt.Errorf("%w: decrypt stream: %w", ErrDecrypt, err)
	}
	r := &decryptReader{
		src:  src,
		aead: aead,
		ad:   withHeader(header, aad),
		buf:  make([]byte, streamSealedChunk),
		// The counter fixes each chunk's nonce: a chunk read from
		// elsewhere in the stream, or another stream, does not open.
		counter: firstChunk,
	}
	if err := r.next(); err != nil {
		return nil, err
	}
	return r, nil
}

type decryptReader struct {
	src     io.Reader
	aead    cipher.AEAD
	ad      []byte // header || aad
	buf     []byte // one sealed chunk, decrypted in place
	plain   []byte // authenticated plaintext not yet returned, within buf
	counter uint64
	nonce   [nonceSize]byte
	last    bool  // the last chunk has authenticated
	err     error // sticky: once set, every call returns it
}

func (r *decryptReader) Read(p []byte) (int, error) {
	for len(r.plain) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.last {
			return 0, io.EOF
		}
		if len(p) == 0 {
			return 0, nil
		}
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// next reads and authenticates the next chunk into r.plain.
func (r *decryptReader) next() error {
	n, err := io.ReadFull(r.src, r.buf)
	switch {
	case err == nil:
		// A full-length chunk is never the last: the writer ends every
		// stream with a short one.
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if n < tagSize {
			r.err = fmt.Errorf("%w: stream truncated at chunk %d", ErrDecrypt, r.counter)
			return r.err
		}
		r.last = true
	default:
		r.err = fmt.Errorf("crypto: decrypt stream: read chunk %d: %w", r.counter, err)
		return r.err
	}
	if r.counter == math.MaxUint64 {
		r.err = fmt.Errorf("%w: too many chunks", ErrDecrypt)
		return r.err
	}
	nonce := streamNonce(&r.nonce, r.counter, r.last)
	plain, err := r.aead.Open(r.buf[:0], nonce, r.buf[:n], r.ad)
	if err != nil {
		r.err = fmt.Errorf("%w: stream chunk %d failed authentication", ErrDecrypt, r.counter)
		return r.err
	}
	r.counter++
	r.plain = plain
	return nil
}

// EncryptedSize returns the exact length of the stream NewEncryptWriter
// produces for plaintextSize bytes, e.g. for Content-Length or an object
// store's size. For a negative (unknown) size, or one whose stream would not
// fit in an int64, it returns -1, which net/http and S3 clients take as
// "unknown length".
func EncryptedSize(plaintextSize int64) int64 {
	if plaintextSize < 0 {
		return -1
	}
	overhead := streamHeaderSize + (plaintextSize/streamChunkSize+1)*tagSize
	if plaintextSize > math.MaxInt64-overhead {
		return -1
	}
	return plaintextSize + overhead
}

// PlaintextSize returns the plaintext length of a stream of ciphertextSize
// bytes. It fails with ErrDecrypt if no stream has that length; it
// authenticates nothing.
func PlaintextSize(ciphertextSize int64) (int64, error) {
	if ciphertextSize < streamHeaderSize+tagSize {
		return 0, fmt.Errorf("%w: %d bytes is shorter than any stream", ErrDecrypt, ciphertextSize)
	}
	body := ciphertextSize - streamHeaderSize
	full, rest := body/streamSealedChunk, body%streamSealedChunk
	if rest < tagSize {
		return 0, fmt.Errorf("%w: no stream is %d bytes long", ErrDecrypt, ciphertextSize)
	}
	return full*streamChunkSize + rest - tagSize, nil
}
