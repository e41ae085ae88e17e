package nn

import (
	"context"
	"fmt"
	"math"
)

// FitResult is a trained next-step forecaster's output, in the original
// units of the target column.
type FitResult struct {
	History History
	// Mu is the prediction for the row after the last one.
	Mu float64
	// Sigma is the root mean squared error of the predictions over the
	// validation tail: the predictive standard deviation.
	Sigma float64
	// TrainWindows and ValWindows count the windows of each part.
	TrainWindows, ValWindows int
}

// FitForecast standardises rows (statistics of the training part only),
// windows them with the given length, trains net to predict column target
// of the next row, and returns the forecast for the row after the last one
// with the validation-residual sigma. net must take windows of length rows
// of len(rows[0]) features.
func FitForecast(ctx context.Context, net Network, rows [][]float64, length, target int, valFrac float64, cfg TrainConfig) (FitResult, error) {
	if valFrac <= 0 {
		return FitResult{}, fmt.Errorf("nn: validation fraction %v: the residual sigma needs a validation tail", valFrac)
	}
	s, err := SplitSeries(rows, length, target, valFrac)
	if err != nil {
		return FitResult{}, err
	}
	h, err := Train(ctx, net, &s, cfg)
	if err != nil {
		return FitResult{History: h}, err
	}
	res := FitResult{History: h, TrainWindows: s.Train.Samples(), ValWindows: s.Val.Samples()}
	pv := Predictions(net, &s.Val, cmpOr(cfg.BatchSize, DefaultBatchSize))
	var sse float64
	for i, p := range pv {
		d := s.Scaler.Invert(p, target) - s.Scaler.Invert(s.Val.Y[i], target)
		sse += d * d
	}
	res.Sigma = math.Sqrt(sse / float64(len(pv)))
	var out [1]float64
	net.Predict(out[:], s.Last, 1)
	res.Mu = s.Scaler.Invert(out[0], target)
	if math.IsNaN(res.Mu) || math.IsInf(res.Mu, 0) {
		return res, fmt.Errorf("nn: forecast is %v", res.Mu)
	}
	if !(res.Sigma > 0) || math.IsInf(res.Sigma, 0) {
		return res, fmt.Errorf("nn: validation residual sigma is %v", res.Sigma)
	}
	return res, nil
}
