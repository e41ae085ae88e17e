package observe

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"runner/store"
)

// Metrics are the runner's Prometheus metrics, on a registry of their own
// (never the global one) that also holds the Go and process collectors.
// The methods are safe for concurrent use.
type Metrics struct {
	Registry *prometheus.Registry

	runs             *prometheus.CounterVec
	runDuration      *prometheus.HistogramVec
	lastSuccess      *prometheus.GaugeVec
	fitDuration      *prometheus.HistogramVec
	modelFailures    *prometheus.CounterVec
	forecastsWritten *prometheus.CounterVec
	divergence       *prometheus.GaugeVec
	slots            *prometheus.CounterVec
	canaryStage      *prometheus.GaugeVec

	mu             sync.Mutex
	divergenceDate map[[2]string]time.Time // the validation date behind each divergence gauge
	stage          string                  // the canary stage shown
}

// NewMetrics registers the metrics on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "runner_runs_total",
			Help: "Job runs finished, by job (forecast, validate, calibrate, backfill) and status (succeeded, partial, failed)."},
			[]string{"job", "status"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "runner_run_duration_seconds",
			Help:    "Wall time of job runs, by job.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14)}, // 1 s to 2.3 h
			[]string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "runner_last_success_timestamp_seconds",
			Help: "Unix time at which the latest succeeded run of each job finished."}, []string{"job"}),
		fitDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "runner_model_fit_duration_seconds",
			Help:    "Time to fit one model on one symbol and predict, by model.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 12)}, // 10 ms to 10 min
			[]string{"model"}),
		modelFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "runner_model_failures_total",
			Help: "Model fits that failed (the ensembles renormalised over the other models), by model."}, []string{"model"}),
		forecastsWritten: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "runner_forecasts_written_total",
			Help: "Forecast rows written, by ensemble."}, []string{"ensemble"}),
		divergence: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "runner_divergence_ratio",
			Help: "Divergence (test RMSE over validation RMSE, minus 1) of the latest walk-forward window written, by symbol and ensemble."},
			[]string{"symbol", "ensemble"}),
		slots: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "runner_schedule_slots_total",
			Help: "Schedule slots this scheduler finished, by job and status (succeeded, partial, failed, skipped)."},
			[]string{"job", "status"}),
		canaryStage: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "runner_canary_stage",
			Help: "The canary's current stage (e.g. 7.1, 7.2, 7.3; 0 before it starts), labelled with its name."},
			[]string{"stage"}),
		divergenceDate: map[[2]string]time.Time{},
	}
	m.Registry.MustRegister(m.runs, m.runDuration, m.lastSuccess, m.fitDuration, m.modelFailures, m.forecastsWritten,
		m.divergence, m.slots, m.canaryStage,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// InitRuns shows zero runs of every final status for each job named
// (forecast, validate, calibrate), so that their series exist, and rates
// and alerts see them, before the first run.
func (m *Metrics) InitRuns(jobs ...string) {
	for _, job := range jobs {
		for _, st := range []store.RunStatus{store.RunSucceeded, store.RunPartial, store.RunFailed} {
			m.runs.WithLabelValues(job, string(st))
		}
	}
}

// InitSlots shows zero slots of every final status for each schedule
// entry named.
func (m *Metrics) InitSlots(entries ...string) {
	for _, name := range entries {
		for _, st := range []store.SlotStatus{store.SlotSucceeded, store.SlotPartial, store.SlotFailed, store.SlotSkipped} {
			m.slots.WithLabelValues(name, string(st))
		}
	}
}

// RunFinished counts a finished run, observes its duration and, when it
// succeeded, sets its job's last success time.
func (m *Metrics) RunFinished(run store.Run) {
	m.runs.WithLabelValues(run.Kind, string(run.Status)).Inc()
	if !run.FinishedAt.IsZero() && !run.StartedAt.IsZero() {
		m.runDuration.WithLabelValues(run.Kind).Observe(run.FinishedAt.Sub(run.StartedAt).Seconds())
	}
	if run.Status == store.RunSucceeded && !run.FinishedAt.IsZero() {
		m.lastSuccess.WithLabelValues(run.Kind).Set(float64(run.FinishedAt.UnixMilli()) / 1e3)
	}
}

// ModelFitted observes one model fit; a fit with an error counts a model
// failure. Its signature is jobs.Hooks.ModelFitted's.
func (m *Metrics) ModelFitted(model string, took time.Duration, err error) {
	m.fitDuration.WithLabelValues(model).Observe(took.Seconds())
	if err != nil {
		m.modelFailures.WithLabelValues(model).Inc()
	}
}

// ForecastsWritten counts forecast rows written, by ensemble.
func (m *Metrics) ForecastsWritten(fs []store.Forecast) {
	for _, f := range fs {
		m.forecastsWritten.WithLabelValues(f.Ensemble).Inc()
	}
}

// WindowsWritten sets each symbol's and ensemble's divergence gauge from
// the walk-forward windows written, keeping the one of the latest
// validation date.
func (m *Metrics) WindowsWritten(ws []store.ValidationWindow) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range ws {
		key := [2]string{w.Metrics.Symbol, w.Ensemble}
		if d, ok := m.divergenceDate[key]; ok && w.Metrics.ValidationDate.Before(d) {
			continue
		}
		m.divergenceDate[key] = w.Metrics.ValidationDate
		m.divergence.WithLabelValues(key[0], key[1]).Set(w.Metrics.Divergence)
	}
}

// SlotFinished counts a schedule slot this scheduler finished or skipped.
func (m *Metrics) SlotFinished(slot store.Slot) {
	m.slots.WithLabelValues(slot.Job, string(slot.Status)).Inc()
}

// SetCanaryStage shows the canary's current stage: its number (7.1, 7.2,
// 7.3 or a percentage stage's percent; 0 before the canary starts) and
// name. The previous stage's series is removed.
func (m *Metrics) SetCanaryStage(stage float64, name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stage != name {
		m.canaryStage.DeleteLabelValues(m.stage)
	}
	m.stage = name
	m.canaryStage.WithLabelValues(name).Set(stage)
}
