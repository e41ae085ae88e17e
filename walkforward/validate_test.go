package walkforward

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/forecasttest"
	"runner/marketdata"
)

var smallConfig = Config{Train: 300, Val: 60, Test: 60, Step: 21}

func arSpec(leak bool) Spec {
	return Spec{Config: smallConfig, Ensembles: []forecast.Ensemble{forecast.Candidate, forecast.Legacy},
		Grid: arGrid(leak, "arima_garch", "lstm", "gb", "transformer")}
}

// TestValidateFigures recomputes every figure of a window from its stored
// predictions: the chosen configuration has the lowest validation RMSE,
// the weights lie on the simplex and beat every single member on
// validation, the ensemble RMSEs and divergence follow from the
// predictions, and the AR(1) one-step prediction of the first test day
// matches a least-squares fit done here by hand.
func TestValidateFigures(t *testing.T) {
	bars := forecasttest.AllBars(t, "AAPL")
	ws, err := smallConfig.Latest(bars, date("2023-12-29"), 1)
	require.NoError(t, err)
	w := ws[0]
	res, err := Validate(context.Background(), arSpec(false), bars, w)
	require.NoError(t, err)
	require.Len(t, res.ValRealised, 60)
	require.Len(t, res.TestRealised, 60)
	require.Equal(t, bars[w.End].Date, res.TestDates[59])
	require.Equal(t, bars[w.End-1].Date, res.TestAsOf[59])
	require.InDelta(t, math.Log(bars[w.End].AdjClose/bars[w.End-1].AdjClose), res.TestRealised[59], 0)
	for name, mr := range res.Models {
		require.NoError(t, mr.Err, name)
		require.Len(t, mr.Trials, 2)
		for _, tr := range mr.Trials {
			require.GreaterOrEqual(t, tr.ValRMSE, mr.Trials[mr.Chosen].ValRMSE, name)
		}
		require.InDelta(t, rmse(mus(mr.Val), res.ValRealised), mr.Trials[mr.Chosen].ValRMSE, 0)
		require.Len(t, mr.InSample, smallConfig.Train-1-InSampleFrom)
	}
	// The refit's first test prediction by hand: OLS of r[t] on r[t-1]
	// over the 359 returns of train+validation, times the chosen shrink.
	mr := res.Models["arima_garch"]
	r := marketdata.LogReturns(bars[w.Start:w.TestStart(smallConfig)])
	var mx, my float64
	for t := 1; t < len(r); t++ {
		mx += r[t-1]
		my += r[t]
	}
	n := float64(len(r) - 1)
	mx, my = mx/n, my/n
	var cov, vx float64
	for t := 1; t < len(r); t++ {
		cov += (r[t-1] - mx) * (r[t] - my)
		vx += (r[t-1] - mx) * (r[t-1] - mx)
	}
	b := cov / vx * mr.Params()["shrink"].(float64)
	require.InDelta(t, my-b*mx+b*r[len(r)-1], mr.Test[0].Mu, 1e-15)

	require.Len(t, res.Ensembles, 2)
	for _, er := range res.Ensembles {
		require.NoError(t, er.Err)
		require.Equal(t, er.Ensemble.Models(), er.ModelsUsed)
		var sum float64
		for _, x := range er.Weights {
			require.GreaterOrEqual(t, x, 0.0)
			sum += x
		}
		require.InDelta(t, 1, sum, 1e-12)
		var val, test []float64
		for i := range res.ValRealised {
			var s float64
			for j, m := range er.ModelsUsed {
				s += er.Weights[j] * res.Models[m].Val[i].Mu
			}
			val = append(val, s)
		}
		for i := range res.TestRealised {
			var s float64
			for j, m := range er.ModelsUsed {
				s += er.Weights[j] * res.Models[m].Test[i].Mu
			}
			test = append(test, s)
		}
		require.InDelta(t, rmse(val, res.ValRealised), er.ValRMSE, 1e-15)
		require.InDelta(t, rmse(test, res.TestRealised), er.TestRMSE, 1e-15)
		require.InDelta(t, math.Abs(er.ValRMSE-er.TestRMSE)/er.ValRMSE, er.Divergence, 1e-15)
		for _, m := range er.ModelsUsed {
			require.LessOrEqual(t, er.ValRMSE, res.Models[m].Trials[res.Models[m].Chosen].ValRMSE+1e-15,
				"the simplex optimum is no worse than any single member on validation")
		}
		require.Len(t, er.Test, 60)
		require.InDelta(t, test[0], er.Test[0].Mu, 1e-15)
		require.True(t, er.DirectionalAccuracy >= 0 && er.DirectionalAccuracy <= 1)
		require.Greater(t, er.TrainRMSE, 0.0)
	}
}

// TestLeakCheck passes on the honest AR(1) and fails on the same model
// reading the bar after the last one it is given.
func TestLeakCheck(t *testing.T) {
	bars := forecasttest.AllBars(t, "SPY")
	ws, err := smallConfig.Latest(bars, date("2022-06-30"), 1)
	require.NoError(t, err)
	spec := arSpec(false)
	spec.LeakCheck = true
	_, err = Validate(context.Background(), spec, bars, ws[0])
	require.NoError(t, err)
	spec = arSpec(true)
	spec.LeakCheck = true
	_, err = Validate(context.Background(), spec, bars, ws[0])
	require.ErrorContains(t, err, "leak check")
}

// failing is a model whose every fit fails.
type failing struct{}

func (failing) Name() string { return "failing" }
func (failing) Fit(context.Context, []marketdata.Bar) (forecast.Fitted, error) {
	return nil, errFailing
}

var errFailing = &marketdata.DataError{Msg: "cannot fit"}

// TestLostModel: a model all of whose configurations fail leaves the
// ensembles, which renormalise over the rest; an ensemble left with none
// carries the error.
func TestLostModel(t *testing.T) {
	bars := forecasttest.AllBars(t, "MSFT")
	ws, err := smallConfig.Latest(bars, date("2023-12-29"), 1)
	require.NoError(t, err)
	spec := arSpec(false)
	spec.Grid["lstm"] = []Candidate{{Model: "lstm", Params: map[string]any{"x": 1},
		New: func() (forecast.Model, error) { return failing{}, nil }}}
	res, err := Validate(context.Background(), spec, bars, ws[0])
	require.NoError(t, err)
	require.ErrorContains(t, res.Models["lstm"].Err, "cannot fit")
	cand, legacy := res.Ensembles[0], res.Ensembles[1]
	require.Equal(t, []string{"arima_garch"}, cand.ModelsUsed)
	require.Equal(t, []float64{1}, cand.Weights)
	require.Equal(t, []string{"arima_garch", "gb", "transformer"}, legacy.ModelsUsed)
	require.InDeltaSlice(t, []float64{0.20 / 0.75, 0.35 / 0.75, 0.20 / 0.75}, legacy.Defaults, 1e-15)
	spec.Grid["arima_garch"] = spec.Grid["lstm"]
	res, err = Validate(context.Background(), spec, bars, ws[0])
	require.NoError(t, err)
	require.ErrorContains(t, res.Ensembles[0].Err, "every model failed")
	require.NoError(t, res.Ensembles[1].Err)
}

// shortOnly fits like its model on the training span only: on more bars
// (the refit on train+validation) it fails.
type shortOnly struct {
	arModel
	max int
}

func (m shortOnly) Fit(ctx context.Context, bars []marketdata.Bar) (forecast.Fitted, error) {
	if len(bars) > m.max {
		return nil, errFailing
	}
	return m.arModel.Fit(ctx, bars)
}

// TestRefitFallsBack: when the configuration best on validation cannot be
// refitted on train+validation, the next best is chosen, and the failed
// refit is recorded with its trial.
func TestRefitFallsBack(t *testing.T) {
	bars := forecasttest.AllBars(t, "SPY")
	ws, err := smallConfig.Latest(bars, date("2023-12-29"), 1)
	require.NoError(t, err)
	spec := arSpec(false)
	plain, err := Validate(context.Background(), spec, bars, ws[0])
	require.NoError(t, err)
	best := plain.Models["lstm"].Chosen
	cands := append([]Candidate(nil), spec.Grid["lstm"]...)
	s := cands[best].Params["shrink"].(float64)
	cands[best].New = func() (forecast.Model, error) { return shortOnly{arModel{shrink: s}, smallConfig.Train}, nil }
	spec.Grid = Grid{"arima_garch": spec.Grid["arima_garch"], "lstm": cands, "gb": spec.Grid["gb"], "transformer": spec.Grid["transformer"]}
	res, err := Validate(context.Background(), spec, bars, ws[0])
	require.NoError(t, err)
	mr := res.Models["lstm"]
	require.NoError(t, mr.Err)
	require.Equal(t, 1-best, mr.Chosen, "the other configuration is chosen")
	require.ErrorContains(t, mr.Trials[best].RefitErr, "cannot fit")
	require.Equal(t, plain.Models["lstm"].Trials[best].ValRMSE, mr.Trials[best].ValRMSE)
}
