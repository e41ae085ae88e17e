// Package sqlite implements store.Store on an embedded SQLite file through
// the pure-Go modernc.org/sqlite driver: the default store, so the runner
// works on a fresh machine with no database server.
//
// The database is opened with one connection (SQLite has one writer; a
// single connection serialises writers without SQLITE_BUSY), WAL journaling
// (set once per file, retried while other processes hold the new file:
// walMode), foreign keys on and a busy timeout for other processes. Transactions
// begin IMMEDIATE: a writer waits for the write lock at BEGIN, within the
// busy timeout, instead of failing with SQLITE_BUSY when another process
// wrote between its first read and its first write.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	msqlite "modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"runner/migrations"
	"runner/store"
)

// timeLayout is how timestamps are stored: UTC with milliseconds, the same
// text strftime('%Y-%m-%dT%H:%M:%fZ') produces, so text order is time order.
const timeLayout = "2006-01-02T15:04:05.000Z"

// dateLayout is how dates are stored.
const dateLayout = "2006-01-02"

var _ store.Store = (*Store)(nil)

// Store is the SQLite store.
type Store struct {
	db   *sql.DB
	path string
	// timeout bounds each call (Config.StatementTimeout).
	timeout time.Duration
}

// Config configures OpenConfig.
type Config struct {
	// Path is the database file, created if missing. Any file name works.
	// Required.
	Path string
	// StatementTimeout bounds each store call (a statement, or the
	// transaction of a call that writes several rows) and each step of a
	// migration; it is also SQLite's busy timeout, how long a writer
	// waits for another process's write lock. Default
	// store.DefaultStatementTimeout (30s).
	StatementTimeout time.Duration
}

// Open opens (creating if needed) the SQLite database file at path with the
// default configuration. It does not migrate; call MigrateUp.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenConfig(ctx, Config{Path: path})
}

// OpenConfig opens (creating if needed) the SQLite database file
// cfg.Path. It does not migrate; call MigrateUp.
func OpenConfig(ctx context.Context, cfg Config) (*Store, error) {
	cfg.StatementTimeout = cmp.Or(cfg.StatementTimeout, store.DefaultStatementTimeout)
	path := cfg.Path
	dsn, err := dataSourceName(path, cfg.StatementTimeout)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: path, timeout: cfg.StatementTimeout}
	pctx, end := s.bound(ctx, "open %s", path)
	err = end(db.PingContext(pctx))
	if err == nil {
		pctx, end = s.bound(ctx, "open %s: WAL journal mode", path)
		err = end(walMode(pctx, db))
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

// walMode switches the database to WAL journaling. The mode is a property
// of the file, so only the first open of a new file converts it; later
// opens find it set. The conversion needs the file to itself, and while
// another connection holds a write transaction on the file (a process
// migrating a new file that is not WAL yet) SQLite does not run the busy
// handler for it, since waiting could deadlock: it returns SQLITE_BUSY at
// once, whatever the busy timeout. So walMode tries again, with a pause
// growing from 5 ms to 100 ms, until the mode is WAL or ctx ends. A mode
// other than WAL returned without an error (a refused conversion) is
// retried the same way for at most refusedFor, then is an error: a file
// system without the shared memory WAL needs never converts.
func walMode(ctx context.Context, db *sql.DB) error {
	const refusedFor = 2 * time.Second
	pause := 5 * time.Millisecond
	var refusedSince time.Time
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		switch {
		case err == nil && mode == "wal":
			return nil
		case err == nil:
			err = fmt.Errorf("journal mode is %q, not wal (does the file system support WAL's shared memory?)", mode)
			if refusedSince.IsZero() {
				refusedSince = time.Now()
			} else if time.Since(refusedSince) > refusedFor {
				return err
			}
		case !isBusy(err):
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last attempt: %v)", ctx.Err(), err)
		case <-time.After(pause):
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// isBusy reports whether err is SQLITE_BUSY or one of its extended codes.
func isBusy(err error) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// bound limits one call to the statement timeout; op, formatted with
// args, names it in a timeout error.
func (s *Store) bound(ctx context.Context, op string, args ...any) (context.Context, func(error) error) {
	return store.Bound(ctx, s.timeout, "sqlite: "+fmt.Sprintf(op, args...))
}

// dataSourceName returns the driver's name for the file at path: a SQLite
// URI (https://www.sqlite.org/uri.html) with the absolute path
// percent-encoded, so that every character of a file name ('#', '?', '%',
// spaces, non-ASCII) reaches SQLite as written, followed by the driver's
// connection settings. A bare file name would not do: modernc.org/sqlite
// cuts it at the first '?', and SQLite ends a file: URI's path at '#' and
// decodes its %XX escapes.
func dataSourceName(path string, busyTimeout time.Duration) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs),
		RawQuery: fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate",
			busyTimeout.Milliseconds())}
	return u.String(), nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the underlying handle, for tests that read the catalog.
func (s *Store) DB() *sql.DB { return s.db }

// MigrateUp applies pending migrations.
func (s *Store) MigrateUp(ctx context.Context) ([]int64, error) {
	ms, err := migrations.Load(migrations.SQLite)
	if err != nil {
		return nil, err
	}
	return migrations.Up(ctx, executor{s}, ms)
}

// MigrateDown reverts the latest migration.
func (s *Store) MigrateDown(ctx context.Context) (int64, error) {
	ms, err := migrations.Load(migrations.SQLite)
	if err != nil {
		return 0, err
	}
	return migrations.Down(ctx, executor{s}, ms)
}

// MigrationStatus lists migrations and their state.
func (s *Store) MigrationStatus(ctx context.Context) ([]migrations.State, error) {
	ms, err := migrations.Load(migrations.SQLite)
	if err != nil {
		return nil, err
	}
	return migrations.Status(ctx, executor{s}, ms)
}

type executor struct{ s *Store }

// Locked runs fn in one BEGIN IMMEDIATE transaction on a dedicated
// connection: SQLite's write lock, taken at BEGIN (waiting up to the busy
// timeout), is the migration lock. Each migration runs under a savepoint,
// so one that fails is rolled back alone and those before it are committed
// with the transaction.
func (e executor) Locked(ctx context.Context, fn func(migrations.Session) error) error {
	conn, err := e.lock(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	s := &session{conn: conn, s: e.s}
	ferr := fn(s)
	// Commit what fn applied even when ctx is done: a half-open
	// transaction must not go back to the pool.
	ectx := context.WithoutCancel(ctx)
	end := `COMMIT`
	if s.broken {
		end = `ROLLBACK`
	}
	if _, err := conn.ExecContext(ectx, end); err != nil {
		conn.ExecContext(ectx, `ROLLBACK`)
		discard(conn)
		return errors.Join(ferr, fmt.Errorf("sqlite: commit migrations: %w", err))
	}
	return ferr
}

// lock takes a connection and SQLite's write lock on it, within the
// statement timeout.
func (e executor) lock(ctx context.Context) (_ *sql.Conn, err error) {
	ctx, end := e.s.bound(ctx, "take the migration lock")
	defer func() { err = end(err) }()
	conn, err := e.s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: take the migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		conn.Close()
		return nil, fmt.Errorf("sqlite: take the migration lock: %w", err)
	}
	return conn, nil
}

// discard makes database/sql close conn instead of reusing it.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
}

// session is the migration bookkeeping inside Locked's transaction.
type session struct {
	conn *sql.Conn
	s    *Store
	// broken is set when a failed migration could not be rolled back to
	// its savepoint: the whole transaction must then be rolled back.
	broken bool
}

func (s *session) EnsureTable(ctx context.Context) (err error) {
	ctx, end := s.s.bound(ctx, "create schema_migrations")
	defer func() { err = end(err) }()
	_, err = s.conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`)
	if err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	return nil
}

func (s *session) Applied(ctx context.Context) (_ map[int64]time.Time, err error) {
	ctx, end := s.s.bound(ctx, "read schema_migrations")
	defer func() { err = end(err) }()
	rows, err := s.conn.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read schema_migrations: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var v int64
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			return nil, fmt.Errorf("sqlite: read schema_migrations: %w", err)
		}
		out[v], _ = time.Parse(timeLayout, at)
	}
	return out, rows.Err()
}

func (s *session) Apply(ctx context.Context, m migrations.Migration, up bool) (err error) {
	ctx, end := s.s.bound(ctx, "migration %04d_%s", m.Version, m.Name)
	defer func() { err = end(err) }()
	if _, err := s.conn.ExecContext(ctx, `SAVEPOINT migration`); err != nil {
		return err
	}
	script := m.Down
	if up {
		script = m.Up
	}
	_, err = s.conn.ExecContext(ctx, script)
	if err == nil && up {
		_, err = s.conn.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, time.Now().UTC().Format(timeLayout))
	} else if err == nil {
		_, err = s.conn.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = ?`, m.Version)
	}
	if err != nil {
		ectx := context.WithoutCancel(ctx)
		if _, rerr := s.conn.ExecContext(ectx, `ROLLBACK TO migration`); rerr != nil {
			s.broken = true
			return errors.Join(err, fmt.Errorf("roll back: %w", rerr))
		}
		s.conn.ExecContext(ectx, `RELEASE migration`)
		return err
	}
	_, err = s.conn.ExecContext(ctx, `RELEASE migration`)
	return err
}

// inTx runs fn in a transaction, committing when it returns nil.
func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func fmtNullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(timeLayout, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func parseDate(s string) (time.Time, error) { return time.Parse(dateLayout, s) }

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// notFound translates sql.ErrNoRows.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}
