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

/* Mark t reached: queue it, count it. */
static inline void reach(rt_model *m, uint64_t *bits, uint32_t *queue, uint32_t *tail, uint32_t t)
{
    if (t == RT_NONE || BIT(bits, t))
        return;
    bits[t / 64] |= 1ULL << (t % 64);
    queue[(*tail)++] = t;
    m->reach_bytes += m->objects[t].size;
}

/* Breadth first from the roots whose registry flag is registry, over
 * objects not yet in bits, from queue[*tail] on. */
static void bfs(rt_model *m, int registry, uint64_t *bits, uint32_t *queue, uint32_t *tail)
{
    uint32_t n = model_nnodes(m), head = *tail;
    for (uint32_t v = m->nobj; v < n; v++)
        if (m->roots[v - m->nobj].registry == registry)
            for (uint32_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++)
                reach(m, bits, queue, tail, m->edge_dst[e]);
    for (; head < *tail; head++) {
        uint32_t v = queue[head];
        for (uint32_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++)
            reach(m, bits, queue, tail, m->edge_dst[e]);
    }
}

void model_prune_edges(rt_model *m)
{
    uint32_t any = 0;
    for (uint32_t r = 0; r < m->nroot; r++)
        any |= m->roots[r].registry;
    if (!any) {
        compact(m, NULL);
        return;
    }
    /* what the program's own roots reach */
    uint64_t *prog = rt_calloc((size_t)m->nobj / 64 + 1, sizeof *prog);
    uint32_t *queue = rt_malloc(((size_t)m->nobj + 1) * sizeof *queue);
    uint32_t tail = 0;
    m->reach_bytes = 0;
    bfs(m, 0, prog, queue, &tail);
    /* drop edges from the rest (objects and registry roots) into it */
    compact(m, prog);
    /* and what the registries reach besides: the graph is final, so this
     * is what every root reaches, kept for reach_compute (one search of
     * the whole heap instead of two) */
    bfs(m, 1, prog, queue, &tail);
    free(queue);
    free(m->reach_bits);
    m->reach_bits = prog;
    m->nreach = tail;
}
