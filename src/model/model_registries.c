/* model_registries.c — registry roots take part only where no program
 * root reaches (DESIGN.md "Roots, registries and shared retention").
 *
 * Some globals only list objects for the runtime's or a library's
 * bookkeeping: every goroutine (runtime.allgs), thread and P, every
 * sync.Pool that was ever used (sync.allPools), the unique package's
 * handle maps.  Followed like any other root they win shortest paths
 * ("global sync.allPools → [32]*sync.Pool → Head" instead of the goroutine
 * that owns the Head) and make everything they list look shared between
 * the program and the runtime, so the dominator tree hangs it under the
 * super-root.  They are roots of kind runtime, marked registry, and once
 * the graph is final the edges that lead from memory only registries reach
 * into memory a program root reaches are dropped: every analysis then sees
 * the program's own paths, and registries only where nothing else holds
 * the memory. */
#include "model/model_roots.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* Globals that list objects for bookkeeping only. */
static const char *const registries[] = {
    "runtime.allgs",  "runtime.allgptr", "runtime.allm",   "runtime.allp",
    "runtime.m0",     "runtime.g0",      "runtime.sched",  "runtime.forcegc",
    "sync.allPools",  "sync.oldPools",   "unique.uniqueMaps",
    NULL,
};

int model_root_is_registry(const char *name)
{
    for (size_t i = 0; name && registries[i]; i++)
        if (strcmp(name, registries[i]) == 0)
            return 1;
    return 0;
}

#define BIT(b, i) ((b)[(i) / 64] >> ((i) % 64) & 1)

/* Drop, in place, the edges marked RT_NONE and, given prog (what
 * program roots reach), those from outside prog into it. */
static void compact(rt_model *m, const uint64_t *prog)
{
    uint32_t n = model_nnodes(m);
    uint64_t w = 0, start = 0;
    for (uint32_t v = 0; v < n; v++) {
        uint64_t end = m->edge_start[v + 1];
        int keep_all = !prog || (v < m->nobj ? (int)BIT(prog, v) : !m->roots[v - m->nobj].registry);
        m->edge_start[v] = (uint32_t)w;
        for (uint64_t e = start; e < end; e++) {
            uint32_t t = m->edge_dst[e];
            if (t == RT_NONE || (!keep_all && BIT(prog, t)))
                continue;
            m->edge_dst[w] = t;
            if (m->edge_off)
                m->edge_off[w] = m->edge_off[e];
            w++;
        }
        start = end;
    }
    m->edge_start[n] = (uint32_t)w;
    m->registry_edges += m->nedge - w;
    m->nedge = w;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Whether the edge v -> t is one the caller will cut (rt_prune.cut). */
static int is_cut(const rt_prune *pr, uint32_t v, uint32_t t)
{
    uint64_t key = (uint64_t)v << 32 | t;
    return bsearch(&key, pr->cut, pr->ncut, sizeof *pr->cut, cmp_u64) != NULL;
}

/* The search's queue: only the frontier is held (what was taken from
 * the front is dropped as the array grows), so that the search, which
 * runs beside the typing, adds little to the peak. */
typedef struct fifo {
    uint32_t *q;
    size_t head, tail, cap;
    uint32_t count; /* everything ever queued */
} fifo;

/* Mark t reached and queue it. */
static inline void reach(uint64_t *bits, fifo *f, uint32_t t)
{
    if (t == RT_NONE || BIT(bits, t))
        return;
    bits[t / 64] |= 1ULL << (t % 64);
    if (f->tail == f->cap) {
        if (f->head && f->head >= f->cap / 2) {
            memmove(f->q, f->q + f->head, (f->tail - f->head) * sizeof *f->q);
            f->tail -= f->head;
            f->head = 0;
        } else {
            RT_GROW(f->q, f->cap, f->tail + 1);
        }
    }
    f->q[f->tail++] = t;
    f->count++;
}

/* Breadth first from the roots whose registry flag is registry, over
 * objects not yet in bits.  The queue says which nodes come next, so the
 * cache misses of their chains (node -> edge range -> edges -> their
 * bits) are asked for a few nodes ahead, each stage using what the one
 * before brought in: on a heap of 10^7 objects nearly every step misses
 * the cache, and overlapping the misses halves the time. */
static uint32_t bfs(const rt_model *m, const rt_prune *pr, int registry, uint64_t *bits)
{
    uint32_t n = model_nnodes(m);
    const uint32_t *es = m->edge_start, *ed = m->edge_dst;
    fifo f = { 0 };
    for (uint32_t v = m->nobj; v < n; v++)
        if (m->roots[v - m->nobj].registry == registry)
            for (uint32_t e = es[v]; e < es[v + 1]; e++)
                reach(bits, &f, ed[e]);
    while (f.head < f.tail) {
        const uint32_t *q = f.q + f.head;
        size_t ahead = f.tail - f.head;
        if (ahead > 16)
            __builtin_prefetch(&es[q[16]]);
        if (ahead > 8)
            __builtin_prefetch(&ed[es[q[8]]]);
        if (ahead > 4) {
            uint32_t u = q[4];
            for (uint32_t e = es[u]; e < es[u + 1] && e < es[u] + 8; e++)
                if (ed[e] != RT_NONE)
                    __builtin_prefetch(&bits[ed[e] / 64]);
        }
        uint32_t v = q[0];
        f.head++;
        if (pr->cut_from && BIT(pr->cut_from, v)) {
            for (uint32_t e = es[v]; e < es[v + 1]; e++)
                if (!is_cut(pr, v, ed[e]))
                    reach(bits, &f, ed[e]);
            continue;
        }
        for (uint32_t e = es[v]; e < es[v + 1]; e++)
            reach(bits, &f, ed[e]);
    }
    free(f.q);
    return f.count;
}

/* Whether the edge v -> t survives the cut (model_reverse_lists' keep). */
static int not_cut(const void *ctx, uint32_t v, uint32_t t)
{
    const rt_prune *pr = ctx;
    return !(pr->cut_from && v < pr->nobj && BIT(pr->cut_from, v) && is_cut(pr, v, t));
}

/* compact(m, prog)'s rule on the reverse graph: the entry u of node t goes
 * when u keeps only edges outside prog and t is in it. */
static void drop_reverse(const rt_model *m, rt_prune *pr)
{
    uint32_t n = model_nnodes(m), w = 0, begin = 0;
    for (uint32_t t = 0; t < n; t++) {
        uint32_t end = pr->rstart[t + 1];
        int into = t < m->nobj && BIT(pr->prog, t);
        pr->rstart[t] = w;
        for (uint32_t e = begin; e < end; e++) {
            uint32_t u = pr->rsrc[e];
            int keep_all = u < m->nobj ? (int)BIT(pr->prog, u) : !m->roots[u - m->nobj].registry;
            if (keep_all || !into)
                pr->rsrc[w++] = u;
        }
        begin = end;
    }
    pr->rstart[n] = w;
}

void model_prune_begin(const rt_model *m, uint64_t *cut, size_t ncut, int want_reverse, rt_prune *pr)
{
    memset(pr, 0, sizeof *pr);
    pr->cut = cut;
    pr->ncut = ncut;
    pr->nobj = m->nobj;
    for (uint32_t r = 0; r < m->nroot; r++)
        pr->registries |= m->roots[r].registry;
    if (ncut) {
        /* sorted for is_cut; the objects they leave marked, so that the
         * searches look up only their edges */
        qsort(cut, ncut, sizeof *cut, cmp_u64);
        pr->cut_from = rt_calloc((size_t)m->nobj / 64 + 1, sizeof *pr->cut_from);
        for (size_t i = 0; i < ncut; i++)
            if ((cut[i] >> 32) < m->nobj)
                pr->cut_from[(cut[i] >> 32) / 64] |= 1ULL << ((cut[i] >> 32) % 64);
    }
    /* the reverse graph of the edges as pruning leaves them: without the
     * cut ones here, without those compact drops besides afterwards
     * (drop_reverse); one thread, as this runs beside the typing */
    if (want_reverse && !m->redge_start)
        model_reverse_lists(m, not_cut, pr, 1, &pr->rstart, &pr->rsrc);
    if (!pr->registries)
        return;
    /* what the program's own roots reach */
    pr->prog = rt_calloc((size_t)m->nobj / 64 + 1, sizeof *pr->prog);
    pr->nreach = bfs(m, pr, 0, pr->prog);
}

void model_prune_end(rt_model *m, rt_prune *pr)
{
    /* the cut edges go (the search above went round them) */
    for (size_t i = 0; i < pr->ncut; i++) {
        uint32_t src = (uint32_t)(pr->cut[i] >> 32), dst = (uint32_t)pr->cut[i];
        for (uint32_t e = m->edge_start[src]; e < m->edge_start[src + 1]; e++)
            if (m->edge_dst[e] == dst)
                m->edge_dst[e] = RT_NONE;
    }
    free(pr->cut_from);
    pr->cut_from = NULL;
    pr->ncut = 0;
    if (pr->registries) {
        /* drop edges from the rest (objects and registry roots) into it */
        compact(m, pr->prog);
        if (pr->rstart)
            drop_reverse(m, pr);
        /* and what the registries reach besides: the graph is final, so
         * this is what every root reaches, kept for reach_compute (one
         * search of the whole heap instead of two) */
        pr->nreach += bfs(m, pr, 1, pr->prog);
        free(m->reach_bits);
        m->reach_bits = pr->prog;
        m->nreach = pr->nreach;
        /* in id order, not as met: one sweep over the objects, not a
         * cache miss per object */
        m->reach_bytes = 0;
        for (uint32_t w = 0; w <= m->nobj / 64; w++)
            for (uint64_t b = pr->prog[w]; b; b &= b - 1)
                m->reach_bytes += m->objects[w * 64 + (uint32_t)__builtin_ctzll(b)].size;
    } else {
        compact(m, NULL);
    }
    if (pr->rstart) {
        m->redge_start = pr->rstart;
        m->redge_src = pr->rsrc;
    }
    memset(pr, 0, sizeof *pr);
}

void model_prune_edges(rt_model *m)
{
    rt_prune pr;
    model_prune_begin(m, NULL, 0, 0, &pr);
    model_prune_end(m, &pr);
}
