package transformer

import (
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/nn/nntest"
)

func TestFitAAPL(t *testing.T)       { nntest.CheckFitAAPL(t, New) }
func TestFitTooFewBars(t *testing.T) { nntest.CheckTooFewBars(t, New) }

// TestGolden: Forecast, and Fit then Predict, equal the forecasts recorded
// before the fit/predict split, bit for bit.
func TestGolden(t *testing.T) { nntest.CheckGolden(t, Name, New) }

// TestWindow: Predict's window from the fit's tail equals the features
// recomputed over all the bars, bit for bit.
func TestWindow(t *testing.T) {
	m, err := NewConfig(Config{}, forecast.Options{Seed: 1, Epochs: 1})
	require.NoError(t, err)
	nntest.CheckWindow(t, m, Window)
}

// TestLookAhead: no prediction reads a bar after its own day (3 epochs to
// keep it quick; the property does not depend on the training length).
func TestLookAhead(t *testing.T) {
	m, err := NewConfig(Config{}, forecast.Options{Seed: 1, Epochs: 3})
	require.NoError(t, err)
	nntest.LookAhead(t, m, 8)
}

// TestConcurrentPredict: concurrent Predict calls on one fit give the
// serial results (run under -race by make test's nn packages too).
func TestConcurrentPredict(t *testing.T) {
	m, err := NewConfig(Config{}, forecast.Options{Seed: 1, Epochs: 1})
	require.NoError(t, err)
	nntest.CheckConcurrentPredict(t, m)
}

// TestSpec: the fit records its hyperparameters and training length.
func TestSpec(t *testing.T) {
	m, err := NewConfig(Config{DModel: 8, LR: 3e-3}, forecast.Options{Seed: 1, Epochs: 2, NoEarlyStop: true})
	require.NoError(t, err)
	f, err := m.Fit(t.Context(), nntest.AAPL(t, 300))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"d_model": 8, "heads": 2, "ff": 32, "layers": 1, "window": 20,
		"learning_rate": 3e-3, "batch_size": 32, "max_epochs": 2, "early_stop": false, "epochs": 2,
		"best_epoch": f.Spec()["best_epoch"]}, f.Spec())
}

// TestGrid: the walk-forward grid of DESIGN §5, canonical first; bad
// settings are errors.
func TestGrid(t *testing.T) {
	require.Equal(t, []Config{{DModel: 16, LR: 1e-3}, {DModel: 16, LR: 3e-3}, {DModel: 8, LR: 1e-3}, {DModel: 8, LR: 3e-3}}, Grid())
	_, err := NewConfig(Config{DModel: 10, Heads: 3}, forecast.Options{})
	require.ErrorContains(t, err, "d_model 10, 3 heads")
}

func BenchmarkTrain(b *testing.B)   { nntest.BenchmarkTrain(b, New) }
func BenchmarkFit(b *testing.B)     { nntest.BenchmarkFit(b, New) }
func BenchmarkPredict(b *testing.B) { nntest.BenchmarkPredict(b, New) }
