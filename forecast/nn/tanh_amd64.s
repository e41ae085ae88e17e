//go:build amd64 && !noasm

#include "textflag.h"

// Constants of tanhVec, each repeated in the four lanes of a ymm register:
// masks, the clamp 20 (tanh(20) rounds to 1), log2(e), ln(2) split in a
// high part with few bits and a low part, 1, 2, the exponent bias 1023 and
// the Taylor coefficients 1/i! of exp for i = 0..12.
DATA tanhc<>+0(SB)/8, $0x7fffffffffffffff
DATA tanhc<>+8(SB)/8, $0x7fffffffffffffff
DATA tanhc<>+16(SB)/8, $0x7fffffffffffffff
DATA tanhc<>+24(SB)/8, $0x7fffffffffffffff
DATA tanhc<>+32(SB)/8, $0x8000000000000000
DATA tanhc<>+40(SB)/8, $0x8000000000000000
DATA tanhc<>+48(SB)/8, $0x8000000000000000
DATA tanhc<>+56(SB)/8, $0x8000000000000000
DATA tanhc<>+64(SB)/8, $0x4034000000000000
DATA tanhc<>+72(SB)/8, $0x4034000000000000
DATA tanhc<>+80(SB)/8, $0x4034000000000000
DATA tanhc<>+88(SB)/8, $0x4034000000000000
DATA tanhc<>+96(SB)/8, $0x3ff71547652b82fe
DATA tanhc<>+104(SB)/8, $0x3ff71547652b82fe
DATA tanhc<>+112(SB)/8, $0x3ff71547652b82fe
DATA tanhc<>+120(SB)/8, $0x3ff71547652b82fe
DATA tanhc<>+128(SB)/8, $0x3fe62e4000000000
DATA tanhc<>+136(SB)/8, $0x3fe62e4000000000
DATA tanhc<>+144(SB)/8, $0x3fe62e4000000000
DATA tanhc<>+152(SB)/8, $0x3fe62e4000000000
DATA tanhc<>+160(SB)/8, $0x3eb7f7d1cf79abca
DATA tanhc<>+168(SB)/8, $0x3eb7f7d1cf79abca
DATA tanhc<>+176(SB)/8, $0x3eb7f7d1cf79abca
DATA tanhc<>+184(SB)/8, $0x3eb7f7d1cf79abca
DATA tanhc<>+192(SB)/8, $0x3ff0000000000000
DATA tanhc<>+200(SB)/8, $0x3ff0000000000000
DATA tanhc<>+208(SB)/8, $0x3ff0000000000000
DATA tanhc<>+216(SB)/8, $0x3ff0000000000000
DATA tanhc<>+224(SB)/8, $0x4000000000000000
DATA tanhc<>+232(SB)/8, $0x4000000000000000
DATA tanhc<>+240(SB)/8, $0x4000000000000000
DATA tanhc<>+248(SB)/8, $0x4000000000000000
DATA tanhc<>+256(SB)/8, $0x00000000000003ff
DATA tanhc<>+264(SB)/8, $0x00000000000003ff
DATA tanhc<>+272(SB)/8, $0x00000000000003ff
DATA tanhc<>+280(SB)/8, $0x00000000000003ff
DATA tanhc<>+288(SB)/8, $0x3ff0000000000000
DATA tanhc<>+296(SB)/8, $0x3ff0000000000000
DATA tanhc<>+304(SB)/8, $0x3ff0000000000000
DATA tanhc<>+312(SB)/8, $0x3ff0000000000000
DATA tanhc<>+320(SB)/8, $0x3ff0000000000000
DATA tanhc<>+328(SB)/8, $0x3ff0000000000000
DATA tanhc<>+336(SB)/8, $0x3ff0000000000000
DATA tanhc<>+344(SB)/8, $0x3ff0000000000000
DATA tanhc<>+352(SB)/8, $0x3fe0000000000000
DATA tanhc<>+360(SB)/8, $0x3fe0000000000000
DATA tanhc<>+368(SB)/8, $0x3fe0000000000000
DATA tanhc<>+376(SB)/8, $0x3fe0000000000000
DATA tanhc<>+384(SB)/8, $0x3fc5555555555555
DATA tanhc<>+392(SB)/8, $0x3fc5555555555555
DATA tanhc<>+400(SB)/8, $0x3fc5555555555555
DATA tanhc<>+408(SB)/8, $0x3fc5555555555555
DATA tanhc<>+416(SB)/8, $0x3fa5555555555555
DATA tanhc<>+424(SB)/8, $0x3fa5555555555555
DATA tanhc<>+432(SB)/8, $0x3fa5555555555555
DATA tanhc<>+440(SB)/8, $0x3fa5555555555555
DATA tanhc<>+448(SB)/8, $0x3f81111111111111
DATA tanhc<>+456(SB)/8, $0x3f81111111111111
DATA tanhc<>+464(SB)/8, $0x3f81111111111111
DATA tanhc<>+472(SB)/8, $0x3f81111111111111
DATA tanhc<>+480(SB)/8, $0x3f56c16c16c16c17
DATA tanhc<>+488(SB)/8, $0x3f56c16c16c16c17
DATA tanhc<>+496(SB)/8, $0x3f56c16c16c16c17
DATA tanhc<>+504(SB)/8, $0x3f56c16c16c16c17
DATA tanhc<>+512(SB)/8, $0x3f2a01a01a01a01a
DATA tanhc<>+520(SB)/8, $0x3f2a01a01a01a01a
DATA tanhc<>+528(SB)/8, $0x3f2a01a01a01a01a
DATA tanhc<>+536(SB)/8, $0x3f2a01a01a01a01a
DATA tanhc<>+544(SB)/8, $0x3efa01a01a01a01a
DATA tanhc<>+552(SB)/8, $0x3efa01a01a01a01a
DATA tanhc<>+560(SB)/8, $0x3efa01a01a01a01a
DATA tanhc<>+568(SB)/8, $0x3efa01a01a01a01a
DATA tanhc<>+576(SB)/8, $0x3ec71de3a556c734
DATA tanhc<>+584(SB)/8, $0x3ec71de3a556c734
DATA tanhc<>+592(SB)/8, $0x3ec71de3a556c734
DATA tanhc<>+600(SB)/8, $0x3ec71de3a556c734
DATA tanhc<>+608(SB)/8, $0x3e927e4fb7789f5c
DATA tanhc<>+616(SB)/8, $0x3e927e4fb7789f5c
DATA tanhc<>+624(SB)/8, $0x3e927e4fb7789f5c
DATA tanhc<>+632(SB)/8, $0x3e927e4fb7789f5c
DATA tanhc<>+640(SB)/8, $0x3e5ae64567f544e4
DATA tanhc<>+648(SB)/8, $0x3e5ae64567f544e4
DATA tanhc<>+656(SB)/8, $0x3e5ae64567f544e4
DATA tanhc<>+664(SB)/8, $0x3e5ae64567f544e4
DATA tanhc<>+672(SB)/8, $0x3e21eed8eff8d898
DATA tanhc<>+680(SB)/8, $0x3e21eed8eff8d898
DATA tanhc<>+688(SB)/8, $0x3e21eed8eff8d898
DATA tanhc<>+696(SB)/8, $0x3e21eed8eff8d898
GLOBL tanhc<>(SB), RODATA|NOPTR, $704

// func tanhVec(dst, src *float64, n int, scale float64)
//
// dst[i] = tanh(scale*src[i]) for i < n, n a multiple of 4, as
// sign(y)·(1 - 2/(exp(2|y|)+1)) with exp(z) = 2^k·exp(r), k = round(z/ln 2),
// |r| <= ln(2)/2 and exp(r) by its degree-12 Taylor polynomial (relative
// error below 2e-16). The absolute error of the result is a few 1e-16.
TEXT ·tanhVec(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD scale+24(FP), Y15
	SHRQ         $2, CX
	JZ           done

loop:
	VMOVUPD      (SI), Y0
	VMULPD       Y15, Y0, Y0
	VANDPD       tanhc<>+0(SB), Y0, Y1
	VMINPD       tanhc<>+64(SB), Y1, Y1
	VADDPD       Y1, Y1, Y1
	VMULPD       tanhc<>+96(SB), Y1, Y2
	VROUNDPD     $0, Y2, Y2
	VMOVAPD      Y1, Y3
	VFNMADD231PD tanhc<>+128(SB), Y2, Y3
	VFNMADD231PD tanhc<>+160(SB), Y2, Y3
	VMOVUPD      tanhc<>+672(SB), Y4
	VFMADD213PD tanhc<>+640(SB), Y3, Y4
	VFMADD213PD tanhc<>+608(SB), Y3, Y4
	VFMADD213PD tanhc<>+576(SB), Y3, Y4
	VFMADD213PD tanhc<>+544(SB), Y3, Y4
	VFMADD213PD tanhc<>+512(SB), Y3, Y4
	VFMADD213PD tanhc<>+480(SB), Y3, Y4
	VFMADD213PD tanhc<>+448(SB), Y3, Y4
	VFMADD213PD tanhc<>+416(SB), Y3, Y4
	VFMADD213PD tanhc<>+384(SB), Y3, Y4
	VFMADD213PD tanhc<>+352(SB), Y3, Y4
	VFMADD213PD tanhc<>+320(SB), Y3, Y4
	VFMADD213PD tanhc<>+288(SB), Y3, Y4
	VCVTPD2DQY   Y2, X5
	VPMOVSXDQ    X5, Y5
	VPADDQ       tanhc<>+256(SB), Y5, Y5
	VPSLLQ       $52, Y5, Y5
	VMULPD       Y5, Y4, Y4
	VADDPD       tanhc<>+192(SB), Y4, Y4
	VMOVUPD      tanhc<>+224(SB), Y6
	VDIVPD       Y4, Y6, Y6
	VMOVUPD      tanhc<>+192(SB), Y7
	VSUBPD       Y6, Y7, Y7
	VANDPD       tanhc<>+32(SB), Y0, Y8
	VORPD        Y8, Y7, Y7
	VMOVUPD      Y7, (DI)
	ADDQ         $32, SI
	ADDQ         $32, DI
	DECQ         CX
	JNZ          loop

done:
	VZEROUPPER
	RET
