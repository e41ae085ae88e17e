package walkforward

import (
	"cmp"
	"fmt"
	"time"

	"runner/marketdata"
)

// Defaults of Config.
const (
	DefaultTrain = 756
	DefaultVal   = 126
	DefaultTest  = 126
	DefaultStep  = 21
	// MinSpan is the fewest bars of a validation or test span.
	MinSpan = 20
	// MinTrain is the fewest bars of a training span: the in-sample
	// predictions start at bar InSampleFrom.
	MinTrain = 100
)

// Config sizes the windows, in trading bars.
type Config struct {
	// Train is the training span T. Default DefaultTrain (756).
	Train int
	// Val is the validation span V, at least MinSpan. Default DefaultVal (126).
	Val int
	// Test is the test span S, at least MinSpan. Default DefaultTest (126).
	Test int
	// Step is the step K between consecutive windows. Default DefaultStep (21).
	Step int
}

// WithDefaults fills zero fields with their defaults.
func (c Config) WithDefaults() Config {
	c.Train = cmp.Or(c.Train, DefaultTrain)
	c.Val = cmp.Or(c.Val, DefaultVal)
	c.Test = cmp.Or(c.Test, DefaultTest)
	c.Step = cmp.Or(c.Step, DefaultStep)
	return c
}

// Validate reports a span out of range; call it after WithDefaults.
func (c Config) Validate() error {
	switch {
	case c.Train < MinTrain:
		return fmt.Errorf("walkforward: train span %d bars: need at least %d", c.Train, MinTrain)
	case c.Val < MinSpan:
		return fmt.Errorf("walkforward: validation span %d bars: need at least %d", c.Val, MinSpan)
	case c.Test < MinSpan:
		return fmt.Errorf("walkforward: test span %d bars: need at least %d", c.Test, MinSpan)
	case c.Step < 1:
		return fmt.Errorf("walkforward: step %d bars: need at least 1", c.Step)
	}
	return nil
}

// Len is the number of bars of one window, T+V+S.
func (c Config) Len() int { return c.Train + c.Val + c.Test }

// Window is one walk-forward window over a symbol's bars. Indices are into
// the symbol's whole history, oldest bar 0.
type Window struct {
	// ID is stable: the index of the window's last test bar counted from
	// the last test bar of the symbol's first full window (which has ID 0),
	// so the same span of bars has the same ID in every run, whatever the
	// as-of date or number of windows asked. Windows of one run are Step
	// bars apart, so their IDs differ by Step.
	ID int
	// Start is the index of the first training bar; End of the last test bar.
	Start, End int
	// Dates of the first and last bar of each span.
	TrainFirst, TrainLast time.Time
	ValFirst, ValLast     time.Time
	TestFirst, TestLast   time.Time
}

// ValStart and TestStart are the indices of the first validation and test bars.
func (w Window) ValStart(c Config) int  { return w.Start + c.Train }
func (w Window) TestStart(c Config) int { return w.Start + c.Train + c.Val }

// ValidationDate is the date of the window's last test bar.
func (w Window) ValidationDate() time.Time { return w.TestLast }

// DataSpanDays is the number of calendar days from the first training bar
// to the last test bar.
func (w Window) DataSpanDays() int {
	return int(w.TestLast.Sub(w.TrainFirst).Hours()/24 + 0.5)
}

// window returns the window whose last test bar is bars[end].
func (c Config) window(bars []marketdata.Bar, end int) Window {
	start := end - c.Len() + 1
	v, s := start+c.Train, start+c.Train+c.Val
	return Window{
		ID: end - (c.Len() - 1), Start: start, End: end,
		TrainFirst: bars[start].Date, TrainLast: bars[v-1].Date,
		ValFirst: bars[v].Date, ValLast: bars[s-1].Date,
		TestFirst: bars[s].Date, TestLast: bars[end].Date,
	}
}

// lastOnOrBefore returns the index of the last bar dated on or before d, or -1.
func lastOnOrBefore(bars []marketdata.Bar, d time.Time) int {
	i := len(bars) - 1
	for i >= 0 && bars[i].Date.After(d) {
		i--
	}
	return i
}

// Latest returns the n latest windows of bars, oldest first: the last one's
// test span ends at the last bar on or before asOf (the last bar when asOf is
// zero), earlier ones step back by Step. It fails, naming the bars available
// and needed, when the history holds fewer than n full windows.
func (c Config) Latest(bars []marketdata.Bar, asOf time.Time, n int) ([]Window, error) {
	if n < 1 {
		return nil, fmt.Errorf("walkforward: %d windows: need at least 1", n)
	}
	end := len(bars) - 1
	if !asOf.IsZero() {
		end = lastOnOrBefore(bars, asOf)
	}
	need := c.Len() + (n-1)*c.Step
	if end+1 < need {
		return nil, historyError(bars, end, need, fmt.Sprintf("%d windows", n), asOf)
	}
	out := make([]Window, n)
	for i := range n {
		out[n-1-i] = c.window(bars, end-i*c.Step)
	}
	return out, nil
}

// Between returns every window whose test span ends from from to to,
// oldest first: the last ends at the last bar on or before to, earlier ones
// step back by Step while their last test bar is on or after from. Windows
// without a full history are left out; none at all is an error naming the
// bars available and needed.
func (c Config) Between(bars []marketdata.Bar, from, to time.Time) ([]Window, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("walkforward: --to %s is before --from %s", day(to), day(from))
	}
	end := lastOnOrBefore(bars, to)
	var out []Window
	for e := end; e >= c.Len()-1 && !bars[e].Date.Before(from); e -= c.Step {
		out = append(out, c.window(bars, e))
	}
	if len(out) == 0 {
		return nil, historyError(bars, end, c.Len(), "a window ending from "+day(from)+" to "+day(to), to)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func historyError(bars []marketdata.Bar, end, need int, what string, asOf time.Time) error {
	sym := ""
	if len(bars) > 0 {
		sym = bars[0].Symbol
	}
	have := end + 1
	if have < 0 {
		have = 0
	}
	msg := fmt.Sprintf("%d bars available, %d needed for %s", have, need, what)
	if !asOf.IsZero() {
		msg = fmt.Sprintf("%d bars on or before %s, %d needed for %s", have, day(asOf), need, what)
	}
	return &marketdata.DataError{Symbol: sym, Msg: msg}
}

func day(t time.Time) string { return t.Format(time.DateOnly) }
