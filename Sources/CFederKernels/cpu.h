// What CPU this is, as the libraries' own dispatchers read it (CPUID leaf 1's family and model, the vendor).
#ifndef FEDER_CPU_H
#define FEDER_CPU_H

#if defined(__x86_64__) || defined(__i386__)
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
