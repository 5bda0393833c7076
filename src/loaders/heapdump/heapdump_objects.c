/* heapdump_objects.c — putting a dump's objects in address order, and
 * dropping the slots a dump lists but the heap never had.
 *
 * A dump lists objects span by span in the runtime's span order, not by
 * address.  Objects are bucketed by page in place (American flag sort:
 * no second copy of a 240 MB array), after which each page holds one
 * span's objects, already ascending; the rare unsorted bucket is sorted
 * on its own. */
#include <stdio.h>
#include <string.h>

#include "loaders/heapdump/heapdump_int.h"
#include "util/alloc.h"

static int cmp_obj(const void *a, const void *b)
{
    const hd_obj *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

int hd_sort_objects(hd_load *L, rt_error *err)
{
    hd_obj *o = L->objs;
    size_t n = L->nobj;
    (void)err;
    if (n < 2)
        return 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        if (o[i].base < lo)
            lo = o[i].base;
        if (o[i].base > hi)
            hi = o[i].base;
        if (i && o[i].base < o[i - 1].base)
            sorted = 0;
    }
    if (sorted)
        return 0;
    /* buckets of 8 KiB pages, or coarser when the heap is sparse */
    unsigned shift = 13;
    while (((hi - lo) >> shift) > 2 * (uint64_t)n + 1024)
        shift++;
    size_t nb = (size_t)((hi - lo) >> shift) + 1;
    size_t *next = rt_calloc(nb + 1, sizeof *next);
    size_t *end = rt_malloc((nb + 1) * sizeof *end);
    for (size_t i = 0; i < n; i++)
        next[((o[i].base - lo) >> shift) + 1]++;
    for (size_t b = 0; b < nb; b++)
        next[b + 1] += next[b];
    for (size_t b = 0; b < nb; b++)
        end[b] = next[b + 1];
    /* in place: each swap puts one object into its bucket for good */
    for (size_t b = 0; b < nb; b++) {
        while (next[b] < end[b]) {
            hd_obj x = o[next[b]];
            size_t d = (size_t)((x.base - lo) >> shift);
            while (d != b) {
                hd_obj t = o[next[d]];
                o[next[d]++] = x;
                x = t;
                d = (size_t)((x.base - lo) >> shift);
            }
            o[next[b]++] = x;
        }
    }
    /* within a bucket: usually one span, already ascending */
    size_t start = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t stop = end[b];
        for (size_t i = start + 1; i < stop; i++) {
            if (o[i].base < o[i - 1].base) {
                qsort(o + start, stop - start, sizeof *o, cmp_obj);
                break;
            }
        }
        start = stop;
    }
    free(next);
    free(end);
    return 0;
}

/* Go 1.22+ dumps walk npages*8192/elemsize slots per span, one more
 * than nelems where the span's tail holds heap bits (pointerful spans of
 * objects <= 512 B) or, under the green-tea GC, inline mark bits
 * (16..512 B): those trailing "objects" never existed.  A span of such
 * small objects is one page, so the test is per page. */
void hd_drop_phantoms(hd_load *L)
{
    if (!gv_malloc_headers(&L->ver))
        return;
    hd_obj *o = L->objs;
    size_t n = L->nobj, out = 0;
    for (size_t i = 0; i < n;) {
        uint64_t page = o[i].base >> 13, size = o[i].size;
        size_t j = i;
        int pointerful = 0;
        while (j < n && o[j].base >> 13 == page && o[j].size == size) {
            pointerful |= (o[j].flags & HD_OBJ_HAS_FIELDS) != 0;
            j++;
        }
        uint64_t reserve = 0;
        if (size <= 512) {
            if (pointerful)
                reserve += 128;
            if (L->ver.greentea && size >= 16)
                reserve += 128;
        }
        for (size_t k = i; k < j; k++) {
            if (reserve && (o[k].base & 8191) + o[k].size > 8192 - reserve) {
                L->m->dropped_phantoms++;
                continue;
            }
            o[out++] = o[k];
        }
        i = j;
    }
    L->nobj = out;
}

int hd_check_overlap(hd_load *L, rt_error *err)
{
    const hd_obj *o = L->objs;
    /* user space on x86-64 ends below 2^47; beyond 2^48 sums could wrap */
    for (size_t i = 0; i < L->nobj; i++) {
        if (o[i].base >= (1ULL << 48) || o[i].size >= (1ULL << 48) - o[i].base) {
            rt_error_where(err, L->path, RT_NO_OFFSET, "indexing objects");
            return RT_FAIL(err, RT_E_CORRUPT,
                           "object at 0x%llx (%llu bytes) lies outside the user address space",
                           (unsigned long long)o[i].base, (unsigned long long)o[i].size);
        }
    }
    for (size_t i = 1; i < L->nobj; i++) {
        if (o[i - 1].base + o[i - 1].size > o[i].base) {
            rt_error_where(err, L->path, RT_NO_OFFSET, "indexing objects");
            return RT_FAIL(err, RT_E_CORRUPT,
                           "objects at 0x%llx (%llu bytes) and 0x%llx overlap; the dump is corrupt",
                           (unsigned long long)o[i - 1].base, (unsigned long long)o[i - 1].size,
                           (unsigned long long)o[i].base);
        }
    }
    if (L->nobj > UINT32_MAX - 1 - (1u << 24))
        return RT_FAIL(err, RT_E_UNSUPPORTED, "more than 4 billion objects");
    return 0;
}
