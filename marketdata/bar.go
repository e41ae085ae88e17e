package marketdata

import (
	"fmt"
	"math"
	"time"
)

// Bar is one trading day of one symbol. AdjClose is the split- and
// dividend-adjusted close; where a source has no adjusted column it equals
// Close.
type Bar struct {
	Symbol   string
	Date     time.Time
	Open     float64
	High     float64
	Low      float64
	Close    float64
	AdjClose float64
	Volume   float64
}

// DateLayout is the layout of dates in CSV files, flags and logs.
const DateLayout = "2006-01-02"

// LogReturns returns r[i] = ln(adj[i+1]/adj[i]) for consecutive bars: one
// fewer element than bars.
func LogReturns(bars []Bar) []float64 {
	if len(bars) < 2 {
		return nil
	}
	r := make([]float64, len(bars)-1)
	for i := 1; i < len(bars); i++ {
		r[i-1] = math.Log(bars[i].AdjClose / bars[i-1].AdjClose)
	}
	return r
}

// Closes returns the adjusted closes of bars.
func Closes(bars []Bar) []float64 {
	c := make([]float64, len(bars))
	for i, b := range bars {
		c[i] = b.AdjClose
	}
	return c
}

// Volumes returns the volumes of bars.
func Volumes(bars []Bar) []float64 {
	v := make([]float64, len(bars))
	for i, b := range bars {
		v[i] = b.Volume
	}
	return v
}

// Window returns the last n bars dated on or before asOf. It fails with a
// *DataError when fewer than n such bars exist. A zero asOf means the last bar.
func Window(bars []Bar, asOf time.Time, n int) ([]Bar, error) {
	end := len(bars)
	if !asOf.IsZero() {
		end = 0
		for end < len(bars) && !bars[end].Date.After(asOf) {
			end++
		}
	}
	if end < n || end == 0 {
		sym := ""
		if len(bars) > 0 {
			sym = bars[0].Symbol
		}
		return nil, &DataError{Symbol: sym, Date: asOf,
			Msg: fmt.Sprintf("%d bars on or before as-of date, need %d", end, n)}
	}
	return bars[end-n : end], nil
}

// IndexOf returns the index of the bar dated d, or -1.
func IndexOf(bars []Bar, d time.Time) int {
	lo, hi := 0, len(bars)
	for lo < hi {
		m := (lo + hi) / 2
		if bars[m].Date.Before(d) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(bars) && bars[lo].Date.Equal(d) {
		return lo
	}
	return -1
}
