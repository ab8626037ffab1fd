// See include/feder_kernels.h.
#include "feder_kernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FEDER_X86 1
#endif

// Lane-exact emulation must not fuse a*b+c into one rounding.
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

static inline float load1(const unsigned char *p) {
    float value;
    memcpy(&value, p, sizeof value);
    return value;
}

// ---------------------------------------------------------------------------------------------------------
// Portable kernels (four independent accumulators, so the compiler can vectorise with SSE2).

static float l2sqr_generic(const unsigned char *a, const unsigned char *b, size_t d) {
    float acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= d; i += 8) {
        for (int lane = 0; lane < 8; lane++) {
            float diff = load1(a + 4 * (i + lane)) - load1(b + 4 * (i + lane));
            acc[lane] += diff * diff;
        }
    }
    float total = 0;
    for (int lane = 0; lane < 8; lane++) total += acc[lane];
    for (; i < d; i++) {
        float diff = load1(a + 4 * i) - load1(b + 4 * i);
        total += diff * diff;
    }
    return total;
}

static float ip_generic(const unsigned char *a, const unsigned char *b, size_t d) {
    float acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= d; i += 8) {
        for (int lane = 0; lane < 8; lane++) acc[lane] += load1(a + 4 * (i + lane)) * load1(b + 4 * (i + lane));
    }
    float total = 0;
    for (int lane = 0; lane < 8; lane++) total += acc[lane];
    for (; i < d; i++) total += load1(a + 4 * i) * load1(b + 4 * i);
    return total;
}

#ifdef FEDER_X86
__attribute__((target("avx2,fma"))) static inline float hsum256(__m256 v) {
    __m128 low = _mm256_castps256_ps128(v);
    __m128 high = _mm256_extractf128_ps(v, 1);
    low = _mm_add_ps(low, high);
    __m128 shuffled = _mm_movehdup_ps(low);
    __m128 sums = _mm_add_ps(low, shuffled);
    shuffled = _mm_movehl_ps(shuffled, sums);
    sums = _mm_add_ss(sums, shuffled);
    return _mm_cvtss_f32(sums);
}

__attribute__((target("avx2,fma"))) static float l2sqr_avx2(const unsigned char *a, const unsigned char *b, size_t d) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= d; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps((const float *)(a + 4 * i)), _mm256_loadu_ps((const float *)(b + 4 * i)));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps((const float *)(a + 4 * i + 32)),
                                  _mm256_loadu_ps((const float *)(b + 4 * i + 32)));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
    }
    for (; i + 8 <= d; i += 8) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps((const float *)(a + 4 * i)), _mm256_loadu_ps((const float *)(b + 4 * i)));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    }
    float total = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < d; i++) {
        float diff = load1(a + 4 * i) - load1(b + 4 * i);
        total += diff * diff;
    }
    return total;
}

__attribute__((target("avx2,fma"))) static float ip_avx2(const unsigned char *a, const unsigned char *b, size_t d) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= d; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(a + 4 * i)), _mm256_loadu_ps((const float *)(b + 4 * i)), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(a + 4 * i + 32)),
                               _mm256_loadu_ps((const float *)(b + 4 * i + 32)), acc1);
    }
    for (; i + 8 <= d; i += 8) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(a + 4 * i)), _mm256_loadu_ps((const float *)(b + 4 * i)), acc0);
    }
    float total = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < d; i++) total += load1(a + 4 * i) * load1(b + 4 * i);
    return total;
}

// hnswlib's L2SqrSIMD16ExtAVX / InnerProductSIMD16ExtAVX (the kernels its -march=native build runs on a CPU
// with AVX but not AVX-512): one 8-lane accumulator, the two 8-float halves of each 16-block added in turn,
// multiply then add (the installed binary has vmulps + vaddps, no FMA), lanes 0..7 summed left to right.
__attribute__((target("avx"))) static float hnsw_l2_blocks8_avx(const unsigned char *a, const unsigned char *b,
                                                                size_t count) {
    __m256 sum = _mm256_setzero_ps();
    for (size_t i = 0; i < count; i += 8) {
        __m256 diff = _mm256_sub_ps(_mm256_loadu_ps((const float *)(a + 4 * i)), _mm256_loadu_ps((const float *)(b + 4 * i)));
        sum = _mm256_add_ps(sum, _mm256_mul_ps(diff, diff));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    float total = lanes[0];
    for (int lane = 1; lane < 8; lane++) total += lanes[lane];
    return total;
}

__attribute__((target("avx"))) static __m256 hnsw_ip_sum8_avx(const unsigned char *a, const unsigned char *b,
                                                              size_t count) {
    __m256 sum = _mm256_setzero_ps();
    for (size_t i = 0; i < count; i += 8) {
        sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_loadu_ps((const float *)(a + 4 * i)),
                                               _mm256_loadu_ps((const float *)(b + 4 * i))));
    }
    return sum;
}

__attribute__((target("avx"))) static float hnsw_ip_blocks8_avx(const unsigned char *a, const unsigned char *b,
                                                                size_t count) {
    float lanes[8];
    _mm256_storeu_ps(lanes, hnsw_ip_sum8_avx(a, b, count));
    float total = lanes[0];
    for (int lane = 1; lane < 8; lane++) total += lanes[lane];
    return total;
}

// hnswlib's InnerProductSIMD4ExtAVX: the 16-blocks in 8 lanes, the upper four lanes folded onto the lower
// four, the remaining 4-blocks in those four lanes, lanes 0..3 summed left to right.
__attribute__((target("avx"))) static float hnsw_ip_simd4_avx(const unsigned char *a, const unsigned char *b, size_t d) {
    size_t head16 = d / 16 * 16, head4 = d / 4 * 4;
    __m256 sum8 = hnsw_ip_sum8_avx(a, b, head16);
    __m128 sum = _mm_add_ps(_mm256_castps256_ps128(sum8), _mm256_extractf128_ps(sum8, 1));
    for (size_t i = head16; i < head4; i += 4) {
        sum = _mm_add_ps(sum, _mm_mul_ps(_mm_loadu_ps((const float *)(a + 4 * i)), _mm_loadu_ps((const float *)(b + 4 * i))));
    }
    float lanes[4];
    _mm_storeu_ps(lanes, sum);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

// hnswlib's scalar L2Sqr as GCC -O3 -march=native compiled it here: the first d/4*4 terms vectorised (rounded
// squares added in order), the last d%4 terms as vfmadd231ss (one rounding per term).
__attribute__((target("fma"))) static float hnsw_plain_l2_fma(const unsigned char *a, const unsigned char *b, size_t from,
                                                              size_t to) {
    size_t split = from + (to - from) / 4 * 4;
    float total = 0;
    for (size_t i = from; i < split; i++) {
        float diff = load1(a + 4 * i) - load1(b + 4 * i);
        float square = diff * diff;
        total = total + square;
    }
    for (size_t i = split; i < to; i++) {
        float diff = load1(a + 4 * i) - load1(b + 4 * i);
        total = __builtin_fmaf(diff, diff, total);
    }
    return total;
}

// hnswlib's normalize_vector sum Σx² (inlined into knnQuery / addItems), compiled as L2Sqr's tail is.
__attribute__((target("fma"))) static float hnsw_squared_norm_fma(const unsigned char *a, size_t d) {
    size_t split = d / 4 * 4;
    float total = 0;
    for (size_t i = 0; i < split; i++) {
        float value = load1(a + 4 * i);
        float square = value * value;
        total = total + square;
    }
    for (size_t i = split; i < d; i++) {
        float value = load1(a + 4 * i);
        total = __builtin_fmaf(value, value, total);
    }
    return total;
}

// The same 16 lanes in one AVX-512 register, as hnswlib's own AVX-512 kernel holds them.
__attribute__((target("avx512f"))) static float hnsw_l2_blocks16_avx512(const unsigned char *a, const unsigned char *b,
                                                                        size_t count) {
    __m512 sum = _mm512_setzero_ps();
    for (size_t i = 0; i < count; i += 16) {
        __m512 diff = _mm512_sub_ps(_mm512_loadu_ps((const float *)(a + 4 * i)), _mm512_loadu_ps((const float *)(b + 4 * i)));
        sum = _mm512_add_ps(sum, _mm512_mul_ps(diff, diff));
    }
    float lanes[16];
    _mm512_storeu_ps(lanes, sum);
    float total = 0;
    for (int lane = 0; lane < 16; lane++) total += lanes[lane];
    return total;
}

__attribute__((target("avx512f"))) static float hnsw_ip_blocks16_avx512(const unsigned char *a, const unsigned char *b,
                                                                        size_t count) {
    __m512 sum = _mm512_setzero_ps();
    for (size_t i = 0; i < count; i += 16) {
        sum = _mm512_add_ps(sum, _mm512_mul_ps(_mm512_loadu_ps((const float *)(a + 4 * i)),
                                               _mm512_loadu_ps((const float *)(b + 4 * i))));
    }
    float lanes[16];
    _mm512_storeu_ps(lanes, sum);
    float total = 0;
    for (int lane = 0; lane < 16; lane++) total += lanes[lane];
    return total;
}

static int has_avx512(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx512f");
    return cached;
}

static int has_avx(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx");
    return cached;
}

static int has_fma(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("fma");
    return cached;
}

static int has_avx2(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return cached;
}
#endif

// Portable lane emulation (any CPU): W lanes, multiply then add, lanes summed left to right.
static float hnsw_l2_blocks(const unsigned char *a, const unsigned char *b, size_t count, int width) {
    float lanes[16] = {0};
    for (size_t i = 0; i < count; i += (size_t)width) {
        for (int lane = 0; lane < width; lane++) {
            float diff = load1(a + 4 * (i + lane)) - load1(b + 4 * (i + lane));
            float square = diff * diff;
            lanes[lane] = lanes[lane] + square;
        }
    }
    float total = 0;
    for (int lane = 0; lane < width; lane++) total += lanes[lane];
    return total;
}

static float hnsw_ip_blocks(const unsigned char *a, const unsigned char *b, size_t count, int width) {
    float lanes[16] = {0};
    for (size_t i = 0; i < count; i += (size_t)width) {
        for (int lane = 0; lane < width; lane++) {
            float product = load1(a + 4 * (i + lane)) * load1(b + 4 * (i + lane));
            lanes[lane] = lanes[lane] + product;
        }
    }
    float total = 0;
    for (int lane = 0; lane < width; lane++) total += lanes[lane];
    return total;
}

static float plain_l2(const unsigned char *a, const unsigned char *b, size_t from, size_t to) {
    float total = 0;
    for (size_t i = from; i < to; i++) {
        float diff = load1(a + 4 * i) - load1(b + 4 * i);
        float square = diff * diff;
        total = total + square;
    }
    return total;
}

static float plain_ip(const unsigned char *a, const unsigned char *b, size_t from, size_t to) {
    float total = 0;
    for (size_t i = from; i < to; i++) {
        float product = load1(a + 4 * i) * load1(b + 4 * i);
        total = total + product;
    }
    return total;
}

// hnswlib's L2SqrSIMD16Ext / InnerProductSIMD16Ext as its -march=native build picks them: 16 lanes with
// AVX-512, one 8-lane register with AVX, one 4-lane register with SSE (four 4-blocks added in turn).
static float blocks16_l2(const unsigned char *a, const unsigned char *b, size_t count) {
#ifdef FEDER_X86
    if (has_avx512()) return hnsw_l2_blocks16_avx512(a, b, count);
    if (has_avx()) return hnsw_l2_blocks8_avx(a, b, count);
#endif
    return hnsw_l2_blocks(a, b, count, 4);
}

static float blocks16_ip(const unsigned char *a, const unsigned char *b, size_t count) {
#ifdef FEDER_X86
    if (has_avx512()) return hnsw_ip_blocks16_avx512(a, b, count);
    if (has_avx()) return hnsw_ip_blocks8_avx(a, b, count);
#endif
    return hnsw_ip_blocks(a, b, count, 4);
}

// hnswlib's InnerProductSIMD4Ext: the AVX variant when the CPU has AVX, else SSE (4 lanes throughout).
static float simd4_ip(const unsigned char *a, const unsigned char *b, size_t d) {
#ifdef FEDER_X86
    if (has_avx()) return hnsw_ip_simd4_avx(a, b, d);
#endif
    return hnsw_ip_blocks(a, b, d / 4 * 4, 4);
}

// hnswlib's scalar L2Sqr over [from, to): see hnsw_plain_l2_fma; without FMA nothing is fused.
static float tail_l2(const unsigned char *a, const unsigned char *b, size_t from, size_t to) {
#ifdef FEDER_X86
    if (has_fma()) return hnsw_plain_l2_fma(a, b, from, to);
#endif
    return plain_l2(a, b, from, to);
}

float feder_l2sqr(const void *a, const void *b, size_t d) {
#ifdef FEDER_X86
    if (has_avx2()) return l2sqr_avx2(a, b, d);
#endif
    return l2sqr_generic(a, b, d);
}

float feder_inner_product(const void *a, const void *b, size_t d) {
#ifdef FEDER_X86
    if (has_avx2()) return ip_avx2(a, b, d);
#endif
    return ip_generic(a, b, d);
}

float feder_hnswlib_l2sqr(const void *pa, const void *pb, size_t d) {
    const unsigned char *a = pa, *b = pb;
    if (d % 16 == 0) return blocks16_l2(a, b, d);
    if (d % 4 == 0) return hnsw_l2_blocks(a, b, d, 4);
    if (d > 16) {
        size_t head = d / 16 * 16;
        return blocks16_l2(a, b, head) + tail_l2(a, b, head, d);
    }
    if (d > 4) {
        size_t head = d / 4 * 4;
        return hnsw_l2_blocks(a, b, head, 4) + tail_l2(a, b, head, d);
    }
    return tail_l2(a, b, 0, d);
}

float feder_hnswlib_inner_product(const void *pa, const void *pb, size_t d) {
    const unsigned char *a = pa, *b = pb;
    if (d % 16 == 0) return blocks16_ip(a, b, d);
    if (d % 4 == 0) return simd4_ip(a, b, d);
    if (d > 16) {
        size_t head = d / 16 * 16;
        return blocks16_ip(a, b, head) + plain_ip(a, b, head, d);
    }
    if (d > 4) {
        size_t head = d / 4 * 4;
        return simd4_ip(a, b, head) + plain_ip(a, b, head, d);
    }
    return plain_ip(a, b, 0, d);
}

float feder_hnswlib_squared_norm(const void *pa, size_t d) {
    const unsigned char *a = pa;
#ifdef FEDER_X86
    if (has_fma()) return hnsw_squared_norm_fma(a, d);
#endif
    float total = 0;
    for (size_t i = 0; i < d; i++) {
        float value = load1(a + 4 * i);
        float square = value * value;
        total = total + square;
    }
    return total;
}
