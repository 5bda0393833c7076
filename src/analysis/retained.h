/* retained.h — dominator tree over the whole root hierarchy and the
 * retained size of every node.
 *
 * Node ids extend the model's (DESIGN.md):
 *   [0, nobj)                  objects
 *   [nobj, nobj + nroot)       root variables
 *   [group0, group0 + ngroup)  groups: globals, one per goroutine,
 *                              finalizers, runtime (only those with roots)
 *   super = n - 1              the virtual super-root
 * so `roots` can rank single variables and whole goroutines alike. */
#ifndef RETAIN_ANALYSIS_RETAINED_H
#define RETAIN_ANALYSIS_RETAINED_H

#include "analysis/graph_dominators.h"
#include "analysis/paths.h"
#include "model/model.h"

typedef struct rt_group {
    uint8_t kind;       /* rt_group_kind */
    uint64_t goroutine; /* for RT_GROUP_GOROUTINE */
    uint32_t function;  /* goroutine's top user frame (string id), 0 if unknown */
} rt_group;

typedef struct rt_retained {
    uint32_t n;          /* all nodes */
    uint32_t group0, ngroup, super;
    rt_group *groups;    /* ngroup */
    uint32_t *root_group;/* per model root: the index of its group in groups */
    rt_domtree tree;
    uint64_t *bytes;     /* n: retained bytes */
    uint32_t *objects;   /* n: retained objects (virtual nodes count 0 themselves) */
    uint64_t heap_bytes; /* all allocated bytes */
    int borrowed;        /* the arrays are a saved index's (rt_model.saved_retained):
                            retained_free leaves them */
} rt_retained;

/* The dominator tree and retained sizes.  flags: RETAINED_LAST frees the
 * model's forward edges (and offsets) as soon as the tree's DFS is done,
 * for a command whose last use of the graph this is: about 12 bytes per
 * edge off the peak. */
#define RETAINED_LAST 1
/* Keep the model's reverse edges (shared_compute reads the predecessors
 * of the memory several roots share); without it they are freed as soon
 * as the tree is built. */
#define RETAINED_KEEP_REVERSE 2
/* A model read from a saved index answers with the tree saved in it. */
int retained_compute(rt_model *m, rt_retained *r, int flags, rt_error *err);
void retained_free(rt_retained *r);

/* For a question about one object (why): its dominators and their
 * retained sizes (graph_dominators.h, rt_domchain; the chain ends at the
 * super-root), found by one search along path, the first of paths_find
 * (NULL: the object is unreachable, out->n = 0), instead of the whole
 * tree; from the saved tree when the model has one.  r gets the groups
 * (retained_label) and, only then, the tree.  Frees the model's reverse
 * edges. */
int retained_chain(rt_model *m, uint32_t target, const rt_path *path, rt_retained *r,
                   rt_domchain *out, rt_error *err);

/* The children of each node of the dominator tree, as a CSR: borrowed
 * from a saved index when the model has them (index_load checked that
 * they are the tree's), else computed and owned.  Largest retained first
 * (domtree_children with r->bytes) when sorted, else in any order
 * (computed without the sort; a saved index's are sorted anyway). */
typedef struct rt_children {
    const uint32_t *start, *child;
    uint32_t *own_start, *own_child; /* what retained_children_free frees */
} rt_children;
void retained_children(const rt_model *m, const rt_retained *r, int sorted, rt_children *out);
void retained_children_free(rt_children *c);

/* Describe a node in a few words ("main.Node", "global main.head",
 * "goroutine 7 main.worker", "globals").  Writes into buf. */
const char *retained_label(const rt_model *m, const rt_retained *r, uint32_t node, char *buf, size_t len);

static inline int retained_is_object(const rt_model *m, uint32_t node) { return node < m->nobj; }

#endif
