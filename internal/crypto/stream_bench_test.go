package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"io"
	"testing"
)

// benchStreamSize is a large evidence file (a scanned case file, a video).
const benchStreamSize = 64 << 20

// The Stream benchmarks go through io.Copy as the upload and download
// handlers do: the writer gets the 32 KiB writes of a request body, the
// reader is drained into a writer.

func BenchmarkEncryptStream(b *testing.B) {
	key := mustDataKey(b)
	aad := []byte(testStreamAAD)
	plaintext := randomBytes(b, benchStreamSize)
	b.SetBytes(benchStreamSize)
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewEncryptWriter(io.Discard, key, aad)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(w, onlyReader{bytes.NewReader(plaintext)}); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptStream(b *testing.B) {
	key := mustDataKey(b)
	aad := []byte(testStreamAAD)
	ct := encryptStream(b, key, aad, randomBytes(b, benchStreamSize))
	b.SetBytes(benchStreamSize)
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewDecryptReader(bytes.NewReader(ct), key, aad)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil || n != benchStreamSize {
			b.Fatalf("decrypted %d bytes, %v", n, err)
		}
	}
}

// BenchmarkRawAESGCM is the floor: the same bytes in 64 KiB chunks through
// crypto/cipher, without framing, key derivation or copies.
func BenchmarkRawAESGCM(b *testing.B) {
	block, err := aes.NewCipher(mustDataKey(b))
	if err != nil {
		b.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	plaintext := randomBytes(b, benchStreamSize)
	nonce := make([]byte, aead.NonceSize())
	nonceAt := func(i int) []byte {
		binary.BigEndian.PutUint64(nonce[4:], uint64(i))
		return nonce
	}
	sealed := make([][]byte, 0, benchStreamSize/streamChunkSize)
	for i := 0; i < benchStreamSize; i += streamChunkSize {
		sealed = append(sealed, aead.Seal(nil, nonceAt(i), plaintext[i:i+streamChunkSize], nil))
	}

	b.Run("seal", func(b *testing.B) {
		out := make([]byte, 0, streamSealedChunk)
		b.SetBytes(benchStreamSize)
		b.ReportAllocs()
		for b.Loop() {
			for i := 0; i < benchStreamSize; i += streamChunkSize {
				out = aead.Seal(out[:0], nonceAt(i), plaintext[i:i+streamChunkSize], nil)
			}
		}
	})
	b.Run("open", func(b *testing.B) {
		out := make([]byte, 0, streamChunkSize)
		b.SetBytes(benchStreamSize)
		b.ReportAllocs()
		for b.Loop() {
			for j, chunk := range sealed {
				if out, err = aead.Open(out[:0], nonceAt(j*streamChunkSize), chunk, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
