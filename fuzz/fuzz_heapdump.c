/* fuzz_heapdump.c — libFuzzer target: arbitrary bytes as a Go heap dump.
 *
 * Each input is written to one memfd per process (the parser reads files
 * by path, so it is opened again through /proc/self/fd/N) and then goes
 * through what `retain` does with a dump:
 *   1. the record parser over every record, reading every pointer word;
 *   2. the full loader into a fresh model;
 *   3. if that loads, the model's invariants (checked here: a violation
 *      aborts, so the fuzzer reports it), and the analyses the CLI runs —
 *      reachability, shortest paths to a few objects, both aggregations;
 *   4. one input in eight (by its last byte) loads again matched against
 *      a real executable (FUZZ_HEAPDUMP_EXE, which scripts/fuzz.sh sets
 *      to the seed generator's binary, and whose dump it also seeds with
 *      data and bss kept whole, as the match needs): DWARF names for the
 *      roots, the dump's types and itabs joined to it, the propagation.
 * Everything is freed, so LeakSanitizer sees leaks per input.
 *
 * Build: fuzz/CMakeLists.txt (RETAIN_FUZZ=ON, clang); run: scripts/fuzz.sh. */
#define FUZZ_TARGET "fuzz_heapdump"
#include "fuzz_input.h" /* first: it defines _GNU_SOURCE */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/aggregate.h"
#include "analysis/paths.h"
#include "analysis/reach.h"
#include "loaders/heapdump/heapdump_load.h"
#include "loaders/heapdump/heapdump_parse.h"
#include "loaders/inputs.h"
#include "model/model.h"
#include "util/error.h"

static fuzz_file g_input = FUZZ_FILE_INIT; /* one per process, rewritten per input */

/* The CLI prints an error as one line. */
static void check_message(const rt_error *err)
{
    char line[1200];
    rt_error_format(err, line, sizeof line);
    INVARIANT(strpbrk(line, "\n\r") == NULL);
}

/* 1. The parser alone: every record, every pointer word. */
static void run_parser(void)
{
    hd_parser p;
    hd_record r;
    rt_error err;
    rt_error_clear(&err);
    memset(&r, 0, sizeof r);
    if (hd_open(&p, g_input.path, &err) != 0) {
        INVARIANT(err.code != RT_E_OK);
        return;
    }
    int rc;
    uint64_t last = 0;
    while ((rc = hd_next(&p, &r, &err)) == 1) {
        INVARIANT(r.offset >= last);
        INVARIANT(r.offset < hd_file_size(&p));
        last = r.offset;
        /* members other than the tag's keep older values (heapdump_parse.h) */
        int has_fields = r.tag == HD_OBJECT || r.tag == HD_DATA || r.tag == HD_BSS ||
                         r.tag == HD_FRAME;
        for (size_t i = 0; has_fields && i < r.nfields; i++) {
            uint64_t v;
            INVARIANT(r.fields[i] + 8 <= r.contents.len);
            (void)hd_word(&p, &r.contents, r.fields[i], &v, &err);
        }
        for (size_t i = 0; r.tag == HD_MEMPROF && i < r.nframes; i++) {
            INVARIANT(strlen(r.frames[i].function.s) <= r.frames[i].function.len);
            INVARIANT(strlen(r.frames[i].file.s) <= r.frames[i].file.len);
        }
    }
    if (rc < 0) {
        INVARIANT(err.code != RT_E_OK && -rc == (int)err.code);
        check_message(&err);
    }
    hd_close(&p);
}

/* What every analysis relies on. */
static void check_model(const rt_model *m)
{
    uint32_t n = model_nnodes(m);
    for (uint32_t i = 0; i < m->nobj; i++) {
        const rt_object *o = &m->objects[i];
        if (i > 0)
            INVARIANT(m->objects[i - 1].base + m->objects[i - 1].size <= o->base);
        INVARIANT(model_obj_site(m, i) == RT_NONE || model_obj_site(m, i) < m->nsite);
        if (o->size)
            INVARIANT(model_find(m, o->base) == i);
        INVARIANT(strpool_get(m->strings, model_obj_type_name(m, i)) != NULL);
    }
    INVARIANT(m->edge_start[0] == 0);
    for (uint32_t v = 0; v < n; v++)
        INVARIANT(m->edge_start[v] <= m->edge_start[v + 1]);
    INVARIANT(m->edge_start[n] == m->nedge);
    for (uint64_t e = 0; e < m->nedge; e++)
        INVARIANT(m->edge_dst[e] < m->nobj);
    for (uint32_t s = 0; s < m->nsite; s++) {
        const rt_site *st = &m->sites[s];
        INVARIANT((uint64_t)st->frame_start + st->nframes <= m->nframe);
        INVARIANT(st->nframes == 0 || st->alloc_frame < st->nframes);
    }
    for (uint32_t r = 0; r < m->nroot; r++)
        INVARIANT(m->roots[r].kind < RT_ROOT_KIND_COUNT);
    if (m->partial)
        INVARIANT(m->partial_reason[0] != 0);
}

/* 2 and 3. The loader and the analyses. */
static void run_loader(const char *exe)
{
    rt_error err;
    rt_error_clear(&err);
    rt_model *m = model_new();
    /* the dump by path (whatever its first bytes say), the executable
     * as the command line hands it over: open */
    rt_inputs in;
    memset(&in, 0, sizeof in);
    in.dump = g_input.path;
    in.dump_fd = -1;
    in.exe = exe;
    if (exe && exe_open(&in.exe_handle, exe, "executable", &err) != 0)
        abort(); /* the seed's own executable */
    int rc = heapdump_load_inputs(m, &in, NULL, &err);
    exe_close(in.exe_handle);
    if (rc != 0) {
        INVARIANT(rc < 0 && err.code != RT_E_OK);
        check_message(&err);
        model_free(m);
        return;
    }
    check_model(m);

    rt_reach reach;
    reach_compute(m, &reach);
    INVARIANT(reach.nreachable <= m->nobj);

    if (m->nobj) {
        uint32_t targets[3] = { 0, m->nobj / 2, m->nobj - 1 };
        for (int i = 0; i < 3; i++) {
            rt_paths paths;
            paths_find(m, targets[i], i == 1 ? 4 : 1, &paths);
            INVARIANT((paths.npaths > 0) == (reach_is(&reach, targets[i]) != 0));
            for (uint32_t k = 0; k < paths.npaths; k++) {
                const rt_path *p = &paths.paths[k];
                INVARIANT(p->root < m->nroot && p->nhops > 0);
                INVARIANT(p->hops[p->nhops - 1] == targets[i]);
                for (uint32_t h = 0; h < p->nhops; h++)
                    INVARIANT(p->hops[h] < m->nobj);
            }
            paths_free(&paths);
        }
        /* an interior address resolves to the same object */
        const rt_object *o = &m->objects[m->nobj / 2];
        if (o->size > 1 && o->base + o->size - 1 > o->base &&
            o->base + o->size - 1 < UINT64_MAX - 8191)
            INVARIANT(model_find(m, o->base + o->size - 1) == m->nobj / 2);
    }

    rt_agg agg;
    aggregate(m, RT_BY_TYPE, &reach, &agg);
    INVARIANT(agg.total_count == m->nobj);
    aggregate_free(&agg);
    aggregate(m, RT_BY_SITE, &reach, &agg);
    INVARIANT(agg.total_count == m->nobj);
    aggregate_free(&agg);
    (void)aggregate_typed_share(m);

    reach_free(&reach);
    model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_open(&g_input, "retain-fuzz");
    if (fuzz_file_put(&g_input, data, size) != 0)
        return 0;
    run_parser();
    run_loader(NULL);
    const char *exe = getenv("FUZZ_HEAPDUMP_EXE");
    if (exe && *exe && size && data[size - 1] % 8 == 0)
        run_loader(exe);
    return 0;
}
