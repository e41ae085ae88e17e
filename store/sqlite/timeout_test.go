package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/sqlite"
)

// Another process holding the write lock: a write fails within the
// statement timeout (SQLite's busy timeout) instead of waiting for it.
func TestStatementTimeoutLockedDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "runner.db")
	// Migrate with the default timeout: a migration step may take longer
	// than 300 ms on a loaded machine or under the race detector.
	m, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	_, err = m.MigrateUp(ctx)
	require.NoError(t, err)
	require.NoError(t, m.Close())
	s, err := sqlite.OpenConfig(ctx, sqlite.Config{Path: path, StatementTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	defer s.Close()

	other, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	conn, err := other.DB().Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `BEGIN IMMEDIATE`)
	require.NoError(t, err)
	defer conn.ExecContext(ctx, `ROLLBACK`)

	began := time.Now()
	err = s.StartRun(ctx, &store.Run{Kind: "forecast", CodeVersion: "test", Host: "h", StartedAt: time.Now()})
	elapsed := time.Since(began)
	require.ErrorContains(t, err, "sqlite: start run")
	require.GreaterOrEqual(t, elapsed, 250*time.Millisecond, "waited for the lock")
	require.Less(t, elapsed, 2*time.Second)
}
