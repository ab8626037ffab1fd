// See include/feder_kernels.h: product-quantizer distance tables as faiss-cpu 1.15.1 builds them for one query
// (impl/ProductQuantizer.cpp, utils/simd_impl/distances_*.h, utils/distances.cpp), per SIMD level.
//
// compute_distance_table / compute_inner_prod_table (one query) run fvec_L2sqr_ny / fvec_inner_products_ny per
// sub-quantizer: at levels AVX2 and AVX512 the ny kernels for d = 1, 2, 4, 8 and 12 are their own (a product,
// an FMA chain, GCC's contraction of the 12-wide one), every other d — and every d at NONE — takes
// fvec_L2sqr / fvec_inner_product of the level. The batched compute_distance_tables / compute_inner_prod_tables
// (what IndexPQ and fast scan call, here with one query) take compute_PQ_dis_tables_dsub2 when dsub is 2 and
// nbits < 8, those per-query tables when dsub < 16, and OpenBLAS's sgemm from dsub 16 (pairwise_L2sqr for L2:
// ‖c‖² + ‖x‖² then C − 2·dot).
#include "feder_kernels.h"

#include <stdlib.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

// Codewords sit at any offset of a mapped index file: read them unaligned.
static inline float pq_load(const float *p, size_t i) {
    float value;
    memcpy(&value, (const unsigned char *)p + 4 * i, sizeof value);
    return value;
}

// The two factors of term i: (x − y, x − y) for L2, (x, y) for the inner product.
static inline void pq_term(int ip, const float *x, const float *y, size_t i, float *a, float *b) {
    float xi = pq_load(x, i), yi = pq_load(y, i);
    if (ip) {
        *a = xi;
        *b = yi;
    } else {
        float t = xi - yi;
        *a = t;
        *b = t;
    }
}

// (q0 + q2) + (q1 + q3), as movhlps / add / shufps / add leave it.
static inline float pq_hsum4(const float *q) { return (q[1] + q[3]) + (q[0] + q[2]); }

// fvec_*_ny's own kernels at AVX2 / AVX512 for d in {1, 2, 4, 8, 12}; 0 where the level's plain kernel runs.
// They score rows in groups of W = 8 (AVX2) or 16 (AVX512); the rows past the last full group (`leftover`,
// only when the row count is not a multiple of W) go through scalar code that sums in another order.
static int pq_ny_special(int level, int ip, const float *x, const float *y, size_t d, int leftover, float *out) {
    if (level == FEDER_FAISS_NONE) return 0;
    float a, b;
    switch (d) {
    case 1:
        pq_term(ip, x, y, 0, &a, &b);
        *out = a * b;
        return 1;
    case 2:
        if (leftover) {
            // fma(t0, t0, t1·t1): the operands the other way round.
            pq_term(ip, x, y, 1, &a, &b);
            float s = a * b;
            pq_term(ip, x, y, 0, &a, &b);
            *out = __builtin_fmaf(a, b, s);
            return 1;
        }
        /* fall through */
    case 4:
    case 8: {
        if (leftover && d == 4) {
            float p[4];
            for (size_t i = 0; i < 4; i++) {
                pq_term(ip, x, y, i, &a, &b);
                p[i] = a * b;
            }
            *out = pq_hsum4(p);
            return 1;
        }
        if (leftover && d == 8) {
            float q[4];
            for (size_t i = 0; i < 4; i++) {
                pq_term(ip, x, y, i + 4, &a, &b);
                float high = a * b;
                pq_term(ip, x, y, i, &a, &b);
                float low = a * b;
                q[i] = high + low;
            }
            *out = pq_hsum4(q);
            return 1;
        }
        pq_term(ip, x, y, 0, &a, &b);
        float s = a * b;
        for (size_t i = 1; i < d; i++) {
            pq_term(ip, x, y, i, &a, &b);
            s = __builtin_fmaf(a, b, s);
        }
        *out = s;
        return 1;
    }
    case 12: {
        float q[4];
        for (int l = 0; l < 4; l++) {
            pq_term(ip, x, y, 4 + (size_t)l, &a, &b);
            q[l] = a * b;
            pq_term(ip, x, y, (size_t)l, &a, &b);
            q[l] = __builtin_fmaf(a, b, q[l]);
            pq_term(ip, x, y, 8 + (size_t)l, &a, &b);
            q[l] = __builtin_fmaf(a, b, q[l]);
        }
        *out = pq_hsum4(q);
        return 1;
    }
    default:
        return 0;
    }
}

// Whether fvec_*_ny has its own kernel for d at `level`.
static int pq_ny_has_special(int level, size_t d) {
    return level != FEDER_FAISS_NONE && (d == 1 || d == 2 || d == 4 || d == 8 || d == 12);
}

float feder_faiss_ny_kernel(int level, int inner_product, const float *x, const float *y, size_t d, size_t row, size_t rows) {
    level = feder_faiss_float_level(level);
    size_t width = level == FEDER_FAISS_AVX2 ? 8 : 16;
    int leftover = row >= rows / width * width;
    float special;
    if (pq_ny_special(level, inner_product, x, y, d, leftover, &special)) return special;
    return feder_faiss_kernel(level, inner_product ? 1 : 0, x, y, d);
}

void feder_pq_table(int level, int core, int inner_product, int batched, const float *x, const float *centroids, size_t d,
                    size_t m_count, size_t nbits, float *table) {
    level = feder_faiss_float_level(level);
    size_t ksub = (size_t)1 << nbits;
    size_t dsub = d / m_count;
    for (size_t m = 0; m < m_count; m++) {
        const float *xm = x + m * dsub;
        const float *cm = centroids + m * ksub * dsub;
        float *row = table + m * ksub;
        if (batched && dsub == 2 && nbits < 8) {
            // compute_PQ_dis_tables_dsub2: two rounded products added, at every level.
            for (size_t j = 0; j < ksub; j++) {
                float a0, b0, a1, b1;
                pq_term(inner_product, xm, cm + j * 2, 0, &a0, &b0);
                pq_term(inner_product, xm, cm + j * 2, 1, &a1, &b1);
                float p0 = a0 * b0, p1 = a1 * b1;
                row[j] = p0 + p1;
            }
        } else if (batched && dsub >= 16) {
            // sgemm_("T", "N", ksub, 1, dsub, alpha, cm, dsub, xm, d, beta, row, …): the IP table with alpha 1,
            // beta 0; pairwise_L2sqr presets row to ‖c‖² + ‖x‖² and runs alpha −2, beta 1. One OpenBLAS thread: it
            // would share the call only past ksub · dsub = 262,144 (dsub over 1,024) with several OpenMP threads.
            if (inner_product) {
                feder_openblas_gemm_tn1(core, 1, cm, dsub, ksub, xm, 1.0f, 0, row);
            } else {
                float query_norm = feder_faiss_norm(level, xm, dsub);
                for (size_t j = 0; j < ksub; j++) row[j] = feder_faiss_norm(level, cm + j * dsub, dsub) + query_norm;
                feder_openblas_gemm_tn1(core, 1, cm, dsub, ksub, xm, -2.0f, 1, row);
            }
        } else if (level == feder_kernels_faiss() && !pq_ny_has_special(level, dsub)) {
            // The level's plain kernel for every codeword: scored several at a time, each in its own order.
            const void *rows[256];
            for (size_t start = 0; start < ksub; start += 256) {
                size_t count = ksub - start < 256 ? ksub - start : 256;
                for (size_t j = 0; j < count; j++) rows[j] = cm + (start + j) * dsub;
                feder_faiss_batch(inner_product ? 1 : 0, xm, rows, count, dsub, row + start);
            }
        } else {
            for (size_t j = 0; j < ksub; j++)
                row[j] = feder_faiss_ny_kernel(level, inner_product, xm, cm + j * dsub, dsub, j, ksub);
        }
    }
}

void feder_ivfpq_precomputed_row(int level, const float *centroid, const float *centroids, size_t d, size_t m_count,
                                 size_t nbits, float *row) {
    level = feder_faiss_float_level(level);
    size_t ksub = (size_t)1 << nbits;
    size_t dsub = d / m_count;
    for (size_t m = 0; m < m_count; m++) {
        for (size_t j = 0; j < ksub; j++) {
            const float *codeword = centroids + (m * ksub + j) * dsub;
            float norm = feder_faiss_norm(level, codeword, dsub);
            float ip = feder_faiss_ny_kernel(level, 1, centroid + m * dsub, codeword, dsub, j, ksub);
            // fvec_madd(norm, 2, ip): 2·ip is exact, so fused and unfused agree.
            row[m * ksub + j] = norm + 2.0f * ip;
        }
    }
}

// Sub-quantizer m's code: bits [m·nbits, (m+1)·nbits) of a little-endian bit stream (PQDecoder8 / PQDecoder16
// read bytes and 16-bit words, the same fields).
static inline size_t pq_sub_code(const uint8_t *code, size_t nbits, size_t m) {
    if (nbits == 8) return code[m];
    if (nbits == 16) return (size_t)code[2 * m] | ((size_t)code[2 * m + 1] << 8);
    size_t bit = m * nbits, value = 0, got = 0;
    while (got < nbits) {
        size_t byte = (bit + got) >> 3, offset = (bit + got) & 7;
        size_t take = 8 - offset;
        if (take > nbits - got) take = nbits - got;
        value |= (size_t)((code[byte] >> offset) & ((1u << take) - 1)) << got;
        got += take;
    }
    return value;
}

float feder_pq_code_distance(int level, int estimator, size_t m_count, size_t nbits, const float *table,
                             const uint8_t *code) {
    level = feder_faiss_float_level(level);
    size_t ksub = (size_t)1 << nbits;
    if (estimator == FEDER_PQ_INDEX_PQ && nbits == 16) {
        // pq_estimators_from_tables: four at a time when M is a multiple of 4 (M = 4 without the leading 0).
        if (m_count == 4) {
            float dis = table[pq_sub_code(code, 16, 0)];
            for (size_t m = 1; m < 4; m++) dis = dis + table[m * ksub + pq_sub_code(code, 16, m)];
            return dis;
        }
        if (m_count % 4 == 0) {
            float dis = 0.0f;
            for (size_t m = 0; m < m_count; m += 4) {
                float group = table[m * ksub + pq_sub_code(code, 16, m)];
                for (size_t j = 1; j < 4; j++) group = group + table[(m + j) * ksub + pq_sub_code(code, 16, m + j)];
                dis = dis + group;
            }
            return dis;
        }
    }
    if (nbits != 8 || level == FEDER_FAISS_NONE) {
        float r = 0.0f;
        for (size_t m = 0; m < m_count; m++) r = r + table[m * ksub + pq_sub_code(code, nbits, m)];
        return r;
    }
    // 8-bit codes at AVX2 / AVX512: the table entries gathered into lanes.
#define PQ_V(m) table[(m) * 256 + code[m]]
    float r = 0.0f;
    size_t m = 0;
    if (level == FEDER_FAISS_AVX2) {
        if (m_count == 4) return (PQ_V(3) + PQ_V(1)) + (PQ_V(2) + PQ_V(0));
        if (m_count == 8) {
            float h[4];
            for (size_t l = 0; l < 4; l++) h[l] = PQ_V(l + 4) + PQ_V(l);
            return (h[3] + h[1]) + (h[2] + h[0]);
        }
        if (m_count >= 16) {
            float lanes[8] = {0};
            for (; m + 16 <= m_count; m += 16)
                for (size_t l = 0; l < 8; l++) lanes[l] = (lanes[l] + PQ_V(m + l)) + PQ_V(m + 8 + l);
            float h[4];
            for (size_t l = 0; l < 4; l++) h[l] = lanes[l + 4] + lanes[l];
            r = 0.0f + ((h[3] + h[1]) + (h[2] + h[0]));
        }
    } else if (m_count >= 16) {
        float lanes[16] = {0};
        for (; m + 16 <= m_count; m += 16)
            for (size_t l = 0; l < 16; l++) lanes[l] = lanes[l] + PQ_V(m + l);
        float h[8], g[4];
        for (size_t l = 0; l < 8; l++) h[l] = lanes[l + 8] + lanes[l];
        for (size_t l = 0; l < 4; l++) g[l] = h[l + 4] + h[l];
        r = 0.0f + ((g[2] + g[0]) + (g[3] + g[1]));
    }
    for (; m < m_count; m++) r = r + PQ_V(m);
#undef PQ_V
    return r;
}

void feder_pq_scan(int level, int estimator, size_t m_count, size_t nbits, const float *table, const uint8_t *codes,
                   size_t code_size, size_t count, int add_base, float base, float *out) {
    for (size_t j = 0; j < count; j++) {
        float dis = feder_pq_code_distance(level, estimator, m_count, nbits, table, codes + j * code_size);
        out[j] = add_base ? base + dis : dis;
    }
}

void feder_fvec_madd(size_t n, const float *a, float bf, const float *b, float *c) {
    // Every call here has bf = ±2, whose products are exact: fused (AVX2 / AVX512) and unfused (NONE) agree.
    for (size_t i = 0; i < n; i++) c[i] = a[i] + bf * b[i];
}
