//go:build amd64 && !noasm

package nn

import "golang.org/x/sys/cpu"

// hasFMA reports whether the AVX2 fused multiply-add kernel can run.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func fmaRows(m int, c *float64, ldc int, a *float64, sai, sak int, b *float64, ldb, k, n int)

//go:noescape
func tanhVec(dst, src *float64, n int, scale float64)
