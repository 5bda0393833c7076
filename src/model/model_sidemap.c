/* model_sidemap.c — per-object values that only some objects have (types,
 * allocation sites): sorted pairs while few, an array once many (see
 * rt_sidemap in model.h).  A 10-million-object heap at the default
 * sampling rate has a few thousand sampled objects: pairs cost kilobytes
 * where an array costs 40 MB of peak RSS. */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/alloc.h"

static void densify(rt_sidemap *s, uint32_t nobj)
{
    s->dense = rt_malloc(((size_t)nobj + 1) * sizeof *s->dense);
    for (size_t i = 0; i <= nobj; i++)
        s->dense[i] = s->none;
    for (size_t k = 0; k < s->n; k++)
        s->dense[s->keys[k]] = s->vals[k];
    free(s->keys);
    free(s->vals);
    s->keys = s->vals = NULL;
    s->n = s->cap = 0;
}

void sidemap_set(rt_sidemap *s, uint32_t nobj, uint32_t i, uint32_t v)
{
    if (s->dir) { /* the pairs change: sidemap_done makes it again */
        free(s->dir);
        s->dir = NULL;
        s->ndir = 0;
    }
    if (s->dense) {
        s->dense[i] = v;
        return;
    }
    if (v == s->none && !s->n)
        return;
    if (s->n >= s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->keys = rt_reallocarray(s->keys, s->cap, sizeof *s->keys);
        s->vals = rt_reallocarray(s->vals, s->cap, sizeof *s->vals);
    }
    s->keys[s->n] = i;
    s->vals[s->n++] = v;
    if (s->n > nobj / 16)
        densify(s, nobj);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void sidemap_done(rt_sidemap *s)
{
    if (s->dense || !s->n)
        return;
    /* object in the high half, order of setting in the low half: sorted,
     * the last value set for an object comes last and wins */
    uint64_t *order = rt_malloc(s->n * sizeof *order);
    for (size_t k = 0; k < s->n; k++)
        order[k] = (uint64_t)s->keys[k] << 32 | (uint32_t)k;
    qsort(order, s->n, sizeof *order, cmp_u64);
    uint32_t *vals = rt_malloc(s->n * sizeof *vals);
    size_t w = 0;
    for (size_t k = 0; k < s->n; k++) {
        uint32_t key = (uint32_t)(order[k] >> 32), v = s->vals[(uint32_t)order[k]];
        if (w && s->keys[w - 1] == key) {
            vals[w - 1] = v;
            continue;
        }
        s->keys[w] = key;
        vals[w++] = v;
    }
    free(order);
    free(s->vals);
    s->vals = vals;
    s->n = s->cap = w;
    /* the directory: 2^shift keys a bucket, about as many buckets as pairs */
    if (w < 64)
        return;
    uint32_t max = s->keys[w - 1];
    uint8_t shift = 0;
    while (((uint64_t)max >> shift) + 1 > w)
        shift++;
    s->shift = shift;
    s->ndir = (max >> shift) + 2;
    s->dir = rt_malloc((size_t)s->ndir * sizeof *s->dir);
    size_t k = 0;
    for (uint32_t b = 0; b < s->ndir; b++) {
        while (k < w && (s->keys[k] >> shift) < b)
            k++;
        s->dir[b] = (uint32_t)k;
    }
}

uint32_t sidemap_get_sparse(const rt_sidemap *s, uint32_t i)
{
    size_t lo = 0, hi = s->n;
    if (s->dir) {
        uint32_t b = i >> s->shift;
        if (b + 1 >= s->ndir)
            return s->none; /* past the last key */
        lo = s->dir[b];
        hi = s->dir[b + 1];
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->keys[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->keys[lo] == i ? s->vals[lo] : s->none;
}

int sidemap_next(const rt_sidemap *s, uint32_t nobj, size_t *k, uint32_t *obj, uint32_t *val)
{
    if (s->dense) {
        while (*k < nobj && s->dense[*k] == s->none)
            ++*k;
        if (*k >= nobj)
            return 0;
        *obj = (uint32_t)*k;
        *val = s->dense[(*k)++];
        return 1;
    }
    while (*k < s->n && s->vals[*k] == s->none)
        ++*k;
    if (*k >= s->n)
        return 0;
    *obj = s->keys[*k];
    *val = s->vals[(*k)++];
    return 1;
}

void sidemap_free(rt_sidemap *s)
{
    free(s->dense);
    free(s->keys);
    free(s->vals);
    free(s->dir);
    uint32_t none = s->none;
    memset(s, 0, sizeof *s);
    s->none = none;
}
