package forecast_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"runner/forecast"
)

// The default weights of DESIGN §4's table.
func TestDefaultWeights(t *testing.T) {
	require.Equal(t, map[string]float64{"arima_garch": 0.50, "lstm": 0.50}, forecast.Candidate.DefaultWeights())
	require.Equal(t, map[string]float64{"arima_garch": 0.20, "gb": 0.35, "lstm": 0.25, "transformer": 0.20},
		forecast.Legacy.DefaultWeights())
}
