//go:build amd64 && !noasm

#include "textflag.h"

// func fmaRows(m int, c *float64, ldc int, a *float64, sai, sak int, b *float64, ldb, k, n int)
//
// For i < m and j < n (n a multiple of 4):
//	c[i*ldc+j] += sum_{p<k} a[i*sai+p*sak] * b[p*ldb+j]
// with AVX2 fused multiply-adds, columns in blocks of 32, 16 and 4 held in
// registers across the whole sum over p.
TEXT ·fmaRows(SB), NOSPLIT, $0-80
	MOVQ m+0(FP), BX
	MOVQ c+8(FP), DI
	MOVQ ldc+16(FP), R14
	SHLQ $3, R14
	MOVQ a+24(FP), SI
	MOVQ sai+32(FP), R15
	SHLQ $3, R15
	MOVQ sak+40(FP), R9
	SHLQ $3, R9
	MOVQ ldb+56(FP), R10
	SHLQ $3, R10
	MOVQ k+64(FP), CX

row:
	TESTQ BX, BX
	JZ    done
	MOVQ  DI, AX             // c cursor
	MOVQ  b+48(FP), R8       // b column cursor
	MOVQ  n+72(FP), DX       // columns left

blk32:
	CMPQ    DX, $32
	JL      blk16
	VMOVUPD (AX), Y0
	VMOVUPD 32(AX), Y1
	VMOVUPD 64(AX), Y2
	VMOVUPD 96(AX), Y3
	VMOVUPD 128(AX), Y5
	VMOVUPD 160(AX), Y6
	VMOVUPD 192(AX), Y7
	VMOVUPD 224(AX), Y8
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    CX, R13
	TESTQ   R13, R13
	JZ      st32

loop32:
	VBROADCASTSD (R11), Y4
	VFMADD231PD  (R12), Y4, Y0
	VFMADD231PD  32(R12), Y4, Y1
	VFMADD231PD  64(R12), Y4, Y2
	VFMADD231PD  96(R12), Y4, Y3
	VFMADD231PD  128(R12), Y4, Y5
	VFMADD231PD  160(R12), Y4, Y6
	VFMADD231PD  192(R12), Y4, Y7
	VFMADD231PD  224(R12), Y4, Y8
	ADDQ         R9, R11
	ADDQ         R10, R12
	DECQ         R13
	JNZ          loop32

st32:
	VMOVUPD Y0, (AX)
	VMOVUPD Y1, 32(AX)
	VMOVUPD Y2, 64(AX)
	VMOVUPD Y3, 96(AX)
	VMOVUPD Y5, 128(AX)
	VMOVUPD Y6, 160(AX)
	VMOVUPD Y7, 192(AX)
	VMOVUPD Y8, 224(AX)
	ADDQ    $256, AX
	ADDQ    $256, R8
	SUBQ    $32, DX
	JMP     blk32

blk16:
	CMPQ    DX, $16
	JL      blk4
	VMOVUPD (AX), Y0
	VMOVUPD 32(AX), Y1
	VMOVUPD 64(AX), Y2
	VMOVUPD 96(AX), Y3
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    CX, R13
	TESTQ   R13, R13
	JZ      st16

loop16:
	VBROADCASTSD (R11), Y4
	VFMADD231PD  (R12), Y4, Y0
	VFMADD231PD  32(R12), Y4, Y1
	VFMADD231PD  64(R12), Y4, Y2
	VFMADD231PD  96(R12), Y4, Y3
	ADDQ         R9, R11
	ADDQ         R10, R12
	DECQ         R13
	JNZ          loop16

st16:
	VMOVUPD Y0, (AX)
	VMOVUPD Y1, 32(AX)
	VMOVUPD Y2, 64(AX)
	VMOVUPD Y3, 96(AX)
	ADDQ    $128, AX
	ADDQ    $128, R8
	SUBQ    $16, DX
	JMP     blk16

blk4:
	CMPQ    DX, $4
	JL      next
	VMOVUPD (AX), Y0
	MOVQ    SI, R11
	MOVQ    R8, R12
	MOVQ    CX, R13
	TESTQ   R13, R13
	JZ      st4

loop4:
	VBROADCASTSD (R11), Y4
	VFMADD231PD  (R12), Y4, Y0
	ADDQ         R9, R11
	ADDQ         R10, R12
	DECQ         R13
	JNZ          loop4

st4:
	VMOVUPD Y0, (AX)
	ADDQ    $32, AX
	ADDQ    $32, R8
	SUBQ    $4, DX
	JMP     blk4

next:
	ADDQ R14, DI
	ADDQ R15, SI
	DECQ BX
	JMP  row

done:
	VZEROUPPER
	RET
