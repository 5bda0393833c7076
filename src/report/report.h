/* report.h — `retain report`: one self-contained HTML file (inline CSS
 * and JavaScript, no network) with the overview, the leak suspects with
 * their paths and allocation stacks, tables by type and site, the
 * goroutines and a collapsible cut of the dominator tree.
 *
 * report_build computes the data as one JSON document (what `report
 * --json` prints); report_html wraps a document in the page that renders
 * it. */
#ifndef RETAIN_REPORT_REPORT_H
#define RETAIN_REPORT_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "analysis/diff.h"
#include "analysis/retained.h"
#include "analysis/shared.h"
#include "model/model.h"
#include "report/json.h"

/* With two snapshots (report --diff): an older snapshot's summaries by
 * type, allocation site and root, joined with m's (diff.h). */
typedef struct rt_report_growth {
    const char *old_input;
    int old_heap;        /* 0: the old side is a heap profile (sites only) */
    rt_diff by[3];       /* indexed by rt_diff_by */
    const rt_groups *old, *new; /* the summaries joined, [3] each */
} rt_report_growth;

/* Write the report's data to f.  r: the dominator tree (the model's edges
 * and offsets kept: paths are found); s: shared groups computed with
 * SHARED_LISTS | SHARED_TOPS | SHARED_GROUPS; g: growth since an older
 * snapshot, or NULL.  0, or -1 on a write error (left on f). */
int report_build(rt_model *m, const rt_retained *r, const rt_shared *s, const rt_report_growth *g, FILE *f);

/* The page for the JSON document data[0..n) to f. */
void report_html(const char *data, size_t n, FILE *f);

#endif
