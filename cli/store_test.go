package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSQLitePathVerbatim: sqlite:PATH names the file at PATH, whatever
// characters it holds.
func TestSQLitePathVerbatim(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs #1")
	require.NoError(t, os.Mkdir(dir, 0o755))
	for _, name := range []string{"a#b.db", "a?b.db", "with space.db", "100%.db", "%41.db", "données-日本.db"} {
		path := filepath.Join(dir, name)
		code, out, stderr := run(t, "--database-url", "sqlite:"+path, "migrate", "up")
		require.Equal(t, ExitOK, code, "%s: %s", name, stderr)
		require.Contains(t, out, "applied 0001")
		_, err := os.Stat(path)
		require.NoError(t, err, "%s: the database is the file at the path given", name)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.FileExists(t, filepath.Join(dir, e.Name()))
		require.Regexp(t, `^(a#b|a\?b|with space|100%|%41|données-日本)\.db(-wal|-shm)?$`, e.Name(), "stray file")
	}
}
