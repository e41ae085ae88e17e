package marketdata

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNoData is returned by a Source for a symbol it has no bars for.
var ErrNoData = errors.New("no data")

// DataError is bad input: it names the symbol, the file (when the bars came
// from one), the line (when known) or the date of the offending bar.
type DataError struct {
	Symbol string
	File   string
	Line   int       // 1-based line in File; 0 when unknown
	Date   time.Time // date of the offending bar; zero when unknown
	Msg    string
}

func (e *DataError) Error() string {
	var where []string
	if e.File != "" {
		where = append(where, e.File)
	}
	if e.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", e.Line))
	}
	if !e.Date.IsZero() {
		where = append(where, e.Date.Format(DateLayout))
	}
	s := "marketdata: " + e.Symbol
	if len(where) > 0 {
		s += " (" + strings.Join(where, ", ") + ")"
	}
	return s + ": " + e.Msg
}

// LogFields returns what a structured log line needs to locate err: file,
// line and date when err is or wraps a *DataError that knows them, and
// cause, the message without the location (all of err.Error() for any
// other error). The symbol is left to the caller.
func LogFields(err error) map[string]any {
	var de *DataError
	if !errors.As(err, &de) {
		return map[string]any{"cause": err.Error()}
	}
	f := map[string]any{"cause": de.Msg}
	if de.File != "" {
		f["file"] = de.File
	}
	if de.Line > 0 {
		f["line"] = de.Line
	}
	if !de.Date.IsZero() {
		f["date"] = de.Date.Format(DateLayout)
	}
	return f
}
