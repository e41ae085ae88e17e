package arimagarch

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/marketdata"
)

func spyReturns(t testing.TB, n int) []float64 {
	t.Helper()
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/SPY.csv", "SPY")
	require.NoError(t, err)
	r := marketdata.LogReturns(bars)
	return r[len(r)-n:]
}

// OneStep from the fitted series itself is the first step of Forecast, bit
// for bit, for ARMA models through the unrolled filter (state dimension 3)
// and the general one (4), with and without a mean, and for ARMA-GARCH; and
// the forecast from y[:n] does not depend on what follows.
func TestOneStepIsForecast(t *testing.T) {
	ctx := context.Background()
	y := spyReturns(t, 882)
	train := y[:756]
	for _, cfg := range []Config{
		{P: 1}, {Q: 1}, {P: 2, Q: 1}, {P: 1, Q: 2, NoMean: true}, {P: 4}, {P: 1, Q: 3},
		{GARCH: true}, {P: 1, GARCH: true}, {P: 1, Q: 1, GARCH: true}, {P: 2, Q: 1, GARCH: true, Dist: StudentT},
	} {
		name := fmt.Sprintf("ARMA(%d,%d)%s", cfg.P, cfg.Q, garchSuffix(cfg.GARCH))
		res, err := Fit(ctx, train, cfg)
		require.NoError(t, err, name)
		want, err := res.Forecast(1)
		require.NoError(t, err, name)
		got, err := res.OneStep(train, len(train))
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)

		path, err := res.OneStep(y, len(train))
		require.NoError(t, err, name)
		require.Len(t, path, len(y)-len(train)+1)
		require.Equal(t, want[0], path[0], name)
		for n := len(train); n <= len(y); n += 17 {
			one, err := res.OneStep(y[:n], n)
			require.NoError(t, err, name)
			require.Equal(t, path[n-len(train)], one[0], "%s from %d observations", name, n)
		}
		if cfg.GARCH {
			// The recursions over the extended series repeat the
			// likelihood's over the fitted series.
			e, h := res.garchOneStep(make([]Step, 1), y, len(y))
			require.Equal(t, res.garch.e, e[:len(train)], name)
			require.Equal(t, res.garch.h[cfg.P:], h[cfg.P:len(train)], name)
		}
	}
}

func TestOneStepBadInputIsError(t *testing.T) {
	y := spyReturns(t, 300)
	res, err := Fit(context.Background(), y, Config{P: 2, GARCH: true})
	require.NoError(t, err)
	_, err = res.OneStep(y, 2)
	require.ErrorContains(t, err, "arimagarch: one-step forecasts from 2 observations: ARMA(2,0)-GARCH(1,1) conditions on the first 2")
	_, err = res.OneStep(y, len(y)+1)
	require.ErrorContains(t, err, "one-step forecasts from 301 of 300 observations")
	lh := readColumn(t, "../../testdata/reference/arima/lh.csv", "value")
	res, err = Fit(context.Background(), lh, Config{P: 1, D: 1})
	require.NoError(t, err)
	_, err = res.OneStep(lh, 10)
	require.ErrorContains(t, err, "differenced model (d = 1) are not implemented")
}
