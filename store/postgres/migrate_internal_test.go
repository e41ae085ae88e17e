package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"runner/migrations"
	"runner/store/storetest"
)

// TestMigrationsDownRestoreShape applies every migration, reverts it and
// applies it again: the catalog after the revert (columns in order with
// types, nullability, defaults, identity and generation; constraints;
// indexes; views; functions) is the catalog before it.
func TestMigrationsDownRestoreShape(t *testing.T) {
	ctx := context.Background()
	url, schema := storetest.Schema(t)
	s, err := Open(ctx, Config{URL: url, Schema: schema})
	require.NoError(t, err)
	defer s.Close()
	ms, err := migrations.Load(migrations.Postgres)
	require.NoError(t, err)
	ex := executor{s}
	require.NoError(t, ex.Locked(ctx, func(ss migrations.Session) error { return ss.EnsureTable(ctx) }))
	for i, m := range ms {
		// Up and Down over the first i+1 migrations apply and revert
		// migration i alone.
		before := catalog(t, s, schema)
		_, err := migrations.Up(ctx, ex, ms[:i+1])
		require.NoError(t, err, "%04d up", m.Version)
		require.NotEqual(t, before, catalog(t, s, schema), "%04d up changes the schema", m.Version)
		_, err = migrations.Down(ctx, ex, ms[:i+1])
		require.NoError(t, err, "%04d down", m.Version)
		require.Equal(t, before, catalog(t, s, schema), "%04d down restores the schema before it", m.Version)
		_, err = migrations.Up(ctx, ex, ms[:i+1])
		require.NoError(t, err, "%04d up again", m.Version)
	}
}

// catalog describes the objects of schema, one line each.
func catalog(t *testing.T, s *Store, schema string) []string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), `
		SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
			|| CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
			|| COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
			|| ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped
			AND c.relname <> 'schema_migrations'
		UNION ALL
		SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE connamespace = $1::regnamespace AND conrelid <> 'schema_migrations'::regclass
		UNION ALL
		SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename <> 'schema_migrations'
		UNION ALL
		SELECT 'view ' || viewname || ' ' || definition FROM pg_views WHERE schemaname = $1
		UNION ALL
		SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = $1::regnamespace
		ORDER BY 1`, schema)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return out
}
