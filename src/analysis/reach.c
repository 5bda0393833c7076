/* reach.c — reachability from the roots: one BFS, one bit per object. */
#include "analysis/reach.h"

#include <string.h>

#include "util/alloc.h"

void reach_compute(const rt_model *m, rt_reach *r)
{
    uint32_t n = m->nobj;
    r->bits = rt_calloc((size_t)n / 64 + 1, sizeof *r->bits);
    if (m->reach_bits) { /* found while loading */
        memcpy(r->bits, m->reach_bits, ((size_t)n / 64 + 1) * sizeof *r->bits);
        r->nreachable = m->nreach;
        r->reachable_bytes = m->reach_bytes;
        return;
    }
    r->nreachable = 0;
    r->reachable_bytes = 0;
    uint32_t *queue = rt_malloc(((size_t)n + 1) * sizeof *queue);
    uint32_t head = 0, tail = 0;
    for (uint32_t v = n; v < model_nnodes(m); v++) {
        for (uint32_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++) {
            uint32_t t = m->edge_dst[e];
            if (r->bits[t / 64] >> (t % 64) & 1)
                continue;
            r->bits[t / 64] |= 1ULL << (t % 64);
            queue[tail++] = t;
        }
    }
    while (head < tail) {
        uint32_t v = queue[head++];
        r->reachable_bytes += m->objects[v].size;
        for (uint32_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++) {
            uint32_t t = m->edge_dst[e];
            if (r->bits[t / 64] >> (t % 64) & 1)
                continue;
            r->bits[t / 64] |= 1ULL << (t % 64);
            queue[tail++] = t;
        }
    }
    r->nreachable = tail;
    free(queue);
}

void reach_free(rt_reach *r)
{
    free(r->bits);
    r->bits = NULL;
}
