/* alloc.c — allocation that cannot return NULL (see alloc.h). */
#include "util/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    return p;
}

void *rt_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *rt_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
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
