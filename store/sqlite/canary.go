package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

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
	stages, err := toJSON(d.Stages)
	if err != nil {
		return fmt.Errorf("sqlite: start canary: %w", err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO canary_deployments
			(stages, stage, stage_started_on, status, actor, started_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			stages, d.Stage, d.StageStartedOn.Format(dateLayout), string(d.Status), d.Actor,
			fmtTime(d.StartedAt), fmtTime(d.UpdatedAt)).Scan(&d.ID)
		if err != nil {
			return err
		}
		ev.DeploymentID = d.ID
		return insertCanaryEvent(ctx, tx, ev)
	})
	if err != nil {
		return fmt.Errorf("sqlite: start canary: %w", err)
	}
	return nil
}

// LatestCanary returns the deployment with the highest id.
func (s *Store) LatestCanary(ctx context.Context) (_ store.CanaryDeployment, err error) {
	ctx, end := s.bound(ctx, "latest canary")
	defer func() { err = end(err) }()
	row := s.db.QueryRowContext(ctx, `SELECT `+canaryDeploymentColumns+` FROM canary_deployments ORDER BY id DESC LIMIT 1`)
	d, err := scanCanaryDeployment(row)
	if err != nil {
		return d, notFound(err, "latest canary")
	}
	return d, nil
}

// CanaryDeployments returns every deployment by id.
func (s *Store) CanaryDeployments(ctx context.Context) (_ []store.CanaryDeployment, err error) {
	ctx, end := s.bound(ctx, "canary deployments")
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT `+canaryDeploymentColumns+` FROM canary_deployments ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: canary deployments: %w", err)
	}
	out, err := collectRows(rows, scanCanaryDeployment)
	if err != nil {
		return nil, fmt.Errorf("sqlite: canary deployments: %w", err)
	}
	return out, nil
}

// RecordCanary writes a decision: metrics, event and the deployment's new
// state.
func (s *Store) RecordCanary(ctx context.Context, d store.CanaryDeployment, m *store.CanaryMetrics, ev *store.CanaryEvent) (err error) {
	what := fmt.Sprintf("record canary %d %s %s", d.ID, ev.Kind, ev.AsOf.Format(dateLayout))
	ctx, end := s.bound(ctx, "%s", what)
	defer func() { err = end(err) }()
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		ev.DeploymentID = d.ID
		if m != nil {
			m.DeploymentID = d.ID
			syms, err := toJSON(nonNilStrings(m.Symbols))
			if err != nil {
				return err
			}
			crit, err := toJSON(nonNilCriteria(m.Criteria))
			if err != nil {
				return err
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO canary_performance_metrics
				(deployment_id, stage, as_of, days_in_stage, symbols, avg_divergence, max_divergence, candidate_rmse,
				 legacy_rmse, rmse_change, matured_forecasts, coverage, missing_forecasts, run_errors, overfit_streak,
				 decision, criteria, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (deployment_id, stage, as_of) DO UPDATE SET
					days_in_stage = excluded.days_in_stage, symbols = excluded.symbols,
					avg_divergence = excluded.avg_divergence, max_divergence = excluded.max_divergence,
					candidate_rmse = excluded.candidate_rmse, legacy_rmse = excluded.legacy_rmse,
					rmse_change = excluded.rmse_change, matured_forecasts = excluded.matured_forecasts,
					coverage = excluded.coverage, missing_forecasts = excluded.missing_forecasts,
					run_errors = excluded.run_errors, overfit_streak = excluded.overfit_streak,
					decision = excluded.decision, criteria = excluded.criteria, created_at = excluded.created_at
				RETURNING id`,
				d.ID, m.Stage, m.AsOf.Format(dateLayout), m.DaysInStage, syms, m.AvgDivergence, m.MaxDivergence,
				m.CandidateRMSE, m.LegacyRMSE, m.RMSEChange, m.MaturedForecasts, m.Coverage, m.MissingForecasts,
				m.RunErrors, m.OverfitStreak, m.Decision, crit, fmtTime(m.CreatedAt)).Scan(&m.ID)
			if err != nil {
				return err
			}
			ev.MetricsID = &m.ID
		}
		if err := insertCanaryEvent(ctx, tx, ev); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE canary_deployments
			SET stage = ?, stage_started_on = ?, status = ?, updated_at = ? WHERE id = ?`,
			d.Stage, d.StageStartedOn.Format(dateLayout), string(d.Status), fmtTime(d.UpdatedAt), d.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("deployment %d: %w", d.ID, store.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// insertCanaryEvent inserts ev, or updates the event of the same metrics
// row, and sets ev.ID.
func insertCanaryEvent(ctx context.Context, tx *sql.Tx, ev *store.CanaryEvent) error {
	figs, err := toJSON(nonNilMap(ev.Figures))
	if err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `INSERT INTO canary_deployment_events
		(deployment_id, kind, from_stage, to_stage, as_of, actor, reason, figures, metrics_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (metrics_id) DO UPDATE SET
			kind = excluded.kind, from_stage = excluded.from_stage, to_stage = excluded.to_stage,
			actor = excluded.actor, reason = excluded.reason, figures = excluded.figures,
			created_at = excluded.created_at
		RETURNING id`,
		ev.DeploymentID, ev.Kind, ev.FromStage, ev.ToStage, ev.AsOf.Format(dateLayout), ev.Actor, ev.Reason, figs,
		ev.MetricsID, fmtTime(ev.CreatedAt)).Scan(&ev.ID)
}

// CanaryEvents returns the events of one deployment.
func (s *Store) CanaryEvents(ctx context.Context, deploymentID int64) (_ []store.CanaryEvent, err error) {
	ctx, end := s.bound(ctx, "canary events %d", deploymentID)
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT `+canaryEventColumns+` FROM canary_deployment_events
		WHERE deployment_id = ? ORDER BY id`, deploymentID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: canary events %d: %w", deploymentID, err)
	}
	out, err := collectRows(rows, scanCanaryEvent)
	if err != nil {
		return nil, fmt.Errorf("sqlite: canary events %d: %w", deploymentID, err)
	}
	return out, nil
}

// CanaryMetrics returns the evaluations of one deployment.
func (s *Store) CanaryMetrics(ctx context.Context, deploymentID int64) (_ []store.CanaryMetrics, err error) {
	ctx, end := s.bound(ctx, "canary metrics %d", deploymentID)
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT `+canaryMetricsColumns+` FROM canary_performance_metrics
		WHERE deployment_id = ? ORDER BY as_of, id`, deploymentID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: canary metrics %d: %w", deploymentID, err)
	}
	out, err := collectRows(rows, scanCanaryMetrics)
	if err != nil {
		return nil, fmt.Errorf("sqlite: canary metrics %d: %w", deploymentID, err)
	}
	return out, nil
}

func scanCanaryDeployment(row scanner) (store.CanaryDeployment, error) {
	var (
		d                         store.CanaryDeployment
		stages, startedOn, status string
		startedAt, updatedAt      string
	)
	if err := row.Scan(&d.ID, &stages, &d.Stage, &startedOn, &status, &d.Actor, &startedAt, &updatedAt); err != nil {
		return d, err
	}
	d.Status = store.CanaryStatus(status)
	if err := json.Unmarshal([]byte(stages), &d.Stages); err != nil {
		return d, fmt.Errorf("canary deployment %d: stages: %w", d.ID, err)
	}
	var err error
	if d.StageStartedOn, err = parseDate(startedOn); err != nil {
		return d, fmt.Errorf("canary deployment %d: %w", d.ID, err)
	}
	if d.StartedAt, err = parseTime(startedAt); err != nil {
		return d, fmt.Errorf("canary deployment %d: %w", d.ID, err)
	}
	if d.UpdatedAt, err = parseTime(updatedAt); err != nil {
		return d, fmt.Errorf("canary deployment %d: %w", d.ID, err)
	}
	return d, nil
}

func scanCanaryMetrics(row scanner) (store.CanaryMetrics, error) {
	var (
		m                                  store.CanaryMetrics
		asOf, syms, crit, createdAt        string
		avgDiv, maxDiv, cRMSE, lRMSE, diff sql.NullFloat64
	)
	err := row.Scan(&m.ID, &m.DeploymentID, &m.Stage, &asOf, &m.DaysInStage, &syms, &avgDiv, &maxDiv, &cRMSE,
		&lRMSE, &diff, &m.MaturedForecasts, &m.Coverage, &m.MissingForecasts, &m.RunErrors, &m.OverfitStreak,
		&m.Decision, &crit, &createdAt)
	if err != nil {
		return m, err
	}
	m.AvgDivergence, m.MaxDivergence = nullFloat(avgDiv), nullFloat(maxDiv)
	m.CandidateRMSE, m.LegacyRMSE, m.RMSEChange = nullFloat(cRMSE), nullFloat(lRMSE), nullFloat(diff)
	if m.AsOf, err = parseDate(asOf); err != nil {
		return m, fmt.Errorf("canary metrics %d: %w", m.ID, err)
	}
	if m.CreatedAt, err = parseTime(createdAt); err != nil {
		return m, fmt.Errorf("canary metrics %d: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(syms), &m.Symbols); err != nil {
		return m, fmt.Errorf("canary metrics %d: symbols: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(crit), &m.Criteria); err != nil {
		return m, fmt.Errorf("canary metrics %d: criteria: %w", m.ID, err)
	}
	return m, nil
}

func scanCanaryEvent(row scanner) (store.CanaryEvent, error) {
	var (
		ev                    store.CanaryEvent
		asOf, figs, createdAt string
		metrics               sql.NullInt64
	)
	err := row.Scan(&ev.ID, &ev.DeploymentID, &ev.Kind, &ev.FromStage, &ev.ToStage, &asOf, &ev.Actor, &ev.Reason,
		&figs, &metrics, &createdAt)
	if err != nil {
		return ev, err
	}
	if metrics.Valid {
		ev.MetricsID = &metrics.Int64
	}
	if ev.AsOf, err = parseDate(asOf); err != nil {
		return ev, fmt.Errorf("canary event %d: %w", ev.ID, err)
	}
	if ev.CreatedAt, err = parseTime(createdAt); err != nil {
		return ev, fmt.Errorf("canary event %d: %w", ev.ID, err)
	}
	if err := json.Unmarshal([]byte(figs), &ev.Figures); err != nil {
		return ev, fmt.Errorf("canary event %d: figures: %w", ev.ID, err)
	}
	return ev, nil
}

func nonNilCriteria(c []map[string]any) []map[string]any {
	if c == nil {
		return []map[string]any{}
	}
	return c
}
