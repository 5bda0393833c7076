/* graph_domchain.c — the dominators of one node and the retained sizes
 * of it and of each of them, in one traversal of the graph, without the
 * whole tree (graph_dominators.h).
 *
 * `why` asks about one object; the whole tree costs a Lengauer–Tarjan
 * run over every node and the predecessor lists, where one node needs
 * only a search.  Given one simple path P[0] = root, ..., P[L] = v, every
 * dominator of v lies on P.  The search visits what the root reaches
 * without entering the path nodes not yet released; entering P[j] from
 * there (hi: the furthest such j) proves P[f+1..j-1] are not dominators
 * (the rest of P goes round them).  When the search is exhausted and the
 * furthest entry is P[f+1], every way onward goes through P[f+1]: it is a
 * dominator, and what has been visited so far is exactly what the root
 * reaches without it (no later path node can be reached around it, or v
 * could be too).  So its retained size is everything reachable minus the
 * visited so far, read off at that moment; the search then goes on
 * through P[f+1].  Each node and edge is looked at once: O(n + m).
 *
 * The reference is the whole tree (domtree_compute), which
 * tests/unit/test_dominators.c checks this against. */
#include "analysis/graph_dominators.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

typedef struct dc_search {
    const rt_digraph *g;
    uint64_t *seen;   /* visited or released, one bit per node */
    uint64_t *onpath; /* on P, one bit per node */
    /* the index on P of a node of P: open addressing, key node + 1 */
    uint32_t *pkey, *pidx;
    uint32_t pmask;
    uint32_t *stack;
    size_t nstack, cap;
    uint32_t hi;      /* the furthest path node entered from the visited part */
    uint64_t bytes;   /* shallow bytes of the nodes visited so far */
    uint32_t count;   /* nodes below split visited so far */
    uint64_t (*shallow)(const void *ctx, uint32_t v);
    const void *ctx;
} dc_search;

static int bit(const uint64_t *b, uint32_t v) { return (int)(b[v / 64] >> (v % 64) & 1); }
static void set_bit(uint64_t *b, uint32_t v) { b[v / 64] |= 1ULL << (v % 64); }

static uint32_t path_index(const dc_search *s, uint32_t v)
{
    for (uint32_t h = (uint32_t)rt_hash64(v) & s->pmask;; h = (h + 1) & s->pmask)
        if (s->pkey[h] == v + 1 || !s->pkey[h])
            return s->pkey[h] ? s->pidx[h] : RT_NONE;
}

/* Count v as reached and queue its successors for a look. */
static void enter(dc_search *s, uint32_t v)
{
    set_bit(s->seen, v);
    if (s->shallow)
        s->bytes += s->shallow(s->ctx, v);
    if (v < s->g->split)
        s->count++;
    RT_GROW(s->stack, s->cap, s->nstack + 1);
    s->stack[s->nstack++] = v;
}

/* Visit everything reachable from the stack without entering a path
 * node not yet released; note the furthest one met. */
static int drain(dc_search *s, rt_error *err)
{
    const rt_digraph *g = s->g;
    while (s->nstack) {
        uint32_t v = s->stack[--s->nstack], e, end;
        const uint32_t *adj = digraph_nbrs(&g->succ_lo, &g->succ_hi, g->split, v, &e, &end);
        for (; e < end; e++) {
            uint32_t w = adj[e];
            if (w >= g->n)
                return digraph_bad_edge(err, g, "successor", v, w);
            if (bit(s->seen, w))
                continue;
            if (bit(s->onpath, w)) {
                uint32_t j = path_index(s, w);
                if (j != RT_NONE && j > s->hi)
                    s->hi = j;
                continue;
            }
            enter(s, w);
        }
    }
    return 0;
}

static int has_edge(const rt_digraph *g, uint32_t v, uint32_t w)
{
    uint32_t e, end;
    const uint32_t *adj = digraph_nbrs(&g->succ_lo, &g->succ_hi, g->split, v, &e, &end);
    for (; e < end; e++)
        if (adj[e] == w)
            return 1;
    return 0;
}

/* Take in P[0..len) (len = L + 1 nodes): distinct nodes of the graph,
 * each an edge from the one before. */
static int load_path(dc_search *s, const uint32_t *path, uint32_t len, rt_error *err)
{
    uint32_t cap = 16;
    while (cap < 2 * (uint64_t)len)
        cap *= 2;
    s->pkey = rt_calloc(cap, sizeof *s->pkey);
    s->pidx = rt_malloc((size_t)cap * sizeof *s->pidx);
    s->pmask = cap - 1;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t v = path[i];
        if (v >= s->g->n || bit(s->onpath, v))
            return RT_FAIL(err, RT_E_USAGE, "dominators: the path given names node %u %s", v,
                           v >= s->g->n ? "outside the graph" : "twice");
        if (i && !has_edge(s->g, path[i - 1], v))
            return RT_FAIL(err, RT_E_USAGE, "dominators: the path given has no edge from node %u to %u",
                           path[i - 1], v);
        set_bit(s->onpath, v);
        uint32_t h = (uint32_t)rt_hash64(v) & s->pmask;
        while (s->pkey[h])
            h = (h + 1) & s->pmask;
        s->pkey[h] = v + 1;
        s->pidx[h] = i;
    }
    return 0;
}

static void search_free(dc_search *s)
{
    free(s->seen);
    free(s->onpath);
    free(s->pkey);
    free(s->pidx);
    free(s->stack);
}

int domchain_compute(const rt_digraph *g, const uint32_t *path, uint32_t len,
                     uint64_t (*shallow)(const void *ctx, uint32_t v), const void *ctx,
                     rt_domchain *out, rt_error *err)
{
    memset(out, 0, sizeof *out);
    if (!len || g->split > g->n)
        return RT_FAIL(err, RT_E_USAGE, "dominators: %s", len ? "bad graph shape" : "no path given");
    dc_search s = { .g = g, .shallow = shallow, .ctx = ctx };
    size_t words = (size_t)g->n / 64 + 1;
    s.seen = rt_calloc(words, sizeof *s.seen);
    s.onpath = rt_calloc(words, sizeof *s.onpath);
    int rc = load_path(&s, path, len, err);
    /* the dominators met, by index on P, and what was visited without each */
    uint32_t *at = rt_malloc((size_t)len * sizeof *at), nat = 0, last = len - 1, f = 0;
    uint64_t *rb = rt_malloc((size_t)len * sizeof *rb);
    uint32_t *rn = rt_malloc((size_t)len * sizeof *rn);

    at[nat] = 0, rb[nat] = 0, rn[nat++] = 0; /* the root dominates everything */
    if (rc == 0)
        enter(&s, path[0]);
    while (rc == 0 && (rc = drain(&s, err)) == 0) {
        if (f == last)
            break; /* v itself was released: all reachable counted */
        if (s.hi <= f + 1) { /* (P[f] -> P[f + 1] is an edge: never below) */
            at[nat] = f + 1, rb[nat] = s.bytes, rn[nat++] = s.count;
            enter(&s, path[++f]);
        } else {
            while (f + 1 < s.hi)
                enter(&s, path[++f]);
        }
    }
    if (rc == 0) {
        /* nearest first: v, its immediate dominator, ..., the root */
        out->n = nat;
        out->node = rt_malloc((size_t)nat * sizeof *out->node);
        out->bytes = rt_malloc((size_t)nat * sizeof *out->bytes);
        out->count = rt_malloc((size_t)nat * sizeof *out->count);
        for (uint32_t k = 0; k < nat; k++) {
            uint32_t from = nat - 1 - k;
            out->node[k] = path[at[from]];
            out->bytes[k] = s.bytes - rb[from];
            out->count[k] = s.count - rn[from];
        }
    }
    free(at);
    free(rb);
    free(rn);
    search_free(&s);
    return rc;
}

void domchain_free(rt_domchain *c)
{
    if (!c)
        return;
    free(c->node);
    free(c->bytes);
    free(c->count);
    memset(c, 0, sizeof *c);
}
