/* cmd_shared.c — `retain shared`: memory that several roots hold together,
 * grouped by the exact set of roots that reach it (analysis/shared.h). */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "analysis/retained.h"
#include "analysis/shared.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: retain shared [-n N] [--roots N] [--json] INPUT...\n"
    "\n"
    "Memory that no single root retains because several roots reach it: each\n"
    "group is the memory reachable from exactly the same set of roots (global\n"
    "variables, goroutine stack variables, finalizers, ...), largest first, with\n"
    "the types that make it up.  Freeing it takes dropping every root of its set.\n"
    "`retain roots` shows per root what it retains alone and what it reaches.\n"
    "\n"
    "  -n N        groups to show (default 20; 0 = all)\n"
    "  --roots N   roots to name per group (default 5; 0 = all)\n"
    "  --json      print JSON\n"
    "  -h, --help  this text\n";

typedef struct shared_opts {
    uint64_t n, nroots;
} shared_opts;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    shared_opts *o = st;
    uint64_t v;
    if (cli_parse_u64(arg, &v) != 0)
        return cli_usage_error(ctx->cmd, "%s takes a count, not '%s'", c == 'n' ? "-n" : "--roots", arg);
    if (c == 'n')
        o->n = v;
    else
        o->nroots = v;
    return 0;
}

static uint32_t limit(uint64_t want, uint32_t have)
{
    return want == 0 || want > have ? have : (uint32_t)want;
}

static void print_json(const rt_model *m, const rt_retained *r, const rt_shared *s, const shared_opts *o)
{
    json_w w;
    json_init(&w, stdout);
    json_obj_begin(&w);
    cli_json_inputs(&w, m);
    json_key(&w, "heap_bytes");
    json_u64(&w, r->heap_bytes);
    json_key(&w, "reachable_bytes");
    json_u64(&w, r->bytes[r->super]);
    json_key(&w, "shared_bytes");
    json_u64(&w, s->shared_bytes);
    json_key(&w, "shared_objects");
    json_u64(&w, s->shared_objects);
    json_key(&w, "capped");
    json_bool(&w, s->capped);
    json_key(&w, "groups");
    json_arr_begin(&w);
    for (uint32_t i = 0; i < limit(o->n, s->ngroup); i++) {
        const rt_shared_group *g = &s->groups[i];
        json_obj_begin(&w);
        json_key(&w, "bytes");
        json_u64(&w, g->bytes);
        json_key(&w, "objects");
        json_u64(&w, g->objects);
        json_key(&w, "nroots");
        json_u64(&w, g->nroot);
        json_key(&w, "roots");
        json_arr_begin(&w);
        for (uint32_t k = 0; k < limit(o->nroots, g->nroot); k++)
            cli_json_root(&w, m, s->roots[g->root_start + k]);
        json_arr_end(&w);
        json_key(&w, "types");
        json_arr_begin(&w);
        for (uint32_t k = 0; k < g->ntype; k++) {
            json_obj_begin(&w);
            json_key(&w, "type");
            json_str_or_null(&w, strpool_get(m->strings, g->types[k].type));
            json_key(&w, "bytes");
            json_u64(&w, g->types[k].bytes);
            json_key(&w, "count");
            json_u64(&w, g->types[k].count);
            json_obj_end(&w);
        }
        json_arr_end(&w);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_obj_end(&w);
    json_done(&w);
}

static void print_text(const rt_model *m, const rt_retained *r, const rt_shared *s, const shared_opts *o)
{
    char b1[32], b2[32], lb[512];
    cli_print_partial_text(m, stdout);
    printf("reachable %s; held by several roots together: %s in %" PRIu64 " objects, %u groups\n",
           cli_bytes(r->bytes[r->super], b1, sizeof b1), cli_bytes(s->shared_bytes, b2, sizeof b2),
           s->shared_objects, s->ngroup);
    if (s->capped)
        printf("(the root sets outgrew their budget: the memory of the largest ones is one group "
               "whose roots are not listed)\n");
    uint32_t shown = limit(o->n, s->ngroup);
    for (uint32_t i = 0; i < shown; i++) {
        const rt_shared_group *g = &s->groups[i];
        const char *objs = g->objects == 1 ? "object" : "objects";
        if (g->nroot)
            printf("\n%s in %" PRIu64 " %s, reachable from %u roots:\n", cli_bytes(g->bytes, b1, sizeof b1),
                   g->objects, objs, g->nroot);
        else
            printf("\n%s in %" PRIu64 " %s, reachable from more roots than could be listed:\n",
                   cli_bytes(g->bytes, b1, sizeof b1), g->objects, objs);
        uint32_t nr = limit(o->nroots, g->nroot);
        for (uint32_t k = 0; k < nr; k++)
            printf("    %s\n", retained_label(m, r, m->nobj + s->roots[g->root_start + k], lb, sizeof lb));
        if (nr < g->nroot)
            printf("    ... and %u more (--roots 0 for all)\n", g->nroot - nr);
        for (uint32_t k = 0; k < g->ntype; k++) {
            const char *t = strpool_get(m->strings, g->types[k].type);
            printf("  %s %-10s %" PRIu64 " × %s\n", k ? "    " : "made of", cli_bytes(g->types[k].bytes, b1, sizeof b1),
                   g->types[k].count, *t ? t : "(unknown type)");
        }
    }
    if (shown < s->ngroup)
        printf("\n... %u more groups (use -n 0 for all)\n", s->ngroup - shown);
}

int cmd_shared(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "shared" };
    shared_opts o = { 20, 5 };
    static const struct option extra[] = {
        { "n", required_argument, NULL, 'n' }, { "roots", required_argument, NULL, 'r' }, { 0, 0, 0, 0 }
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
    shared_compute(ctx.m, &r, SHARED_LISTS, &s);
    if (ctx.json)
        print_json(ctx.m, &r, &s, &o);
    else
        print_text(ctx.m, &r, &s, &o);
    shared_free(&s);
    retained_free(&r);
    cli_done(&ctx);
    return EXIT_OK;
}
