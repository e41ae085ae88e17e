package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/sqlite"
)

// TestOpenAnyPath opens files whose names hold the characters a connection
// string gives a meaning to: the database must be the file at exactly that
// path, and nothing else may be created beside it.
func TestOpenAnyPath(t *testing.T) {
	for _, name := range []string{
		"a#b.db",              // '#' starts a URI fragment
		"a?b.db",              // '?' starts the query
		"with space.db",       // ' ' is not allowed unescaped in a URI
		"100%.db",             // '%' starts an escape
		"%41%2F.db",           // a valid escape that must not be decoded
		"données-日本.db",       // non-ASCII
		"x&_pragma=foo(1).db", // looks like a query parameter
		"a#b?c d%e.db",        // all at once
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "dir #?%")
			require.NoError(t, os.Mkdir(dir, 0o755))
			path := filepath.Join(dir, name)
			s, err := sqlite.Open(ctx, path)
			require.NoError(t, err)
			_, err = s.MigrateUp(ctx)
			require.NoError(t, err)
			run := &store.Run{Kind: "forecast", CodeVersion: "test", Host: "h", StartedAt: time.Now()}
			require.NoError(t, s.StartRun(ctx, run))
			require.NoError(t, s.Close())

			st, err := os.Stat(path)
			require.NoError(t, err, "the database is the file at the path given")
			require.Positive(t, st.Size())
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			for _, e := range entries {
				require.Contains(t, []string{name, name + "-wal", name + "-shm"}, e.Name(), "stray file beside the database")
			}

			s, err = sqlite.Open(ctx, path)
			require.NoError(t, err)
			defer s.Close()
			got, err := s.Run(ctx, run.ID)
			require.NoError(t, err, "reopening finds the run")
			require.Equal(t, "forecast", got.Kind)
		})
	}
}
