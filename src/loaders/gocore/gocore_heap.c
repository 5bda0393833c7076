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

int gc_heap_objects(gc_load *L, rt_error *err)
{
    rt_model *m = L->m;
    int rc = read_spans(L, err);
    if (rc)
        return rc;
    size_t cap = 0;
    uint8_t *bits = NULL;
    size_t bits_cap = 0;
    uint64_t unreadable = 0;
    L->span_first = rt_malloc((L->nspans + 1) * sizeof *L->span_first);
    for (size_t k = 0; k < L->nspans; k++) {
        const gc_span *s = &L->spans[k];
        L->span_first[k] = m->nobj;
        size_t nb = (size_t)(s->nelems + 7) / 8;
        RT_GROW(bits, bits_cap, nb + 1);
        rt_error e2;
        if (nb && ec_read(L->core, s->allocbits, bits, nb, &e2) != 0) {
            /* without alloc bits only slots below freeindex are known */
            memset(bits, 0, nb);
            unreadable++;
        }
        for (uint64_t i = 0; i < s->nelems; i++) {
            if (i >= s->freeindex && !(bits[i / 8] >> (i % 8) & 1))
                continue;
            if (m->nobj >= UINT32_MAX - (1u << 24)) {
                free(bits);
                return RT_FAIL(err, RT_E_UNSUPPORTED, "more than 4 billion objects");
            }
            RT_GROW(m->objects, cap, (size_t)m->nobj + 1);
            rt_object *o = &m->objects[m->nobj++];
            o->base = s->base + i * s->elemsize;
            o->size = s->elemsize;
        }
    }
    L->span_first[L->nspans] = m->nobj;
    free(bits);
    if (unreadable)
        model_warn(m, "%llu spans had unreadable allocation bits", (unsigned long long)unreadable);
    model_build_index(m);
    gc_finder_build(L);
    return 0;
}
