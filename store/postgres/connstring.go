package postgres

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrConnString is returned by Open, and wrapped by its error, when the
// connection string cannot be parsed. The error says nothing of the string
// itself, which may hold a password.
var ErrConnString = errors.New("postgres: cannot parse the connection string (not shown: it may hold a password); " +
	"in a URL, percent-encode reserved characters of the user name and password (' ' as %20, '@' as %40, '/' as %2F, '%' as %25); " +
	"in keyword=value form, single-quote values that hold spaces")

// unparsable is what Describe returns for a connection string it cannot parse.
const unparsable = "postgres (unparsable connection string, not shown)"

// parseConnString parses a connection string in any form pgx accepts: a
// postgres:// or postgresql:// URL, or keyword=value pairs, completed from
// the PG* environment variables and the password file. Its error is
// ErrConnString, never pgx's, whose text quotes the string.
//
// A host name holding '@' is refused: it is what a URL whose password has
// an unescaped '@' parses to (libpq and pgx end the user information at
// the first '@'), so the rest of the password would be printed as a host.
func parseConnString(connString string) (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, ErrConnString
	}
	for _, h := range hosts(pc) {
		if !isSocket(h.host) && strings.Contains(h.host, "@") {
			return nil, ErrConnString
		}
	}
	return pc, nil
}

// Describe returns what connString connects to, safe to print: a URL with
// the user, every host and port, and the database, and nothing else, e.g.
// postgres://alice@db1:5432,db2:5433/runner. It is built from the parsed
// configuration, so it covers every form pgx accepts (URL, keyword=value,
// query parameters, unix sockets, several hosts, PG* variables), and no
// password, from whichever source, is part of it. For a string that cannot
// be parsed it returns a fixed text, nothing of the string.
func Describe(connString string) string {
	pc, err := parseConnString(connString)
	if err != nil {
		return unparsable
	}
	return describe(pc)
}

// Secrets returns the passwords connString makes pgx use, whether they come
// from the string, PGPASSWORD or the password file; nil when there are
// none. For a string that cannot be parsed it returns the whole string, as
// the password's place in it is unknown. Callers use it to scrub text from
// outside sources before printing it.
func Secrets(connString string) []string {
	pc, err := parseConnString(connString)
	if err != nil {
		return []string{connString}
	}
	if pc.ConnConfig.Password == "" {
		return nil
	}
	return []string{pc.ConnConfig.Password}
}

type hostPort struct {
	host string
	port uint16
}

// hosts lists the hosts pgx tries, in order, once each (pgx adds a
// fallback per TLS mode).
func hosts(pc *pgxpool.Config) []hostPort {
	cc := pc.ConnConfig
	out := []hostPort{{cc.Host, cc.Port}}
	for _, f := range cc.Fallbacks {
		hp := hostPort{f.Host, f.Port}
		seen := false
		for _, o := range out {
			seen = seen || o == hp
		}
		if !seen {
			out = append(out, hp)
		}
	}
	return out
}

func isSocket(host string) bool { return strings.HasPrefix(host, "/") }

func describe(pc *pgxpool.Config) string {
	cc := pc.ConnConfig
	var b strings.Builder
	b.WriteString("postgres://")
	if cc.User != "" {
		b.WriteString(url.User(cc.User).String())
		b.WriteByte('@')
	}
	for i, h := range hosts(pc) {
		if i > 0 {
			b.WriteByte(',')
		}
		host := h.host
		if isSocket(host) {
			// libpq's URL form of a socket directory: percent-encoded.
			host = url.PathEscape(host)
		}
		b.WriteString(net.JoinHostPort(host, strconv.Itoa(int(h.port))))
	}
	b.WriteByte('/')
	b.WriteString(url.PathEscape(cc.Database))
	return b.String()
}
