package jobs

import (
	"sort"

	"runner/forecast"
	"runner/store"
)

// DefaultWeightLookback is how many past matured forecasts the fitted weight
// methods learn from.
const DefaultWeightLookback = 60

// weightHistory collects, from a symbol's matured forecasts of any ensemble,
// the dates on which every member of e made a prediction, and returns the
// latest lookback of them. The same model fitted on the same bars gives the
// same prediction in every ensemble, so any row holding a member serves.
func weightHistory(fs []store.Forecast, e forecast.Ensemble, lookback int) forecast.History {
	type day struct {
		pred     map[string]float64
		realised float64
	}
	days := map[int64]*day{}
	for _, f := range fs {
		if f.RealisedReturn == nil {
			continue
		}
		key := f.AsOf.Unix()
		d := days[key]
		if d == nil {
			d = &day{pred: map[string]float64{}, realised: *f.RealisedReturn}
			days[key] = d
		}
		for _, c := range f.Components {
			if c.Error == "" {
				d.pred[c.Model] = c.Mu
			}
		}
	}
	keys := make([]int64, 0, len(days))
	for k := range days {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
	var h forecast.History
	for _, k := range keys {
		d := days[k]
		row := make([]float64, 0, len(e.Members))
		for _, m := range e.Members {
			v, ok := d.pred[m.Model]
			if !ok {
				break
			}
			row = append(row, v)
		}
		if len(row) == len(e.Members) {
			h.Pred = append(h.Pred, row)
			h.Realised = append(h.Realised, d.realised)
		}
	}
	if len(h.Pred) > lookback {
		h.Pred, h.Realised = h.Pred[len(h.Pred)-lookback:], h.Realised[len(h.Realised)-lookback:]
	}
	return h
}
