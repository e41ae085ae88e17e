package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/migrations"
)

// TestMigrationsDownRestoreShape applies every migration, reverts it and
// applies it again: the catalog after the revert is the catalog before it,
// statement for statement.
func TestMigrationsDownRestoreShape(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "runner.db"))
	require.NoError(t, err)
	defer s.Close()
	ms, err := migrations.Load(migrations.SQLite)
	require.NoError(t, err)
	ex := executor{s}
	require.NoError(t, ex.Locked(ctx, func(ss migrations.Session) error { return ss.EnsureTable(ctx) }))
	for i, m := range ms {
		// Up and Down over the first i+1 migrations apply and revert
		// migration i alone.
		before := catalog(t, s.db)
		_, err := migrations.Up(ctx, ex, ms[:i+1])
		require.NoError(t, err, "%04d up", m.Version)
		require.NotEqual(t, before, catalog(t, s.db), "%04d up changes the schema", m.Version)
		_, err = migrations.Down(ctx, ex, ms[:i+1])
		require.NoError(t, err, "%04d down", m.Version)
		require.Equal(t, before, catalog(t, s.db), "%04d down restores the schema before it", m.Version)
		_, err = migrations.Up(ctx, ex, ms[:i+1])
		require.NoError(t, err, "%04d up again", m.Version)
	}
}

// quotedName is how SQLite rewrites a table's name in its CREATE statement
// when the table is renamed.
var quotedName = regexp.MustCompile(`CREATE TABLE "([a-z_]+)"`)

// catalog lists the schema's objects with their CREATE statements.
func catalog(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || COALESCE(sql, '')
		FROM sqlite_master WHERE name NOT IN ('schema_migrations', 'sqlite_sequence') ORDER BY type, name`)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		require.NoError(t, rows.Scan(&o))
		out = append(out, quotedName.ReplaceAllString(o, "CREATE TABLE $1"))
	}
	require.NoError(t, rows.Err())
	return out
}
