/* aggregate.c — group objects by type name or allocating function.
 * Keys are string ids, so a dense array indexed by id is the hash table. */
#include "analysis/aggregate.h"

#include <string.h>

#include "util/alloc.h"

static uint32_t key_of(const rt_model *m, rt_group_by by, uint32_t obj)
{
    if (by == RT_BY_TYPE)
        return model_obj_type_name(m, obj);
    uint32_t site = model_obj_site(m, obj);
    return site == RT_NONE ? 0 : model_site_function(m, site);
}

static int cmp_rows(const void *a, const void *b, void *ctx)
{
    const rt_agg_row *x = a, *y = b;
    const rt_strpool *sp = ctx;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return strcmp(strpool_get(sp, x->key), strpool_get(sp, y->key));
}

void aggregate(const rt_model *m, rt_group_by by, const rt_reach *reach, rt_agg *out)
{
    uint32_t nkeys = strpool_count(m->strings);
    rt_agg_row *all = rt_calloc(nkeys, sizeof *all);
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < m->nobj; i++) {
        const rt_object *o = &m->objects[i];
        rt_agg_row *r = &all[key_of(m, by, i)];
        r->count++;
        r->bytes += o->size;
        if (reach && reach_is(reach, i)) {
            r->reachable_count++;
            r->reachable_bytes += o->size;
        }
        out->total_count++;
        out->total_bytes += o->size;
    }
    uint32_t n = 0;
    for (uint32_t k = 0; k < nkeys; k++) {
        if (!all[k].count)
            continue;
        all[k].key = k;
        all[n++] = all[k];
    }
    qsort_r(all, n, sizeof *all, cmp_rows, m->strings);
    out->rows = all;
    out->nrows = n;
}

void aggregate_profile(const rt_model *m, rt_agg *out)
{
    uint32_t nkeys = strpool_count(m->strings);
    rt_agg_row *all = rt_calloc(nkeys, sizeof *all);
    memset(out, 0, sizeof *out);
    for (uint32_t k = 0; k < m->npsite; k++) {
        const rt_psite *ps = &m->psites[k];
        uint32_t key = ps->nframes ? m->frames[ps->frame_start + ps->alloc_frame].function : 0;
        uint64_t n = ps->inuse_objects > 0 ? (uint64_t)ps->inuse_objects : 0;
        uint64_t b = ps->inuse_bytes > 0 ? (uint64_t)ps->inuse_bytes : 0;
        all[key].count += n;
        all[key].bytes += b;
        out->total_count += n;
        out->total_bytes += b;
    }
    uint32_t rows = 0;
    for (uint32_t k = 0; k < nkeys; k++) {
        if (!all[k].count && !all[k].bytes)
            continue;
        all[k].key = k;
        all[rows++] = all[k];
    }
    qsort_r(all, rows, sizeof *all, cmp_rows, m->strings);
    out->rows = all;
    out->nrows = rows;
}

void aggregate_free(rt_agg *a)
{
    free(a->rows);
    memset(a, 0, sizeof *a);
}

double aggregate_typed_share(const rt_model *m)
{
    if (m->saved_tally.known)
        return m->saved_tally.bytes ? (double)m->saved_tally.typed_bytes / (double)m->saved_tally.bytes : 0.0;
    uint64_t typed = 0, all = 0;
    for (uint32_t i = 0; i < m->nobj; i++) {
        all += m->objects[i].size;
        if (model_obj_type(m, i))
            typed += m->objects[i].size;
    }
    return all ? (double)typed / (double)all : 0.0;
}

static int cmp_rows_retained(const void *a, const void *b, void *ctx)
{
    const rt_agg_row *x = a, *y = b;
    if (x->retained_bytes != y->retained_bytes)
        return x->retained_bytes > y->retained_bytes ? -1 : 1;
    return cmp_rows(a, b, ctx);
}

void aggregate_retained_keys(const rt_model *m, const rt_retained *r, const uint32_t *key, uint32_t nkeys,
                             uint64_t *bytes, uint64_t *objects)
{
    uint32_t *active = rt_calloc((size_t)nkeys + 1, sizeof *active); /* open ancestors per key */
    rt_children kids; /* any order: each subtree is walked whole */
    retained_children(m, r, 0, &kids);
    const uint32_t *cs = kids.start, *ch = kids.child;
    /* depth-first over the dominator tree; a stack entry is (node, next
     * child index); on leaving an object its key's counter drops */
    typedef struct { uint32_t v, next; } ent;
    ent *st = NULL;
    size_t n = 0, cap = 0;
    RT_GROW(st, cap, 1);
    st[n++] = (ent){ r->super, cs[r->super] };
    while (n) {
        ent *e = &st[n - 1];
        if (e->next == cs[e->v + 1]) {
            if (e->v < m->nobj && key[e->v] != RT_NONE)
                active[key[e->v]]--;
            n--;
            continue;
        }
        uint32_t c = ch[e->next++];
        if (c < m->nobj && key[c] != RT_NONE) {
            uint32_t k = key[c];
            if (active[k]++ == 0) {
                bytes[k] += r->bytes[c];
                objects[k] += r->objects[c];
            }
        }
        RT_GROW(st, cap, n + 1);
        st[n++] = (ent){ c, cs[c] };
    }
    free(st);
    retained_children_free(&kids);
    free(active);
}

void aggregate_retained(const rt_model *m, rt_group_by by, const rt_retained *r, rt_agg *out)
{
    uint32_t nkeys = strpool_count(m->strings);
    rt_agg_row *all = rt_calloc(nkeys, sizeof *all);
    uint32_t *key = rt_malloc(((size_t)m->nobj + 1) * sizeof *key);
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < m->nobj; i++) {
        key[i] = key_of(m, by, i);
        rt_agg_row *row = &all[key[i]];
        row->count++;
        row->bytes += m->objects[i].size;
        out->total_count++;
        out->total_bytes += m->objects[i].size;
    }
    uint64_t *rb = rt_calloc(nkeys, sizeof *rb), *ro = rt_calloc(nkeys, sizeof *ro);
    aggregate_retained_keys(m, r, key, nkeys, rb, ro);
    for (uint32_t k = 0; k < nkeys; k++) {
        all[k].retained_bytes = rb[k];
        all[k].retained_objects = ro[k];
    }
    free(rb);
    free(ro);
    free(key);
    uint32_t rows = 0;
    for (uint32_t k = 0; k < nkeys; k++) {
        if (!all[k].count)
            continue;
        all[k].key = k;
        all[rows++] = all[k];
    }
    qsort_r(all, rows, sizeof *all, cmp_rows_retained, m->strings);
    out->rows = all;
    out->nrows = rows;
}
