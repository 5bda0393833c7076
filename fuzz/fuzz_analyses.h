/* fuzz_analyses.h — what the targets that load a whole model run on it:
 * reachability, paths, aggregates, the dominator tree, retained and
 * shared sizes, sites, goroutines and the report's data, with the
 * invariants that must hold whatever the input was.  Include after
 * fuzz_input.h (INVARIANT). */
#ifndef RETAIN_FUZZ_ANALYSES_H
#define RETAIN_FUZZ_ANALYSES_H

#include <stdio.h>
#include <string.h>

#include "analysis/aggregate.h"
#include "analysis/domcut.h"
#include "analysis/goroutines.h"
#include "analysis/paths.h"
#include "analysis/reach.h"
#include "analysis/retained.h"
#include "analysis/shared.h"
#include "analysis/sites.h"
#include "model/model.h"
#include "report/report.h"
#include "util/error.h"

static inline void check_message(const rt_error *err)
{
    INVARIANT(err->code != RT_E_OK);
    INVARIANT(err->msg[0] != '\0');
    INVARIANT(strchr(err->msg, '\n') == NULL);
}

/* exact: the model was computed from its input here, so its parts agree
 * (paths exist exactly for reachable objects, retained sizes add up);
 * 0 for a saved index, whose parts are each checked but may disagree
 * with one another in a crafted file: then only memory safety and
 * termination are asked for. */
static inline void run_analyses(rt_model *m, int exact)
{
    uint32_t n = m->nobj + m->nroot;
    for (uint32_t v = 0; v < n; v++)
        for (uint32_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++)
            INVARIANT(m->edge_dst[e] < m->nobj);
    rt_reach reach;
    reach_compute(m, &reach);
    INVARIANT(reach.nreachable <= m->nobj);
    if (m->nobj) {
        rt_paths paths;
        uint32_t t = m->nobj / 2;
        paths_find(m, t, 2, &paths);
        INVARIANT(!exact || (paths.npaths > 0) == (reach_is(&reach, t) != 0));
        paths_free(&paths);
    }
    rt_agg agg;
    aggregate(m, RT_BY_TYPE, &reach, &agg);
    INVARIANT(agg.total_count == m->nobj);
    aggregate_free(&agg);
    reach_free(&reach);

    rt_retained r;
    rt_error err;
    rt_error_clear(&err);
    if (retained_compute(m, &r, RETAINED_KEEP_REVERSE, &err) != 0) {
        check_message(&err);
        return;
    }
    uint64_t all = 0;
    for (uint32_t i = 0; i < m->nobj; i++)
        all += m->objects[i].size;
    INVARIANT(!exact || r.bytes[r.super] <= all);
    rt_children kids;
    retained_children(m, &r, 1, &kids); /* a saved index's, checked */
    rt_domcut cut;
    domcut_bfs(&r, kids.start, kids.child, r.super, 0, 1000, &cut);
    INVARIANT(cut.n <= 1000 && cut.n <= r.tree.nreach);
    domcut_free(&cut);
    retained_children_free(&kids);
    /* why's dominator chain: up from an object to the super-root */
    if (m->nobj && r.tree.idom[m->nobj / 2] != RT_NONE) {
        uint32_t steps = 0;
        for (uint32_t v = m->nobj / 2; v != r.super; v = r.tree.idom[v])
            INVARIANT(++steps <= r.tree.nreach);
    }
    rt_shared s;
    shared_compute(m, &r, SHARED_LISTS | SHARED_TOPS | SHARED_GROUPS, &s);
    rt_sites st;
    sites_compute(m, &r, &s, RT_SITES_BY_STACK, 0, 5, &st);
    sites_free(&st);
    rt_goroutines g;
    goroutines_compute(m, &r, &s, 1, &g);
    goroutines_free(&g);
    FILE *out = fopen("/dev/null", "w");
    if (out) {
        (void)report_build(m, &r, &s, NULL, out);
        fclose(out);
    }
    shared_free(&s);
    retained_free(&r);
}

#endif
