// See include/feder_kernels.h: the OpenBLAS sgemm faiss's multi-threaded flat search goes through.
//
// faiss-cpu 1.15.1's wheel bundles OpenBLAS 0.3.15 built with DYNAMIC_ARCH (and DYNAMIC_OLDER): one sgemm per
// CPU core family, chosen when the library loads (driver/others/dynamic.c). With more than one OpenMP thread, a
// single-query flat search over enough vectors (utils/distances.cpp, knn_db_parallel_impl) computes its inner
// products as sgemm_("T", "N", m, 1, d, 1, rows, d, query, d, 0, out, m) per block of at most 1,024 rows. With one
// column the driver (driver/level3/level3.c) splits the d terms into blocks of GEMM_Q (the last two shared
// evenly, rounded up to GEMM_UNROLL_M), zeroes C and lets the kernel add each block's dot product to C. Each core's
// kernel sums a block in its own order; these were read off OpenBLAS 0.3.15's kernels and checked, bit for bit,
// against the bundled library forced to each core with OPENBLAS_CORETYPE:
// - Haswell, Zen (sgemm_kernel_8x4_haswell_2.c), SkylakeX (sgemm_kernel_16x4_skylakex_3.c): one fused
//   multiply-add chain per row.
// - Nehalem (gemm_kernel_4x8_nehalem.S), Sandybridge (sgemm_kernel_16x4_sandy.S): one unfused chain per row.
// - Prescott (gemm_kernel_8x4_sse3.S, OpenBLAS's fallback for CPUs it does not know, Sapphire and Emerald Rapids
//   among them) and Barcelona (gemm_kernel_8x4_barcelona.S, its choice for AMD families after Zen 4): unfused,
//   rows in blocks of 8, then 4, 2 and 1, each block shape with its own accumulators (below).
// Cooperlake runs SkylakeX's kernel with its own GEMM_Q (param.h); OpenBLAS cannot be forced to it, so that one
// is read from the source only.
#include "feder_kernels.h"
#include "cpu.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#define INLINE static inline __attribute__((always_inline))

// OpenBLAS 0.3.15's core names, numbered as dynamic.c's corename[] numbers them.
static const char *const core_names[] = {
    "Unknown",     "Katmai",    "Coppermine", "Northwood",   "Prescott",  "Banias",   "Atom",
    "Core2",       "Penryn",    "Dunnington", "Nehalem",     "Athlon",    "Opteron",  "Opteron_SSE3",
    "Barcelona",   "Nano",      "Sandybridge", "Bobcat",     "Bulldozer", "Piledriver", "Haswell",
    "Steamroller", "Excavator", "Zen",        "SkylakeX",    "Cooperlake",
};
enum { CORE_COUNT = (int)(sizeof core_names / sizeof core_names[0]) };
enum {
    KATMAI = 1, COPPERMINE = 2, NORTHWOOD = 3, BANIAS = 5, ATOM = 6, CORE2 = 7, PENRYN = 8, DUNNINGTON = 9,
    ATHLON = 11, OPTERON = 12, OPTERON_SSE3 = 13, NANO = 15, BOBCAT = 17, BULLDOZER = 18, PILEDRIVER = 19,
    STEAMROLLER = 21, EXCAVATOR = 22,
};

const char *feder_openblas_core_name(int core) { return core > 0 && core < CORE_COUNT ? core_names[core] : NULL; }

// How a mirrored core's kernel sums: its GEMM_Q and GEMM_UNROLL_M, and the shape of its sums.
typedef enum { CHAIN_FUSED, CHAIN_UNFUSED, BLOCKS_PRESCOTT, BLOCKS_BARCELONA } sum_shape;
typedef struct {
    int q;
    int unroll_m;
    sum_shape shape;
} core_kernel;

static int kernel_of(int core, core_kernel *out) {
    switch (core) {
    case FEDER_OPENBLAS_PRESCOTT: *out = (core_kernel){128, 8, BLOCKS_PRESCOTT}; return 1;
    case FEDER_OPENBLAS_NEHALEM: *out = (core_kernel){512, 4, CHAIN_UNFUSED}; return 1;
    case FEDER_OPENBLAS_BARCELONA: *out = (core_kernel){224, 8, BLOCKS_BARCELONA}; return 1;
    case FEDER_OPENBLAS_SANDYBRIDGE: *out = (core_kernel){384, 16, CHAIN_UNFUSED}; return 1;
    case FEDER_OPENBLAS_HASWELL:
    case FEDER_OPENBLAS_ZEN: *out = (core_kernel){320, 8, CHAIN_FUSED}; return 1;
    case FEDER_OPENBLAS_SKYLAKEX: *out = (core_kernel){448, 16, CHAIN_FUSED}; return 1;
    case FEDER_OPENBLAS_COOPERLAKE: *out = (core_kernel){320, 16, CHAIN_FUSED}; return 1;
    default: return 0;
    }
}

int feder_openblas_mirrored(int core) {
    core_kernel kernel;
    return kernel_of(core, &kernel);
}

// =========================================================================================================
// Which core OpenBLAS 0.3.15 picks: dynamic.c's get_coretype for x86-64, then gotoblas_dynamic_init's fallbacks.

#if defined(__x86_64__) || defined(__i386__)
static int os_saves(unsigned mask) {
    unsigned eax, edx;
    __asm__ __volatile__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (eax & mask) == mask;
}

static void cpuid_sub(unsigned leaf, unsigned sub, unsigned *eax, unsigned *ebx, unsigned *ecx, unsigned *edx) {
    __cpuid_count(leaf, sub, *eax, *ebx, *ecx, *edx);
}

static int support_avx(void) {
    unsigned eax, ebx, ecx, edx;
    cpuid_sub(1, 0, &eax, &ebx, &ecx, &edx);
    if ((ecx & (1u << 28)) && (ecx & (1u << 27)) && (ecx & (1u << 26))) return os_saves(6);
    return 0;
}

static int support_avx2(void) {
    if (!support_avx()) return 0;
    unsigned eax, ebx, ecx, edx;
    cpuid_sub(7, 0, &eax, &ebx, &ecx, &edx);
    return (ebx & (1u << 5)) != 0;
}

// As 0.3.15 has it: the AVX512VL bit and the OS saving the zmm state (it reads but does not require AVX2).
static int support_avx512(void) {
    if (!support_avx()) return 0;
    unsigned eax, ebx, ecx, edx;
    cpuid_sub(7, 0, &eax, &ebx, &ecx, &edx);
    return (ebx & (1u << 31)) ? os_saves(0xe0) : 0;
}

static int support_avx512_bf16(void) {
    if (!support_avx512()) return 0;
    unsigned eax, ebx, ecx, edx;
    cpuid_sub(7, 1, &eax, &ebx, &ecx, &edx);
    return (eax & 32) == 32;
}

// The repeated "AVX-512, else AVX2, else AVX, else older" ladders of dynamic.c.
static int by_avx(int with_avx512, int with_avx2, int with_avx, int otherwise) {
    if (with_avx512 && support_avx512()) return with_avx512;
    if (with_avx2 && support_avx2()) return with_avx2;
    if (support_avx()) return with_avx;
    return otherwise;
}

static int intel_family6(int exmodel, int model) {
    switch (exmodel) {
    case 0:
        if (model <= 0x7) return KATMAI;
        if (model == 0x8 || model == 0xa || model == 0xb) return COPPERMINE;
        if (model == 0x9 || model == 0xd || model == 14) return BANIAS;
        if (model == 15) return CORE2;
        return 0;
    case 1:
        if (model == 6) return CORE2;
        if (model == 7) return PENRYN;
        if (model == 13) return DUNNINGTON;
        if (model == 10 || model == 11 || model == 14 || model == 15) return FEDER_OPENBLAS_NEHALEM;
        if (model == 12) return ATOM;
        return 0;
    case 2:
        if (model == 5 || model == 12 || model == 14 || model == 15) return FEDER_OPENBLAS_NEHALEM;
        if (model == 10 || model == 13) return by_avx(0, 0, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        return 0;
    case 3:
        if (model == 10 || model == 14) return by_avx(0, 0, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        if (model == 12 || model == 15 || model == 13)
            return by_avx(0, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        if (model == 7) return ATOM;
        return 0;
    case 4:
        if (model == 5 || model == 6 || model == 7 || model == 15 || model == 14)
            return by_avx(0, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        if (model == 12 || model == 13) return FEDER_OPENBLAS_NEHALEM;
        return 0;
    case 5:
        if (model == 6) return by_avx(0, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        if (model == 5) {
            if (support_avx512_bf16()) return FEDER_OPENBLAS_COOPERLAKE;
            return by_avx(FEDER_OPENBLAS_SKYLAKEX, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        }
        if (model == 14 || model == 7)
            return by_avx(0, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        if (model == 12 || model == 15) return FEDER_OPENBLAS_NEHALEM;
        return 0;
    case 6:
        if (model == 6) return by_avx(0, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        return 0;
    case 7:
        if (model == 10) return FEDER_OPENBLAS_NEHALEM;
        if (model == 14)
            return by_avx(FEDER_OPENBLAS_SKYLAKEX, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        return 0;
    case 9:
    case 8:
        if (model == 12)
            return by_avx(FEDER_OPENBLAS_SKYLAKEX, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        if (model == 14) return by_avx(0, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        // dynamic.c falls through from here into case 10.
        // fall through
    case 10:
        if (model == 5 || model == 6) return by_avx(0, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        if (model == 7)
            return by_avx(FEDER_OPENBLAS_SKYLAKEX, FEDER_OPENBLAS_HASWELL, FEDER_OPENBLAS_SANDYBRIDGE, FEDER_OPENBLAS_NEHALEM);
        return 0;
    default: return 0;
    }
}

static int amd_core(feder_cpu_signature cpu) {
    if (cpu.family <= 0xe) {
        unsigned eax, ebx, ecx, edx;
        cpuid_sub(0x80000000u, 0, &eax, &ebx, &ecx, &edx);
        if ((eax & 0xffff) < 1) return 0;
        cpuid_sub(0x80000001u, 0, &eax, &ebx, &ecx, &edx);
        if ((edx & (1u << 30)) == 0 || (edx & (1u << 31)) == 0) return 0;
        return ATHLON;
    }
    if (cpu.family != 0xf) return 0;
    int ex = cpu.exfamily, model = cpu.model;
    if (ex == 0 || ex == 2) return (cpu.leaf1_ecx & 1u) ? OPTERON_SSE3 : OPTERON;
    if (ex == 5 || ex == 7) return BOBCAT;
    if (ex == 6) {
        int kind = 0;
        if (model == 1) kind = BULLDOZER;
        else if (model == 2 || model == 3) kind = PILEDRIVER;
        else if (model == 5) kind = EXCAVATOR;
        else if (model == 0 || model == 8) {
            if (cpu.exmodel == 1) kind = PILEDRIVER;
            else if (cpu.exmodel == 3) kind = STEAMROLLER;
            else if (cpu.exmodel == 6) kind = EXCAVATOR;
        }
        if (!kind) return 0;
        return support_avx() ? kind : FEDER_OPENBLAS_BARCELONA;
    }
    if (ex == 8 || ex == 9 || ex == 10) return support_avx() ? FEDER_OPENBLAS_ZEN : FEDER_OPENBLAS_BARCELONA;
    return FEDER_OPENBLAS_BARCELONA;
}

static int detected_core(void) {
    feder_cpu_signature cpu = feder_cpu_read_signature();
    int core = 0;
    if (feder_cpu_is_intel(cpu)) {
        if (cpu.family == 0x6) core = intel_family6(cpu.exmodel, cpu.model);
        else if (cpu.family == 0xf) core = cpu.model <= 0x2 ? NORTHWOOD : FEDER_OPENBLAS_PRESCOTT;
    } else if (strcmp(cpu.vendor, "AuthenticAMD") == 0 || strcmp(cpu.vendor, "HygonGenuine") == 0) {
        core = amd_core(cpu);
    } else if (strcmp(cpu.vendor, "CentaurHauls") == 0 && cpu.family == 0x6) {
        core = NANO;
    }
    return core;
}
#endif

int feder_openblas_native_core(void) {
    int core = 0;
    const char *forced = getenv("OPENBLAS_CORETYPE");
    if (forced) {
        // force_coretype compares the first 20 characters, ignoring case, with corename[1 … 24] (not Cooperlake).
        for (int i = 1; i <= 24; i++) {
            if (strncasecmp(forced, core_names[i], 20) == 0) {
                core = i;
                break;
            }
        }
    } else {
#if defined(__x86_64__) || defined(__i386__)
        core = detected_core();
#endif
    }
    if (core == 0) core = FEDER_OPENBLAS_PRESCOTT;
    // A 64-bit process cannot run the 32-bit era cores.
    if (core == KATMAI || core == COPPERMINE || core == NORTHWOOD || core == BANIAS || core == ATHLON)
        core = FEDER_OPENBLAS_PRESCOTT;
    return core;
}

// =========================================================================================================
// The kernels' sums over one block of terms [0, n) of `count` rows at once (the rows of one register block).

INLINE float load1(const unsigned char *p, size_t i) {
    float value;
    memcpy(&value, p + 4 * i, sizeof value);
    return value;
}

// One product a·x (rounded), or added to `acc` with one rounding.
INLINE float product(const unsigned char *row, const float *x, size_t i) { return load1(row, i) * x[i]; }

// One chain per row: acc = acc + a·x (fused or not), in order. Rows are interleaved so the chains run side by side.
INLINE void chains(int fused, const unsigned char *rows, size_t stride, size_t count, const float *x, size_t n, float *out) {
    enum { GROUP = 8 };
    for (size_t r0 = 0; r0 < count; r0 += GROUP) {
        size_t group = count - r0 < GROUP ? count - r0 : GROUP;
        float acc[GROUP] = {0, 0, 0, 0, 0, 0, 0, 0};
        const unsigned char *base = rows + r0 * stride;
        for (size_t i = 0; i < n; i++) {
            for (size_t r = 0; r < group; r++) {
                float a = load1(base + r * stride, i);
                acc[r] = fused ? __builtin_fmaf(a, x[i], acc[r]) : acc[r] + a * x[i];
            }
        }
        for (size_t r = 0; r < group; r++) out[r0 + r] = acc[r];
    }
}

// Two accumulators alternating by term over the 8-term main loop, the remainder into the first; their sum.
// Prescott's 8- and 4-row blocks, Barcelona's 2-row block.
INLINE float two_accumulators(const unsigned char *row, const float *x, size_t n) {
    float even = 0, odd = 0;
    size_t main = n / 8 * 8;
    for (size_t i = 0; i < main; i += 2) {
        even = even + product(row, x, i);
        odd = odd + product(row, x, i + 1);
    }
    for (size_t i = main; i < n; i++) even = even + product(row, x, i);
    return even + odd;
}

// Four accumulators by term mod 4 over the 8-term main loop, the remainder into the first;
// (a0 + a1) + (a2 + a3). Prescott's and Barcelona's 1-row block, Barcelona's 4-row block.
INLINE float four_accumulators(const unsigned char *row, const float *x, size_t n) {
    float acc[4] = {0, 0, 0, 0};
    size_t main = n / 8 * 8;
    for (size_t i = 0; i < main; i++) acc[i % 4] = acc[i % 4] + product(row, x, i);
    for (size_t i = main; i < n; i++) acc[0] = acc[0] + product(row, x, i);
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

// Prescott's 2-row block: four 4-lane accumulators over a 16-term main loop, each lane pair one row's even and
// odd term of a pair (pair p of the 8 → accumulator p mod 4); the remainder into accumulator 0's even lane;
// per lane (a0 + a1) + (a2 + a3), then even + odd.
INLINE float prescott_pairs(const unsigned char *row, const float *x, size_t n) {
    float acc[4][2] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
    size_t main = n / 16 * 16;
    for (size_t i = 0; i < main; i++) {
        size_t slot = (i % 16) / 2 % 4;
        acc[slot][i % 2] = acc[slot][i % 2] + product(row, x, i);
    }
    for (size_t i = main; i < n; i++) acc[0][0] = acc[0][0] + product(row, x, i);
    float even = (acc[0][0] + acc[1][0]) + (acc[2][0] + acc[3][0]);
    float odd = (acc[0][1] + acc[1][1]) + (acc[2][1] + acc[3][1]);
    return even + odd;
}

INLINE float plain_chain(const unsigned char *row, const float *x, size_t n) {
    float acc = 0;
    for (size_t i = 0; i < n; i++) acc = acc + product(row, x, i);
    return acc;
}

// Rows [0, m) of one kernel call, terms [0, n): the 8-row blocks, then a 4-, a 2- and a 1-row block as m's bits
// ask, each summed in its block's shape.
static void blocked(sum_shape shape, const unsigned char *rows, size_t stride, size_t m, const float *x, size_t n, float *out) {
    size_t full = m / 8 * 8;
    size_t r = 0;
    for (; r < full; r++) {
        const unsigned char *row = rows + r * stride;
        out[r] = shape == BLOCKS_PRESCOTT ? two_accumulators(row, x, n) : plain_chain(row, x, n);
    }
    if (m & 4) {
        for (size_t end = r + 4; r < end; r++) {
            const unsigned char *row = rows + r * stride;
            out[r] = shape == BLOCKS_PRESCOTT ? two_accumulators(row, x, n) : four_accumulators(row, x, n);
        }
    }
    if (m & 2) {
        for (size_t end = r + 2; r < end; r++) {
            const unsigned char *row = rows + r * stride;
            out[r] = shape == BLOCKS_PRESCOTT ? prescott_pairs(row, x, n) : two_accumulators(row, x, n);
        }
    }
    if (m & 1) out[r] = four_accumulators(rows + r * stride, x, n);
}

void feder_openblas_dots(int core, const void *prows, size_t d, size_t count, const void *px, float *out) {
    core_kernel kernel;
    if (!kernel_of(core, &kernel)) kernel = (core_kernel){128, 8, BLOCKS_PRESCOTT};
    const unsigned char *rows = prows;
    size_t stride = 4 * d;
    float *x = malloc(d * sizeof(float) + 1);
    float *part = malloc(count * sizeof(float) + 1);
    if (!x || !part) {
        free(x);
        free(part);
        for (size_t r = 0; r < count; r++) out[r] = 0;
        return;
    }
    memcpy(x, px, d * sizeof(float));
    for (size_t r = 0; r < count; r++) out[r] = 0;  // sgemm_beta with beta = 0
    // level3.c's split of the d terms: GEMM_Q at a time while at least 2·GEMM_Q remain, then the rest in one
    // block, or in two (the first half rounded up to GEMM_UNROLL_M) when it is longer than GEMM_Q.
    size_t q = (size_t)kernel.q, unroll = (size_t)kernel.unroll_m;
    for (size_t from = 0; from < d;) {
        size_t n = d - from;
        if (n >= 2 * q) n = q;
        else if (n > q) n = (n / 2 + unroll - 1) / unroll * unroll;
        const unsigned char *block = rows + 4 * from;
        switch (kernel.shape) {
        case CHAIN_FUSED: chains(1, block, stride, count, x + from, n, part); break;
        case CHAIN_UNFUSED: chains(0, block, stride, count, x + from, n, part); break;
        default: blocked(kernel.shape, block, stride, count, x + from, n, part); break;
        }
        // The kernel's C = C + alpha · sum, alpha 1.
        for (size_t r = 0; r < count; r++) out[r] = out[r] + part[r];
        from += n;
    }
    free(x);
    free(part);
}

static _Atomic int selected_core = -1;

void feder_kernels_select_openblas(int core) { atomic_store_explicit(&selected_core, core, memory_order_relaxed); }

int feder_kernels_openblas(void) {
    int core = atomic_load_explicit(&selected_core, memory_order_relaxed);
    if (core >= 0) return core;
    core = feder_openblas_native_core();
    int unset = -1;
    atomic_compare_exchange_strong(&selected_core, &unset, core);
    return core;
}
