/* retained.c — building the rooted graph for the dominator tree: the
 * model's objects as they are (no copy), plus a small second segment for
 * roots, their group nodes and the super-root. */
#include "analysis/retained.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint32_t goroutine_function(const rt_model *m, uint64_t goid)
{
    for (uint32_t i = 0; i < m->ngoroutine; i++)
        if (m->goroutines[i].id == goid)
            /* the innermost frame of user code; a runtime-only goroutine
             * is best named by what it runs (runtime.bgsweep), not by
             * where it parked (runtime.gopark) */
            return m->goroutines[i].user_function  ? m->goroutines[i].user_function
                 : m->goroutines[i].start_function ? m->goroutines[i].start_function
                                                   : m->goroutines[i].top_function;
    return 0;
}

/* Group index of every root; fills r->groups. */
static uint32_t *assign_groups(const rt_model *m, rt_retained *r)
{
    uint32_t *gof = rt_malloc(((size_t)m->nroot + 1) * sizeof *gof);
    /* distinct goroutine ids, sorted */
    uint64_t *ids = rt_malloc(((size_t)m->nroot + 1) * sizeof *ids);
    size_t nids = 0;
    int has[4] = { 0, 0, 0, 0 };
    for (uint32_t i = 0; i < m->nroot; i++) {
        const rt_root *root = &m->roots[i];
        if (root->group == RT_GROUP_GOROUTINE && root->goroutine != RT_NO_GOROUTINE)
            ids[nids++] = root->goroutine;
        else
            has[root->group == RT_GROUP_GOROUTINE ? RT_GROUP_RUNTIME : root->group] = 1;
    }
    qsort(ids, nids, sizeof *ids, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < nids; i++)
        if (u == 0 || ids[u - 1] != ids[i])
            ids[u++] = ids[i];
    nids = u;
    /* order under the super-root: globals, goroutines, finalizers, runtime */
    r->groups = rt_calloc(nids + 4, sizeof *r->groups);
    uint32_t g = 0, gidx[4];
    if (has[RT_GROUP_GLOBALS])
        r->groups[gidx[RT_GROUP_GLOBALS] = g++].kind = RT_GROUP_GLOBALS;
    uint32_t first_gor = g;
    for (size_t i = 0; i < nids; i++, g++) {
        r->groups[g].kind = RT_GROUP_GOROUTINE;
        r->groups[g].goroutine = ids[i];
        r->groups[g].function = goroutine_function(m, ids[i]);
    }
    if (has[RT_GROUP_FINALIZERS])
        r->groups[gidx[RT_GROUP_FINALIZERS] = g++].kind = RT_GROUP_FINALIZERS;
    if (has[RT_GROUP_RUNTIME])
        r->groups[gidx[RT_GROUP_RUNTIME] = g++].kind = RT_GROUP_RUNTIME;
    r->ngroup = g;
    for (uint32_t i = 0; i < m->nroot; i++) {
        const rt_root *root = &m->roots[i];
        if (root->group == RT_GROUP_GOROUTINE && root->goroutine != RT_NO_GOROUTINE) {
            size_t lo = 0, hi = nids;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (ids[mid] < root->goroutine)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            gof[i] = first_gor + (uint32_t)lo;
        } else {
            gof[i] = gidx[root->group == RT_GROUP_GOROUTINE ? RT_GROUP_RUNTIME : root->group];
        }
    }
    free(ids);
    return gof;
}

static void release_edges(void *m)
{
    model_release_edges(m);
}

/* The rooted graph: the model's objects as they are (the lo segment),
 * then roots, groups and the super-root, whose lists are made here. */
typedef struct rooted {
    rt_digraph g;
    uint32_t *ss, *sa, *ps, *pa; /* the hi segment's successors and predecessors */
} rooted;

/* Fill r's groups and the rooted graph's hi segment; with_preds: the
 * predecessors too (the model's reverse edges must be built). */
static void rooted_build(rt_model *m, rt_retained *r, rooted *out, int with_preds)
{
    uint32_t *gof = assign_groups(m, r);
    uint32_t nobj = m->nobj, nroot = m->nroot;
    r->group0 = nobj + nroot;
    r->super = r->group0 + r->ngroup;
    r->n = r->super + 1;
    uint32_t nhi = r->n - nobj; /* roots, groups, super */

    /* successors of the hi segment: roots' edges, groups' roots, super's groups */
    uint64_t root_edges = m->nedge - m->edge_start[nobj];
    uint32_t *ss = rt_malloc(((size_t)nhi + 1) * sizeof *ss);
    uint32_t *sa = rt_malloc((size_t)(root_edges + nroot + r->ngroup + 1) * sizeof *sa);
    uint32_t k = 0;
    for (uint32_t i = 0; i < nroot; i++) {
        ss[i] = k;
        for (uint32_t e = m->edge_start[nobj + i]; e < m->edge_start[nobj + i + 1]; e++)
            sa[k++] = m->edge_dst[e];
    }
    /* roots of each group: count, then place (roots are few) */
    uint32_t *gcount = rt_calloc(r->ngroup + 1, sizeof *gcount);
    for (uint32_t i = 0; i < nroot; i++)
        gcount[gof[i]]++;
    uint32_t *gpos = rt_malloc((r->ngroup + 1) * sizeof *gpos);
    for (uint32_t g = 0; g < r->ngroup; g++) {
        ss[nroot + g] = k;
        gpos[g] = k;
        k += gcount[g];
    }
    for (uint32_t i = 0; i < nroot; i++)
        sa[gpos[gof[i]]++] = nobj + i;
    ss[nroot + r->ngroup] = k;
    for (uint32_t g = 0; g < r->ngroup; g++)
        sa[k++] = r->group0 + g;
    ss[nhi] = k;
    free(gcount);
    free(gpos);
    r->root_group = gof;
    memset(out, 0, sizeof *out);
    out->ss = ss;
    out->sa = sa;
    out->g = (rt_digraph){
        .n = r->n,
        .split = nobj,
        .succ_lo = { m->edge_start, m->edge_dst },
        .succ_hi = { ss, sa },
    };
    if (!with_preds)
        return;
    /* predecessors: a root's group, a group's super-root */
    uint32_t *ps = rt_calloc((size_t)nhi + 1, sizeof *ps);
    uint32_t *pa = rt_malloc(((size_t)nroot + r->ngroup + 1) * sizeof *pa);
    uint32_t j = 0;
    for (uint32_t i = 0; i < nroot; i++) {
        ps[i] = j;
        pa[j++] = r->group0 + gof[i];
    }
    for (uint32_t g = 0; g < r->ngroup; g++) {
        ps[nroot + g] = j;
        pa[j++] = r->super;
    }
    ps[nroot + r->ngroup] = j;
    ps[nhi] = j;
    out->ps = ps;
    out->pa = pa;
    out->g.pred_lo = (rt_csr){ m->redge_start, m->redge_src };
    out->g.pred_hi = (rt_csr){ ps, pa };
}

static void rooted_free(rooted *g)
{
    free(g->ss);
    free(g->sa);
    free(g->ps);
    free(g->pa);
}

int retained_compute(rt_model *m, rt_retained *r, int flags, rt_error *err)
{
    memset(r, 0, sizeof *r);
    if (m->saved_retained) {
        *r = *m->saved_retained;
        r->borrowed = 1;
        return 0;
    }
    model_build_reverse(m);
    rooted gr;
    rooted_build(m, r, &gr, 1);
    gr.g.succ_done = flags & RETAINED_LAST ? release_edges : NULL;
    gr.g.succ_done_ctx = m;
    int rc = domtree_compute(&gr.g, r->super, &r->tree, err);
    rooted_free(&gr);
    if (rc) {
        retained_free(r);
        return rc;
    }

    /* nothing below needs predecessors: give their memory back first */
    if (!(flags & RETAINED_KEEP_REVERSE))
        model_release_reverse(m);
    /* retained bytes and objects: children before parents (reverse
     * preorder), objects only; no shallow-size array needed */
    uint32_t nobj = m->nobj;
    r->bytes = rt_calloc(r->n, sizeof *r->bytes);
    r->objects = rt_calloc(r->n, sizeof *r->objects);
    for (uint32_t i = 0; i < nobj; i++)
        r->heap_bytes += m->objects[i].size;
    const uint32_t *order = r->tree.order, *idom = r->tree.idom;
    for (uint32_t i = r->tree.nreach; i-- > 1;) {
        uint32_t v = order[i];
        if (v < nobj) {
            r->bytes[v] += m->objects[v].size;
            r->objects[v]++;
        }
        r->bytes[idom[v]] += r->bytes[v];
        r->objects[idom[v]] += r->objects[v];
    }
    return 0;
}

/* The chain of node v read off a whole tree. */
static void chain_from_tree(const rt_retained *r, uint32_t v, rt_domchain *out)
{
    memset(out, 0, sizeof *out);
    if (r->tree.idom[v] == RT_NONE)
        return;
    uint32_t n = 1;
    for (uint32_t x = v; x != r->super; x = r->tree.idom[x])
        n++;
    out->node = rt_malloc((size_t)n * sizeof *out->node);
    out->bytes = rt_malloc((size_t)n * sizeof *out->bytes);
    out->count = rt_malloc((size_t)n * sizeof *out->count);
    for (uint32_t x = v;; x = r->tree.idom[x]) {
        out->node[out->n] = x;
        out->bytes[out->n] = r->bytes[x];
        out->count[out->n++] = r->objects[x];
        if (x == r->super)
            break;
    }
}

static uint64_t object_size(const void *m, uint32_t v)
{
    const rt_model *mm = m;
    return v < mm->nobj ? mm->objects[v].size : 0;
}

int retained_chain(rt_model *m, uint32_t target, const rt_path *path, rt_retained *r,
                   rt_domchain *out, rt_error *err)
{
    memset(out, 0, sizeof *out);
    if (m->saved_retained) {
        int rc = retained_compute(m, r, 0, err);
        if (rc == 0)
            chain_from_tree(r, target, out);
        return rc;
    }
    /* the search needs the successors only; without a path the object is
     * not reachable, and only the groups are wanted (labels) */
    model_release_reverse(m);
    memset(r, 0, sizeof *r);
    rooted gr;
    rooted_build(m, r, &gr, 0);
    if (!path) {
        rooted_free(&gr);
        return 0;
    }
    uint32_t len = path->nhops + 3;
    uint32_t *p = rt_malloc((size_t)len * sizeof *p);
    p[0] = r->super;
    p[1] = r->group0 + r->root_group[path->root];
    p[2] = m->nobj + path->root;
    memcpy(p + 3, path->hops, (size_t)path->nhops * sizeof *p);
    rt_error e2;
    rt_error_clear(&e2);
    int rc = domchain_compute(&gr.g, p, len, object_size, m, out, &e2);
    free(p);
    rooted_free(&gr);
    if (rc == 0)
        return 0;
    if (e2.code != RT_E_USAGE) {
        *err = e2;
        return rc;
    }
    /* not a path of the graph (the paths and the graph disagree): the
     * whole tree still answers */
    retained_free(r);
    if ((rc = retained_compute(m, r, 0, err)) == 0)
        chain_from_tree(r, target, out);
    return rc;
}

void retained_free(rt_retained *r)
{
    if (r->borrowed) {
        memset(r, 0, sizeof *r);
        return;
    }
    domtree_free(&r->tree);
    free(r->groups);
    free(r->root_group);
    free(r->bytes);
    free(r->objects);
    memset(r, 0, sizeof *r);
}

void retained_children(const rt_model *m, const rt_retained *r, int sorted, rt_children *out)
{
    memset(out, 0, sizeof *out);
    if (m->saved_child_start && r->borrowed) {
        out->start = m->saved_child_start;
        out->child = m->saved_child;
        return;
    }
    domtree_children(&r->tree, sorted ? r->bytes : NULL, &out->own_start, &out->own_child);
    out->start = out->own_start;
    out->child = out->own_child;
}

void retained_children_free(rt_children *c)
{
    free(c->own_start);
    free(c->own_child);
    memset(c, 0, sizeof *c);
}

static const char *group_name(rt_group_kind k)
{
    switch (k) {
    case RT_GROUP_GLOBALS: return "globals";
    case RT_GROUP_GOROUTINE: return "goroutine";
    case RT_GROUP_FINALIZERS: return "finalizers";
    default: return "runtime";
    }
}

const char *retained_label(const rt_model *m, const rt_retained *r, uint32_t node, char *buf, size_t len)
{
    const rt_strpool *sp = m->strings;
    if (node < m->nobj) {
        uint32_t type = model_obj_type_name(m, node), site = model_obj_site(m, node);
        const char *l = type ? strpool_get(sp, type)
                      : site != RT_NONE ? strpool_get(sp, model_site_function(m, site)) : "object";
        snprintf(buf, len, "%s", l);
    } else if (node < r->group0) {
        const rt_root *rt = &m->roots[node - m->nobj];
        const char *name = strpool_get(sp, rt->name), *fn = strpool_get(sp, rt->function);
        const char *var = strpool_get(sp, rt->variable);
        if (rt->goroutine != RT_NO_GOROUTINE)
            snprintf(buf, len, "%s goroutine %" PRIu64 "%s%s%s%s", rt_root_kind_name(rt->kind), rt->goroutine,
                     *fn ? " " : "", fn, *var ? " " : "", var);
        else
            snprintf(buf, len, "%s %s%s%s", rt_root_kind_name(rt->kind), *name ? name : fn,
                     *var ? " " : "", var);
    } else if (node < r->super) {
        const rt_group *g = &r->groups[node - r->group0];
        if (g->kind == RT_GROUP_GOROUTINE)
            snprintf(buf, len, "goroutine %" PRIu64 "%s%s", g->goroutine, g->function ? " " : "",
                     strpool_get(sp, g->function));
        else
            snprintf(buf, len, "%s", group_name(g->kind));
    } else {
        snprintf(buf, len, "all roots");
    }
    return buf;
}
