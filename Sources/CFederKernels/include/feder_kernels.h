// Distance kernels for feder-report's traced searches. Inputs may be unaligned (vectors sit at arbitrary
// offsets inside mapped index files). The fast kernels pick AVX2+FMA at run time when the CPU has it.
#ifndef FEDER_KERNELS_H
#define FEDER_KERNELS_H

#include <stddef.h>

/// Squared L2 distance, fastest available code (summation order unspecified, like faiss's).
float feder_l2sqr(const void *a, const void *b, size_t d);

/// Dot product, fastest available code (summation order unspecified, like faiss's).
float feder_inner_product(const void *a, const void *b, size_t d);

/// hnswlib's L2Sqr as its AVX-512 / SSE kernels sum it: 16 (or 4) lanes of multiply-then-add, the lanes
/// added left to right, plus a plain tail; chosen by d as hnswlib chooses.
float feder_hnswlib_l2sqr(const void *a, const void *b, size_t d);

/// hnswlib's inner product (the dot, before 1 − dot), summed as `feder_hnswlib_l2sqr` sums.
float feder_hnswlib_inner_product(const void *a, const void *b, size_t d);

/// Asks the CPU to start loading the cache lines at `address` (the first `lines` lines), as hnswlib does for
/// the next neighbour while it scores the current one.
static inline void feder_prefetch(const void *address, int lines) {
    const char *p = (const char *)address;
    for (int line = 0; line < lines; line++) __builtin_prefetch(p + 64 * line, 0, 3);
}

#endif
