/* cmd_roots.c — `retain roots`: which variables or goroutines keep the
 * most memory alive (retained size from the dominator tree). */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "analysis/retained.h"
#include "analysis/shared.h"
#include "cli/cli.h"
#include "util/alloc.h"

static const char usage[] =
    "usage: retain roots [-n N] [--by variable|goroutine] [--json] INPUT...\n"
    "\n"
    "Rank roots by the memory they retain: the bytes that would be freed if the\n"
    "root went away (dominator tree over all roots).  --by variable ranks single\n"
    "variables (globals, stack frames, finalizers); --by goroutine ranks whole\n"
    "goroutines, so a buffer held by two variables of one goroutine counts for it.\n"
    "Beside it, the bytes reachable from the root: what it retains plus what it\n"
    "holds together with other roots (`retain shared` says with which).  The\n"
    "summary line shows what each group (globals, goroutines, ...) retains.\n"
    "\n"
    "  --by variable|goroutine  what to rank (default variable)\n"
    "  -n N                     rows to show (default 20; 0 = all)\n"
    "  --json                   print JSON\n"
    "  -h, --help               this text\n";

typedef struct roots_opts {
    int by_goroutine;
    uint64_t n;
} roots_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    roots_opts *o = st;
    if (c == 'b') {
        if (strcmp(arg, "variable") == 0)
            o->by_goroutine = 0;
        else if (strcmp(arg, "goroutine") == 0)
            o->by_goroutine = 1;
        else
            return cli_usage_error(ctx->cmd, "--by takes 'variable' or 'goroutine', not '%s'", arg);
        return 0;
    }
    if (c == 'n' && cli_parse_u64(arg, &o->n) == 0)
        return 0;
    return cli_usage_error(ctx->cmd, "-n takes a count, not '%s'", arg);
}

static int cmp_node(const void *a, const void *b, void *ctx)
{
    const rt_retained *r = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (r->bytes[x] != r->bytes[y])
        return r->bytes[x] > r->bytes[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* What node v (a root or a group) reaches: bytes, objects. */
static void reachable(const rt_model *m, const rt_retained *r, const rt_shared *s, uint32_t v,
                      uint64_t *bytes, uint64_t *objects)
{
    if (v < r->group0 && s->reachable_bytes) {
        *bytes = s->reachable_bytes[v - m->nobj];
        *objects = s->reachable_objects[v - m->nobj];
    } else if (v >= r->group0 && s->group_reachable_bytes) {
        *bytes = s->group_reachable_bytes[v - r->group0];
        *objects = s->group_reachable_objects[v - r->group0];
    } else {
        *bytes = r->bytes[v];
        *objects = r->objects[v];
    }
}

static void json_node(json_w *w, const rt_model *m, const rt_retained *r, const rt_shared *s, uint32_t v)
{
    json_obj_begin(w);
    if (v < r->group0) {
        const rt_root *rt = &m->roots[v - m->nobj];
        json_key(w, "kind");
        json_str(w, rt_root_kind_name(rt->kind));
        json_key(w, "name");
        json_str_or_null(w, strpool_get(m->strings, rt->name));
        json_key(w, "function");
        json_str_or_null(w, strpool_get(m->strings, rt->function));
        json_key(w, "goroutine");
        if (rt->goroutine == RT_NO_GOROUTINE)
            json_null(w);
        else
            json_u64(w, rt->goroutine);
        json_key(w, "variable");
        json_str_or_null(w, strpool_get(m->strings, rt->variable));
        json_key(w, "address");
        json_addr(w, rt->address);
        if (rt->conservative) {
            json_key(w, "conservative");
            json_bool(w, 1);
        }
    } else {
        const rt_group *g = &r->groups[v - r->group0];
        json_key(w, "kind");
        json_str(w, "stack");
        json_key(w, "name");
        json_null(w);
        json_key(w, "function");
        json_str_or_null(w, strpool_get(m->strings, g->function));
        json_key(w, "goroutine");
        json_u64(w, g->goroutine);
        json_key(w, "variable");
        json_null(w);
        json_key(w, "address");
        json_null(w);
    }
    json_key(w, "retained_bytes");
    json_u64(w, r->bytes[v]);
    json_key(w, "retained_objects");
    json_u64(w, r->objects[v]);
    json_key(w, "share");
    json_f64(w, r->heap_bytes ? (double)r->bytes[v] / (double)r->heap_bytes : 0.0);
    uint64_t rb, ro;
    reachable(m, r, s, v, &rb, &ro);
    json_key(w, "reachable_bytes");
    json_u64(w, rb);
    json_key(w, "reachable_objects");
    json_u64(w, ro);
    json_obj_end(w);
}

int cmd_roots(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "roots" };
    roots_opts o = { 0, 20 };
    static const struct option extra[] = {
        { "by", required_argument, NULL, 'b' }, { "n", required_argument, NULL, 'n' }, { 0, 0, 0, 0 }
    };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    ctx.want_reverse = 1; /* the dominator tree needs it: made beside the typing */
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    rt_retained r;
    if ((rc = cli_retained(&ctx, &r, RETAINED_KEEP_REVERSE)) != 0) {
        cli_done(&ctx);
        return rc;
    }
    rt_shared s;
    shared_compute(m, &r, o.by_goroutine ? SHARED_GROUPS : 0, &s);
    /* candidates: root variables, or goroutine group nodes */
    uint32_t *nodes = rt_malloc(((size_t)m->nroot + r.ngroup + 1) * sizeof *nodes);
    uint32_t nn = 0;
    if (o.by_goroutine) {
        for (uint32_t g = 0; g < r.ngroup; g++)
            if (r.groups[g].kind == RT_GROUP_GOROUTINE)
                nodes[nn++] = r.group0 + g;
    } else {
        for (uint32_t i = 0; i < m->nroot; i++)
            nodes[nn++] = m->nobj + i;
    }
    qsort_r(nodes, nn, sizeof *nodes, cmp_node, &r);
    uint32_t shown = o.n == 0 || o.n > nn ? nn : (uint32_t)o.n;

    if (ctx.json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        json_key(&w, "by");
        json_str(&w, o.by_goroutine ? "goroutine" : "variable");
        cli_json_inputs(&w, m);
        json_key(&w, "heap_bytes");
        json_u64(&w, r.heap_bytes);
        json_key(&w, "reachable_bytes");
        json_u64(&w, r.bytes[r.super]);
        json_key(&w, "shared_bytes");
        json_u64(&w, s.shared_bytes);
        json_key(&w, "shared_objects");
        json_u64(&w, s.shared_objects);
        if (s.capped) {
            json_key(&w, "reachable_capped");
            json_bool(&w, 1);
        }
        json_key(&w, "groups");
        json_arr_begin(&w);
        for (uint32_t g = 0; g < r.ngroup; g++) {
            char lb[256];
            json_obj_begin(&w);
            json_key(&w, "group");
            json_str(&w, retained_label(m, &r, r.group0 + g, lb, sizeof lb));
            json_key(&w, "retained_bytes");
            json_u64(&w, r.bytes[r.group0 + g]);
            json_key(&w, "retained_objects");
            json_u64(&w, r.objects[r.group0 + g]);
            json_obj_end(&w);
        }
        json_arr_end(&w);
        json_key(&w, "roots");
        json_arr_begin(&w);
        for (uint32_t i = 0; i < shown; i++)
            json_node(&w, m, &r, &s, nodes[i]);
        json_arr_end(&w);
        json_obj_end(&w);
        json_done(&w);
    } else {
        char b1[32], b2[32], lb[512];
        cli_print_partial_text(m, stdout);
        printf("heap %s, reachable %s; retained by group:", cli_bytes(r.heap_bytes, b1, sizeof b1),
               cli_bytes(r.bytes[r.super], b2, sizeof b2));
        uint64_t gor = 0;
        for (uint32_t g = 0; g < r.ngroup; g++) {
            if (r.groups[g].kind == RT_GROUP_GOROUTINE) {
                gor += r.bytes[r.group0 + g];
                continue;
            }
            printf(" %s %s", retained_label(m, &r, r.group0 + g, lb, sizeof lb),
                   cli_bytes(r.bytes[r.group0 + g], b1, sizeof b1));
        }
        printf(" goroutines %s\n", cli_bytes(gor, b1, sizeof b1));
        printf("held by several roots together: %s in %" PRIu64 " objects (retain shared: by which)%s\n\n",
               cli_bytes(s.shared_bytes, b1, sizeof b1), s.shared_objects,
               s.capped ? "; reachable figures are lower bounds (root sets outgrew their budget)" : "");
        printf("%12s %7s %10s %12s  %s\n", "retained", "share", "objects", "reachable",
               o.by_goroutine ? "goroutine" : "root");
        for (uint32_t i = 0; i < shown; i++) {
            uint32_t v = nodes[i];
            int cons = v < r.group0 && m->roots[v - m->nobj].conservative;
            uint64_t rb, ro;
            reachable(m, &r, &s, v, &rb, &ro);
            printf("%12s %6.2f%% %10u %12s  %s%s\n", cli_bytes(r.bytes[v], b1, sizeof b1),
                   r.heap_bytes ? 100.0 * (double)r.bytes[v] / (double)r.heap_bytes : 0.0, r.objects[v],
                   cli_bytes(rb, b2, sizeof b2), retained_label(m, &r, v, lb, sizeof lb),
                   cons ? " (conservative)" : "");
        }
        if (shown < nn)
            printf("... %u more %s (use -n 0 for all)\n", nn - shown, o.by_goroutine ? "goroutines" : "roots");
    }
    free(nodes);
    shared_free(&s);
    retained_free(&r);
    cli_done(&ctx);
    return EXIT_OK;
}
