/* shared.h — memory that several roots hold together, and what each root
 * reaches (DESIGN.md "Roots, registries and shared retention").
 *
 * The dominator tree already says who holds memory alone: a root's
 * subtree.  What it hangs directly under a group node or the super-root
 * (a "shared top" and its subtree) is held by several roots at once.
 * Every edge into a dominator subtree from outside enters at its top, so
 * collapsing each root's and each shared top's subtree into one node
 * leaves a small graph of owners; a search in it from each root finds
 * the shared tops it reaches.  Tops with the same set of roots form one
 * group; a root's reachable bytes are what it retains plus the retained
 * bytes of every shared top it reaches.
 *
 * Memory is bounded: past a budget of root ids kept over all distinct
 * sets, tops get one "too many roots" set, and the result says so. */
#ifndef RETAIN_ANALYSIS_SHARED_H
#define RETAIN_ANALYSIS_SHARED_H

#include "analysis/retained.h"

#define SHARED_TYPES 3 /* types kept per group, largest first */

typedef struct rt_shared_type {
    uint32_t type; /* string id of the type name, 0 = unknown */
    uint64_t bytes, count;
} rt_shared_type;

typedef struct rt_shared_group {
    uint32_t root_start, nroot; /* into rt_shared.roots */
    uint32_t ntop;              /* shared tops in the group */
    uint64_t bytes, objects;    /* retained by the tops together */
    rt_shared_type types[SHARED_TYPES];
    uint32_t ntype;
    uint32_t made;              /* internal: its index before sorting */
} rt_shared_group;

typedef struct rt_shared {
    uint64_t *reachable_bytes;    /* per model root */
    uint64_t *reachable_objects;  /* per model root */
    uint64_t *group_reachable_bytes;   /* per rt_retained group (SHARED_GROUPS only) */
    uint64_t *group_reachable_objects;
    rt_shared_group *groups;      /* by bytes, descending */
    uint32_t ngroup;
    uint32_t *roots;              /* model root indexes of every group, each list sorted */
    uint64_t shared_bytes, shared_objects; /* under all shared tops */
    uint32_t ntop;
    uint32_t *top_node;           /* SHARED_TOPS: each shared top's node id, ascending, */
    uint32_t *top_group;          /* and the index of its group in groups (RT_NONE: none) */
    int capped;                   /* the sets outgrew their budget: one group (nroot 0)
                                     holds what larger sets reach, and the reachable
                                     figures of their roots are lower bounds */
} rt_shared;

/* A model read from a saved index answers with the result saved in it.
 * Fill out from the model and its dominator tree r, which must have been
 * computed with RETAINED_KEEP_REVERSE (the reverse edges are released
 * here).  Reachable bytes per root always; flags add SHARED_GROUPS: what
 * each goroutine (group node) reaches; SHARED_LISTS: the groups of shared
 * memory with their roots and types. */
#define SHARED_GROUPS 1
#define SHARED_LISTS 2
#define SHARED_TOPS 4 /* with SHARED_LISTS: top_node and top_group */
void shared_compute(rt_model *m, const rt_retained *r, int flags, rt_shared *out);
/* The same with a budget of root ids other than the default (tests). */
void shared_compute_budget(rt_model *m, const rt_retained *r, int flags, size_t budget, rt_shared *out);
void shared_free(rt_shared *s);

#endif
