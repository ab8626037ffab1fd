// What CPU this is, as the libraries' own dispatchers read it (CPUID leaf 1's family and model, the vendor), and
// which vector units it has. Private to CFederKernels.
#ifndef FEDER_CPU_H
#define FEDER_CPU_H

#if defined(__x86_64__) || defined(__i386__)
#define FEDER_X86 1
#endif

enum { CPU_AVX2_FMA = 0, CPU_AVX512 = 1, CPU_AVX = 2 };

// Whether the CPU has `feature`'s vector units (CPU_*), looked up once per file that asks (the kernels ask on
// every call, so it stays inline).
static inline int feder_cpu_has(int feature) {
#ifdef FEDER_X86
    static int cached[3] = {-1, -1, -1};
    if (cached[feature] < 0) {
        switch (feature) {
        case 0: cached[0] = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); break;
        case 1:
            cached[1] = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                        __builtin_cpu_supports("avx512bw");
            break;
        default: cached[2] = __builtin_cpu_supports("avx"); break;
        }
    }
    return cached[feature];
#else
    (void)feature;
    return 0;
#endif
}

#ifdef FEDER_X86
#include <cpuid.h>
#include <string.h>

typedef struct {
    char vendor[13];     // "GenuineIntel", "AuthenticAMD", …
    int family;          // the base family (CPUID.1:EAX[11:8])
    int exfamily;        // the extended family (EAX[27:20])
    int model;           // the base model (EAX[7:4])
    int exmodel;         // the extended model (EAX[19:16])
    unsigned leaf1_ecx;  // CPUID.1:ECX
} feder_cpu_signature;

static inline feder_cpu_signature feder_cpu_read_signature(void) {
    feder_cpu_signature cpu;
    memset(&cpu, 0, sizeof cpu);
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(0, &eax, &ebx, &ecx, &edx)) {
        memcpy(cpu.vendor, &ebx, 4);
        memcpy(cpu.vendor + 4, &edx, 4);
        memcpy(cpu.vendor + 8, &ecx, 4);
    }
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        cpu.family = (int)((eax >> 8) & 0x0f);
        cpu.exfamily = (int)((eax >> 20) & 0xff);
        cpu.model = (int)((eax >> 4) & 0x0f);
        cpu.exmodel = (int)((eax >> 16) & 0x0f);
        cpu.leaf1_ecx = ecx;
    }
    return cpu;
}

// The display model as GCC and Linux number Intel's family-6 parts (0x8f: Sapphire Rapids).
static inline int feder_cpu_display_model(feder_cpu_signature cpu) { return (cpu.exmodel << 4) | cpu.model; }

static inline int feder_cpu_is_intel(feder_cpu_signature cpu) { return strcmp(cpu.vendor, "GenuineIntel") == 0; }
#endif

#endif
