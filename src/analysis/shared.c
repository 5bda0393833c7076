/* shared.c — shared retention and reachable bytes per root (shared.h). */
#include "analysis/shared.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

#define BUDGET_EDGES (64u << 20) /* owner-graph edges visited, over all searches */
#define BUDGET_PAIRS (4u << 20)  /* (shared top, root) pairs kept */

/* The owner graph: node q < nroot is root q; q >= nroot is shared top
 * tops[q - nroot].  Edges in CSR. */
typedef struct owners {
    uint32_t nroot, ntop, nq;
    uint32_t *tops;   /* object ids of the shared tops, ascending */
    uint32_t *owner;  /* per model node (objects, roots): its owner node id, RT_NONE */
    uint32_t *start, *adj;
    uint32_t *stamp;  /* per q: the search that last visited it */
    uint32_t *queue;
    uint32_t run;
    uint64_t edges_left;
} owners;

static uint32_t top_index(const owners *o, uint32_t obj)
{
    size_t lo = 0, hi = o->ntop;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o->tops[mid] < obj)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* Owner-graph id of model node v's owner, RT_NONE if unreached. */
static uint32_t qid(const owners *o, const rt_model *m, uint32_t v)
{
    uint32_t w = o->owner[v];
    if (w == RT_NONE)
        return RT_NONE;
    return w >= m->nobj ? w - m->nobj : o->nroot + top_index(o, w);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Owners of every node, the shared tops, and the edges between owners. */
static void build_owners(owners *o, rt_model *m, const rt_retained *r)
{
    uint32_t nobj = m->nobj, nnode = m->nobj + m->nroot;
    const uint32_t *idom = r->tree.idom, *order = r->tree.order;
    o->nroot = m->nroot;
    o->owner = rt_malloc(((size_t)nnode + 1) * sizeof *o->owner);
    memset(o->owner, 0xff, ((size_t)nnode + 1) * sizeof *o->owner);
    /* preorder: a node's dominator comes before it */
    for (uint32_t i = 0; i < r->tree.nreach; i++) {
        uint32_t v = order[i];
        if (v >= nnode)
            continue; /* group nodes, super-root */
        if (v >= nobj || idom[v] >= r->group0) {
            o->owner[v] = v;
            o->ntop += v < nobj;
        } else {
            o->owner[v] = o->owner[idom[v]];
        }
    }
    o->tops = rt_malloc(((size_t)o->ntop + 1) * sizeof *o->tops);
    uint32_t k = 0;
    for (uint32_t v = 0; v < nobj; v++)
        if (o->owner[v] == v)
            o->tops[k++] = v;
    o->nq = o->nroot + o->ntop;
    o->stamp = rt_calloc((size_t)o->nq + 1, sizeof *o->stamp);
    o->queue = rt_malloc(((size_t)o->nq + 1) * sizeof *o->queue);

    /* edges owner(u) -> top for every u -> top; each pair once */
    uint64_t *pairs = NULL;
    size_t npair = 0, cap = 0;
    for (k = 0; k < o->ntop; k++) {
        uint32_t t = o->tops[k], dst = o->nroot + k;
        for (uint32_t e = m->redge_start[t]; e < m->redge_start[t + 1]; e++) {
            uint32_t src = qid(o, m, m->redge_src[e]);
            if (src == RT_NONE || src == dst || o->stamp[src] == k + 1)
                continue;
            o->stamp[src] = k + 1;
            RT_GROW(pairs, cap, npair + 1);
            pairs[npair++] = (uint64_t)src << 32 | dst;
        }
    }
    memset(o->stamp, 0, ((size_t)o->nq + 1) * sizeof *o->stamp);
    if (npair)
        qsort(pairs, npair, sizeof *pairs, cmp_u64);
    o->start = rt_calloc((size_t)o->nq + 1, sizeof *o->start);
    o->adj = rt_malloc((npair + 1) * sizeof *o->adj);
    for (size_t i = 0; i < npair; i++) {
        o->start[(pairs[i] >> 32) + 1]++;
        o->adj[i] = (uint32_t)pairs[i];
    }
    for (uint32_t q = 0; q < o->nq; q++)
        o->start[q + 1] += o->start[q];
    free(pairs);
    o->edges_left = BUDGET_EDGES;
}

/* Visit every shared top the sources reach; fn(top index) for each.
 * Returns -1 when the edge budget ran out. */
typedef void (*top_fn)(uint32_t k, void *ctx);
static int search(owners *o, const uint32_t *src, size_t nsrc, top_fn fn, void *ctx)
{
    uint32_t run = ++o->run, head = 0, tail = 0;
    for (size_t i = 0; i < nsrc; i++) {
        o->stamp[src[i]] = run;
        o->queue[tail++] = src[i];
    }
    while (head < tail) {
        uint32_t q = o->queue[head++];
        uint32_t n = o->start[q + 1] - o->start[q];
        if (n > o->edges_left)
            return -1;
        o->edges_left -= n;
        for (uint32_t e = o->start[q]; e < o->start[q + 1]; e++) {
            uint32_t t = o->adj[e];
            if (o->stamp[t] == run)
                continue;
            o->stamp[t] = run;
            o->queue[tail++] = t;
            fn(t - o->nroot, ctx);
        }
    }
    return 0;
}

typedef struct root_ctx {
    const owners *o;
    const rt_retained *r;
    uint64_t bytes, objects;
    uint32_t skip_idom; /* tops dominated by this group node are counted already */
    uint32_t root;      /* the root searched from, for pairs; RT_NONE: none kept */
    uint64_t *pairs;
    size_t npair, cap;
    int full;
} root_ctx;

static void on_top(uint32_t k, void *ctx)
{
    root_ctx *c = ctx;
    uint32_t t = c->o->tops[k];
    if (c->r->tree.idom[t] != c->skip_idom) {
        c->bytes += c->r->bytes[t];
        c->objects += c->r->objects[t];
    }
    if (c->root == RT_NONE)
        return;
    if (c->npair >= BUDGET_PAIRS) {
        c->full = 1;
        return;
    }
    RT_GROW(c->pairs, c->cap, c->npair + 1);
    c->pairs[c->npair++] = (uint64_t)k << 32 | c->root;
}

/* The group node of rt_retained r a model root hangs under. */
static uint32_t root_group(const rt_model *m, const rt_retained *r, uint32_t i)
{
    const rt_root *rt = &m->roots[i];
    int gor = rt->group == RT_GROUP_GOROUTINE && rt->goroutine != RT_NO_GOROUTINE;
    uint8_t kind = gor ? RT_GROUP_GOROUTINE : rt->group == RT_GROUP_GOROUTINE ? RT_GROUP_RUNTIME : rt->group;
    for (uint32_t g = 0; g < r->ngroup; g++) /* goroutine groups are sorted by id */
        if (r->groups[g].kind == kind) {
            if (!gor)
                return g;
            uint32_t lo = g, hi = g;
            while (hi < r->ngroup && r->groups[hi].kind == RT_GROUP_GOROUTINE)
                hi++;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (r->groups[mid].goroutine < rt->goroutine)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            return lo;
        }
    return RT_NONE;
}

/* Tops sorted by their root lists, for grouping equal sets. */
typedef struct list_ctx {
    const uint32_t *lstart, *lroots;
} list_ctx;

static int cmp_list(const void *a, const void *b, void *ctx)
{
    const list_ctx *c = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint32_t nx = c->lstart[x + 1] - c->lstart[x], ny = c->lstart[y + 1] - c->lstart[y];
    for (uint32_t i = 0; i < nx && i < ny; i++) {
        uint32_t p = c->lroots[c->lstart[x] + i], q = c->lroots[c->lstart[y] + i];
        if (p != q)
            return p < q ? -1 : 1;
    }
    if (nx != ny)
        return nx < ny ? -1 : 1;
    return x < y ? -1 : x > y;
}

static int cmp_group(const void *a, const void *b)
{
    const rt_shared_group *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return x->root_start < y->root_start ? -1 : x->root_start > y->root_start;
}

/* Per-group type totals: an open-addressing table keyed (group, type). */
typedef struct type_slot {
    uint64_t key; /* group << 32 | type, + 1; 0 = empty */
    uint64_t bytes, count;
} type_slot;

static void add_type(type_slot **tab, size_t *cap, size_t *n, uint64_t key, uint64_t bytes)
{
    if ((*n + 1) * 2 > *cap) {
        size_t ncap = *cap ? *cap * 2 : 1024;
        type_slot *t = rt_calloc(ncap, sizeof *t);
        for (size_t i = 0; i < *cap; i++) {
            if (!(*tab)[i].key)
                continue;
            size_t h = rt_hash64((*tab)[i].key) & (ncap - 1);
            while (t[h].key)
                h = (h + 1) & (ncap - 1);
            t[h] = (*tab)[i];
        }
        free(*tab);
        *tab = t;
        *cap = ncap;
    }
    size_t h = rt_hash64(key + 1) & (*cap - 1);
    while ((*tab)[h].key && (*tab)[h].key != key + 1)
        h = (h + 1) & (*cap - 1);
    if (!(*tab)[h].key) {
        (*tab)[h].key = key + 1;
        (*n)++;
    }
    (*tab)[h].bytes += bytes;
    (*tab)[h].count++;
}

static void group_types(rt_shared *s, const rt_model *m, const owners *o, const uint32_t *top_group)
{
    type_slot *tab = NULL;
    size_t cap = 0, n = 0;
    for (uint32_t v = 0; v < m->nobj; v++) {
        uint32_t w = o->owner[v];
        if (w == RT_NONE || w >= m->nobj)
            continue;
        uint32_t g = top_group[top_index(o, w)];
        if (g != RT_NONE)
            add_type(&tab, &cap, &n, (uint64_t)g << 32 | model_obj_type_name(m, v), m->objects[v].size);
    }
    for (size_t i = 0; i < cap; i++) {
        if (!tab[i].key)
            continue;
        rt_shared_group *g = &s->groups[(tab[i].key - 1) >> 32];
        rt_shared_type t = { (uint32_t)(tab[i].key - 1), tab[i].bytes, tab[i].count };
        /* keep the largest few, largest first (ties: lower string id) */
        uint32_t j = g->ntype < SHARED_TYPES ? g->ntype++ : SHARED_TYPES;
        while (j > 0 && (g->types[j - 1].bytes < t.bytes ||
                         (g->types[j - 1].bytes == t.bytes && g->types[j - 1].type > t.type))) {
            if (j < SHARED_TYPES)
                g->types[j] = g->types[j - 1];
            j--;
        }
        if (j < SHARED_TYPES)
            g->types[j] = t;
    }
    free(tab);
}

void shared_compute(rt_model *m, const rt_retained *r, int flags, rt_shared *s)
{
    memset(s, 0, sizeof *s);
    owners o;
    memset(&o, 0, sizeof o);
    if (!m->redge_start && !m->edge_start)
        return; /* neither direction kept: see RETAINED_KEEP_REVERSE */
    model_build_reverse(m);
    build_owners(&o, m, r);
    model_release_reverse(m);
    s->ntop = o.ntop;
    for (uint32_t k = 0; k < o.ntop; k++) {
        s->shared_bytes += r->bytes[o.tops[k]];
        s->shared_objects += r->objects[o.tops[k]];
    }

    /* each root: what it reaches, and the (top, root) pairs */
    s->reachable_bytes = rt_malloc(((size_t)m->nroot + 1) * sizeof *s->reachable_bytes);
    s->reachable_objects = rt_malloc(((size_t)m->nroot + 1) * sizeof *s->reachable_objects);
    root_ctx c = { .o = &o, .r = r, .skip_idom = RT_NONE };
    for (uint32_t i = 0; i < m->nroot; i++) {
        c.bytes = r->bytes[m->nobj + i];
        c.objects = r->objects[m->nobj + i];
        c.root = c.full ? RT_NONE : i;
        if (!s->capped && search(&o, &i, 1, on_top, &c) != 0)
            s->capped = 1;
        s->reachable_bytes[i] = c.bytes;
        s->reachable_objects[i] = c.objects;
    }
    if (c.full)
        s->capped = 1;

    /* each goroutine group: from all its roots at once */
    if (flags & SHARED_GROUPS) {
        s->group_reachable_bytes = rt_calloc((size_t)r->ngroup + 1, sizeof *s->group_reachable_bytes);
        s->group_reachable_objects = rt_calloc((size_t)r->ngroup + 1, sizeof *s->group_reachable_objects);
        uint32_t *gof = rt_malloc(((size_t)m->nroot + 1) * sizeof *gof);
        uint32_t *gstart = rt_calloc((size_t)r->ngroup + 2, sizeof *gstart);
        uint32_t *groots = rt_malloc(((size_t)m->nroot + 1) * sizeof *groots);
        for (uint32_t i = 0; i < m->nroot; i++)
            if ((gof[i] = root_group(m, r, i)) != RT_NONE)
                gstart[gof[i] + 2]++;
        for (uint32_t g = 0; g < r->ngroup; g++)
            gstart[g + 2] += gstart[g + 1];
        for (uint32_t i = 0; i < m->nroot; i++)
            if (gof[i] != RT_NONE)
                groots[gstart[gof[i] + 1]++] = i;
        for (uint32_t g = 0; g < r->ngroup; g++) {
            root_ctx gc = { .o = &o, .r = r, .skip_idom = r->group0 + g, .root = RT_NONE };
            gc.bytes = r->bytes[r->group0 + g];
            gc.objects = r->objects[r->group0 + g];
            if (!s->capped && search(&o, groots + gstart[g], gstart[g + 1] - gstart[g], on_top, &gc) != 0)
                s->capped = 1;
            s->group_reachable_bytes[g] = gc.bytes;
            s->group_reachable_objects[g] = gc.objects;
        }
        free(gof);
        free(gstart);
        free(groots);
    }

    /* group the tops by their exact root sets */
    if (c.npair)
        qsort(c.pairs, c.npair, sizeof *c.pairs, cmp_u64);
    uint32_t *lstart = rt_calloc((size_t)o.ntop + 1, sizeof *lstart);
    uint32_t *lroots = rt_malloc((c.npair + 1) * sizeof *lroots);
    for (size_t i = 0; i < c.npair; i++) {
        lstart[(c.pairs[i] >> 32) + 1]++;
        lroots[i] = (uint32_t)c.pairs[i];
    }
    for (uint32_t k = 0; k < o.ntop; k++)
        lstart[k + 1] += lstart[k];
    free(c.pairs);
    uint32_t *sorted = rt_malloc(((size_t)o.ntop + 1) * sizeof *sorted);
    uint32_t nsorted = 0;
    for (uint32_t k = 0; k < o.ntop; k++)
        if (lstart[k + 1] > lstart[k])
            sorted[nsorted++] = k;
    list_ctx lc = { lstart, lroots };
    qsort_r(sorted, nsorted, sizeof *sorted, cmp_list, &lc);
    uint32_t *top_group = rt_malloc(((size_t)o.ntop + 1) * sizeof *top_group);
    memset(top_group, 0xff, ((size_t)o.ntop + 1) * sizeof *top_group);
    size_t gcap = 0, rcap = 0, nr = 0;
    for (uint32_t i = 0; i < nsorted; i++) {
        uint32_t k = sorted[i];
        uint32_t n = lstart[k + 1] - lstart[k], prev = i ? sorted[i - 1] : 0;
        if (i == 0 || lstart[prev + 1] - lstart[prev] != n ||
            memcmp(lroots + lstart[prev], lroots + lstart[k], n * sizeof *lroots) != 0) {
            RT_GROW(s->groups, gcap, (size_t)s->ngroup + 1);
            rt_shared_group *g = &s->groups[s->ngroup++];
            memset(g, 0, sizeof *g);
            RT_GROW(s->roots, rcap, nr + n);
            memcpy(s->roots + nr, lroots + lstart[k], n * sizeof *lroots);
            g->root_start = (uint32_t)nr;
            g->nroot = n;
            nr += n;
        }
        rt_shared_group *g = &s->groups[s->ngroup - 1];
        g->ntop++;
        g->bytes += r->bytes[o.tops[k]];
        g->objects += r->objects[o.tops[k]];
        top_group[k] = s->ngroup - 1;
    }
    free(sorted);
    free(lstart);
    free(lroots);
    group_types(s, m, &o, top_group);
    /* largest first; top_group is stale from here */
    if (s->ngroup)
        qsort(s->groups, s->ngroup, sizeof *s->groups, cmp_group);
    free(top_group);
    free(o.tops);
    free(o.owner);
    free(o.start);
    free(o.adj);
    free(o.stamp);
    free(o.queue);
}

void shared_free(rt_shared *s)
{
    free(s->reachable_bytes);
    free(s->reachable_objects);
    free(s->group_reachable_bytes);
    free(s->group_reachable_objects);
    free(s->groups);
    free(s->roots);
    memset(s, 0, sizeof *s);
}
