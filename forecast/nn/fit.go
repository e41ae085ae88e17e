package nn

import (
	"context"
	"fmt"
	"math"
)

// FitResult is the training record of a next-step forecaster: what
// TrainForecaster learned besides the network's weights.
type FitResult struct {
	History History
	// Scaler standardised the features; a forecast standardises new rows
	// with it.
	Scaler Standardiser
	// Sigma is the root mean squared error of the predictions over the
	// validation tail, in the original units of the target column: the
	// predictive standard deviation.
	Sigma float64
	// TrainWindows and ValWindows count the windows of each part.
	TrainWindows, ValWindows int
}

// TrainForecaster standardises rows (statistics of the training part
// only), windows them with the given length, trains net to predict column
// target of the next row, and returns the training record with the
// validation-residual sigma. net must take windows of length rows of
// len(rows[0]) features. The forecast itself is net's prediction for a
// window standardised with the returned Scaler (SequenceFit.Predict).
func TrainForecaster(ctx context.Context, net Network, rows [][]float64, length, target int, valFrac float64, cfg TrainConfig) (FitResult, error) {
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
	res := FitResult{History: h, Scaler: s.Scaler, TrainWindows: s.Train.Samples(), ValWindows: s.Val.Samples()}
	pv := Predictions(net, &s.Val, cmpOr(cfg.BatchSize, DefaultBatchSize))
	var sse float64
	for i, p := range pv {
		d := s.Scaler.Invert(p, target) - s.Scaler.Invert(s.Val.Y[i], target)
		sse += d * d
	}
	res.Sigma = math.Sqrt(sse / float64(len(pv)))
	if !(res.Sigma > 0) || math.IsInf(res.Sigma, 0) {
		return res, fmt.Errorf("nn: validation residual sigma is %v", res.Sigma)
	}
	return res, nil
}
