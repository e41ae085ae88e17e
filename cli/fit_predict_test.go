package cli

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
	"runner/forecast/naive"
	"runner/marketdata"
)

// TestFitPredictTo: fit once on SPY's 756 bars to 2023-06-30, then one
// prediction per trading day to 2023-12-29 (127 days, counted in the CSV),
// each with the realised return from the CSV; the summary figures are
// recomputed here from the printed predictions, and naive's drift is the
// mean of the 755 training returns (the model's definition, computed here).
func TestFitPredictTo(t *testing.T) {
	bars, err := marketdata.ReadCSVFile(prices+"/SPY.csv", "SPY")
	require.NoError(t, err)
	from := marketdata.IndexOf(bars, asOfDate("2023-06-30"))
	to := marketdata.IndexOf(bars, asOfDate("2023-12-29"))
	for _, model := range []string{"naive", "arima_garch"} {
		code, out, stderr := run(t, "fit", "--model", model, "--csv", prices+"/SPY.csv", "--as-of", "2023-06-30",
			"--train-bars", "756", "--predict-to", "2023-12-29", "--json")
		require.Equal(t, ExitOK, code, stderr)
		var got struct {
			Predictions []struct {
				AsOf     string   `json:"as_of"`
				Target   string   `json:"target"`
				Mu       float64  `json:"mu"`
				Sigma    float64  `json:"sigma"`
				Realised *float64 `json:"realised"`
			} `json:"predictions"`
			RMSE, MAE, Dir float64
			Spec           map[string]any `json:"spec"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		var raw map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &raw))
		got.RMSE, got.MAE, got.Dir = raw["rmse"].(float64), raw["mae"].(float64), raw["directional_accuracy"].(float64)
		require.Len(t, got.Predictions, to-from+1, model)
		var sq, ab, hit float64
		for i, p := range got.Predictions {
			require.Equal(t, day(bars[from+i].Date), p.AsOf)
			require.Equal(t, day(bars[from+i+1].Date), p.Target)
			r := math.Log(bars[from+i+1].AdjClose / bars[from+i].AdjClose)
			require.NotNil(t, p.Realised)
			require.InDelta(t, r, *p.Realised, 0)
			e := r - p.Mu
			sq, ab = sq+e*e, ab+math.Abs(e)
			if (r > 0) == (p.Mu > 0) && r != 0 {
				hit++
			}
		}
		n := float64(len(got.Predictions))
		require.InDelta(t, math.Sqrt(sq/n), got.RMSE, 1e-15)
		require.InDelta(t, ab/n, got.MAE, 1e-15)
		require.InDelta(t, hit/n, got.Dir, 1e-15)
		if model == "naive" {
			r := marketdata.LogReturns(bars[from-755 : from+1])
			var s float64
			for _, x := range r {
				s += x
			}
			require.InDelta(t, s/755, got.Predictions[0].Mu, 1e-15)
			require.Equal(t, got.Predictions[0].Mu, got.Predictions[100].Mu, "naive keeps its drift")
			// Predict on day 100 equals a fresh Predict from the same fit.
			m, _ := naive.New(forecast.Options{})
			f, err := m.Fit(context.Background(), bars[from-755:from+1])
			require.NoError(t, err)
			d, err := f.Predict(context.Background(), bars[from-755:from+101])
			require.NoError(t, err)
			require.Equal(t, d.Sigma, got.Predictions[100].Sigma)
		} else {
			require.Contains(t, got.Spec, "p", "the chosen order is shown")
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--as-of", "2023-06-30", "--predict-to", "2023-06-01"}, "--predict-to 2023-06-01 is before --as-of 2023-06-30"},
		{[]string{"--as-of", "2023-06-30", "--predict-to", "2030-01-02"}, "--predict-to 2030-01-02 is past the data: ../testdata/prices/SPY.csv ends on 2024-01-30"},
		{[]string{"--predict-to", "2023-13-01"}, `--predict-to "2023-13-01": want a date`},
	} {
		code, _, stderr := run(t, append([]string{"fit", "--model", "naive", "--csv", prices + "/SPY.csv"}, c.args...)...)
		require.Equal(t, ExitUsage, code, stderr)
		require.Contains(t, stderr, c.want)
	}
}
