package gbm

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/marketdata"
)

// predictFixture is testdata/gbm/sklearn_predict.json, written by
// testdata/gbm/gen_sklearn_predict.py with scikit-learn 1.2.1.
type predictFixture struct {
	SKLearn   string      `json:"sklearn"`
	TrainBars int         `json:"train_bars"`
	FirstDate string      `json:"first_date"`
	AsOf      string      `json:"as_of"`
	LastDate  string      `json:"last_date"`
	NTrain    int         `json:"n_train"`
	NHoldout  int         `json:"n_holdout"`
	Rows      [][]float64 `json:"rows"`
	Configs   []struct {
		Params struct {
			NEstimators  int     `json:"n_estimators"`
			MaxDepth     int     `json:"max_depth"`
			LearningRate float64 `json:"learning_rate"`
			RandomState  int64   `json:"random_state"`
		} `json:"params"`
		Predictions []float64 `json:"predictions"`
		Sigma       float64   `json:"sigma"`
	} `json:"configs"`
}

// TestPredictMatchesScikitLearn fits each configuration of the walk-forward
// grid on the 756 AAPL bars to 2023-06-30 once and predicts the day of the
// last training bar and each of the 126 later days (rows the fit never
// saw) from the bars up to that day. Expected numbers: scikit-learn 1.2.1
// GradientBoostingRegressor.predict on the same rows, random_state 0
// (testdata/gbm/gen_sklearn_predict.py). The rows Predict builds equal the
// script's bit for bit, the predictions exactly (difference 0), and sigma,
// the held-out RMSE, exactly too.
func TestPredictMatchesScikitLearn(t *testing.T) {
	b, err := os.ReadFile("../../testdata/gbm/sklearn_predict.json")
	require.NoError(t, err)
	var fx predictFixture
	require.NoError(t, json.Unmarshal(b, &fx))
	require.Equal(t, "1.2.1", fx.SKLearn)
	bars := laterBars(t, fx.TrainBars)
	require.Equal(t, fx.FirstDate, bars[0].Date.Format(marketdata.DateLayout))
	require.Equal(t, fx.AsOf, bars[fx.TrainBars-1].Date.Format(marketdata.DateLayout))
	require.Equal(t, fx.LastDate, bars[len(bars)-1].Date.Format(marketdata.DateLayout))
	require.Len(t, fx.Rows, laterDays+1)
	require.Len(t, fx.Configs, len(Grid()))
	ctx := context.Background()
	for k, c := range fx.Configs {
		cfg := Grid()[k]
		require.Equal(t, c.Params.NEstimators, cfg.Trees)
		require.Equal(t, c.Params.MaxDepth, cfg.MaxDepth)
		require.Equal(t, c.Params.LearningRate, cfg.LearningRate)
		m, err := NewConfig(cfg, forecast.Options{Seed: c.Params.RandomState})
		require.NoError(t, err)
		f, err := m.Train(ctx, bars[:fx.TrainBars])
		require.NoError(t, err)
		require.Equal(t, fx.NTrain, f.Rows)
		require.Equal(t, fx.NHoldout, f.HoldoutRows)
		require.Equal(t, c.Sigma, f.Sigma, "held-out sigma")
		var worst float64
		for i, want := range c.Predictions {
			x, err := f.row(bars[:fx.TrainBars+i])
			require.NoError(t, err)
			require.Equal(t, fx.Rows[i], x, "row of day %d", i)
			d, err := f.Predict(ctx, bars[:fx.TrainBars+i])
			require.NoError(t, err)
			worst = math.Max(worst, math.Abs(d.Mu-want))
			require.Equal(t, want, d.Mu, "depth %d lr %v: day %d", cfg.MaxDepth, cfg.LearningRate, i)
		}
		t.Logf("depth %d lr %v: max |predict - scikit-learn| over %d days = %g", cfg.MaxDepth, cfg.LearningRate, len(c.Predictions), worst)
	}
}
