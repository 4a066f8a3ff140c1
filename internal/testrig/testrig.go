// Package testrig holds what the test servers (pgtest's PostgreSQL,
// blobtest's MinIO) share: a temporary directory owned by the test process
// for as long as it lives, and the reaping of directories whose owner died
// without cleaning up (a test timeout, a crash) and left a server running.
package testrig

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

const ownerLock = "owner.lock"

// OwnedDir creates a directory named prefix<pid>-<random> under the
// system temp directory and flocks a file in it. The lock is held until
// the process exits, however it exits, and tells Reap the directory still
// has an owner; close it only after removing the directory.
func OwnedDir(prefix string) (dir string, lock *os.File, err error) {
	dir, err = os.MkdirTemp("", prefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", nil, err
	}
	if lock, err = os.Create(filepath.Join(dir, ownerLock)); err != nil {
		return dir, nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return dir, lock, fmt.Errorf("lock %s: %w", dir, err)
	}
	return dir, lock, nil
}

// Reap calls kill for each directory made by OwnedDir(prefix) whose owner
// is gone — its PID no longer exists and nobody holds its lock (the lock
// covers an owner in another PID namespace) — then removes it unless kill
// failed.
func Reap(prefix string, kill func(dir string) error) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, dir := range dirs {
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(dir), prefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		f, err := os.Open(filepath.Join(dir, ownerLock))
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			if err := kill(dir); err != nil {
				fmt.Fprintf(os.Stderr, "testrig: reap %s: %v\n", dir, err)
			} else {
				os.RemoveAll(dir)
			}
		}
		f.Close()
	}
}
