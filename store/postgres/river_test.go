package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"runner/migrations"
	"runner/store/postgres"
	"runner/store/storetest"
)

// TestRiverMigrateUpDownWithOurs migrates ours then River's tables up,
// River's down (all of them, ours untouched), ours down, and both up
// again, checking the tables of each in the test's schema.
func TestRiverMigrateUpDownWithOurs(t *testing.T) {
	ctx := context.Background()
	url, schema := storetest.Schema(t)
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	require.NoError(t, err)
	defer s.Close()
	tables := func() map[string]bool {
		rows, err := s.Pool().Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1`, schema)
		require.NoError(t, err)
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		out := map[string]bool{}
		for _, n := range names {
			out[n] = true
		}
		return out
	}

	st, err := s.RiverMigrationStatus(ctx)
	require.NoError(t, err)
	require.Empty(t, st.Applied)
	require.GreaterOrEqual(t, st.Latest, 6, "River 0.51 has at least 6 versions")

	all, err := migrations.Load(migrations.Postgres)
	require.NoError(t, err)
	for round := range 2 {
		ours, err := s.MigrateUp(ctx)
		require.NoError(t, err)
		require.Len(t, ours, len(all), "round %d", round)
		river, err := s.RiverMigrateUp(ctx)
		require.NoError(t, err)
		require.Len(t, river, st.Latest)
		again, err := s.RiverMigrateUp(ctx)
		require.NoError(t, err)
		require.Empty(t, again, "a second up applies nothing")
		have := tables()
		for _, n := range []string{"river_job", "river_leader", "river_migration", "river_queue", "forecasts", "backfills", "backfill_units"} {
			require.True(t, have[n], "table %s after up", n)
		}
		cur, err := s.RiverMigrationStatus(ctx)
		require.NoError(t, err)
		require.True(t, cur.Current())

		down, err := s.RiverMigrateDown(ctx)
		require.NoError(t, err)
		require.Len(t, down, st.Latest)
		require.Equal(t, st.Latest, down[0], "latest first")
		have = tables()
		require.False(t, have["river_job"])
		require.False(t, have["river_migration"])
		require.True(t, have["forecasts"], "ours stay")
		none, err := s.RiverMigrateDown(ctx)
		require.NoError(t, err)
		require.Empty(t, none)

		for range all {
			_, err := s.MigrateDown(ctx)
			require.NoError(t, err)
		}
		_, err = s.MigrateDown(ctx)
		require.ErrorIs(t, err, migrations.ErrNoneApplied)
		require.Equal(t, map[string]bool{"schema_migrations": true}, tables())
	}
}
