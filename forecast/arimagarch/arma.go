package arimagarch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// armaFit is an exact Gaussian maximum-likelihood ARMA(p,q) fit of a
// (differenced) series, with the filter state at its end for forecasting.
type armaFit struct {
	p, q    int
	hasMean bool
	mean    float64
	ar, ma  []float64
	sigma2  float64
	loglik  float64
	n       int
	// Final predicted state a_{n+1|n} of y - mean and its covariance (units
	// of sigma2), and the state-space form, for forecasting.
	r       int
	a, P    []float64
	phi, rv []float64
}

// nParams counts the estimated parameters, sigma2 included (the count
// used by AIC in R and statsmodels).
func (f *armaFit) nParams() int {
	k := f.p + f.q + 1
	if f.hasMean {
		k++
	}
	return k
}

func (f *armaFit) aic() float64 { return -2*f.loglik + 2*float64(f.nParams()) }

// armaObjective evaluates the profile likelihood of ARMA coefficients.
type armaObjective struct {
	y       []float64
	p, q    int
	hasMean bool
	kal     *kalman
	phi     []float64
	theta   []float64
	work    []float64
}

func newARMAObjective(y []float64, p, q int, hasMean bool) *armaObjective {
	r := max(p, q+1)
	return &armaObjective{y: y, p: p, q: q, hasMean: hasMean, kal: newKalman(r),
		phi: make([]float64, p), theta: make([]float64, q), work: make([]float64, max(p, q, 1))}
}

// coefs sets phi and theta from the unconstrained vector u.
func (o *armaObjective) coefs(u []float64) {
	r := o.work
	for i := 0; i < o.p; i++ {
		r[i] = pacf(u[i])
	}
	pacfToCoef(o.phi, r[:o.p], make([]float64, o.p))
	for i := 0; i < o.q; i++ {
		r[i] = pacf(u[o.p+i])
	}
	pacfToCoef(o.theta, r[:o.q], make([]float64, o.q))
	for i := range o.theta {
		o.theta[i] = -o.theta[i]
	}
}

// profile returns the log-likelihood concentrated over the mean and sigma2
// at the current phi, theta, and the mean and sigma2 that attain it.
func (o *armaObjective) profile() (ll, mean, sigma2 float64, err error) {
	if err := o.kal.setModel(o.phi, o.theta); err != nil {
		return 0, 0, 0, err
	}
	s := o.kal.filter(o.y, o.hasMean)
	ssq := s.Syy
	if o.hasMean {
		mean = s.Sy1 / s.S11
		ssq = s.Syy - s.Sy1*mean
	}
	n := float64(s.N)
	sigma2 = ssq / n
	ll = -0.5*n*(math.Log(2*math.Pi*sigma2)+1) - 0.5*s.SumLogF
	return ll, mean, sigma2, nil
}

// negMean is minus the mean profile log-likelihood at u, +Inf where it is
// not defined or beyond the search barrier.
func (o *armaObjective) negMean(u []float64) float64 {
	for _, v := range u {
		if math.Abs(v) > barrierU {
			return math.Inf(1)
		}
	}
	o.coefs(u)
	ll, _, _, err := o.profile()
	if err != nil || math.IsNaN(ll) {
		return math.Inf(1)
	}
	return -ll / float64(len(o.y))
}

// fitARMA fits ARMA(p,q) (with a constant when hasMean) to y by exact
// Gaussian maximum likelihood: the likelihood concentrated over the mean
// (GLS) and sigma2 is maximised over the partial autocorrelations of the AR
// and MA polynomials, which keeps the model stationary and invertible.
func fitARMA(ctx context.Context, y []float64, p, q int, hasMean bool, maxIter int) (*armaFit, error) {
	o := newARMAObjective(y, p, q, hasMean)
	m := &memo{f: o.negMean}
	grad := func(g, x []float64) { centralGrad(g, o.negMean, x, 1e-5) }
	// The exploratory runs need only a rough gradient: forward differences
	// at half the cost, from the value at x that the search has just
	// computed.
	roughGrad := func(g, x []float64) { forwardGrad(g, o.negMean, x, m.at(x), 1e-7) }
	interior := func(u []float64) bool {
		o.coefs(u)
		return maxInverseRoot(o.phi) < rootBound && maxInverseRoot(negated(o.theta)) < rootBound
	}
	opt := newOptimizer(ctx, &optimize.BFGS{Linesearcher: &optimize.Bisection{}}, m.Func, grad)
	u, err := searchStarts(opt, grad, roughGrad, armaStarts(y, p, q), interior, maxIter)
	if err != nil {
		return nil, err
	}
	o.coefs(u)
	ll, mean, sigma2, err := o.profile()
	if err != nil {
		return nil, err
	}
	if !(sigma2 > 0) || math.IsInf(ll, 0) || math.IsNaN(ll) {
		return nil, fmt.Errorf("%w: log-likelihood %v, sigma2 %v", errNotConverged, ll, sigma2)
	}
	k := o.kal
	f := &armaFit{p: p, q: q, hasMean: hasMean, mean: mean, sigma2: sigma2, loglik: ll, n: len(y),
		ar: append([]float64(nil), o.phi...), ma: append([]float64(nil), o.theta...),
		r: k.r, P: append([]float64(nil), k.P[:k.r*k.r]...),
		phi: append([]float64(nil), k.phi[:k.r]...), rv: append([]float64(nil), k.rv[:k.r]...)}
	f.a = make([]float64, k.r)
	for i := range f.a {
		f.a[i] = k.ay[i]
		if hasMean {
			f.a[i] -= mean * k.a1[i]
		}
	}
	return f, nil
}

// fullLogLik is the exact log-likelihood at x = (mean, ar..., ma..., sigma2)
// (no mean when the fit has none), for the Hessian.
func (f *armaFit) fullLogLik(y []float64) func(x []float64) float64 {
	kal := newKalman(f.r)
	return func(x []float64) float64 {
		i := 0
		var mean float64
		if f.hasMean {
			mean = x[0]
			i = 1
		}
		phi, theta := x[i:i+f.p], x[i+f.p:i+f.p+f.q]
		sigma2 := x[len(x)-1]
		if err := kal.setModel(phi, theta); err != nil || !(sigma2 > 0) {
			return math.NaN()
		}
		s := kal.filter(y, f.hasMean)
		ssq := s.Syy - 2*mean*s.Sy1 + mean*mean*s.S11
		n := float64(s.N)
		return -0.5*n*math.Log(2*math.Pi*sigma2) - 0.5*s.SumLogF - 0.5*ssq/sigma2
	}
}

// Multi-start search for mixed ARMA models. The likelihood of an ARMA(p,q)
// with p, q > 0 is constant along the ridge of cancelling AR and MA roots
// and, for weakly dependent series such as daily returns, has several local
// maxima on either side of it. Searches start from Hannan-Rissanen and from
// near-cancelling pairs phi_1 = a, theta_1 = -a; each runs exploreIters
// iterations, and the best exploreKeep are run to convergence.
var cancelStarts = []float64{0.5, -0.5, 0.9, -0.9}

const (
	exploreIters = 8
	exploreKeep  = 2
)

// armaStarts returns the starting points of the search in the
// unconstrained space.
func armaStarts(y []float64, p, q int) [][]float64 {
	starts := [][]float64{armaStart(y, p, q)}
	if p == 0 || q == 0 {
		return starts
	}
	for _, a := range cancelStarts {
		u := make([]float64, p+q)
		// phi_1 = r_1 = a; theta_1 = -r'_1, so r'_1 = a gives theta_1 = -a.
		u[0], u[p] = math.Atanh(a), math.Atanh(a)
		starts = append(starts, u)
	}
	return starts
}

// rootBound is the largest modulus of an inverse AR or MA root accepted in
// a fit: an optimum with a root within 1% of the unit circle is rejected,
// as in Hyndman and Khandakar's (2008) automatic ARIMA (R forecast's
// auto.arima). Such a fit is a unit root in disguise (AR: difference the
// series; MA: over-differenced, or cancelling roots on the edge of the
// parameter space), its likelihood surface is flat, and its forecasts are
// those of a different model class.
const rootBound = 1 / 1.01

// barrierU bounds the unconstrained partial autocorrelations during the
// search (|r| <= tanh(barrierU) = 0.999): searches drifting to the unit
// circle, whose optima rootBound rejects anyway, stop there instead of
// spending long on a flat surface where the filter never reaches its steady
// state.
var barrierU = math.Atanh(0.999)

// atBarrier reports a search that stopped against the barrier: some
// partial autocorrelation beyond 0.998 (within about 0.35 of barrierU).
func atBarrier(u []float64) bool {
	for _, v := range u {
		if math.Abs(v) > math.Atanh(0.998) {
			return true
		}
	}
	return false
}

func negated(v []float64) []float64 {
	w := make([]float64, len(v))
	for i, x := range v {
		w[i] = -x
	}
	return w
}

// errBoundary is returned when every local optimum found has a root on or
// near the unit circle.
var errBoundary = errors.New("likelihood maximised at the edge of the stationary and invertible region")

// searchStarts minimises the objective of opt from each start and returns
// the best converged point that satisfies ok. With one start it runs to
// convergence with the gradient grad; with several, exploreIters iterations
// each with roughGrad, then the best exploreKeep of those still satisfying
// ok run to convergence with grad.
func searchStarts(opt *optimizer, grad, roughGrad func(g, x []float64), starts [][]float64, ok func([]float64) bool, maxIter int) ([]float64, error) {
	ctx := opt.ctx
	if len(starts) == 1 {
		x, _, err := opt.minimize(starts[0], maxIter)
		if err != nil {
			if atBarrier(x) {
				return nil, errBoundary
			}
			return nil, err
		}
		if !ok(x) {
			return nil, errBoundary
		}
		return x, nil
	}
	type cand struct {
		x []float64
		f float64
	}
	var cands []cand
	var firstErr error
	opt.setGrad(roughGrad)
	for _, s := range starts {
		x, fx, _, err := opt.explore(s, exploreIters)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if atBarrier(x) {
				err = errBoundary
			}
			firstErr = cmpOr(firstErr, err)
			continue
		}
		if !ok(x) {
			firstErr = cmpOr(firstErr, errBoundary)
			continue
		}
		cands = append(cands, cand{x, fx})
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].f < cands[j].f })
	var best []float64
	bestF := math.Inf(1)
	opt.setGrad(grad)
	for i := 0; i < len(cands) && i < exploreKeep; i++ {
		x, fx, err := opt.minimize(cands[i].x, maxIter)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if atBarrier(x) {
				err = errBoundary
			}
			firstErr = cmpOr(firstErr, err)
			continue
		}
		if !ok(x) {
			firstErr = cmpOr(firstErr, errBoundary)
			continue
		}
		if fx < bestF {
			best, bestF = x, fx
		}
	}
	if best == nil {
		if firstErr == nil {
			firstErr = errNotConverged
		}
		return nil, firstErr
	}
	return best, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// armaStart returns starting partial autocorrelations (unconstrained): by
// Yule-Walker for a pure AR model and by Hannan-Rissanen otherwise, or
// zeros when those are not stationary and invertible.
func armaStart(y []float64, p, q int) []float64 {
	u := make([]float64, p+q)
	if p+q == 0 {
		return u
	}
	x := demeaned(y)
	if q == 0 {
		_, r := yuleWalker(x, p)
		for i := range r {
			u[i] = math.Atanh(math.Max(-0.95, math.Min(0.95, r[i])))
		}
		return u
	}
	phi, theta, ok := hannanRissanen(x, p, q)
	if !ok {
		return u
	}
	rp, rq := make([]float64, p), make([]float64, q)
	neg := make([]float64, q)
	for i := range theta {
		neg[i] = -theta[i]
	}
	if !coefToPACF(rp, phi, make([]float64, p)) || !coefToPACF(rq, neg, make([]float64, q)) {
		return u
	}
	for i, r := range rp {
		u[i] = math.Atanh(math.Max(-0.95, math.Min(0.95, r)))
	}
	for i, r := range rq {
		u[p+i] = math.Atanh(math.Max(-0.95, math.Min(0.95, r)))
	}
	return u
}

func demeaned(y []float64) []float64 {
	var m float64
	for _, v := range y {
		m += v
	}
	m /= float64(len(y))
	x := make([]float64, len(y))
	for i, v := range y {
		x[i] = v - m
	}
	return x
}

// yuleWalker returns the AR(m) Yule-Walker coefficients of the zero-mean
// series x and its partial autocorrelations (Durbin-Levinson).
func yuleWalker(x []float64, m int) (phi, pacfs []float64) {
	n := len(x)
	acov := make([]float64, m+1)
	for k := 0; k <= m && k < n; k++ {
		var s float64
		for t := k; t < n; t++ {
			s += x[t] * x[t-k]
		}
		acov[k] = s / float64(n)
	}
	phi, pacfs = make([]float64, m), make([]float64, m)
	if acov[0] <= 0 {
		return phi, pacfs
	}
	prev := make([]float64, m)
	v := acov[0]
	for k := 1; k <= m; k++ {
		s := acov[k]
		for j := 1; j < k; j++ {
			s -= prev[j-1] * acov[k-j]
		}
		rk := s / v
		phi[k-1] = rk
		for j := 1; j < k; j++ {
			phi[j-1] = prev[j-1] - rk*prev[k-j-1]
		}
		v *= 1 - rk*rk
		pacfs[k-1] = rk
		copy(prev, phi)
	}
	return phi, pacfs
}

// hannanRissanen estimates ARMA(p,q) coefficients of the zero-mean x by a
// long autoregression for the innovations and a regression of x on its lags
// and the lagged innovations (Hannan and Rissanen 1982).
func hannanRissanen(x []float64, p, q int) (phi, theta []float64, ok bool) {
	n := len(x)
	m := min(max(int(math.Ceil(10*math.Log10(float64(n)))), p+q), n/4)
	start := m + q
	rows := n - start
	k := p + q
	if m < 1 || rows < 2*k+2 {
		return nil, nil, false
	}
	a, _ := yuleWalker(x, m)
	e := make([]float64, n)
	for t := m; t < n; t++ {
		s := x[t]
		for i := 0; i < m; i++ {
			s -= a[i] * x[t-1-i]
		}
		e[t] = s
	}
	X := mat.NewDense(rows, k, nil)
	b := mat.NewVecDense(rows, nil)
	for i := 0; i < rows; i++ {
		t := start + i
		for j := 0; j < p; j++ {
			X.Set(i, j, x[t-1-j])
		}
		for j := 0; j < q; j++ {
			X.Set(i, p+j, e[t-1-j])
		}
		b.SetVec(i, x[t])
	}
	var beta mat.VecDense
	if err := beta.SolveVec(X, b); err != nil {
		return nil, nil, false
	}
	phi, theta = make([]float64, p), make([]float64, q)
	for j := 0; j < p; j++ {
		phi[j] = beta.AtVec(j)
	}
	for j := 0; j < q; j++ {
		theta[j] = beta.AtVec(p + j)
	}
	return phi, theta, true
}
