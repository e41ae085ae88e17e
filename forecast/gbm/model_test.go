package gbm

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/marketdata"
)

func aaplWindow(t testing.TB, n int) []marketdata.Bar {
	t.Helper()
	bars, err := marketdata.ReadCSVFile("../../testdata/prices/AAPL.csv", "AAPL")
	require.NoError(t, err)
	w, err := marketdata.Window(bars, time.Time{}, n)
	require.NoError(t, err)
	return w
}

// TestDesignMatchesFixture rebuilds the feature matrix from the same CSV and
// checks it against the one testdata/gbm/gen_sklearn.py computed in Python
// (a port of Go's math.Log and the running-sum realised volatility): the
// issue asks for 1e-15, and it is bit-identical, which is asserted because
// one ulp in a target can flip an exact tie between features (doc.go).
// Then it fits on the Go matrix and checks the predictions against
// scikit-learn's to 1e-9.
func TestDesignMatchesFixture(t *testing.T) {
	f := loadFixture(t)
	c := f.find(t, "aapl_canonical")
	bars := aaplWindow(t, f.Bars)
	require.Equal(t, f.FirstDate, bars[0].Date.Format(marketdata.DateLayout))
	require.Equal(t, f.LastDate, bars[len(bars)-1].Date.Format(marketdata.DateLayout))
	require.Equal(t, f.FeatureNames, FeatureNames())

	X, y, next, err := Design(marketdata.LogReturns(bars))
	require.NoError(t, err)
	require.Len(t, X, c.NTrain)
	require.Len(t, y, c.NTrain)
	all := append(X[:len(X):len(X)], next)
	require.Len(t, all, len(c.X))
	for i, row := range all {
		for j, v := range row {
			require.Equalf(t, c.X[i][j], v, "row %d feature %s", i, f.FeatureNames[j])
		}
	}
	for i, v := range y {
		require.Equalf(t, c.Y[i], v, "target %d", i)
	}

	e, err := Fit(context.Background(), c.config(), X, y)
	require.NoError(t, err)
	for i, row := range all {
		require.InDeltaf(t, c.Predictions[i], e.Predict(row), 1e-9, "row %d", i)
	}
}

// TestForecastMatchesFixture runs the registered model end to end on the last
// 756 AAPL bars with seed 0 (random_state=0 in the fixture): mu is
// scikit-learn's prediction for the as-of row and sigma the RMSE of the
// scikit-learn model fitted on the first 588 rows over the 147 held-out rows,
// both to 1e-9 absolute.
func TestForecastMatchesFixture(t *testing.T) {
	f := loadFixture(t)
	m, err := forecast.New(Name, forecast.Options{Seed: 0})
	require.NoError(t, err)
	d, err := forecast.Forecast(context.Background(), m, aaplWindow(t, f.Bars))
	require.NoError(t, err)
	require.NoError(t, d.Check())
	require.InDelta(t, f.Forecast.Mu, d.Mu, 1e-9)
	require.InDelta(t, f.Forecast.Sigma, d.Sigma, 1e-9)
	// Class probabilities from the Gaussian with the fixture's mu and sigma.
	want := forecast.Normal(f.Forecast.Mu, f.Forecast.Sigma, forecast.DefaultNeutralBand)
	require.InDelta(t, want.PBull, d.PBull, 1e-9)
	require.InDelta(t, want.PBear, d.PBear, 1e-9)
}

func TestModelErrors(t *testing.T) {
	m, err := NewModel(ModelConfig{})
	require.NoError(t, err)
	_, err = forecast.Forecast(context.Background(), m, aaplWindow(t, 60))
	require.ErrorContains(t, err, "need at least 50 rows")

	_, err = NewModel(ModelConfig{Boost: Config{Seed: -1}})
	require.ErrorContains(t, err, "seed -1")
	_, err = NewModel(ModelConfig{Boost: Config{Subsample: 1.5}})
	require.ErrorContains(t, err, "subsample 1.5")
	_, err = NewModel(ModelConfig{Holdout: 1})
	require.ErrorContains(t, err, "holdout fraction 1")

	_, err = Fit(context.Background(), Config{}, [][]float64{{1}, {math.NaN()}}, []float64{1, 2})
	require.ErrorContains(t, err, "row 1 feature 0 is NaN")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Fit(ctx, Config{}, [][]float64{{1}, {2}}, []float64{1, 2})
	require.ErrorIs(t, err, context.Canceled)
}

// TestFitDeterministic: the same seed gives the same model; a constant
// target gives single-leaf trees predicting the constant, no NaN.
func TestFitDeterministic(t *testing.T) {
	f := loadFixture(t)
	c := f.find(t, "aapl_subsample")
	a, err := Fit(context.Background(), c.config(), c.X[:c.NTrain], c.Y[:c.NTrain])
	require.NoError(t, err)
	b, err := Fit(context.Background(), c.config(), c.X[:c.NTrain], c.Y[:c.NTrain])
	require.NoError(t, err)
	require.Equal(t, a, b)

	X := [][]float64{{1, 2}, {3, 4}, {5, 6}}
	e, err := Fit(context.Background(), Config{Trees: 3}, X, []float64{0.5, 0.5, 0.5})
	require.NoError(t, err)
	require.Equal(t, 0.5, e.Predict([]float64{9, 9}))
	require.Equal(t, []float64{0, 0}, e.FeatureImportances())
}
