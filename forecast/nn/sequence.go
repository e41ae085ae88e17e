package nn

import (
	"fmt"
	"math"
)

// Standardiser maps each feature column to zero mean and unit variance with
// statistics fitted on one part of the data (the training part).
type Standardiser struct {
	Mean, Std []float64
}

// FitStandardiser fits the column means and (population) standard
// deviations of rows. A column with zero spread is an error: it carries no
// information and would divide by zero.
func FitStandardiser(rows [][]float64) (Standardiser, error) {
	if len(rows) < 2 {
		return Standardiser{}, fmt.Errorf("nn: standardise %d rows: need at least 2", len(rows))
	}
	f := len(rows[0])
	s := Standardiser{Mean: make([]float64, f), Std: make([]float64, f)}
	for _, r := range rows {
		for j, v := range r {
			s.Mean[j] += v
		}
	}
	n := float64(len(rows))
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	for _, r := range rows {
		for j, v := range r {
			d := v - s.Mean[j]
			s.Std[j] += d * d
		}
	}
	for j := range s.Std {
		s.Std[j] = math.Sqrt(s.Std[j] / n)
		if !(s.Std[j] > 0) || math.IsInf(s.Std[j], 0) {
			return Standardiser{}, fmt.Errorf("nn: standardise feature %d: standard deviation %v", j, s.Std[j])
		}
	}
	return s, nil
}

// Apply returns the standardised value of feature j.
func (s Standardiser) Apply(v float64, j int) float64 { return (v - s.Mean[j]) / s.Std[j] }

// Invert maps a standardised value of feature j back to its original scale.
func (s Standardiser) Invert(z float64, j int) float64 { return z*s.Std[j] + s.Mean[j] }

// Sequences are fixed-length windows over standardised feature rows, each
// with a scalar target, ready to be cut into minibatches.
type Sequences struct {
	// Len is the window length and Features the row width.
	Len, Features int
	// X holds all rows, [rows×Features].
	X []float64
	// Ends[i] is the last row of window i, which spans rows Ends[i]-Len+1..Ends[i].
	Ends []int
	// Y[i] is the target of window i.
	Y []float64
}

// Samples returns the number of windows.
func (s *Sequences) Samples() int { return len(s.Ends) }

// Gather copies the windows idx into x ([len(idx)×Len×Features], batch
// first) and their targets into y.
func (s *Sequences) Gather(x, y []float64, idx []int) {
	w := s.Len * s.Features
	for b, i := range idx {
		start := (s.Ends[i] - s.Len + 1) * s.Features
		copy(x[b*w:(b+1)*w], s.X[start:start+w])
		y[b] = s.Y[i]
	}
}

// Split is a time-ordered split of windowed data for next-step prediction.
type Split struct {
	// Train and Val are the training windows and the validation tail; they
	// share X. Val is empty when no tail was requested.
	Train, Val Sequences
	// Scaler standardises the features; it was fitted on the rows the
	// training windows and their targets use, never on the validation tail.
	Scaler Standardiser
	// Target is the feature column that is predicted one row ahead.
	Target int
}

// SplitSeries windows feature rows for predicting column target of the
// next row from the previous length rows. Window i ends at row length-1+i
// and its target is rows[length+i][target]; the last valFrac of the windows,
// in time order, form the validation tail (at least one when valFrac > 0).
// Features and targets are standardised with statistics of the training
// part only, so targets are in standardised units of column target.
func SplitSeries(rows [][]float64, length, target int, valFrac float64) (Split, error) {
	if length < 1 {
		panic("nn: non-positive window length")
	}
	n := len(rows) - length // windows with a next row to predict
	if n < 2 {
		return Split{}, fmt.Errorf("nn: %d feature rows: need more than %d for windows of %d", len(rows), length+1, length)
	}
	nVal := 0
	if valFrac > 0 {
		nVal = max(1, int(math.Round(valFrac*float64(n))))
	}
	nTrain := n - nVal
	if nTrain < 2 {
		return Split{}, fmt.Errorf("nn: %d windows leave %d for training after a validation tail of %d", n, nTrain, nVal)
	}
	f := len(rows[0])
	for i, r := range rows {
		if len(r) != f {
			panic("nn: ragged feature rows")
		}
		for j, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Split{}, fmt.Errorf("nn: feature row %d column %d is %v", i, j, v)
			}
		}
	}
	// The training windows end at rows length-1 .. length-2+nTrain; their
	// targets reach row length-1+nTrain.
	sc, err := FitStandardiser(rows[:length+nTrain])
	if err != nil {
		return Split{}, err
	}
	x := make([]float64, len(rows)*f)
	for i, r := range rows {
		for j, v := range r {
			x[i*f+j] = sc.Apply(v, j)
		}
	}
	mk := func(from, to int) Sequences {
		s := Sequences{Len: length, Features: f, X: x}
		for i := from; i < to; i++ {
			end := length - 1 + i
			s.Ends = append(s.Ends, end)
			s.Y = append(s.Y, x[(end+1)*f+target])
		}
		return s
	}
	return Split{Train: mk(0, nTrain), Val: mk(nTrain, n), Scaler: sc, Target: target}, nil
}
