/* gocore_layout.c — what the runtime's structures look like in this
 * binary: field offsets and constants from DWARF, looked up by a short
 * list of candidate names (names move between Go versions), the Go
 * version from runtime.buildVersion in the core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaders/gocore/gocore_int.h"
#include "loaders/gocore/gocore_load.h"

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *const T_TYPE[] = { "internal/abi.Type", "runtime._type", NULL };

/* What the readers below need: the DWARF and its file, for errors. */
typedef struct lay_src {
    const dw_info *dw;
    const char *path;
} lay_src;

/* Offset (and size) of the first of fields that exists in the first of
 * types that exists. */
static int field(const lay_src *L, const char *const *types, const char *const *fields, uint64_t *off,
                 uint64_t *size, rt_error *err)
{
    const dw_type *t = dwi_type_any(L->dw, types);
    if (!t) {
        rt_error_where(err, L->path, RT_NO_OFFSET, "reading runtime layouts from DWARF");
        return RT_FAIL(err, RT_E_UNSUPPORTED, "the executable's DWARF has no type %s; is it a Go program?",
                       types[0]);
    }
    for (size_t i = 0; fields[i]; i++) {
        const dw_type *ft;
        if (dwt_field(t, fields[i], off, &ft) == 0) {
            if (size)
                *size = dwt_size(ft);
            return 0;
        }
    }
    rt_error_where(err, L->path, RT_NO_OFFSET, "reading runtime layouts from DWARF");
    return RT_FAIL(err, RT_E_UNSUPPORTED, "%s has no field %s in this Go version", types[0], fields[0]);
}

static int has_field(const lay_src *L, const char *type, const char *f)
{
    const dw_type *t = dwi_type(L->dw, type);
    uint64_t off;
    const dw_type *ft;
    return t && dwt_field(t, f, &off, &ft) == 0;
}

static int64_t konst(const lay_src *L, const char *const *names, int64_t dflt)
{
    int64_t v;
    return dwi_const(L->dw, names, &v) == 0 ? v : dflt;
}

/* What allocation sites need: optional, a core without them still loads. */
static void read_site_layout(const lay_src *L, gc_layout *y)
{
    rt_error e;
    const dw_type *bucket = dwi_type(L->dw, "runtime.bucket");
    y->bk_hdr = bucket ? dwt_size(bucket) : 0;
    y->kind_profile = konst(L, NAMES("runtime._KindSpecialProfile"), -1);
    y->sites_ok = y->bk_hdr > 0 && y->kind_profile >= 0 &&
        field(L, NAMES("runtime.mspan"), NAMES("specials"), &y->sp_specials, NULL, &e) == 0 &&
        field(L, NAMES("runtime.special"), NAMES("next"), &y->spc_next, NULL, &e) == 0 &&
        field(L, NAMES("runtime.special"), NAMES("offset"), &y->spc_offset, &y->spc_offset_size, &e) == 0 &&
        field(L, NAMES("runtime.special"), NAMES("kind"), &y->spc_kind, NULL, &e) == 0 &&
        field(L, NAMES("runtime.specialprofile"), NAMES("b"), &y->spp_b, NULL, &e) == 0 &&
        field(L, NAMES("runtime.bucket"), NAMES("size"), &y->bk_size, NULL, &e) == 0 &&
        field(L, NAMES("runtime.bucket"), NAMES("nstk"), &y->bk_nstk, NULL, &e) == 0 &&
        y->spc_offset_size >= 1 && y->spc_offset_size <= 8;
    if (field(L, NAMES("runtime.memRecord"), NAMES("active.allocs"), &y->mr_allocs, NULL, &e) ||
        field(L, NAMES("runtime.memRecord"), NAMES("active.frees"), &y->mr_frees, NULL, &e))
        y->mr_allocs = y->mr_frees = UINT64_MAX;
    y->pcln_ok =
        field(L, NAMES("runtime.moduledata"), NAMES("pcHeader"), &y->md_pcheader, NULL, &e) == 0 &&
        field(L, NAMES("runtime.moduledata"), NAMES("pclntable"), &y->md_pclntable, NULL, &e) == 0 &&
        field(L, NAMES("runtime.moduledata"), NAMES("text"), &y->md_text, NULL, &e) == 0 &&
        field(L, NAMES("runtime.moduledata"), NAMES("gofunc"), &y->md_gofunc, NULL, &e) == 0 &&
        field(L, NAMES("runtime.moduledata"), NAMES("rodata"), &y->md_rodata, NULL, &e) == 0;
    y->has_unwind =
        field(L, NAMES("runtime.g"), NAMES("sched.pc"), &y->g_sched_pc, NULL, &e) == 0 &&
        field(L, NAMES("runtime.g"), NAMES("syscallpc"), &y->g_syscallpc, NULL, &e) == 0 &&
        field(L, NAMES("runtime.g"), NAMES("sched.ctxt"), &y->g_sched_ctxt, NULL, &e) == 0;
}

/* Offset and type of the first of fields in the first of types that has
 * it; 0 or -1. */
static int field_type(const lay_src *L, const char *const *types, const char *const *fields, uint64_t *off,
                      const dw_type **ft)
{
    const dw_type *t = dwi_type_any(L->dw, types);
    for (size_t i = 0; t && fields[i]; i++)
        if (dwt_field(t, fields[i], off, ft) == 0)
            return 0;
    return -1;
}

/* What the roots of goroutine-owned records need (gocore_owned.c):
 * optional, each part on its own. */
static void read_owned_layout(const lay_src *L, gc_layout *y)
{
    rt_error e;
    static const char *const T_G[] = { "runtime.g", NULL };
    static const char *const T_D[] = { "runtime._defer", NULL };
    static const char *const T_P[] = { "runtime._panic", NULL };
    static const char *const T_S[] = { "runtime.sudog", NULL };
    y->defer_ok = field(L, T_G, NAMES("_defer"), &y->g_defer, NULL, &e) == 0 &&
        field(L, T_D, NAMES("sp"), &y->df_sp, NULL, &e) == 0 &&
        field(L, T_D, NAMES("pc"), &y->df_pc, NULL, &e) == 0 &&
        field(L, T_D, NAMES("fn"), &y->df_fn, NULL, &e) == 0 &&
        field(L, T_D, NAMES("link"), &y->df_link, NULL, &e) == 0;
    y->panic_ok = field(L, T_G, NAMES("_panic"), &y->g_panic, NULL, &e) == 0 &&
        field(L, T_P, NAMES("arg"), &y->pn_arg, NULL, &e) == 0 &&
        field(L, T_P, NAMES("link"), &y->pn_link, NULL, &e) == 0;
    const dw_var *wrs = dwi_global(L->dw, "runtime.waitReasonStrings");
    y->waitreasons_len = wrs && wrs->type ? dwt_array_len(wrs->type) : 0;
    y->ginfo_ok = field(L, T_G, NAMES("gopc"), &y->g_gopc, NULL, &e) == 0 &&
        field(L, T_G, NAMES("waitsince"), &y->g_waitsince, NULL, &e) == 0 &&
        field(L, T_G, NAMES("waitreason"), &y->g_waitreason, NULL, &e) == 0 &&
        field(L, NAMES("runtime.schedt"), NAMES("lastpoll.value", "lastpoll"), &y->sched_lastpoll, NULL, &e) == 0;
    y->sudog_ok = field(L, T_G, NAMES("waiting"), &y->g_waiting, NULL, &e) == 0 &&
        field(L, T_S, NAMES("elem"), &y->sg_elem, NULL, &e) == 0 &&
        field(L, T_S, NAMES("c"), &y->sg_c, NULL, &e) == 0 &&
        field(L, T_S, NAMES("waitlink"), &y->sg_waitlink, NULL, &e) == 0;
}

/* What finalizer and cleanup roots need (gocore_finalizers.c): optional,
 * each part on its own; a core without them still loads. */
static void read_finalizer_layout(const lay_src *L, gc_layout *y)
{
    rt_error e;
    const dw_type *ft;
    uint64_t osize = 0;
    y->specials_ok =
        field(L, NAMES("runtime.mspan"), NAMES("specials"), &y->sp_specials, NULL, &e) == 0 &&
        field(L, NAMES("runtime.special"), NAMES("next"), &y->spc_next, NULL, &e) == 0 &&
        field(L, NAMES("runtime.special"), NAMES("offset"), &y->spc_offset, &osize, &e) == 0 &&
        field(L, NAMES("runtime.special"), NAMES("kind"), &y->spc_kind, NULL, &e) == 0 &&
        osize >= 1 && osize <= 8;
    if (y->specials_ok)
        y->spc_offset_size = osize;

    /* a finalizer set on an object: the special's fn */
    y->kind_finalizer = konst(L, NAMES("runtime._KindSpecialFinalizer"), -1);
    y->fin_ok = y->specials_ok && y->kind_finalizer >= 0 &&
        field(L, NAMES("runtime.specialfinalizer"), NAMES("fn"), &y->spf_fn, NULL, &e) == 0;

    /* a cleanup (1.24+): 1.24's record holds one closure (fn), which
     * AddCleanup made around the cleanup function and its argument; from
     * 1.26 it holds a cleanupFn {call, fn, arg} itself */
    y->kind_cleanup = konst(L, NAMES("runtime._KindSpecialCleanup"), -1);
    y->cfn_fn = UINT64_MAX;
    const dw_type *cfn = dwi_type(L->dw, "runtime.cleanupFn");
    y->cfn_size = cfn ? dwt_size(cfn) : 0;
    if (cfn && dwt_field(cfn, "fn", &y->cfn_fn, &ft) != 0)
        y->cfn_fn = UINT64_MAX;
    if (field_type(L, NAMES("runtime.specialCleanup"), NAMES("cleanup"), &y->spcl_fn, &ft) == 0) {
        y->spcl_fn_size = dwt_size(ft);
        y->spcl_wrapped = 0;
    } else if (field_type(L, NAMES("runtime.specialCleanup"), NAMES("fn"), &y->spcl_fn, &ft) == 0) {
        y->spcl_fn_size = 8;
        y->spcl_wrapped = 1;
        y->cfn_fn = 0;
    } else {
        y->spcl_fn_size = 0;
    }
    y->cleanup_ok = y->specials_ok && y->kind_cleanup >= 0 && y->spcl_fn_size >= 8 &&
        y->spcl_fn_size <= 64 && y->spcl_fn_size % 8 == 0 &&
        (y->cfn_fn == UINT64_MAX || y->cfn_fn + 8 <= y->spcl_fn_size);

    /* queued finalizers: blocks of finalizer records on runtime.allfin */
    static const char *const T_FB[] = { "runtime.finblock", "runtime.finBlock", NULL };
    static const char *const T_FZ[] = { "runtime.finalizer", NULL };
    const dw_type *fz = dwi_type(L->dw, "runtime.finalizer");
    const dw_type *fin = NULL;
    y->fz_size = fz ? dwt_size(fz) : 0;
    y->finq_ok = y->fz_size >= 8 &&
        field(L, T_FB, NAMES("alllink"), &y->fb_alllink, NULL, &e) == 0 &&
        field(L, T_FB, NAMES("cnt"), &y->fb_cnt, NULL, &e) == 0 &&
        field_type(L, T_FB, NAMES("fin"), &y->fb_fin, &fin) == 0 &&
        field(L, T_FZ, NAMES("fn"), &y->fz_fn, NULL, &e) == 0 &&
        field(L, T_FZ, NAMES("arg"), &y->fz_arg, NULL, &e) == 0 &&
        field(L, T_FZ, NAMES("fint"), &y->fz_fint, NULL, &e) == 0 &&
        field(L, T_FZ, NAMES("ot"), &y->fz_ot, NULL, &e) == 0;
    y->fb_nfin = fin ? dwt_array_len(fin) : 0;
    if (!y->fb_nfin)
        y->finq_ok = 0;

    /* queued cleanups (1.26+; 1.24 queues them as finalizers): blocks of
     * cleanupFn records on runtime.gcCleanups.all */
    static const char *const T_CB[] = { "runtime.cleanupBlock", NULL };
    const dw_type *cl = NULL;
    y->cleanq_ok = y->cfn_size >= 8 && y->cfn_size % 8 == 0 && y->cfn_size <= 64 &&
        field(L, NAMES("runtime.cleanupQueue"), NAMES("all.value", "all"), &y->cq_all, NULL, &e) == 0 &&
        field(L, T_CB, NAMES("cleanupBlockHeader.alllink", "alllink"), &y->cb_alllink, NULL, &e) == 0 &&
        field(L, T_CB, NAMES("cleanupBlockHeader.n", "n"), &y->cb_n, NULL, &e) == 0 &&
        field_type(L, T_CB, NAMES("cleanups"), &y->cb_cleanups, &cl) == 0;
    y->cb_ncleanups = cl ? dwt_array_len(cl) : 0;
    if (!y->cb_ncleanups)
        y->cleanq_ok = 0;
}

int gc_layout_from_dwarf(const dw_info *dw, const char *path, gc_layout *y, rt_error *err)
{
    lay_src src = { dw, path }, *L = &src;
    int rc;
    memset(y, 0, sizeof *y);

    y->page_shift = (uint64_t)konst(L, NAMES("runtime._PageShift", "internal/runtime/gc.PageShift",
                                             "runtime.pageShift"), 13);
    y->page_size = 1ULL << y->page_shift;
    y->heap_arena_bytes = (uint64_t)konst(L, NAMES("runtime.heapArenaBytes"), 64 << 20);
    y->arena_l1_bits = (uint64_t)konst(L, NAMES("runtime.arenaL1Bits"), 0);
    y->arena_l2_bits = (uint64_t)konst(L, NAMES("runtime.arenaL2Bits"), 22);
    y->arena_base_offset = (uint64_t)konst(L, NAMES("runtime.arenaBaseOffsetUintptr", "runtime.arenaBaseOffset"),
                                           (int64_t)0xffff800000000000ULL);
    y->arena_words = y->heap_arena_bytes / 8;
    y->span_in_use = konst(L, NAMES("runtime.mSpanInUse"), 1);
    y->malloc_header_size = (uint64_t)konst(L, NAMES("runtime.mallocHeaderSize",
                                                     "internal/runtime/gc.MallocHeaderSize"), 8);
    y->min_size_for_malloc_header = (uint64_t)konst(L, NAMES("runtime.minSizeForMallocHeader",
                                                             "internal/runtime/gc.MinSizeForMallocHeader"), 512);
    y->g_dead = konst(L, NAMES("runtime._Gdead"), 6);
    y->g_idle = konst(L, NAMES("runtime._Gidle"), 0);
    y->g_running = konst(L, NAMES("runtime._Grunning"), 2);
    y->g_deadextra = konst(L, NAMES("runtime._Gdeadextra"), -1); /* 1.26+ */
    if (y->page_shift < 12 || y->page_shift > 20 || y->heap_arena_bytes < y->page_size ||
        y->arena_l2_bits > 32 || y->arena_l1_bits > 16)
        return RT_FAIL(err, RT_E_CORRUPT, "implausible runtime constants in the DWARF (page shift %llu)",
                       (unsigned long long)y->page_shift);

    if (has_field(L, "runtime.heapArena", "noMorePtrs"))
        y->gen = GC_BITS_1BIT;
    else if (has_field(L, "runtime.heapArena", "bitmap"))
        y->gen = GC_BITS_2BIT;
    else
        y->gen = GC_BITS_HEADERS;
    if (y->gen != GC_BITS_HEADERS) {
        if ((rc = field(L, NAMES("runtime.heapArena"), NAMES("bitmap"), &y->ha_bitmap, NULL, err)))
            return rc;
        if (y->gen == GC_BITS_1BIT &&
            (rc = field(L, NAMES("runtime.heapArena"), NAMES("noMorePtrs"), &y->ha_nomoreptrs, NULL, err)))
            return rc;
    }

    static const char *const T_SPAN[] = { "runtime.mspan", NULL };
    const dw_type *span = dwi_type(L->dw, "runtime.mspan");
    y->sp_size = span ? dwt_size(span) : 0;
    if ((rc = field(L, NAMES("runtime.mheap"), NAMES("allspans"), &y->mheap_allspans, NULL, err)) ||
        (rc = field(L, NAMES("runtime.mheap"), NAMES("arenas"), &y->mheap_arenas, NULL, err)) ||
        (rc = field(L, T_SPAN, NAMES("startAddr"), &y->sp_start, NULL, err)) ||
        (rc = field(L, T_SPAN, NAMES("npages"), &y->sp_npages, NULL, err)) ||
        (rc = field(L, T_SPAN, NAMES("freeindex"), &y->sp_freeindex, &y->sp_freeindex_size, err)) ||
        (rc = field(L, T_SPAN, NAMES("nelems"), &y->sp_nelems, &y->sp_nelems_size, err)) ||
        (rc = field(L, T_SPAN, NAMES("allocBits"), &y->sp_allocbits, NULL, err)) ||
        (rc = field(L, T_SPAN, NAMES("spanclass"), &y->sp_spanclass, NULL, err)) ||
        (rc = field(L, T_SPAN, NAMES("state"), &y->sp_state, NULL, err)) ||
        (rc = field(L, T_SPAN, NAMES("elemsize"), &y->sp_elemsize, NULL, err)))
        return rc;
    y->has_largetype = has_field(L, "runtime.mspan", "largeType");
    if (y->has_largetype && (rc = field(L, T_SPAN, NAMES("largeType"), &y->sp_largetype, NULL, err)))
        return rc;

    if ((rc = field(L, T_TYPE, NAMES("Size_", "size"), &y->ty_size, NULL, err)) ||
        (rc = field(L, T_TYPE, NAMES("PtrBytes", "ptrdata"), &y->ty_ptrbytes, NULL, err)) ||
        (rc = field(L, T_TYPE, NAMES("TFlag", "tflag"), &y->ty_tflag, NULL, err)) ||
        (rc = field(L, T_TYPE, NAMES("Kind_", "kind"), &y->ty_kind, NULL, err)) ||
        (rc = field(L, T_TYPE, NAMES("GCData", "gcdata"), &y->ty_gcdata, NULL, err)))
        return rc;

    /* type names (abi.Type.Str, a NameOff from moduledata.types); optional */
    {
        rt_error e2;
        y->type_names_ok =
            field(L, T_TYPE, NAMES("Str", "str"), &y->ty_str, NULL, &e2) == 0 &&
            field(L, NAMES("runtime.moduledata"), NAMES("types"), &y->md_types, NULL, &e2) == 0 &&
            field(L, NAMES("runtime.moduledata"), NAMES("etypes"), &y->md_etypes, NULL, &e2) == 0;
    }

    /* the descriptors' own layouts: for masks built on demand (1.24+),
     * and for types made from descriptors where DWARF is missing.  Go
     * 1.21 moved them from runtime (arraytype, structfield, ...) to
     * internal/abi with capitalised fields; the meaning is the same
     * (1.19's structfield.offset is already a plain offset). */
    {
        rt_error e2;
        static const char *const T_ARRAY[] = { "internal/abi.ArrayType", "runtime.arraytype", NULL };
        static const char *const T_STRUCT[] = { "internal/abi.StructType", "runtime.structtype", NULL };
        static const char *const T_FIELD[] = { "internal/abi.StructField", "runtime.structfield", NULL };
        const dw_type *sf = dwi_type_any(L->dw, T_FIELD);
        y->at_elem_ok = sf &&
            field(L, T_ARRAY, NAMES("Elem", "elem"), &y->at_elem, NULL, &e2) == 0 &&
            field(L, T_ARRAY, NAMES("Len", "len"), &y->at_len, NULL, &e2) == 0 &&
            field(L, T_STRUCT, NAMES("Fields", "fields"), &y->st_fields, NULL, &e2) == 0 &&
            field(L, T_FIELD, NAMES("Typ", "typ"), &y->sf_typ, NULL, &e2) == 0 &&
            field(L, T_FIELD, NAMES("Offset", "offset"), &y->sf_offset, NULL, &e2) == 0;
        y->sf_size = sf ? dwt_size(sf) : 0;
        if (!y->sf_size)
            y->at_elem_ok = 0;
        y->desc_ok = y->at_elem_ok &&
            field(L, NAMES("internal/abi.PtrType", "runtime.ptrtype"), NAMES("Elem", "elem"), &y->pt_elem, NULL,
                  &e2) == 0 &&
            field(L, NAMES("internal/abi.SliceType", "runtime.slicetype"), NAMES("Elem", "elem"), &y->sl_elem, NULL,
                  &e2) == 0 &&
            field(L, T_FIELD, NAMES("Name", "name"), &y->sf_name, NULL, &e2) == 0 &&
            field(L, NAMES("internal/abi.InterfaceType", "runtime.interfacetype"), NAMES("Methods", "mhdr"),
                  &y->it_methods, NULL, &e2) == 0;
    }

    static const char *const T_MD[] = { "runtime.moduledata", NULL };
    if ((rc = field(L, T_MD, NAMES("data"), &y->md_data, NULL, err)) ||
        (rc = field(L, T_MD, NAMES("edata"), &y->md_edata, NULL, err)) ||
        (rc = field(L, T_MD, NAMES("bss"), &y->md_bss, NULL, err)) ||
        (rc = field(L, T_MD, NAMES("ebss"), &y->md_ebss, NULL, err)) ||
        (rc = field(L, T_MD, NAMES("gcdatamask"), &y->md_gcdatamask, NULL, err)) ||
        (rc = field(L, T_MD, NAMES("gcbssmask"), &y->md_gcbssmask, NULL, err)) ||
        (rc = field(L, T_MD, NAMES("next"), &y->md_next, NULL, err)))
        return rc;

    static const char *const T_G[] = { "runtime.g", NULL };
    if ((rc = field(L, T_G, NAMES("stack.lo"), &y->g_stack_lo, NULL, err)) ||
        (rc = field(L, T_G, NAMES("stack.hi"), &y->g_stack_hi, NULL, err)) ||
        (rc = field(L, T_G, NAMES("sched.sp"), &y->g_sched_sp, NULL, err)) ||
        (rc = field(L, T_G, NAMES("syscallsp"), &y->g_syscallsp, NULL, err)) ||
        (rc = field(L, T_G, NAMES("atomicstatus"), &y->g_status, NULL, err)) ||
        (rc = field(L, T_G, NAMES("goid"), &y->g_goid, NULL, err)))
        return rc;
    y->has_startpc = has_field(L, "runtime.g", "startpc");
    if (y->has_startpc && (rc = field(L, T_G, NAMES("startpc"), &y->g_startpc, NULL, err)))
        return rc;
    read_site_layout(L, y);
    read_finalizer_layout(L, y);
    read_owned_layout(L, y);
    return 0;
}

int gc_layout_table(int minor, gc_layout *y, const char **from)
{
    for (size_t k = 0; k < gc_layout_nentries; k++) {
        const gc_layout_entry *t = &gc_layout_entries[k];
        if (t->minor != minor)
            continue;
        size_t i = 0;
#define SET_(f) memcpy(&y->f, &t->v[i++], 8);
        GC_LAYOUT_FIELDS(SET_)
#undef SET_
        if (from)
            *from = t->from;
        return 0;
    }
    return -1;
}

void gc_rt_layout(const gc_layout *y, const gv_version *v, ty_rt_layout *out)
{
    *out = (ty_rt_layout){
        .ty_size = y->ty_size, .ty_ptrbytes = y->ty_ptrbytes, .ty_tflag = y->ty_tflag, .ty_kind = y->ty_kind,
        .ty_gcdata = y->ty_gcdata, .ty_str = y->ty_str, .pt_elem = y->pt_elem, .sl_elem = y->sl_elem,
        .at_elem = y->at_elem, .at_len = y->at_len, .st_fields = y->st_fields, .sf_name = y->sf_name,
        .sf_typ = y->sf_typ, .sf_offset = y->sf_offset, .sf_size = y->sf_size, .it_methods = y->it_methods,
        .type_names_ok = y->type_names_ok != 0, .desc_ok = y->desc_ok != 0,
        .direct_in_tflag = gv_direct_iface_in_tflag(v), .kind_gcprog = gv_kind_gcprog(v),
        .gcmask_on_demand = gv_tflag_gcmask_on_demand(v),
    };
}

int gocore_rt_layout(const gv_version *v, ty_rt_layout *out)
{
    gc_layout y;
    memset(&y, 0, sizeof y);
    if (gc_layout_table(v->minor, &y, NULL) != 0)
        return -1;
    gc_rt_layout(&y, v, out);
    return 0;
}

int gc_layout_read(gc_load *L, rt_error *err)
{
    int rc = gc_version_find(L, err);
    if (rc)
        return rc;
    if (L->dw) {
        if ((rc = gc_layout_from_dwarf(L->dw, L->dwarf_path, &L->lay, err)) != 0)
            return rc;
        return gc_globals_find(L, err);
    }
    const char *from;
    if (gc_layout_table(L->ver.minor, &L->lay, &from) != 0) {
        rt_error_where(err, L->exe_path, RT_NO_OFFSET, "choosing the runtime's layout");
        return RT_FAIL(err, RT_E_UNSUPPORTED,
                       "the executable has no DWARF and %s has no built-in layout (tested: %s); "
                       "give its debug file or an unstripped build", L->ver.text[0] ? L->ver.text : "its Go version",
                       GV_TESTED);
    }
    if (L->ver.greentea != (L->ver.minor >= 26) || strstr(L->ver.text, "X:"))
        model_warn(L->m, "%s was built with a Go experiment; without DWARF its runtime layout is assumed "
                         "to be %s's default", L->ver.text, from);
    return gc_globals_find(L, err);
}
