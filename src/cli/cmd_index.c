/* cmd_index.c — `retain index`: read the inputs once, compute the
 * dominator tree, and save both to a file every command reads in their
 * place (src/index/). */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/retained.h"
#include "analysis/shared.h"
#include "cli/cli.h"
#include "index/index.h"
#include "io/output.h"
#include "util/alloc.h"

static const char usage[] =
    "usage: retain index [--json] INPUT... -o FILE.rtx\n"
    "\n"
    "Read a core or heap dump (with its executable, debug file, heap profile)\n"
    "once and save what every command needs: objects, edges both ways, types,\n"
    "sites, roots, goroutines, the dominator tree and shared retention.  Any\n"
    "command then takes FILE.rtx alone in place of those inputs and answers\n"
    "without reading them again (retain why FILE.rtx ADDRESS).  The index\n"
    "records its inputs' paths, sizes and times, and a command says when one\n"
    "has changed since.  An index is tied to this build of retain: another\n"
    "version refuses it with a line saying to make it again.\n"
    "\n"
    "  -o, --output FILE  where to write (never over an input; written beside\n"
    "                     and renamed into place, so a failure leaves no half file)\n"
    "  --json     print {\"output\",\"bytes\",\"objects\",\"edges\",\"roots\",\"inputs\"}\n"
    "  -h, --help this text\n";

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    if (c == 'o') {
        *(const char **)st = arg;
        return 0;
    }
    return cli_usage_error(ctx->cmd, "unknown option");
}

/* The files the model came from, each once (by device and inode), that
 * can be looked at again later: not standard input. */
static size_t model_inputs(const cli_ctx *ctx, const char **out, size_t max)
{
    const rt_model *m = ctx->m;
    const char *cand[72];
    size_t nc = 0, n = 0;
    for (int i = 0; i < ctx->ninputs && nc < 64; i++)
        cand[nc++] = ctx->inputs[i];
    cand[nc++] = ctx->profile;
    cand[nc++] = m->exe_path;
    cand[nc++] = m->debug_path;
    cand[nc++] = m->symbols_path;
    dev_t dev[72];
    ino_t ino[72];
    for (size_t i = 0; i < nc && n < max; i++) {
        struct stat st;
        if (!cand[i] || strcmp(cand[i], "-") == 0 || stat(cand[i], &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        size_t k = 0;
        while (k < n && !(dev[k] == st.st_dev && ino[k] == st.st_ino))
            k++;
        if (k < n)
            continue;
        dev[n] = st.st_dev;
        ino[n] = st.st_ino;
        out[n++] = cand[i];
    }
    return n;
}

int cmd_index(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "index" };
    const char *out = NULL;
    static const struct option extra[] = { { "output", required_argument, NULL, 'o' }, { 0, 0, 0, 0 } };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &out);
    if (rc >= 0)
        return rc;
    if (!out)
        return cli_usage_error(ctx.cmd, "give -o FILE.rtx: where to write the index");
    if (strcmp(out, "-") == 0)
        return cli_usage_error(ctx.cmd, "-o -: an index is read by mapping a file; give -o FILE.rtx");
    rt_error err;
    rt_error_clear(&err);
    /* refuse before a long load; output_open checks again */
    if (output_check_inputs(out, (const char *const *)ctx.inputs, (size_t)ctx.ninputs, &err) != 0)
        return cli_report_error(ctx.cmd, &err);
    ctx.want_reverse = 1; /* the dominator tree needs it: made beside the typing */
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    if (m->index_path || m->input_kind == RT_INPUT_PROFILE) {
        rc = cli_usage_error(ctx.cmd, "%s: %s", m->index_path ? m->index_path : m->input_path,
                             m->index_path ? "already an index" : "a heap profile alone is read at once; an index "
                                                                  "is for a core or heap dump");
        cli_done(&ctx);
        return rc;
    }
    rt_retained r;
    if ((rc = retained_compute(m, &r, RETAINED_KEEP_REVERSE, &err)) != 0) {
        cli_done(&ctx);
        return cli_report_error(ctx.cmd, &err);
    }
    /* shared retention with every flag, so each command's subset is there;
     * it gives the reverse edges back during its own peak (100 MiB on 19
     * million edges), and they are made again for the index */
    rt_shared sh;
    shared_compute(m, &r, SHARED_GROUPS | SHARED_LISTS | SHARED_TOPS, &sh);
    model_build_reverse(m);
    const char *inputs[72];
    size_t nin = model_inputs(&ctx, inputs, 72);
    uint32_t *cs, *ch;
    domtree_children(&r.tree, r.bytes, &cs, &ch);
    index_analyses a = { &r, &sh, cs, ch };
    rc = index_write(m, &a, inputs, nin, out, &err);
    free(cs);
    free(ch);
    shared_free(&sh);
    retained_free(&r);
    if (rc) {
        cli_done(&ctx);
        return cli_report_error(ctx.cmd, &err);
    }
    struct stat st;
    uint64_t bytes = stat(out, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (ctx.json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        json_key(&w, "output");
        json_str(&w, out);
        json_key(&w, "bytes");
        json_u64(&w, bytes);
        json_key(&w, "objects");
        json_u64(&w, m->nobj);
        json_key(&w, "edges");
        json_u64(&w, m->nedge);
        json_key(&w, "roots");
        json_u64(&w, m->nroot);
        cli_json_inputs(&w, m);
        json_obj_end(&w);
        json_done(&w);
    } else {
        char b[32];
        printf("wrote %s: %s, %" PRIu32 " objects, %" PRIu64 " edges, %" PRIu32 " roots, from %s\n", out,
               cli_bytes(bytes, b, sizeof b), m->nobj, m->nedge, m->nroot, m->input_path);
    }
    cli_done(&ctx);
    return EXIT_OK;
}
