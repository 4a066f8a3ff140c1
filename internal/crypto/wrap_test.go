package crypto

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func mustDataKey(t testing.TB) []byte {
	t.Helper()
	dk, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	return dk
}

func mustWrap(t testing.TB, ring *KeyRing, dk, aad []byte) []byte {
	t.Helper()
	wrapped, err := ring.Wrap(dk, aad)
	if err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	return wrapped
}

func TestWrapUnwrap(t *testing.T) {
	ring, _ := newRing(t, 1, 4)
	dk := mustDataKey(t)
	aad := []byte("victim:0b8f7c1e-2f7a-4c39-9d51-6a0f3e1c2d4b")
	wrapped := mustWrap(t, ring, dk, aad)

	if len(wrapped) != WrappedKeySize {
		t.Errorf("len = %d, want %d", len(wrapped), WrappedKeySize)
	}
	if v, err := WrappedVersion(wrapped); err != nil || v != 4 {
		t.Errorf("WrappedVersion = %d, %v; want 4 (the active version)", v, err)
	}
	if again := mustWrap(t, ring, dk, aad); bytes.Equal(again, wrapped) {
		t.Error("two wraps of the same key are equal; nonce not random")
	}
	got, err := ring.Unwrap(wrapped, aad)
	if err != nil {
		t.Fatalf("Unwrap: %v", err)
	}
	if !bytes.Equal(got, dk) {
		t.Fatal("Unwrap returned another key")
	}
}

func TestUnwrapWrongAAD(t *testing.T) {
	ring, _ := newRing(t, 1)
	aad := []byte("victim:1")
	wrapped := mustWrap(t, ring, mustDataKey(t), aad)
	for _, other := range []string{"", "victim:2", "victim:", "victim:10", "defendant:1", "Victim:1"} {
		if _, err := ring.Unwrap(wrapped, []byte(other)); !errors.Is(err, ErrDecrypt) {
			t.Errorf("aad %q: err = %v, want ErrDecrypt", other, err)
		}
	}
}

func TestUnwrapOtherRingSameVersion(t *testing.T) {
	ring, _ := newRing(t, 1)
	other, _ := newRing(t, 1)
	wrapped := mustWrap(t, ring, mustDataKey(t), []byte("victim:1"))
	if _, err := other.Unwrap(wrapped, []byte("victim:1")); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("err = %v, want ErrDecrypt", err)
	}
}

func TestWrapRejectsBadInput(t *testing.T) {
	ring, _ := newRing(t, 1)
	tests := []struct {
		name    string
		dataKey []byte
		aad     []byte
		want    string
	}{
		{name: "short key", dataKey: make([]byte, 16), aad: []byte("victim:1"), want: "got 16"},
		{name: "long key", dataKey: make([]byte, 33), aad: []byte("victim:1"), want: "got 33"},
		{name: "nil key", dataKey: nil, aad: []byte("victim:1"), want: "got 0"},
		{name: "empty aad", dataKey: mustDataKey(t), aad: nil, want: "empty aad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ring.Wrap(tt.dataKey, tt.aad)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestUnwrapBitFlips(t *testing.T) {
	// Wrap with a ring of version 1, unwrap with a ring of versions 1 and
	// 3: the flip of version 1 to 3 names a key the ring holds, so it must
	// fail authentication rather than the version lookup.
	v1Only, spec := newRing(t, 1)
	ring13, err := ParseKeyRing(spec + "\n" + mustSpec(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	aad := []byte("victim:1")
	wrapped := mustWrap(t, v1Only, mustDataKey(t), aad)

	for i := range wrapped {
		for bit := range 8 {
			flipped := bytes.Clone(wrapped)
			flipped[i] ^= 1 << bit
			_, err := ring13.Unwrap(flipped, aad)
			switch {
			case err == nil:
				t.Fatalf("byte %d bit %d: flipped wrapped key unwrapped", i, bit)
			case i >= 1 && i < wrapHeaderSize:
				// The version changed: to one the ring lacks, to version 0
				// (malformed), or to 3, which must fail authentication.
				version := uint32(1)
				flippedVersion := version ^ 1<<(8*(wrapHeaderSize-1-i)+bit)
				want := ErrUnknownKeyVersion
				if flippedVersion == 0 || flippedVersion == 3 {
					want = ErrDecrypt
				}
				if !errors.Is(err, want) {
					t.Fatalf("byte %d bit %d (version %d): err = %v, want %v", i, bit, flippedVersion, err, want)
				}
			case !errors.Is(err, ErrDecrypt):
				t.Fatalf("byte %d bit %d: err = %v, want ErrDecrypt", i, bit, err)
			}
		}
	}
}

// TestHeaderIsAuthenticated gives two versions the same cipher, which
// ParseKeyRing forbids, so only the header in the additional data can tell
// them apart.
func TestHeaderIsAuthenticated(t *testing.T) {
	ring, _ := newRing(t, 1)
	aead, _ := ring.wrapper(1)
	shared := &KeyRing{wrappers: map[uint32]cipher.AEAD{1: aead, 3: aead}, versions: []uint32{1, 3}}
	aad := []byte("victim:1")
	wrapped := mustWrap(t, shared, mustDataKey(t), aad)
	wrapped[wrapHeaderSize-1] = 1 // claim version 1 instead of 3
	if _, err := shared.Unwrap(wrapped, aad); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("version rewritten in the header: err = %v, want ErrDecrypt", err)
	}
}

func mustSpec(t testing.TB, version uint32) string {
	t.Helper()
	spec, err := GenerateKeySpec(version)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestUnwrapTruncatedAndExtended(t *testing.T) {
	ring, _ := newRing(t, 1)
	aad := []byte("victim:1")
	wrapped := mustWrap(t, ring, mustDataKey(t), aad)
	for n := range len(wrapped) {
		if _, err := ring.Unwrap(wrapped[:n], aad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("truncated to %d: err = %v, want ErrDecrypt", n, err)
		}
		if _, _, err := ring.Rewrap(wrapped[:n], aad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("Rewrap truncated to %d: err = %v, want ErrDecrypt", n, err)
		}
	}
	if _, err := ring.Unwrap(append(bytes.Clone(wrapped), 0), aad); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("extended: err = %v, want ErrDecrypt", err)
	}
}

func TestUnwrapGarbage(t *testing.T) {
	ring, _ := newRing(t, 1)
	for _, n := range []int{0, 1, 5, 17, 64, WrappedKeySize, 66, 1024} {
		garbage := make([]byte, n)
		rand.Read(garbage)
		if _, err := ring.Unwrap(garbage, []byte("victim:1")); err == nil {
			t.Fatalf("%d random bytes unwrapped", n)
		}
		// Right format and version, random rest.
		if n == WrappedKeySize {
			garbage[0], garbage[1], garbage[2], garbage[3], garbage[4] = formatWrapV1, 0, 0, 0, 1
			if _, err := ring.Unwrap(garbage, []byte("victim:1")); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("forged header: err = %v, want ErrDecrypt", err)
			}
		}
	}
}

func TestUnwrapUnknownVersion(t *testing.T) {
	v5, _ := newRing(t, 5)
	v1, _ := newRing(t, 1)
	aad := []byte("victim:1")
	wrapped := mustWrap(t, v5, mustDataKey(t), aad)
	_, err := v1.Unwrap(wrapped, aad)
	if !errors.Is(err, ErrUnknownKeyVersion) {
		t.Fatalf("err = %v, want ErrUnknownKeyVersion", err)
	}
	if errors.Is(err, ErrDecrypt) {
		t.Error("an unknown version is a configuration problem, not ErrDecrypt")
	}
	if !strings.Contains(err.Error(), "5") {
		t.Errorf("error %q does not name version 5", err)
	}
	var empty *KeyRing
	if _, err := empty.Unwrap(wrapped, aad); !errors.Is(err, ErrUnknownKeyVersion) {
		t.Errorf("nil ring: err = %v, want ErrUnknownKeyVersion", err)
	}
}

func TestRotation(t *testing.T) {
	spec1 := mustSpec(t, 1)
	spec2 := mustSpec(t, 2)
	parse := func(spec string) *KeyRing {
		t.Helper()
		ring, err := ParseKeyRing(spec)
		if err != nil {
			t.Fatal(err)
		}
		return ring
	}
	ringV1 := parse(spec1)
	ringV12 := parse(spec1 + "\n" + spec2)
	ringV2 := parse(spec2)

	aad := []byte("defendant:7")
	dk := mustDataKey(t)
	old := mustWrap(t, ringV1, dk, aad)

	// After adding v2, old wraps still open.
	if got, err := ringV12.Unwrap(old, aad); err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("v1+v2 ring on a v1 wrap: %v", err)
	}
	// A rewrap with the wrong aad changes nothing.
	if _, _, err := ringV12.Rewrap(old, []byte("defendant:8")); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Rewrap with wrong aad: err = %v, want ErrDecrypt", err)
	}
	rewrapped, changed, err := ringV12.Rewrap(old, aad)
	if err != nil || !changed {
		t.Fatalf("Rewrap = changed %t, %v; want changed", changed, err)
	}
	if v, _ := WrappedVersion(rewrapped); v != 2 {
		t.Fatalf("rewrapped version = %d, want 2", v)
	}
	// Rewrapping again is a no-op returning its input.
	again, changed, err := ringV12.Rewrap(rewrapped, aad)
	if err != nil || changed || !bytes.Equal(again, rewrapped) {
		t.Fatalf("second Rewrap = changed %t, %v", changed, err)
	}
	// Once v1 is retired, only the rewrapped value opens.
	if got, err := ringV2.Unwrap(rewrapped, aad); err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("v2 ring on the rewrapped value: %v", err)
	}
	if _, err := ringV2.Unwrap(old, aad); !errors.Is(err, ErrUnknownKeyVersion) {
		t.Fatalf("v2 ring on the old value: err = %v, want ErrUnknownKeyVersion", err)
	}
	if _, _, err := ringV2.Rewrap(old, aad); !errors.Is(err, ErrUnknownKeyVersion) {
		t.Fatalf("v2 ring Rewrap of the old value: err = %v, want ErrUnknownKeyVersion", err)
	}
}

func TestWrappedVersion(t *testing.T) {
	ring, _ := newRing(t, 258)
	wrapped := mustWrap(t, ring, mustDataKey(t), []byte("victim:1"))
	withFormat := func(b byte) []byte { w := bytes.Clone(wrapped); w[0] = b; return w }
	withZeroVersion := bytes.Clone(wrapped)
	copy(withZeroVersion[1:5], []byte{0, 0, 0, 0})
	tests := []struct {
		name    string
		wrapped []byte
		want    uint32
		wantErr bool
	}{
		{name: "valid", wrapped: wrapped, want: 258},
		{name: "nil", wrapped: nil, wantErr: true},
		{name: "header only", wrapped: wrapped[:wrapHeaderSize], wantErr: true},
		{name: "one byte short", wrapped: wrapped[:WrappedKeySize-1], wantErr: true},
		{name: "sealed format", wrapped: withFormat(formatSealV1), wantErr: true},
		{name: "zero format", wrapped: withFormat(0), wantErr: true},
		{name: "version 0", wrapped: withZeroVersion, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WrappedVersion(tt.wrapped)
			if tt.wantErr {
				if !errors.Is(err, ErrDecrypt) {
					t.Fatalf("err = %v, want ErrDecrypt", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("WrappedVersion = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func FuzzUnwrap(f *testing.F) {
	ring, _ := newRing(f, 1)
	f.Add(mustWrap(f, ring, mustDataKey(f), []byte("victim:1")), []byte("victim:1"))
	f.Add([]byte{formatWrapV1, 0, 0, 0, 1}, []byte(""))
	f.Fuzz(func(t *testing.T, wrapped, aad []byte) {
		// Only must not panic; a random input authenticating is a 2^-128 event.
		if _, err := ring.Unwrap(wrapped, aad); err == nil && !bytes.Equal(aad, []byte("victim:1")) {
			t.Fatal("unwrapped with another aad")
		}
		ring.Rewrap(wrapped, aad)
		WrappedVersion(wrapped)
	})
}
