package store

import (
	"context"
	"time"
)

// CanaryStore keeps the canary rollout of DESIGN §9: deployments with
// their stages, one performance-metrics row per evaluation and one event
// per decision.
type CanaryStore interface {
	// StartCanary inserts d with the started event ev in one transaction,
	// and sets d.ID, ev.ID and ev.DeploymentID.
	StartCanary(ctx context.Context, d *CanaryDeployment, ev *CanaryEvent) error
	// LatestCanary returns the latest deployment (the highest id), or
	// ErrNotFound when no canary was ever started.
	LatestCanary(ctx context.Context) (CanaryDeployment, error)
	// CanaryDeployments returns every deployment by id (none: empty).
	CanaryDeployments(ctx context.Context) ([]CanaryDeployment, error)
	// RecordCanary writes one decision in one transaction: the metrics row
	// m when not nil (upserted, keyed by deployment, stage and as-of day,
	// and m.ID set), the event ev (with MetricsID set from m; an event of
	// the same metrics row is updated, not added) and d's stage, stage
	// start, status and update time. ev.ID is set.
	RecordCanary(ctx context.Context, d CanaryDeployment, m *CanaryMetrics, ev *CanaryEvent) error
	// CanaryEvents returns the events of one deployment by id.
	CanaryEvents(ctx context.Context, deploymentID int64) ([]CanaryEvent, error)
	// CanaryMetrics returns the metrics rows of one deployment by as-of
	// day then id.
	CanaryMetrics(ctx context.Context, deploymentID int64) ([]CanaryMetrics, error)
}

// CanaryStatus is the state of a deployment.
type CanaryStatus string

// Deployment states.
const (
	CanaryActive     CanaryStatus = "active"
	CanaryPromoted   CanaryStatus = "promoted"
	CanaryRolledBack CanaryStatus = "rolled_back"
)

// Event kinds of canary_deployment_events.
const (
	CanaryStarted      = "started"
	CanaryEvaluated    = "evaluated"
	CanaryAdvanced     = "advanced"
	CanaryPromotedEv   = "promoted"
	CanaryHeld         = "held"
	CanaryRolledBackEv = "rolled_back"
)

// CanaryStage is one stage of a deployment as configured when it started.
// A stage's scope is its Symbols, or the symbols whose hash falls under
// Percent, or every symbol when All is set.
type CanaryStage struct {
	Name    string   `json:"name"`
	Symbols []string `json:"symbols,omitempty"`
	Percent float64  `json:"percent,omitempty"`
	All     bool     `json:"all,omitempty"`
	// MinDays and MinMatured are the trading days in the stage and the
	// matured forecast pairs needed to advance; MaxDays, when > 0, is the
	// longest the stage may last without passing.
	MinDays    int `json:"min_days"`
	MaxDays    int `json:"max_days,omitempty"`
	MinMatured int `json:"min_matured"`
}

// CanaryDeployment is one rollout: a canary_deployments row.
type CanaryDeployment struct {
	ID     int64
	Stages []CanaryStage
	// Stage is the index of the current stage in Stages.
	Stage int
	// StageStartedOn is the first trading day the current stage counts.
	StageStartedOn time.Time
	Status         CanaryStatus
	// Actor is who started it (user@host).
	Actor     string
	StartedAt time.Time
	UpdatedAt time.Time
}

// CanaryMetrics is one evaluation: a canary_performance_metrics row. The
// figures that could not be computed (no validation window, no matured
// pair) are nil.
type CanaryMetrics struct {
	ID            int64
	DeploymentID  int64
	Stage         string
	AsOf          time.Time
	DaysInStage   int
	Symbols       []string
	AvgDivergence *float64
	MaxDivergence *float64
	CandidateRMSE *float64
	LegacyRMSE    *float64
	// RMSEChange is CandidateRMSE / LegacyRMSE - 1: positive when the
	// candidate is worse.
	RMSEChange       *float64
	MaturedForecasts int
	Coverage         float64
	MissingForecasts int
	RunErrors        int
	OverfitStreak    int
	Decision         string
	// Criteria holds each criterion with its value, threshold and result
	// (JSON; numbers come back as float64).
	Criteria  []map[string]any
	CreatedAt time.Time
}

// CanaryEvent is one decision: a canary_deployment_events row.
type CanaryEvent struct {
	ID           int64
	DeploymentID int64
	Kind         string
	FromStage    string
	ToStage      string
	AsOf         time.Time
	Actor        string
	Reason       string
	// Figures are the numbers behind the decision (JSON).
	Figures   map[string]any
	MetricsID *int64
	CreatedAt time.Time
}
