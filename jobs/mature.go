package jobs

import (
	"context"
	"fmt"
	"math"

	"runner/marketdata"
	"runner/store"
)

// matureForecasts attaches realised returns to the symbol's forecasts whose
// next bar now exists, and returns how many rows it updated.
func matureForecasts(ctx context.Context, s store.Store, horizon string, bars []marketdata.Bar) (int64, error) {
	if len(bars) == 0 {
		return 0, nil
	}
	no := false
	open, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: bars[0].Symbol, Horizon: horizon, Matured: &no})
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	var rs []store.RealisedReturn
	for _, f := range open {
		key := f.AsOf.Format(marketdata.DateLayout)
		if seen[key] {
			continue
		}
		seen[key] = true
		i := marketdata.IndexOf(bars, f.AsOf)
		if i < 0 || i+1 >= len(bars) {
			continue
		}
		if math.Abs(bars[i].AdjClose-f.LastPrice) > 1e-9*f.LastPrice {
			// The history was revised since the forecast: its realised
			// return would not be the one the forecast was made against.
			return 0, fmt.Errorf("mature %s %s: adjusted close is now %v, the forecast saw %v",
				f.Symbol, key, bars[i].AdjClose, f.LastPrice)
		}
		rs = append(rs, store.RealisedReturn{Symbol: f.Symbol, Horizon: f.Horizon, AsOf: f.AsOf,
			Return: math.Log(bars[i+1].AdjClose / bars[i].AdjClose)})
	}
	if len(rs) == 0 {
		return 0, nil
	}
	return s.SetRealisedReturns(ctx, rs)
}
