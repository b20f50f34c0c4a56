// What zlib-ng's configure passes to the compiler as -D flags (see
// scripts/zlib-ng.sh), as one header every wrapper includes first: cgo
// applies its CFLAGS to every file alike, and the x86 choices depend on
// the compiler. The x86 SIMD files are built only by GCC, whose target
// pragmas stand for configure's per-file -m flags; elsewhere (clang,
// other CPUs) zlib-ng runs its portable C, as it does when built with
// CGO_CFLAGS=-DNECTAR_ZNG_GENERIC (how that path is tested on x86).
#ifndef NECTAR_ZNG_CONFIG_H
#define NECTAR_ZNG_CONFIG_H

#define NDEBUG
#ifndef _LARGEFILE64_SOURCE
#define _LARGEFILE64_SOURCE 1
#endif
#define HAVE_ATTRIBUTE_ALIGNED
#define HAVE_BUILTIN_ASSUME_ALIGNED
#define HAVE_BUILTIN_CTZ
#define HAVE_BUILTIN_CTZLL
#define HAVE_VISIBILITY_HIDDEN
#define HAVE_VISIBILITY_INTERNAL
#define WITH_OPTIM
#define WITH_ALL_FALLBACKS

#if defined(__linux__)
#define HAVE_SYS_AUXV_H
#define HAVE_LINUX_AUXVEC_H
#endif

// GCC 8 is the first with every instruction set the pragmas name
// (AVX-512 VNNI, VPCLMULQDQ); an older one builds the portable C.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8 && !defined(NECTAR_ZNG_GENERIC)
#define NECTAR_ZNG_X86
#define HAVE_CPUID_GNU
#define X86_FEATURES
#define X86_HAVE_XSAVE_INTRIN
#define X86_SSE2
#define X86_SSSE3
#define X86_SSE41
#define X86_SSE42
#define X86_PCLMULQDQ_CRC
#define X86_AVX2
#define X86_AVX512
#define X86_AVX512VNNI
#define X86_VPCLMULQDQ_CRC
#endif

#endif
