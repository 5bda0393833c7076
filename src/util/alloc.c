/* alloc.c — allocation that cannot return NULL (see alloc.h). */
#include "util/alloc.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_FROM ((size_t)8 << 20)

/* The pages of [p, p+n) advised as advice says (advice only: a kernel
 * without transparent huge pages changes nothing).  The whole pages, not
 * just the 2 MiB-aligned middle: a block malloc maps on its own is then
 * one mapping with one flag, which realloc can still grow or move with
 * mremap; a split one would make it copy instead. */
static void *advise(void *p, size_t n, int advice)
{
    if (n < HUGE_FROM)
        return p;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)p & ~(page - 1), hi = ((uintptr_t)p + n + page - 1) & ~(page - 1);
    (void)madvise((void *)lo, hi - lo, advice);
    return p;
}

static void oom(size_t n)
{
    fprintf(stderr, "retain: out of memory (asked for %zu bytes)\n", n);
    exit(1);
}

void *rt_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return advise(p, n, MADV_HUGEPAGE);
}

static void *zeroed(size_t count, size_t size, int advice)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return advise(p, count * size, advice);
}

void *rt_calloc(size_t count, size_t size)
{
    return zeroed(count, size, MADV_HUGEPAGE);
}

void *rt_calloc_sparse(size_t count, size_t size)
{
    return zeroed(count, size, MADV_NOHUGEPAGE);
}

void *rt_realloc(void *p, size_t n)
{
    if (p && n >= HUGE_FROM && malloc_usable_size(p) < HUGE_FROM) {
        /* growing past the line: realloc would copy into the new block
         * before the advice, and the pages it touched stay small */
        size_t old = malloc_usable_size(p);
        void *q = rt_malloc(n);
        memcpy(q, p, old < n ? old : n);
        free(p);
        return q;
    }
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return advise(q, n, MADV_HUGEPAGE);
}

void *rt_reallocarray(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        oom(SIZE_MAX);
    return rt_realloc(p, count * size);
}

char *rt_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = rt_malloc(n);
    memcpy(d, s, n);
    return d;
}

void rt_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t c = *cap;
    if (need <= c)
        return;
    if (c < 16)
        c = 16;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            oom(SIZE_MAX);
        c *= 2;
    }
    *arr = rt_reallocarray(*arr, c, elem);
    *cap = c;
}
