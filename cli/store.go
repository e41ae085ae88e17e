package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"runner/marketdata"
	"runner/store"
	"runner/store/postgres"
	"runner/store/sqlite"
)

// DefaultSQLitePath is the embedded store used when no database URL is given.
const DefaultSQLitePath = "runner.db"

// openStore opens the store named by a database URL: postgres:// or
// postgresql:// for PostgreSQL, sqlite:PATH for a SQLite file, and empty
// for DefaultSQLitePath.
func openStore(ctx context.Context, url string) (store.Store, string, error) {
	switch {
	case url == "":
		s, err := sqlite.Open(ctx, DefaultSQLitePath)
		return s, "sqlite:" + DefaultSQLitePath, err
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
		if path == "" {
			return nil, "", usageErrorf("--database-url %q: want sqlite:PATH", url)
		}
		s, err := sqlite.Open(ctx, path)
		return s, url, err
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s, err := postgres.Open(ctx, postgres.Config{URL: url})
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", redactURL(url), err)
		}
		return s, redactURL(url), nil
	default:
		return nil, "", usageErrorf("--database-url %q: want postgres://..., postgresql://... or sqlite:PATH", redactURL(url))
	}
}

// withStore opens the configured store, migrates it up when migrate is
// true, runs fn and closes the store.
func withStore(c *cli.Context, e *env, migrate bool, fn func(store.Store) error) error {
	s, name, err := openStore(c.Context, c.String("database-url"))
	if err != nil {
		return err
	}
	defer s.Close()
	e.log.Debug().Str("store", name).Msg("store opened")
	if migrate {
		applied, err := s.MigrateUp(c.Context)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			e.log.Info().Str("store", name).Ints64("versions", applied).Msg("migrations applied")
		}
	}
	return fn(s)
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
