/* report_build.c — the data of `retain report`: one JSON document (the
 * same vocabulary as the commands' --json) with the overview, the leak
 * suspects and their paths, the tables by type and site, the goroutines
 * and a cut of the dominator tree.  report_html.c renders it. */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/aggregate.h"
#include "analysis/domcut.h"
#include "analysis/goroutines.h"
#include "analysis/paths.h"
#include "analysis/sites.h"
#include "report/json_diff.h"
#include "report/json_model.h"
#include "report/labels.h"
#include "util/alloc.h"

#define TREE_MAX_NODES 4000
#define TABLE_ROWS 30
#define SHRANK_ROWS 10 /* of a growth table */

static void json_root(json_w *w, const rt_model *m, uint32_t root)
{
    json_obj_begin(w);
    json_key(w, "kind");
    json_str(w, rt_root_kind_name(m->roots[root].kind));
    json_key(w, "name");
    json_str_or_null(w, strpool_get(m->strings, m->roots[root].name));
    json_key(w, "function");
    json_str_or_null(w, strpool_get(m->strings, m->roots[root].function));
    json_key(w, "goroutine");
    if (m->roots[root].goroutine == RT_NO_GOROUTINE)
        json_null(w);
    else
        json_u64(w, m->roots[root].goroutine);
    json_key(w, "variable");
    json_str_or_null(w, strpool_get(m->strings, m->roots[root].variable));
    json_obj_end(w);
}

/* The shortest path to obj, hop by hop with field names, and its
 * allocation stack. */
static void json_path(json_w *w, rt_model *m, uint32_t obj)
{
    rt_paths p;
    paths_find(m, obj, 1, &p);
    json_key(w, "object");
    json_addr(w, m->objects[obj].base);
    json_key(w, "root");
    if (p.npaths)
        json_root(w, m, p.paths[0].root);
    else
        json_null(w);
    json_key(w, "path");
    json_arr_begin(w);
    for (uint32_t k = 0; p.npaths && k < p.paths[0].nhops; k++) {
        uint32_t v = p.paths[0].hops[k];
        char field[256] = "";
        if (k > 0) {
            uint32_t prev = p.paths[0].hops[k - 1], t = model_obj_type(m, prev);
            uint64_t start = model_obj_type_off(m, prev), off = p.paths[0].offs[k];
            if (t && off != RT_OFF_NONE)
                model_field_path(m, t, off >= start ? off - start : off, field, sizeof field);
        }
        json_obj_begin(w);
        json_key(w, "address");
        json_addr(w, m->objects[v].base);
        json_key(w, "size");
        json_u64(w, m->objects[v].size);
        json_key(w, "type");
        json_str(w, report_obj_label(m, v));
        json_key(w, "field");
        json_str_or_null(w, field);
        json_obj_end(w);
    }
    json_arr_end(w);
    uint32_t site = model_obj_site(m, obj);
    json_key(w, "alloc");
    if (site != RT_NONE)
        json_model_frames(w, m, m->frames + m->sites[site].frame_start, m->sites[site].nframes);
    else
        json_null(w);
    paths_free(&p);
}

/* The object a suspect's path is shown to: down the dominator tree from
 * node v through the largest child while it holds at least a quarter of
 * its parent's retained bytes (through the map header to its buckets, say),
 * at most 12 levels; RT_NONE if v holds no object. */
static uint32_t largest_under(const rt_model *m, const rt_retained *r, const uint32_t *cs, const uint32_t *ch,
                              uint32_t v)
{
    while (v >= m->nobj) {
        if (cs[v] == cs[v + 1])
            return RT_NONE;
        v = ch[cs[v]]; /* children are sorted by retained size */
    }
    for (int depth = 0; depth < 12 && cs[v] < cs[v + 1] && 4 * r->bytes[ch[cs[v]]] >= r->bytes[v]; depth++)
        v = ch[cs[v]];
    return v;
}

typedef struct suspect {
    int kind;        /* 0 root, 1 shared group, 2 site */
    uint32_t id;
    uint64_t bytes;
    uint32_t obj;    /* the object whose path is shown */
} suspect;

static int cmp_suspect(const void *a, const void *b)
{
    const suspect *x = a, *y = b;
    return x->bytes != y->bytes ? (x->bytes > y->bytes ? -1 : 1) : (x->kind - y->kind);
}

/* A suspect's growth since the old snapshot: a root's row of the diff by
 * root; a site's, summed over the stacks that share its allocating
 * function.  Without such a row: null. */
static void json_suspect_growth(json_w *w, const rt_model *m, const rt_report_growth *g, int kind, const char *name,
                                uint32_t root)
{
    json_key(w, "growth");
    /* (an old heap profile has sites only) */
    const rt_diff *d = kind == 0 && g->old_heap ? &g->by[RT_DIFF_BY_ROOT] : kind == 2 ? &g->by[RT_DIFF_BY_SITE] : NULL;
    char key[1024];
    if (kind == 0)
        diff_root_name(m, root, key, sizeof key);
    int64_t dc = 0, db = 0;
    int found = 0, had = 0;
    for (size_t i = 0; d && i < d->n; i++) {
        const rt_diff_row *row = &d->rows[i];
        const rt_group_sum *any = row->new ? row->new : row->old;
        if (strcmp(kind == 0 ? any->name : any->label, kind == 0 ? key : name) != 0)
            continue;
        found = 1;
        had |= row->old != NULL;
        dc += row->dcount;
        db += row->dbytes;
    }
    if (!found) {
        json_null(w);
        return;
    }
    json_obj_begin(w);
    json_key(w, "count");
    json_i64(w, dc);
    json_key(w, "bytes");
    json_i64(w, db);
    json_key(w, "status");
    json_str(w, diff_status_name(!had ? RT_NEW : db > 0 ? RT_GREW : db < 0 ? RT_SHRANK : RT_SAME));
    json_obj_end(w);
}

static void json_growth(json_w *w, const rt_report_growth *g)
{
    static const char *const keys[] = { "types", "sites", "roots" };
    json_key(w, "growth");
    json_obj_begin(w);
    json_key(w, "old");
    json_str(w, g->old_input);
    for (int k = 0; k < 3; k++) {
        json_key(w, keys[k]);
        if (!g->old_heap && k != RT_DIFF_BY_SITE) { /* a profile has no types nor roots */
            json_null(w);
            continue;
        }
        /* what grew most, then what shrank most (by delta, descending);
         * the unchanged between them are left out */
        const rt_diff *d = &g->by[k];
        size_t grew = 0, shrank = 0;
        while (grew < d->n && grew < TABLE_ROWS && d->rows[grew].dbytes > 0)
            grew++;
        while (shrank < d->n - grew && shrank < SHRANK_ROWS && d->rows[d->n - 1 - shrank].dbytes < 0)
            shrank++;
        json_arr_begin(w);
        for (size_t i = 0; i < grew; i++)
            json_diff_row(w, &d->rows[i], &g->old[k], &g->new[k]);
        for (size_t i = d->n - shrank; i < d->n; i++)
            json_diff_row(w, &d->rows[i], &g->old[k], &g->new[k]);
        json_arr_end(w);
    }
    json_obj_end(w);
}

static void json_suspects(json_w *w, rt_model *m, const rt_retained *r, const rt_shared *s, const rt_sites *S,
                          const uint32_t *cs, const uint32_t *ch, const rt_report_growth *g)
{
    suspect c[16];
    size_t n = 0;
    /* the three roots, two shared groups and three sites retaining most */
    uint32_t best[3] = { RT_NONE, RT_NONE, RT_NONE };
    for (uint32_t i = 0; i < m->nroot; i++) {
        uint64_t b = r->bytes[m->nobj + i];
        for (int k = 0; k < 3; k++)
            if (best[k] == RT_NONE || b > r->bytes[m->nobj + best[k]]) {
                memmove(best + k + 1, best + k, (size_t)(2 - k) * sizeof *best);
                best[k] = i;
                break;
            }
    }
    for (int k = 0; k < 3; k++)
        if (best[k] != RT_NONE && r->bytes[m->nobj + best[k]])
            c[n++] = (suspect){ 0, best[k], r->bytes[m->nobj + best[k]],
                                largest_under(m, r, cs, ch, m->nobj + best[k]) };
    for (uint32_t g = 0; g < s->ngroup && g < 2; g++) {
        uint32_t top = RT_NONE;
        for (uint32_t k = 0; k < s->ntop; k++)
            if (s->top_group[k] == g && (top == RT_NONE || r->bytes[s->top_node[k]] > r->bytes[top]))
                top = s->top_node[k];
        if (top != RT_NONE)
            c[n++] = (suspect){ 1, g, s->groups[g].bytes, top };
    }
    for (uint32_t k = 0; k < S->nrows && k < 3; k++) {
        const rt_site_row *row = &S->rows[k];
        if (row->site == RT_NONE || !row->retained_bytes)
            continue;
        uint32_t obj = RT_NONE;
        for (uint32_t i = 0; i < m->nobj; i++)
            if (model_obj_site(m, i) == row->site && r->tree.idom[i] != RT_NONE &&
                (obj == RT_NONE || r->bytes[i] > r->bytes[obj]))
                obj = i;
        if (obj != RT_NONE)
            c[n++] = (suspect){ 2, k, row->retained_bytes, obj };
    }
    qsort(c, n, sizeof *c, cmp_suspect);
    json_key(w, "suspects");
    json_arr_begin(w);
    for (size_t i = 0; i < n && i < 6; i++) {
        /* a site suspect's allocating function: its name and its growth's key */
        const char *fn = c[i].kind == 2 ? strpool_get(m->strings, sites_row_function(m, &S->rows[c[i].id])) : NULL;
        json_obj_begin(w);
        json_key(w, "kind");
        json_str(w, c[i].kind == 0 ? "root" : c[i].kind == 1 ? "shared" : "site");
        json_key(w, "retained_bytes");
        json_u64(w, c[i].bytes);
        json_key(w, "share");
        json_f64(w, r->heap_bytes ? (double)c[i].bytes / (double)r->heap_bytes : 0);
        json_key(w, "name");
        if (c[i].kind == 0) {
            char buf[512];
            json_str(w, retained_label(m, r, m->nobj + c[i].id, buf, sizeof buf));
        } else if (c[i].kind == 1) {
            char buf[64];
            snprintf(buf, sizeof buf, "%u roots together", s->groups[c[i].id].nroot);
            json_str(w, buf);
            json_key(w, "roots");
            json_arr_begin(w);
            for (uint32_t k = 0; k < s->groups[c[i].id].nroot && k < 8; k++)
                json_root(w, m, s->roots[s->groups[c[i].id].root_start + k]);
            json_arr_end(w);
        } else {
            json_str(w, fn);
        }
        if (g)
            json_suspect_growth(w, m, g, c[i].kind, fn, c[i].id);
        if (c[i].obj != RT_NONE)
            json_path(w, m, c[i].obj);
        json_obj_end(w);
    }
    json_arr_end(w);
}

static void json_tree(json_w *w, const rt_model *m, const rt_retained *r, const uint32_t *cs, const uint32_t *ch)
{
    /* breadth first from the super-root, nodes retaining at least 0.05 %
     * of the heap, at most TREE_MAX_NODES: [parent, label, retained,
     * shallow, children left out] */
    rt_domcut cut;
    domcut_bfs(r, cs, ch, r->super, r->heap_bytes / 2000, TREE_MAX_NODES, &cut);
    json_key(w, "tree");
    json_arr_begin(w);
    char lb[512];
    for (uint32_t k = 0; k < cut.n; k++) {
        const rt_cut_node *cn = &cut.nodes[k];
        uint32_t v = cn->node;
        json_arr_begin(w);
        if (cn->parent == UINT32_MAX)
            json_i64(w, -1);
        else
            json_u64(w, cn->parent);
        json_str(w, v == r->super ? "all roots" : report_export_label(m, r, v, lb, sizeof lb));
        json_u64(w, r->bytes[v]);
        json_u64(w, v < m->nobj ? m->objects[v].size : 0);
        json_u64(w, cn->hidden);
        json_arr_end(w);
    }
    json_arr_end(w);
    domcut_free(&cut);
}

int report_build(rt_model *m, const rt_retained *r, const rt_shared *s, const rt_report_growth *g, FILE *f)
{
    json_w w;
    json_init(&w, f);
    json_obj_begin(&w);
    json_key(&w, "inputs");
    json_obj_begin(&w);
    json_key(&w, "path");
    json_str(&w, m->input_path);
    json_key(&w, "executable");
    json_str_or_null(&w, m->exe_path);
    json_key(&w, "go_version");
    json_str_or_null(&w, m->go_version);
    json_obj_end(&w);

    uint64_t bytes = 0, reach_objs = 0, reach_bytes = 0;
    for (uint32_t i = 0; i < m->nobj; i++) {
        bytes += m->objects[i].size;
        if (r->tree.idom[i] != RT_NONE) {
            reach_objs++;
            reach_bytes += m->objects[i].size;
        }
    }
    json_key(&w, "overview");
    json_obj_begin(&w);
    json_key(&w, "objects");
    json_u64(&w, m->nobj);
    json_key(&w, "bytes");
    json_u64(&w, bytes);
    json_key(&w, "reachable_objects");
    json_u64(&w, reach_objs);
    json_key(&w, "reachable_bytes");
    json_u64(&w, reach_bytes);
    json_key(&w, "roots");
    json_u64(&w, m->nroot);
    json_key(&w, "goroutines");
    json_u64(&w, m->ngoroutine);
    json_model_warnings(&w, m);
    json_obj_end(&w);

    rt_children kids;
    retained_children(m, r, 1, &kids);
    const uint32_t *cs = kids.start, *ch = kids.child;
    rt_sites S;
    sites_compute(m, r, s, RT_SITES_BY_FUNCTION, 0, 3, &S);
    json_suspects(&w, m, r, s, &S, cs, ch, g);
    if (g)
        json_growth(&w, g);

    rt_agg agg;
    aggregate_retained(m, RT_BY_TYPE, r, &agg);
    json_key(&w, "types");
    json_arr_begin(&w);
    for (uint32_t i = 0; i < agg.nrows && i < TABLE_ROWS; i++) {
        json_obj_begin(&w);
        json_key(&w, "name");
        json_str(&w, agg.rows[i].key ? strpool_get(m->strings, agg.rows[i].key) : "(unknown type)");
        json_key(&w, "count");
        json_u64(&w, agg.rows[i].count);
        json_key(&w, "bytes");
        json_u64(&w, agg.rows[i].bytes);
        json_key(&w, "retained_bytes");
        json_u64(&w, agg.rows[i].retained_bytes);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    aggregate_free(&agg);

    json_key(&w, "sites");
    json_arr_begin(&w);
    for (uint32_t i = 0; i < S.nrows && i < TABLE_ROWS; i++) {
        const rt_site_row *row = &S.rows[i];
        json_obj_begin(&w);
        json_key(&w, "function");
        json_str_or_null(&w, strpool_get(m->strings, sites_row_function(m, row)));
        json_key(&w, "count");
        json_u64(&w, row->objects);
        json_key(&w, "bytes");
        json_u64(&w, row->bytes);
        json_key(&w, "retained_bytes");
        json_u64(&w, row->retained_bytes);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    sites_free(&S);

    rt_goroutines G;
    goroutines_compute(m, r, s, 1, &G);
    json_key(&w, "goroutines");
    json_arr_begin(&w);
    for (uint32_t i = 0; i < G.nrows && i < TABLE_ROWS; i++) {
        const rt_goroutine *g = &m->goroutines[G.rows[i].g];
        uint32_t uf = g->nframes ? goroutine_user_frame(m, g) : 0;
        json_obj_begin(&w);
        json_key(&w, "count");
        json_u64(&w, G.rows[i].count);
        json_key(&w, "status");
        json_str(&w, goroutine_status_name(g->status));
        json_key(&w, "wait_reason");
        json_str_or_null(&w, strpool_get(m->strings, g->wait_reason));
        json_key(&w, "function");
        json_str_or_null(&w, g->nframes ? strpool_get(m->strings, m->frames[g->frame_start + uf].function)
                                        : strpool_get(m->strings, g->user_function));
        json_key(&w, "retained_bytes");
        json_u64(&w, G.rows[i].retained_bytes);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    goroutines_free(&G);

    json_tree(&w, m, r, cs, ch);
    retained_children_free(&kids);
    json_obj_end(&w);
    json_done(&w);
    return ferror(f) ? -1 : 0;
}
