package crypto

import "fmt"

const (
	formatSealV1   byte = 0x02
	sealHeaderSize      = 1 // format

	// SealOverhead is how much longer Seal's output is than its plaintext.
	SealOverhead = sealHeaderSize + nonceSize + tagSize
)

// Seal encrypts plaintext with a KeySize key using AES-256-GCM and a random
// nonce, binding aad. Each key should seal few messages (random nonces):
// data keys are meant to be used for one record.
func Seal(key, plaintext, aad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	out := make([]byte, sealHeaderSize, SealOverhead+len(plaintext))
	out[0] = formatSealV1
	return aead.Seal(out, nil, plaintext, withHeader(out, aad)), nil
}

// Open decrypts what Seal returned. Any failure, including a key of the
// wrong size, is ErrDecrypt.
func Open(key, ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) < SealOverhead {
		return nil, fmt.Errorf("%w: sealed value is %d bytes, want at least %d", ErrDecrypt, len(ciphertext), SealOverhead)
	}
	if ciphertext[0] != formatSealV1 {
		return nil, fmt.Errorf("%w: unknown sealed format %#02x", ErrDecrypt, ciphertext[0])
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	plaintext, err := aead.Open(nil, nil, ciphertext[sealHeaderSize:], withHeader(ciphertext[:sealHeaderSize], aad))
	if err != nil {
		return nil, ErrDecrypt
	}
	return plaintext, nil
}

// SealRecord seals plaintext under a fresh data key and wraps that key with
// the ring; both are bound to aad, which names the record (e.g.
// "victim:<uuid>"). Store both outputs; deleting wrappedKey erases the record.
func (k *KeyRing) SealRecord(plaintext, aad []byte) (ciphertext, wrappedKey []byte, err error) {
	dataKey, err := NewDataKey()
	if err != nil {
		return nil, nil, err
	}
	defer clear(dataKey)
	// Wrap first: it checks the ring and aad before any work on the data.
	wrappedKey, err = k.Wrap(dataKey, aad)
	if err != nil {
		return nil, nil, fmt.Errorf("seal record: %w", err)
	}
	ciphertext, err = Seal(dataKey, plaintext, aad)
	if err != nil {
		return nil, nil, fmt.Errorf("seal record: %w", err)
	}
	return ciphertext, wrappedKey, nil
}

// OpenRecord reverses SealRecord. It fails with ErrUnknownKeyVersion if the
// ring lacks the KEK that wrapped the key, and ErrDecrypt otherwise.
func (k *KeyRing) OpenRecord(ciphertext, wrappedKey, aad []byte) ([]byte, error) {
	dataKey, err := k.Unwrap(wrappedKey, aad)
	if err != nil {
		return nil, fmt.Errorf("open record: %w", err)
	}
	defer clear(dataKey)
	plaintext, err := Open(dataKey, ciphertext, aad)
	if err != nil {
		return nil, fmt.Errorf("open record: %w", err)
	}
	return plaintext, nil
}
