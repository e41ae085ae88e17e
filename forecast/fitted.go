package forecast

import (
	"context"
	"fmt"
	"time"

	"runner/marketdata"
)

// Fitted is a fitted Model.
type Fitted interface {
	// Predict returns the predictive distribution of the log return after
	// the last of bars. bars must extend the training bars (Span.Check): the
	// same first bar, the training bars, then any number of later bars; or
	// be a prefix of the training bars, for an in-sample prediction (a
	// model may need a minimum history and fail on a shorter prefix). A
	// prediction reads bars up to the last one only. A returned
	// Distribution passes Check.
	Predict(ctx context.Context, bars []marketdata.Bar) (Distribution, error)
	// Spec is the configuration the fit chose (for ARIMA-GARCH the (p,q)
	// order; for the others their hyperparameters), recorded with every
	// forecast. Keys are snake_case; values marshal to JSON.
	Spec() map[string]any
}

// PathPredictor is implemented by a Fitted that predicts many consecutive
// days faster than one Predict per day (ARIMA-GARCH runs its filter once).
type PathPredictor interface {
	// PredictPath returns, for every i in [from, len(bars)), the prediction
	// Predict(bars[:i+1]) would return, in order, bit for bit.
	PredictPath(ctx context.Context, bars []marketdata.Bar, from int) ([]Distribution, error)
}

// PredictPath returns f's one-step predictions made from bars[:i+1] for
// every i from from to len(bars)-1: through PathPredictor when f offers it,
// else one Predict per day.
func PredictPath(ctx context.Context, f Fitted, bars []marketdata.Bar, from int) ([]Distribution, error) {
	if from < 0 || from >= len(bars) {
		return nil, fmt.Errorf("forecast: predict path from bar %d of %d", from, len(bars))
	}
	if p, ok := f.(PathPredictor); ok {
		return p.PredictPath(ctx, bars, from)
	}
	out := make([]Distribution, 0, len(bars)-from)
	for i := from; i < len(bars); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d, err := f.Predict(ctx, bars[:i+1])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Span identifies the training bars of a fit, so that Predict can check it
// is given bars that extend them.
type Span struct {
	Symbol      string
	First, Last time.Time // dates of the first and last training bar
	Bars        int       // number of training bars
}

// SpanOf returns the span of the training bars.
func SpanOf(bars []marketdata.Bar) Span {
	if len(bars) == 0 {
		return Span{}
	}
	return Span{Symbol: bars[0].Symbol, First: bars[0].Date, Last: bars[len(bars)-1].Date, Bars: len(bars)}
}

// Check returns an error unless bars start with the training bars (the same
// first date, and the last training date at the same position) or are a
// non-empty prefix of them (the same first date, fewer bars).
func (s Span) Check(bars []marketdata.Bar) error {
	if len(bars) == 0 || s.Bars == 0 {
		return fmt.Errorf("forecast: %s: predict from %d bars: the fit was on %d, from %s to %s",
			s.Symbol, len(bars), s.Bars, day(s.First), day(s.Last))
	}
	if len(bars) < s.Bars {
		if !bars[0].Date.Equal(s.First) {
			return fmt.Errorf("forecast: %s: predict from bars %s .. %s that do not start with the training bars %s .. %s",
				s.Symbol, day(bars[0].Date), day(bars[len(bars)-1].Date), day(s.First), day(s.Last))
		}
		return nil
	}
	if !bars[0].Date.Equal(s.First) || !bars[s.Bars-1].Date.Equal(s.Last) {
		return fmt.Errorf("forecast: %s: predict from bars %s .. %s that do not extend the training bars %s .. %s",
			s.Symbol, day(bars[0].Date), day(bars[s.Bars-1].Date), day(s.First), day(s.Last))
	}
	return nil
}

func day(t time.Time) string { return t.Format(time.DateOnly) }
