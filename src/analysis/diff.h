/* diff.h — what grew between two snapshots: groups (types, allocation
 * sites, roots) of each side, joined by name — never by address, which
 * means nothing across two processes or two moments — and their growth.
 *
 * A side is summarised into an rt_groups while its model is loaded, so a
 * diff holds one heap at a time. */
#ifndef RETAIN_ANALYSIS_DIFF_H
#define RETAIN_ANALYSIS_DIFF_H

#include "analysis/reach.h"
#include "analysis/retained.h"
#include "analysis/shared.h"
#include "model/model.h"

typedef enum { RT_DIFF_BY_TYPE, RT_DIFF_BY_SITE, RT_DIFF_BY_ROOT } rt_diff_by;

typedef struct rt_group_sum {
    char *name;          /* owned: a type, a site's stack, a root */
    char *label;         /* owned: what to print (the allocating function of a site) */
    uint64_t count, bytes, reachable_bytes, retained_bytes;
} rt_group_sum;

typedef struct rt_groups {
    rt_group_sum *g;     /* sorted by name */
    size_t n;
    int heap;            /* 0: from a heap profile alone (no reachable, retained) */
    int retained;        /* retained_bytes are known (a dominator tree was built) */
    char *input;         /* owned: the input summarised */
} rt_groups;

/* Summarise m by types, sites or roots.  r and s (SHARED_GROUPS |
 * SHARED_LISTS | SHARED_TOPS) may be NULL for a heap profile alone; by
 * type needs neither: given reach instead of r, its groups have reachable
 * bytes and no retained ones (no dominator tree to build). */
void diff_groups(const rt_model *m, const rt_retained *r, const rt_shared *s, const rt_reach *reach, rt_diff_by by,
                 rt_groups *out);
void diff_groups_free(rt_groups *g);
/* Root i's name as --by root joins it: kind and name, or for a stack root
 * the goroutine's function, the frame's and the variable (ids change). */
void diff_root_name(const rt_model *m, uint32_t i, char *buf, size_t len);

typedef enum { RT_GREW, RT_SHRANK, RT_NEW, RT_GONE, RT_SAME } rt_diff_status;

typedef struct rt_diff_row {
    const rt_group_sum *old, *new; /* NULL on the side that lacks it */
    int64_t dcount, dbytes;
    rt_diff_status status;
} rt_diff_row;

typedef struct rt_diff {
    rt_diff_row *rows;   /* by delta bytes, descending; then by name */
    size_t n;
} rt_diff;

/* Join two summaries (which must outlive the diff). */
void diff_join(const rt_groups *old, const rt_groups *new, rt_diff *out);
void diff_free(rt_diff *d);
const char *diff_status_name(rt_diff_status s);

#endif
