/* heapdump_int.h — state shared by the heap-dump loader's files.
 *
 * Loading takes two passes over the file.  Pass 1 reads every record,
 * keeps objects (base, size, an upper bound of their edges), roots with
 * their raw pointer words, buckets and samples.  Objects are then sorted
 * and indexed, so pass 2 can re-read just the object records and resolve
 * each pointer straight into its final CSR slot: no edge list is ever
 * held twice. */
#ifndef RETAIN_HEAPDUMP_INT_H
#define RETAIN_HEAPDUMP_INT_H

#include "dwarf/dwarf_info.h"
#include "loaders/elf/exe_file.h"
#include "loaders/elf/elf_symbols.h"
#include "loaders/go_version.h"
#include "loaders/heapdump/heapdump_parse.h"
#include "loaders/typing/typing.h"
#include "loaders/typing/typing_rtypes.h"
#include "model/model.h"
#include "model/model_roots.h"
#include "util/progress.h"

/* An object as pass 1 keeps it: its slot, how many non-nil pointer words
 * it has (an upper bound of its edges), and flags. */
#define HD_OBJ_HAS_FIELDS 1u

typedef struct hd_obj {
    uint64_t base, size;
    uint32_t nptr;
    uint32_t flags;
} hd_obj;

typedef struct hd_fin {
    uint64_t obj, fn;
    uint32_t root;
    int queued;
} hd_fin;

typedef struct hd_sample {
    uint64_t addr, bucket;
} hd_sample;

typedef struct hd_type {
    uint64_t addr;
    uint32_t name;
} hd_type;

/* Bytes of the dumped process that are not objects (data, bss, a stack
 * frame), for typing: address, length, file offset. */
typedef struct hd_region {
    uint64_t addr, len, off;
} hd_region;

typedef struct hd_itab {
    uint64_t itab, type;
} hd_itab;

/* A frame of the current goroutine: its sp, size and function. */
typedef struct hd_gframe {
    uint64_t sp, size;
    uint32_t function;
} hd_gframe;

typedef struct hd_load {
    rt_model *m;
    const char *path;
    const elf_symtab *syms;
    dw_info *dw;          /* the executable's DWARF with locals: names stack roots; NULL if none */
    const rt_progress *prog;
    hd_parser p;

    hd_obj *objs;         /* dump order until sorted */
    size_t nobj, cap_obj;
    uint64_t first_obj_off, end_obj_off;

    gv_version ver;       /* the params record's Go version */
    int64_t bias;         /* dump address - executable address */
    int have_params;

    rt_rootset rs;
    hd_fin *fins;
    size_t nfin, cap_fin;
    hd_sample *samples;
    size_t nsample, cap_sample;
    hd_type *types;
    size_t ntype, cap_type;
    size_t cap_site, cap_frame, cap_goroutine;

    /* typing (heapdump_typing.c), with the executable's DWARF or, without,
     * its type descriptors */
    ty_ctx *ty;
    ty_rtypes *rtypes;    /* without DWARF: descriptors from the executable's file */
    exe_file *exe;        /* ... read through its sections (borrowed), */
    gp_table *exe_pcln;   /* and its pc-value table (the handle's), NULL
                           * until hd_typing_descriptors */
    uint64_t types_lo, types_hi; /* where the descriptors lie (dump addresses) */
    uint64_t *obj_off;    /* per model object: file offset of its contents */
    hd_region *regions;
    size_t nregion, cap_region;
    hd_itab *itabs;
    size_t nitab, cap_itab;
    uint8_t *fchunk;      /* bytes of the file read ahead for typing */
    uint64_t fchunk_off;
    size_t fchunk_len;
    uint64_t fchunk_next; /* where the last read ended */
    const uint8_t *map;   /* the dump mapped while typing (NULL: read) */
    uint64_t map_len;
    uint64_t map_touched; /* bytes viewed since the last look at RSS, a page at least each */

    /* which root sections were read (a dump writes goroutines, then data,
     * bss and finalizers, then memstats) */
    int saw_data, saw_bss, saw_memstats;
    uint64_t cur_goid;    /* goroutine of the frames that follow */
    int have_goroutine;
    /* the current goroutine's frames so far, to attribute its deferred
     * calls (by sp) and panics (the frame above runtime.gopanic) */
    hd_gframe *gframes;
    size_t ngframe, cap_gframe;
    uint32_t panicked_in;  /* string id, 0 if none */
    const elf_sym *last_sym; /* symbol of the previous data/bss word */
    uint32_t last_sym_root;
} hd_load;

/* heapdump_objects.c */
int hd_sort_objects(hd_load *L, rt_error *err);
void hd_drop_phantoms(hd_load *L);
int hd_check_overlap(hd_load *L, rt_error *err);

/* heapdump_roots.c */
uint32_t hd_add_root(hd_load *L, rt_root_kind kind, uint64_t addr);
void hd_add_word(hd_load *L, uint32_t root, uint64_t off, uint64_t value);
int hd_segment(hd_load *L, const hd_record *r, rt_error *err);
void hd_finish_roots(hd_load *L);

/* heapdump_load.c: the name (string id) of the type record at addr, 0 */
uint32_t hd_type_name(const hd_load *L, uint64_t addr);

/* heapdump_typing.c */
void hd_typing_region(hd_load *L, const hd_record *r);
void hd_typing_itab(hd_load *L, const hd_record *r);
/* The model type of a malloc header's runtime _type (Go 1.22+ dumps). */
uint32_t hd_typing_rtype(hd_load *L, uint64_t typ);
void hd_typing_run(hd_load *L, ty_propagate_fn propagate);
/* Without DWARF: read the runtime's type descriptors from the executable
 * exe, whose section addresses syms gives (once the dump's Go version is
 * known).  0, or -1 with a sentence in why. */
int hd_typing_descriptors(hd_load *L, exe_file *exe, const elf_symtab *syms, char *why, size_t n);
void hd_typing_free(hd_load *L);

/* heapdump_inline.c: each site frame expanded into its inlined calls
 * through the executable's pc-value table (nothing without go:func.*). */
void hd_expand_inline(rt_model *m, exe_file *exe, const elf_symtab *syms);

#endif
