package canary_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/canary"
	"runner/store"
)

// Each threshold of DESIGN §9 at and just past its value: "more than" and
// "below" are strict, "within" is inclusive. The thresholds are the
// defaults (canary.Default*); eps is far above float rounding and far
// below any figure that matters.
func TestDecideBoundaries(t *testing.T) {
	const eps = 1e-9
	base := func() canary.Evaluation {
		return canary.Evaluation{Stage: store.CanaryStage{Name: "7.1", MinDays: 7, MinMatured: 15},
			Symbols: []string{"AAPL", "MSFT", "SPY"}, Days: 7, Matured: 18, Expected: 21,
			AvgDivergence: 0.05, MaxDivergence: 0.05, RMSEChange: 0.02}
	}
	cases := []struct {
		name   string
		edit   func(e *canary.Evaluation)
		action string
	}{
		{"all good", func(e *canary.Evaluation) {}, canary.Advance},
		{"max divergence at 0.30", func(e *canary.Evaluation) { e.MaxDivergence, e.AvgDivergence = 0.30, 0.12 }, canary.Hold},
		{"max divergence past 0.30", func(e *canary.Evaluation) { e.MaxDivergence, e.AvgDivergence = 0.30+eps, 0.12 }, canary.RollbackNow},
		{"rmse at +20%", func(e *canary.Evaluation) { e.RMSEChange = 0.20 }, canary.FailRollback},
		{"rmse past +20%", func(e *canary.Evaluation) { e.RMSEChange = 0.20 + eps }, canary.RollbackNow},
		{"rmse at +15%", func(e *canary.Evaluation) { e.RMSEChange = 0.15 }, canary.Hold},
		{"rmse past +15%", func(e *canary.Evaluation) { e.RMSEChange = 0.15 + eps }, canary.FailRollback},
		{"rmse at +5%", func(e *canary.Evaluation) { e.RMSEChange = 0.05 }, canary.Advance},
		{"rmse past +5%", func(e *canary.Evaluation) { e.RMSEChange = 0.05 + eps }, canary.Hold},
		{"rmse better", func(e *canary.Evaluation) { e.RMSEChange = -0.3 }, canary.Advance},
		{"avg divergence at 0.15", func(e *canary.Evaluation) { e.AvgDivergence, e.MaxDivergence = 0.15, 0.15 }, canary.Hold},
		{"avg divergence past 0.15", func(e *canary.Evaluation) { e.AvgDivergence, e.MaxDivergence = 0.15+eps, 0.2 }, canary.FailRollback},
		{"avg divergence at 0.10", func(e *canary.Evaluation) { e.AvgDivergence = 0.10 }, canary.Hold},
		{"avg divergence below 0.10", func(e *canary.Evaluation) { e.AvgDivergence = 0.10 - eps }, canary.Advance},
		{"max divergence at 0.15", func(e *canary.Evaluation) { e.MaxDivergence = 0.15 }, canary.Hold},
		{"max divergence below 0.15", func(e *canary.Evaluation) { e.MaxDivergence = 0.15 - eps }, canary.Advance},
		{"overfitting on 2 days", func(e *canary.Evaluation) { e.OverfitStreak = 2 }, canary.Advance},
		{"overfitting on 3 days", func(e *canary.Evaluation) { e.OverfitStreak = 3 }, canary.FailRollback},
		{"6 days", func(e *canary.Evaluation) { e.Days = 6 }, canary.Hold},
		{"14 matured", func(e *canary.Evaluation) { e.Matured = 14 }, canary.Hold},
		{"no rmse", func(e *canary.Evaluation) { e.RMSEChange, e.Matured = math.NaN(), 0 }, canary.Hold},
		{"no validation", func(e *canary.Evaluation) {
			e.AvgDivergence, e.MaxDivergence, e.NoValidation = math.NaN(), math.NaN(), e.Symbols
		}, canary.Hold},
		{"a missing forecast", func(e *canary.Evaluation) { e.Missing = []string{"SPY 2024-01-04"} }, canary.Hold},
		{"a run error", func(e *canary.Evaluation) { e.RunErrors = []string{"SPY 2024-01-04: x"} }, canary.Hold},
		{"past max days unmet", func(e *canary.Evaluation) { e.Stage.MaxDays, e.Days, e.RMSEChange = 14, 14, 0.1 }, canary.FailRollback},
		{"at max days met", func(e *canary.Evaluation) { e.Stage.MaxDays, e.Days = 14, 14 }, canary.Advance},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := base()
			tc.edit(&e)
			d := canary.Decide(e, canary.Thresholds{}, false, false)
			require.Equal(t, tc.action, d.Action, d.Reason)
			require.Len(t, d.Criteria, 13)
		})
	}
	d := canary.Decide(base(), canary.Thresholds{}, true, false)
	require.Equal(t, canary.Promote, d.Action, "from the last stage")
	d = canary.Decide(base(), canary.Thresholds{}, true, true)
	require.Equal(t, canary.Monitor, d.Action, "after promotion")
	e := base()
	e.RMSEChange = 0.25
	d = canary.Decide(e, canary.Thresholds{}, true, true)
	require.Equal(t, canary.RollbackNow, d.Action, "after promotion a rollback still triggers")
	// A configured threshold replaces the default: 10% worse now fails.
	e.RMSEChange = 0.10
	d = canary.Decide(e, canary.Thresholds{FailRMSE: 0.08, AdvanceRMSE: 0.04}, false, false)
	require.Equal(t, canary.FailRollback, d.Action)
}
