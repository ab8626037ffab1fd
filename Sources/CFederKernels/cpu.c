// See include/feder_kernels.h and cpu.h.
//
// What the libraries would run on this CPU: faiss's SIMD level (or FAISS_SIMD_LEVEL's) and the hnswlib build pip
// makes here. The selection the kernels then use, and the kernels, are in kernels.c.
#include "feder_kernels.h"
#include "cpu.h"

#include <stdlib.h>
#include <string.h>

int feder_cpu_faiss_level(void) {
#ifdef FEDER_X86
    // faiss's auto_detect_simd_level: AVX512 with F, CD, VL, DQ and BW, AVX512_SPR when the CPU also has
    // AVX512_FP16 (CPUID.7.0:EDX bit 23) and AVX512_BF16 (CPUID.7.1:EAX bit 5); AVX2 with the AVX2 bit.
    if (feder_cpu_has(CPU_AVX512)) {
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        int fp16 = __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (edx & (1u << 23));
        int bf16 = __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && (eax & (1u << 5));
        return fp16 && bf16 ? FEDER_FAISS_AVX512_SPR : FEDER_FAISS_AVX512;
    }
    if (__builtin_cpu_supports("avx2")) return FEDER_FAISS_AVX2;
#endif
    return FEDER_FAISS_NONE;
}

#ifdef FEDER_X86
// Whether GCC 12's -march=native knows this Intel AVX-512 part by its model (family 6: Skylake-SP, Cascade and
// Cooper Lake 0x55, Cannon Lake 0x66, Ice Lake 0x6a 0x6c 0x7d 0x7e 0x9d, Tiger Lake 0x8c 0x8d, Rocket Lake 0xa7,
// Sapphire Rapids 0x8f, Knights Landing / Mill 0x57 0x85) and tunes for it; any other model gets an arch
// guessed from its features and -mtune=generic.
static int gcc12_knows_intel_avx512_model(void) {
    feder_cpu_signature cpu = feder_cpu_read_signature();
    if (cpu.family != 6) return 0;
    switch (feder_cpu_display_model(cpu)) {
    case 0x55: case 0x66: case 0x6a: case 0x6c: case 0x7d: case 0x7e: case 0x9d:
    case 0x8c: case 0x8d: case 0xa7: case 0x8f: case 0x57: case 0x85: return 1;
    default: return 0;
    }
}
#endif

int feder_cpu_hnswlib_build(void) {
#ifdef FEDER_X86
    if (__builtin_cpu_supports("avx512f")) {
        if (__builtin_cpu_is("amd")) return FEDER_HNSWLIB_AVX512_ZEN;
        return gcc12_knows_intel_avx512_model() ? FEDER_HNSWLIB_AVX512 : FEDER_HNSWLIB_AVX512_GENERIC;
    }
    if (feder_cpu_has(CPU_AVX2_FMA)) return __builtin_cpu_is("amd") ? FEDER_HNSWLIB_AVX2_ZEN : FEDER_HNSWLIB_AVX2;
    if (feder_cpu_has(CPU_AVX)) return FEDER_HNSWLIB_AVX;
#endif
    return FEDER_HNSWLIB_SSE;
}

int feder_native_faiss_level(void) {
    const char *value = getenv("FAISS_SIMD_LEVEL");
    if (value) {
        if (strcmp(value, "NONE") == 0) return FEDER_FAISS_NONE;
        if (strcmp(value, "AVX2") == 0) return FEDER_FAISS_AVX2;
        if (strcmp(value, "AVX512") == 0 || strcmp(value, "AVX512_VPOPCNT") == 0) return FEDER_FAISS_AVX512;
        if (strcmp(value, "AVX512_SPR") == 0) return FEDER_FAISS_AVX512_SPR;
    }
    return feder_cpu_faiss_level();
}
