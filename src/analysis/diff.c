/* diff.c — summaries of one snapshot by name, and the join of two
 * (diff.h). */
#include "analysis/diff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/aggregate.h"
#include "analysis/sites.h"
#include "util/alloc.h"

static void add(rt_groups *out, size_t *cap, const char *name, const char *label)
{
    RT_GROW(out->g, *cap, out->n + 1);
    rt_group_sum *g = &out->g[out->n++];
    memset(g, 0, sizeof *g);
    g->name = rt_strdup(name);
    g->label = rt_strdup(label ? label : name);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const rt_group_sum *)a)->name, ((const rt_group_sum *)b)->name);
}

/* Sort by name and merge equal names (roots of one name, say). */
static void finish(rt_groups *out)
{
    if (!out->n)
        return;
    qsort(out->g, out->n, sizeof *out->g, cmp_name);
    size_t w = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (w && strcmp(out->g[w - 1].name, out->g[i].name) == 0) {
            rt_group_sum *a = &out->g[w - 1], *b = &out->g[i];
            a->count += b->count;
            a->bytes += b->bytes;
            a->reachable_bytes += b->reachable_bytes;
            a->retained_bytes += b->retained_bytes;
            free(b->name);
            free(b->label);
            continue;
        }
        out->g[w++] = out->g[i];
    }
    out->n = w;
}

static void by_type(const rt_model *m, const rt_retained *r, const rt_reach *reach, rt_groups *out)
{
    uint32_t nkeys = strpool_count(m->strings);
    rt_group_sum *sum = rt_calloc((size_t)nkeys + 1, sizeof *sum);
    uint32_t *key = rt_malloc(((size_t)m->nobj + 1) * sizeof *key);
    for (uint32_t i = 0; i < m->nobj; i++) {
        key[i] = model_obj_type_name(m, i);
        rt_group_sum *g = &sum[key[i]];
        g->count++;
        g->bytes += m->objects[i].size;
        if (r ? r->tree.idom[i] != RT_NONE : reach && reach_is(reach, i))
            g->reachable_bytes += m->objects[i].size;
    }
    if (r) {
        uint64_t *rb = rt_calloc((size_t)nkeys + 1, sizeof *rb), *ro = rt_calloc((size_t)nkeys + 1, sizeof *ro);
        aggregate_retained_keys(m, r, key, nkeys, rb, ro);
        for (uint32_t k = 0; k < nkeys; k++)
            sum[k].retained_bytes = rb[k];
        free(rb);
        free(ro);
    }
    size_t cap = 0;
    for (uint32_t k = 0; k < nkeys; k++) {
        if (!sum[k].count)
            continue;
        add(out, &cap, k ? strpool_get(m->strings, k) : "(unknown type)", NULL);
        rt_group_sum *g = &out->g[out->n - 1];
        g->count = sum[k].count;
        g->bytes = sum[k].bytes;
        g->reachable_bytes = sum[k].reachable_bytes;
        g->retained_bytes = sum[k].retained_bytes;
    }
    free(key);
    free(sum);
}

/* A site's name: its stack, "f file:line; g file:line ...".  A last
 * runtime.goexit frame is left out: pprof's writer drops it from the
 * stacks of a heap profile, the runtime's own records (dump, core) keep
 * it, and a site must have one name in both. */
static void stack_name(const rt_model *m, const rt_frame *f, uint32_t n, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = 0;
    if (n && strcmp(strpool_get(m->strings, f[n - 1].function), "runtime.goexit") == 0)
        n--;
    for (uint32_t i = 0; i < n && k + 1 < len; i++) {
        int w = snprintf(buf + k, len - k, "%s%s %s:%u", i ? "; " : "", strpool_get(m->strings, f[i].function),
                         strpool_get(m->strings, f[i].file), f[i].line);
        if (w < 0)
            break;
        k += (size_t)w;
    }
}

static void by_site(const rt_model *m, const rt_retained *r, const rt_shared *s, rt_groups *out)
{
    rt_sites S;
    sites_compute(m, r, s, RT_SITES_BY_STACK, 0, 0, &S);
    size_t cap = 0;
    char name[4096];
    for (uint32_t k = 0; k < S.nrows; k++) {
        const rt_site_row *row = &S.rows[k];
        uint32_t nf;
        const rt_frame *f = sites_row_frames(m, row, &nf);
        uint32_t alloc = row->site != RT_NONE ? m->sites[row->site].alloc_frame
                         : row->psite != RT_NONE ? m->psites[row->psite].alloc_frame : 0;
        if (alloc < nf) { /* as sites keys it: from the allocating frame */
            f += alloc;
            nf -= alloc;
        }
        stack_name(m, f, nf, name, sizeof name);
        add(out, &cap, name, strpool_get(m->strings, sites_row_function(m, row)));
        rt_group_sum *g = &out->g[out->n - 1];
        if (!out->heap) { /* a profile alone: its own in-use estimates */
            g->count = row->prof_inuse_objects > 0 ? (uint64_t)row->prof_inuse_objects : 0;
            g->bytes = row->prof_inuse_bytes > 0 ? (uint64_t)row->prof_inuse_bytes : 0;
        } else if (row->est_objects >= 0) { /* estimates, comparable with a profile's */
            g->count = (uint64_t)llround(row->est_objects);
            g->bytes = (uint64_t)llround(row->est_bytes);
        } else {
            g->count = row->objects;
            g->bytes = row->bytes;
        }
        g->reachable_bytes = row->reachable_bytes;
        g->retained_bytes = row->retained_bytes;
    }
    sites_free(&S);
}

/* A root's name across snapshots: kind and name, or for a stack the
 * goroutine's function, the frame's and the variable (ids change). */
void diff_root_name(const rt_model *m, uint32_t i, char *buf, size_t len)
{
    const rt_root *r = &m->roots[i];
    const char *name = strpool_get(m->strings, r->name), *fn = strpool_get(m->strings, r->function);
    const char *var = strpool_get(m->strings, r->variable);
    if (r->kind != RT_ROOT_STACK) {
        snprintf(buf, len, "%s %s%s%s", rt_root_kind_name(r->kind), *name ? name : "(unnamed)", *fn ? " " : "", fn);
        return;
    }
    uint32_t user = model_goroutine_function(m, r->goroutine);
    snprintf(buf, len, "goroutine %s: %s %s", user ? strpool_get(m->strings, user) : "?", *fn ? fn : "?",
             *var ? var : *name ? name : "(frame)");
}

static void by_root(const rt_model *m, const rt_retained *r, const rt_shared *s, rt_groups *out)
{
    size_t cap = 0;
    char name[1024];
    if (!r)
        return;
    for (uint32_t i = 0; i < m->nroot; i++) {
        diff_root_name(m, i, name, sizeof name);
        add(out, &cap, name, NULL);
        rt_group_sum *g = &out->g[out->n - 1];
        g->count = 1;
        g->bytes = g->retained_bytes = r->bytes[m->nobj + i];
        g->reachable_bytes = s && s->reachable_bytes ? s->reachable_bytes[i] : g->retained_bytes;
    }
}

void diff_groups(const rt_model *m, const rt_retained *r, const rt_shared *s, const rt_reach *reach, rt_diff_by by,
                 rt_groups *out)
{
    memset(out, 0, sizeof *out);
    out->heap = m->input_kind != RT_INPUT_PROFILE;
    out->retained = r != NULL;
    out->input = rt_strdup(m->input_path ? m->input_path : "?");
    if (by == RT_DIFF_BY_TYPE)
        by_type(m, r, reach, out);
    else if (by == RT_DIFF_BY_SITE)
        by_site(m, r, s, out);
    else
        by_root(m, r, s, out);
    finish(out);
}

void diff_groups_free(rt_groups *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->g[i].name);
        free(g->g[i].label);
    }
    free(g->g);
    free(g->input);
    memset(g, 0, sizeof *g);
}

static int cmp_rows(const void *a, const void *b)
{
    const rt_diff_row *x = a, *y = b;
    if (x->dbytes != y->dbytes)
        return x->dbytes > y->dbytes ? -1 : 1;
    const char *nx = x->new ? x->new->name : x->old->name, *ny = y->new ? y->new->name : y->old->name;
    return strcmp(nx, ny);
}

void diff_join(const rt_groups *old, const rt_groups *new, rt_diff *out)
{
    memset(out, 0, sizeof *out);
    out->rows = rt_calloc(old->n + new->n + 1, sizeof *out->rows);
    size_t i = 0, j = 0;
    while (i < old->n || j < new->n) {
        int c = i == old->n ? 1 : j == new->n ? -1 : strcmp(old->g[i].name, new->g[j].name);
        rt_diff_row *row = &out->rows[out->n++];
        row->old = c <= 0 ? &old->g[i++] : NULL;
        row->new = c >= 0 ? &new->g[j++] : NULL;
        int64_t oc = row->old ? (int64_t)row->old->count : 0, ob = row->old ? (int64_t)row->old->bytes : 0;
        int64_t nc = row->new ? (int64_t)row->new->count : 0, nb = row->new ? (int64_t)row->new->bytes : 0;
        row->dcount = nc - oc;
        row->dbytes = nb - ob;
        row->status = !row->old ? RT_NEW : !row->new ? RT_GONE : nb > ob ? RT_GREW : nb < ob ? RT_SHRANK : RT_SAME;
    }
    qsort(out->rows, out->n, sizeof *out->rows, cmp_rows);
}

void diff_free(rt_diff *d)
{
    free(d->rows);
    memset(d, 0, sizeof *d);
}

const char *diff_status_name(rt_diff_status s)
{
    static const char *const names[] = { "grew", "shrank", "new", "gone", "same" };
    return s <= RT_SAME ? names[s] : "?";
}
