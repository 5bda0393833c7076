/* frame_roots.h — the roots of one goroutine stack frame, shared by the
 * core loader (frames it unwinds) and the heap-dump loader (frame records).
 *
 * A root is a variable: a word of the frame goes to the DWARF local whose
 * stack slot holds it at the frame's pc (dwl_slot_at), named with every
 * other local in that slot ("ref, otherRef"); a word no local covers
 * (spill slots, compiler temporaries; every word when there is no DWARF)
 * is a root of its own, "frame+0xOFF" from the frame's sp. */
#ifndef RETAIN_LOADERS_FRAME_ROOTS_H
#define RETAIN_LOADERS_FRAME_ROOTS_H

#include "dwarf/dwarf_info.h"
#include "loaders/typing/typing.h"
#include "model/model_roots.h"

#define FRAME_ROOTS_VARS 64

typedef struct frame_roots {
    rt_rootset *rs;
    rt_strpool *strings;
    const dw_func *df;     /* the function's DWARF, NULL if none */
    uint64_t lookup_pc;    /* link-time pc for its locations */
    uint64_t cfa;          /* the frame's CFA: the caller's sp */
    uint64_t sp, size;     /* the frame's lowest address and size */
    uint64_t goroutine;
    uint32_t function;     /* string id */
    int conservative;      /* the roots say "conservative" */
    ty_ctx *types;         /* gives each variable's root its type; NULL: none */
    /* filled as roots are made: */
    size_t nvars;
    const dw_local *vars[FRAME_ROOTS_VARS];
    uint32_t var_roots[FRAME_ROOTS_VARS];
} frame_roots;

/* Start f (fields above the line set by the caller). */
void frame_roots_init(frame_roots *f);

/* The root for the frame's word at addr; *base gets the address word
 * offsets of that root count from. */
uint32_t frame_root_for(frame_roots *f, uint64_t addr, uint64_t *base);

#endif
