/* cmd_objects.c — `retain objects`: every allocated object, streamed. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "analysis/reach.h"
#include "cli/cli.h"
#include "report/json_model.h"

static const char usage[] =
    "usage: retain objects [--type T] [--site F] [--min-size B] [--reachable|--unreachable]\n"
    "                      [--json|--jsonl] INPUT...\n"
    "\n"
    "List every allocated object: address, slot size, type or allocation site,\n"
    "and whether the roots reach it.  Output is streamed.\n"
    "\n"
    "  --type T       only objects of type T (main.Session, [8]*main.Node)\n"
    "  --site F       only objects allocated by function F (main.newSession)\n"
    "  --min-size B   only slots of at least B bytes (4096, 64KiB, 1MiB)\n"
    "  --reachable, --unreachable  only those the roots reach, or do not\n"
    "  --json     print {\"objects\": [{\"base\",\"size\",\"type\",\"site\",\"reachable\"}...]},\n"
    "             one object per line\n"
    "  --jsonl    print JSON Lines: each object alone on its line, nothing else\n"
    "             (a partial input is said on stderr)\n"
    "  -h, --help this text\n";

typedef struct obj_filter {
    const char *type, *site;
    uint64_t min_size;
    int reach; /* -1 any, 1 reachable, 0 unreachable */
    int jsonl;
} obj_filter;

static int on_opt(cli_ctx *ctx, int c, const char *arg, void *st)
{
    obj_filter *o = st;
    switch (c) {
    case 't':
        o->type = arg;
        return 0;
    case 's':
        o->site = arg;
        return 0;
    case 'm':
        if (cli_parse_size(arg, &o->min_size) != 0)
            return cli_usage_error(ctx->cmd, "--min-size takes a byte count (4096, 64KiB), not '%s'", arg);
        return 0;
    case 'r':
        o->reach = 1;
        return 0;
    case 'u':
        o->reach = 0;
        return 0;
    case 'l':
        o->jsonl = 1;
        return 0;
    }
    return cli_usage_error(ctx->cmd, "unknown option");
}

static int wanted(const rt_model *m, const rt_reach *reach, const obj_filter *o, uint32_t i)
{
    if (m->objects[i].size < o->min_size || (o->reach >= 0 && reach_is(reach, i) != o->reach))
        return 0;
    if (o->type && strcmp(strpool_get(m->strings, model_obj_type_name(m, i)), o->type) != 0)
        return 0;
    if (o->site) {
        uint32_t site = model_obj_site(m, i);
        if (site == RT_NONE || strcmp(strpool_get(m->strings, model_site_function(m, site)), o->site) != 0)
            return 0;
    }
    return 1;
}

static void json_object(json_w *w, const rt_model *m, const rt_reach *reach, uint32_t i)
{
    json_obj_begin(w);
    json_model_object_fields(w, m, i, "base");
    json_key(w, "reachable");
    json_bool(w, reach_is(reach, i));
    json_obj_end(w);
}

int cmd_objects(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "objects" };
    obj_filter o = { NULL, NULL, 0, -1, 0 };
    static const struct option extra[] = {
        { "type", required_argument, NULL, 't' }, { "site", required_argument, NULL, 's' },
        { "min-size", required_argument, NULL, 'm' }, { "reachable", no_argument, NULL, 'r' },
        { "unreachable", no_argument, NULL, 'u' }, { "jsonl", no_argument, NULL, 'l' }, { 0, 0, 0, 0 }
    };
    int rc = cli_parse(&ctx, argc, argv, usage, extra, on_opt, &o);
    if (rc >= 0)
        return rc;
    if (ctx.json && o.jsonl)
        return cli_usage_error(ctx.cmd, "--json and --jsonl: give one");
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    rt_reach reach;
    reach_compute(m, &reach);
    json_w w;
    if (ctx.json) {
        json_init(&w, stdout);
        json_obj_begin(&w);
        cli_json_inputs(&w, m);
        json_key(&w, "objects");
        json_arr_begin_lines(&w);
        for (uint32_t i = 0; i < m->nobj; i++)
            if (wanted(m, &reach, &o, i))
                json_object(&w, m, &reach, i);
        json_arr_end(&w);
        json_obj_end(&w);
        json_done(&w);
    } else if (o.jsonl) {
        for (uint32_t i = 0; i < m->nobj; i++) {
            if (!wanted(m, &reach, &o, i))
                continue;
            json_init(&w, stdout);
            json_object(&w, m, &reach, i);
            json_done(&w);
        }
    } else {
        cli_print_partial_text(m, stdout);
        for (uint32_t i = 0; i < m->nobj; i++) {
            if (!wanted(m, &reach, &o, i))
                continue;
            const rt_object *obj = &m->objects[i];
            printf("0x%" PRIx64 " %" PRIu64 " %s %s\n", obj->base, obj->size,
                   reach_is(&reach, i) ? "reachable" : "unreachable", cli_obj_label(m, i));
        }
    }
    reach_free(&reach);
    cli_done(&ctx);
    return EXIT_OK;
}
