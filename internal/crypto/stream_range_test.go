package crypto

import (
	"bytes"
	"errors"
	"io"
	mrand "math/rand/v2"
	"testing"
)

// decryptFrom decrypts ct from the plaintext offset off, as a resumed
// download does: header, then the stream from the chunk of off, skipping
// to off.
func decryptFrom(header, ct, key, aad []byte, off int64) ([]byte, error) {
	chunk, skip := ChunkForOffset(off)
	r, err := NewDecryptReaderAt(header, bytes.NewReader(ct[CiphertextOffset(chunk):]), key, aad, chunk)
	if err != nil {
		return nil, err
	}
	if _, err := io.CopyN(io.Discard, r, skip); err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestDecryptReaderAt(t *testing.T) {
	key := randomBytes(t, KeySize)
	aad := []byte(testStreamAAD)
	plaintext := randomBytes(t, 3*streamChunkSize+streamChunkSize/2)
	ct := encryptStream(t, key, aad, plaintext)
	header := ct[:HeaderSize]

	offsets := []int64{0, 1, streamChunkSize - 1, streamChunkSize, streamChunkSize + 1, 3 * streamChunkSize,
		int64(len(plaintext)) - 1, int64(len(plaintext))}
	for range 40 {
		offsets = append(offsets, mrand.Int64N(int64(len(plaintext))+1))
	}
	for _, off := range offsets {
		got, err := decryptFrom(header, ct, key, aad, off)
		if err != nil {
			t.Fatalf("offset %d: %v", off, err)
		}
		if !bytes.Equal(got, plaintext[off:]) {
			t.Fatalf("offset %d: %d bytes differ from plaintext[off:] (%d bytes)", off, len(got), len(plaintext)-int(off))
		}
	}

	// Tampering with any byte of the chunks read fails, wherever it is.
	for range 30 {
		off := mrand.Int64N(int64(len(plaintext)))
		chunk, _ := ChunkForOffset(off)
		start := CiphertextOffset(chunk)
		i := start + mrand.Int64N(int64(len(ct))-start)
		bad := bytes.Clone(ct)
		bad[i] ^= 1 << mrand.IntN(8)
		if _, err := decryptFrom(header, bad, key, aad, off); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("offset %d, byte %d tampered: error %v, want ErrDecrypt", off, i, err)
		}
	}
	// A header from another object, the wrong aad, a chunk given the
	// wrong index, a cut or an extension fail.
	other := encryptStream(t, key, aad, plaintext)
	if _, err := decryptFrom(other[:HeaderSize], ct, key, aad, 2*streamChunkSize+5); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("header of another object: %v", err)
	}
	if _, err := decryptFrom(header, ct, key, []byte("evidence:other"), streamChunkSize); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong aad: %v", err)
	}
	if _, err := NewDecryptReaderAt(header, bytes.NewReader(ct[CiphertextOffset(1):]), key, aad, 2); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("chunk 1 read as chunk 2: %v", err)
	}
	if _, err := decryptFrom(header, ct[:CiphertextOffset(3)], key, aad, streamChunkSize); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("stream cut at a chunk boundary: %v", err)
	}
	if _, err := decryptFrom(header, append(bytes.Clone(ct), 0), key, aad, streamChunkSize); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("byte appended: %v", err)
	}
	if _, err := NewDecryptReaderAt(header[:HeaderSize-1], bytes.NewReader(ct[HeaderSize:]), key, aad, 0); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("short header: %v", err)
	}
	if _, err := NewDecryptReaderAt(header, bytes.NewReader(ct[HeaderSize:]), key, aad, -1); err == nil {
		t.Fatal("negative chunk accepted")
	}
}

func TestRangeOffsets(t *testing.T) {
	for _, n := range []int64{0, 1, streamChunkSize - 1, streamChunkSize, 5*streamChunkSize + 7} {
		chunk, skip := ChunkForOffset(n)
		if chunk*streamChunkSize+skip != n || skip < 0 || skip >= streamChunkSize {
			t.Errorf("ChunkForOffset(%d) = %d, %d", n, chunk, skip)
		}
		// The chunks before the one of the plaintext's end fill its
		// ciphertext up to that chunk.
		if got, want := CiphertextOffset(chunk), EncryptedSize(chunk*streamChunkSize)-tagSize; got != want {
			t.Errorf("CiphertextOffset(%d) = %d, want %d", chunk, got, want)
		}
	}
	if CiphertextOffset(-1) != -1 || CiphertextOffset(1<<62) != -1 {
		t.Error("CiphertextOffset out of range")
	}
}
