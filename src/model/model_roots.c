/* model_roots.c — roots from loader to model (see model_roots.h). */
#include "model/model_roots.h"

#include <string.h>

#include "util/alloc.h"

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

void rootset_resolve(rt_rootset *rs, const rt_model *m)
{
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
    for (uint32_t r = 0; r < rs->nroot; r++)
        if (count[r])
            order[nkeep++] = r;
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
    rootset_free(rs);
}

void rootset_free(rt_rootset *rs)
{
    free(rs->roots);
    free(rs->words);
    memset(rs, 0, sizeof *rs);
}
