package lstm

import (
	"testing"

	"runner/forecast/nn/nntest"
)

func TestFitAAPL(t *testing.T)       { nntest.CheckFitAAPL(t, New) }
func TestFitTooFewBars(t *testing.T) { nntest.CheckTooFewBars(t, New) }
func BenchmarkTrain(b *testing.B)    { nntest.BenchmarkTrain(b, New) }
