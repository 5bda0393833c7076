/* cmd_objects.c — `retain objects`: every allocated object, streamed. */
#include <inttypes.h>
#include <string.h>

#include "analysis/reach.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: retain objects [--json] INPUT...\n"
    "\n"
    "List every allocated object: address, slot size, type or allocation site,\n"
    "and whether the roots reach it.  Output is streamed.\n"
    "\n"
    "  --json     print {\"objects\": [{\"base\",\"size\",\"type\",\"site\",\"reachable\"}...]},\n"
    "             one object per line\n"
    "  -h, --help this text\n";

int cmd_objects(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "objects" };
    int rc = cli_parse(&ctx, argc, argv, usage, NULL, NULL, NULL);
    if (rc >= 0)
        return rc;
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    rt_reach reach;
    reach_compute(m, &reach);
    if (ctx.json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        cli_json_inputs(&w, m);
        json_key(&w, "objects");
        json_arr_begin_lines(&w);
        for (uint32_t i = 0; i < m->nobj; i++) {
            const rt_object *o = &m->objects[i];
            json_obj_begin(&w);
            json_key(&w, "base");
            json_addr(&w, o->base);
            json_key(&w, "size");
            json_u64(&w, o->size);
            json_key(&w, "type");
            json_str_or_null(&w, strpool_get(m->strings, model_obj_type_name(m, i)));
            json_key(&w, "site");
            uint32_t site = model_obj_site(m, i);
            json_str_or_null(&w, site == RT_NONE ? NULL : strpool_get(m->strings, model_site_function(m, site)));
            json_key(&w, "reachable");
            json_bool(&w, reach_is(&reach, i));
            json_obj_end(&w);
        }
        json_arr_end(&w);
        json_obj_end(&w);
        json_done(&w);
    } else {
        cli_print_partial_text(m, stdout);
        for (uint32_t i = 0; i < m->nobj; i++) {
            const rt_object *o = &m->objects[i];
            printf("0x%" PRIx64 " %" PRIu64 " %s %s\n", o->base, o->size,
                   reach_is(&reach, i) ? "reachable" : "unreachable", cli_obj_label(m, i));
        }
    }
    reach_free(&reach);
    cli_done(&ctx);
    return EXIT_OK;
}
