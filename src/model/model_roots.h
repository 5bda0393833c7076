/* model_roots.h — collecting roots while a loader reads its input, then
 * handing them to the model in tie-break order with their edges.
 *
 * A loader adds roots as it meets them and, for each, the pointer words
 * it holds (raw values: objects may not be known yet).  Once the objects
 * are sorted and indexed, rootset_resolve() turns values into object ids
 * and drops words that point outside the heap; rootset_finish() keeps the
 * roots that reach the heap, orders them (kind, name, function,
 * goroutine, variable, address: DESIGN.md's tie-break) and appends their
 * edges to the model's CSR after the objects'. */
#ifndef RETAIN_MODEL_ROOTS_H
#define RETAIN_MODEL_ROOTS_H

#include "model/model.h"

typedef struct rt_rootword {
    uint32_t root;  /* index into rt_rootset.roots */
    uint32_t off;   /* from the root's address; RT_OFF_NONE if not a field */
    uint64_t value; /* pointer value; after rootset_resolve, an object id */
} rt_rootword;

/* An edge a root stands for: holder's pointer to value (a goroutine's
 * runtime.g pointing at its deferred calls, which are roots of the
 * goroutine themselves). */
typedef struct rt_covered {
    uint64_t holder, value;
} rt_covered;

typedef struct rt_rootset {
    rt_root *roots;
    size_t nroot, cap_root;
    rt_rootword *words;
    size_t nword, cap_word;
    rt_covered *covered;
    size_t ncovered, cap_covered;
    int resolved;
} rt_rootset;

/* Add a root of kind at addr; its group follows from the kind.  Returns
 * its index; the caller fills name/function/goroutine/variable. */
uint32_t rootset_add(rt_rootset *rs, rt_root_kind kind, uint64_t addr);
/* A pointer word of root: a raw value before rootset_resolve, an object
 * id after it. */
void rootset_word(rt_rootset *rs, uint32_t root, uint64_t off, uint64_t value);
/* A global word no variable or symbol names: a root of its own, named
 * "SEG+0xOFF" (seg "data" or "bss", off from the segment's start) until
 * rootset_resolve finds a named global that points at it. */
uint32_t rootset_add_unnamed(rt_rootset *rs, rt_model *m, const char *seg, uint64_t addr, uint64_t off);
/* Also names the values static data holds for named globals first: a
 * package-level `var p = &T{...}` points at a T the linker placed in the
 * data segment under no symbol; its words become one root "*p" of type T
 * (the pointer's element type; one word when the type is unknown). */
void rootset_resolve(rt_rootset *rs, rt_model *m);
/* The object at holder points at value only because a root of the same
 * owner does: rootset_prune_beside drops that edge, so no path runs through the
 * holder (a runtime.g) to what its goroutine's own roots hold. */
void rootset_cover(rt_rootset *rs, uint64_t holder, uint64_t value);
/* Move the roots into m (objects and their edges must be final). */
void rootset_finish(rt_rootset *rs, rt_model *m);
/* Run types(arg) — the typing, which needs the edges as the heap has
 * them — then drop the edges roots stand for and those registries only
 * share (model_prune_edges), and free what is left of rs.  The search of
 * model_prune_begin runs beside the typing on a second thread when
 * threads > 1 (the answers are the same either way), and with it the
 * reverse graph when want_reverse. */
void rootset_prune_beside(rt_rootset *rs, rt_model *m, int threads, int want_reverse, void (*types)(void *arg),
                          void *arg);
void rootset_free(rt_rootset *rs);

/* Whether a global of this name is a registry (model_registries.c). */
int model_root_is_registry(const char *name);
/* Drop the edges marked RT_NONE (covered by roots), then those from
 * memory only registry roots reach into memory other roots reach (the
 * roots' edges must be in the model). */
void model_prune_edges(rt_model *m);

/* The same in two steps, so that the first — the search of what the
 * program's roots reach, which only reads the model — can run beside the
 * typing, which reads the edges as the heap has them: begin searches as
 * if the cut edges (keys src << 32 | dst, object ids; sorted in place)
 * were gone; end cuts them, then prunes as model_prune_edges. */
typedef struct rt_prune {
    uint64_t *cut;       /* borrowed */
    size_t ncut;
    uint64_t *cut_from;  /* objects with cut edges, one bit each */
    uint32_t nobj;       /* the model's objects (cut_from's bits) */
    uint32_t registries; /* whether any root is a registry */
    uint64_t *prog;      /* what the program's roots reach */
    uint32_t nreach;     /* how many objects that is */
    uint32_t *rstart, *rsrc; /* the reverse graph, when wanted */
} rt_prune;
/* want_reverse: begin also makes the reverse graph of the edges as they
 * will be (the command needs it: on the second thread it costs no wall
 * time), which end puts in the model. */
void model_prune_begin(const rt_model *m, uint64_t *cut, size_t ncut, int want_reverse, rt_prune *pr);
void model_prune_end(rt_model *m, rt_prune *pr);

#endif
