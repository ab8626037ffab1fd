// Distance kernels for feder-report's traced searches. Inputs may be unaligned (vectors sit at arbitrary
// offsets inside mapped index files). The fast kernels pick AVX2+FMA at run time when the CPU has it.
#ifndef FEDER_KERNELS_H
#define FEDER_KERNELS_H

#include <stddef.h>

/// Squared L2 distance, fastest available code (summation order unspecified, like faiss's).
float feder_l2sqr(const void *a, const void *b, size_t d);

/// Dot product, fastest available code (summation order unspecified, like faiss's).
float feder_inner_product(const void *a, const void *b, size_t d);

/// hnswlib's L2Sqr as its -march=native build computes it on this CPU: the 16-wide kernel (16 lanes with
/// AVX-512, 8 with AVX, 4 with SSE), the 4-wide kernel or a scalar tail, chosen by d as hnswlib chooses;
/// multiply then add in the lanes, lanes summed left to right, the tail's last d % 4 terms fused (FMA).
float feder_hnswlib_l2sqr(const void *a, const void *b, size_t d);

/// hnswlib's inner product (the dot, before 1 − dot): the same kernels by d (the 4-wide one folds an 8-lane
/// 16-block sum when the CPU has AVX); the scalar tail is never fused (the library's loop is not).
float feder_hnswlib_inner_product(const void *a, const void *b, size_t d);

/// Σx² as hnswlib's normalize_vector sums it (for cosine): in order, the last d % 4 terms fused when the
/// CPU has FMA, as the library's -march=native build compiled it.
float feder_hnswlib_squared_norm(const void *a, size_t d);

/// Asks the CPU to start loading the cache lines at `address` (the first `lines` lines), as hnswlib does for
/// the next neighbour while it scores the current one.
static inline void feder_prefetch(const void *address, int lines) {
    const char *p = (const char *)address;
    for (int line = 0; line < lines; line++) __builtin_prefetch(p + 64 * line, 0, 3);
}

#endif
