/* graph_dominators.c — dominator tree (Lengauer–Tarjan), retained sizes,
 * children lists.
 *
 * Algorithm: T. Lengauer and R. E. Tarjan, "A fast algorithm for finding
 * dominators in a flowgraph", TOPLAS 1(1), 1979 — the "simple" version:
 * path compression without balanced linking, O(m log n).  We do not use
 * semi-NCA although it is a little simpler: its second phase climbs the
 * partial dominator tree and turns quadratic when many nodes sit below a
 * long dominator chain but also have an edge from near the root — a heap
 * with a million-element list whose tail holds objects that a global also
 * references is exactly that.
 *
 * Everything after the DFS works on DFS numbers (0 = root), not node ids,
 * so that "is x already linked into the forest" is simply "x > w" for the
 * node w being processed, and the arrays are only nreach long.
 *
 * Memory.  Heap graphs have ~10^7 nodes, so storage is shared wherever
 * lifetimes do not overlap.  Per node:
 *   out->idom  4 B  first num[v], v's DFS number (RT_NONE: unreached),
 *                   turned into the result in place at the end
 *   out->order 4 B  order[i], the node numbered i (part of the result)
 *   parent, next  4 + 4 B  during the DFS only: DFS parent, next successor
 *   nd         16 B one lt_node record per DFS number (see there: its four
 *                   fields carry eight of LT's arrays over their lifetimes),
 *                   made after the DFS from parent[]
 *   dom        4 B  dominator by DFS number
 * Temporaries: 8 bytes per node during the DFS, while the successors are
 * still held; then nd + dom = 20 bytes per reached node, after the caller
 * may have freed the successors (rt_digraph.succ_done).  Arrays sized n
 * before the DFS are shrunk to nreach after it. */
#include "analysis/graph_dominators.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* Prefetch hints.  On a random graph of 10^7 nodes almost every access
 * misses the cache, and the misses form dependent chains (node -> its
 * edge range -> the edges -> their DFS numbers -> their records); asking
 * for the next links early lets the misses overlap, which took about 40%
 * off the run time.  They never change a result.  PREFETCH_MAX
 * bounds the extra work for a node with a huge edge list. */
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif
#define PREFETCH_MAX 8

int digraph_bad_edge(rt_error *err, const rt_digraph *g, const char *dir, uint32_t v, uint32_t w)
{
    return RT_FAIL(err, RT_E_CORRUPT,
                   "dominators: node %u lists %s %u, but the graph has only %u nodes "
                   "(the edge arrays are inconsistent)",
                   v, dir, w, g->n);
}
/* Per DFS number: the state of one node during the computation, kept
 * together so that each step of a forest walk costs one cache miss
 * instead of three (random 10M-node graphs are bound by memory latency). */
typedef struct lt_node {
    uint32_t anc;   /* DFS parent; after the node's step its ancestor in the
                       compressed forest (the parent is not read again) */
    uint32_t label; /* before the node's step: head of its bucket (nodes whose
                       semidominator it is); after: LT's label, the node with
                       the smallest semi on the compressed path above */
    uint32_t lsemi; /* semi[label]: the semidominator of label, stored here so
                       that comparing labels needs no further lookup */
    uint32_t aux;   /* DFS: next successor position; in a bucket: the next
                       bucket member; then 1 when dom[] holds a relative
                       dominator that step 4 must resolve */
} lt_node;

/* Number the nodes reachable from root in DFS preorder: num[v] (pre-filled
 * with RT_NONE) gets v's number, order[i] the node numbered i, parent[i]
 * the number of its DFS-tree parent.  The DFS path is walked back through
 * the parents, so the only other per-node state is next[i], the next
 * successor position of node order[i]: a million-hop list costs no stack.
 * (Two 4-byte arrays rather than lt_node records: the DFS runs while the
 * successors still take their memory, so it must need less than LT.) */
static int dfs(const rt_digraph *g, uint32_t root, uint32_t *num, uint32_t *order, uint32_t *parent,
               uint32_t *next, uint32_t *nreach, rt_error *err)
{
    uint32_t cnt = 1, cur = 0, pos, end;

    num[root] = 0;
    order[0] = root;
    parent[0] = 0;
    digraph_nbrs(&g->succ_lo, &g->succ_hi, g->split, root, &next[0], &end);
    for (;;) {
        uint32_t v = order[cur], w = RT_NONE;
        const uint32_t *adj = digraph_nbrs(&g->succ_lo, &g->succ_hi, g->split, v, &pos, &end);

        for (pos = next[cur]; pos < end; pos++) {
            w = adj[pos];
            if (w >= g->n)
                return digraph_bad_edge(err, g, "successor", v, w);
            if (num[w] == RT_NONE)
                break;
        }
        if (pos < end) {
            next[cur] = pos + 1;
            num[w] = cnt;
            order[cnt] = w;
            parent[cnt] = cur;
            adj = digraph_nbrs(&g->succ_lo, &g->succ_hi, g->split, w, &next[cnt], &end);
            /* w's successors are looked at next, and the first unvisited
             * one is entered at once: ask for their numbers and ranges. */
            for (pos = next[cnt]; pos < end && pos - next[cnt] < PREFETCH_MAX; pos++)
                if (adj[pos] < g->n) {
                    PREFETCH(&num[adj[pos]]);
                    PREFETCH(digraph_seg_start(&g->succ_lo, &g->succ_hi, g->split, adj[pos]));
                }
            cur = cnt++;
        } else {
            if (cur == 0)
                break;
            cur = parent[cur];
        }
    }
    *nreach = cnt;
    return 0;
}

/* LT's EVAL: leaves in nd[v].label the node with the smallest semi on the
 * forest path from v up to, but not including, the root of v's forest
 * tree (and its semi in nd[v].lsemi), compressing the path on the way.
 * Nodes numbered >= linked are in the forest, v among them.  Iterative:
 * one walk up reverses the ancestor links, one walk down restores them
 * (now pointing at the root) and pushes the best label downwards — the
 * order in which the recursive COMPRESS does its work. */
static void eval(lt_node *nd, uint32_t v, uint32_t linked)
{
    uint32_t x = v, below = RT_NONE, top, best, best_semi;

    if (nd[v].anc < linked)
        return;
    while (nd[x].anc >= linked) {
        uint32_t up = nd[x].anc;
        nd[x].anc = below;
        below = x;
        x = up;
    }
    /* x: topmost forest node of the path; its label already covers itself. */
    top = nd[x].anc;
    best = nd[x].label;
    best_semi = nd[x].lsemi;
    while (below != RT_NONE) {
        lt_node *b = &nd[below];
        uint32_t down = b->anc;
        if (best_semi < b->lsemi) {
            b->label = best;
            b->lsemi = best_semi;
        } else {
            best = b->label;
            best_semi = b->lsemi;
        }
        b->anc = top;
        below = down;
    }
}

/* Semidominators and dominators by DFS number (LT steps 2-4).  nd[].anc
 * holds the DFS parents on entry.  On success dom[i] is the DFS number of
 * i's idom, dom[0] = 0. */
static int lt_dominators(const rt_digraph *g, const uint32_t *num, const uint32_t *order,
                         uint32_t nr, lt_node *nd, uint32_t *dom, rt_error *err)
{
    for (uint32_t i = 0; i < nr; i++)
        nd[i].label = RT_NONE; /* all buckets empty */
    for (uint32_t w = nr; w-- > 1;) {
        uint32_t node = order[w], p = nd[w].anc, s = p, pos, end, pf, pf_end;
        const uint32_t *adj = digraph_nbrs(&g->pred_lo, &g->pred_hi, g->split, node, &pos, &end);

        /* Software pipeline for the scans to come: the nodes 24, 12, 6 and
         * 3 steps further on each advance one link of their chain — pred
         * range, pred list, the preds' DFS numbers, the preds' records —
         * each stage using what the one before brought into the cache.
         * Written inline: as a helper function GCC found it free of side
         * effects and dropped the call. */
        if (w > 24)
            PREFETCH(digraph_seg_start(&g->pred_lo, &g->pred_hi, g->split, order[w - 24]));
        if (w > 12) {
            const uint32_t *a =
                digraph_nbrs(&g->pred_lo, &g->pred_hi, g->split, order[w - 12], &pf, &pf_end);
            if (pf < pf_end)
                PREFETCH(&a[pf]);
        }
        if (w > 6) {
            const uint32_t *a =
                digraph_nbrs(&g->pred_lo, &g->pred_hi, g->split, order[w - 6], &pf, &pf_end);
            for (uint32_t k = 0; pf < pf_end && k < PREFETCH_MAX; pf++, k++)
                if (a[pf] < g->n)
                    PREFETCH(&num[a[pf]]);
        }
        if (w > 3) {
            const uint32_t *a =
                digraph_nbrs(&g->pred_lo, &g->pred_hi, g->split, order[w - 3], &pf, &pf_end);
            for (uint32_t k = 0; pf < pf_end && k < PREFETCH_MAX; pf++, k++)
                if (a[pf] < g->n && num[a[pf]] != RT_NONE)
                    PREFETCH(&nd[num[a[pf]]]);
        }

        /* The DFS parent is a predecessor too; starting from it keeps the
         * result sane even if a pred list lacks the tree edge. */
        for (; pos < end; pos++) {
            uint32_t v = adj[pos], j, c;
            if (v >= g->n)
                return digraph_bad_edge(err, g, "predecessor", node, v);
            j = num[v];
            if (j == RT_NONE) /* unreachable predecessor: no path from root */
                continue;
            if (j <= w) {
                c = j;
            } else {
                eval(nd, j, w + 1);
                c = nd[j].lsemi;
            }
            if (c < s)
                s = c;
        }
        /* Into the bucket of s.  w's own bucket is empty: its members were
         * all taken out at the steps of w's children. */
        nd[w].aux = nd[s].label;
        nd[s].label = w;
        /* LINK(p, w): nd[w].anc == p already; w counts as linked now. */
        nd[w].label = w;
        nd[w].lsemi = s;

        /* Every node in p's bucket has p as semidominator and lies in the
         * subtree of w, which is now complete. */
        for (uint32_t v = nd[p].label; v != RT_NONE;) {
            uint32_t nx = nd[v].aux;
            eval(nd, v, w);
            if (nd[v].lsemi < p) {
                dom[v] = nd[v].label; /* same idom as that node: step 4 */
                nd[v].aux = 1;
            } else {
                dom[v] = p;
                nd[v].aux = 0;
            }
            v = nx;
        }
        nd[p].label = RT_NONE;
    }
    dom[0] = 0;
    /* Step 4: in preorder, a node whose relative dominator u is not its
     * semidominator has the same idom as u. */
    for (uint32_t w = 1; w < nr; w++)
        if (nd[w].aux)
            dom[w] = dom[dom[w]];
    return 0;
}

int domtree_compute(const rt_digraph *g, uint32_t root, rt_domtree *out, rt_error *err)
{
    uint32_t n = g->n, nr = 0;
    uint32_t *num, *order, *dom;
    lt_node *nd;
    int rc;

    memset(out, 0, sizeof *out);
    if (n == RT_NONE || g->split > n)
        return RT_FAIL(err, RT_E_USAGE, "dominators: bad graph shape (n %u, split %u)", n,
                       g->split);
    if (root >= n)
        return RT_FAIL(err, RT_E_USAGE, "dominators: root %u is not a node (graph has %u)", root,
                       n);

    num = rt_malloc((size_t)n * sizeof *num);
    memset(num, 0xff, (size_t)n * sizeof *num); /* RT_NONE everywhere */
    order = rt_malloc((size_t)n * sizeof *order);
    uint32_t *parent = rt_malloc((size_t)n * sizeof *parent);
    uint32_t *next = rt_malloc((size_t)n * sizeof *next);
    rc = dfs(g, root, num, order, parent, next, &nr, err);
    free(next);
    if (rc < 0) {
        free(num);
        free(order);
        free(parent);
        return rc;
    }
    /* Let the caller give back the successors, and give back what the
     * unreachable part of the graph does not need, before LT's records. */
    if (g->succ_done)
        g->succ_done(g->succ_done_ctx);
    order = rt_reallocarray(order, nr, sizeof *order);
    nd = rt_malloc((size_t)nr * sizeof *nd);
    for (uint32_t i = 0; i < nr; i++)
        nd[i].anc = parent[i];
    free(parent);

    dom = rt_malloc((size_t)nr * sizeof *dom);
    rc = lt_dominators(g, num, order, nr, nd, dom, err);
    free(nd);
    if (rc < 0) {
        free(num);
        free(order);
        free(dom);
        return rc;
    }

    /* num[] becomes idom[] in place: each node's slot is read once, then
     * overwritten with its dominator's node id. */
    for (uint32_t i = 0; i < nr; i++)
        num[order[i]] = order[dom[i]];
    free(dom);

    out->n = n;
    out->idom = num;
    out->order = order;
    out->nreach = nr;
    return 0;
}

void domtree_free(rt_domtree *t)
{
    if (!t)
        return;
    free(t->idom);
    free(t->order);
    memset(t, 0, sizeof *t);
}

void domtree_retained(const rt_domtree *t, const uint64_t *shallow, uint64_t *retained_bytes,
                      uint32_t *retained_count)
{
    memset(retained_bytes, 0, (size_t)t->n * sizeof *retained_bytes);
    if (retained_count)
        memset(retained_count, 0, (size_t)t->n * sizeof *retained_count);
    for (uint32_t i = 0; i < t->nreach; i++) {
        uint32_t v = t->order[i];
        retained_bytes[v] = shallow ? shallow[v] : 0;
        if (retained_count)
            retained_count[v] = 1;
    }
    /* A dominator precedes in preorder every node it dominates, so one
     * pass in reverse preorder has each subtree summed before it is added
     * to its parent's. */
    for (uint32_t i = t->nreach; i-- > 1;) {
        uint32_t v = t->order[i], d = t->idom[v];
        retained_bytes[d] += retained_bytes[v];
        if (retained_count)
            retained_count[d] += retained_count[v];
    }
}

/* Child order: larger retained size first, then smaller node id. */
static int goes_before(const uint64_t *ret, uint32_t a, uint32_t b)
{
    return ret[a] != ret[b] ? ret[a] > ret[b] : a < b;
}

/* Bottom-up merge sort of x[0..k) by goes_before, tmp[] as scratch of
 * the same length: iterative, O(k log k) even for the super-root's
 * millions of children (heapsort was ten times slower there: its random
 * jumps miss the cache on every step). */
static void sort_children(uint32_t *x, size_t k, const uint64_t *ret, uint32_t *tmp)
{
    enum { RUN = 16 };
    uint32_t *from = x, *to = tmp;

    /* short runs by insertion */
    for (size_t lo = 0; lo < k; lo += RUN) {
        size_t hi = lo + RUN < k ? lo + RUN : k;
        for (size_t i = lo + 1; i < hi; i++) {
            uint32_t v = x[i];
            size_t j = i;
            for (; j > lo && goes_before(ret, v, x[j - 1]); j--)
                x[j] = x[j - 1];
            x[j] = v;
        }
    }
    for (size_t width = RUN; width < k; width *= 2) {
        for (size_t lo = 0; lo < k; lo += 2 * width) {
            size_t mid = lo + width < k ? lo + width : k;
            size_t hi = lo + 2 * width < k ? lo + 2 * width : k;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                to[o++] = goes_before(ret, from[j], from[i]) ? from[j++] : from[i++];
            while (i < mid)
                to[o++] = from[i++];
            while (j < hi)
                to[o++] = from[j++];
        }
        uint32_t *t = from;
        from = to;
        to = t;
    }
    if (from != x)
        memcpy(x, from, k * sizeof *x);
}

void domtree_children(const rt_domtree *t, const uint64_t *retained_bytes, uint32_t **child_start,
                      uint32_t **child)
{
    uint32_t n = t->n, root = t->nreach ? t->order[0] : RT_NONE;
    uint32_t *cs = rt_calloc((size_t)n + 1, sizeof *cs);
    uint32_t *ch = rt_malloc((size_t)(t->nreach ? t->nreach - 1 : 0) * sizeof *ch);
    uint32_t sum = 0;

    for (uint32_t v = 0; v < n; v++)
        if (t->idom[v] != RT_NONE && v != root)
            cs[t->idom[v]]++;
    /* cs[v] = end of v's run; filling backwards by descending id moves it
     * to the start and leaves each run in ascending id order. */
    for (uint32_t v = 0; v < n; v++) {
        sum += cs[v];
        cs[v] = sum;
    }
    cs[n] = sum;
    for (uint32_t v = n; v-- > 0;)
        if (t->idom[v] != RT_NONE && v != root)
            ch[--cs[t->idom[v]]] = v;
    if (retained_bytes) {
        uint32_t most = 0, *tmp;
        for (uint32_t v = 0; v < n; v++)
            if (cs[v + 1] - cs[v] > most)
                most = cs[v + 1] - cs[v];
        tmp = rt_malloc((size_t)most * sizeof *tmp);
        for (uint32_t v = 0; v < n; v++)
            if (cs[v + 1] - cs[v] > 1)
                sort_children(ch + cs[v], cs[v + 1] - cs[v], retained_bytes, tmp);
        free(tmp);
    }
    *child_start = cs;
    *child = ch;
}
