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
    "\n"
    "One self-contained HTML page (no network, no external scripts) with the\n"
    "overview, the leak suspects — the roots, groups of roots and allocation\n"
    "sites that retain the most, each with its shortest path and allocation\n"
    "stack —, a collapsible dominator tree (nodes retaining at least 0.05% of\n"
    "the heap), tables by type and by site, and the goroutines grouped.\n"
    "\n"
    "  -o FILE    the page (never an input; replaced only once written whole);\n"
    "             '-' for standard output\n"
    "  --json     print the page's data (one JSON document) instead\n"
    "  -h, --help this text\n";

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    const char **out = st;
    if (c == 'o') {
        *out = arg;
        return 0;
    }
    return cli_usage_error(ctx->cmd, "unknown option");
}

int cmd_report(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "report" };
    const char *out_path = NULL;
    static const struct option extra[] = { { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 } };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &out_path);
    if (rc >= 0)
        return rc;
    if (!out_path && !ctx.json)
        return cli_usage_error(ctx.cmd, "give -o FILE.html (or -o - for standard output, or --json)");
    rt_error err;
    rt_error_clear(&err);
    int to_stdout = !out_path || strcmp(out_path, "-") == 0;
    if (!to_stdout && output_check_inputs(out_path, (const char *const *)ctx.inputs, (size_t)ctx.ninputs, &err) != 0)
        return cli_report_error(ctx.cmd, &err);
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    rt_retained r;
    /* the paths of the suspects need the edges and their offsets: no
     * early release here */
    if (retained_compute(m, &r, RETAINED_KEEP_REVERSE, &err) != 0) {
        cli_done(&ctx);
        return cli_report_error(ctx.cmd, &err);
    }
    rt_shared s;
    shared_compute(m, &r, SHARED_LISTS | SHARED_TOPS | SHARED_GROUPS, &s);
    char *data = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&data, &n);
    if (!mem || report_build(m, &r, &s, mem) != 0 || fclose(mem) != 0) {
        free(data);
        shared_free(&s);
        retained_free(&r);
        cli_done(&ctx);
        return cli_report_error(ctx.cmd, &(rt_error){ .code = RT_E_NOMEM, .msg = "cannot build the report" });
    }
    if (ctx.json) {
        fwrite(data, 1, n, stdout);
    } else if (to_stdout) {
        report_html(data, n, stdout);
    } else {
        const char *inputs[64];
        size_t ni = 0;
        for (int i = 0; i < ctx.ninputs && ni < 63; i++)
            inputs[ni++] = ctx.inputs[i];
        inputs[ni++] = m->exe_path;
        rt_output out;
        if ((rc = output_open(&out, out_path, inputs, ni, &err)) == 0) {
            report_html(data, n, out.f);
            rc = output_commit(&out, &err);
        }
        if (rc)
            rc = cli_report_error(ctx.cmd, &err);
        else
            fprintf(stderr, "retain report: wrote %s\n", out_path);
    }
    free(data);
    shared_free(&s);
    retained_free(&r);
    cli_done(&ctx);
    return rc ? rc : EXIT_OK;
}
