package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// S3PartSize is the part size of multipart uploads: Put holds one part in
// memory at a time, so it bounds Put's memory use. Objects of unknown
// size (Put with size -1) can be up to 10 000 parts, about 156 GiB.
const S3PartSize = 16 << 20

// S3Config locates the bucket of an S3Store.
type S3Config struct {
	// Endpoint is host:port, without a scheme (e.g. "minio.internal:9000",
	// "s3.eu-west-3.amazonaws.com").
	Endpoint string
	// Region, e.g. "eu-west-3"; empty lets the client discover it.
	Region string
	// Bucket holds the objects; see CreateBucket.
	Bucket    string
	AccessKey string
	SecretKey string
	// UseTLS selects https.
	UseTLS bool
	// CreateBucket makes NewS3Store create Bucket when it does not exist;
	// otherwise a missing bucket is an error. Default false.
	CreateBucket bool
}

// S3Store keeps objects in a bucket of an S3-compatible store (MinIO or
// any S3), through minio-go. Keys are object names as they are. It does
// not encrypt (see the package doc): server-side encryption, if wanted,
// is the bucket's setting.
//
// An interrupted multipart upload is aborted by Put; one that a crashed
// process leaves behind is never visible as an object, and the bucket's
// lifecycle rule (AbortIncompleteMultipartUpload) should clear its parts.
type S3Store struct {
	client *minio.Client
	bucket string
}

var _ Store = (*S3Store)(nil)

// NewS3Store connects to the store and checks that the bucket is
// reachable, creating it when cfg.CreateBucket is set.
func NewS3Store(ctx context.Context, cfg S3Config) (*S3Store, error) {
	switch {
	case cfg.Endpoint == "":
		return nil, errors.New("blob: S3 endpoint is empty")
	case cfg.Bucket == "":
		return nil, errors.New("blob: S3 bucket is empty")
	}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("blob: S3 bucket %q: %w", cfg.Bucket, err)
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 endpoint %q: %w", cfg.Endpoint, err)
	}
	s := &S3Store{client: client, bucket: cfg.Bucket}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: S3 bucket %q at %s unreachable: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if exists {
		return s, nil
	}
	if !cfg.CreateBucket {
		return nil, fmt.Errorf("blob: S3 bucket %q does not exist at %s", cfg.Bucket, cfg.Endpoint)
	}
	if err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
		// Another instance starting at the same time may have made it.
		if code := minio.ToErrorResponse(err).Code; code != minio.BucketAlreadyOwnedByYou && code != minio.BucketAlreadyExists {
			return nil, fmt.Errorf("blob: create S3 bucket %q: %w", cfg.Bucket, err)
		}
	}
	return s, nil
}

// Put implements Store. An object of known size up to S3PartSize goes up
// in one request; a larger one, or one of unknown size, in parts of
// S3PartSize.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := validPut(key, size); err != nil {
		return err
	}
	src := io.Reader(ctxReader{ctx, r})
	if size >= 0 {
		// Also hides io.ReaderAt, which would make minio-go read
		// several parts in parallel, each in its own buffer.
		er := newExactReader(src, size)
		if size == 0 {
			// minio-go reads nothing of an empty object: check r is.
			if _, err := er.Read(nil); err != io.EOF {
				return fmt.Errorf("blob: put %s: %w", key, err)
			}
		}
		src = er
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, src, size, minio.PutObjectOptions{
		PartSize:    S3PartSize,
		NumThreads:  1,
		ContentType: "application/octet-stream",
	})
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	return nil
}

// Get implements Store: one GET whose body is streamed to the caller.
func (s *S3Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	body, _, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.mapErr("get", key, err)
	}
	return body, nil
}

// GetRange implements Store: one GET with a Range header (none from 0).
func (s *S3Store) GetRange(ctx context.Context, key string, offset int64) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	if err := validOffset(key, offset); err != nil {
		return nil, err
	}
	if offset == 0 {
		return s.Get(ctx, key)
	}
	opts := minio.GetObjectOptions{}
	if err := opts.SetRange(offset, 0); err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	body, _, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		// S3 answers 416 to a range starting at or past the end of an
		// object that exists.
		if resp := minio.ToErrorResponse(err); resp.Code == "InvalidRange" || resp.StatusCode == http.StatusRequestedRangeNotSatisfiable {
			return io.NopCloser(strings.NewReader("")), nil
		}
		return nil, s.mapErr("get", key, err)
	}
	return body, nil
}

// Delete implements Store.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(s.mapErr("delete", key, err), ErrNotFound) {
			return nil
		}
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// Stat implements Store.
func (s *S3Store) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.mapErr("stat", key, err)
	}
	return Info{Key: key, Size: oi.Size, Modified: oi.LastModified}, nil
}

// List implements Store.
func (s *S3Store) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := validPrefix(prefix); err != nil {
		return err
	}
	// Cancelling ends the listing goroutine when fn stops early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for oi := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return fmt.Errorf("blob: list %q: %w", prefix, oi.Err)
		}
		if err := fn(Info{Key: oi.Key, Size: oi.Size, Modified: oi.LastModified}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (s *S3Store) mapErr(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || (resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket) {
		return fmt.Errorf("blob: %s %s: %w", op, key, ErrNotFound)
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}
