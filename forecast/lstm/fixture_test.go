package lstm

import (
	"encoding/json"
	"os"
	"testing"

	"runner/forecast/nn"
)

// parityFixture is testdata/nn/lstm_parity.json, written by
// testdata/nn/gen_fixtures.py with PyTorch 1.13 in float64.
type parityFixture struct {
	Batch, Length, Features, Hidden int
	X, Y, Pred                      []float64
	Loss                            float64
	Params                          []struct {
		Name        string
		Shape       []int
		Value, Grad []float64
	}
}

func loadFixture(t *testing.T) parityFixture {
	t.Helper()
	b, err := os.ReadFile("../../testdata/nn/lstm_parity.json")
	if err != nil {
		t.Fatal(err)
	}
	var f parityFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func networkFrom(t *testing.T, f parityFixture) *Network {
	t.Helper()
	n := NewNetwork(f.Features, f.Hidden, nn.NewRand(1, nn.StreamInit))
	ps := n.Params()
	if len(ps) != len(f.Params) {
		t.Fatalf("%d parameters, fixture has %d", len(ps), len(f.Params))
	}
	for i, p := range ps {
		if len(p.W) != len(f.Params[i].Value) {
			t.Fatalf("parameter %s: %d values, fixture %s has %d", p.Name, len(p.W), f.Params[i].Name, len(f.Params[i].Value))
		}
		copy(p.W, f.Params[i].Value)
	}
	return n
}
