package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A checkpoint is the chain's head (position and hash) at a moment,
// signed with an Ed25519 key that is not in the database and written
// outside it. Whoever rewrites the database cannot make the chain agree
// with a checkpoint they cannot sign, and cutting the tail of the chain
// leaves it shorter than the last checkpoint.

// Checkpoint is one signed chain head.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"` // hex
	Time      time.Time `json:"time"`
	Signature string    `json:"signature"` // base64 Ed25519 over signedBytes
}

func (c Checkpoint) signedBytes() []byte {
	return []byte("egide-audit-checkpoint-v1|" + strconv.FormatInt(c.Seq, 10) + "|" + c.Hash + "|" +
		c.Time.UTC().Format(time.RFC3339Nano))
}

// SignCheckpoint signs the head (seq, hash) at t.
func SignCheckpoint(key ed25519.PrivateKey, seq int64, hash []byte, t time.Time) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: hex.EncodeToString(hash), Time: t.UTC()}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.signedBytes()))
	return c
}

// VerifySignature reports whether c was signed by pub.
func (c Checkpoint) VerifySignature(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	return err == nil && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, c.signedBytes(), sig)
}

// CheckpointStore keeps checkpoints outside the database.
type CheckpointStore interface {
	// Put stores data under name, replacing it atomically.
	Put(ctx context.Context, name string, data []byte) error
	// Get returns what name holds; an error wrapping os.ErrNotExist when nothing.
	Get(ctx context.Context, name string) ([]byte, error)
}

// DirStore keeps checkpoints as files in a directory.
type DirStore struct{ Dir string }

// Put writes name atomically (temporary file, then rename).
func (d DirStore) Put(_ context.Context, name string, data []byte) error {
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return fmt.Errorf("checkpoint dir: %w", err)
	}
	tmp, err := os.CreateTemp(d.Dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.Dir, name)); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// Get reads name.
func (d DirStore) Get(_ context.Context, name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(d.Dir, name))
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return b, nil
}

// LatestCheckpoint is the name of the newest checkpoint; each is also kept
// under its position.
const LatestCheckpoint = "latest.json"

func checkpointName(seq int64) string { return fmt.Sprintf("checkpoint-%015d.json", seq) }

// LoadLatest returns the newest checkpoint, or nil when none was written.
func LoadLatest(ctx context.Context, store CheckpointStore) (*Checkpoint, error) {
	b, err := store.Get(ctx, LatestCheckpoint)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("checkpoint: malformed %s: %w", LatestCheckpoint, err)
	}
	return &c, nil
}

// Signing keys are stored as the base64 of the 32-byte Ed25519 seed, in a
// file only the server can read; the public key is given to auditors.

// GenerateSigningKeyFile writes a new key (mode 0600); it refuses to overwrite.
func GenerateSigningKeyFile(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(priv.Seed()) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("signing key: %w", err)
	}
	return f.Close()
}

// LoadSigningKeyFile reads a key written by GenerateSigningKeyFile; the
// file must not be readable by group or others.
func LoadSigningKeyFile(path string) (ed25519.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("signing key %s is readable by others: chmod 600 it", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing key %s: want the base64 of a 32-byte Ed25519 seed", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// ParsePublicKey reads a base64 Ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("want the base64 of a 32-byte Ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}

// EncodePublicKey is the form ParsePublicKey reads.
func EncodePublicKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }
