package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store"
)

// BenchmarkSaveValidationWindows times SaveValidationWindows writing one
// window of both ensembles (candidate, 4 members, and legacy, 2), each
// member and the ensemble predicting every day of both spans: with spans of
// 126 days, the 2016 predictions of a default window. "new" writes a new
// window each iteration (the table grows, nothing is replaced); "rerun"
// rewrites the same window, replacing what the previous iteration wrote.
// open returns a new, empty, unmigrated store.
func BenchmarkSaveValidationWindows(b *testing.B, open func(b *testing.B) store.Store) {
	for _, days := range []int{32, 126, 504} {
		for _, mode := range []string{"new", "rerun"} {
			ws := []store.ValidationWindow{
				windowSpec{symbol: "AAPL", ensemble: "candidate", id: 1, date: day("2024-03-28"), divergence: 0.25, days: days}.window(),
				windowSpec{symbol: "AAPL", ensemble: "legacy", id: 1, date: day("2024-03-28"), divergence: 0.16, days: days}.window(),
			}
			// Rows take their window from Metrics.WindowID (Complete).
			for k := range ws {
				for i := range ws[k].Predictions {
					ws[k].Predictions[i].WindowID = 0
				}
				for i := range ws[k].Alerts {
					ws[k].Alerts[i].WindowID = 0
				}
				ws[k].Weights.WindowID = 0
			}
			n := len(ws[0].Predictions) + len(ws[1].Predictions)
			b.Run(fmt.Sprintf("%s/predictions=%d", mode, n), func(b *testing.B) {
				ctx := context.Background()
				s := open(b)
				_, err := s.MigrateUp(ctx)
				require.NoError(b, err)
				for b.Loop() {
					if mode == "new" {
						for k := range ws {
							ws[k].Metrics.WindowID++
						}
					}
					if err := s.SaveValidationWindows(ctx, ws); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
