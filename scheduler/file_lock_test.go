package scheduler_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/scheduler"
)

// TestFileLock: a second taker is refused with the holder's name, and
// gets the lock once the first releases it. flock locks belong to the
// open file, so two opens in one process stand for two processes.
func TestFileLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runner.db.schedule.lock")
	a, err := scheduler.TryLockFile(path, "hostA:101")
	require.NoError(t, err)
	_, err = scheduler.TryLockFile(path, "hostB:202")
	require.ErrorIs(t, err, scheduler.ErrLocked)
	require.EqualError(t, err, "scheduler: lock "+path+": held by another process (hostA:101)")
	require.NoError(t, a.Close())
	b, err := scheduler.TryLockFile(path, "hostB:202")
	require.NoError(t, err)
	require.NoError(t, b.Close())
}
