/* export_paths.c — the heap as pprof stacks of retention chains: each
 * reachable object is counted at the end of its shortest path from a
 * root, root at the bottom of the stack, the object's type at the top.
 *
 * Frames say what each step is, never a bare function name that two
 * different things could share:
 *   root      "global main.cache"; a goroutine's stack as three frames,
 *             "goroutine main.worker" (its top user function, so that
 *             10,000 goroutines of one function add up), "frame
 *             main.handle", "var buf" (or the root's own name);
 *             "finalizer …", "runtime …" likewise;
 *   hop       the field the pointer sits in: "main.Session.Payload",
 *             "[8]*main.Node[]" (array elements are one hop, whatever
 *             their index, so they add up) — or "site main.newX" where the object
 *             holding it has no type, "(unknown)" with neither;
 *   top       the object's type, "site main.newX" or "(unknown type)".
 * With by_alloc, the object's allocation stack (real functions, files and
 * lines) goes on top of that, so pprof -list and the source view work.
 *
 * The chains are a BFS tree from the roots in their tie-break order (the
 * order `why` breaks ties in; analysis/path_tree.c); stacks are interned in a trie, so memory
 * grows with the distinct chains.  A chain deeper than max_depth keeps its
 * first max_depth/2 hops and its last max_depth/2 - 1 around one frame
 * "… N hops …" whose N is rounded down to a power of two, so that the
 * elements of one long list still add up. */
#include "report/export_paths.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/path_tree.h"
#include "report/export_trie.h"
#include "report/labels.h"
#include "util/alloc.h"
#include "util/hash.h"

/* (key → pprof location) cache: labels are formatted and interned once
 * per distinct type, site and (type, offset), not once per object. */
typedef struct loc_cache {
    uint64_t *keys; /* 0 = empty */
    uint64_t *locs;
    size_t cap, n;
} loc_cache;

static uint64_t *cache_slot(loc_cache *c, uint64_t key)
{
    if ((c->n + 1) * 2 > c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 4096;
        uint64_t *nk = rt_calloc(ncap, sizeof *nk), *nl = rt_calloc(ncap, sizeof *nl);
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->keys[i])
                continue;
            size_t j = rt_hash64(c->keys[i]) & (ncap - 1);
            while (nk[j])
                j = (j + 1) & (ncap - 1);
            nk[j] = c->keys[i];
            nl[j] = c->locs[i];
        }
        free(c->keys);
        free(c->locs);
        c->keys = nk;
        c->locs = nl;
        c->cap = ncap;
    }
    size_t j = rt_hash64(key) & (c->cap - 1);
    while (c->keys[j] && c->keys[j] != key)
        j = (j + 1) & (c->cap - 1);
    if (!c->keys[j]) {
        c->keys[j] = key;
        c->locs[j] = 0;
        c->n++;
    }
    return &c->locs[j];
}

typedef struct walk {
    const rt_model *m;
    pprof_builder *b;
    loc_cache cache;
    rt_path_tree t;     /* each object's shortest path */
    /* the last key looked up and its location: BFS order visits an
     * array's elements one after another, mostly of one type */
    uint64_t last_key, last_loc;   /* object_loc's */
    uint64_t last_hkey, last_hloc; /* hop_loc's */
} walk;

/* A (parent, location) → trie node lookup that remembers its last answer:
 * consecutive siblings ask the same question. */
typedef struct child_memo {
    uint32_t parent, node;
    uint64_t loc;
} child_memo;

static uint32_t memo_child(trie *t, child_memo *c, uint32_t parent, uint64_t loc)
{
    if (c->node && c->parent == parent && c->loc == loc)
        return c->node;
    c->parent = parent;
    c->loc = loc;
    return c->node = trie_child(t, parent, loc);
}

static uint64_t loc(walk *w, const char *label)
{
    return pprof_location(w->b, label, "", 0);
}

/* The frame of an object as the top of a stack. */
static uint64_t object_loc(walk *w, uint32_t obj)
{
    const rt_model *m = w->m;
    char buf[600];
    uint32_t type = model_obj_type_name(m, obj), site = model_obj_site(m, obj);
    uint32_t fn = type || site == RT_NONE ? 0 : model_site_function(m, site);
    /* keys: 1 << 62 | type name, 2 << 62 | site function, 3 << 62 unknown */
    uint64_t key = type ? 1ULL << 62 | type : fn ? 2ULL << 62 | fn : 3ULL << 62;
    if (key == w->last_key)
        return w->last_loc;
    w->last_key = key;
    uint64_t *slot = cache_slot(&w->cache, key);
    if (*slot)
        return w->last_loc = *slot;
    if (type) {
        *slot = loc(w, strpool_get(m->strings, type));
    } else if (fn) {
        snprintf(buf, sizeof buf, "site %s", strpool_get(m->strings, fn));
        *slot = loc(w, buf);
    } else {
        *slot = loc(w, "(unknown type)");
    }
    return w->last_loc = *slot;
}

/* The frame of a hop: the field of obj at off holding the next pointer. */
static uint64_t hop_loc(walk *w, uint32_t obj, uint32_t off)
{
    const rt_model *m = w->m;
    uint32_t type = model_obj_type(m, obj);
    char buf[600];
    if (type) {
        uint64_t start = model_obj_type_off(m, obj);
        uint64_t rel = off >= start ? off - start : off;
        /* the elements of an array have one label (indexes are dropped):
         * one key per offset within an element, not per element, or a
         * million-element array formats a million labels */
        const rt_type *tt = &m->types[type];
        const rt_type *et = tt->kind == RT_TK_ARRAY ? model_type(m, tt->elem) : NULL;
        if (et && et->size && rel < tt->size)
            rel %= et->size;
        /* 0 << 62 | type << 32 | offset: one label per field */
        uint64_t key = (uint64_t)type << 32 | (rel & 0xffffffffu) | 1ULL << 61;
        if (key == w->last_hkey)
            return w->last_hloc;
        uint64_t *slot = cache_slot(&w->cache, key);
        if (!*slot)
            *slot = loc(w, report_hop_label(m, obj, off, buf, sizeof buf));
        w->last_hkey = key;
        return w->last_hloc = *slot;
    }
    return object_loc(w, obj);
}

/* The trie node of a root's own frames. */
static uint32_t root_node(walk *w, trie *t, uint32_t root)
{
    const rt_model *m = w->m;
    const rt_root *r = &m->roots[root];
    const char *name = strpool_get(m->strings, r->name), *fn = strpool_get(m->strings, r->function);
    const char *var = strpool_get(m->strings, r->variable);
    char buf[600];
    if (r->kind != RT_ROOT_STACK) {
        snprintf(buf, sizeof buf, "%s %s", rt_root_kind_name(r->kind), *name ? name : "(unnamed)");
        return trie_child(t, 0, loc(w, buf));
    }
    uint32_t user = model_goroutine_function(m, r->goroutine);
    snprintf(buf, sizeof buf, "goroutine %s", user ? strpool_get(m->strings, user) : "(unknown)");
    uint32_t n = trie_child(t, 0, loc(w, buf));
    snprintf(buf, sizeof buf, "frame %s", *fn ? fn : "(unknown)");
    n = trie_child(t, n, loc(w, buf));
    snprintf(buf, sizeof buf, "var %s", *var ? var : *name ? name : "(frame)");
    return trie_child(t, n, loc(w, buf));
}

int export_pprof_paths(const rt_model *m, uint32_t max_depth, int by_alloc, FILE *f, const char *name,
                       export_stats *st, rt_error *err)
{
    walk w = { .m = m, .b = pprof_builder_new() };
    export_sample_types(w.b);
    if (m->exe_path) {
        char *abs = realpath(m->exe_path, NULL);
        pprof_set_mapping(w.b, abs ? abs : m->exe_path, NULL);
        free(abs);
    }
    if (max_depth < 4)
        max_depth = 4;
    path_tree_compute(m, &w.t);
    trie t;
    trie_init(&t);
    uint32_t *rootn = rt_malloc(((size_t)m->nroot + 1) * sizeof *rootn);
    for (uint32_t r = 0; r < m->nroot; r++)
        rootn[r] = RT_NONE;
    /* stack_of[v]: the trie node of the chain up to v's parent's hop,
     * for v at depth <= head; deeper ones are made from their ancestor at
     * depth head (anc) and their last tail hops */
    uint32_t head = max_depth / 2, tailn = max_depth - head - 1;
    uint32_t *stack_of = rt_malloc(((size_t)m->nobj + 1) * sizeof *stack_of);
    uint32_t *anc = rt_malloc(((size_t)m->nobj + 1) * sizeof *anc);
    uint64_t *hops = rt_malloc(((size_t)tailn + 1) * sizeof *hops);
    char buf[96];
    child_memo hop_memo = { 0, 0, 0 }, top_memo = { 0, 0, 0 };
    for (uint32_t i = 0; i < w.t.norder; i++) {
        uint32_t v = w.t.order[i], p = w.t.parent[v], d = w.t.depth[v];
        uint32_t node;
        if (p >= m->nobj) { /* a root's pointer */
            uint32_t r = p - m->nobj;
            if (rootn[r] == RT_NONE)
                rootn[r] = root_node(&w, &t, r);
            node = rootn[r];
            anc[v] = v;
        } else {
            anc[v] = d <= head ? v : anc[p];
            if (d <= max_depth) {
                node = memo_child(&t, &hop_memo, stack_of[p], hop_loc(&w, p, w.t.poff[v]));
            } else {
                /* the last tailn hops, walked up from v */
                uint32_t k = 0, u = v;
                for (; k < tailn; k++, u = w.t.parent[u])
                    hops[k] = hop_loc(&w, w.t.parent[u], w.t.poff[u]);
                uint32_t skipped = d - head - tailn, pow2 = 1;
                while (pow2 <= skipped / 2)
                    pow2 *= 2;
                snprintf(buf, sizeof buf, "… %u%s hops …", pow2, pow2 == skipped ? "" : "+");
                node = trie_child(&t, stack_of[anc[v]], loc(&w, buf));
                while (k--)
                    node = trie_child(&t, node, hops[k]);
            }
        }
        stack_of[v] = node;
        /* the object itself on top, then its allocation stack */
        uint32_t top = memo_child(&t, &top_memo, node, object_loc(&w, v));
        uint32_t site = model_obj_site(m, v);
        if (by_alloc && site != RT_NONE) {
            const rt_site *s = &m->sites[site];
            for (uint32_t k = s->nframes; k-- > 0;) {
                const rt_frame *fr = &m->frames[s->frame_start + k];
                top = trie_child(&t, top, pprof_location(w.b, strpool_get(m->strings, fr->function),
                                                         strpool_get(m->strings, fr->file), fr->line));
            }
        }
        t.count[top]++;
        t.bytes[top] += m->objects[v].size;
    }
    trie_samples(&t, w.b);
    st->samples = pprof_builder_nsamples(w.b);
    st->locations = pprof_builder_nlocations(w.b);
    int rc = pprof_write(w.b, f, name, err);
    free(hops);
    free(anc);
    free(stack_of);
    free(rootn);
    trie_free(&t);
    path_tree_free(&w.t);
    free(w.cache.keys);
    free(w.cache.locs);
    pprof_builder_free(w.b);
    return rc;
}
