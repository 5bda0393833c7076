/* dwarf_info.h — what a Go executable's DWARF says: runtime constants,
 * type layouts, global variables and the locals of functions.
 *
 * Knows DWARF and the conventions of the Go linker that writes it
 * (cmd/link/internal/ld/dwarf.go, cmd/internal/dwarf/dwarf.go; summarised
 * atop dwarf_walk.c) and nothing of the heap model: the Go-core loader asks
 * here for offsets, sizes and constants instead of hard-coding them per Go
 * version.
 *
 * dwi_open() reads every compilation unit once — types, constants,
 * globals, function names and pc ranges — copies what it needs into plain
 * structures with hash indexes, and closes libdwarf again, so every lookup
 * below is a hash probe or a binary search and touches no file.  The
 * params and locals of functions (most of the DIEs) wait for an explicit
 * dwi_load_locals().  Everything returned points into the dw_info and
 * lives until dwi_close(); only dwi_load_locals() modifies a dw_info.
 * Typical load: 10-15 ms for a 2 MB Go binary, 35-55 ms for a 10 MB one
 * (plus 15-20 / 75-100 ms for the locals).
 *
 * Every lookup below accepts d == NULL — an executable without DWARF —
 * and finds nothing, so a loader can run the same code with and without.
 *
 * Addresses are link-time virtual addresses as the executable states them;
 * a loader of a PIE core adds the load bias itself. */
#ifndef RETAIN_DWARF_INFO_H
#define RETAIN_DWARF_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct dw_info dw_info;
typedef struct dw_type dw_type; /* opaque; see the dwt_* accessors */

/* Go-specific DWARF attributes (cmd/internal/dwarf/dwarf.go).  Named apart
 * from libdwarf's dwarf.h, which defines the first five as DW_AT_go_*. */
enum {
    DWGO_AT_KIND = 0x2900,           /* data1: abi.Kind of the type (dwt_go_kind) */
    DWGO_AT_KEY = 0x2901,            /* ref: key type of a map */
    DWGO_AT_ELEM = 0x2902,           /* ref: element type of slice, chan, map */
    DWGO_AT_EMBEDDED_FIELD = 0x2903, /* flag on DW_TAG_member: embedded field */
    DWGO_AT_RUNTIME_TYPE = 0x2904,   /* addr: offset of the runtime _type from the
                                        start of the section holding types */
    DWGO_AT_PACKAGE_NAME = 0x2905,   /* string on DW_TAG_compile_unit */
    DWGO_AT_DICT_INDEX = 0x2906,     /* udata on a typedef inside a generic
                                        function: dictionary entry of a shape */
    DWGO_AT_CLOSURE_OFFSET = 0x2907, /* udata on a captured variable (1.23+) */
};

/* What a type is, from DW_AT_go_kind when present, else from the tag. */
typedef enum dw_kind {
    DWK_UNKNOWN = 0,
    DWK_VOID,           /* DW_TAG_unspecified_type ("<unspecified>") */
    DWK_BOOL,
    DWK_INT,            /* int, int8 … int64 (signed base types) */
    DWK_UINT,           /* uint, uint8 … uint64, uintptr */
    DWK_FLOAT,
    DWK_COMPLEX,
    DWK_STRUCT,
    DWK_POINTER,        /* *T: dwt_elem is T */
    DWK_UNSAFE_POINTER, /* unsafe.Pointer: a pointer without target */
    DWK_ARRAY,          /* [N]T: dwt_elem T, dwt_array_len N */
    DWK_SLICE,          /* struct {array *T; len, cap int}; dwt_elem T */
    DWK_STRING,         /* struct {str *uint8; len int} */
    DWK_INTERFACE,      /* typedef of runtime.iface or runtime.eface */
    DWK_FUNC,           /* a func value: one pointer to a closure */
    DWK_MAP,            /* typedef of *hash<K,V> (≤1.23) or of the swiss-map
                           representation; dwt_key K, dwt_elem V */
    DWK_CHAN,           /* typedef of *hchan<T>; dwt_elem T */
    DWK_TYPEDEF,        /* a name for dwt_target(); see dwt_strip */
} dw_kind;

/* Go's abi.Kind values, as found in DW_AT_go_kind (same in 1.19 … 1.27). */
enum {
    DWGO_KIND_BOOL = 1, DWGO_KIND_INT = 2, DWGO_KIND_UINTPTR = 12,
    DWGO_KIND_FLOAT32 = 13, DWGO_KIND_ARRAY = 17, DWGO_KIND_CHAN = 18,
    DWGO_KIND_FUNC = 19, DWGO_KIND_INTERFACE = 20, DWGO_KIND_MAP = 21,
    DWGO_KIND_POINTER = 22, DWGO_KIND_SLICE = 23, DWGO_KIND_STRING = 24,
    DWGO_KIND_STRUCT = 25, DWGO_KIND_UNSAFE_POINTER = 26,
};

typedef struct dw_member {
    const char *name;    /* field name; Go names embedded fields after their type */
    uint64_t offset;     /* DW_AT_data_member_location */
    const dw_type *type; /* NULL only in corrupt DWARF */
    bool embedded;       /* DW_AT_go_embedded_field */
} dw_member;

/* A package-level variable with a static address (DW_OP_addr). */
typedef struct dw_var {
    const char *name;    /* "main.someVar" */
    uint64_t addr;
    uint64_t size;       /* dwt_size(type); 0 when the type is unknown */
    const dw_type *type;
} dw_var;

/* One operation of a location expression, decoded by libdwarf. */
typedef struct dw_op {
    uint8_t op;          /* DW_OP_* */
    uint64_t arg1, arg2; /* operands; signed ones (fbreg) in two's complement */
} dw_op;

/* Where a local lives over a range of pcs. */
typedef struct dw_loc {
    uint64_t lo, hi;     /* [lo, hi); 0 and UINT64_MAX for a single expression
                            valid over the whole function */
    const dw_op *ops;
    size_t nops;         /* 0: no location (optimised away) in this range */
} dw_loc;

typedef struct dw_local {
    const char *name;    /* "~r0" for unnamed results */
    const dw_type *type;
    bool is_param;       /* DW_TAG_formal_parameter */
    bool is_result;      /* DW_AT_variable_parameter: an output parameter */
    bool inlined;        /* belongs to a function inlined into this one */
    const char *inline_func; /* that function's name (innermost), NULL if unknown */
    bool has_closure_off; /* a variable captured by a closure (Go 1.23+): */
    uint64_t closure_off;  /* its offset in the closure's context (funcval) */
    const dw_loc *locs;  /* sorted as DWARF lists them */
    size_t nlocs;        /* 0: the DIE has no DW_AT_location */
} dw_local;

/* A function with code: DW_TAG_subprogram with low_pc/high_pc. */
typedef struct dw_func {
    const char *name;
    uint64_t lowpc, highpc; /* [lowpc, highpc) */
    bool frame_base_cfa;    /* DW_AT_frame_base is DW_OP_call_frame_cfa (always
                               for Go): DW_OP_fbreg N means CFA + N */
    const dw_local *locals; /* params, then locals, in DIE order; locals of
                               lexical blocks and inlined calls included */
    size_t nlocals;
} dw_func;

typedef struct dw_stats {
    unsigned ncus, dwarf_version_min, dwarf_version_max;
    size_t ndies, ntypes, nconsts, nglobals, nfuncs, nlocals;
    double load_ms;        /* wall time of dwi_open */
    double locals_ms;      /* wall time of dwi_load_locals, 0 before */
} dw_stats;

/* Open the DWARF of the executable at exe_path and read it all.
 * -RT_E_NOTFOUND when it has no DWARF (built with -ldflags=-s -w or
 * stripped); -RT_E_FORMAT when not ELF; -RT_E_CORRUPT when libdwarf or our
 * checks reject the contents; -RT_E_UNSUPPORTED for compression other than
 * zlib.  On success *out is owned by the caller: free with dwi_close(). */
int dwi_open(dw_info **out, const char *exe_path, rt_error *err);
/* The same from a file already open (the executable handle's): f is
 * borrowed and must stay open until dwi_close(). */
struct elf_file;
int dwi_open_file(dw_info **out, struct elf_file *f, rt_error *err);
void dwi_close(dw_info *d); /* NULL-safe */

const char *dwi_path(const dw_info *d);
/* DW_AT_producer of the first CU, e.g. "Go cmd/compile go1.22.12; regabi". */
const char *dwi_producer(const dw_info *d);
void dwi_stats(const dw_info *d, dw_stats *out);

/* ---- constants (DW_TAG_constant) ---- */

/* The value of the first of candidates (NULL-terminated) that the DWARF
 * defines: 0, or -RT_E_NOTFOUND when none is there. */
int dwi_const(const dw_info *d, const char *const *candidates, int64_t *out);
/* The same, but a missing constant is an error naming the candidates. */
int dwi_const_req(const dw_info *d, const char *const *candidates, int64_t *out,
                  rt_error *err);

/* ---- types ---- */

/* The type named name ("runtime.mspan", "*runtime.g", "[]uint8",
 * "map[string]int"), or NULL.  Go emits a named struct twice, as the
 * structure and as a typedef to it; the structure is returned.  Type
 * aliases leave no trace in DWARF: runtime.itab is found under
 * internal/abi.ITab from Go 1.23, runtime._type under internal/abi.Type from
 * 1.21 — ask with dwi_type_any and both names. */
const dw_type *dwi_type(const dw_info *d, const char *name);
/* The first of candidates (NULL-terminated) that exists, or NULL. */
const dw_type *dwi_type_any(const dw_info *d, const char *const *candidates);
/* All types, in DIE order: i < dwi_ntypes(). */
size_t dwi_ntypes(const dw_info *d);
const dw_type *dwi_type_at(const dw_info *d, size_t i);

/* t's position among dwi_type_at()'s types: a dense key for side tables. */
size_t dwt_index(const dw_info *d, const dw_type *t);
const char *dwt_name(const dw_type *t);   /* "" when anonymous */
dw_kind dwt_kind(const dw_type *t);
const char *dw_kind_name(dw_kind k);
unsigned dwt_go_kind(const dw_type *t);   /* DW_AT_go_kind, 0 when absent */
uint64_t dwt_size(const dw_type *t);      /* typedefs: the size of the target */
/* DW_AT_type: typedef target, pointee, array element, and for maps, chans
 * and interfaces the runtime representation. */
const dw_type *dwt_target(const dw_type *t);
const dw_type *dwt_strip(const dw_type *t); /* follow DWK_TYPEDEF links */
/* Pointee, array/slice/chan element, map value; NULL otherwise. */
const dw_type *dwt_elem(const dw_type *t);
const dw_type *dwt_key(const dw_type *t); /* map key, else NULL */
uint64_t dwt_array_len(const dw_type *t);
/* Members of a struct (typedefs are stripped first). */
size_t dwt_nmembers(const dw_type *t);
const dw_member *dwt_member(const dw_type *t, size_t i);
/* Offset and type of a member, or of a dotted path through nested structs
 * ("sched.sp"; typedefs are stripped at each step).  0 or -RT_E_NOTFOUND. */
int dwt_field(const dw_type *t, const char *path, uint64_t *offset,
              const dw_type **ftype);
/* dwt_field on dwi_type(type_name) with an error naming what is missing. */
int dwi_field_req(const dw_info *d, const char *type_name, const char *path,
                  uint64_t *offset, const dw_type **ftype, rt_error *err);

/* DW_AT_go_runtime_type maps to the address of the runtime _type: it is an
 * offset from the start of the section holding the types (.rodata up to
 * Go 1.26, .go.type from 1.27), which dwi_open reads from the ELF section
 * headers.  Only types whose _type the linker kept have one (about a third;
 * the linker writes 0 for the rest).  false when the type has none or the
 * base is unknown. */
bool dwt_runtime_type(const dw_info *d, const dw_type *t, uint64_t *addr);
/* The type whose runtime _type is at addr, or NULL. */
const dw_type *dwi_type_by_rtype(const dw_info *d, uint64_t addr);
/* The section base used above; false when neither section exists. */
bool dwi_types_base(const dw_info *d, uint64_t *base);

/* ---- globals ---- */

/* All globals, sorted by address (then by size, larger last). */
size_t dwi_globals(const dw_info *d, const dw_var **out);
const dw_var *dwi_global(const dw_info *d, const char *name);
/* The global whose [addr, addr+size) contains addr (exact match for
 * zero-sized ones), or NULL. */
const dw_var *dwi_global_at(const dw_info *d, uint64_t addr);

/* ---- functions and their locals ---- */

/* Functions (names, pc ranges) come with dwi_open; their params and locals
 * only after this call, which reads the file's DIEs again (about twice the
 * time of dwi_open: they are most of the DIEs).  Idempotent.  Until it
 * succeeds every dw_func has nlocals 0.  -RT_E_MISMATCH if the file was
 * rewritten in place since dwi_open. */
int dwi_load_locals(dw_info *d, rt_error *err);
bool dwi_has_locals(const dw_info *d);

size_t dwi_funcs(const dw_info *d, const dw_func **out); /* sorted by lowpc */
const dw_func *dwi_func(const dw_info *d, const char *name);
const dw_func *dwi_func_at(const dw_info *d, uint64_t pc);
/* The location of v valid at pc, or NULL. */
const dw_loc *dwl_at(const dw_local *v, uint64_t pc);

/* A location expression understood as pieces, for the forms the Go
 * compiler writes: DW_OP_call_frame_cfa, DW_OP_fbreg N, DW_OP_regN,
 * DW_OP_regx N, DW_OP_addr A, each optionally closed by DW_OP_piece S. */
typedef enum dw_piece_kind {
    DWP_NONE,    /* no location: optimised away */
    DWP_CFA,     /* memory at CFA + off */
    DWP_FBREG,   /* memory at frame base + off (= CFA in Go: frame_base_cfa) */
    DWP_REG,     /* register reg (DWARF numbering) */
    DWP_ADDR,    /* memory at off (an absolute address) */
    DWP_UNKNOWN, /* an expression we do not interpret */
} dw_piece_kind;

typedef struct dw_piece {
    dw_piece_kind kind;
    int64_t off;    /* DWP_CFA, DWP_FBREG, DWP_ADDR */
    unsigned reg;   /* DWP_REG */
    uint64_t size;  /* bytes from DW_OP_piece; 0 = the whole variable */
} dw_piece;

/* The local of f whose stack slot holds addr at pc, where the frame's
 * CFA (the caller's sp: Go's frame base) is cfa; *start and *size get the
 * variable's address and size.  NULL if no local says so (spill slots and
 * compiler temporaries have no DWARF).  dwarf_slots.c. */
const dw_local *dwl_slot_at(const dw_func *f, uint64_t pc, uint64_t cfa, uint64_t addr, uint64_t *start,
                            uint64_t *size);
/* The next such local after `after` (a local of f, or NULL for the
 * first): two variables the compiler keeps in one slot (disjoint
 * lifetimes, or one a copy of the other) share it. */
const dw_local *dwl_slot_next(const dw_func *f, const dw_local *after, uint64_t pc, uint64_t cfa,
                              uint64_t addr, uint64_t *start, uint64_t *size);
/* The variable's name as a user wrote it (the parts Go 1.27 names
 * "buf.ptr" are "buf"), in buf; NULL if it has none. */
const char *dwl_var_name(const dw_local *v, char *buf, size_t n);

/* Split l into at most max pieces; *n gets the count (which may exceed max:
 * the rest are not stored).  Always succeeds: what cannot be interpreted
 * becomes DWP_UNKNOWN. */
void dwl_pieces(const dw_loc *l, dw_piece *out, size_t max, size_t *n);

#endif
