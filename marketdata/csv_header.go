package marketdata

import (
	"fmt"
	"strings"
)

// The columns of a price file, in the order of the Yahoo layout.
const (
	colDate = iota
	colOpen
	colHigh
	colLow
	colClose
	colAdjClose
	colVolume
	numColumns
)

// columnSpec names a column of a price file: its canonical name, the
// spellings accepted for it (lower case) and whether every file must have it.
var columnSpec = [numColumns]struct {
	name      string
	spellings []string
	required  bool
}{
	colDate:     {"Date", []string{"date"}, true},
	colOpen:     {"Open", []string{"open"}, true},
	colHigh:     {"High", []string{"high"}, true},
	colLow:      {"Low", []string{"low"}, true},
	colClose:    {"Close", []string{"close"}, true},
	colAdjClose: {"Adj Close", []string{"adj close", "adj_close", "adjclose"}, false},
	colVolume:   {"Volume", []string{"volume"}, true},
}

// priceColumns maps a header to the index of each column, -1 for an absent
// optional one. An unknown name (a misspelling), a column named twice and a
// missing required column are errors naming the column.
func priceColumns(header []string) ([numColumns]int, error) {
	var col [numColumns]int
	for i := range col {
		col[i] = -1
	}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if i == 0 {
			name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		}
		c := columnByName(name)
		if c < 0 {
			return col, fmt.Errorf("header: unknown column %q (column %d); allowed: %s", h, i+1, allowedColumns())
		}
		if j := col[c]; j >= 0 {
			if strings.EqualFold(strings.TrimSpace(header[j]), strings.TrimSpace(h)) {
				return col, fmt.Errorf("header names %s twice (columns %d and %d)", columnSpec[c].name, j+1, i+1)
			}
			return col, fmt.Errorf("header names %s twice (columns %d and %d: %q and %q)",
				columnSpec[c].name, j+1, i+1, header[j], h)
		}
		col[c] = i
	}
	var missing []string
	for c, spec := range columnSpec {
		if spec.required && col[c] < 0 {
			missing = append(missing, spec.name)
		}
	}
	if len(missing) > 0 {
		return col, fmt.Errorf("header has no %s column (header: %s; want Date,Open,High,Low,Close[,Adj Close],Volume)",
			strings.Join(missing, ", "), strings.Join(header, ","))
	}
	return col, nil
}

func columnByName(name string) int {
	for c, spec := range columnSpec {
		for _, s := range spec.spellings {
			if name == s {
				return c
			}
		}
	}
	return -1
}

func allowedColumns() string {
	names := make([]string, len(columnSpec))
	for c, spec := range columnSpec {
		names[c] = spec.name
	}
	return strings.Join(names, ", ")
}
