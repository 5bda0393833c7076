/* strpool.c — string interning: one byte arena, an offset table and an
 * open-addressing hash of ids.  Ids are dense so they index side tables. */
#include "util/strpool.h"

#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

struct rt_strpool {
    char *arena;       /* NUL-terminated strings back to back */
    size_t arena_len, arena_cap;
    uint64_t *offs;    /* id -> arena offset; id 0 is "" */
    uint32_t *lens;
    size_t count, offs_cap;
    uint32_t *slots;   /* hash slots: id, or 0 for empty */
    size_t nslots;     /* power of two */
};

rt_strpool *strpool_new(void)
{
    rt_strpool *p = rt_calloc(1, sizeof *p);
    p->nslots = 1024;
    p->slots = rt_calloc(p->nslots, sizeof *p->slots);
    RT_GROW(p->arena, p->arena_cap, 1);
    p->arena[0] = 0;
    p->arena_len = 1;
    RT_GROW(p->offs, p->offs_cap, 1);
    p->lens = rt_reallocarray(NULL, p->offs_cap, sizeof *p->lens);
    p->offs[0] = 0;
    p->lens[0] = 0;
    p->count = 1;
    return p;
}

void strpool_free(rt_strpool *p)
{
    if (!p)
        return;
    free(p->arena);
    free(p->offs);
    free(p->lens);
    free(p->slots);
    free(p);
}

static void rehash(rt_strpool *p)
{
    size_t n = p->nslots * 2;
    uint32_t *s = rt_calloc(n, sizeof *s);
    for (size_t id = 1; id < p->count; id++) {
        uint64_t h = rt_hash_bytes(p->arena + p->offs[id], p->lens[id]);
        size_t i = h & (n - 1);
        while (s[i])
            i = (i + 1) & (n - 1);
        s[i] = (uint32_t)id;
    }
    free(p->slots);
    p->slots = s;
    p->nslots = n;
}

uint32_t strpool_intern(rt_strpool *p, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (len > UINT32_MAX - 1)
        len = UINT32_MAX - 1;
    uint64_t h = rt_hash_bytes(s, len);
    size_t i = h & (p->nslots - 1);
    while (p->slots[i]) {
        uint32_t id = p->slots[i];
        if (p->lens[id] == len && memcmp(p->arena + p->offs[id], s, len) == 0)
            return id;
        i = (i + 1) & (p->nslots - 1);
    }
    size_t old_cap = p->offs_cap;
    RT_GROW(p->offs, p->offs_cap, p->count + 1);
    if (p->offs_cap != old_cap)
        p->lens = rt_reallocarray(p->lens, p->offs_cap, sizeof *p->lens);
    RT_GROW(p->arena, p->arena_cap, p->arena_len + len + 1);
    memcpy(p->arena + p->arena_len, s, len);
    p->arena[p->arena_len + len] = 0;
    uint32_t id = (uint32_t)p->count++;
    p->offs[id] = p->arena_len;
    p->lens[id] = (uint32_t)len;
    p->arena_len += len + 1;
    p->slots[i] = id;
    if (p->count * 2 > p->nslots)
        rehash(p);
    return id;
}

uint32_t strpool_intern_cstr(rt_strpool *p, const char *s)
{
    return s ? strpool_intern(p, s, strlen(s)) : 0;
}

const char *strpool_get(const rt_strpool *p, uint32_t id)
{
    if (!p || id >= p->count)
        return "";
    return p->arena + p->offs[id];
}

size_t strpool_len(const rt_strpool *p, uint32_t id)
{
    if (!p || id >= p->count)
        return 0;
    return p->lens[id];
}

uint32_t strpool_count(const rt_strpool *p)
{
    return (uint32_t)p->count;
}
