package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store"
)

// BenchmarkSaveValidationWindows times SaveValidationWindows rewriting one
// window of both ensembles (candidate, 4 members, and legacy, 2), each
// member and the ensemble predicting every day of both spans: with spans of
// 126 days, the 2016 predictions of a default window. Every iteration
// replaces what the previous one wrote, as a rerun does. open returns a
// new, empty, unmigrated store.
func BenchmarkSaveValidationWindows(b *testing.B, open func(b *testing.B) store.Store) {
	for _, days := range []int{32, 126, 504} {
		ws := []store.ValidationWindow{
			windowSpec{symbol: "AAPL", ensemble: "candidate", id: 40, date: day("2024-03-28"), divergence: 0.25, days: days}.window(),
			windowSpec{symbol: "AAPL", ensemble: "legacy", id: 40, date: day("2024-03-28"), divergence: 0.16, days: days}.window(),
		}
		n := len(ws[0].Predictions) + len(ws[1].Predictions)
		b.Run(fmt.Sprintf("predictions=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s := open(b)
			_, err := s.MigrateUp(ctx)
			require.NoError(b, err)
			for b.Loop() {
				if err := s.SaveValidationWindows(ctx, ws); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
