package evidence_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/blob/blobtest"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

type vault struct {
	pool  *pgxpool.Pool
	svc   *evidence.Service
	kr    *crypto.KeyRing
	store blob.Store
	dir   string // FS store directory ("" for S3)
	org   uuid.UUID
	staff actor.Actor
	d     uuid.UUID
	cfg   evidence.Config
}

func ring(t *testing.T, versions ...uint32) *crypto.KeyRing {
	t.Helper()
	var specs []string
	for _, v := range versions {
		s, err := crypto.GenerateKeySpec(v)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	kr, err := crypto.ParseKeyRing(strings.Join(specs, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func newVault(t *testing.T, store blob.Store, dir string, cfg evidence.Config) *vault {
	t.Helper()
	pool := pgtest.New(t)
	kr := ring(t, 1)
	org := testfixture.Org(t, pool)
	staff := testfixture.User(t, pool, org, actor.LegalStaff)
	v := &vault{pool: pool, kr: kr, store: store, dir: dir, org: org, staff: staff, d: testfixture.Dossier(t, pool, org), cfg: cfg}
	v.svc = evidence.NewService(testfixture.Authorizer(t, pool), pool, kr, store, cfg)
	return v
}

func fsVault(t *testing.T, cfg evidence.Config) *vault {
	t.Helper()
	dir := t.TempDir()
	st, err := blob.NewFSStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return newVault(t, st, dir, cfg)
}

func s3Vault(t *testing.T, cfg evidence.Config) *vault {
	t.Helper()
	st, err := blob.NewS3Store(context.Background(), blobtest.MinIO(t))
	if err != nil {
		t.Fatal(err)
	}
	return newVault(t, st, "", cfg)
}

// with returns the vault's service on another key ring.
func (v *vault) with(t *testing.T, kr *crypto.KeyRing) *evidence.Service {
	return evidence.NewService(testfixture.Authorizer(t, v.pool), v.pool, kr, v.store, v.cfg)
}

func (v *vault) create(t *testing.T, a actor.Actor, dossierID uuid.UUID, key string) evidence.Evidence {
	t.Helper()
	e, err := v.svc.Create(context.Background(), a, evidence.CreateInput{DossierID: dossierID, Kind: evidence.KindComplaint,
		Title: "Plainte", FileName: ptr("plainte.pdf"), IdempotencyKey: key})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return e
}

func (v *vault) upload(t *testing.T, dossierID uuid.UUID, content []byte) evidence.Evidence {
	t.Helper()
	e := v.create(t, v.staff, dossierID, uuid.NewString())
	e, err := v.svc.Upload(context.Background(), v.staff, e.ID, bytes.NewReader(content), int64(len(content)), "")
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	return e
}

func (v *vault) download(t *testing.T, svc *evidence.Service, id uuid.UUID) ([]byte, error) {
	t.Helper()
	_, body, err := svc.Download(context.Background(), v.staff, id)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return io.ReadAll(body)
}

// objects returns every stored object's content by key.
func (v *vault) objects(t *testing.T) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	out := map[string][]byte{}
	var keys []string
	if err := v.store.List(ctx, "evidence/", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		r, err := v.store.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[k] = b
	}
	return out
}

func ptr[T any](x T) *T { return &x }

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

// document is content with a marker planted every 4 KiB.
func document(n int) ([]byte, []byte) {
	marker := []byte("EGIDE-PLAINTEXT-MARKER")
	b := make([]byte, n)
	rand.Read(b)
	for i := 0; i+len(marker) <= n; i += 4096 {
		copy(b[i:], marker)
	}
	return b, marker
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		open    func(*testing.T, evidence.Config) *vault
		size    int
		unknown bool // upload without a declared size
	}{
		{"fs", fsVault, 300 << 10, false},
		{"fs-unknown-size", fsVault, 1000, true},
		{"fs-empty", fsVault, 0, false},
		{"s3-streamed-20MiB", s3Vault, 20 << 20, true},
		{"s3", s3Vault, 70 << 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := tc.open(t, evidence.Config{MaxSize: 64 << 20})
			ctx := context.Background()
			content, marker := document(tc.size)
			e := v.create(t, v.staff, v.d, "k1")
			if e.Status != evidence.StatusPending || e.UploadPath == nil || e.DownloadPath != nil {
				t.Fatalf("created = %+v", e)
			}
			declared := int64(len(content))
			if tc.unknown {
				declared = -1
			}
			got, err := v.svc.Upload(ctx, v.staff, e.ID, bytes.NewReader(content), declared, "pièce n°1.pdf")
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			sum := sha256.Sum256(content)
			if got.Status != evidence.StatusStored || *got.Size != int64(len(content)) || *got.SHA256 != hex.EncodeToString(sum[:]) ||
				got.FileName != "pièce n°1.pdf" || got.DownloadPath == nil || got.StoredAt == nil {
				t.Fatalf("stored = %+v", got)
			}
			back, err := v.download(t, v.svc, e.ID)
			if err != nil || !bytes.Equal(back, content) {
				t.Fatalf("download: %v (equal %t)", err, bytes.Equal(back, content))
			}
			objs := v.objects(t)
			if len(objs) != 1 {
				t.Fatalf("%d objects, want 1", len(objs))
			}
			for k, b := range objs {
				if !strings.HasPrefix(k, "evidence/"+v.d.String()+"/") {
					t.Errorf("object key %s", k)
				}
				if tc.size > 0 && bytes.Contains(b, marker) {
					t.Error("the stored object contains plaintext")
				}
				if int64(len(b)) != crypto.EncryptedSize(int64(len(content))) {
					t.Errorf("object is %d bytes", len(b))
				}
			}
			// Idempotent create and re-upload.
			again := v.create(t, v.staff, v.d, "k1")
			if again.ID != e.ID || again.Status != evidence.StatusStored {
				t.Fatalf("create again = %+v", again)
			}
			re, err := v.svc.Upload(ctx, v.staff, e.ID, strings.NewReader("other"), 5, "")
			if err != nil || *re.SHA256 != *got.SHA256 {
				t.Fatalf("re-upload: %v %+v", err, re)
			}
			if len(v.objects(t)) != 1 {
				t.Fatal("a re-upload stored another object")
			}
			list, err := v.svc.ByDossier(ctx, v.staff, v.d)
			if err != nil || len(list) != 1 || list[0].ID != e.ID {
				t.Fatalf("list: %v %+v", err, list)
			}
			for action, n := range map[string]int{"evidence.create": 2, "evidence.upload": 1, "evidence.download": 1, "evidence.list": 1} {
				if c := testfixture.AuditCount(t, v.pool, action, "allowed"); c != n {
					t.Errorf("%s audited %d times, want %d", action, c, n)
				}
			}
			// The wrapped keys are useless without the key ring.
			if _, err := v.download(t, v.with(t, ring(t, 1)), e.ID); !errors.Is(err, crypto.ErrDecrypt) {
				t.Fatalf("download with another ring: %v, want ErrDecrypt", err)
			}
		})
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	v := fsVault(t, evidence.Config{})
	ctx := context.Background()
	for field, in := range map[string]evidence.CreateInput{
		"kind":           {DossierID: v.d, Kind: "x", Title: "t", IdempotencyKey: "k"},
		"title":          {DossierID: v.d, Kind: evidence.KindOther, Title: " ", IdempotencyKey: "k"},
		"idempotencyKey": {DossierID: v.d, Kind: evidence.KindOther, Title: "t", IdempotencyKey: strings.Repeat("k", 129)},
	} {
		_, err := v.svc.Create(ctx, v.staff, in)
		e, ok := apperr.As(err)
		if !ok || len(e.Fields) != 1 || e.Fields[0].Field != field {
			t.Errorf("%s: err = %v", field, err)
		}
	}
	_, err := v.svc.Create(ctx, v.staff, evidence.CreateInput{DossierID: uuid.New(), Kind: evidence.KindOther, Title: "t", IdempotencyKey: "k"})
	wantCode(t, err, apperr.NotFound)
	if _, err := v.pool.Exec(ctx, `UPDATE dossiers SET status = 'closed', closed_on = opened_on, closing_reason = 'fin' WHERE id = $1`, v.d); err != nil {
		t.Fatal(err)
	}
	_, err = v.svc.Create(ctx, v.staff, evidence.CreateInput{DossierID: v.d, Kind: evidence.KindOther, Title: "t", IdempotencyKey: "k"})
	wantCode(t, err, apperr.Invalid)
	var n int
	v.pool.QueryRow(ctx, `SELECT count(*) FROM evidence`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d records written after errors", n)
	}
}

func TestSizeLimitAndSniffing(t *testing.T) {
	t.Parallel()
	v := fsVault(t, evidence.Config{MaxSize: 1000})
	ctx := context.Background()
	e := v.create(t, v.staff, v.d, "big")
	for _, declared := range []int64{1001, -1} {
		_, err := v.svc.Upload(ctx, v.staff, e.ID, bytes.NewReader(make([]byte, 1001)), declared, "")
		var tl *evidence.TooLargeError
		if !errors.As(err, &tl) || apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "at most 1000 bytes") {
			t.Fatalf("declared %d: err = %v", declared, err)
		}
	}
	// A body shorter than declared.
	_, err := v.svc.Upload(ctx, v.staff, e.ID, bytes.NewReader(make([]byte, 10)), 20, "")
	wantCode(t, err, apperr.Invalid)
	if got, _ := v.svc.Get(ctx, v.staff, e.ID); got.Status != evidence.StatusPending {
		t.Fatalf("status %s after failed uploads", got.Status)
	}
	if n := len(v.objects(t)); n != 0 {
		t.Fatalf("%d objects left by failed uploads", n)
	}
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, 100)...)
	got, err := v.svc.Upload(ctx, v.staff, e.ID, bytes.NewReader(pdf), -1, "photo.jpg")
	if err != nil || got.ContentType != "application/pdf" {
		t.Fatalf("pdf: %v %q", err, got.ContentType)
	}
}

func TestAuthorization(t *testing.T) {
	t.Parallel()
	v := fsVault(t, evidence.Config{})
	ctx := context.Background()
	e := v.upload(t, v.d, []byte("hello"))
	pending := v.create(t, v.staff, v.d, "pending")
	other := testfixture.Org(t, v.pool)
	lawyer := testfixture.User(t, v.pool, v.org, actor.PartnerLawyer)
	for name, a := range map[string]actor.Actor{
		"advocacy":          testfixture.User(t, v.pool, v.org, actor.Advocacy),
		"admin":             testfixture.User(t, v.pool, v.org, actor.Admin),
		"dpo":               testfixture.User(t, v.pool, v.org, actor.DPO),
		"unassigned lawyer": lawyer,
		"other org":         testfixture.User(t, v.pool, other, actor.LegalStaff),
	} {
		if _, err := v.svc.Get(ctx, a, e.ID); apperr.CodeOf(err) != apperr.NotFound && apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s get: %v", name, err)
		}
		if _, _, err := v.svc.Download(ctx, a, e.ID); apperr.CodeOf(err) != apperr.NotFound && apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s download: %v", name, err)
		}
		if _, err := v.svc.Upload(ctx, a, pending.ID, strings.NewReader("x"), 1, ""); apperr.CodeOf(err) != apperr.NotFound && apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s upload: %v", name, err)
		}
	}
	if _, err := v.svc.Get(ctx, lawyer, e.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unassigned lawyer: %v, want NOT_FOUND", err)
	}
	if _, err := v.svc.Get(ctx, v.staff, uuid.New()); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown id: %v", err)
	}
	if testfixture.AuditCount(t, v.pool, "access.denied", "denied") == 0 {
		t.Error("denials not audited")
	}
	testfixture.Assign(t, v.pool, v.d, lawyer.UserID)
	if _, err := v.svc.Upload(ctx, lawyer, pending.ID, strings.NewReader("x"), 1, ""); err != nil {
		t.Errorf("assigned lawyer upload: %v", err)
	}
	if b, err := func() ([]byte, error) {
		_, r, err := v.svc.Download(ctx, lawyer, e.ID)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return io.ReadAll(r)
	}(); err != nil || string(b) != "hello" {
		t.Errorf("assigned lawyer download: %v %q", err, b)
	}
	if n := len(v.objects(t)); n != 2 {
		t.Errorf("%d objects, want 2 (refused uploads stored nothing)", n)
	}
}

func TestEraseDossier(t *testing.T) {
	t.Parallel()
	v := fsVault(t, evidence.Config{})
	ctx := context.Background()
	d2 := testfixture.Dossier(t, v.pool, v.org)
	e1 := v.upload(t, v.d, []byte("dossier one"))
	e2 := v.upload(t, d2, []byte("dossier two"))
	dpo := testfixture.User(t, v.pool, v.org, actor.DPO)

	// Keep what a thief would have: the object and the record.
	objs := v.objects(t)
	var objectKey string
	var wrapped []byte
	if err := v.pool.QueryRow(ctx, `SELECT object_key, wrapped_key FROM evidence WHERE id = $1`, e1.ID).Scan(&objectKey, &wrapped); err != nil {
		t.Fatal(err)
	}

	_, err := v.svc.EraseDossier(ctx, v.staff, v.d, "fin de conservation")
	wantCode(t, err, apperr.Forbidden)
	_, err = v.svc.EraseDossier(ctx, dpo, v.d, " ")
	wantCode(t, err, apperr.Invalid)
	d, err := v.svc.EraseDossier(ctx, dpo, v.d, "fin de conservation")
	if err != nil || d.DossierID != v.d || d.EvidenceErased == 0 {
		t.Fatalf("erase: %v", err)
	}
	if testfixture.AuditCount(t, v.pool, "dossier.erase", "allowed") != 1 {
		t.Error("erasure not audited")
	}
	if _, err := v.download(t, v.svc, e1.ID); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("download erased: %v", err)
	}
	if got, _ := v.svc.Get(ctx, v.staff, e1.ID); got.Status != evidence.StatusErased {
		t.Fatalf("status %s", got.Status)
	}
	if _, err := v.store.Stat(ctx, objectKey); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("object of the erased dossier still stored: %v", err)
	}
	// Restore the record and the object: still unreadable.
	if err := v.store.Put(ctx, objectKey, bytes.NewReader(objs[objectKey]), -1); err != nil {
		t.Fatal(err)
	}
	if _, err := v.pool.Exec(ctx, `UPDATE evidence SET status = 'stored', object_key = $2, wrapped_key = $3 WHERE id = $1`,
		e1.ID, objectKey, wrapped); err != nil {
		t.Fatal(err)
	}
	if b, err := v.download(t, v.svc, e1.ID); err == nil || bytes.Contains(b, []byte("dossier one")) {
		t.Fatalf("restored record opened: %v", err)
	}
	// Other dossiers unaffected; no new upload in the erased one.
	if b, err := v.download(t, v.svc, e2.ID); err != nil || string(b) != "dossier two" {
		t.Fatalf("other dossier: %v %q", err, b)
	}
	_, err = v.svc.Create(ctx, v.staff, evidence.CreateInput{DossierID: v.d, Kind: evidence.KindOther, Title: "t", IdempotencyKey: "new"})
	wantCode(t, err, apperr.Conflict)
}

func TestRotateKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	spec1, _ := crypto.GenerateKeySpec(1)
	spec2, _ := crypto.GenerateKeySpec(2)
	kr1, _ := crypto.ParseKeyRing(spec1)
	both, _ := crypto.ParseKeyRing(spec1 + "\n" + spec2)
	only2, _ := crypto.ParseKeyRing(spec2)

	w := fsVault(t, evidence.Config{})
	w.kr, w.svc = kr1, w.with(t, kr1)
	e := w.upload(t, w.d, []byte("before rotation"))
	// An identity and a second-factor secret sealed under version 1.
	var victim uuid.UUID
	if err := w.pool.QueryRow(ctx, `INSERT INTO victims (dossier_id, pseudonym) VALUES ($1, 'V1') RETURNING id`, w.d).Scan(&victim); err != nil {
		t.Fatal(err)
	}
	vct, vwk, err := kr1.SealRecord([]byte("identity"), []byte("victim:"+victim.String()))
	if err != nil {
		t.Fatal(err)
	}
	tct, twk, err := kr1.SealRecord([]byte("totp secret"), []byte("totp:"+w.staff.UserID.String()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `UPDATE victims SET identity_ciphertext = $2, identity_wrapped_key = $3 WHERE id = $1`, victim, vct, vwk); err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(ctx, `UPDATE users SET totp_secret_sealed = $2, totp_secret_key = $3 WHERE id = $1`, w.staff.UserID, tct, twk); err != nil {
		t.Fatal(err)
	}

	objectsBefore := w.objects(t)
	c, err := evidence.RotateKeys(ctx, w.pool, both)
	if err != nil || c.DossierKeys != 1 || c.Victims != 1 || c.TOTPSecrets != 1 || c.Defendants != 0 {
		t.Fatalf("rotate: %v %+v", err, c)
	}
	if c, err := evidence.RotateKeys(ctx, w.pool, both); err != nil || c.Total() != 0 {
		t.Fatalf("second rotation: %v %+v", err, c)
	}
	// Each rewrapped key is recorded in the audit log, by the system actor.
	var recorded string
	if err := w.pool.QueryRow(ctx, `SELECT string_agg(resource_type || ':' || cardinality(resource_ids), ',' ORDER BY resource_type)
		FROM audit_events WHERE action = 'keys.rotate' AND actor_user_id IS NULL`).Scan(&recorded); err != nil ||
		recorded != "dossier-key:1,totp:1,victim:1" {
		t.Fatalf("rotation events %q, %v", recorded, err)
	}
	var wk []byte
	w.pool.QueryRow(ctx, `SELECT identity_wrapped_key FROM victims WHERE id = $1`, victim).Scan(&wk)
	if got, err := only2.OpenRecord(vct, wk, []byte("victim:"+victim.String())); err != nil || string(got) != "identity" {
		t.Fatalf("identity after rotation: %v", err)
	}
	w.pool.QueryRow(ctx, `SELECT totp_secret_key FROM users WHERE id = $1`, w.staff.UserID).Scan(&wk)
	if got, err := only2.OpenRecord(tct, wk, []byte("totp:"+w.staff.UserID.String())); err != nil || string(got) != "totp secret" {
		t.Fatalf("totp after rotation: %v", err)
	}
	if b, err := w.download(t, w.with(t, only2), e.ID); err != nil || string(b) != "before rotation" {
		t.Fatalf("evidence after rotation: %v %q", err, b)
	}
	after := w.objects(t)
	for k, b := range objectsBefore {
		if !bytes.Equal(after[k], b) {
			t.Errorf("object %s rewritten by the rotation", k)
		}
	}
}

func TestCollectGarbage(t *testing.T) {
	t.Parallel()
	v := fsVault(t, evidence.Config{GCGrace: time.Hour})
	ctx := context.Background()
	e := v.upload(t, v.d, []byte("owned"))
	orphan := "evidence/" + v.d.String() + "/" + uuid.NewString()
	if err := v.store.Put(ctx, orphan, strings.NewReader("orphan"), 6); err != nil {
		t.Fatal(err)
	}
	if n, err := v.svc.CollectGarbage(ctx); err != nil || n != 0 {
		t.Fatalf("within the grace: removed %d, %v", n, err)
	}
	time.Sleep(20 * time.Millisecond)
	short := evidence.NewService(testfixture.Authorizer(t, v.pool), v.pool, v.kr, v.store, evidence.Config{GCGrace: 10 * time.Millisecond})
	if n, err := short.CollectGarbage(ctx); err != nil || n != 1 {
		t.Fatalf("after the grace: removed %d, %v", n, err)
	}
	if _, err := v.store.Stat(ctx, orphan); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("orphan kept: %v", err)
	}
	if b, err := v.download(t, v.svc, e.ID); err != nil || string(b) != "owned" {
		t.Fatalf("owned object: %v", err)
	}
}

func TestTamperedObject(t *testing.T) {
	t.Parallel()
	v := fsVault(t, evidence.Config{})
	ctx := context.Background()
	good := v.upload(t, v.d, bytes.Repeat([]byte("a"), 200<<10))
	bad := v.upload(t, v.d, bytes.Repeat([]byte("b"), 200<<10))
	var key string
	v.pool.QueryRow(ctx, `SELECT object_key FROM evidence WHERE id = $1`, bad.ID).Scan(&key)
	path := filepath.Join(v.dir, filepath.FromSlash(key))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read object file (FSStore layout): %v", err)
	}
	b[len(b)-100] ^= 1 // in the last chunk: the first ones still decrypt
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := v.download(t, v.svc, bad.ID); !errors.Is(err, crypto.ErrDecrypt) {
		t.Fatalf("tampered download: %v, want ErrDecrypt", err)
	}
	// A record whose hash differs from the file's fails too.
	if _, err := v.pool.Exec(ctx, `UPDATE evidence SET sha256 = $2 WHERE id = $1`, good.ID, make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.download(t, v.svc, good.ID); !errors.Is(err, crypto.ErrDecrypt) {
		t.Fatalf("hash mismatch: %v, want ErrDecrypt", err)
	}
	failed := map[uuid.UUID]bool{}
	n, err := v.svc.Verify(ctx, func(id uuid.UUID, ok bool, err error) {
		if !ok {
			failed[id] = true
		}
	})
	if err != nil || n != 2 || !failed[good.ID] || !failed[bad.ID] {
		t.Fatalf("verify: %d failed, %v", n, err)
	}
}

func TestDownloadFrom(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		open func(*testing.T, evidence.Config) *vault
	}{{"fs", fsVault}, {"s3", s3Vault}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := tc.open(t, evidence.Config{MaxSize: 1 << 20})
			ctx := context.Background()
			content, _ := document(200<<10 + 123)
			e := v.upload(t, v.d, content)
			n := int64(len(content))
			for _, off := range []int64{0, 1, 64 << 10, 64<<10 + 1, 130_000, n - 1, n} {
				_, body, err := v.svc.DownloadFrom(ctx, v.staff, e.ID, off)
				if err != nil {
					t.Fatalf("DownloadFrom(%d): %v", off, err)
				}
				got, err := io.ReadAll(body)
				body.Close()
				if err != nil || !bytes.Equal(got, content[off:]) {
					t.Fatalf("DownloadFrom(%d): %d bytes, %v", off, len(got), err)
				}
			}
			for _, off := range []int64{-1, n + 1} {
				_, _, err := v.svc.DownloadFrom(ctx, v.staff, e.ID, off)
				var re *evidence.RangeError
				if !errors.As(err, &re) || re.Size != n {
					t.Fatalf("DownloadFrom(%d): %v, want a RangeError", off, err)
				}
				wantCode(t, err, apperr.Invalid)
			}
			// The refused offsets are audited like any download: their
			// answer tells the size.
			if c := testfixture.AuditCount(t, v.pool, "evidence.download", "allowed"); c != 9 {
				t.Fatalf("%d downloads audited, want 9", c)
			}
			if v.dir == "" {
				return
			}
			// A tampered later chunk fails, even read from the middle.
			var key string
			v.pool.QueryRow(ctx, `SELECT object_key FROM evidence WHERE id = $1`, e.ID).Scan(&key)
			path := filepath.Join(v.dir, filepath.FromSlash(key))
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)-100] ^= 1
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			_, body, err := v.svc.DownloadFrom(ctx, v.staff, e.ID, 70_000)
			if err == nil {
				_, err = io.ReadAll(body)
				body.Close()
			}
			if !errors.Is(err, crypto.ErrDecrypt) {
				t.Fatalf("tampered object read from the middle: %v, want ErrDecrypt", err)
			}
		})
	}
}
