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
