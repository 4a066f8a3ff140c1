package evidence_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"io"
	"testing"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/blob/blobtest"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/testfixture"
)

// benchSize is a large evidence file (a video, a scanned case file).
const benchSize = 256 << 20

// The three benchmarks of issue 5, to run together (BENCHMARKS.md):
//
//	go test -run '^$' -bench 'Vault|MinIO|RawAESGCM' -benchtime 3x ./internal/evidence/
//
// the vault (sniff, SHA-256, AES-256-GCM stream, S3 multipart on MinIO)
// against its two floors: raw AES-256-GCM on this CPU and minio-go alone
// on the same MinIO. Every source is the same generator.

func BenchmarkVault(b *testing.B) {
	ctx := context.Background()
	store, err := blob.NewS3Store(ctx, blobtest.MinIO(b))
	if err != nil {
		b.Fatal(err)
	}
	spec, err := crypto.GenerateKeySpec(1)
	if err != nil {
		b.Fatal(err)
	}
	kr, err := crypto.ParseKeyRing(spec)
	if err != nil {
		b.Fatal(err)
	}
	pool := pgtest.New(b)
	org := testfixture.Org(b, pool)
	staff := testfixture.User(b, pool, org, actor.LegalStaff)
	d := testfixture.Dossier(b, pool, org)
	svc := evidence.NewService(testfixture.Authorizer(b, pool), pool, kr, store, evidence.Config{})
	var ids []uuid.UUID
	b.Run("upload", func(b *testing.B) {
		b.SetBytes(benchSize)
		for b.Loop() {
			b.StopTimer()
			e, err := svc.Create(ctx, staff, evidence.CreateInput{DossierID: d, Kind: evidence.KindOther, Title: "Vidéo",
				IdempotencyKey: uuid.NewString()})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := svc.Upload(ctx, staff, e.ID, gen(1, benchSize), benchSize, ""); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
	})
	if len(ids) == 0 {
		b.Skip("no upload")
	}
	b.Run("download", func(b *testing.B) {
		b.SetBytes(benchSize)
		buf := make([]byte, 64<<10)
		for i := 0; b.Loop(); i++ {
			_, body, err := svc.Download(ctx, staff, ids[i%len(ids)])
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.CopyBuffer(io.Discard, body, buf)
			body.Close()
			if err != nil || n != benchSize {
				b.Fatalf("downloaded %d bytes: %v", n, err)
			}
		}
	})
}

// BenchmarkMinIO is minio-go alone, with the store's part size.
func BenchmarkMinIO(b *testing.B) {
	cfg := blobtest.MinIO(b)
	client, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Region: cfg.Region})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var keys []string
	b.Run("put", func(b *testing.B) {
		b.SetBytes(benchSize)
		for b.Loop() {
			key := "bench/" + uuid.NewString()
			if _, err := client.PutObject(ctx, cfg.Bucket, key, gen(1, benchSize), benchSize,
				minio.PutObjectOptions{PartSize: blob.S3PartSize}); err != nil {
				b.Fatal(err)
			}
			keys = append(keys, key)
		}
	})
	if len(keys) == 0 {
		b.Skip("no upload")
	}
	b.Run("get", func(b *testing.B) {
		b.SetBytes(benchSize)
		buf := make([]byte, 64<<10)
		for i := 0; b.Loop(); i++ {
			o, err := client.GetObject(ctx, cfg.Bucket, keys[i%len(keys)], minio.GetObjectOptions{})
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.CopyBuffer(io.Discard, o, buf)
			o.Close()
			if err != nil || n != benchSize {
				b.Fatalf("read %d bytes: %v", n, err)
			}
		}
	})
}

// BenchmarkRawAESGCM is the CPU's floor: benchSize bytes in 64 KiB chunks
// through crypto/cipher, as internal/crypto's benchmark of the same name.
func BenchmarkRawAESGCM(b *testing.B) {
	const chunk = 64 << 10
	key := make([]byte, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		b.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	plain := make([]byte, chunk)
	io.ReadFull(gen(1, chunk), plain)
	sealed := aead.Seal(nil, nonce, plain, nil)
	b.Run("seal", func(b *testing.B) {
		out := make([]byte, 0, len(sealed))
		b.SetBytes(benchSize)
		for b.Loop() {
			for i := range benchSize / chunk {
				binary.BigEndian.PutUint64(nonce[4:], uint64(i))
				out = aead.Seal(out[:0], nonce, plain, nil)
			}
		}
	})
	b.Run("open", func(b *testing.B) {
		out := make([]byte, 0, chunk)
		binary.BigEndian.PutUint64(nonce[4:], 0)
		b.SetBytes(benchSize)
		for b.Loop() {
			for range benchSize / chunk {
				if out, err = aead.Open(out[:0], nonce, sealed, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
