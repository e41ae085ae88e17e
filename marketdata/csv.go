package marketdata

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxGap is the longest run of calendar days allowed between two consecutive
// bars; a longer gap is bad input (a missing stretch of history).
const MaxGap = 7 * 24 * time.Hour

// CSVSource reads bars from a directory of SYMBOL.csv files. File names
// match symbols ignoring letter case: aapl.csv and AAPL.CSV both hold AAPL.
type CSVSource struct {
	Dir string
}

// Symbols lists the symbols with a CSV file in the directory, upper-cased
// and sorted. A symbol with several files (aapl.csv and AAPL.csv) is listed
// once; Bars reports it.
func (s CSVSource) Symbols(ctx context.Context) ([]string, error) {
	files, err := s.files()
	if err != nil {
		return nil, err
	}
	syms := make([]string, 0, len(files))
	for sym := range files {
		syms = append(syms, sym)
	}
	sort.Strings(syms)
	return syms, nil
}

// Bars reads and validates all bars of symbol from its file in the
// directory. Bars carry the symbol upper-cased. Two files for the symbol are
// a *DataError naming both.
func (s CSVSource) Bars(ctx context.Context, symbol string) ([]Bar, error) {
	symbol = strings.ToUpper(symbol)
	files, err := s.files()
	if err != nil {
		return nil, err
	}
	switch paths := files[symbol]; len(paths) {
	case 0:
		return nil, fmt.Errorf("marketdata: %s: no %s.csv in %s: %w", symbol, symbol, s.Dir, ErrNoData)
	case 1:
		return ReadCSVFile(paths[0], symbol)
	default:
		return nil, &DataError{Symbol: symbol, Msg: fmt.Sprintf(
			"%d files for one symbol: %s (file names match symbols ignoring case); keep one",
			len(paths), strings.Join(paths, ", "))}
	}
}

// files maps each upper-cased symbol to the paths of its .csv files, sorted.
func (s CSVSource) files() (map[string][]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("marketdata: list %s: %w", s.Dir, err)
	}
	files := map[string][]string{}
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		sym := strings.ToUpper(strings.TrimSuffix(name, ext))
		if e.IsDir() || !strings.EqualFold(ext, ".csv") || sym == "" {
			continue
		}
		files[sym] = append(files[sym], filepath.Join(s.Dir, name)) // ReadDir sorts by name
	}
	return files, nil
}

// ReadCSVFile reads and validates one CSV file. An empty symbol means the
// file's base name without extension, upper-cased.
func ReadCSVFile(path, symbol string) ([]Bar, error) {
	if symbol == "" {
		symbol = strings.ToUpper(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &DataError{Symbol: symbol, File: path, Msg: err.Error()}
	}
	defer f.Close()
	return ReadCSV(f, symbol, path)
}

// ReadCSV reads and validates bars from r. file is used in error messages.
//
// The header must hold the columns of one of the two layouts of DESIGN §2,
// Date,Open,High,Low,Close,Adj Close,Volume or Date,Open,High,Low,Close,Volume
// (then AdjClose is Close), in any order. Names match ignoring letter case,
// surrounding spaces and a leading byte-order mark; Adj Close may also be
// spelt adj_close or adjclose. An unknown, duplicated or missing column, and a
// row with another number of fields than the header, is a *DataError.
func ReadCSV(r io.Reader, symbol, file string) ([]Bar, error) {
	bad := func(line int, format string, args ...any) error {
		return &DataError{Symbol: symbol, File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked below, to name the line in our own words
	cr.ReuseRecord = true
	// malformed turns an error of the CSV reader into a *DataError located
	// at the start of the record it was reading.
	malformed := func(err error) error {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return bad(0, "read: %v", err)
		}
		if pe.Line != pe.StartLine {
			return bad(pe.StartLine, "malformed CSV record: line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
		}
		return bad(pe.StartLine, "malformed CSV record: column %d: %v", pe.Column, pe.Err)
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, bad(0, "empty file: no header and no bars")
	}
	if err != nil {
		return nil, malformed(err)
	}
	headerLine, _ := cr.FieldPos(0)
	header = slices.Clone(header) // the reader reuses its record
	col, err := priceColumns(header)
	if err != nil {
		return nil, bad(headerLine, "%v", err)
	}
	dateCol, closeCol := col[colDate], col[colClose]
	openCol, highCol, lowCol := col[colOpen], col[colHigh], col[colLow]
	adjCol, volCol := col[colAdjClose], col[colVolume]

	var bars []Bar
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// Ask for a field position only after a successful Read: after
			// an error there is no record, and FieldPos panics.
			return nil, malformed(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			return nil, bad(line, "row has %d fields, the header has %d", len(rec), len(header))
		}
		field := func(i int, name string) (float64, error) {
			if i < 0 {
				return 0, nil
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
			if err != nil {
				return 0, bad(line, "unparsable %s %q", name, rec[i])
			}
			return v, nil
		}
		d, err := time.Parse(DateLayout, strings.TrimSpace(rec[dateCol]))
		if err != nil {
			return nil, bad(line, "unparsable date %q", rec[dateCol])
		}
		b := Bar{Symbol: symbol, Date: d}
		for _, f := range []struct {
			dst  *float64
			col  int
			name string
		}{{&b.Open, openCol, "Open"}, {&b.High, highCol, "High"}, {&b.Low, lowCol, "Low"},
			{&b.Close, closeCol, "Close"}, {&b.AdjClose, adjCol, "Adj Close"}, {&b.Volume, volCol, "Volume"}} {
			if *f.dst, err = field(f.col, f.name); err != nil {
				return nil, err
			}
		}
		if adjCol < 0 {
			b.AdjClose = b.Close
		}
		bars = append(bars, b)
		lines = append(lines, line)
	}
	if len(bars) == 0 {
		return nil, bad(0, "empty file: header but no bars")
	}
	if err := validate(bars, file, lines); err != nil {
		return nil, err
	}
	return bars, nil
}

// Validate checks bars that did not come from a file: positive finite
// prices, strictly increasing dates, no gap over MaxGap.
func Validate(bars []Bar) error { return validate(bars, "", nil) }

func validate(bars []Bar, file string, lines []int) error {
	for i, b := range bars {
		bad := func(format string, args ...any) error {
			e := &DataError{Symbol: b.Symbol, File: file, Date: b.Date, Msg: fmt.Sprintf(format, args...)}
			if lines != nil {
				e.Line = lines[i]
			}
			return e
		}
		for _, p := range []struct {
			v    float64
			name string
		}{{b.Close, "close"}, {b.AdjClose, "adjusted close"}} {
			if math.IsNaN(p.v) || math.IsInf(p.v, 0) || p.v <= 0 {
				return bad("%s price %v is not a positive finite number", p.name, p.v)
			}
		}
		for _, p := range []struct {
			v    float64
			name string
		}{{b.Open, "open"}, {b.High, "high"}, {b.Low, "low"}, {b.Volume, "volume"}} {
			if math.IsNaN(p.v) || math.IsInf(p.v, 0) || p.v < 0 {
				return bad("%s %v is not a non-negative finite number", p.name, p.v)
			}
		}
		if i == 0 {
			continue
		}
		prev := bars[i-1].Date
		switch {
		case b.Date.Equal(prev):
			return bad("duplicate date %s", b.Date.Format(DateLayout))
		case b.Date.Before(prev):
			return bad("dates not sorted: %s after %s", b.Date.Format(DateLayout), prev.Format(DateLayout))
		case b.Date.Sub(prev) > MaxGap:
			return bad("gap of %d calendar days after %s (at most %d allowed)",
				int(b.Date.Sub(prev).Hours()/24), prev.Format(DateLayout), int(MaxGap.Hours()/24))
		}
	}
	return nil
}
