/* cmd_diff.c — `retain diff OLD... -- NEW...`: what grew between two
 * snapshots, by type, allocation site or root.  Each side is loaded,
 * summarised (analysis/diff.c) and freed before the next, so a diff of two
 * big cores holds one heap at a time. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "analysis/diff.h"
#include "analysis/reach.h"
#include "cli/cli.h"
#include "report/json_diff.h"

static const char usage[] =
    "usage: retain diff [--by type|site|root] [-n N] [--retained] [--json] OLD... -- NEW...\n"
    "\n"
    "What grew between two snapshots: each side is a core or a heap dump (with\n"
    "its executable), or a heap profile.  Groups are joined by name, never by\n"
    "address: types; allocation sites by their whole stack (with a heap\n"
    "profile on either side, sites count pprof's estimates); roots by kind and\n"
    "name, a goroutine's by its function, frame and variable.  Largest growth\n"
    "first; new and vanished groups are marked.\n"
    "\n"
    "  --by type|site|root  grouping (default: type; site when a side is a\n"
    "                  heap profile)\n"
    "  -n N            rows to show (default 20; 0 = all)\n"
    "  --retained      by type: also what each type retains (builds each side's\n"
    "                  dominator tree: slower; otherwise null in JSON)\n"
    "  --json          print JSON\n"
    "  -h, --help      this text\n";

typedef struct diff_opts {
    int by; /* -1: default */
    uint64_t n;
    int retained;
} diff_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    diff_opts *o = st;
    if (c == 'b') {
        if (strcmp(arg, "type") == 0)
            o->by = RT_DIFF_BY_TYPE;
        else if (strcmp(arg, "site") == 0)
            o->by = RT_DIFF_BY_SITE;
        else if (strcmp(arg, "root") == 0)
            o->by = RT_DIFF_BY_ROOT;
        else
            return cli_usage_error(ctx->cmd, "--by takes 'type', 'site' or 'root', not '%s'", arg);
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

/* Load one snapshot and summarise it by each of by[0..nby) (-1: type, or
 * site for a heap profile alone; resolved in place).  Types need no
 * dominator tree unless their retained bytes are asked for (retained);
 * sites and roots do.  The model is freed before returning, so two sides
 * never share memory. */
int cli_summarise(cli_ctx *ctx, char **inputs, int n, int *by, int nby, int retained, rt_groups *out)
{
    ctx->inputs = inputs;
    ctx->ninputs = n;
    /* the dominator tree, when it will be made, needs the reverse graph:
     * made beside the typing (by < 0 on a heap is by type) */
    ctx->want_reverse = retained;
    for (int k = 0; k < nby; k++)
        ctx->want_reverse |= by[k] >= 0 && by[k] != RT_DIFF_BY_TYPE;
    int rc = cli_load(ctx);
    if (rc)
        return rc;
    rt_model *m = ctx->m;
    int heap = m->input_kind != RT_INPUT_PROFILE, sites = 0, tree = retained;
    for (int k = 0; k < nby; k++) {
        if (by[k] < 0)
            by[k] = heap ? RT_DIFF_BY_TYPE : RT_DIFF_BY_SITE;
        sites |= by[k] == RT_DIFF_BY_SITE;
        tree |= by[k] != RT_DIFF_BY_TYPE;
    }
    tree &= heap;
    rt_retained r;
    rt_shared s;
    rt_reach reach;
    memset(&s, 0, sizeof s);
    memset(&reach, 0, sizeof reach);
    if (tree) {
        if ((rc = cli_retained(ctx, &r, RETAINED_KEEP_REVERSE)) != 0) {
            cli_done(ctx);
            return rc;
        }
        shared_compute(m, &r, sites ? SHARED_LISTS | SHARED_TOPS : 0, &s);
    } else if (heap) {
        reach_compute(m, &reach);
    }
    for (int k = 0; k < nby; k++)
        diff_groups(m, tree ? &r : NULL, tree ? &s : NULL, heap && !tree ? &reach : NULL, (rt_diff_by)by[k],
                    &out[k]);
    shared_free(&s);
    if (tree)
        retained_free(&r);
    if (reach.bits)
        reach_free(&reach);
    cli_done(ctx);
    return 0;
}

static void print_json(const rt_groups *old, const rt_groups *new, const rt_diff *d, const diff_opts *o)
{
    static const char *const by[] = { "type", "site", "root" };
    size_t shown = o->n && o->n < d->n ? (size_t)o->n : d->n;
    json_w w;
    json_init(&w, stdout);
    json_obj_begin(&w);
    json_key(&w, "inputs");
    json_obj_begin(&w);
    json_key(&w, "old");
    json_str(&w, old->input);
    json_key(&w, "new");
    json_str(&w, new->input);
    json_obj_end(&w);
    json_key(&w, "by");
    json_str(&w, by[o->by]);
    json_key(&w, "groups");
    json_arr_begin(&w);
    for (size_t i = 0; i < shown; i++)
        json_diff_row(&w, &d->rows[i], old, new);
    json_arr_end(&w);
    json_key(&w, "total_rows");
    json_u64(&w, d->n);
    json_obj_end(&w);
    json_done(&w);
}

static const char *signed_bytes(int64_t v, char *buf, size_t len)
{
    char b[24];
    cli_bytes((uint64_t)(v < 0 ? -v : v), b, sizeof b);
    snprintf(buf, len, "%s%s", v < 0 ? "-" : v > 0 ? "+" : "", b);
    return buf;
}

static void print_text(const rt_groups *old, const rt_groups *new, const rt_diff *d, const diff_opts *o)
{
    static const char *const by[] = { "type", "allocation site", "root" };
    char b1[32], b2[32], b3[32];
    size_t shown = o->n && o->n < d->n ? (size_t)o->n : d->n;
    printf("old %s\nnew %s\n\n", old->input, new->input);
    printf("%11s %10s %10s %10s %6s  %s\n", "delta", "old", "new", "delta n", "", by[o->by]);
    for (size_t i = 0; i < shown; i++) {
        const rt_diff_row *row = &d->rows[i];
        const rt_group_sum *any = row->new ? row->new : row->old;
        printf("%11s %10s %10s %+10" PRId64 " %6s  %s\n", signed_bytes(row->dbytes, b1, sizeof b1),
               row->old ? cli_bytes(row->old->bytes, b2, sizeof b2) : "-",
               row->new ? cli_bytes(row->new->bytes, b3, sizeof b3) : "-", row->dcount,
               row->status == RT_NEW ? "new" : row->status == RT_GONE ? "gone" : "", any->label);
    }
    if (shown < d->n)
        printf("... %zu more groups (use -n 0 for all)\n", d->n - shown);
}

static int no_such_groups(const char *cmd, int by)
{
    return cli_usage_error(cmd, "a heap profile has no %s: use --by site", by == RT_DIFF_BY_TYPE ? "types" : "roots");
}

int cmd_diff(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "diff", .profile_alone_ok = 1 };
    diff_opts o = { -1, 20, 0 };
    static const struct option extra[] = {
        { "by", required_argument, NULL, 'b' }, { "n", required_argument, NULL, 'n' },
        { "retained", no_argument, NULL, 'r' }, { 0, 0, 0, 0 }
    };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    if (ctx.dashdash <= 0 || ctx.dashdash >= ctx.ninputs)
        return cli_usage_error(ctx.cmd, "give both snapshots: OLD... -- NEW...");
    if (ctx.profile)
        return cli_usage_error(ctx.cmd, "--profile is ambiguous with two snapshots: name each side's profile "
                                        "among its inputs");
    char **inputs = ctx.inputs;
    int n = ctx.ninputs, split = ctx.dashdash;
    rt_groups old, new;
    if ((rc = cli_summarise(&ctx, inputs, split, &o.by, 1, o.retained, &old)) != 0)
        return rc;
    if (!old.heap && o.by != RT_DIFF_BY_SITE) {
        diff_groups_free(&old);
        return no_such_groups(ctx.cmd, o.by);
    }
    if ((rc = cli_summarise(&ctx, inputs + split, n - split, &o.by, 1, o.retained, &new)) != 0) {
        diff_groups_free(&old);
        return rc;
    }
    if (!new.heap && o.by != RT_DIFF_BY_SITE) {
        diff_groups_free(&old);
        diff_groups_free(&new);
        return no_such_groups(ctx.cmd, o.by);
    }
    rt_diff d;
    diff_join(&old, &new, &d);
    if (ctx.json)
        print_json(&old, &new, &d, &o);
    else
        print_text(&old, &new, &d, &o);
    diff_free(&d);
    diff_groups_free(&old);
    diff_groups_free(&new);
    return EXIT_OK;
}
