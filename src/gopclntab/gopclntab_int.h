/* gopclntab_int.h — private to src/gopclntab: the format of Go's pc-value
 * table (1.18+, little-endian, 8-byte pointers), the gp_table record, and
 * the checked readers the three .c files share.
 *
 * The table (runtime.pcHeader, then the sub-tables it points to; every
 * offset is from the start of the header):
 *
 *   off  size  pcHeader field
 *     0     4  magic: 0xfffffff0 (Go 1.18–1.19), 0xfffffff1 (1.20+)
 *     4     2  pad1, pad2: 0
 *     6     1  minLC: the pc quantum, 1 on x86-64
 *     7     1  ptrSize: 8
 *     8     8  nfunc
 *    16     8  nfiles
 *    24     8  textStart: runtime.text; 0 from Go 1.26 (the linker stopped
 *              writing it, as it needs a relocation)
 *    32     8  funcnameOffset → funcnametab: NUL-terminated names
 *    40     8  cuOffset       → cutab: uint32 filetab offsets per CU
 *    48     8  filetabOffset  → filetab: NUL-terminated file names
 *    56     8  pctabOffset    → pctab: the pc-value tables
 *    64     8  pclnOffset     → functab, then the _func records
 *
 * functab: nfunc pairs {entryoff, funcoff} (uint32 each, sorted by entry),
 * then one uint32, the end of the last function; entryoff is from
 * runtime.text, funcoff from pclnOffset.
 *
 * _func (all fields uint32 unless said):
 *     0 entryOff  4 nameOff (into funcnametab)  8 args (int32)
 *    12 deferreturn  16 pcsp  20 pcfile  24 pcln (offsets into pctab)
 *    28 npcdata  32 cuOffset (index into cutab)
 *    Go 1.18–1.19:  36 funcID u8, 37 flag u8, 38 pad, 39 nfuncdata u8  (40)
 *    Go 1.20+:      36 startLine (int32), 40 funcID, 41 flag, 42 pad,
 *                   43 nfuncdata                                       (44)
 *   then npcdata uint32 pctab offsets (0: no table), then nfuncdata uint32
 *   offsets from moduledata.gofunc (~0: absent).
 *
 * A pc-value table is a sequence of (value delta, pc delta) varint pairs;
 * the value delta is zig-zag signed, the value starts at -1, the pc at the
 * entry, pc deltas count in units of the pc quantum; a zero value delta
 * after the first pair ends the table.
 *
 * Inline tree (FUNCDATA_InlTree, in go:func.*), indexed by the pcdata
 * PCDATA_InlTreeIndex value at a pc:
 *   Go 1.18–1.19 (20 bytes): parent int16, funcID u8, pad, file int32,
 *                 line int32, func_ int32 (nameOff), parentPc int32
 *   Go 1.20+     (16 bytes): funcID u8, pad[3], nameOff int32,
 *                 parentPc int32, startLine int32
 * parentPc (from the entry) is an instruction whose position is the call
 * site in the caller: looking up the pc-value tables there gives the
 * caller's inline index, file and line.  Both layouts are walked that way,
 * as the runtime's traceback does; 1.19's own file/line fields go unused. */
#ifndef RETAIN_GOPCLNTAB_INT_H
#define RETAIN_GOPCLNTAB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gopclntab/gopclntab.h"

#define GP_MAGIC_118 0xfffffff0u
#define GP_MAGIC_120 0xfffffff1u
#define GP_HEADER_SIZE 72
#define GP_FUNCDATA_ABSENT 0xffffffffu

/* A sub-table: bytes [off, end) of the table. */
typedef struct gp_region {
    size_t off, end;
} gp_region;

struct gp_table {
    const uint8_t *data; /* the caller's bytes; not owned */
    size_t len;
    uint32_t magic;
    uint32_t quantum;    /* pcHeader.minLC */
    uint32_t nfunc;
    uint64_t text_start; /* runtime.text, link-time */
    uint64_t gofunc;     /* 0: no funcdata */
    gp_read_fn read;
    void *read_ctx;
    gp_region names, cutab, files, pctab, pcln;
    size_t func_size;    /* fixed part of a _func: 40 or 44 */
    size_t inl_size;     /* an inline tree entry: 20 or 16 */
    int wrapper_funcid;  /* FuncIDWrapper of this version, or -1 */
};

/* One _func record, decoded (fields as in the table above). */
typedef struct gp_rawfunc {
    size_t off;          /* of the record in the table */
    uint32_t entryoff;
    int32_t nameoff;
    int32_t args;
    uint32_t pcsp, pcfile, pcln, npcdata, cuoff;
    uint8_t funcid, flag, nfuncdata;
} gp_rawfunc;

/* Little-endian reads of the table at off; false if they would run past
 * its end. */
static inline bool gp_u32(const gp_table *t, size_t off, uint32_t *out)
{
    if (off > t->len || t->len - off < 4)
        return false;
    const uint8_t *p = t->data + off;
    *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return true;
}

static inline uint32_t gp_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The NUL-terminated string at r.off + off, or NULL if off is outside the
 * region or the string does not end inside it. */
const char *gp_string(const gp_table *t, gp_region r, uint64_t off);

/* gopclntab_open.c: the _func record at off (gp_func.off), checked to lie
 * whole inside the table with its pcdata and funcdata arrays.  0 or -1. */
int gp_rawfunc_at(const gp_table *t, size_t off, gp_rawfunc *out);

/* gopclntab_pcvalue.c: the value of the pctab table at tab_off (an offset
 * into pctab; 0 means none) at pc, for the function starting at entry.
 * 0 and *val, or -1 (no table, pc before the entry or past the table,
 * corrupt table). */
int gp_pcvalue(const gp_table *t, uint32_t tab_off, uint64_t entry, uint64_t pc, int32_t *val);
/* An unsigned LEB128 varint of at most 5 bytes at *p, below end. */
bool gp_uvarint(const uint8_t **p, const uint8_t *end, uint32_t *out);

#endif
