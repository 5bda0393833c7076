/* export_dominators.c — writing the dominator tree for pprof and Graphviz.
 *
 * pprof wants stacks; a dominator chain can be a million nodes deep (a
 * linked list), so stacks are interned in a trie (export_trie.c) as the
 * tree is walked top-down: a node's stack is its dominator's stack plus
 * its own label, unless the label repeats.  Samples are then summed per
 * trie node, which is what a flame graph shows anyway. */
#include "report/export_dominators.h"

#include <inttypes.h>
#include <string.h>

#include "analysis/domcut.h"
#include "report/export_trie.h"
#include "report/labels.h"
#include "report/pprof_write.h"
#include "util/alloc.h"
#include "util/hash.h"

int export_pprof_dominators(const rt_model *m, const rt_retained *r, FILE *f, const char *name,
                            export_stats *st, rt_error *err)
{
    pprof_builder *b = pprof_builder_new();
    export_sample_types(b);
    trie t;
    trie_init(&t);
    uint32_t *stack_of = rt_malloc((size_t)r->n * sizeof *stack_of);
    uint64_t *loc_of = rt_calloc(r->n, sizeof *loc_of);
    /* an object's label is its type's or its site's: formatted and
     * interned once per name, not once per object */
    uint32_t nstr = strpool_count(m->strings);
    uint64_t *by_type = rt_calloc((size_t)nstr + 1, sizeof *by_type);
    uint64_t *by_site = rt_calloc((size_t)nstr + 1, sizeof *by_site);
    uint64_t unknown = 0;
    char lb[512];
    /* pre-order: a dominator is placed before what it dominates */
    for (uint32_t i = 0; i < r->tree.nreach; i++) {
        uint32_t v = r->tree.order[i];
        if (v == r->super) {
            stack_of[v] = 0;
            continue;
        }
        uint32_t d = r->tree.idom[v];
        uint64_t *slot = NULL;
        if (v < m->nobj) {
            uint32_t tn = model_obj_type_name(m, v), site = tn ? RT_NONE : model_obj_site(m, v);
            uint32_t fn = site != RT_NONE ? model_site_function(m, site) : 0;
            slot = tn ? &by_type[tn] : fn ? &by_site[fn] : &unknown;
        }
        if (slot && *slot)
            loc_of[v] = *slot;
        else
            loc_of[v] = pprof_location(b, report_export_label(m, r, v, lb, sizeof lb), "", 0);
        if (slot)
            *slot = loc_of[v];
        if (d != r->super && loc_of[d] == loc_of[v])
            stack_of[v] = stack_of[d]; /* same label again: fold */
        else
            stack_of[v] = trie_child(&t, stack_of[d], loc_of[v]);
        if (v < m->nobj) {
            t.count[stack_of[v]]++;
            t.bytes[stack_of[v]] += m->objects[v].size;
        }
    }
    trie_samples(&t, b);
    st->samples = pprof_builder_nsamples(b);
    st->locations = pprof_builder_nlocations(b);
    int rc = pprof_write(b, f, name, err);
    free(stack_of);
    free(loc_of);
    free(by_type);
    free(by_site);
    trie_free(&t);
    pprof_builder_free(b);
    return rc;
}

static void dot_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '\n') {
            fputs("\\n", f); /* a line break inside the label */
            continue;
        }
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

static void fmt_bytes(uint64_t n, char *buf, size_t len)
{
    static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double v = (double)n;
    int i = 0;
    while (v >= 1024 && i < 4) {
        v /= 1024;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%" PRIu64 " B", n);
    else
        snprintf(buf, len, "%.1f %s", v, u[i]);
}

int export_dot_dominators(const rt_model *m, const rt_retained *r, uint32_t start, uint64_t min_bytes,
                          uint32_t max_nodes, FILE *f, export_stats *st, rt_error *err)
{
    (void)err;
    rt_children kids;
    retained_children(m, r, 1, &kids);
    rt_domcut cut;
    domcut_bfs(r, kids.start, kids.child, start, min_bytes, max_nodes, &cut);
    retained_children_free(&kids);
    char lb[512], b1[32], b2[32];
    memset(st, 0, sizeof *st);
    fmt_bytes(min_bytes, b1, sizeof b1);
    fprintf(f, "digraph dominators {\n  rankdir=LR;\n  labelloc=t;\n  label=\"dominator tree: subtrees retaining "
               "under %s hidden, at most %u nodes (--min-bytes, --max-nodes change the cut)\";\n"
               "  node [shape=box, fontname=\"monospace\", fontsize=10];\n",
            b1, max_nodes);
    for (uint32_t k = 0; k < cut.n; k++) {
        const rt_cut_node *cn = &cut.nodes[k];
        uint32_t v = cn->node;
        fmt_bytes(r->bytes[v], b1, sizeof b1);
        fmt_bytes(v < m->nobj ? m->objects[v].size : 0, b2, sizeof b2);
        char text[800];
        if (v < m->nobj)
            snprintf(text, sizeof text, "%s\n0x%" PRIx64 "\nretained %s, shallow %s",
                     report_export_label(m, r, v, lb, sizeof lb), m->objects[v].base, b1, b2);
        else
            snprintf(text, sizeof text, "%s\nretained %s", report_export_label(m, r, v, lb, sizeof lb), b1);
        fprintf(f, "  n%u [label=", v);
        dot_string(f, text);
        fprintf(f, "];\n");
        st->nodes++;
        for (uint32_t c = cn->first_child; c < cn->first_child + cn->nchild; c++) {
            fprintf(f, "  n%u -> n%u;\n", v, cut.nodes[c].node);
            st->edges++;
        }
        /* what the cut left out, as one node, the way `dominators` says
         * "(N more children not shown)" */
        if (cn->hidden && cn->hidden_bytes) {
            fmt_bytes(cn->hidden_bytes, b1, sizeof b1);
            snprintf(text, sizeof text, "(%u more child%s not shown)\nretained %s", cn->hidden,
                     cn->hidden == 1 ? "" : "ren", b1);
            fprintf(f, "  n%u_more [shape=plaintext, label=", v);
            dot_string(f, text);
            fprintf(f, "];\n  n%u -> n%u_more [style=dashed];\n", v, v);
            st->hidden_children += cn->hidden;
        }
    }
    fprintf(f, "}\n");
    domcut_free(&cut);
    return 0;
}
