// See include/feder_kernels.h: 4-bit PQ fast scan as faiss-cpu 1.15.1 runs one query (IndexFastScan.cpp,
// IndexIVFFastScan.cpp, IndexIVFPQFastScan.cpp, utils/quantize_lut.cpp, impl/fast_scan/*).
//
// The float table is quantized to bytes (per sub-quantizer: minus its minimum, times a = 255 / the widest span,
// floor(+ 0.5) in float); a vector's approximate distance is the sum of its bytes modulo 2^16 (plus a 16-bit
// bias per probed list for IVF), whatever SIMD width adds them; candidates are kept in the integer domain —
// one best (k = 1, its value kept as int16), a heap (k ≤ 20) or a reservoir sorted by libstdc++'s introsort
// (k > 20) — and converted at the end as b + v · (1 / a), fused above level NONE.
#include "feder_kernels.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

// =========================================================================================================
// Quantizing the tables (quantize_lut.cpp, the same at every level).

static float fs_min(const float *t, size_t n) {
    float m = INFINITY;  // NaNs never compare below
    for (size_t i = 0; i < n; i++)
        if (t[i] < m) m = t[i];
    return m;
}

static float fs_max(const float *t, size_t n) {
    float m = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (t[i] > m) m = t[i];
    return m;
}

// floor(((t − base) · a) + 0.5f), every step in float.
static inline float fs_round(float t, float a, float base) {
    float u = t - base;
    u = u * a;
    u = u + 0.5f;
    return floorf(u);
}

void feder_fs_quantize_pq(const float *table, size_t m_count, size_t padded, uint8_t *quantized, float *a_out, float *b_out) {
    float max_span = 0;
    float *mins = malloc(m_count * sizeof(float) + 1);
    if (!mins) return;
    for (size_t m = 0; m < m_count; m++) {
        mins[m] = fs_min(table + m * 16, 16);
        float span = fs_max(table + m * 16, 16) - mins[m];
        if (span > max_span) max_span = span;
    }
    float a = max_span > 0 ? 255.0f / max_span : 0.0f;
    float b = 0;
    for (size_t m = 0; m < m_count; m++) {
        b = b + mins[m];
        for (size_t j = 0; j < 16; j++) quantized[m * 16 + j] = (uint8_t)(int)fs_round(table[m * 16 + j], a, mins[m]);
    }
    memset(quantized + m_count * 16, 0, (padded - m_count) * 16);
    free(mins);
    *a_out = a;
    *b_out = b;
}

void feder_fs_quantize_lut_and_bias(size_t nprobe, size_t m_count, int three_d, const float *table, const float *bias,
                                    uint8_t *quantized, size_t padded, uint16_t *bias_q, float *a_out, float *b_out) {
    const size_t ksub = 16;
    float a, b;
    size_t rows = three_d ? nprobe * m_count : m_count;
    float *mins = malloc(rows * sizeof(float) + 1);
    float *bias2 = malloc(nprobe * sizeof(float) + 1);
    if (!mins || !bias2) {
        free(mins);
        free(bias2);
        return;
    }
    if (!three_d) {
        float max_span_lut = -INFINITY, max_span_dis = 0;
        float bias_min = 0;
        if (bias) {
            bias_min = fs_min(bias, nprobe);
            max_span_dis = fs_max(bias, nprobe) - bias_min;
        }
        b = 0;
        for (size_t i = 0; i < m_count; i++) {
            mins[i] = fs_min(table + i * ksub, ksub);
            float span = fs_max(table + i * ksub, ksub) - mins[i];
            max_span_lut = span > max_span_lut ? span : max_span_lut;
            max_span_dis = max_span_dis + span;
            b = b + mins[i];
        }
        float a1 = max_span_lut > 0 ? 255.0f / max_span_lut : INFINITY;
        float a2 = max_span_dis > 0 ? 65535.0f / max_span_dis : INFINITY;
        a = a2 < a1 ? a2 : a1;
        if (!isfinite(a)) a = 0.0f;
        if (bias) b = b + bias_min;
        for (size_t i = 0; i < m_count; i++)
            for (size_t c = 0; c < ksub; c++)
                quantized[i * ksub + c] = (uint8_t)(int)fs_round(table[i * ksub + c], a, mins[i]);
        memset(quantized + m_count * ksub, 0, ksub * (padded - m_count));
        if (bias)
            for (size_t j = 0; j < nprobe; j++) bias_q[j] = (uint16_t)(int)fs_round(bias[j], a, bias_min);
    } else {
        float bias_min = fs_min(bias, nprobe);
        float max_span_lut = -INFINITY, max_span_dis = -INFINITY;
        b = INFINITY;
        size_t ij = 0;
        for (size_t j = 0; j < nprobe; j++) {
            float span_dis = bias[j] - bias_min;
            float b2 = bias[j];
            for (size_t i = 0; i < m_count; i++, ij++) {
                mins[ij] = fs_min(table + ij * ksub, ksub);
                float span = fs_max(table + ij * ksub, ksub) - mins[ij];
                max_span_lut = span > max_span_lut ? span : max_span_lut;
                span_dis = span_dis + span;
                b2 = b2 + mins[ij];
            }
            max_span_dis = span_dis > max_span_dis ? span_dis : max_span_dis;
            bias2[j] = b2;
            b = b2 < b ? b2 : b;
        }
        float a1 = max_span_lut > 0 ? 255.0f / max_span_lut : INFINITY;
        float a2 = max_span_dis > 0 ? 65535.0f / max_span_dis : INFINITY;
        a = a2 < a1 ? a2 : a1;
        if (!isfinite(a)) a = 0.0f;
        ij = 0;
        for (size_t j = 0; j < nprobe; j++) {
            uint8_t *out = quantized + j * padded * ksub;
            for (size_t i = 0; i < m_count; i++, ij++)
                for (size_t c = 0; c < ksub; c++) out[i * ksub + c] = (uint8_t)(int)fs_round(table[ij * ksub + c], a, mins[ij]);
            memset(out + m_count * ksub, 0, ksub * (padded - m_count));
        }
        for (size_t j = 0; j < nprobe; j++) bias_q[j] = (uint16_t)(int)fs_round(bias2[j], a, b);
    }
    free(mins);
    free(bias2);
    *a_out = a;
    *b_out = b;
}

// =========================================================================================================
// The packed codes (fast_scan.cpp pq4_pack_codes): blocks of bbs vectors, block_size = bbs · M2 / 2 bytes; in a
// block, sub-quantizer pair p takes bbs bytes at p · bbs: for the 32 vectors of each 32-group, byte j (j < 16)
// holds sub-quantizer 2p of vectors perm0[j] (low nibble) and perm0[j] + 16 (high), byte 16 + j the same for
// 2p + 1, perm0 = {0, 8, 1, 9, …, 7, 15}.

static inline int fs_code(const uint8_t *block, size_t bbs, size_t in_block, size_t m) {
    size_t group = in_block / 32 * 32;
    size_t lane = in_block % 32;
    size_t vi = lane & 15;
    size_t position = vi < 8 ? vi << 1 : ((vi - 8) << 1) + 1;
    size_t address = (m >> 1) * bbs + group + position + ((m & 1) ? 16 : 0);
    uint8_t byte = block[address];
    return lane > 15 ? byte >> 4 : byte & 15;
}

#if defined(__x86_64__)
#include <immintrin.h>

// 32 vectors at a time: each pair of sub-quantizers' 32 bytes looked up in their two 16-entry tables with one
// byte shuffle per nibble; the looked-up bytes added as the low and high bytes of 16-bit lanes (sums modulo
// 2^16: any order gives the same values). The padding sub-quantizer's table row is zero.
__attribute__((target("avx2"))) static void fs_accumulate_avx2(const uint8_t *quantized, const uint8_t *packed, size_t count,
                                                               size_t bbs, size_t padded, uint16_t bias, uint16_t *out) {
    size_t block_size = bbs * padded / 2;
    const __m256i mask = _mm256_set1_epi8(0x0f);
    const __m256i low_bytes = _mm256_set1_epi16(0x00ff);
    for (size_t group = 0; group * 32 < count; group++) {
        size_t first = group * 32;
        const uint8_t *codes = packed + (first / bbs) * block_size + first % bbs;
        __m256i even_lo = _mm256_setzero_si256(), odd_lo = _mm256_setzero_si256();
        __m256i even_hi = _mm256_setzero_si256(), odd_hi = _mm256_setzero_si256();
        for (size_t pair = 0; pair < padded / 2; pair++) {
            __m256i c = _mm256_loadu_si256((const __m256i *)(codes + pair * bbs));
            __m256i table = _mm256_loadu_si256((const __m256i *)(quantized + pair * 32));
            __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(c, mask));
            __m256i hi = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(c, 4), mask));
            even_lo = _mm256_add_epi16(even_lo, _mm256_and_si256(lo, low_bytes));
            odd_lo = _mm256_add_epi16(odd_lo, _mm256_srli_epi16(lo, 8));
            even_hi = _mm256_add_epi16(even_hi, _mm256_and_si256(hi, low_bytes));
            odd_hi = _mm256_add_epi16(odd_hi, _mm256_srli_epi16(hi, 8));
        }
        uint16_t el[16], ol[16], eh[16], oh[16];
        _mm256_storeu_si256((__m256i *)el, even_lo);
        _mm256_storeu_si256((__m256i *)ol, odd_lo);
        _mm256_storeu_si256((__m256i *)eh, even_hi);
        _mm256_storeu_si256((__m256i *)oh, odd_hi);
        // Byte j of each 16 holds vector perm0[j] (low nibble) and perm0[j] + 16 (high); perm0 = {0, 8, 1, 9, …}:
        // even bytes (word w's low byte) are vectors w, odd bytes vectors 8 + w; lanes 0 and 1 are the pair's
        // two sub-quantizers.
        for (size_t w = 0; w < 8; w++) {
            size_t slots[4] = {first + w, first + 8 + w, first + 16 + w, first + 24 + w};
            uint16_t values[4] = {(uint16_t)(el[w] + el[w + 8]), (uint16_t)(ol[w] + ol[w + 8]), (uint16_t)(eh[w] + eh[w + 8]),
                                  (uint16_t)(oh[w] + oh[w + 8])};
            for (size_t j = 0; j < 4; j++)
                if (slots[j] < count) out[slots[j]] = (uint16_t)(values[j] + bias);
        }
    }
}

// With 32-vector blocks the two pairs of sub-quantizers 2p…2p+3 sit in 64 consecutive bytes, their tables too:
// one 512-bit shuffle per nibble covers four sub-quantizers.
__attribute__((target("avx512f,avx512bw"))) static void fs_accumulate_avx512(const uint8_t *quantized, const uint8_t *packed,
                                                                             size_t count, size_t padded, uint16_t bias,
                                                                             uint16_t *out) {
    size_t block_size = 32 * padded / 2;
    size_t pairs = padded / 2;
    const __m512i mask = _mm512_set1_epi8(0x0f);
    const __m512i low_bytes = _mm512_set1_epi16(0x00ff);
    for (size_t group = 0; group * 32 < count; group++) {
        size_t first = group * 32;
        const uint8_t *codes = packed + group * block_size;
        __m512i even_lo = _mm512_setzero_si512(), odd_lo = _mm512_setzero_si512();
        __m512i even_hi = _mm512_setzero_si512(), odd_hi = _mm512_setzero_si512();
        size_t pair = 0;
        for (; pair + 2 <= pairs; pair += 2) {
            __m512i c = _mm512_loadu_si512(codes + pair * 32);
            __m512i table = _mm512_loadu_si512(quantized + pair * 32);
            __m512i lo = _mm512_shuffle_epi8(table, _mm512_and_si512(c, mask));
            __m512i hi = _mm512_shuffle_epi8(table, _mm512_and_si512(_mm512_srli_epi16(c, 4), mask));
            even_lo = _mm512_add_epi16(even_lo, _mm512_and_si512(lo, low_bytes));
            odd_lo = _mm512_add_epi16(odd_lo, _mm512_srli_epi16(lo, 8));
            even_hi = _mm512_add_epi16(even_hi, _mm512_and_si512(hi, low_bytes));
            odd_hi = _mm512_add_epi16(odd_hi, _mm512_srli_epi16(hi, 8));
        }
        uint16_t el[32], ol[32], eh[32], oh[32];
        _mm512_storeu_si512(el, even_lo);
        _mm512_storeu_si512(ol, odd_lo);
        _mm512_storeu_si512(eh, even_hi);
        _mm512_storeu_si512(oh, odd_hi);
        for (; pair < pairs; pair++) {
            // The last pair when their number is odd, one byte at a time into the same word sums.
            const uint8_t *c = codes + pair * 32;
            const uint8_t *table = quantized + pair * 32;
            for (size_t j = 0; j < 32; j++) {
                uint8_t lo = table[(j & 16) + (c[j] & 15)], hi = table[(j & 16) + (c[j] >> 4)];
                size_t word = j >> 1;
                if (j & 1) {
                    ol[word] = (uint16_t)(ol[word] + lo);
                    oh[word] = (uint16_t)(oh[word] + hi);
                } else {
                    el[word] = (uint16_t)(el[word] + lo);
                    eh[word] = (uint16_t)(eh[word] + hi);
                }
            }
        }
        for (size_t w = 0; w < 8; w++) {
            size_t slots[4] = {first + w, first + 8 + w, first + 16 + w, first + 24 + w};
            uint16_t values[4] = {
                (uint16_t)(el[w] + el[w + 8] + el[w + 16] + el[w + 24]), (uint16_t)(ol[w] + ol[w + 8] + ol[w + 16] + ol[w + 24]),
                (uint16_t)(eh[w] + eh[w + 8] + eh[w + 16] + eh[w + 24]), (uint16_t)(oh[w] + oh[w + 8] + oh[w + 16] + oh[w + 24])};
            for (size_t j = 0; j < 4; j++)
                if (slots[j] < count) out[slots[j]] = (uint16_t)(values[j] + bias);
        }
    }
}
#endif

void feder_fs_accumulate(const uint8_t *quantized, size_t m_count, const uint8_t *packed, size_t count, size_t bbs,
                         size_t padded, uint16_t bias, uint16_t *out) {
#if defined(__x86_64__)
    if (feder_kernels_vector_units() >= 2 && bbs == 32 && padded % 2 == 0) {
        fs_accumulate_avx512(quantized, packed, count, padded, bias, out);
        return;
    }
    if (feder_kernels_vector_units() >= 1 && bbs % 32 == 0 && padded % 2 == 0) {
        fs_accumulate_avx2(quantized, packed, count, bbs, padded, bias, out);
        return;
    }
#endif
    size_t block_size = bbs * padded / 2;
    for (size_t v = 0; v < count; v++) {
        const uint8_t *block = packed + (v / bbs) * block_size;
        size_t in_block = v % bbs;
        uint16_t sum = 0;
        for (size_t m = 0; m < m_count; m++) sum = (uint16_t)(sum + quantized[m * 16 + (size_t)fs_code(block, bbs, in_block, m)]);
        out[v] = (uint16_t)(sum + bias);
    }
}

int feder_fs_code(const uint8_t *packed, size_t bbs, size_t padded, size_t vector, size_t m) {
    return fs_code(packed + (vector / bbs) * (bbs * padded / 2), bbs, vector % bbs, m);
}

// =========================================================================================================
// Keeping the best (impl/fast_scan/simd_result_handlers.h): L2 keeps the smallest (CMax), IP the largest (CMin).

static inline int fs_better(int keep_smallest, uint16_t current, uint16_t value) {
    return keep_smallest ? current > value : current < value;  // C::cmp(current, value)
}

static inline int fs_above(int keep_smallest, uint16_t a, uint16_t b, int64_t ia, int64_t ib) {
    return keep_smallest ? (a > b || (a == b && ia > ib)) : (a < b || (a == b && ia < ib));
}

static void fs_sift_down(int keep_smallest, size_t k, uint16_t *values, int64_t *ids, uint16_t value, int64_t id) {
    uint16_t *bv = values - 1;
    int64_t *bi = ids - 1;
    size_t i = 1;
    for (;;) {
        size_t i1 = i << 1, i2 = i1 + 1;
        if (i1 > k) break;
        if (i2 == k + 1 || fs_above(keep_smallest, bv[i1], bv[i2], bi[i1], bi[i2])) {
            if (fs_above(keep_smallest, value, bv[i1], id, bi[i1])) break;
            bv[i] = bv[i1];
            bi[i] = bi[i1];
            i = i1;
        } else {
            if (fs_above(keep_smallest, value, bv[i2], id, bi[i2])) break;
            bv[i] = bv[i2];
            bi[i] = bi[i2];
            i = i2;
        }
    }
    bv[i] = value;
    bi[i] = id;
}

// faiss heap_pop on the first k slots: the last element sifts down from the top, compared against slot k itself as
// faiss's is. faiss ends by copying slot k, which the sift has not written by then: the element sifted, stored as here.
static void fs_heap_pop(int keep_smallest, size_t k, uint16_t *values, int64_t *ids) {
    fs_sift_down(keep_smallest, k, values, ids, values[k - 1], ids[k - 1]);
}

// libstdc++'s std::sort (introsort, threshold 16, median of three, unguarded partition, heap sort past depth
// 2·⌊log2 n⌋, insertion sort) of a permutation, less(i, j) = C::cmp(values[j], values[i]).
typedef struct {
    const uint16_t *values;
    int keep_smallest;
} fs_sort;

static inline int fs_less(const fs_sort *s, int i, int j) { return fs_better(s->keep_smallest, s->values[j], s->values[i]); }

static void fs_adjust_heap(const fs_sort *s, int *first, long hole, long length, int value) {
    long top = hole, second = hole;
    while (second < (length - 1) / 2) {
        second = 2 * (second + 1);
        if (fs_less(s, first[second], first[second - 1])) second--;
        first[hole] = first[second];
        hole = second;
    }
    if ((length & 1) == 0 && second == (length - 2) / 2) {
        second = 2 * (second + 1);
        first[hole] = first[second - 1];
        hole = second - 1;
    }
    long parent = (hole - 1) / 2;
    while (hole > top && fs_less(s, first[parent], value)) {
        first[hole] = first[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    first[hole] = value;
}

static void fs_heap_sort(const fs_sort *s, int *first, int *last) {
    long length = last - first;
    if (length >= 2) {
        for (long parent = (length - 2) / 2;; parent--) {
            fs_adjust_heap(s, first, parent, length, first[parent]);
            if (parent == 0) break;
        }
    }
    while (last - first > 1) {
        --last;
        int value = *last;
        *last = *first;
        fs_adjust_heap(s, first, 0, last - first, value);
    }
}

static void fs_median_to_first(const fs_sort *s, int *result, int *a, int *b, int *c) {
    int *pick;
    if (fs_less(s, *a, *b)) {
        if (fs_less(s, *b, *c)) pick = b;
        else if (fs_less(s, *a, *c)) pick = c;
        else pick = a;
    } else if (fs_less(s, *a, *c)) {
        pick = a;
    } else if (fs_less(s, *b, *c)) {
        pick = c;
    } else {
        pick = b;
    }
    int t = *result;
    *result = *pick;
    *pick = t;
}

static int *fs_partition(const fs_sort *s, int *first, int *last, int *pivot) {
    for (;;) {
        while (fs_less(s, *first, *pivot)) ++first;
        --last;
        while (fs_less(s, *pivot, *last)) --last;
        if (!(first < last)) return first;
        int t = *first;
        *first = *last;
        *last = t;
        ++first;
    }
}

static void fs_introsort(const fs_sort *s, int *first, int *last, long depth) {
    while (last - first > 16) {
        if (depth == 0) {
            fs_heap_sort(s, first, last);
            return;
        }
        --depth;
        int *middle = first + (last - first) / 2;
        fs_median_to_first(s, first, first + 1, middle, last - 1);
        int *cut = fs_partition(s, first + 1, last, first);
        fs_introsort(s, cut, last, depth);
        last = cut;
    }
}

static void fs_linear_insert(const fs_sort *s, int *last) {
    int value = *last;
    int *next = last - 1;
    while (fs_less(s, value, *next)) {
        *last = *next;
        last = next;
        --next;
    }
    *last = value;
}

static void fs_insertion_sort(const fs_sort *s, int *first, int *last) {
    if (first == last) return;
    for (int *i = first + 1; i != last; ++i) {
        if (fs_less(s, *i, *first)) {
            int value = *i;
            memmove(first + 1, first, (size_t)(i - first) * sizeof(int));
            *first = value;
        } else {
            fs_linear_insert(s, i);
        }
    }
}

static void fs_std_sort(const fs_sort *s, int *first, int *last) {
    long n = last - first;
    if (n == 0) return;
    long lg = 63 - __builtin_clzl((unsigned long)n);
    fs_introsort(s, first, last, lg * 2);
    if (n > 16) {
        fs_insertion_sort(s, first, first + 16);
        for (int *i = first + 16; i != last; ++i) fs_linear_insert(s, i);
    } else {
        fs_insertion_sort(s, first, last);
    }
}

float feder_fs_to_float(int level, float value, float a, float b) {
    float one_a = 1.0f / a;
    if (level == FEDER_FAISS_NONE) {
        float p = value * one_a;
        return p + b;
    }
    return __builtin_fmaf(value, one_a, b);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void fs_to_floats_fma(const uint16_t *values, size_t count, float one_a, float b,
                                                                  float *out) {
    size_t i = 0;
    __m256 scale = _mm256_set1_ps(one_a), base = _mm256_set1_ps(b);
    for (; i + 8 <= count; i += 8) {
        __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(values + i))));
        _mm256_storeu_ps(out + i, _mm256_fmadd_ps(v, scale, base));
    }
    for (; i < count; i++) out[i] = __builtin_fmaf((float)values[i], one_a, b);
}
#endif

void feder_fs_to_floats(int level, const uint16_t *values, size_t count, float a, float b, float *out) {
    float one_a = 1.0f / a;
#if defined(__x86_64__)
    if (level != FEDER_FAISS_NONE && feder_kernels_vector_units() >= 1) {
        fs_to_floats_fma(values, count, one_a, b, out);
        return;
    }
#endif
    if (level == FEDER_FAISS_NONE) {
        for (size_t i = 0; i < count; i++) {
            float p = (float)values[i] * one_a;
            out[i] = p + b;
        }
        return;
    }
    for (size_t i = 0; i < count; i++) out[i] = __builtin_fmaf((float)values[i], one_a, b);
}

int feder_fs_select(int level, int keep_smallest, size_t k, const uint16_t *values, const int64_t *ids, size_t count, float a,
                    float b, uint8_t *admitted, float *distances, int64_t *labels) {
    uint16_t neutral = keep_smallest ? 65535 : 0;
    if (k == 1) {
        // SingleResultHandler: the first strictly better value wins; its idis is an int16.
        uint16_t best = neutral;
        int64_t id = -1;
        for (size_t i = 0; i < count; i++) {
            int better = fs_better(keep_smallest, best, values[i]);
            if (admitted) admitted[i] = (uint8_t)better;
            if (better) {
                best = values[i];
                id = ids[i];
            }
        }
        labels[0] = id;
        distances[0] = feder_fs_to_float(level, (float)(int16_t)best, a, b);
        return 0;
    }
    if (k <= 20) {
        // HeapHandler: faiss's heap over (value, id), then heap_reorder.
        uint16_t *hv = malloc(k * sizeof(uint16_t));
        int64_t *hi = malloc(k * sizeof(int64_t));
        if (!hv || !hi) {
            free(hv);
            free(hi);
            return -1;
        }
        for (size_t i = 0; i < k; i++) {
            hv[i] = neutral;
            hi[i] = -1;
        }
        // The threshold test per candidate, specialised per order (most candidates fail it).
        if (keep_smallest) {
            for (size_t i = 0; i < count; i++) {
                int better = values[i] < hv[0];
                if (admitted) admitted[i] = (uint8_t)better;
                if (better) fs_sift_down(1, k, hv, hi, values[i], ids[i]);
            }
        } else {
            for (size_t i = 0; i < count; i++) {
                int better = values[i] > hv[0];
                if (admitted) admitted[i] = (uint8_t)better;
                if (better) fs_sift_down(0, k, hv, hi, values[i], ids[i]);
            }
        }
        // heap_reorder: pop to the back, real results counted, padding (id −1) dropped.
        size_t kept = 0;
        for (size_t i = 0; i < k; i++) {
            uint16_t value = hv[0];
            int64_t id = hi[0];
            fs_heap_pop(keep_smallest, k - i, hv, hi);
            hv[k - kept - 1] = value;
            hi[k - kept - 1] = id;
            if (id != -1) kept++;
        }
        for (size_t i = 0; i < kept; i++) {
            distances[i] = feder_fs_to_float(level, (float)hv[k - kept + i], a, b);
            labels[i] = hi[k - kept + i];
        }
        for (size_t i = kept; i < k; i++) {
            distances[i] = feder_fs_to_float(level, (float)neutral, a, b);
            labels[i] = -1;
        }
        free(hv);
        free(hi);
        return 0;
    }
    // ReservoirHandler: the top k by (value, earlier scan position), in scan order, then std::sort.
    uint16_t threshold = neutral;
    size_t n = 0;
    uint16_t *rv = malloc((count + 1) * sizeof(uint16_t));
    int64_t *ri = malloc((count + 1) * sizeof(int64_t));
    int *perm = malloc((count + 1) * sizeof(int));
    size_t *histogram = calloc(65536, sizeof(size_t));
    if (!rv || !ri || !perm || !histogram) {
        free(rv);
        free(ri);
        free(perm);
        free(histogram);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        int better = fs_better(keep_smallest, threshold, values[i]);
        if (admitted) admitted[i] = (uint8_t)better;
        if (better) {
            rv[n] = values[i];
            ri[n] = ids[i];
            n++;
        }
    }
    if (n > k) {
        for (size_t i = 0; i < n; i++) histogram[rv[i]]++;
        size_t below = 0;
        long cut = keep_smallest ? 0 : 65535;
        for (;;) {
            if (below + histogram[cut] >= k) break;
            below += histogram[cut];
            cut += keep_smallest ? 1 : -1;
        }
        size_t equal = k - below, write = 0;
        for (size_t i = 0; i < n; i++) {
            if (fs_better(keep_smallest, (uint16_t)cut, rv[i]) || (rv[i] == (uint16_t)cut && equal > 0 && equal--)) {
                rv[write] = rv[i];
                ri[write] = ri[i];
                write++;
            }
        }
        n = write;
    }
    for (size_t i = 0; i < n; i++) perm[i] = (int)i;
    fs_sort sorter = {rv, keep_smallest};
    fs_std_sort(&sorter, perm, perm + n);
    for (size_t i = 0; i < n; i++) {
        distances[i] = feder_fs_to_float(level, (float)rv[perm[i]], a, b);
        labels[i] = ri[perm[i]];
    }
    for (size_t i = n; i < k; i++) {
        distances[i] = keep_smallest ? 3.40282347e+38f : -3.40282347e+38f;
        labels[i] = -1;
    }
    free(rv);
    free(ri);
    free(perm);
    free(histogram);
    return 0;
}
