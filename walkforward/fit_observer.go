package walkforward

import (
	"context"
	"time"
)

// FitObserver is told of every model fit of a validation: the model, the
// time the fit and its predictions took, and the error that failed it (nil
// when it fitted). It may be called from several goroutines at once.
type FitObserver func(model string, took time.Duration, err error)

type fitObserverKey struct{}

// WithFitObserver returns ctx carrying obs for the validations run with it
// (runner schedule's metrics observe model fit durations through it).
func WithFitObserver(ctx context.Context, obs FitObserver) context.Context {
	return context.WithValue(ctx, fitObserverKey{}, obs)
}

// observeFit tells ctx's FitObserver, if any, of a fit of model started at
// start that ended with err.
func observeFit(ctx context.Context, model string, start time.Time, err error) {
	if obs, _ := ctx.Value(fitObserverKey{}).(FitObserver); obs != nil {
		obs(model, time.Since(start), err)
	}
}
