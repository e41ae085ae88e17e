package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"runner/canary"
	"runner/forecast"
	"runner/store"
	"runner/walkforward"
)

// BackfillSpec is the configuration a backfill's units run with. It is
// plain JSON, stored with the backfill and carried by every River job, so
// that a worker on any machine runs a unit exactly as the backfill asked.
type BackfillSpec struct {
	// Kind is store.BackfillForecast or store.BackfillValidate.
	Kind string `json:"kind"`
	// Forecast configures forecast units (Kind forecast). Its Symbols,
	// AsOf, Workers and DryRun are set per unit.
	Forecast *ForecastConfig `json:"forecast,omitempty"`
	// Validate configures validation units (Kind validate).
	Validate *ValidateSpec `json:"validate,omitempty"`
}

// ValidateSpec is the serialisable part of a ValidateConfig: the grid is
// named, and built from its name where the unit runs.
type ValidateSpec struct {
	Ensembles []forecast.Ensemble `json:"ensembles"`
	Horizon   string              `json:"horizon"`
	// Grid is "canonical" (walkforward.CanonicalGrid) or "fixed"
	// (walkforward.FixedGrid). Default canonical.
	Grid      string             `json:"grid"`
	Window    walkforward.Config `json:"window"`
	Model     forecast.Options   `json:"model"`
	LeakCheck bool               `json:"leak_check"`
}

// GridNamed returns the walk-forward grid of a name: canonical or fixed.
func GridNamed(name string, opts forecast.Options) (walkforward.Grid, error) {
	switch name {
	case "", "canonical":
		return walkforward.CanonicalGrid(opts), nil
	case "fixed":
		return walkforward.FixedGrid(opts), nil
	}
	return nil, fmt.Errorf("jobs: grid %q: want canonical or fixed", name)
}

// config is the ValidateConfig of the spec, without symbols or dates.
func (v ValidateSpec) config() (ValidateConfig, error) {
	g, err := GridNamed(v.Grid, v.Model)
	if err != nil {
		return ValidateConfig{}, err
	}
	name := v.Grid
	if name == "" {
		name = "canonical"
	}
	return ValidateConfig{Ensembles: v.Ensembles, Horizon: v.Horizon, Grid: g, GridName: name, Window: v.Window,
		Model: v.Model, LeakCheck: v.LeakCheck}, nil
}

func (s BackfillSpec) validate() error {
	switch s.Kind {
	case store.BackfillForecast:
		if s.Forecast == nil {
			return errors.New("jobs: backfill: forecast kind without a forecast configuration")
		}
		cfg := *s.Forecast
		cfg.setDefaults()
		return cfg.validate()
	case store.BackfillValidate:
		if s.Validate == nil {
			return errors.New("jobs: backfill: validate kind without a validation configuration")
		}
		cfg, err := s.Validate.config()
		if err != nil {
			return err
		}
		cfg.Symbols = []string{"-"}
		cfg.setDefaults()
		return cfg.validate()
	}
	return fmt.Errorf("jobs: backfill: kind %q: want forecast or validate", s.Kind)
}

// ConfigHash is the hash of the parameters that change the units' numbers
// (ForecastConfig.ConfigHash, ValidateConfig.ConfigHash).
func (s BackfillSpec) ConfigHash() string {
	switch {
	case s.Kind == store.BackfillForecast && s.Forecast != nil:
		return s.Forecast.ConfigHash()
	case s.Kind == store.BackfillValidate && s.Validate != nil:
		cfg, err := s.Validate.config()
		if err != nil {
			return ""
		}
		return cfg.ConfigHash()
	}
	return ""
}

// Mode is the mode recorded with the backfill: the forecast mode, or the
// validated ensembles.
func (s BackfillSpec) Mode() string {
	if s.Forecast != nil {
		c := *s.Forecast
		c.setDefaults()
		return c.Mode
	}
	if s.Validate != nil {
		return ensembleNames(s.Validate.Ensembles)
	}
	return ""
}

// doneQuery asks which units of the spec are done, without symbols or
// dates.
func (s BackfillSpec) doneQuery() store.DoneQuery {
	q := store.DoneQuery{Kind: s.Kind, ConfigHash: s.ConfigHash()}
	var es []forecast.Ensemble
	if s.Forecast != nil {
		q.Horizon, es, q.AnyEnsemble = s.Forecast.Horizon, s.Forecast.Ensembles, s.Forecast.ServeByCanary
	}
	if s.Validate != nil {
		q.Horizon, es = s.Validate.Horizon, s.Validate.Ensembles
	}
	if q.Horizon == "" {
		q.Horizon = DefaultHorizon
	}
	seen := map[int]bool{}
	for _, e := range es {
		q.Ensembles = append(q.Ensembles, e.Name)
		if n := len(e.Members); !seen[n] {
			seen[n] = true
			q.ModelCounts = append(q.ModelCounts, n)
		}
	}
	return q
}

// dependsOnEarlier reports whether a unit's numbers depend on the rows of
// the same symbol's earlier units: forecasts whose weights learn from
// past matured forecasts. Such units run in date order; so do calibrated
// forecasts of symbols with an adaptive calibration (unitCalibrations.adaptive).
func (s BackfillSpec) dependsOnEarlier() bool {
	return s.Kind == store.BackfillForecast && s.Forecast != nil && s.Forecast.WeightMethod.NeedsHistory()
}

// unitCalibrations are the stored calibrations of a calibrated forecast
// backfill's symbols, by symbol then ensemble (nil for other backfills),
// read once by Plan for staleCalibration and adaptiveCalibration.
type unitCalibrations map[string]map[string][]store.Calibration

// calibrationsOf reads the calibrations of each symbol and ensemble of a
// calibrated forecast backfill.
func (s BackfillSpec) calibrationsOf(ctx context.Context, st store.Store, symbols []string) (unitCalibrations, error) {
	if s.Kind != store.BackfillForecast || s.Forecast == nil || !s.Forecast.Calibrate {
		return nil, nil
	}
	out := unitCalibrations{}
	for _, sym := range symbols {
		out[sym] = map[string][]store.Calibration{}
		for _, e := range s.Forecast.Ensembles {
			rows, err := st.Calibrations(ctx, sym, s.horizon(), e.Name)
			if err != nil {
				return nil, err
			}
			out[sym][e.Name] = rows
		}
	}
	return out, nil
}

// horizon is the forecast units' horizon.
func (s BackfillSpec) horizon() string { return cmp.Or(s.Forecast.Horizon, DefaultHorizon) }

// staleCalibration returns the IDs (unitID) of the calibrated forecast
// units from..to whose stored forecast of some ensemble applied another
// calibration than a run now would (the latest one usable as of its day,
// as LatestCalibration picks it), none included: a backfill run before
// runner calibrate and run again after it recomputes the days the
// calibration covers, though the configuration hash is the same.
func (s BackfillSpec) staleCalibration(ctx context.Context, st store.Store, cals unitCalibrations, from, to time.Time) (map[string]bool, error) {
	stale := map[string]bool{}
	for sym, byEns := range cals {
		for ens, rows := range byEns {
			fs, err := st.Forecasts(ctx, store.ForecastFilter{Symbol: sym, Horizon: s.horizon(), Ensemble: ens, From: from, To: to})
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				got := int64(0)
				if f.CalibrationID != nil {
					got = *f.CalibrationID
				}
				if got != latestUsable(rows, f.AsOf) {
					stale[unitID(store.UnitKey{Symbol: sym, Day: f.AsOf})] = true
				}
			}
		}
	}
	return stale, nil
}

// staleServing returns the IDs (unitID) of the units from..to of a
// production backfill that serves by the canary whose row for the spec's
// hash is not of the ensemble the canary history now says production
// served that day: a decision recorded since for an earlier day (runner
// canary evaluate --as-of) redoes the days it changes. Nil for other
// backfills.
func (s BackfillSpec) staleServing(ctx context.Context, units *UnitRunner, symbols []string, from, to time.Time) (map[string]bool, error) {
	if s.Kind != store.BackfillForecast || s.Forecast == nil || !s.Forecast.ServeByCanary {
		return nil, nil
	}
	h, err := (&canary.Policy{Store: units.Store, Source: units.Source, Log: units.Log}).History(ctx)
	if err != nil {
		return nil, err
	}
	hash := s.ConfigHash()
	byDay := map[string]map[string]Serving{}
	stale := map[string]bool{}
	for _, sym := range symbols {
		fs, err := units.Store.Forecasts(ctx, store.ForecastFilter{Symbol: sym, Horizon: s.horizon(), From: from, To: to})
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if f.ConfigHash != hash {
				continue
			}
			d := f.AsOf.Format(time.DateOnly)
			if byDay[d] == nil {
				if byDay[d], err = h.ServingOn(ctx, symbols, f.AsOf); err != nil {
					return nil, err
				}
			}
			if f.Ensemble != byDay[d][sym].Ensemble {
				stale[unitID(store.UnitKey{Symbol: sym, Day: f.AsOf})] = true
			}
		}
	}
	return stale, nil
}

// latestUsable is the id of the calibration a forecast as of asOf applies
// (store.Store.LatestCalibration): of cals (by SampleTo then id) those
// with SampleTo on or before asOf, the last; 0 for none.
func latestUsable(cals []store.Calibration, asOf time.Time) int64 {
	var id int64
	for _, c := range cals {
		if !c.SampleTo.After(asOf) {
			id = c.ID
		}
	}
	return id
}

// adaptive reports whether a calibrated forecast unit may apply
// an adaptive calibration, which adapts over the outcomes of the symbol's
// earlier forecasts: one of cals is adaptive.
func (cals unitCalibrations) adaptive() bool {
	for sym := range cals {
		if cals.adaptiveFor(sym) {
			return true
		}
	}
	return false
}

// adaptiveFor reports whether one of sym's calibrations is adaptive.
func (cals unitCalibrations) adaptiveFor(sym string) bool {
	for _, rows := range cals[sym] {
		for _, r := range rows {
			if adaptive, _ := r.Parameters["Adaptive"].(bool); adaptive {
				return true
			}
		}
	}
	return false
}

// redoAfter removes from done the units that follow, in their symbol's
// date order, a unit still to run of a symbol with an adaptive
// calibration: their intervals adapted over the outcomes of the forecasts
// before them, one of which the unit to run writes anew.
func (cals unitCalibrations) redoAfter(units []store.UnitKey, done map[string]bool) {
	redo := map[string]bool{} // symbols with a unit to run so far
	for _, u := range units {
		id := unitID(u)
		switch {
		case !done[id] && cals.adaptiveFor(u.Symbol):
			redo[u.Symbol] = true
		case redo[u.Symbol]:
			delete(done, id)
		}
	}
}

// params is the spec as the JSON object stored with the backfill.
func (s BackfillSpec) params() (map[string]any, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}
