// See include/feder_kernels.h (feder_screen_*): the screening pass of blocked exact search.
//
// Rows are packed 32 at a time into a panel (dimension-major, 32 lanes), and every query meets every panel in a
// register tile of 8 queries × 32 rows. The dot products are approximate (any summation order, fused or not);
// each row gets an interval [lower, upper] around its score that is sure to hold the library kernel's value
// (error bounds for float sums of d terms, doubled), so a row whose lower end is above the k-th smallest upper end
// cannot be in the library's top k. Those that may be are kept as candidates for the caller to re-score with the
// library's own kernel.
#include "feder_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define FEDER_SCREEN_X86 1
#endif

enum { PANEL = 32, QTILE = 8 };

typedef struct {
    int64_t row;
    float lower;
} candidate;

typedef struct {
    float *heap;  // max-heap of the k smallest upper ends
    size_t heap_count;
    candidate *candidates;
    size_t count, capacity;
} query_state;

struct feder_screen {
    int kind;
    size_t d, k, nq, padded;
    float *queries;  // padded × d, zero rows past nq
    float *qlow, *qhigh, *qerr;  // per query: additive terms of the interval ends
    float *tau;                  // per query: the k-th smallest upper end so far (+inf until k rows)
    query_state *states;
    float *panel;  // d × PANEL
    float c;       // relative error allowance (L2) or per-norm-product allowance (inner products)
    float ucon;    // absolute allowance of the 1 − dot rounding (hnswlib inner product)
    int nonfinite;
    int failed;
    int simd;
};

static void heap_sift_down(float *heap, size_t count) {
    size_t i = 0;
    for (;;) {
        size_t left = 2 * i + 1, right = left + 1, largest = i;
        if (left < count && heap[left] > heap[largest]) largest = left;
        if (right < count && heap[right] > heap[largest]) largest = right;
        if (largest == i) return;
        float t = heap[i];
        heap[i] = heap[largest];
        heap[largest] = t;
        i = largest;
    }
}

static void heap_push(float *heap, size_t count, float value) {
    size_t i = count;
    heap[i] = value;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (heap[parent] >= heap[i]) break;
        float t = heap[parent];
        heap[parent] = heap[i];
        heap[i] = t;
        i = parent;
    }
}

feder_screen *feder_screen_create(int kind, const float *queries, size_t nq, size_t d, size_t k) {
    if (d == 0 || k == 0) return NULL;
    feder_screen *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->kind = kind;
    s->d = d;
    s->k = k;
    s->nq = nq;
    s->padded = (nq + QTILE - 1) / QTILE * QTILE;
    s->queries = calloc(s->padded * d + 1, sizeof(float));
    s->qlow = calloc(s->padded + 1, sizeof(float));
    s->qhigh = calloc(s->padded + 1, sizeof(float));
    s->qerr = calloc(s->padded + 1, sizeof(float));
    s->tau = calloc(s->padded + 1, sizeof(float));
    s->states = calloc(nq + 1, sizeof(query_state));
    s->panel = aligned_alloc(64, ((d * PANEL * sizeof(float)) + 63) / 64 * 64);
    if (!s->queries || !s->qlow || !s->qhigh || !s->qerr || !s->tau || !s->states || !s->panel) {
        feder_screen_free(s);
        return NULL;
    }
    memcpy(s->queries, queries, nq * d * sizeof(float));
    // γ_d = d·u/(1 − d·u) for a float sum of d products, u = 2^-24. L2: |approx − exact| ≤ (2γ_d + 4γ_2)(|q|² +
    // |x|²) and |library − exact| ≤ 2(γ_d + 3u)(|q|² + |x|²); inner products: ≤ γ_d·|q|·|x| each. Doubled.
    const double u = ldexp(1.0, -24);
    const double gamma = (double)d * u / (1.0 - (double)d * u);
    if (kind == FEDER_SCREEN_L2) {
        s->c = (float)(2.0 * (4.0 * gamma + 8.0 * u + 8.0 * u));
    } else {
        s->c = (float)(2.0 * (2.0 * gamma + 4.0 * u));
        s->ucon = (float)(kind == FEDER_SCREEN_ONE_MINUS_IP ? 8.0 * u : 0.0);
    }
    for (size_t q = 0; q < nq; q++) {
        double norm = 0;
        for (size_t t = 0; t < d; t++) norm += (double)queries[q * d + t] * queries[q * d + t];
        if (!isfinite(norm)) s->nonfinite = 1;
        if (kind == FEDER_SCREEN_L2) {
            s->qlow[q] = (float)(norm * (1.0 - s->c));
            s->qhigh[q] = (float)(norm * (1.0 + s->c));
        } else {
            // The 1 − dot offset is the same for every row: scores are −dot; the allowance grows with |x|.
            double qnorm = sqrt(norm);
            s->qerr[q] = (float)(qnorm * (s->c + s->ucon));
        }
        s->tau[q] = INFINITY;
        s->states[q].heap = malloc(k * sizeof(float));
        s->states[q].capacity = 64;
        s->states[q].candidates = malloc(64 * sizeof(candidate));
        if (!s->states[q].heap || !s->states[q].candidates) {
            feder_screen_free(s);
            return NULL;
        }
    }
    s->simd = feder_kernels_vector_units() >= 2;
    return s;
}

void feder_screen_free(feder_screen *s) {
    if (!s) return;
    if (s->states) {
        for (size_t q = 0; q < s->nq; q++) {
            free(s->states[q].heap);
            free(s->states[q].candidates);
        }
    }
    free(s->states);
    free(s->queries);
    free(s->qlow);
    free(s->qhigh);
    free(s->qerr);
    free(s->tau);
    free(s->panel);
    free(s);
}

int feder_screen_failed(const feder_screen *s) { return s->failed; }
int feder_screen_nonfinite(const feder_screen *s) { return s->nonfinite; }

// Keeps a row whose interval starts at or below the query's bound; tightens the bound with its upper end.
static inline void offer(feder_screen *s, size_t q, int64_t row, float lower, float upper) {
    query_state *state = &s->states[q];
    if (state->count == state->capacity) {
        // Drop what the tightened bound rules out; grow when that frees too little.
        float tau = s->tau[q];
        size_t kept = 0;
        for (size_t i = 0; i < state->count; i++) {
            if (state->candidates[i].lower <= tau) state->candidates[kept++] = state->candidates[i];
        }
        state->count = kept;
        if (kept * 2 > state->capacity) {
            candidate *grown = realloc(state->candidates, state->capacity * 2 * sizeof(candidate));
            if (!grown) {
                s->failed = 1;
                return;
            }
            state->candidates = grown;
            state->capacity *= 2;
        }
    }
    state->candidates[state->count].row = row;
    state->candidates[state->count].lower = lower;
    state->count++;
    if (state->heap_count < s->k) {
        heap_push(state->heap, state->heap_count++, upper);
        if (state->heap_count == s->k) s->tau[q] = state->heap[0];
    } else if (upper < state->heap[0]) {
        state->heap[0] = upper;
        heap_sift_down(state->heap, state->heap_count);
        s->tau[q] = state->heap[0];
    }
}

// Per lane of a panel: the row's squared norm (L2) or norm (inner products), and whether it is finite.
static void panel_norms(const feder_screen *s, size_t lanes, float *norms) {
    for (size_t l = 0; l < PANEL; l++) norms[l] = 0;
    for (size_t t = 0; t < s->d; t++) {
        const float *column = s->panel + t * PANEL;
        for (size_t l = 0; l < PANEL; l++) norms[l] += column[l] * column[l];
    }
    if (s->kind != FEDER_SCREEN_L2) {
        for (size_t l = 0; l < PANEL; l++) norms[l] = sqrtf(norms[l]) * (1.0f + 1e-6f);
    }
    (void)lanes;
}

// One (query, row) pair: its interval, and the row kept when its lower end is at or below the query's bound.
static inline void filter_lane(feder_screen *s, size_t q, float dot, float norm, int64_t row) {
    float lower, upper;
    if (s->kind == FEDER_SCREEN_L2) {
        lower = s->qlow[q] + (norm * (1.0f - s->c) - 2.0f * dot);
        if (!(lower <= s->tau[q])) return;
        upper = s->qhigh[q] + (norm * (1.0f + s->c) - 2.0f * dot);
    } else {
        float err = norm * s->qerr[q] + s->ucon;
        lower = -dot - err;
        if (!(lower <= s->tau[q])) return;
        upper = -dot + err;
    }
    offer(s, q, row, lower, upper);
}

static void filter_tile(feder_screen *s, size_t q0, const float *dots, const float *norms, size_t lanes, int64_t first) {
    for (size_t i = 0; i < QTILE; i++) {
        size_t q = q0 + i;
        if (q >= s->nq) return;
        for (size_t l = 0; l < lanes; l++) filter_lane(s, q, dots[i * PANEL + l], norms[l], first + (int64_t)l);
    }
}

static void tile_portable(const feder_screen *s, size_t q0, float *dots) {
    memset(dots, 0, QTILE * PANEL * sizeof(float));
    for (size_t t = 0; t < s->d; t++) {
        const float *column = s->panel + t * PANEL;
        for (size_t i = 0; i < QTILE; i++) {
            float value = s->queries[(q0 + i) * s->d + t];
            for (size_t l = 0; l < PANEL; l++) dots[i * PANEL + l] += value * column[l];
        }
    }
}

#ifdef FEDER_SCREEN_X86
// The tile and its filter in registers: a row leaves the vector unit only when its lower end passes the bound
// (then `filter_lane` recomputes both ends in scalar, as the portable path does; either is a valid bound).
__attribute__((target("avx512f"))) static void tile_avx512(
    feder_screen *s, size_t q0, const float *norms, size_t lanes, int64_t first) {
    __m512 acc[QTILE][2];
    for (int i = 0; i < QTILE; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    const float *q = s->queries + q0 * s->d;
    const size_t d = s->d;
    for (size_t t = 0; t < d; t++) {
        __m512 p0 = _mm512_load_ps(s->panel + t * PANEL);
        __m512 p1 = _mm512_load_ps(s->panel + t * PANEL + 16);
        for (int i = 0; i < QTILE; i++) {
            __m512 b = _mm512_set1_ps(q[i * d + t]);
            acc[i][0] = _mm512_fmadd_ps(b, p0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(b, p1, acc[i][1]);
        }
    }
    const __mmask16 valid[2] = {
        (__mmask16)(lanes >= 16 ? 0xFFFF : ((1u << lanes) - 1)),
        (__mmask16)(lanes >= 32 ? 0xFFFF : lanes <= 16 ? 0 : ((1u << (lanes - 16)) - 1)),
    };
    __m512 scaled[2];
    for (int h = 0; h < 2; h++) {
        __m512 norm = _mm512_loadu_ps(norms + 16 * h);
        scaled[h] = s->kind == FEDER_SCREEN_L2 ? _mm512_mul_ps(norm, _mm512_set1_ps(1.0f - s->c)) : norm;
    }
    for (int i = 0; i < QTILE; i++) {
        size_t q = q0 + (size_t)i;
        if (q >= s->nq) return;
        for (int h = 0; h < 2; h++) {
            __m512 lower;
            if (s->kind == FEDER_SCREEN_L2) {
                // qlow + (|x|²(1 − c) − 2·dot)
                lower = _mm512_add_ps(_mm512_set1_ps(s->qlow[q]), _mm512_fnmadd_ps(_mm512_set1_ps(2.0f), acc[i][h], scaled[h]));
            } else {
                __m512 err = _mm512_fmadd_ps(scaled[h], _mm512_set1_ps(s->qerr[q]), _mm512_set1_ps(s->ucon));
                lower = _mm512_sub_ps(_mm512_sub_ps(_mm512_setzero_ps(), acc[i][h]), err);
            }
            __mmask16 pass = _mm512_mask_cmp_ps_mask(valid[h], lower, _mm512_set1_ps(s->tau[q]), _CMP_LE_OQ);
            if (!pass) continue;
            float dot[16];
            _mm512_storeu_ps(dot, acc[i][h]);
            while (pass) {
                int lane = __builtin_ctz(pass);
                pass &= (__mmask16)(pass - 1);
                filter_lane(s, q, dot[lane], norms[16 * h + lane], first + 16 * h + lane);
            }
        }
    }
}
#endif

void feder_screen_rows(feder_screen *s, const void *base, size_t stride, size_t count, int64_t first_row) {
    float dots[QTILE * PANEL];
    float norms[PANEL];
    const size_t d = s->d;
    for (size_t start = 0; start < count && !s->failed; start += PANEL) {
        size_t lanes = count - start < PANEL ? count - start : PANEL;
        // Pack: dimension-major, zero lanes past the last row.
        for (size_t l = 0; l < PANEL; l++) {
            if (l < lanes) {
                const char *row = (const char *)base + (start + l) * stride;
                for (size_t t = 0; t < d; t++) {
                    float value;
                    memcpy(&value, row + t * sizeof(float), sizeof value);
                    s->panel[t * PANEL + l] = value;
                }
            } else {
                for (size_t t = 0; t < d; t++) s->panel[t * PANEL + l] = 0;
            }
        }
        panel_norms(s, lanes, norms);
        for (size_t l = 0; l < lanes; l++) {
            if (!isfinite(norms[l])) s->nonfinite = 1;
        }
        for (size_t q0 = 0; q0 < s->nq; q0 += QTILE) {
#ifdef FEDER_SCREEN_X86
            if (s->simd) {
                tile_avx512(s, q0, norms, lanes, first_row + (int64_t)start);
                continue;
            }
#endif
            tile_portable(s, q0, dots);
            filter_tile(s, q0, dots, norms, lanes, first_row + (int64_t)start);
        }
    }
}

size_t feder_screen_uppers(const feder_screen *s, size_t q, float *out) {
    const query_state *state = &s->states[q];
    if (out) memcpy(out, state->heap, state->heap_count * sizeof(float));
    return state->heap_count;
}

size_t feder_screen_candidates(const feder_screen *s, size_t q, float tau, int64_t *rows) {
    const query_state *state = &s->states[q];
    size_t kept = 0;
    for (size_t i = 0; i < state->count; i++) {
        if (state->candidates[i].lower <= tau) {
            if (rows) rows[kept] = state->candidates[i].row;
            kept++;
        }
    }
    return kept;
}
