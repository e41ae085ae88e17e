package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"runner/store"
)

const canaryDeploymentColumns = `id, stages, stage, stage_started_on, status, actor, started_at, updated_at`

const canaryMetricsColumns = `id, deployment_id, stage, as_of, days_in_stage, symbols, avg_divergence,
	max_divergence, candidate_rmse, legacy_rmse, rmse_change, matured_forecasts, coverage, missing_forecasts,
	run_errors, overfit_streak, decision, criteria, created_at`

const canaryEventColumns = `id, deployment_id, kind, from_stage, to_stage, as_of, actor, reason, figures,
	metrics_id, created_at`

// StartCanary inserts a deployment and its started event.
func (s *Store) StartCanary(ctx context.Context, d *store.CanaryDeployment, ev *store.CanaryEvent) (err error) {
	ctx, end := s.bound(ctx, "start canary")
	defer func() { err = end(err) }()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO canary_deployments
			(stages, stage, stage_started_on, status, actor, started_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			d.Stages, d.Stage, d.StageStartedOn, string(d.Status), d.Actor, d.StartedAt, d.UpdatedAt).Scan(&d.ID)
		if err != nil {
			return err
		}
		ev.DeploymentID = d.ID
		return insertCanaryEvent(ctx, tx, ev)
	})
	if err != nil {
		return fmt.Errorf("postgres: start canary: %w", err)
	}
	return nil
}

// LatestCanary returns the deployment with the highest id.
func (s *Store) LatestCanary(ctx context.Context) (_ store.CanaryDeployment, err error) {
	ctx, end := s.bound(ctx, "latest canary")
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT `+canaryDeploymentColumns+` FROM canary_deployments ORDER BY id DESC LIMIT 1`)
	if err != nil {
		return store.CanaryDeployment{}, translate(err, "latest canary")
	}
	d, err := pgx.CollectExactlyOneRow(rows, scanCanaryDeployment)
	if err != nil {
		return d, translate(err, "latest canary")
	}
	return d, nil
}

// CanaryDeployments returns every deployment by id.
func (s *Store) CanaryDeployments(ctx context.Context) (_ []store.CanaryDeployment, err error) {
	ctx, end := s.bound(ctx, "canary deployments")
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT `+canaryDeploymentColumns+` FROM canary_deployments ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: canary deployments: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanCanaryDeployment)
	if err != nil {
		return nil, fmt.Errorf("postgres: canary deployments: %w", err)
	}
	return out, nil
}

// RecordCanary writes a decision: metrics, event and the deployment's new
// state.
func (s *Store) RecordCanary(ctx context.Context, d store.CanaryDeployment, m *store.CanaryMetrics, ev *store.CanaryEvent) (err error) {
	what := fmt.Sprintf("record canary %d %s %s", d.ID, ev.Kind, ev.AsOf.Format(time.DateOnly))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		ev.DeploymentID = d.ID
		if m != nil {
			m.DeploymentID = d.ID
			crit := m.Criteria
			if crit == nil {
				crit = []map[string]any{}
			}
			err := tx.QueryRow(ctx, `INSERT INTO canary_performance_metrics
				(deployment_id, stage, as_of, days_in_stage, symbols, avg_divergence, max_divergence, candidate_rmse,
				 legacy_rmse, rmse_change, matured_forecasts, coverage, missing_forecasts, run_errors, overfit_streak,
				 decision, criteria, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
				ON CONFLICT (deployment_id, stage, as_of) DO UPDATE SET
					days_in_stage = EXCLUDED.days_in_stage, symbols = EXCLUDED.symbols,
					avg_divergence = EXCLUDED.avg_divergence, max_divergence = EXCLUDED.max_divergence,
					candidate_rmse = EXCLUDED.candidate_rmse, legacy_rmse = EXCLUDED.legacy_rmse,
					rmse_change = EXCLUDED.rmse_change, matured_forecasts = EXCLUDED.matured_forecasts,
					coverage = EXCLUDED.coverage, missing_forecasts = EXCLUDED.missing_forecasts,
					run_errors = EXCLUDED.run_errors, overfit_streak = EXCLUDED.overfit_streak,
					decision = EXCLUDED.decision, criteria = EXCLUDED.criteria, created_at = EXCLUDED.created_at
				RETURNING id`,
				d.ID, m.Stage, m.AsOf, m.DaysInStage, nonNilStrings(m.Symbols), m.AvgDivergence, m.MaxDivergence,
				m.CandidateRMSE, m.LegacyRMSE, m.RMSEChange, m.MaturedForecasts, m.Coverage, m.MissingForecasts,
				m.RunErrors, m.OverfitStreak, m.Decision, crit, m.CreatedAt).Scan(&m.ID)
			if err != nil {
				return err
			}
			ev.MetricsID = &m.ID
		}
		if err := insertCanaryEvent(ctx, tx, ev); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE canary_deployments
			SET stage = $1, stage_started_on = $2, status = $3, updated_at = $4 WHERE id = $5`,
			d.Stage, d.StageStartedOn, string(d.Status), d.UpdatedAt, d.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("deployment %d: %w", d.ID, store.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	return nil
}

// insertCanaryEvent inserts ev, or updates the event of the same metrics
// row, and sets ev.ID.
func insertCanaryEvent(ctx context.Context, tx pgx.Tx, ev *store.CanaryEvent) error {
	return tx.QueryRow(ctx, `INSERT INTO canary_deployment_events
		(deployment_id, kind, from_stage, to_stage, as_of, actor, reason, figures, metrics_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (metrics_id) DO UPDATE SET
			kind = EXCLUDED.kind, from_stage = EXCLUDED.from_stage, to_stage = EXCLUDED.to_stage,
			actor = EXCLUDED.actor, reason = EXCLUDED.reason, figures = EXCLUDED.figures,
			created_at = EXCLUDED.created_at
		RETURNING id`,
		ev.DeploymentID, ev.Kind, ev.FromStage, ev.ToStage, ev.AsOf, ev.Actor, ev.Reason, nonNilMap(ev.Figures),
		ev.MetricsID, ev.CreatedAt).Scan(&ev.ID)
}

// CanaryEvents returns the events of one deployment.
func (s *Store) CanaryEvents(ctx context.Context, deploymentID int64) (_ []store.CanaryEvent, err error) {
	ctx, end := s.bound(ctx, "canary events %d", deploymentID)
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT `+canaryEventColumns+` FROM canary_deployment_events
		WHERE deployment_id = $1 ORDER BY id`, deploymentID)
	if err != nil {
		return nil, fmt.Errorf("postgres: canary events %d: %w", deploymentID, err)
	}
	out, err := pgx.CollectRows(rows, scanCanaryEvent)
	if err != nil {
		return nil, fmt.Errorf("postgres: canary events %d: %w", deploymentID, err)
	}
	return out, nil
}

// CanaryMetrics returns the evaluations of one deployment.
func (s *Store) CanaryMetrics(ctx context.Context, deploymentID int64) (_ []store.CanaryMetrics, err error) {
	ctx, end := s.bound(ctx, "canary metrics %d", deploymentID)
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT `+canaryMetricsColumns+` FROM canary_performance_metrics
		WHERE deployment_id = $1 ORDER BY as_of, id`, deploymentID)
	if err != nil {
		return nil, fmt.Errorf("postgres: canary metrics %d: %w", deploymentID, err)
	}
	out, err := pgx.CollectRows(rows, scanCanaryMetrics)
	if err != nil {
		return nil, fmt.Errorf("postgres: canary metrics %d: %w", deploymentID, err)
	}
	return out, nil
}

func scanCanaryDeployment(row pgx.CollectableRow) (store.CanaryDeployment, error) {
	var (
		d      store.CanaryDeployment
		status string
	)
	err := row.Scan(&d.ID, &d.Stages, &d.Stage, &d.StageStartedOn, &status, &d.Actor, &d.StartedAt, &d.UpdatedAt)
	d.Status = store.CanaryStatus(status)
	d.StartedAt, d.UpdatedAt = d.StartedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

func scanCanaryMetrics(row pgx.CollectableRow) (store.CanaryMetrics, error) {
	var m store.CanaryMetrics
	err := row.Scan(&m.ID, &m.DeploymentID, &m.Stage, &m.AsOf, &m.DaysInStage, &m.Symbols, &m.AvgDivergence,
		&m.MaxDivergence, &m.CandidateRMSE, &m.LegacyRMSE, &m.RMSEChange, &m.MaturedForecasts, &m.Coverage,
		&m.MissingForecasts, &m.RunErrors, &m.OverfitStreak, &m.Decision, &m.Criteria, &m.CreatedAt)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, err
}

func scanCanaryEvent(row pgx.CollectableRow) (store.CanaryEvent, error) {
	var ev store.CanaryEvent
	err := row.Scan(&ev.ID, &ev.DeploymentID, &ev.Kind, &ev.FromStage, &ev.ToStage, &ev.AsOf, &ev.Actor, &ev.Reason,
		&ev.Figures, &ev.MetricsID, &ev.CreatedAt)
	ev.CreatedAt = ev.CreatedAt.UTC()
	return ev, err
}
