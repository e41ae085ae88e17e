package store

import (
	"fmt"
	"math"
	"time"
)

// Divergence levels of a walk-forward window (DESIGN §5): a level is reached
// when the divergence is strictly above its threshold.
const (
	LevelWarning     = "warning"     // divergence > 0.15
	LevelOverfitting = "overfitting" // divergence > 0.20
	LevelCritical    = "critical"    // divergence > 0.30
)

// Spans of a walk-forward window whose one-step predictions are kept.
const (
	SpanValidation = "val"
	SpanTest       = "test"
)

// EnsembleModel is the Model of a ValidationPrediction that holds the
// ensemble's combined forecast rather than one member's.
const EnsembleModel = "ensemble"

// Weight sources of an ensemble_weights row written by validation.
const (
	WeightsCalibrated = "calibrated" // divergence <= 0.15: the calibrated weights accepted
	WeightsReverted   = "reverted"   // divergence > 0.15: back to the defaults of DESIGN §4
)

// ValidationWindow is everything one walk-forward window writes for one
// ensemble. SaveValidationWindows writes a window's ensembles in one
// transaction and replaces what an earlier run wrote for the same symbol,
// horizon, window and ensemble.
type ValidationWindow struct {
	// Ensemble names the ensemble (candidate, legacy); Metrics.ModelCount
	// is its number of members.
	Ensemble string
	Metrics  ValidationMetrics
	// Alerts are the divergence levels reached, at most one per level.
	Alerts []DivergenceAlert
	// Predictions are the one-step predictions of every member (its chosen
	// configuration) and of the ensemble, over validation and test.
	Predictions []ValidationPrediction
	// Weights is the weight decision of the window (DESIGN §5, automatic
	// weight reversion), keyed by its effective time.
	Weights *EnsembleWeights
}

// Complete returns a copy of w in which every alert, prediction and the
// weights carry the window's key where they leave it zero: symbol and
// horizon from Metrics, Ensemble, and Metrics.WindowID and
// Metrics.ValidationDate (alerts, and weights with a Source). It returns an
// error when the window lacks a symbol, horizon or ensemble, when a row names
// another window, or when a prediction holds a non-finite number (SQLite
// would store NaN as NULL, PostgreSQL would keep it). w is not modified.
func (w ValidationWindow) Complete() (ValidationWindow, error) {
	m := w.Metrics
	name := fmt.Sprintf("store: window %s %s %s %d", m.Symbol, m.Horizon, w.Ensemble, m.WindowID)
	if m.Symbol == "" || m.Horizon == "" || w.Ensemble == "" {
		return w, fmt.Errorf("%s: symbol, horizon and ensemble are required", name)
	}
	// key fills the zero key fields of one row and checks the others.
	key := func(sym, hor, ens *string, id *int, vdate *time.Time) error {
		for _, f := range []struct {
			dst        *string
			want, what string
		}{{sym, m.Symbol, "symbol"}, {hor, m.Horizon, "horizon"}, {ens, w.Ensemble, "ensemble"}} {
			if *f.dst == "" {
				*f.dst = f.want
			} else if *f.dst != f.want {
				return fmt.Errorf("%s %q is another window's", f.what, *f.dst)
			}
		}
		if *id == 0 {
			*id = m.WindowID
		} else if *id != m.WindowID {
			return fmt.Errorf("window %d is another window's", *id)
		}
		if vdate == nil {
			return nil
		}
		if vdate.IsZero() {
			*vdate = m.ValidationDate
		} else if !vdate.Equal(m.ValidationDate) {
			return fmt.Errorf("validation date %s is another window's", vdate.Format(time.RFC3339))
		}
		return nil
	}

	out := w
	out.Alerts = append([]DivergenceAlert(nil), w.Alerts...)
	for i := range out.Alerts {
		a := &out.Alerts[i]
		if err := key(&a.Symbol, &a.Horizon, &a.Ensemble, &a.WindowID, &a.ValidationDate); err != nil {
			return w, fmt.Errorf("%s: alert %s: %w", name, a.Level, err)
		}
	}
	out.Predictions = append([]ValidationPrediction(nil), w.Predictions...)
	for i := range out.Predictions {
		p := &out.Predictions[i]
		what := fmt.Sprintf("%s: prediction %s %s %s", name, p.Model, p.Span, p.AsOf.Format(time.DateOnly))
		if err := key(&p.Symbol, &p.Horizon, &p.Ensemble, &p.WindowID, nil); err != nil {
			return w, fmt.Errorf("%s: %w", what, err)
		}
		for _, v := range []struct {
			name string
			v    float64
		}{{"mu", p.Mu}, {"sigma", p.Sigma}, {"p_bearish", p.PBear}, {"p_neutral", p.PNeutral},
			{"p_bullish", p.PBull}, {"ci_lower", p.CILower}, {"ci_upper", p.CIUpper}, {"realised", p.Realised}} {
			if math.IsNaN(v.v) || math.IsInf(v.v, 0) {
				return w, fmt.Errorf("%s: %s is %v", what, v.name, v.v)
			}
		}
	}
	if w.Weights != nil {
		ew := *w.Weights
		var vdate *time.Time
		if ew.Source != "" {
			vdate = &ew.ValidationDate
		}
		if err := key(&ew.Symbol, &ew.Horizon, &ew.Ensemble, &ew.WindowID, vdate); err != nil {
			return w, fmt.Errorf("%s: weights: %w", name, err)
		}
		out.Weights = &ew
	}
	return out, nil
}

// DivergenceAlert is a divergence_alerts row.
type DivergenceAlert struct {
	ID             int64
	RunID          int64
	Symbol         string
	Horizon        string
	Ensemble       string
	ValidationDate time.Time
	WindowID       int
	Level          string // LevelWarning, LevelOverfitting or LevelCritical
	Divergence     float64
	Threshold      float64
	ValRMSE        float64
	TestRMSE       float64
	CreatedAt      time.Time
}

// ValidationPrediction is a validation_predictions row: one one-step
// prediction of a walk-forward window, made from the bars up to AsOf for the
// return from AsOf to TargetDate.
type ValidationPrediction struct {
	Symbol     string
	Horizon    string
	Ensemble   string
	Model      string // a member model, or EnsembleModel
	WindowID   int
	Span       string // SpanValidation or SpanTest
	AsOf       time.Time
	TargetDate time.Time
	Mu         float64
	Sigma      float64
	PBear      float64
	PNeutral   float64
	PBull      float64
	// CILower and CIUpper are the 5% and 95% quantiles of the predictive
	// distribution (the mixture's, for EnsembleModel rows).
	CILower  float64
	CIUpper  float64
	Realised float64
}

// ValidationPredictionFilter selects validation predictions; zero fields
// match everything.
type ValidationPredictionFilter struct {
	Symbol   string
	Horizon  string
	Ensemble string
	Model    string
	Span     string
	From, To time.Time // AsOf range, inclusive
}

// EnsembleWeights is an ensemble_weights row: the weights of one symbol's
// ensemble from EffectiveAt on, and why.
type EnsembleWeights struct {
	ID       int64
	RunID    int64 // 0 when not written by a run
	Symbol   string
	Horizon  string
	Ensemble string
	// Method is how the weights were set ("calibrated", "reverted", or a
	// weight method of forecast.WeightMethod).
	Method string
	// Source is WeightsCalibrated or WeightsReverted for rows written by
	// validation.
	Source string
	// Weights are the weights in force, by model.
	Weights map[string]float64
	// Calibrated are the weights the window's calibration proposed (equal
	// to Weights when accepted).
	Calibrated map[string]float64
	// Previous are the weights in force before this row, nil for the first.
	Previous       map[string]float64
	WindowID       int
	ValidationDate time.Time
	ValRMSE        float64
	TestRMSE       float64
	Divergence     float64
	Reason         string
	Actor          string
	EffectiveAt    time.Time
	CreatedAt      time.Time
}

// OverfittingSymbol is a vw_overfitting_symbols row.
type OverfittingSymbol struct {
	Symbol        string
	Horizon       string
	Count         int64
	Latest        time.Time
	AvgDivergence float64
	MaxDivergence float64
}

// DivergenceTrend is a vw_divergence_trends row.
type DivergenceTrend struct {
	Symbol         string
	Horizon        string
	ValidationDate time.Time
	WindowID       int
	ModelCount     int
	Divergence     float64
	IsOverfitting  bool
	WindowSequence int64
}
