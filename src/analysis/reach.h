/* reach.h — which objects the roots keep alive. */
#ifndef RETAIN_ANALYSIS_REACH_H
#define RETAIN_ANALYSIS_REACH_H

#include "model/model.h"

typedef struct rt_reach {
    uint64_t *bits;          /* one bit per object */
    uint32_t nreachable;
    uint64_t reachable_bytes;
} rt_reach;

/* Breadth-first from every root.  Caller frees r->bits. */
void reach_compute(const rt_model *m, rt_reach *r);
void reach_free(rt_reach *r);

static inline int reach_is(const rt_reach *r, uint32_t obj)
{
    return (int)(r->bits[obj / 64] >> (obj % 64) & 1);
}

#endif
