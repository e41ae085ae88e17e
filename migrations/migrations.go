// Package migrations holds the versioned SQL schema of both stores, embedded
// in the binary, and parses it into an ordered list of migrations.
//
// Files are named NNNN_name.up.sql and NNNN_name.down.sql under postgres/ and
// sqlite/. Every version has both halves; the stores apply them, each in its
// own transaction, and record applied versions in schema_migrations.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialects with a migration set.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// Migration is one schema version.
type Migration struct {
	Version int64
	Name    string
	Up      string
	Down    string
}

// Load returns the migrations of a dialect in version order.
func Load(dialect string) ([]Migration, error) {
	sub, err := fs.Sub(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("migrations: dialect %q: %w", dialect, err)
	}
	return Parse(sub)
}

// Parse reads NNNN_name.{up,down}.sql files from the root of fsys.
func Parse(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	byVersion := map[int64]*Migration{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".sql" {
			continue
		}
		base := strings.TrimSuffix(name, ".sql")
		dir := path.Ext(base)
		base = strings.TrimSuffix(base, dir)
		num, label, ok := strings.Cut(base, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || (dir != ".up" && dir != ".down") {
			return nil, fmt.Errorf("migrations: %s: want NNNN_name.up.sql or NNNN_name.down.sql", name)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		m := byVersion[v]
		if m == nil {
			m = &Migration{Version: v, Name: label}
			byVersion[v] = m
		}
		if dir == ".up" {
			m.Up = string(body)
		} else {
			m.Down = string(body)
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		if m.Up == "" || m.Down == "" {
			return nil, fmt.Errorf("migrations: version %d (%s) needs both an up and a down file", m.Version, m.Name)
		}
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}
