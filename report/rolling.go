package report

import (
	"math"
	"sort"
	"time"

	"gonum.org/v1/plot/plotter"

	"runner/forecast"
	"runner/store"
)

// point is one value of a series over time.
type point struct {
	At time.Time
	V  float64
}

// xys returns the series as plot points, x in Unix seconds and y scaled.
func xys(ps []point, scale float64) plotter.XYs {
	out := make(plotter.XYs, len(ps))
	for i, p := range ps {
		out[i] = plotter.XY{X: unix(p.At), Y: scale * p.V}
	}
	return out
}

// byEnsemble splits forecasts by ensemble, keeping their order, and lists
// the ensembles: candidate, legacy, then any other by name.
func byEnsemble(fs []store.Forecast) (map[string][]store.Forecast, []string) {
	m := map[string][]store.Forecast{}
	for _, f := range fs {
		m[f.Ensemble] = append(m[f.Ensemble], f)
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	rank := func(n string) int {
		switch n {
		case forecast.Candidate.Name:
			return 0
		case forecast.Legacy.Name:
			return 1
		}
		return 2
	}
	sort.Slice(names, func(a, b int) bool {
		if ra, rb := rank(names[a]), rank(names[b]); ra != rb {
			return ra < rb
		}
		return names[a] < names[b]
	})
	return m, names
}

// matured returns the forecasts with a realised return, in order.
func matured(fs []store.Forecast) []store.Forecast {
	var out []store.Forecast
	for _, f := range fs {
		if f.RealisedReturn != nil {
			out = append(out, f)
		}
	}
	return out
}

// rollingRMSERatio is, at each as-of date both the candidate and legacy
// forecast and that has matured, from the window-th such date on, the
// candidate's RMSE over the last window of those dates divided by legacy's
// over the same dates. Below 1 the candidate is the more accurate. Dates
// where legacy's RMSE is 0 are left out.
func rollingRMSERatio(candidate, legacy []store.Forecast, window int) []point {
	leg := map[time.Time]float64{}
	for _, f := range matured(legacy) {
		leg[f.AsOf] = *f.RealisedReturn - f.Return
	}
	type pair struct {
		at     time.Time
		ec, el float64
	}
	var ps []pair
	for _, f := range matured(candidate) {
		if el, ok := leg[f.AsOf]; ok {
			ps = append(ps, pair{f.AsOf, *f.RealisedReturn - f.Return, el})
		}
	}
	var out []point
	var sc, sl float64 // sums of squares over the window
	for i, p := range ps {
		sc, sl = sc+p.ec*p.ec, sl+p.el*p.el
		if i >= window {
			q := ps[i-window]
			sc, sl = sc-q.ec*q.ec, sl-q.el*q.el
		}
		if i >= window-1 && sl > 0 {
			out = append(out, point{p.at, math.Sqrt(max(sc, 0) / sl)})
		}
	}
	return out
}

// interval returns the forecast's 90% interval: calibrated (as forecast)
// or raw. A forecast without a recorded raw interval gave its raw one as
// CILower and CIUpper (as runner status takes it).
func interval(f store.Forecast, raw bool) (lo, hi float64) {
	if raw && f.CILowerRaw != nil && f.CIUpperRaw != nil {
		return *f.CILowerRaw, *f.CIUpperRaw
	}
	return f.CILower, f.CIUpper
}

// rollingCoverage is, at each matured forecast from the window-th on, the
// share of the last window realised returns inside their 90% interval, ends
// included (calibration.Score's coverage), calibrated or raw.
func rollingCoverage(fs []store.Forecast, window int, raw bool) []point {
	fs = matured(fs)
	inside := make([]float64, len(fs))
	for i, f := range fs {
		lo, hi := interval(f, raw)
		if r := *f.RealisedReturn; lo <= r && r <= hi {
			inside[i] = 1
		}
	}
	var out []point
	var n float64
	for i := range fs {
		n += inside[i]
		if i >= window {
			n -= inside[i-window]
		}
		if i >= window-1 {
			out = append(out, point{fs[i].AsOf, n / float64(window)})
		}
	}
	return out
}
