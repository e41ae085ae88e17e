package arimagarch

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The unrolled filter3 computes the same sums as the general filterN (the
// reference implementation of the same recursions) to rounding, for random
// stationary and invertible ARMA(p,q), p <= 3, q <= 2; the general filter
// is itself checked against R and statsmodels through the AR(3) lh tests,
// which run filter3.
func TestFilter3MatchesGeneralFilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	y := readColumn(t, "../../testdata/reference/garch/dem2gbp.csv", "ret")[:500]
	for it := 0; it < 50; it++ {
		p, q := rng.IntN(4), rng.IntN(3)
		phi, theta := make([]float64, p), make([]float64, q)
		r := make([]float64, max(p, q))
		for i := range r {
			r[i] = 1.9*rng.Float64() - 0.95
		}
		pacfToCoef(phi, r[:p], make([]float64, p))
		pacfToCoef(theta, r[:q], make([]float64, q))
		k3, kN := newKalman(3), newKalman(3)
		require.NoError(t, k3.setModel(phi, theta)) // prior3
		require.NoError(t, kN.setModel(phi, theta))
		require.NoError(t, kN.prior()) // doubling
		require.InDeltaSlice(t, kN.P[:9], k3.P[:9], 1e-9*(1+kN.P[0]))
		a := k3.filter3(y, true)
		b := kN.filterN(y, true)
		require.Equal(t, a.N, b.N)
		require.InEpsilon(t, b.SumLogF+1, a.SumLogF+1, 1e-10, "phi %v theta %v", phi, theta)
		require.InEpsilon(t, b.Syy, a.Syy, 1e-10)
		require.InEpsilon(t, b.Sy1, a.Sy1, 1e-9)
		require.InEpsilon(t, b.S11, a.S11, 1e-10)
	}
}

// Fitting the orders of the search concurrently gives the same result as
// one at a time (run with -race).
func TestWorkersGiveSameResult(t *testing.T) {
	fx := readFixture(t)
	y := fx.Series[1].Returns
	a, err := Fit(context.Background(), y, Config{Auto: true, GARCH: true})
	require.NoError(t, err)
	b, err := Fit(context.Background(), y, Config{Auto: true, GARCH: true, Workers: 2})
	require.NoError(t, err)
	require.Equal(t, a.Search, b.Search)
	require.Equal(t, a.Params, b.Params)
}
