/* overview.h — the figures of `retain overview`: what the input holds,
 * counted once; the command renders them as text or JSON. */
#ifndef RETAIN_ANALYSIS_OVERVIEW_H
#define RETAIN_ANALYSIS_OVERVIEW_H

#include "analysis/reach.h"
#include "model/model.h"

typedef struct rt_overview {
    uint64_t input_size;   /* bytes of the input file */
    rt_obj_tally t;        /* bytes of all objects; those with an allocation
                              stack, with a type, typed and reachable */
    uint64_t roots_by_kind[RT_ROOT_KIND_COUNT];
    int reachable_known;   /* 0 when the input lost roots: reach is a lower bound */
    rt_reach reach;
    /* a heap profile's totals (profile_path set) */
    uint32_t profile_sites;
    uint64_t profile_inuse_objects, profile_inuse_bytes;
} rt_overview;

/* The counts over every object of m, with reach its reachable set. */
void overview_tally(const rt_model *m, const rt_reach *reach, rt_obj_tally *t);

/* Count m (a heap, or a heap profile alone: then only the profile's
 * totals); the counts over every object come from the saved index when
 * m was read from one.  overview_free releases the reachable set. */
void overview_compute(const rt_model *m, rt_overview *o);
void overview_free(rt_overview *o);

#endif
