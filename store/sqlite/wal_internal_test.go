package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A database that never takes WAL (in memory, here; a file system without
// shared memory in the field) answers the conversion with its own mode and
// no error: walMode gives up after refusedFor with an error naming the
// mode, well before the caller's deadline.
func TestWALModeRefused(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	err = walMode(ctx, db)
	require.ErrorContains(t, err, `journal mode is "memory", not wal`)
	require.NoError(t, ctx.Err(), "refused, not timed out")
	require.Less(t, time.Since(start), 5*time.Second)
}
