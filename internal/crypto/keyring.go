// Package crypto holds the key ring and the envelope encryption that protect
// identities and documents at rest.
//
// Every record gets a fresh random data key; the record is sealed with it
// (Seal) and the data key is wrapped with the key ring's active key-encryption
// key (Wrap). Rotating KEKs then rewraps small wrapped keys (Rewrap) without
// touching the data, and destroying a record's wrapped key erases the record.
//
// Formats (integers big endian):
//
//	wrapped key: 0x01 | KEK version (4) | nonce (12) | AES-256-GCM(data key) (32) | tag (16)
//	sealed data: 0x02 | nonce (12) | AES-256-GCM(plaintext) | tag (16)
//
// The bytes before the nonce are prepended to the caller's aad to form the
// GCM additional data, so the format and version cannot be altered, and a
// value copied to another record (other aad) fails to open.
//
// A KEK is not used as an AES key directly: the wrapping key is derived from
// it with HKDF-SHA256 (info "egide/kek/wrap/v1"), so the same KEK can key
// other constructions later without one key serving two purposes. Nonces are
// random: one KEK version must not wrap more than about 2^32 keys.
//
// The package does no I/O except LoadKeyRingFile and GenerateDevKeyRingFile.
// A KeyRing is immutable and safe for concurrent use.
package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// KeySize is the size of KEKs and data keys (AES-256).
const KeySize = 32

// DevMarker is the comment line that marks a development key ring.
const DevMarker = "# egide-dev-keyring"

// wrapKeyInfo separates the wrapping key from anything else derived from a KEK.
const wrapKeyInfo = "egide/kek/wrap/v1"

// ErrInvalidKeyRing is returned when a key ring spec is malformed.
var ErrInvalidKeyRing = errors.New("crypto: invalid key ring")

// KeyRing holds versioned key-encryption keys. The highest version wraps new
// keys; older versions only unwrap. It keeps no raw KEK bytes, only the
// ciphers derived from them.
type KeyRing struct {
	wrappers map[uint32]cipher.AEAD
	versions []uint32 // ascending
	dev      bool
}

// ParseKeyRing parses a spec holding one `<version>:<base64 key>` entry per
// line or comma-separated. Blank lines and lines starting with # are ignored;
// the line DevMarker makes it a development ring. Errors name the entry and
// line but never echo the input, which may be key material.
func ParseKeyRing(spec string) (*KeyRing, error) {
	ring := &KeyRing{wrappers: make(map[uint32]cipher.AEAD)}
	var keys [][]byte // to reject one key reused under two versions
	defer func() {
		for _, key := range keys {
			clear(key)
		}
	}()
	entryOf := make(map[uint32]int) // version -> entry number

	entry := 0
	for i, line := range strings.Split(spec, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if line == DevMarker {
				ring.dev = true
			}
			continue
		}
		for field := range strings.SplitSeq(line, ",") {
			field = strings.TrimSpace(field)
			if field == "" {
				continue
			}
			entry++
			where := fmt.Sprintf("entry %d (line %d)", entry, i+1)

			version, key, err := parseEntry(field)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrInvalidKeyRing, where, err)
			}
			if prev, dup := entryOf[version]; dup {
				clear(key)
				return nil, fmt.Errorf("%w: %s: version %d already defined by entry %d", ErrInvalidKeyRing, where, version, prev)
			}
			for j, other := range keys {
				if bytes.Equal(key, other) {
					clear(key)
					return nil, fmt.Errorf("%w: %s: same key as version %d; a new version needs a new key",
						ErrInvalidKeyRing, where, ring.versions[j])
				}
			}
			keys = append(keys, key)
			entryOf[version] = entry

			aead, err := newWrapAEAD(key)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			ring.wrappers[version] = aead
			ring.versions = append(ring.versions, version)
		}
	}
	if len(ring.versions) == 0 {
		return nil, fmt.Errorf("%w: no keys", ErrInvalidKeyRing)
	}
	slices.Sort(ring.versions)
	return ring, nil
}

// parseEntry parses `<version>:<base64 key>`. Its errors deliberately do not
// wrap strconv or base64 errors: those quote the input.
func parseEntry(field string) (uint32, []byte, error) {
	versionText, keyText, ok := strings.Cut(field, ":")
	if !ok {
		return 0, nil, errors.New("want <version>:<base64 key>")
	}
	version, err := strconv.ParseUint(strings.TrimSpace(versionText), 10, 32)
	if err != nil || version == 0 {
		return 0, nil, errors.New("version must be an integer from 1 to 4294967295")
	}
	key, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(keyText))
	if err != nil {
		clear(key)
		return 0, nil, fmt.Errorf("version %d: key is not valid standard base64", version)
	}
	if len(key) != KeySize {
		n := len(key)
		clear(key)
		return 0, nil, fmt.Errorf("version %d: key must be %d bytes, got %d", version, KeySize, n)
	}
	if allZero(key) {
		return 0, nil, fmt.Errorf("version %d: key is all zeros", version)
	}
	return uint32(version), key, nil
}

func allZero(b []byte) bool {
	var acc byte
	for _, c := range b {
		acc |= c
	}
	return acc == 0
}

func newWrapAEAD(kek []byte) (cipher.AEAD, error) {
	sub, err := hkdf.Key(sha256.New, kek, nil, wrapKeyInfo, KeySize)
	if err != nil {
		return nil, fmt.Errorf("derive wrapping key: %w", err)
	}
	defer clear(sub)
	return newAEAD(sub)
}

// newAEAD returns AES-256-GCM that draws a random nonce and prepends it.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("crypto: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("crypto: new cipher: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("crypto: new GCM: %w", err)
	}
	return aead, nil
}

// ActiveVersion is the version that wraps new keys: the highest one. It is 0
// for an empty ring.
func (k *KeyRing) ActiveVersion() uint32 {
	if k == nil || len(k.versions) == 0 {
		return 0
	}
	return k.versions[len(k.versions)-1]
}

// Versions returns the ring's versions in ascending order.
func (k *KeyRing) Versions() []uint32 {
	if k == nil {
		return nil
	}
	return slices.Clone(k.versions)
}

// IsDev reports whether the ring carries DevMarker; production must refuse it.
func (k *KeyRing) IsDev() bool {
	return k != nil && k.dev
}

// String describes the ring without key material, so logging it is safe.
func (k *KeyRing) String() string {
	if k == nil {
		return "KeyRing(nil)"
	}
	return fmt.Sprintf("KeyRing(versions=%v active=%d dev=%t)", k.versions, k.ActiveVersion(), k.dev)
}

// GoString keeps %#v from dumping cipher state.
func (k *KeyRing) GoString() string { return k.String() }

// NewDataKey returns a fresh random data key of KeySize bytes.
func NewDataKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("crypto: random key: %w", err)
	}
	return key, nil
}

// GenerateKeySpec returns a new `<version>:<base64 key>` entry for a key ring.
func GenerateKeySpec(version uint32) (string, error) {
	if version == 0 {
		return "", errors.New("crypto: key version must be at least 1")
	}
	key, err := NewDataKey()
	if err != nil {
		return "", err
	}
	defer clear(key)
	return strconv.FormatUint(uint64(version), 10) + ":" + base64.StdEncoding.EncodeToString(key), nil
}
