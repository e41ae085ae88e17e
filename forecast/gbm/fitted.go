package gbm

import (
	"context"
	"fmt"
	"math"
	"time"

	"runner/forecast"
	"runner/marketdata"
)

// Fitted is a fitted model (Model.Train), a forecast.Fitted: the full
// ensemble that gives mu and the held-out sigma, with the ensemble fitted
// before the holdout.
//
// Predict builds the feature row of the last of the given bars (Design's
// next row for those bars) and returns the full ensemble's prediction with
// the fitted sigma. The row is computed from the fit's tail (the last
// training returns and the running sums of the realised volatilities) and
// the later bars only, continuing forecast.RealisedVol operation for
// operation, so it is bit-identical to Design over all the bars. Predict
// also takes a prefix of the training bars (an in-sample prediction, from
// the training rows), of at least VolLong+1 bars. A prediction reads the
// last training bar and the bars after it, up to its own day, and never
// the training bars' values, which it takes to be those of the fit.
// Predict is safe for concurrent use.
type Fitted struct {
	// Full is the ensemble fitted on every training row; it gives Mu.
	Full *Ensemble
	// Held is the ensemble fitted on the rows before the holdout; its
	// residuals on the holdout give Sigma.
	Held *Ensemble
	// Rows and HoldoutRows are the numbers of training and held-out rows.
	Rows, HoldoutRows int
	// Sigma is the root mean squared error of Held on the held-out rows,
	// the predictive standard deviation.
	Sigma float64

	cfg  ModelConfig
	span forecast.Span
	tail featureTail
}

// Predict returns the predictive distribution of the log return after the
// last of bars, which must extend the training bars.
func (f *Fitted) Predict(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
	x, err := f.row(bars)
	if err != nil {
		return forecast.Distribution{}, err
	}
	mu := f.Full.Predict(x)
	if math.IsNaN(mu) || math.IsInf(mu, 0) {
		return forecast.Distribution{}, fmt.Errorf("gbm: forecast %v from %d bars is not finite", mu, len(bars))
	}
	d := forecast.Normal(mu, f.Sigma, f.cfg.NeutralBand)
	if err := d.Check(); err != nil {
		return forecast.Distribution{}, fmt.Errorf("gbm: %w", err)
	}
	return d, nil
}

// Spec returns the boosting settings and the holdout fraction.
func (f *Fitted) Spec() map[string]any {
	b := f.cfg.Boost
	return map[string]any{"trees": b.Trees, "max_depth": b.MaxDepth, "learning_rate": b.LearningRate,
		"subsample": b.Subsample, "min_samples_leaf": b.MinSamplesLeaf, "holdout": f.cfg.Holdout}
}

// row returns the feature row of the last of bars: Design(LogReturns(bars))'s
// next row, bit for bit.
func (f *Fitted) row(bars []marketdata.Bar) ([]float64, error) {
	n := len(bars)
	if n > 0 && n < f.span.Bars { // a prefix of the training bars
		if !bars[0].Date.Equal(f.tail.dates[0]) || !bars[n-1].Date.Equal(f.tail.dates[n-1]) {
			return nil, fmt.Errorf("gbm: %s: predict from bars %s .. %s that are not a prefix of the training bars %s .. %s",
				f.span.Symbol, day(bars[0]), day(bars[n-1]), f.span.First.Format(time.DateOnly), f.span.Last.Format(time.DateOnly))
		}
		if n-2 < firstRow {
			return nil, fmt.Errorf("gbm: predict from %d bars: need at least %d", n, firstRow+2)
		}
	} else if err := f.span.Check(bars); err != nil {
		return nil, fmt.Errorf("gbm: %w", err)
	}
	return f.tail.row(bars, f.span.Bars), nil
}

func day(b marketdata.Bar) string { return b.Date.Format(time.DateOnly) }

// firstRow is the return index of Design's first row.
const firstRow = max(Lags, VolLong) - 1

// featureTail is what a prediction needs of the training bars besides the
// last one: their dates and Design's rows, the last VolLong training
// returns and the running sums of the realised volatilities after the last
// of them.
type featureTail struct {
	dates   []time.Time
	rows    [][]float64 // Design's rows of the training bars, the next row last
	returns []float64   // returns R-len(returns) .. R-1 of the R training returns
	v5, v20 forecast.RunningVol
}

func newFeatureTail(bars []marketdata.Bar, r []float64, X [][]float64, next []float64) featureTail {
	R := len(r)
	t := featureTail{rows: append(X[:len(X):len(X)], next), returns: append([]float64(nil), r[max(0, R-VolLong):]...),
		v5: forecast.RunningVol{K: VolShort}, v20: forecast.RunningVol{K: VolLong}}
	t.dates = make([]time.Time, len(bars))
	for i, b := range bars {
		t.dates[i] = b.Date
	}
	for i, rt := range r {
		var o5, o20 float64
		if i >= VolShort {
			o5 = r[i-VolShort]
		}
		if i >= VolLong {
			o20 = r[i-VolLong]
		}
		t.v5.Next(i, rt, o5)
		t.v20.Next(i, rt, o20)
	}
	return t
}

// row returns the feature row of the last of bars, the first trainBars of
// which are the training bars.
func (t *featureTail) row(bars []marketdata.Bar, trainBars int) []float64 {
	R, n := trainBars-1, len(bars)-1 // training returns, returns
	x := make([]float64, Features)
	if n <= R {
		copy(x, t.rows[n-1-firstRow])
		return x
	}
	off := R - len(t.returns) // r[i-off] is return i
	r := make([]float64, len(t.returns), len(t.returns)+n-R)
	copy(r, t.returns)
	for i := R; i < n; i++ {
		r = append(r, math.Log(bars[i+1].AdjClose/bars[i].AdjClose))
	}
	v5, v20 := t.v5, t.v20
	var a, b float64
	for i := R; i < n; i++ {
		var o5, o20 float64
		if i >= VolShort {
			o5 = r[i-VolShort-off]
		}
		if i >= VolLong {
			o20 = r[i-VolLong-off]
		}
		a, b = v5.Next(i, r[i-off], o5), v20.Next(i, r[i-off], o20)
	}
	last := n - 1
	for j := 0; j < Lags; j++ {
		x[j] = r[last-j-off]
	}
	x[Lags], x[Lags+1] = a, b
	return x
}
