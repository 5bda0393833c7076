/* shared.c — shared retention and reachable bytes per root (shared.h).
 *
 * The owner graph has a node per root and per shared top, and an edge
 * owner(u) → t for every heap edge u → t into a shared top.  The set of
 * roots that reach a top is the union of the sets of its predecessors
 * there, so one pass over its strongly connected components in
 * topological order (Tarjan's algorithm, iterative) gives every top its
 * set.  Sets are interned and unions memoised: real heaps have few
 * distinct sets (all of a cache's entries are reached by the same roots),
 * so the cost follows the edges, not roots × tops. */
#include "analysis/shared.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

#define POOL_BUDGET (16u << 20) /* root ids kept over all distinct sets, by default */
#define SET_OVERFLOW 1u         /* the set of a top whose roots did not fit the budget */

/* ---- the owner graph ---- */

typedef struct owners {
    uint32_t nroot, ntop, nq;
    uint32_t *tops;    /* object id of each shared top, in dominator-tree preorder */
    uint32_t *owner;   /* per model node (objects, roots): its owner's node id q, RT_NONE */
    uint32_t *sstart, *succ; /* q -> tops it points at */
    uint32_t *pstart, *pred; /* top q <- its owner-graph predecessors */
} owners;

/* The owner of every node (a root owns its subtree, a shared top its),
 * then each top's owner predecessors, and the successor lists by
 * counting sort. */
static void build_owners(owners *o, rt_model *m, const rt_retained *r)
{
    uint32_t nobj = m->nobj, nnode = m->nobj + m->nroot;
    const uint32_t *idom = r->tree.idom, *order = r->tree.order;
    o->nroot = m->nroot;
    o->owner = rt_malloc(((size_t)nnode + 1) * sizeof *o->owner);
    memset(o->owner, 0xff, ((size_t)nnode + 1) * sizeof *o->owner);
    size_t cap_top = 0;
    uint32_t k = 0, nr = r->tree.nreach;
    /* preorder: a node's dominator comes before it.  The nodes are
     * scattered over the arrays (preorder is not id order): what the
     * nodes a few steps ahead read is asked for early, so that the cache
     * misses overlap instead of following one another */
    for (uint32_t i = 0; i < nr; i++) {
        if (i + 16 < nr) {
            __builtin_prefetch(&idom[order[i + 16]]);
            __builtin_prefetch(&o->owner[order[i + 16]]);
        }
        if (i + 8 < nr && order[i + 8] < nobj)
            __builtin_prefetch(&o->owner[idom[order[i + 8]]]);
        uint32_t v = order[i];
        if (v >= nnode)
            continue; /* group nodes, super-root */
        if (v >= nobj) {
            o->owner[v] = v - nobj;
        } else if (idom[v] >= r->group0) {
            RT_GROW(o->tops, cap_top, (size_t)k + 1);
            o->tops[k] = v;
            o->owner[v] = o->nroot + k++;
        } else {
            o->owner[v] = o->owner[idom[v]];
        }
    }
    o->ntop = k;
    if (!o->tops)
        o->tops = rt_malloc(sizeof *o->tops);
    o->nq = o->nroot + o->ntop;

    /* one pass, into room for every edge into a top; a pair repeated
     * right away is dropped (a repeat further apart only costs a union
     * already memoised) */
    size_t room = 0;
    for (k = 0; k < o->ntop; k++)
        room += m->redge_start[o->tops[k] + 1] - m->redge_start[o->tops[k]];
    o->pstart = rt_calloc((size_t)o->nq + 1, sizeof *o->pstart);
    o->pred = rt_malloc((room + 1) * sizeof *o->pred);
    uint32_t np = 0;
    const uint32_t *rs = m->redge_start, *rsrc = m->redge_src;
    for (k = 0; k < o->ntop; k++) {
        uint32_t t = o->tops[k], dst = o->nroot + k, first = np;
        /* tops are scattered: their edge ranges, edges and owners asked
         * for a few tops ahead (as in the loop above) */
        if (k + 16 < o->ntop)
            __builtin_prefetch(&rs[o->tops[k + 16]]);
        if (k + 8 < o->ntop)
            __builtin_prefetch(&rsrc[rs[o->tops[k + 8]]]);
        if (k + 4 < o->ntop) {
            uint32_t u = o->tops[k + 4];
            for (uint32_t e = rs[u]; e < rs[u + 1] && e < rs[u] + 8; e++)
                __builtin_prefetch(&o->owner[rsrc[e]]);
        }
        for (uint32_t e = m->redge_start[t]; e < m->redge_start[t + 1]; e++) {
            uint32_t src = o->owner[m->redge_src[e]];
            if (src != RT_NONE && src != dst && (np == first || o->pred[np - 1] != src))
                o->pred[np++] = src;
        }
        o->pstart[dst + 1] = np;
    }
    for (uint32_t q = 0; q < o->nq; q++) /* roots have none */
        if (o->pstart[q + 1] < o->pstart[q])
            o->pstart[q + 1] = o->pstart[q];
    o->pred = rt_reallocarray(o->pred, (size_t)np + 1, sizeof *o->pred);
    /* the successors: every (pred, top) pair the other way round */
    o->sstart = rt_calloc((size_t)o->nq + 2, sizeof *o->sstart);
    o->succ = rt_malloc(((size_t)o->pstart[o->nq] + 1) * sizeof *o->succ);
    for (uint32_t e = 0; e < o->pstart[o->nq]; e++)
        o->sstart[o->pred[e] + 2]++;
    for (uint32_t q = 0; q < o->nq; q++)
        o->sstart[q + 2] += o->sstart[q + 1];
    for (uint32_t q = 0; q < o->nq; q++)
        for (uint32_t e = o->pstart[q]; e < o->pstart[q + 1]; e++)
            o->succ[o->sstart[o->pred[e] + 1]++] = q;
}

/* Strongly connected components, sources first: comp[q] and the nodes of
 * each component in topological order (cstart/cnodes). */
static uint32_t components(const owners *o, uint32_t **comp_out, uint32_t **cstart_out, uint32_t **cnodes_out)
{
    uint32_t n = o->nq;
    uint32_t *index = rt_malloc(((size_t)n + 1) * sizeof *index);
    uint32_t *low = rt_malloc(((size_t)n + 1) * sizeof *low);
    uint32_t *comp = rt_malloc(((size_t)n + 1) * sizeof *comp);
    uint32_t *stack = rt_malloc(((size_t)n + 1) * sizeof *stack);
    uint32_t *call = rt_malloc(((size_t)n + 1) * sizeof *call);  /* DFS path */
    uint32_t *next = rt_malloc(((size_t)n + 1) * sizeof *next);  /* next successor to try */
    uint32_t *emitted = rt_malloc(((size_t)n + 1) * sizeof *emitted); /* sinks first */
    memset(index, 0xff, ((size_t)n + 1) * sizeof *index);
    uint32_t counter = 0, sp = 0, ncomp = 0, nemit = 0;
    for (uint32_t s = 0; s < n; s++) {
        if (index[s] != RT_NONE)
            continue;
        uint32_t depth = 0;
        call[depth++] = s;
        index[s] = low[s] = counter++;
        next[s] = o->sstart[s];
        stack[sp++] = s;
        comp[s] = RT_NONE;
        while (depth) {
            uint32_t v = call[depth - 1];
            if (next[v] < o->sstart[v + 1]) {
                uint32_t w = o->succ[next[v]++];
                if (index[w] == RT_NONE) {
                    index[w] = low[w] = counter++;
                    next[w] = o->sstart[w];
                    /* w's successors are looked at next: their state early */
                    for (uint32_t e = o->sstart[w]; e < o->sstart[w + 1] && e < o->sstart[w] + 8; e++)
                        __builtin_prefetch(&index[o->succ[e]]);
                    stack[sp++] = w;
                    comp[w] = RT_NONE;
                    call[depth++] = w;
                } else if (comp[w] == RT_NONE && index[w] < low[v]) {
                    low[v] = index[w]; /* on the stack */
                }
                continue;
            }
            depth--;
            if (depth && low[v] < low[call[depth - 1]])
                low[call[depth - 1]] = low[v];
            if (low[v] == index[v]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    comp[w] = ncomp;
                    emitted[nemit++] = w;
                } while (w != v);
                ncomp++;
            }
        }
    }
    /* Tarjan emits sinks first: number components the other way round */
    uint32_t *cstart = rt_calloc((size_t)ncomp + 1, sizeof *cstart);
    uint32_t *cnodes = rt_malloc(((size_t)n + 1) * sizeof *cnodes);
    for (uint32_t q = 0; q < n; q++) {
        comp[q] = ncomp - 1 - comp[q];
        cstart[comp[q] + 1]++;
    }
    for (uint32_t c = 0; c < ncomp; c++)
        cstart[c + 1] += cstart[c];
    memcpy(index, cstart, ((size_t)ncomp + 1) * sizeof *cstart); /* reuse: fill positions */
    for (uint32_t i = nemit; i-- > 0;)
        cnodes[index[comp[emitted[i]]]++] = emitted[i];
    free(index);
    free(low);
    free(stack);
    free(call);
    free(next);
    free(emitted);
    *comp_out = comp;
    *cstart_out = cstart;
    *cnodes_out = cnodes;
    return ncomp;
}

/* ---- interned sets of roots ---- */

typedef struct sets {
    uint32_t *start, *len; /* per set id; 0 = empty, SET_OVERFLOW = too many */
    uint32_t n;
    size_t cap;
    uint32_t *pool;
    size_t npool, cap_pool;
    uint32_t *slots;       /* intern table: set ids, 0 = empty */
    size_t cap_slot;
    uint64_t *memo_key;    /* union memo: (a << 32 | b) + 1, 0 = empty */
    uint32_t *memo_val;
    size_t cap_memo, nmemo;
    size_t budget;         /* root ids the pool may hold */
    int overflow;
} sets;

static uint64_t set_hash(const uint32_t *ids, uint32_t n)
{
    uint64_t h = n;
    for (uint32_t i = 0; i < n; i++)
        h = rt_hash64(h ^ ids[i]);
    return h;
}

static void sets_rehash(sets *S, size_t ncap)
{
    free(S->slots);
    S->slots = rt_calloc(ncap, sizeof *S->slots);
    S->cap_slot = ncap;
    for (uint32_t id = 2; id < S->n; id++) {
        size_t h = set_hash(S->pool + S->start[id], S->len[id]) & (ncap - 1);
        while (S->slots[h])
            h = (h + 1) & (ncap - 1);
        S->slots[h] = id;
    }
}

/* The id of the set ids[0..n) (sorted, distinct), added if new. */
static uint32_t set_intern(sets *S, const uint32_t *ids, uint32_t n)
{
    if (n == 0)
        return 0;
    if ((size_t)(S->n + 1) * 2 > S->cap_slot)
        sets_rehash(S, S->cap_slot ? S->cap_slot * 2 : 1024);
    size_t h = set_hash(ids, n) & (S->cap_slot - 1);
    for (uint32_t id; (id = S->slots[h]) != 0; h = (h + 1) & (S->cap_slot - 1))
        if (S->len[id] == n && memcmp(S->pool + S->start[id], ids, n * sizeof *ids) == 0)
            return id;
    if (S->npool + n > S->budget) {
        S->overflow = 1;
        return SET_OVERFLOW;
    }
    RT_GROW(S->start, S->cap, (size_t)S->n + 1);
    S->len = rt_reallocarray(S->len, S->cap, sizeof *S->len);
    RT_GROW(S->pool, S->cap_pool, S->npool + n);
    memcpy(S->pool + S->npool, ids, n * sizeof *ids);
    S->start[S->n] = (uint32_t)S->npool;
    S->len[S->n] = n;
    S->npool += n;
    S->slots[h] = S->n;
    return S->n++;
}

/* a ∪ b, memoised. */
static uint32_t set_union(sets *S, uint32_t a, uint32_t b, uint32_t **tmp, size_t *cap_tmp)
{
    if (a == b || b == 0)
        return a;
    if (a == 0)
        return b;
    if (a == SET_OVERFLOW || b == SET_OVERFLOW)
        return SET_OVERFLOW;
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    uint64_t key = ((uint64_t)a << 32 | b) + 1;
    if ((S->nmemo + 1) * 2 > S->cap_memo) {
        size_t ncap = S->cap_memo ? S->cap_memo * 2 : 1024;
        uint64_t *k = rt_calloc(ncap, sizeof *k);
        uint32_t *v = rt_malloc(ncap * sizeof *v);
        for (size_t i = 0; i < S->cap_memo; i++) {
            if (!S->memo_key[i])
                continue;
            size_t h = rt_hash64(S->memo_key[i]) & (ncap - 1);
            while (k[h])
                h = (h + 1) & (ncap - 1);
            k[h] = S->memo_key[i];
            v[h] = S->memo_val[i];
        }
        free(S->memo_key);
        free(S->memo_val);
        S->memo_key = k;
        S->memo_val = v;
        S->cap_memo = ncap;
    }
    size_t h = rt_hash64(key) & (S->cap_memo - 1);
    for (; S->memo_key[h]; h = (h + 1) & (S->cap_memo - 1))
        if (S->memo_key[h] == key)
            return S->memo_val[h];
    /* merge two sorted lists (the pool may move while interning: copy) */
    uint32_t na = S->len[a], nb = S->len[b];
    RT_GROW(*tmp, *cap_tmp, (size_t)na + nb);
    const uint32_t *x = S->pool + S->start[a], *y = S->pool + S->start[b];
    uint32_t i = 0, j = 0, n = 0;
    while (i < na || j < nb) {
        uint32_t v = j == nb || (i < na && x[i] < y[j]) ? x[i++] : y[j++];
        if (!n || (*tmp)[n - 1] != v)
            (*tmp)[n++] = v;
    }
    uint32_t id = set_intern(S, *tmp, n);
    S->memo_key[h] = key;
    S->memo_val[h] = id;
    S->nmemo++;
    return id;
}

static void sets_free(sets *S)
{
    free(S->start);
    free(S->len);
    free(S->pool);
    free(S->slots);
    free(S->memo_key);
    free(S->memo_val);
}

/* ---- grouping ---- */

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

/* The largest few types of each group, from every object under a top. */
static void group_types(rt_shared *s, const rt_model *m, const owners *o, const uint32_t *top_group)
{
    type_slot *tab = NULL;
    size_t cap = 0, n = 0;
    for (uint32_t v = 0; v < m->nobj; v++) {
        uint32_t q = o->owner[v];
        if (q == RT_NONE || q < o->nroot)
            continue;
        uint32_t g = top_group[q - o->nroot];
        if (g != RT_NONE)
            add_type(&tab, &cap, &n, (uint64_t)g << 32 | model_obj_type_name(m, v), m->objects[v].size);
    }
    for (size_t i = 0; i < cap; i++) {
        if (!tab[i].key)
            continue;
        rt_shared_group *g = &s->groups[(tab[i].key - 1) >> 32];
        rt_shared_type t = { (uint32_t)(tab[i].key - 1), tab[i].bytes, tab[i].count };
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

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* One group per set that holds anything, with its roots and types. */
static void make_groups(rt_shared *s, const rt_model *m, const owners *o, const sets *S, const uint32_t *qset,
                        const uint64_t *set_bytes, const uint64_t *set_objs, const uint32_t *set_tops, int tops)
{
    uint32_t *set_group = rt_malloc((size_t)S->n * sizeof *set_group);
    size_t gcap = 0, rcap = 0, nr = 0;
    for (uint32_t id = 1; id < S->n; id++) {
        set_group[id] = RT_NONE;
        if (!set_tops[id])
            continue;
        RT_GROW(s->groups, gcap, (size_t)s->ngroup + 1);
        rt_shared_group *g = &s->groups[s->ngroup];
        memset(g, 0, sizeof *g);
        uint32_t n = id == SET_OVERFLOW ? 0 : S->len[id];
        RT_GROW(s->roots, rcap, nr + n + 1);
        if (n)
            memcpy(s->roots + nr, S->pool + S->start[id], n * sizeof *s->roots);
        g->root_start = (uint32_t)nr;
        g->nroot = n;
        g->ntop = set_tops[id];
        g->bytes = set_bytes[id];
        g->objects = set_objs[id];
        g->made = s->ngroup;
        nr += n;
        set_group[id] = s->ngroup++;
    }
    set_group[0] = RT_NONE;
    uint32_t *top_group = rt_malloc(((size_t)o->ntop + 1) * sizeof *top_group);
    for (uint32_t k = 0; k < o->ntop; k++)
        top_group[k] = set_group[qset[o->nroot + k]];
    group_types(s, m, o, top_group);
    if (s->ngroup)
        qsort(s->groups, s->ngroup, sizeof *s->groups, cmp_group);
    if (tops) {
        /* each top's group, by its index after the sort */
        uint32_t *now = rt_malloc(((size_t)s->ngroup + 1) * sizeof *now);
        for (uint32_t g = 0; g < s->ngroup; g++)
            now[s->groups[g].made] = g;
        uint64_t *pair = rt_malloc(((size_t)o->ntop + 1) * sizeof *pair);
        for (uint32_t k = 0; k < o->ntop; k++)
            pair[k] = (uint64_t)o->tops[k] << 32 | (top_group[k] == RT_NONE ? RT_NONE : now[top_group[k]]);
        qsort(pair, o->ntop, sizeof *pair, cmp_u64);
        s->top_node = rt_malloc(((size_t)o->ntop + 1) * sizeof *s->top_node);
        s->top_group = rt_malloc(((size_t)o->ntop + 1) * sizeof *s->top_group);
        for (uint32_t k = 0; k < o->ntop; k++) {
            s->top_node[k] = (uint32_t)(pair[k] >> 32);
            s->top_group[k] = (uint32_t)pair[k];
        }
        free(pair);
        free(now);
    }
    free(top_group);
    free(set_group);
}

/* ---- the whole computation ---- */

/* Each top's set: the union over its component's predecessors. */
static uint32_t *top_sets(const owners *o, sets *S)
{
    uint32_t *comp, *cstart, *cnodes;
    uint32_t ncomp = components(o, &comp, &cstart, &cnodes);
    uint32_t *qset = rt_calloc((size_t)o->nq + 1, sizeof *qset);
    uint32_t *tmp = NULL;
    size_t cap_tmp = 0;
    uint32_t nn = cstart[ncomp];
    for (uint32_t c = 0; c < ncomp; c++) {
        uint32_t set = 0;
        for (uint32_t i = cstart[c]; i < cstart[c + 1]; i++) {
            uint32_t q = cnodes[i];
            /* the nodes come in topological order, scattered: what the
             * ones ahead read is asked for early (their predecessor
             * lists, then the predecessors' components and sets) */
            if (i + 16 < nn)
                __builtin_prefetch(&o->pstart[cnodes[i + 16]]);
            if (i + 8 < nn)
                __builtin_prefetch(&o->pred[o->pstart[cnodes[i + 8]]]);
            if (i + 4 < nn) {
                uint32_t u = cnodes[i + 4];
                for (uint32_t e = o->pstart[u]; e < o->pstart[u + 1] && e < o->pstart[u] + 8; e++) {
                    __builtin_prefetch(&comp[o->pred[e]]);
                    __builtin_prefetch(&qset[o->pred[e]]);
                }
            }
            if (q < o->nroot) {
                set = set_union(S, set, set_intern(S, &q, 1), &tmp, &cap_tmp);
                continue;
            }
            for (uint32_t e = o->pstart[q]; e < o->pstart[q + 1]; e++)
                if (comp[o->pred[e]] != c)
                    set = set_union(S, set, qset[o->pred[e]], &tmp, &cap_tmp);
        }
        for (uint32_t i = cstart[c]; i < cstart[c + 1]; i++)
            qset[cnodes[i]] = set;
    }
    free(tmp);
    free(comp);
    free(cstart);
    free(cnodes);
    return qset;
}

void shared_compute(rt_model *m, const rt_retained *r, int flags, rt_shared *s)
{
    shared_compute_budget(m, r, flags, POOL_BUDGET, s);
}

static void *dup_of(const void *p, size_t n)
{
    void *q = rt_malloc(n ? n : 1);
    if (n)
        memcpy(q, p, n);
    return q;
}

/* What flags ask for of the answer a saved index holds (computed with
 * every flag), in arrays of its own as a computation would give. */
static void copy_saved(const rt_shared *v, const rt_model *m, const rt_retained *r, int flags, rt_shared *s)
{
    s->reachable_bytes = dup_of(v->reachable_bytes, ((size_t)m->nroot + 1) * sizeof *s->reachable_bytes);
    s->reachable_objects = dup_of(v->reachable_objects, ((size_t)m->nroot + 1) * sizeof *s->reachable_objects);
    s->shared_bytes = v->shared_bytes;
    s->shared_objects = v->shared_objects;
    s->ntop = v->ntop;
    s->capped = v->capped;
    if (flags & SHARED_GROUPS) {
        size_t n = ((size_t)r->ngroup + 1) * sizeof *s->group_reachable_bytes;
        s->group_reachable_bytes = dup_of(v->group_reachable_bytes, n);
        s->group_reachable_objects = dup_of(v->group_reachable_objects, n);
    }
    if (flags & SHARED_LISTS) {
        size_t nroots = 0;
        for (uint32_t g = 0; g < v->ngroup; g++)
            nroots += v->groups[g].nroot;
        s->groups = dup_of(v->groups, (size_t)v->ngroup * sizeof *s->groups);
        s->ngroup = v->ngroup;
        s->roots = dup_of(v->roots, nroots * sizeof *s->roots);
        if (flags & SHARED_TOPS) {
            s->top_node = dup_of(v->top_node, (size_t)v->ntop * sizeof *s->top_node);
            s->top_group = dup_of(v->top_group, (size_t)v->ntop * sizeof *s->top_group);
        }
    }
}

void shared_compute_budget(rt_model *m, const rt_retained *r, int flags, size_t budget, rt_shared *s)
{
    memset(s, 0, sizeof *s);
    if (m->saved_shared && budget == POOL_BUDGET) {
        copy_saved(m->saved_shared, m, r, flags, s);
        return;
    }
    if (!m->redge_start && !m->edge_start)
        return; /* neither direction kept: see RETAINED_KEEP_REVERSE */
    owners o;
    memset(&o, 0, sizeof o);
    model_build_reverse(m);
    build_owners(&o, m, r);
    model_release_reverse(m);
    s->ntop = o.ntop;

    sets S;
    memset(&S, 0, sizeof S);
    S.n = 2; /* 0: empty, 1: overflow */
    S.budget = budget;
    RT_GROW(S.start, S.cap, 2);
    S.len = rt_calloc(S.cap, sizeof *S.len);
    uint32_t *qset = top_sets(&o, &S);
    s->capped = S.overflow;

    /* bytes and objects per set, from its tops */
    uint64_t *set_bytes = rt_calloc(S.n, sizeof *set_bytes), *set_objs = rt_calloc(S.n, sizeof *set_objs);
    uint32_t *set_tops = rt_calloc(S.n, sizeof *set_tops);
    for (uint32_t k = 0; k < o.ntop; k++) {
        uint32_t id = qset[o.nroot + k], t = o.tops[k];
        s->shared_bytes += r->bytes[t];
        s->shared_objects += r->objects[t];
        set_bytes[id] += r->bytes[t];
        set_objs[id] += r->objects[t];
        set_tops[id]++;
    }

    /* a root reaches what it retains and every set it belongs to */
    s->reachable_bytes = rt_malloc(((size_t)m->nroot + 1) * sizeof *s->reachable_bytes);
    s->reachable_objects = rt_malloc(((size_t)m->nroot + 1) * sizeof *s->reachable_objects);
    for (uint32_t i = 0; i < m->nroot; i++) {
        s->reachable_bytes[i] = r->bytes[m->nobj + i];
        s->reachable_objects[i] = r->objects[m->nobj + i];
    }
    for (uint32_t id = 2; id < S.n; id++)
        for (uint32_t j = 0; j < S.len[id]; j++) {
            s->reachable_bytes[S.pool[S.start[id] + j]] += set_bytes[id];
            s->reachable_objects[S.pool[S.start[id] + j]] += set_objs[id];
        }

    /* a goroutine the same, counting each set once; a set of its roots
     * alone hangs under its group node, counted in what it retains */
    if (flags & SHARED_GROUPS) {
        s->group_reachable_bytes = rt_calloc((size_t)r->ngroup + 1, sizeof *s->group_reachable_bytes);
        s->group_reachable_objects = rt_calloc((size_t)r->ngroup + 1, sizeof *s->group_reachable_objects);
        const uint32_t *gof = r->root_group;
        uint32_t *stamp = rt_calloc((size_t)r->ngroup + 1, sizeof *stamp);
        for (uint32_t g = 0; g < r->ngroup; g++) {
            s->group_reachable_bytes[g] = r->bytes[r->group0 + g];
            s->group_reachable_objects[g] = r->objects[r->group0 + g];
        }
        for (uint32_t id = 2; id < S.n; id++) {
            const uint32_t *ids = S.pool + S.start[id];
            uint32_t g0 = gof[ids[0]], one = 1;
            for (uint32_t j = 1; j < S.len[id] && one; j++)
                one = gof[ids[j]] == g0;
            if (one)
                continue;
            for (uint32_t j = 0; j < S.len[id]; j++) {
                uint32_t g = gof[ids[j]];
                if (g == RT_NONE || stamp[g] == id)
                    continue;
                stamp[g] = id;
                s->group_reachable_bytes[g] += set_bytes[id];
                s->group_reachable_objects[g] += set_objs[id];
            }
        }
        free(stamp);
    }

    if (flags & SHARED_LISTS)
        make_groups(s, m, &o, &S, qset, set_bytes, set_objs, set_tops, (flags & SHARED_TOPS) != 0);
    free(set_bytes);
    free(set_objs);
    free(set_tops);
    free(qset);
    sets_free(&S);
    free(o.tops);
    free(o.owner);
    free(o.sstart);
    free(o.succ);
    free(o.pstart);
    free(o.pred);
}

void shared_free(rt_shared *s)
{
    free(s->reachable_bytes);
    free(s->reachable_objects);
    free(s->group_reachable_bytes);
    free(s->group_reachable_objects);
    free(s->groups);
    free(s->roots);
    free(s->top_node);
    free(s->top_group);
    memset(s, 0, sizeof *s);
}
