/* cmd_dominators.c — `retain dominators`: the dominator tree, as an
 * indented tree from the super-root or from one object. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "analysis/retained.h"
#include "cli/cli.h"
#include "report/labels.h"
#include "util/alloc.h"
#include "util/hash.h"

static const char usage[] =
    "usage: retain dominators [--depth D] [--min-bytes B] [--json] [ADDRESS|NAME] INPUT...\n"
    "\n"
    "Print the dominator tree: each node retains everything below it (freeing it\n"
    "frees its subtree).  From the super-root (all roots), from the object\n"
    "containing ADDRESS, or from the root NAME (main.sessionCache).  Each line: retained size, shallow size, what the node is.\n"
    "Chains of single-child nodes (linked lists) are collapsed into one line that\n"
    "says how many hops it hides.\n"
    "\n"
    "  --depth D       levels to show (default 6)\n"
    "  --min-bytes B   hide subtrees retaining fewer bytes (4096, 64KiB, 1MiB;\n"
    "                  default: 0.1% of what the starting node retains, as for\n"
    "                  'retain export --format dot')\n"
    "  --json          print JSON (nested \"children\")\n"
    "  -h, --help      this text\n";

typedef struct dom_opts {
    uint64_t depth, min_bytes;
    int have_min;
} dom_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    dom_opts *o = st;
    if (c == 'd' && cli_parse_u64(arg, &o->depth) == 0 && o->depth < 100000)
        return 0;
    if (c == 'm' && cli_parse_size(arg, &o->min_bytes) == 0) {
        o->have_min = 1;
        return 0;
    }
    return cli_usage_error(ctx->cmd, "%s takes a number, not '%s'", c == 'd' ? "--depth" : "--min-bytes", arg);
}

typedef struct tree_view {
    const rt_model *m;
    const rt_retained *r;
    const uint32_t *cs, *ch; /* children CSR */
    uint64_t min_bytes;
} tree_view;

/* children of v that pass the size cut */
static uint32_t kids(const tree_view *t, uint32_t v, uint32_t *first)
{
    uint32_t b = t->cs[v], e = t->cs[v + 1], n = 0;
    *first = b;
    for (uint32_t i = b; i < e; i++) {
        if (t->r->bytes[t->ch[i]] < t->min_bytes)
            break; /* sorted by retained bytes, descending */
        n++;
    }
    return n;
}

/* Follow single-child links from v: the last node of the chain and how
 * many hops were skipped.  Only objects of one kind of label chain up. */
static uint32_t chain_end(const tree_view *t, uint32_t v, uint32_t *hops)
{
    uint32_t n = 0;
    while (v < t->m->nobj && t->cs[v + 1] - t->cs[v] == 1) {
        uint32_t c = t->ch[t->cs[v]];
        if (c >= t->m->nobj || t->r->bytes[c] < t->min_bytes)
            break;
        v = c;
        n++;
    }
    *hops = n;
    return v;
}

/* One displayed node: head of a chain (or the node itself), where the
 * chain ends, how many hops lie between, and where its children start. */
typedef struct shown {
    uint32_t head, end, hops, depth;
    uint32_t next, last;   /* children of end still to visit; hidden ones follow */
    uint32_t hidden;       /* children cut by size or depth */
    uint64_t hidden_bytes;
} shown;

/* Hidden children with one label (type, else allocating function). */
#define HIDDEN_GROUPS 3
typedef struct hidden_group {
    const char *label;
    uint32_t count;
    uint64_t bytes;   /* retained, together */
    uint64_t size;    /* shallow size of each, 0 if they differ */
} hidden_group;

/* What a node that is not an object is, in the plural. */
static const char *node_kind(const rt_model *m, const rt_retained *r, uint32_t v)
{
    static const char *const kinds[RT_ROOT_KIND_COUNT] = {
        "global variables", "stack variables", "finalizers", "cleanups", "other roots", "runtime roots",
    };
    if (v < r->group0) {
        uint8_t k = m->roots[v - m->nobj].kind;
        return k < RT_ROOT_KIND_COUNT ? kinds[k] : "roots";
    }
    return v < r->super && r->groups[v - r->group0].kind == RT_GROUP_GOROUTINE ? "goroutines" : "groups";
}

/* One hidden child into the groups by label: labels are interned, so
 * a table keyed by the label's pointer gathers them in one pass (a node
 * can hide millions of children: the super-root, a big map). */
typedef struct label_groups {
    hidden_group *g;  /* open addressing on the label pointer */
    uint32_t cap, n;  /* cap a power of two, at most half full */
} label_groups;

static void groups_add(label_groups *lg, const hidden_group *x)
{
    if (2 * (lg->n + 1) > lg->cap) {
        label_groups big = { rt_calloc(lg->cap * 2, sizeof *big.g), lg->cap * 2, 0 };
        for (uint32_t i = 0; i < lg->cap; i++)
            if (lg->g[i].label)
                groups_add(&big, &lg->g[i]);
        free(lg->g);
        *lg = big;
    }
    uint32_t i = (uint32_t)rt_hash64((uintptr_t)x->label) & (lg->cap - 1);
    while (lg->g[i].label && lg->g[i].label != x->label)
        i = (i + 1) & (lg->cap - 1);
    hidden_group *g = &lg->g[i];
    if (!g->label) {
        *g = *x;
        lg->n++;
        return;
    }
    g->count += x->count;
    g->bytes += x->bytes;
    if (g->size != x->size)
        g->size = 0;
}

/* Larger retained bytes first; equal ones by label, so that the order
 * never depends on where the strings happen to lie in memory. */
static int group_before(const hidden_group *a, const hidden_group *b)
{
    return a->bytes != b->bytes ? a->bytes > b->bytes : strcmp(a->label, b->label) < 0;
}

/* The children ch[from, to) grouped by label, the largest groups (by
 * retained bytes) in out; returns how many. */
static uint32_t hidden_groups(const tree_view *t, uint32_t from, uint32_t to, hidden_group *out)
{
    const rt_model *m = t->m;
    if (from >= to)
        return 0;
    label_groups lg = { rt_calloc(16, sizeof *lg.g), 16, 0 };
    for (uint32_t i = from; i < to; i++) {
        uint32_t c = t->ch[i];
        hidden_group x = { c < m->nobj ? report_obj_label(m, c) : node_kind(m, t->r, c), 1, t->r->bytes[c],
                           c < m->nobj ? m->objects[c].size : 0 };
        groups_add(&lg, &x);
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < lg.cap; i++) { /* insertion into the few largest */
        const hidden_group *g = &lg.g[i];
        if (!g->label)
            continue;
        uint32_t j = k < HIDDEN_GROUPS ? k++ : HIDDEN_GROUPS;
        while (j > 0 && group_before(g, &out[j - 1])) {
            if (j < HIDDEN_GROUPS)
                out[j] = out[j - 1];
            j--;
        }
        if (j < HIDDEN_GROUPS)
            out[j] = *g;
    }
    free(lg.g);
    return k;
}

static void node_fields(json_w *w, const tree_view *t, uint32_t v)
{
    char lb[512];
    const rt_model *m = t->m;
    json_key(w, "address");
    if (v < m->nobj)
        json_addr(w, m->objects[v].base);
    else
        json_null(w);
    json_key(w, "size");
    json_u64(w, v < m->nobj ? m->objects[v].size : 0);
    json_key(w, "label");
    json_str(w, report_node_label(m, t->r, v, lb, sizeof lb));
    json_key(w, "type");
    json_str_or_null(w, v < m->nobj ? strpool_get(m->strings, model_obj_type_name(m, v)) : NULL);
    json_key(w, "retained_bytes");
    json_u64(w, t->r->bytes[v]);
    json_key(w, "retained_objects");
    json_u64(w, t->r->objects[v]);
}

static void text_line(const tree_view *t, uint32_t v, uint32_t depth, uint32_t hops)
{
    char b1[32], b2[32], lb[512];
    const rt_model *m = t->m;
    if (hops)
        printf("%10s %10s  %*s... %u single-child hops collapsed ...\n", "", "", (int)(depth * 2), "", hops);
    printf("%10s %10s  %*s", cli_bytes(t->r->bytes[v], b1, sizeof b1),
           cli_bytes(v < m->nobj ? m->objects[v].size : 0, b2, sizeof b2), (int)(depth * 2), "");
    if (v < m->nobj)
        printf("0x%" PRIx64 " ", m->objects[v].base);
    printf("%s\n", report_node_label(m, t->r, v, lb, sizeof lb));
}

static shown open_node(const tree_view *t, uint32_t v, uint32_t depth, uint32_t max_depth, json_w *w)
{
    shown s = { v, v, 0, depth, 0, 0, 0, 0 };
    uint32_t hops;
    uint32_t end = chain_end(t, v, &hops);
    if (hops >= 3) { /* shorter chains read better in full */
        s.end = end;
        s.hops = hops - 1;
    }
    uint32_t first, nk = kids(t, s.end, &first);
    uint32_t all = t->cs[s.end + 1] - t->cs[s.end];
    if (depth >= max_depth)
        nk = 0;
    s.next = first;
    s.last = first + nk;
    s.hidden = all - nk;
    for (uint32_t i = first + nk; i < t->cs[s.end + 1]; i++)
        s.hidden_bytes += t->r->bytes[t->ch[i]];
    if (w) {
        json_obj_begin(w);
        node_fields(w, t, v);
        if (s.end != v) {
            json_key(w, "chain");
            json_obj_begin(w);
            json_key(w, "hops");
            json_u64(w, s.hops);
            json_key(w, "end");
            json_obj_begin(w);
            node_fields(w, t, s.end);
            json_obj_end(w);
            json_obj_end(w);
        }
        json_key(w, "hidden_children");
        json_u64(w, s.hidden);
        json_key(w, "hidden_bytes");
        json_u64(w, s.hidden_bytes);
        json_key(w, "children");
        json_arr_begin(w);
    } else {
        text_line(t, v, depth, 0);
        if (s.end != v)
            text_line(t, s.end, depth, s.hops);
    }
    return s;
}

static void close_node(const tree_view *t, const shown *s, json_w *w)
{
    char b[32], b2[32];
    hidden_group g[HIDDEN_GROUPS];
    uint32_t ng = s->hidden ? hidden_groups(t, s->last, s->last + s->hidden, g) : 0;
    if (w) {
        json_arr_end(w);
        json_key(w, "hidden_groups");
        json_arr_begin(w);
        for (uint32_t i = 0; i < ng; i++) {
            json_obj_begin(w);
            json_key(w, "label");
            json_str(w, g[i].label);
            json_key(w, "count");
            json_u64(w, g[i].count);
            json_key(w, "retained_bytes");
            json_u64(w, g[i].bytes);
            json_key(w, "size_each");
            json_u64_or_null(w, g[i].size != 0, g[i].size);
            json_obj_end(w);
        }
        json_arr_end(w);
        json_obj_end(w);
        return;
    }
    if (!s->hidden || !s->hidden_bytes)
        return;
    uint32_t left = s->hidden;
    uint64_t left_bytes = s->hidden_bytes;
    for (uint32_t i = 0; i < ng; i++) {
        printf("%10s %10s  %*s%u × %s", cli_bytes(g[i].bytes, b, sizeof b), "", (int)((s->depth + 1) * 2), "",
               g[i].count, g[i].label);
        if (g[i].size)
            printf(", %s each", cli_bytes(g[i].size, b2, sizeof b2));
        printf(" (not shown)\n");
        left -= g[i].count;
        left_bytes -= g[i].bytes;
    }
    if (left)
        printf("%10s %10s  %*s(%u %schild%s not shown)\n", cli_bytes(left_bytes, b, sizeof b), "",
           (int)((s->depth + 1) * 2), "", left, left < s->hidden ? "more " : "", left == 1 ? "" : "ren");
}

/* Iterative pre-order walk: lists can be a million nodes deep. */
static void walk(const tree_view *t, uint32_t start, uint32_t max_depth, json_w *w)
{
    shown *st = NULL;
    size_t n = 0, cap = 0;
    RT_GROW(st, cap, 1);
    st[n++] = open_node(t, start, 0, max_depth, w);
    while (n) {
        shown *f = &st[n - 1];
        if (f->next == f->last) {
            close_node(t, f, w);
            n--;
            continue;
        }
        uint32_t c = t->ch[f->next++], d = f->depth + 1;
        RT_GROW(st, cap, n + 1);
        st[n] = open_node(t, c, d, max_depth, w);
        n++;
    }
    free(st);
}

int cmd_dominators(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "dominators" };
    dom_opts o = { 6, 0, 0 };
    static const struct option extra[] = {
        { "depth", required_argument, NULL, 'd' }, { "min-bytes", required_argument, NULL, 'm' }, { 0, 0, 0, 0 }
    };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    uint64_t addr = 0;
    int have_addr = cli_take_address(&ctx, &addr);
    if (have_addr < 0)
        return EXIT_USAGE;
    const char *name = have_addr ? NULL : cli_take_name(&ctx);
    ctx.want_reverse = 1; /* the dominator tree needs it: made beside the typing */
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    rt_retained r;
    uint32_t start = RT_NONE, root = RT_NONE;
    if ((have_addr && (start = cli_find_object(&ctx, addr)) == RT_NONE && (rc = EXIT_ANALYSIS)) ||
        (name && (root = cli_find_root(&ctx, name)) == RT_NONE && (rc = EXIT_ANALYSIS)) ||
        (rc = cli_retained(&ctx, &r, 0)) != 0) {
        cli_done(&ctx);
        return rc;
    }
    if (!have_addr)
        start = name ? m->nobj + root : r.super; /* a global by name: its root node */
    tree_view t = { m, &r, NULL, NULL, o.have_min ? o.min_bytes : cli_default_min_bytes(r.bytes[start]) };
    rt_children kids_of;
    retained_children(m, &r, 1, &kids_of);
    t.cs = kids_of.start;
    t.ch = kids_of.child;
    if (ctx.json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        cli_json_inputs(&w, m);
        json_key(&w, "heap_bytes");
        json_u64(&w, r.heap_bytes);
        json_key(&w, "min_bytes");
        json_u64(&w, t.min_bytes);
        json_key(&w, "reachable");
        json_bool(&w, r.tree.idom[start] != RT_NONE);
        json_key(&w, "tree");
        walk(&t, start, (uint32_t)o.depth, &w);
        json_obj_end(&w);
        json_done(&w);
    } else {
        char b[32];
        cli_print_partial_text(m, stdout);
        if (r.tree.idom[start] == RT_NONE)
            printf("(the object is not reachable from any root; it retains nothing)\n");
        if (t.min_bytes)
            printf("%10s %10s  (subtrees under %s hidden; --min-bytes changes the cut)\n", "retained",
                   "shallow", cli_bytes(t.min_bytes, b, sizeof b));
        else
            printf("%10s %10s\n", "retained", "shallow");
        walk(&t, start, (uint32_t)o.depth, NULL);
    }
    retained_children_free(&kids_of);
    retained_free(&r);
    cli_done(&ctx);
    return EXIT_OK;
}
