package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const (
	// tmpDir, under the store's root, holds objects being written: on the
	// same filesystem, so a finished one is renamed into place. Its name
	// starts with a dot, which no key segment may (ValidKey).
	tmpDir = ".tmp"
	// staleTmpAge: temporary files older than this are left by a crash
	// (no Put takes that long) and removed by NewFSStore.
	staleTmpAge = 24 * time.Hour
	dirPerm     = 0o700
)

// FSStore keeps each object in a file under a root directory, at the
// object's key (a key's slashes are directories). Directories are created
// 0700 and files 0600. It does not encrypt (see the package doc).
//
// Put writes a temporary file under root/.tmp, fsyncs it, renames it over
// the key and fsyncs the directory: a crash leaves either the previous
// object or the new one under the key, never part of one. Several
// processes may share the root (e.g. over NFS, if its rename is atomic).
//
// A key cannot be both an object and the directory of other objects
// ("a/b" and "a/b/c"): the second Put fails.
type FSStore struct {
	root string
}

var _ Store = (*FSStore)(nil)

// NewFSStore opens the store rooted at dir, creating dir (0700) if
// needed, and removes the temporary files that crashed writers left there
// more than a day ago.
func NewFSStore(dir string) (*FSStore, error) {
	if dir == "" {
		return nil, errors.New("blob: NewFSStore: empty directory")
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(root, tmpDir), dirPerm); err != nil {
		return nil, fmt.Errorf("blob: create store directory: %w", err)
	}
	s := &FSStore{root: root}
	s.removeStaleTmp()
	return s, nil
}

func (s *FSStore) removeStaleTmp() {
	entries, err := os.ReadDir(filepath.Join(s.root, tmpDir))
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > staleTmpAge {
			os.Remove(filepath.Join(s.root, tmpDir, e.Name())) // best effort
		}
	}
}

// path is the file of a valid key.
func (s *FSStore) path(key string) string {
	return filepath.Join(s.root, filepath.FromSlash(key))
}

// Put implements Store.
func (s *FSStore) Put(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	if err := validPut(key, size); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "put-*")
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	src := io.Reader(ctxReader{ctx, r})
	if size >= 0 {
		src = newExactReader(src, size)
	}
	if _, err := io.Copy(f, src); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: put %s: sync: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	dst := s.path(key)
	// A concurrent Delete may remove the (empty) parent directory between
	// MkdirAll and Rename: try again.
	for attempt := 0; ; attempt++ {
		if err = os.MkdirAll(filepath.Dir(dst), dirPerm); err == nil {
			if err = os.Rename(tmp, dst); err == nil {
				break
			}
		}
		if !errors.Is(err, fs.ErrNotExist) || attempt == 3 {
			return fmt.Errorf("blob: put %s: %w", key, err)
		}
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		// The object is in place; only its durability is in doubt.
		return fmt.Errorf("blob: put %s: sync directory: %w", key, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) { // file systems that cannot sync directories
		err = nil
	}
	return errors.Join(err, d.Close())
}

// Get implements Store: the returned reader is the object's *os.File.
func (s *FSStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(key))
	if err != nil {
		return nil, s.mapErr("get", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() { // a directory of other objects
		f.Close()
		return nil, fmt.Errorf("blob: get %s: %w", key, ErrNotFound)
	}
	return f, nil
}

// GetRange implements Store: the returned reader is the object's *os.File,
// positioned at offset.
func (s *FSStore) GetRange(ctx context.Context, key string, offset int64) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	if err := validOffset(key, offset); err != nil {
		return nil, err
	}
	rc, err := s.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	// Past the end, Seek succeeds and reads give io.EOF.
	if _, err := rc.(*os.File).Seek(offset, io.SeekStart); err != nil {
		rc.Close()
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	return rc, nil
}

// Delete implements Store. It also removes the object's parent
// directories that it leaves empty.
func (s *FSStore) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := s.path(key)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	if fi.IsDir() { // not an object
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	// Best effort: Remove fails on a directory that is not empty, or
	// that a concurrent Put just filled.
	for dir := filepath.Dir(p); dir != s.root && strings.HasPrefix(dir, s.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// Stat implements Store.
func (s *FSStore) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(s.path(key))
	if err != nil {
		return Info{}, s.mapErr("stat", key, err)
	}
	if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("blob: stat %s: %w", key, ErrNotFound)
	}
	return Info{Key: key, Size: fi.Size(), Modified: fi.ModTime()}, nil
}

// List implements Store. It walks the directory of prefix, skipping the
// temporary files.
func (s *FSStore) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := validPrefix(prefix); err != nil {
		return err
	}
	// Walk from the deepest directory that prefix names in full.
	start := s.root
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = filepath.Join(s.root, filepath.FromSlash(prefix[:i]))
	}
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				return nil // deleted meanwhile, or prefix names no directory
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if p == s.root {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") { // tmpDir, and nothing of ours
				return filepath.SkipDir
			}
			// Skip directories that cannot hold a matching key.
			if !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) || ValidKey(key) != nil {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		return fn(Info{Key: key, Size: fi.Size(), Modified: fi.ModTime()})
	})
	return err
}

func (s *FSStore) mapErr(op, key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("blob: %s %s: %w", op, key, ErrNotFound)
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}
