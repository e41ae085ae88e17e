package forecasttest_test

import (
	"context"
	"testing"

	"runner/forecast"
	_ "runner/forecast/arimagarch"
	"runner/forecast/forecasttest"
	_ "runner/forecast/gbm"
	_ "runner/forecast/lstm"
	_ "runner/forecast/naive"
	_ "runner/forecast/transformer"
	"runner/marketdata"
)

// TestGoldenForecasts checks (or with -update-golden records) every
// registered model's forecast on the canary symbols as of 2023-12-29.
func TestGoldenForecasts(t *testing.T) {
	for _, name := range forecast.Names() {
		t.Run(name, func(t *testing.T) {
			m, err := forecast.New(name, forecasttest.GoldenOptions)
			if err != nil {
				t.Fatal(err)
			}
			forecasttest.Golden(t, name, func(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
				return forecast.Forecast(ctx, m, bars)
			})
		})
	}
}
