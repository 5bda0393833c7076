/* domcut.c — a breadth-first cut of the dominator tree (domcut.h). */
#include "analysis/domcut.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void domcut_bfs(const rt_retained *r, const uint32_t *cs, const uint32_t *ch, uint32_t start, uint64_t min_bytes,
                uint32_t max_nodes, rt_domcut *out)
{
    if (max_nodes > r->super + 1) /* no more than the tree has */
        max_nodes = r->super + 1;
    if (max_nodes < 1)
        max_nodes = 1;
    out->nodes = rt_malloc((size_t)max_nodes * sizeof *out->nodes);
    out->nodes[0] = (rt_cut_node){ start, UINT32_MAX, 0, 0, 0, 0 };
    uint32_t tail = 1;
    for (uint32_t head = 0; head < tail; head++) {
        rt_cut_node *p = &out->nodes[head];
        uint32_t v = p->node, i = cs[v];
        p->first_child = tail;
        for (; i < cs[v + 1]; i++) {
            uint32_t c = ch[i];
            if (r->bytes[c] < min_bytes || tail >= max_nodes)
                break; /* children are sorted by retained size */
            out->nodes[tail++] = (rt_cut_node){ c, head, 0, 0, 0, 0 };
        }
        p->nchild = tail - p->first_child;
        p->hidden = cs[v + 1] - i;
        for (; i < cs[v + 1]; i++)
            p->hidden_bytes += r->bytes[ch[i]];
    }
    out->n = tail;
}

void domcut_free(rt_domcut *c)
{
    free(c->nodes);
    memset(c, 0, sizeof *c);
}
