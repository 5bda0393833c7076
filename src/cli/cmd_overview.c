/* cmd_overview.c — `retain overview`: what the input holds, in one screen. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/reach.h"
#include "cli/cli.h"

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
static void print_typed(const rt_model *m, uint64_t typed, uint64_t typed_bytes, uint64_t typed_reachable,
                        uint64_t reachable)
{
    char b1[32], b2[32];
    double share = reachable ? 100.0 * (double)typed_reachable / (double)reachable : 0.0;
    printf("typed        %" PRIu64 " objects (%s) have a type: %.1f%% of the reachable bytes (%s)", typed,
           cli_bytes(typed_bytes, b1, sizeof b1), share, cli_bytes(typed_reachable, b2, sizeof b2));
    if (share >= 95.0 || !reachable)
        printf("\n");
    else if (m->input_kind == RT_INPUT_HEAPDUMP && !m->exe_path)
        printf("; a heap dump names few types: give the executable too, to type the rest\n");
    else if (m->input_kind == RT_INPUT_HEAPDUMP)
        printf("; a heap dump's types come from its own type records only, for now\n");
    else
        printf("; the rest is reached only through words without a type (unsafe.Pointer, uintptr, "
               "registers, frames scanned conservatively)\n");
}

/* The heap profile's totals: sites, and the in-use figures it states. */
typedef struct profile_sum {
    uint32_t sites;
    int64_t inuse_objects, inuse_bytes;
} profile_sum;

static profile_sum sum_profile(const rt_model *m)
{
    profile_sum s = { m->npsite, 0, 0 };
    for (uint32_t i = 0; i < m->npsite; i++) {
        s.inuse_objects += m->psites[i].inuse_objects > 0 ? m->psites[i].inuse_objects : 0;
        s.inuse_bytes += m->psites[i].inuse_bytes > 0 ? m->psites[i].inuse_bytes : 0;
    }
    return s;
}

static void json_profile(json_w *w, const rt_model *m)
{
    json_key(w, "profile");
    if (!m->profile_path) {
        json_null(w);
        return;
    }
    profile_sum s = sum_profile(m);
    json_obj_begin(w);
    json_key(w, "path");
    json_str(w, m->profile_path);
    json_key(w, "sites");
    json_u64(w, s.sites);
    json_key(w, "inuse_objects");
    json_u64(w, (uint64_t)s.inuse_objects);
    json_key(w, "inuse_bytes");
    json_u64(w, (uint64_t)s.inuse_bytes);
    json_key(w, "rate");
    if (m->profile_rate)
        json_u64(w, m->profile_rate);
    else
        json_null(w);
    json_obj_end(w);
}

static void text_profile(const rt_model *m)
{
    char b1[32];
    profile_sum s = sum_profile(m);
    printf("profile      %s: %u sites, %lld objects (%s) in use by its count", m->profile_path, s.sites,
           (long long)s.inuse_objects, cli_bytes((uint64_t)s.inuse_bytes, b1, sizeof b1));
    if (m->profile_rate)
        printf(", MemProfileRate %" PRIu64, m->profile_rate);
    printf("\n");
}

/* overview of a heap profile given alone: what it says, no heap */
static int overview_profile(cli_ctx *ctx)
{
    rt_model *m = ctx->m;
    if (ctx->json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        cli_json_inputs(&w, m);
        json_profile(&w, m);
        json_key(&w, "warnings");
        json_arr_begin(&w);
        for (size_t i = 0; i < m->nwarning; i++)
            json_str(&w, m->warnings[i]);
        json_arr_end(&w);
        json_obj_end(&w);
        json_done(&w);
    } else {
        printf("input        heap profile %s (no heap: sites and their counts only)\n", m->input_path);
        text_profile(m);
        for (size_t i = 0; i < m->nwarning; i++)
            printf("warning      %s\n", m->warnings[i]);
    }
    cli_done(ctx);
    return EXIT_OK;
}

int cmd_overview(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "overview", .profile_alone_ok = 1 };
    int rc = cli_parse(&ctx, argc, argv, usage, NULL, NULL, NULL);
    if (rc >= 0)
        return rc;
    rc = cli_load(&ctx);
    if (rc)
        return rc;
    if (ctx.m->input_kind == RT_INPUT_PROFILE)
        return overview_profile(&ctx);
    rt_model *m = ctx.m;
    rt_reach reach;
    reach_compute(m, &reach);

    uint64_t bytes = 0, sampled = 0, sampled_bytes = 0, typed = 0, typed_bytes = 0, typed_reachable_bytes = 0;
    for (uint32_t i = 0; i < m->nobj; i++) {
        bytes += m->objects[i].size;
        if (model_obj_site(m, i) != RT_NONE) {
            sampled++;
            sampled_bytes += m->objects[i].size;
        }
        if (model_obj_type(m, i)) {
            typed++;
            typed_bytes += m->objects[i].size;
            if (reach_is(&reach, i))
                typed_reachable_bytes += m->objects[i].size;
        }
    }
    uint64_t by_kind[RT_ROOT_KIND_COUNT] = { 0 };
    for (uint32_t r = 0; r < m->nroot; r++)
        by_kind[m->roots[r].kind]++;
    struct stat st;
    uint64_t input_size = m->input_size ? m->input_size : stat(m->input_path, &st) == 0 ? (uint64_t)st.st_size : 0;

    if (ctx.json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        json_key(&w, "input");
        json_obj_begin(&w);
        json_key(&w, "kind");
        json_str(&w, m->input_kind == RT_INPUT_CORE ? "core" : "heapdump");
        json_key(&w, "path");
        json_str(&w, m->input_path);
        json_key(&w, "size");
        json_u64(&w, input_size);
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
        json_profile(&w, m);
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
        if (m->input_kind == RT_INPUT_CORE)
            json_u64(&w, m->nspans);
        else
            json_null(&w);
        json_key(&w, "arenas");
        if (m->input_kind == RT_INPUT_CORE)
            json_u64(&w, m->narenas);
        else
            json_null(&w);
        json_key(&w, "go_version");
        json_str(&w, m->go_version);
        json_key(&w, "goarch");
        json_str(&w, m->goarch);
        json_key(&w, "objects");
        json_u64(&w, m->nobj);
        json_key(&w, "bytes");
        json_u64(&w, bytes);
        json_key(&w, "edges");
        json_u64(&w, m->nedge);
        /* with roots lost, what is reachable is unknown: null, not 0 */
        json_key(&w, "reachable_objects");
        if (m->roots_lost[0])
            json_null(&w);
        else
            json_u64(&w, reach.nreachable);
        json_key(&w, "reachable_bytes");
        if (m->roots_lost[0])
            json_null(&w);
        else
            json_u64(&w, reach.reachable_bytes);
        json_key(&w, "roots");
        json_obj_begin(&w);
        json_key(&w, "total");
        json_u64(&w, m->nroot);
        for (int k = 0; k < RT_ROOT_KIND_COUNT; k++) {
            json_key(&w, rt_root_kind_name((rt_root_kind)k));
            json_u64(&w, by_kind[k]);
        }
        json_obj_end(&w);
        json_key(&w, "goroutines");
        json_u64(&w, m->ngoroutine);
        json_key(&w, "threads");
        json_u64(&w, m->nthreads);
        json_key(&w, "sampled_objects");
        json_u64(&w, sampled);
        json_key(&w, "sampled_bytes");
        json_u64(&w, sampled_bytes);
        json_key(&w, "sites");
        json_u64(&w, m->nsite);
        json_key(&w, "typed_objects");
        json_u64(&w, typed);
        json_key(&w, "typed_reachable_bytes");
        json_u64(&w, typed_reachable_bytes);
        json_key(&w, "mem_profile_rate"); /* null: unknown */
        if (m->mem_profile_rate || m->mem_profile_rate_known)
            json_u64(&w, m->mem_profile_rate);
        else
            json_null(&w);
        /* model.h: 0 objects means the input has no memstats (a core, or a
         * dump that ended before them); then neither figure is known */
        json_key(&w, "runtime_heap_objects");
        if (m->heap_objects_runtime)
            json_u64(&w, m->heap_objects_runtime);
        else
            json_null(&w);
        json_key(&w, "runtime_heap_alloc");
        if (m->heap_objects_runtime)
            json_u64(&w, m->heap_alloc_runtime);
        else
            json_null(&w);
        json_key(&w, "warnings");
        json_arr_begin(&w);
        for (size_t i = 0; i < m->nwarning; i++)
            json_str(&w, m->warnings[i]);
        json_arr_end(&w);
        json_obj_end(&w);
        json_done(&w);
    } else {
        char b1[32], b2[32], b3[32];
        cli_print_partial_text(m, stdout);
        printf("input        %s %s (%s)\n", m->input_kind == RT_INPUT_CORE ? "core" : "heap dump", m->input_path,
               cli_bytes(input_size, b1, sizeof b1));
        printf("producer     %s %s\n", m->go_version ? m->go_version : "unknown Go version",
               m->goarch ? m->goarch : "");
        printf("executable   %s%s%s%s\n", m->exe_path ? m->exe_path : "(not given: global roots are unnamed)",
               m->exe_how ? " (" : "", m->exe_how ? m->exe_how : "", m->exe_how ? ")" : "");
        if (m->debug_path)
            printf("debug file   %s (DWARF and symbols of the stripped executable)\n", m->debug_path);
        if (m->symbols_path)
            printf("symbols      %s (an unstripped build of the same source)\n", m->symbols_path);
        if (m->degraded)
            printf("degraded     %s\n", m->degraded);
        printf("objects      %u allocated, %s", m->nobj, cli_bytes(bytes, b1, sizeof b1));
        if (m->input_kind == RT_INPUT_CORE)
            printf(", in %" PRIu64 " heap span%s of %" PRIu64 " arena%s", m->nspans, m->nspans == 1 ? "" : "s",
                   m->narenas, m->narenas == 1 ? "" : "s");
        if (m->heap_objects_runtime)
            printf(" (runtime counted %" PRIu64 " objects, %s in use)", m->heap_objects_runtime,
                   cli_bytes(m->heap_alloc_runtime, b3, sizeof b3));
        else if (m->input_kind != RT_INPUT_CORE)
            printf(" (the runtime's own counts are not recorded: %s)",
                   m->partial ? "the dump ends before its memstats" : "the dump has no memstats");
        printf("\n");
        if (m->roots_lost[0])
            printf("reachable    unknown: the input lost roots (%s); the roots read reach %u objects, %s\n",
                   m->roots_lost, reach.nreachable, cli_bytes(reach.reachable_bytes, b1, sizeof b1));
        else
            printf("reachable    %u objects, %s (%.1f%% of allocated bytes); unreachable %s\n",
                   reach.nreachable, cli_bytes(reach.reachable_bytes, b1, sizeof b1),
                   bytes ? 100.0 * (double)reach.reachable_bytes / (double)bytes : 0.0,
                   cli_bytes(bytes - reach.reachable_bytes, b2, sizeof b2));
        printf("pointers     %" PRIu64 " edges\n", m->nedge);
        printf("roots        %u", m->nroot);
        for (int k = 0, first = 1; k < RT_ROOT_KIND_COUNT; k++)
            if (by_kind[k]) {
                printf("%s %s %" PRIu64, first ? ":" : "", rt_root_kind_name((rt_root_kind)k), by_kind[k]);
                first = 0;
            }
        if (!m->nroot)
            printf(" (%s)", m->partial ? "the input ends before its roots" : "none recorded");
        printf("\n");
        printf("goroutines   %u (threads %u)\n", m->ngoroutine, m->nthreads);
        if (m->input_kind == RT_INPUT_CORE && m->nsite == 0)
            printf("sampled      no allocation stacks were read from this core\n");
        else
            printf("sampled      %" PRIu64 " objects (%s) carry an allocation stack, from %u sites\n",
                   sampled, cli_bytes(sampled_bytes, b1, sizeof b1), m->nsite);
        if (m->input_kind == RT_INPUT_CORE) {
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
        print_typed(m, typed, typed_bytes, typed_reachable_bytes, reach.reachable_bytes);
        if (m->profile_path)
            text_profile(m);
        for (size_t i = 0; i < m->nwarning; i++)
            printf("warning      %s\n", m->warnings[i]);
    }
    reach_free(&reach);
    cli_done(&ctx);
    return EXIT_OK;
}
