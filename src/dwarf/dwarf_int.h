/* dwarf_int.h — private to src/dwarf: the dw_info record, its indexes, and
 * the state shared by the walk and the link step that turns DIE offsets
 * into pointers.
 *
 * Life of a dw_info: dwarf_open.c checks the ELF file and opens libdwarf;
 * dwarf_walk.c visits every DIE once (dwarf_die.c reads each one's
 * attributes) and appends "raw" records that refer to other DIEs by their
 * .debug_info offset; dwarf_link.c resolves those offsets, computes sizes,
 * sorts, builds the hash indexes and frees the raw records; libdwarf is
 * kept until dwarf_locals.c has read the functions' params and locals,
 * whose location lists dwarf_loc.c decodes from section bytes. */
#ifndef RETAIN_DWARF_INT_H
#define RETAIN_DWARF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwarf/dwarf_info.h"
#include "elf/elf_file.h"

/* ---- string pool: names copied out of libdwarf's buffers ---- */

typedef struct dw_pool_block dw_pool_block;
typedef struct dw_pool {
    dw_pool_block *head; /* newest block first */
    size_t used, cap;    /* of head */
} dw_pool;

const char *dw_pool_strdup(dw_pool *p, const char *s);
void dw_pool_free(dw_pool *p);

/* ---- hash indexes: open addressing, values are array indexes ---- */

/* Key is a string owned elsewhere (the pool).  The first insert of a key
 * wins unless dw_strmap_put is told to replace. */
typedef struct dw_strmap {
    const char **keys;
    uint32_t *vals;
    size_t cap, n; /* cap is a power of two or 0 */
} dw_strmap;

void dw_strmap_put(dw_strmap *m, const char *key, uint32_t val, bool replace);
bool dw_strmap_get(const dw_strmap *m, const char *key, uint32_t *val);
void dw_strmap_free(dw_strmap *m);

typedef struct dw_u64map {
    uint64_t *keys;
    uint32_t *vals;
    uint8_t *used;
    size_t cap, n;
} dw_u64map;

void dw_u64map_put(dw_u64map *m, uint64_t key, uint32_t val, bool replace);
bool dw_u64map_get(const dw_u64map *m, uint64_t key, uint32_t *val);
void dw_u64map_free(dw_u64map *m);

/* ---- section bytes and compilation units, for locations ---- */

enum { DWS_LOC, DWS_LOCLISTS, DWS_ADDR, DWS_COUNT };

/* The (decompressed) sections dwarf_loc.c reads itself. */
typedef struct dw_secs {
    uint8_t *data[DWS_COUNT]; /* NULL when the section is absent */
    size_t size[DWS_COUNT];
} dw_secs;

/* dwarf_loc.c */
int dw_secs_load(elf_file *f, dw_secs *s, rt_error *err);
void dw_secs_free(dw_secs *s);

/* What decoding a location needs from its unit. */
typedef struct dw_cu {
    uint64_t base;      /* DW_AT_low_pc: base of location lists */
    uint64_t addr_base; /* DW_AT_addr_base (DWARF 5) */
    bool has_addr_base;
    uint16_t version;
    uint8_t addr_size, off_size;
} dw_cu;

/* ---- the final records ---- */

struct dw_type {
    const char *name;          /* "" when anonymous */
    uint64_t off;              /* DIE offset in .debug_info */
    uint64_t size;             /* DW_AT_byte_size, or derived (dwarf_link.c) */
    uint64_t count;            /* array length */
    uint64_t rtype;            /* DW_AT_go_runtime_type, if has_rtype */
    const dw_type *target;     /* DW_AT_type */
    const dw_type *elem;       /* DW_AT_go_elem, else DW_AT_type for ptr/array */
    const dw_type *key;        /* DW_AT_go_key */
    const dw_member *members;  /* struct fields */
    uint32_t nmembers;
    uint16_t tag;              /* DW_TAG_* */
    uint8_t kind;              /* dw_kind */
    uint8_t go_kind;           /* DW_AT_go_kind or 0 */
    bool has_rtype, has_size;
    /* build-time: references by DIE offset (0 = none), first member */
    uint64_t target_off, elem_off, key_off;
    uint32_t mem_first;
};

typedef struct dw_const {
    const char *name;
    int64_t value;
} dw_const;

struct dw_info {
    char *path;
    char *producer;
    dw_pool pool;
    dw_type *types;
    size_t ntypes;
    dw_member *members; /* all struct members, grouped per type */
    size_t nmembers;
    dw_const *consts;
    size_t nconsts;
    dw_var *globals;    /* sorted by address */
    size_t nglobals;
    dw_func *funcs;     /* sorted by lowpc */
    size_t nfuncs;
    dw_local *locals;
    size_t nlocals;
    dw_loc *locs;
    size_t nlocs;
    dw_op *ops;
    size_t nops;
    dw_strmap type_by_name, const_by_name, global_by_name, func_by_name;
    dw_u64map type_by_rtype; /* DW_AT_go_runtime_type value → type index */
    uint64_t types_base;     /* vaddr of .go.type, else .rodata */
    bool has_types_base;
    /* for dwi_load_locals: DIE offsets of funcs[i] and of the abstract
     * functions, and the identity of the file they came from */
    uint64_t *func_die_off;
    uint32_t *func_cu;       /* index into cus */
    dw_cu *cus;
    size_t ncus;
    uint64_t *abstract_off;
    size_t nabstract;
    bool locals_loaded;
    void *dbg;            /* libdwarf's session from dwi_open until dwi_load_locals */
    elf_file *file;       /* the file read, open until dwi_close */
    bool own_file;        /* opened by dwi_open (by path), closed by dwi_close */
    dw_stats stats;
};

/* ---- build state ---- */

typedef struct raw_member {
    const char *name;
    uint64_t offset, type_off;
    bool embedded;
} raw_member;

typedef struct raw_var {
    const char *name;
    uint64_t addr, type_off;
} raw_var;

typedef struct raw_local {
    const char *name;      /* NULL: take it from the abstract origin */
    uint64_t type_off;     /* 0: take it from the abstract origin */
    uint64_t origin_off;   /* DW_AT_abstract_origin or 0 */
    uint64_t inline_origin_off; /* the abstract function it was inlined from, 0 */
    uint32_t loc_first, nlocs;
    uint64_t closure_off;  /* DW_AT_go_closure_offset, if has_closure_off */
    bool is_param, is_result, inlined, has_closure_off;
} raw_local;

typedef struct raw_loc {
    uint64_t lo, hi;
    uint32_t op_first, nops;
} raw_loc;

typedef struct raw_func {
    const char *name;      /* NULL: from the abstract origin */
    uint64_t die_off;      /* of the DW_TAG_subprogram, for the locals pass */
    uint64_t origin_off;
    uint64_t lowpc, highpc;
    uint32_t local_first, nlocals;
    uint32_t cu;           /* index into d->cus */
    bool frame_base_cfa;
} raw_func;

/* A named DIE that concrete DIEs may point at with DW_AT_abstract_origin. */
typedef struct raw_origin {
    const char *name;
    uint64_t type_off;
} raw_origin;

typedef struct dw_build {
    dw_info *d;
    void *dbg;             /* Dwarf_Debug; void here to keep libdwarf out */
    rt_error *err;
    unsigned addr_size;    /* from the CU headers: the size of pointers */
    const dw_cu *cu;       /* the unit being read */
    const dw_secs *secs;   /* locals pass only */
    size_t cus_cap;
    size_t types_cap, members_cap, consts_cap, ops_cap;
    raw_member *rmem;
    size_t nrmem, rmem_cap;
    raw_var *rvars;
    size_t nrvars, rvars_cap;
    raw_func *rfuncs;
    size_t nrfuncs, rfuncs_cap;
    raw_local *rlocals;
    size_t nrlocals, rlocals_cap;
    raw_loc *rlocs;
    size_t nrlocs, rlocs_cap;
    raw_origin *origins;
    size_t norigins, origins_cap;
    dw_u64map origin_by_off; /* DIE offset → origins index */
    uint64_t *abstract_offs; /* DW_TAG_subprogram with DW_AT_inline */
    size_t nabstract, abstract_cap;
    /* locals pass: typedefs inside generic functions (DW_AT_go_dict_index,
     * naming a shape type); a local of such a type gets the shape */
    dw_u64map shape_by_off;  /* DIE offset → shape_target index */
    uint64_t *shape_target;
    size_t nshape, shape_cap;
} dw_build;

/* dwarf_open.c: open path with libdwarf (*dbg is a Dwarf_Debug), mapping
 * "no DWARF" and libdwarf errors to rt_codes; close it again. */
int dw_lib_open(elf_file *f, void **dbg, rt_error *err);
void dw_lib_close(void *dbg);
/* dwarf_open.c: 0 when d->file is still as it was opened,
 * -RT_E_MISMATCH when it was rewritten since. */
int dw_same_file(const dw_info *d, rt_error *err);
struct timespec;
double dw_elapsed_ms(const struct timespec *t0);

/* dwarf_walk.c: visit every CU of b->dbg: types, constants, globals,
 * functions (not their locals; abstract functions are only noted). */
int dw_walk(dw_build *b);
/* dwarf_walk.c, the locals pass: the children of the subprogram at die_off,
 * as origins (abstract) or as locals of b->rfuncs[func]. */
int dw_walk_func(dw_build *b, uint64_t die_off, bool abstract, uint32_t func);
/* dwarf_loc.c: decode the expression p[0..n) into d->ops (b->cu gives
 * sizes); *nops gets the count.  And a location list at offset off of
 * .debug_loc (v4 units) or .debug_loclists (v5), into b->rlocs and d->ops;
 * *n gets the count.  0 or -RT_E_CORRUPT. */
int dw_expr_append(dw_build *b, const uint8_t *p, size_t n, uint32_t *nops);
int dw_loclist_append(dw_build *b, uint64_t off, uint32_t *n);
/* dwarf_link.c: resolve, size, sort and index; frees the raw records. */
int dw_link(dw_build *b);
/* dwarf_link.c: attach the locals read by the locals pass to d->funcs. */
void dw_link_locals(dw_build *b);
void dw_build_free(dw_build *b);

#endif
