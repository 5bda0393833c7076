/* gocore_find.c — which heap object holds an address, by the span's
 * arithmetic rather than a search of the object list.
 *
 * Resolving every pointer word of the heap is the loader's hottest loop;
 * model_find answers from the object array, and that array (16 bytes per
 * object) does not stay in cache, so each lookup waits on memory.  A core
 * knows more: every page belongs to one span, and a span's slots sit at
 * base + i * elemsize.  One uint32 per heap page names the span; a span
 * whose slots are all allocated (most, in a big heap) gives the object id
 * as first + slot without touching the object array.  The answer is the
 * same as model_find's for every address: debug builds (the sanitizer
 * build every test runs) assert that on each pointer word of each core,
 * model_find being the plain reference. */
#include <stdlib.h>

#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"

/* pages spanned by the index at most, as a multiple of the heap's own:
 * arenas far apart (a corrupt core, or hints) fall back to model_find */
#define SPREAD_MAX 8

void gc_finder_build(gc_load *L)
{
    gc_finder *f = &L->find;
    free(f->page_span);
    f->page_span = NULL;
    f->npages = 0;
    uint64_t page = L->lay.page_size;
    if (!L->nspans || !page || (page & (page - 1)))
        return;
    uint64_t lo = L->spans[0].base;
    const gc_span *last = &L->spans[L->nspans - 1];
    uint64_t hi = last->base + last->npages * page, used = 0;
    for (size_t k = 0; k < L->nspans; k++)
        used += L->spans[k].npages;
    uint64_t n = (hi - lo) / page;
    if (n > SPREAD_MAX * used + (1u << 16) || n > UINT32_MAX)
        return;
    f->page_span = rt_malloc((size_t)n * sizeof *f->page_span);
    for (uint64_t p = 0; p < n; p++)
        f->page_span[p] = UINT32_MAX;
    /* spans are sorted, page aligned and do not overlap (read_spans) */
    for (size_t k = 0; k < L->nspans; k++) {
        uint64_t p0 = (L->spans[k].base - lo) / page;
        for (uint64_t p = p0; p < p0 + L->spans[k].npages; p++)
            f->page_span[p] = (uint32_t)k;
    }
    f->lo = lo;
    f->npages = n;
    f->page_shift = (unsigned)__builtin_ctzll(page);
}

void gc_finder_free(gc_load *L)
{
    free(L->find.page_span);
    L->find.page_span = NULL;
    L->find.npages = 0;
}

uint32_t gc_find(const gc_load *L, uint64_t addr)
{
    const gc_finder *f = &L->find;
    if (!f->page_span)
        return model_find(L->m, addr);
    uint64_t p = (addr - f->lo) >> f->page_shift;
    if (addr < f->lo || p >= f->npages)
        return RT_NONE;
    uint32_t k = f->page_span[p];
    if (k == UINT32_MAX)
        return RT_NONE;
    const gc_span *s = &L->spans[k];
    uint64_t slot = (addr - s->base) / s->elemsize;
    if (slot >= s->nelems)
        return RT_NONE; /* the span's tail, past its last slot */
    uint32_t first = L->span_first[k], count = L->span_first[k + 1] - first;
    if (count == s->nelems)
        return first + (uint32_t)slot;
    /* some slots are free: the allocated ones, in address order */
    uint64_t want = s->base + slot * s->elemsize;
    const rt_object *o = L->m->objects;
    uint32_t a = first, b = first + count;
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (o[mid].base < want)
            a = mid + 1;
        else
            b = mid;
    }
    return a < first + count && o[a].base == want ? a : RT_NONE;
}
