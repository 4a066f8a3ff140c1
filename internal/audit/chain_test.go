package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/egide/egide/internal/audit"
)

func ptr[T any](v T) *T { return &v }

// sample is an event with every column set.
func sample() audit.Sealed {
	return audit.Sealed{
		ID:           42,
		OccurredAt:   time.Date(2026, 11, 27, 9, 30, 0, 123456000, time.UTC),
		ActorUserID:  ptr(uuid.MustParse("0b8f3a52-2d5e-4c41-9c1e-6c0f1f4e7a01")),
		Organisation: ptr(uuid.MustParse("5e1d0c9a-7b3f-4f59-a2a8-1d7d3c1e2b02")),
		SessionHash:  bytes.Repeat([]byte{0xab}, 32),
		RequestID:    "req-7f3a",
		SourceIP:     ptr("192.0.2.10"),
		UserAgent:    "Mozilla/5.0",
		Action:       "victim.identity.reveal",
		ResourceType: "victim",
		ResourceIDs:  []uuid.UUID{uuid.MustParse("9d4c2f1e-0a6b-4e8d-8c3f-2b1a0e9d8c03")},
		DossierID:    ptr(uuid.MustParse("c3b2a190-8f7e-4d6c-b5a4-938271605f04")),
		Reason:       "Préparation de l'audience",
		Outcome:      "allowed",
		Permission:   "identity:read",
		Roles:        []string{"legal_staff"},
	}
}

// The hash of a fixed event is pinned: changing the canonical encoding
// would make every chain already written fail verification, so it must
// be a deliberate, versioned change (a new ChainDomain), never an accident.
// The expected value was computed by an independent implementation of the
// encoding described in chain.go (Python: hashlib, struct.pack(">Q")).
func TestChainHashKnownAnswer(t *testing.T) {
	t.Parallel()
	got := hex.EncodeToString(audit.ChainHash(audit.Genesis(), 1, sample()))
	const want = "910cfa2d7f6f6a2e476713d5a57fac4083eab51931113a049fd9eec22d974356"
	if got != want {
		t.Fatalf("ChainHash of the sample event = %s, want %s: the canonical encoding changed", got, want)
	}
	if g := audit.Genesis(); len(g) != 32 || !bytes.Equal(g, make([]byte, 32)) {
		t.Fatalf("genesis = %x, want 32 zero bytes", g)
	}
}

// Any change to any column, however small, changes the canonical bytes
// and so the hash; so do NULL versus empty and the boundaries between
// variable-length fields.
func TestCanonicalSeparatesEveryChange(t *testing.T) {
	t.Parallel()
	flip := func(id *uuid.UUID) *uuid.UUID { c := *id; c[15] ^= 1; return &c }
	cases := []struct {
		name   string
		change func(e *audit.Sealed)
	}{
		{"id", func(e *audit.Sealed) { e.ID++ }},
		{"occurred_at +1µs", func(e *audit.Sealed) { e.OccurredAt = e.OccurredAt.Add(time.Microsecond) }},
		{"occurred_at -1µs", func(e *audit.Sealed) { e.OccurredAt = e.OccurredAt.Add(-time.Microsecond) }},
		{"actor bit", func(e *audit.Sealed) { e.ActorUserID = flip(e.ActorUserID) }},
		{"actor NULL", func(e *audit.Sealed) { e.ActorUserID = nil }},
		{"actor nil UUID", func(e *audit.Sealed) { e.ActorUserID = &uuid.UUID{} }},
		{"organisation bit", func(e *audit.Sealed) { e.Organisation = flip(e.Organisation) }},
		{"organisation NULL", func(e *audit.Sealed) { e.Organisation = nil }},
		{"session hash bit", func(e *audit.Sealed) { e.SessionHash = append([]byte{0xaa}, e.SessionHash[1:]...) }},
		{"session hash NULL", func(e *audit.Sealed) { e.SessionHash = nil }},
		{"session hash empty", func(e *audit.Sealed) { e.SessionHash = []byte{} }},
		{"request id bit", func(e *audit.Sealed) { e.RequestID = "seq-7f3a" }},
		{"source ip bit", func(e *audit.Sealed) { e.SourceIP = ptr("192.0.2.11") }},
		{"source ip NULL", func(e *audit.Sealed) { e.SourceIP = nil }},
		{"source ip empty", func(e *audit.Sealed) { e.SourceIP = ptr("") }},
		{"user agent", func(e *audit.Sealed) { e.UserAgent = "Mozilla/5.1" }},
		{"action", func(e *audit.Sealed) { e.Action = "dossier.read" }},
		{"resource type", func(e *audit.Sealed) { e.ResourceType = "wictim" }},
		{"resource id bit", func(e *audit.Sealed) { e.ResourceIDs = []uuid.UUID{*flip(&e.ResourceIDs[0])} }},
		{"resource ids empty", func(e *audit.Sealed) { e.ResourceIDs = nil }},
		{"resource id added", func(e *audit.Sealed) { e.ResourceIDs = append(e.ResourceIDs, uuid.UUID{}) }},
		{"dossier bit", func(e *audit.Sealed) { e.DossierID = flip(e.DossierID) }},
		{"dossier NULL", func(e *audit.Sealed) { e.DossierID = nil }},
		{"reason", func(e *audit.Sealed) { e.Reason = "Préparation de l'audiencf" }},
		{"reason empty", func(e *audit.Sealed) { e.Reason = "" }},
		{"outcome", func(e *audit.Sealed) { e.Outcome = "denied" }},
		{"permission", func(e *audit.Sealed) { e.Permission = "identity:write" }},
		{"role bit", func(e *audit.Sealed) { e.Roles = []string{"legal_stafg"} }},
		{"role removed", func(e *audit.Sealed) { e.Roles = nil }},
		{"role added", func(e *audit.Sealed) { e.Roles = append(e.Roles, "admin") }},
		// Length prefixes: moving bytes across a field boundary is a change.
		{"request id / user agent boundary", func(e *audit.Sealed) { e.RequestID, e.UserAgent = "req-7f3aM", "ozilla/5.0" }},
		{"action / resource type boundary", func(e *audit.Sealed) { e.Action, e.ResourceType = "victim.identity.revealv", "ictim" }},
		{"roles boundary", func(e *audit.Sealed) { e.Roles = []string{"legal", "_staff"} }},
		{"reason / outcome boundary", func(e *audit.Sealed) { e.Reason, e.Outcome = "Préparation de l'audiencea", "llowed" }},
	}
	base := sample()
	baseBytes, baseHash := audit.Canonical(base), audit.ChainHash(audit.Genesis(), 7, base)
	seen := map[string]string{string(baseBytes): "unchanged"}
	for _, c := range cases {
		e := sample()
		c.change(&e)
		b := audit.Canonical(e)
		if prev, dup := seen[string(b)]; dup {
			t.Errorf("%s: encodes like %s", c.name, prev)
		}
		seen[string(b)] = c.name
		if bytes.Equal(audit.ChainHash(audit.Genesis(), 7, e), baseHash) {
			t.Errorf("%s: same hash", c.name)
		}
	}
	// The encoding is a pure function of the event.
	if !bytes.Equal(audit.Canonical(sample()), baseBytes) {
		t.Fatal("Canonical is not deterministic")
	}
}

// A position's hash binds the previous hash and the position number, so
// an event cannot be moved, and a link cannot be replaced, unnoticed.
func TestChainHashBindsPositionAndPredecessor(t *testing.T) {
	t.Parallel()
	e := sample()
	h := audit.ChainHash(audit.Genesis(), 1, e)
	prev := bytes.Clone(audit.Genesis())
	prev[31] ^= 1
	for name, other := range map[string][]byte{
		"other position":    audit.ChainHash(audit.Genesis(), 2, e),
		"other predecessor": audit.ChainHash(prev, 1, e),
	} {
		if bytes.Equal(h, other) {
			t.Errorf("%s: same hash", name)
		}
	}
	if len(h) != 32 {
		t.Fatalf("hash of %d bytes, want 32", len(h))
	}
}

func TestCheckpointSignature(t *testing.T) {
	t.Parallel()
	key, pub := testKey()
	otherPub, _, _ := ed25519.GenerateKey(nil)
	hash := bytes.Repeat([]byte{0x5a}, 32)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	good := audit.SignCheckpoint(key, 1000, hash, at)
	if !good.VerifySignature(pub) {
		t.Fatal("a checkpoint does not verify with its own key")
	}
	cases := []struct {
		name   string
		change func(c *audit.Checkpoint)
		pub    ed25519.PublicKey
	}{
		{"other key", func(*audit.Checkpoint) {}, otherPub},
		{"no key", func(*audit.Checkpoint) {}, nil},
		{"position", func(c *audit.Checkpoint) { c.Seq++ }, pub},
		{"hash", func(c *audit.Checkpoint) { c.Hash = strings.Replace(c.Hash, "5a", "5b", 1) }, pub},
		{"time", func(c *audit.Checkpoint) { c.Time = c.Time.Add(time.Nanosecond) }, pub},
		{"signature bit", func(c *audit.Checkpoint) {
			sig, _ := base64.StdEncoding.DecodeString(c.Signature)
			sig[0] ^= 1
			c.Signature = base64.StdEncoding.EncodeToString(sig)
		}, pub},
		{"signature not base64", func(c *audit.Checkpoint) { c.Signature = "!!" }, pub},
		{"signature empty", func(c *audit.Checkpoint) { c.Signature = "" }, pub},
	}
	for _, c := range cases {
		cp := good
		c.change(&cp)
		if cp.VerifySignature(c.pub) {
			t.Errorf("%s: still verifies", c.name)
		}
	}
}

func TestSigningKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit-key")
	if err := audit.GenerateSigningKeyFile(path); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: want mode 0600, got %v %v", st, err)
	}
	if err := audit.GenerateSigningKeyFile(path); err == nil {
		t.Fatal("GenerateSigningKeyFile overwrote an existing key")
	}
	key, err := audit.LoadSigningKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := audit.ParsePublicKey(audit.EncodePublicKey(key.Public().(ed25519.PublicKey)))
	if err != nil || !pub.Equal(key.Public()) {
		t.Fatalf("public key round trip: %v", err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.LoadSigningKeyFile(path); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("a key readable by the group loads: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.LoadSigningKeyFile(bad); err == nil {
		t.Fatal("a malformed key loads")
	}
	if _, err := audit.ParsePublicKey("AAAA"); err == nil {
		t.Fatal("a short public key parses")
	}
}

func TestDirStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := audit.DirStore{Dir: filepath.Join(t.TempDir(), "checkpoints")}
	if c, err := audit.LoadLatest(ctx, store); err != nil || c != nil {
		t.Fatalf("empty store: %v %v, want no checkpoint and no error", c, err)
	}
	if err := store.Put(ctx, audit.LatestCheckpoint, []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.LoadLatest(ctx, store); err == nil {
		t.Fatal("a malformed checkpoint loads")
	}
	if err := store.Put(ctx, "x", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := store.Put(ctx, "x", []byte("two")); err != nil {
		t.Fatal(err)
	}
	if b, err := store.Get(ctx, "x"); err != nil || string(b) != "two" {
		t.Fatalf("get after replace: %q %v", b, err)
	}
	entries, _ := os.ReadDir(store.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
