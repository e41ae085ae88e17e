package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/sqlite"
)

// SQLite opens an empty, migrated SQLite store in a file of the test's
// temporary directory, closed when the test ends.
func SQLite(tb testing.TB) store.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "runner.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { s.Close() })
	_, err = s.MigrateUp(context.Background())
	require.NoError(tb, err)
	return s
}
