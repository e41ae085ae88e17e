package cli

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"runner/store/storetest"
)

// TestDatabasePasswordNeverPrinted runs commands with a password in every
// form a PostgreSQL connection string can carry one (pgconn.ParseConfig's
// documentation): it must appear in no output, no log line (debug, JSON)
// and no stored row. The test server trusts every password, so the forms
// that parse connect and run a forecast.
func TestDatabasePasswordNeverPrinted(t *testing.T) {
	base, err := pgconn.ParseConfig(storetest.PostgresURL(t))
	require.NoError(t, err)
	host, port, user, db := base.Host, base.Port, base.User, base.Database
	const secret = "S3cr3tPw"
	t.Setenv("PGPASSFILE", "/nonexistent")

	check := func(t *testing.T, url string, wantCode int, args ...string) string {
		t.Helper()
		all := append([]string{"--log-level", "debug", "--log-format", "json", "--database-url", url}, args...)
		code, out, stderr := run(t, all...)
		require.Equal(t, wantCode, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
		for _, leak := range []string{secret, "S3cr3t", "cr3t Pw", "cr3t%20Pw", "Pw@xyz", "xyz@"} {
			require.NotContains(t, out+stderr, leak, "printed")
		}
		return stderr
	}
	noStoredPassword := func(t *testing.T, schema string) {
		t.Helper()
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, storetest.PostgresURL(t))
		require.NoError(t, err)
		defer conn.Close(ctx)
		for _, table := range []string{"forecast_runs", "forecasts"} {
			var n, leaks int
			q := fmt.Sprintf(`SELECT COUNT(*), COUNT(*) FILTER (WHERE row_to_json(r)::text LIKE '%%cr3t%%') FROM %s r`,
				pgx.Identifier{schema, table}.Sanitize())
			require.NoError(t, conn.QueryRow(ctx, q).Scan(&n, &leaks))
			require.Positive(t, n, table)
			require.Zero(t, leaks, "%s rows hold the password", table)
		}
	}
	forecast := []string{"--data", prices, "forecast", "--ensemble", "naive", "--symbols", "AAPL", "--as-of", "2023-12-29"}

	// Forms that parse and connect.
	for name, url := range map[string]func(schema string) string{
		"url userinfo": func(s string) string {
			return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable&search_path=%s", user, secret, host, port, db, s)
		},
		"url userinfo percent-encoded space and at": func(s string) string {
			return fmt.Sprintf("postgresql://%s:S3cr3t%%20Pw%%40xyz@%s:%d/%s?sslmode=disable&search_path=%s", user, host, port, db, s)
		},
		"url query password": func(s string) string {
			return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable&password=%s&search_path=%s", user, host, port, db, secret, s)
		},
		"keyword/value": func(s string) string {
			return fmt.Sprintf("host=%s port=%d user=%s password=%s dbname=%s sslmode=disable search_path=%s", host, port, user, secret, db, s)
		},
		"keyword/value quoted with space": func(s string) string {
			return fmt.Sprintf("host=%s port=%d user=%s password='S3cr3t Pw' dbname=%s sslmode=disable search_path=%s", host, port, user, db, s)
		},
		"several hosts, first unreachable": func(s string) string {
			return fmt.Sprintf("postgres://%s:%s@127.0.0.1:1,%s:%d/%s?sslmode=disable&search_path=%s", user, secret, host, port, db, s)
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, schema := storetest.Schema(t)
			u := url(schema)
			check(t, u, ExitOK, "migrate", "up")
			check(t, u, ExitOK, forecast...)
			check(t, u, ExitOK, "migrate", "status")
			noStoredPassword(t, schema)
		})
	}
	t.Run("PGPASSWORD", func(t *testing.T) {
		_, schema := storetest.Schema(t)
		t.Setenv("PGPASSWORD", secret)
		u := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable&search_path=%s", user, host, port, db, schema)
		check(t, u, ExitOK, forecast...)
		noStoredPassword(t, schema)
		stderr := check(t, "host=127.0.0.1 port=1 user=alice dbname=x connect_timeout=1", ExitFailure, "migrate", "status")
		require.Contains(t, stderr, "postgres://alice@127.0.0.1:1/x")
	})

	// Forms that parse but cannot connect: the error names the database
	// without its password.
	for url, want := range map[string]string{
		"postgres://alice:" + secret + "@127.0.0.1:1/x?connect_timeout=1":                     "connect to postgres://alice@127.0.0.1:1/x",
		"postgres://alice@127.0.0.1:1/x?connect_timeout=1&password=" + secret:                 "connect to postgres://alice@127.0.0.1:1/x",
		"host=127.0.0.1 port=1 user=alice password=" + secret + " dbname=x connect_timeout=1": "connect to postgres://alice@127.0.0.1:1/x",
		"host=/nonexistent user=alice password=" + secret + " dbname=x":                       "connect to postgres://alice@%2Fnonexistent:5432/x",
		"postgres://alice:" + secret + "@%2Fnonexistent/x":                                    "connect to postgres://alice@%2Fnonexistent:5432/x",
		"postgres://alice:" + secret + "@127.0.0.1:1,127.0.0.1:2/x?connect_timeout=1":         "connect to postgres://alice@127.0.0.1:1,127.0.0.1:2/x",
	} {
		stderr := check(t, url, ExitFailure, "migrate", "status")
		require.Contains(t, stderr, want)
	}

	// Strings that cannot be parsed: a usage error that shows nothing of
	// them.
	for _, url := range []string{
		"postgres://alice:S3cr3t Pw@127.0.0.1/x",
		"postgres://alice:S3cr3tPw@xyz@127.0.0.1/x",
		"host=127.0.0.1 password='S3cr3tPw dbname=x",
		"mysql://alice:S3cr3tPw@127.0.0.1/x",
		"S3cr3tPw",
	} {
		stderr := check(t, url, ExitUsage, "migrate", "status")
		require.Contains(t, stderr, "--database-url")
		require.Contains(t, stderr, "not shown")
	}
}
