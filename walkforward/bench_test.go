package walkforward

import (
	"context"
	"fmt"
	"testing"

	"runner/forecast"
	"runner/forecast/forecasttest"
)

// BenchmarkValidateWindow is the speed-comparison workload of issue 11: one
// window of AAPL ending 2023-12-29, the canonical grid, 30 epochs without
// early stopping, both ensembles (each configuration fitted once though
// both ensembles use it), at three training spans. The Python stack
// (scripts/reference_window.py: statsmodels, scipy, PyTorch, scikit-learn)
// does the T=756 window.
//
//	go test -run '^$' -bench ValidateWindow -count 5 ./walkforward/
func BenchmarkValidateWindow(b *testing.B) {
	bars := forecasttest.AllBars(b, "AAPL")
	for _, train := range []int{252, 504, 756} {
		b.Run(fmt.Sprintf("train=%d", train), func(b *testing.B) {
			c := Config{Train: train, Val: 126, Test: 126, Step: 21}
			ws, err := c.Latest(bars, date("2023-12-29"), 1)
			if err != nil {
				b.Fatal(err)
			}
			spec := Spec{Config: c, Ensembles: []forecast.Ensemble{forecast.Candidate, forecast.Legacy},
				Grid: CanonicalGrid(forecast.Options{Seed: 1, Epochs: 30, NoEarlyStop: true})}
			for b.Loop() {
				res, err := Validate(context.Background(), spec, bars, ws[0])
				if err != nil {
					b.Fatal(err)
				}
				for _, er := range res.Ensembles {
					if er.Err != nil {
						b.Fatal(er.Err)
					}
				}
			}
		})
	}
}
