/* paths.c — shortest paths root → object.
 *
 * A breadth-first search backwards from the target gives every node its
 * distance to the target; the nearest roots win, ties going to the root
 * that sorts first (roots are stored in tie-break order).  Each path is
 * then walked forward, always stepping to the lowest-addressed successor
 * one step closer, so answers are deterministic. */
#include "analysis/paths.h"

#include <string.h>

#include "util/alloc.h"

#define FAR UINT32_MAX
/* dist[] holds the level + 1, 0 for not met: calloc's pages come zeroed
 * from the kernel and only the few a search touches are ever faulted in,
 * where filling 4 bytes per node with FAR cost more than the search on a
 * 10 M-object heap asked from its index */
#define DIST(v) (dist[v] - 1)

void paths_find(rt_model *m, uint32_t target, uint32_t max_paths, rt_paths *out)
{
    memset(out, 0, sizeof *out);
    if (target >= m->nobj || max_paths == 0)
        return;
    model_build_reverse(m);
    uint32_t n = model_nnodes(m);
    uint32_t *dist = rt_calloc_sparse(n, sizeof *dist);
    uint32_t *queue = rt_malloc((size_t)n * sizeof *queue);
    uint32_t head = 0, tail = 0;
    dist[target] = 1;
    queue[tail++] = target;

    uint32_t *found = NULL; /* roots, in BFS level order */
    size_t nfound = 0, cap = 0;
    uint32_t stop_level = FAR;
    while (head < tail) {
        uint32_t v = queue[head++];
        if (DIST(v) >= stop_level)
            break;
        for (uint32_t e = m->redge_start[v]; e < m->redge_start[v + 1]; e++) {
            uint32_t u = m->redge_src[e];
            if (dist[u] != 0)
                continue;
            dist[u] = dist[v] + 1;
            if (model_is_root(m, u)) {
                RT_GROW(found, cap, nfound + 1);
                found[nfound++] = u;
                /* finish this level so equally near roots compete */
                if (nfound >= max_paths && stop_level == FAR)
                    stop_level = DIST(u);
            } else {
                queue[tail++] = u;
            }
        }
    }
    if (nfound == 0)
        out->unreachable_referrers = m->redge_start[target + 1] - m->redge_start[target];

    /* order: distance, then root id (= kind, name, address order) */
    for (size_t i = 1; i < nfound; i++) {
        uint32_t x = found[i];
        size_t j = i;
        while (j > 0 && (dist[found[j - 1]] > dist[x] ||
                         (dist[found[j - 1]] == dist[x] && found[j - 1] > x))) {
            found[j] = found[j - 1];
            j--;
        }
        found[j] = x;
    }
    if (nfound > max_paths)
        nfound = max_paths;

    out->paths = rt_calloc(nfound ? nfound : 1, sizeof *out->paths);
    for (size_t i = 0; i < nfound; i++) {
        rt_path *p = &out->paths[out->npaths++];
        uint32_t cur = found[i], len = DIST(cur);
        p->root = cur - m->nobj;
        p->nhops = len;
        p->hops = rt_malloc((size_t)len * sizeof *p->hops);
        p->offs = rt_malloc((size_t)len * sizeof *p->offs);
        for (uint32_t h = 0; h < len; h++) {
            uint32_t best = FAR, off = 0;
            for (uint32_t e = m->edge_start[cur]; e < m->edge_start[cur + 1]; e++) {
                uint32_t t = m->edge_dst[e];
                if (dist[t] == dist[cur] - 1 && t < best) {
                    best = t;
                    off = m->edge_off ? m->edge_off[e] : RT_OFF_NONE;
                }
            }
            if (best == FAR) { /* a saved index whose reverse graph is not the
                                  forward one's (index_load checks each alone) */
                p->nhops = h;
                break;
            }
            p->hops[h] = best;
            p->offs[h] = off;
            cur = best;
        }
    }
    free(found);
    free(queue);
    free(dist);
}

void paths_free(rt_paths *p)
{
    for (uint32_t i = 0; i < p->npaths; i++) {
        free(p->paths[i].hops);
        free(p->paths[i].offs);
    }
    free(p->paths);
    memset(p, 0, sizeof *p);
}
