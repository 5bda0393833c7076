/* model.c — life cycle of the heap model, the address index, the reverse
 * graph and the small queries every analysis needs. */
#include "model/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/alloc.h"
#include "util/threads.h"

static const char *const root_kind_names[RT_ROOT_KIND_COUNT] = {
    "global", "stack", "finalizer", "cleanup", "other", "runtime",
};

const char *rt_root_kind_name(rt_root_kind k)
{
    return (unsigned)k < RT_ROOT_KIND_COUNT ? root_kind_names[k] : "other";
}

rt_model *model_new(void)
{
    rt_model *m = rt_calloc(1, sizeof *m);
    m->strings = strpool_new();
    /* allocated from the start, so that every stack, empty ones too, can
     * point into it without a NULL check at each place that does */
    m->frames = rt_calloc(1, sizeof *m->frames);
    m->obj_types.none = 0;
    m->obj_type_offs.none = 0;
    m->obj_sites.none = RT_NONE;
    return m;
}

/* Free an array of m unless it lies in the index's mapping. */
static void release(const rt_model *m, void *p)
{
    if (!model_borrows(m, p))
        free(p);
}

/* Forget the sidemap arrays that live in the mapping, so that
 * sidemap_free frees only its own. */
static void unborrow_sidemap(const rt_model *m, rt_sidemap *s)
{
    if (model_borrows(m, s->dense))
        s->dense = NULL;
    if (model_borrows(m, s->keys))
        s->keys = NULL;
    if (model_borrows(m, s->vals))
        s->vals = NULL;
    if (model_borrows(m, s->dir))
        s->dir = NULL;
}

void model_free(rt_model *m)
{
    if (!m)
        return;
    strpool_free(m->strings);
    release(m, m->objects);
    unborrow_sidemap(m, &m->obj_types);
    unborrow_sidemap(m, &m->obj_type_offs);
    unborrow_sidemap(m, &m->obj_sites);
    sidemap_free(&m->obj_types);
    sidemap_free(&m->obj_type_offs);
    model_types_free(m);
    sidemap_free(&m->obj_sites);
    release(m, m->roots);
    release(m, m->edge_start);
    release(m, m->edge_dst);
    release(m, m->edge_off);
    release(m, m->redge_start);
    release(m, m->redge_src);
    release(m, m->sites);
    release(m, m->frames);
    release(m, m->goroutines);
    release(m, m->psites);
    free(m->profile_path);
    for (uint32_t i = 0; i < m->nptrmask; i++)
        release(m, m->ptrmasks[i].bits);
    free(m->ptrmasks);
    release(m, m->page_first);
    release(m, m->reach_bits);
    free(m->input_path);
    free(m->exe_path);
    free(m->debug_path);
    free(m->degraded);
    free(m->symbols_path);
    free(m->exe_how);
    free(m->go_version);
    free(m->goarch);
    for (size_t i = 0; i < m->nwarning; i++)
        free(m->warnings[i]);
    free(m->warnings);
    free(m->saved_retained); /* their arrays are in the mapping */
    free(m->saved_shared);
    free(m->index_path);
    free(m->stale);
    if (m->map)
        munmap(m->map, m->map_len);
    free(m);
}

void model_warn(rt_model *m, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    RT_GROW(m->warnings, m->cap_warning, m->nwarning + 1);
    m->warnings[m->nwarning++] = rt_strdup(buf);
}

/* Last object whose base <= addr within [lo, hi), or RT_NONE. */
static uint32_t search_base(const rt_object *o, uint32_t lo, uint32_t hi, uint64_t addr)
{
    uint32_t found = RT_NONE;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (o[mid].base <= addr) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return found;
}

uint32_t model_find(const rt_model *m, uint64_t addr)
{
    if (m->nobj == 0)
        return RT_NONE;
    uint32_t lo = 0, hi = m->nobj;
    const rt_object *o = m->objects;
    if (m->page_first) {
        if (addr < m->index_lo || addr >= m->index_hi)
            return RT_NONE;
        uint64_t p = (addr - m->index_lo) >> RT_PAGE_SHIFT;
        lo = m->page_first[p];
        hi = m->page_first[p + 1];
        /* Objects on a page mostly have one size and sit side by side:
         * guess the slot arithmetically before searching. */
        if (lo < hi && addr >= o[lo].base && o[lo].size) {
            uint64_t k = (addr - o[lo].base) / o[lo].size;
            if (k < hi - lo) {
                uint32_t g = lo + (uint32_t)k;
                if (addr >= o[g].base && addr - o[g].base < o[g].size)
                    return g;
            }
        }
        /* an object starting on an earlier page may cover addr */
        if (hi < m->nobj)
            hi++;
        if (lo > 0)
            lo--;
    }
    uint32_t i = search_base(o, lo, hi, addr);
    if (i == RT_NONE)
        return RT_NONE;
    return addr - o[i].base < o[i].size ? i : RT_NONE;
}

void model_build_index(rt_model *m)
{
    release(m, m->page_first);
    m->page_first = NULL;
    if (m->nobj == 0)
        return;
    uint64_t lo = m->objects[0].base & ~((1ULL << RT_PAGE_SHIFT) - 1);
    const rt_object *last = &m->objects[m->nobj - 1];
    uint64_t hi = last->base + last->size;
    if (hi < last->base)
        hi = UINT64_MAX;
    uint64_t npages = ((hi - lo) >> RT_PAGE_SHIFT) + 1;
    /* A sparse heap (Go 1.26+ randomised arenas far apart) would make the
     * table larger than the objects themselves: binary search instead. */
    if (npages > RT_PAGE_INDEX_MAX(m->nobj))
        return;
    m->index_lo = lo;
    m->index_hi = lo + (npages << RT_PAGE_SHIFT);
    m->page_first = rt_malloc((size_t)(npages + 1) * sizeof *m->page_first);
    /* page_first[p] = first object with base >= page start; lookups widen
     * by one to the left to catch an object that spills into page p. */
    uint32_t j = 0;
    for (uint64_t p = 0; p <= npages; p++) {
        uint64_t start = lo + (p << RT_PAGE_SHIFT);
        while (j < m->nobj && m->objects[j].base < start)
            j++;
        m->page_first[p] = j;
    }
}

void model_set_type(rt_model *m, uint32_t i, uint32_t type)
{
    sidemap_set(&m->obj_types, m->nobj, i, type);
}

void model_set_type_off(rt_model *m, uint32_t i, uint32_t off)
{
    sidemap_set(&m->obj_type_offs, m->nobj, i, off);
}

void model_set_site(rt_model *m, uint32_t i, uint32_t site)
{
    sidemap_set(&m->obj_sites, m->nobj, i, site);
}

void model_sides_done(rt_model *m)
{
    sidemap_done(&m->obj_types);
    sidemap_done(&m->obj_type_offs);
    sidemap_done(&m->obj_sites);
}

void model_release_offsets(rt_model *m)
{
    release(m, m->edge_off);
    m->edge_off = NULL;
}

void model_release_edges(rt_model *m)
{
    release(m, m->edge_start);
    release(m, m->edge_dst);
    release(m, m->edge_off);
    m->edge_start = m->edge_dst = m->edge_off = NULL;
}

void model_release_reverse(rt_model *m)
{
    release(m, m->redge_start);
    release(m, m->redge_src);
    m->redge_start = NULL;
    m->redge_src = NULL;
}

/* model_reverse_lists' work, split by destination: worker w takes the
 * nodes [lo, hi) of its half, reads every edge and writes only the lists
 * of its nodes, so the halves never touch the same entries and each list
 * keeps its sources in increasing order whatever the split. */
typedef struct reverse_job {
    const rt_model *m;
    int (*keep)(const void *ctx, uint32_t v, uint32_t t);
    const void *ctx;
    uint32_t n, split[3];
    uint32_t *start, *fill, *src;
    int phase; /* 0: count, 1: place */
} reverse_job;

static void reverse_worker(void *arg, int w)
{
    reverse_job *j = arg;
    const rt_model *m = j->m;
    uint32_t lo = j->split[w], hi = j->split[w + 1];
    for (uint32_t v = 0; v < j->n; v++)
        for (uint32_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++) {
            uint32_t t = m->edge_dst[e]; /* RT_NONE is in no half */
            if (t - lo >= hi - lo || (j->keep && !j->keep(j->ctx, v, t)))
                continue;
            if (j->phase == 0)
                j->start[t + 1]++;
            else
                j->src[j->fill[t]++] = v;
        }
}

void model_reverse_lists(const rt_model *m, int (*keep)(const void *ctx, uint32_t v, uint32_t t),
                         const void *ctx, int workers, uint32_t **start, uint32_t **src)
{
    uint32_t n = model_nnodes(m);
    int k = workers > 1 && m->nedge > (1u << 20) ? 2 : 1; /* two halves pay on big graphs only */
    reverse_job j = { .m = m, .keep = keep, .ctx = ctx, .n = n, .split = { 0, k == 2 ? n / 2 : n, n } };
    j.start = rt_calloc((size_t)n + 1, sizeof *j.start);
    rt_parallel(k, reverse_worker, &j);
    for (uint32_t v = 0; v < n; v++)
        j.start[v + 1] += j.start[v];
    j.src = rt_malloc(((size_t)j.start[n] + 1) * sizeof *j.src);
    j.fill = rt_malloc(((size_t)n + 1) * sizeof *j.fill);
    memcpy(j.fill, j.start, (size_t)n * sizeof *j.fill);
    j.phase = 1;
    rt_parallel(k, reverse_worker, &j);
    free(j.fill);
    *start = j.start;
    *src = j.src;
}

void model_build_reverse(rt_model *m)
{
    if (!m->redge_start)
        model_reverse_lists(m, NULL, NULL, m->workers, &m->redge_start, &m->redge_src);
}

void model_goroutine_frame(rt_model *m, rt_goroutine *g, uint32_t function)
{
    if (!function)
        return;
    if (!g->top_function)
        g->top_function = function;
    if (!g->user_function && !model_is_runtime_function(strpool_get(m->strings, function)))
        g->user_function = function;
}

int model_is_runtime_function(const char *f)
{
    return strncmp(f, "runtime.", 8) == 0 || strncmp(f, "internal/runtime/", 17) == 0;
}

uint32_t model_goroutine_function(const rt_model *m, uint64_t goid)
{
    for (uint32_t g = 0; g < m->ngoroutine; g++)
        if (m->goroutines[g].id == goid)
            return m->goroutines[g].user_function ? m->goroutines[g].user_function
                                                  : m->goroutines[g].top_function;
    return 0;
}

uint32_t model_pick_alloc_frame(const rt_model *m, const rt_frame *frames, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!model_is_runtime_function(strpool_get(m->strings, frames[i].function)))
            return i;
    return 0;
}

void model_site_pick_alloc_frame(rt_model *m, rt_site *s)
{
    s->alloc_frame = model_pick_alloc_frame(m, m->frames + s->frame_start, s->nframes);
}

uint32_t model_site_function(const rt_model *m, uint32_t site)
{
    if (site >= m->nsite)
        return 0;
    const rt_site *s = &m->sites[site];
    if (s->nframes == 0)
        return 0;
    return m->frames[s->frame_start + s->alloc_frame].function;
}

uint8_t *model_add_ptrmask(rt_model *m, uint64_t start, uint64_t nwords)
{
    m->ptrmasks = rt_reallocarray(m->ptrmasks, (size_t)m->nptrmask + 1, sizeof *m->ptrmasks);
    rt_ptrmask *p = &m->ptrmasks[m->nptrmask++];
    p->start = start;
    p->nwords = nwords;
    p->bits = rt_calloc((size_t)(nwords / 8 + 1), 1);
    return p->bits;
}

int model_global_is_pointer(const rt_model *m, uint64_t addr)
{
    for (uint32_t i = 0; i < m->nptrmask; i++) {
        const rt_ptrmask *p = &m->ptrmasks[i];
        if (addr < p->start || (addr - p->start) / 8 >= p->nwords)
            continue;
        uint64_t w = (addr - p->start) / 8;
        return p->bits[w / 8] >> (w % 8) & 1;
    }
    return -1;
}
