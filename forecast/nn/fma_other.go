//go:build !amd64 || noasm

package nn

const hasFMA = false

func fmaRows(m int, c *float64, ldc int, a *float64, sai, sak int, b *float64, ldb, k, n int) {
	panic("nn: fmaRows without the assembly kernel")
}

func tanhVec(dst, src *float64, n int, scale float64) {
	panic("nn: tanhVec without the assembly kernel")
}
