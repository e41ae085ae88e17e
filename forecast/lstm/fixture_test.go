package lstm

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

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
	require.NoError(t, err)
	var f parityFixture
	require.NoError(t, json.Unmarshal(b, &f))
	return f
}

func networkFrom(t *testing.T, f parityFixture) *Network {
	t.Helper()
	n := NewNetwork(f.Features, f.Hidden, nn.NewRand(1, nn.StreamInit))
	ps := n.Params()
	require.Len(t, f.Params, len(ps))
	for i, p := range ps {
		require.Equal(t, f.Params[i].Name, p.Name)
		require.Equal(t, f.Params[i].Shape, p.Shape)
		copy(p.W, f.Params[i].Value)
	}
	return n
}
