/* cmd_overview.c — `retain overview`: what the input holds, in one screen. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "analysis/overview.h"
#include "cli/cli.h"
#include "report/json_model.h"

static const char usage[] =
    "usage: retain overview [--json] INPUT...\n"
    "\n"
    "Summarise a heap dump or core: producer and Go version, objects and bytes,\n"
    "how much of it the roots keep reachable, roots by kind, goroutines and\n"
    "sampled objects.  INPUT is a heap dump (runtime/debug.WriteHeapDump) or an\n"
    "ELF core of a Go program, and optionally the executable (names global roots\n"
    "of a dump; a core finds its executable from its notes), in any order.\n"
    "Figures an input does not record (a core has no memstats) are left out,\n"
    "and are null in JSON.\n"
    "\n"
    "  --json     print JSON\n"
    "  -h, --help this text\n";

/* One plain sentence on the typed share of the reachable bytes, and when
 * it is low, why. */
static void print_typed(const rt_model *m, const rt_overview *o)
{
    uint64_t typed = o->t.typed, typed_bytes = o->t.typed_bytes, typed_reachable = o->t.typed_reachable_bytes;
    uint64_t reachable = o->reach.reachable_bytes;
    char b1[32], b2[32];
    double share = reachable ? 100.0 * (double)typed_reachable / (double)reachable : 0.0;
    printf("typed        %" PRIu64 " objects (%s) have a type: %.1f%% of the reachable bytes (%s)", typed,
           cli_bytes(typed_bytes, b1, sizeof b1), share, cli_bytes(typed_reachable, b2, sizeof b2));
    if (share >= 95.0 || !reachable)
        printf("\n");
    else if (m->input_kind == RT_INPUT_HEAPDUMP && !m->exe_path)
        printf("; a heap dump names few types: give the executable too, to type the rest\n");
    else if (m->input_kind == RT_INPUT_HEAPDUMP && m->degraded)
        printf("; without DWARF only malloc headers and interface values state types: give the debug file "
               "for the rest\n");
    else
        printf("; the rest is reached only through words without a type (unsafe.Pointer, uintptr, "
               "registers, frames scanned conservatively)\n");
}

static void json_profile(json_w *w, const rt_model *m, const rt_overview *o)
{
    json_key(w, "profile");
    if (!m->profile_path) {
        json_null(w);
        return;
    }
    json_obj_begin(w);
    json_key(w, "path");
    json_str(w, m->profile_path);
    json_key(w, "sites");
    json_u64(w, o->profile_sites);
    json_key(w, "inuse_objects");
    json_u64(w, o->profile_inuse_objects);
    json_key(w, "inuse_bytes");
    json_u64(w, o->profile_inuse_bytes);
    json_key(w, "rate");
    json_u64_or_null(w, m->profile_rate != 0, m->profile_rate);
    json_obj_end(w);
}

static void text_profile(const rt_model *m, const rt_overview *o)
{
    char b1[32];
    printf("profile      %s: %u sites, %" PRIu64 " objects (%s) in use by its count", m->profile_path,
           o->profile_sites, o->profile_inuse_objects, cli_bytes(o->profile_inuse_bytes, b1, sizeof b1));
    if (m->profile_rate)
        printf(", MemProfileRate %" PRIu64, m->profile_rate);
    printf("\n");
}

static void text_warnings(const rt_model *m)
{
    for (size_t i = 0; i < m->nwarning; i++)
        printf("warning      %s\n", m->warnings[i]);
}

/* a heap profile given alone: what it says, no heap */
static void print_profile_alone(const rt_model *m, const rt_overview *o, int json)
{
    if (json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        cli_json_inputs(&w, m);
        json_profile(&w, m, o);
        json_model_warnings(&w, m);
        json_obj_end(&w);
        json_done(&w);
        return;
    }
    printf("input        heap profile %s (no heap: sites and their counts only)\n", m->input_path);
    text_profile(m, o);
    text_warnings(m);
}

static void print_json(const rt_model *m, const rt_overview *o)
{
    int core = m->input_kind == RT_INPUT_CORE;
    json_w w;
    json_init(&w, stdout);
    json_obj_begin(&w);
    json_key(&w, "input");
    json_obj_begin(&w);
    json_key(&w, "kind");
    json_str(&w, core ? "core" : "heapdump");
    json_key(&w, "path");
    json_str(&w, m->input_path);
    json_key(&w, "size");
    json_u64(&w, o->input_size);
    json_obj_end(&w);
    cli_json_inputs(&w, m);
    json_key(&w, "executable");
    json_str(&w, m->exe_path);
    json_key(&w, "executable_found");
    json_str(&w, m->exe_how);
    json_key(&w, "debug_file");
    json_str_or_null(&w, m->debug_path);
    json_key(&w, "symbols_file");
    json_str_or_null(&w, m->symbols_path);
    json_key(&w, "degraded");
    json_str_or_null(&w, m->degraded);
    json_profile(&w, m, o);
    json_key(&w, "runtime_globals");
    if (m->globals_found_by) {
        json_obj_begin(&w);
        json_key(&w, "found_by");
        json_str(&w, m->globals_found_by);
        for (size_t i = 0; i < sizeof m->runtime_globals / sizeof m->runtime_globals[0]; i++) {
            json_key(&w, m->runtime_globals[i].name);
            if (m->runtime_globals[i].addr)
                json_addr(&w, m->runtime_globals[i].addr);
            else
                json_null(&w);
        }
        json_obj_end(&w);
    } else {
        json_null(&w);
    }
    json_key(&w, "spans");
    json_u64_or_null(&w, core, m->nspans);
    json_key(&w, "arenas");
    json_u64_or_null(&w, core, m->narenas);
    json_key(&w, "go_version");
    json_str(&w, m->go_version);
    json_key(&w, "goarch");
    json_str(&w, m->goarch);
    json_key(&w, "objects");
    json_u64(&w, m->nobj);
    json_key(&w, "bytes");
    json_u64(&w, o->t.bytes);
    json_key(&w, "edges");
    json_u64(&w, m->nedge);
    /* with roots lost, what is reachable is unknown: null, not 0 */
    json_key(&w, "reachable_objects");
    json_u64_or_null(&w, o->reachable_known, o->reach.nreachable);
    json_key(&w, "reachable_bytes");
    json_u64_or_null(&w, o->reachable_known, o->reach.reachable_bytes);
    json_key(&w, "roots");
    json_obj_begin(&w);
    json_key(&w, "total");
    json_u64(&w, m->nroot);
    for (int k = 0; k < RT_ROOT_KIND_COUNT; k++) {
        json_key(&w, rt_root_kind_name((rt_root_kind)k));
        json_u64(&w, o->roots_by_kind[k]);
    }
    json_obj_end(&w);
    json_key(&w, "goroutines");
    json_u64(&w, m->ngoroutine);
    json_key(&w, "threads");
    json_u64(&w, m->nthreads);
    json_key(&w, "sampled_objects");
    json_u64(&w, o->t.sampled);
    json_key(&w, "sampled_bytes");
    json_u64(&w, o->t.sampled_bytes);
    json_key(&w, "sites");
    json_u64(&w, m->nsite);
    json_key(&w, "typed_objects");
    json_u64(&w, o->t.typed);
    json_key(&w, "typed_reachable_bytes");
    json_u64(&w, o->t.typed_reachable_bytes);
    json_key(&w, "mem_profile_rate");
    json_u64_or_null(&w, m->mem_profile_rate || m->mem_profile_rate_known, m->mem_profile_rate);
    /* model.h: 0 objects means the input has no memstats (a core, or a
     * dump that ended before them); then neither figure is known */
    json_key(&w, "runtime_heap_objects");
    json_u64_or_null(&w, m->heap_objects_runtime != 0, m->heap_objects_runtime);
    json_key(&w, "runtime_heap_alloc");
    json_u64_or_null(&w, m->heap_objects_runtime != 0, m->heap_alloc_runtime);
    json_model_warnings(&w, m);
    json_obj_end(&w);
    json_done(&w);
}

static void print_text(const rt_model *m, const rt_overview *o)
{
    char b1[32], b2[32], b3[32];
    int core = m->input_kind == RT_INPUT_CORE;
    const rt_reach *reach = &o->reach;
    cli_print_partial_text(m, stdout);
    printf("input        %s %s (%s)\n", core ? "core" : "heap dump", m->input_path,
           cli_bytes(o->input_size, b1, sizeof b1));
    printf("producer     %s %s\n", m->go_version ? m->go_version : "unknown Go version", m->goarch ? m->goarch : "");
    printf("executable   %s%s%s%s\n", m->exe_path ? m->exe_path : "(not given: global roots are unnamed)",
           m->exe_how ? " (" : "", m->exe_how ? m->exe_how : "", m->exe_how ? ")" : "");
    if (m->debug_path)
        printf("debug file   %s (DWARF and symbols of the stripped executable)\n", m->debug_path);
    if (m->symbols_path)
        printf("symbols      %s (an unstripped build of the same source)\n", m->symbols_path);
    if (m->index_path)
        printf("index        %s (answers come from it, not from the files above)\n", m->index_path);
    if (m->degraded)
        printf("degraded     %s\n", m->degraded);
    printf("objects      %u allocated, %s", m->nobj, cli_bytes(o->t.bytes, b1, sizeof b1));
    if (core)
        printf(", in %" PRIu64 " heap span%s of %" PRIu64 " arena%s", m->nspans, m->nspans == 1 ? "" : "s",
               m->narenas, m->narenas == 1 ? "" : "s");
    if (m->heap_objects_runtime)
        printf(" (runtime counted %" PRIu64 " objects, %s in use)", m->heap_objects_runtime,
               cli_bytes(m->heap_alloc_runtime, b3, sizeof b3));
    else if (!core)
        printf(" (the runtime's own counts are not recorded: %s)",
               m->partial ? "the dump ends before its memstats" : "the dump has no memstats");
    printf("\n");
    if (!o->reachable_known)
        printf("reachable    unknown: the input lost roots (%s); the roots read reach %u objects, %s\n", m->roots_lost,
               reach->nreachable, cli_bytes(reach->reachable_bytes, b1, sizeof b1));
    else
        printf("reachable    %u objects, %s (%.1f%% of allocated bytes); unreachable %s\n", reach->nreachable,
               cli_bytes(reach->reachable_bytes, b1, sizeof b1),
               o->t.bytes ? 100.0 * (double)reach->reachable_bytes / (double)o->t.bytes : 0.0,
               cli_bytes(o->t.bytes - reach->reachable_bytes, b2, sizeof b2));
    printf("pointers     %" PRIu64 " edges\n", m->nedge);
    printf("roots        %u", m->nroot);
    for (int k = 0, first = 1; k < RT_ROOT_KIND_COUNT; k++)
        if (o->roots_by_kind[k]) {
            printf("%s %s %" PRIu64, first ? ":" : "", rt_root_kind_name((rt_root_kind)k), o->roots_by_kind[k]);
            first = 0;
        }
    if (!m->nroot)
        printf(" (%s)", m->partial ? "the input ends before its roots" : "none recorded");
    printf("\n");
    printf("goroutines   %u (threads %u)\n", m->ngoroutine, m->nthreads);
    if (core && m->nsite == 0)
        printf("sampled      no allocation stacks were read from this core\n");
    else
        printf("sampled      %" PRIu64 " objects (%s) carry an allocation stack, from %u sites\n", o->t.sampled,
               cli_bytes(o->t.sampled_bytes, b1, sizeof b1), m->nsite);
    if (core) {
        if (m->mem_profile_rate == 1)
            printf("profiling    runtime.MemProfileRate 1 (every allocation sampled)\n");
        else if (m->mem_profile_rate)
            printf("profiling    runtime.MemProfileRate %" PRIu64 " (one sample per %s allocated)\n",
                   m->mem_profile_rate, cli_bytes(m->mem_profile_rate, b1, sizeof b1));
        else if (m->mem_profile_rate_known)
            printf("profiling    runtime.MemProfileRate is 0: the program keeps no allocation stacks "
                   "now (memory profiling off, or never linked in)\n");
        else
            printf("profiling    runtime.MemProfileRate unknown (not found in this core)\n");
    }
    print_typed(m, o);
    if (m->profile_path)
        text_profile(m, o);
    text_warnings(m);
}

int cmd_overview(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "overview", .profile_alone_ok = 1 };
    int rc = cli_parse(&ctx, argc, argv, usage, NULL, NULL, NULL);
    if (rc >= 0)
        return rc;
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_overview o;
    overview_compute(ctx.m, &o);
    if (ctx.m->input_kind == RT_INPUT_PROFILE)
        print_profile_alone(ctx.m, &o, ctx.json);
    else if (ctx.json)
        print_json(ctx.m, &o);
    else
        print_text(ctx.m, &o);
    overview_free(&o);
    cli_done(&ctx);
    return EXIT_OK;
}
