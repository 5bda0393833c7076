/* export_dominators.h — the dominator tree in formats other tools read:
 * pprof (flame graphs: cumulative = retained) and Graphviz DOT. */
#ifndef RETAIN_REPORT_EXPORT_DOMINATORS_H
#define RETAIN_REPORT_EXPORT_DOMINATORS_H

#include <stdio.h>

#include "analysis/retained.h"

typedef struct export_stats {
    uint64_t samples, locations, nodes, edges;
    uint64_t hidden_children; /* dot: children cut by --min-bytes or --max-nodes */
} export_stats;

/* One sample per distinct dominator chain: values are shallow objects and
 * bytes, so pprof's cumulative column equals retained size.  Frames are
 * node labels; runs of the same label (list nodes) fold into one frame.
 * Written to f (name: the file, for errors), which is not closed. */
int export_pprof_dominators(const rt_model *m, const rt_retained *r, FILE *f, const char *name,
                            export_stats *st, rt_error *err);

/* The dominator subtree of start, nodes retaining at least min_bytes, at
 * most max_nodes of them; under each node whose children were cut, one
 * "(N more children not shown)" node.  Write errors stay on f for whoever
 * closes it to report with their reason (io/output.h, or main's check of
 * standard output). */
int export_dot_dominators(const rt_model *m, const rt_retained *r, uint32_t start, uint64_t min_bytes,
                          uint32_t max_nodes, FILE *f, export_stats *st, rt_error *err);

#endif
