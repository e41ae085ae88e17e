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
