// See include/feder_kernels.h: faiss-cpu 1.15.1's scalar-quantizer distance computers for one query
// (impl/scalar_quantizer/*: codecs, quantizers, similarities, distance computers, per SIMD level), bit for bit.
//
// faiss compiles the SQ code once per level and picks, for a dimension d, the highest level at or below the
// running one whose code accepts d (AVX512 and AVX512_SPR need d % 16 == 0, AVX2 d % 8 == 0, NONE any d).
// Per level:
//   NONE    one accumulator, x = vmin + ((c + 0.5) / N) · vdiff, nothing fused;
//   AVX2    8 lanes, x = fma(fma(c, 1/N, 0.5/N), vdiff, vmin) (4-bit: (c + 0.5) · (1/15)), fused accumulation;
//   AVX512  16 lanes, the same decode, fused accumulation;
//   SPR     the AVX512 arithmetic without the uniform types' predecoded path; bf16 through VDPBF16PS.
// The uniform types at AVX2 / AVX512 compare the query predecoded to [0, 1] and rescale the sum at the end
// (query_to_code), while their four-at-a-time flavour (what HNSW's distances_batch_4 calls) reconstructs.
// 8-bit direct codes go through integer kernels with the query truncated to bytes where faiss has them.
#include "feder_kernels.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

enum { SQ_FLOAT = 0, SQ_BYTE = 1, SQ_BYTE_SIGNED = 2, SQ_BF16 = 3 };

struct feder_sq_dc {
    int qtype;
    int inner_product;
    size_t d;
    int level;      // the level whose SQ code runs for this d
    int kernel;     // SQ_FLOAT, SQ_BYTE, SQ_BYTE_SIGNED, SQ_BF16
    int uniform;    // one vmin / vdiff for every component
    int predecoded; // query_to_code compares a predecoded query (uniform types at AVX2 / AVX512)
    float *vmin;    // d entries (or 1 for uniform types)
    float *vdiff;
    float *query;   // the query set last
    float *adjusted;
    float scale, bias;
    uint8_t *query_bytes;
    uint16_t *query_bf16;
    float query_norm;
};

static inline float sq_bits_float(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline uint32_t sq_float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

size_t feder_sq_code_size(int qtype, size_t d) {
    switch (qtype) {
    case FEDER_SQ_8BIT:
    case FEDER_SQ_8BIT_UNIFORM:
    case FEDER_SQ_8BIT_DIRECT:
    case FEDER_SQ_8BIT_DIRECT_SIGNED: return d;
    case FEDER_SQ_4BIT:
    case FEDER_SQ_4BIT_UNIFORM: return (d + 1) / 2;
    case FEDER_SQ_6BIT: return (d * 6 + 7) / 8;
    case FEDER_SQ_FP16:
    case FEDER_SQ_BF16: return 2 * d;
    default: return 0;
    }
}

size_t feder_sq_trained_count(int qtype, size_t d) {
    switch (qtype) {
    case FEDER_SQ_8BIT:
    case FEDER_SQ_4BIT:
    case FEDER_SQ_6BIT: return 2 * d;
    case FEDER_SQ_8BIT_UNIFORM:
    case FEDER_SQ_4BIT_UNIFORM: return 2;
    default: return 0;
    }
}

int feder_sq_level(int level, size_t d) {
    if (level >= FEDER_FAISS_AVX512 && d % 16 == 0) return level;
    if (level >= FEDER_FAISS_AVX2 && d % 8 == 0) return FEDER_FAISS_AVX2;
    return FEDER_FAISS_NONE;
}

static int sq_kernel(int qtype, int level, size_t d) {
    if (qtype == FEDER_SQ_8BIT_DIRECT) {
        if ((level == FEDER_FAISS_AVX2 && d % 16 == 0) || (level >= FEDER_FAISS_AVX512 && d % 32 == 0)) return SQ_BYTE;
    } else if (qtype == FEDER_SQ_8BIT_DIRECT_SIGNED) {
        if ((level == FEDER_FAISS_AVX2 && d % 16 == 0) || (level == FEDER_FAISS_AVX512 && d % 32 == 0) ||
            (level == FEDER_FAISS_AVX512_SPR && d % 64 == 0))
            return SQ_BYTE_SIGNED;
    } else if (qtype == FEDER_SQ_BF16 && level == FEDER_FAISS_AVX512_SPR) {
        return SQ_BF16;
    }
    return SQ_FLOAT;
}

const char *feder_sq_describe(int level, int qtype, size_t d) {
    int effective = feder_sq_level(level, d);
    static const char *const names[4][4] = {
        {"NONE", "NONE integer", "NONE integer", "NONE"},
        {"AVX2", "AVX2 integer", "AVX2 integer", "AVX2"},
        {"AVX512", "AVX512 integer", "AVX512 integer", "AVX512"},
        {"AVX512_SPR", "AVX512_SPR integer", "AVX512_SPR integer", "AVX512_SPR VDPBF16PS"},
    };
    if (effective < 0 || effective > 3) return "NONE";
    return names[effective][sq_kernel(qtype, effective, d)];
}

feder_sq_dc *feder_sq_dc_create(int level, int qtype, int inner_product, size_t d, const void *trained) {
    if (feder_sq_code_size(qtype, d) == 0 || d == 0 || d > ((size_t)1 << 28)) return NULL;
    feder_sq_dc *dc = calloc(1, sizeof *dc);
    if (!dc) return NULL;
    dc->qtype = qtype;
    dc->inner_product = inner_product;
    dc->d = d;
    dc->level = feder_sq_level(level, d);
    dc->kernel = sq_kernel(qtype, dc->level, d);
    dc->uniform = qtype == FEDER_SQ_8BIT_UNIFORM || qtype == FEDER_SQ_4BIT_UNIFORM;
    dc->predecoded = dc->uniform && (dc->level == FEDER_FAISS_AVX2 || dc->level == FEDER_FAISS_AVX512);
    size_t ranges = dc->uniform ? 1 : d;
    dc->vmin = calloc(ranges, sizeof(float));
    dc->vdiff = calloc(ranges, sizeof(float));
    dc->query = calloc(d, sizeof(float));
    dc->adjusted = calloc(d, sizeof(float));
    dc->query_bytes = calloc(d, 1);
    dc->query_bf16 = calloc(d, sizeof(uint16_t));
    if (!dc->vmin || !dc->vdiff || !dc->query || !dc->adjusted || !dc->query_bytes || !dc->query_bf16) {
        feder_sq_dc_destroy(dc);
        return NULL;
    }
    if (feder_sq_trained_count(qtype, d) > 0) {
        // trained: vmin then vdiff (d each, or one each for the uniform types), unaligned in the mapped file.
        memcpy(dc->vmin, trained, ranges * sizeof(float));
        memcpy(dc->vdiff, (const unsigned char *)trained + ranges * sizeof(float), ranges * sizeof(float));
    }
    return dc;
}

void feder_sq_dc_destroy(feder_sq_dc *dc) {
    if (!dc) return;
    free(dc->vmin);
    free(dc->vdiff);
    free(dc->query);
    free(dc->adjusted);
    free(dc->query_bytes);
    free(dc->query_bf16);
    free(dc);
}

// ---------------------------------------------------------------------------------------------------------
// Decoding.

// IEEE half to float (exact, as F16C and faiss's software decoder give it).
static float sq_half(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    if (exponent == 0) {
        if (mantissa == 0) return sq_bits_float(sign);
        int shift = 0;
        while (!(mantissa & 0x400)) {
            mantissa <<= 1;
            shift++;
        }
        mantissa &= 0x3ff;
        return sq_bits_float(sign | ((uint32_t)(127 - 15 + 1 - shift) << 23) | (mantissa << 13));
    }
    if (exponent == 31) return sq_bits_float(sign | 0x7f800000u | (mantissa << 13) | (mantissa ? 0x00400000u : 0));
    return sq_bits_float(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

static inline uint16_t sq_u16(const uint8_t *code, size_t i) { return (uint16_t)(code[2 * i] | (code[2 * i + 1] << 8)); }

// The integer code of component i (4 bits: two per byte, low nibble first; 6 bits: four in three bytes).
static inline uint32_t sq_index(int qtype, const uint8_t *code, size_t i) {
    switch (qtype) {
    case FEDER_SQ_4BIT:
    case FEDER_SQ_4BIT_UNIFORM: return (code[i / 2] >> ((i & 1) << 2)) & 0xf;
    case FEDER_SQ_6BIT: {
        const uint8_t *c = code + (i >> 2) * 3;
        switch (i & 3) {
        case 0: return c[0] & 0x3f;
        case 1: return (uint32_t)(c[0] >> 6) | ((uint32_t)(c[1] & 0xf) << 2);
        case 2: return (uint32_t)(c[1] >> 4) | ((uint32_t)(c[2] & 3) << 4);
        default: return c[2] >> 2;
        }
    }
    default: return code[i];
    }
}

static inline float sq_levels(int qtype) {
    return qtype == FEDER_SQ_4BIT || qtype == FEDER_SQ_4BIT_UNIFORM ? 15.0f : qtype == FEDER_SQ_6BIT ? 63.0f : 255.0f;
}

// A code in [0, 1] as the SIMD codecs decode it: fma(c, 1/N, 0.5/N); AVX2's 4-bit codec adds, then multiplies.
static inline float sq_unit_simd(int qtype, int level, uint32_t c) {
    float f = (float)c, n = sq_levels(qtype);
    if (level == FEDER_FAISS_AVX2 && n == 15.0f) {
        float a = f + 0.5f;
        return a * (1.0f / 15.0f);
    }
    return __builtin_fmaf(f, 1.0f / n, 0.5f / n);
}

// Component i of the reconstructed vector.
static inline float sq_component(const feder_sq_dc *dc, const uint8_t *code, size_t i) {
    switch (dc->qtype) {
    case FEDER_SQ_FP16: return sq_half(sq_u16(code, i));
    case FEDER_SQ_BF16: return sq_bits_float((uint32_t)sq_u16(code, i) << 16);
    case FEDER_SQ_8BIT_DIRECT: return (float)code[i];
    case FEDER_SQ_8BIT_DIRECT_SIGNED: return (float)((int)code[i] - 128);
    default: break;
    }
    uint32_t c = sq_index(dc->qtype, code, i);
    float vmin = dc->uniform ? dc->vmin[0] : dc->vmin[i];
    float vdiff = dc->uniform ? dc->vdiff[0] : dc->vdiff[i];
    if (dc->level == FEDER_FAISS_NONE) {
        float unit = ((float)c + 0.5f) / sq_levels(dc->qtype);
        float scaled = unit * vdiff;
        return vmin + scaled;
    }
    return __builtin_fmaf(sq_unit_simd(dc->qtype, dc->level, c), vdiff, vmin);
}

// ---------------------------------------------------------------------------------------------------------
// bf16 at AVX512_SPR: VDPBF16PS lanes.

// VCVTNEPS2BF16: round to nearest even, denormal inputs as zero, NaN kept quiet.
static uint16_t sq_to_bf16(float f) {
    uint32_t u = sq_float_bits(f);
    if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu)) return (uint16_t)((u >> 16) | 0x40);
    if ((u & 0x7f800000u) == 0) u &= 0x80000000u;
    u += 0x7fffu + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
}

static inline float sq_flush(float x) {
    return (sq_float_bits(x) & 0x7f800000u) == 0 ? sq_bits_float(sq_float_bits(x) & 0x80000000u) : x;
}

static inline float sq_bf16(uint16_t v) { return sq_flush(sq_bits_float((uint32_t)v << 16)); }

// One VDPBF16PS lane: the odd pair first, then the even one, each one fused rounding; denormals flushed.
static inline float sq_dpbf16(float acc, uint16_t a0, uint16_t a1, uint16_t b0, uint16_t b1) {
    acc = sq_flush(acc);
    acc = sq_flush(__builtin_fmaf(sq_bf16(a1), sq_bf16(b1), acc));
    return sq_flush(__builtin_fmaf(sq_bf16(a0), sq_bf16(b0), acc));
}

// _mm512_reduce_add_ps as GCC 14 expands it.
static inline float sq_reduce16(const float *a) {
    float s8[8], s4[4];
    for (int j = 0; j < 8; j++) s8[j] = a[j + 8] + a[j];
    for (int j = 0; j < 4; j++) s4[j] = s8[j + 4] + s8[j];
    return (s4[1] + s4[3]) + (s4[0] + s4[2]);
}

static inline float sq_reduce8(const float *a) {
    float s4[4];
    for (int j = 0; j < 4; j++) s4[j] = a[j + 4] + a[j];
    return (s4[1] + s4[3]) + (s4[0] + s4[2]);
}

// Σ a·b over d bf16 components in 32-component chunks (16 lanes of pairs); a last 16 in the lower 8 lanes.
static float sq_bf16_dot(const uint16_t *a, const uint8_t *b_code, const uint16_t *b_words, size_t d) {
    float acc[16] = {0};
    size_t i = 0;
#define SQ_B(k) (b_words ? b_words[k] : sq_u16(b_code, k))
    for (; i + 32 <= d; i += 32)
        for (size_t j = 0; j < 16; j++) acc[j] = sq_dpbf16(acc[j], a[i + 2 * j], a[i + 2 * j + 1], SQ_B(i + 2 * j), SQ_B(i + 2 * j + 1));
    if (i < d) {
        // The last 16 components fill the lower 8 lanes; the upper 8 take zeros (which still flush a denormal
        // accumulator and turn −0 into +0).
        for (size_t j = 0; j < 8; j++) acc[j] = sq_dpbf16(acc[j], a[i + 2 * j], a[i + 2 * j + 1], SQ_B(i + 2 * j), SQ_B(i + 2 * j + 1));
        for (size_t j = 8; j < 16; j++) acc[j] = sq_dpbf16(acc[j], 0, 0, 0, 0);
    }
#undef SQ_B
    return sq_reduce16(acc);
}

// cvttss2si: truncation; NaN and out-of-range values give INT32_MIN.
static inline int32_t sq_truncate(float x) {
    if (x != x || x >= 2147483648.0f || x < -2147483648.0f) return INT32_MIN;
    return (int32_t)x;
}

// ---------------------------------------------------------------------------------------------------------
// The query.

void feder_sq_dc_set_query(feder_sq_dc *dc, const void *query) {
    size_t d = dc->d;
    memcpy(dc->query, query, d * sizeof(float));
    const float *q = dc->query;
    switch (dc->kernel) {
    case SQ_BYTE:
        for (size_t i = 0; i < d; i++) dc->query_bytes[i] = (uint8_t)(uint32_t)sq_truncate(q[i]);
        return;
    case SQ_BYTE_SIGNED:
        for (size_t i = 0; i < d; i++) dc->query_bytes[i] = (uint8_t)((uint32_t)sq_truncate(q[i]) + 128u);
        return;
    case SQ_BF16:
        for (size_t i = 0; i < d; i++) dc->query_bf16[i] = sq_to_bf16(q[i]);
        dc->query_norm = dc->inner_product ? 0.0f : sq_bf16_dot(dc->query_bf16, NULL, dc->query_bf16, d);
        return;
    default: break;
    }
    if (!dc->predecoded) return;
    float vmin = dc->vmin[0], vdiff = dc->vdiff[0];
    if (!dc->inner_product) {
        // Σ (q − x)² = vdiff² · Σ ((q − vmin)/vdiff − unit)².
        float inverse = vdiff != 0.0f ? 1.0f / vdiff : 0.0f;
        for (size_t i = 0; i < d; i++) {
            float t = q[i] - vmin;
            dc->adjusted[i] = t * inverse;
        }
        dc->scale = vdiff * vdiff;
        dc->bias = 0.0f;
    } else {
        // Σ q·x = vdiff · Σ q·unit + vmin · Σ q.
        float sum = 0.0f;
        for (size_t i = 0; i < d; i++) {
            dc->adjusted[i] = q[i];
            sum = sum + q[i];
        }
        dc->scale = vdiff;
        dc->bias = vmin * sum;
    }
}

// ---------------------------------------------------------------------------------------------------------
// Distances.

// The float computers with the CPU's vector units: one vector FMA per lane group, the same roundings as the
// lane arrays above (which the portable path and the tests keep).
#if defined(__x86_64__)
#include <immintrin.h>

#define SQ_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,f16c"), always_inline)) static inline
#define SQ_AVX512_FN __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,f16c"))) static
#define SQ_AVX2 __attribute__((target("avx2,fma,f16c"), always_inline)) static inline
#define SQ_AVX2_FN __attribute__((target("avx2,fma,f16c"))) static

// The 16 components at i as floats: integer codes (8, 4, 6 bits, direct, signed minus 128) or decoded values.
SQ_AVX512 __m512 sq_values16(int qtype, const uint8_t *code, size_t i) {
    switch (qtype) {
    case FEDER_SQ_8BIT:
    case FEDER_SQ_8BIT_UNIFORM:
    case FEDER_SQ_8BIT_DIRECT: return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(code + i))));
    case FEDER_SQ_8BIT_DIRECT_SIGNED:
        return _mm512_cvtepi32_ps(
            _mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(code + i))), _mm512_set1_epi32(128)));
    case FEDER_SQ_4BIT:
    case FEDER_SQ_4BIT_UNIFORM: {
        __m128i v = _mm_loadl_epi64((const __m128i *)(code + i / 2));
        __m128i mask = _mm_set1_epi8(0x0f);
        __m128i nibbles = _mm_unpacklo_epi8(_mm_and_si128(v, mask), _mm_and_si128(_mm_srli_epi16(v, 4), mask));
        return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(nibbles));
    }
    case FEDER_SQ_FP16: return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(code + 2 * i)));
    case FEDER_SQ_BF16:
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(code + 2 * i))), 16));
    default: {
        int32_t values[16];
        for (size_t l = 0; l < 16; l++) values[l] = (int32_t)sq_index(qtype, code, i + l);
        return _mm512_cvtepi32_ps(_mm512_loadu_si512(values));
    }
    }
}

SQ_AVX2 __m256 sq_values8(int qtype, const uint8_t *code, size_t i) {
    switch (qtype) {
    case FEDER_SQ_8BIT:
    case FEDER_SQ_8BIT_UNIFORM:
    case FEDER_SQ_8BIT_DIRECT: return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(code + i))));
    case FEDER_SQ_8BIT_DIRECT_SIGNED:
        return _mm256_cvtepi32_ps(
            _mm256_sub_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(code + i))), _mm256_set1_epi32(128)));
    case FEDER_SQ_4BIT:
    case FEDER_SQ_4BIT_UNIFORM: {
        int32_t word;
        memcpy(&word, code + i / 2, 4);
        __m128i v = _mm_cvtsi32_si128(word);
        __m128i mask = _mm_set1_epi8(0x0f);
        __m128i nibbles = _mm_unpacklo_epi8(_mm_and_si128(v, mask), _mm_and_si128(_mm_srli_epi16(v, 4), mask));
        return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(nibbles));
    }
    case FEDER_SQ_FP16: return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(code + 2 * i)));
    case FEDER_SQ_BF16:
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(code + 2 * i))), 16));
    default: {
        int32_t values[8];
        for (size_t l = 0; l < 8; l++) values[l] = (int32_t)sq_index(qtype, code, i + l);
        return _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *)values));
    }
    }
}

static inline int sq_has_ranges(int qtype) {
    return qtype == FEDER_SQ_8BIT || qtype == FEDER_SQ_4BIT || qtype == FEDER_SQ_6BIT || qtype == FEDER_SQ_8BIT_UNIFORM ||
           qtype == FEDER_SQ_4BIT_UNIFORM;
}

static inline float sq_levels_of(int qtype) { return sq_levels(qtype); }

// Reconstruct (x = fma(unit, vdiff, vmin)) or compare predecoded (unit against the adjusted query), 16 lanes.
SQ_AVX512 float sq_kernel16(const feder_sq_dc *dc, const uint8_t *code, int qtype, int ip, int predecoded) {
    const float *q = predecoded ? dc->adjusted : dc->query;
    size_t d = dc->d;
    float n = sq_levels_of(qtype);
    __m512 r = _mm512_set1_ps(1.0f / n), h = _mm512_set1_ps(0.5f / n);
    int uniform = qtype == FEDER_SQ_8BIT_UNIFORM || qtype == FEDER_SQ_4BIT_UNIFORM;
    __m512 umin = _mm512_set1_ps(dc->vmin[0]), udiff = _mm512_set1_ps(dc->vdiff[0]);
    __m512 acc = _mm512_setzero_ps();
    for (size_t i = 0; i < d; i += 16) {
        __m512 c = sq_values16(qtype, code, i);
        __m512 x = c;
        if (sq_has_ranges(qtype)) {
            __m512 unit = _mm512_fmadd_ps(c, r, h);
            if (predecoded) {
                x = unit;
            } else {
                __m512 vmin = uniform ? umin : _mm512_loadu_ps(dc->vmin + i);
                __m512 vdiff = uniform ? udiff : _mm512_loadu_ps(dc->vdiff + i);
                x = _mm512_fmadd_ps(unit, vdiff, vmin);
            }
        }
        __m512 qi = _mm512_loadu_ps(q + i);
        if (ip) {
            acc = _mm512_fmadd_ps(x, qi, acc);
        } else {
            __m512 t = _mm512_sub_ps(qi, x);
            acc = _mm512_fmadd_ps(t, t, acc);
        }
    }
    float lanes[16];
    _mm512_storeu_ps(lanes, acc);
    float sum = sq_reduce16(lanes);
    return predecoded ? __builtin_fmaf(sum, dc->scale, dc->bias) : sum;
}

// 8 lanes (AVX2): the 4-bit codec adds 0.5 then multiplies by 1/15; predecoded 4-bit L2 fuses that product
// into the subtraction.
SQ_AVX2 float sq_kernel8(const feder_sq_dc *dc, const uint8_t *code, int qtype, int ip, int predecoded) {
    const float *q = predecoded ? dc->adjusted : dc->query;
    size_t d = dc->d;
    float n = sq_levels_of(qtype);
    int four = n == 15.0f;
    __m256 r = _mm256_set1_ps(1.0f / n), h = _mm256_set1_ps(0.5f / n), half = _mm256_set1_ps(0.5f);
    int uniform = qtype == FEDER_SQ_8BIT_UNIFORM || qtype == FEDER_SQ_4BIT_UNIFORM;
    __m256 umin = _mm256_set1_ps(dc->vmin[0]), udiff = _mm256_set1_ps(dc->vdiff[0]);
    __m256 acc = _mm256_setzero_ps();
    for (size_t i = 0; i < d; i += 8) {
        __m256 c = sq_values8(qtype, code, i);
        __m256 qi = _mm256_loadu_ps(q + i);
        __m256 x = c;
        if (sq_has_ranges(qtype)) {
            if (predecoded && four && !ip) {
                __m256 t = _mm256_fnmadd_ps(_mm256_add_ps(c, half), r, qi);
                acc = _mm256_fmadd_ps(t, t, acc);
                continue;
            }
            __m256 unit = four ? _mm256_mul_ps(_mm256_add_ps(c, half), r) : _mm256_fmadd_ps(c, r, h);
            if (predecoded) {
                x = unit;
            } else {
                __m256 vmin = uniform ? umin : _mm256_loadu_ps(dc->vmin + i);
                __m256 vdiff = uniform ? udiff : _mm256_loadu_ps(dc->vdiff + i);
                x = _mm256_fmadd_ps(unit, vdiff, vmin);
            }
        }
        if (ip) {
            acc = _mm256_fmadd_ps(x, qi, acc);
        } else {
            __m256 t = _mm256_sub_ps(qi, x);
            acc = _mm256_fmadd_ps(t, t, acc);
        }
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, acc);
    float sum = sq_reduce8(lanes);
    return predecoded ? __builtin_fmaf(sum, dc->scale, dc->bias) : sum;
}

// Four codes reconstructed at once (16 lanes each): the same operations per code as sq_kernel16, interleaved so
// that the four codes' loads overlap.
SQ_AVX512 void sq_kernel16x4(const feder_sq_dc *dc, const uint8_t *const *codes, int qtype, int ip, float *out) {
    const float *q = dc->query;
    size_t d = dc->d;
    float n = sq_levels_of(qtype);
    __m512 r = _mm512_set1_ps(1.0f / n), h = _mm512_set1_ps(0.5f / n);
    int uniform = qtype == FEDER_SQ_8BIT_UNIFORM || qtype == FEDER_SQ_4BIT_UNIFORM;
    __m512 umin = _mm512_set1_ps(dc->vmin[0]), udiff = _mm512_set1_ps(dc->vdiff[0]);
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    for (size_t i = 0; i < d; i += 16) {
        __m512 qi = _mm512_loadu_ps(q + i);
        __m512 vmin = umin, vdiff = udiff;
        if (sq_has_ranges(qtype) && !uniform) {
            vmin = _mm512_loadu_ps(dc->vmin + i);
            vdiff = _mm512_loadu_ps(dc->vdiff + i);
        }
        for (int j = 0; j < 4; j++) {
            __m512 x = sq_values16(qtype, codes[j], i);
            if (sq_has_ranges(qtype)) x = _mm512_fmadd_ps(_mm512_fmadd_ps(x, r, h), vdiff, vmin);
            if (ip) {
                acc[j] = _mm512_fmadd_ps(x, qi, acc[j]);
            } else {
                __m512 t = _mm512_sub_ps(qi, x);
                acc[j] = _mm512_fmadd_ps(t, t, acc[j]);
            }
        }
    }
    for (int j = 0; j < 4; j++) {
        float lanes[16];
        _mm512_storeu_ps(lanes, acc[j]);
        out[j] = sq_reduce16(lanes);
    }
}

#define SQ_BY_TYPE4(dc, codes, ip, out)                                                                             \
    switch ((dc)->qtype) {                                                                                          \
    case FEDER_SQ_8BIT: sq_kernel16x4(dc, codes, FEDER_SQ_8BIT, ip, out); return;                                   \
    case FEDER_SQ_8BIT_UNIFORM: sq_kernel16x4(dc, codes, FEDER_SQ_8BIT_UNIFORM, ip, out); return;                   \
    case FEDER_SQ_4BIT: sq_kernel16x4(dc, codes, FEDER_SQ_4BIT, ip, out); return;                                   \
    case FEDER_SQ_4BIT_UNIFORM: sq_kernel16x4(dc, codes, FEDER_SQ_4BIT_UNIFORM, ip, out); return;                   \
    case FEDER_SQ_6BIT: sq_kernel16x4(dc, codes, FEDER_SQ_6BIT, ip, out); return;                                   \
    case FEDER_SQ_FP16: sq_kernel16x4(dc, codes, FEDER_SQ_FP16, ip, out); return;                                   \
    case FEDER_SQ_BF16: sq_kernel16x4(dc, codes, FEDER_SQ_BF16, ip, out); return;                                   \
    case FEDER_SQ_8BIT_DIRECT: sq_kernel16x4(dc, codes, FEDER_SQ_8BIT_DIRECT, ip, out); return;                     \
    default: sq_kernel16x4(dc, codes, FEDER_SQ_8BIT_DIRECT_SIGNED, ip, out); return;                                \
    }

SQ_AVX512_FN void sq_vector16x4(const feder_sq_dc *dc, const uint8_t *const *codes, float *out) {
    if (dc->inner_product) SQ_BY_TYPE4(dc, codes, 1, out)
    SQ_BY_TYPE4(dc, codes, 0, out)
}

#define SQ_BY_TYPE(kernel, dc, code, ip, predecoded)                                                                \
    switch ((dc)->qtype) {                                                                                          \
    case FEDER_SQ_8BIT: return kernel(dc, code, FEDER_SQ_8BIT, ip, predecoded);                                     \
    case FEDER_SQ_8BIT_UNIFORM: return kernel(dc, code, FEDER_SQ_8BIT_UNIFORM, ip, predecoded);                     \
    case FEDER_SQ_4BIT: return kernel(dc, code, FEDER_SQ_4BIT, ip, predecoded);                                     \
    case FEDER_SQ_4BIT_UNIFORM: return kernel(dc, code, FEDER_SQ_4BIT_UNIFORM, ip, predecoded);                     \
    case FEDER_SQ_6BIT: return kernel(dc, code, FEDER_SQ_6BIT, ip, predecoded);                                     \
    case FEDER_SQ_FP16: return kernel(dc, code, FEDER_SQ_FP16, ip, predecoded);                                     \
    case FEDER_SQ_BF16: return kernel(dc, code, FEDER_SQ_BF16, ip, predecoded);                                     \
    case FEDER_SQ_8BIT_DIRECT: return kernel(dc, code, FEDER_SQ_8BIT_DIRECT, ip, predecoded);                       \
    default: return kernel(dc, code, FEDER_SQ_8BIT_DIRECT_SIGNED, ip, predecoded);                                  \
    }

#define SQ_DEFINE_ENTRY(name, kernel, attributes)                                                                   \
    attributes float name(const feder_sq_dc *dc, const uint8_t *code, int predecoded) {                            \
        if (dc->inner_product) {                                                                                    \
            if (predecoded) SQ_BY_TYPE(kernel, dc, code, 1, 1)                                                      \
            SQ_BY_TYPE(kernel, dc, code, 1, 0)                                                                      \
        }                                                                                                           \
        if (predecoded) SQ_BY_TYPE(kernel, dc, code, 0, 1)                                                          \
        SQ_BY_TYPE(kernel, dc, code, 0, 0)                                                                          \
    }

SQ_DEFINE_ENTRY(sq_vector16, sq_kernel16, SQ_AVX512_FN)
SQ_DEFINE_ENTRY(sq_vector8, sq_kernel8, SQ_AVX2_FN)
#endif

static float sq_float_distance(const feder_sq_dc *dc, const uint8_t *code, int predecoded) {
    size_t d = dc->d;
    const float *q = dc->query;
    if (dc->level == FEDER_FAISS_NONE) {
        float acc = 0.0f;
        for (size_t i = 0; i < d; i++) {
            float x = sq_component(dc, code, i);
            float p;
            if (dc->inner_product) {
                p = q[i] * x;
            } else {
                float t = q[i] - x;
                p = t * t;
            }
            acc = acc + p;
        }
        return acc;
    }
    size_t width = dc->level == FEDER_FAISS_AVX2 ? 8 : 16;
#if defined(__x86_64__)
    int units = feder_kernels_vector_units();
    if (width == 16 && units == 2) return sq_vector16(dc, code, predecoded);
    if (width == 8 && units >= 1) return sq_vector8(dc, code, predecoded);
#endif
    // Lane arrays: the same arithmetic one lane at a time.
    float acc[16] = {0};
    int fnmadd = dc->level == FEDER_FAISS_AVX2 && dc->qtype == FEDER_SQ_4BIT_UNIFORM;
    for (size_t i = 0; i < d; i++) {
        size_t lane = i % width;
        if (!predecoded) {
            float x = sq_component(dc, code, i);
            if (dc->inner_product) {
                acc[lane] = __builtin_fmaf(x, q[i], acc[lane]);
            } else {
                float t = q[i] - x;
                acc[lane] = __builtin_fmaf(t, t, acc[lane]);
            }
            continue;
        }
        uint32_t c = sq_index(dc->qtype, code, i);
        if (dc->inner_product) {
            acc[lane] = __builtin_fmaf(sq_unit_simd(dc->qtype, dc->level, c), dc->adjusted[i], acc[lane]);
        } else {
            float t;
            if (fnmadd) {
                // GCC fused AVX2's (c + 0.5) · (1/15) into the subtraction (vfnmadd).
                float a = (float)c + 0.5f;
                t = __builtin_fmaf(-a, 1.0f / 15.0f, dc->adjusted[i]);
            } else {
                t = dc->adjusted[i] - sq_unit_simd(dc->qtype, dc->level, c);
            }
            acc[lane] = __builtin_fmaf(t, t, acc[lane]);
        }
    }
    float r = width == 8 ? sq_reduce8(acc) : sq_reduce16(acc);
    return predecoded ? __builtin_fmaf(r, dc->scale, dc->bias) : r;
}

static float sq_byte_distance(const feder_sq_dc *dc, const uint8_t *code) {
    uint32_t acc = 0;
    for (size_t i = 0; i < dc->d; i++) {
        int32_t a = dc->query_bytes[i], b = code[i];
        if (dc->inner_product) {
            if (dc->kernel == SQ_BYTE_SIGNED) {
                a -= 128;
                b -= 128;
            }
            acc += (uint32_t)(a * b);
        } else {
            acc += (uint32_t)((a - b) * (a - b));
        }
    }
    return (float)(int32_t)acc;
}

static float sq_bf16_distance(const feder_sq_dc *dc, const uint8_t *code) {
    float dot = sq_bf16_dot(dc->query_bf16, code, NULL, dc->d);
    if (dc->inner_product) return dot;
    float acc[16] = {0};
    size_t d = dc->d, i = 0;
    for (; i + 32 <= d; i += 32)
        for (size_t j = 0; j < 16; j++) {
            uint16_t c0 = sq_u16(code, i + 2 * j), c1 = sq_u16(code, i + 2 * j + 1);
            acc[j] = sq_dpbf16(acc[j], c0, c1, c0, c1);
        }
    if (i < d) {
        for (size_t j = 0; j < 8; j++) {
            uint16_t c0 = sq_u16(code, i + 2 * j), c1 = sq_u16(code, i + 2 * j + 1);
            acc[j] = sq_dpbf16(acc[j], c0, c1, c0, c1);
        }
        for (size_t j = 8; j < 16; j++) acc[j] = sq_dpbf16(acc[j], 0, 0, 0, 0);
    }
    float norm = sq_reduce16(acc);
    // ‖q‖² + (−2·⟨q, c⟩ + ‖c‖²), the inner part fused.
    return dc->query_norm + __builtin_fmaf(dot, -2.0f, norm);
}

float feder_sq_dc_distance(const feder_sq_dc *dc, const uint8_t *code) {
    switch (dc->kernel) {
    case SQ_BYTE:
    case SQ_BYTE_SIGNED: return sq_byte_distance(dc, code);
    case SQ_BF16: return sq_bf16_distance(dc, code);
    default: return sq_float_distance(dc, code, dc->predecoded);
    }
}

float feder_sq_dc_distance_batched(const feder_sq_dc *dc, const uint8_t *code) {
    // query_to_codes_batch_4: the float computers at AVX2 / AVX512 reconstruct (no predecoded query); every
    // other computer calls query_to_code four times.
    if (dc->kernel == SQ_FLOAT && (dc->level == FEDER_FAISS_AVX2 || dc->level == FEDER_FAISS_AVX512))
        return sq_float_distance(dc, code, 0);
    return feder_sq_dc_distance(dc, code);
}

void feder_sq_dc_distance_batched4(const feder_sq_dc *dc, const uint8_t *const *codes, float *out) {
#if defined(__x86_64__)
    if (dc->kernel == SQ_FLOAT && (dc->level == FEDER_FAISS_AVX512 || dc->level == FEDER_FAISS_AVX512_SPR) &&
        feder_kernels_vector_units() == 2) {
        // AVX512: query_to_codes_batch_4 reconstructs; AVX512_SPR calls query_to_code, which reconstructs too
        // (no predecoded path there).
        sq_vector16x4(dc, codes, out);
        return;
    }
#endif
    for (int j = 0; j < 4; j++) out[j] = feder_sq_dc_distance_batched(dc, codes[j]);
}

void feder_sq_dc_scan(const feder_sq_dc *dc, const uint8_t *codes, size_t code_size, size_t count, int add_base, float base,
                      float *out) {
    for (size_t j = 0; j < count; j++) {
        float dis = feder_sq_dc_distance(dc, codes + j * code_size);
        out[j] = add_base ? base + dis : dis;
    }
}
