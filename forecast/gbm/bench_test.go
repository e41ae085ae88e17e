package gbm

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkFit times the canonical fit of DESIGN §3 (200 trees, depth 3,
// learning rate 0.05) on the AAPL feature matrix of the fixture: 735 rows of
// 12 features, and on its first 368 and 184 rows. scikit-learn 1.2.1 takes
// about 0.43-0.49 s for the 735-row fit on this machine.
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
