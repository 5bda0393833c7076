/* typing_rtypes.h — the runtime's type descriptors (_type, abi.Type and
 * the kind-specific descriptors after them) as model types, for any
 * input whose descriptors can be read: a core's memory, or the executable
 * file a heap dump was written by.
 *
 * A descriptor becomes the DWARF type the linker tied to it
 * (DW_AT_go_runtime_type), else the DWARF type of the same name, else a
 * type made from the descriptor itself (kind, size, element, struct
 * fields with their names), else a type known by its name and size only.
 * The name is the descriptor's own: abi.Name at moduledata.types + Str.
 *
 * With the descriptors come the interface seeds: without DWARF an
 * interface value met in memory is the only evidence of most types
 * (ty_iface_seeds). */
#ifndef RETAIN_LOADERS_TYPING_RTYPES_H
#define RETAIN_LOADERS_TYPING_RTYPES_H

#include <stdint.h>

#include "loaders/typing/typing.h"

/* Where a version's descriptors keep their fields (byte offsets). */
typedef struct ty_rt_layout {
    uint64_t ty_size, ty_ptrbytes, ty_tflag, ty_kind, ty_gcdata, ty_str;
    uint64_t pt_elem, sl_elem, at_elem, at_len, st_fields, sf_name, sf_typ, sf_offset, sf_size, it_methods;
    int type_names_ok;     /* ty_str is known */
    int desc_ok;           /* the kind-specific offsets are known */
    int direct_in_tflag;   /* the direct-interface bit is a tflag (1.26+), not a kind bit */
    int kind_gcprog;       /* a kind bit says the mask is a GC program (up to 1.23) */
    int gcmask_on_demand;  /* a tflag bit says the mask is built on first use (1.24+) */
} ty_rt_layout;

/* Reading descriptors. */
typedef struct ty_rt_src {
    /* n bytes at addr (a runtime address): 0, or -1 */
    int (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
    void *ctx;
    ty_rt_layout lay;
    uint64_t types_base;   /* moduledata.types (where Str counts from); 0 if unknown */
    const dw_info *dw;     /* NULL without DWARF */
    uint64_t bias;         /* runtime address - link-time address */
} ty_rt_src;

typedef struct ty_rtypes ty_rtypes;

/* Descriptors read through src (copied), as types of ty's model. */
ty_rtypes *ty_rtypes_new(ty_ctx *ty, const ty_rt_src *src);
void ty_rtypes_free(ty_rtypes *R); /* NULL-safe */

/* The model type of the descriptor at typ, made the first time; 0 when
 * it cannot be read.  *direct (if not NULL): such a value is stored in an
 * interface's data word itself (pointer-shaped). */
uint32_t ty_rtype(ty_rtypes *R, uint64_t typ, int *direct);
/* The descriptor's name into buf: 0, or -1. */
int ty_rtype_name(ty_rtypes *R, uint64_t typ, char *buf, size_t n);
/* A word of the descriptors' memory, dflt when unreadable. */
uint64_t ty_rt_u64(ty_rtypes *R, uint64_t addr, uint64_t dflt);

/* Types for a model read without DWARF, from the interface values in its
 * memory: a pointer word whose neighbour below is a type descriptor (an
 * eface) or an itab (an iface) in [types_lo, types_hi), and whose
 * descriptor reads as a type that fits the object pointed at, types that
 * object as a malloc header would.  Scanned: untyped objects' pointer
 * words (the model's edges), and the global segments' pointer words that
 * follow a word that is not one (m->ptrmasks: the compiler never marks
 * an interface's first word).  mem reads the input's memory: words, and
 * an itab's two words.  Returns how many objects were typed. */
uint64_t ty_iface_seeds(ty_rtypes *R, rt_model *m, const ty_mem *mem, uint64_t types_lo, uint64_t types_hi);

#endif
