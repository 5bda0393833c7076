/* graph_dominators.h — dominator tree and retained sizes of a directed graph.
 *
 * Node d dominates v when every path from the root to v passes through d;
 * the immediate dominator of v is its closest strict dominator.  The
 * retained size of v is what the heap would lose if v went away: the
 * shallow sizes of all nodes v dominates, v included.
 *
 * The graph is given as two CSR segments so that the model's big object
 * graph can be extended by a few virtual nodes (roots' group nodes, the
 * super-root) without copying it.  Both successor and predecessor lists
 * are needed; predecessors of nodes the root does not reach are ignored.
 *
 * Cost: O(m log n) time (Lengauer–Tarjan with path compression), no
 * recursion, 20 bytes of temporaries per node (freed before return) on top
 * of the 8 bytes per node of the result. */
#ifndef RETAIN_ANALYSIS_GRAPH_DOMINATORS_H
#define RETAIN_ANALYSIS_GRAPH_DOMINATORS_H

#include <stdint.h>

#include "util/error.h"

#ifndef RT_NONE
#define RT_NONE UINT32_MAX /* "no id"; same value as in model/model.h */
#endif

/* One CSR segment: the neighbours of node v are adj[start[i] .. start[i+1])
 * with i = v - (first node of the segment).  start has one entry more than
 * the segment has nodes; adj holds node ids of the whole graph. */
typedef struct rt_csr {
    const uint32_t *start;
    const uint32_t *adj;
} rt_csr;

/* A directed graph of n nodes in two segments: nodes [0, split) use
 * succ_lo / pred_lo (indexed by v), nodes [split, n) use succ_hi / pred_hi
 * (indexed by v - split).  split == n means the hi segments are unused and
 * may be left empty.  n must be below RT_NONE. */
typedef struct rt_digraph {
    uint32_t n;       /* number of nodes */
    uint32_t split;   /* first node of the hi segment, 0 <= split <= n */
    rt_csr succ_lo;   /* successors of nodes [0, split) */
    rt_csr succ_hi;   /* successors of nodes [split, n) */
    rt_csr pred_lo;   /* predecessors of nodes [0, split) */
    rt_csr pred_hi;   /* predecessors of nodes [split, n) */
    /* Called once the successors are no longer read (after the DFS), so
     * the caller can free them before the memory-hungry phase; NULL: not
     * called. */
    void (*succ_done)(void *ctx);
    void *succ_done_ctx;
} rt_digraph;

/* Where the neighbour range of v starts in one direction (lo/hi segment
 * pair); the range ends at the next entry. */
static inline const uint32_t *digraph_seg_start(const rt_csr *lo, const rt_csr *hi, uint32_t split, uint32_t v)
{
    return v < split ? &lo->start[v] : &hi->start[v - split];
}

/* Neighbours of v in one direction: sets [*begin, *end) and returns the
 * adjacency array those positions index. */
static inline const uint32_t *digraph_nbrs(const rt_csr *lo, const rt_csr *hi, uint32_t split, uint32_t v,
                                           uint32_t *begin, uint32_t *end)
{
    const uint32_t *st = digraph_seg_start(lo, hi, split, v);
    *begin = st[0];
    *end = st[1];
    return v < split ? lo->adj : hi->adj;
}

/* The one-line refusal of an adjacency entry w of node v ("successor" or
 * "predecessor", dir) that names no node of g: RT_E_CORRUPT. */
int digraph_bad_edge(rt_error *err, const rt_digraph *g, const char *dir, uint32_t v, uint32_t w);

/* The result of domtree_compute; owned by the caller, released with
 * domtree_free. */
typedef struct rt_domtree {
    uint32_t n;       /* number of nodes of the graph */
    uint32_t *idom;   /* n entries: immediate dominator; idom[root] = root;
                         RT_NONE for nodes the root does not reach */
    uint32_t *order;  /* nreach entries: reachable nodes in DFS preorder
                         (successors taken in adjacency order), order[0] =
                         root.  A dominator always precedes the nodes it
                         dominates. */
    uint32_t nreach;  /* number of nodes reachable from root, root included */
} rt_domtree;

/* Compute the dominator tree of g rooted at root into *out.  Deterministic:
 * the same graph gives the same tree and the same order.  Fails with
 * RT_E_USAGE if root or split is out of range, RT_E_CORRUPT if an
 * adjacency entry names no node; on failure *out is empty (all zero). */
int domtree_compute(const rt_digraph *g, uint32_t root, rt_domtree *out, rt_error *err);

/* Free the arrays of t and empty it.  NULL-safe. */
void domtree_free(rt_domtree *t);

/* Retained sizes.  shallow[v] is the size of node v in bytes (NULL: 0 for
 * every node).  Fills retained_bytes[t->n] with the sum of shallow sizes of
 * the nodes each node dominates, itself included, and, unless NULL,
 * retained_count[t->n] with how many nodes that is.  Unreachable nodes get
 * 0 in both. */
void domtree_retained(const rt_domtree *t, const uint64_t *shallow, uint64_t *retained_bytes,
                      uint32_t *retained_count);

/* The children of each node in the dominator tree, as CSR for printing the
 * tree: the children of v are (*child)[(*child_start)[v] ..
 * (*child_start)[v+1]), sorted by retained_bytes descending, then by node
 * id (retained_bytes NULL: by node id).  *child_start gets t->n + 1
 * entries, *child one per reachable node other than the root.  The caller
 * owns both arrays and releases them with free(). */
void domtree_children(const rt_domtree *t, const uint64_t *retained_bytes, uint32_t **child_start,
                      uint32_t **child);

/* The dominators of one node v with the retained size of each, for a
 * question about one node (graph_domchain.c): one search, O(n + m), no
 * predecessors needed.  path[0..len) is any simple path from the root
 * (path[0]) to v (path[len - 1]); every dominator lies on it. */
typedef struct rt_domchain {
    uint32_t n;       /* entries: v, its immediate dominator, ..., the root */
    uint32_t *node;
    uint64_t *bytes;  /* retained bytes of each (shallow() summed) */
    uint32_t *count;  /* retained nodes of each, counting nodes below split only */
} rt_domchain;

/* shallow(ctx, v): the size of node v in bytes (NULL: 0 for every node).
 * Fails with RT_E_USAGE when path is not a simple path of g (the caller
 * may fall back to domtree_compute), RT_E_CORRUPT if an adjacency entry
 * names no node; on failure *out is empty.  The answers equal the whole
 * tree's: node[k + 1] == idom[node[k]], bytes as domtree_retained's. */
int domchain_compute(const rt_digraph *g, const uint32_t *path, uint32_t len,
                     uint64_t (*shallow)(const void *ctx, uint32_t v), const void *ctx,
                     rt_domchain *out, rt_error *err);
void domchain_free(rt_domchain *c); /* NULL-safe */

#endif
