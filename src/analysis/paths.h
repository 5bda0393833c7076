/* paths.h — shortest retention paths from roots to one object. */
#ifndef RETAIN_ANALYSIS_PATHS_H
#define RETAIN_ANALYSIS_PATHS_H

#include "model/model.h"

typedef struct rt_path {
    uint32_t root;    /* root index (node id - nobj) */
    uint32_t nhops;   /* objects on the path, the target included */
    uint32_t *hops;   /* object ids, first hop first; owned */
    uint32_t *offs;   /* offset of the pointer leading to each hop; owned */
} rt_path;

typedef struct rt_paths {
    rt_path *paths;   /* shortest first; ties by root order (kind, name, address) */
    uint32_t npaths;
    uint32_t unreachable_referrers; /* when no path: objects pointing at the target */
} rt_paths;

/* Up to max_paths shortest paths, each from a different root.  Builds
 * the model's reverse graph if needed. */
void paths_find(rt_model *m, uint32_t target, uint32_t max_paths, rt_paths *out);
void paths_free(rt_paths *p);

#endif
