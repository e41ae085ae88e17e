package report

import "time"

// CanaryView is the canary rollout as the report shows it: the current stage
// and the events that led there (DESIGN §9).
type CanaryView struct {
	// Stage names the current stage (e.g. "7.1", "rolled_back").
	Stage string
	// StageSince is when the current stage began.
	StageSince time.Time
	// Scope lists the symbols the stage serves the candidate for, when
	// known.
	Scope []string
	// Events are the canary_deployment_events, oldest first.
	Events []CanaryEvent
}

// CanaryEvent is one canary decision or action.
type CanaryEvent struct {
	At time.Time
	// Kind is started, evaluated, advanced, promoted, held or rolled_back.
	Kind  string
	Stage string
	// Reason is why: the criteria met or missed, or the operator's reason.
	Reason string
	// Actor is who or what acted (the scheduler, an operator).
	Actor string
}
