/* gocore_load.c — the Go core loader's steps, in order: open the core
 * and its executable, check they belong together, read the runtime's
 * layouts from DWARF, then objects, pointers and roots. */
#include "loaders/gocore/gocore_load.h"

#include <stdio.h>
#include <string.h>

#include "loaders/elf/elf_debugfile.h"
#include "loaders/elf/elf_symbols.h"
#include "loaders/elf/exe_file.h"
#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"

static int check_version(gc_load *L, int force, rt_error *err)
{
    char warn[256];
    int rc = gv_admit(&L->ver, force, L->core_path, warn, sizeof warn, err);
    if (rc == 0 && warn[0])
        model_warn(L->m, "%s", warn);
    return rc;
}

static void note_partial(gc_load *L)
{
    size_t n;
    const ec_range *miss = ec_missing_ranges(L->core, &n);
    uint64_t have, want;
    if (!n)
        return;
    ec_core_sizes(L->core, &have, &want);
    L->m->partial = 1;
    L->m->partial_offset = have;
    snprintf(L->m->partial_reason, sizeof L->m->partial_reason,
             "the core is truncated (%llu of %llu bytes); %zu address ranges are missing, the first "
             "0x%llx..0x%llx, and objects or roots there are not seen",
             (unsigned long long)have, (unsigned long long)want, n, (unsigned long long)miss[0].start,
             (unsigned long long)(miss[0].start + miss[0].size));
}

/* Say what a core read without DWARF lacks, and what stood in for it. */
static void note_degraded(gc_load *L)
{
    char buf[512];
    const char *from = NULL;
    gc_layout scratch;
    gc_layout_table(L->ver.minor, &scratch, &from);
    snprintf(buf, sizeof buf, "no DWARF: %s, stack slots unnamed, types from runtime descriptors; runtime "
             "layout built in (generated from %s), globals found by %s",
             L->glob.how && strcmp(L->glob.how, "symbols") == 0 ? "globals named by the symbol table"
                                                                   : "globals unnamed",
             from ? from : "?", L->glob.how ? L->glob.how : "?");
    L->m->degraded = rt_strdup(buf);
}

/* The executable has no DWARF and no debug file was found: what was
 * looked for, in one short line (elf_debug_resolve's error lists every
 * path, too long for a warning). */
static void warn_no_debug_file(rt_model *m, const elf_debug_ids *ids)
{
    char hex[160];
    model_warn(m, "no debug file was found for %s%s (by build id under /usr/lib/debug/.build-id and "
                  "--debug-dir, by .gnu_debuglink beside it); read without DWARF: give the debug file or "
                  "--symbols FILE for names", ids->build_id_len ? "GNU build id " : "the executable (no GNU build id)",
               elf_build_id_hex(ids, hex, sizeof hex));
}

/* --symbols: the symbol table of an unstripped build stands in for the
 * executable's own. */
static int adopt_symbols(gc_load *L, const char *path, rt_error *err)
{
    elf_symtab names;
    int rc = elf_symtab_load(&names, path, err);
    if (rc)
        return rc;
    if (!L->have_syms) {
        elf_symtab_free(&names);
        rt_error_where(err, L->exe_path, RT_NO_OFFSET, "reading its sections for --symbols");
        return RT_FAIL(err, RT_E_FORMAT, "the executable's sections cannot be read");
    }
    if ((rc = elf_symtab_adopt(&names, &L->syms, path, L->exe_path, err)) != 0) {
        elf_symtab_free(&names);
        return rc;
    }
    L->syms = names;
    L->syms_owned = 1;
    L->m->symbols_path = rt_strdup(path);
    return 0;
}

typedef struct types_job {
    gc_load *L;
    ty_propagate_fn propagate;
} types_job;

static void run_types(void *arg)
{
    types_job *t = arg;
    gc_types(t->L, t->propagate);
}

int gocore_load(rt_model *m, rt_inputs *in, const rt_progress *prog, rt_error *err)
{
    const char *core_path = in->core;
    gc_load L;
    memset(&L, 0, sizeof L);
    L.m = m;
    L.core_path = core_path;
    L.prog = prog;
    L.threads = in->threads;
    m->input_kind = RT_INPUT_CORE;
    m->input_path = rt_strdup(core_path);
    int rc = ec_open_with(&L.core, in->core_file, in->exe_handle ? exe_elf_file(in->exe_handle) : NULL, err);
    if (rc)
        return rc;
    const ec_exe_info *x = ec_exe(L.core);
    if (!x->path) {
        rt_error_where(err, core_path, RT_NO_OFFSET, "finding the executable");
        rc = RT_FAIL(err, RT_E_NOTFOUND, "%s", x->problem ? x->problem :
                     "the core's executable was not found; name the executable after the core");
        goto out;
    }
    /* an executable the core named and the reader opened becomes the
     * handle every later reader shares (a profile's check too) */
    if (!in->exe_handle)
        in->exe_handle = exe_from_file(ec_take_exe(L.core));
    exe_file *xh = in->exe_handle;
    L.exe_path = x->path;
    m->exe_path = rt_strdup(x->path);
    m->exe_how = rt_strdup(ec_exe_how_name(x->how));
    L.bias = x->bias_known ? x->bias : 0;
    m->exe_bias = (int64_t)L.bias;
    if ((rc = ec_check_exe(L.core, err)) != 0)
        goto out;
    for (size_t i = 0; i < ec_nwarnings(L.core); i++)
        model_warn(m, "%s", ec_warning(L.core, i));
    const elf_debug_ids *ids;
    if ((rc = exe_ids(xh, &ids, err)) != 0)
        goto out;
    if (exe_is_go(xh) == 0) {
        rt_error_where(err, core_path, RT_NO_OFFSET, "checking the executable");
        rc = RT_FAIL(err, RT_E_UNSUPPORTED,
                     "this is not the core of a Go program (its executable %s has no Go sections); "
                     "only Go cores are supported for now", x->path);
        goto out;
    }
    /* DWARF and symbols from the executable, or from its debug file */
    exe_file *src = NULL;
    rc = elf_debug_source(xh, in->debug_dirs, &src, err);
    if (rc == -RT_E_NOTFOUND) {
        /* no DWARF anywhere: what the runtime keeps for itself is enough */
        if (!in->symbols)
            warn_no_debug_file(m, ids);
        src = xh;
        rt_error_clear(err);
        rc = 0;
    } else if (rc) {
        goto out;
    } else {
        if (src != xh)
            m->debug_path = rt_strdup(exe_path(src));
        if ((rc = exe_dwarf(src, &L.dw, err)) != 0)
            goto out;
        /* stack roots are named by the functions' DWARF locals: read in
         * the same libdwarf session */
        rt_error e2;
        if (dwi_load_locals(L.dw, &e2) != 0)
            model_warn(m, "stack variables stay unnamed: %s", e2.msg);
    }
    L.dwarf_path = exe_path(src);
    {
        rt_error e2;
        const elf_symtab *t;
        L.have_syms = exe_symtab(src, &t, &e2) == 0;
        if (L.have_syms)
            L.syms = *t;
    }
    if (in->symbols && L.dw) {
        model_warn(m, "--symbols %s is not used: the executable's DWARF names everything", in->symbols);
    } else if (in->symbols && (rc = adopt_symbols(&L, in->symbols, err)) != 0) {
        goto out;
    }
    if ((rc = gc_layout_read(&L, err)) || (rc = check_version(&L, in->force, err)))
        goto out;
    if (!L.dw)
        note_degraded(&L);
    gc_rtypes_new(&L);
    m->go_version = rt_strdup(L.ver.text);
    m->goarch = rt_strdup("amd64");
    m->nthreads = (uint32_t)ec_nthreads(L.core);
    m->globals_found_by = L.glob.how;
    {
        const struct rt_runtime_global g[6] = {
            { "runtime.mheap_", L.glob.mheap }, { "runtime.allgs", L.glob.allgs },
            { "runtime.firstmoduledata", L.glob.firstmoduledata },
            { "runtime.MemProfileRate", L.glob.memprofilerate }, { "runtime.allfin", L.glob.allfin },
            { "runtime.gcCleanups", L.glob.gccleanups },
        };
        memcpy(m->runtime_globals, g, sizeof g);
    }
    if ((rc = gc_heap_objects(&L, err)) || (rc = gc_heap_pointers(&L, err)))
        goto out;
    m->nspans = L.nspans;
    /* spans are sorted, so arenas come in order: count the changes */
    for (size_t i = 0, last = SIZE_MAX; i < L.nspans; i++) {
        size_t a = (size_t)((L.spans[i].base - L.lay.arena_base_offset) / L.lay.heap_arena_bytes);
        m->narenas += a != last;
        last = a;
    }
    gc_pcln_open(&L);
    if ((rc = gc_roots_globals(&L, err)) || (rc = gc_roots_stacks(&L, err)) ||
        (rc = gc_roots_finalizers(&L, err)) || (rc = gc_sites(&L, err)))
        goto out;
    gc_iface_seeds(&L);  /* without DWARF: types from interface values */
    model_sides_done(m); /* types and sites are all set */
    rootset_finish(&L.rs, m);
    /* the types after the roots (they seed them, in their order), the
     * pruning after the types (they follow every edge) but its search
     * beside them */
    types_job tj = { &L, in->propagate ? in->propagate : ty_propagate };
    rootset_prune_beside(&L.rs, m, L.threads, in->want_reverse, run_types, &tj);
    if (L.ondemand_masks)
        model_warn(m, "%llu objects whose type's pointer mask is built lazily (or a GC program) were "
                      "scanned conservatively", (unsigned long long)L.ondemand_masks);
    if (L.words_unreadable)
        model_warn(m, "%llu pointer words could not be read", (unsigned long long)L.words_unreadable);
    note_partial(&L);
out:
    gc_rtypes_free(&L);
    gc_pcln_close(&L);
    rootset_free(&L.rs);
    free(L.spans);
    free(L.span_first);
    gc_finder_free(&L);
    if (L.syms_owned)
        elf_symtab_free(&L.syms);
    ec_close(L.core); /* the DWARF, symbols and files stay the handles' (inputs_release) */
    return rc;
}
