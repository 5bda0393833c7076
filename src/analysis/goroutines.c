/* goroutines.c — the goroutines of the heap's moment, with what their
 * stacks keep alive (goroutines.h). */
#include "analysis/goroutines.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

const char *goroutine_status_name(uint32_t status)
{
    static const char *const names[] = { "idle", "runnable", "running", "syscall", "waiting",
                                         "moribund", "dead", "enqueue", "copystack", "preempted" };
    return status < sizeof names / sizeof names[0] ? names[status] : "unknown";
}

uint32_t goroutine_wait_frame(const rt_model *m, const rt_goroutine *g)
{
    for (uint32_t i = 0; i < g->nframes; i++)
        if (!model_is_runtime_function(strpool_get(m->strings, m->frames[g->frame_start + i].function)))
            return i;
    return 0;
}

/* The program's own code: package main, or a package whose path starts
 * with a domain ("github.com/x/y.F"), as the standard library's never do. */
static int user_function(const char *f)
{
    if (strncmp(f, "main.", 5) == 0)
        return 1;
    const char *slash = strchr(f, '/'), *dot = strchr(f, '.');
    return slash && dot && dot < slash;
}

uint32_t goroutine_user_frame(const rt_model *m, const rt_goroutine *g)
{
    for (uint32_t i = 0; i < g->nframes; i++)
        if (user_function(strpool_get(m->strings, m->frames[g->frame_start + i].function)))
            return i;
    return goroutine_wait_frame(m, g);
}

/* Goroutines fold together when status, wait reason and every frame are
 * the same. */
static uint64_t stack_hash(const rt_model *m, const rt_goroutine *g)
{
    uint64_t h = rt_hash64((uint64_t)g->status << 32 | g->wait_reason) ^ g->nframes;
    for (uint32_t i = 0; i < g->nframes; i++) {
        const rt_frame *f = &m->frames[g->frame_start + i];
        h = rt_hash64(h ^ ((uint64_t)f->function << 32 | f->line) ^ (uint64_t)f->file << 13);
    }
    return h;
}

static int same_stack(const rt_model *m, const rt_goroutine *a, const rt_goroutine *b)
{
    return a->status == b->status && a->wait_reason == b->wait_reason && a->nframes == b->nframes &&
           memcmp(m->frames + a->frame_start, m->frames + b->frame_start, a->nframes * sizeof(rt_frame)) == 0;
}

static int64_t wait_minutes(const rt_model *m, const rt_goroutine *g)
{
    if (!m->clock_ns || g->wait_since <= 0 || g->wait_since > m->clock_ns)
        return -1;
    return (m->clock_ns - g->wait_since) / 60000000000LL;
}

static int cmp_rows(const void *a, const void *b, void *ctx)
{
    const rt_goroutine_row *x = a, *y = b;
    const rt_model *m = ctx;
    if (x->retained_bytes != y->retained_bytes)
        return x->retained_bytes > y->retained_bytes ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    uint64_t ix = m->goroutines[x->g].id, iy = m->goroutines[y->g].id;
    return ix < iy ? -1 : ix > iy;
}

void goroutines_compute(const rt_model *m, const rt_retained *r, const rt_shared *s, int group,
                        rt_goroutines *out)
{
    memset(out, 0, sizeof *out);
    out->rows = rt_calloc((size_t)m->ngoroutine + 1, sizeof *out->rows);
    /* goroutine id → its group node in the dominator tree */
    size_t cap = 16;
    while (cap < 2 * (size_t)r->ngroup + 2)
        cap *= 2;
    uint64_t *ids = rt_malloc(cap * sizeof *ids);
    uint32_t *gidx = rt_malloc(cap * sizeof *gidx);
    for (size_t i = 0; i < cap; i++)
        ids[i] = RT_NO_GOROUTINE;
    for (uint32_t k = 0; k < r->ngroup; k++) {
        if (r->groups[k].kind != RT_GROUP_GOROUTINE)
            continue;
        size_t j = rt_hash64(r->groups[k].goroutine) & (cap - 1);
        while (ids[j] != RT_NO_GOROUTINE)
            j = (j + 1) & (cap - 1);
        ids[j] = r->groups[k].goroutine;
        gidx[j] = k;
    }
    /* rows: one per goroutine, or per distinct stack */
    size_t rcap = 16;
    while (rcap < 2 * (size_t)m->ngoroutine + 2)
        rcap *= 2;
    uint32_t *slots = rt_calloc(rcap, sizeof *slots); /* row + 1 */
    for (uint32_t i = 0; i < m->ngoroutine; i++) {
        const rt_goroutine *g = &m->goroutines[i];
        rt_goroutine_row *row = NULL;
        if (group) {
            size_t j = stack_hash(m, g) & (rcap - 1);
            for (; slots[j]; j = (j + 1) & (rcap - 1))
                if (same_stack(m, &m->goroutines[out->rows[slots[j] - 1].g], g)) {
                    row = &out->rows[slots[j] - 1];
                    break;
                }
            if (!row)
                slots[j] = out->nrows + 1;
        }
        if (!row) {
            row = &out->rows[out->nrows++];
            row->g = i;
            row->wait_minutes = -1;
        }
        row->count++;
        row->stack_bytes += g->stack_bytes;
        int64_t w = wait_minutes(m, g);
        if (w > row->wait_minutes)
            row->wait_minutes = w;
        size_t j = rt_hash64(g->id) & (cap - 1);
        while (ids[j] != RT_NO_GOROUTINE && ids[j] != g->id)
            j = (j + 1) & (cap - 1);
        if (ids[j] == g->id) {
            uint32_t k = gidx[j];
            row->retained_bytes += r->bytes[r->group0 + k];
            row->reachable_bytes += s && s->group_reachable_bytes ? s->group_reachable_bytes[k]
                                                                  : r->bytes[r->group0 + k];
        }
        out->total++;
    }
    qsort_r(out->rows, out->nrows, sizeof *out->rows, cmp_rows, (void *)m);
    free(slots);
    free(ids);
    free(gidx);
}

void goroutines_free(rt_goroutines *out)
{
    free(out->rows);
    memset(out, 0, sizeof *out);
}
