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
#include "loaders/typing/typing.h"
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

typedef struct gc_layout {
    char version[96];      /* runtime.buildVersion */
    int go_minor;          /* 22 for go1.22.x; 0 if unknown */
    gc_bitmap_gen gen;
    int greentea;          /* inline mark bits at the end of small spans */

    uint64_t page_shift, page_size;
    uint64_t heap_arena_bytes, arena_l1_bits, arena_l2_bits, arena_base_offset;
    uint64_t arena_words;  /* heapArenaBytes / 8 */
    int64_t span_in_use;   /* mSpanInUse */
    uint64_t malloc_header_size, min_size_for_malloc_header;

    /* runtime.mheap_ */
    uint64_t mheap;        /* address */
    uint64_t mheap_allspans, mheap_arenas;
    /* runtime.mspan */
    uint64_t sp_start, sp_npages, sp_freeindex, sp_nelems, sp_allocbits, sp_spanclass;
    uint64_t sp_state, sp_elemsize, sp_largetype;
    unsigned sp_freeindex_size, sp_nelems_size;
    int has_largetype;
    /* runtime.heapArena (bitmaps of 1.19-1.21) */
    uint64_t ha_bitmap, ha_nomoreptrs;
    /* runtime._type / internal/abi.Type */
    uint64_t ty_size, ty_ptrbytes, ty_tflag, ty_kind, ty_gcdata;
    uint64_t ty_str;       /* NameOff of the type's string, from moduledata.types */
    uint64_t md_types;     /* runtime.moduledata.types */
    int type_names_ok;
    /* abi.ArrayType, abi.StructType, abi.StructField (on-demand masks) */
    uint64_t at_elem, at_len, st_fields, sf_typ, sf_offset, sf_size;
    int at_elem_ok;
    /* the rest of the descriptors, to build types DWARF lacks (1.21+) */
    uint64_t pt_elem, sl_elem, sf_name, it_methods;
    int desc_ok;
    /* runtime.moduledata */
    uint64_t firstmoduledata;
    uint64_t md_data, md_edata, md_bss, md_ebss, md_gcdatamask, md_gcbssmask, md_next;
    /* goroutines */
    uint64_t allgs;        /* address of the []*g global */
    uint64_t g_stack_lo, g_stack_hi, g_sched_sp, g_syscallsp, g_status, g_goid, g_startpc;
    uint64_t g_sched_pc, g_syscallpc, g_sched_ctxt; /* for unwinding */
    int has_unwind;        /* the three above were found */
    int has_startpc;
    int64_t g_dead, g_idle, g_running, g_deadextra;
    /* records a goroutine owns (gocore_owned.c); optional, each part on
     * its own */
    int defer_ok, panic_ok, sudog_ok;
    uint64_t g_defer, g_panic, g_waiting;
    uint64_t df_sp, df_pc, df_fn, df_link;    /* runtime._defer */
    uint64_t pn_arg, pn_link;                 /* runtime._panic (arg: an eface) */
    uint64_t sg_elem, sg_c, sg_waitlink;      /* runtime.sudog */

    /* allocation sites: span specials of kind profile → bucket (optional:
     * sites_ok is 0 when any of it is missing) */
    int sites_ok;
    uint64_t sp_specials;                 /* mspan.specials */
    uint64_t spc_next, spc_offset, spc_kind; /* runtime.special */
    unsigned spc_offset_size;             /* uint16 up to 1.21, uintptr later */
    uint64_t spp_b;                       /* runtime.specialprofile.b */
    uint64_t bk_size, bk_nstk, bk_hdr;    /* runtime.bucket; stk follows the header */
    uint64_t mr_allocs, mr_frees;         /* runtime.memRecord active.allocs/frees */
    int64_t kind_profile;                 /* _KindSpecialProfile */
    uint64_t memprofilerate;              /* address of runtime.MemProfileRate, 0 if none */
    /* runtime.moduledata: the pc-value table */
    uint64_t md_pcheader, md_pclntable, md_text, md_gofunc, md_rodata;
    int pcln_ok;

    /* finalizer and cleanup roots (optional, each part on its own: a core
     * whose DWARF lacks one still loads, with a warning) */
    int specials_ok;                      /* the mspan.specials list (sp_specials, spc_*) */
    int fin_ok;                           /* finalizer specials */
    int64_t kind_finalizer;               /* _KindSpecialFinalizer */
    uint64_t spf_fn;                      /* runtime.specialfinalizer.fn */
    int cleanup_ok;                       /* cleanup specials (1.24+) */
    int64_t kind_cleanup;                 /* _KindSpecialCleanup */
    uint64_t spcl_fn, spcl_fn_size;       /* specialCleanup.fn (*funcval, 1.24) or
                                             .cleanup (cleanupFn, 1.26+): every word a pointer */
    int spcl_wrapped;                     /* 1.24: fn is AddCleanup's closure around the
                                             cleanup function and its argument */
    uint64_t cfn_fn;                      /* cleanupFn.fn within that field, UINT64_MAX if none */
    int finq_ok;                          /* queued finalizers: allfin blocks */
    uint64_t allfin;                      /* address of runtime.allfin */
    uint64_t fb_alllink, fb_cnt, fb_fin, fb_nfin; /* runtime.finblock (finBlock from 1.26) */
    uint64_t fz_size, fz_fn, fz_arg, fz_fint, fz_ot; /* runtime.finalizer */
    int cleanq_ok;                        /* queued cleanups (1.26+): gcCleanups.all blocks */
    uint64_t cleanq_all;                  /* address of runtime.gcCleanups.all */
    uint64_t cb_alllink, cb_n, cb_cleanups, cb_ncleanups, cfn_size; /* runtime.cleanupBlock */
} gc_layout;

/* One in-use heap span. */
typedef struct gc_span {
    uint64_t base, npages, elemsize, nelems, freeindex, allocbits, largetype;
    uint64_t specials;     /* first special record, 0 if none */
    uint8_t spanclass;
} gc_span;

typedef struct gc_load {
    rt_model *m;
    ec_core *core;
    dw_info *dw;
    elf_symtab syms;       /* fallback names for globals DWARF does not cover */
    int have_syms;
    const char *core_path, *exe_path;
    const rt_progress *prog;
    uint64_t bias;         /* load bias of the executable (PIE) */
    gc_layout lay;

    gc_span *spans;        /* sorted by base */
    size_t nspans;
    uint32_t *span_first;  /* first object id of each span */

    struct gp_table *pcln; /* the executable's pc-value table, NULL if unreadable */
    uint8_t *pcln_copy;    /* its bytes when no single view covers them */

    struct gc_rtypes *rtypes; /* runtime _type → model type (gocore_typing.c) */
    ty_ctx *ty;            /* DWARF → model types, and their propagation */

    rt_rootset rs;
    uint32_t stacks_lost;  /* goroutine stacks the core does not hold whole */
    int globals_lost;      /* data or bss the core does not hold whole */
    uint64_t words_unreadable; /* pointer words we could not read */
    uint64_t ondemand_masks;   /* objects scanned conservatively: mask not built */
} gc_load;

/* gocore_layout.c */
int gc_layout_read(gc_load *L, rt_error *err);

/* gocore_heap.c: spans and allocated objects (sorted, indexed) */
int gc_heap_objects(gc_load *L, rt_error *err);

/* gocore_pointers.c: every object's pointer words → model edges */
int gc_heap_pointers(gc_load *L, rt_error *err);

/* gocore_types.c: pointer mask of a type that stores none (1.24+); 0 or -1 */
int gc_type_mask(gc_load *L, uint64_t typ, uint64_t nwords, uint8_t *mask);

/* gocore_typing.c: the model type of the runtime _type at typ (0 if
 * unknown; *direct, if not NULL, says an interface stores such a value in
 * its data word), its name, and the propagation over the whole heap. */
typedef struct gc_rtypes gc_rtypes;
void gc_rtypes_new(gc_load *L);
void gc_rtypes_free(gc_load *L);
uint32_t gc_rtype(gc_load *L, uint64_t typ, int *direct);
int gc_rtype_name(gc_load *L, uint64_t typ, char *buf, size_t n);
void gc_types(gc_load *L, ty_propagate_fn propagate);

/* gocore_pcln.c: open L->pcln from the first module's moduledata (0), or
 * leave it NULL with a warning (-1); gc_pcln_close frees it. */
int gc_pcln_open(gc_load *L);
void gc_pcln_close(gc_load *L);

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
