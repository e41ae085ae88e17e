package observe

import (
	"context"

	"runner/store"
)

// Store wraps a store.Store and tells Metrics, and OnRunStarted, of the
// runs, forecasts and walk-forward windows the jobs write through it. The
// writes themselves are unchanged; only the successful ones are observed.
type Store struct {
	store.Store
	Metrics *Metrics
	// OnRunStarted, when set, is called with each run started.
	OnRunStarted func(run store.Run)
	// OnRunFinished, when set, is called with each run whose end was
	// recorded.
	OnRunFinished func(run store.Run)
}

// StartRun starts the run and reports it.
func (s *Store) StartRun(ctx context.Context, run *store.Run) error {
	if err := s.Store.StartRun(ctx, run); err != nil {
		return err
	}
	if s.OnRunStarted != nil {
		s.OnRunStarted(*run)
	}
	return nil
}

// FinishRun records the run's end and counts it.
func (s *Store) FinishRun(ctx context.Context, run *store.Run) error {
	if err := s.Store.FinishRun(ctx, run); err != nil {
		return err
	}
	if s.Metrics != nil {
		s.Metrics.RunFinished(*run)
	}
	if s.OnRunFinished != nil {
		s.OnRunFinished(*run)
	}
	return nil
}

// SaveForecasts writes the forecasts and counts them.
func (s *Store) SaveForecasts(ctx context.Context, fs []store.Forecast) error {
	if err := s.Store.SaveForecasts(ctx, fs); err != nil {
		return err
	}
	if s.Metrics != nil {
		s.Metrics.ForecastsWritten(fs)
	}
	return nil
}

// SaveValidationWindows writes the windows and shows their divergence.
func (s *Store) SaveValidationWindows(ctx context.Context, ws []store.ValidationWindow) error {
	if err := s.Store.SaveValidationWindows(ctx, ws); err != nil {
		return err
	}
	if s.Metrics != nil {
		s.Metrics.WindowsWritten(ws)
	}
	return nil
}
