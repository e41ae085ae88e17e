package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"runner/store/storetest"
)

// TestConcurrentStartsOnFreshDatabase starts five forecast processes at
// once on a fresh database of each kind: every one migrates (or finds the
// schema migrated) and succeeds, and each migration is applied once.
func TestConcurrentStartsOnFreshDatabase(t *testing.T) {
	const procs = 5
	forecast := []string{"--log-level", "warn", "--data", prices, "forecast", "--ensemble", "naive",
		"--symbols", "AAPL", "--as-of", "2023-12-29", "--workers", "1"}
	startAll := func(t *testing.T, url string) {
		var ps []*process
		for range procs {
			ps = append(ps, start(t, nil, append([]string{"--database-url", url}, forecast...)...))
		}
		for i, p := range ps {
			code := p.wait(t, 60*time.Second)
			require.Equal(t, 0, code, "process %d of %d:\nstdout:\n%s\nstderr:\n%s", i+1, procs, p.stdout.String(), p.stderr.String())
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		for round := range 3 {
			t.Run(fmt.Sprint(round), func(t *testing.T) { startAll(t, tempDB(t)) })
		}
	})
	t.Run("postgres", func(t *testing.T) {
		for round := range 2 {
			t.Run(fmt.Sprint(round), func(t *testing.T) {
				url, schema := storetest.Schema(t)
				startAll(t, url+"&search_path="+schema)
				ctx := context.Background()
				conn, err := pgx.Connect(ctx, url)
				require.NoError(t, err)
				defer conn.Close(ctx)
				var versions, distinct, runs int
				require.NoError(t, conn.QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(*), COUNT(DISTINCT version) FROM %s`,
					pgx.Identifier{schema, "schema_migrations"}.Sanitize())).Scan(&versions, &distinct))
				require.Equal(t, distinct, versions)
				require.NoError(t, conn.QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE status = 'succeeded'`,
					pgx.Identifier{schema, "forecast_runs"}.Sanitize())).Scan(&runs))
				require.Equal(t, procs, runs)
			})
		}
	})
}
