package jobs_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"runner/forecast"
	_ "runner/forecast/naive"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
	"runner/store/sqlite"
)

// failing is a model that always fails, to exercise renormalisation.
type failing struct{}

func (failing) Name() string { return "test_failing" }
func (failing) Forecast(context.Context, []marketdata.Bar) (forecast.Distribution, error) {
	return forecast.Distribution{}, errors.New("test_failing: did not converge")
}

// panicking is a model that panics: the job must contain it.
type panicking struct{}

func (panicking) Name() string { return "test_panicking" }
func (panicking) Forecast(context.Context, []marketdata.Bar) (forecast.Distribution, error) {
	panic("index out of range")
}

func init() {
	forecast.Register("test_failing", func(forecast.Options) (forecast.Model, error) { return failing{}, nil })
	forecast.Register("test_panicking", func(forecast.Options) (forecast.Model, error) { return panicking{}, nil })
}

var asOf = time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC)

func newJob(t *testing.T) (*jobs.ForecastJob, store.Store) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "runner.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.MigrateUp(context.Background())
	require.NoError(t, err)
	return &jobs.ForecastJob{Source: marketdata.CSVSource{Dir: "../testdata/prices"}, Store: s, Log: zerolog.Nop()}, s
}

func TestForecastRenormalisesOverSurvivingModels(t *testing.T) {
	job, s := newJob(t)
	mixed := forecast.Ensemble{Name: "mixed", Members: []forecast.Member{
		{Model: "naive", Weight: 0.4}, {Model: "test_failing", Weight: 0.3}, {Model: "test_panicking", Weight: 0.3}}}
	res, err := job.Run(context.Background(), jobs.ForecastConfig{
		Ensembles: []forecast.Ensemble{mixed, forecast.NaiveEnsemble}, Symbols: []string{"AAPL", "MSFT"}, AsOf: asOf})
	require.ErrorIs(t, err, jobs.ErrPartial, "a lost model makes the run partial")
	require.Equal(t, store.RunPartial, res.Run.Status)
	require.Contains(t, res.Run.SymbolErrors["AAPL"], "test_failing: did not converge")
	require.Contains(t, res.Run.SymbolErrors["AAPL"], "test_panicking: panic: index out of range")

	fs, err := s.Forecasts(context.Background(), store.ForecastFilter{Symbol: "AAPL"})
	require.NoError(t, err)
	require.Len(t, fs, 2)
	m, n := fs[0], fs[1]
	require.Equal(t, "mixed", m.Ensemble)
	require.Equal(t, []string{"naive"}, m.ModelsUsed)
	require.Equal(t, map[string]float64{"naive": 1}, m.Weights)
	require.Len(t, m.Components, 3)
	require.Equal(t, "naive", m.Components[0].Model)
	require.Equal(t, "test_failing: did not converge", m.Components[1].Error)
	// Renormalised over naive alone, the mixture is the naive forecast.
	require.Equal(t, n.Return, m.Return)
	require.Equal(t, n.Volatility, m.Volatility)
	// numpy: mean of AAPL's last 755 log returns to 2023-12-29.
	require.InDelta(t, 0.0004714445881801276, m.Return, 1e-15)
}

func TestForecastNamesMissingModels(t *testing.T) {
	job, _ := newJob(t)
	_, err := job.Run(context.Background(), jobs.ForecastConfig{
		Ensembles: []forecast.Ensemble{{Name: "future", Members: []forecast.Member{{Model: "prophet", Weight: 1}}}},
		Symbols:   []string{"AAPL"}, AsOf: asOf})
	require.ErrorContains(t, err, "models not implemented yet: prophet (in future)")
}

func TestForecastReproducible(t *testing.T) {
	job, _ := newJob(t)
	cfg := jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble},
		Symbols: []string{"AAPL", "MSFT", "SPY"}, AsOf: asOf, DryRun: true, Model: forecast.Options{Seed: 7}}
	a, err := job.Run(context.Background(), cfg)
	require.NoError(t, err)
	b, err := job.Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Equal(t, a.Symbols, b.Symbols, "bit-identical forecasts for the same bars, config and seed")
}

func TestForecastAsOfWithoutBar(t *testing.T) {
	job, _ := newJob(t)
	res, err := job.Run(context.Background(), jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble},
		Symbols: []string{"AAPL", "SPY"}, AsOf: time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)})
	require.ErrorIs(t, err, jobs.ErrPartial)
	require.ErrorContains(t, res.Symbols[0].Err, "marketdata: AAPL (2024-01-03): no bar on the as-of date (bars run 2013-01-02 to 2023-12-29)")
	require.NoError(t, res.Symbols[1].Err)
}
