package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	// Append adds data at the end of name (created when absent), durably.
	Append(ctx context.Context, name string, data []byte) error
	// Tail returns at most the last n bytes of name; an error wrapping
	// os.ErrNotExist when nothing.
	Tail(ctx context.Context, name string, n int64) ([]byte, error)
	// List returns the names held and their sizes, sorted by name; none
	// (and no error) when the store does not exist yet.
	List(ctx context.Context) ([]StoredFile, error)
}

// StoredFile is a name a CheckpointStore holds.
type StoredFile struct {
	Name string
	Size int64
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

// Append opens name for appending only (O_APPEND: the file may live on
// storage that refuses any other write), writes data and syncs it.
func (d DirStore) Append(_ context.Context, name string, data []byte) error {
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return fmt.Errorf("checkpoint dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(d.Dir, name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("checkpoint log: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("checkpoint log: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("checkpoint log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("checkpoint log: %w", err)
	}
	return nil
}

// Tail reads the last n bytes of name.
func (d DirStore) Tail(_ context.Context, name string, n int64) ([]byte, error) {
	f, err := os.Open(filepath.Join(d.Dir, name))
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	off := max(st.Size()-n, 0)
	b := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return b, nil
}

// List lists the regular files of the directory, temporary ones left out.
func (d DirStore) List(_ context.Context) ([]StoredFile, error) {
	entries, err := os.ReadDir(d.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint dir: %w", err)
	}
	var out []StoredFile
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".tmp-") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("checkpoint dir: %w", err)
		}
		out = append(out, StoredFile{Name: e.Name(), Size: info.Size()})
	}
	return out, nil // os.ReadDir sorts by name
}

// The files of a checkpoint store:
//
//   - latest.json: the newest checkpoint, rewritten atomically each time;
//   - checkpoints-<position of its first line, 15 digits>.log: every
//     checkpoint, one JSON line each, in the order they were signed, only
//     ever appended to; a new segment starts once the current one holds
//     LogSegmentSize bytes, so no file grows without bound and the
//     segments' names sort in signing order;
//   - checkpoint-<position, 15 digits>.json: one checkpoint per file, as
//     written before the log existed; still read by Verify.
//
// A checkpoint is written to latest.json first, then appended to the log:
// after a crash between the two, latest.json is one ahead of the log
// (which the next checkpoint repairs), never behind it. latest.json behind
// the log, or missing while the log holds checkpoints, is therefore a
// rollback or a deletion.

// LatestCheckpoint is the name of the newest checkpoint.
const LatestCheckpoint = "latest.json"

// LogSegmentSize is the size past which the checkpoint log starts a new
// segment, by default (about 18 000 checkpoints, of some 230 bytes each).
const LogSegmentSize = 4 << 20

const (
	logPrefix    = "checkpoints-"
	logSuffix    = ".log"
	legacyPrefix = "checkpoint-"
	legacySuffix = ".json"
)

func logSegmentName(seq int64) string { return fmt.Sprintf("%s%015d%s", logPrefix, seq, logSuffix) }

func isLogSegment(name string) bool {
	return strings.HasPrefix(name, logPrefix) && strings.HasSuffix(name, logSuffix)
}

func isLegacyCheckpoint(name string) bool {
	return strings.HasPrefix(name, legacyPrefix) && strings.HasSuffix(name, legacySuffix) && !isLogSegment(name)
}

// LoadLatest returns latest.json, or nil when none was written.
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

// logTail is the last checkpoint of the log, nil when the log is empty,
// and the segment holding it ("" when none) and that segment's size.
func logTail(ctx context.Context, store CheckpointStore) (*Checkpoint, StoredFile, error) {
	files, err := store.List(ctx)
	if err != nil {
		return nil, StoredFile{}, err
	}
	var seg StoredFile
	for _, f := range files {
		if isLogSegment(f.Name) {
			seg = f // sorted: the last one is the newest
		}
	}
	if seg.Name == "" {
		return nil, seg, nil
	}
	// A line is some 230 bytes: 4 KiB hold the last whole one.
	b, err := store.Tail(ctx, seg.Name, 4096)
	if err != nil {
		return nil, seg, err
	}
	lines := bytes.Split(b, []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 || (i == len(lines)-1 && !bytes.HasSuffix(b, []byte("\n"))) {
			continue // empty, or torn by a crash mid-write
		}
		var c Checkpoint
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, seg, fmt.Errorf("checkpoint log: malformed last line of %s: %w", seg.Name, err)
		}
		return &c, seg, nil
	}
	if seg.Size > 0 {
		return nil, seg, fmt.Errorf("checkpoint log: no whole line at the end of %s", seg.Name)
	}
	return nil, seg, nil
}

// LoadNewest returns the newest checkpoint the store holds: latest.json,
// checked against the last line of the log. It fails when latest.json is
// behind the log or missing while the log holds checkpoints (rolled back
// or deleted), when either is unreadable, and when neither exists but
// older checkpoint files do.
func LoadNewest(ctx context.Context, store CheckpointStore) (*Checkpoint, error) {
	latest, _, err := newest(ctx, store)
	return latest, err
}

// newest is LoadNewest, and the log's last checkpoint.
func newest(ctx context.Context, store CheckpointStore) (latest, tail *Checkpoint, err error) {
	latest, err = LoadLatest(ctx, store)
	if err != nil {
		return nil, nil, err
	}
	tail, _, err = logTail(ctx, store)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case tail != nil && latest == nil:
		return nil, nil, fmt.Errorf("checkpoint: %s is missing but the checkpoint log goes on to position %d: it was deleted",
			LatestCheckpoint, tail.Seq)
	case tail != nil && latest.Seq < tail.Seq:
		return nil, nil, fmt.Errorf("checkpoint: %s is at position %d but the checkpoint log goes on to position %d: it was rolled back",
			LatestCheckpoint, latest.Seq, tail.Seq)
	case tail != nil && latest.Seq == tail.Seq && latest.Hash != tail.Hash:
		return nil, nil, fmt.Errorf("checkpoint: %s and the checkpoint log disagree at position %d", LatestCheckpoint, latest.Seq)
	case latest == nil:
		files, err := store.List(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range files {
			if isLegacyCheckpoint(f.Name) {
				return nil, nil, fmt.Errorf("checkpoint: %s is missing but %s exists: it was deleted", LatestCheckpoint, f.Name)
			}
		}
	}
	return latest, tail, nil
}

// writeCheckpoint stores c: latest.json, then the log (see above).
func writeCheckpoint(ctx context.Context, store CheckpointStore, c Checkpoint, segmentSize int64) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := store.Put(ctx, LatestCheckpoint, b); err != nil {
		return err
	}
	return appendToLog(ctx, store, c, segmentSize)
}

// appendToLog appends c to the log's current segment, or starts a new
// one when the current is full.
func appendToLog(ctx context.Context, store CheckpointStore, c Checkpoint, segmentSize int64) error {
	line, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	_, seg, err := logTail(ctx, store)
	if err != nil {
		return err
	}
	name := seg.Name
	if name == "" || seg.Size >= segmentSize {
		name = logSegmentName(c.Seq)
	}
	if seg.Name == name && seg.Size > 0 {
		// After a torn write, start on a line of its own.
		if b, err := store.Tail(ctx, name, 1); err == nil && len(b) == 1 && b[0] != '\n' {
			line = append([]byte("\n"), line...)
		}
	}
	return store.Append(ctx, name, append(line, '\n'))
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
