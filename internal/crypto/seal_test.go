package crypto

import (
	"bytes"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := mustDataKey(t)
	big := make([]byte, 64<<10)
	rand.Read(big)
	tests := []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{name: "empty", plaintext: nil, aad: []byte("victim:1")},
		{name: "one byte", plaintext: []byte{0}, aad: []byte("victim:1")},
		{name: "record", plaintext: []byte(`{"legal_name":"…","dob":"2011-04-02"}`), aad: []byte("victim:1")},
		{name: "no aad", plaintext: []byte("x"), aad: nil},
		{name: "64 KiB", plaintext: big, aad: []byte("evidence:9")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := Seal(key, tt.plaintext, tt.aad)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if len(sealed) != len(tt.plaintext)+SealOverhead {
				t.Errorf("len = %d, want %d", len(sealed), len(tt.plaintext)+SealOverhead)
			}
			got, err := Open(key, sealed, tt.aad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Fatal("Open returned other bytes")
			}
			if _, err := Open(key, sealed, append(bytes.Clone(tt.aad), '!')); !errors.Is(err, ErrDecrypt) {
				t.Errorf("other aad: err = %v, want ErrDecrypt", err)
			}
			if _, err := Open(mustDataKey(t), sealed, tt.aad); !errors.Is(err, ErrDecrypt) {
				t.Errorf("other key: err = %v, want ErrDecrypt", err)
			}
		})
	}
}

func TestSealIsRandomized(t *testing.T) {
	key := mustDataKey(t)
	a, _ := Seal(key, []byte("same"), []byte("victim:1"))
	b, _ := Seal(key, []byte("same"), []byte("victim:1"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal")
	}
}

func TestSealOpenBadKey(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33} {
		key := make([]byte, n)
		if _, err := Seal(key, []byte("x"), nil); err == nil {
			t.Errorf("Seal with a %d-byte key succeeded", n)
		}
		sealed, _ := Seal(mustDataKey(t), []byte("x"), nil)
		if _, err := Open(key, sealed, nil); !errors.Is(err, ErrDecrypt) {
			t.Errorf("Open with a %d-byte key: err = %v, want ErrDecrypt", n, err)
		}
	}
}

func TestOpenBitFlipsAndTruncation(t *testing.T) {
	key := mustDataKey(t)
	aad := []byte("victim:1")
	sealed, err := Seal(key, bytes.Repeat([]byte("identity "), 8), aad)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		for bit := range 8 {
			flipped := bytes.Clone(sealed)
			flipped[i] ^= 1 << bit
			if _, err := Open(key, flipped, aad); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("byte %d bit %d: err = %v, want ErrDecrypt", i, bit, err)
			}
		}
	}
	for n := range len(sealed) {
		if _, err := Open(key, sealed[:n], aad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("truncated to %d: err = %v, want ErrDecrypt", n, err)
		}
	}
}

func TestSealRecordOpenRecord(t *testing.T) {
	ring, _ := newRing(t, 1, 2)
	tests := []struct {
		name      string
		plaintext []byte
	}{
		{name: "empty", plaintext: nil},
		{name: "identity", plaintext: []byte(`{"legal_name":"A. B.","dob":"2010-01-01","representative":"AAH"}`)},
		{name: "512 bytes", plaintext: bytes.Repeat([]byte{0x5a}, 512)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aad := []byte("victim:" + tt.name)
			ct, wk, err := ring.SealRecord(tt.plaintext, aad)
			if err != nil {
				t.Fatalf("SealRecord: %v", err)
			}
			if len(wk) != WrappedKeySize {
				t.Errorf("wrapped key is %d bytes, want %d", len(wk), WrappedKeySize)
			}
			got, err := ring.OpenRecord(ct, wk, aad)
			if err != nil {
				t.Fatalf("OpenRecord: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Fatal("OpenRecord returned other bytes")
			}
			if _, err := ring.OpenRecord(ct, wk, []byte("victim:other")); !errors.Is(err, ErrDecrypt) {
				t.Errorf("other aad: err = %v, want ErrDecrypt", err)
			}
		})
	}
}

func TestSealRecordRejectsEmptyAAD(t *testing.T) {
	ring, _ := newRing(t, 1)
	if _, _, err := ring.SealRecord([]byte("x"), nil); err == nil {
		t.Fatal("SealRecord with empty aad succeeded")
	}
}

// TestOpenRecordMixedUp covers values swapped between records, as a buggy
// query or a malicious database administrator could.
func TestOpenRecordMixedUp(t *testing.T) {
	ring, _ := newRing(t, 1)
	aadA, aadB := []byte("victim:a"), []byte("victim:b")
	ctA, wkA, err := ring.SealRecord([]byte("identity of A"), aadA)
	if err != nil {
		t.Fatal(err)
	}
	ctB, wkB, err := ring.SealRecord([]byte("identity of B"), aadB)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		ct, wk []byte
		aad    []byte
	}{
		{name: "A's key moved to B", ct: ctB, wk: wkA, aad: aadB},
		{name: "A's ciphertext moved to B", ct: ctA, wk: wkB, aad: aadB},
		{name: "both of A read as B", ct: ctA, wk: wkA, aad: aadB},
		{name: "ciphertext and key swapped", ct: wkA, wk: ctA, aad: aadA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ring.OpenRecord(tt.ct, tt.wk, tt.aad); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("err = %v, want ErrDecrypt", err)
			}
		})
	}
}

func TestOpenRecordBitFlipsAndTruncation(t *testing.T) {
	ring, _ := newRing(t, 1)
	aad := []byte("defendant:3")
	ct, wk, err := ring.SealRecord([]byte("identity of a defendant"), aad)
	if err != nil {
		t.Fatal(err)
	}
	// want is the error for a corrupt wrapped key; a flipped version byte
	// names a version the ring lacks (or 0, which is malformed).
	want := func(i int, flipped []byte) error {
		if i >= 1 && i < wrapHeaderSize {
			if v, err := WrappedVersion(flipped); err == nil && v != 1 {
				return ErrUnknownKeyVersion
			}
		}
		return ErrDecrypt
	}
	for i := range wk {
		for bit := range 8 {
			flipped := bytes.Clone(wk)
			flipped[i] ^= 1 << bit
			if _, err := ring.OpenRecord(ct, flipped, aad); !errors.Is(err, want(i, flipped)) {
				t.Fatalf("wrapped key byte %d bit %d: err = %v", i, bit, err)
			}
		}
	}
	for i := range ct {
		for bit := range 8 {
			flipped := bytes.Clone(ct)
			flipped[i] ^= 1 << bit
			if _, err := ring.OpenRecord(flipped, wk, aad); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("ciphertext byte %d bit %d: err = %v, want ErrDecrypt", i, bit, err)
			}
		}
	}
	for n := range len(wk) {
		if _, err := ring.OpenRecord(ct, wk[:n], aad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("wrapped key truncated to %d: err = %v", n, err)
		}
	}
	for n := range len(ct) {
		if _, err := ring.OpenRecord(ct[:n], wk, aad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("ciphertext truncated to %d: err = %v", n, err)
		}
	}
}

func TestRecordRotation(t *testing.T) {
	spec1, spec2 := mustSpec(t, 1), mustSpec(t, 2)
	ringV1, err := ParseKeyRing(spec1)
	if err != nil {
		t.Fatal(err)
	}
	ringV12, err := ParseKeyRing(spec1 + "," + spec2)
	if err != nil {
		t.Fatal(err)
	}
	ringV2, err := ParseKeyRing(spec2)
	if err != nil {
		t.Fatal(err)
	}
	aad := []byte("victim:42")
	ct, wk, err := ringV1.SealRecord([]byte("identity"), aad)
	if err != nil {
		t.Fatal(err)
	}
	wk2, changed, err := ringV12.Rewrap(wk, aad)
	if err != nil || !changed {
		t.Fatalf("Rewrap = %t, %v", changed, err)
	}
	// The ciphertext is untouched by rotation.
	if got, err := ringV2.OpenRecord(ct, wk2, aad); err != nil || string(got) != "identity" {
		t.Fatalf("OpenRecord after rotation: %q, %v", got, err)
	}
	if _, err := ringV2.OpenRecord(ct, wk, aad); !errors.Is(err, ErrUnknownKeyVersion) {
		t.Fatalf("old wrapped key on the v2 ring: err = %v, want ErrUnknownKeyVersion", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	ring, _ := newRing(t, 1)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				ct, wk, err := ring.SealRecord([]byte("identity"), []byte("victim:1"))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := ring.OpenRecord(ct, wk, []byte("victim:1")); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzOpenRecord(f *testing.F) {
	ring, _ := newRing(f, 1)
	ct, wk, err := ring.SealRecord([]byte("identity"), []byte("victim:1"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ct, wk, []byte("victim:1"))
	f.Add([]byte{formatSealV1}, []byte{formatWrapV1}, []byte{})
	f.Fuzz(func(t *testing.T, ct, wk, aad []byte) {
		ring.OpenRecord(ct, wk, aad) // must not panic
		Open(wk[:min(len(wk), KeySize)], ct, aad)
	})
}

func BenchmarkSealRecord(b *testing.B) {
	ring, _ := newRing(b, 1)
	plaintext := bytes.Repeat([]byte{0x5a}, 512)
	aad := []byte("victim:0b8f7c1e-2f7a-4c39-9d51-6a0f3e1c2d4b")
	b.SetBytes(int64(len(plaintext)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ring.SealRecord(plaintext, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenRecord(b *testing.B) {
	ring, _ := newRing(b, 1)
	plaintext := bytes.Repeat([]byte{0x5a}, 512)
	aad := []byte("victim:0b8f7c1e-2f7a-4c39-9d51-6a0f3e1c2d4b")
	ct, wk, err := ring.SealRecord(plaintext, aad)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plaintext)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ring.OpenRecord(ct, wk, aad); err != nil {
			b.Fatal(err)
		}
	}
}
