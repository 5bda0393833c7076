/* export_paths.h — the heap as pprof stacks of shortest retention chains
 * (export_paths.c). */
#ifndef RETAIN_REPORT_EXPORT_PATHS_H
#define RETAIN_REPORT_EXPORT_PATHS_H

#include <stdio.h>

#include "report/export_dominators.h"

/* One sample per distinct chain: root frames at the bottom, a frame per
 * hop, the object's type on top (and, with by_alloc, its allocation
 * stack above that); values inuse_objects and inuse_space.  Chains longer
 * than max_depth hops keep their ends.  Needs the model's edges with
 * their offsets.  Written to f (name: the file, for errors). */
int export_pprof_paths(const rt_model *m, uint32_t max_depth, int by_alloc, FILE *f, const char *name,
                       export_stats *st, rt_error *err);

#endif
