/* path_tree.c — shortest paths to every object, one BFS (path_tree.h). */
#include "analysis/path_tree.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

static void visit(const rt_model *m, rt_path_tree *t, uint32_t v, uint32_t *tail)
{
    for (uint64_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++) {
        uint32_t c = m->edge_dst[e];
        if (c >= m->nobj || t->parent[c] != RT_NONE)
            continue;
        t->parent[c] = v;
        t->poff[c] = m->edge_off ? m->edge_off[e] : 0;
        t->depth[c] = v >= m->nobj ? 1 : t->depth[v] + 1;
        t->order[(*tail)++] = c;
    }
}

void path_tree_compute(const rt_model *m, rt_path_tree *t)
{
    uint32_t nn = m->nobj + m->nroot;
    t->parent = rt_malloc(((size_t)nn + 1) * sizeof *t->parent);
    t->poff = rt_calloc((size_t)nn + 1, sizeof *t->poff);
    t->depth = rt_calloc((size_t)nn + 1, sizeof *t->depth);
    t->order = rt_malloc(((size_t)m->nobj + 1) * sizeof *t->order);
    for (uint32_t v = 0; v < nn; v++)
        t->parent[v] = RT_NONE;
    uint32_t head = 0, tail = 0;
    for (uint32_t r = 0; r < m->nroot; r++)
        visit(m, t, m->nobj + r, &tail);
    while (head < tail)
        visit(m, t, t->order[head++], &tail);
    t->norder = tail;
}

void path_tree_free(rt_path_tree *t)
{
    free(t->parent);
    free(t->poff);
    free(t->depth);
    free(t->order);
    memset(t, 0, sizeof *t);
}
