/* sites.c — allocation sites joined to the heap and to a heap profile
 * (sites.h).  Steps: each heap site and profile site gets the key of its
 * row (its stack, or its allocating frame); one pass over the objects
 * sums the rows and, through the dominator tree, what holds each object;
 * the retained figures come from aggregate_retained_keys. */
#include "analysis/sites.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/aggregate.h"
#include "util/alloc.h"
#include "util/hash.h"

/* ---- row keys: frame sequences, interned ---- */

typedef struct keys {
    rt_frame *frames;     /* the sequences, one after another */
    size_t nframes, cap_frames;
    uint32_t *start, *len; /* per key */
    uint32_t n, cap;
    uint32_t *slots;      /* key + 1, 0 = empty */
    size_t nslots;
} keys;

static uint64_t seq_hash(const rt_frame *f, uint32_t n)
{
    uint64_t h = 0x51ed270b27a0c9e3ULL ^ n;
    for (uint32_t i = 0; i < n; i++)
        h = rt_hash64(h ^ ((uint64_t)f[i].function << 32 | f[i].line) ^ (uint64_t)f[i].file << 21);
    return h;
}

static void keys_grow(keys *K)
{
    size_t ncap = K->nslots ? K->nslots * 2 : 256;
    uint32_t *ns = rt_calloc(ncap, sizeof *ns);
    for (uint32_t k = 0; k < K->n; k++) {
        size_t j = seq_hash(K->frames + K->start[k], K->len[k]) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = k + 1;
    }
    free(K->slots);
    K->slots = ns;
    K->nslots = ncap;
}

static uint32_t key_of(keys *K, const rt_frame *f, uint32_t n)
{
    if (((size_t)K->n + 1) * 2 > K->nslots)
        keys_grow(K);
    size_t j = seq_hash(f, n) & (K->nslots - 1);
    for (; K->slots[j]; j = (j + 1) & (K->nslots - 1)) {
        uint32_t k = K->slots[j] - 1;
        if (K->len[k] == n && memcmp(K->frames + K->start[k], f, n * sizeof *f) == 0)
            return k;
    }
    if (K->n == K->cap) {
        K->cap = K->cap ? K->cap * 2 : 256;
        K->start = rt_reallocarray(K->start, K->cap, sizeof *K->start);
        K->len = rt_reallocarray(K->len, K->cap, sizeof *K->len);
    }
    RT_GROW(K->frames, K->cap_frames, K->nframes + n + 1);
    memcpy(K->frames + K->nframes, f, n * sizeof *f);
    K->start[K->n] = (uint32_t)K->nframes;
    K->len[K->n] = n;
    K->nframes += n;
    K->slots[j] = K->n + 1;
    return K->n++;
}

static void keys_free(keys *K)
{
    free(K->frames);
    free(K->start);
    free(K->len);
    free(K->slots);
}

/* The key of a stack under the grouping: the stack from its allocating
 * frame outward (the runtime's own frames above it differ between a core,
 * a dump and a profile of one allocation: inlined helpers of mallocgc),
 * or the allocating frame alone (function only, or function and line). */
static uint32_t row_key(keys *K, rt_sites_by by, const rt_frame *f, uint32_t n, uint32_t alloc)
{
    if (n == 0)
        return key_of(K, f, n);
    if (by == RT_SITES_BY_STACK)
        return alloc < n ? key_of(K, f + alloc, n - alloc) : key_of(K, f, n);
    rt_frame one = f[alloc < n ? alloc : 0];
    if (by == RT_SITES_BY_FUNCTION)
        one.file = one.line = 0;
    return key_of(K, &one, 1);
}

/* ---- what holds each object ---- */

/* holder[v]: the node below a group node or the super-root whose
 * dominator subtree holds v (a root, or a shared top). */
static uint32_t *holders_of(const rt_retained *r)
{
    uint32_t *h = rt_malloc(((size_t)r->n + 1) * sizeof *h);
    for (uint32_t i = 0; i < r->n; i++)
        h[i] = RT_NONE;
    for (uint32_t i = 0; i < r->tree.nreach; i++) {
        uint32_t v = r->tree.order[i];
        if (v >= r->group0)
            continue; /* group nodes, the super-root */
        uint32_t p = r->tree.idom[v];
        h[v] = p >= r->group0 ? v : h[p];
    }
    return h;
}

static uint32_t top_group(const rt_shared *s, uint32_t node)
{
    if (!s || !s->top_node)
        return RT_NONE;
    uint32_t lo = 0, hi = s->ntop;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->top_node[mid] < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->ntop && s->top_node[lo] == node ? s->top_group[lo] : RT_NONE;
}

/* (row, holder) → bytes, objects: open addressing */
typedef struct hold_slot {
    uint64_t key; /* row << 32 | holder code; UINT64_MAX = empty */
    uint64_t bytes, objects;
} hold_slot;

typedef struct hold_map {
    hold_slot *s;
    size_t cap, n;
} hold_map;

static hold_slot *hold_at(hold_map *H, uint64_t key)
{
    if ((H->n + 1) * 2 > H->cap) {
        size_t ncap = H->cap ? H->cap * 2 : 1024;
        hold_slot *ns = rt_malloc(ncap * sizeof *ns);
        for (size_t i = 0; i < ncap; i++)
            ns[i].key = UINT64_MAX;
        for (size_t i = 0; i < H->cap; i++) {
            if (H->s[i].key == UINT64_MAX)
                continue;
            size_t j = rt_hash64(H->s[i].key) & (ncap - 1);
            while (ns[j].key != UINT64_MAX)
                j = (j + 1) & (ncap - 1);
            ns[j] = H->s[i];
        }
        free(H->s);
        H->s = ns;
        H->cap = ncap;
    }
    size_t j = rt_hash64(key) & (H->cap - 1);
    while (H->s[j].key != UINT64_MAX && H->s[j].key != key)
        j = (j + 1) & (H->cap - 1);
    if (H->s[j].key == UINT64_MAX) {
        H->s[j] = (hold_slot){ key, 0, 0 };
        H->n++;
    }
    return &H->s[j];
}

#define GROUP_BIT 0x80000000u

static int cmp_holder(const void *a, const void *b)
{
    const rt_site_holder *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    uint64_t kx = x->root != RT_NONE ? x->root : (uint64_t)GROUP_BIT + x->group;
    uint64_t ky = y->root != RT_NONE ? y->root : (uint64_t)GROUP_BIT + y->group;
    return kx < ky ? -1 : kx > ky;
}

/* Give each row its holders, largest first, at most max. */
static void collect_holders(rt_sites *out, hold_map *H, uint32_t max)
{
    uint32_t *count = rt_calloc((size_t)out->nrows + 1, sizeof *count);
    for (size_t i = 0; i < H->cap; i++)
        if (H->s[i].key != UINT64_MAX)
            count[H->s[i].key >> 32]++;
    for (uint32_t k = 0; k < out->nrows; k++) {
        out->rows[k].holders = count[k] ? rt_malloc(count[k] * sizeof *out->rows[k].holders) : NULL;
        out->rows[k].nholder = 0;
    }
    for (size_t i = 0; i < H->cap; i++) {
        const hold_slot *h = &H->s[i];
        if (h->key == UINT64_MAX)
            continue;
        rt_site_row *row = &out->rows[h->key >> 32];
        uint32_t code = (uint32_t)h->key;
        row->holders[row->nholder++] = (rt_site_holder){
            code & GROUP_BIT ? RT_NONE : code, code & GROUP_BIT ? code & ~GROUP_BIT : RT_NONE, h->bytes, h->objects,
        };
    }
    for (uint32_t k = 0; k < out->nrows; k++) {
        rt_site_row *row = &out->rows[k];
        if (row->nholder > 1)
            qsort(row->holders, row->nholder, sizeof *row->holders, cmp_holder);
        if (row->nholder > max) {
            row->more_holders = row->nholder - max;
            row->nholder = max;
        }
    }
    free(count);
}

/* ---- the rows ---- */

static int cmp_rows(const void *a, const void *b)
{
    const rt_site_row *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (x->prof_inuse_bytes != y->prof_inuse_bytes)
        return x->prof_inuse_bytes > y->prof_inuse_bytes ? -1 : 1;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    return x->psite < y->psite ? -1 : x->psite > y->psite;
}

void sites_compute(const rt_model *m, const rt_retained *r, const rt_shared *s, rt_sites_by by, uint64_t rate,
                   uint32_t max_holders, rt_sites *out)
{
    memset(out, 0, sizeof *out);
    out->by = by;
    out->rate = rate ? rate : m->mem_profile_rate ? m->mem_profile_rate : m->profile_rate;
    keys K;
    memset(&K, 0, sizeof K);
    uint32_t *site_key = rt_malloc(((size_t)m->nsite + 1) * sizeof *site_key);
    uint32_t *psite_key = rt_malloc(((size_t)m->npsite + 1) * sizeof *psite_key);
    for (uint32_t k = 0; k < m->nsite; k++) {
        const rt_site *st = &m->sites[k];
        site_key[k] = row_key(&K, by, m->frames + st->frame_start, st->nframes, st->alloc_frame);
    }
    for (uint32_t k = 0; k < m->npsite; k++) {
        const rt_psite *ps = &m->psites[k];
        psite_key[k] = row_key(&K, by, m->frames + ps->frame_start, ps->nframes, ps->alloc_frame);
    }
    uint32_t nkeys = K.n;
    out->rows = rt_calloc((size_t)nkeys + 1, sizeof *out->rows);
    out->nrows = nkeys;
    uint64_t *site_bytes = rt_calloc((size_t)m->nsite + 1, sizeof *site_bytes);
    for (uint32_t k = 0; k < nkeys; k++) {
        rt_site_row *row = &out->rows[k];
        row->site = row->psite = RT_NONE;
        row->prof_inuse_objects = row->prof_inuse_bytes = -1;
    }

    /* the heap's objects */
    uint32_t *obj_key = rt_malloc(((size_t)m->nobj + 1) * sizeof *obj_key);
    uint32_t *holder = r ? holders_of(r) : NULL;
    hold_map H = { NULL, 0, 0 };
    for (uint32_t i = 0; i < m->nobj; i++) {
        uint32_t site = model_obj_site(m, i);
        obj_key[i] = site < m->nsite ? site_key[site] : RT_NONE;
        if (obj_key[i] == RT_NONE)
            continue;
        uint64_t size = m->objects[i].size;
        rt_site_row *row = &out->rows[obj_key[i]];
        row->objects++;
        row->bytes += size;
        site_bytes[site] += size;
        out->sampled_objects++;
        out->sampled_bytes += size;
        if (out->rate && size) {
            double w = 1.0 / (1.0 - exp(-(double)size / (double)out->rate));
            row->est_objects += w;
            row->est_bytes += w * (double)size;
        }
        if (!r || r->tree.idom[i] == RT_NONE)
            continue; /* unreachable */
        row->reachable_objects++;
        row->reachable_bytes += size;
        uint32_t h = holder[i], code;
        if (h >= m->nobj && h < m->nobj + m->nroot)
            code = h - m->nobj;
        else if (h < m->nobj && (code = top_group(s, h)) != RT_NONE)
            code |= GROUP_BIT;
        else
            continue; /* a top with no group: the shared figures are capped */
        hold_slot *hs = hold_at(&H, (uint64_t)obj_key[i] << 32 | code);
        hs->bytes += size;
        hs->objects++;
    }
    for (uint32_t k = 0; k < nkeys; k++)
        if (!out->rate)
            out->rows[k].est_objects = out->rows[k].est_bytes = -1;
    for (uint32_t k = 0; k < m->nsite; k++) {
        rt_site_row *row = &out->rows[site_key[k]];
        if (site_bytes[k] && (row->site == RT_NONE || site_bytes[k] > site_bytes[row->site]))
            row->site = k;
    }
    if (r) {
        uint64_t *rb = rt_calloc((size_t)nkeys + 1, sizeof *rb), *ro = rt_calloc((size_t)nkeys + 1, sizeof *ro);
        aggregate_retained_keys(m, r, obj_key, nkeys, rb, ro);
        for (uint32_t k = 0; k < nkeys; k++) {
            out->rows[k].retained_bytes = rb[k];
            out->rows[k].retained_objects = ro[k];
        }
        free(rb);
        free(ro);
    }

    /* the profile's figures beside them */
    for (uint32_t k = 0; k < m->npsite; k++) {
        const rt_psite *ps = &m->psites[k];
        rt_site_row *row = &out->rows[psite_key[k]];
        if (ps->inuse_objects >= 0)
            row->prof_inuse_objects = (row->prof_inuse_objects < 0 ? 0 : row->prof_inuse_objects) + ps->inuse_objects;
        if (ps->inuse_bytes >= 0)
            row->prof_inuse_bytes = (row->prof_inuse_bytes < 0 ? 0 : row->prof_inuse_bytes) + ps->inuse_bytes;
        if (row->psite == RT_NONE || ps->inuse_bytes > m->psites[row->psite].inuse_bytes)
            row->psite = k;
    }
    if (m->nobj)
        for (uint32_t k = 0; k < nkeys; k++) {
            const rt_site_row *row = &out->rows[k];
            if (row->prof_inuse_objects > 0) {
                out->profile_found += row->objects > 0;
                out->profile_missing += row->objects == 0;
            }
        }

    collect_holders(out, &H, max_holders);
    /* rows with nothing to show go: no live object, nothing in use */
    uint32_t w = 0;
    for (uint32_t k = 0; k < nkeys; k++) {
        rt_site_row *row = &out->rows[k];
        if (row->objects || row->prof_inuse_objects > 0 || row->prof_inuse_bytes > 0)
            out->rows[w++] = *row;
        else
            free(row->holders);
    }
    out->nrows = w;
    qsort(out->rows, out->nrows, sizeof *out->rows, cmp_rows);

    free(H.s);
    free(holder);
    free(obj_key);
    free(site_bytes);
    free(site_key);
    free(psite_key);
    keys_free(&K);
}

void sites_free(rt_sites *out)
{
    for (uint32_t k = 0; k < out->nrows; k++)
        free(out->rows[k].holders);
    free(out->rows);
    memset(out, 0, sizeof *out);
}

const rt_frame *sites_row_frames(const rt_model *m, const rt_site_row *row, uint32_t *n)
{
    if (row->site != RT_NONE) {
        *n = m->sites[row->site].nframes;
        return m->frames + m->sites[row->site].frame_start;
    }
    if (row->psite != RT_NONE) {
        *n = m->psites[row->psite].nframes;
        return m->frames + m->psites[row->psite].frame_start;
    }
    *n = 0;
    return NULL;
}

uint32_t sites_row_function(const rt_model *m, const rt_site_row *row)
{
    if (row->site != RT_NONE)
        return model_site_function(m, row->site);
    if (row->psite != RT_NONE && m->psites[row->psite].nframes)
        return m->frames[m->psites[row->psite].frame_start + m->psites[row->psite].alloc_frame].function;
    return 0;
}
