package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/urfave/cli/v2"

	"runner/jobs"
	"runner/marketdata"
	"runner/store"
	"runner/store/postgres"
	"runner/store/sqlite"
)

// DefaultSQLitePath is the embedded store used when no database URL is given.
const DefaultSQLitePath = "runner.db"

// dbFlags are the global flags that bound the time spent on the database
// and set how runs are kept.
func dbFlags() []cli.Flag {
	return []cli.Flag{
		&cli.DurationFlag{Name: "db-connect-timeout", EnvVars: []string{"DB_CONNECT_TIMEOUT"}, Value: store.DefaultConnectTimeout,
			Usage: "time allowed to connect to each PostgreSQL host, also when the server accepts and never answers"},
		&cli.DurationFlag{Name: "db-statement-timeout", EnvVars: []string{"DB_STATEMENT_TIMEOUT"}, Value: store.DefaultStatementTimeout,
			Usage: "time allowed for each database call (a statement, or one transaction) and each migration step; also SQLite's busy timeout"},
		&cli.DurationFlag{Name: "db-finish-timeout", EnvVars: []string{"DB_FINISH_TIMEOUT"}, Value: jobs.DefaultFinishTimeout,
			Usage: "time allowed to record the end of a run, also after SIGTERM or SIGINT; past it the process exits and says so"},
		&cli.DurationFlag{Name: "heartbeat-interval", EnvVars: []string{"RUN_HEARTBEAT_INTERVAL"}, Value: jobs.DefaultHeartbeatInterval,
			Usage: "how often a running job records that it is alive"},
		&cli.DurationFlag{Name: "run-lease", EnvVars: []string{"RUN_LEASE"}, Value: jobs.DefaultLease,
			Usage: "a run left running with no heartbeat for this long is marked abandoned by the next job (at least twice --heartbeat-interval)"},
	}
}

// dbOptions is what the global flags say about the database.
type dbOptions struct {
	url                              string
	connectTimeout, statementTimeout time.Duration
}

func dbOptionsOf(c *cli.Context) (dbOptions, error) {
	o := dbOptions{url: c.String("database-url"), connectTimeout: c.Duration("db-connect-timeout"),
		statementTimeout: c.Duration("db-statement-timeout")}
	for _, f := range []string{"db-connect-timeout", "db-statement-timeout"} {
		if c.Duration(f) <= 0 {
			return o, usageErrorf("--%s %s: must be positive", f, c.Duration(f))
		}
	}
	return o, nil
}

// runConfig is how jobs keep their forecast_runs rows, from the global
// flags.
func runConfig(c *cli.Context) (jobs.RunConfig, error) {
	rc := jobs.RunConfig{HeartbeatInterval: c.Duration("heartbeat-interval"), Lease: c.Duration("run-lease"),
		FinishTimeout: c.Duration("db-finish-timeout")}
	for _, f := range []string{"heartbeat-interval", "run-lease", "db-finish-timeout"} {
		if c.Duration(f) <= 0 {
			return rc, usageErrorf("--%s %s: must be positive", f, c.Duration(f))
		}
	}
	if rc.Lease < 2*rc.HeartbeatInterval {
		return rc, usageErrorf("--run-lease %s: must be at least twice --heartbeat-interval %s", rc.Lease, rc.HeartbeatInterval)
	}
	return rc, nil
}

// openStore opens the store named by a database URL: a PostgreSQL
// connection string (postgres:// or postgresql:// URL, or keyword=value
// pairs such as "host=db dbname=runner"), sqlite:PATH for a SQLite file,
// or empty for DefaultSQLitePath. It returns the store and a description
// of it that is safe to print. No message it returns holds the URL.
func openStore(ctx context.Context, db dbOptions) (store.Store, string, error) {
	if path, ok := sqlitePath(db.url); ok {
		if path == "" {
			return nil, "", usageErrorf("--database-url %q: want sqlite:PATH", db.url)
		}
		s, err := sqlite.OpenConfig(ctx, sqlite.Config{Path: path, StatementTimeout: db.statementTimeout})
		return s, "sqlite:" + path, err
	}
	switch url := db.url; {
	case isPostgres(url):
		s, err := postgres.Open(ctx, postgres.Config{URL: url, ConnectTimeout: db.connectTimeout, StatementTimeout: db.statementTimeout})
		if errors.Is(err, postgres.ErrConnString) {
			return nil, "", usageErrorf("--database-url: %w", err)
		}
		if err != nil {
			return nil, "", err
		}
		return s, postgres.Describe(url), nil
	default:
		return nil, "", usageErrorf("--database-url: want a PostgreSQL URL (postgres://... or postgresql://...), " +
			"PostgreSQL keyword=value pairs (host=... dbname=...) or sqlite:PATH (the value is not shown: it may hold a password)")
	}
}

// sqlitePath returns the SQLite file a database URL names: sqlite:PATH,
// or DefaultSQLitePath for none; ok is false for any other URL.
func sqlitePath(url string) (path string, ok bool) {
	switch {
	case url == "":
		return DefaultSQLitePath, true
	case strings.HasPrefix(url, "sqlite:"):
		return strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//"), true
	}
	return "", false
}

// keywordValue matches the start of a libpq keyword=value connection
// string.
var keywordValue = regexp.MustCompile(`^\s*[A-Za-z_]+\s*=`)

// isPostgres reports whether url is a PostgreSQL connection string: a
// postgres:// or postgresql:// URL or keyword=value pairs.
func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") || keywordValue.MatchString(url)
}

// secrets returns the passwords the database URL carries or makes the
// driver use, to be scrubbed from any error text printed.
func secrets(url string) []string {
	if !isPostgres(url) {
		return nil
	}
	return postgres.Secrets(url)
}

// withStore opens the configured store, migrates it up when migrate is
// true, runs fn and closes the store.
func withStore(c *cli.Context, e *env, migrate bool, fn func(store.Store) error) error {
	db, err := dbOptionsOf(c)
	if err != nil {
		return err
	}
	s, name, err := openStore(c.Context, db)
	if err != nil {
		return err
	}
	defer func() {
		if err := s.Close(); err != nil {
			e.log.Warn().Err(err).Msg("store not closed cleanly")
		}
	}()
	e.log.Debug().Str("store", name).Msg("store opened")
	if migrate {
		applied, err := s.MigrateUp(c.Context)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			e.log.Info().Str("store", name).Ints64("versions", applied).Msg("migrations applied")
		}
		if rs, ok := s.(riverStore); ok {
			applied, err := rs.RiverMigrateUp(c.Context)
			if err != nil {
				return err
			}
			if len(applied) > 0 {
				e.log.Info().Str("store", name).Ints("river_versions", applied).Msg("river migrations applied")
			}
		}
	}
	if e.onPanic != nil {
		// Runs before the store is closed.
		defer func() {
			if p := recover(); p != nil {
				e.onPanic(s, p)
				panic(p)
			}
		}()
	}
	if e.wrapStore != nil {
		return fn(e.wrapStore(s))
	}
	return fn(s)
}

// riverStore is a store that holds River's job queue: PostgreSQL.
type riverStore interface {
	store.Store
	RiverMigrateUp(ctx context.Context) ([]int, error)
	RiverMigrateDown(ctx context.Context) ([]int, error)
	RiverMigrationStatus(ctx context.Context) (postgres.RiverStatus, error)
	Pool() *pgxpool.Pool
}

var _ riverStore = (*postgres.Store)(nil)

// withReadStore opens the configured store for a command that writes
// nothing (a dry run): it does not migrate, and a store with pending
// migrations is an error that says so.
func withReadStore(c *cli.Context, e *env, fn func(store.Store) error) error {
	return withStore(c, e, false, func(s store.Store) error {
		st, err := s.MigrationStatus(c.Context)
		if err != nil {
			return err
		}
		for _, m := range st {
			if !m.Applied {
				return fmt.Errorf("the store's schema is not up to date (migration %04d_%s pending): run runner migrate first; a dry run writes nothing", m.Version, m.Name)
			}
		}
		return fn(s)
	})
}

// source returns the bar source named by --data: a CSV directory, or the
// price_bars table of the store when it is "postgres" (or "store").
func source(c *cli.Context, s store.Store) marketdata.Source {
	switch d := c.String("data"); d {
	case "postgres", "store":
		return s
	default:
		return marketdata.CSVSource{Dir: d}
	}
}
