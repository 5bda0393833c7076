/* dwarf_hash.c — the string pool and the two hash indexes of a dw_info
 * (dwarf_int.h).  Open addressing with linear probing at load ≤ 1/2: the
 * tables are built once and then only read. */
#include <string.h>

#include "dwarf/dwarf_int.h"
#include "util/alloc.h"

/* ---- string pool ---- */

struct dw_pool_block {
    dw_pool_block *next;
    char data[];
};

enum { POOL_BLOCK = 64 * 1024 };

const char *dw_pool_strdup(dw_pool *p, const char *s)
{
    size_t n = strlen(s) + 1;
    if (!p->head || p->cap - p->used < n) {
        /* names longer than a block get a block of their own */
        size_t cap = n > POOL_BLOCK ? n : POOL_BLOCK;
        dw_pool_block *b = rt_malloc(sizeof *b + cap);
        b->next = p->head;
        p->head = b;
        p->used = 0;
        p->cap = cap;
    }
    char *dst = p->head->data + p->used;
    memcpy(dst, s, n);
    p->used += n;
    return dst;
}

void dw_pool_free(dw_pool *p)
{
    dw_pool_block *b = p->head;
    while (b) {
        dw_pool_block *next = b->next;
        free(b);
        b = next;
    }
    memset(p, 0, sizeof *p);
}

/* ---- hashing ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 33; /* murmur3 finaliser */
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* ---- string → index ---- */

static void strmap_grow(dw_strmap *m)
{
    dw_strmap bigger = { 0 };
    bigger.cap = m->cap ? m->cap * 2 : 64;
    bigger.keys = rt_calloc(bigger.cap, sizeof *bigger.keys);
    bigger.vals = rt_calloc(bigger.cap, sizeof *bigger.vals);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i])
            dw_strmap_put(&bigger, m->keys[i], m->vals[i], false);
    dw_strmap_free(m);
    *m = bigger;
}

void dw_strmap_put(dw_strmap *m, const char *key, uint32_t val, bool replace)
{
    if ((m->n + 1) * 2 > m->cap)
        strmap_grow(m);
    size_t mask = m->cap - 1;
    for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
        if (!m->keys[i]) {
            m->keys[i] = key;
            m->vals[i] = val;
            m->n++;
            return;
        }
        if (strcmp(m->keys[i], key) == 0) {
            if (replace)
                m->vals[i] = val;
            return;
        }
    }
}

bool dw_strmap_get(const dw_strmap *m, const char *key, uint32_t *val)
{
    if (!m->cap || !key)
        return false;
    size_t mask = m->cap - 1;
    for (size_t i = hash_str(key) & mask; m->keys[i]; i = (i + 1) & mask)
        if (strcmp(m->keys[i], key) == 0) {
            *val = m->vals[i];
            return true;
        }
    return false;
}

void dw_strmap_free(dw_strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- uint64 → index ---- */

static void u64map_grow(dw_u64map *m)
{
    dw_u64map bigger = { 0 };
    bigger.cap = m->cap ? m->cap * 2 : 64;
    bigger.keys = rt_calloc(bigger.cap, sizeof *bigger.keys);
    bigger.vals = rt_calloc(bigger.cap, sizeof *bigger.vals);
    bigger.used = rt_calloc(bigger.cap, 1);
    for (size_t i = 0; i < m->cap; i++)
        if (m->used[i])
            dw_u64map_put(&bigger, m->keys[i], m->vals[i], false);
    dw_u64map_free(m);
    *m = bigger;
}

void dw_u64map_put(dw_u64map *m, uint64_t key, uint32_t val, bool replace)
{
    if ((m->n + 1) * 2 > m->cap)
        u64map_grow(m);
    size_t mask = m->cap - 1;
    for (size_t i = hash_u64(key) & mask;; i = (i + 1) & mask) {
        if (!m->used[i]) {
            m->used[i] = 1;
            m->keys[i] = key;
            m->vals[i] = val;
            m->n++;
            return;
        }
        if (m->keys[i] == key) {
            if (replace)
                m->vals[i] = val;
            return;
        }
    }
}

bool dw_u64map_get(const dw_u64map *m, uint64_t key, uint32_t *val)
{
    if (!m->cap)
        return false;
    size_t mask = m->cap - 1;
    for (size_t i = hash_u64(key) & mask; m->used[i]; i = (i + 1) & mask)
        if (m->keys[i] == key) {
            *val = m->vals[i];
            return true;
        }
    return false;
}

void dw_u64map_free(dw_u64map *m)
{
    free(m->keys);
    free(m->vals);
    free(m->used);
    memset(m, 0, sizeof *m);
}
