package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/jobs"
	"runner/walkforward"
)

// TestValidateObservesModelFits: the ModelFitted hook is told of every
// model fit of a walk-forward window. With the fixed grid (one candidate
// per model) each model of the candidate ensemble is fitted twice per
// window: on the training span to predict validation, and on training
// plus validation to predict the test span.
func TestValidateObservesModelFits(t *testing.T) {
	job, s := newJob(t)
	var mu sync.Mutex
	fits := map[string]int{}
	ctx := jobs.WithHooks(context.Background(), jobs.Hooks{ModelFitted: func(model string, took time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		require.NoError(t, err)
		require.Positive(t, took)
		fits[model]++
	}})
	opts := forecast.Options{Seed: 1, Epochs: 1}
	vj := &jobs.ValidateJob{Source: job.Source, Store: s, Log: job.Log}
	_, err := vj.Run(ctx, jobs.ValidateConfig{Symbols: []string{"AAPL"}, Ensembles: []forecast.Ensemble{forecast.Candidate},
		Grid: walkforward.FixedGrid(opts), GridName: "fixed", Model: opts, Windows: 2, AsOf: time.Date(2023, 11, 30, 0, 0, 0, 0, time.UTC),
		Window: walkforward.Config{Train: 300, Val: 60, Test: 60, Step: 21}})
	require.NoError(t, err)
	require.Equal(t, map[string]int{"arima_garch": 4, "lstm": 4}, fits, "2 windows x 2 fits")
}
