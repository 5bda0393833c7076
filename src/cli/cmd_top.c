/* cmd_top.c — `retain top`: where the bytes are, by type or by the
 * function that allocated them. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "analysis/aggregate.h"
#include "cli/cli.h"
#include "report/labels.h"
#include "util/alloc.h"
#include "util/topk.h"

static const char usage[] =
    "usage: retain top [--by type|site] [--retained] [-n N] [--json] INPUT...\n"
    "\n"
    "Histogram of allocated objects: count, bytes, share of all bytes and the\n"
    "reachable part, grouped by type or by allocation site (the allocating\n"
    "function, as pprof shows it).  The default groups by type when most bytes\n"
    "have a known type, else by site (heap dumps record few types).  A heap\n"
    "profile alone gives its own in-use figures by allocating function.\n"
    "\n"
    "  --by type|site  grouping\n"
    "  --retained      rank by retained size (dominator tree): alone, the objects\n"
    "                  retaining most; with --by, each group's retained bytes,\n"
    "                  counting every object once per group.  Columns: retained\n"
    "                  bytes, their share of the heap, retained objects, shallow\n"
    "                  bytes.  Retained sets nest (an object's include those of\n"
    "                  the objects it dominates, a group's those of other groups'\n"
    "                  objects below its own), so the shares overlap and can add\n"
    "                  up to more than 100%.\n"
    "  -n N            rows to show (default 20; 0 = all)\n"
    "  --json          print JSON\n"
    "  -h, --help      this text\n";

typedef struct top_opts {
    int by; /* -1 = auto */
    int retained;
    uint64_t n;
} top_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    top_opts *o = st;
    if (c == 'b') {
        if (strcmp(arg, "type") == 0)
            o->by = RT_BY_TYPE;
        else if (strcmp(arg, "site") == 0)
            o->by = RT_BY_SITE;
        else
            return cli_usage_error(ctx->cmd, "--by takes 'type' or 'site', not '%s'", arg);
        return 0;
    }
    if (c == 'r') {
        o->retained = 1;
        return 0;
    }
    if (c == 'n') {
        if (cli_parse_u64(arg, &o->n) != 0)
            return cli_usage_error(ctx->cmd, "-n takes a count, not '%s'", arg);
        return 0;
    }
    return cli_usage_error(ctx->cmd, "unknown option");
}

static int cmp_obj_retained(const void *a, const void *b, void *ctx)
{
    const rt_retained *r = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (r->bytes[x] != r->bytes[y])
        return r->bytes[x] > r->bytes[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* top --retained: objects by retained size, or groups by retained bytes */
static int top_retained(cli_ctx *ctx, const top_opts *o)
{
    rt_model *m = ctx->m;
    rt_retained r;
    int rc = cli_retained(ctx, &r, 0);
    if (rc)
        return rc;
    char b1[32], b2[32], b3[32];
    json_w w;
    uint32_t nrows = 0, shown = 0;
    if (ctx->json) {
        json_init(&w, stdout);
        json_obj_begin(&w);
        json_key(&w, "by");
        json_str(&w, o->by < 0 ? "object" : o->by == RT_BY_TYPE ? "type" : "site");
        json_key(&w, "retained");
        json_bool(&w, 1);
        cli_json_inputs(&w, m);
        json_key(&w, "heap_bytes");
        json_u64(&w, r.heap_bytes);
        json_key(&w, "rows");
        json_arr_begin(&w);
    } else {
        cli_print_partial_text(m, stdout);
        /* the same columns for objects and groups: what the row retains,
         * its share of the heap, then its own (shallow) bytes */
        printf("%12s %7s %10s %12s  %s%s\n", "retained", "share", "objects", "shallow",
               o->by < 0 ? "address             " : "",
               o->by < 0 ? "type or allocating function" : o->by == RT_BY_TYPE ? "type" : "allocating function");
    }
    if (o->by < 0) {
        /* the n objects retaining most: a partial selection would do, but
         * sorting the reachable ids is simple and fast enough */
        uint32_t *ids = rt_malloc(((size_t)m->nobj + 1) * sizeof *ids), n = 0;
        for (uint32_t i = 0; i < m->nobj; i++)
            if (r.tree.idom[i] != RT_NONE)
                ids[n++] = i;
        nrows = n;
        shown = o->n == 0 || o->n > n ? n : (uint32_t)o->n;
        rt_top_k(ids, n, shown, cmp_obj_retained, &r); /* the rows shown only */
        for (uint32_t i = 0; i < shown; i++) {
            uint32_t v = ids[i];
            if (ctx->json) {
                json_obj_begin(&w);
                json_key(&w, "address");
                json_addr(&w, m->objects[v].base);
                json_key(&w, "size");
                json_u64(&w, m->objects[v].size);
                json_key(&w, "type");
                json_str_or_null(&w, strpool_get(m->strings, model_obj_type_name(m, v)));
                json_key(&w, "site");
                uint32_t site = model_obj_site(m, v);
                json_str_or_null(&w, site == RT_NONE ? NULL : strpool_get(m->strings, model_site_function(m, site)));
                json_key(&w, "retained_bytes");
                json_u64(&w, r.bytes[v]);
                json_key(&w, "retained_objects");
                json_u64(&w, r.objects[v]);
                json_key(&w, "share");
                json_f64(&w, r.heap_bytes ? (double)r.bytes[v] / (double)r.heap_bytes : 0.0);
                json_obj_end(&w);
            } else {
                printf("%12s %6.2f%% %10u %12s  0x%-16" PRIx64 "  %s\n", cli_bytes(r.bytes[v], b1, sizeof b1),
                       r.heap_bytes ? 100.0 * (double)r.bytes[v] / (double)r.heap_bytes : 0.0, r.objects[v],
                       cli_bytes(m->objects[v].size, b2, sizeof b2), m->objects[v].base, cli_obj_label(m, v));
            }
        }
        free(ids);
    } else {
        rt_agg agg;
        aggregate_retained(m, (rt_group_by)o->by, &r, &agg);
        nrows = agg.nrows;
        shown = o->n == 0 || o->n > agg.nrows ? agg.nrows : (uint32_t)o->n;
        const char *unknown = report_unknown_group(m, o->by == RT_BY_TYPE);
        for (uint32_t i = 0; i < shown; i++) {
            const rt_agg_row *row = &agg.rows[i];
            const char *name = row->key ? strpool_get(m->strings, row->key) : unknown;
            if (ctx->json) {
                json_obj_begin(&w);
                json_key(&w, "name");
                json_str(&w, name);
                json_key(&w, "known");
                json_bool(&w, row->key != 0);
                json_key(&w, "count");
                json_u64(&w, row->count);
                json_key(&w, "bytes");
                json_u64(&w, row->bytes);
                json_key(&w, "retained_bytes");
                json_u64(&w, row->retained_bytes);
                json_key(&w, "retained_objects");
                json_u64(&w, row->retained_objects);
                json_key(&w, "share");
                json_f64(&w, r.heap_bytes ? (double)row->retained_bytes / (double)r.heap_bytes : 0.0);
                json_obj_end(&w);
            } else {
                printf("%12s %6.2f%% %10" PRIu64 " %12s  %s\n", cli_bytes(row->retained_bytes, b1, sizeof b1),
                       r.heap_bytes ? 100.0 * (double)row->retained_bytes / (double)r.heap_bytes : 0.0,
                       row->retained_objects, cli_bytes(row->bytes, b2, sizeof b2), name);
            }
        }
        aggregate_free(&agg);
    }
    if (ctx->json) {
        json_arr_end(&w);
        json_key(&w, "total_rows");
        json_u64(&w, nrows);
        json_obj_end(&w);
        json_done(&w);
    } else {
        if (shown < nrows)
            printf("... %u more %s (use -n 0 for all)\n", nrows - shown, o->by < 0 ? "objects" : "groups");
        /* like top's footer: the whole heap in the count and bytes columns */
        printf("%12s %7s %10u %12s  total\n", cli_bytes(r.heap_bytes, b3, sizeof b3), "", m->nobj,
               cli_bytes(r.heap_bytes, b1, sizeof b1));
        /* retained sets nest (a session map retains its sessions), so the
         * shares of nested rows overlap; say so rather than let the column
         * look like a partition of the heap */
        printf("(retained sets nest: a row's retained bytes include those of the %s below it in the dominator "
               "tree, so shares can add up to more than 100%%)\n", o->by < 0 ? "objects" : "other groups");
    }
    retained_free(&r);
    return EXIT_OK;
}

int cmd_top(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "top", .profile_alone_ok = 1 };
    top_opts o = { -1, 0, 20 };
    static const struct option extra[] = {
        { "by", required_argument, NULL, 'b' }, { "n", required_argument, NULL, 'n' },
        { "retained", no_argument, NULL, 'r' }, { 0, 0, 0, 0 }
    };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    ctx.want_reverse = o.retained; /* the dominator tree needs it: made beside the typing */
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    int alone = m->input_kind == RT_INPUT_PROFILE;
    if (alone && (o.retained || o.by == RT_BY_TYPE)) {
        cli_done(&ctx);
        return cli_usage_error(ctx.cmd, "a heap profile alone has %s: use --by site, or give the core or "
                                        "heap dump too", o.retained ? "no retention" : "no types");
    }
    if (o.retained) {
        rc = top_retained(&ctx, &o);
        cli_done(&ctx);
        return rc;
    }
    if (o.by < 0)
        o.by = alone ? RT_BY_SITE : m->nsite == 0 || aggregate_typed_share(m) >= 0.5 ? RT_BY_TYPE : RT_BY_SITE;
    rt_reach reach;
    rt_agg agg;
    reach_compute(m, &reach);
    if (alone)
        aggregate_profile(m, &agg);
    else
        aggregate(m, (rt_group_by)o.by, &reach, &agg);
    uint32_t shown = o.n == 0 || o.n > agg.nrows ? agg.nrows : (uint32_t)o.n;
    const char *unknown = report_unknown_group(m, o.by == RT_BY_TYPE);

    if (ctx.json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        json_key(&w, "by");
        json_str(&w, o.by == RT_BY_TYPE ? "type" : "site");
        cli_json_inputs(&w, m);
        json_key(&w, "total_objects");
        json_u64(&w, agg.total_count);
        json_key(&w, "total_bytes");
        json_u64(&w, agg.total_bytes);
        json_key(&w, "total_rows"); /* rows before the -n cut */
        json_u64(&w, agg.nrows);
        json_key(&w, "rows");
        json_arr_begin(&w);
        for (uint32_t i = 0; i < shown; i++) {
            const rt_agg_row *r = &agg.rows[i];
            json_obj_begin(&w);
            json_key(&w, "name");
            json_str(&w, r->key ? strpool_get(m->strings, r->key) : unknown);
            json_key(&w, "known");
            json_bool(&w, r->key != 0);
            json_key(&w, "count");
            json_u64(&w, r->count);
            json_key(&w, "bytes");
            json_u64(&w, r->bytes);
            json_key(&w, "share");
            json_f64(&w, agg.total_bytes ? (double)r->bytes / (double)agg.total_bytes : 0.0);
            json_key(&w, "reachable_count");
            json_u64(&w, r->reachable_count);
            json_key(&w, "reachable_bytes");
            json_u64(&w, r->reachable_bytes);
            json_obj_end(&w);
        }
        json_arr_end(&w);
        json_obj_end(&w);
        json_done(&w);
    } else {
        char b1[32], b2[32];
        cli_print_partial_text(m, stdout);
        if (alone)
            printf("heap profile %s alone: its in-use figures, no heap (nothing reachable known)\n",
                   m->profile_path);
        printf("%12s %12s %7s %12s  %s\n", "count", "bytes", "share", "reachable",
               o.by == RT_BY_TYPE ? "type" : "allocating function");
        for (uint32_t i = 0; i < shown; i++) {
            const rt_agg_row *r = &agg.rows[i];
            printf("%12" PRIu64 " %12s %6.2f%% %12s  %s\n", r->count, cli_bytes(r->bytes, b1, sizeof b1),
                   agg.total_bytes ? 100.0 * (double)r->bytes / (double)agg.total_bytes : 0.0,
                   cli_bytes(r->reachable_bytes, b2, sizeof b2),
                   r->key ? strpool_get(m->strings, r->key) : unknown);
        }
        if (shown < agg.nrows)
            printf("... %u more groups (use -n 0 for all)\n", agg.nrows - shown);
        printf("%12" PRIu64 " %12s  total\n", agg.total_count, cli_bytes(agg.total_bytes, b1, sizeof b1));
    }
    aggregate_free(&agg);
    reach_free(&reach);
    cli_done(&ctx);
    return EXIT_OK;
}
