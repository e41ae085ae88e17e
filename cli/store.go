package cli

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"runner/marketdata"
	"runner/store"
	"runner/store/postgres"
	"runner/store/sqlite"
)

// DefaultSQLitePath is the embedded store used when no database URL is given.
const DefaultSQLitePath = "runner.db"

// openStore opens the store named by a database URL: a PostgreSQL
// connection string (postgres:// or postgresql:// URL, or keyword=value
// pairs such as "host=db dbname=runner"), sqlite:PATH for a SQLite file,
// or empty for DefaultSQLitePath. It returns the store and a description
// of it that is safe to print. No message it returns holds the URL.
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
		return s, "sqlite:" + path, err
	case isPostgres(url):
		s, err := postgres.Open(ctx, postgres.Config{URL: url})
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
