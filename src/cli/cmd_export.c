/* cmd_export.c — `retain export`: retention chains or the dominator tree
 * for pprof, the dominator tree for Graphviz. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "analysis/retained.h"
#include "cli/cli.h"
#include "io/output.h"
#include "report/export_dominators.h"
#include "report/export_paths.h"
#include "util/alloc.h"

static const char usage[] =
    "usage: retain export --format pprof|dot [-o FILE] [options] [ADDRESS] INPUT...\n"
    "\n"
    "  --format pprof  a pprof profile (gzip'd profile.proto; needs -o), sample\n"
    "                  types inuse_objects and inuse_space as in Go's heap profiles:\n"
    "                  go tool pprof -top, -traces, -http, -diff_base work on it\n"
    "  --format dot    the dominator subtree of the object containing ADDRESS (or of\n"
    "                  all roots) for Graphviz (dot -Tsvg), nodes cut by --min-bytes\n"
    "                  and --max-nodes; a node whose children were cut gets one\n"
    "                  more node saying how many and what they retain\n"
    "  --tree paths    pprof: each reachable object at the end of its shortest\n"
    "                  retention chain, root at the bottom (global, or goroutine ->\n"
    "                  frame -> variable), a frame per hop (Type.field, or the\n"
    "                  allocation site where untyped), the object's type on top;\n"
    "                  equal chains add up (the default)\n"
    "  --tree dominators  pprof: one stack per dominator chain, values *shallow*, so\n"
    "                  the cumulative column is the retained size (-top -cum)\n"
    "  --by alloc      pprof: each stack ends with the object's allocation stack\n"
    "                  (functions, files, lines: pprof -list and the source view work)\n"
    "  --max-depth N   paths: chains longer than N hops (default 64) keep their ends\n"
    "                  around one '... N hops ...' frame\n"
    "  -o FILE         output file (default for dot: standard output; '-' is\n"
    "                  standard output); never an input, and replaced only once\n"
    "                  written whole\n"
    "  --min-bytes B   dot: leave out subtrees retaining fewer bytes (default 0.1%\n"
    "                  of the start node's retained size, as for 'retain dominators')\n"
    "  --max-nodes N   dot: at most N nodes (default 500)\n"
    "  --json          print a JSON summary of what was written, on standard output;\n"
    "                  needs -o FILE (without it the graph itself goes there)\n"
    "  -h, --help      this text\n";

typedef struct export_opts {
    const char *format, *out, *tree;
    uint64_t min_bytes, max_nodes, max_depth;
    int have_min, by_alloc;
} export_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    export_opts *o = st;
    switch (c) {
    case 'f':
        if (strcmp(arg, "pprof") && strcmp(arg, "dot"))
            return cli_usage_error(ctx->cmd, "--format takes 'pprof' or 'dot', not '%s'", arg);
        o->format = arg;
        return 0;
    case 't':
        if (strcmp(arg, "dominators") && strcmp(arg, "paths"))
            return cli_usage_error(ctx->cmd, "--tree takes 'paths' or 'dominators', not '%s'", arg);
        o->tree = arg;
        return 0;
    case 'o':
        o->out = arg;
        return 0;
    case 'm':
        if (cli_parse_size(arg, &o->min_bytes))
            return cli_usage_error(ctx->cmd, "--min-bytes takes a byte count (4096, 64KiB), not '%s'", arg);
        o->have_min = 1;
        return 0;
    case 'b':
        if (strcmp(arg, "alloc"))
            return cli_usage_error(ctx->cmd, "--by takes 'alloc', not '%s'", arg);
        o->by_alloc = 1;
        return 0;
    case 'd':
        if (cli_parse_u64(arg, &o->max_depth) || o->max_depth < 4 || o->max_depth > 1000)
            return cli_usage_error(ctx->cmd, "--max-depth takes a count from 4 to 1000, not '%s'", arg);
        return 0;
    case 'x':
        if (cli_parse_u64(arg, &o->max_nodes) || o->max_nodes == 0 || o->max_nodes > 10000000)
            return cli_usage_error(ctx->cmd, "--max-nodes takes a count from 1 to 10000000, not '%s'", arg);
        return 0;
    }
    return cli_usage_error(ctx->cmd, "unknown option");
}

/* Write the export to -o FILE through io/output.h (never over an input,
 * the executable a core named included; all or nothing), or to standard
 * output (no -o, or -o -), whose errors main() reports. */
static int write_export(cli_ctx *ctx, const export_opts *o, int to_stdout, const rt_retained *r, uint32_t start,
                        export_stats *st, rt_error *err)
{
    const rt_model *m = ctx->m;
    int pprof = strcmp(o->format, "pprof") == 0;
    uint64_t min = o->have_min || pprof ? o->min_bytes : cli_default_min_bytes(r->bytes[start]);
    rt_output out;
    FILE *f = stdout;
    const char *name = "standard output";
    if (!to_stdout) {
        const char **inputs = rt_calloc((size_t)ctx->ninputs + 1, sizeof *inputs);
        for (int i = 0; i < ctx->ninputs; i++)
            inputs[i] = ctx->inputs[i];
        inputs[ctx->ninputs] = m->exe_path; /* found through NT_FILE, or NULL */
        int rc = output_open(&out, o->out, inputs, (size_t)ctx->ninputs + 1, err);
        free(inputs);
        if (rc)
            return rc;
        f = out.f;
        name = o->out;
    }
    int rc;
    if (!pprof)
        rc = export_dot_dominators(m, r, start, min, (uint32_t)o->max_nodes, f, st, err);
    else if (strcmp(o->tree, "paths") == 0)
        rc = export_pprof_paths(m, (uint32_t)o->max_depth, o->by_alloc, f, name, st, err);
    else
        rc = export_pprof_dominators(m, r, f, name, st, err);
    if (to_stdout)
        return rc;
    if (rc) {
        output_abort(&out);
        return rc;
    }
    return output_commit(&out, err);
}

int cmd_export(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "export" };
    export_opts o = { NULL, NULL, NULL, 0, 500, 64, 0, 0 };
    static const struct option extra[] = {
        { "format", required_argument, NULL, 'f' }, { "tree", required_argument, NULL, 't' },
        { "output", required_argument, NULL, 'o' }, { "min-bytes", required_argument, NULL, 'm' },
        { "max-nodes", required_argument, NULL, 'x' }, { "by", required_argument, NULL, 'b' },
        { "max-depth", required_argument, NULL, 'd' }, { 0, 0, 0, 0 }
    };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    if (!o.format)
        return cli_usage_error(ctx.cmd, "--format pprof or --format dot is required");
    int pprof = strcmp(o.format, "pprof") == 0;
    if (!o.tree)
        o.tree = pprof ? "paths" : "dominators";
    if (!pprof && strcmp(o.tree, "paths") == 0)
        return cli_usage_error(ctx.cmd, "--tree paths goes with --format pprof; dot draws the dominator tree");
    if (o.by_alloc && (!pprof || strcmp(o.tree, "paths") != 0))
        return cli_usage_error(ctx.cmd, "--by alloc goes with --format pprof --tree paths");
    int to_stdout = !o.out || strcmp(o.out, "-") == 0;
    if (pprof && !o.out)
        return cli_usage_error(ctx.cmd, "--format pprof writes a binary file: give -o FILE (-o - for standard "
                                        "output)");
    if (pprof && to_stdout && isatty(STDOUT_FILENO))
        return cli_usage_error(ctx.cmd, "-o -: standard output is a terminal; redirect it, or give -o FILE");
    if (ctx.json && to_stdout)
        return cli_usage_error(ctx.cmd, "--json summarises what was written to -o FILE; without it the "
                                        "output itself goes to standard output");
    uint64_t addr = 0;
    int have_addr = cli_take_address(&ctx, &addr);
    if (have_addr < 0)
        return EXIT_USAGE;
    if (have_addr && pprof)
        return cli_usage_error(ctx.cmd, "ADDRESS goes with --format dot; pprof exports the whole tree");
    rt_error err;
    rt_error_clear(&err);
    /* refuse before a long load; checked again once the core has named
     * its executable */
    if (!to_stdout && output_check_inputs(o.out, (const char *const *)ctx.inputs, (size_t)ctx.ninputs, &err) != 0)
        return cli_report_error(ctx.cmd, &err);
    ctx.want_reverse = strcmp(o.tree, "dominators") == 0; /* made beside the typing */
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    rt_retained r;
    uint32_t start = RT_NONE;
    if ((have_addr && (start = cli_find_object(&ctx, addr)) == RT_NONE && (rc = EXIT_ANALYSIS)) ||
        (strcmp(o.tree, "dominators") == 0 && (rc = cli_retained(&ctx, &r, 0)) != 0)) {
        cli_done(&ctx);
        return rc;
    }
    int with_tree = strcmp(o.tree, "dominators") == 0;
    if (!with_tree)
        memset(&r, 0, sizeof r);
    if (!have_addr)
        start = with_tree ? r.super : 0;
    export_stats st;
    memset(&st, 0, sizeof st);
    rc = write_export(&ctx, &o, to_stdout, &r, start, &st, &err);
    if (rc) {
        rc = cli_report_error(ctx.cmd, &err);
    } else if (ctx.json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        json_key(&w, "format");
        json_str(&w, o.format);
        json_key(&w, "tree");
        json_str(&w, o.tree);
        json_key(&w, "output");
        json_str(&w, o.out);
        cli_json_inputs(&w, m);
        json_key(&w, pprof ? "samples" : "nodes");
        json_u64(&w, pprof ? st.samples : st.nodes);
        json_key(&w, pprof ? "locations" : "edges");
        json_u64(&w, pprof ? st.locations : st.edges);
        if (!pprof) {
            json_key(&w, "hidden_children");
            json_u64(&w, st.hidden_children);
        }
        json_obj_end(&w);
        json_done(&w);
    } else if (!to_stdout) {
        printf("wrote %s: %" PRIu64 " %s, %" PRIu64 " %s", o.out, pprof ? st.samples : st.nodes,
               pprof ? "samples" : "nodes", pprof ? st.locations : st.edges, pprof ? "locations" : "edges");
        if (!pprof && st.hidden_children)
            printf(" (%" PRIu64 " smaller children not shown)", st.hidden_children);
        printf("\n");
    }
    retained_free(&r);
    cli_done(&ctx);
    return rc;
}
