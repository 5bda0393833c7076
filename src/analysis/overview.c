/* overview.c — the figures of `retain overview` (overview.h). */
#include "analysis/overview.h"

#include <string.h>
#include <sys/stat.h>

void overview_tally(const rt_model *m, const rt_reach *reach, rt_obj_tally *t)
{
    memset(t, 0, sizeof *t);
    t->known = 1;
    for (uint32_t i = 0; i < m->nobj; i++) {
        uint64_t size = m->objects[i].size;
        t->bytes += size;
        if (model_obj_site(m, i) != RT_NONE) {
            t->sampled++;
            t->sampled_bytes += size;
        }
        if (model_obj_type(m, i)) {
            t->typed++;
            t->typed_bytes += size;
            if (reach_is(reach, i))
                t->typed_reachable_bytes += size;
        }
    }
}

void overview_compute(const rt_model *m, rt_overview *o)
{
    memset(o, 0, sizeof *o);
    struct stat st;
    o->input_size = m->input_size ? m->input_size : stat(m->input_path, &st) == 0 ? (uint64_t)st.st_size : 0;
    o->profile_sites = m->npsite;
    for (uint32_t i = 0; i < m->npsite; i++) {
        o->profile_inuse_objects += m->psites[i].inuse_objects > 0 ? (uint64_t)m->psites[i].inuse_objects : 0;
        o->profile_inuse_bytes += m->psites[i].inuse_bytes > 0 ? (uint64_t)m->psites[i].inuse_bytes : 0;
    }
    if (m->input_kind == RT_INPUT_PROFILE)
        return;
    reach_compute(m, &o->reach);
    o->reachable_known = !m->roots_lost[0];
    o->t = m->saved_tally;
    if (!o->t.known)
        overview_tally(m, &o->reach, &o->t);
    for (uint32_t r = 0; r < m->nroot; r++)
        if (m->roots[r].kind < RT_ROOT_KIND_COUNT)
            o->roots_by_kind[m->roots[r].kind]++;
}

void overview_free(rt_overview *o)
{
    if (o->reach.bits)
        reach_free(&o->reach);
    memset(o, 0, sizeof *o);
}
