package main

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"runner/store/postgres"
	"runner/store/storetest"
)

// TestTwoWorkersOneKilled enqueues a backfill with --detach (twice: the
// second adds nothing), works it with two runner worker processes of
// concurrency 1, kills one with SIGKILL while both are running a job, and
// lets the other finish: every unit is done, its job completed (the
// killed one rescued and retried), each unit's forecasts written by one
// successful run at most (the killed unit's by its retry, unless the kill
// came after its rows were written: then the retry finds it done), and
// the rows equal those of the same backfill on SQLite. SIGTERM then stops
// the surviving worker, exit code 0.
func TestTwoWorkersOneKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("real processes, River rescue")
	}
	want, _ := crashReference(t)
	ctx := context.Background()
	url, schema := storetest.Schema(t)
	db := []string{"--database-url", url + "&search_path=" + schema}
	detach := append(append(append([]string{}, db...), crashBackfill...), append(crashRiver, "--detach")...)
	for i, wantOut := range []string{"38 to run in 38 jobs (38 added, 0 already queued)", "38 to run in 38 jobs (0 added, 38 already queued)"} {
		p := start(t, nil, detach...)
		require.Equal(t, 0, p.wait(t, time.Minute), "%s\n%s", p.stdout.String(), p.stderr.String())
		require.Contains(t, p.stdout.String(), wantOut, "enqueue %d", i+1)
	}

	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	count := func(table, where string) int {
		var n int
		require.NoError(t, conn.QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE %s`,
			pgx.Identifier{schema, table}.Sanitize(), where)).Scan(&n))
		return n
	}
	worker := append(append([]string{}, db...), append([]string{"--log-level", "warn", "--data", prices, "worker",
		"--concurrency", "1", "--shutdown-timeout", "20s", "--listen", "127.0.0.1:0"}, crashRiver...)...)
	a := start(t, nil, worker...)
	b := start(t, nil, worker...)
	waitFor(t, time.Minute, "both workers running a job", func() bool { return count("river_job", "state = 'running'") >= 2 })
	require.NoError(t, a.cmd.Process.Kill())
	<-a.done
	waitFor(t, 3*time.Minute, "every unit done", func() bool { return count("backfill_units", "status = 'done'") == 38 })
	waitFor(t, time.Minute, "every job completed", func() bool { return count("river_job", "state = 'completed'") == 38 })
	require.Equal(t, 38, count("river_job", "TRUE"), "no job added")
	require.Positive(t, count("river_job", "attempt > 1"), "the killed worker's job was rescued and retried")

	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, b.wait(t, 30*time.Second), b.stderr.String())

	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, want, readForecasts(t, s), "the rows equal the SQLite backfill's")
	rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT symbols[1], as_of, COUNT(*) FILTER (WHERE status = 'succeeded')
		FROM %s GROUP BY 1, 2`, pgx.Identifier{schema, "forecast_runs"}.Sanitize()))
	require.NoError(t, err)
	unrun := 0
	units := 0
	for rows.Next() {
		var sym string
		var asOf time.Time
		var ok int
		require.NoError(t, rows.Scan(&sym, &asOf, &ok))
		units++
		require.LessOrEqual(t, ok, 1, "%s %s run to success more than once", sym, asOf)
		if ok == 0 {
			unrun++
		}
	}
	require.NoError(t, rows.Err())
	require.Equal(t, 38, units)
	require.LessOrEqual(t, unrun, 1, "only the killed unit may have no successful run (its rows were written before the kill)")
}
