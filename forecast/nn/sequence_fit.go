package nn

import (
	"context"
	"fmt"
	"maps"
	"math"
	"sync"
	"time"

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
// keeps the raw feature rows of the training bars and the running sums of
// the realised volatilities at its last bar, and the features of later
// bars continue forecast.SequenceFeatures from there, operation for
// operation, so a window is bit-identical to the same rows of
// SequenceFeatures over all the bars. Predict also takes a prefix of the
// training bars (an in-sample prediction, from the kept rows), of at least
// Window+1 bars. A prediction reads the last training bar and the bars
// after it, up to its own day, and never the training bars' values, which
// it takes to be those of the fit. Predict calls are serialised (the
// network keeps scratch space).
type SequenceFit struct {
	FitResult
	// Net is the trained network.
	Net Network

	name   string
	window int
	band   float64
	span   forecast.Span
	train  trainFeatures
	spec   map[string]any
	mu     sync.Mutex // guards Net's scratch space
}

// Predict returns the predictive distribution of the log return after the
// last of bars, which extend the training bars or are a prefix of them.
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

// Window returns the network's input for a forecast from bars, which
// extend the training bars or are a prefix of them: the sequence features
// of the last Window bars standardised with the training scaler,
// [Window×features] row-major.
func (f *SequenceFit) Window(bars []marketdata.Bar) ([]float64, error) {
	if err := f.train.check(f.span, bars); err != nil {
		return nil, fmt.Errorf("%s: %w", f.name, err)
	}
	if len(bars) <= f.window {
		return nil, fmt.Errorf("%s: predict from %d bars: need at least %d", f.name, len(bars), f.window+1)
	}
	rows := f.train.window(bars, f.window)
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

// trainFeatures is what a prediction needs of the training bars besides
// the last one: their dates, their raw feature rows and the running sums
// of the realised volatilities after the last training return.
type trainFeatures struct {
	dates   []time.Time
	rows    [][]float64 // forecast.SequenceFeatures of the training bars
	v5, v20 forecast.RunningVol
}

func newTrainFeatures(bars []marketdata.Bar, rows [][]float64) trainFeatures {
	t := trainFeatures{rows: rows, v5: forecast.RunningVol{K: volShort}, v20: forecast.RunningVol{K: volLong}}
	t.dates = make([]time.Time, len(bars))
	for i, b := range bars {
		t.dates[i] = b.Date
	}
	for i, r := range rows {
		var o5, o20 float64
		if i >= volShort {
			o5 = rows[i-volShort][0]
		}
		if i >= volLong {
			o20 = rows[i-volLong][0]
		}
		t.v5.Next(i, r[0], o5)
		t.v20.Next(i, r[0], o20)
	}
	return t
}

// check returns an error unless bars extend the training bars (span.Check)
// or are a non-empty prefix of them (the same first and last dates as the
// training bars of that length).
func (t *trainFeatures) check(span forecast.Span, bars []marketdata.Bar) error {
	n := len(bars)
	if n == 0 || n >= len(t.dates) {
		return span.Check(bars)
	}
	if !bars[0].Date.Equal(t.dates[0]) || !bars[n-1].Date.Equal(t.dates[n-1]) {
		return fmt.Errorf("forecast: %s: predict from bars %s .. %s that are not a prefix of the training bars %s .. %s",
			span.Symbol, day(bars[0].Date), day(bars[n-1].Date), day(span.First), day(span.Last))
	}
	return nil
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// window returns the raw feature rows of the last w bars of bars (more
// than w bars, extending the training bars or a prefix of them): rows
// len(bars)-1-w .. len(bars)-2 of forecast.SequenceFeatures(bars), bit for
// bit.
func (t *trainFeatures) window(bars []marketdata.Bar, w int) [][]float64 {
	R, n := len(t.rows), len(bars)-1 // training returns, returns
	if n <= R {
		return t.rows[n-w : n]
	}
	out := make([][]float64, 0, w)
	out = append(out, t.rows[min(n-w, R):]...)
	// Returns from R-volLong on; the new ones continue the series.
	off := max(0, R-volLong)
	r := make([]float64, 0, R-off+n-R)
	for _, row := range t.rows[off:] {
		r = append(r, row[0])
	}
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
		a, b := v5.Next(i, r[i-off], o5), v20.Next(i, r[i-off], o20)
		if i < n-w {
			continue
		}
		vc := math.Log((bars[i+1].Volume + 1) / (bars[i].Volume + 1))
		out = append(out, []float64{r[i-off], a, b, vc})
	}
	return out
}
