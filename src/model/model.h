/* model.h — the heap model every loader fills and every analysis reads.
 *
 * Plain arrays with dense uint32 ids:
 *   node ids  [0, nobj)              objects, sorted by base address
 *             [nobj, nobj + nroot)   roots (one variable each), sorted by
 *                                    (kind rank, name, address) so that
 *                                    "first root wins" is the tie-break
 *                                    DESIGN.md asks for
 *   edges     CSR over all nodes: edge_start[node] .. edge_start[node+1]
 *             index edge_dst / edge_off (byte offset of the pointer word
 *             from the source object's base, or from the root's address).
 * Groups (globals, one per goroutine, finalizers, runtime) are described
 * by the roots' group field; analyses that need group nodes (dominators)
 * add them in their own id space above the roots.
 *
 * Budget: 16 B per object + 4 B edge index + 8 B per edge, plus 4 B per
 * object for types and for sites only when the input has any; the
 * reverse graph (4 B per edge + 4 B per node) is built on demand. */
#ifndef RETAIN_MODEL_H
#define RETAIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "model/model_types.h"
#include "util/error.h"
#include "util/strpool.h"

#define RT_NONE UINT32_MAX      /* "no id" for type, site, object */
#define RT_OFF_NONE UINT32_MAX  /* edge that is not a pointer field (finalizer closure) */

typedef struct rt_object {
    uint64_t base;  /* allocation slot start */
    uint64_t size;  /* allocation slot size */
} rt_object;

/* Root kinds, in tie-break order (DESIGN.md). */
typedef enum {
    RT_ROOT_GLOBAL = 0,
    RT_ROOT_STACK,
    RT_ROOT_FINALIZER,
    RT_ROOT_CLEANUP,
    RT_ROOT_OTHER,
    RT_ROOT_RUNTIME,
    RT_ROOT_KIND_COUNT
} rt_root_kind;

const char *rt_root_kind_name(rt_root_kind k);

/* Group a root hangs under, below the super-root. */
typedef enum {
    RT_GROUP_GLOBALS = 0,
    RT_GROUP_GOROUTINE, /* one node per goroutine: rt_root.goroutine */
    RT_GROUP_FINALIZERS,
    RT_GROUP_RUNTIME,
} rt_group_kind;

#define RT_NO_GOROUTINE UINT64_MAX

typedef struct rt_root {
    uint64_t address;   /* address of the variable / frame / record */
    uint64_t goroutine; /* goroutine id, or RT_NO_GOROUTINE */
    uint32_t name;      /* string id: global symbol, other-root text; 0 = none */
    uint32_t function;  /* string id: frame function; 0 = none */
    uint32_t variable;  /* string id: local variable name; 0 = none */
    uint8_t kind;       /* rt_root_kind */
    uint8_t group;      /* rt_group_kind */
    uint8_t conservative; /* slots scanned without pointer maps */
    uint8_t registry;   /* a bookkeeping list (model_registries.c): kind runtime,
                           and it reaches only what no other root reaches */
    uint32_t type;      /* the variable's type (model_types.h), 0 if unknown */
    uint64_t size;      /* bytes the variable covers (0 if unknown) */
} rt_root;

typedef struct rt_frame {
    uint32_t function; /* string id */
    uint32_t file;     /* string id */
    uint32_t line;
} rt_frame;

/* An allocation site: one memory-profile bucket (one allocation stack). */
typedef struct rt_site {
    uint64_t bucket;      /* bucket address in the dumped process */
    uint64_t size;        /* allocation size the bucket records */
    uint64_t allocs, frees;
    uint32_t frame_start; /* into rt_model.frames */
    uint32_t nframes;
    uint32_t alloc_frame; /* index (within the site) of the allocating function */
    uint32_t pad;
} rt_site;

/* A site of a heap profile given with the heap (or alone): one stack,
 * its figures summed over the profile's samples with that stack, as the
 * profile states them (Go writes population estimates, exact at
 * MemProfileRate 1); -1 where the profile has no such sample type. */
typedef struct rt_psite {
    uint32_t frame_start; /* into rt_model.frames, innermost first */
    uint32_t nframes;
    uint32_t alloc_frame; /* as rt_site.alloc_frame */
    uint32_t pad;
    int64_t inuse_objects, inuse_bytes, alloc_objects, alloc_bytes;
} rt_psite;

typedef struct rt_goroutine {
    uint64_t id;
    uint64_t gaddr;
    uint64_t gopc;
    uint32_t status;
    uint32_t wait_reason;  /* string id */
    uint32_t top_function; /* string id of the innermost frame, 0 if none */
    uint32_t user_function;/* innermost frame outside runtime, 0 if none */
    uint32_t start_function; /* outermost frame (what the goroutine runs) */
    uint8_t is_system;
    uint8_t pad[3];
    uint32_t frame_start;  /* its stack in rt_model.frames, innermost first */
    uint32_t nframes;      /* 0 when not recorded */
    rt_frame created_by;   /* the go statement (function 0 if unknown) */
    uint64_t stack_bytes;  /* the stack's size (cores), the frames' (dumps) */
    int64_t wait_since;    /* runtime nanotime it began waiting, 0 if unknown */
} rt_goroutine;

/* A value for some objects (their type, their allocation site).  Few
 * objects may have one (a core types only objects with malloc headers;
 * the default MemProfileRate samples one in 512 KiB), so until more than
 * one in 16 objects has a value they are kept as (object, value) pairs,
 * sorted by object once the loader calls sidemap_done(); past that, as a
 * 4-byte entry per object. */
typedef struct rt_sidemap {
    uint32_t *dense;       /* per object, or NULL */
    uint32_t *keys, *vals; /* the pairs while sparse */
    size_t n, cap;
    uint32_t none;         /* the value of an object without one */
    /* sparse and done: dir[b] is the first pair whose key >> shift is b,
     * about one pair per bucket, so a lookup searches a pair or two
     * instead of all of them (NULL while being set) */
    uint32_t *dir;
    uint32_t ndir;
    uint8_t shift;
} rt_sidemap;

uint32_t sidemap_get_sparse(const rt_sidemap *s, uint32_t i);
static inline uint32_t sidemap_get(const rt_sidemap *s, uint32_t i)
{
    if (s->dense)
        return s->dense[i];
    return s->n ? sidemap_get_sparse(s, i) : s->none;
}
/* The objects that have a value, in object order, without a search per
 * object: for (k = 0; sidemap_next(s, nobj, &k, &obj, &val);) ...  Only
 * after sidemap_done(). */
int sidemap_next(const rt_sidemap *s, uint32_t nobj, size_t *k, uint32_t *obj, uint32_t *val);
/* Set object i's value (nobj objects in all); the last set wins. */
void sidemap_set(rt_sidemap *s, uint32_t nobj, uint32_t i, uint32_t v);
/* Sort the pairs: before any sidemap_get. */
void sidemap_done(rt_sidemap *s);
void sidemap_free(rt_sidemap *s);
/* Whether any object has a value. */
static inline int sidemap_any(const rt_sidemap *s) { return s->dense != NULL || s->n > 0; }

/* Which words of a global segment hold pointers, one bit per word: the
 * runtime's data and bss GC masks (cores) or the pointer fields a dump
 * lists for them. */
typedef struct rt_ptrmask {
    uint64_t start, nwords;
    uint8_t *bits; /* owned */
} rt_ptrmask;

/* RT_INPUT_PROFILE: a heap profile alone, no objects (psites only) */
typedef enum { RT_INPUT_NONE = 0, RT_INPUT_HEAPDUMP, RT_INPUT_CORE, RT_INPUT_PROFILE } rt_input_kind;

/* Counts over every object (overview's figures, top's choice of a
 * grouping), kept in a saved index so that a command answered from it
 * need not visit every object for them (overview_tally). */
typedef struct rt_obj_tally {
    uint64_t known; /* 0 or 1; all 64-bit: stored as is in an index */
    uint64_t bytes, sampled, sampled_bytes, typed, typed_bytes, typed_reachable_bytes;
} rt_obj_tally;

typedef struct rt_model {
    rt_strpool *strings;

    rt_object *objects;
    uint32_t nobj;
    rt_sidemap obj_types; /* per object: type id (model_types.h), none = 0 */
    rt_sidemap obj_type_offs; /* per object: where its type starts, none = 0 */

    rt_type *types;       /* types[0] is "no type" */
    uint32_t ntype, cap_type;
    rt_field *fields;
    uint32_t nfield, cap_field;
    rt_type_index type_index;
    rt_sidemap obj_sites; /* per object: allocation site, none = RT_NONE */

    rt_root *roots;
    uint32_t nroot;

    /* forward edges, CSR over nobj + nroot nodes */
    uint32_t *edge_start; /* nobj + nroot + 1 */
    uint32_t *edge_dst;
    uint32_t *edge_off;
    uint64_t nedge;

    /* threads the analyses may use (the command's -j; 0 or 1: one) */
    int workers;
    /* reverse edges, built by model_build_reverse() */
    uint32_t *redge_start; /* nobj + nroot + 1 */
    uint32_t *redge_src;

    rt_site *sites;
    uint32_t nsite;
    rt_frame *frames;      /* never NULL (model_new): an empty stack's frames + start is valid */
    uint32_t nframe;

    rt_goroutine *goroutines;
    uint32_t ngoroutine;

    /* a heap profile's sites (loaders/pprof/pprof_load.c), 0 without one */
    rt_psite *psites;
    uint32_t npsite;
    char *profile_path;    /* owned, NULL if no profile was given */
    uint64_t profile_rate; /* the profile's period (its MemProfileRate), 0 if unknown */

    rt_ptrmask *ptrmasks;  /* global segments, in the order read */
    uint32_t nptrmask;

    /* address → object index: page_first[p] is the first object whose end
     * lies beyond page p of [index_lo, index_hi) (8 KiB pages); NULL when
     * the heap is too sparse and lookups fall back to binary search. */
    uint32_t *page_first;  /* (index_hi - index_lo) >> RT_PAGE_SHIFT + 1 entries */
    uint64_t index_lo, index_hi;

    /* what produced it */
    rt_input_kind input_kind;
    char *input_path;      /* owned */
    uint64_t input_size;   /* bytes of the input read (unpacked), 0 if unknown */
    char *exe_path;        /* owned, NULL if none */
    char *debug_path;      /* its separate debug file, owned, NULL if none */
    char *symbols_path;    /* --symbols: the unstripped build naming globals, owned */
    char *degraded;        /* what is missing without DWARF and how it was made up
                              for, owned; NULL when the executable's DWARF was read */
    int64_t exe_bias;      /* where the executable was loaded: runtime minus link-time
                              address (0 unless PIE) */
    char *go_version;      /* owned, e.g. "go1.22.12" or NULL */
    char *goarch;          /* owned */
    uint64_t arena_start, arena_end;
    uint64_t mem_profile_rate;  /* 0 = unknown (heap dumps do not record it) or 0 */
    int mem_profile_rate_known; /* read from the core (then 0 means profiling off) */
    uint64_t heap_objects_runtime; /* MemStats.HeapObjects, 0 if unknown */
    uint64_t heap_alloc_runtime;   /* MemStats.HeapAlloc */
    uint32_t nthreads;
    int64_t clock_ns;      /* a runtime nanotime close to the moment of the input
                              (cores: the latest one seen), 0 if unknown */
    /* where a core's runtime globals were found, for the curious and the
     * tests: how ("DWARF", "symbols", "code"; static), and each address */
    const char *globals_found_by;
    struct rt_runtime_global { const char *name; uint64_t addr; } runtime_globals[6];
    uint64_t nspans;               /* in-use heap spans (cores) */
    uint64_t narenas;              /* heap arenas holding them (cores) */
    char *exe_how;                 /* how the executable was found (cores), owned */
    uint64_t registry_edges;       /* edges dropped (model_registries.c): those roots stand
                                      for, and those from registry-only memory into memory
                                      program roots reach */
    uint64_t dropped_phantoms;     /* slot records past nelems (Go 1.22+ dumps) */
    uint64_t unresolved_samples;   /* alloc samples not inside any object */

    /* what the roots reach, one bit per object, found while the graph was
     * made final (model_prune_edges) and used by reach_compute; NULL
     * when not known */
    uint64_t *reach_bits;
    uint32_t nreach;
    uint64_t reach_bytes;

    /* partial input: the dump ended early */
    int partial;
    uint64_t partial_offset;
    char partial_reason[256];
    /* roots the input lost (a dump that ends before its roots): what
     * they reach is unknown, not unreachable; "" when all were read */
    char roots_lost[128];

    /* warnings shown by overview, one string each, owned */
    char **warnings;
    size_t nwarning, cap_warning;

    /* Read from a saved index (src/index/): the file's private mapping,
     * which the big arrays point into (model_free unmaps it instead of
     * freeing them one by one), the dominator tree saved with them (its
     * arrays in the mapping too) and the shared retention computed from
     * it, the index's path, and a sentence when an
     * input it was made from changed since (owned).  All NULL otherwise. */
    void *map;
    size_t map_len;
    struct rt_retained *saved_retained;
    struct rt_shared *saved_shared; /* shared retention, all of it (shared.h) */
    uint32_t *saved_child_start, *saved_child; /* the tree's children (retained_children) */
    rt_obj_tally saved_tally; /* known: counted when the index was made */
    char *index_path;
    char *stale;
} rt_model;

rt_model *model_new(void);
void model_free(rt_model *m); /* NULL-safe */

/* 1 when p points into the mapping of the index m was read from: memory
 * model_free releases with the mapping, never with free(). */
static inline int model_borrows(const rt_model *m, const void *p)
{
    return m->map && (const char *)p >= (const char *)m->map && (const char *)p < (const char *)m->map + m->map_len;
}

void model_warn(rt_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The address index's pages (rt_model.page_first): 8 KiB, and never more
 * of them than this for nobj objects (a sparser heap is searched instead). */
#define RT_PAGE_SHIFT 13
#define RT_PAGE_INDEX_MAX(nobj) (4ULL * (nobj) + (1u << 20))

/* Object containing addr (interior pointers count), or RT_NONE. O(log k). */
uint32_t model_find(const rt_model *m, uint64_t addr);

/* Build the address index; objects must be sorted and non-overlapping. */
void model_build_index(rt_model *m);

/* Free the per-edge field offsets (8 → 4 bytes per edge) when nothing
 * after this point prints paths; lets the dominator tree of a 10-million
 * object heap fit the memory budget.  edge_off becomes NULL. */
void model_release_offsets(rt_model *m);

/* Free the forward edges (edge_start, edge_dst, edge_off become NULL)
 * once nothing will follow them again: the last analysis of a command
 * that does not need them afterwards.  nedge keeps its count. */
void model_release_edges(rt_model *m);

/* Build reverse edges once; later calls return at once. */
void model_build_reverse(rt_model *m);
/* The reverse lists of m's edges (sources in increasing id order), into
 * new arrays *start (model_nnodes + 1) and *src, leaving out the edges
 * to RT_NONE and those keep(ctx, v, t) refuses (keep NULL: none); on two
 * threads when workers > 1 and the graph is big. */
void model_reverse_lists(const rt_model *m, int (*keep)(const void *ctx, uint32_t v, uint32_t t),
                         const void *ctx, int workers, uint32_t **start, uint32_t **src);
/* Free them again (the next model_build_reverse rebuilds). */
void model_release_reverse(rt_model *m);

static inline uint32_t model_nnodes(const rt_model *m) { return m->nobj + m->nroot; }
static inline int model_is_root(const rt_model *m, uint32_t node) { return node >= m->nobj; }

static inline uint32_t model_obj_type(const rt_model *m, uint32_t i)
{
    return sidemap_get(&m->obj_types, i);
}
/* The object's type name (string id), 0 when it has no type. */
static inline uint32_t model_obj_type_name(const rt_model *m, uint32_t i)
{
    uint32_t t = sidemap_get(&m->obj_types, i);
    return t < m->ntype ? m->types[t].name : 0;
}
static inline uint32_t model_obj_type_off(const rt_model *m, uint32_t i)
{
    return sidemap_get(&m->obj_type_offs, i);
}
static inline const rt_type *model_type(const rt_model *m, uint32_t id)
{
    return id && id < m->ntype ? &m->types[id] : NULL;
}
static inline uint32_t model_obj_site(const rt_model *m, uint32_t i)
{
    return sidemap_get(&m->obj_sites, i);
}
/* Record an object's type name or site.  A loader calls
 * model_sides_done() once it has set them all. */
void model_set_type(rt_model *m, uint32_t i, uint32_t type);
/* Where object i's type starts, when not at its base. */
void model_set_type_off(rt_model *m, uint32_t i, uint32_t off);
void model_set_site(rt_model *m, uint32_t i, uint32_t site);
void model_sides_done(rt_model *m);

/* A pointer mask for nwords words from start, all bits clear; the loader
 * sets them. */
uint8_t *model_add_ptrmask(rt_model *m, uint64_t start, uint64_t nwords);
/* 1 if the global word at addr holds a pointer, 0 if not, -1 if no mask
 * covers it (heap, stacks, or an input without masks). */
int model_global_is_pointer(const rt_model *m, uint64_t addr);

/* Allocating function of a site: string id (0 if the site has no frames). */
uint32_t model_site_function(const rt_model *m, uint32_t site);

/* 1 for functions of package runtime or internal/runtime/... (what pprof
 * skips at the top of an allocation stack). */
int model_is_runtime_function(const char *f);

/* The next frame of goroutine g, innermost first (function: string id, 0
 * if unknown): the first names g's top function, the first outside the
 * runtime its user function. */
void model_goroutine_frame(rt_model *m, rt_goroutine *g, uint32_t function);

/* What goroutine goid runs, for labels: its innermost frame outside the
 * runtime, else its innermost frame (string id); 0 if there is no such
 * goroutine.  A linear search. */
uint32_t model_goroutine_function(const rt_model *m, uint64_t goid);

/* The same choice for n frames at frames[0..n). */
uint32_t model_pick_alloc_frame(const rt_model *m, const rt_frame *frames, uint32_t n);
/* Choose rt_site.alloc_frame: first frame not in package runtime or
 * internal/runtime/...; the first frame if all are. */
void model_site_pick_alloc_frame(rt_model *m, rt_site *s);

#endif
