/* path_tree.h — every reachable object's shortest path at once: a
 * breadth-first tree from all roots, taken in the model's root order (the
 * tie-break order `why` uses), so each object's parent is the first node
 * that reached it at the least depth. */
#ifndef RETAIN_ANALYSIS_PATH_TREE_H
#define RETAIN_ANALYSIS_PATH_TREE_H

#include "model/model.h"

typedef struct rt_path_tree {
    uint32_t *parent;   /* per node (objects and roots): who reached it, RT_NONE if none */
    uint32_t *poff;     /* the pointer's offset in the parent */
    uint32_t *depth;    /* hops from the root: 1 for what a root points at */
    uint32_t *order;    /* reachable objects, parents first */
    uint32_t norder;
} rt_path_tree;

/* Needs the model's forward edges (and their offsets, for poff). */
void path_tree_compute(const rt_model *m, rt_path_tree *t);
void path_tree_free(rt_path_tree *t);

#endif
