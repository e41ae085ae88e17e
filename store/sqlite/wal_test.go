package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store/sqlite"
)

// TestConcurrentOpensOfNewFile: many stores opening one new file at the
// same moment, each migrating it, all succeed, and the file is in WAL
// mode. (In one process this passed before walMode's retries too; the
// failure they fix is pinned down by TestOpenWaitsForTheWALConversion, and
// seen across processes in cmd/runner's TestConcurrentStartsOnFreshDatabase.)
func TestConcurrentOpensOfNewFile(t *testing.T) {
	const opens = 16
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	for round := range rounds {
		path := filepath.Join(t.TempDir(), "runner.db")
		var wg sync.WaitGroup
		errs := make([]error, opens)
		start := make(chan struct{})
		for i := range opens {
			wg.Go(func() {
				<-start
				s, err := sqlite.Open(context.Background(), path)
				if err == nil {
					_, err = s.MigrateUp(context.Background())
					s.Close()
				}
				errs[i] = err
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "round %d, open %d of %d", round, i+1, opens)
		}
		s, err := sqlite.Open(context.Background(), path)
		require.NoError(t, err)
		var mode string
		require.NoError(t, s.DB().QueryRow("PRAGMA journal_mode").Scan(&mode))
		require.Equal(t, "wal", mode)
		require.NoError(t, s.Close())
	}
}

// TestOpenWaitsForTheWALConversion: a new file in rollback-journal mode
// in which another connection holds a write transaction for 300 ms. Open
// cannot convert it to WAL meanwhile, and SQLite reports that at once
// (SQLITE_BUSY: the busy timeout is not consulted where waiting could
// deadlock): Open tries again until the writer commits, then converts it. Without the retries, Open failed with "database is
// locked" (as the concurrent starts of cmd/runner's
// TestConcurrentStartsOnFreshDatabase sometimes did under load).
func TestOpenWaitsForTheWALConversion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "runner.db")
	plain, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer plain.Close()
	holder, err := plain.Conn(ctx)
	require.NoError(t, err)
	defer holder.Close()
	_, err = holder.ExecContext(ctx, "CREATE TABLE t (x INTEGER)")
	require.NoError(t, err)
	var mode string
	require.NoError(t, holder.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	require.Equal(t, "delete", mode, "a new file starts in rollback-journal mode")
	// A write transaction begun (RESERVED lock) until COMMIT. Open reads
	// the file beside it (SHARED) and then needs EXCLUSIVE to convert it:
	// waiting for the holder, who will want EXCLUSIVE to commit, could
	// deadlock, so SQLite returns SQLITE_BUSY at once instead of running
	// the busy handler.
	_, err = holder.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)
	released := make(chan time.Time, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, err := holder.ExecContext(ctx, "COMMIT")
		released <- time.Now()
		if err != nil {
			panic(err)
		}
	}()

	s, err := sqlite.OpenConfig(ctx, sqlite.Config{Path: path, StatementTimeout: 10 * time.Second})
	opened := time.Now()
	require.NoError(t, err)
	defer s.Close()
	require.False(t, opened.Before(<-released), "opened before the lock was released")
	require.NoError(t, s.DB().QueryRow("PRAGMA journal_mode").Scan(&mode))
	require.Equal(t, "wal", mode)
}
