/* model_roots.c — roots from loader to model (see model_roots.h). */
#include "model/model_roots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/threads.h"

uint32_t rootset_add(rt_rootset *rs, rt_root_kind kind, uint64_t addr)
{
    RT_GROW(rs->roots, rs->cap_root, rs->nroot + 1);
    rt_root *r = &rs->roots[rs->nroot];
    memset(r, 0, sizeof *r);
    r->kind = (uint8_t)kind;
    r->address = addr;
    r->goroutine = RT_NO_GOROUTINE;
    switch (kind) {
    case RT_ROOT_GLOBAL: r->group = RT_GROUP_GLOBALS; break;
    case RT_ROOT_STACK: r->group = RT_GROUP_GOROUTINE; break;
    case RT_ROOT_FINALIZER:
    case RT_ROOT_CLEANUP: r->group = RT_GROUP_FINALIZERS; break;
    default: r->group = RT_GROUP_RUNTIME; break;
    }
    return (uint32_t)rs->nroot++;
}

void rootset_word(rt_rootset *rs, uint32_t root, uint64_t off, uint64_t value)
{
    RT_GROW(rs->words, rs->cap_word, rs->nword + 1);
    uint32_t o = off >= RT_OFF_NONE ? RT_OFF_NONE - 1 : (uint32_t)off;
    rs->words[rs->nword++] = (rt_rootword){ root, o, value };
}

#define UNNAMED_PREFIX_DATA "data+0x"
#define UNNAMED_PREFIX_BSS "bss+0x"

uint32_t rootset_add_unnamed(rt_rootset *rs, rt_model *m, const char *seg, uint64_t addr, uint64_t off)
{
    char name[64];
    snprintf(name, sizeof name, "%s+0x%llx", seg, (unsigned long long)off);
    uint32_t root = rootset_add(rs, RT_ROOT_GLOBAL, addr);
    rs->roots[root].name = strpool_intern_cstr(m->strings, name);
    rs->roots[root].size = 8;
    return root;
}

static int is_unnamed(const rt_root *r, const rt_strpool *sp)
{
    if (r->kind != RT_ROOT_GLOBAL || !r->name)
        return 0;
    const char *n = strpool_get(sp, r->name);
    return strncmp(n, UNNAMED_PREFIX_DATA, sizeof UNNAMED_PREFIX_DATA - 1) == 0 ||
           strncmp(n, UNNAMED_PREFIX_BSS, sizeof UNNAMED_PREFIX_BSS - 1) == 0;
}

static int cmp_u32_by_addr(const void *a, const void *b, void *ctx)
{
    const rt_root *roots = ctx;
    uint64_t x = roots[*(const uint32_t *)a].address, y = roots[*(const uint32_t *)b].address;
    return x < y ? -1 : x > y;
}

/* The first of the sorted unnamed roots at or above addr. */
static size_t lower_bound(const rt_root *roots, const uint32_t *un, size_t n, uint64_t addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (roots[un[mid]].address < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* See rootset_resolve.  Values of values (`&A{b: &B{}}`) take a few rounds. */
static void name_static_values(rt_rootset *rs, rt_model *m)
{
    uint32_t *un = NULL, *merged = NULL;
    size_t nun = 0;
    for (uint32_t r = 0; r < rs->nroot; r++)
        if (is_unnamed(&rs->roots[r], m->strings))
            nun++;
    if (!nun)
        return;
    un = rt_malloc(nun * sizeof *un);
    nun = 0;
    for (uint32_t r = 0; r < rs->nroot; r++)
        if (is_unnamed(&rs->roots[r], m->strings))
            un[nun++] = r;
    qsort_r(un, nun, sizeof *un, cmp_u32_by_addr, rs->roots);
    /* merged[r]: the root an unnamed root's words moved to, RT_NONE if none */
    merged = rt_malloc(rs->nroot * sizeof *merged);
    for (uint32_t r = 0; r < rs->nroot; r++)
        merged[r] = RT_NONE;
    for (int round = 0; round < 4; round++) {
        int changed = 0;
        for (size_t i = 0; i < rs->nword; i++) {
            const rt_rootword *w = &rs->words[i];
            const rt_root *src = &rs->roots[w->root];
            if (src->kind != RT_ROOT_GLOBAL || is_unnamed(src, m->strings))
                continue;
            size_t k = lower_bound(rs->roots, un, nun, w->value);
            if (k == nun || rs->roots[un[k]].address != w->value || merged[un[k]] != RT_NONE)
                continue;
            /* the pointer's element type says how far the value goes */
            char path[128];
            uint32_t elem = 0;
            uint64_t size = 8;
            if (model_type(m, src->type) && w->off != RT_OFF_NONE) {
                uint32_t leaf;
                uint64_t leaf_off = 0;
                model_field_leaf(m, src->type, w->off, path, sizeof path, &leaf, &leaf_off);
                const rt_type *t = model_type(m, leaf);
                if (t && t->kind == RT_TK_POINTER && leaf_off == 0 && model_type(m, t->elem)) {
                    elem = t->elem;
                    size = model_type(m, elem)->size;
                }
            } else {
                path[0] = 0;
                if (w->off)
                    snprintf(path, sizeof path, "+0x%x", w->off);
            }
            char name[512];
            snprintf(name, sizeof name, "*%s%s", strpool_get(m->strings, src->name), path);
            uint32_t target = un[k];
            rt_root *tr = &rs->roots[target];
            tr->name = strpool_intern_cstr(m->strings, name);
            tr->type = elem;
            tr->size = size ? size : 8;
            merged[target] = target;
            for (size_t j = k + 1; j < nun && rs->roots[un[j]].address < tr->address + tr->size; j++)
                if (merged[un[j]] == RT_NONE)
                    merged[un[j]] = target;
            changed = 1;
        }
        /* move the words of merged roots to their target */
        for (size_t i = 0; i < rs->nword; i++) {
            rt_rootword *w = &rs->words[i];
            uint32_t t = merged[w->root];
            if (t == RT_NONE || t == w->root)
                continue;
            uint64_t addr = rs->roots[w->root].address + (w->off == RT_OFF_NONE ? 0 : w->off);
            w->off = (uint32_t)(addr - rs->roots[t].address);
            w->root = t;
        }
        if (!changed)
            break;
    }
    free(merged);
    free(un);
}

void rootset_resolve(rt_rootset *rs, rt_model *m)
{
    name_static_values(rs, m);
    size_t w = 0;
    for (size_t i = 0; i < rs->nword; i++) {
        uint32_t t = model_find(m, rs->words[i].value);
        if (t == RT_NONE)
            continue;
        rs->words[w] = rs->words[i];
        rs->words[w++].value = t;
    }
    rs->nword = w;
    rs->resolved = 1;
}

static int cmp_str(const rt_strpool *sp, uint32_t a, uint32_t b)
{
    if (a == b)
        return 0;
    return strcmp(strpool_get(sp, a), strpool_get(sp, b));
}

typedef struct sort_ctx {
    const rt_root *roots;
    const rt_strpool *sp;
} sort_ctx;

static int cmp_root(const void *pa, const void *pb, void *ctx)
{
    const sort_ctx *c = ctx;
    const rt_root *a = &c->roots[*(const uint32_t *)pa], *b = &c->roots[*(const uint32_t *)pb];
    int d;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if ((d = cmp_str(c->sp, a->name, b->name)) != 0)
        return d;
    if ((d = cmp_str(c->sp, a->function, b->function)) != 0)
        return d;
    if (a->goroutine != b->goroutine)
        return a->goroutine < b->goroutine ? -1 : 1;
    if ((d = cmp_str(c->sp, a->variable, b->variable)) != 0)
        return d;
    if (a->address != b->address)
        return a->address < b->address ? -1 : 1;
    return 0;
}

static int cmp_word(const void *pa, const void *pb)
{
    const rt_rootword *a = pa, *b = pb;
    if (a->root != b->root)
        return a->root < b->root ? -1 : 1;
    if (a->off != b->off)
        return a->off < b->off ? -1 : 1;
    return a->value < b->value ? -1 : a->value > b->value;
}

void rootset_finish(rt_rootset *rs, rt_model *m)
{
    if (!rs->resolved)
        rootset_resolve(rs, m);
    /* keep roots that reach the heap */
    uint32_t *count = rt_calloc(rs->nroot + 1, sizeof *count);
    for (size_t i = 0; i < rs->nword; i++)
        count[rs->words[i].root]++;
    uint32_t *order = rt_malloc((rs->nroot + 1) * sizeof *order);
    uint32_t nkeep = 0;
    for (uint32_t r = 0; r < rs->nroot; r++) {
        rt_root *rr = &rs->roots[r];
        if (rr->kind == RT_ROOT_GLOBAL && rr->name &&
            model_root_is_registry(strpool_get(m->strings, rr->name))) {
            rr->kind = RT_ROOT_RUNTIME;
            rr->group = RT_GROUP_RUNTIME;
            rr->registry = 1;
        }
        if (count[r])
            order[nkeep++] = r;
    }
    sort_ctx ctx = { rs->roots, m->strings };
    qsort_r(order, nkeep, sizeof *order, cmp_root, &ctx);
    uint32_t *newid = count; /* reuse: old index -> new index */
    for (uint32_t r = 0; r < rs->nroot; r++)
        newid[r] = RT_NONE;
    free(m->roots);
    m->roots = rt_malloc((nkeep ? nkeep : 1) * sizeof *m->roots);
    for (uint32_t k = 0; k < nkeep; k++) {
        newid[order[k]] = k;
        m->roots[k] = rs->roots[order[k]];
    }
    m->nroot = nkeep;
    for (size_t i = 0; i < rs->nword; i++)
        rs->words[i].root = newid[rs->words[i].root];
    if (rs->nword)
        qsort(rs->words, rs->nword, sizeof *rs->words, cmp_word);
    free(order);
    free(count);

    /* append root edges after the objects' */
    uint64_t base = m->nedge;
    m->edge_start = rt_reallocarray(m->edge_start, (size_t)m->nobj + nkeep + 1, sizeof *m->edge_start);
    m->edge_dst = rt_reallocarray(m->edge_dst, base + rs->nword + 1, sizeof *m->edge_dst);
    m->edge_off = rt_reallocarray(m->edge_off, base + rs->nword + 1, sizeof *m->edge_off);
    size_t wi = 0;
    for (uint32_t k = 0; k < nkeep; k++) {
        m->edge_start[m->nobj + k] = (uint32_t)(base + wi);
        while (wi < rs->nword && rs->words[wi].root == k) {
            m->edge_dst[base + wi] = (uint32_t)rs->words[wi].value;
            m->edge_off[base + wi] = rs->words[wi].off;
            wi++;
        }
    }
    m->nedge = base + rs->nword;
    m->edge_start[m->nobj + nkeep] = (uint32_t)m->nedge;
    /* the roots and words are the model's now; the covered edges wait
     * for rootset_prune_beside */
    free(rs->roots);
    free(rs->words);
    rs->roots = NULL;
    rs->words = NULL;
    rs->nroot = rs->cap_root = rs->nword = rs->cap_word = 0;
}

/* The edges roots stand for, as object ids (rt_prune.cut). */
static uint64_t *covered_ids(const rt_rootset *rs, const rt_model *m, size_t *n)
{
    uint64_t *cut = rt_malloc((rs->ncovered + 1) * sizeof *cut);
    *n = 0;
    for (size_t i = 0; i < rs->ncovered; i++) {
        uint32_t src = model_find(m, rs->covered[i].holder), dst = model_find(m, rs->covered[i].value);
        if (src != RT_NONE && dst != RT_NONE)
            cut[(*n)++] = (uint64_t)src << 32 | dst;
    }
    return cut;
}

typedef struct prune_job {
    const rt_model *m;
    uint64_t *cut;
    size_t ncut;
    int want_reverse;
    rt_prune pr;
    void (*types)(void *arg);
    void *arg;
} prune_job;

static void prune_worker(void *arg, int worker)
{
    prune_job *j = arg;
    if (worker == 0)
        j->types(j->arg);
    else
        model_prune_begin(j->m, j->cut, j->ncut, j->want_reverse, &j->pr);
}

void rootset_prune_beside(rt_rootset *rs, rt_model *m, int threads, int want_reverse, void (*types)(void *arg),
                          void *arg)
{
    prune_job j = { .m = m, .want_reverse = want_reverse, .types = types, .arg = arg };
    j.cut = covered_ids(rs, m, &j.ncut);
    if (threads > 1) {
        rt_parallel(2, prune_worker, &j);
    } else {
        types(arg);
        model_prune_begin(m, j.cut, j.ncut, want_reverse, &j.pr);
    }
    rootset_free(rs);
    model_prune_end(m, &j.pr);
    free(j.cut);
}

void rootset_cover(rt_rootset *rs, uint64_t holder, uint64_t value)
{
    if (!holder || !value)
        return;
    RT_GROW(rs->covered, rs->cap_covered, rs->ncovered + 1);
    rs->covered[rs->ncovered++] = (rt_covered){ holder, value };
}

void rootset_free(rt_rootset *rs)
{
    free(rs->roots);
    free(rs->words);
    free(rs->covered);
    memset(rs, 0, sizeof *rs);
}
