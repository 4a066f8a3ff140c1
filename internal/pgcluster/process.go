package pgcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// account is the unprivileged user that runs the server when we are root.
type account struct {
	name     string
	uid, gid uint32
}

// serverAccount picks who runs the server as root: the owner of an
// existing cluster (postgres refuses a data directory it does not own),
// else the system user postgres, else nobody.
func serverAccount(data string, exists bool) (account, error) {
	if exists {
		fi, err := os.Stat(data)
		if err != nil {
			return account{}, fmt.Errorf("pgcluster: %w", err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
			a := account{name: "uid " + strconv.Itoa(int(st.Uid)), uid: st.Uid, gid: st.Gid}
			if u, err := user.LookupId(strconv.Itoa(int(st.Uid))); err == nil {
				a.name = u.Username
				if gid, err := strconv.Atoi(u.Gid); err == nil {
					a.gid = uint32(gid)
				}
			}
			return a, nil
		}
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 == nil && err2 == nil && uid != 0 {
			return account{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
		}
	}
	return account{}, errors.New("pgcluster: running as root, and neither user postgres nor nobody exists to run the server (initdb and postgres refuse root)")
}

// checkReachable fails unless a can traverse every parent of dir: the
// server must reach its data directory. ACLs are ignored.
func checkReachable(dir string, a account) error {
	parent, err := filepath.EvalSymlinks(filepath.Dir(dir))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	for p := parent; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		var bit os.FileMode = 0o001
		switch {
		case st.Uid == a.uid:
			bit = 0o100
		case st.Gid == a.gid:
			bit = 0o010
		}
		if fi.Mode().Perm()&bit == 0 {
			return fmt.Errorf("pgcluster: as root, the server runs as user %s (uid %d), who cannot traverse %s (mode %v, owner uid %d) to reach %s; "+
				"use a directory whose parents it can traverse (e.g. one made by mktemp -d, not t.TempDir())",
				a.name, a.uid, p, fi.Mode().Perm(), st.Uid, dir)
		}
		if p == "/" || p == filepath.Dir(p) {
			return nil
		}
	}
}

// clearStale makes sure no server runs in the cluster, and removes the
// postmaster.pid and socket lock files a killed server left behind:
// postgres itself would refuse them when their PID has been reused by an
// unrelated process or lingers as a zombie.
func (c *Cluster) clearStale(ctx context.Context) error {
	pidFile := filepath.Join(c.data, "postmaster.pid")
	pm, err := postmasterPID(pidFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		pids, ok := serverPIDs(c.data)
		if !ok {
			return nil // no /proc: leave the judgement to postgres
		}
		if slices.Contains(pids, pm) {
			return fmt.Errorf("%w: postgres (pid %d) serves %s; stop it first (pg_ctl stop -D %s)", ErrAlreadyRunning, pm, c.dir, c.data)
		}
		if len(pids) == 0 {
			break
		}
		// The postmaster was killed; its children notice and exit soon.
		// Starting before they do would share memory with them.
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: processes %v of a killed server still run in %s: %w", pids, c.data, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	c.log.Warn("removing the postmaster.pid of a server that did not shut down", "dir", c.dir, "pid", pm)
	if err := os.Remove(pidFile); err != nil {
		return fmt.Errorf("pgcluster: remove stale postmaster.pid: %w", err)
	}
	locks, _ := filepath.Glob(filepath.Join(c.dir, ".s.PGSQL.*"))
	for _, l := range locks {
		if err := os.Remove(l); err != nil {
			return fmt.Errorf("pgcluster: remove stale socket: %w", err)
		}
	}
	return nil
}

// Kill ends, without a clean shutdown, the server running in dir (a
// Cluster's Options.Dir), for reaping clusters whose owner died without
// calling Stop. It does nothing if no server runs there.
func Kill(dir string) error {
	data := filepath.Join(dir, dataSubdir)
	pm, err := postmasterPID(filepath.Join(data, "postmaster.pid"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	pids, ok := serverPIDs(data)
	if !ok || !slices.Contains(pids, pm) {
		return nil
	}
	// SIGQUIT is postgres's immediate shutdown: it ends its children too.
	if err := syscall.Kill(pm, syscall.SIGQUIT); err != nil {
		return fmt.Errorf("pgcluster: signal postgres (pid %d): %w", pm, err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if pids, _ := serverPIDs(data); len(pids) == 0 {
			return nil
		}
	}
	pids, _ = serverPIDs(data)
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGKILL) // best effort: it may have just exited
	}
	return nil
}

// postmasterPID reads the first line of postmaster.pid.
func postmasterPID(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	pid, err := strconv.Atoi(sc.Text())
	if err != nil {
		// A postmaster killed while writing it; nothing can match.
		return 0, nil
	}
	return pid, nil
}

// serverPIDs lists the live processes whose working directory is data:
// the postmaster and all its children chdir there. ok is false without a
// /proc to tell. Zombies have no cwd and are left out.
func serverPIDs(data string) (pids []int, ok bool) {
	real, err := filepath.EvalSymlinks(data)
	if err != nil {
		return nil, true
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, false
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd")); err == nil && cwd == real {
			pids = append(pids, pid)
		}
	}
	return pids, true
}
