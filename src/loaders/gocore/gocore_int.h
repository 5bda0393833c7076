/* gocore_int.h — state shared by the Go core loader's files.
 *
 * The loader reads a Go process's heap out of an ELF core: layouts and
 * constants of the runtime come from the executable's DWARF (gc_layout),
 * never from per-version tables in our code.  Version-specific code is
 * only for changes in *meaning* (gc_bitmap_gen: how pointer words are
 * recorded).  Steps: spans and allocated objects (gocore_heap.c), the
 * pointer words of each object (gocore_pointers.c), roots
 * (gocore_roots.c; finalizers and cleanups: gocore_finalizers.c);
 * gocore_load.c runs them in order. */
#ifndef RETAIN_GOCORE_INT_H
#define RETAIN_GOCORE_INT_H

#include "dwarf/dwarf_info.h"
#include "loaders/elf/elf_symbols.h"
#include "loaders/go_version.h"
#include "loaders/typing/typing.h"
#include "loaders/typing/typing_rtypes.h"
#include "elf/elf_core.h"
#include "model/model.h"
#include "model/model_roots.h"
#include "util/progress.h"

/* How the heap records which words are pointers. */
typedef enum {
    GC_BITS_2BIT,    /* Go 1.19: 2 bits per word in the arena (pointer, scan) */
    GC_BITS_1BIT,    /* Go 1.20-1.21 (and 1.22+ noallocheaders): 1 bit per word + noMorePtrs */
    GC_BITS_HEADERS, /* Go 1.22+: span heap bits, malloc headers, largeType */
} gc_bitmap_gen;

/* The runtime's structure layouts and constants: what a Go version's
 * runtime looks like, the same for every program built by that version.
 * Read from DWARF (gc_layout_from_dwarf), or, for an executable without
 * DWARF, from the table generated from the DWARF of each tested toolchain
 * (gocore_layout_table.c, scripts/gen-layouts.sh).  Every field is 8
 * bytes and named in GC_LAYOUT_FIELDS, so the generator prints them all;
 * *_ok fields say an optional group was found. */
typedef struct gc_layout {
    uint64_t gen;          /* gc_bitmap_gen */
    uint64_t page_shift, page_size;
    uint64_t heap_arena_bytes, arena_l1_bits, arena_l2_bits, arena_base_offset;
    uint64_t arena_words;  /* heapArenaBytes / 8 */
    int64_t span_in_use;   /* mSpanInUse */
    uint64_t malloc_header_size, min_size_for_malloc_header;

    /* runtime.mheap */
    uint64_t mheap_allspans, mheap_arenas;
    /* runtime.mspan */
    uint64_t sp_size;
    uint64_t sp_start, sp_npages, sp_freeindex, sp_nelems, sp_allocbits, sp_spanclass;
    uint64_t sp_state, sp_elemsize, sp_largetype;
    uint64_t sp_freeindex_size, sp_nelems_size;
    uint64_t has_largetype;
    /* runtime.heapArena (bitmaps of 1.19-1.21) */
    uint64_t ha_bitmap, ha_nomoreptrs;
    /* runtime._type / internal/abi.Type */
    uint64_t ty_size, ty_ptrbytes, ty_tflag, ty_kind, ty_gcdata;
    uint64_t ty_str;       /* NameOff of the type's string, from moduledata.types */
    uint64_t md_types;     /* runtime.moduledata.types */
    uint64_t md_etypes;    /* runtime.moduledata.etypes (not types + 8 from 1.27) */
    uint64_t type_names_ok;
    /* abi.ArrayType, abi.StructType, abi.StructField (on-demand masks) */
    uint64_t at_elem, at_len, st_fields, sf_typ, sf_offset, sf_size;
    uint64_t at_elem_ok;
    /* the rest of the descriptors, to build types DWARF lacks (1.21+) */
    uint64_t pt_elem, sl_elem, sf_name, it_methods;
    uint64_t desc_ok;
    /* runtime.moduledata */
    uint64_t md_data, md_edata, md_bss, md_ebss, md_gcdatamask, md_gcbssmask, md_next;
    /* runtime.g */
    uint64_t g_stack_lo, g_stack_hi, g_sched_sp, g_syscallsp, g_status, g_goid, g_startpc;
    uint64_t g_sched_pc, g_syscallpc, g_sched_ctxt; /* for unwinding */
    uint64_t has_unwind;   /* the three above were found */
    uint64_t has_startpc;
    int64_t g_dead, g_idle, g_running, g_deadextra;
    /* records a goroutine owns (gocore_owned.c); optional, each part on
     * its own */
    uint64_t defer_ok, panic_ok, sudog_ok;
    uint64_t g_defer, g_panic, g_waiting;
    uint64_t df_sp, df_pc, df_fn, df_link;    /* runtime._defer */
    uint64_t pn_arg, pn_link;                 /* runtime._panic (arg: an eface) */
    uint64_t sg_elem, sg_c, sg_waitlink;      /* runtime.sudog */
    /* what `goroutines` shows of a goroutine (optional) */
    uint64_t ginfo_ok;
    uint64_t g_gopc, g_waitsince, g_waitreason; /* runtime.g */
    uint64_t sched_lastpoll;                  /* runtime.schedt.lastpoll */
    uint64_t waitreasons_len;                 /* len(runtime.waitReasonStrings) */

    /* allocation sites: span specials of kind profile → bucket (optional:
     * sites_ok is 0 when any of it is missing) */
    uint64_t sites_ok;
    uint64_t sp_specials;                 /* mspan.specials */
    uint64_t spc_next, spc_offset, spc_kind; /* runtime.special */
    uint64_t spc_offset_size;             /* uint16 up to 1.21, uintptr later */
    uint64_t spp_b;                       /* runtime.specialprofile.b */
    uint64_t bk_size, bk_nstk, bk_hdr;    /* runtime.bucket; stk follows the header */
    uint64_t mr_allocs, mr_frees;         /* runtime.memRecord active.allocs/frees */
    int64_t kind_profile;                 /* _KindSpecialProfile */
    /* runtime.moduledata: the pc-value table */
    uint64_t md_pcheader, md_pclntable, md_text, md_gofunc, md_rodata;
    uint64_t pcln_ok;

    /* finalizer and cleanup roots (optional, each part on its own: a core
     * whose DWARF lacks one still loads, with a warning) */
    uint64_t specials_ok;                 /* the mspan.specials list (sp_specials, spc_*) */
    uint64_t fin_ok;                      /* finalizer specials */
    int64_t kind_finalizer;               /* _KindSpecialFinalizer */
    uint64_t spf_fn;                      /* runtime.specialfinalizer.fn */
    uint64_t cleanup_ok;                  /* cleanup specials (1.24+) */
    int64_t kind_cleanup;                 /* _KindSpecialCleanup */
    uint64_t spcl_fn, spcl_fn_size;       /* specialCleanup.fn (*funcval, 1.24) or
                                             .cleanup (cleanupFn, 1.26+): every word a pointer */
    uint64_t spcl_wrapped;                /* 1.24: fn is AddCleanup's closure around the
                                             cleanup function and its argument */
    uint64_t cfn_fn;                      /* cleanupFn.fn within that field, UINT64_MAX if none */
    uint64_t finq_ok;                     /* queued finalizers: allfin blocks */
    uint64_t fb_alllink, fb_cnt, fb_fin, fb_nfin; /* runtime.finblock (finBlock from 1.26) */
    uint64_t fz_size, fz_fn, fz_arg, fz_fint, fz_ot; /* runtime.finalizer */
    uint64_t cleanq_ok;                   /* queued cleanups (1.26+): gcCleanups.all blocks */
    uint64_t cq_all;                      /* runtime.cleanupQueue.all */
    uint64_t cb_alllink, cb_n, cb_cleanups, cb_ncleanups, cfn_size; /* runtime.cleanupBlock */
} gc_layout;

#define GC_LAYOUT_FIELDS(X) \
    X(gen) X(page_shift) X(page_size) X(heap_arena_bytes) X(arena_l1_bits) X(arena_l2_bits) \
    X(arena_base_offset) X(arena_words) X(span_in_use) X(malloc_header_size) \
    X(min_size_for_malloc_header) X(mheap_allspans) X(mheap_arenas) X(sp_size) X(sp_start) \
    X(sp_npages) X(sp_freeindex) X(sp_nelems) X(sp_allocbits) X(sp_spanclass) X(sp_state) \
    X(sp_elemsize) X(sp_largetype) X(sp_freeindex_size) X(sp_nelems_size) X(has_largetype) \
    X(ha_bitmap) X(ha_nomoreptrs) X(ty_size) X(ty_ptrbytes) X(ty_tflag) X(ty_kind) X(ty_gcdata) \
    X(ty_str) X(md_types) X(md_etypes) X(type_names_ok) X(at_elem) X(at_len) X(st_fields) X(sf_typ) \
    X(sf_offset) X(sf_size) X(at_elem_ok) X(pt_elem) X(sl_elem) X(sf_name) X(it_methods) \
    X(desc_ok) X(md_data) X(md_edata) X(md_bss) X(md_ebss) X(md_gcdatamask) X(md_gcbssmask) \
    X(md_next) X(g_stack_lo) X(g_stack_hi) X(g_sched_sp) X(g_syscallsp) X(g_status) X(g_goid) \
    X(g_startpc) X(g_sched_pc) X(g_syscallpc) X(g_sched_ctxt) X(has_unwind) X(has_startpc) \
    X(g_dead) X(g_idle) X(g_running) X(g_deadextra) X(defer_ok) X(panic_ok) X(sudog_ok) \
    X(g_defer) X(g_panic) X(g_waiting) X(df_sp) X(df_pc) X(df_fn) X(df_link) X(pn_arg) \
    X(pn_link) X(sg_elem) X(sg_c) X(sg_waitlink) X(ginfo_ok) X(g_gopc) X(g_waitsince) \
    X(g_waitreason) X(sched_lastpoll) X(waitreasons_len) X(sites_ok) X(sp_specials) X(spc_next) \
    X(spc_offset) X(spc_kind) X(spc_offset_size) X(spp_b) X(bk_size) X(bk_nstk) X(bk_hdr) \
    X(mr_allocs) X(mr_frees) X(kind_profile) X(md_pcheader) X(md_pclntable) X(md_text) \
    X(md_gofunc) X(md_rodata) X(pcln_ok) X(specials_ok) X(fin_ok) X(kind_finalizer) X(spf_fn) \
    X(cleanup_ok) X(kind_cleanup) X(spcl_fn) X(spcl_fn_size) X(spcl_wrapped) X(cfn_fn) \
    X(finq_ok) X(fb_alllink) X(fb_cnt) X(fb_fin) X(fb_nfin) X(fz_size) X(fz_fn) X(fz_arg) \
    X(fz_fint) X(fz_ot) X(cleanq_ok) X(cq_all) X(cb_alllink) X(cb_n) X(cb_cleanups) \
    X(cb_ncleanups) X(cfn_size)

#define GC_LAYOUT_COUNT_(f) +1
#define GC_LAYOUT_NFIELDS (0 GC_LAYOUT_FIELDS(GC_LAYOUT_COUNT_))
_Static_assert(sizeof(gc_layout) == 8 * GC_LAYOUT_NFIELDS,
               "every gc_layout field is 8 bytes and named in GC_LAYOUT_FIELDS");

/* Read the layout from the DWARF of an executable (path: for errors).
 * Fails only when a part every core needs is missing. */
int gc_layout_from_dwarf(const dw_info *dw, const char *path, gc_layout *y, rt_error *err);

/* The generated layouts (gocore_layout_table.c): each field's value in
 * GC_LAYOUT_FIELDS order, as its 8 bytes read as a uint64_t. */
typedef struct gc_layout_entry {
    int minor;
    const char *from;      /* the toolchain version it was generated from */
    uint64_t v[GC_LAYOUT_NFIELDS];
} gc_layout_entry;
extern const gc_layout_entry gc_layout_entries[];
extern const size_t gc_layout_nentries;

/* The generated layout of Go 1.minor into *y; 0, or -1 if none was
 * generated (an untested version).  *from (if not NULL) gets the version
 * it was generated from. */
int gc_layout_table(int minor, gc_layout *y, const char **from);

/* Where the runtime's globals are in this process (load bias applied);
 * 0 when not found.  mheap, allgs and firstmoduledata are required. */
typedef struct gc_globals {
    uint64_t mheap, allgs, firstmoduledata;
    uint64_t memprofilerate, allfin, gccleanups;
    uint64_t sched, waitreasons;  /* runtime.sched, runtime.waitReasonStrings (optional) */
    const char *how;       /* "DWARF", "symbols" or "code": how they were found */
} gc_globals;

/* One in-use heap span. */
typedef struct gc_span {
    uint64_t base, npages, elemsize, nelems, freeindex, allocbits, largetype;
    uint64_t specials;     /* first special record, 0 if none */
    uint8_t spanclass;
} gc_span;

/* gocore_find.c: heap page → span, for gc_find */
typedef struct gc_finder {
    uint32_t *page_span;   /* span index per heap page, UINT32_MAX: none; NULL: not built */
    uint64_t lo, npages;
    unsigned page_shift;
} gc_finder;

typedef struct gc_load {
    rt_model *m;
    ec_core *core;
    dw_info *dw;           /* NULL: the executable has no DWARF (nor debug file) */
    const char *dwarf_path; /* where dw came from */
    elf_symtab syms;       /* fallback names for globals DWARF does not cover:
                            * the executable handle's table, copied by value
                            * (its arrays stay the handle's), or the one
                            * --symbols gave (then owned: syms_owned) */
    int have_syms;
    int syms_owned;
    const char *core_path, *exe_path;
    const rt_progress *prog;
    int threads;               /* for the pointer scan (rt_inputs.threads) */
    uint64_t bias;         /* load bias of the executable (PIE) */
    gv_version ver;        /* runtime.buildVersion */
    gc_layout lay;
    gc_globals glob;

    gc_span *spans;        /* sorted by base */
    size_t nspans;
    uint32_t *span_first;  /* first object id of each span */
    gc_finder find;        /* built after the objects (gc_heap_objects) */
    size_t cap_frame;      /* of m->frames (goroutines' stacks, then sites) */

    struct gp_table *pcln; /* the executable's pc-value table, NULL if unreadable */
    uint8_t *pcln_copy;    /* its bytes when no single view covers them */

    ty_rtypes *rtypes;   /* runtime _type → model type (gocore_typing.c) */
    ty_ctx *ty;            /* DWARF → model types, and their propagation */

    rt_rootset rs;
    uint32_t stacks_lost;  /* goroutine stacks the core does not hold whole */
    int globals_lost;      /* data or bss the core does not hold whole */
    uint64_t words_unreadable; /* pointer words we could not read */
    uint64_t ondemand_masks;   /* objects scanned conservatively: mask not built */
} gc_load;

/* gocore_layout.c: the version, the layout and the globals of the core
 * (from DWARF when L->dw, else the table and gocore_globals.c) */
int gc_layout_read(gc_load *L, rt_error *err);

/* gocore_globals.c: the runtime's globals and version without DWARF,
 * from the symbol table when there is one, else from the code */
int gc_version_find(gc_load *L, rt_error *err);
int gc_globals_find(gc_load *L, rt_error *err);

/* gocore_heap.c: spans and allocated objects (sorted, indexed) */
int gc_heap_objects(gc_load *L, rt_error *err);

/* The spans split into runs of about equal cost(L, k) for the load's
 * threads, never more runs than spans: run w is spans [lo[w], lo[w+1]).
 * Returns the number of runs; lo holds RT_MAX_THREADS + 1 entries. */
int gc_split_spans(const gc_load *L, uint64_t (*cost)(const gc_load *L, size_t k), size_t *lo);

/* gocore_find.c: the object holding addr, as model_find answers, but
 * from the span's arithmetic (the index is built by gc_heap_objects; the
 * model's objects must not change while it is used) */
void gc_finder_build(gc_load *L);
void gc_finder_free(gc_load *L);
uint32_t gc_find(const gc_load *L, uint64_t addr);

/* gocore_pointers.c: every object's pointer words → model edges */
int gc_heap_pointers(gc_load *L, rt_error *err);

/* gocore_types.c: pointer mask of a type that stores none (1.24+); 0 or -1 */
int gc_type_mask(gc_load *L, uint64_t typ, uint64_t nwords, uint8_t *mask);

/* gocore_typing.c: the model type of the runtime _type at typ (0 if
 * unknown; *direct, if not NULL, says an interface stores such a value in
 * its data word), and the propagation over the whole heap. */
void gc_rtypes_new(gc_load *L);
void gc_rtypes_free(gc_load *L);
uint32_t gc_rtype(gc_load *L, uint64_t typ, int *direct);
void gc_types(gc_load *L, ty_propagate_fn propagate);
/* n bytes of the core's memory at addr (ctx: the gc_load): 0, or -1; the
 * read callback of the descriptors, the interface seeds and the
 * propagation. */
int gc_mem_read(void *ctx, uint64_t addr, void *buf, size_t n);

/* gocore_layout.c: the descriptor offsets of layout y, for
 * loaders/typing/typing_rtypes.h. */
void gc_rt_layout(const gc_layout *y, const gv_version *v, ty_rt_layout *out);

/* gocore_pcln.c: open L->pcln from the first module's moduledata (0), or
 * leave it NULL with a warning (-1); gc_pcln_close frees it. */
int gc_pcln_open(gc_load *L);
void gc_pcln_close(gc_load *L);

/* gocore_iface_seeds.c: without DWARF, objects typed by the interface
 * values that point at them (data, bss and untyped heap objects) */
void gc_iface_seeds(gc_load *L);

/* gocore_sites.c: allocation sites from the memory profile's specials */
int gc_sites(gc_load *L, rt_error *err);

/* gocore_specials.c: calls fn for each special record of span k (its
 * address, kind and offset in the span), in list order.  0, or -1 if the
 * list could not be read to its end (a corrupt core: it is cut). */
typedef void (*gc_special_fn)(gc_load *L, size_t k, uint64_t rec, unsigned kind, uint64_t off, void *ctx);
int gc_span_specials(gc_load *L, size_t k, gc_special_fn fn, void *ctx);

/* gocore_finalizers.c: finalizer and cleanup roots, set and queued */
int gc_roots_finalizers(gc_load *L, rt_error *err);

/* gocore_roots.c */
int gc_roots_globals(gc_load *L, rt_error *err);
int gc_roots_stacks(gc_load *L, rt_error *err);

/* gocore_stacks.c: one goroutine's stack as roots, frame by frame, from
 * (pc, sp): precise where the pc-value table has maps for the frame,
 * conservative for a frame a signal interrupted (interrupted != 0) and for
 * whatever lies above a frame that cannot be unwound.  Fills gr's
 * top/user functions.  0 if every frame was unwound, -1 if not. */
/* The records goroutine gr (at g) owns beyond its frames: deferred calls,
 * panics, the channel it waits on, its saved closure context
 * (gocore_owned.c).  panicked_in: the function that called gopanic
 * (string id), 0 if none. */
void gc_roots_owned(gc_load *L, const rt_goroutine *gr, uint64_t g, uint32_t panicked_in);
int gc_stack_walk(gc_load *L, rt_goroutine *gr, uint64_t lo, uint64_t hi, uint64_t pc, uint64_t sp,
                  int interrupted, uint32_t *panicked_in);
/* Conservative scan of [lo, hi) as one root of goroutine gr. */
void gc_stack_conservative(gc_load *L, const rt_goroutine *gr, uint64_t lo, uint64_t hi);

#endif
