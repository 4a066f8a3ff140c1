package crypto

import (
	"errors"
	"fmt"
	"io"
	"math"
)

// Reading a stream from the middle, for resumed downloads (HTTP Range):
// chunk i of a stream starts at CiphertextOffset(i) and holds the
// plaintext from i*64 KiB. A reader started there authenticates every
// chunk it reads exactly as NewDecryptReader does (the counter in the
// nonce, the last-chunk flag, the header in the additional data), so it
// returns nothing but the authentic plaintext from that chunk to the end;
// only the chunks before it go unread.

// HeaderSize is the length of a stream's header, its first bytes.
const HeaderSize = streamHeaderSize

// ChunkForOffset returns the chunk holding the plaintext byte at
// plainOffset (≥ 0), and how many plaintext bytes of that chunk come before
// it.
func ChunkForOffset(plainOffset int64) (chunk int64, skip int64) {
	return plainOffset / streamChunkSize, plainOffset % streamChunkSize
}

// CiphertextOffset returns where chunk (≥ 0) starts in the stream, or -1 if
// that does not fit in an int64.
func CiphertextOffset(chunk int64) int64 {
	if chunk < 0 || chunk > (math.MaxInt64-streamHeaderSize)/streamSealedChunk {
		return -1
	}
	return streamHeaderSize + chunk*streamSealedChunk
}

// NewDecryptReaderAt is NewDecryptReader from chunk firstChunk on: header
// is the stream's first HeaderSize bytes, and src is positioned at the
// first byte of chunk firstChunk (CiphertextOffset(firstChunk)). It
// returns the plaintext from ChunkForOffset's chunk start to the end of the
// stream, failing with an error wrapping ErrDecrypt on a wrong key, aad or
// header (one from another stream included), a chunk that is not chunk
// firstChunk, any modification, a cut or bytes appended, as NewDecryptReader
// does. It authenticates the first chunk before returning.
func NewDecryptReaderAt(header []byte, src io.Reader, dataKey, aad []byte, firstChunk int64) (io.Reader, error) {
	if firstChunk < 0 {
		return nil, errors.New("crypto: decrypt stream: negative chunk index")
	}
	r, err := newDecryptReader(header, src, dataKey, aad, uint64(firstChunk))
	if err != nil {
		return nil, fmt.Errorf("%w (from chunk %d)", err, firstChunk)
	}
	return r, nil
}
