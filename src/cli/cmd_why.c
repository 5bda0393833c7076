/* cmd_why.c — `retain why ADDRESS`: which root keeps this object alive,
 * along which path, and who allocated it. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "analysis/path_tree.h"
#include "analysis/paths.h"
#include "analysis/retained.h"
#include "cli/cli.h"
#include "report/json_model.h"
#include "report/labels.h"
#include "util/alloc.h"

static const char usage[] =
    "usage: retain why [--all N] [--json] ADDRESS|NAME INPUT...   (it may stand anywhere)\n"
    "\n"
    "Show the shortest path from a root to the object containing ADDRESS (hex;\n"
    "interior pointers are fine) or to the object the global NAME points at\n"
    "(main.sessionCache), root first, one hop per line, and the\n"
    "object's allocation stack when it was sampled.  Ties between equally short\n"
    "paths go to the root kind global, stack, finalizer, cleanup, other, runtime,\n"
    "then to the root name, then to the lower address.\n"
    "\n"
    "  --all N     the shortest path from each of up to N different roots\n"
    "  --type T    instead of one object, every object of type T (main.Session):\n"
    "              their shortest paths merged by the roots and fields they pass,\n"
    "              largest first (as MAT's paths to GC roots of a class)\n"
    "  -n N        paths shown with --type (default 10; 0 = all)\n"
    "  --json      print JSON\n"
    "  -h, --help  this text\n"
    "\n"
    "Exit status: 0 found (reachable or not), 1 no object at ADDRESS or bad input,\n"
    "2 usage error.\n";

typedef struct why_opts {
    uint64_t all;
    const char *type; /* --type T */
    uint64_t n;       /* chains shown with --type */
} why_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    why_opts *o = st;
    if (c == 't') {
        o->type = arg;
        return 0;
    }
    if (c == 'n' && cli_parse_u64(arg, &o->n) == 0)
        return 0;
    if (c == 'a' && cli_parse_u64(arg, &o->all) == 0 && o->all > 0 && o->all < 1000000)
        return 0;
    return cli_usage_error(ctx->cmd, c == 'n' ? "-n takes a count, not '%s'"
                                              : "--all takes a count between 1 and 999999, not '%s'", arg);
}

/* ---- why --type T: the shortest paths of all objects of a type, merged ---- */

#define CHAIN_MAX_HOPS 16

typedef struct chain {
    char *key;            /* the labels, '\n'-separated: root first */
    uint64_t count, bytes;
} chain;

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const chain *)a)->key, ((const chain *)b)->key);
}

static int cmp_chain(const void *a, const void *b)
{
    const chain *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return strcmp(x->key, y->key);
}

static const char *root_label(const rt_model *m, uint32_t root, char *buf, size_t len)
{
    const rt_root *r = &m->roots[root];
    const char *name = strpool_get(m->strings, r->name), *fn = strpool_get(m->strings, r->function);
    const char *var = strpool_get(m->strings, r->variable);
    if (r->kind == RT_ROOT_STACK)
        snprintf(buf, len, "stack %s %s", *fn ? fn : "?", *var ? var : *name ? name : "(frame)");
    else
        snprintf(buf, len, "%s %s", rt_root_kind_name(r->kind), *name ? name : "(unnamed)");
    return buf;
}

static int why_type(cli_ctx *ctx, const why_opts *o)
{
    rt_model *m = ctx->m;
    rt_path_tree t;
    path_tree_compute(m, &t);
    chain *ch = NULL;
    size_t nch = 0, cap = 0;
    uint64_t objects = 0, bytes = 0, unreachable = 0;
    /* chains by key: sorted insertion would be slow; collect then merge */
    char lb[700], key[8192];
    for (uint32_t i = 0; i < m->nobj; i++) {
        if (strcmp(strpool_get(m->strings, model_obj_type_name(m, i)), o->type) != 0)
            continue;
        objects++;
        bytes += m->objects[i].size;
        if (t.parent[i] == RT_NONE) {
            unreachable++;
            continue;
        }
        /* walk up to the root, labels collected leaf first */
        const char *labels[CHAIN_MAX_HOPS + 2];
        char store[CHAIN_MAX_HOPS + 2][200];
        size_t nl = 0;
        uint32_t v = i, skipped = 0;
        while (t.parent[v] < m->nobj) {
            uint32_t p = t.parent[v];
            if (nl < CHAIN_MAX_HOPS) {
                snprintf(store[nl], sizeof store[nl], "%s", report_hop_label(m, p, t.poff[v], lb, sizeof lb));
                labels[nl] = store[nl];
                nl++;
            } else {
                skipped++;
            }
            v = p;
        }
        root_label(m, t.parent[v] - m->nobj, store[nl], sizeof store[nl]);
        size_t k = (size_t)snprintf(key, sizeof key, "%s", store[nl]);
        if (skipped && k < sizeof key)
            k += (size_t)snprintf(key + k, sizeof key - k, "\n… %u hops …", skipped);
        for (size_t j = nl; j-- > 0 && k < sizeof key;)
            k += (size_t)snprintf(key + k, sizeof key - k, "\n%s", labels[j]);
        RT_GROW(ch, cap, nch + 1);
        ch[nch++] = (chain){ rt_strdup(key), 1, m->objects[i].size };
    }
    path_tree_free(&t);
    /* merge equal chains */
    qsort(ch, nch, sizeof *ch, cmp_key);
    size_t w = 0;
    for (size_t i = 0; i < nch; i++) {
        if (w && strcmp(ch[w - 1].key, ch[i].key) == 0) {
            ch[w - 1].count += ch[i].count;
            ch[w - 1].bytes += ch[i].bytes;
            free(ch[i].key);
        } else {
            ch[w++] = ch[i];
        }
    }
    nch = w;
    qsort(ch, nch, sizeof *ch, cmp_chain);
    size_t shown = o->n && o->n < nch ? (size_t)o->n : nch;
    char b1[32];
    if (ctx->json) {
        json_w jw;
        json_init(&jw, stdout);
        json_obj_begin(&jw);
        cli_json_inputs(&jw, m);
        json_key(&jw, "type");
        json_str(&jw, o->type);
        json_key(&jw, "count");
        json_u64(&jw, objects);
        json_key(&jw, "bytes");
        json_u64(&jw, bytes);
        json_key(&jw, "unreachable_count");
        json_u64(&jw, unreachable);
        json_key(&jw, "chains");
        json_arr_begin(&jw);
        for (size_t i = 0; i < shown; i++) {
            json_obj_begin(&jw);
            json_key(&jw, "count");
            json_u64(&jw, ch[i].count);
            json_key(&jw, "bytes");
            json_u64(&jw, ch[i].bytes);
            json_key(&jw, "hops");
            json_arr_begin(&jw);
            for (char *s = ch[i].key, *e; s; s = e ? e + 1 : NULL) {
                e = strchr(s, '\n');
                json_strn(&jw, s, e ? (size_t)(e - s) : strlen(s));
            }
            json_arr_end(&jw);
            json_obj_end(&jw);
        }
        json_arr_end(&jw);
        json_key(&jw, "total_rows");
        json_u64(&jw, nch);
        json_obj_end(&jw);
        json_done(&jw);
    } else {
        cli_print_partial_text(m, stdout);
        printf("%" PRIu64 " objects of type %s (%s), %" PRIu64 " unreachable; their shortest paths, merged:\n",
               objects, o->type, cli_bytes(bytes, b1, sizeof b1), unreachable);
        for (size_t i = 0; i < shown; i++) {
            printf("\n%10s in %" PRIu64 " object%s\n", cli_bytes(ch[i].bytes, b1, sizeof b1), ch[i].count,
                   ch[i].count == 1 ? "" : "s");
            int depth = 0;
            for (char *s = ch[i].key, *e; s; s = e ? e + 1 : NULL, depth++) {
                e = strchr(s, '\n');
                printf("  %*s%.*s\n", 2 * depth, "", e ? (int)(e - s) : (int)strlen(s), s);
            }
        }
        if (shown < nch)
            printf("\n... %zu more paths (-n 0 for all)\n", nch - shown);
        if (!objects)
            printf("(no object has this type: 'retain top --by type' lists the types)\n");
    }
    for (size_t i = 0; i < nch; i++)
        free(ch[i].key);
    free(ch);
    return EXIT_OK;
}

static void json_frame_fields(json_w *w, const rt_model *m, const rt_frame *f)
{
    json_key(w, "function");
    json_str(w, strpool_get(m->strings, f->function));
    json_key(w, "file");
    json_str(w, strpool_get(m->strings, f->file));
    json_key(w, "line");
    json_u64(w, f->line);
}

static void json_alloc(json_w *w, const rt_model *m, uint32_t site)
{
    if (site == RT_NONE) {
        json_null(w);
        return;
    }
    const rt_site *s = &m->sites[site];
    json_obj_begin(w);
    if (s->nframes)
        json_frame_fields(w, m, &m->frames[s->frame_start + s->alloc_frame]);
    else {
        json_key(w, "function");
        json_null(w);
    }
    json_key(w, "stack");
    json_arr_begin(w);
    for (uint32_t i = 0; i < s->nframes; i++) {
        json_obj_begin(w);
        json_frame_fields(w, m, &m->frames[s->frame_start + i]);
        json_obj_end(w);
    }
    json_arr_end(w);
    json_obj_end(w);
}

static void json_hop_object(json_w *w, const rt_model *m, uint32_t obj)
{
    json_model_object_fields(w, m, obj, "address");
}

/* The node holding the pointer that leads to hop h: the root, or the
 * hop before. */
static uint32_t hop_source(const rt_model *m, const rt_path *path, uint32_t h)
{
    return h ? path->hops[h - 1] : m->nobj + path->root;
}

/* How hop h is reached: the field path of its pointer inside the node
 * before, else the pointer's offset there. */
static void hop_text(const rt_model *m, const rt_path *path, uint32_t h, char *buf, size_t n)
{
    if (path->offs[h] == RT_OFF_NONE)
        snprintf(buf, n, "(closure)");
    else if (!model_edge_field(m, hop_source(m, path, h), path->offs[h], buf, n) || !buf[0])
        snprintf(buf, n, "+0x%x", path->offs[h]);
}

/* How many of the object's dominators, nearest first, are objects (the
 * chain's entries 1..n): freeing any of them frees the object.  The one
 * after them (*top) is the root, group or super-root that holds them. */
static uint32_t object_dominators(const rt_model *m, const rt_domchain *c, uint32_t *top)
{
    uint32_t n = 0;
    while (1 + n < c->n && c->node[1 + n] < m->nobj)
        n++;
    *top = 1 + n < c->n ? c->node[1 + n] : RT_NONE;
    return n;
}

static void print_json(const rt_model *m, uint64_t addr, uint32_t target, const rt_paths *p,
                       const rt_retained *r, const rt_domchain *c)
{
    const rt_object *o = &m->objects[target];
    json_w w;
    json_init(&w, stdout);
    json_obj_begin(&w);
    json_key(&w, "object");
    json_obj_begin(&w);
    json_key(&w, "address");
    json_addr(&w, addr);
    json_key(&w, "base");
    json_addr(&w, o->base);
    json_key(&w, "size");
    json_u64(&w, o->size);
    json_key(&w, "type");
    json_str_or_null(&w, strpool_get(m->strings, model_obj_type_name(m, target)));
    json_key(&w, "alloc");
    json_alloc(&w, m, model_obj_site(m, target));
    json_key(&w, "retained_bytes");
    json_u64(&w, c->n ? c->bytes[0] : 0);
    json_key(&w, "retained_objects");
    json_u64(&w, c->n ? c->count[0] : 0);
    json_obj_end(&w);
    uint32_t top, nd = object_dominators(m, c, &top);
    json_key(&w, "dominators");
    json_arr_begin(&w);
    for (uint32_t i = 1; i <= nd; i++) {
        json_obj_begin(&w);
        json_hop_object(&w, m, c->node[i]);
        json_key(&w, "retained_bytes");
        json_u64(&w, c->bytes[i]);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    if (top != RT_NONE) {
        char lb[512];
        json_key(&w, "dominated_by");
        json_str(&w, retained_label(m, r, top, lb, sizeof lb));
    }
    json_key(&w, "reachable");
    if (!p->npaths && m->roots_lost[0])
        json_null(&w); /* no root read reaches it; a lost one may */
    else
        json_bool(&w, p->npaths > 0);
    if (!p->npaths) {
        json_key(&w, "unreachable_referrers");
        json_u64(&w, p->unreachable_referrers);
    }
    cli_json_inputs(&w, m);
    json_key(&w, "paths");
    json_arr_begin(&w);
    for (uint32_t i = 0; i < p->npaths; i++) {
        const rt_path *path = &p->paths[i];
        json_obj_begin(&w);
        json_key(&w, "root");
        cli_json_root(&w, m, path->root);
        json_key(&w, "hops");
        json_arr_begin(&w);
        for (uint32_t h = 0; h < path->nhops; h++) {
            json_obj_begin(&w);
            json_hop_object(&w, m, path->hops[h]);
            json_key(&w, "offset");
            if (path->offs[h] == RT_OFF_NONE)
                json_null(&w);
            else
                json_u64(&w, path->offs[h]);
            char fb[256];
            json_key(&w, "field");
            json_str_or_null(&w, model_edge_field(m, hop_source(m, path, h), path->offs[h], fb, sizeof fb));
            json_obj_end(&w);
        }
        json_arr_end(&w);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_obj_end(&w);
    json_done(&w);
}

static void print_text(const rt_model *m, uint64_t addr, uint32_t target, const rt_paths *p,
                       const rt_retained *r, const rt_domchain *c)
{
    const rt_object *o = &m->objects[target];
    char b[32], desc[600];
    cli_print_partial_text(m, stdout);
    printf("object 0x%" PRIx64 " (%s)", o->base, cli_obj_desc(m, target, desc, sizeof desc));
    if (addr != o->base)
        printf(", containing 0x%" PRIx64 " at +0x%" PRIx64, addr, addr - o->base);
    uint64_t rb = c->n ? c->bytes[0] : 0;
    uint32_t ro = c->n ? c->count[0] : 0;
    printf("\nretains %s in %u object%s\n", cli_bytes(rb, b, sizeof b), ro, ro == 1 ? "" : "s");
    uint32_t site = model_obj_site(m, target);
    if (site != RT_NONE) {
        const rt_site *s = &m->sites[site];
        printf("allocated by %s\n", strpool_get(m->strings, model_site_function(m, site)));
        for (uint32_t i = 0; i < s->nframes; i++) {
            const rt_frame *f = &m->frames[s->frame_start + i];
            printf("    %s\n        %s:%u\n", strpool_get(m->strings, f->function),
                   strpool_get(m->strings, f->file), f->line);
        }
    } else {
        printf("%s\n", m->input_kind == RT_INPUT_CORE && m->nsite == 0
                           ? "allocation stack: none were read from this core"
                           : "allocation stack not sampled");
    }
    if (!p->npaths && m->roots_lost[0]) {
        printf("reachability unknown: none of the roots read reaches this object, and the input "
               "lost roots (%s)\n", m->roots_lost);
        return;
    }
    if (!p->npaths) {
        printf("unreachable: no root reaches this object");
        if (p->unreachable_referrers)
            printf("; %u unreachable object%s point%s to it (garbage not yet collected)",
                   p->unreachable_referrers, p->unreachable_referrers == 1 ? "" : "s",
                   p->unreachable_referrers == 1 ? "s" : "");
        else
            printf(" and nothing points to it (garbage not yet collected)");
        printf("\n");
        return;
    }
    char lb[512];
    uint32_t top, nd = object_dominators(m, c, &top);
    printf("\nkept alive only through (dominators, nearest first; freeing one frees the object):\n");
    for (uint32_t i = 1; i <= nd && i <= 20; i++) {
        uint32_t d = c->node[i];
        printf("  0x%" PRIx64 "  %10s  retains %10s  %s\n", m->objects[d].base,
               cli_bytes(m->objects[d].size, b, sizeof b), cli_bytes(c->bytes[i], lb, sizeof lb),
               cli_obj_label(m, d));
    }
    if (nd > 20)
        printf("  ... %u more\n", nd - 20);
    if (top != RT_NONE)
        printf("  %s\n", retained_label(m, r, top, lb, sizeof lb));
    for (uint32_t i = 0; i < p->npaths; i++) {
        const rt_path *path = &p->paths[i];
        printf("\npath %u of %u, %u hop%s, from ", i + 1, p->npaths, path->nhops, path->nhops == 1 ? "" : "s");
        cli_text_root(stdout, m, path->root);
        printf("\n");
        int width = 10;
        for (int pass = 0; pass < 2; pass++)
            for (uint32_t h = 0; h < path->nhops; h++) {
                const rt_object *ho = &m->objects[path->hops[h]];
                char off[256];
                hop_text(m, path, h, off, sizeof off);
                if (pass == 0) {
                    int len = (int)strlen(off);
                    width = len > width && len <= 48 ? len : width;
                    continue;
                }
                printf("  %-*s -> 0x%" PRIx64 "  %10s  %s\n", width, off, ho->base,
                       cli_bytes(ho->size, b, sizeof b), cli_obj_label(m, path->hops[h]));
            }
    }
}

int cmd_why(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "why" };
    why_opts o = { 0, NULL, 10 };
    static const struct option extra[] = { { "all", required_argument, NULL, 'a' },
                                           { "type", required_argument, NULL, 't' },
                                           { "n", required_argument, NULL, 'n' }, { 0, 0, 0, 0 } };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    uint64_t all = o.all;
    if (o.type) {
        if ((rc = cli_load(&ctx)) != 0)
            return rc;
        rc = why_type(&ctx, &o);
        cli_done(&ctx);
        return rc;
    }
    uint64_t addr = 0;
    int have_addr = cli_take_address(&ctx, &addr);
    if (have_addr < 0)
        return EXIT_USAGE;
    const char *name = have_addr ? NULL : cli_take_name(&ctx);
    for (int i = 0; !have_addr && !name && i < ctx.ninputs; i++)
        if (access(ctx.inputs[i], F_OK) != 0)
            return cli_usage_error(ctx.cmd, "'%s' is neither a hex address nor a file", ctx.inputs[i]);
    if (!have_addr && !name)
        return cli_usage_error(ctx.cmd, "missing ADDRESS: give the hex address of an object, e.g. "
                                        "retain why 0xc000123450 DUMP, or a global's name");
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    uint32_t target = RT_NONE;
    if (name) {
        /* a global by name: the object it points at */
        uint32_t root = cli_find_root(&ctx, name);
        target = root == RT_NONE ? RT_NONE : cli_root_object(m, root);
        if (root != RT_NONE && target == RT_NONE)
            fprintf(stderr, "retain why: %s points at no object\n", name);
        if (target != RT_NONE)
            addr = m->objects[target].base;
    } else {
        target = cli_find_object(&ctx, addr);
    }
    if (target == RT_NONE) {
        cli_done(&ctx);
        return EXIT_ANALYSIS;
    }
    rt_paths paths;
    rt_retained r;
    rt_domchain chain;
    rt_error err;
    rt_error_clear(&err);
    /* the first path is where the object's dominators lie: one search
     * along it answers for them, instead of the whole dominator tree */
    paths_find(m, target, all ? (uint32_t)all : 1, &paths);
    model_release_offsets(m); /* the paths hold what they need of them */
    if (retained_chain(m, target, paths.npaths ? &paths.paths[0] : NULL, &r, &chain, &err) != 0) {
        paths_free(&paths);
        cli_done(&ctx);
        return cli_report_error(ctx.cmd, &err);
    }
    if (ctx.json)
        print_json(m, addr, target, &paths, &r, &chain);
    else
        print_text(m, addr, target, &paths, &r, &chain);
    paths_free(&paths);
    domchain_free(&chain);
    retained_free(&r);
    cli_done(&ctx);
    return EXIT_OK;
}
