package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"testing"
	"testing/iotest"
)

const testStreamAAD = "evidence:6d1f0c52-8a47-4f0e-b7a2-2b8c4de1a9f3|dossier:0b8f7c1e-2f7a-4c39-9d51-6a0f3e1c2d4b"

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// encryptStream encrypts plaintext in one Write.
func encryptStream(t testing.TB, key, aad, plaintext []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewEncryptWriter(&out, key, aad)
	if err != nil {
		t.Fatalf("NewEncryptWriter: %v", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return out.Bytes()
}

// decryptAll returns what a caller reading the whole stream receives: no
// bytes when NewDecryptReader fails, else every byte read before an error.
func decryptAll(src io.Reader, key, aad []byte) ([]byte, error) {
	r, err := NewDecryptReader(src, key, aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// writeInPieces writes p in writes of the given sizes, cycling.
func writeInPieces(w io.Writer, p []byte, sizes []int) error {
	for i := 0; len(p) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(p))
		if _, err := w.Write(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// onlyReader hides a reader's WriteTo, as an HTTP request body does.
type onlyReader struct{ io.Reader }

func TestStreamRoundTrip(t *testing.T) {
	key := mustDataKey(t)
	aad := []byte(testStreamAAD)
	sizes := []struct {
		name string
		n    int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"chunk-1", streamChunkSize - 1},
		{"chunk", streamChunkSize},
		{"chunk+1", streamChunkSize + 1},
		{"3 chunks+17", 3*streamChunkSize + 17},
		{"5 MiB", 5 << 20},
	}
	writers := []struct {
		name  string
		write func(w io.Writer, p []byte) error
	}{
		{"one write", func(w io.Writer, p []byte) error { _, err := w.Write(p); return err }},
		{"odd writes", func(w io.Writer, p []byte) error {
			return writeInPieces(w, p, []int{1, 7, 1000, streamChunkSize + 3, streamChunkSize - 1, 2*streamChunkSize + 5})
		}},
		{"io.Copy from a request body", func(w io.Writer, p []byte) error {
			_, err := io.Copy(w, onlyReader{bytes.NewReader(p)})
			return err
		}},
	}
	sources := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"half reads", iotest.HalfReader},
		{"data with EOF", iotest.DataErrReader},
	}
	for _, size := range sizes {
		plaintext := randomBytes(t, size.n)
		for _, wr := range writers {
			t.Run(size.name+"/"+wr.name, func(t *testing.T) {
				var out bytes.Buffer
				w, err := NewEncryptWriter(&out, key, aad)
				if err != nil {
					t.Fatal(err)
				}
				if err := wr.write(w, plaintext); err != nil {
					t.Fatalf("write: %v", err)
				}
				if err := w.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				ct := out.Bytes()
				if got, want := int64(len(ct)), EncryptedSize(int64(size.n)); got != want {
					t.Errorf("ciphertext is %d bytes, EncryptedSize says %d", got, want)
				}
				if n, err := PlaintextSize(int64(len(ct))); err != nil || n != int64(size.n) {
					t.Errorf("PlaintextSize = %d, %v; want %d", n, err, size.n)
				}
				for _, src := range sources {
					got, err := decryptAll(src.wrap(bytes.NewReader(ct)), key, aad)
					if err != nil {
						t.Fatalf("%s: decrypt: %v", src.name, err)
					}
					if !bytes.Equal(got, plaintext) {
						t.Fatalf("%s: decrypted %d bytes, not the %d written", src.name, len(got), len(plaintext))
					}
				}
			})
		}
	}
}

// TestStreamReaderContract runs the standard library's io.Reader checks
// (small reads, zero-length reads, EOF behaviour).
func TestStreamReaderContract(t *testing.T) {
	key := mustDataKey(t)
	aad := []byte(testStreamAAD)
	for _, n := range []int{0, 1, streamChunkSize, 2*streamChunkSize + 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			plaintext := randomBytes(t, n)
			r, err := NewDecryptReader(bytes.NewReader(encryptStream(t, key, aad, plaintext)), key, aad)
			if err != nil {
				t.Fatal(err)
			}
			if err := iotest.TestReader(r, plaintext); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestStreamFormat rebuilds a stream from the documented format with the
// primitives directly, so the format cannot drift unnoticed.
func TestStreamFormat(t *testing.T) {
	key := mustDataKey(t)
	aad := []byte(testStreamAAD)
	salt := randomBytes(t, streamSaltSize)
	plaintext := randomBytes(t, streamChunkSize+5)

	var got bytes.Buffer
	w, err := newEncryptWriter(&got, key, aad, salt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	header := append([]byte{0x03, 0x01, 0x00, 0x01, 0x00, 0x00}, salt...)
	streamKey, err := hkdf.Key(sha256.New, key, salt, "egide/stream/v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(streamKey)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	ad := append(bytes.Clone(header), aad...)
	nonce0 := make([]byte, 12)                              // chunk 0, not last
	nonce1 := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x01} // chunk 1, last
	want := bytes.Clone(header)
	want = gcm.Seal(want, nonce0, plaintext[:streamChunkSize], ad)
	want = gcm.Seal(want, nonce1, plaintext[streamChunkSize:], ad)

	if !bytes.Equal(got.Bytes(), want) {
		t.Fatal("stream differs from the documented format")
	}
	if len(header) != streamHeaderSize {
		t.Fatalf("header is %d bytes, streamHeaderSize is %d", len(header), streamHeaderSize)
	}
}

func TestStreamSaltIsRandom(t *testing.T) {
	key := mustDataKey(t)
	aad := []byte(testStreamAAD)
	plaintext := []byte("same document")
	a := encryptStream(t, key, aad, plaintext)
	b := encryptStream(t, key, aad, plaintext)
	if bytes.Equal(a[6:streamHeaderSize], b[6:streamHeaderSize]) {
		t.Fatal("two streams have the same salt")
	}
	if bytes.Equal(a[streamHeaderSize:], b[streamHeaderSize:]) {
		t.Fatal("two streams of the same plaintext under one key have the same chunks")
	}
}

func TestStreamHidesPlaintext(t *testing.T) {
	key := mustDataKey(t)
	marker := []byte("EGIDE-PLANTED-PLAINTEXT-MARKER")
	plaintext := bytes.Repeat([]byte{' '}, 3*streamChunkSize+17)
	// At the start, across a chunk boundary, in the last chunk.
	for _, at := range []int{0, streamChunkSize - 7, 2*streamChunkSize + 100, len(plaintext) - len(marker)} {
		copy(plaintext[at:], marker)
	}
	ct := encryptStream(t, key, []byte(testStreamAAD), plaintext)
	if bytes.Contains(ct, marker) {
		t.Fatal("ciphertext contains the plaintext marker")
	}
	if bytes.Contains(ct, bytes.Repeat([]byte{' '}, 32)) {
		t.Fatal("ciphertext contains a run of the plaintext's filler")
	}
	if bytes.Contains(ct, key) {
		t.Fatal("ciphertext contains the data key")
	}
}

func TestEncryptedSize(t *testing.T) {
	overhead := int64(streamHeaderSize + tagSize)
	tests := []struct {
		plaintext int64
		want      int64
	}{
		{0, overhead},
		{1, overhead + 1},
		{streamChunkSize - 1, overhead + streamChunkSize - 1},
		{streamChunkSize, overhead + tagSize + streamChunkSize}, // full chunk + empty last chunk
		{streamChunkSize + 1, overhead + tagSize + streamChunkSize + 1},
		{3*streamChunkSize + 17, overhead + 3*tagSize + 3*streamChunkSize + 17},
		{1 << 40, overhead + (1<<40/streamChunkSize)*tagSize + 1<<40},
		{-1, -1},
		{math.MinInt64, -1},
		{math.MaxInt64, -1},
		{9221120786662719433, math.MaxInt64}, // the largest stream
		{9221120786662719434, -1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.plaintext), func(t *testing.T) {
			if got := EncryptedSize(tt.plaintext); got != tt.want {
				t.Fatalf("EncryptedSize(%d) = %d, want %d", tt.plaintext, got, tt.want)
			}
		})
	}
}

func TestPlaintextSize(t *testing.T) {
	tests := []struct {
		ciphertext int64
		want       int64
		wantErr    bool
	}{
		{ciphertext: 0, wantErr: true},
		{ciphertext: -1, wantErr: true},
		{ciphertext: streamHeaderSize, wantErr: true},
		{ciphertext: streamHeaderSize + tagSize - 1, wantErr: true},
		{ciphertext: streamHeaderSize + tagSize, want: 0},
		{ciphertext: streamHeaderSize + tagSize + 1, want: 1},
		{ciphertext: streamHeaderSize + streamSealedChunk - 1, want: streamChunkSize - 1},
		// Ends on a full chunk: the writer always adds a short last chunk.
		{ciphertext: streamHeaderSize + streamSealedChunk, wantErr: true},
		{ciphertext: streamHeaderSize + streamSealedChunk + tagSize - 1, wantErr: true},
		{ciphertext: streamHeaderSize + streamSealedChunk + tagSize, want: streamChunkSize},
		{ciphertext: math.MaxInt64, want: 9221120786662719433},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.ciphertext), func(t *testing.T) {
			got, err := PlaintextSize(tt.ciphertext)
			if tt.wantErr {
				if !errors.Is(err, ErrDecrypt) {
					t.Fatalf("PlaintextSize(%d) = %d, %v; want ErrDecrypt", tt.ciphertext, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("PlaintextSize(%d) = %d, %v; want %d", tt.ciphertext, got, err, tt.want)
			}
		})
	}
	// The two are inverse: every valid length comes from exactly one size.
	for c := int64(0); c < streamHeaderSize+3*streamSealedChunk+64; c++ {
		n, err := PlaintextSize(c)
		if err != nil {
			continue
		}
		if EncryptedSize(n) != c {
			t.Fatalf("PlaintextSize(%d) = %d but EncryptedSize(%d) = %d", c, n, n, EncryptedSize(n))
		}
	}
}

// tamperCase is a modified stream and the index of the first chunk a reader
// must reject: it may return the plaintext of chunks before it, nothing more.
type tamperCase struct {
	name     string
	ct       []byte
	key, aad []byte
	firstBad int
}

// chunkSpans returns the [start, end) of each chunk of a valid stream.
func chunkSpans(t *testing.T, ct []byte) [][2]int {
	t.Helper()
	n, err := PlaintextSize(int64(len(ct)))
	if err != nil {
		t.Fatal(err)
	}
	var spans [][2]int
	for i := 0; i <= int(n/streamChunkSize); i++ {
		start := streamHeaderSize + i*streamSealedChunk
		spans = append(spans, [2]int{start, min(start+streamSealedChunk, len(ct))})
	}
	return spans
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestStreamTampering(t *testing.T) {
	key := mustDataKey(t)
	aad := []byte(testStreamAAD)
	otherAAD := []byte("evidence:7e2a1d63-9b58-4a1f-8c03-3c9d5ef2b0a4|dossier:0b8f7c1e-2f7a-4c39-9d51-6a0f3e1c2d4b")
	for _, size := range []int{0, streamChunkSize - 1, 2 * streamChunkSize, 3*streamChunkSize + 17} {
		t.Run(fmt.Sprintf("%d bytes", size), func(t *testing.T) {
			plaintext := randomBytes(t, size)
			ct := encryptStream(t, key, aad, plaintext)
			spans := chunkSpans(t, ct)
			last := len(spans) - 1
			chunk := func(c []byte, i int) []byte { return c[spans[i][0]:spans[i][1]] }

			// Same plaintext size, so chunks line up: same key, other aad;
			// same key and aad; same key and salt, other aad.
			sameKeyOtherAAD := encryptStream(t, key, otherAAD, plaintext)
			sameKeySameAAD := encryptStream(t, key, aad, plaintext)
			var pinned bytes.Buffer
			w, err := newEncryptWriter(&pinned, key, otherAAD, ct[6:streamHeaderSize])
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(plaintext); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			sameSaltOtherAAD := pinned.Bytes()

			var cases []tamperCase
			add := func(name string, c []byte, firstBad int) {
				cases = append(cases, tamperCase{name: name, ct: c, key: key, aad: aad, firstBad: firstBad})
			}
			truncate := func(n int) {
				if n < 0 || n >= len(ct) {
					return
				}
				firstBad := 0
				if n >= streamHeaderSize {
					firstBad = min((n-streamHeaderSize)/streamSealedChunk, last)
				}
				add(fmt.Sprintf("truncated to %d", n), bytes.Clone(ct[:n]), firstBad)
			}
			for n := range 200 {
				truncate(n)
			}
			for _, s := range spans {
				for _, at := range []int{s[0] - 1, s[0], s[0] + 1, s[1] - 1, s[1] + 1} {
					truncate(at)
				}
			}
			truncate(len(ct) - 1)

			add("1 byte appended", concat(ct, []byte{0}), last)
			add("16 bytes appended", concat(ct, make([]byte, 16)), last)
			add("a full chunk appended", concat(ct, make([]byte, streamSealedChunk)), last)
			add("last chunk repeated", concat(ct, chunk(ct, last)), last)
			add("header appended", concat(ct, ct[:streamHeaderSize]), last)
			add("stream appended to itself", concat(ct, ct), last)

			for i := range streamHeaderSize {
				for bit := range 8 {
					c := bytes.Clone(ct)
					c[i] ^= 1 << bit
					add(fmt.Sprintf("header byte %d bit %d flipped", i, bit), c, 0)
				}
			}
			for i, s := range spans {
				positions := map[string]int{
					"first byte":     s[0],
					"middle byte":    (s[0] + s[1]) / 2,
					"first tag byte": s[1] - tagSize,
					"last tag byte":  s[1] - 1,
				}
				for where, at := range positions {
					c := bytes.Clone(ct)
					c[at] ^= 0x80
					add(fmt.Sprintf("chunk %d %s flipped", i, where), c, i)
				}
			}
			for i, s := range spans {
				add(fmt.Sprintf("chunk %d deleted", i), concat(ct[:s[0]], ct[s[1]:]), i)
				dupBad := i + 1
				if i == last {
					dupBad = last // the last chunk, doubled, is one longer last chunk
				}
				add(fmt.Sprintf("chunk %d duplicated", i), concat(ct[:s[1]], chunk(ct, i), ct[s[1]:]), dupBad)
				for j := i + 1; j < len(spans); j++ {
					swapped := concat(ct[:s[0]], chunk(ct, j), ct[s[1]:spans[j][0]], chunk(ct, i), ct[spans[j][1]:])
					add(fmt.Sprintf("chunks %d and %d swapped", i, j), swapped, i)
				}
				for name, other := range map[string][]byte{
					"same key, other aad":          sameKeyOtherAAD,
					"same key and aad":             sameKeySameAAD,
					"same key and salt, other aad": sameSaltOtherAAD,
				} {
					c := concat(ct[:s[0]], chunk(other, i), ct[s[1]:])
					add(fmt.Sprintf("chunk %d from another stream (%s)", i, name), c, i)
				}
			}
			add("header of another stream (same key and aad)", concat(sameKeySameAAD[:streamHeaderSize], ct[streamHeaderSize:]), 0)
			add("chunks of another stream (same key and aad)", concat(ct[:streamHeaderSize], sameKeySameAAD[streamHeaderSize:]), 0)
			add("header rewritten with another stream's salt", concat(ct[:6], sameKeySameAAD[6:streamHeaderSize], ct[streamHeaderSize:]), 0)

			cases = append(cases,
				tamperCase{name: "moved to another evidence", ct: ct, key: key, aad: otherAAD},
				tamperCase{name: "aad with a byte more", ct: ct, key: key, aad: append(bytes.Clone(aad), ' ')},
				tamperCase{name: "aad with a byte less", ct: ct, key: key, aad: aad[:len(aad)-1]},
				tamperCase{name: "empty aad", ct: ct, key: key, aad: nil},
				tamperCase{name: "wrong key", ct: ct, key: mustDataKey(t), aad: aad},
				tamperCase{name: "other stream's aad on it (same salt)", ct: sameSaltOtherAAD, key: key, aad: aad},
			)

			for _, tc := range cases {
				got, err := decryptAll(bytes.NewReader(tc.ct), tc.key, tc.aad)
				if !errors.Is(err, ErrDecrypt) {
					t.Fatalf("%s: err = %v, want ErrDecrypt", tc.name, err)
				}
				want := plaintext[:tc.firstBad*streamChunkSize]
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: read %d bytes before the error, want exactly the %d of the chunks before chunk %d",
						tc.name, len(got), len(want), tc.firstBad)
				}
			}
			t.Logf("%d tampered streams rejected", len(cases))
		})
	}
}

// TestStreamErrorIsSticky checks that a reader keeps failing after a bad
// chunk rather than resynchronising on a later good one.
func TestStreamErrorIsSticky(t *testing.T) {
	key := mustDataKey(t)
	aad := []byte(testStreamAAD)
	ct := encryptStream(t, key, aad, randomBytes(t, 3*streamChunkSize+17))
	ct[streamHeaderSize+streamSealedChunk+10] ^= 1 // chunk 1
	r, err := NewDecryptReader(bytes.NewReader(ct), key, aad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("err = %v, want ErrDecrypt", err)
	}
	for range 3 {
		if n, err := r.Read(make([]byte, streamChunkSize)); n != 0 || !errors.Is(err, ErrDecrypt) {
			t.Fatalf("Read after the error = %d, %v; want 0, ErrDecrypt", n, err)
		}
	}
}

func TestNewDecryptReaderErrors(t *testing.T) {
	key := mustDataKey(t)
	aad := []byte(testStreamAAD)
	ct := encryptStream(t, key, aad, randomBytes(t, 2*streamChunkSize+3))
	ioErr := errors.New("connection reset")
	tests := []struct {
		name       string
		src        io.Reader
		key        []byte
		want       error
		notDecrypt bool // an I/O failure, not a bad stream
		wantBytes  int
	}{
		{name: "empty source", src: bytes.NewReader(nil), key: key, want: ErrDecrypt},
		{name: "short key", src: bytes.NewReader(ct), key: key[:16], want: ErrDecrypt},
		{name: "long key", src: bytes.NewReader(ct), key: append(bytes.Clone(key), 0), want: ErrDecrypt},
		{name: "nil key", src: bytes.NewReader(ct), key: nil, want: ErrDecrypt},
		{name: "a sealed record", src: bytes.NewReader(mustSeal(t, key, aad)), key: key, want: ErrDecrypt},
		{name: "error reading the header", src: iotest.ErrReader(ioErr), key: key, want: ioErr, notDecrypt: true},
		{
			name: "error in the first chunk", key: key, want: ioErr, notDecrypt: true,
			src: io.MultiReader(bytes.NewReader(ct[:streamHeaderSize+100]), iotest.ErrReader(ioErr)),
		},
		{
			name: "error in the second chunk", key: key, want: ioErr, notDecrypt: true, wantBytes: streamChunkSize,
			src: io.MultiReader(bytes.NewReader(ct[:streamHeaderSize+streamSealedChunk+100]), iotest.ErrReader(ioErr)),
		},
		{
			name: "timeout in the second chunk", key: key, want: iotest.ErrTimeout, notDecrypt: true, wantBytes: streamChunkSize,
			src: io.MultiReader(bytes.NewReader(ct[:streamHeaderSize+streamSealedChunk]), iotest.TimeoutReader(iotest.HalfReader(bytes.NewReader(ct[streamHeaderSize+streamSealedChunk:])))),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decryptAll(tt.src, tt.key, aad)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.notDecrypt && errors.Is(err, ErrDecrypt) {
				t.Errorf("an I/O error reported as ErrDecrypt: %v", err)
			}
			if len(got) != tt.wantBytes {
				t.Errorf("read %d bytes, want %d", len(got), tt.wantBytes)
			}
		})
	}
}

func mustSeal(t *testing.T, key, aad []byte) []byte {
	t.Helper()
	sealed, err := Seal(key, bytes.Repeat([]byte("x"), 100), aad)
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

// failingWriter accepts limit bytes, then fails or writes short.
type failingWriter struct {
	limit int
	short bool
	err   error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.limit {
		w.limit -= len(p)
		return len(p), nil
	}
	if w.short {
		n := w.limit
		w.limit = 0
		return n, nil
	}
	return 0, w.err
}

func TestEncryptWriterErrors(t *testing.T) {
	key := mustDataKey(t)
	aad := []byte(testStreamAAD)
	diskFull := errors.New("no space left on device")
	big := randomBytes(t, 2*streamChunkSize)

	t.Run("bad arguments", func(t *testing.T) {
		tests := []struct {
			name string
			key  []byte
			aad  []byte
		}{
			{name: "nil key", key: nil, aad: aad},
			{name: "short key", key: key[:16], aad: aad},
			{name: "long key", key: append(bytes.Clone(key), 1), aad: aad},
			{name: "nil aad", key: key, aad: nil},
			{name: "empty aad", key: key, aad: []byte{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var out bytes.Buffer
				w, err := NewEncryptWriter(&out, tt.key, tt.aad)
				if err == nil || w != nil {
					t.Fatalf("NewEncryptWriter = %v, %v; want nil and an error", w, err)
				}
				if out.Len() != 0 {
					t.Errorf("wrote %d bytes before failing", out.Len())
				}
			})
		}
	})

	tests := []struct {
		name      string
		dst       *failingWriter
		want      error
		failsOpen bool // NewEncryptWriter fails: the header does not fit
	}{
		{name: "header write fails", dst: &failingWriter{limit: 10, err: diskFull}, want: diskFull, failsOpen: true},
		{name: "header short write", dst: &failingWriter{limit: 10, short: true}, want: io.ErrShortWrite, failsOpen: true},
		{name: "chunk write fails", dst: &failingWriter{limit: streamHeaderSize, err: diskFull}, want: diskFull},
		{name: "chunk short write", dst: &failingWriter{limit: streamHeaderSize + 5, short: true}, want: io.ErrShortWrite},
		{
			name: "last chunk write fails", want: diskFull,
			dst: &failingWriter{limit: streamHeaderSize + 2*streamSealedChunk, err: diskFull},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewEncryptWriter(tt.dst, key, aad)
			if tt.failsOpen {
				if !errors.Is(err, tt.want) {
					t.Fatalf("NewEncryptWriter err = %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, werr := w.Write(big)
			cerr := w.Close()
			if err := errors.Join(werr, cerr); !errors.Is(err, tt.want) {
				t.Fatalf("Write, Close = %v, %v; want %v", werr, cerr, tt.want)
			}
			// The writer stays failed.
			if _, err := w.Write([]byte("more")); err == nil {
				t.Error("Write after a failure succeeded")
			}
			if err := w.Close(); !errors.Is(err, tt.want) {
				t.Errorf("second Close = %v, want %v", err, tt.want)
			}
		})
	}

	t.Run("use after close", func(t *testing.T) {
		var out bytes.Buffer
		w, err := NewEncryptWriter(&out, key, aad)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		n := out.Len()
		if _, err := w.Write([]byte("late")); err == nil {
			t.Error("Write after Close succeeded")
		}
		if err := w.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if out.Len() != n {
			t.Error("the writer wrote after Close")
		}
		if got, err := decryptAll(&out, key, aad); err != nil || len(got) != 0 {
			t.Fatalf("decrypt = %d bytes, %v", len(got), err)
		}
	})
}

// TestStreamMemoryIsBounded encrypts and decrypts 32 MiB through a pipe and
// checks that the allocations are a small fraction of it: neither side holds
// the file.
func TestStreamMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 32 MiB")
	}
	const size = 32 << 20
	key := mustDataKey(t)
	aad := []byte(testStreamAAD)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	pr, pw := io.Pipe()
	encErr := make(chan error, 1)
	go func() {
		w, err := NewEncryptWriter(pw, key, aad)
		if err == nil {
			_, err = io.Copy(w, io.LimitReader(zeros{}, size))
			err = errors.Join(err, w.Close())
		}
		pw.CloseWithError(err)
		encErr <- err
	}()
	r, err := NewDecryptReader(pr, key, aad)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	if err != nil || n != size {
		t.Fatalf("decrypted %d bytes, %v; want %d", n, err, size)
	}
	if err := <-encErr; err != nil {
		t.Fatal(err)
	}

	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
		t.Fatalf("allocated %d bytes to stream %d", alloc, size)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func FuzzDecrypt(f *testing.F) {
	key := bytes.Repeat([]byte{0x42}, KeySize)
	aad := []byte(testStreamAAD)
	for _, n := range []int{0, 1, 100} {
		f.Add(encryptStream(f, key, aad, bytes.Repeat([]byte{'a'}, n)))
	}
	f.Add([]byte{formatStream, streamVersion1, 0, 1, 0, 0})
	f.Add([]byte{formatStream, streamVersion1, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decryptAll(bytes.NewReader(data), key, aad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("err = %v, want ErrDecrypt", err)
			}
			return
		}
		// Only a stream the writer made can decrypt; its length is exact.
		if n, err := PlaintextSize(int64(len(data))); err != nil || n != int64(len(got)) {
			t.Fatalf("decrypted %d bytes from %d; PlaintextSize = %d, %v", len(got), len(data), n, err)
		}
	})
}
