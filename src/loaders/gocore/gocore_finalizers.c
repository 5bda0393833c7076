/* gocore_finalizers.c — finalizer and cleanup roots of a Go core, as the
 * runtime's GC treats them (mgcmark.go):
 *
 *  - markrootSpans walks every span's specials.  A finalizer special
 *    keeps what its object points to (the GC scans the object without
 *    marking it: a finalized object must stay collectable) and its
 *    closure (specialfinalizer.fn).  A cleanup special (Go 1.24+) keeps
 *    its record's closures and not the object: 1.24's record holds one
 *    closure, which AddCleanup made around the cleanup function and its
 *    argument; from 1.26 it holds a cleanupFn {call, fn, arg}, every word
 *    of which the GC scans (cleanupFnPtrMask).
 *  - The finalizer-queue root (fixedRootFinalizers) scans the first cnt
 *    records of every block on runtime.allfin: a queued finalizer keeps
 *    its closure and its object, which the sweeper resurrected to be
 *    passed to it (finptrmask: fn, arg, fint, ot).  1.24 queues cleanups
 *    there too, with only fn set.
 *  - From 1.26 queued cleanups have their own root (fixedRootCleanups):
 *    the first n cleanupFns of every block on runtime.gcCleanups.all.
 *
 * Roots are named as the heap-dump loader names its finalizer records
 * ("finalizer", "queued finalizer"), cleanups likewise ("cleanup",
 * "queued cleanup"), with the function of the closure: a closure's first
 * word is its code pointer, named by the pc-value table (or DWARF).  A
 * root set on an object sits at the object's base (as in a heap dump);
 * the object's pointer words keep their offsets, closure words have none.
 *
 * Layouts come from DWARF (gocore_layout.c); each part is optional, and
 * a core whose DWARF lacks one loads with a warning.  Every record is read
 * through the bounds-checked core reader: lists that do not end and
 * counts larger than their block are cut. */
#include <string.h>

#include "gopclntab/gopclntab.h"
#include "loaders/gocore/gocore_int.h"

#define MAX_BLOCKS (1u << 20) /* finalizer / cleanup blocks: more than any real queue */


/* A word of root that is no field of anything: a closure, a type. */
static void closure_word(gc_load *L, uint32_t root, uint64_t value)
{
    if (!value)
        return;
    rootset_word(&L->rs, root, 0, value);
    L->rs.words[L->rs.nword - 1].off = RT_OFF_NONE;
}

/* The function a closure (a funcval: code pointer, then captured
 * variables) calls, as a string id; 0 if unknown. */
static uint32_t closure_function(gc_load *L, uint64_t fv)
{
    uint64_t pc;
    rt_error e;
    if (!fv || ec_read_u64(L->core, fv, &pc, &e) || pc <= L->bias)
        return 0;
    gp_func f;
    if (L->pcln && gp_func_at(L->pcln, pc - L->bias, &f) == 0 && f.name && *f.name)
        return strpool_intern_cstr(L->m->strings, f.name);
    const dw_func *df = dwi_func_at(L->dw, pc - L->bias);
    return df && df->name ? strpool_intern_cstr(L->m->strings, df->name) : 0;
}

/* The cleanup function of a cleanup's closure fv.  On 1.24 fv is
 * AddCleanup's own closure, func() { cleanup(arg) }: name what it calls,
 * its first captured word (the compiler lays captured variables out in
 * the order the body first uses them). */
static uint32_t cleanup_closure_function(gc_load *L, uint64_t fv)
{
    uint32_t name = closure_function(L, fv);
    if (L->lay.spcl_wrapped && name &&
        strncmp(strpool_get(L->m->strings, name), "runtime.AddCleanup", 18) == 0) {
        uint32_t inner = closure_function(L, ec_read_u64_or(L->core, fv + 8, 0));
        if (inner)
            name = inner;
    }
    return name;
}

/* The cleanup function of the cleanup record field (fn, or cleanupFn) at
 * addr. */
static uint32_t cleanup_function(gc_load *L, uint64_t addr)
{
    const gc_layout *y = &L->lay;
    if (y->cfn_fn == UINT64_MAX)
        return 0;
    return cleanup_closure_function(L, ec_read_u64_or(L->core, addr + y->cfn_fn, 0));
}

static uint32_t add_root(gc_load *L, rt_root_kind kind, uint64_t addr, const char *name, uint32_t fn)
{
    uint32_t root = rootset_add(&L->rs, kind, addr);
    L->rs.roots[root].name = strpool_intern_cstr(L->m->strings, name);
    L->rs.roots[root].function = fn;
    return root;
}

/* One special record (gc_span_specials): finalizers and cleanups. */
static void on_special(gc_load *L, size_t k, uint64_t rec, unsigned kind, uint64_t off, void *ctx)
{
    const gc_layout *y = &L->lay;
    const gc_span *s = &L->spans[k];
    rt_model *m = L->m;
    int fin = y->fin_ok && (int64_t)kind == y->kind_finalizer;
    int clean = y->cleanup_ok && (int64_t)kind == y->kind_cleanup;
    if ((!fin && !clean) || !s->elemsize || off >= s->npages * y->page_size)
        return;
    /* a finalizer may be set on an inner byte of its object */
    uint64_t p = s->base + off / s->elemsize * s->elemsize;
    uint32_t o = model_find(m, p);
    if (o == RT_NONE || o < L->span_first[k] || o >= L->span_first[k + 1])
        return;
    uint64_t base = m->objects[o].base;
    if (fin) {
        uint64_t fv = ec_read_u64_or(L->core, rec + y->spf_fn, 0);
        uint32_t root = add_root(L, RT_ROOT_FINALIZER, base, "finalizer", closure_function(L, fv));
        /* what the object points to, not the object */
        for (uint32_t e = m->edge_start[o]; e < m->edge_start[o + 1]; e++) {
            uint64_t to = m->objects[m->edge_dst[e]].base;
            if (m->edge_off[e] == RT_OFF_NONE)
                closure_word(L, root, to);
            else
                rootset_word(&L->rs, root, m->edge_off[e], to);
        }
        closure_word(L, root, fv);
    } else {
        uint64_t field = rec + y->spcl_fn;
        uint32_t root = add_root(L, RT_ROOT_CLEANUP, base, "cleanup", cleanup_function(L, field));
        for (uint64_t w = 0; w < y->spcl_fn_size; w += 8)
            closure_word(L, root, ec_read_u64_or(L->core, field + w, 0));
    }
}

/* Queued finalizers: the first cnt records of each block on allfin.  0,
 * or -1 if the queue could not be read to its end. */
static int queued_finalizers(gc_load *L)
{
    const gc_layout *y = &L->lay;
    rt_model *m = L->m;
    uint64_t fb = ec_read_u64_or(L->core, L->glob.allfin, 0);
    for (uint32_t nb = 0; fb; nb++) {
        uint32_t cnt = 0;
        rt_error e;
        if (nb == MAX_BLOCKS || ec_read(L->core, fb + y->fb_cnt, &cnt, 4, &e))
            return -1;
        if (cnt > y->fb_nfin)
            return -1;
        for (uint32_t i = 0; i < cnt; i++) {
            uint64_t rec = fb + y->fb_fin + (uint64_t)i * y->fz_size;
            uint64_t fv = ec_read_u64_or(L->core, rec + y->fz_fn, 0);
            uint64_t arg = ec_read_u64_or(L->core, rec + y->fz_arg, 0);
            uint64_t fint = ec_read_u64_or(L->core, rec + y->fz_fint, 0);
            uint32_t root;
            if (!arg && !fint && y->kind_cleanup >= 0) {
                /* 1.24: a queued cleanup has only fn */
                root = add_root(L, RT_ROOT_CLEANUP, rec, "queued cleanup", cleanup_closure_function(L, fv));
            } else {
                uint32_t o = model_find(m, arg);
                root = add_root(L, RT_ROOT_FINALIZER, o != RT_NONE ? m->objects[o].base : arg,
                                "queued finalizer", closure_function(L, fv));
                if (arg)
                    rootset_word(&L->rs, root, 0, arg); /* the object itself */
            }
            closure_word(L, root, fv);
            closure_word(L, root, fint);
            closure_word(L, root, ec_read_u64_or(L->core, rec + y->fz_ot, 0));
        }
        fb = ec_read_u64_or(L->core, fb + y->fb_alllink, 0);
    }
    return 0;
}

/* Queued cleanups of 1.26+: the first n cleanupFns of each block on
 * gcCleanups.all.  0, or -1 if the queue could not be read to its end. */
static int queued_cleanups(gc_load *L)
{
    const gc_layout *y = &L->lay;
    uint64_t cb = ec_read_u64_or(L->core, L->glob.gccleanups + y->cq_all, 0);
    for (uint32_t nb = 0; cb; nb++) {
        uint32_t n = 0;
        rt_error e;
        if (nb == MAX_BLOCKS || ec_read(L->core, cb + y->cb_n, &n, 4, &e) || n > y->cb_ncleanups)
            return -1;
        for (uint32_t i = 0; i < n; i++) {
            uint64_t rec = cb + y->cb_cleanups + (uint64_t)i * y->cfn_size;
            uint32_t root = add_root(L, RT_ROOT_CLEANUP, rec, "queued cleanup", cleanup_function(L, rec));
            for (uint64_t w = 0; w < y->cfn_size; w += 8)
                closure_word(L, root, ec_read_u64_or(L->core, rec + w, 0));
        }
        cb = ec_read_u64_or(L->core, cb + y->cb_alllink, 0);
    }
    return 0;
}

int gc_roots_finalizers(gc_load *L, rt_error *err)
{
    const gc_layout *y = &L->lay;
    rt_model *m = L->m;
    uint64_t cut = 0; /* span specials lists cut short */
    if (!y->fin_ok)
        model_warn(m, "finalizer roots: this runtime's finalizer records were not found in the DWARF; "
                      "what finalizers keep alive may show as unreachable");
    if (y->kind_cleanup >= 0 && !y->cleanup_ok)
        model_warn(m, "cleanup roots: this runtime's cleanup records were not found in the DWARF; "
                      "what cleanups keep alive may show as unreachable");
    if (y->fin_ok || y->cleanup_ok)
        for (size_t k = 0; k < L->nspans; k++)
            if (L->spans[k].specials && gc_span_specials(L, k, on_special, NULL) != 0)
                cut++;
    if (cut)
        model_warn(m, "%llu spans' special records could not be read to their end; some finalizer "
                      "and cleanup roots are missing", (unsigned long long)cut);
    if (!y->finq_ok || !L->glob.allfin)
        model_warn(m, "queued finalizers: runtime.allfin and its blocks were not found (looked for by %s); "
                      "objects whose finalizer is queued to run may show as unreachable", L->glob.how);
    else if (queued_finalizers(L) != 0)
        model_warn(m, "the queue of finalizers to run (runtime.allfin) could not be read to its end; "
                      "some queued finalizers are missing");
    if (L->glob.gccleanups && !y->cleanq_ok)
        model_warn(m, "queued cleanups: runtime.gcCleanups' blocks were not found in the DWARF; "
                      "what queued cleanups keep alive may show as unreachable");
    else if (L->glob.gccleanups && y->cleanq_ok && queued_cleanups(L) != 0)
        model_warn(m, "the queue of cleanups to run (runtime.gcCleanups) could not be read to its "
                      "end; some queued cleanups are missing");
    (void)err;
    return 0;
}
