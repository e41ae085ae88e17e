package arimagarch

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// paramNames names the mean parameters.
func meanNames(hasMean bool, d, p, q int) []string {
	var n []string
	if hasMean {
		if d == 1 {
			n = append(n, "drift")
		} else {
			n = append(n, "mean")
		}
	}
	for i := 1; i <= p; i++ {
		n = append(n, fmt.Sprintf("ar%d", i))
	}
	for i := 1; i <= q; i++ {
		n = append(n, fmt.Sprintf("ma%d", i))
	}
	return n
}

// armaParams fills Params for an ARMA fit: (mean, ar, ma, sigma2), with
// standard errors from the numerical Hessian of the exact log-likelihood.
func (r *Result) armaParams(x []float64, withSE bool) error {
	f := r.arma
	names := append(meanNames(f.hasMean, r.D, f.p, f.q), "sigma2")
	var theta, typ []float64
	if f.hasMean {
		theta = append(theta, f.mean)
		typ = append(typ, math.Sqrt(f.sigma2))
	}
	theta = append(theta, f.ar...)
	theta = append(theta, f.ma...)
	for range f.p + f.q {
		typ = append(typ, 0.1)
	}
	theta = append(theta, f.sigma2)
	typ = append(typ, f.sigma2)
	r.Params = make([]Param, len(theta))
	for i := range theta {
		r.Params[i] = Param{Name: names[i], Value: theta[i]}
	}
	if !withSE {
		return nil
	}
	H := hessianFromFunc(f.fullLogLik(x), theta, typ)
	se, err := stdErrors(H)
	if err != nil {
		return err
	}
	for i := range se {
		r.Params[i].SE = se[i]
	}
	return nil
}

// garchParams fills Params for an ARMA-GARCH fit, with standard errors from
// the Hessian obtained by central differences of the analytic gradient.
func (r *Result) garchParams(withSE bool) error {
	f := r.garch
	names := append(meanNames(f.hasMean, r.D, f.p, f.q), "omega", "alpha", "beta")
	if f.dist == StudentT {
		names = append(names, "nu")
	}
	r.Params = make([]Param, len(f.theta))
	for i, v := range f.theta {
		r.Params[i] = Param{Name: names[i], Value: v}
	}
	if !withSE {
		return nil
	}
	typ := make([]float64, len(f.theta))
	for i, n := range names {
		switch n {
		case "mean", "drift":
			typ[i] = math.Sqrt(r.Sigma2)
		case "omega":
			typ[i] = r.Omega
		case "nu":
			typ[i] = 1
		default:
			typ[i] = 0.1
		}
	}
	H := hessianFromGrad(f.gradTheta(), f.theta, typ)
	se, err := stdErrors(H)
	if err != nil {
		return err
	}
	for i := range se {
		r.Params[i].SE = se[i]
	}
	return nil
}

// hessianFromFunc is the central second-difference Hessian of f at x, with
// steps 1e-4 * max(|x_i|, typ_i) (truncation and rounding errors both
// about 1e-8 relative).
func hessianFromFunc(f func([]float64) float64, x, typ []float64) *mat.SymDense {
	n := len(x)
	h := make([]float64, n)
	for i := range x {
		h[i] = 1e-4 * math.Max(math.Abs(x[i]), typ[i])
	}
	xx := append([]float64(nil), x...)
	f0 := f(xx)
	H := mat.NewSymDense(n, nil)
	at := func(i int, di float64, j int, dj float64) float64 {
		copy(xx, x)
		xx[i] += di
		xx[j] += dj
		return f(xx)
	}
	for i := 0; i < n; i++ {
		H.SetSym(i, i, (at(i, h[i], i, 0)-2*f0+at(i, -h[i], i, 0))/(h[i]*h[i]))
		for j := 0; j < i; j++ {
			v := (at(i, h[i], j, h[j]) - at(i, h[i], j, -h[j]) - at(i, -h[i], j, h[j]) + at(i, -h[i], j, -h[j])) / (4 * h[i] * h[j])
			H.SetSym(i, j, v)
		}
	}
	return H
}

// hessianFromGrad is the symmetrised central-difference Jacobian of the
// gradient g at x, with steps 1e-5 * max(|x_i|, typ_i).
func hessianFromGrad(g func(dst, x []float64), x, typ []float64) *mat.SymDense {
	n := len(x)
	xx := append([]float64(nil), x...)
	gp, gm := make([]float64, n), make([]float64, n)
	J := make([]float64, n*n)
	for j := 0; j < n; j++ {
		h := 1e-5 * math.Max(math.Abs(x[j]), typ[j])
		copy(xx, x)
		xx[j] = x[j] + h
		g(gp, xx)
		xx[j] = x[j] - h
		g(gm, xx)
		for i := 0; i < n; i++ {
			J[i*n+j] = (gp[i] - gm[i]) / (2 * h)
		}
	}
	H := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			H.SetSym(i, j, (J[i*n+j]+J[j*n+i])/2)
		}
	}
	return H
}

// stdErrors returns sqrt(diag((-H)^-1)); it fails unless -H is positive
// definite (the fit is a strict local maximum).
func stdErrors(H *mat.SymDense) ([]float64, error) {
	n := H.SymmetricDim()
	neg := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			v := -H.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, errors.New("Hessian is not finite")
			}
			neg.SetSym(i, j, v)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(neg) {
		return nil, errors.New("Hessian is not negative definite: the fit is not a strict local maximum")
	}
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		return nil, fmt.Errorf("invert Hessian: %w", err)
	}
	se := make([]float64, n)
	for i := range se {
		se[i] = math.Sqrt(inv.At(i, i))
	}
	return se, nil
}
