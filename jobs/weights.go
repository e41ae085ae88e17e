package jobs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

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

// currentWeights reads each ensemble's current validated weights for a
// symbol: the latest ensemble_weights row effective on or before asOf, nil
// where there is none.
func currentWeights(ctx context.Context, s store.Store, symbol, horizon string, asOf time.Time, es []forecast.Ensemble) (map[string]*store.EnsembleWeights, error) {
	out := map[string]*store.EnsembleWeights{}
	for _, e := range es {
		w, err := s.CurrentWeights(ctx, symbol, horizon, e.Name, asOf)
		switch {
		case errors.Is(err, store.ErrNotFound):
			out[e.Name] = nil
		case err != nil:
			return nil, fmt.Errorf("%s: current weights of %s: %w", symbol, e.Name, err)
		default:
			out[e.Name] = &w
		}
	}
	return out, nil
}

// validatedWeights returns e's weights in member order from its validated
// row (a member the row does not weigh gets 0) and the row's id; without a
// row, the defaults of DESIGN §4 and no id.
func validatedWeights(e forecast.Ensemble, row *store.EnsembleWeights) ([]float64, *int64) {
	w := make([]float64, len(e.Members))
	for i, m := range e.Members {
		if row == nil {
			w[i] = m.Weight
		} else {
			w[i] = row.Weights[m.Model]
		}
	}
	if row == nil {
		return w, nil
	}
	id := row.ID
	return w, &id
}

// weightNotes says, per ensemble, which validated weights are used.
func weightNotes(es []forecast.Ensemble, validated map[string]*store.EnsembleWeights) map[string]string {
	out := map[string]string{}
	for _, e := range es {
		row := validated[e.Name]
		if row == nil {
			out[e.Name] = "no validated weights yet: the defaults (run runner validate)"
			continue
		}
		out[e.Name] = fmt.Sprintf("%s weights #%d from the window validated %s (divergence %.4f)",
			row.Source, row.ID, row.ValidationDate.Format(time.DateOnly), row.Divergence)
	}
	return out
}
