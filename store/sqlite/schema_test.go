package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store/sqlite"
)

// TestSchemaEnsembleValidationMetrics reads ensemble_validation_metrics back
// from SQLite's catalog and compares it with DESIGN §7 (SQLite types: TEXT
// for arrays, JSON and times, REAL for DECIMAL, INTEGER for BOOLEAN).
func TestSchemaEnsembleValidationMetrics(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "runner.db"))
	require.NoError(t, err)
	defer s.Close()
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	db := s.DB()

	rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull" FROM pragma_table_info('ensemble_validation_metrics') ORDER BY cid`)
	require.NoError(t, err)
	type col struct {
		name, typ string
		notNull   bool
	}
	var cols []col
	for rows.Next() {
		var c col
		require.NoError(t, rows.Scan(&c.name, &c.typ, &c.notNull))
		cols = append(cols, c)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []col{
		{"id", "INTEGER", false}, // INTEGER PRIMARY KEY: the rowid, never NULL
		{"symbol_id", "TEXT", true}, {"symbol", "TEXT", true}, {"horizon", "TEXT", true},
		{"validation_date", "TEXT", true}, {"window_id", "INTEGER", true},
		{"train_rmse", "REAL", false}, {"val_rmse", "REAL", true}, {"test_rmse", "REAL", true},
		{"divergence", "REAL", true}, {"divergence_threshold", "REAL", true},
		{"is_overfitting", "INTEGER", true}, {"model_count", "INTEGER", true}, {"models_used", "TEXT", true},
		{"n_train_samples", "INTEGER", false}, {"n_val_samples", "INTEGER", false},
		{"n_test_samples", "INTEGER", false}, {"data_span_days", "INTEGER", false},
		{"hyperparameters", "TEXT", false}, {"directional_accuracy", "REAL", false},
		{"mean_absolute_error", "REAL", false}, {"trained_at", "TEXT", false},
		{"created_at", "TEXT", true}, {"updated_at", "TEXT", true},
	}, cols)

	rows, err = db.QueryContext(ctx, `SELECT il.name, il."unique", il.partial,
		(SELECT group_concat(name || CASE WHEN "desc" THEN ' DESC' ELSE '' END, ', ')
		 FROM (SELECT * FROM pragma_index_xinfo(il.name) WHERE key ORDER BY seqno))
		FROM pragma_index_list('ensemble_validation_metrics') il ORDER BY il.name`)
	require.NoError(t, err)
	type idx struct {
		name            string
		unique, partial bool
		cols            string
	}
	var idxs []idx
	for rows.Next() {
		var i idx
		require.NoError(t, rows.Scan(&i.name, &i.unique, &i.partial, &i.cols))
		idxs = append(idxs, i)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []idx{
		{"idx_evm_overfitting", false, false, "is_overfitting, horizon, validation_date"},
		{"idx_evm_overfitting_recent", false, true, "is_overfitting, created_at DESC"},
		{"idx_evm_symbol_horizon", false, false, "symbol, horizon"},
		{"idx_evm_symbol_horizon_date", false, false, "symbol, horizon, validation_date DESC"},
		{"idx_evm_validation_date", false, false, "validation_date"},
		{"sqlite_autoindex_ensemble_validation_metrics_1", true, false, "symbol, horizon, validation_date, window_id, model_count"},
	}, idxs)

	var sql string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'ensemble_validation_metrics'`).Scan(&sql))
	for _, check := range []string{
		"CONSTRAINT chk_evm_divergence_nonneg CHECK (divergence >= 0)",
		"CONSTRAINT chk_evm_rmse_positive CHECK (train_rmse > 0 AND val_rmse > 0 AND test_rmse > 0)",
		"CONSTRAINT chk_evm_model_count CHECK (model_count BETWEEN 1 AND 6)",
		"divergence_threshold REAL    NOT NULL DEFAULT 0.20",
	} {
		require.Contains(t, sql, check)
	}

	var views []string
	rows, err = db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name`)
	require.NoError(t, err)
	for rows.Next() {
		var v string
		require.NoError(t, rows.Scan(&v))
		views = append(views, v)
	}
	require.Equal(t, []string{"vw_divergence_trends", "vw_overfitting_symbols"}, views)
}

// TestSchemaWalkForward reads back the tables of migration 0003: the
// columns, keys and checks of validation_predictions, divergence_alerts and
// ensemble_weights, and forecasts.weights_id.
func TestSchemaWalkForward(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "runner.db"))
	require.NoError(t, err)
	defer s.Close()
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	db := s.DB()

	query := func(q string, args ...any) []string {
		rows, err := db.QueryContext(ctx, q, args...)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			require.NoError(t, rows.Scan(&v))
			out = append(out, v)
		}
		require.NoError(t, rows.Err())
		return out
	}
	columns := func(table string) []string {
		return query(`SELECT name || ' ' || type || CASE WHEN "notnull" THEN ' NOT NULL' ELSE '' END
			FROM pragma_table_info(?) ORDER BY cid`, table)
	}
	require.Equal(t, []string{
		"id INTEGER", "symbol TEXT NOT NULL", "horizon TEXT NOT NULL", "ensemble TEXT NOT NULL",
		"model TEXT NOT NULL", "window_id INTEGER NOT NULL", "span TEXT NOT NULL", "as_of TEXT NOT NULL",
		"target_date TEXT NOT NULL", "mu REAL NOT NULL", "sigma REAL NOT NULL", "p_bearish REAL NOT NULL",
		"p_neutral REAL NOT NULL", "p_bullish REAL NOT NULL", "ci_lower REAL NOT NULL", "ci_upper REAL NOT NULL",
		"realised_return REAL NOT NULL", "created_at TEXT NOT NULL",
	}, columns("validation_predictions"))
	require.Equal(t, []string{
		"id INTEGER", "symbol TEXT NOT NULL", "horizon TEXT NOT NULL", "validation_date TEXT NOT NULL",
		"window_id INTEGER NOT NULL", "level TEXT NOT NULL", "divergence REAL NOT NULL", "threshold REAL NOT NULL",
		"val_rmse REAL NOT NULL", "test_rmse REAL NOT NULL", "created_at TEXT NOT NULL",
		"ensemble TEXT NOT NULL", "run_id INTEGER",
	}, columns("divergence_alerts"))
	require.Equal(t, []string{
		"id INTEGER", "ensemble TEXT NOT NULL", "symbol TEXT NOT NULL", "horizon TEXT NOT NULL",
		"method TEXT NOT NULL", "weights TEXT NOT NULL", "previous_weights TEXT", "divergence REAL",
		"reason TEXT NOT NULL", "actor TEXT NOT NULL", "effective_at TEXT NOT NULL", "created_at TEXT NOT NULL",
		"source TEXT", "calibrated_weights TEXT", "window_id INTEGER", "validation_date TEXT",
		"val_rmse REAL", "test_rmse REAL", "run_id INTEGER",
	}, columns("ensemble_weights"))
	require.Contains(t, columns("forecasts"), "weights_id INTEGER")

	// Unique keys and indexes, key columns in order.
	indexes := func(table string) []string {
		return query(`SELECT il.name || CASE WHEN il."unique" THEN ' UNIQUE' ELSE '' END || ' (' ||
			(SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) || ')'
			FROM pragma_index_list(?) il ORDER BY il.name`, table)
	}
	require.Equal(t, []string{
		"idx_validation_predictions_calibration (symbol, ensemble, model, span, as_of)",
		"sqlite_autoindex_validation_predictions_1 UNIQUE (symbol, horizon, ensemble, model, window_id, span, as_of)",
	}, indexes("validation_predictions"))
	require.Equal(t, []string{
		"sqlite_autoindex_divergence_alerts_1 UNIQUE (symbol, horizon, ensemble, validation_date, window_id, level)",
	}, indexes("divergence_alerts"))
	require.Equal(t, []string{
		"sqlite_autoindex_ensemble_weights_1 UNIQUE (ensemble, symbol, horizon, effective_at)",
	}, indexes("ensemble_weights"))

	fks := func(table string) []string {
		return query(`SELECT "from" || ' -> ' || "table" || '(' || "to" || ')' FROM pragma_foreign_key_list(?)
			ORDER BY "from"`, table)
	}
	require.Equal(t, []string{"run_id -> forecast_runs(id)"}, fks("divergence_alerts"))
	require.Equal(t, []string{"run_id -> forecast_runs(id)"}, fks("ensemble_weights"))
	require.Contains(t, fks("forecasts"), "weights_id -> ensemble_weights(id)")

	sql := func(table string) string {
		return query(`SELECT sql FROM sqlite_master WHERE name = ?`, table)[0]
	}
	require.Contains(t, sql("validation_predictions"), "span            TEXT    NOT NULL CHECK (span IN ('val', 'test'))")
	require.Contains(t, sql("validation_predictions"), "sigma           REAL    NOT NULL CHECK (sigma > 0)")
	require.Contains(t, sql("ensemble_weights"), "CONSTRAINT chk_ensemble_weights_source CHECK (source IN ('calibrated', 'reverted'))")
	require.Contains(t, sql("ensemble_weights"), "CONSTRAINT chk_ensemble_weights_validation CHECK (source IS NULL OR (window_id IS NOT NULL")
}

// TestSchemaCalibration reads back what migration 0004 adds: the
// calibrations table, its keys, checks and index, and the calibration
// columns of forecasts, last and nullable.
func TestSchemaCalibration(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "runner.db"))
	require.NoError(t, err)
	defer s.Close()
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	query := func(q string, args ...any) []string {
		rows, err := s.DB().QueryContext(ctx, q, args...)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			require.NoError(t, rows.Scan(&v))
			out = append(out, v)
		}
		require.NoError(t, rows.Err())
		return out
	}
	columns := func(table string) []string {
		return query(`SELECT name || ' ' || type || CASE WHEN "notnull" THEN ' NOT NULL' ELSE '' END
			FROM pragma_table_info(?) ORDER BY cid`, table)
	}
	require.Equal(t, []string{
		"id INTEGER", "run_id INTEGER", "symbol TEXT NOT NULL", "horizon TEXT NOT NULL", "ensemble TEXT NOT NULL",
		"method TEXT NOT NULL", "parameters TEXT NOT NULL", "sample_from TEXT NOT NULL", "sample_to TEXT NOT NULL",
		"n_samples INTEGER NOT NULL", "before TEXT NOT NULL", "after TEXT NOT NULL", "created_at TEXT NOT NULL",
		"updated_at TEXT NOT NULL",
	}, columns("calibrations"))
	fc := columns("forecasts")
	require.Equal(t, []string{
		"weights_id INTEGER", "ci_lower_raw REAL", "ci_upper_raw REAL", "p_up REAL", "p_up_raw REAL",
		"calibration_id INTEGER",
	}, fc[len(fc)-7:len(fc)-1], "0004's columns, before 0005's config_hash")

	require.Equal(t, []string{
		"idx_calibrations_latest (symbol, horizon, ensemble, sample_to)",
		"sqlite_autoindex_calibrations_1 UNIQUE (symbol, horizon, ensemble, method, sample_to)",
	}, query(`SELECT il.name || CASE WHEN il."unique" THEN ' UNIQUE' ELSE '' END || ' (' ||
		(SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) || ')'
		FROM pragma_index_list('calibrations') il ORDER BY il.name`))
	require.Equal(t, []string{"1 sample_to"}, query(`SELECT desc || ' ' || name FROM pragma_index_xinfo('idx_calibrations_latest')
		WHERE key AND name = 'sample_to'`), "sample_to descending")
	fks := func(table string) []string {
		return query(`SELECT "from" || ' -> ' || "table" || '(' || "to" || ')' FROM pragma_foreign_key_list(?)
			ORDER BY "from"`, table)
	}
	require.Equal(t, []string{"run_id -> forecast_runs(id)"}, fks("calibrations"))
	require.Equal(t, []string{"calibration_id -> calibrations(id)", "run_id -> forecast_runs(id)",
		"weights_id -> ensemble_weights(id)"}, fks("forecasts"))
	sql := query(`SELECT sql FROM sqlite_master WHERE name = 'calibrations'`)[0]
	require.Contains(t, sql, "n_samples   INTEGER NOT NULL CHECK (n_samples > 0)")
	require.Contains(t, sql, "CONSTRAINT chk_calibrations_key CHECK (symbol <> '' AND horizon <> '' AND ensemble <> '' AND method <> '')")
	require.Contains(t, sql, "CONSTRAINT chk_calibrations_samples CHECK (sample_from <= sample_to)")
}
