// See include/feder_kernels.h.
//
// Every kernel here is an emulation of one compiled library kernel: the same lanes, the same order of
// additions, the same fused (FMA, one rounding) or unfused (two roundings) multiply-adds, read off the
// disassembly of the installed libraries (faiss-cpu 1.15.1's libfaiss.so, per SIMD level; hnswlib 0.8.0 as pip
// builds it with -march=native). The bodies are written once, in portable C over lane arrays, and instantiated
// for the CPU's vector units where it has them, so that a kernel gives the same bits on any CPU and runs at
// SIMD speed on the one the library build targets.
#include "feder_kernels.h"
#include "cpu.h"

#include <stdatomic.h>
#include <string.h>

// Lane-exact emulation must not fuse a*b+c into one rounding unless it says so (fused()).
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#define INLINE static inline __attribute__((always_inline))

INLINE float load1(const unsigned char *p, size_t i) {
    float value;
    memcpy(&value, p + 4 * i, sizeof value);
    return value;
}

INLINE float fused(float a, float b, float c) { return __builtin_fmaf(a, b, c); }

// One term of a kernel: (a−b)² for L2, a·b for the inner product, added to `acc` fused or not; |a−b| added
// for L1; max(acc, |a−b|) for L∞ (maxps: the second operand unless the first is larger).
enum { KIND_L2 = 0, KIND_IP = 1, KIND_L1 = 2, KIND_LINF = 3 };

INLINE float absolute(float x) { return __builtin_fabsf(x); }

INLINE float combine(int kind, float acc, float value) {
    if (kind == KIND_LINF) return acc > value ? acc : value;
    return acc + value;
}

INLINE float term_add(int kind, int fuse, const unsigned char *a, const unsigned char *b, size_t i, float acc) {
    float x = load1(a, i), y = load1(b, i);
    if (kind == KIND_L2) {
        float diff = x - y;
        if (fuse) return fused(diff, diff, acc);
        float square = diff * diff;
        return acc + square;
    }
    if (kind == KIND_L1) return acc + absolute(x - y);
    if (kind == KIND_LINF) return combine(kind, acc, absolute(x - y));
    if (fuse) return fused(x, y, acc);
    float product = x * y;
    return acc + product;
}

INLINE float term(int kind, const unsigned char *a, const unsigned char *b, size_t i) {
    float x = load1(a, i), y = load1(b, i);
    if (kind == KIND_L2) {
        float diff = x - y;
        return diff * diff;
    }
    if (kind == KIND_L1 || kind == KIND_LINF) return absolute(x - y);
    return x * y;
}

// lanes[j] accumulates the terms i ≡ j (mod width) of [from, to), in order; `to − from` is a multiple of width.
INLINE void lanes_run(int kind, int fuse, int width, const unsigned char *a, const unsigned char *b, size_t from, size_t to,
                      float *lanes) {
    for (size_t i = from; i < to; i += (size_t)width) {
        for (int lane = 0; lane < width; lane++) lanes[lane] = term_add(kind, fuse, a, b, i + (size_t)lane, lanes[lane]);
    }
}

// Lanes summed left to right, as `TmpRes[0] + TmpRes[1] + …` compiles.
INLINE float lanes_sum(const float *lanes, int width) {
    float total = lanes[0];
    for (int lane = 1; lane < width; lane++) total = total + lanes[lane];
    return total;
}

// The scalar terms [from, to) added in order to `total`.
INLINE float scalar_run(int kind, int fuse, const unsigned char *a, const unsigned char *b, size_t from, size_t to,
                        float total) {
    for (size_t i = from; i < to; i++) total = term_add(kind, fuse, a, b, i, total);
    return total;
}

// =========================================================================================================
// faiss: fvec_L2sqr / fvec_inner_product (utils/simd_impl/distances_autovec-inl.h, compiled per SIMD level
// with reassociation allowed, so each level sums in its own vectorised order).

// The shared 4-lane fold: [v0+v2, v1+v3], then lane 1 + lane 0.
INLINE float fold4(int kind, const float *v) {
    float low = combine(kind, v[0], v[2]), high = combine(kind, v[1], v[3]);
    return combine(kind, high, low);
}

// Halving a register (its upper half extracted and added to the lower): out[j] = v[j + half] + v[j], j < half.
INLINE void fold_half(int kind, const float *v, int half, float *out) {
    for (int lane = 0; lane < half; lane++) out[lane] = combine(kind, v[lane + half], v[lane]);
}

// Level NONE (SSE2): 4 unfused lanes; L2 then adds a 2-lane block of the remainder to the two folded lanes;
// the other kernels add their remainder term by term. Nothing is fused.
// Not faiss_finish: the SSE2 build fuses nothing, and L2's 2-lane fold sums lower + upper, not upper + lower.
INLINE float faiss_none(int kind, const unsigned char *a, const unsigned char *b, size_t d) {
    size_t head = d / 4 * 4;
    float lanes[4] = {0, 0, 0, 0};
    lanes_run(kind, 0, 4, a, b, 0, head, lanes);
    if (kind != KIND_L2) return scalar_run(kind, 0, a, b, head, d, fold4(kind, lanes));
    float pair[2] = {combine(kind, lanes[0], lanes[2]), combine(kind, lanes[1], lanes[3])};
    size_t i = head;
    if (d - i >= 2) {
        pair[0] = combine(kind, pair[0], term(kind, a, b, i));
        pair[1] = combine(kind, pair[1], term(kind, a, b, i + 1));
        i += 2;
    }
    float total = combine(kind, pair[1], pair[0]);
    return scalar_run(kind, 0, a, b, i, d, total);
}

// The AVX2 and AVX512 levels' ending after `width` lanes (8 or 16) over the blocks [0, i): folded in half; a
// remaining half-width block fused into those lanes; folded on to 4, then the 4-lane fold; the rest fused one by one.
INLINE float faiss_finish(int kind, int width, const float *lanes, const unsigned char *a, const unsigned char *b, size_t i,
                          size_t d) {
    int half = width / 2;
    float folded[8];
    fold_half(kind, lanes, half, folded);
    if (d - i >= (size_t)half) {
        lanes_run(kind, 1, half, a, b, i, i + (size_t)half, folded);
        i += (size_t)half;
    }
    // In place: lane j reads lanes j and j + 4 before any write reaches them.
    if (half == 8) fold_half(kind, folded, 4, folded);
    return scalar_run(kind, 1, a, b, i, d, fold4(kind, folded));
}

// Level AVX2: 8 unfused lanes over 8-blocks, folded to 4 (upper + lower); a remaining 4-block fused into those
// 4 lanes; the 4-lane fold; the last d % 4 terms fused one by one.
INLINE float faiss_avx2(int kind, const unsigned char *a, const unsigned char *b, size_t d) {
    size_t head = d / 8 * 8;
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    lanes_run(kind, 0, 8, a, b, 0, head, lanes);
    return faiss_finish(kind, 8, lanes, a, b, head, d);
}

// Level AVX512: 16 fused lanes over 16-blocks, folded to 8; a remaining 8-block fused into those 8 lanes;
// folded to 4, then the 4-lane fold; the last d % 8 terms fused one by one.
INLINE float faiss_avx512(int kind, const unsigned char *a, const unsigned char *b, size_t d) {
    size_t head = d / 16 * 16;
    float lanes[16] = {0};
    lanes_run(kind, 1, 16, a, b, 0, head, lanes);
    return faiss_finish(kind, 16, lanes, a, b, head, d);
}

// =========================================================================================================
// hnswlib (hnswlib/space_l2.h, space_ip.h): the kernel is chosen by d (16-blocks when d % 16 == 0, 4-blocks
// when d % 4 == 0, else 16- or 4-blocks plus a scalar tail); how each compiles depends on the build.

typedef struct {
    int width16;   // lanes of the 16-block kernels: 16 (AVX-512), 8 (AVX), 4 (SSE)
    int chains;    // multiply-add chains in loops fused (FMA): GCC does unless it tunes for AMD Zen
    int epilogue;  // L2Sqr's plain loop fuses its last n % epilogue terms (its scalar remainder); 0: none
    int tree16;    // the 16-block inner product folds its lanes pairwise (_mm512_reduce_add_ps)
    int chains16;  // the 16-block kernels' chains fused (Zen tuning in GCC 12 keeps 512-bit chains fused)
} hnsw_build;

static const hnsw_build hnsw_builds[] = {
    [FEDER_HNSWLIB_SSE] = {4, 0, 0, 0, 0},
    [FEDER_HNSWLIB_AVX] = {8, 0, 0, 0, 0},
    [FEDER_HNSWLIB_AVX2_ZEN] = {8, 0, 4, 0, 0},
    [FEDER_HNSWLIB_AVX2] = {8, 1, 4, 0, 1},
    [FEDER_HNSWLIB_AVX512] = {16, 1, 4, 1, 1},
    // GCC 12 -march=native on Zen 4 (= -march=znver3 plus the AVX-512 flags): L2Sqr's plain loop runs in
    // zmm/ymm blocks, so its scalar remainder is n % 8; 128/256-bit and scalar chains unfused, 512-bit fused.
    [FEDER_HNSWLIB_AVX512_ZEN] = {16, 0, 8, 1, 1},
    // GCC 12 -march=native on an Intel AVX-512 CPU whose model it does not know (Emerald Rapids, Granite
    // Rapids): the arch guessed from the features, -mtune=generic. As avx512, but plain loops vectorise in zmm
    // with a ymm epilogue (not ymm with an xmm one), so their fused scalar remainder is n % 8.
    [FEDER_HNSWLIB_AVX512_GENERIC] = {16, 1, 8, 1, 1},
};

// L2Sqr / InnerProduct's plain loop over [from, to): L2 adds rounded squares in order and fuses the last
// (to − from) % epilogue (the vectorised loop's scalar remainder); the inner product's loop is one fused or
// unfused chain.
INLINE float hnsw_plain(int kind, hnsw_build build, const unsigned char *a, const unsigned char *b, size_t from, size_t to) {
    if (kind == KIND_IP) return scalar_run(kind, build.chains, a, b, from, to, 0);
    size_t split = build.epilogue ? to - (to - from) % (size_t)build.epilogue : to;
    float total = scalar_run(kind, 0, a, b, from, split, 0);
    return scalar_run(kind, 1, a, b, split, to, total);
}

// The 16-block kernel over [0, count), count a multiple of 16.
INLINE float hnsw_blocks16(int kind, hnsw_build build, const unsigned char *a, const unsigned char *b, size_t count) {
    float lanes[16] = {0};
    lanes_run(kind, build.chains16, build.width16, a, b, 0, count, lanes);
    if (kind == KIND_IP && build.tree16) {
        float eight[8], four[4];
        fold_half(kind, lanes, 8, eight);
        fold_half(kind, eight, 4, four);
        float low = four[0] + four[2], high = four[1] + four[3];
        return low + high;
    }
    return lanes_sum(lanes, build.width16);
}

// The 4-block kernel over [0, count), count a multiple of 4. With AVX the inner product runs its 16-blocks in
// 8 lanes first and folds the upper four onto the lower four.
INLINE float hnsw_blocks4(int kind, hnsw_build build, const unsigned char *a, const unsigned char *b, size_t count) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    if (kind == KIND_IP && build.width16 >= 8) {
        i = count / 16 * 16;
        lanes_run(kind, build.chains, 8, a, b, 0, i, lanes);
        for (int lane = 0; lane < 4; lane++) lanes[lane] = lanes[lane] + lanes[lane + 4];
    }
    lanes_run(kind, build.chains, 4, a, b, i, count, lanes);
    return lanes_sum(lanes, 4);
}

INLINE float hnsw_kernel(int kind, hnsw_build build, const unsigned char *a, const unsigned char *b, size_t d) {
    if (d % 16 == 0) return hnsw_blocks16(kind, build, a, b, d);
    if (d % 4 == 0) return hnsw_blocks4(kind, build, a, b, d);
    if (d > 16) {
        size_t head = d / 16 * 16;
        return hnsw_blocks16(kind, build, a, b, head) + hnsw_plain(kind, build, a, b, head, d);
    }
    if (d > 4) {
        size_t head = d / 4 * 4;
        return hnsw_blocks4(kind, build, a, b, head) + hnsw_plain(kind, build, a, b, head, d);
    }
    return hnsw_plain(kind, build, a, b, 0, d);
}

// normalize_vector's Σx² (python bindings), compiled as L2Sqr's plain loop is.
INLINE float hnsw_norm(hnsw_build build, const unsigned char *a, size_t d) {
    size_t split = build.epilogue ? d - d % (size_t)build.epilogue : d;
    float total = 0;
    for (size_t i = 0; i < d; i++) {
        float value = load1(a, i);
        if (i >= split) {
            total = fused(value, value, total);
        } else {
            float square = value * value;
            total = total + square;
        }
    }
    return total;
}

// =========================================================================================================
// Instantiations: portable, and for the vector units each library level targets (chosen at run time).

// Each switch case hands a body constant arguments (a kind, a build), so the compiler specialises it there.
#define FAISS_BY_KIND(body)                                                                                         \
    switch (kind) {                                                                                                 \
    case KIND_IP: return body(KIND_IP, a, b, d);                                                                    \
    case KIND_L1: return body(KIND_L1, a, b, d);                                                                    \
    case KIND_LINF: return body(KIND_LINF, a, b, d);                                                                \
    default: return body(KIND_L2, a, b, d);                                                                         \
    }

#define HNSW_CASE(id)                                                                                               \
    case id:                                                                                                        \
        return kind == KIND_IP ? hnsw_kernel(KIND_IP, hnsw_builds[id], a, b, d) : hnsw_kernel(KIND_L2, hnsw_builds[id], a, b, d);

// Every faiss level and kernel, and every hnswlib build, compiled for one target.
#define DEFINE_KERNELS(suffix, attributes)                                                                          \
    attributes static float faiss_for_##suffix(int level, int kind, const unsigned char *a, const unsigned char *b, \
                                               size_t d) {                                                          \
        switch (level) {                                                                                            \
        case FEDER_FAISS_AVX512: FAISS_BY_KIND(faiss_avx512)                                                        \
        case FEDER_FAISS_AVX2: FAISS_BY_KIND(faiss_avx2)                                                            \
        default: FAISS_BY_KIND(faiss_none)                                                                          \
        }                                                                                                           \
    }                                                                                                               \
    attributes static float hnsw_for_##suffix(int build, int kind, const unsigned char *a, const unsigned char *b,  \
                                              size_t d) {                                                           \
        switch (build) {                                                                                            \
            HNSW_CASE(FEDER_HNSWLIB_AVX512)                                                                         \
            HNSW_CASE(FEDER_HNSWLIB_AVX512_ZEN)                                                                     \
            HNSW_CASE(FEDER_HNSWLIB_AVX512_GENERIC)                                                                 \
            HNSW_CASE(FEDER_HNSWLIB_AVX2)                                                                           \
            HNSW_CASE(FEDER_HNSWLIB_AVX2_ZEN)                                                                       \
            HNSW_CASE(FEDER_HNSWLIB_AVX)                                                                            \
            HNSW_CASE(FEDER_HNSWLIB_SSE)                                                                            \
        default: return 0;                                                                                          \
        }                                                                                                           \
    }

DEFINE_KERNELS(portable, )
#ifdef FEDER_X86
DEFINE_KERNELS(avx2, __attribute__((target("avx2,fma"))))
DEFINE_KERNELS(avx512, __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma"))))
#endif

// =========================================================================================================
// The hot kernels in intrinsics (the same arithmetic as the emulations above, which the tests hold them to):
// faiss's level on the CPU that runs it, and hnswlib's 16-block kernel.
#ifdef FEDER_X86
#include <immintrin.h>

#define AVX512_TARGET __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
#define AVX2_TARGET __attribute__((target("avx2,fma")))

AVX512_TARGET static inline __m512 load16(const unsigned char *p, size_t i) { return _mm512_loadu_ps((const float *)(p + 4 * i)); }
AVX2_TARGET static inline __m256 load8(const unsigned char *p, size_t i) { return _mm256_loadu_ps((const float *)(p + 4 * i)); }
AVX2_TARGET static inline __m128 load4(const unsigned char *p, size_t i) { return _mm_loadu_ps((const float *)(p + 4 * i)); }

// fold4 in registers: (v0 + v2) + (v1 + v3).
AVX2_TARGET static inline float fold4_fast(__m128 v) {
    __m128 pair = _mm_add_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_add_ss(_mm_shuffle_ps(pair, pair, 0x55), pair));
}

// fold_half in registers: the upper half added to the lower.
AVX512_TARGET static inline __m256 fold16_to8(__m512 v) { return _mm256_add_ps(_mm512_extractf32x8_ps(v, 1), _mm512_castps512_ps256(v)); }
AVX2_TARGET static inline __m128 fold8_to4(__m256 v) { return _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v)); }

// One block's terms added to `acc` lane by lane: x·y or (x−y)², fused (one rounding) or as a rounded product.
AVX512_TARGET static inline __m512 step16(int ip, int fuse, __m512 acc, const unsigned char *a, const unsigned char *b, size_t i) {
    __m512 x = load16(a, i), y = load16(b, i);
    if (ip) return fuse ? _mm512_fmadd_ps(x, y, acc) : _mm512_add_ps(acc, _mm512_mul_ps(x, y));
    __m512 t = _mm512_sub_ps(x, y);
    return fuse ? _mm512_fmadd_ps(t, t, acc) : _mm512_add_ps(acc, _mm512_mul_ps(t, t));
}

AVX2_TARGET static inline __m256 step8(int ip, int fuse, __m256 acc, const unsigned char *a, const unsigned char *b, size_t i) {
    __m256 x = load8(a, i), y = load8(b, i);
    if (ip) return fuse ? _mm256_fmadd_ps(x, y, acc) : _mm256_add_ps(acc, _mm256_mul_ps(x, y));
    __m256 t = _mm256_sub_ps(x, y);
    return fuse ? _mm256_fmadd_ps(t, t, acc) : _mm256_add_ps(acc, _mm256_mul_ps(t, t));
}

// One accumulator, as faiss's loop has (unrolled the same way: the loads and subtractions of four blocks first,
// then their multiply-adds in order, so the chain is the only thing that waits).
AVX512_TARGET static inline __m512 faiss_blocks16(int ip, const unsigned char *a, const unsigned char *b, size_t *index, size_t d) {
    __m512 acc = _mm512_setzero_ps();
    size_t i = 0;
    if (ip) {
        for (; i + 64 <= d; i += 64) {
            __m512 x0 = load16(a, i), x1 = load16(a, i + 16), x2 = load16(a, i + 32), x3 = load16(a, i + 48);
            __m512 y0 = load16(b, i), y1 = load16(b, i + 16), y2 = load16(b, i + 32), y3 = load16(b, i + 48);
            acc = _mm512_fmadd_ps(x0, y0, acc);
            acc = _mm512_fmadd_ps(x1, y1, acc);
            acc = _mm512_fmadd_ps(x2, y2, acc);
            acc = _mm512_fmadd_ps(x3, y3, acc);
        }
    } else {
        for (; i + 64 <= d; i += 64) {
            __m512 t0 = _mm512_sub_ps(load16(a, i), load16(b, i));
            __m512 t1 = _mm512_sub_ps(load16(a, i + 16), load16(b, i + 16));
            __m512 t2 = _mm512_sub_ps(load16(a, i + 32), load16(b, i + 32));
            __m512 t3 = _mm512_sub_ps(load16(a, i + 48), load16(b, i + 48));
            acc = _mm512_fmadd_ps(t0, t0, acc);
            acc = _mm512_fmadd_ps(t1, t1, acc);
            acc = _mm512_fmadd_ps(t2, t2, acc);
            acc = _mm512_fmadd_ps(t3, t3, acc);
        }
    }
    *index = i;
    return acc;
}

// faiss_finish for AVX512 in registers, after the 16-blocks [0, i): the 8-block, the folds, the fused scalar tail.
AVX512_TARGET static inline float faiss_avx512_finish(int ip, __m512 acc, const unsigned char *a, const unsigned char *b, size_t i,
                                                      size_t d) {
    __m256 eight = fold16_to8(acc);
    if (d - i >= 8) {
        eight = step8(ip, 1, eight, a, b, i);
        i += 8;
    }
    return scalar_run(ip ? KIND_IP : KIND_L2, 1, a, b, i, d, fold4_fast(fold8_to4(eight)));
}

AVX512_TARGET static float faiss_avx512_fast(int ip, const unsigned char *a, const unsigned char *b, size_t d) {
    size_t i = 0;
    __m512 acc = faiss_blocks16(ip, a, b, &i, d);
    for (; i + 16 <= d; i += 16) acc = step16(ip, 1, acc, a, b, i);
    return faiss_avx512_finish(ip, acc, a, b, i, d);
}

// Level AVX2 in registers: the 8-lane chain unfused, then faiss_finish's ending at width 8 (its 4-block in xmm).
AVX2_TARGET static float faiss_avx2_fast(int ip, const unsigned char *a, const unsigned char *b, size_t d) {
    __m256 acc = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= d; i += 8) acc = step8(ip, 0, acc, a, b, i);
    __m128 four = fold8_to4(acc);
    if (d - i >= 4) {
        __m128 x = load4(a, i), y = load4(b, i);
        if (ip) {
            four = _mm_fmadd_ps(x, y, four);
        } else {
            __m128 t = _mm_sub_ps(x, y);
            four = _mm_fmadd_ps(t, t, four);
        }
        i += 4;
    }
    return scalar_run(ip ? KIND_IP : KIND_L2, 1, a, b, i, d, fold4_fast(four));
}

// hnswlib's ending of its 16-lane chain: the lanes folded pairwise (the inner product's _mm512_reduce_add_ps,
// with the tree) or summed left to right (hnswlib's TmpRes sum, not faiss's folds).
AVX512_TARGET static inline float hnsw16_finish(int ip, int tree, __m512 acc) {
    if (ip && tree) return fold4_fast(fold8_to4(fold16_to8(acc)));
    float lanes[16];
    _mm512_storeu_ps(lanes, acc);
    return lanes_sum(lanes, 16);
}

// hnswlib's 16-block kernel over [0, count) in 16 lanes: fused or not, then hnsw16_finish.
AVX512_TARGET static float hnsw16_avx512(int ip, int fuse, int tree, const unsigned char *a, const unsigned char *b, size_t count) {
    __m512 acc = _mm512_setzero_ps();
    size_t i = 0;
    if (fuse) {
        // The fused kernels unrolled four blocks at a time, the chain kept in order.
        acc = faiss_blocks16(ip, a, b, &i, count);
    }
    for (; i < count; i += 16) acc = step16(ip, fuse, acc, a, b, i);
    return hnsw16_finish(ip, tree, acc);
}

// The same in 8 lanes (the AVX builds: each 16-block's halves added in turn).
AVX2_TARGET static float hnsw16_avx2(int ip, int fuse, const unsigned char *a, const unsigned char *b, size_t count) {
    __m256 acc = _mm256_setzero_ps();
    for (size_t i = 0; i < count; i += 8) acc = step8(ip, fuse, acc, a, b, i);
    float lanes[8];
    _mm256_storeu_ps(lanes, acc);
    return lanes_sum(lanes, 8);
}

// Four vectors at once: each vector's 16-lane fused chain over [0, count) (count % 16 == 0) in its own order,
// the four chains interleaved so that they run side by side instead of one after another.
AVX512_TARGET static void chains16_x4(int ip, const unsigned char *a, const unsigned char *const *b, size_t count, __m512 *acc,
                                      const unsigned char *const *next) {
    __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps(), c2 = _mm512_setzero_ps(), c3 = _mm512_setzero_ps();
    for (size_t i = 0; i < count; i += 16) {
        if (next) {
            // The next group's line at the same offset, so its loads are under way when its chains start.
            for (int j = 0; j < 4; j++) __builtin_prefetch(next[j] + 4 * i, 0, 3);
        }
        __m512 x = load16(a, i);
        __m512 y0 = load16(b[0], i), y1 = load16(b[1], i), y2 = load16(b[2], i), y3 = load16(b[3], i);
        if (ip) {
            c0 = _mm512_fmadd_ps(x, y0, c0);
            c1 = _mm512_fmadd_ps(x, y1, c1);
            c2 = _mm512_fmadd_ps(x, y2, c2);
            c3 = _mm512_fmadd_ps(x, y3, c3);
        } else {
            __m512 t0 = _mm512_sub_ps(x, y0), t1 = _mm512_sub_ps(x, y1), t2 = _mm512_sub_ps(x, y2), t3 = _mm512_sub_ps(x, y3);
            c0 = _mm512_fmadd_ps(t0, t0, c0);
            c1 = _mm512_fmadd_ps(t1, t1, c1);
            c2 = _mm512_fmadd_ps(t2, t2, c2);
            c3 = _mm512_fmadd_ps(t3, t3, c3);
        }
    }
    acc[0] = c0;
    acc[1] = c1;
    acc[2] = c2;
    acc[3] = c3;
}

// The next group of up to four vectors from `done`: a group of two or three is padded with its last vector
// (four chains take about as long as one, since each waits on its own additions).
static size_t next_group(const unsigned char *const *b, size_t n, size_t done, const unsigned char **group) {
    size_t size = n - done < 4 ? n - done : 4;
    for (size_t j = 0; j < 4; j++) group[j] = b[done + (j < size ? j : size - 1)];
    return size;
}

// Groups of four through the interleaved chains over the 16-blocks, then each vector's own ending: faiss's
// (faiss_avx512_finish) or hnswlib's (hnsw16_finish; d % 16 == 0). Returns how many it did; the rest go one by one.
AVX512_TARGET static size_t batch16_avx512(int faiss, int ip, int tree, const unsigned char *a, const unsigned char *const *b, size_t n,
                                           size_t d, float *out) {
    size_t head = d / 16 * 16;
    size_t done = 0;
    while (n - done >= 2) {
        const unsigned char *group[4], *following[4];
        size_t size = next_group(b, n, done, group);
        int more = n - done - size > 0;
        if (more) next_group(b, n, done + size, following);
        __m512 acc[4];
        chains16_x4(ip, a, group, head, acc, more ? following : NULL);
        for (size_t j = 0; j < size; j++)
            out[done + j] = faiss ? faiss_avx512_finish(ip, acc[j], a, group[j], head, d) : hnsw16_finish(ip, tree, acc[j]);
        done += size;
    }
    return done;
}
#endif

// =========================================================================================================
// The selection every kernel call reads, kept here rather than in cpu.c so that reading it costs no call.

static _Atomic int portable_only = 0;

void feder_kernels_portable(int on) { atomic_store_explicit(&portable_only, on, memory_order_relaxed); }

// Whether the kernels may use the CPU's `feature` vector units.
static int use_unit(int feature) { return !atomic_load_explicit(&portable_only, memory_order_relaxed) && feder_cpu_has(feature); }

int feder_kernels_vector_units(void) {
    if (use_unit(CPU_AVX512)) return 2;
    if (use_unit(CPU_AVX2_FMA)) return 1;
    return 0;
}

static _Atomic int selected_faiss = -1;
static _Atomic int selected_hnswlib = -1;

void feder_kernels_select(int faiss_level, int hnswlib_build) {
    atomic_store_explicit(&selected_faiss, faiss_level, memory_order_relaxed);
    atomic_store_explicit(&selected_hnswlib, hnswlib_build, memory_order_relaxed);
}

int feder_kernels_faiss_level(void) {
    int level = atomic_load_explicit(&selected_faiss, memory_order_relaxed);
    if (level >= 0) return level;
    level = feder_native_faiss_level();
    int unset = -1;
    atomic_compare_exchange_strong(&selected_faiss, &unset, level);
    return level;
}

int feder_kernels_faiss(void) { return feder_faiss_float_level(feder_kernels_faiss_level()); }

int feder_kernels_hnswlib(void) {
    int build = atomic_load_explicit(&selected_hnswlib, memory_order_relaxed);
    if (build >= 0) return build;
    build = feder_cpu_hnswlib_build();
    int unset = -1;
    atomic_compare_exchange_strong(&selected_hnswlib, &unset, build);
    return build;
}

// =========================================================================================================
// Entry points.

// The public kernel codes (0 L2, 1 inner product, FEDER_FAISS_L1, FEDER_FAISS_LINF) as body kinds.
static int kind_of(int kernel) {
    if (kernel == FEDER_FAISS_L1 || kernel == FEDER_FAISS_LINF) return kernel == FEDER_FAISS_L1 ? KIND_L1 : KIND_LINF;
    return kernel ? KIND_IP : KIND_L2;
}

float feder_faiss_kernel(int level, int kernel, const void *pa, const void *pb, size_t d) {
    const unsigned char *a = pa, *b = pb;
    level = feder_faiss_float_level(level);
    int kind = kind_of(kernel);
#ifdef FEDER_X86
    if (kind == KIND_L2 || kind == KIND_IP) {
        if (level == FEDER_FAISS_AVX512 && use_unit(CPU_AVX512)) return faiss_avx512_fast(kind == KIND_IP, a, b, d);
        if (level == FEDER_FAISS_AVX2 && use_unit(CPU_AVX2_FMA)) return faiss_avx2_fast(kind == KIND_IP, a, b, d);
    }
    if (use_unit(CPU_AVX512)) return faiss_for_avx512(level, kind, a, b, d);
    if (use_unit(CPU_AVX2_FMA)) return faiss_for_avx2(level, kind, a, b, d);
#endif
    return faiss_for_portable(level, kind, a, b, d);
}

float feder_hnswlib_kernel(int build, int inner_product, const void *pa, const void *pb, size_t d) {
    const unsigned char *a = pa, *b = pb;
    int kind = inner_product ? KIND_IP : KIND_L2;
    if (build < 0 || build > FEDER_HNSWLIB_AVX512_GENERIC) build = FEDER_HNSWLIB_SSE;
#ifdef FEDER_X86
    // The 16-block kernel runs when d % 16 == 0, or over the head when d > 16 and d % 4 != 0; its plain tail
    // (at most 15 terms) stays with the emulation.
    if (d >= 16 && (d % 16 == 0 || d % 4 != 0)) {
        hnsw_build chosen = hnsw_builds[build];
        size_t head = d / 16 * 16;
        float total = 0;
        int done = 0;
        if (chosen.width16 == 16 && use_unit(CPU_AVX512)) {
            total = hnsw16_avx512(inner_product, chosen.chains16, chosen.tree16, a, b, head);
            done = 1;
        } else if (chosen.width16 == 8 && use_unit(CPU_AVX2_FMA)) {
            total = hnsw16_avx2(inner_product, chosen.chains16, a, b, head);
            done = 1;
        }
        if (done) {
            if (head == d) return total;
            return total + (kind == KIND_IP ? hnsw_plain(KIND_IP, chosen, a, b, head, d) : hnsw_plain(KIND_L2, chosen, a, b, head, d));
        }
    }
    if (use_unit(CPU_AVX512)) return hnsw_for_avx512(build, kind, a, b, d);
    if (use_unit(CPU_AVX2_FMA)) return hnsw_for_avx2(build, kind, a, b, d);
#endif
    return hnsw_for_portable(build, kind, a, b, d);
}

float feder_faiss_norm(int level, const void *x, size_t d) { return feder_faiss_kernel(level, 1, x, x, d); }

float feder_l2sqr(const void *a, const void *b, size_t d) { return feder_faiss_kernel(feder_kernels_faiss(), 0, a, b, d); }

float feder_inner_product(const void *a, const void *b, size_t d) {
    return feder_faiss_kernel(feder_kernels_faiss(), 1, a, b, d);
}

float feder_hnswlib_l2sqr(const void *a, const void *b, size_t d) {
    return feder_hnswlib_kernel(feder_kernels_hnswlib(), 0, a, b, d);
}

float feder_hnswlib_inner_product(const void *a, const void *b, size_t d) {
    return feder_hnswlib_kernel(feder_kernels_hnswlib(), 1, a, b, d);
}

#ifdef FEDER_X86
// The 16-block kernels with their build's switches fixed, for feder_hnswlib_resolve (d % 16 == 0).
AVX512_TARGET static float hnsw_l2_avx512_fused(const void *a, const void *b, size_t d) { return hnsw16_avx512(0, 1, 1, a, b, d); }
AVX512_TARGET static float hnsw_ip_avx512_fused_tree(const void *a, const void *b, size_t d) {
    return hnsw16_avx512(1, 1, 1, a, b, d);
}
AVX2_TARGET static float hnsw_l2_avx2_fused(const void *a, const void *b, size_t d) { return hnsw16_avx2(0, 1, a, b, d); }
AVX2_TARGET static float hnsw_l2_avx2_unfused(const void *a, const void *b, size_t d) { return hnsw16_avx2(0, 0, a, b, d); }
AVX2_TARGET static float hnsw_ip_avx2_fused(const void *a, const void *b, size_t d) { return hnsw16_avx2(1, 1, a, b, d); }
AVX2_TARGET static float hnsw_ip_avx2_unfused(const void *a, const void *b, size_t d) { return hnsw16_avx2(1, 0, a, b, d); }
#endif

#ifdef FEDER_X86
AVX512_TARGET static float faiss_l2_avx512(const void *a, const void *b, size_t d) { return faiss_avx512_fast(0, a, b, d); }
AVX512_TARGET static float faiss_ip_avx512(const void *a, const void *b, size_t d) { return faiss_avx512_fast(1, a, b, d); }
AVX2_TARGET static float faiss_l2_avx2(const void *a, const void *b, size_t d) { return faiss_avx2_fast(0, a, b, d); }
AVX2_TARGET static float faiss_ip_avx2(const void *a, const void *b, size_t d) { return faiss_avx2_fast(1, a, b, d); }
#endif
static float faiss_l1_selected(const void *a, const void *b, size_t d) { return feder_faiss_kernel(feder_kernels_faiss(), FEDER_FAISS_L1, a, b, d); }
static float faiss_linf_selected(const void *a, const void *b, size_t d) {
    return feder_faiss_kernel(feder_kernels_faiss(), FEDER_FAISS_LINF, a, b, d);
}

feder_distance_fn feder_faiss_resolve(int kernel) {
    if (kernel == FEDER_FAISS_L1) return faiss_l1_selected;
    if (kernel == FEDER_FAISS_LINF) return faiss_linf_selected;
#ifdef FEDER_X86
    int level = feder_kernels_faiss();
    if (level == FEDER_FAISS_AVX512 && use_unit(CPU_AVX512)) return kernel ? faiss_ip_avx512 : faiss_l2_avx512;
    if (level == FEDER_FAISS_AVX2 && use_unit(CPU_AVX2_FMA)) return kernel ? faiss_ip_avx2 : faiss_l2_avx2;
#endif
    return kernel ? feder_inner_product : feder_l2sqr;
}

void feder_faiss_batch(int kernel, const void *q, const void *const *vectors, size_t n, size_t d, float *out) {
    size_t done = 0;
#ifdef FEDER_X86
    if ((kernel == 0 || kernel == 1) && feder_kernels_faiss() == FEDER_FAISS_AVX512 && use_unit(CPU_AVX512))
        done = batch16_avx512(1, kernel, 0, q, (const unsigned char *const *)vectors, n, d, out);
#endif
    feder_distance_fn one = feder_faiss_resolve(kernel);
    for (; done < n; done++) out[done] = one(q, vectors[done], d);
}

void feder_hnswlib_batch(int inner_product, const void *q, const void *const *vectors, size_t n, size_t d, float *out) {
    size_t done = 0;
#ifdef FEDER_X86
    int build = feder_kernels_hnswlib();
    if (build >= 0 && build <= FEDER_HNSWLIB_AVX512_GENERIC && d >= 16 && d % 16 == 0) {
        hnsw_build chosen = hnsw_builds[build];
        if (chosen.width16 == 16 && chosen.chains16 && use_unit(CPU_AVX512))
            done = batch16_avx512(0, inner_product, chosen.tree16, q, (const unsigned char *const *)vectors, n, d, out);
    }
#endif
    feder_distance_fn one = feder_hnswlib_resolve(inner_product, d);
    for (; done < n; done++) out[done] = one(q, vectors[done], d);
}

feder_distance_fn feder_hnswlib_resolve(int inner_product, size_t d) {
#ifdef FEDER_X86
    int build = feder_kernels_hnswlib();
    if (build >= 0 && build <= FEDER_HNSWLIB_AVX512_GENERIC && d >= 16 && d % 16 == 0) {
        hnsw_build chosen = hnsw_builds[build];
        if (chosen.width16 == 16 && chosen.chains16 && chosen.tree16 && use_unit(CPU_AVX512))
            return inner_product ? hnsw_ip_avx512_fused_tree : hnsw_l2_avx512_fused;
        if (chosen.width16 == 8 && use_unit(CPU_AVX2_FMA)) {
            if (inner_product) return chosen.chains16 ? hnsw_ip_avx2_fused : hnsw_ip_avx2_unfused;
            return chosen.chains16 ? hnsw_l2_avx2_fused : hnsw_l2_avx2_unfused;
        }
    }
#endif
    return inner_product ? feder_hnswlib_inner_product : feder_hnswlib_l2sqr;
}

float feder_hnswlib_squared_norm(const void *pa, size_t d) {
    int build = feder_kernels_hnswlib();
    if (build < 0 || build > FEDER_HNSWLIB_AVX512_GENERIC) build = FEDER_HNSWLIB_SSE;
    return hnsw_norm(hnsw_builds[build], pa, d);
}
