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

// fvec_*_ny's own kernels at AVX2 / AVX512 for d in {1, 2, 4, 8, 12}; -1 where the level's plain kernel runs.
static int pq_ny_special(int level, int ip, const float *x, const float *y, size_t d, float *out) {
    if (level == FEDER_FAISS_NONE) return 0;
    float a, b;
    switch (d) {
    case 1:
        pq_term(ip, x, y, 0, &a, &b);
        *out = a * b;
        return 1;
    case 2:
    case 4:
    case 8: {
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

float feder_faiss_ny_kernel(int level, int inner_product, const float *x, const float *y, size_t d) {
    float special;
    if (pq_ny_special(level, inner_product, x, y, d, &special)) return special;
    return feder_faiss_kernel(level, inner_product ? 1 : 0, x, y, d);
}

void feder_pq_table(int level, int core, int inner_product, int batched, const float *x, const float *centroids, size_t d,
                    size_t m_count, size_t nbits, float *table) {
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
            // beta 0; pairwise_L2sqr presets row to ‖c‖² + ‖x‖² and runs alpha −2, beta 1.
            if (inner_product) {
                feder_openblas_gemm_tn1(core, cm, dsub, ksub, xm, 1.0f, 0, row);
            } else {
                float query_norm = feder_faiss_norm(level, xm, dsub);
                for (size_t j = 0; j < ksub; j++) row[j] = feder_faiss_norm(level, cm + j * dsub, dsub) + query_norm;
                feder_openblas_gemm_tn1(core, cm, dsub, ksub, xm, -2.0f, 1, row);
            }
        } else {
            for (size_t j = 0; j < ksub; j++) row[j] = feder_faiss_ny_kernel(level, inner_product, xm, cm + j * dsub, dsub);
        }
    }
}
