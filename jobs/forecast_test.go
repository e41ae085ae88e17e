package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"runner/forecast"
	_ "runner/forecast/naive"
	"runner/jobs"
	"runner/marketdata"
	"runner/store"
	"runner/store/storetest"
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

// zero always predicts a zero return, a second model for the weight tests.
type zero struct{}

func (zero) Name() string { return "test_zero" }
func (zero) Forecast(context.Context, []marketdata.Bar) (forecast.Distribution, error) {
	return forecast.Normal(0, 0.01, forecast.DefaultNeutralBand), nil
}

// oneCall adapts a test model written as one forecast call to
// forecast.Model: Fit makes the forecast, Predict returns it.
type oneCall struct {
	forecaster interface {
		Name() string
		Forecast(context.Context, []marketdata.Bar) (forecast.Distribution, error)
	}
}

func (m oneCall) Name() string { return m.forecaster.Name() }
func (m oneCall) Fit(ctx context.Context, bars []marketdata.Bar) (forecast.Fitted, error) {
	d, err := m.forecaster.Forecast(ctx, bars)
	if err != nil {
		return nil, err
	}
	return fixedFit(d), nil
}

type fixedFit forecast.Distribution

func (f fixedFit) Predict(context.Context, []marketdata.Bar) (forecast.Distribution, error) {
	return forecast.Distribution(f), nil
}
func (f fixedFit) Spec() map[string]any { return nil }

func init() {
	forecast.Register("test_zero", func(forecast.Options) (forecast.Model, error) { return oneCall{zero{}}, nil })
	forecast.Register("test_failing", func(forecast.Options) (forecast.Model, error) { return oneCall{failing{}}, nil })
	forecast.Register("test_panicking", func(forecast.Options) (forecast.Model, error) { return oneCall{panicking{}}, nil })
}

var asOf = time.Date(2023, 12, 29, 0, 0, 0, 0, time.UTC)

func newJob(t *testing.T) (*jobs.ForecastJob, store.Store) {
	s := storetest.SQLite(t)
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
		Symbols: []string{"AAPL", "MSFT", "SPY", "AAPL"}, AsOf: asOf, DryRun: true, Model: forecast.Options{Seed: 7}}
	a, err := job.Run(context.Background(), cfg)
	require.NoError(t, err)
	b, err := job.Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Equal(t, a.Symbols, b.Symbols, "bit-identical forecasts for the same bars, config and seed")
	require.Len(t, a.Symbols, 3, "a repeated symbol runs once")
}

func TestForecastAsOfWithoutBar(t *testing.T) {
	job, _ := newJob(t)
	res, err := job.Run(context.Background(), jobs.ForecastConfig{Ensembles: []forecast.Ensemble{forecast.NaiveEnsemble},
		Symbols: []string{"AAPL", "SPY"}, AsOf: time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)})
	require.ErrorIs(t, err, jobs.ErrPartial)
	require.ErrorContains(t, res.Symbols[0].Err, "marketdata: AAPL (2024-01-03): no bar on the as-of date (bars run 2013-01-02 to 2023-12-29)")
	require.NoError(t, res.Symbols[1].Err)
}

// inverse_rmse learns from the matured forecasts before the as-of date. After
// twenty forecasts of SPY (2023-12-01..29) the weights for 2024-01-02 are
// (1/rmse_naive, 1/rmse_zero) normalised, with numpy's RMSEs over the same
// days: naive 0.006134376290353363, zero (the realised returns' RMS)
// 0.0062198636326868196, giving 0.5034598381958741 and 0.4965401618041258.
func TestForecastInverseRMSEWeights(t *testing.T) {
	job, s := newJob(t)
	ctx := context.Background()
	pair := forecast.Ensemble{Name: "pair", Members: []forecast.Member{{Model: "naive", Weight: 0.5}, {Model: "test_zero", Weight: 0.5}}}
	target := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	cfg := jobs.ForecastConfig{Ensembles: []forecast.Ensemble{pair}, Symbols: []string{"SPY"}, AsOf: target,
		WeightMethod: forecast.InverseRMSE, WeightLookback: 20}
	res, err := job.Run(ctx, cfg)
	require.Error(t, err, "no history yet: an error, not a fallback to default weights")
	require.ErrorContains(t, res.Symbols[0].Err, "inverse_rmse weights for ensemble pair need 20 past forecasts with every member matured; have 0")

	bars, err := job.Source.Bars(ctx, "SPY")
	require.NoError(t, err)
	for i := marketdata.IndexOf(bars, asOf.AddDate(0, 0, -28)); i <= marketdata.IndexOf(bars, asOf); i++ {
		_, err := job.Run(ctx, jobs.ForecastConfig{Ensembles: []forecast.Ensemble{pair}, Symbols: []string{"SPY"}, AsOf: bars[i].Date})
		require.NoError(t, err)
	}
	res, err = job.Run(ctx, cfg)
	require.NoError(t, err)
	f := res.Symbols[0].Forecasts[0]
	require.InDelta(t, 0.5034598381958741, f.Weights["naive"], 1e-12)
	require.InDelta(t, 0.4965401618041258, f.Weights["test_zero"], 1e-12)
	stored, err := s.Forecasts(ctx, store.ForecastFilter{From: target, To: target})
	require.NoError(t, err)
	require.Equal(t, f.Weights, stored[0].Weights)
}
