package walkforward

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"

	"runner/forecast"
	"runner/marketdata"
)

// leakCheck is the leak check of DESIGN §5. It fails when
//   - the window re-run with every bar after its last test bar replaced by
//     noise changes any prediction or figure;
//   - a chosen configuration refitted with the bars after its training span
//     replaced by noise predicts the first day after it differently;
//   - any one-step prediction, re-made from bars whose days after its own
//     are replaced by noise, differs.
//
// The noise bars keep their dates; their prices are the real ones scaled by
// independent log-normal factors (2% volatility) and their volumes by
// uniform ones, seeded by the window's ID, so every return after the
// replaced day differs from the real one.
func leakCheck(ctx context.Context, spec Spec, bars []marketdata.Bar, w Window, res *Result) error {
	c := spec.Config
	noise := noiseBars(bars, w)
	spec.LeakCheck = false
	again, err := Validate(ctx, spec, withNoise(bars, noise, w.End+1), w)
	if err != nil {
		return fmt.Errorf("leak check: window %d with noise after %s: %w", w.ID, day(w.TestLast), err)
	}
	for m, mr := range res.Models {
		ar := again.Models[m]
		if !reflect.DeepEqual(mr.Val, ar.Val) || !reflect.DeepEqual(mr.Test, ar.Test) || !reflect.DeepEqual(mr.InSample, ar.InSample) {
			return fmt.Errorf("leak check: %s: window %d: predictions changed when the bars after %s were replaced by noise", m, w.ID, day(w.TestLast))
		}
	}
	for i := range res.Ensembles {
		a, b := res.Ensembles[i], again.Ensembles[i]
		if a.ValRMSE != b.ValRMSE || a.TestRMSE != b.TestRMSE || a.TrainRMSE != b.TrainRMSE || !reflect.DeepEqual(a.Weights, b.Weights) {
			return fmt.Errorf("leak check: ensemble %s: window %d: figures changed when the bars after %s were replaced by noise", a.Ensemble.Name, w.ID, day(w.TestLast))
		}
	}
	vs, ts := w.ValStart(c), w.TestStart(c)
	buf := make([]marketdata.Bar, len(bars)-w.Start)
	for m, mr := range res.Models {
		if mr.Err != nil {
			continue
		}
		cand := spec.Grid[m][mr.Chosen]
		for _, s := range []struct {
			name      string
			fitEnd    int // first bar after the fit's bars
			fitted    forecast.Fitted
			preds     []forecast.Distribution
			firstPred int // index of the bar the first prediction is made from
		}{
			{"validation", vs, mr.valFit, mr.Val, vs - 1},
			{"test", ts, mr.testFit, mr.Test, ts - 1},
		} {
			if err := ctx.Err(); err != nil {
				return err
			}
			noisy := withNoise(bars, noise, s.fitEnd)
			_, ds, err := fitPath(ctx, cand, noisy[w.Start:s.fitEnd], noisy[w.Start:s.fitEnd], s.fitEnd-1-w.Start)
			if err != nil {
				return fmt.Errorf("leak check: %s: refit with noise after %s: %w", m, day(bars[s.fitEnd-1].Date), err)
			}
			if ds[0] != s.preds[0] {
				return fmt.Errorf("leak check: %s %s: the fit reads bars after its training span: the prediction from %s changed when later bars were replaced by noise",
					m, s.name, day(bars[s.fitEnd-1].Date))
			}
			for t, d := range s.preds {
				i := s.firstPred + t
				copy(buf, bars[w.Start:])
				copy(buf[i+1-w.Start:], noise[i+1-w.Start:])
				got, err := s.fitted.Predict(ctx, buf[:i+1-w.Start])
				if err != nil {
					return fmt.Errorf("leak check: %s %s: predict from %s: %w", m, s.name, day(bars[i].Date), err)
				}
				if got != d {
					return fmt.Errorf("leak check: %s %s: the prediction from %s changed when the bars after it were replaced by noise", m, s.name, day(bars[i].Date))
				}
			}
		}
	}
	return nil
}

// noiseBars returns replacement bars for bars[w.Start:], index 0 standing
// for bars[w.Start]; withNoise splices them in from a given index on.
func noiseBars(bars []marketdata.Bar, w Window) []marketdata.Bar {
	rng := rand.New(rand.NewPCG(uint64(w.ID), 0x1eac))
	out := make([]marketdata.Bar, len(bars)-w.Start)
	for i := range out {
		b := bars[w.Start+i]
		f := math.Exp(0.02 * rng.NormFloat64())
		b.Open, b.High, b.Low, b.Close, b.AdjClose = b.Open*f, b.High*f, b.Low*f, b.Close*f, b.AdjClose*f
		b.Volume = math.Round(b.Volume * (0.5 + rng.Float64()))
		out[i] = b
	}
	return out
}

// withNoise returns a copy of bars whose bars from index k on are the noise
// bars.
func withNoise(bars, noise []marketdata.Bar, k int) []marketdata.Bar {
	out := append([]marketdata.Bar(nil), bars...)
	start := len(bars) - len(noise)
	for i := k; i < len(out); i++ {
		out[i] = noise[i-start]
	}
	return out
}
