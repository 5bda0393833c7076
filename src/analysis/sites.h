/* sites.h — allocation sites joined to the heap (and to a heap profile):
 * per site, the live sampled objects found in the heap, pprof's
 * population estimate, the reachable and retained bytes, the profile's
 * own in-use figures, and the roots that keep the site's objects alive.
 *
 * A site is a stack (the heap's memory-profile buckets, the profile's
 * samples), grouped by the stack from the allocating function outward (the
 * runtime's frames above it are left out: cores, dumps and profiles show
 * mallocgc's inlined helpers differently), by the allocating function, or
 * by its line; heap and profile are joined by those names, never by
 * address.  Who keeps an object alive is read off the dominator tree: the
 * root whose subtree holds it, else the group of roots that hold the
 * shared top above it together (shared.h). */
#ifndef RETAIN_ANALYSIS_SITES_H
#define RETAIN_ANALYSIS_SITES_H

#include "analysis/retained.h"
#include "analysis/shared.h"
#include "model/model.h"

typedef enum { RT_SITES_BY_STACK, RT_SITES_BY_FUNCTION, RT_SITES_BY_LINE } rt_sites_by;

/* What keeps some of a site's objects alive: one root, or a group of
 * roots together (rt_shared.groups[group]). */
typedef struct rt_site_holder {
    uint32_t root;     /* model root index, or RT_NONE for a group */
    uint32_t group;    /* index into the rt_shared's groups when root is RT_NONE */
    uint64_t bytes, objects;
} rt_site_holder;

typedef struct rt_site_row {
    uint32_t site;     /* the heap's largest site of the row (its stack is shown), RT_NONE if none */
    uint32_t psite;    /* the profile's largest site of the row, RT_NONE if none */
    uint64_t objects, bytes;                 /* live sampled objects in the heap */
    uint64_t reachable_objects, reachable_bytes;
    uint64_t retained_objects, retained_bytes; /* each object counted once */
    double est_objects, est_bytes;           /* pprof's estimate; < 0 when the rate is unknown */
    int64_t prof_inuse_objects, prof_inuse_bytes; /* the profile's, -1 without a match */
    rt_site_holder *holders;                 /* largest first, at most the limit asked */
    uint32_t nholder;
    uint32_t more_holders;                   /* holders left out */
} rt_site_row;

typedef struct rt_sites {
    rt_sites_by by;
    rt_site_row *rows;   /* by bytes, descending (a profile alone: by its in-use bytes) */
    uint32_t nrows;
    uint64_t rate;       /* the sampling rate used for estimates, 0 if unknown */
    uint64_t sampled_objects, sampled_bytes;
    uint32_t profile_found, profile_missing; /* profile rows with objects in use: live / not */
} rt_sites;

/* Compute from m (its heap sites and any profile sites).  r and s — the
 * dominator tree and the shared groups (SHARED_LISTS | SHARED_TOPS) —
 * may be NULL (no heap: holders, reachable and retained stay 0).  rate:
 * 0 to take the core's MemProfileRate, else the profile's. */
void sites_compute(const rt_model *m, const rt_retained *r, const rt_shared *s, rt_sites_by by, uint64_t rate,
                   uint32_t max_holders, rt_sites *out);
void sites_free(rt_sites *out);

/* The allocating function of a row (string id, 0 if unknown). */
uint32_t sites_row_function(const rt_model *m, const rt_site_row *row);
/* The frames shown for a row: the stack of its heap site, else of its
 * profile site; *n gets their count. */
const rt_frame *sites_row_frames(const rt_model *m, const rt_site_row *row, uint32_t *n);

#endif
