/* gocore_pointers.c — which words of each object are pointers, and what
 * they point to.  The one place where Go versions differ in meaning:
 *
 *   1.19      2 bits per heap word in the arena's bitmap: pointer, and
 *             scan (0 = no more pointers in this object);
 *   1.20-21   1 bit per word in the arena's bitmap, plus noMorePtrs: one
 *             bit per bitmap word saying the object ends its pointers there;
 *   1.22+     objects <= 512 B: bits at the end of their span (before the
 *             green-tea inline mark bits when those exist); larger small
 *             objects: an 8-byte header holding their *_type; large
 *             objects: the span's largeType.  A type's GCData is its
 *             pointer mask, tiled over the object (arrays of the type).
 *             Such objects also get the type ("[n]T" when the slot
 *             holds more than one T: an array or a slice's backing).
 *
 * The spans are scanned on several threads (gc_load.threads), each a
 * contiguous run of spans and so of object ids, into edge arrays of its
 * own; the runs are then joined in order and the runtime types of the
 * objects that have one are given in id order on the calling thread, so
 * the model is the same whatever the number of threads. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/threads.h"

/* A type's pointer mask, read once per type and thread. */
typedef struct type_mask {
    uint64_t typ;      /* _type address; 0 = empty slot */
    uint64_t size, ptrbytes;
    uint32_t mask_off; /* into scan_ctx.masks; UINT32_MAX = unknown: scan conservatively */
    uint32_t named;    /* its flags and kind could be read: it may name a model type */
} type_mask;

/* An object whose header or span gives its runtime type: typed after the
 * scan, in id order. */
typedef struct typed_obj {
    uint32_t id;
    uint64_t typ, size, bytes; /* the type, its size, the bytes it covers */
} typed_obj;

typedef struct scan_ctx {
    gc_load *L;
    size_t span_lo, span_hi; /* its spans: [span_lo, span_hi) */
    uint32_t *dst, *off;     /* its edges; edge_start holds counts from its first */
    uint64_t nedge;
    typed_obj *typed_objs;
    size_t ntyped, cap_typed;
    uint64_t words_unreadable, ondemand_masks;
    type_mask *types;  /* open addressing by type address */
    size_t ntypes, cap_types;
    uint8_t *masks;
    size_t nmasks, cap_masks;
    const type_mask *typed; /* the current object's type, if its header or span says */
    uint64_t typed_bytes;   /* bytes of the object that type describes */
    /* arena bitmap cache (1.19-1.21) */
    uint64_t arena_idx, arena_ha;
    /* the object being scanned: its id, address and bytes (NULL: read
     * word by word), and how far into it its pages were given back */
    uint32_t id;
    uint64_t obase, released;
    const uint8_t *oview;
    uint64_t released_to;   /* the heap below this address was given back */
    size_t cap_edges;
    int too_many;           /* more edges than the model's 32-bit ids hold */
} scan_ctx;

/* Give back the core's pages behind a huge object as the scan passes them,
 * not after the whole span: a 2 GiB array then costs a window, not 2 GiB. */
#define RELEASE_STRIDE (64u << 20)

/* The word at off in the current object is a pointer slot: its value,
 * when it points into another heap object, becomes an edge.  Words come
 * in offset order, so the object's edges do too (the CSR wants that), and
 * no list of offsets is kept: memory follows the edges, not the words. */
static void pointer_word(scan_ctx *c, uint64_t off)
{
    gc_load *L = c->L;
    uint64_t v;
    if (c->oview) {
        memcpy(&v, c->oview + off, 8);
        if (off - c->released >= RELEASE_STRIDE) {
            ec_release(L->core, c->obase + c->released, (size_t)(off - c->released));
            c->released = off;
        }
    } else {
        rt_error e;
        if (ec_read_u64(L->core, c->obase + off, &v, &e) != 0) {
            c->words_unreadable++;
            return;
        }
    }
    if (v == 0)
        return;
    uint32_t t = gc_find(L, v);
    assert(t == model_find(L->m, v)); /* the span arithmetic agrees with the plain search */
    if (t == RT_NONE || t == c->id || c->too_many)
        return;
    if (c->nedge + 1 >= c->cap_edges) {
        size_t ncap = c->cap_edges ? c->cap_edges * 2 : 1 << 16;
        c->dst = rt_reallocarray(c->dst, ncap, sizeof *c->dst);
        c->off = rt_reallocarray(c->off, ncap, sizeof *c->off);
        c->cap_edges = ncap;
    }
    c->dst[c->nedge] = t;
    c->off[c->nedge] = off >= RT_OFF_NONE ? RT_OFF_NONE - 1 : (uint32_t)off;
    if (++c->nedge >= UINT32_MAX - (1u << 24))
        c->too_many = 1;
}

static void types_grow(scan_ctx *c)
{
    size_t ncap = c->cap_types ? c->cap_types * 2 : 1024;
    type_mask *t = rt_calloc(ncap, sizeof *t);
    for (size_t i = 0; i < c->cap_types; i++) {
        if (!c->types[i].typ)
            continue;
        size_t h = rt_hash64(c->types[i].typ) & (ncap - 1);
        while (t[h].typ)
            h = (h + 1) & (ncap - 1);
        t[h] = c->types[i];
    }
    free(c->types);
    c->types = t;
    c->cap_types = ncap;
}

/* The mask of the _type at typ, reading it the first time. */
static const type_mask *type_of(scan_ctx *c, uint64_t typ)
{
    gc_load *L = c->L;
    const gc_layout *y = &L->lay;
    if ((c->ntypes + 1) * 2 > c->cap_types)
        types_grow(c);
    size_t h = rt_hash64(typ) & (c->cap_types - 1);
    while (c->types[h].typ) {
        if (c->types[h].typ == typ)
            return &c->types[h];
        h = (h + 1) & (c->cap_types - 1);
    }
    type_mask *t = &c->types[h];
    c->ntypes++;
    t->typ = typ;
    t->mask_off = UINT32_MAX;
    uint64_t gcdata = ec_read_u64_or(L->core, typ + y->ty_gcdata, 0);
    uint8_t tflag = 0, kind = 0;
    rt_error e;
    t->size = ec_read_u64_or(L->core, typ + y->ty_size, 0);
    t->ptrbytes = ec_read_u64_or(L->core, typ + y->ty_ptrbytes, 0);
    if (ec_read(L->core, typ + y->ty_tflag, &tflag, 1, &e) || ec_read(L->core, typ + y->ty_kind, &kind, 1, &e))
        return t;
    t->named = 1;
    if (t->size == 0 || t->ptrbytes > t->size || t->ptrbytes > (1ULL << 32))
        return t;
    if (gv_kind_gcprog(&L->ver) && (kind & 0x40))
        return t; /* a GC program: not decoded yet, scan conservatively */
    size_t nbytes = (size_t)((t->ptrbytes / 8 + 7) / 8);
    if (gv_tflag_gcmask_on_demand(&L->ver) && (tflag & 0x10)) {
        /* **byte, nil until the runtime needed it: build it ourselves */
        RT_GROW(c->masks, c->cap_masks, c->nmasks + nbytes + 1);
        if (gc_type_mask(L, typ, t->ptrbytes / 8, c->masks + c->nmasks) == 0) {
            t->mask_off = (uint32_t)c->nmasks;
            c->nmasks += nbytes;
        }
        return t;
    }
    if (!gcdata)
        return t;
    RT_GROW(c->masks, c->cap_masks, c->nmasks + nbytes + 1);
    if (nbytes && ec_read(L->core, gcdata, c->masks + c->nmasks, nbytes, &e) != 0)
        return t;
    t->mask_off = (uint32_t)c->nmasks;
    c->nmasks += nbytes;
    return t;
}

/* Words of [data, end) that a type tiled from data says are pointers
 * (offsets from obj); an unknown mask makes every word a candidate. */
static void typed_words(scan_ctx *c, uint64_t obj, uint64_t data, uint64_t end, uint64_t typ)
{
    const type_mask *t = type_of(c, typ);
    c->typed = t;
    c->typed_bytes = end - data;
    if (t->mask_off == UINT32_MAX) {
        c->ondemand_masks++;
        for (uint64_t p = data; p + 8 <= end; p += 8)
            pointer_word(c, p - obj);
        return;
    }
    const uint8_t *mask = c->masks + t->mask_off;
    uint64_t nw = t->ptrbytes / 8;
    for (uint64_t e = data; e + 8 <= end && t->size; e += t->size) {
        for (uint64_t j = 0; j < nw && e + 8 * j + 8 <= end; j++)
            if (mask[j / 8] >> (j % 8) & 1)
                pointer_word(c, e + 8 * j - obj);
    }
}

/* heapArena holding p, or 0 */
static uint64_t arena_of(scan_ctx *c, uint64_t p)
{
    const gc_layout *y = &c->L->lay;
    uint64_t ri = (p - y->arena_base_offset) / y->heap_arena_bytes;
    if (ri == c->arena_idx)
        return c->arena_ha;
    uint64_t l1 = y->arena_l1_bits ? ri >> y->arena_l2_bits : 0;
    uint64_t l2 = ri & ((1ULL << y->arena_l2_bits) - 1);
    uint64_t l2arr = ec_read_u64_or(c->L->core, c->L->glob.mheap + y->mheap_arenas + 8 * l1, 0);
    uint64_t ha = l2arr ? ec_read_u64_or(c->L->core, l2arr + 8 * l2, 0) : 0;
    c->arena_idx = ri;
    c->arena_ha = ha;
    return ha;
}

static void words_2bit(scan_ctx *c, uint64_t obj, uint64_t size)
{
    const gc_layout *y = &c->L->lay;
    uint64_t ha = arena_of(c, obj);
    if (!ha)
        return;
    uint64_t nbytes = y->arena_words / 4;
    for (uint64_t w = 0; w < size / 8; w++) {
        uint64_t p = obj + 8 * w;
        uint8_t b;
        rt_error e;
        if (ec_read(c->L->core, ha + y->ha_bitmap + (p / 32) % nbytes, &b, 1, &e))
            return;
        unsigned s = (unsigned)((p / 8) & 3);
        if (w > 0 && !(b >> (s + 4) & 1))
            return; /* scan bit clear: no more pointers */
        if (b >> s & 1)
            pointer_word(c, 8 * w);
    }
}

static void words_1bit(scan_ctx *c, uint64_t obj, uint64_t size)
{
    const gc_layout *y = &c->L->lay;
    uint64_t ha = arena_of(c, obj);
    if (!ha)
        return;
    uint64_t w = 0, n = size / 8;
    while (w < n) {
        uint64_t word = ((obj + 8 * w) / 8) % y->arena_words;
        uint64_t idx = word / 64, bits;
        rt_error e;
        if (ec_read_u64(c->L->core, ha + y->ha_bitmap + 8 * idx, &bits, &e))
            return;
        uint64_t take = 64 - word % 64;
        if (take > n - w)
            take = n - w;
        bits >>= word % 64;
        for (uint64_t k = 0; k < take; k++)
            if (bits >> k & 1)
                pointer_word(c, 8 * (w + k));
        w += take;
        if (w < n) {
            uint8_t nm;
            if (ec_read(c->L->core, ha + y->ha_nomoreptrs + idx / 8, &nm, 1, &e) || (nm >> (idx % 8) & 1))
                return;
        }
    }
}

/* Pointer-word offsets of one object of span s. */
static void object_words(scan_ctx *c, const gc_span *s, uint64_t obj, const uint8_t *span_view)
{
    const gc_layout *y = &c->L->lay;
    c->typed = NULL;
    if (s->spanclass & 1)
        return; /* noscan */
    switch (y->gen) {
    case GC_BITS_2BIT:
        words_2bit(c, obj, s->elemsize);
        return;
    case GC_BITS_1BIT:
        words_1bit(c, obj, s->elemsize);
        return;
    case GC_BITS_HEADERS:
        break;
    }
    uint64_t span_bytes = s->npages * y->page_size;
    if (s->elemsize <= y->min_size_for_malloc_header) {
        uint64_t hbsize = span_bytes / 64;
        uint64_t hb = s->base + span_bytes - hbsize;
        if (c->L->ver.greentea && s->elemsize >= 16)
            hb -= 128;
        uint64_t w0 = (obj - s->base) / 8, nw = s->elemsize / 8;
        for (uint64_t w = w0; w < w0 + nw; w++) {
            uint64_t bits;
            if (span_view)
                memcpy(&bits, span_view + (hb - s->base) + 8 * (w / 64), 8);
            else
                bits = ec_read_u64_or(c->L->core, hb + 8 * (w / 64), 0);
            if (bits >> (w % 64) & 1)
                pointer_word(c, 8 * (w - w0));
        }
        return;
    }
    if (s->spanclass >> 1) {
        uint64_t typ;
        if (span_view)
            memcpy(&typ, span_view + (obj - s->base), 8);
        else
            typ = ec_read_u64_or(c->L->core, obj, 0);
        if (typ)
            typed_words(c, obj, obj + y->malloc_header_size, obj + s->elemsize, typ);
        return;
    }
    if (s->largetype)
        typed_words(c, obj, obj, obj + s->elemsize, s->largetype);
}

/* Scan one thread's spans (rt_parallel's worker w). */
static void scan_spans(void *arg, int w)
{
    scan_ctx *c = (scan_ctx *)arg + w;
    gc_load *L = c->L;
    rt_model *m = L->m;
    c->arena_idx = UINT64_MAX;
    c->released_to = c->span_lo < c->span_hi ? L->spans[c->span_lo].base : 0;
    for (size_t k = c->span_lo; k < c->span_hi && !c->too_many; k++) {
        const gc_span *s = &L->spans[k];
        uint64_t bytes = s->npages * L->lay.page_size;
        const uint8_t *view = ec_view(L->core, s->base, (size_t)bytes);
        if (w == 0 && (k - c->span_lo) % 1024 == 0) /* the first run stands for all */
            progress_report(L->prog, "scanning the heap", k - c->span_lo, c->span_hi - c->span_lo);
        for (uint32_t id = L->span_first[k]; id < L->span_first[k + 1]; id++) {
            const rt_object *o = &m->objects[id];
            m->edge_start[id] = (uint32_t)c->nedge;
            c->id = id;
            c->obase = o->base;
            c->oview = view ? view + (o->base - s->base) : NULL;
            c->released = 0;
            object_words(c, s, o->base, view);
            if (c->typed && c->typed->named) {
                RT_GROW(c->typed_objs, c->cap_typed, c->ntyped + 1);
                c->typed_objs[c->ntyped++] = (typed_obj){ id, c->typed->typ, c->typed->size, c->typed_bytes };
            }
        }
        /* the pages behind the spans scanned, given back in one call per
         * RELEASE_STRIDE: one per span made 90,000 calls on a 1 GiB heap */
        if (s->base + bytes - c->released_to >= RELEASE_STRIDE || k + 1 == c->span_hi) {
            if (c->released_to < s->base + bytes)
                ec_release(L->core, c->released_to, (size_t)(s->base + bytes - c->released_to));
            c->released_to = s->base + bytes;
        }
    }
}

/* What scanning span k costs, roughly: its objects, and its words
 * unless it holds no pointers. */
static uint64_t span_cost(const gc_load *L, size_t k)
{
    const gc_span *s = &L->spans[k];
    uint64_t objects = L->span_first[k + 1] - L->span_first[k];
    return objects + (s->spanclass & 1 ? 0 : s->npages * L->lay.page_size / 32);
}

/* The runtime type of each object that has one, tiled from its header
 * on ([n]T for a slot of several), in id order: type ids come out as a
 * single scan would make them (gc_rtype makes each type once). */
static void give_types(gc_load *L, const scan_ctx *c, int n)
{
    rt_model *m = L->m;
    for (int w = 0; w < n; w++) {
        for (size_t i = 0; i < c[w].ntyped; i++) {
            const typed_obj *t = &c[w].typed_objs[i];
            uint32_t mtype = gc_rtype(L, t->typ, NULL);
            if (!mtype)
                continue;
            uint64_t k = t->size ? t->bytes / t->size : 0;
            model_set_type(m, t->id, k >= 2 ? model_type_array(m, mtype, k) : mtype);
            if (m->objects[t->id].size > t->bytes)
                model_set_type_off(m, t->id, (uint32_t)(m->objects[t->id].size - t->bytes));
        }
    }
}

/* What the runs still hold (their edges, once joined, are the model's). */
static void free_runs(scan_ctx *c, int n)
{
    for (int w = 0; w < n; w++) {
        free(c[w].dst);
        free(c[w].off);
        free(c[w].types);
        free(c[w].masks);
        free(c[w].typed_objs);
    }
    free(c);
}

/* The runs after the first, appended to the first run's arrays (grown
 * in place to hold all), and their objects' edge starts moved by what
 * comes before them.  Worker t takes the t-th share of all of it, by
 * edges and by objects: copying into fresh pages is the kernel zeroing
 * them and then the copy, both of which then split over the threads. */
typedef struct join_job {
    rt_model *m;
    scan_ctx *c;
    int n;
    uint64_t first; /* edges of the first run */
} join_job;

static void join_worker(void *arg, int t)
{
    join_job *j = arg;
    rt_model *m = j->m;
    gc_load *L = j->c[0].L;
    uint64_t copy = m->nedge - j->first;
    uint64_t e_lo = copy / (uint64_t)j->n * (uint64_t)t, e_hi = t == j->n - 1 ? copy : e_lo + copy / (uint64_t)j->n;
    uint64_t at = j->first, past = 0; /* past: edges of the runs before w, after the first */
    for (int w = 1; w < j->n; w++) {
        const scan_ctx *r = &j->c[w];
        /* the part of run w in [e_lo, e_hi) of the runs after the first */
        uint64_t lo = e_lo > past ? e_lo - past : 0, hi = e_hi > past ? e_hi - past : 0;
        if (hi > r->nedge)
            hi = r->nedge;
        if (lo < hi) {
            memcpy(m->edge_dst + at + lo, r->dst + lo, (hi - lo) * sizeof *m->edge_dst);
            memcpy(m->edge_off + at + lo, r->off + lo, (hi - lo) * sizeof *m->edge_off);
        }
        if (r->span_lo < r->span_hi) {
            uint32_t first = L->span_first[r->span_lo], end = L->span_first[r->span_hi];
            uint32_t nid = end - first;
            uint32_t i_lo = first + (uint32_t)((uint64_t)nid * (uint64_t)t / (uint64_t)j->n);
            uint32_t i_hi = first + (uint32_t)((uint64_t)nid * (uint64_t)(t + 1) / (uint64_t)j->n);
            for (uint32_t id = i_lo; id < i_hi; id++)
                m->edge_start[id] += (uint32_t)at;
        }
        at += r->nedge;
        past += r->nedge;
    }
}

int gc_heap_pointers(gc_load *L, rt_error *err)
{
    rt_model *m = L->m;
    size_t lo[RT_MAX_THREADS + 1];
    int n = gc_split_spans(L, span_cost, lo);
    scan_ctx *c = rt_calloc((size_t)n, sizeof *c);
    for (int w = 0; w < n; w++)
        c[w] = (scan_ctx){ .L = L, .span_lo = lo[w], .span_hi = lo[w + 1] };
    m->edge_start = rt_malloc(((size_t)m->nobj + 1) * sizeof *m->edge_start);
    rt_parallel(n, scan_spans, c);

    /* join the runs: the first run's arrays grow to hold all */
    uint64_t total = 0;
    int too_many = 0;
    for (int w = 0; w < n; w++) {
        total += c[w].nedge;
        too_many |= c[w].too_many;
        L->words_unreadable += c[w].words_unreadable;
        L->ondemand_masks += c[w].ondemand_masks;
    }
    if (too_many || total >= UINT32_MAX - (1u << 24)) {
        free_runs(c, n);
        return RT_FAIL(err, RT_E_UNSUPPORTED, "more than 4 billion pointers");
    }
    m->nedge = total;
    m->edge_dst = rt_reallocarray(c[0].dst, total ? total : 1, sizeof *m->edge_dst);
    m->edge_off = rt_reallocarray(c[0].off, total ? total : 1, sizeof *m->edge_off);
    c[0].dst = c[0].off = NULL;
    join_job j = { m, c, n, c[0].nedge };
    rt_parallel(n, join_worker, &j);
    m->edge_start[m->nobj] = (uint32_t)m->nedge;
    give_types(L, c, n);
    free_runs(c, n);
    rt_error_clear(err);
    return 0;
}
