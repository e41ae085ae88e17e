package marketdata_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/marketdata"
)

// FuzzReadCSV checks that ReadCSV never panics and that it returns either a
// *DataError naming the symbol and file, or bars that pass Validate. The seed
// corpus (run by every go test) holds the issue 9 crasher, every fixture of
// testdata/bad, and the heads of a file of each header layout; inputs the
// fuzzer found are kept in testdata/fuzz/FuzzReadCSV. Fuzz with `make fuzz`.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("Date,Close\n2023-12-2\"9,1\n"))
	bad, err := filepath.Glob(filepath.Join("..", "testdata", "bad", "*.csv"))
	require.NoError(f, err)
	require.NotEmpty(f, bad)
	for _, path := range bad {
		b, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, sym := range []string{"SPY", "AAPL"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "prices", sym+".csv"))
		require.NoError(f, err)
		lines := strings.SplitAfter(string(b), "\n")
		f.Add([]byte(strings.Join(lines[:30], "")))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bars, err := marketdata.ReadCSV(bytes.NewReader(data), "FUZZ", "fuzz.csv")
		if err != nil {
			var de *marketdata.DataError
			require.ErrorAs(t, err, &de)
			require.Equal(t, "FUZZ", de.Symbol)
			require.Equal(t, "fuzz.csv", de.File)
			require.Nil(t, bars)
			return
		}
		require.NotEmpty(t, bars)
		require.NoError(t, marketdata.Validate(bars))
		for _, b := range bars {
			require.Equal(t, "FUZZ", b.Symbol)
		}
	})
}
