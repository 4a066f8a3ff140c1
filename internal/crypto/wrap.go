package crypto

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	formatWrapV1   byte = 0x01
	wrapHeaderSize      = 1 + 4 // format, KEK version
	nonceSize           = 12
	tagSize             = 16

	// WrappedKeySize is the length of every value Wrap returns.
	WrappedKeySize = wrapHeaderSize + nonceSize + KeySize + tagSize
)

var (
	// ErrDecrypt is returned when a value fails authentication or is
	// malformed. It deliberately says nothing more.
	ErrDecrypt = errors.New("crypto: decryption failed")

	// ErrUnknownKeyVersion is returned when a wrapped key names a KEK
	// version the ring does not hold (a retired or not yet deployed key).
	ErrUnknownKeyVersion = errors.New("crypto: unknown key version")
)

// Wrap encrypts a KeySize data key under the active KEK. aad names what the
// key protects (e.g. "victim:<uuid>") and must be given again to Unwrap; it
// must not be empty, since it is what stops a key being moved to another
// record.
func (k *KeyRing) Wrap(dataKey, aad []byte) ([]byte, error) {
	if len(dataKey) != KeySize {
		return nil, fmt.Errorf("crypto: wrap: data key must be %d bytes, got %d", KeySize, len(dataKey))
	}
	if len(aad) == 0 {
		return nil, errors.New("crypto: wrap: empty aad; bind the key to what it protects")
	}
	version := k.ActiveVersion()
	if version == 0 {
		return nil, fmt.Errorf("%w: no keys", ErrInvalidKeyRing)
	}
	out := make([]byte, wrapHeaderSize, WrappedKeySize)
	out[0] = formatWrapV1
	binary.BigEndian.PutUint32(out[1:], version)
	aead, _ := k.wrapper(version)
	return aead.Seal(out, nil, dataKey, withHeader(out, aad)), nil
}

func (k *KeyRing) wrapper(version uint32) (cipher.AEAD, bool) {
	if k == nil {
		return nil, false
	}
	aead, ok := k.wrappers[version]
	return aead, ok
}

// Unwrap returns the data key in wrapped. It fails with ErrUnknownKeyVersion
// if the ring lacks the KEK version used, and with ErrDecrypt for any other
// failure: wrong aad, tampering, truncation, garbage.
func (k *KeyRing) Unwrap(wrapped, aad []byte) ([]byte, error) {
	version, err := WrappedVersion(wrapped)
	if err != nil {
		return nil, err
	}
	aead, ok := k.wrapper(version)
	if !ok {
		return nil, fmt.Errorf("%w %d", ErrUnknownKeyVersion, version)
	}
	dataKey, err := aead.Open(nil, nil, wrapped[wrapHeaderSize:], withHeader(wrapped[:wrapHeaderSize], aad))
	if err != nil {
		return nil, fmt.Errorf("unwrap with key version %d: %w", version, ErrDecrypt)
	}
	return dataKey, nil
}

// Rewrap re-encrypts wrapped under the active KEK when it was wrapped under
// an older one, for key rotation without touching the data. It always
// authenticates wrapped first. When changed is false, out is wrapped itself.
func (k *KeyRing) Rewrap(wrapped, aad []byte) (out []byte, changed bool, err error) {
	dataKey, err := k.Unwrap(wrapped, aad)
	if err != nil {
		return nil, false, err
	}
	defer clear(dataKey)
	// Unwrap validated the header, and its version is in the ring, so it is
	// at most the active one.
	if binary.BigEndian.Uint32(wrapped[1:wrapHeaderSize]) == k.ActiveVersion() {
		return wrapped, false, nil
	}
	out, err = k.Wrap(dataKey, aad)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// WrappedVersion returns the KEK version a wrapped key was made with, e.g.
// to find keys still to rotate. It does not authenticate; it fails with
// ErrDecrypt if wrapped is not a wrapped key.
func WrappedVersion(wrapped []byte) (uint32, error) {
	if len(wrapped) != WrappedKeySize {
		return 0, fmt.Errorf("%w: wrapped key is %d bytes, want %d", ErrDecrypt, len(wrapped), WrappedKeySize)
	}
	if wrapped[0] != formatWrapV1 {
		return 0, fmt.Errorf("%w: unknown wrapped key format %#02x", ErrDecrypt, wrapped[0])
	}
	version := binary.BigEndian.Uint32(wrapped[1:wrapHeaderSize])
	if version == 0 {
		return 0, fmt.Errorf("%w: wrapped key has version 0", ErrDecrypt)
	}
	return version, nil
}

// withHeader returns header||aad as GCM additional data. The header has a
// fixed length per format, so the concatenation is unambiguous. It is a new
// slice: GCM refuses additional data overlapping its output.
func withHeader(header, aad []byte) []byte {
	ad := make([]byte, 0, len(header)+len(aad))
	ad = append(ad, header...)
	return append(ad, aad...)
}
