// Package store defines the Store interface through which jobs persist runs,
// forecasts and validation metrics, and the domain types they exchange.
// store/postgres implements it on a pgx pool, store/sqlite on an embedded
// SQLite file. Every write is idempotent: writing the same rows twice
// leaves one copy, updated (DESIGN §7).
package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"runner/marketdata"
	"runner/migrations"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrNotRunning is returned, wrapped, by Heartbeat when the run is no longer
// running: it finished, or another process marked it abandoned.
var ErrNotRunning = errors.New("store: run is not running")

// Store is the persistence of the runner. Implementations are safe for
// concurrent use.
type Store interface {
	// MigrateUp applies every pending migration, each in its own
	// transaction, and returns the versions applied.
	MigrateUp(ctx context.Context) ([]int64, error)
	// MigrateDown reverts the latest applied migration and returns its
	// version; it returns migrations.ErrNoneApplied when none is applied.
	MigrateDown(ctx context.Context) (int64, error)
	// MigrationStatus lists every known migration and whether it is applied.
	MigrationStatus(ctx context.Context) ([]migrations.State, error)

	// UpsertBars writes bars into price_bars in one transaction, replacing
	// rows with the same symbol and date.
	UpsertBars(ctx context.Context, bars []marketdata.Bar) error
	// Symbols and Bars make the store a marketdata.Source over price_bars.
	Symbols(ctx context.Context) ([]string, error)
	Bars(ctx context.Context, symbol string) ([]marketdata.Bar, error)

	// StartRun inserts a run with status running and sets run.ID. Its
	// heartbeat is its start time.
	StartRun(ctx context.Context, run *Run) error
	// Heartbeat records that run id is alive at time at. It returns
	// ErrNotRunning when the run is no longer running, ErrNotFound when
	// there is no such run.
	Heartbeat(ctx context.Context, id int64, at time.Time) error
	// AbandonStaleRuns marks abandoned every running run whose heartbeat
	// is older than staleAfter at time now, with now as its finish time,
	// and returns their IDs in order. Jobs call it when they start, with
	// their lease, so that runs whose process died do not stay running.
	AbandonStaleRuns(ctx context.Context, now time.Time, staleAfter time.Duration) ([]int64, error)
	// FinishRun records the final status, errors and timing of a run,
	// also of a run marked abandoned meanwhile.
	FinishRun(ctx context.Context, run *Run) error
	// Run returns one run.
	Run(ctx context.Context, id int64) (Run, error)
	// Runs returns the runs matching f, latest start first (then latest
	// id).
	Runs(ctx context.Context, f RunFilter) ([]Run, error)

	// SaveForecasts upserts forecasts, keyed by symbol, horizon, as-of and
	// ensemble, in one transaction: all are written or none. A rerun
	// replaces every column but the realised return, the calibration
	// columns included (nil clears them). A forecast failing
	// Forecast.CheckFinite is an error, and nothing is written. A served
	// forecast unserves the other ensembles' rows of its symbol, horizon
	// and as-of: at most one is served, the latest run's choice (a
	// production run under the canary may serve the candidate where a
	// canary run served legacy).
	SaveForecasts(ctx context.Context, fs []Forecast) error
	// Forecasts returns the forecasts matching f, ordered by symbol,
	// ensemble and as-of.
	Forecasts(ctx context.Context, f ForecastFilter) ([]Forecast, error)
	// SetRealisedReturns records realised returns, in one transaction, on
	// forecasts that have none yet, and returns the number of rows updated.
	SetRealisedReturns(ctx context.Context, rs []RealisedReturn) (int64, error)

	// UpsertValidationMetrics writes ensemble_validation_metrics rows in one
	// transaction, keyed by symbol, horizon, validation date, window and
	// model count.
	UpsertValidationMetrics(ctx context.Context, ms []ValidationMetrics) error
	// ValidationMetrics returns the rows of one symbol and horizon by date.
	ValidationMetrics(ctx context.Context, symbol, horizon string) ([]ValidationMetrics, error)
	// EnsembleStats summarises one symbol and horizon over the last days
	// days (get_ensemble_stats).
	EnsembleStats(ctx context.Context, symbol, horizon string, days int) (EnsembleStats, error)

	// SaveValidationWindows writes walk-forward windows (DESIGN §5) in one
	// transaction: all are written or none. For each window it upserts the
	// metrics row (as UpsertValidationMetrics), replaces the alerts and
	// predictions of its symbol, horizon, ensemble and window (a level no
	// longer reached disappears), and upserts its weights, when set, keyed
	// by ensemble, symbol, horizon and effective time (so EffectiveAt must
	// derive from the window, for a rerun to update its row rather than add
	// one). The weights' Previous is not read from the caller: it is the
	// weights of the latest earlier row, and the next later row's Previous
	// becomes these weights. Weights without a Source store no window,
	// validation date, RMSEs or divergence. Windows are completed by
	// ValidationWindow.Complete first, and its error returned.
	SaveValidationWindows(ctx context.Context, ws []ValidationWindow) error
	// DivergenceAlerts returns the alerts of one symbol and horizon ordered
	// by validation date, ensemble and level (warning, overfitting,
	// critical).
	DivergenceAlerts(ctx context.Context, symbol, horizon string) ([]DivergenceAlert, error)
	// ValidationPredictions returns the predictions matching f ordered by
	// symbol, ensemble, model, as-of date and span, then horizon and window
	// (overlapping windows predict the same day).
	ValidationPredictions(ctx context.Context, f ValidationPredictionFilter) ([]ValidationPrediction, error)
	// CurrentWeights returns the weights of one symbol, horizon and
	// ensemble in force on asOf: the row with the latest effective time up
	// to the end of asOf's UTC day. It returns ErrNotFound when there is
	// none.
	CurrentWeights(ctx context.Context, symbol, horizon, ensemble string, asOf time.Time) (EnsembleWeights, error)
	// WeightsHistory returns the weights rows of one symbol and horizon,
	// of one ensemble or of all when ensemble is "", by effective time.
	WeightsHistory(ctx context.Context, symbol, horizon, ensemble string) ([]EnsembleWeights, error)
	// OverfittingSymbols reads vw_overfitting_symbols (overfitting windows
	// of the last 7 days) by symbol and horizon.
	OverfittingSymbols(ctx context.Context) ([]OverfittingSymbol, error)
	// DivergenceTrends reads vw_divergence_trends for one symbol and
	// horizon by window sequence.
	DivergenceTrends(ctx context.Context, symbol, horizon string) ([]DivergenceTrend, error)

	// SaveCalibration upserts a calibration (DESIGN §6), keyed by symbol,
	// horizon, ensemble, method and SampleTo, in one statement, and sets
	// c.ID: a rerun of the same fit updates the row and gets its id; a
	// fit with a later SampleTo adds a row, so rows keep their history.
	// Parameters, Before and After are stored as JSON: a nil map as {},
	// and a non-finite number is an error (JSON has none), with nothing
	// written.
	SaveCalibration(ctx context.Context, c *Calibration) error
	// LatestCalibration returns the calibration of one symbol, horizon and
	// ensemble that a forecast as of asOf may apply: of the rows with
	// SampleTo on or before asOf, the one with the latest SampleTo, then
	// the latest id (whatever the method). Rows fitted later on later
	// samples are not seen, so a backfill applies what was known then. It
	// returns ErrNotFound when there is none.
	LatestCalibration(ctx context.Context, symbol, horizon, ensemble string, asOf time.Time) (Calibration, error)
	// Calibrations returns the calibrations of one symbol and horizon, of
	// one ensemble or of all when ensemble is "", by SampleTo then id.
	Calibrations(ctx context.Context, symbol, horizon, ensemble string) ([]Calibration, error)
	// Calibration returns one calibration, or ErrNotFound.
	//
	// The calibrations read hold Parameters as encoding/json decodes JSON
	// into map[string]any: numbers are float64, arrays []any (a []float64
	// written comes back as []any of float64), objects map[string]any.
	// A caller with a typed form re-decodes it (json.Marshal the map,
	// json.Unmarshal into its type). Before and After come back as
	// written; SampleFrom and SampleTo in UTC (to the microsecond on
	// PostgreSQL, the millisecond on SQLite).
	Calibration(ctx context.Context, id int64) (Calibration, error)

	// DoneUnits returns the units of q whose rows exist for q.ConfigHash:
	// a forecast unit (symbol, as-of day) with a forecasts row of every
	// ensemble of q.Ensembles, a validation unit (symbol, validation date,
	// window) with an ensemble_validation_metrics row of every model count
	// of q.ModelCounts whose hyperparameters hold the hash. They come by
	// symbol, day and window.
	DoneUnits(ctx context.Context, q DoneQuery) ([]UnitKey, error)
	// StartBackfill finds or inserts the backfill of b's kind, hash, date
	// range and symbols, sets b.ID, and records units in one transaction:
	// a unit not recorded yet is added, one recorded before takes the
	// status given (its attempts and last error are kept).
	StartBackfill(ctx context.Context, b *Backfill, units []BackfillUnit) error
	// SetUnitStatus records a unit's state; with status UnitRunning it
	// counts an attempt. It returns ErrNotFound when the backfill has no
	// such unit.
	SetUnitStatus(ctx context.Context, u BackfillUnit) error
	// Backfills returns the latest limit backfills (all when limit <= 0),
	// latest first, with their progress.
	Backfills(ctx context.Context, limit int) ([]BackfillProgress, error)
	// BackfillUnits returns the units of a backfill, of one state or of
	// all when status is "", by symbol, day and window.
	BackfillUnits(ctx context.Context, id int64, status UnitStatus) ([]BackfillUnit, error)

	CanaryStore
	ScheduleStore

	Close() error
}

// RunStatus is the state of a job run.
type RunStatus string

// Run states.
const (
	RunRunning   RunStatus = "running"
	RunSucceeded RunStatus = "succeeded"
	RunPartial   RunStatus = "partial"
	RunFailed    RunStatus = "failed"
	// RunAbandoned is a run left running by a process that died or lost
	// the database, found with its heartbeat older than the lease.
	RunAbandoned RunStatus = "abandoned"
)

// Run is one job run: a forecast_runs row.
type Run struct {
	ID           int64
	Kind         string // forecast, validate, calibrate, backfill
	Mode         string // canary, production, shadow, or an ensemble name
	AsOf         time.Time
	Status       RunStatus
	Symbols      []string
	SymbolErrors map[string]string // symbol -> error text
	Parameters   map[string]any
	CodeVersion  string
	Host         string
	StartedAt    time.Time
	// FinishedAt is zero while running; for an abandoned run, when it was
	// found abandoned.
	FinishedAt time.Time
	// HeartbeatAt is the last time the run's process said it was alive
	// (read only; StartRun sets it to StartedAt).
	HeartbeatAt time.Time
}

// RunFilter selects runs; zero fields select all.
type RunFilter struct {
	Kind string // forecast, validate, ...; "" for every kind
	// StartedFrom and StartedTo bound the start time, inclusive; zero
	// leaves that side open.
	StartedFrom, StartedTo time.Time
	Limit                  int // at most this many; <= 0 for all
}

// Component is one model's part of an ensemble forecast.
type Component struct {
	Model    string  `json:"model"`
	Weight   float64 `json:"weight"`
	Mu       float64 `json:"mu"`
	Sigma    float64 `json:"sigma"`
	PBear    float64 `json:"p_bearish"`
	PNeutral float64 `json:"p_neutral"`
	PBull    float64 `json:"p_bullish"`
	// Spec is the configuration the model's fit chose (Fitted.Spec: the
	// ARIMA-GARCH order, the networks' hyperparameters).
	Spec map[string]any `json:"spec,omitempty"`
	// Error is set, and the other fields zero, for a model that failed.
	Error string `json:"error,omitempty"`
}

// Forecast is one ensemble's forecast for one symbol, horizon and as-of
// date: a forecasts row. Returns are log returns; prices are adjusted.
type Forecast struct {
	ID         int64
	RunID      int64
	Symbol     string
	Horizon    string
	AsOf       time.Time
	TargetDate time.Time
	Ensemble   string
	Served     bool

	LastPrice  float64
	Return     float64 // forecast_return
	Price      float64 // forecast_price = LastPrice * exp(Return)
	Volatility float64
	PBear      float64
	PNeutral   float64
	PBull      float64
	Label      string
	Confidence float64
	Agreement  float64
	CILower    float64 // 5% quantile of the return (calibrated when CalibrationID is set)
	CIUpper    float64 // 95% quantile of the return (calibrated when CalibrationID is set)
	// CILowerRaw and CIUpperRaw are the raw (uncalibrated) 90% interval,
	// kept beside CILower and CIUpper; nil when not recorded.
	CILowerRaw *float64
	CIUpperRaw *float64
	// PUp and PUpRaw are P(r > 0), calibrated and raw; nil when not
	// recorded.
	PUp    *float64
	PUpRaw *float64
	// CalibrationID is the calibrations row the forecast applied; nil when
	// it applied none.
	CalibrationID *int64

	ModelsUsed []string
	Weights    map[string]float64
	Components []Component
	DataHash   string
	// ConfigHash identifies the parameters that changed the forecast's
	// numbers (jobs.ForecastConfig.ConfigHash); a backfill takes a unit
	// with a row of each ensemble for its hash as done. Empty when not
	// recorded (forecasts written before migration 0005).
	ConfigHash  string
	TrainBars   int
	Seed        int64
	CodeVersion string
	// WeightsID is the ensemble_weights row whose weights the forecast
	// used; nil when it used the defaults.
	WeightsID *int64

	// RealisedReturn is set once the target bar exists; nil before.
	RealisedReturn *float64
	// ForecastError is RealisedReturn - Return, computed by the database
	// (read only); nil before maturity.
	ForecastError *float64
	// MaturedAt is when the realised return was first recorded (read only).
	MaturedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CheckFinite returns an error naming the first of the forecast's optional
// numbers (CILowerRaw, CIUpperRaw, PUp, PUpRaw) that is set and not finite:
// SQLite would store NaN as NULL, which reads back as not set. SaveForecasts
// returns it, wrapped, before writing anything.
func (f Forecast) CheckFinite() error {
	for _, v := range []struct {
		name string
		v    *float64
	}{{"ci_lower_raw", f.CILowerRaw}, {"ci_upper_raw", f.CIUpperRaw}, {"p_up", f.PUp}, {"p_up_raw", f.PUpRaw}} {
		if v.v != nil && (math.IsNaN(*v.v) || math.IsInf(*v.v, 0)) {
			return fmt.Errorf("store: forecast %s %s %s %s: %s is %v", f.Symbol, f.Horizon, f.Ensemble,
				f.AsOf.Format(time.DateOnly), v.name, *v.v)
		}
	}
	return nil
}

// RealisedReturn attaches the realised return to every ensemble's forecast
// for one symbol, horizon and as-of date.
type RealisedReturn struct {
	Symbol  string
	Horizon string
	AsOf    time.Time
	Return  float64
}

// ForecastFilter selects forecasts; zero fields match everything.
type ForecastFilter struct {
	Symbol   string
	Ensemble string
	Horizon  string
	From, To time.Time // as-of range, inclusive
	// Matured, when set, selects forecasts with (true) or without (false)
	// a realised return.
	Matured *bool
}

// ValidationMetrics is one walk-forward window: an
// ensemble_validation_metrics row. Nullable columns are pointers.
type ValidationMetrics struct {
	ID                  int64
	SymbolID            string
	Symbol              string
	Horizon             string
	ValidationDate      time.Time
	WindowID            int
	TrainRMSE           *float64
	ValRMSE             float64
	TestRMSE            float64
	Divergence          float64
	DivergenceThreshold float64 // 0 means the column default, 0.20
	IsOverfitting       bool
	ModelCount          int
	ModelsUsed          []string
	NTrainSamples       *int
	NValSamples         *int
	NTestSamples        *int
	DataSpanDays        *int
	Hyperparameters     map[string]any
	DirectionalAccuracy *float64
	MeanAbsoluteError   *float64
	TrainedAt           *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// EnsembleStats is the summary get_ensemble_stats returns. Averages are
// zero when TotalValidations is zero.
type EnsembleStats struct {
	TotalValidations       int64
	OverfittingCount       int64
	AvgDivergence          float64
	MaxDivergence          float64
	AvgValRMSE             float64
	AvgTestRMSE            float64
	AvgDirectionalAccuracy float64
	LatestValidation       time.Time
}

// DefaultDivergenceThreshold is the column default of divergence_threshold.
const DefaultDivergenceThreshold = 0.20
