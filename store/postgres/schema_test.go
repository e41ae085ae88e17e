package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"runner/store/postgres"
	"runner/store/storetest"
)

// evmColumns is ensemble_validation_metrics as DESIGN §7 specifies it: the
// seed system's 24 columns, in order, with their types and nullability.
var evmColumns = []struct{ name, typ, nullable string }{
	{"id", "bigint", "NO"},
	{"symbol_id", "text", "NO"},
	{"symbol", "text", "NO"},
	{"horizon", "text", "NO"},
	{"validation_date", "timestamp with time zone", "NO"},
	{"window_id", "integer", "NO"},
	{"train_rmse", "numeric(12,6)", "YES"},
	{"val_rmse", "numeric(12,6)", "NO"},
	{"test_rmse", "numeric(12,6)", "NO"},
	{"divergence", "numeric(8,6)", "NO"},
	{"divergence_threshold", "numeric(8,6)", "NO"},
	{"is_overfitting", "boolean", "NO"},
	{"model_count", "integer", "NO"},
	{"models_used", "text[]", "NO"},
	{"n_train_samples", "integer", "YES"},
	{"n_val_samples", "integer", "YES"},
	{"n_test_samples", "integer", "YES"},
	{"data_span_days", "integer", "YES"},
	{"hyperparameters", "jsonb", "YES"},
	{"directional_accuracy", "numeric(5,4)", "YES"},
	{"mean_absolute_error", "numeric(12,6)", "YES"},
	{"trained_at", "timestamp with time zone", "YES"},
	{"created_at", "timestamp with time zone", "NO"},
	{"updated_at", "timestamp with time zone", "NO"},
}

func TestSchemaEnsembleValidationMetrics(t *testing.T) {
	ctx := context.Background()
	url, schema := storetest.Schema(t)
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	pool := s.Pool()

	rows, err := pool.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod),
		CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END
		FROM pg_attribute a WHERE a.attrelid = 'ensemble_validation_metrics'::regclass
		AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`)
	require.NoError(t, err)
	type col struct{ name, typ, nullable string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (col, error) {
		var c col
		return c, r.Scan(&c.name, &c.typ, &c.nullable)
	})
	require.NoError(t, err)
	require.Len(t, cols, 24)
	for i, want := range evmColumns {
		require.Equal(t, col(want), cols[i], "column %d", i+1)
	}

	var def string
	require.NoError(t, pool.QueryRow(ctx, `SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
		JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
		WHERE d.adrelid = 'ensemble_validation_metrics'::regclass AND a.attname = 'divergence_threshold'`).Scan(&def))
	require.Equal(t, "0.20", def)
	var identity string
	require.NoError(t, pool.QueryRow(ctx, `SELECT attidentity FROM pg_attribute
		WHERE attrelid = 'ensemble_validation_metrics'::regclass AND attname = 'id'`).Scan(&identity))
	require.Equal(t, "a", identity, "id is GENERATED ALWAYS AS IDENTITY")

	rows, err = pool.Query(ctx, `SELECT conname, contype::text, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'ensemble_validation_metrics'::regclass ORDER BY conname`)
	require.NoError(t, err)
	type con struct{ name, typ, def string }
	cons, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (con, error) {
		var c con
		return c, r.Scan(&c.name, &c.typ, &c.def)
	})
	require.NoError(t, err)
	require.Equal(t, []con{
		{"chk_evm_divergence_nonneg", "c", "CHECK ((divergence >= (0)::numeric))"},
		{"chk_evm_model_count", "c", "CHECK (((model_count >= 1) AND (model_count <= 6)))"},
		{"chk_evm_rmse_positive", "c", "CHECK (((train_rmse > (0)::numeric) AND (val_rmse > (0)::numeric) AND (test_rmse > (0)::numeric)))"},
		{"ensemble_validation_metrics_pkey", "p", "PRIMARY KEY (id)"},
		{"uq_evm_window", "u", "UNIQUE (symbol, horizon, validation_date, window_id, model_count)"},
	}, cons)

	rows, err = pool.Query(ctx, `SELECT indexname, regexp_replace(indexdef, ' ON \S+ USING', ' USING')
		FROM pg_indexes WHERE tablename = 'ensemble_validation_metrics' AND schemaname = $1
		AND indexname LIKE 'idx_%' ORDER BY indexname`, schema)
	require.NoError(t, err)
	type idx struct{ name, def string }
	idxs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (idx, error) {
		var i idx
		return i, r.Scan(&i.name, &i.def)
	})
	require.NoError(t, err)
	require.Equal(t, []idx{
		{"idx_evm_overfitting", "CREATE INDEX idx_evm_overfitting USING btree (is_overfitting, horizon, validation_date)"},
		{"idx_evm_overfitting_recent", "CREATE INDEX idx_evm_overfitting_recent USING btree (is_overfitting, created_at DESC) WHERE is_overfitting"},
		{"idx_evm_symbol_horizon", "CREATE INDEX idx_evm_symbol_horizon USING btree (symbol, horizon)"},
		{"idx_evm_symbol_horizon_date", "CREATE INDEX idx_evm_symbol_horizon_date USING btree (symbol, horizon, validation_date DESC)"},
		{"idx_evm_validation_date", "CREATE INDEX idx_evm_validation_date USING btree (validation_date)"},
	}, idxs)

	var views []string
	rows, err = pool.Query(ctx, `SELECT table_name FROM information_schema.views WHERE table_schema = $1 ORDER BY 1`, schema)
	require.NoError(t, err)
	views, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"vw_divergence_trends", "vw_overfitting_symbols"}, views)

	var args string
	require.NoError(t, pool.QueryRow(ctx, `SELECT pg_get_function_identity_arguments(p.oid) FROM pg_proc p
		JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'get_ensemble_stats' AND n.nspname = $1`, schema).Scan(&args))
	require.Equal(t, "p_symbol text, p_horizon text, p_days integer", args)
}

func TestViews(t *testing.T) {
	ctx := context.Background()
	url, schema := storetest.Schema(t)
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, `INSERT INTO ensemble_validation_metrics
		(symbol_id, symbol, horizon, validation_date, window_id, val_rmse, test_rmse, divergence, is_overfitting, model_count, models_used)
		VALUES ('AAPL', 'AAPL', '1D', NOW() - INTERVAL '1 day', 1, 0.01, 0.013, 0.3, TRUE, 2, '{arima_garch,lstm}'),
		       ('AAPL', 'AAPL', '1D', NOW() - INTERVAL '2 days', 2, 0.01, 0.0125, 0.25, TRUE, 2, '{arima_garch,lstm}'),
		       ('AAPL', 'AAPL', '1D', NOW() - INTERVAL '30 days', 3, 0.01, 0.02, 1.0, TRUE, 2, '{arima_garch,lstm}'),
		       ('AAPL', 'AAPL', '1D', NOW() - INTERVAL '3 days', 4, 0.01, 0.0101, 0.01, FALSE, 2, '{arima_garch,lstm}')`)
	require.NoError(t, err)
	var n int
	var avg, max float64
	// By hand: the two overfitting rows of the last 7 days, divergences 0.3 and 0.25.
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT overfitting_count, avg_divergence::float8, max_divergence::float8
		FROM vw_overfitting_symbols WHERE symbol = 'AAPL' AND horizon = '1D'`).Scan(&n, &avg, &max))
	require.Equal(t, 2, n)
	require.InDelta(t, 0.275, avg, 1e-12)
	require.InDelta(t, 0.3, max, 1e-12)

	rows, err := s.Pool().Query(ctx, `SELECT window_id, window_sequence FROM vw_divergence_trends ORDER BY window_sequence`)
	require.NoError(t, err)
	seq, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int, error) {
		var p [2]int
		return p, r.Scan(&p[0], &p[1])
	})
	require.NoError(t, err)
	require.Equal(t, [][2]int{{3, 1}, {4, 2}, {2, 3}, {1, 4}}, seq, "sequence follows validation_date")
}

// TestSchemaWalkForward reads back the tables of migration 0003: the
// columns, constraints and indexes of validation_predictions,
// divergence_alerts and ensemble_weights, and forecasts.weights_id.
func TestSchemaWalkForward(t *testing.T) {
	ctx := context.Background()
	url, schema := storetest.Schema(t)
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	pool := s.Pool()

	query := func(q string, args ...any) []string {
		rows, err := pool.Query(ctx, q, args...)
		require.NoError(t, err)
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return out
	}
	columns := func(table string) []string {
		return query(`SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
			|| CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
			FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
			ORDER BY a.attnum`, table)
	}
	require.Equal(t, []string{
		"id bigint NOT NULL", "symbol text NOT NULL", "horizon text NOT NULL", "ensemble text NOT NULL",
		"model text NOT NULL", "window_id integer NOT NULL", "span text NOT NULL", "as_of date NOT NULL",
		"target_date date NOT NULL", "mu double precision NOT NULL", "sigma double precision NOT NULL",
		"p_bearish double precision NOT NULL", "p_neutral double precision NOT NULL",
		"p_bullish double precision NOT NULL", "ci_lower double precision NOT NULL",
		"ci_upper double precision NOT NULL", "realised_return double precision NOT NULL",
		"created_at timestamp with time zone NOT NULL",
	}, columns("validation_predictions"))
	require.Equal(t, []string{
		"id bigint NOT NULL", "symbol text NOT NULL", "horizon text NOT NULL",
		"validation_date timestamp with time zone NOT NULL", "window_id integer NOT NULL", "level text NOT NULL",
		"divergence numeric(8,6) NOT NULL", "threshold numeric(8,6) NOT NULL", "val_rmse numeric(12,6) NOT NULL",
		"test_rmse numeric(12,6) NOT NULL", "created_at timestamp with time zone NOT NULL",
		"ensemble text NOT NULL", "run_id bigint",
	}, columns("divergence_alerts"))
	require.Equal(t, []string{
		"id bigint NOT NULL", "ensemble text NOT NULL", "symbol text NOT NULL", "horizon text NOT NULL",
		"method text NOT NULL", "weights jsonb NOT NULL", "previous_weights jsonb", "divergence double precision",
		"reason text NOT NULL", "actor text NOT NULL", "effective_at timestamp with time zone NOT NULL",
		"created_at timestamp with time zone NOT NULL", "source text", "calibrated_weights jsonb",
		"window_id integer", "validation_date timestamp with time zone", "val_rmse double precision",
		"test_rmse double precision", "run_id bigint",
	}, columns("ensemble_weights"))
	require.Contains(t, columns("forecasts"), "weights_id bigint")

	constraints := func(table string) []string {
		return query(`SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
			WHERE conrelid = $1::regclass ORDER BY conname`, table)
	}
	require.Equal(t, []string{
		"uq_validation_predictions UNIQUE (symbol, horizon, ensemble, model, window_id, span, as_of)",
		"validation_predictions_pkey PRIMARY KEY (id)",
		"validation_predictions_sigma_check CHECK ((sigma > (0)::double precision))",
		"validation_predictions_span_check CHECK ((span = ANY (ARRAY['val'::text, 'test'::text])))",
	}, constraints("validation_predictions"))
	require.Equal(t, []string{
		"divergence_alerts_divergence_check CHECK ((divergence >= (0)::numeric))",
		"divergence_alerts_level_check CHECK ((level = ANY (ARRAY['warning'::text, 'overfitting'::text, 'critical'::text])))",
		"divergence_alerts_pkey PRIMARY KEY (id)",
		"fk_divergence_alerts_run FOREIGN KEY (run_id) REFERENCES forecast_runs(id)",
		"uq_divergence_alerts UNIQUE (symbol, horizon, ensemble, validation_date, window_id, level)",
	}, constraints("divergence_alerts"))
	require.Equal(t, []string{
		"chk_ensemble_weights_source CHECK ((source = ANY (ARRAY['calibrated'::text, 'reverted'::text])))",
		"chk_ensemble_weights_validation CHECK (((source IS NULL) OR ((window_id IS NOT NULL) AND (validation_date IS NOT NULL) AND (val_rmse > (0)::double precision) AND (test_rmse > (0)::double precision) AND (divergence >= (0)::double precision))))",
		"ensemble_weights_pkey PRIMARY KEY (id)",
		"fk_ensemble_weights_run FOREIGN KEY (run_id) REFERENCES forecast_runs(id)",
		"uq_ensemble_weights UNIQUE (ensemble, symbol, horizon, effective_at)",
	}, constraints("ensemble_weights"))
	require.Contains(t, constraints("forecasts"), "fk_forecasts_weights FOREIGN KEY (weights_id) REFERENCES ensemble_weights(id)")

	require.Equal(t, []string{
		"CREATE INDEX idx_validation_predictions_calibration USING btree (symbol, ensemble, model, span, as_of)",
	}, query(`SELECT regexp_replace(indexdef, ' ON \S+ USING', ' USING') FROM pg_indexes
		WHERE schemaname = $1 AND tablename = 'validation_predictions' AND indexname LIKE 'idx_%'`, schema))
}

// TestSchemaCalibration reads back what migration 0004 adds: the
// calibrations table, its keys and index, and the calibration columns of
// forecasts, last and nullable.
func TestSchemaCalibration(t *testing.T) {
	ctx := context.Background()
	url, schema := storetest.Schema(t)
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.MigrateUp(ctx)
	require.NoError(t, err)
	query := func(q string, args ...any) []string {
		rows, err := s.Pool().Query(ctx, q, args...)
		require.NoError(t, err)
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return out
	}
	columns := func(table string) []string {
		return query(`SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
			|| CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
			FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
			ORDER BY a.attnum`, table)
	}
	require.Equal(t, []string{
		"id bigint NOT NULL", "run_id bigint", "symbol text NOT NULL", "horizon text NOT NULL",
		"ensemble text NOT NULL", "method text NOT NULL", "parameters jsonb NOT NULL",
		"sample_from timestamp with time zone NOT NULL", "sample_to timestamp with time zone NOT NULL",
		"n_samples integer NOT NULL", "before jsonb NOT NULL", "after jsonb NOT NULL",
		"created_at timestamp with time zone NOT NULL", "updated_at timestamp with time zone NOT NULL",
	}, columns("calibrations"))
	fc := columns("forecasts")
	require.Equal(t, []string{
		"weights_id bigint", "ci_lower_raw double precision", "ci_upper_raw double precision",
		"p_up double precision", "p_up_raw double precision", "calibration_id bigint",
	}, fc[len(fc)-7:len(fc)-1], "0004's columns, before 0005's config_hash")

	constraints := func(table string) []string {
		return query(`SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
			WHERE conrelid = $1::regclass ORDER BY conname`, table)
	}
	require.Equal(t, []string{
		"calibrations_n_samples_check CHECK ((n_samples > 0))",
		"calibrations_pkey PRIMARY KEY (id)",
		"chk_calibrations_key CHECK (((symbol <> ''::text) AND (horizon <> ''::text) AND (ensemble <> ''::text) AND (method <> ''::text)))",
		"chk_calibrations_samples CHECK ((sample_from <= sample_to))",
		"fk_calibrations_run FOREIGN KEY (run_id) REFERENCES forecast_runs(id)",
		"uq_calibrations UNIQUE (symbol, horizon, ensemble, method, sample_to)",
	}, constraints("calibrations"))
	require.Contains(t, constraints("forecasts"), "fk_forecasts_calibration FOREIGN KEY (calibration_id) REFERENCES calibrations(id)")
	require.Equal(t, []string{
		"CREATE INDEX idx_calibrations_latest USING btree (symbol, horizon, ensemble, sample_to DESC)",
	}, query(`SELECT regexp_replace(indexdef, ' ON \S+ USING', ' USING') FROM pg_indexes
		WHERE schemaname = $1 AND tablename = 'calibrations' AND indexname LIKE 'idx_%'`, schema))
}
