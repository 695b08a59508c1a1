/*
 * Native exact solver for the matching engine (resilience/matching/engine.py).
 *
 * Problem: needs i (columns) and volunteer slots s (rows; volunteer k has
 * min(capacity, degree) slots). Serving need i by volunteer k is worth
 *     a(k, i) = bypass[i] - cost(k, i)
 * where bypass[i] = priority * M and cost is the distance in integer units,
 * so maximising the total worth is the lexicographic optimum (priority sum,
 * then distance). Every slot is assigned to a need or to its own private
 * "idle" column (worth 0); every need is served at most once.
 *
 * build():  every (volunteer, need) pair within the radius whose skill matches,
 *           found through a hashed 3-D grid of unit vectors, as CSR rows per
 *           volunteer. Pairs whose distance is within `tol` of the limit are
 *           reported back so that the caller can re-decide them with the
 *           reference haversine and remove the ones that are out of range.
 * remove(): deletes (volunteer, need) pairs (forbidden or out of range).
 * solve():  successive shortest augmenting paths (Hungarian method for a
 *           rectangular assignment, one Dijkstra per slot, integer duals), then
 *           a check of the optimality certificate over every arc:
 *             q[k] >= 0, v[i] >= 0, q[k] + v[i] >= a(k, i) on every arc,
 *             equality on used arcs, v[i] = 0 if i is unserved,
 *             q[k] = 0 unless k uses all its (effective) capacity.
 *           These are the LP complementary-slackness conditions, so passing
 *           the check proves the assignment optimal whatever the search did.
 * auction(): forward/reverse auction with epsilon scaling on a candidate graph
 *           grown by pricing passes over every arc, then a duality-gap
 *           certificate over every arc (see the section "auction" below).
 *           The volunteer rows are first put in order of worth (sort_rows),
 *           which lets every scan of a row stop early.
 * set_threads(): limits the threads (the tests compare one and two).
 *
 * Everything is integer arithmetic (int64) once the costs are rounded.
 * No numpy C API: arrays come in through the buffer protocol and results go
 * back as bytes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

/* ---- two-way row parallelism (pthreads): work split by arcs over volunteer rows ---- */

typedef void (*RowFn)(void *ctx, int64_t k0, int64_t k1, int t);
typedef struct {
    RowFn fn;
    void *ctx;
    int64_t k0, k1;
    int t;
} RowJob;

static void *row_job(void *p) {
    RowJob *j = p;
    j->fn(j->ctx, j->k0, j->k1, j->t);
    return NULL;
}

enum { MAX_THREADS = 2 };

/* what set_threads() chose: at most this many threads, and a second one only
 * for at least this much work (arcs or pairs) */
static int thread_limit = MAX_THREADS;
static int64_t thread_min_work = 2000000;

static int thread_count(int64_t work) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    if (c > thread_limit) c = thread_limit;
    return (c >= 2 && work >= thread_min_work) ? 2 : 1;
}

/* runs fn over [0, v) in `threads` chunks of about equal arc counts; if a
 * thread cannot be started its chunk runs in the caller */
static void parallel_rows(const int64_t *start, int64_t v, int threads, RowFn fn, void *ctx) {
    if (threads < 2 || v < 2) { fn(ctx, 0, v, 0); return; }
    int64_t mid = 0;
    if (start) {
        int64_t half = start[v] / 2;
        while (mid < v && start[mid] < half) mid++;
    } else {
        mid = v / 2;  /* no arc counts yet: split the rows */
    }
    RowJob job = {fn, ctx, 0, mid, 1};
    pthread_t th;
    int started = pthread_create(&th, NULL, row_job, &job) == 0;
    if (!started) fn(ctx, 0, mid, 1);
    fn(ctx, mid, v, 0);
    if (started) pthread_join(th, NULL);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

#define EARTH_RADIUS_M 6371008.8
#define GRAPH_CAPSULE "resilience.matching._native.Graph"

typedef struct {
    int64_t n, v;          /* needs, volunteers */
    int64_t *start;        /* v + 1 row offsets */
    int32_t *col;          /* need index per arc (input order) */
    int32_t *cost;         /* distance in cost units per arc (below 2^31: see build) */
    int64_t arcs;
} Graph;

static void graph_free(Graph *g) {
    if (!g) return;
    free(g->start);
    free(g->col);
    free(g->cost);
    free(g);
}

static void capsule_free(PyObject *cap) {
    graph_free((Graph *)PyCapsule_GetPointer(cap, GRAPH_CAPSULE));
}

/* ------------------------------------------------------------------ buffers */

typedef struct {
    Py_buffer buf;
    int held;
} Buf;

static int get_buf(PyObject *obj, Buf *b, Py_ssize_t itemsize, Py_ssize_t count, const char *name) {
    b->held = 0;
    if (PyObject_GetBuffer(obj, &b->buf, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    b->held = 1;
    if (b->buf.itemsize != itemsize || (count >= 0 && b->buf.len != count * itemsize)) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd items of %zd bytes", name, count, itemsize);
        return -1;
    }
    return 0;
}

static void release(Buf *b) {
    if (b->held) PyBuffer_Release(&b->buf);
    b->held = 0;
}

/* ------------------------------------------------------------------ geometry */

/* Great-circle distance between unit vectors, accurate at every angle:
 * asin of the half chord when the angle is small (well conditioned there),
 * atan2(|a x b|, a . b) otherwise. */
static double unit_distance(const double *a, const double *b, double chord2) {
    if (chord2 < 1.0) return 2.0 * EARTH_RADIUS_M * asin(0.5 * sqrt(chord2));
    double cx = a[1] * b[2] - a[2] * b[1];
    double cy = a[2] * b[0] - a[0] * b[2];
    double cz = a[0] * b[1] - a[1] * b[0];
    double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    return EARTH_RADIUS_M * atan2(sqrt(cx * cx + cy * cy + cz * cz), dot);
}

typedef struct {
    int64_t key;
    int32_t idx;
} Cell;

static int cell_cmp(const void *x, const void *y) {
    const Cell *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

#define CELL_BITS 21
#define CELL_MAX ((1LL << CELL_BITS) - 1)
#ifndef CELL_SPLIT
#define CELL_SPLIT 2
#endif

static int64_t cell_key(int64_t x, int64_t y, int64_t z) {
    return (x << (2 * CELL_BITS)) | (y << CELL_BITS) | z;
}

typedef struct {
    int64_t *start; int32_t *col; int32_t *cost;
    int64_t len, cap;
} ArcVec;

static int arcs_push(ArcVec *a, int32_t col, int32_t cost) {
    if (a->len == a->cap) {
        int64_t nc = a->cap ? a->cap * 2 : 1 << 16;
        int32_t *c2 = realloc(a->col, (size_t)nc * sizeof(int32_t));
        if (!c2) return -1;
        a->col = c2;
        int32_t *d2 = realloc(a->cost, (size_t)nc * sizeof(int32_t));
        if (!d2) return -1;
        a->cost = d2;
        a->cap = nc;
    }
    a->col[a->len] = col;
    a->cost[a->len] = cost;
    a->len++;
    return 0;
}

typedef struct {
    /* inputs, shared */
    const double *sx;       /* need unit vectors in cell order */
    const int32_t *sidx, *sgroup;
    const Cell *cells;
    const double *vx;
    const uint8_t *has, *active;
    int64_t n, v;
    double lo[3], h, reach_c2, tol_lo, tol_hi, unit;
    int64_t span;           /* cells of edge h on each side that the reach can touch */
    /* outputs per thread */
    ArcVec arcs[MAX_THREADS];
    int64_t *border[MAX_THREADS], n_border[MAX_THREADS], border_cap[MAX_THREADS];
    int failed[MAX_THREADS];
    int64_t *start;         /* row offsets within the thread's own arcs */
} BuildJob;

static void build_rows(void *ctx, int64_t k0, int64_t k1, int t) {
    BuildJob *J = ctx;
    ArcVec *arcs = &J->arcs[t];
    int64_t n = J->n, v = J->v;
    for (int64_t k = k0; k < k1 && !J->failed[t]; k++) {
        J->start[k] = arcs->len;
        if (!J->active[k] || n == 0) continue;
        const double *p = J->vx + 3 * k;
        const double e = J->h, r2 = J->reach_c2, m = 1e-12;
        int64_t c[3];
        for (int d = 0; d < 3; d++) c[d] = (int64_t)floor((p[d] - J->lo[d]) / e);
        /* cells are a fraction of the reach: visit the columns (x, y) whose box
         * comes within reach, and in each only the z cells that can */
        for (int64_t dx = -J->span; dx <= J->span; dx++) {
            int64_t x = c[0] + dx;
            if (x < 0 || x > CELL_MAX) continue;
            double x0 = J->lo[0] + (double)x * e - m, x1 = x0 + e + 2 * m;
            double gx = p[0] < x0 ? x0 - p[0] : (p[0] > x1 ? p[0] - x1 : 0.0);
            if (gx * gx > r2) continue;
            for (int64_t dy = -J->span; dy <= J->span; dy++) {
                int64_t y = c[1] + dy;
                if (y < 0 || y > CELL_MAX) continue;
                double y0 = J->lo[1] + (double)y * e - m, y1 = y0 + e + 2 * m;
                double gy = p[1] < y0 ? y0 - p[1] : (p[1] > y1 ? p[1] - y1 : 0.0);
                double gxy = gx * gx + gy * gy;
                if (gxy > r2) continue;
                double rz = sqrt(r2 - gxy) + m;
                int64_t z0 = (int64_t)floor((p[2] - rz - J->lo[2]) / e), z1 = (int64_t)floor((p[2] + rz - J->lo[2]) / e);
                if (z0 < 0) z0 = 0;
                if (z1 > CELL_MAX) z1 = CELL_MAX;
                if (z0 > z1) continue;
                /* cells (x, y, z0..z1) are contiguous in key order */
                int64_t klo = cell_key(x, y, z0), khi = cell_key(x, y, z1);
                int64_t a = 0, b = n;
                while (a < b) { int64_t mid = (a + b) / 2; if (J->cells[mid].key < klo) a = mid + 1; else b = mid; }
                for (int64_t j = a; j < n && J->cells[j].key <= khi; j++) {
                    if (!J->has[(int64_t)J->sgroup[j] * v + k]) continue;
                    const double *q = J->sx + 3 * j;
                    double ex = q[0] - p[0], ey = q[1] - p[1], ez = q[2] - p[2];
                    double c2 = ex * ex + ey * ey + ez * ez;
                    if (c2 > J->reach_c2) continue;
                    double dist = unit_distance(q, p, c2);
                    if (dist > J->tol_hi) continue;
                    int32_t i = J->sidx[j];
                    if (dist > J->tol_lo) {
                        if (J->n_border[t] == J->border_cap[t]) {
                            int64_t nc = J->border_cap[t] ? J->border_cap[t] * 2 : 256;
                            int64_t *nb = realloc(J->border[t], (size_t)nc * 2 * sizeof(int64_t));
                            if (!nb) { J->failed[t] = 1; return; }
                            J->border[t] = nb;
                            J->border_cap[t] = nc;
                        }
                        J->border[t][2 * J->n_border[t]] = k;
                        J->border[t][2 * J->n_border[t] + 1] = i;
                        J->n_border[t]++;
                    }
                    double units = rint(dist * J->unit);
                    if (units > (double)INT32_MAX) { J->failed[t] = 2; return; }
                    if (arcs_push(arcs, i, (int32_t)units) < 0) { J->failed[t] = 1; return; }
                }
            }
        }
    }
}

/* build(need_xyz, vol_xyz, need_group int32, vol_has uint8 [groups * v], vol_active uint8,
 *       max_m, tol_m, unit) -> (capsule, borderline bytes of int64 (k, i) pairs) */
static PyObject *py_build(PyObject *self, PyObject *args) {
    PyObject *o_nxyz, *o_vxyz, *o_group, *o_has, *o_active;
    double max_m, tol_m, unit;
    if (!PyArg_ParseTuple(args, "OOOOOddd", &o_nxyz, &o_vxyz, &o_group, &o_has, &o_active, &max_m, &tol_m, &unit))
        return NULL;
    Buf bn, bv, bg, bh, ba;
    bn.held = bv.held = bg.held = bh.held = ba.held = 0;
    PyObject *result = NULL;
    Graph *g = NULL;
    Cell *cells = NULL;
    double *sx = NULL;
    int32_t *sidx = NULL, *sgroup = NULL;
    int64_t *border = NULL, n_border = 0;
    BuildJob J;
    memset(&J, 0, sizeof J);
    if (get_buf(o_nxyz, &bn, 8, -1, "need_xyz") < 0) goto done;
    int64_t n = bn.buf.len / 24;
    if (get_buf(o_vxyz, &bv, 8, -1, "vol_xyz") < 0) goto done;
    int64_t v = bv.buf.len / 24;
    if (get_buf(o_group, &bg, 4, n, "need_group") < 0) goto done;
    if (get_buf(o_has, &bh, 1, -1, "vol_has") < 0) goto done;
    if (get_buf(o_active, &ba, 1, v, "vol_active") < 0) goto done;
    if (n >= INT32_MAX || v >= INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "too many needs or volunteers");
        goto done;
    }
    const double *nx = bn.buf.buf;
    const int32_t *group = bg.buf.buf;
    int64_t groups = v ? bh.buf.len / v : 0;
    for (int64_t i = 0; i < n; i++) {
        if (group[i] < 0 || group[i] >= groups) {
            PyErr_SetString(PyExc_ValueError, "need_group out of range");
            goto done;
        }
    }
    int failed = 0;
    g = calloc(1, sizeof(Graph));
    if (!g) { PyErr_NoMemory(); goto done; }
    g->n = n;
    g->v = v;
    g->start = calloc((size_t)v + 1, sizeof(int64_t));
    cells = malloc(((size_t)n + 1) * sizeof(Cell));
    sx = malloc(((size_t)n * 3 + 1) * sizeof(double));
    sidx = malloc(((size_t)n + 1) * sizeof(int32_t));
    sgroup = malloc(((size_t)n + 1) * sizeof(int32_t));
    if (!g->start || !cells || !sx || !sidx || !sgroup) { PyErr_NoMemory(); goto done; }
    int threads = thread_count(n * v / 64);

    Py_BEGIN_ALLOW_THREADS
    double reach = max_m + tol_m;
    double ang = reach / EARTH_RADIUS_M;
    double chord = ang >= M_PI ? 2.0 : 2.0 * sin(ang / 2.0);
    double h = chord * (1.0 + 1e-9) + 1e-12;     /* cell edge >= search chord */
    double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
    for (int64_t i = 0; i < n; i++)
        for (int d = 0; d < 3; d++) {
            double x = nx[3 * i + d];
            if (x < lo[d]) lo[d] = x;
            if (x > hi[d]) hi[d] = x;
        }
    J.reach_c2 = h * h;
    double reach_c = h;
    h = reach_c / CELL_SPLIT;  /* cells smaller than the reach: fewer needs examined in vain */
    for (int d = 0; d < 3; d++) {  /* enough cells per axis to stay within CELL_BITS */
        double need_h = (hi[d] - lo[d]) / (double)(CELL_MAX - 2);
        if (need_h > h) h = need_h;
    }
    J.span = (int64_t)ceil(reach_c / h);
    for (int64_t i = 0; i < n; i++) {
        int64_t c[3];
        for (int d = 0; d < 3; d++) c[d] = (int64_t)floor((nx[3 * i + d] - lo[d]) / h);
        cells[i].key = cell_key(c[0], c[1], c[2]);
        cells[i].idx = (int32_t)i;
    }
    qsort(cells, (size_t)n, sizeof(Cell), cell_cmp);
    for (int64_t j = 0; j < n; j++) {  /* needs in cell order, for locality */
        int32_t i = cells[j].idx;
        sidx[j] = i;
        sgroup[j] = group[i];
        for (int d = 0; d < 3; d++) sx[3 * j + d] = nx[3 * i + d];
    }
    J.sx = sx; J.sidx = sidx; J.sgroup = sgroup; J.cells = cells; J.vx = bv.buf.buf;
    J.has = bh.buf.buf; J.active = ba.buf.buf; J.n = n; J.v = v; J.h = h; J.unit = unit;
    for (int d = 0; d < 3; d++) J.lo[d] = lo[d];
    J.tol_lo = max_m - tol_m;
    J.tol_hi = max_m + tol_m;
    J.start = g->start;
    parallel_rows(NULL, v, threads, build_rows, &J);
    for (int t = 0; t < threads; t++) if (J.failed[t] > failed) failed = J.failed[t];
    if (!failed) {
        /* rows [0, mid) were built by thread 1 (or 0 alone), rows [mid, v) by thread 0 */
        int64_t mid = threads > 1 ? v / 2 : 0;
        ArcVec *first = threads > 1 ? &J.arcs[1] : &J.arcs[0];
        ArcVec *second = &J.arcs[0];
        int64_t total = threads > 1 ? first->len + second->len : first->len;
        /* the first part's arrays grow in place (large blocks are remapped, not copied) */
        g->col = realloc(first->col, ((size_t)total + 1) * sizeof(int32_t));
        if (g->col) first->col = NULL;
        g->cost = realloc(first->cost, ((size_t)total + 1) * sizeof(int32_t));
        if (g->cost) first->cost = NULL;
        border = malloc(((size_t)(J.n_border[0] + J.n_border[1]) * 2 + 1) * sizeof(int64_t));
        if (!g->col || !g->cost || !border) failed = 1;
        else {
            if (threads > 1) {
                memcpy(g->col + first->len, second->col, (size_t)second->len * sizeof(int32_t));
                memcpy(g->cost + first->len, second->cost, (size_t)second->len * sizeof(int32_t));
                for (int64_t k = mid; k < v; k++) g->start[k] += first->len;
            }
            g->start[v] = total;
            g->arcs = total;
            for (int t = threads - 1; t >= 0; t--) {
                memcpy(border + 2 * n_border, J.border[t], (size_t)J.n_border[t] * 2 * sizeof(int64_t));
                n_border += J.n_border[t];
            }
        }
    }
    Py_END_ALLOW_THREADS

    if (failed == 2) {
        PyErr_SetString(PyExc_OverflowError, "native matching: distances in cost units exceed 2^31");
        goto done;
    }
    if (failed) { PyErr_NoMemory(); goto done; }
    PyObject *cap = PyCapsule_New(g, GRAPH_CAPSULE, capsule_free);
    if (!cap) goto done;
    g = NULL;
    PyObject *bb = PyBytes_FromStringAndSize((const char *)border, (Py_ssize_t)(n_border * 2 * sizeof(int64_t)));
    if (!bb) { Py_DECREF(cap); goto done; }
    result = Py_BuildValue("(NN)", cap, bb);
done:
    release(&bn); release(&bv); release(&bg); release(&bh); release(&ba);
    free(cells); free(sx); free(sidx); free(sgroup);
    free(border);
    for (int t = 0; t < MAX_THREADS; t++) { free(J.arcs[t].col); free(J.arcs[t].cost); free(J.border[t]); }
    graph_free(g);
    return result;
}

static Graph *graph_of(PyObject *cap) {
    return (Graph *)PyCapsule_GetPointer(cap, GRAPH_CAPSULE);
}

/* remove(graph, pairs int64 [(k, i), ...]): deletes these arcs if present. */
static PyObject *py_remove(PyObject *self, PyObject *args) {
    PyObject *o_g, *o_pairs;
    if (!PyArg_ParseTuple(args, "OO", &o_g, &o_pairs)) return NULL;
    Graph *g = graph_of(o_g);
    if (!g) return NULL;
    Buf bp;
    if (get_buf(o_pairs, &bp, 8, -1, "pairs") < 0) { release(&bp); return NULL; }
    const int64_t *p = bp.buf.buf;
    int64_t m = bp.buf.len / 16, removed = 0;
    for (int64_t t = 0; t < m; t++) {
        int64_t k = p[2 * t], i = p[2 * t + 1];
        if (k < 0 || k >= g->v) continue;
        for (int64_t a = g->start[k]; a < g->start[k + 1]; a++)
            if (g->col[a] == i) { g->col[a] = -1; removed++; }
    }
    release(&bp);
    if (removed) {  /* compact */
        int64_t w = 0;
        for (int64_t k = 0; k < g->v; k++) {
            int64_t a0 = g->start[k], a1 = g->start[k + 1];
            g->start[k] = w;
            for (int64_t a = a0; a < a1; a++)
                if (g->col[a] >= 0) { g->col[w] = g->col[a]; g->cost[w] = g->cost[a]; w++; }
        }
        g->start[g->v] = w;
        g->arcs = w;
    }
    return PyLong_FromLongLong(removed);
}

/* ------------------------------------------------------------------ solver */

typedef struct {
    int64_t key;
    int32_t col;
} HeapItem;

typedef struct {
    HeapItem *a;
    int64_t len, cap;
} Heap;

static inline int heap_less(HeapItem x, HeapItem y) {
    return x.key < y.key || (x.key == y.key && x.col < y.col);
}

static int heap_push(Heap *h, int64_t key, int32_t col) {
    if (h->len == h->cap) {
        int64_t nc = h->cap ? h->cap * 2 : 1024;
        HeapItem *na = realloc(h->a, (size_t)nc * sizeof(HeapItem));
        if (!na) return -1;
        h->a = na;
        h->cap = nc;
    }
    int64_t i = h->len++;
    HeapItem it = {key, col};
    while (i > 0) {
        int64_t parent = (i - 1) / 2;
        if (!heap_less(it, h->a[parent])) break;
        h->a[i] = h->a[parent];
        i = parent;
    }
    h->a[i] = it;
    return 0;
}

static HeapItem heap_pop(Heap *h) {
    HeapItem top = h->a[0];
    HeapItem last = h->a[--h->len];
    int64_t i = 0, len = h->len;
    for (;;) {
        int64_t c = 2 * i + 1;
        if (c >= len) break;
        if (c + 1 < len && heap_less(h->a[c + 1], h->a[c])) c++;
        if (!heap_less(h->a[c], last)) break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (len > 0) h->a[i] = last;
    return top;
}

/* solve(graph, bypass int64[n], capacity int64[v])
 *   -> (chosen bytes int64[n] (volunteer or -1), q bytes int64[v], y bytes int64[n], stats dict) */
static PyObject *py_solve(PyObject *self, PyObject *args) {
    PyObject *o_g, *o_bypass, *o_cap;
    if (!PyArg_ParseTuple(args, "OOO", &o_g, &o_bypass, &o_cap)) return NULL;
    Graph *g = graph_of(o_g);
    if (!g) return NULL;
    Buf bb, bc;
    bb.held = bc.held = 0;
    PyObject *result = NULL;
    if (get_buf(o_bypass, &bb, 8, g->n, "bypass") < 0 || get_buf(o_cap, &bc, 8, g->v, "capacity") < 0) {
        release(&bb); release(&bc);
        return NULL;
    }
    const int64_t *B = bb.buf.buf, *capacity = bc.buf.buf;
    int64_t n = g->n, v = g->v;
    const int64_t *start = g->start;
    const int32_t *cost = g->cost;
    const int32_t *col = g->col;

    /* slots: volunteer k has min(capacity, degree) of them, numbered round-robin */
    int64_t *effcap = calloc((size_t)v + 1, sizeof(int64_t));
    int64_t slots = 0, max_cap = 0;
    if (!effcap) { PyErr_NoMemory(); goto out0; }
    for (int64_t k = 0; k < v; k++) {
        int64_t deg = start[k + 1] - start[k];
        effcap[k] = capacity[k] < deg ? capacity[k] : deg;
        if (effcap[k] < 0) effcap[k] = 0;
        slots += effcap[k];
        if (effcap[k] > max_cap) max_cap = effcap[k];
    }
    int32_t *slot_vol = malloc(((size_t)slots + 1) * sizeof(int32_t));
    int64_t *u = calloc((size_t)slots + 1, sizeof(int64_t));
    int32_t *slot_col = malloc(((size_t)slots + 1) * sizeof(int32_t));
    int64_t *vv = calloc((size_t)n + 1, sizeof(int64_t));
    int32_t *owner = malloc(((size_t)n + 1) * sizeof(int32_t));
    int64_t *dist = malloc(((size_t)n + 1) * sizeof(int64_t));
    int32_t *pred = malloc(((size_t)n + 1) * sizeof(int32_t));
    uint8_t *done = calloc((size_t)n + 1, 1);
    int32_t *touched = malloc(((size_t)n + 1) * sizeof(int32_t));
    int32_t *scanned = malloc(((size_t)n + 1) * sizeof(int32_t));
    int64_t *q = calloc((size_t)v + 1, sizeof(int64_t));
    int64_t *load = calloc((size_t)v + 1, sizeof(int64_t));
    int64_t *chosen = malloc(((size_t)n + 1) * sizeof(int64_t));
    Heap heap = {0};
    int failed = 0;
    const char *cert_error = NULL;
    int64_t searches = 0, rows_scanned = 0, arcs_relaxed = 0, longest = 0;
    if (!slot_vol || !u || !slot_col || !vv || !owner || !dist || !pred || !done || !touched || !scanned ||
        !q || !load || !chosen) {
        PyErr_NoMemory();
        goto out;
    }

    Py_BEGIN_ALLOW_THREADS
    {
        int64_t s = 0;
        for (int64_t r = 0; r < max_cap; r++)
            for (int64_t k = 0; k < v; k++)
                if (effcap[k] > r) { slot_vol[s] = (int32_t)k; slot_col[s] = -1; s++; }
    }
    for (int64_t i = 0; i < n; i++) { owner[i] = -1; dist[i] = INT64_MAX; }

    for (int64_t s0 = 0; s0 < slots && !failed; s0++) {
        int64_t k0 = slot_vol[s0];
        int64_t n_touched = 0, n_scanned = 0;
        searches++;
        /* the root's dual: its best worth against current column duals (>= 0: idle) */
        int64_t best = 0;
        for (int64_t a = start[k0]; a < start[k0 + 1]; a++) {
            int64_t i = col[a];
            int64_t w = B[i] - cost[a] - vv[i];
            if (w > best) best = w;
        }
        u[s0] = best;
        heap.len = 0;
        for (int64_t a = start[k0]; a < start[k0 + 1]; a++) {
            int64_t i = col[a];
            int64_t r = best + vv[i] - (B[i] - cost[a]);
            if (r < dist[i]) {
                if (dist[i] == INT64_MAX) touched[n_touched++] = (int32_t)i;
                dist[i] = r;
                pred[i] = (int32_t)s0;
                if (heap_push(&heap, r, (int32_t)i) < 0) { failed = 1; break; }
            }
        }
        arcs_relaxed += start[k0 + 1] - start[k0];
        int64_t null_best = best, null_row = s0;  /* the root may stay idle */
        int64_t term = -1, D;
        while (heap.len > 0 && !failed) {
            HeapItem it = heap_pop(&heap);
            int64_t j = it.col;
            if (done[j] || it.key != dist[j]) continue;
            if (null_best <= it.key) break;
            done[j] = 1;
            scanned[n_scanned++] = (int32_t)j;
            if (owner[j] < 0) { term = j; break; }
            int64_t s1 = owner[j], k1 = slot_vol[s1], d0 = it.key;
            rows_scanned++;
            if (d0 + u[s1] < null_best) { null_best = d0 + u[s1]; null_row = s1; }
            int64_t base = d0 + u[s1];
            for (int64_t a = start[k1]; a < start[k1 + 1]; a++) {
                int64_t i = col[a];
                if (done[i]) continue;
                int64_t nd = base + vv[i] - (B[i] - cost[a]);
                if (nd < dist[i]) {
                    if (dist[i] == INT64_MAX) touched[n_touched++] = (int32_t)i;
                    dist[i] = nd;
                    pred[i] = (int32_t)s1;
                    if (heap_push(&heap, nd, (int32_t)i) < 0) { failed = 1; break; }
                }
            }
            arcs_relaxed += start[k1 + 1] - start[k1];
        }
        if (failed) break;
        D = term >= 0 ? dist[term] : null_best;
        if (n_scanned > longest) longest = n_scanned;
        /* duals: scanned columns rise by D - dist, their rows fall by as much */
        for (int64_t t = 0; t < n_scanned; t++) {
            int64_t j = scanned[t];
            int64_t delta = D - dist[j];
            if (delta > 0) {
                vv[j] += delta;
                u[owner[j]] -= delta;  /* owner >= 0: only the terminal column is free, delta 0 */
            }
        }
        u[s0] -= D;
        /* augment along the predecessor chain */
        int64_t cur;
        if (term >= 0) {
            cur = term;
        } else {
            int64_t s1 = null_row;
            if (s1 == s0) {
                slot_col[s0] = -1;
                cur = -1;
            } else {
                cur = slot_col[s1];
                slot_col[s1] = -1;
                owner[cur] = -1;
            }
        }
        while (cur >= 0) {
            int64_t s1 = pred[cur];
            int64_t prev = slot_col[s1];
            slot_col[s1] = (int32_t)cur;
            owner[cur] = (int32_t)s1;
            if (s1 == s0) break;
            cur = prev;
        }
        for (int64_t t = 0; t < n_touched; t++) dist[touched[t]] = INT64_MAX;
        for (int64_t t = 0; t < n_scanned; t++) done[scanned[t]] = 0;
    }

    /* ---- certificate: checked from scratch on every arc ---- */
    if (!failed) {
        for (int64_t k = 0; k < v; k++) q[k] = INT64_MAX;
        for (int64_t s = 0; s < slots; s++) {
            int64_t k = slot_vol[s];
            if (u[s] < q[k]) q[k] = u[s];
            if (slot_col[s] >= 0) load[k]++;
        }
        for (int64_t k = 0; k < v; k++) {
            if (q[k] == INT64_MAX) q[k] = 0;  /* no slots */
            if (q[k] < 0) cert_error = "negative volunteer price";
            if (q[k] > 0 && load[k] != effcap[k]) cert_error = "priced volunteer with spare capacity";
            if (load[k] > effcap[k]) cert_error = "volunteer over capacity";
        }
        for (int64_t i = 0; i < n; i++) {
            chosen[i] = -1;
            if (vv[i] < 0) cert_error = "negative need price";
            if (owner[i] < 0 && vv[i] != 0) cert_error = "priced need left unserved";
        }
        for (int64_t s = 0; s < slots; s++)
            if (slot_col[s] >= 0) {
                if (owner[slot_col[s]] != s) cert_error = "inconsistent assignment";
                chosen[slot_col[s]] = slot_vol[s];
            }
        for (int64_t k = 0; k < v && !cert_error; k++)
            for (int64_t a = start[k]; a < start[k + 1]; a++) {
                int64_t i = col[a];
                int64_t slack = q[k] + vv[i] - (B[i] - cost[a]);
                if (slack < 0) { cert_error = "reduced cost below zero"; break; }
                if (chosen[i] == k && slack != 0) { cert_error = "used arc not tight"; break; }
            }
    }
    Py_END_ALLOW_THREADS

    if (failed) { PyErr_NoMemory(); goto out; }
    if (cert_error) {
        PyErr_Format(PyExc_ArithmeticError, "native matching: optimality certificate failed (%s)", cert_error);
        goto out;
    }
    {
        PyObject *stats = Py_BuildValue("{s:L,s:L,s:L,s:L,s:L}", "searches", (long long)searches,
                                        "rows_scanned", (long long)rows_scanned, "arcs_relaxed",
                                        (long long)arcs_relaxed, "longest_search", (long long)longest,
                                        "arcs", (long long)g->arcs);
        if (!stats) goto out;
        result = Py_BuildValue("(y#y#y#N)", (const char *)chosen, (Py_ssize_t)(n * 8), (const char *)q,
                               (Py_ssize_t)(v * 8), (const char *)vv, (Py_ssize_t)(n * 8), stats);
    }
out:
    free(slot_vol); free(u); free(slot_col); free(vv); free(owner); free(dist); free(pred);
    free(done); free(touched); free(scanned); free(q); free(load); free(chosen); free(heap.a);
out0:
    free(effcap);
    release(&bb); release(&bc);
    return result;
}

/* ------------------------------------------------------------------ auction */

/* Forward/reverse auction with epsilon scaling (Bertsekas), needs bidding for
 * volunteer slots. Worths are scaled by F = n + 1 so that the last phase, at
 * eps = 1, leaves a duality gap below F, i.e. below one cost unit: then the
 * assignment is optimal because every feasible total is a multiple of F.
 * The gap is computed from scratch over every arc before returning. */

enum { MAX_LEVELS = 64, NBUCKETS = 64 };  /* see sort_rows */

/* Rows that grow in place: each row owns [start, start + cap) of the arrays;
 * a row that outgrows its room moves to the end (offsets stay valid). */
typedef struct {
    int64_t *start, *len, *cap;  /* per row */
    int32_t *col;                /* need (volunteer rows) or volunteer (need rows) */
    int64_t *cost;
    int64_t *full;               /* full-graph arc index (volunteer rows only) */
    int64_t used, size, arcs;
} Pool;

static int pool_init(Pool *p, int64_t rows, int with_full) {
    memset(p, 0, sizeof *p);
    p->start = calloc((size_t)rows + 1, sizeof(int64_t));
    p->len = calloc((size_t)rows + 1, sizeof(int64_t));
    p->cap = calloc((size_t)rows + 1, sizeof(int64_t));
    p->size = 1024;
    p->col = malloc((size_t)p->size * sizeof(int32_t));
    p->cost = malloc((size_t)p->size * sizeof(int64_t));
    p->full = with_full ? malloc((size_t)p->size * sizeof(int64_t)) : NULL;
    return (p->start && p->len && p->cap && p->col && p->cost && (!with_full || p->full)) ? 0 : -1;
}

static void pool_free(Pool *p) {
    free(p->start); free(p->len); free(p->cap); free(p->col); free(p->cost); free(p->full);
}

/* room for `extra` more entries in row r; returns the old start (or -1 on failure) */
static int64_t pool_reserve(Pool *p, int64_t r, int64_t extra) {
    int64_t old = p->start[r];
    if (p->len[r] + extra <= p->cap[r]) return old;
    int64_t cap = 2 * (p->len[r] + extra) + 4;
    if (p->used + cap > p->size) {
        int64_t size = p->size;
        while (p->used + cap > size) size = size + size / 2 + 1024;
        int32_t *c = realloc(p->col, (size_t)size * sizeof(int32_t));
        if (!c) return -1;
        p->col = c;
        int64_t *d = realloc(p->cost, (size_t)size * sizeof(int64_t));
        if (!d) return -1;
        p->cost = d;
        if (p->full) {
            int64_t *f = realloc(p->full, (size_t)size * sizeof(int64_t));
            if (!f) return -1;
            p->full = f;
        }
        p->size = size;
    }
    int64_t ns = p->used;
    memcpy(p->col + ns, p->col + old, (size_t)p->len[r] * sizeof(int32_t));
    memcpy(p->cost + ns, p->cost + old, (size_t)p->len[r] * sizeof(int64_t));
    if (p->full) memcpy(p->full + ns, p->full + old, (size_t)p->len[r] * sizeof(int64_t));
    p->start[r] = ns;
    p->cap[r] = cap;
    p->used += cap;
    return old;
}

typedef struct {
    int64_t n, v, slots, F;
    const int64_t *B;        /* bypass per need (unscaled) */
    int64_t *effcap, *sbase; /* slots of volunteer k: sbase[k] .. sbase[k] + effcap[k] */
    Pool np;                 /* candidate arcs by need: volunteer and worth */
    Pool vp;                 /* candidate arcs by volunteer (ordered like the full graph): need and worth */
    int64_t *price;          /* per slot (scaled) */
    int32_t *heap;           /* per volunteer: min-heap of its slots by price */
    int32_t *slot_need;      /* need on the slot, or -1 */
    int32_t *slot_vol;
    int32_t *need_slot;      /* slot of the need, or -1 (not served) */
    int64_t *need_arc;       /* need-side arc of the need's volunteer */
    int64_t *pi;             /* profit of each need (0 if not served); changes only with its assignment */
    int64_t *minp;           /* price of each volunteer's cheapest slot */
    int32_t *queue;
    uint8_t *queued;
    int64_t qhead, qlen;
    int64_t bids, rbids, budget;
    int64_t *bv;             /* unserved needs: at least their best value (see recheck_needs) */
    uint8_t *dirty;          /* needs whose bv may be stale: a price of theirs fell or arcs were added */
    uint8_t *vdirty;         /* volunteers whose slot prices fell since the last recheck */
    int rows_sorted;
    int64_t lomask;          /* cost & lomask: the bottom of the arc's distance bucket (sort_rows) */
    int64_t slop;            /* (~lomask) * F: a worth plus slop bounds the worths after it in its row */
    int64_t *lvl;            /* full-graph row k, level l starts at lvl[k * (n_levels + 1) + l] (sorted rows) */
    int64_t levels[MAX_LEVELS], n_levels;  /* the bypass of each level, descending */
} Auction;

static inline int64_t worth_bound(const Auction *A, int64_t i, int64_t cost) {
    return (A->B[i] - (cost & A->lomask)) * A->F;
}

static int cmp_desc(const void *x, const void *y) {
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a > b ? -1 : (a < b);
}

/* Every volunteer row is put in order of worth, descending, up to a bucket of
 * distance: by bypass, descending (one level per priority), then by distance
 * bucket, ascending (buckets of 2^shift cost units, at most NBUCKETS per
 * level), stably, so the order depends only on the input. Then
 *     worth_bound(i, cost) = (B[i] - (cost & ~(2^shift - 1))) * F
 * is at least the arc's worth and never increases along a row (levels are
 * further apart than the longest arc), so a scan that needs only arcs above a
 * threshold stops at the first entry whose bound is below it. Returns 1 if
 * sorted (0 when the bypass takes too many distinct values). */
typedef struct {
    Graph *g;
    const uint8_t *rank;
    int64_t n_keys, longest, shift, n_levels;
    int64_t *lvl;  /* per row, n_levels + 1 offsets: where each priority level starts */
    int failed;
} SortJob;

static void sort_rows_part(void *ctx, int64_t k0, int64_t k1, int t) {
    SortJob *J = ctx;
    Graph *g = J->g;
    (void)t;
    int64_t *count = malloc(((size_t)J->n_keys + 1) * sizeof(int64_t));
    int32_t *tc = malloc(((size_t)J->longest + 1) * sizeof(int32_t));
    int32_t *td = malloc(((size_t)J->longest + 1) * sizeof(int32_t));
    if (!count || !tc || !td) { J->failed = 1; free(count); free(tc); free(td); return; }
    for (int64_t k = k0; k < k1; k++) {
        int64_t a0 = g->start[k], len = g->start[k + 1] - a0;
        memset(count, 0, ((size_t)J->n_keys + 1) * sizeof(int64_t));
        for (int64_t u = 0; u < len; u++)
            count[J->rank[g->col[a0 + u]] * NBUCKETS + (g->cost[a0 + u] >> J->shift) + 1]++;
        for (int64_t u = 0; u < J->n_keys; u++) count[u + 1] += count[u];
        for (int64_t l = 0; l <= J->n_levels; l++) J->lvl[k * (J->n_levels + 1) + l] = a0 + count[l * NBUCKETS];
        for (int64_t u = 0; u < len; u++) {
            int64_t key = J->rank[g->col[a0 + u]] * NBUCKETS + (g->cost[a0 + u] >> J->shift);
            tc[count[key]] = g->col[a0 + u];
            td[count[key]] = g->cost[a0 + u];
            count[key]++;
        }
        memcpy(g->col + a0, tc, (size_t)len * sizeof(int32_t));
        memcpy(g->cost + a0, td, (size_t)len * sizeof(int32_t));
    }
    free(count); free(tc); free(td);
}

static int sort_rows(Graph *g, const int64_t *B, int64_t *lomask, int threads, int64_t **lvl_out,
                     int64_t *levels_out, int64_t *n_levels_out) {
    int64_t levels[MAX_LEVELS];
    int n_levels = 0;
    for (int64_t i = 0; i < g->n; i++) {
        int found = 0;
        for (int t = 0; t < n_levels; t++) if (levels[t] == B[i]) { found = 1; break; }
        if (!found) {
            if (n_levels == MAX_LEVELS) return 0;
            levels[n_levels++] = B[i];
        }
    }
    qsort(levels, (size_t)n_levels, sizeof(int64_t), cmp_desc);
    int64_t dmax = 0, longest = 0;
    for (int64_t a = 0; a < g->arcs; a++) if (g->cost[a] > dmax) dmax = g->cost[a];
    for (int64_t k = 0; k < g->v; k++)
        if (g->start[k + 1] - g->start[k] > longest) longest = g->start[k + 1] - g->start[k];
    int64_t shift = 0;
    while ((dmax >> shift) >= NBUCKETS) shift++;
    /* levels must be further apart than any arc for the bound to fall along a row */
    for (int t = 0; t + 1 < n_levels; t++) if (levels[t] - levels[t + 1] <= dmax) return 0;
    uint8_t *rank = malloc((size_t)g->n + 1);
    if (!rank) return 0;
    for (int64_t i = 0; i < g->n; i++) {
        int lo = 0, hi = n_levels - 1;
        while (lo < hi) { int m = (lo + hi) / 2; if (levels[m] > B[i]) lo = m + 1; else hi = m; }
        rank[i] = (uint8_t)lo;
    }
    int64_t *lvl = malloc(((size_t)g->v * (size_t)(n_levels + 1) + 1) * sizeof(int64_t));
    if (!lvl) { free(rank); return -1; }
    SortJob J = {g, rank, (int64_t)n_levels * NBUCKETS, longest, shift, n_levels, lvl, 0};
    parallel_rows(g->start, g->v, threads, sort_rows_part, &J);
    free(rank);
    if (J.failed) { free(lvl); return -1; }
    *lvl_out = lvl;
    for (int t = 0; t < n_levels; t++) levels_out[t] = levels[t];
    *n_levels_out = n_levels;
    *lomask = ~((INT64_C(1) << shift) - 1);
    return 1;
}

static inline int64_t min_price(const Auction *A, int64_t k) { return A->minp[k]; }

static void slot_sift_down(Auction *A, int64_t k, int64_t pos) {
    int32_t *h = A->heap + A->sbase[k];
    int64_t len = A->effcap[k];
    int32_t s = h[pos];
    int64_t p = A->price[s];
    for (;;) {
        int64_t c = 2 * pos + 1;
        if (c >= len) break;
        if (c + 1 < len && (A->price[h[c + 1]] < A->price[h[c]] ||
                            (A->price[h[c + 1]] == A->price[h[c]] && h[c + 1] < h[c]))) c++;
        if (A->price[h[c]] > p || (A->price[h[c]] == p && h[c] > s)) break;
        h[pos] = h[c];
        pos = c;
    }
    h[pos] = s;
}

static void slot_sift_up(Auction *A, int64_t k, int64_t pos) {
    int32_t *h = A->heap + A->sbase[k];
    int32_t s = h[pos];
    int64_t p = A->price[s];
    while (pos > 0) {
        int64_t parent = (pos - 1) / 2;
        if (A->price[h[parent]] < p || (A->price[h[parent]] == p && h[parent] < s)) break;
        h[pos] = h[parent];
        pos = parent;
    }
    h[pos] = s;
}

static void enqueue(Auction *A, int64_t i) {
    if (A->queued[i]) return;
    A->queued[i] = 1;
    A->queue[(A->qhead + A->qlen) % (A->n + 1)] = (int32_t)i;
    A->qlen++;
}

static inline int64_t worth(const Auction *A, int64_t i, int64_t arc) {
    (void)i;
    return A->np.cost[arc];  /* need rows keep each arc's worth */
}

static inline int64_t profit(const Auction *A, int64_t i) { return A->pi[i]; }

/* best worth net of price over the need's arcs (and 0 for not being served) */
static int64_t best_value(const Auction *A, int64_t i) {
    int64_t best = 0;
    for (int64_t a = A->np.start[i]; a < A->np.start[i] + A->np.len[i]; a++) {
        int64_t val = worth(A, i, a) - min_price(A, A->np.col[a]);
        if (val > best) best = val;
    }
    return best;
}

static void forward_bid(Auction *A, int64_t i, int64_t eps) {
    int64_t w1 = 0, w2 = 0, a1 = -1;
    for (int64_t a = A->np.start[i]; a < A->np.start[i] + A->np.len[i]; a++) {
        int64_t val = worth(A, i, a) - min_price(A, A->np.col[a]);
        if (val > w1) { w2 = w1; w1 = val; a1 = a; }
        else if (val > w2) w2 = val;
    }
    A->bids++;
    if (a1 < 0) {  /* not served: nothing is worth its price */
        A->need_slot[i] = -1; A->pi[i] = 0;
        A->bv[i] = 0; A->dirty[i] = 0;
        return;
    }
    int64_t k = A->np.col[a1];
    int32_t *h = A->heap + A->sbase[k];
    int64_t len = A->effcap[k];
    if (len >= 2) {
        int64_t second = A->price[h[1]];
        if (len >= 3 && A->price[h[2]] < second) second = A->price[h[2]];
        int64_t val = worth(A, i, a1) - second;
        if (val > w2) w2 = val;
    }
    int32_t s = h[0];
    A->price[s] += w1 - w2 + eps;
    int32_t old = A->slot_need[s];
    if (old >= 0) { A->need_slot[old] = -1; A->pi[old] = 0; enqueue(A, old); }
    A->slot_need[s] = (int32_t)i;
    A->need_slot[i] = s;
    A->need_arc[i] = a1;
    A->pi[i] = worth(A, i, a1) - A->price[s];
    slot_sift_down(A, k, 0);
    A->minp[k] = A->price[h[0]];
}

static void run_forward(Auction *A, int64_t eps) {
    while (A->qlen > 0 && A->bids + A->rbids <= A->budget) {
        int64_t i = A->queue[A->qhead];
        A->qhead = (A->qhead + 1) % (A->n + 1);
        A->qlen--;
        A->queued[i] = 0;
        if (A->need_slot[i] < 0) forward_bid(A, i, eps);
    }
}

/* position of slot s in its volunteer's heap */
static int64_t heap_pos(const Auction *A, int64_t k, int32_t s) {
    const int32_t *h = A->heap + A->sbase[k];
    for (int64_t p = 0; p < A->effcap[k]; p++)
        if (h[p] == s) return p;
    return -1;
}

/* restores the heap after the price of the slot at pos changed either way */
static void slot_fix(Auction *A, int64_t k, int64_t pos) {
    int32_t s = A->heap[A->sbase[k] + pos];
    slot_sift_up(A, k, pos);
    if (A->heap[A->sbase[k] + pos] == s) slot_sift_down(A, k, pos);
}

/* the need on slot s (free until now) of volunteer k takes need i at price np */
static void reverse_take(Auction *A, int64_t k, int32_t s, int64_t i, int64_t np, int32_t *stack, int64_t *top) {
    A->price[s] = np;
    slot_fix(A, k, heap_pos(A, k, s));
    A->minp[k] = A->price[A->heap[A->sbase[k]]];
    int32_t old = A->need_slot[i];
    if (old >= 0) {
        A->slot_need[old] = -1;
        if (A->price[old] > 0) stack[(*top)++] = old;
    }
    A->slot_need[s] = (int32_t)i;
    A->need_slot[i] = s;
    for (int64_t a = A->np.start[i]; a < A->np.start[i] + A->np.len[i]; a++)
        if (A->np.col[a] == k) { A->need_arc[i] = a; break; }
    A->pi[i] = worth(A, i, A->need_arc[i]) - np;
}

/* Reverse bids (Bertsekas' asymmetric assignment, lambda = 0): every slot left
 * free at a positive price lowers it or takes the need it is worth most to.
 *
 * A volunteer's slots are interchangeable, so when the need a free slot is
 * worth most to already holds another slot of the same volunteer, the plain
 * step moves it over and frees that slot, which then bids in turn: a run of
 * steps that only lowers the volunteer's own prices. Those steps change no
 * other need's profit, so the volunteer's row is scanned once for the two
 * best other needs (its own needs are left out by lending them an unreachable
 * profit meanwhile) and the run is played out on its few slots, the moved
 * need staying on its slot (the same state up to naming the slots). */
enum { SHORT_RUN_SLOTS = 16 };
static void run_reverse(Auction *A, int64_t eps, int32_t *stack) {
    const Pool *vp = &A->vp;
    int64_t top = 0;
    for (int64_t s = 0; s < A->slots; s++)
        if (A->slot_need[s] < 0 && A->price[s] > 0) stack[top++] = (int32_t)s;
    while (top > 0 && A->bids + A->rbids <= A->budget) {
        int32_t s = stack[--top];
        if (A->slot_need[s] >= 0 || A->price[s] <= 0) continue;
        int64_t k = A->slot_vol[s];
        A->vdirty[k] = 1;  /* its prices are about to fall */
        int64_t m = A->effcap[k], base = A->sbase[k];
        int own_out = m <= SHORT_RUN_SLOTS;
        int64_t saved[SHORT_RUN_SLOTS];
        if (own_out)
            for (int64_t t = 0; t < m; t++) {
                int32_t i = A->slot_need[base + t];
                if (i >= 0) { saved[t] = A->pi[i]; A->pi[i] = INT64_MAX / 2; }
            }
        int64_t b1 = INT64_MIN, b2 = INT64_MIN, i1 = -1;
        for (int64_t a = vp->start[k]; a < vp->start[k] + vp->len[k]; a++) {
            int64_t i = vp->col[a];
            /* rows are in order of worth (sort_rows) and a need's profit is at
             * least -eps, so no later need can beat b2 */
            if (A->rows_sorted && vp->cost[a] + A->slop + eps <= b2) break;
            int64_t beta = vp->cost[a] - profit(A, i);
            if (beta > b1) { b2 = b1; b1 = beta; i1 = i; }
            else if (beta > b2) b2 = beta;
        }
        if (own_out) {
            for (int64_t t = 0; t < m; t++) {
                int32_t i = A->slot_need[base + t];
                if (i >= 0) A->pi[i] = saved[t];
            }
            /* worths are below INT64_MAX / 4 (checked on entry), so every other
             * need's beta is above -INT64_MAX / 4 and an own need's below */
            if (b1 <= -(INT64_MAX / 4)) b1 = b2 = INT64_MIN, i1 = -1;
            if (b2 <= -(INT64_MAX / 4)) b2 = INT64_MIN;
            /* play out the run: the volunteer's own needs bid their slot prices */
            for (;;) {
                A->rbids++;
                int64_t p1 = INT64_MIN, p2 = INT64_MIN, t1 = -1;
                for (int64_t t = 0; t < m; t++) {
                    if (A->slot_need[base + t] < 0) continue;
                    int64_t p = A->price[base + t];
                    if (p > p1) { p2 = p1; p1 = p; t1 = t; }
                    else if (p > p2) p2 = p;
                }
                int64_t best = p1 > b1 ? p1 : b1;
                if (best == INT64_MIN || best - eps <= 0) {  /* nobody: the slot goes down to 0 */
                    A->price[s] = 0;
                    slot_sift_up(A, k, heap_pos(A, k, s));
                    A->minp[k] = A->price[A->heap[A->sbase[k]]];
                    break;
                }
                if (i1 >= 0 && b1 >= p1) {  /* another need takes the free slot */
                    int64_t second = b2 > p1 ? b2 : p1;
                    int64_t np = second == INT64_MIN ? 0 : second - eps;
                    reverse_take(A, k, s, i1, np < 0 ? 0 : np, stack, &top);
                    break;
                }
                /* an own need moves over at the second price and its slot is freed */
                int64_t second = p2 > b1 ? p2 : b1;
                int64_t np = second == INT64_MIN ? 0 : second - eps;
                if (np < 0) np = 0;
                int32_t held = (int32_t)(base + t1), u = A->slot_need[held];
                A->price[held] = np;
                A->price[s] = p1;  /* the free slot takes the freed slot's price */
                slot_fix(A, k, heap_pos(A, k, held));
                slot_fix(A, k, heap_pos(A, k, s));
                A->minp[k] = A->price[A->heap[A->sbase[k]]];
                A->pi[u] = worth(A, u, A->need_arc[u]) - np;
                if (A->bids + A->rbids > A->budget) break;
            }
            continue;
        }
        A->rbids++;
        if (i1 < 0 || b1 - eps <= 0) {
            A->price[s] = 0;
            slot_sift_up(A, k, heap_pos(A, k, s));
            A->minp[k] = A->price[A->heap[A->sbase[k]]];
            continue;
        }
        int64_t np = b2 == INT64_MIN ? 0 : b2 - eps;
        reverse_take(A, k, s, i1, np < 0 ? 0 : np, stack, &top);
    }
}

/* ---- candidate graph: a subset of the arcs, grown by pricing ---- */

typedef struct {
    int64_t key, arc;
} KItem;

static inline int kitem_less(KItem x, KItem y) { return x.key < y.key || (x.key == y.key && x.arc < y.arc); }

/* bounded max-heap keeping the K smallest (key, arc) offered */
static void kheap_offer(KItem *h, int32_t *cnt, int64_t K, int64_t key, int64_t arc) {
    KItem it = {key, arc};
    int64_t len = *cnt;
    if (len < K) {
        int64_t i = len;
        while (i > 0) {
            int64_t p = (i - 1) / 2;
            if (!kitem_less(h[p], it)) break;
            h[i] = h[p];
            i = p;
        }
        h[i] = it;
        *cnt = (int32_t)(len + 1);
        return;
    }
    if (!kitem_less(it, h[0])) return;
    int64_t i = 0;
    for (;;) {
        int64_t c = 2 * i + 1;
        if (c >= len) break;
        if (c + 1 < len && kitem_less(h[c], h[c + 1])) c++;
        if (!kitem_less(it, h[c])) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = it;
}

/* (Re)build the candidate graph: the previous candidates plus `n_new` new
 * arcs (full-graph arc indices, ascending), rows per volunteer in the full
 * graph's order (i.e. by bypass, descending), and the need-side transpose;
 * re-point each served need at its arc. */
/* Adds candidate arcs (full-graph arc indices, ascending, not yet candidates):
 * merged into the volunteer rows in the full graph's order (by bypass,
 * descending, which the reverse bids rely on) and appended to the need rows. */
static int add_candidates(Auction *A, const Graph *g, const int64_t *arcs, int64_t m) {
    Pool *vp = &A->vp, *np = &A->np;
    int64_t p = 0;
    while (p < m) {
        int64_t k = 0;
        {   /* the volunteer of arc arcs[p]: binary search over row starts */
            int64_t lo = 0, hi = g->v - 1, a = arcs[p];
            while (lo < hi) { int64_t mid = (lo + hi + 1) / 2; if (g->start[mid] <= a) lo = mid; else hi = mid - 1; }
            k = lo;
        }
        int64_t q = p;
        while (q < m && arcs[q] < g->start[k + 1]) q++;
        int64_t add = q - p;
        if (pool_reserve(vp, k, add) < 0) return -1;
        /* merge from the back: both lists ascend by full-graph index */
        int64_t base = vp->start[k], i_old = vp->len[k] - 1, i_new = q - 1, w = vp->len[k] + add - 1;
        while (i_new >= p) {
            if (i_old >= 0 && vp->full[base + i_old] > arcs[i_new]) {
                vp->col[base + w] = vp->col[base + i_old];
                vp->cost[base + w] = vp->cost[base + i_old];
                vp->full[base + w] = vp->full[base + i_old];
                i_old--;
            } else {
                int64_t a = arcs[i_new];
                vp->col[base + w] = g->col[a];
                vp->cost[base + w] = (A->B[g->col[a]] - g->cost[a]) * A->F;  /* the arc's worth */
                vp->full[base + w] = a;
                i_new--;
            }
            w--;
        }
        vp->len[k] += add;
        vp->arcs += add;
        for (int64_t t = p; t < q; t++) {
            int64_t a = arcs[t], i = g->col[a];
            int64_t old = pool_reserve(np, i, 1);
            if (old < 0) return -1;
            if (A->need_arc[i] >= 0) A->need_arc[i] += np->start[i] - old;
            A->dirty[i] = 1;
            np->col[np->start[i] + np->len[i]] = (int32_t)k;
            np->cost[np->start[i] + np->len[i]] = (A->B[i] - g->cost[a]) * A->F;
            np->len[i]++;
            np->arcs++;
        }
        p = q;
    }
    return 0;
}

static int cmp_i64(const void *x, const void *y) {
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : (a > b);
}

/* the marked arcs that are not candidates yet, ascending; clears their marks */
static int64_t take_marked(uint8_t *mark, const int64_t *list, int64_t len, int64_t *out) {
    int64_t m = 0;
    for (int64_t t = 0; t < len; t++)
        if (mark[list[t]] == 1) { mark[list[t]] = 2; out[m++] = list[t]; }
    qsort(out, (size_t)m, sizeof(int64_t), cmp_i64);
    return m;
}

/* Pricing on the full graph: arcs not yet candidates on which a need would
 * gain more than eps at the current prices (eps-complementary slackness); the `per_need` most violated
 * arcs of each need become candidates. Returns how many, and the largest
 * violation in *worst. */
typedef struct {
    Auction *A;
    const Graph *g;
    const uint8_t *mark;
    KItem *kh[MAX_THREADS];
    int32_t *kcnt[MAX_THREADS];
    int64_t worst[MAX_THREADS];
    int64_t per_need, eps, slack;
    const int64_t *qmin;
} PriceJob;

static void price_rows(void *ctx, int64_t k0, int64_t k1, int t) {
    PriceJob *J = ctx;
    const Auction *A = J->A;
    const Graph *g = J->g;
    const int64_t *pi = A->pi, *B = A->B, F = A->F;
    KItem *kh = J->kh[t];
    int32_t *kcnt = J->kcnt[t];
    int64_t worst = 0, per = J->per_need, floor_ = J->slack - J->eps, slack = J->slack;
    const uint8_t *mark = J->mark;
    for (int64_t k = k0; k < k1; k++) {
        if (A->effcap[k] == 0) continue;
        int64_t q = J->qmin[k];
        if (A->rows_sorted) {
            /* rows are in order of worth (sort_rows), one priority level after
             * another, and profits are >= -eps: stop at the first arc whose
             * bound is at most the floor */
            const int64_t *ls = A->lvl + k * (A->n_levels + 1);
            for (int64_t l = 0; l < A->n_levels; l++) {
                int64_t top = A->levels[l] * F - q;  /* a level's worth bound, before distance */
                if (top <= floor_) goto next_row;
                int64_t a = ls[l], end = ls[l + 1];
                for (; a < end; a++) {
                    int64_t c = g->cost[a];
                    if (top - (c & A->lomask) * F <= floor_) goto next_row;
                    int64_t gain = top - c * F - pi[g->col[a]];
                    if (gain > slack && !mark[a]) {
                        int64_t i = g->col[a];
                        kheap_offer(kh + i * per, kcnt + i, per, -gain, a);
                        if (gain > worst) worst = gain;
                    }
                }
            }
        } else {
            for (int64_t a = g->start[k]; a < g->start[k + 1]; a++) {
                int64_t i = g->col[a], c = g->cost[a];
                int64_t gain = (B[i] - c) * F - q - pi[i];
                if (gain > slack && !mark[a]) {
                    kheap_offer(kh + i * per, kcnt + i, per, -gain, a);
                    if (gain > worst) worst = gain;
                }
            }
        }
    next_row:;
    }
    J->worst[t] = worst;
}

static int64_t price_full(Auction *A, const Graph *g, uint8_t *mark, KItem **kh, int32_t **kcnt, int64_t per_need,
                          int64_t eps, int64_t slack, int64_t *qmin, int64_t *out, int64_t *worst, int threads) {
    int64_t n = g->n, v = g->v, found = 0;
    for (int64_t k = 0; k < v; k++) {
        int64_t m = INT64_MAX;
        for (int64_t s = A->sbase[k]; s < A->sbase[k] + A->effcap[k]; s++)
            if (A->price[s] < m) m = A->price[s];
        qmin[k] = m;
    }
    PriceJob J;
    memset(&J, 0, sizeof J);
    J.A = A; J.g = g; J.mark = mark; J.per_need = per_need; J.eps = eps; J.slack = slack; J.qmin = qmin;
    for (int t = 0; t < threads; t++) {
        J.kh[t] = kh[t];
        J.kcnt[t] = kcnt[t];
        memset(kcnt[t], 0, (size_t)n * sizeof(int32_t));
    }
    parallel_rows(g->start, v, threads, price_rows, &J);
    *worst = J.worst[0];
    for (int t = 1; t < threads; t++) {  /* merge: the K best of a total order do not depend on the split */
        if (J.worst[t] > *worst) *worst = J.worst[t];
        for (int64_t i = 0; i < n; i++)
            for (int32_t u = 0; u < kcnt[t][i]; u++)
                kheap_offer(kh[0] + i * per_need, kcnt[0] + i, per_need, kh[t][i * per_need + u].key,
                            kh[t][i * per_need + u].arc);
    }
    for (int64_t i = 0; i < n; i++)
        for (int32_t u = 0; u < kcnt[0][i]; u++) {
            mark[kh[0][i * per_need + u].arc] = 1;
            out[found++] = kh[0][i * per_need + u].arc;
        }
    return take_marked(mark, out, found, out);
}

typedef struct {
    const Auction *A;
    int64_t eps;
    uint8_t *viol;
} RecheckJob;

/* A need violates eps-complementary slackness when its profit is below its
 * best value less eps. An unserved need's best value only falls while no
 * price of its volunteers falls (bids raise prices; only reverse bids lower
 * them) and no arc is added, so it is recomputed only when one did (dirty) or
 * when its last known value exceeds eps; most unserved needs are skipped. */
static void recheck_needs(void *ctx, int64_t i0, int64_t i1, int t) {
    RecheckJob *R = ctx;
    Auction *A = (Auction *)R->A;
    (void)t;
    for (int64_t i = i0; i < i1; i++) {
        if (A->np.len[i] == 0) { R->viol[i] = 0; continue; }
        if (A->need_slot[i] < 0 && !A->dirty[i] && A->bv[i] <= R->eps) { R->viol[i] = 0; continue; }
        int64_t best = best_value(A, i);
        if (A->need_slot[i] < 0) { A->bv[i] = best; A->dirty[i] = 0; }
        R->viol[i] = profit(A, i) < best - R->eps;
    }
}

/* First candidates: for every volunteer and priority level its nearest needs
 * (2 x capacity + 6), and for every need its K nearest volunteers. */
enum { LMUL = 2, LADD = 6 };
typedef struct {
    const Graph *g;
    KItem *kh[MAX_THREADS];
    int32_t *kcnt[MAX_THREADS];
    int32_t *below[MAX_THREADS];
    int64_t K;
} NearJob;

static void nearest_rows(void *ctx, int64_t k0, int64_t k1, int t) {
    NearJob *J = ctx;
    const Graph *g = J->g;
    /* below[i]: what an arc must cost less than to enter need i's heap (the
     * heap's largest key once it is full; arcs come in ascending index, so an
     * equal cost never enters); a small array, so most arcs are turned away
     * without touching the heaps */
    int32_t *below = J->below[t];
    for (int64_t k = k0; k < k1; k++)
        for (int64_t a = g->start[k]; a < g->start[k + 1]; a++) {
            int64_t i = g->col[a];
            if (g->cost[a] >= below[i]) continue;
            KItem *h = J->kh[t] + i * J->K;
            kheap_offer(h, J->kcnt[t] + i, J->K, g->cost[a], a);
            if (J->kcnt[t][i] == J->K) below[i] = (int32_t)h[0].key;
        }
}

typedef struct {
    const Auction *A;
    const Graph *g;
    uint8_t *mark;
    int64_t L_max;
} LevelJob;

static void level_rows(void *ctx, int64_t k0, int64_t k1, int t) {
    LevelJob *J = ctx;
    const Auction *A = J->A;
    const Graph *g = J->g;
    uint8_t *mark = J->mark;
    (void)t;
    KItem *vh = malloc(((size_t)J->L_max + 1) * sizeof(KItem));
    for (int64_t k = k0; k < k1; k++) {
        int64_t L = LMUL * A->effcap[k] + LADD;
        int64_t a = g->start[k], end = g->start[k + 1];
        if (A->effcap[k] == 0) continue;
        while (a < end) {  /* groups of equal bypass (rows are sorted by it when rows_sorted) */
            int64_t b = a + 1;
            if (A->rows_sorted) while (b < end && A->B[g->col[b]] == A->B[g->col[a]]) b++;
            else b = end;
            if (b - a <= L || !vh) {
                for (int64_t u = a; u < b; u++) mark[u] = 1;
            } else {
                int32_t cnt = 0;
                for (int64_t u = a; u < b; u++) {
                    /* sorted rows ascend by distance bucket within a level: once
                     * the heap is full and a bucket starts at or above its
                     * largest key, nothing later in the level can enter */
                    if (A->rows_sorted && cnt == L && (g->cost[u] & A->lomask) >= vh[0].key) break;
                    kheap_offer(vh, &cnt, L, g->cost[u], u);
                }
                for (int32_t u = 0; u < cnt; u++) mark[vh[u].arc] = 1;
            }
            a = b;
        }
    }
    free(vh);
}

static int first_candidates(Auction *A, const Graph *g, uint8_t *mark, KItem **khs, int32_t **kcnts, int64_t K,
                            int threads) {
    int64_t n = g->n, v = g->v;
    int64_t L_max = 0;
    for (int64_t k = 0; k < v; k++) if (LMUL * A->effcap[k] + LADD > L_max) L_max = LMUL * A->effcap[k] + LADD;
    LevelJob LJ = {A, g, mark, L_max};
    parallel_rows(g->start, v, threads, level_rows, &LJ);
    NearJob J;
    memset(&J, 0, sizeof J);
    J.g = g;
    J.K = K;
    for (int t = 0; t < threads; t++) {
        J.kh[t] = khs[t];
        J.kcnt[t] = kcnts[t];
        memset(kcnts[t], 0, (size_t)n * sizeof(int32_t));
        J.below[t] = malloc(((size_t)n + 1) * sizeof(int32_t));
        if (!J.below[t]) { for (int u = 0; u < t; u++) free(J.below[u]); return -1; }
        for (int64_t i = 0; i < n; i++) J.below[t][i] = INT32_MAX;
    }
    parallel_rows(g->start, v, threads, nearest_rows, &J);
    for (int t = 0; t < threads; t++) free(J.below[t]);
    KItem *kh = khs[0];
    int32_t *kcnt = kcnts[0];
    for (int t = 1; t < threads; t++)
        for (int64_t i = 0; i < n; i++)
            for (int32_t u = 0; u < kcnts[t][i]; u++)
                kheap_offer(kh + i * K, kcnt + i, K, khs[t][i * K + u].key, khs[t][i * K + u].arc);
    for (int64_t i = 0; i < n; i++)
        for (int32_t t = 0; t < kcnt[i]; t++) mark[kh[i * K + t].arc] = 1;
    return 0;
}

/* auction(graph, bypass int64[n], capacity int64[v], theta)
 *   -> (chosen bytes int64[n], stats dict) */
static PyObject *py_auction(PyObject *self, PyObject *args) {
    PyObject *o_g, *o_bypass, *o_cap;
    long long theta = 4;
    if (!PyArg_ParseTuple(args, "OOO|L", &o_g, &o_bypass, &o_cap, &theta)) return NULL;
    Graph *g = graph_of(o_g);
    if (!g) return NULL;
    if (theta < 2) theta = 2;
    Buf bb, bc;
    bb.held = bc.held = 0;
    if (get_buf(o_bypass, &bb, 8, g->n, "bypass") < 0 || get_buf(o_cap, &bc, 8, g->v, "capacity") < 0) {
        release(&bb); release(&bc);
        return NULL;
    }
    Auction A;
    memset(&A, 0, sizeof A);
    int64_t n = g->n, v = g->v;
    A.n = n; A.v = v; A.B = bb.buf.buf; A.F = n + 1;
    const int64_t *capacity = bc.buf.buf;
    PyObject *result = NULL;
    const char *error = NULL;
    int64_t *chosen = NULL, *cert_v = NULL, *cert_q = NULL, phases = 0, rounds = 0, added_total = 0;
    int32_t *stack = NULL, *kcnt[MAX_THREADS] = {NULL};
    uint8_t *mark = NULL;
    KItem *kh[MAX_THREADS] = {NULL};
    int threads = thread_count(g->arcs);
    double gap_units = 0.0;
    int failed = 0;
    double t_bid = 0, t_price = 0, t_build = 0, t_sort = 0, t_first = 0, t_cert = 0;
    const int64_t budget = 200000000 + 2000 * (int64_t)n;  /* guards against a runaway price war */
    A.budget = budget;
    /* tuned on the benchmark instances (bench/match_bench.py) */
    const int64_t K_FIRST = 8, PER_NEED = 8, SLACK_MUL = 2, LOOP_MUL = 2 * theta, MAX_LOOPS = 1;
    int64_t *new_arcs = NULL;
    uint8_t *viol = NULL;

    int64_t bmax = 0;
    for (int64_t i = 0; i < n; i++) if (A.B[i] > bmax) bmax = A.B[i];
    if (bmax > 0 && (bmax > (INT64_MAX / 4) / A.F)) {
        PyErr_SetString(PyExc_OverflowError, "native auction: scaled worths overflow int64");
        goto out;
    }
    A.effcap = calloc((size_t)v + 1, sizeof(int64_t));
    A.sbase = calloc((size_t)v + 1, sizeof(int64_t));
    int pools = pool_init(&A.np, n, 0) | pool_init(&A.vp, v, 1);
    A.need_slot = malloc(((size_t)n + 1) * sizeof(int32_t));
    A.need_arc = malloc(((size_t)n + 1) * sizeof(int64_t));
    A.pi = calloc((size_t)n + 1, sizeof(int64_t));
    A.minp = calloc((size_t)v + 1, sizeof(int64_t));
    A.queue = malloc(((size_t)n + 1) * sizeof(int32_t));
    A.queued = calloc((size_t)n + 1, 1);
    A.bv = malloc(((size_t)n + 1) * sizeof(int64_t));
    A.dirty = malloc((size_t)n + 1);
    A.vdirty = calloc((size_t)v + 1, 1);
    chosen = malloc(((size_t)n + 1) * sizeof(int64_t));
    cert_v = malloc(((size_t)n + 1) * sizeof(int64_t));
    cert_q = malloc(((size_t)v + 1) * sizeof(int64_t));
    mark = calloc((size_t)g->arcs + 1, 1);
    for (int t = 0; t < threads; t++) {
        kh[t] = malloc(((size_t)n * (size_t)(K_FIRST > PER_NEED ? K_FIRST : PER_NEED) + 1) * sizeof(KItem));
        kcnt[t] = calloc((size_t)n + 1, sizeof(int32_t));
        if (!kh[t] || !kcnt[t]) threads = t > 0 ? t : 1;
    }
    new_arcs = malloc(((size_t)n * (size_t)PER_NEED + 1) * sizeof(int64_t));
    viol = calloc((size_t)n + 1, 1);
    if (pools || !cert_v || !cert_q || !A.effcap || !A.sbase || !A.need_slot || !A.need_arc || !A.pi || !A.minp ||
        !A.queue || !A.queued || !A.bv || !A.dirty || !A.vdirty || !chosen || !mark || !kh[0] || !kcnt[0] || !new_arcs || !viol) { PyErr_NoMemory(); goto out; }
    for (int64_t k = 0; k < v; k++) {
        int64_t deg = g->start[k + 1] - g->start[k];
        int64_t c = capacity[k] < deg ? capacity[k] : deg;
        A.effcap[k] = c < 0 ? 0 : c;
        A.sbase[k] = A.slots;
        A.slots += A.effcap[k];
    }
    A.price = calloc((size_t)A.slots + 1, sizeof(int64_t));
    A.heap = malloc(((size_t)A.slots + 1) * sizeof(int32_t));
    A.slot_need = malloc(((size_t)A.slots + 1) * sizeof(int32_t));
    A.slot_vol = malloc(((size_t)A.slots + 1) * sizeof(int32_t));
    stack = malloc(((size_t)A.slots + 1) * sizeof(int32_t));
    if (!A.price || !A.heap || !A.slot_need || !A.slot_vol || !stack) { PyErr_NoMemory(); goto out; }

    Py_BEGIN_ALLOW_THREADS
    double ts = now_s();
    A.rows_sorted = sort_rows(g, A.B, &A.lomask, threads, &A.lvl, A.levels, &A.n_levels);
    if (A.rows_sorted < 0) { A.rows_sorted = 0; failed = 1; }
    A.slop = (~A.lomask) * A.F;
    t_sort = now_s() - ts;
    for (int64_t k = 0; k < v; k++)
        for (int64_t t = 0; t < A.effcap[k]; t++) {
            int64_t s = A.sbase[k] + t;
            A.heap[s] = (int32_t)s;
            A.slot_need[s] = -1;
            A.slot_vol[s] = (int32_t)k;
        }
    for (int64_t i = 0; i < n; i++) { A.need_slot[i] = -1; A.need_arc[i] = -1; A.bv[i] = INT64_MAX; A.dirty[i] = 1; }

    ts = now_s();
    if (first_candidates(&A, g, mark, kh, kcnt, K_FIRST, threads) < 0) failed = 1;
    t_first = now_s() - ts;
    {
        int64_t m = 0;
        for (int64_t a = 0; a < g->arcs; a++) m += mark[a] == 1;
        int64_t *first = malloc(((size_t)m + 1) * sizeof(int64_t));
        if (!first) failed = 1;
        else {
            m = 0;
            for (int64_t a = 0; a < g->arcs; a++) if (mark[a] == 1) { mark[a] = 2; first[m++] = a; }
            if (add_candidates(&A, g, first, m) < 0) failed = 1;
            free(first);
        }
    }
    int64_t eps = bmax * A.F / theta;
    if (eps < 1) eps = 1;
    /* epsilon scaling; each phase ends with pricing on the full graph, so the
     * candidate graph grows until eps-complementary slackness holds on every arc */
    int loops = 0;
    for (int fresh = 1; !failed; fresh = 0) {
        phases++;
        double t0 = now_s();
        if (!fresh) {  /* which needs violate eps-complementary slackness (read-only, in parallel) */
            for (int64_t k = 0; k < v; k++) {  /* the needs of volunteers whose prices fell */
                if (!A.vdirty[k]) continue;
                A.vdirty[k] = 0;
                /* only those worth more than the new price: for the rest the
                 * volunteer adds nothing above 0 to their best value (rows are
                 * in order of worth) */
                for (int64_t a = A.vp.start[k]; a < A.vp.start[k] + A.vp.len[k]; a++) {
                    int64_t i = A.vp.col[a];
                    if (A.rows_sorted && A.vp.cost[a] + A.slop <= A.minp[k]) break;
                    A.dirty[i] = 1;
                }
            }
            RecheckJob R = {&A, eps, viol};
            parallel_rows(NULL, n, threads, recheck_needs, &R);
        }
        for (int64_t i = 0; i < n; i++) {
            if (A.np.len[i] == 0) continue;
            if (fresh) { enqueue(&A, i); continue; }
            if (viol[i]) {
                int64_t s = A.need_slot[i];
                if (s >= 0) { A.slot_need[s] = -1; A.need_slot[i] = -1; A.pi[i] = 0; }
                enqueue(&A, i);
            }
        }
        run_forward(&A, eps);
        run_reverse(&A, eps, stack);  /* every phase ends with free slots at price 0 */  /* every phase ends with free slots at price 0 */
        if (A.bids + A.rbids > budget) { error = "no convergence within the bid budget"; break; }
        double t1 = now_s();
        t_bid += t1 - t0;
        int64_t worst = 0;
        /* coarse phases only need prices good enough for the next phase: a
         * need is repaired there when it gains more than SLACK_MUL x eps */
        int64_t slack = eps == 1 ? 1 : (eps > INT64_MAX / (SLACK_MUL + 1) ? eps : eps * SLACK_MUL);
        int64_t added = price_full(&A, g, mark, kh, kcnt, PER_NEED, eps, slack, cert_q, new_arcs, &worst, threads);
        t_price += now_s() - t1;
        if (added) {
            added_total += added;
            rounds++;
            double t2 = now_s();
            if (add_candidates(&A, g, new_arcs, added) < 0) failed = 1;
            t_build += now_s() - t2;
            /* same eps again (the needs that gain re-bid) until what is left is
             * small enough for the next phase */
            if (eps == 1 || worst / LOOP_MUL > slack || ++loops < MAX_LOOPS) continue;
        }
        if (eps == 1) break;
        loops = 0;
        eps /= theta;
        if (eps < 1) eps = 1;
    }
    if (!error && A.qlen) error = "a need was left without a bid";

    ts = now_s();
    /* ---- certificate on the FULL graph: duality gap below one cost unit ---- */
    if (!error && !failed) {
        __int128 primal = 0, dual = 0;
        for (int64_t s = 0; s < A.slots; s++) {
            if (A.price[s] < 0) error = "negative slot price";
            if (A.slot_need[s] < 0 && A.price[s] != 0) error = "priced slot left free";
            dual += A.price[s];
        }
        for (int64_t i = 0; i < n; i++) {
            chosen[i] = -1;
            int64_t s = A.need_slot[i];
            if (s >= 0) {
                if (A.slot_need[s] != i || A.np.col[A.need_arc[i]] != A.slot_vol[s]) error = "inconsistent assignment";
                chosen[i] = A.slot_vol[s];
                primal += worth(&A, i, A.need_arc[i]);
            }
        }
        /* V_i = max(0, max over all arcs of worth - price of the cheapest slot) */
        int64_t *V = cert_v, *mp = cert_q;
        for (int64_t k = 0; k < v; k++) {
            int64_t m = INT64_MAX;
            for (int64_t s = A.sbase[k]; s < A.sbase[k] + A.effcap[k]; s++)
                if (A.price[s] < m) m = A.price[s];
            mp[k] = m;
        }
        for (int64_t i = 0; i < n; i++) V[i] = 0;
        for (int64_t k = 0; k < v; k++) {
            if (A.effcap[k] == 0) continue;
            for (int64_t a = g->start[k]; a < g->start[k + 1]; a++) {
                int64_t i = g->col[a];
                /* rows are in order of worth: what follows is worth at most 0 */
                if (A.rows_sorted && worth_bound(&A, i, g->cost[a]) - mp[k] <= 0) break;
                int64_t val = (A.B[i] - g->cost[a]) * A.F - mp[k];
                if (val > V[i]) V[i] = val;
            }
        }
        for (int64_t i = 0; i < n; i++) dual += V[i];
        __int128 gap = dual - primal;
        gap_units = (double)gap / (double)A.F;
        if (!error && (gap < 0 || gap >= A.F)) error = "duality gap is not below one cost unit";
    }
    t_cert = now_s() - ts;
    Py_END_ALLOW_THREADS

    if (failed) { PyErr_NoMemory(); goto out; }
    if (error) {
        PyErr_Format(PyExc_ArithmeticError, "native auction: optimality certificate failed (%s)", error);
        goto out;
    }
    {
        PyObject *stats = Py_BuildValue(
            "{s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:d,s:d,s:d,s:d,s:d,s:d,s:d}", "bids", (long long)A.bids, "reverse_bids",
            (long long)A.rbids, "phases", (long long)phases, "pricing_rounds", (long long)rounds, "candidate_arcs",
            (long long)A.vp.arcs, "arcs_added", (long long)added_total, "arcs", (long long)g->arcs, "gap_units",
            gap_units, "bidding_s", t_bid, "pricing_s", t_price, "candidates_s", t_build, "sorting_s", t_sort,
            "first_candidates_s", t_first, "certificate_s", t_cert);
        if (!stats) goto out;
        result = Py_BuildValue("(y#N)", (const char *)chosen, (Py_ssize_t)(n * 8), stats);
    }
out:
    free(A.effcap); free(A.sbase); pool_free(&A.np); pool_free(&A.vp); free(A.need_slot);
    free(A.need_arc); free(A.pi); free(A.minp); free(A.queue); free(A.queued); free(A.lvl); free(A.bv); free(A.dirty); free(A.vdirty); free(A.price); free(A.heap);
    free(A.slot_need); free(A.slot_vol); free(stack); free(chosen); free(cert_v); free(cert_q);
    free(mark);
    for (int t = 0; t < MAX_THREADS; t++) { free(kh[t]); free(kcnt[t]); } free(new_arcs); free(viol);
    release(&bb); release(&bc);
    return result;
}

/* set_threads(limit, min_work) -> (old limit, old min_work): for the tests,
 * which check that one and two threads give the same answer */
static PyObject *py_set_threads(PyObject *self, PyObject *args) {
    int limit;
    long long min_work;
    if (!PyArg_ParseTuple(args, "iL", &limit, &min_work)) return NULL;
    PyObject *old = Py_BuildValue("(iL)", thread_limit, (long long)thread_min_work);
    thread_limit = limit < 1 ? 1 : (limit > MAX_THREADS ? MAX_THREADS : limit);
    thread_min_work = min_work < 0 ? 0 : min_work;
    return old;
}

static PyMethodDef methods[] = {
    {"set_threads", py_set_threads, METH_VARARGS, "Limit the solver's threads (for tests)."},
    {"build", py_build, METH_VARARGS, "Build the graph of feasible pairs (CSR per volunteer)."},
    {"remove", py_remove, METH_VARARGS, "Remove (volunteer, need) pairs from the graph."},
    {"solve", py_solve, METH_VARARGS, "Exact assignment (shortest augmenting paths), certificate checked."},
    {"auction", py_auction, METH_VARARGS, "Exact assignment (epsilon-scaling auction), certificate checked."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", "Native exact matching solver.", -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
