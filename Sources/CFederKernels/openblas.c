// See include/feder_kernels.h: the OpenBLAS sgemm faiss's flat search goes through.
//
// faiss-cpu 1.15.1's wheel bundles OpenBLAS 0.3.15 built with DYNAMIC_ARCH (and DYNAMIC_OLDER): one sgemm per
// CPU core family, chosen when the library loads (driver/others/dynamic.c). A single-query flat search computes
// its inner products as sgemm_("T", "N", m, 1, d, 1, rows, d, query, d, 0, out, m) per block of at most 1,024
// rows in two cases (utils/distances.cpp): with more than one OpenMP thread over enough vectors
// (knn_db_parallel_impl, inside a parallel region: OpenBLAS runs on one thread), and from d = 128,000 on
// (exhaustive_L2sqr_blas / exhaustive_inner_product_blas, outside one: OpenBLAS shares the call among the
// OpenMP threads, feder_openblas_gemm_tn1). With one column the driver (driver/level3/level3.c on one thread,
// level3_thread.c's inner_thread on each of several) splits the d terms into blocks of GEMM_Q (the last two
// shared evenly: rounded up to GEMM_UNROLL_M on one thread, not on several), zeroes C and lets the kernel add
// each block's dot product to C. Each core's kernel sums a block in its own order; these were read off OpenBLAS
// 0.3.15's kernels and checked, bit for bit, against the bundled library forced to each core with
// OPENBLAS_CORETYPE, on one thread and shared:
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

// One thread's share of the call, rows [0, count) of `rows`, as a level-3 driver runs it: the d terms in blocks
// of GEMM_Q while at least 2·GEMM_Q remain, then the rest in one block, or in two when it is longer than GEMM_Q:
// level3.c (one thread) rounds the first half up to GEMM_UNROLL_M, level3_thread.c's inner_thread takes
// (rest + 1) / 2. Each block's sums are added to C, alpha · sum (fused on the FMA cores, which for alpha 1 or −2
// rounds alike). The driver also cuts the rows into calls of GEMM_P, which setparam-ref.c rounds up to a
// multiple of GEMM_UNROLL_M, so the kernel's register blocks start where the share starts and only the last call
// has a remainder: the same sums as one call.
static void gemm_share(core_kernel kernel, const unsigned char *rows, size_t stride, size_t count, const float *x, size_t d,
                       float alpha, int threaded, float *c, float *part) {
    size_t q = (size_t)kernel.q, unroll = (size_t)kernel.unroll_m;
    for (size_t from = 0; from < d;) {
        size_t n = d - from;
        if (n >= 2 * q) n = q;
        else if (n > q) n = threaded ? (n + 1) / 2 : (n / 2 + unroll - 1) / unroll * unroll;
        const unsigned char *block = rows + 4 * from;
        switch (kernel.shape) {
        case CHAIN_FUSED: chains(1, block, stride, count, x + from, n, part); break;
        case CHAIN_UNFUSED: chains(0, block, stride, count, x + from, n, part); break;
        default: blocked(kernel.shape, block, stride, count, x + from, n, part); break;
        }
        for (size_t r = 0; r < count; r++) c[r] = c[r] + alpha * part[r];
        from += n;
    }
}

// OpenBLAS's MAX_CPU_NUMBER (the bundled build says MAX_THREADS=128) and the SWITCH_RATIO and
// GEMM_PREFERED_SIZE its level3_thread.c was compiled with, whichever core runs the kernels: param.h's Core2
// values (4; no GEMM_PREFERED_SIZE, so 1), presumably the build's target. Of the pairs param.h defines, only
// this one matches the library's shared calls on every core.
enum { OPENBLAS_MAX_THREADS = 128, SWITCH_RATIO = 4, GEMM_PREFERED_SIZE = 1 };

// level3_thread.c's round_up.
static long round_up(long remainder, long width, long multiple) {
    if (multiple > remainder || width <= multiple) return width;
    return (width + multiple - 1) / multiple * multiple;
}

void feder_openblas_gemm_tn1(int core, int threads, const void *prows, size_t d, size_t count, const void *px, float alpha,
                             int keep_c, float *c) {
    core_kernel kernel;
    if (!kernel_of(core, &kernel)) kernel = (core_kernel){128, 8, BLOCKS_PRESCOTT};
    const unsigned char *rows = prows;
    size_t stride = 4 * d;
    float *x = malloc(d * sizeof(float) + 1);
    float *part = malloc(count * sizeof(float) + 1);
    if (!x || !part) {
        free(x);
        free(part);
        return;
    }
    memcpy(x, px, d * sizeof(float));
    if (!keep_c) for (size_t r = 0; r < count; r++) c[r] = 0;  // sgemm_beta with beta = 0
    // interface/gemm.c: one thread up to m·n·k = 65,536 · GEMM_MULTITHREAD_THRESHOLD (4), else as many as
    // OpenMP gives (num_cpu_avail: omp_get_max_threads(), 1 inside a parallel region), at most MAX_CPU_NUMBER.
    // level3_thread.c then wants SWITCH_RATIO rows a thread, halving the threads until they have them, and with
    // one column runs them all on rows: thread t gets the next ⌈rows left / threads left⌉ (round_up to
    // GEMM_PREFERED_SIZE). With fewer than 2 · SWITCH_RATIO rows, or one thread, level3.c runs instead.
    long m = (long)count;
    long parts = threads < OPENBLAS_MAX_THREADS ? threads : OPENBLAS_MAX_THREADS;
    if ((double)count * (double)d <= 65536.0 * 4 || m < 2 * SWITCH_RATIO) parts = 1;
    while (parts > 1 && m < parts * SWITCH_RATIO) parts /= 2;
    if (parts <= 1) {
        gemm_share(kernel, rows, stride, count, x, d, alpha, 0, c, part);
    } else {
        long start = 0, left = m;
        for (long t = 0; left > 0; t++) {
            long width = round_up(left, (left + parts - t - 1) / (parts - t), GEMM_PREFERED_SIZE);
            left -= width;
            if (left < 0) width += left;
            gemm_share(kernel, rows + (size_t)start * stride, stride, (size_t)width, x, d, alpha, 1, c + start, part);
            start += width;
        }
    }
    free(x);
    free(part);
}

void feder_openblas_dots(int core, int threads, const void *prows, size_t d, size_t count, const void *px, float *out) {
    feder_openblas_gemm_tn1(core, threads, prows, d, count, px, 1.0f, 0, out);
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

// =========================================================================================================
// sgemv_("T", m, n, 1, A, lda = m, x, 1, beta, y, 1): what faiss's LinearTransform::apply_noalloc calls for one
// query (faiss ≥ 1.15; batches go through sgemm). Output j is row j of A (m floats) · x. Read off OpenBLAS
// 0.3.15's interface/gemv.c, driver/level2/gemv_thread.c, kernel/x86_64/sgemv_t.c and sgemv_t_4.c with the
// haswell / sandy / nehalem microkernels, and checked against the bundled library on every core.

// kernel/x86_64/sgemv_t.c (Prescott, Barcelona): blocks of 4096 terms (the last block whatever is left above
// m % 16), each column's block summed as groups of four ((a0x0 + a1x1) + a2x2) + a3x3 added to a running total,
// then added to y; the last m % 16 terms one by one.
static void sgemv_t_plain(size_t m, size_t n, const float *a, const float *x, float *y) {
    const long nbmax = 4096;
    long m1 = (long)(m - m % 16);
    long m2 = (long)(m % 4096 - m % 16);
    long nb = nbmax;
    while (nb == nbmax) {
        m1 -= nb;
        if (m1 < 0) {
            if (m2 == 0) break;
            nb = m2;
        }
        for (size_t j = 0; j < n; j++) {
            const float *row = a + j * m;
            float total = 0;
            for (long i = 0; i < nb; i += 4) {
                float group = row[i] * x[i];
                group = group + row[i + 1] * x[i + 1];
                group = group + row[i + 2] * x[i + 2];
                group = group + row[i + 3] * x[i + 3];
                total = total + group;
            }
            y[j] = total + y[j];
        }
        a += nb;
        x += nb;
    }
    size_t tail = m % 16;
    for (size_t j = 0; j < n && tail; j++) {
        const float *row = a + j * m;
        float total = 0;
        for (size_t i = 0; i < tail; i++) total = total + row[i] * x[i];
        y[j] = total + y[j];
    }
}

// The 4x4 microkernel's sum of one column (its position `column` in the group of four) over nb terms.
static float gemv_4x4_column(int core, int column, long nb, const float *a, const float *x) {
    if (core == FEDER_OPENBLAS_SANDYBRIDGE) {
        // Two unfused 8-lane accumulators; column 1 of each group sends the halves of a 16-block the other way.
        float p[8] = {0}, q[8] = {0};
        long i = 0, left = nb;
        if (left & 4) {
            for (int l = 0; l < 4; l++) p[l] = p[l] + a[l] * x[l];
            i += 4;
            left -= 4;
        }
        if (left & 8) {
            for (int l = 0; l < 8; l++) p[l] = p[l] + a[i + l] * x[i + l];
            i += 8;
            left -= 8;
        }
        for (; left > 0; i += 16, left -= 16) {
            float *first = column == 1 ? q : p, *second = column == 1 ? p : q;
            for (int l = 0; l < 8; l++) first[l] = first[l] + a[i + l] * x[i + l];
            for (int l = 0; l < 8; l++) second[l] = second[l] + a[i + 8 + l] * x[i + 8 + l];
        }
        float v[8];
        for (int l = 0; l < 8; l++) v[l] = q[l] + p[l];
        return ((v[4] + v[0]) + (v[5] + v[1])) + ((v[6] + v[2]) + (v[7] + v[3]));
    }
    if (core == FEDER_OPENBLAS_NEHALEM) {
        float acc[4] = {0};
        for (long i = 0; i < nb; i += 4)
            for (int l = 0; l < 4; l++) acc[l] = acc[l] + a[i + l] * x[i + l];
        return (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
    // Haswell, Zen, SkylakeX, Cooperlake: one fused 8-lane accumulator.
    float acc[8] = {0};
    long i = 0, left = nb;
    if (left & 4) {
        for (int l = 0; l < 4; l++) acc[l] = __builtin_fmaf(a[l], x[l], acc[l]);
        i += 4;
        left -= 4;
    }
    if (left & 8) {
        for (int l = 0; l < 8; l++) acc[l] = __builtin_fmaf(a[i + l], x[i + l], acc[l]);
        i += 8;
        left -= 8;
    }
    for (; left > 0; i += 16, left -= 16) {
        for (int l = 0; l < 8; l++) acc[l] = __builtin_fmaf(a[i + l], x[i + l], acc[l]);
        for (int l = 0; l < 8; l++) acc[l] = __builtin_fmaf(a[i + 8 + l], x[i + 8 + l], acc[l]);
    }
    return ((acc[4] + acc[0]) + (acc[5] + acc[1])) + ((acc[6] + acc[2]) + (acc[7] + acc[3]));
}

// sgemv_kernel_4x2: four unfused lanes.
static float gemv_4x2_column(long nb, const float *a, const float *x) {
    float acc[4] = {0};
    for (long i = 0; i < nb; i += 4)
        for (int l = 0; l < 4; l++) acc[l] = acc[l] + a[i + l] * x[i + l];
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

// sgemv_kernel_4x1: two unfused 4-lane accumulators, alternating by four terms.
static float gemv_4x1_column(long nb, const float *a, const float *x) {
    float first[4] = {0}, second[4] = {0};
    long i = 0, left = nb;
    if (left & 4) {
        for (int l = 0; l < 4; l++) first[l] = first[l] + a[l] * x[l];
        i += 4;
        left -= 4;
    }
    for (; left > 0; i += 8, left -= 8) {
        for (int l = 0; l < 4; l++) first[l] = first[l] + a[i + l] * x[i + l];
        for (int l = 0; l < 4; l++) second[l] = second[l] + a[i + 4 + l] * x[i + 4 + l];
    }
    float v[4];
    for (int l = 0; l < 4; l++) v[l] = first[l] + second[l];
    return (v[0] + v[1]) + (v[2] + v[3]);
}

// kernel/x86_64/sgemv_t_4.c: blocks of 4096 over the first m − m % 4 terms; in each, columns by their position
// in the call: groups of four (4x4), then two (4x2), then one (4x1), each block sum added to y (SkylakeX's C
// fuses the 4x2 / 4x1 additions, alike for alpha 1); the last m % 4 terms in plain C, contracted on SkylakeX.
static void sgemv_t_4(int core, size_t m, size_t n, const float *a, const float *x, float *y) {
    const long nbmax = 4096;
    int fused = core == FEDER_OPENBLAS_SKYLAKEX || core == FEDER_OPENBLAS_COOPERLAKE;
    long groups = (long)(n / 4);
    long rest = (long)(n & 3);
    long m3 = (long)(m & 3);
    long m1 = (long)(m & ~(size_t)3);
    long m2 = (long)((m & (4096 - 1)) - (size_t)m3);
    long nb = nbmax;
    const float *block = a;
    const float *xb = x;
    while (nb == nbmax) {
        m1 -= nb;
        if (m1 < 0) {
            if (m2 == 0) break;
            nb = m2;
        }
        size_t column = 0;
        for (long g = 0; g < groups; g++, column += 4)
            for (int c = 0; c < 4; c++) y[column + c] = y[column + c] + gemv_4x4_column(core, c, nb, block + (column + c) * m, xb);
        if (rest & 2) {
            for (int c = 0; c < 2; c++) y[column + c] = y[column + c] + gemv_4x2_column(nb, block + (column + c) * m, xb);
            column += 2;
        }
        if (rest & 1) y[column] = y[column] + gemv_4x1_column(nb, block + column * m, xb);
        block += nb;
        xb += nb;
    }
    for (size_t j = 0; j < n && m3; j++) {
        const float *row = block + j * m;
        if (m3 == 3) {
            float e = fused ? __builtin_fmaf(row[2], xb[2], __builtin_fmaf(row[0], xb[0], row[1] * xb[1]))
                            : (row[0] * xb[0] + row[1] * xb[1]) + row[2] * xb[2];
            y[j] = e + y[j];
        } else if (m3 == 2) {
            float e = fused ? __builtin_fmaf(row[0], xb[0], row[1] * xb[1]) : row[0] * xb[0] + row[1] * xb[1];
            y[j] = e + y[j];
        } else {
            y[j] = fused ? __builtin_fmaf(row[0], xb[0], y[j]) : row[0] * xb[0] + y[j];
        }
    }
}

static void sgemv_t_call(int core, size_t m, size_t n, const float *a, const float *x, float *y) {
    if (core == FEDER_OPENBLAS_PRESCOTT || core == FEDER_OPENBLAS_BARCELONA) sgemv_t_plain(m, n, a, x, y);
    else sgemv_t_4(core, m, n, a, x, y);
}

void feder_openblas_gemv_rows(int core, int threads, const void *prows, size_t m, size_t n, const void *px, int has_bias,
                              float *y) {
    if (m == 0 || n == 0) return;
    if (!feder_openblas_mirrored(core)) core = FEDER_OPENBLAS_PRESCOTT;
    // scal_sse.S with beta 0 stores +0; with the bias y already holds b (beta 1).
    if (!has_bias) for (size_t j = 0; j < n; j++) y[j] = 0;
    float *a = malloc(m * n * sizeof(float) + 1), *x = malloc(m * sizeof(float) + 1);
    if (!a || !x) {
        free(a);
        free(x);
        return;
    }
    memcpy(a, prows, m * n * sizeof(float));
    memcpy(x, px, m * sizeof(float));
    // interface/gemv.c: threads only from m·n ≥ 2304 · 4 and more than one OpenMP thread outside a parallel
    // region; gemv_thread.c then gives each thread a contiguous range of outputs, one kernel call each.
    if (threads <= 1 || m * n < 2304 * 4) {
        sgemv_t_call(core, m, n, a, x, y);
    } else {
        size_t left = n, from = 0;
        int used = 0;
        while (left > 0) {
            size_t width = (left + (size_t)(threads - used) - 1) / (size_t)(threads - used);
            if (width < 4) width = 4;
            if (left < width) width = left;
            sgemv_t_call(core, m, width, a + from * m, x, y + from);
            from += width;
            used++;
            left -= width;
        }
    }
    free(a);
    free(x);
}
