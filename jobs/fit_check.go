package jobs

import (
	"context"

	"runner/forecast"
	"runner/marketdata"
)

// FitCheck fits model on train and predicts the next return, as the
// forecast job does, and returns its error: a panic inside the model and a
// non-finite distribution are errors too. runner canary --verify-only
// checks with it that every model fits every symbol.
func FitCheck(ctx context.Context, model string, opts forecast.Options, train []marketdata.Bar) error {
	_, _, err := fitModel(ctx, model, opts, train)
	return err
}
