package calibration

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// fixturePath is written by testdata/calibration/gen_fixtures.py
// (scikit-learn 1.2.1, numpy 1.24.2, scipy 1.10.1); see its docstring for
// how every number in it is computed.
const fixturePath = "../testdata/calibration/fixtures.json"

type fixtureConformal struct {
	Level    float64 `json:"level"`
	N        int     `json:"n"`
	KLo      int     `json:"k_lo"`
	KHi      int     `json:"k_hi"`
	Finite   bool    `json:"finite"`
	QLo, QHi float64 `json:"-"`
}

func (c *fixtureConformal) UnmarshalJSON(b []byte) error {
	type plain fixtureConformal
	var v struct {
		plain
		QLo float64 `json:"q_lo"`
		QHi float64 `json:"q_hi"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = fixtureConformal(v.plain)
	c.QLo, c.QHi = v.QLo, v.QHi
	return nil
}

type fixtureApply struct {
	Mu       float64 `json:"mu"`
	Sigma    float64 `json:"sigma"`
	PRaw     float64 `json:"p_raw"`
	PUp      float64 `json:"p_up"`
	PBear    float64 `json:"p_bear"`
	PNeutral float64 `json:"p_neutral"`
	PBull    float64 `json:"p_bull"`
	CILower  float64 `json:"ci_lower"`
	CIUpper  float64 `json:"ci_upper"`
}

type fixtureCRPS struct {
	Mu       float64 `json:"mu"`
	Sigma    float64 `json:"sigma"`
	Realised float64 `json:"realised"`
	CRPS     float64 `json:"crps"`
}

type fixtureCase struct {
	Method    ProbMethod       `json:"method"`
	Mu        []float64        `json:"mu"`
	Sigma     []float64        `json:"sigma"`
	Realised  []float64        `json:"realised"`
	Z         []float64        `json:"z"`
	Y         []int            `json:"y"`
	PLOO      []float64        `json:"p_loo"`
	Conformal fixtureConformal `json:"conformal"`
	PlattA    float64          `json:"platt_a"`
	PlattB    float64          `json:"platt_b"`
	NewtonA   float64          `json:"newton_a"`
	NewtonB   float64          `json:"newton_b"`
	IsoX      []float64        `json:"iso_x"`
	IsoY      []float64        `json:"iso_y"`
	IsoGrid   []float64        `json:"iso_grid"`
	IsoPred   []float64        `json:"iso_pred"`
	Apply     []fixtureApply   `json:"apply"`
	CRPS      []fixtureCRPS    `json:"crps"`
}

func (c fixtureCase) samples() []Sample {
	s := make([]Sample, len(c.Mu))
	for i := range s {
		s[i] = Sample{Mu: c.Mu[i], Sigma: c.Sigma[i], Realised: c.Realised[i]}
	}
	return s
}

func (c fixtureCase) up() []bool {
	y := make([]bool, len(c.Y))
	for i, v := range c.Y {
		y[i] = v == 1
	}
	return y
}

type fixture struct {
	Band       float64            `json:"band"`
	Conformal  []fixtureConformal `json:"conformal"`
	ConformalZ []float64          `json:"conformal_z"`
	Platt      fixtureCase        `json:"platt"`
	Isotonic   fixtureCase        `json:"isotonic"`
	Metrics    struct {
		P       []float64 `json:"p"`
		Y       []int     `json:"y"`
		Brier   float64   `json:"brier"`
		LogLoss float64   `json:"log_loss"`
	} `json:"metrics"`
	CRPSGaussian []fixtureCRPS `json:"crps_gaussian"`
	T4           struct {
		Z95      float64 `json:"z95"`
		Coverage float64 `json:"gaussian_interval_coverage"`
	} `json:"t4"`
}

func loadFixture(t *testing.T) fixture {
	t.Helper()
	b, err := os.ReadFile(fixturePath)
	require.NoError(t, err)
	var f fixture
	require.NoError(t, json.Unmarshal(b, &f))
	return f
}

// Expected ranks and quantiles from numpy: the k-th smallest of
// numpy.random.default_rng(20240601).standard_t(3, 250)[:n], k as in the
// package documentation, each also equal to
// np.quantile(z, k/n, method="inverted_cdf"). Exact: both pick an element.
func TestConformalQuantilesMatchNumPy(t *testing.T) {
	f := loadFixture(t)
	for _, c := range f.Conformal {
		z := slices.Clone(f.ConformalZ[:c.N])
		slices.Sort(z)
		a := 1 - c.Level
		lo, hi := conformalRanks(c.N, a)
		require.Equal(t, []int{c.KLo, c.KHi}, []int{lo, hi}, "n %d level %v", c.N, c.Level)
		require.Equal(t, c.Finite, hi <= c.N, "n %d level %v", c.N, c.Level)
		if c.Finite {
			ql, qh := conformalQuantiles(z, a)
			require.Equal(t, []float64{c.QLo, c.QHi}, []float64{ql, qh}, "n %d level %v", c.N, c.Level)
		}
	}
	// The smallest n with a finite interval, from the same ranks: 19 at 90%
	// (20·0.95 = 19), 39 at 95% (40·0.975 = 39), 99 at 98%.
	require.Equal(t, 19, conformalMin(0.1))
	require.Equal(t, 39, conformalMin(0.05))
	require.Equal(t, 99, conformalMin(1-0.98))
}

// Expected A, B from scikit-learn 1.2.1 LogisticRegression(C=1e10, lbfgs,
// tol=1e-12) of y on logit(clip(p_loo, 1/600, 1-1/600)), whose lbfgs stops
// about 3e-7 from the optimum (hence 1e-6), and from an exact Newton solve in
// numpy of the unpenalised likelihood (to 1e-12; they agree to 1e-16).
func TestPlattMatchesSklearn(t *testing.T) {
	c := loadFixture(t).Platt
	n := len(c.PLOO)
	x := make([]float64, n)
	for i, p := range c.PLOO {
		x[i] = plattFeature(p, plattClip(n))
	}
	a, b, err := fitPlatt(x, c.up())
	require.NoError(t, err)
	require.InDelta(t, c.PlattA, a, 1e-6)
	require.InDelta(t, c.PlattB, b, 1e-6)
	require.InDelta(t, c.NewtonA, a, 1e-12)
	require.InDelta(t, c.NewtonB, b, 1e-12)
	t.Logf("A-sklearn %.2g, B-sklearn %.2g, A-newton %.2g, B-newton %.2g", a-c.PlattA, b-c.PlattB, a-c.NewtonA, b-c.NewtonB)
}

// Expected thresholds and predictions from scikit-learn 1.2.1
// IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(p_loo, y):
// X_thresholds_, y_thresholds_ and predict() on a grid that includes points
// outside [0, 1], on the thresholds and between them.
func TestIsotonicMatchesSklearn(t *testing.T) {
	c := loadFixture(t).Isotonic
	tx, ty := fitIsotonic(c.PLOO, c.up())
	require.InDeltaSlice(t, c.IsoX, tx, 1e-12)
	require.InDeltaSlice(t, c.IsoY, ty, 1e-12)
	for i, p := range c.IsoGrid {
		require.InDelta(t, c.IsoPred[i], isotonicPredict(tx, ty, p), 1e-12, "p = %v", p)
	}
}

// Fit and Apply end to end against the fixture: the residuals, leave-one-out
// P(up) and conformal quantiles computed in numpy (exact, same IEEE
// operations), the recalibration from scikit-learn (Platt to 1e-6, lbfgs's
// precision; isotonic to 1e-12), the class rescaling written out in numpy
// from the package documentation, and the empirical CRPS by brute force over
// all pairs in numpy (1e-12).
func TestFitAndApplyMatchFixture(t *testing.T) {
	f := loadFixture(t)
	for _, c := range []fixtureCase{f.Platt, f.Isotonic} {
		t.Run(string(c.Method), func(t *testing.T) {
			cal, err := Fit(c.samples(), Config{})
			require.NoError(t, err)
			require.Equal(t, c.Method, cal.Prob)
			require.Equal(t, len(c.Z), cal.N)
			z := slices.Clone(c.Z)
			slices.Sort(z)
			require.Equal(t, z, cal.Z)
			require.Equal(t, []float64{c.Conformal.QLo, c.Conformal.QHi}, []float64{cal.QLo, cal.QHi})
			require.InDelta(t, 0.1, cal.Alpha, 1e-15)
			tol := 1e-12
			if c.Method == Platt {
				tol = 1e-6
				require.InDelta(t, c.PlattA, cal.PlattA, 1e-6)
				require.InDelta(t, c.PlattB, cal.PlattB, 1e-6)
			} else {
				require.InDeltaSlice(t, c.IsoX, cal.IsoX, 1e-12)
				require.InDeltaSlice(t, c.IsoY, cal.IsoY, 1e-12)
			}
			for _, q := range c.Apply {
				got := cal.Apply(q.Mu, q.Sigma)
				require.Equal(t, q.PRaw, float64(cal.above(-q.Mu/q.Sigma))/float64(cal.N))
				require.InDelta(t, q.CILower, got.CILower, 1e-15)
				require.InDelta(t, q.CIUpper, got.CIUpper, 1e-15)
				require.InDelta(t, q.PUp, got.PUp, tol, "%+v", q)
				require.InDelta(t, q.PBear, got.PBear, tol, "%+v", q)
				require.InDelta(t, q.PNeutral, got.PNeutral, tol, "%+v", q)
				require.InDelta(t, q.PBull, got.PBull, tol, "%+v", q)
			}
			for _, q := range c.CRPS {
				require.InDelta(t, q.CRPS, cal.CRPS(Sample{Mu: q.Mu, Sigma: q.Sigma, Realised: q.Realised}), 1e-12)
			}
		})
	}
}

// Expected Brier score and log loss from scikit-learn 1.2.1
// brier_score_loss(y, p) and log_loss(y, p, eps=1e-15), with p at 0, 1 and
// within 1e-17 of them (clipped); the Gaussian CRPS from the closed form in
// numpy/scipy (properscoring.crps_gaussian's formula).
func TestMetricsMatchSklearn(t *testing.T) {
	f := loadFixture(t)
	m := f.Metrics
	samples := make([]Sample, len(m.P))
	for i, y := range m.Y {
		samples[i] = Sample{Mu: float64(i), Sigma: 1, Realised: float64(2*y - 1)}
	}
	r := Score(samples, func(s Sample) Applied {
		return Applied{PUp: m.P[int(s.Mu)], CILower: -1, CIUpper: 0}
	}, func(Sample) float64 { return 0.5 })
	require.Equal(t, len(m.P), r.N)
	require.InDelta(t, m.Brier, r.Brier, 1e-15)
	require.InDelta(t, m.LogLoss, r.LogLoss, 1e-12)
	// Ends included: the five y = 0 samples (r = -1) are on CILower.
	require.InDelta(t, 5.0/12, r.Coverage, 1e-15)
	require.InDelta(t, 1, r.MeanWidth, 1e-15)
	require.InDelta(t, 0.5, r.CRPS, 1e-15)
	for _, q := range f.CRPSGaussian {
		require.InDelta(t, q.CRPS, GaussianCRPS(Sample{Mu: q.Mu, Sigma: q.Sigma, Realised: q.Realised}), 1e-14)
	}
}
