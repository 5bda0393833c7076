/* heapdump_objects.c — putting a dump's objects in address order.
 *
 * A dump lists objects span by span, so the input is a few hundred
 * thousand ascending runs.  Sorting the runs and moving each object once
 * (cycle-following permutation, one bit of extra state per object) costs
 * O(n + r log r) time and no second copy of the object array. */
#include <stdio.h>
#include <string.h>

#include "loaders/heapdump/heapdump_int.h"
#include "util/alloc.h"

typedef struct run {
    size_t start, len; /* in dump order */
    size_t dest;       /* first index in address order */
    uint64_t first;
    size_t index;      /* position in dump order */
} run;

static int cmp_run_first(const void *a, const void *b)
{
    const run *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

static int cmp_obj(const void *a, const void *b)
{
    const rt_object *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

/* run containing dump index i; runs[] is in dump order */
static const run *run_of(const run *runs, size_t nrun, size_t i)
{
    size_t lo = 0, hi = nrun;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (runs[mid].start <= i)
            lo = mid;
        else
            hi = mid;
    }
    return &runs[lo];
}

static size_t dest_of(const run *runs, size_t nrun, size_t i)
{
    const run *r = run_of(runs, nrun, i);
    return r->dest + (i - r->start);
}

int hd_sort_objects(hd_load *L, rt_error *err)
{
    rt_object *o = L->objs;
    size_t n = L->nobj;
    (void)err;
    if (n < 2)
        return 0;
    run *runs = NULL;
    size_t nrun = 0, cap = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && o[j].base > o[j - 1].base)
            j++;
        RT_GROW(runs, cap, nrun + 1);
        runs[nrun] = (run){ i, j - i, 0, o[i].base, nrun };
        nrun++;
        i = j;
    }
    if (nrun == 1) {
        free(runs);
        return 0;
    }
    run *byaddr = rt_malloc(nrun * sizeof *byaddr);
    memcpy(byaddr, runs, nrun * sizeof *byaddr);
    qsort(byaddr, nrun, sizeof *byaddr, cmp_run_first);
    size_t pos = 0;
    for (size_t k = 0; k < nrun; k++) {
        const run *r = &byaddr[k];
        /* runs that interleave (not seen in real dumps) need a full sort */
        if (k > 0 && o[byaddr[k - 1].start + byaddr[k - 1].len - 1].base >= r->first) {
            free(byaddr);
            free(runs);
            qsort(o, n, sizeof *o, cmp_obj);
            return 0;
        }
        runs[r->index].dest = pos;
        pos += r->len;
    }
    free(byaddr);

    /* Apply the permutation in place: follow each cycle once. */
    uint64_t *done = rt_calloc((n + 63) / 64, sizeof *done);
    for (size_t i = 0; i < n; i++) {
        if (done[i / 64] >> (i % 64) & 1)
            continue;
        rt_object carry = o[i];
        size_t j = i;
        for (;;) {
            size_t d = dest_of(runs, nrun, j);
            done[d / 64] |= 1ULL << (d % 64);
            rt_object t = o[d];
            o[d] = carry;
            carry = t;
            if (d == i)
                break;
            j = d;
        }
    }
    free(done);
    free(runs);
    return 0;
}

/* Go 1.22+ dumps walk npages*8192/elemsize slots per span, one more
 * than nelems where the span's tail holds heap bits (pointerful spans of
 * objects <= 512 B) or, under the green-tea GC, inline mark bits
 * (16..512 B): those trailing "objects" never existed.  A span of such
 * small objects is one page, so the test is per page. */
void hd_drop_phantoms(hd_load *L)
{
    if (L->go_minor < 22)
        return;
    rt_object *o = L->objs;
    size_t n = L->nobj, out = 0;
    for (size_t i = 0; i < n;) {
        uint64_t page = o[i].base >> 13, size = o[i].size;
        size_t j = i;
        int pointerful = 0;
        while (j < n && o[j].base >> 13 == page && o[j].size == size) {
            pointerful |= (o[j].type & HD_OBJ_HAS_FIELDS) != 0;
            j++;
        }
        uint64_t reserve = 0;
        if (size <= 512) {
            if (pointerful)
                reserve += 128;
            if (L->greentea && size >= 16)
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
    const rt_object *o = L->objs;
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
