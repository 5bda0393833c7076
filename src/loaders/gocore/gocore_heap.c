/* gocore_heap.c — the heap's spans and its allocated objects.
 *
 * mheap_.allspans lists every span the heap ever made; in-use ones
 * (state mSpanInUse) hold objects.  A slot is allocated when it lies
 * below freeindex or its allocBits bit is set (mbitmap.go isFree): that
 * is "allocated", not "live" — liveness is our own reachability. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"
#include "util/threads.h"

static uint64_t get_uint(const uint8_t *buf, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, buf + off, size > 8 ? 8 : size);
    return v;
}

static int cmp_span(const void *a, const void *b)
{
    const gc_span *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

/* Read one mspan; 1 if it is an in-use heap span that makes sense. */
static int read_span(gc_load *L, uint64_t addr, const uint8_t *buf, gc_span *s)
{
    const gc_layout *y = &L->lay;
    if (buf[y->sp_state] != (uint8_t)y->span_in_use)
        return 0;
    s->base = get_uint(buf, y->sp_start, 8);
    s->npages = get_uint(buf, y->sp_npages, 8);
    s->elemsize = get_uint(buf, y->sp_elemsize, 8);
    s->nelems = get_uint(buf, y->sp_nelems, y->sp_nelems_size);
    s->freeindex = get_uint(buf, y->sp_freeindex, y->sp_freeindex_size);
    s->allocbits = get_uint(buf, y->sp_allocbits, 8);
    s->spanclass = buf[y->sp_spanclass];
    s->largetype = y->has_largetype ? get_uint(buf, y->sp_largetype, 8) : 0;
    s->specials = y->sites_ok ? get_uint(buf, y->sp_specials, 8) : 0;
    uint64_t bytes = s->npages * y->page_size;
    (void)addr;
    /* a span's pages are heap memory the core holds: npages is bounded by
     * the memory there, nelems by npages and elemsize */
    return s->npages > 0 && s->npages < (1ULL << 36) && (s->base & (y->page_size - 1)) == 0 &&
           s->base < (1ULL << 48) && ec_extent(L->core, s->base, bytes) == bytes && s->elemsize > 0 &&
           s->nelems <= bytes / s->elemsize && s->freeindex <= s->nelems;
}

static int read_spans(gc_load *L, rt_error *err)
{
    const gc_layout *y = &L->lay;
    uint64_t arr, len;
    int rc;
    if ((rc = ec_read_u64(L->core, L->glob.mheap + y->mheap_allspans, &arr, err)) ||
        (rc = ec_read_u64(L->core, L->glob.mheap + y->mheap_allspans + 8, &len, err))) {
        rt_error_where(err, L->core_path, RT_NO_OFFSET, "reading mheap_.allspans");
        return rc;
    }
    /* one pointer per span, all in the memory the core holds at arr */
    if (len > (1ULL << 32) || ec_extent(L->core, arr, len * 8) < len * 8) {
        rt_error_where(err, L->core_path, RT_NO_OFFSET, "reading mheap_.allspans");
        return RT_FAIL(err, RT_E_CORRUPT,
                       "runtime.mheap_.allspans (at 0x%llx) claims %llu spans, more than the memory "
                       "at 0x%llx holds (%llu); the core is corrupt",
                       (unsigned long long)(L->glob.mheap + y->mheap_allspans), (unsigned long long)len,
                       (unsigned long long)arr, (unsigned long long)(ec_extent(L->core, arr, UINT64_MAX / 2) / 8));
    }
    size_t ssize = (size_t)y->sp_size;
    if (ssize < 64 || ssize > 4096)
        return RT_FAIL(err, RT_E_UNSUPPORTED, "runtime.mspan has an unexpected size (%zu)", ssize);
    uint8_t *buf = rt_malloc(ssize);
    size_t cap = 0, bad = 0;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t sp = ec_read_u64_or(L->core, arr + 8 * i, 0);
        if (!sp)
            continue;
        rt_error e2;
        if (ec_read(L->core, sp, buf, ssize, &e2) != 0) {
            bad++;
            continue;
        }
        gc_span s;
        memset(&s, 0, sizeof s);
        if (buf[y->sp_state] == (uint8_t)y->span_in_use && !read_span(L, sp, buf, &s)) {
            bad++;
            continue;
        }
        if (buf[y->sp_state] != (uint8_t)y->span_in_use)
            continue;
        RT_GROW(L->spans, cap, L->nspans + 1);
        L->spans[L->nspans++] = s;
        if (i % 4096 == 0)
            progress_report(L->prog, "reading spans", i, len);
    }
    free(buf);
    if (bad)
        model_warn(L->m, "%zu spans could not be read or made no sense; their objects are missing", bad);
    if (L->nspans)
        qsort(L->spans, L->nspans, sizeof *L->spans, cmp_span);
    /* drop spans that overlap their predecessor (a corrupt core) */
    size_t w = 0;
    for (size_t i = 0; i < L->nspans; i++) {
        if (w && L->spans[w - 1].base + L->spans[w - 1].npages * y->page_size > L->spans[i].base) {
            bad++;
            continue;
        }
        L->spans[w++] = L->spans[i];
    }
    L->nspans = w;
    return 0;
}

/* The allocated slots of the spans, counted and then written, each pass
 * split over the threads by runs of spans: a span's objects get ids from
 * the counts of the spans before it, so ids do not depend on the split. */
typedef struct slots_job {
    gc_load *L;
    size_t lo[RT_MAX_THREADS + 1]; /* worker w: spans [lo[w], lo[w+1]) */
    uint64_t unreadable[RT_MAX_THREADS];
    int fill;                      /* 0: count into span_first; 1: write */
} slots_job;

/* Span s's allocation bits into *bits (grown as needed); 0 when they
 * cannot be read: then only the slots below freeindex are known. */
static int span_bits(gc_load *L, const gc_span *s, uint8_t **bits, size_t *cap)
{
    size_t nb = (size_t)(s->nelems + 7) / 8;
    RT_GROW(*bits, *cap, nb + 1);
    rt_error e2;
    if (nb && ec_read(L->core, s->allocbits, *bits, nb, &e2) != 0) {
        memset(*bits, 0, nb);
        return 0;
    }
    return 1;
}

int gc_split_spans(const gc_load *L, uint64_t (*cost)(const gc_load *L, size_t k), size_t *lo)
{
    /* never more runs than spans (a small heap splits as a big one does,
     * so the tests' small programs run the same joins) */
    int n = L->threads < 1 ? 1 : L->threads > RT_MAX_THREADS ? RT_MAX_THREADS : L->threads;
    if ((size_t)n > L->nspans)
        n = L->nspans ? (int)L->nspans : 1;
    uint64_t total = 0, done = 0;
    for (size_t k = 0; k < L->nspans; k++)
        total += cost(L, k);
    size_t k = 0;
    for (int w = 0; w < n; w++) {
        lo[w] = k;
        uint64_t goal = total / (uint64_t)n * (uint64_t)(w + 1);
        while (k < L->nspans && (w == n - 1 || done < goal))
            done += cost(L, k++);
    }
    lo[n] = L->nspans;
    return n;
}

/* What listing span k's slots costs: one per slot, and one for the span */
static uint64_t slots_cost(const gc_load *L, size_t k)
{
    return L->spans[k].nelems + 1;
}

static void slots_worker(void *arg, int w)
{
    slots_job *j = arg;
    gc_load *L = j->L;
    rt_model *m = L->m;
    uint8_t *bits = NULL;
    size_t cap = 0;
    for (size_t k = j->lo[w]; k < j->lo[w + 1]; k++) {
        const gc_span *s = &L->spans[k];
        if (!span_bits(L, s, &bits, &cap) && !j->fill)
            j->unreadable[w]++;
        if (!j->fill) {
            uint64_t n = s->freeindex;
            for (uint64_t i = s->freeindex; i < s->nelems; i++)
                n += bits[i / 8] >> (i % 8) & 1;
            L->span_first[k] = (uint32_t)(n < UINT32_MAX ? n : UINT32_MAX);
            continue;
        }
        rt_object *o = &m->objects[L->span_first[k]];
        for (uint64_t i = 0; i < s->nelems; i++)
            if (i < s->freeindex || (bits[i / 8] >> (i % 8) & 1))
                *o++ = (rt_object){ s->base + i * s->elemsize, s->elemsize };
    }
    free(bits);
}

int gc_heap_objects(gc_load *L, rt_error *err)
{
    rt_model *m = L->m;
    int rc = read_spans(L, err);
    if (rc)
        return rc;
    L->span_first = rt_malloc((L->nspans + 1) * sizeof *L->span_first);
    slots_job *j = rt_calloc(1, sizeof *j);
    j->L = L;
    int n = gc_split_spans(L, slots_cost, j->lo);
    rt_parallel(n, slots_worker, j);
    /* counts to first ids */
    uint64_t nobj = 0, unreadable = 0;
    for (size_t k = 0; k < L->nspans; k++) {
        uint64_t c = L->span_first[k];
        L->span_first[k] = (uint32_t)(nobj < UINT32_MAX ? nobj : UINT32_MAX);
        nobj += c;
    }
    for (int w = 0; w < n; w++)
        unreadable += j->unreadable[w];
    if (nobj >= UINT32_MAX - (1u << 24)) {
        free(j);
        return RT_FAIL(err, RT_E_UNSUPPORTED, "more than 4 billion objects");
    }
    L->span_first[L->nspans] = (uint32_t)nobj;
    m->objects = rt_malloc((nobj ? nobj : 1) * sizeof *m->objects);
    m->nobj = (uint32_t)nobj;
    j->fill = 1;
    rt_parallel(n, slots_worker, j);
    free(j);
    if (unreadable)
        model_warn(m, "%llu spans had unreadable allocation bits", (unsigned long long)unreadable);
    model_build_index(m);
    gc_finder_build(L);
    return 0;
}
