package arimagarch

import (
	"context"
	"fmt"

	"runner/forecast"
	"runner/marketdata"
)

// Fitted is the model fitted on the log returns of a span of training bars.
// It forecasts the return after any later bar with the fitted parameters,
// without refitting: the Kalman filter (ARMA) or the residual and GARCH
// variance recursions run forward over the returns of the given bars from
// the start of the training span (Result.OneStep). It is not modified after
// Fit and is safe for concurrent use.
type Fitted struct {
	res  *Result
	span forecast.Span
	band float64
}

var (
	_ forecast.Fitted        = (*Fitted)(nil)
	_ forecast.PathPredictor = (*Fitted)(nil)
)

// Result returns the fit: the chosen order, the estimates and the order
// search table. The caller must not modify it.
func (f *Fitted) Result() *Result { return f.res }

// Spec returns the chosen configuration: {"p", "q", "garch": "1,1" (or
// "none" for homoskedastic errors), "dist": "normal" or "t"}.
func (f *Fitted) Spec() map[string]any {
	g := "none"
	if f.res.GARCH {
		g = "1,1"
	}
	spec := map[string]any{"p": f.res.P, "q": f.res.Q, "garch": g, "dist": f.res.Dist.String()}
	if f.res.Integrated {
		spec["integrated"] = true
	}
	return spec
}

// Predict returns the predictive distribution of the return after the last
// of bars, which must extend the training bars or be a prefix of them (an
// in-sample prediction, with the parameters fitted on all of them).
func (f *Fitted) Predict(ctx context.Context, bars []marketdata.Bar) (forecast.Distribution, error) {
	d, err := f.PredictPath(ctx, bars, len(bars)-1)
	if err != nil {
		return forecast.Distribution{}, err
	}
	return d[0], nil
}

// PredictPath returns the predictions Predict(bars[:i+1]) for i = from ..
// len(bars)-1 from one pass of the model's recursion over the returns of
// bars; Predict is this with from = len(bars)-1, so the two agree bit for
// bit. from must be at least 1, and more than p with GARCH errors (the
// likelihood conditions on the first p returns).
func (f *Fitted) PredictPath(ctx context.Context, bars []marketdata.Bar, from int) ([]forecast.Distribution, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.span.Check(bars); err != nil {
		return nil, fmt.Errorf("arimagarch: %w", err)
	}
	if from < 0 || from >= len(bars) {
		return nil, fmt.Errorf("arimagarch: %s: predict from bar %d of %d", f.span.Symbol, from, len(bars))
	}
	// bars[:i+1] has i returns.
	steps, err := f.res.oneStep(marketdata.LogReturns(bars), from)
	if err != nil {
		return nil, fmt.Errorf("arimagarch: %s: %w", f.span.Symbol, err)
	}
	out := make([]forecast.Distribution, len(steps))
	for k, s := range steps {
		d := f.res.Predictive(s, f.band)
		if err := d.Check(); err != nil {
			return nil, fmt.Errorf("arimagarch: %s: forecast after bar %d: %w", f.span.Symbol, from+k, err)
		}
		out[k] = d
	}
	return out, nil
}
