/* domcut.h — a cut of the dominator tree small enough to show: breadth
 * first from a node, the children retaining at least a minimum, largest
 * first, up to a number of nodes in all.  `export --format dot` and the
 * report's tree draw the same cut; `dominators` walks depth first with
 * the same size rule (children sorted by retained bytes, cut at the first
 * under the minimum). */
#ifndef RETAIN_ANALYSIS_DOMCUT_H
#define RETAIN_ANALYSIS_DOMCUT_H

#include <stdint.h>

#include "analysis/retained.h"

typedef struct rt_cut_node {
    uint32_t node;          /* the dominator tree's node */
    uint32_t parent;        /* index in the cut, UINT32_MAX for the start */
    uint32_t first_child;   /* its shown children: [first_child, +nchild) */
    uint32_t nchild;
    uint32_t hidden;        /* children the cut left out */
    uint64_t hidden_bytes;  /* what they retain together */
} rt_cut_node;

typedef struct rt_domcut {
    rt_cut_node *nodes;     /* breadth-first order */
    uint32_t n;
} rt_domcut;

/* cs/ch: the tree's children (domtree_children, sorted by retained bytes,
 * descending). */
void domcut_bfs(const rt_retained *r, const uint32_t *cs, const uint32_t *ch, uint32_t start, uint64_t min_bytes,
                uint32_t max_nodes, rt_domcut *out);
void domcut_free(rt_domcut *c);

#endif
