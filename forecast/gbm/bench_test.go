package gbm

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkFit times the canonical fit of DESIGN §3 (200 trees, depth 3,
// learning rate 0.05) on the AAPL feature matrix of the fixture: 735 rows of
// 12 features, and on its first 368 and 184 rows. The 735-row fit takes a
// median of 22-32 ms on this machine (sets of 6 runs; 45-60 ms for the
// previous version in the same minutes, see doc.go's Speed section), and
// scikit-learn 1.2.1 a median of 0.43 s there.
func BenchmarkFit(b *testing.B) {
	f := loadFixture(b)
	c := f.find(b, "aapl_canonical")
	for _, n := range []int{184, 368, c.NTrain} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			X, y := c.X[:n], c.Y[:n]
			cfg := c.config()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(context.Background(), cfg, X, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
