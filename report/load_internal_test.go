package report

import (
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store"
)

// The latest n runs, and the latest of each kind beyond them.
func TestLatestRuns(t *testing.T) {
	var runs []store.Run
	for i, k := range []string{"forecast", "forecast", "forecast", "validate", "forecast", "validate", "calibrate"} {
		runs = append(runs, store.Run{ID: int64(100 - i), Kind: k})
	}
	var ids []int64
	for _, r := range latestRuns(runs, 2) {
		ids = append(ids, r.ID)
	}
	require.Equal(t, []int64{100, 99, 97, 94}, ids)
	require.Len(t, latestRuns(runs, 10), 7)
}
