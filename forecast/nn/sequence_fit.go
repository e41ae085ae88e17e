package nn

import (
	"context"
	"fmt"
	"maps"
	"math"
	"sync"

	"runner/forecast"
	"runner/marketdata"
)

// SequenceFit is a trained sequence model (SequenceModel.Train), a
// forecast.Fitted: the network, the training scaler and the
// validation-residual sigma, with the training record.
//
// Predict standardises the sequence features of the last Window bars with
// the training scaler and reads the network's forecast; sigma stays the
// fitted one. Only the features of the last window are computed: the fit
// keeps the raw feature rows of its last window and the running sums of
// the realised volatilities at its last bar, and the features of later
// bars continue forecast.SequenceFeatures from there, operation for
// operation, so a window is bit-identical to the same rows of
// SequenceFeatures over all the bars. Predict calls are serialised (the
// network keeps scratch space); a prediction reads the last training bar
// and the bars after it only.
type SequenceFit struct {
	FitResult
	// Net is the trained network.
	Net Network

	name   string
	window int
	band   float64
	span   forecast.Span
	tail   sequenceTail
	spec   map[string]any
	mu     sync.Mutex // guards Net's scratch space
}

// Predict returns the predictive distribution of the log return after the
// last of bars, which must extend the training bars.
func (f *SequenceFit) Predict(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
	x, err := f.Window(bars)
	if err != nil {
		return forecast.Distribution{}, err
	}
	var out [1]float64
	f.mu.Lock()
	f.Net.Predict(out[:], x, 1)
	f.mu.Unlock()
	mu := f.Scaler.Invert(out[0], 0)
	if math.IsNaN(mu) || math.IsInf(mu, 0) {
		return forecast.Distribution{}, fmt.Errorf("%s: predict from %d bars: forecast is %v", f.name, len(bars), mu)
	}
	d := forecast.Normal(mu, f.Sigma, f.band)
	if err := d.Check(); err != nil {
		return forecast.Distribution{}, fmt.Errorf("%s: %w", f.name, err)
	}
	return d, nil
}

// Spec returns the hyperparameters and training settings of the fit, with
// the number of epochs run and the best validation epoch.
func (f *SequenceFit) Spec() map[string]any { return maps.Clone(f.spec) }

// Window returns the network's input for a forecast from bars, which must
// extend the training bars: the sequence features of the last Window bars
// standardised with the training scaler, [Window×features] row-major.
func (f *SequenceFit) Window(bars []marketdata.Bar) ([]float64, error) {
	if err := f.span.Check(bars); err != nil {
		return nil, fmt.Errorf("%s: %w", f.name, err)
	}
	rows := f.tail.rows(bars, f.span.Bars, f.window)
	nf := len(f.Scaler.Mean)
	x := make([]float64, f.window*nf)
	for i, r := range rows {
		for j, v := range r {
			x[i*nf+j] = f.Scaler.Apply(v, j)
		}
	}
	return x, nil
}

// Realised-volatility windows of forecast.SequenceFeatures.
const volShort, volLong = 5, 20

// sequenceTail is what a prediction needs of the training bars besides
// the last one: the raw feature rows of the last training window, the last
// volLong training returns and the running sums of the realised
// volatilities after the last training return.
type sequenceTail struct {
	last    [][]float64 // rows R-w .. R-1 of SequenceFeatures, R training returns
	returns []float64   // returns R-len(returns) .. R-1
	v5, v20 runningVol
}

func newSequenceTail(rows [][]float64, w int) sequenceTail {
	n := len(rows)
	t := sequenceTail{v5: runningVol{k: volShort}, v20: runningVol{k: volLong}}
	for _, r := range rows[n-w:] {
		t.last = append(t.last, append([]float64(nil), r...))
	}
	for i := max(0, n-volLong); i < n; i++ {
		t.returns = append(t.returns, rows[i][0])
	}
	for i, r := range rows {
		var o5, o20 float64
		if i >= volShort {
			o5 = rows[i-volShort][0]
		}
		if i >= volLong {
			o20 = rows[i-volLong][0]
		}
		t.v5.next(i, r[0], o5)
		t.v20.next(i, r[0], o20)
	}
	return t
}

// rows returns the raw feature rows of the last w bars of bars, the first
// trainBars of which are the training bars: rows len(bars)-1-w ..
// len(bars)-2 of forecast.SequenceFeatures(bars), bit for bit.
func (t *sequenceTail) rows(bars []marketdata.Bar, trainBars, w int) [][]float64 {
	R, n := trainBars-1, len(bars)-1 // training returns, returns
	out := make([][]float64, 0, w)
	for i := n - w; i < min(n, R); i++ {
		out = append(out, t.last[i-(R-w)])
	}
	if n == R {
		return out
	}
	// Returns from R-len(t.returns) on; the new ones continue the series.
	off := R - len(t.returns)
	r := make([]float64, len(t.returns), len(t.returns)+n-R)
	copy(r, t.returns)
	for i := R; i < n; i++ {
		r = append(r, math.Log(bars[i+1].AdjClose/bars[i].AdjClose))
	}
	v5, v20 := t.v5, t.v20
	for i := R; i < n; i++ {
		var o5, o20 float64
		if i >= volShort {
			o5 = r[i-volShort-off]
		}
		if i >= volLong {
			o20 = r[i-volLong-off]
		}
		a, b := v5.next(i, r[i-off], o5), v20.next(i, r[i-off], o20)
		if i < n-w {
			continue
		}
		vc := math.Log((bars[i+1].Volume + 1) / (bars[i].Volume + 1))
		out = append(out, []float64{r[i-off], a, b, vc})
	}
	return out
}

// runningVol continues forecast.RealisedVol(r, k) one return at a time,
// with the same operations, so that it reproduces it bit for bit.
type runningVol struct {
	k   int
	sum float64
}

// next takes return t, rt, and the one leaving the window, old = r[t-k]
// (ignored while t < k), and returns the realised volatility at t.
func (v *runningVol) next(t int, rt, old float64) float64 {
	v.sum += rt * rt
	n := t + 1
	if t >= v.k {
		v.sum -= old * old
		n = v.k
	}
	if v.sum < 0 { // rounding of the running sum
		v.sum = 0
	}
	return math.Sqrt(v.sum / float64(n))
}
