/* aggregate.h — histograms of objects by type or by allocating function. */
#ifndef RETAIN_ANALYSIS_AGGREGATE_H
#define RETAIN_ANALYSIS_AGGREGATE_H

#include "analysis/reach.h"
#include "model/model.h"

typedef enum { RT_BY_TYPE, RT_BY_SITE } rt_group_by;

typedef struct rt_agg_row {
    uint32_t key;       /* string id: type name or allocating function; 0 = unknown */
    uint64_t count, bytes;
    uint64_t reachable_count, reachable_bytes;
    uint64_t retained_bytes, retained_objects; /* aggregate_retained only */
} rt_agg_row;

typedef struct rt_agg {
    rt_agg_row *rows;   /* sorted by bytes, descending; then by name */
    uint32_t nrows;
    uint64_t total_count, total_bytes;
} rt_agg;

/* reach may be NULL (reachable columns stay 0). */
void aggregate(const rt_model *m, rt_group_by by, const rt_reach *reach, rt_agg *out);
void aggregate_free(rt_agg *a);

/* A heap profile's sites (no heap) by allocating function: count and
 * bytes are the profile's in-use figures. */
void aggregate_profile(const rt_model *m, rt_agg *out);

/* Share of allocated bytes whose object has a known type. */
double aggregate_typed_share(const rt_model *m);


#include "analysis/retained.h"

/* Retained bytes per group, counting each object once: a group's figure
 * is the sum of the retained sizes of its objects that have no dominator
 * of the same group (its tops in the dominator tree).  rows[].bytes stays
 * the shallow total; rows[].retained_bytes holds the retained figure;
 * rows are sorted by it. */
void aggregate_retained(const rt_model *m, rt_group_by by, const rt_retained *r, rt_agg *out);

/* The same for any grouping: key[obj] in [0, nkeys) or RT_NONE (in no
 * group); adds each group's retained bytes and objects, counting every
 * object once, to bytes[k] and objects[k]. */
void aggregate_retained_keys(const rt_model *m, const rt_retained *r, const uint32_t *key, uint32_t nkeys,
                             uint64_t *bytes, uint64_t *objects);

#endif
