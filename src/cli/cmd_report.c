/* cmd_report.c — `retain report -o FILE.html`: the whole analysis as one
 * static page (report/report.h), or its data with --json. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/retained.h"
#include "analysis/shared.h"
#include "cli/cli.h"
#include "io/output.h"
#include "report/report.h"

static const char usage[] =
    "usage: retain report -o FILE.html [--json] INPUT...\n"
    "       retain report -o FILE.html [--json] --diff OLD... -- NEW...\n"
    "\n"
    "One self-contained HTML page (no network, no external scripts) with the\n"
    "overview, the leak suspects — the roots, groups of roots and allocation\n"
    "sites that retain the most, each with its shortest path and allocation\n"
    "stack —, a collapsible dominator tree (nodes retaining at least 0.05% of\n"
    "the heap), tables by type and by site, and the goroutines grouped.\n"
    "With --diff, the page is NEW's, and each suspect and the growth tables\n"
    "(by type, site and root, largest growth first) say what grew since OLD\n"
    "(joined by name, as `retain diff` does; OLD may be a heap profile, which\n"
    "gives the sites' growth only).  The snapshots are read one at a time.\n"
    "\n"
    "  -o FILE    the page (never an input; replaced only once written whole);\n"
    "             '-' for standard output\n"
    "  --diff     two snapshots, OLD... -- NEW...\n"
    "  --json     print the page's data (one JSON document) instead\n"
    "  -h, --help this text\n";

typedef struct report_opts {
    const char *out;
    int diff;
} report_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    report_opts *o = st;
    if (c == 'o') {
        o->out = arg;
        return 0;
    }
    if (c == 'd') {
        o->diff = 1;
        return 0;
    }
    return cli_usage_error(ctx->cmd, "unknown option");
}

/* The report's data, into memory: the page wraps it (or --json prints it
 * as it is).  With old (three summaries of the older snapshot), the
 * growth since then. */
static int build(cli_ctx *ctx, rt_groups *old, const char *old_input, char **data, size_t *n)
{
    rt_model *m = ctx->m;
    rt_retained r;
    rt_error err;
    rt_error_clear(&err);
    /* the paths of the suspects need the edges and their offsets: no
     * early release here */
    if (retained_compute(m, &r, RETAINED_KEEP_REVERSE, &err) != 0)
        return cli_report_error(ctx->cmd, &err);
    rt_shared s;
    shared_compute(m, &r, SHARED_LISTS | SHARED_TOPS | SHARED_GROUPS, &s);
    rt_report_growth g;
    rt_groups new[3];
    if (old) {
        g.old_input = old_input;
        g.old_heap = old[0].heap;
        g.old = old;
        g.new = new;
        for (int k = 0; k < 3; k++) {
            diff_groups(m, &r, &s, NULL, (rt_diff_by)k, &new[k]);
            diff_join(&old[k], &new[k], &g.by[k]);
        }
    }
    FILE *mem = open_memstream(data, n);
    int rc = !mem || report_build(m, &r, &s, old ? &g : NULL, mem) != 0;
    if (mem && fclose(mem) != 0)
        rc = 1;
    for (int k = 0; old && k < 3; k++) {
        diff_free(&g.by[k]);
        diff_groups_free(&new[k]);
    }
    shared_free(&s);
    retained_free(&r);
    if (rc) {
        free(*data);
        *data = NULL;
        return cli_report_error(ctx->cmd, &(rt_error){ .code = RT_E_NOMEM, .msg = "cannot build the report" });
    }
    return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "report" };
    report_opts o = { 0 };
    static const struct option extra[] = {
        { "output", required_argument, NULL, 'o' }, { "diff", no_argument, NULL, 'd' }, { 0, 0, 0, 0 }
    };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    if (!o.out && !ctx.json)
        return cli_usage_error(ctx.cmd, "give -o FILE.html (or -o - for standard output, or --json)");
    if (o.diff && (ctx.dashdash <= 0 || ctx.dashdash >= ctx.ninputs))
        return cli_usage_error(ctx.cmd, "--diff takes both snapshots: OLD... -- NEW...");
    if (!o.diff && ctx.dashdash >= 0)
        return cli_usage_error(ctx.cmd, "'--' separates two snapshots: add --diff");
    if (o.diff && ctx.profile)
        return cli_usage_error(ctx.cmd, "--profile is ambiguous with two snapshots: name each side's profile "
                                        "among its inputs");
    rt_error err;
    rt_error_clear(&err);
    char **all = ctx.inputs;
    int nall = ctx.ninputs, split = o.diff ? ctx.dashdash : 0;
    int to_stdout = !o.out || strcmp(o.out, "-") == 0;
    if (!to_stdout && output_check_inputs(o.out, (const char *const *)all, (size_t)nall, &err) != 0)
        return cli_report_error(ctx.cmd, &err);
    rt_groups old[3];
    char *old_input = NULL;
    if (o.diff) {
        int by[3] = { RT_DIFF_BY_TYPE, RT_DIFF_BY_SITE, RT_DIFF_BY_ROOT };
        ctx.profile_alone_ok = 1; /* the old side may be a heap profile: sites only */
        rc = cli_summarise(&ctx, all, split, by, 3, 1, old);
        ctx.profile_alone_ok = 0;
        if (rc)
            return rc;
        old_input = old[0].input;
        ctx.inputs = all + split;
        ctx.ninputs = nall - split;
    }
    char *data = NULL;
    size_t n = 0;
    ctx.want_reverse = 1; /* the dominator tree needs it: made beside the typing */
    if ((rc = cli_load(&ctx)) == 0)
        rc = build(&ctx, o.diff ? old : NULL, old_input, &data, &n);
    for (int k = 0; o.diff && k < 3; k++)
        diff_groups_free(&old[k]);
    if (rc) {
        cli_done(&ctx);
        return rc;
    }
    if (ctx.json) {
        fwrite(data, 1, n, stdout);
    } else if (to_stdout) {
        report_html(data, n, stdout);
    } else {
        const char *inputs[66];
        size_t ni = 0;
        for (int i = 0; i < nall && ni < 64; i++)
            inputs[ni++] = all[i];
        inputs[ni++] = ctx.m->exe_path;
        rt_output out;
        if ((rc = output_open(&out, o.out, inputs, ni, &err)) == 0) {
            report_html(data, n, out.f);
            rc = output_commit(&out, &err);
        }
        if (rc)
            rc = cli_report_error(ctx.cmd, &err);
        else
            fprintf(stderr, "retain report: wrote %s\n", o.out);
    }
    free(data);
    cli_done(&ctx);
    return rc ? rc : EXIT_OK;
}
