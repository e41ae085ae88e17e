package arimagarch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
)

// Defaults of Config.
const (
	// MaxOrderDefault bounds p and q in the automatic order search.
	MaxOrderDefault = 2
	// MaxIterationsDefault caps the quasi-Newton iterations of one search.
	MaxIterationsDefault = 500
	// MaxOrderLimit is the largest p or q accepted.
	MaxOrderLimit = 10
	// GARCHMinObs is the fewest observations a GARCH(1,1) fit accepts.
	GARCHMinObs = 100
)

// Config specifies a fit. The zero value is an ARMA(0,0) with a constant
// and homoskedastic Gaussian errors.
type Config struct {
	// P and Q are the ARMA orders when Auto is false. Default 0.
	P, Q int
	// D is the order of differencing, 0 or 1. With D = 1 the constant is
	// the drift of the differenced series. Default 0.
	D int
	// Auto selects (p, q) in {0..MaxOrder}^2 by the AIC of the exact
	// Gaussian ARMA likelihood. Default false.
	Auto bool
	// MaxOrder bounds p and q in the search. Default MaxOrderDefault.
	MaxOrder int
	// NoMean drops the constant. Default false (constant estimated).
	NoMean bool
	// GARCH adds GARCH(1,1) errors, estimated jointly with the mean.
	// Default false.
	GARCH bool
	// Dist is the innovation distribution of the GARCH model (ignored
	// without GARCH). Default Normal.
	Dist Dist
	// StdErrors computes standard errors from the Hessian of the
	// log-likelihood. Default false.
	StdErrors bool
	// MaxIterations caps the iterations of each search; a search that has
	// not converged by then fails. Default MaxIterationsDefault.
	MaxIterations int
	// Workers fits the orders of the automatic search concurrently.
	// Default 1.
	Workers int
}

func (c Config) validate() error {
	switch {
	case c.D != 0 && c.D != 1:
		return fmt.Errorf("d = %d: want 0 or 1", c.D)
	case c.P < 0 || c.Q < 0 || c.P > MaxOrderLimit || c.Q > MaxOrderLimit:
		return fmt.Errorf("orders p = %d, q = %d: want 0..%d", c.P, c.Q, MaxOrderLimit)
	case c.MaxOrder < 0 || c.MaxOrder > MaxOrderLimit:
		return fmt.Errorf("max order %d: want 0..%d", c.MaxOrder, MaxOrderLimit)
	case c.Dist != Normal && c.Dist != StudentT:
		return fmt.Errorf("unknown distribution %d", c.Dist)
	case c.MaxIterations < 0, c.Workers < 0:
		return fmt.Errorf("negative iterations or workers")
	}
	return nil
}

// Param is one estimate with its standard error (zero when not computed).
type Param struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	SE    float64 `json:"se,omitempty"`
}

// OrderFit is one order of the automatic search.
type OrderFit struct {
	P      int     `json:"p"`
	Q      int     `json:"q"`
	LogLik float64 `json:"loglik,omitempty"`
	AIC    float64 `json:"aic,omitempty"`
	// Err says why the order has no ARMA fit (empty when it has one).
	Err string `json:"error,omitempty"`
	// GARCHErr says why the joint ARMA(p,q)-GARCH(1,1) fit of the order
	// was rejected: it failed or ended at the edge of the parameter space.
	// Empty when the order was chosen or not tried: the search tries the
	// orders by increasing AIC and stops at the first joint fit accepted.
	GARCHErr string `json:"garch_error,omitempty"`
}

// Result is a fitted model.
type Result struct {
	P, Q, D int
	GARCH   bool
	Dist    Dist
	// HasMean reports a constant: the process mean (D = 0) or drift (D = 1).
	HasMean bool
	Mean    float64
	AR, MA  []float64
	// Omega, Alpha, Beta are the GARCH(1,1) parameters and Nu the Student
	// t degrees of freedom (zero when not estimated).
	Omega, Alpha, Beta, Nu float64
	// Sigma2 is the innovation variance of the ARMA model, or the
	// unconditional variance omega/(1-alpha-beta) of the GARCH model; 0
	// for an integrated GARCH, whose unconditional variance is infinite.
	Sigma2 float64
	// Integrated reports a GARCH fit whose persistence alpha + beta ran to
	// 1 (within 1e-5): taken only when no order (or the fixed order) has
	// an interior fit. Its one-step forecasts are finite; its multi-step
	// variances grow without bound.
	Integrated bool
	LogLik     float64
	AIC        float64
	// NObs is the number of observations in the likelihood.
	NObs int
	// Params lists the estimates in order, with standard errors when
	// Config.StdErrors was set.
	Params []Param
	// Search is the AIC table of the automatic search (nil otherwise).
	Search []OrderFit

	arma  *armaFit
	garch *garchFit
	last  float64 // last observation of the undifferenced series
}

// Step is the forecast for one step ahead.
type Step struct {
	// Mean is the point forecast and SE the standard deviation of its
	// error (parameter uncertainty not included).
	Mean float64 `json:"mean"`
	SE   float64 `json:"se"`
	// Variance is the conditional variance of the innovation at that step
	// (sigma2 without GARCH).
	Variance float64 `json:"variance"`
}

// Fit fits the model of cfg to the series y (oldest first).
func Fit(ctx context.Context, y []float64, cfg Config) (*Result, error) {
	res, err := fit(ctx, y, cfg)
	if err != nil {
		return nil, fmt.Errorf("arimagarch: %w", err)
	}
	return res, nil
}

// fit is Fit with errors that do not name the package.
func fit(ctx context.Context, y []float64, cfg Config) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg.MaxOrder = cmp.Or(cfg.MaxOrder, MaxOrderDefault)
	cfg.MaxIterations = cmp.Or(cfg.MaxIterations, MaxIterationsDefault)
	cfg.Workers = cmp.Or(cfg.Workers, 1)
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("observation %d is %v", i+1, v)
		}
	}
	x := y
	if cfg.D == 1 {
		if len(y) < 2 {
			return nil, fmt.Errorf("%d observations: too few to difference", len(y))
		}
		x = make([]float64, len(y)-1)
		for i := range x {
			x[i] = y[i+1] - y[i]
		}
	}
	if len(x) > 0 {
		lo, hi := x[0], x[0]
		for _, v := range x {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if hi-lo <= 1e-12*math.Max(math.Abs(hi), math.Abs(lo)) {
			what := "series"
			if cfg.D == 1 {
				what = "differenced series"
			}
			return nil, fmt.Errorf("constant %s (every value %v): nothing to model", what, lo)
		}
	}
	hasMean := !cfg.NoMean
	p, q := cfg.P, cfg.Q
	if cfg.Auto {
		p, q = cfg.MaxOrder, cfg.MaxOrder
	}
	if need := minObs(p, q, cfg.GARCH); len(x) < need {
		return nil, fmt.Errorf("%d observations: ARMA(%d,%d)%s needs at least %d", len(x), p, q, garchSuffix(cfg.GARCH), need)
	}
	res := &Result{D: cfg.D, GARCH: cfg.GARCH, Dist: cfg.Dist, HasMean: hasMean, last: y[len(y)-1]}
	var (
		af *armaFit
		gf *garchFit
	)
	switch {
	case cfg.Auto:
		var (
			fits   []*armaFit
			ranked []int
			err    error
		)
		fits, ranked, res.Search, err = searchOrders(ctx, x, cfg.MaxOrder, hasMean, cfg.MaxIterations, cfg.Workers)
		if err != nil {
			return nil, err
		}
		if !cfg.GARCH {
			af = fits[ranked[0]]
			break
		}
		// The first order by AIC whose joint ARMA-GARCH fit succeeds and
		// is not at the edge of the parameter space. When every order's
		// GARCH persistence runs to the integrated edge (the likelihood
		// rises up to alpha + beta = 1, as over spans of steadily falling
		// volatility), the first order by AIC whose ARMA part is interior
		// is taken as an integrated GARCH: its one-step forecasts are
		// finite, only the unconditional variance is not.
		var (
			igA *armaFit
			igG *garchFit
		)
		for _, i := range ranked {
			f := fits[i]
			g, err := fitGARCH(ctx, x, f.p, f.q, hasMean, cfg.Dist, f.mean, f.ar, f.ma, cfg.MaxIterations)
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("order search: %w", ctx.Err())
				}
				if g != nil && errors.Is(err, errIntegrated) && igG == nil {
					igA, igG = f, g
				}
				res.Search[i].GARCHErr = explain(err).Error()
				continue
			}
			af, gf = f, g
			break
		}
		if gf == nil && igG != nil {
			af, gf, res.Integrated = igA, igG, true
		}
		if gf == nil {
			return nil, fmt.Errorf("order search: no ARMA(p,q)-GARCH(1,1) %s, p,q <= %d, could be fitted (%s)",
				cfg.Dist, cfg.MaxOrder, searchErrors(res.Search))
		}
	default:
		var err error
		af, err = fitARMA(ctx, x, p, q, hasMean, cfg.MaxIterations)
		if err != nil {
			return nil, fmt.Errorf("fit ARMA(%d,%d): %w", p, q, explain(err))
		}
		if cfg.GARCH {
			gf, err = fitGARCH(ctx, x, af.p, af.q, hasMean, cfg.Dist, af.mean, af.ar, af.ma, cfg.MaxIterations)
			if gf != nil && errors.Is(err, errIntegrated) {
				res.Integrated, err = true, nil
			}
			if err != nil {
				return nil, fmt.Errorf("fit ARMA(%d,%d)-GARCH(1,1) %s: %w", af.p, af.q, cfg.Dist, explain(err))
			}
		}
	}
	res.P, res.Q, res.arma = af.p, af.q, af
	if !cfg.GARCH {
		res.Mean, res.AR, res.MA, res.Sigma2 = af.mean, af.ar, af.ma, af.sigma2
		res.LogLik, res.AIC, res.NObs = af.loglik, af.aic(), af.n
		if err := res.armaParams(x, cfg.StdErrors); err != nil {
			return nil, fmt.Errorf("ARMA(%d,%d) standard errors: %w", af.p, af.q, err)
		}
		return res, nil
	}
	res.garch = gf
	mu, phi, ma, omega, alpha, beta, nu := gf.parts()
	res.Mean, res.AR, res.MA = mu, append([]float64(nil), phi...), append([]float64(nil), ma...)
	res.Omega, res.Alpha, res.Beta, res.Nu = omega, alpha, beta, nu
	if !res.Integrated {
		res.Sigma2 = omega / (1 - alpha - beta)
	}
	res.LogLik, res.NObs = gf.loglik, gf.m
	res.AIC = -2*gf.loglik + 2*float64(len(gf.theta))
	if err := res.garchParams(cfg.StdErrors); err != nil {
		return nil, fmt.Errorf("ARMA(%d,%d)-GARCH(1,1) standard errors: %w", af.p, af.q, err)
	}
	return res, nil
}

// searchErrors lists why each order of the search has no fit.
func searchErrors(table []OrderFit) string {
	var b strings.Builder
	for _, o := range table {
		msg := cmp.Or(o.Err, o.GARCHErr)
		if msg == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "ARMA(%d,%d): %s", o.P, o.Q, msg)
	}
	return b.String()
}

func garchSuffix(g bool) string {
	if g {
		return "-GARCH(1,1)"
	}
	return ""
}

// minObs is the fewest observations (after differencing) a model needs.
func minObs(p, q int, garch bool) int {
	n := max(10, 3*(p+q+2))
	if garch {
		n = max(n, GARCHMinObs)
	}
	return n
}

// explain adds a hint to the errors a caller can act on.
func explain(err error) error {
	if errors.Is(err, errBoundary) || errors.Is(err, errPrior) {
		return fmt.Errorf("%w: a root within 1%% of the unit circle (near unit root: difference the series, d=1, or lower the order)", err)
	}
	return err
}

// searchOrders fits every ARMA(p,q), p, q <= maxOrder, by exact maximum
// likelihood. It returns the fits (nil for an order that could not be
// fitted), the indices of those fitted ranked by AIC (smallest first; ties
// keep the order p then q), and the table of all orders. Orders that cannot
// be fitted (see OrderFit.Err) are left out of the ranking; the search
// fails only when none can be fitted.
func searchOrders(ctx context.Context, x []float64, maxOrder int, hasMean bool, maxIter, workers int) ([]*armaFit, []int, []OrderFit, error) {
	type job struct{ i, p, q int }
	var jobs []job
	for p := 0; p <= maxOrder; p++ {
		for q := 0; q <= maxOrder; q++ {
			jobs = append(jobs, job{len(jobs), p, q})
		}
	}
	fits := make([]*armaFit, len(jobs))
	table := make([]OrderFit, len(jobs))
	run := func(j job) {
		table[j.i] = OrderFit{P: j.p, Q: j.q}
		f, err := fitARMA(ctx, x, j.p, j.q, hasMean, maxIter)
		if err != nil {
			table[j.i].Err = explain(err).Error()
			return
		}
		fits[j.i] = f
		table[j.i].LogLik, table[j.i].AIC = f.loglik, f.aic()
	}
	if workers <= 1 {
		for _, j := range jobs {
			run(j)
		}
	} else {
		ch := make(chan job)
		var wg sync.WaitGroup
		for w := 0; w < min(workers, len(jobs)); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range ch {
					run(j)
				}
			}()
		}
		for _, j := range jobs {
			ch <- j
		}
		close(ch)
		wg.Wait()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("order search: %w", err)
	}
	var ranked []int
	for i, f := range fits {
		if f != nil {
			ranked = append(ranked, i)
		}
	}
	if len(ranked) == 0 {
		return nil, nil, table, fmt.Errorf("order search: no ARMA(p,q), p,q <= %d, could be fitted (ARMA(0,0): %s)", maxOrder, table[0].Err)
	}
	sort.SliceStable(ranked, func(a, b int) bool { return fits[ranked[a]].aic() < fits[ranked[b]].aic() })
	return fits, ranked, table, nil
}
