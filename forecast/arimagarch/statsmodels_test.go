package arimagarch

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/marketdata"
)

// The fixture holds statsmodels 0.13.5 SARIMAX(order=(p,0,q), trend="c")
// exact-ML fits of the last 756 daily log returns of AAPL and SPY
// (testdata/arimagarch/gen_statsmodels.py): "default" from statsmodels'
// own start, "best" the best admissible optimum over several starts (see
// the generator). The returns in the fixture are the ones marketdata
// computes from the bundled prices.
func TestFixtureReturnsAreMarketdata(t *testing.T) {
	fx := readFixture(t)
	for _, s := range fx.Series {
		bars, err := marketdata.ReadCSVFile("../../testdata/prices/"+s.Symbol+".csv", s.Symbol)
		require.NoError(t, err)
		r := marketdata.LogReturns(bars[len(bars)-757:])
		require.Equal(t, s.FirstBar, bars[len(bars)-757].Date.Format(marketdata.DateLayout))
		// numpy's and Go's log may differ in the last bit.
		require.InDeltaSlice(t, s.Returns, r, 1e-15, s.Symbol)
	}
}

// ARMA(1,0) and ARMA(1,1) with a constant: parameters within 1e-3 of the
// statsmodels optimum and the log-likelihood within 1e-6 relative.
func TestARMAMatchesStatsmodels(t *testing.T) {
	fx := readFixture(t)
	for _, s := range fx.Series {
		for _, f := range s.Fits {
			if f.P != 1 || f.Q > 1 {
				continue
			}
			res, err := Fit(context.Background(), s.Returns, Config{P: f.P, Q: f.Q})
			require.NoError(t, err, "%s ARMA(%d,%d)", s.Symbol, f.P, f.Q)
			ref := f.Best
			require.InDelta(t, ref.Mean, res.Mean, 1e-3, "%s ARMA(%d,%d) mean", s.Symbol, f.P, f.Q)
			require.InDeltaSlice(t, ref.AR, res.AR, 1e-3, "%s ARMA(%d,%d) ar", s.Symbol, f.P, f.Q)
			require.InDeltaSlice(t, ref.MA, res.MA, 1e-3, "%s ARMA(%d,%d) ma", s.Symbol, f.P, f.Q)
			require.InDelta(t, ref.Sigma2, res.Sigma2, 1e-3, "%s ARMA(%d,%d) sigma2", s.Symbol, f.P, f.Q)
			require.InEpsilon(t, ref.LogLik, res.LogLik, 1e-6, "%s ARMA(%d,%d) log-likelihood", s.Symbol, f.P, f.Q)
		}
	}
}

// Every order of the AIC search: the log-likelihood is never lower than
// statsmodels' by more than 1e-6 relative, both for statsmodels' default
// fit and for its best over several starts; and the AIC choice is the same.
func TestOrderSearchMatchesStatsmodels(t *testing.T) {
	fx := readFixture(t)
	for _, s := range fx.Series {
		res, err := Fit(context.Background(), s.Returns, Config{Auto: true})
		require.NoError(t, err)
		require.Len(t, res.Search, 9)
		for i, f := range s.Fits {
			got := res.Search[i]
			require.Equal(t, [2]int{f.P, f.Q}, [2]int{got.P, got.Q})
			require.Empty(t, got.Err, "%s ARMA(%d,%d)", s.Symbol, f.P, f.Q)
			for _, ref := range []smFit{f.Default, f.Best} {
				require.GreaterOrEqual(t, got.LogLik, ref.LogLik-1e-6*math.Abs(ref.LogLik),
					"%s ARMA(%d,%d): log-likelihood %.6f below statsmodels' %.6f", s.Symbol, f.P, f.Q, got.LogLik, ref.LogLik)
			}
		}
		require.Equal(t, s.AICOrderBest, []int{res.P, res.Q}, s.Symbol)
		require.Equal(t, s.AICOrderDefault, []int{res.P, res.Q}, s.Symbol)
	}
}
