/* gopclntab.h — Go's pc-value table (.gopclntab) of Go 1.18 and later.
 *
 * Every Go binary, stripped or not, carries this table: for each function
 * its entry, name, and the pc-indexed tables the runtime's own traceback
 * and garbage collector use (stack-pointer delta, file, line, pcdata such
 * as the stack-map index and the inline tree index), plus funcdata
 * (pointer maps, stack objects, inline tree) that live in the binary's
 * go:func.* area.  This reader knows no ELF and no core: the caller hands
 * it the table's bytes and a way to read the go:func.* area, and speaks in
 * unrelocated (link-time) addresses — subtract the load bias first.
 *
 * Every offset read from the table is checked against its length: the
 * table comes from untrusted input. */
#ifndef RETAIN_GOPCLNTAB_H
#define RETAIN_GOPCLNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct gp_table gp_table;

/* Reads n bytes at link-time address addr (outside the table itself:
 * funcdata in go:func.*).  0 on success, -1 if unreadable. */
typedef int (*gp_read_fn)(void *ctx, uint64_t addr, void *buf, size_t n);

typedef struct gp_source {
    const uint8_t *data;  /* the .gopclntab bytes; kept, not copied */
    size_t len;
    uint64_t text_start;  /* link-time address of runtime.text (the .text
                             section's start); 0: take pcHeader.textStart.
                             That field holds the link-time value in files
                             of Go 1.18–1.24, PIE too (an R_X86_64_RELATIVE
                             on it sets the runtime value at load), and is 0
                             from Go 1.26: there the caller must give it.
                             Go's own linker starts .text with runtime.text;
                             an external (cgo) link may put C code first
                             (and .gopclntab inside .data.rel.ro): prefer
                             the runtime.text symbol when there is one */
    uint64_t gofunc;      /* link-time address of go:func.* (moduledata.gofunc);
                             0: funcdata unavailable */
    gp_read_fn read;      /* may be NULL: funcdata unavailable */
    void *read_ctx;
    const char *what;     /* file name for error messages */
} gp_source;

/* Indexes of the runtime's pcdata and funcdata tables (internal/abi). */
enum {
    GP_PCDATA_UNSAFEPOINT = 0,
    GP_PCDATA_STACKMAPINDEX = 1,
    GP_PCDATA_INLTREEINDEX = 2,
    GP_FUNCDATA_ARGSPOINTERMAPS = 0,
    GP_FUNCDATA_LOCALSPOINTERMAPS = 1,
    GP_FUNCDATA_STACKOBJECTS = 2,
    GP_FUNCDATA_INLTREE = 3,
};

/* One function of the table. */
typedef struct gp_func {
    uint64_t entry;       /* link-time entry pc */
    uint64_t end;         /* first pc past the function */
    const char *name;     /* NUL-terminated, inside the table */
    int32_t args;         /* bytes of arguments and results */
    uint8_t funcid;       /* abi.FuncID */
    uint8_t flag;         /* abi.FuncFlag (TOPFRAME, SPWRITE, ASM) */
    uint32_t off;         /* the _func record's offset in the table (private) */
} gp_func;

/* One logical frame: an inlined call expands into several. */
typedef struct gp_frame {
    const char *function;
    const char *file;
    int32_t line;
    uint64_t entry;       /* entry of the physical function */
    uint8_t funcid;       /* abi.FuncID of this (maybe inlined) function:
                             the runtime's traceback leaves out inlined
                             wrappers (gp_funcid_wrapper), callers may too */
} gp_frame;

/* Checks the header (magic 0xfffffff0 of Go 1.18–1.19, 0xfffffff1 of
 * 1.20+, pc quantum 1, pointer size 8) and the function table's bounds
 * and order.  Errors: RT_E_TRUNCATED, RT_E_FORMAT (not a Go 1.18+ table),
 * RT_E_UNSUPPORTED (older Go, other architecture), RT_E_CORRUPT, RT_E_USAGE
 * (no text_start anywhere).  *out is freed with gp_close; it points into
 * src->data, which must outlive it. */
int gp_open(const gp_source *src, gp_table **out, rt_error *err);
void gp_close(gp_table *t);

/* Number of functions; the pcHeader's magic. */
uint32_t gp_nfunc(const gp_table *t);
uint32_t gp_magic(const gp_table *t);

/* abi.FuncID values move between Go versions (FuncIDWrapper is 21 in
 * 1.19–1.21, 22 in 1.22–1.24, 23 in 1.26–1.27) and the table does not say
 * which version wrote it.  FuncIDWrapper directly follows
 * FuncID_systemstack_switch in every version, so it is read off the table:
 * one past runtime.systemstack_switch's funcid; -1 if that is missing. */
int gp_funcid_wrapper(const gp_table *t);

/* The function containing pc.  0 found, -1 not in any function. */
int gp_func_at(const gp_table *t, uint64_t pc, gp_func *out);
/* The i-th function in entry order, for i < gp_nfunc.  0 or -1. */
int gp_func_index(const gp_table *t, uint32_t i, gp_func *out);

/* The stack-pointer delta at pc (bytes the frame has pushed: 0 at the
 * entry, the frame size in the body).  0 or -1 (no table / pc outside). */
int gp_pcsp(const gp_table *t, const gp_func *f, uint64_t pc, int32_t *out);
/* pcdata table idx at pc; -1 if the function has no such table or the
 * value is not found (the runtime's "-1" means the same).  On -1, *out is
 * set to -1 too, so a caller that only wants the runtime's answer may
 * ignore the return. */
int gp_pcdata(const gp_table *t, const gp_func *f, uint32_t idx, uint64_t pc, int32_t *out);
/* Link-time address of funcdata idx; 0 or -1 (absent). */
int gp_funcdata(const gp_table *t, const gp_func *f, uint32_t idx, uint64_t *addr);

/* The logical frames at pc, innermost first (inlined callees before the
 * physical function), at most max; returns how many there are (may exceed
 * max), 0 if pc is in no function.  A return-address pc should be passed
 * as pc - 1, as the runtime's traceback does. */
size_t gp_frames(const gp_table *t, uint64_t pc, gp_frame *out, size_t max);

/* The first pc of f whose innermost position is file:line — what a heap
 * dump records of a frame: its physical function, with the file and line
 * of the code inlined there.  0 found, -1 none. */
int gp_pc_of_line(const gp_table *t, const gp_func *f, const char *file, int32_t line, uint64_t *pc);
/* The idx-th run [start, end) of f's pcs whose innermost position is
 * file:line, in pc order.  0, or -1 when there are fewer. */
int gp_line_run(const gp_table *t, const gp_func *f, const char *file, int32_t line, size_t idx, uint64_t *start,
                uint64_t *end);

#endif
