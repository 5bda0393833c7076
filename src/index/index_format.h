/* index_format.h — the layout of a saved index (.rtx), written by
 * `retain index` and read by every command in place of its inputs.
 *
 * A file is a header, a table of sections and the sections, each section
 * 64-byte aligned so that its arrays are used where the file is mapped,
 * without a copy.  Numbers and records are stored as the writer holds
 * them in memory; the header states the byte order and the size of every
 * record stored whole, so an index from another machine or another build
 * of retain is refused instead of misread.  Each section carries a 64-bit
 * XXH3 checksum (libxxhash: several times zlib's CRC-32 in speed, and the
 * whole file is checked when first opened), and the header one over itself
 * and the table.
 *
 * RTX_VERSION changes whenever a record, the meta block or the meaning of
 * a section changes. */
#ifndef RETAIN_INDEX_FORMAT_H
#define RETAIN_INDEX_FORMAT_H

#include <stdint.h>

#include "model/model.h"

#define RTX_MAGIC "RETAINIX"
#define RTX_VERSION 2
#define RTX_ALIGN 64
#define RTX_BYTE_ORDER 0x01020304u

/* The records stored whole, in rtx_header.rec_sizes order. */
enum { RTX_REC_OBJECT, RTX_REC_ROOT, RTX_REC_TYPE, RTX_REC_FIELD, RTX_REC_SITE, RTX_REC_FRAME,
       RTX_REC_GOROUTINE, RTX_REC_PSITE, RTX_REC_GROUP, RTX_REC_SHARED_GROUP, RTX_NREC };

typedef struct rtx_header {
    char magic[8];
    uint32_t version;
    uint32_t byte_order;  /* RTX_BYTE_ORDER as the writer stored it */
    uint32_t nsection;
    uint32_t pad;
    uint64_t sum;         /* over this header (sum 0) and the section table */
    uint64_t file_size;
    uint32_t rec_sizes[RTX_NREC];
} rtx_header;

typedef struct rtx_section {
    uint32_t id;          /* rtx_section_id */
    uint32_t pad;
    uint64_t offset;      /* from the start of the file, RTX_ALIGN-aligned */
    uint64_t size;        /* bytes */
    uint64_t sum;         /* XXH3-64 of the section's bytes */
} rtx_section;

/* Sections.  A sidemap (model.h) is four: RTX_SIDEMAP + 4 * which + part,
 * which 0 types, 1 type offsets, 2 sites; part 0 dense, 1 keys, 2 values,
 * 3 directory. */
typedef enum {
    RTX_META = 1,         /* rtx_meta */
    RTX_STR_LENS,         /* uint32 per string id */
    RTX_STR_BYTES,        /* the strings, each followed by a NUL */
    RTX_OBJECTS,
    RTX_TYPES,
    RTX_FIELDS,
    RTX_ROOTS,
    RTX_EDGE_START,
    RTX_EDGE_DST,
    RTX_EDGE_OFF,
    RTX_REDGE_START,
    RTX_REDGE_SRC,
    RTX_SITES,
    RTX_FRAMES,
    RTX_GOROUTINES,
    RTX_PSITES,
    RTX_PTRMASKS,         /* rtx_ptrmask per mask */
    RTX_PTRMASK_BITS,     /* the masks' bits back to back */
    RTX_WARNINGS,         /* uint32 string id per warning */
    RTX_PAGE_FIRST,
    RTX_INPUTS,           /* rtx_input per file the index was made from */
    RTX_RET_GROUPS,       /* rt_group per group */
    RTX_RET_ROOT_GROUP,
    RTX_RET_IDOM,
    RTX_RET_ORDER,
    RTX_RET_BYTES,
    RTX_RET_OBJECTS,
    RTX_REACH,            /* rt_model.reach_bits, when known */
    RTX_SH_REACH_BYTES,   /* shared retention (shared.h), every flag: per root */
    RTX_SH_REACH_OBJECTS,
    RTX_SH_GROUP_BYTES,   /* per dominator-tree group */
    RTX_SH_GROUP_OBJECTS,
    RTX_SH_GROUPS,        /* rt_shared_group per group */
    RTX_SH_ROOTS,         /* the groups' root lists back to back */
    RTX_SH_TOP_NODE,
    RTX_SH_TOP_GROUP,
    RTX_RET_CHILD_START,  /* the tree's children, largest retained first: */
    RTX_RET_CHILD,        /* a CSR (next to each other: checked as one) */
    RTX_SIDEMAP = 48,     /* .. RTX_SIDEMAP + 11 */
    RTX_SECTION_END = RTX_SIDEMAP + 12,
} rtx_section_id;
_Static_assert(RTX_RET_CHILD < RTX_SIDEMAP, "section ids overlap the sidemaps'");

/* The size of each record stored whole, as this build has them. */
void rtx_record_sizes(uint32_t out[RTX_NREC]);
/* The header's checksum: over h with its sum taken as 0, then the
 * h->nsection entries of table. */
uint64_t rtx_header_sum(const rtx_header *h, const rtx_section *table);

typedef struct rtx_ptrmask {
    uint64_t start, nwords;
} rtx_ptrmask;

/* A file the index was made from, as it was then. */
typedef struct rtx_input {
    uint64_t path;        /* string id of its absolute path */
    uint64_t size;
    int64_t mtime_sec, mtime_nsec;
} rtx_input;

typedef struct rtx_sidemap {
    uint64_t dense;       /* 1: a dense array of nobj entries */
    uint64_t n, ndir, shift, none;
} rtx_sidemap;

/* The model's scalars an index keeps, each stored as a uint64_t (name,
 * its type in rt_model), and its strings (char *, NULL when absent),
 * stored as string ids: one list for the meta block, the writer and the
 * loader. */
#define RTX_SCALARS(X)                                                                                   \
    X(input_kind, rt_input_kind) X(input_size, uint64_t) X(profile_rate, uint64_t) X(exe_bias, int64_t) \
    X(arena_start, uint64_t) X(arena_end, uint64_t) X(mem_profile_rate, uint64_t)                      \
    X(mem_profile_rate_known, int) X(heap_objects_runtime, uint64_t) X(heap_alloc_runtime, uint64_t)   \
    X(nthreads, uint32_t) X(clock_ns, int64_t) X(nspans, uint64_t) X(narenas, uint64_t)                \
    X(registry_edges, uint64_t) X(dropped_phantoms, uint64_t) X(unresolved_samples, uint64_t)          \
    X(partial, int) X(partial_offset, uint64_t)
#define RTX_STRINGS(X)                                                                                   \
    X(input_path) X(exe_path) X(debug_path) X(symbols_path) X(profile_path) X(degraded) X(go_version)   \
    X(goarch) X(exe_how)

#define RTX_META_SCALAR(name, type) uint64_t name;
#define RTX_META_STRING(name) uint64_t s_##name;

/* The model's counts and scalars. */
typedef struct rtx_meta {
    uint64_t nstring, nobj, nroot, nedge, ntype, nfield, nsite, nframe, ngoroutine, npsite, nptrmask,
        nwarning, ninput;
    uint64_t has_edge_off, has_reverse, has_page_first, index_lo, index_hi;
    uint64_t has_reach, nreach, reach_bytes;
    rt_obj_tally tally; /* counts over every object */
    RTX_SCALARS(RTX_META_SCALAR)
    RTX_STRINGS(RTX_META_STRING)
    uint64_t s_globals_found_by, s_partial_reason, s_roots_lost;
    uint64_t rg_name[6], rg_addr[6];
    rtx_sidemap sm[3];
    /* the dominator tree (retained.h) */
    uint64_t r_n, r_group0, r_ngroup, r_super, r_nreach, r_heap_bytes;
    /* shared retention (shared.h) */
    uint64_t sh_ngroup, sh_nroots, sh_ntop, sh_shared_bytes, sh_shared_objects, sh_capped;
} rtx_meta;

#endif
