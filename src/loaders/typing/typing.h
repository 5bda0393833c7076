/* typing.h — types for objects that state none, by propagation over the
 * object graph (DESIGN.md, "Types").
 *
 * Evidence, by authority: the types a loader already set on objects (a
 * malloc header's or a large span's runtime _type: they are never
 * replaced, only refined from [n]T to the [cap]T a slice states); the
 * typed roots (a global's or a stack variable's DWARF type); then every
 * typed word met from there, in BFS order: pointers, slices (the backing
 * array as [cap]T), strings ([len]uint8), interfaces (their dynamic type,
 * direct or indirect), map internals (bucket maps and swiss tables),
 * channel buffers ([dataqsiz]elem), closures.
 *
 * Conflicts: a type starting at the object's base wins over one starting
 * inside it; a struct (anything but bytes) wins over [N]uint8; a type
 * covering more wins over one covering a prefix; never past the object's
 * size; otherwise the first seen.  Roots are visited in the model's order,
 * which is the tie-break order of paths, so answers are deterministic.
 *
 * The loader supplies memory reads and the runtime-type lookup; this
 * module knows the model and DWARF, not cores or dumps. */
#ifndef RETAIN_LOADERS_TYPING_H
#define RETAIN_LOADERS_TYPING_H

#include <stdint.h>

#include "dwarf/dwarf_info.h"
#include "model/model.h"
#include "util/progress.h"

typedef struct ty_ctx ty_ctx;

/* What the propagation needs of the input's memory. */
typedef struct ty_mem {
    /* Copy n bytes at addr: 0, or -1 when the input does not hold them. */
    int (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
    /* The model type of the runtime _type at addr, 0 if unknown; *direct
     * is set when such a value is stored in an interface's data word
     * itself (pointer-shaped types). */
    uint32_t (*rtype)(void *ctx, uint64_t addr, int *direct);
    /* The model type of the closure whose code is at pc, 0 if unknown. */
    uint32_t (*closure)(void *ctx, uint64_t pc);
    /* Optional, called now and then: give back what reading holds
     * resident (a core's mapped pages) if that has grown large; NULL if
     * nothing to do. */
    void (*release)(void *ctx);
    void *ctx;
    /* 1 when one read may span neighbouring objects (a core's memory),
     * 0 when each object's bytes stand apart (a heap dump's records) */
    int contiguous;
    /* Optional: the n bytes at addr where they already lie in memory (a
     * mapping), valid until the propagation ends; NULL when they do not
     * (read copies them then).  Saves copying every object once. */
    const uint8_t *(*view)(void *ctx, uint64_t addr, size_t n);
} ty_mem;

typedef struct ty_stats {
    uint64_t seeded;     /* objects typed before propagation */
    uint64_t propagated; /* objects typed by it */
    uint64_t refined;    /* runtime [n]T narrowed to a slice's [cap]T */
    uint64_t rejected;   /* proposals refused: past the object, absurd counts */
    uint64_t conflicts;  /* proposals that lost to the object's type */
} ty_stats;

/* A typing context over m's type table, with DWARF d (NULL: only the
 * types loaders set). */
ty_ctx *ty_new(rt_model *m, const dw_info *d);
void ty_free(ty_ctx *c); /* NULL-safe */
rt_model *ty_model(const ty_ctx *c);

/* The model type of a DWARF type, converted once. 0 for NULL. */
uint32_t ty_from_dwarf(ty_ctx *c, const dw_type *t);
/* The DWARF type named name as a model type (runtime names of map
 * buckets, "map.bucket[K]V", are DWARF's "bucket<K,V>"); 0 if DWARF has
 * no such type. */
uint32_t ty_dwarf_named(ty_ctx *c, const char *name);
/* The same for an instantiation of a generic type, "pkg.T[A,B]": when
 * DWARF has only its shape ("pkg.T[go.shape.A,go.shape.B]", what generic
 * code is compiled for), that one. */
uint32_t ty_dwarf_generic(ty_ctx *c, const char *name);

/* The type of the closure context of function f ("closure main.f.func1"):
 * a struct of the variables the closure captured where DWARF says where
 * they sit (DW_AT_go_closure_offset, Go 1.23+; needs the locals loaded),
 * else a type of that name covering the code pointer only.  0 if f is
 * NULL. */
uint32_t ty_closure(ty_ctx *c, const dw_func *f);

/* Propagate over m: m's objects, edges and roots (rt_root.type) are
 * final; the objects' types set so far are the runtime's.  Replaces
 * m->obj_types and m->obj_type_offs. */
void ty_propagate(ty_ctx *c, const ty_mem *mem, const rt_progress *prog, ty_stats *st);

/* The propagation a loader runs: ty_propagate, or a test's reference
 * (tests/unit/test_typing.c) given in rt_inputs. */
typedef void (*ty_propagate_fn)(ty_ctx *c, const ty_mem *mem, const rt_progress *prog, ty_stats *st);

#endif
