package scheduler

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// FileLock is an exclusive advisory lock (flock) on a file, which holds
// the holder's name (host:pid) for whoever finds it taken. On SQLite,
// runner schedule takes one beside the database file, so that one
// scheduler at a time runs on it; the lock goes with the process, however
// it ends.
type FileLock struct {
	f *os.File
}

// ErrLocked is returned, wrapped with the holder's name, by TryLockFile
// when another process holds the lock.
var ErrLocked = errors.New("held by another process")

// TryLockFile takes the lock on path, creating the file, and writes owner
// in it. When another process holds it, it returns an error wrapping
// ErrLocked that names the holder.
func TryLockFile(path, owner string) (*FileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("scheduler: lock %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		holder := strings.TrimSpace(string(b))
		if holder == "" {
			holder = "unknown"
		}
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("scheduler: lock %s: %w (%s)", path, ErrLocked, holder)
		}
		return nil, fmt.Errorf("scheduler: lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(owner+"\n"), 0)
	}
	return &FileLock{f: f}, nil
}

// Close releases the lock.
func (l *FileLock) Close() error {
	return l.f.Close()
}
