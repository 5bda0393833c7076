/* cmd_sites.c — `retain sites`: per allocation site, what of it lives in
 * the heap, what the heap profile says of it, and which roots keep it
 * alive.  Computes an rt_sites (analysis/sites.c) and prints it. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "analysis/sites.h"
#include "cli/cli.h"
#include "report/json_model.h"

static const char usage[] =
    "usage: retain sites [--by stack|function|line] [--profile FILE] [--rate R] [-n N]\n"
    "                    [--roots K] [--stacks] [--json] INPUT...\n"
    "\n"
    "Allocation sites joined to the heap: per site (an allocation stack), the\n"
    "live sampled objects found in the heap and their bytes, pprof's estimate of\n"
    "the whole population (a sample of s bytes at rate r stands for\n"
    "1/(1-e^(-s/r)) objects), the reachable and retained bytes, the heap\n"
    "profile's own in-use figures beside them, and the roots that keep the\n"
    "site's objects alive (a root alone, or several roots together: see\n"
    "'retain shared').  Heap and profile are matched by function, file and\n"
    "line, never by address.  A heap profile alone answers with its own\n"
    "figures and no roots.\n"
    "\n"
    "  --by stack      one row per allocation stack (default)\n"
    "  --by function   one row per allocating function (as pprof -top shows it)\n"
    "  --by line       one row per allocating function and line\n"
    "  --profile FILE  a heap profile (pprof.WriteHeapProfile, /debug/pprof/heap,\n"
    "                  gzip'd or plain); the same as naming it as an input\n"
    "  --rate R        the sampling rate (runtime.MemProfileRate) for estimates,\n"
    "                  e.g. 524288 or 512KiB (default: the core's, else the\n"
    "                  profile's)\n"
    "  -n N            rows to show (default 20; 0 = all)\n"
    "  --roots K       roots shown per site (default 5)\n"
    "  --stacks        print each site's whole stack (text)\n"
    "  --json          print JSON\n"
    "  -h, --help      this text\n";

typedef struct sites_opts {
    rt_sites_by by;
    uint64_t rate, n, roots;
    int stacks;
} sites_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    sites_opts *o = st;
    switch (c) {
    case 'b':
        if (strcmp(arg, "stack") == 0)
            o->by = RT_SITES_BY_STACK;
        else if (strcmp(arg, "function") == 0)
            o->by = RT_SITES_BY_FUNCTION;
        else if (strcmp(arg, "line") == 0)
            o->by = RT_SITES_BY_LINE;
        else
            return cli_usage_error(ctx->cmd, "--by takes 'stack', 'function' or 'line', not '%s'", arg);
        return 0;
    case 'r':
        if (cli_parse_size(arg, &o->rate) != 0 || o->rate == 0)
            return cli_usage_error(ctx->cmd, "--rate takes a byte count such as 524288 or 512KiB, not '%s'", arg);
        return 0;
    case 'n':
        if (cli_parse_u64(arg, &o->n) != 0)
            return cli_usage_error(ctx->cmd, "-n takes a count, not '%s'", arg);
        return 0;
    case 'k':
        if (cli_parse_u64(arg, &o->roots) != 0 || o->roots > 1000)
            return cli_usage_error(ctx->cmd, "--roots takes a count up to 1000, not '%s'", arg);
        return 0;
    case 's':
        o->stacks = 1;
        return 0;
    }
    return cli_usage_error(ctx->cmd, "unknown option");
}

static const char *by_name(rt_sites_by by)
{
    return by == RT_SITES_BY_FUNCTION ? "function" : by == RT_SITES_BY_LINE ? "line" : "stack";
}

static uint32_t shown(const rt_sites *S, const sites_opts *o)
{
    return o->n && o->n < S->nrows ? (uint32_t)o->n : S->nrows;
}

/* ---- JSON ---- */

static void json_i64_or_null(json_w *w, int64_t v)
{
    if (v < 0)
        json_null(w);
    else
        json_u64(w, (uint64_t)v);
}

static void json_holder(json_w *w, const rt_model *m, const rt_shared *sh, const rt_site_holder *h)
{
    if (h->root != RT_NONE) {
        /* the root's own fields, and the bytes of this site it keeps */
        json_obj_begin(w);
        cli_json_root_fields(w, m, h->root);
        json_key(w, "bytes");
        json_u64(w, h->bytes);
        json_key(w, "objects");
        json_u64(w, h->objects);
        json_obj_end(w);
        return;
    }
    const rt_shared_group *g = &sh->groups[h->group];
    json_obj_begin(w);
    json_key(w, "kind");
    json_str(w, "shared");
    json_key(w, "name");
    char name[64];
    snprintf(name, sizeof name, "%u roots together", g->nroot);
    json_str(w, g->nroot ? name : "more roots together than counted");
    json_key(w, "roots");
    json_arr_begin(w);
    for (uint32_t i = 0; i < g->nroot; i++)
        cli_json_root(w, m, sh->roots[g->root_start + i]);
    json_arr_end(w);
    json_key(w, "bytes");
    json_u64(w, h->bytes);
    json_key(w, "objects");
    json_u64(w, h->objects);
    json_obj_end(w);
}

static void print_json(const rt_model *m, const rt_sites *S, const rt_shared *sh, const sites_opts *o)
{
    json_w w;
    json_init(&w, stdout);
    json_obj_begin(&w);
    cli_json_inputs(&w, m);
    json_key(&w, "by");
    json_str(&w, by_name(S->by));
    json_key(&w, "rate");
    json_u64_or_null(&w, S->rate != 0, S->rate);
    json_key(&w, "profile");
    if (m->profile_path) {
        json_obj_begin(&w);
        json_key(&w, "path");
        json_str(&w, m->profile_path);
        json_key(&w, "sites_found");
        json_u64(&w, S->profile_found);
        json_key(&w, "sites_missing");
        json_u64(&w, S->profile_missing);
        json_obj_end(&w);
    } else {
        json_null(&w);
    }
    json_key(&w, "sampled_objects");
    json_u64(&w, S->sampled_objects);
    json_key(&w, "sampled_bytes");
    json_u64(&w, S->sampled_bytes);
    json_key(&w, "sites");
    json_arr_begin(&w);
    for (uint32_t k = 0; k < shown(S, o); k++) {
        const rt_site_row *row = &S->rows[k];
        json_obj_begin(&w);
        json_key(&w, "function");
        json_str_or_null(&w, strpool_get(m->strings, sites_row_function(m, row)));
        json_key(&w, "stack");
        uint32_t nf;
        const rt_frame *f = sites_row_frames(m, row, &nf);
        json_model_frames(&w, m, f, nf);
        json_key(&w, "objects");
        json_u64(&w, row->objects);
        json_key(&w, "bytes");
        json_u64(&w, row->bytes);
        json_key(&w, "estimated_objects");
        json_i64_or_null(&w, row->est_objects < 0 ? -1 : (int64_t)llround(row->est_objects));
        json_key(&w, "estimated_bytes");
        json_i64_or_null(&w, row->est_bytes < 0 ? -1 : (int64_t)llround(row->est_bytes));
        json_key(&w, "reachable_bytes");
        json_u64(&w, row->reachable_bytes);
        json_key(&w, "retained_bytes");
        json_u64(&w, row->retained_bytes);
        json_key(&w, "profile");
        if (row->prof_inuse_objects >= 0 || row->prof_inuse_bytes >= 0) {
            json_obj_begin(&w);
            json_key(&w, "inuse_objects");
            json_i64_or_null(&w, row->prof_inuse_objects);
            json_key(&w, "inuse_bytes");
            json_i64_or_null(&w, row->prof_inuse_bytes);
            json_obj_end(&w);
        } else {
            json_null(&w);
        }
        json_key(&w, "roots");
        json_arr_begin(&w);
        for (uint32_t i = 0; i < row->nholder; i++)
            json_holder(&w, m, sh, &row->holders[i]);
        json_arr_end(&w);
        json_key(&w, "more_roots");
        json_u64(&w, row->more_holders);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_key(&w, "total_rows");
    json_u64(&w, S->nrows);
    json_model_warnings(&w, m);
    json_obj_end(&w);
    json_done(&w);
}

/* ---- text ---- */

static void text_frame(const rt_model *m, const rt_frame *f)
{
    const char *file = strpool_get(m->strings, f->file);
    printf("%s", strpool_get(m->strings, f->function));
    if (*file)
        printf(" %s:%u", file, f->line);
}

static void text_holder(const rt_model *m, const rt_shared *sh, const rt_site_holder *h, uint64_t total)
{
    char b1[32];
    printf("        %10s %5.1f%%  ", cli_bytes(h->bytes, b1, sizeof b1), total ? 100.0 * (double)h->bytes / (double)total : 0);
    if (h->root != RT_NONE) {
        cli_text_root(stdout, m, h->root);
        printf("\n");
        return;
    }
    const rt_shared_group *g = &sh->groups[h->group];
    if (!g->nroot) {
        printf("held by more roots together than counted\n");
        return;
    }
    printf("%u roots together:", g->nroot);
    for (uint32_t i = 0; i < g->nroot && i < 3; i++) {
        printf(i ? "," : "");
        printf(" ");
        cli_text_root(stdout, m, sh->roots[g->root_start + i]);
    }
    printf(g->nroot > 3 ? ", ...\n" : "\n");
}

static void print_text(const rt_model *m, const rt_sites *S, const rt_shared *sh, const sites_opts *o)
{
    char b1[32], b2[32], b3[32], b4[32], b5[32];
    int heap = m->input_kind != RT_INPUT_PROFILE;
    cli_print_partial_text(m, stdout);
    if (heap)
        printf("%" PRIu64 " sampled objects (%s) in the heap, by %s", S->sampled_objects,
               cli_bytes(S->sampled_bytes, b1, sizeof b1), by_name(S->by));
    else
        printf("heap profile %s alone (no heap: its own figures, no roots), by %s", m->profile_path, by_name(S->by));
    if (S->rate == 1)
        printf("; every allocation sampled\n");
    else if (S->rate)
        printf("; one sample per %s allocated\n", cli_bytes(S->rate, b1, sizeof b1));
    else
        printf("; sampling rate unknown (--rate R gives it)\n");
    if (heap && m->profile_path)
        printf("profile %s: %u of its sites with objects in use are live in the heap, %u are not\n",
               m->profile_path, S->profile_found, S->profile_missing);
    printf("\n%10s %8s %10s %10s %10s %11s  %s\n", "bytes", "objects", "estimated", "reachable", "retained",
           "profile", "site");
    for (uint32_t k = 0; k < shown(S, o); k++) {
        const rt_site_row *row = &S->rows[k];
        printf("%10s %8" PRIu64 " %10s %10s %10s %11s  ", cli_bytes(row->bytes, b1, sizeof b1), row->objects,
               row->est_bytes < 0 ? "?" : cli_bytes((uint64_t)llround(row->est_bytes), b2, sizeof b2),
               heap ? cli_bytes(row->reachable_bytes, b3, sizeof b3) : "-",
               heap ? cli_bytes(row->retained_bytes, b4, sizeof b4) : "-",
               row->prof_inuse_bytes < 0 ? "-" : cli_bytes((uint64_t)row->prof_inuse_bytes, b5, sizeof b5));
        uint32_t nf;
        const rt_frame *f = sites_row_frames(m, row, &nf);
        uint32_t alloc = row->site != RT_NONE ? m->sites[row->site].alloc_frame
                         : row->psite != RT_NONE ? m->psites[row->psite].alloc_frame : 0;
        if (!nf)
            printf("(no stack)");
        else if (S->by == RT_SITES_BY_FUNCTION)
            printf("%s", strpool_get(m->strings, f[alloc].function));
        else
            text_frame(m, &f[alloc]);
        printf("\n");
        if (o->stacks)
            for (uint32_t i = 0; i < nf; i++) {
                printf("%66s", "");
                text_frame(m, &f[i]);
                printf("\n");
            }
        for (uint32_t i = 0; i < row->nholder; i++)
            text_holder(m, sh, &row->holders[i], row->reachable_bytes);
        if (row->more_holders)
            printf("        ... %u more (--roots K)\n", row->more_holders);
    }
    if (shown(S, o) < S->nrows)
        printf("... %u more sites (use -n 0 for all)\n", S->nrows - shown(S, o));
    for (size_t i = 0; i < m->nwarning; i++)
        printf("warning: %s\n", m->warnings[i]);
}

int cmd_sites(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "sites", .profile_alone_ok = 1 };
    sites_opts o = { RT_SITES_BY_STACK, 0, 20, 5, 0 };
    static const struct option extra[] = {
        { "by", required_argument, NULL, 'b' }, { "rate", required_argument, NULL, 'r' },
        { "n", required_argument, NULL, 'n' }, { "roots", required_argument, NULL, 'k' },
        { "stacks", no_argument, NULL, 's' }, { 0, 0, 0, 0 }
    };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    ctx.want_reverse = 1; /* the dominator tree needs it: made beside the typing */
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    rt_retained r;
    rt_shared sh;
    int heap = m->input_kind != RT_INPUT_PROFILE;
    memset(&sh, 0, sizeof sh);
    if (heap) {
        if ((rc = cli_retained(&ctx, &r, RETAINED_KEEP_REVERSE)) != 0) {
            cli_done(&ctx);
            return rc;
        }
        shared_compute(m, &r, SHARED_LISTS | SHARED_TOPS, &sh);
    }
    rt_sites S;
    sites_compute(m, heap ? &r : NULL, heap ? &sh : NULL, o.by, o.rate, (uint32_t)o.roots, &S);
    if (ctx.json)
        print_json(m, &S, &sh, &o);
    else
        print_text(m, &S, &sh, &o);
    sites_free(&S);
    shared_free(&sh);
    if (heap)
        retained_free(&r);
    cli_done(&ctx);
    return EXIT_OK;
}
