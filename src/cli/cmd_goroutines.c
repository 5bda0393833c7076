/* cmd_goroutines.c — `retain goroutines`: every goroutine of the heap's
 * moment with what its stack keeps alive.  Computes an rt_goroutines
 * (analysis/goroutines.c) and prints it. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "analysis/goroutines.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: retain goroutines [--group] [--stacks] [-n N] [--json] INPUT...\n"
    "\n"
    "Every goroutine: id, status, what it waits for and for how long (where the\n"
    "input says), its first frame of the program's own code (and the frame it\n"
    "waits in, its first outside the runtime, when that is another: time.Sleep),\n"
    "the go statement that created it, its stack's size, and the bytes its\n"
    "stack reaches and retains; largest retained first.\n"
    "\n"
    "  --group     fold goroutines with the same status, wait reason and stack\n"
    "              into one row with a count (a leak of 10,000 goroutines is one\n"
    "              row)\n"
    "  --stacks    print each row's whole stack\n"
    "  -n N        rows to show (default 20; 0 = all)\n"
    "  --json      print JSON\n"
    "  -h, --help  this text\n"
    "\n"
    "Cores give files and lines of every frame and the wait reason (read from\n"
    "the runtime's table with DWARF or symbols); heap dumps give function\n"
    "names only, and the wait reason.\n";

typedef struct gor_opts {
    int group, stacks;
    uint64_t n;
} gor_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    gor_opts *o = st;
    if (c == 'g') {
        o->group = 1;
        return 0;
    }
    if (c == 's') {
        o->stacks = 1;
        return 0;
    }
    if (c == 'n') {
        if (cli_parse_u64(arg, &o->n) != 0)
            return cli_usage_error(ctx->cmd, "-n takes a count, not '%s'", arg);
        return 0;
    }
    return cli_usage_error(ctx->cmd, "unknown option");
}

static uint32_t shown(const rt_goroutines *G, const gor_opts *o)
{
    return o->n && o->n < G->nrows ? (uint32_t)o->n : G->nrows;
}

static void json_frame(json_w *w, const rt_model *m, const rt_frame *f)
{
    json_key(w, "function");
    json_str_or_null(w, f ? strpool_get(m->strings, f->function) : NULL);
    json_key(w, "file");
    json_str_or_null(w, f ? strpool_get(m->strings, f->file) : NULL);
    json_key(w, "line");
    json_u64_or_null(w, f && f->line, f ? f->line : 0);
}

static void print_json(const rt_model *m, const rt_goroutines *G, const gor_opts *o)
{
    json_w w;
    json_init(&w, stdout);
    json_obj_begin(&w);
    cli_json_inputs(&w, m);
    json_key(&w, "total");
    json_u64(&w, G->total);
    json_key(&w, "grouped");
    json_bool(&w, o->group);
    json_key(&w, "goroutines");
    json_arr_begin(&w);
    for (uint32_t k = 0; k < shown(G, o); k++) {
        const rt_goroutine_row *row = &G->rows[k];
        const rt_goroutine *g = &m->goroutines[row->g];
        const rt_frame *wait = g->nframes ? &m->frames[g->frame_start + goroutine_wait_frame(m, g)] : NULL;
        const rt_frame *user = g->nframes ? &m->frames[g->frame_start + goroutine_user_frame(m, g)] : NULL;
        json_obj_begin(&w);
        json_key(&w, "id");
        json_u64(&w, g->id);
        json_key(&w, "count");
        json_u64(&w, row->count);
        json_key(&w, "status");
        json_str(&w, goroutine_status_name(g->status));
        json_key(&w, "wait_reason");
        json_str_or_null(&w, strpool_get(m->strings, g->wait_reason));
        json_key(&w, "wait_minutes");
        json_u64_or_null(&w, row->wait_minutes >= 0, (uint64_t)row->wait_minutes);
        json_frame(&w, m, wait);
        json_key(&w, "user_frame");
        if (user) {
            json_obj_begin(&w);
            json_frame(&w, m, user);
            json_obj_end(&w);
        } else {
            json_null(&w);
        }
        json_key(&w, "top_function");
        json_str_or_null(&w, strpool_get(m->strings, g->top_function));
        json_key(&w, "created_by");
        if (g->created_by.function) {
            json_obj_begin(&w);
            json_frame(&w, m, &g->created_by);
            json_obj_end(&w);
        } else {
            json_null(&w);
        }
        json_key(&w, "stack_bytes");
        json_u64(&w, row->stack_bytes);
        json_key(&w, "reachable_bytes");
        json_u64(&w, row->reachable_bytes);
        json_key(&w, "retained_bytes");
        json_u64(&w, row->retained_bytes);
        json_key(&w, "stack");
        json_arr_begin(&w);
        for (uint32_t i = 0; i < g->nframes; i++) {
            json_obj_begin(&w);
            json_frame(&w, m, &m->frames[g->frame_start + i]);
            json_obj_end(&w);
        }
        json_arr_end(&w);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_key(&w, "total_rows");
    json_u64(&w, G->nrows);
    json_obj_end(&w);
    json_done(&w);
}

static void text_frame(const rt_model *m, const rt_frame *f)
{
    const char *file = strpool_get(m->strings, f->file);
    printf("%s", strpool_get(m->strings, f->function));
    if (*file)
        printf(" %s:%u", file, f->line);
}

static void print_text(const rt_model *m, const rt_goroutines *G, const gor_opts *o)
{
    char b1[32], b2[32], b3[32];
    cli_print_partial_text(m, stdout);
    printf("%u goroutines%s\n\n", G->total, o->group ? ", grouped by identical stacks" : "");
    printf("%8s %10s %10s %9s  %-22s  %s\n", o->group ? "count" : "id", "retained", "reachable", "stack",
           "status (wait)", "function / created by");
    for (uint32_t k = 0; k < shown(G, o); k++) {
        const rt_goroutine_row *row = &G->rows[k];
        const rt_goroutine *g = &m->goroutines[row->g];
        char status[64];
        const char *reason = strpool_get(m->strings, g->wait_reason);
        if (row->wait_minutes >= 0)
            snprintf(status, sizeof status, "%s (%s, %" PRId64 " min)", goroutine_status_name(g->status),
                     *reason ? reason : "?", row->wait_minutes);
        else if (*reason)
            snprintf(status, sizeof status, "%s (%s)", goroutine_status_name(g->status), reason);
        else
            snprintf(status, sizeof status, "%s", goroutine_status_name(g->status));
        if (o->group)
            printf("%8u", row->count);
        else
            printf("%8" PRIu64, g->id);
        printf(" %10s %10s %9s  %-22s  ", cli_bytes(row->retained_bytes, b1, sizeof b1),
               cli_bytes(row->reachable_bytes, b2, sizeof b2), cli_bytes(row->stack_bytes, b3, sizeof b3), status);
        uint32_t wf = g->nframes ? goroutine_wait_frame(m, g) : 0, uf = g->nframes ? goroutine_user_frame(m, g) : 0;
        if (g->nframes) {
            text_frame(m, &m->frames[g->frame_start + uf]);
            if (wf != uf)
                printf(" (in %s)", strpool_get(m->strings, m->frames[g->frame_start + wf].function));
        }
        else
            printf("%s", g->user_function ? strpool_get(m->strings, g->user_function) : "?");
        printf("\n");
        if (g->created_by.function) {
            printf("%64s  created by ", "");
            text_frame(m, &g->created_by);
            printf("\n");
        }
        if (o->stacks)
            for (uint32_t i = 0; i < g->nframes; i++) {
                printf("%64s    ", "");
                text_frame(m, &m->frames[g->frame_start + i]);
                printf("\n");
            }
    }
    if (shown(G, o) < G->nrows)
        printf("... %u more rows (use -n 0 for all)\n", G->nrows - shown(G, o));
}

int cmd_goroutines(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "goroutines" };
    gor_opts o = { 0, 0, 20 };
    static const struct option extra[] = {
        { "group", no_argument, NULL, 'g' }, { "stacks", no_argument, NULL, 's' },
        { "n", required_argument, NULL, 'n' }, { 0, 0, 0, 0 }
    };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    ctx.want_reverse = 1; /* the dominator tree needs it: made beside the typing */
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_retained r;
    if ((rc = cli_retained(&ctx, &r, RETAINED_KEEP_REVERSE)) != 0) {
        cli_done(&ctx);
        return rc;
    }
    rt_shared s;
    shared_compute(ctx.m, &r, SHARED_GROUPS, &s);
    rt_goroutines G;
    goroutines_compute(ctx.m, &r, &s, o.group, &G);
    if (ctx.json)
        print_json(ctx.m, &G, &o);
    else
        print_text(ctx.m, &G, &o);
    goroutines_free(&G);
    shared_free(&s);
    retained_free(&r);
    cli_done(&ctx);
    return EXIT_OK;
}
