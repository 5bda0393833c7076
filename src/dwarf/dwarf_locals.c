/* dwarf_locals.c — dwi_load_locals (dwarf_info.h): the second, optional
 * pass that reads the parameters and locals of every function.
 *
 * They are most of a Go executable's DIEs and location lists (two thirds
 * of the load time), and only stack naming needs them, so dwi_open leaves
 * them out and notes the DIE offsets of the functions instead.  This pass
 * continues dwi_open's libdwarf session (or starts one on the same open
 * file), first
 * registers the names and types of the abstract functions' params (what
 * inlined and concrete DIEs point at with DW_AT_abstract_origin), then
 * visits each function by offset.  Location lists are decoded by
 * dwarf_loc.c from section bytes loaded here. */
#include <string.h>
#include <time.h>

#include "dwarf/dwarf_int.h"
#include "util/alloc.h"

int dwi_load_locals(dw_info *d, rt_error *err)
{
    if (d->locals_loaded)
        return 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* dwi_open's session when it is still open (the usual case), else a
     * new one on the same open file, which must not have been rewritten
     * since (the DIE offsets noted would name other bytes) */
    void *dbg = d->dbg;
    d->dbg = NULL;
    int rc = dw_same_file(d, err);
    dw_secs secs;
    memset(&secs, 0, sizeof secs);
    if (!rc)
        rc = dw_secs_load(d->file, &secs, err);
    if (!rc && !dbg)
        rc = dw_lib_open(d->file, &dbg, err);
    if (rc) {
        dw_lib_close(dbg);
        dw_secs_free(&secs);
        rt_error_where(err, d->path, RT_NO_OFFSET, "reading DWARF function locals");
        return rc;
    }
    /* d->ops holds at least nops entries; claiming no more is safe */
    dw_build b = { .d = d, .dbg = dbg, .err = err, .ops_cap = d->nops, .secs = &secs };
    size_t dies_before = d->stats.ndies, ops_before = d->nops;
    for (size_t i = 0; i < d->nabstract && !rc; i++)
        rc = dw_walk_func(&b, d->abstract_off[i], true, 0);
    if (!rc) {
        /* one raw_func per d->funcs entry, filled by the walk */
        b.rfuncs = rt_calloc(d->nfuncs ? d->nfuncs : 1, sizeof *b.rfuncs);
        b.nrfuncs = b.rfuncs_cap = d->nfuncs;
    }
    for (size_t i = 0; i < d->nfuncs && !rc; i++) {
        b.cu = d->func_cu[i] < d->ncus ? &d->cus[d->func_cu[i]] : NULL;
        rc = dw_walk_func(&b, d->func_die_off[i], false, (uint32_t)i);
    }
    if (!rc) {
        dw_link_locals(&b);
        d->locals_loaded = true;
        d->stats.locals_ms = dw_elapsed_ms(&t0);
    } else {
        /* leave d as it was: no locals, ops back to the globals' count */
        d->stats.ndies = dies_before;
        d->nops = ops_before;
        rt_error_where(err, d->path, RT_NO_OFFSET, "reading DWARF function locals");
    }
    dw_build_free(&b);
    dw_lib_close(dbg);
    dw_secs_free(&secs);
    return rc;
}

bool dwi_has_locals(const dw_info *d)
{
    if (!d)
        return false; /* no DWARF: nothing to find */
    return d->locals_loaded;
}
