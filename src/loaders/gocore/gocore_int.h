/* gocore_int.h — state shared by the Go core loader's files.
 *
 * The loader reads a Go process's heap out of an ELF core: layouts and
 * constants of the runtime come from the executable's DWARF (gc_layout),
 * never from per-version tables in our code.  Version-specific code is
 * only for changes in *meaning* (gc_bitmap_gen: how pointer words are
 * recorded).  Steps: spans and allocated objects (gocore_heap.c), the
 * pointer words of each object (gocore_pointers.c), roots
 * (gocore_roots.c); gocore_load.c runs them in order. */
#ifndef RETAIN_GOCORE_INT_H
#define RETAIN_GOCORE_INT_H

#include "dwarf/dwarf_info.h"
#include "loaders/elf/elf_symbols.h"
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
    /* abi.ArrayType, abi.StructType, abi.StructField (on-demand masks) */
    uint64_t at_elem, at_len, st_fields, sf_typ, sf_offset, sf_size;
    int at_elem_ok;
    /* runtime.moduledata */
    uint64_t firstmoduledata;
    uint64_t md_data, md_edata, md_bss, md_ebss, md_gcdatamask, md_gcbssmask, md_next;
    /* goroutines */
    uint64_t allgs;        /* address of the []*g global */
    uint64_t g_stack_lo, g_stack_hi, g_sched_sp, g_syscallsp, g_status, g_goid, g_startpc;
    int has_startpc;
    int64_t g_dead, g_idle, g_running, g_deadextra;
} gc_layout;

/* One in-use heap span. */
typedef struct gc_span {
    uint64_t base, npages, elemsize, nelems, freeindex, allocbits, largetype;
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

    rt_rootset rs;
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

/* gocore_roots.c */
int gc_roots_globals(gc_load *L, rt_error *err);
int gc_roots_stacks(gc_load *L, rt_error *err);

#endif
