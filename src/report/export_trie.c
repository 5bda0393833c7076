/* export_trie.c — stacks interned as a trie (export_trie.h). */
#include "report/export_trie.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

static void trie_rehash(trie *t)
{
    uint32_t ns = t->nslots ? t->nslots * 2 : 1024;
    uint32_t *s = rt_calloc(ns, sizeof *s);
    for (uint32_t i = 1; i < t->n; i++) {
        uint64_t h = rt_hash64((uint64_t)t->parent[i] << 32 ^ t->loc[i]) & (ns - 1);
        while (s[h])
            h = (h + 1) & (ns - 1);
        s[h] = i;
    }
    free(t->slots);
    t->slots = s;
    t->nslots = ns;
}

uint32_t trie_child(trie *t, uint32_t parent, uint64_t loc)
{
    if ((uint64_t)t->n * 2 >= t->nslots)
        trie_rehash(t);
    uint64_t h = rt_hash64((uint64_t)parent << 32 ^ loc) & (t->nslots - 1);
    while (t->slots[h]) {
        uint32_t i = t->slots[h];
        if (t->parent[i] == parent && t->loc[i] == loc)
            return i;
        h = (h + 1) & (t->nslots - 1);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->parent = rt_reallocarray(t->parent, t->cap, sizeof *t->parent);
        t->loc = rt_reallocarray(t->loc, t->cap, sizeof *t->loc);
        t->count = rt_reallocarray(t->count, t->cap, sizeof *t->count);
        t->bytes = rt_reallocarray(t->bytes, t->cap, sizeof *t->bytes);
    }
    uint32_t i = t->n++;
    t->parent[i] = parent;
    t->loc[i] = loc;
    t->count[i] = t->bytes[i] = 0;
    t->slots[h] = i;
    return i;
}


void trie_init(trie *t)
{
    memset(t, 0, sizeof *t);
    trie_child(t, 0, 0); /* node 0: the empty stack */
    t->n = 1;
}

void trie_free(trie *t)
{
    free(t->parent);
    free(t->loc);
    free(t->count);
    free(t->bytes);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

void trie_samples(const trie *t, pprof_builder *b)
{
    uint64_t locs[TRIE_MAX_FRAMES];
    for (uint32_t i = 1; i < t->n; i++) {
        if (!t->count[i])
            continue;
        size_t nl = 0;
        for (uint32_t k = i; k && nl < TRIE_MAX_FRAMES; k = t->parent[k])
            locs[nl++] = t->loc[k];
        int64_t vals[2] = { (int64_t)t->count[i], (int64_t)t->bytes[i] };
        pprof_add_sample(b, locs, nl, vals, NULL, NULL);
    }
}

void export_sample_types(pprof_builder *b)
{
    pprof_add_sample_type(b, "inuse_objects", "count");
    pprof_add_sample_type(b, "inuse_space", "bytes");
    pprof_set_default_sample_type(b, "inuse_space");
}
