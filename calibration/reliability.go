package calibration

import "math"

// Reliability is the reliability diagram of P(up): forecasts binned by their
// P(up) into ECEBins equal-width bins (bin min(floor(ECEBins p), ECEBins-1)),
// each bin's mean P(up) against the share that went up. Its ECE is the
// expected calibration error of Score. The zero value is empty.
type Reliability struct {
	Bins [ECEBins]ReliabilityBin
	N    int // forecasts added
}

// ReliabilityBin is one bin of a Reliability.
type ReliabilityBin struct {
	N    int     // forecasts in the bin
	SumP float64 // sum of their P(up)
	Ups  float64 // how many of them went up (r > 0)
}

// MeanP is the bin's mean P(up); NaN for an empty bin.
func (b ReliabilityBin) MeanP() float64 { return b.SumP / float64(b.N) }

// Freq is the share of the bin's forecasts that went up; NaN for an empty
// bin.
func (b ReliabilityBin) Freq() float64 { return b.Ups / float64(b.N) }

// Add bins one forecast with probability p of going up and whether it did.
func (r *Reliability) Add(p float64, up bool) {
	b := &r.Bins[min(max(int(p*ECEBins), 0), ECEBins-1)]
	b.N++
	b.SumP += p
	if up {
		b.Ups++
	}
	r.N++
}

// ECE is the expected calibration error, sum over bins of
// (n_b/N)|mean P(up) - share up|; 0 when empty.
func (r Reliability) ECE() float64 {
	var ece float64
	for _, b := range r.Bins {
		if b.N > 0 {
			ece += math.Abs(b.SumP-b.Ups) / float64(r.N)
		}
	}
	return ece
}
