/* gopclntab_pcvalue.c — decoding the pc-value tables (the format is in
 * gopclntab_int.h) and the per-function lookups built on them: the stack
 * pointer delta (pcsp), the pcdata tables, and funcdata addresses.
 *
 * The decoder follows the runtime's pcvalue/step: the same start value
 * (-1), the same end rule (a zero value delta ends the table except while
 * the pc is still at the entry), the same pc quantum.  Tables are read
 * afresh for every lookup, as the runtime does without its cache: they are
 * short, and a cache would be mutable state in a table meant to be shared. */
#include "gopclntab/gopclntab_int.h"

/* An unsigned LEB128 varint of at most 5 bytes (32 bits) at *p, below end.
 * The linker never writes longer ones for the 32-bit values these are. */
bool gp_uvarint(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (*p >= end)
            return false;
        uint8_t b = *(*p)++;
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

int gp_pcvalue(const gp_table *t, uint32_t tab_off, uint64_t entry, uint64_t pc, int32_t *val)
{
    const gp_region r = t->pctab;
    /* offset 0 is the runtime's "no table" */
    if (tab_off == 0 || pc < entry || tab_off >= r.end - r.off)
        return -1;
    const uint8_t *p = t->data + r.off + tab_off, *end = t->data + r.end;
    uint64_t at = entry;
    int32_t v = -1;
    for (;;) {
        if (p >= end)
            return -1;
        uint32_t uv;
        if (*p == 0 && at != entry)
            return -1; /* end of table: pc is past it */
        if (!gp_uvarint(&p, end, &uv))
            return -1;
        /* zig-zag: low bit is the sign */
        v = (int32_t)((uint32_t)v + ((uv >> 1) ^ (0u - (uv & 1))));
        uint32_t pcd;
        if (!gp_uvarint(&p, end, &pcd))
            return -1;
        at += (uint64_t)pcd * t->quantum;
        if (pc < at) {
            *val = v;
            return 0;
        }
    }
}

/* The record of f, and f's pc range check shared by the lookups below. */
static int func_of(const gp_table *t, const gp_func *f, uint64_t pc, gp_rawfunc *rf)
{
    if (!f || pc < f->entry || pc >= f->end)
        return -1;
    return gp_rawfunc_at(t, f->off, rf);
}

int gp_pcsp(const gp_table *t, const gp_func *f, uint64_t pc, int32_t *out)
{
    gp_rawfunc rf;
    if (func_of(t, f, pc, &rf) != 0)
        return -1;
    return gp_pcvalue(t, rf.pcsp, f->entry, pc, out);
}

int gp_pcdata(const gp_table *t, const gp_func *f, uint32_t idx, uint64_t pc, int32_t *out)
{
    *out = -1;
    gp_rawfunc rf;
    if (func_of(t, f, pc, &rf) != 0 || idx >= rf.npcdata)
        return -1;
    /* gp_rawfunc_at checked that the pcdata array is inside the table */
    uint32_t tab = gp_le32(t->data + rf.off + t->func_size + 4 * (size_t)idx);
    int32_t v;
    if (gp_pcvalue(t, tab, f->entry, pc, &v) != 0)
        return -1;
    *out = v;
    return 0;
}

int gp_funcdata(const gp_table *t, const gp_func *f, uint32_t idx, uint64_t *addr)
{
    gp_rawfunc rf;
    if (!f || !t->gofunc || gp_rawfunc_at(t, f->off, &rf) != 0 || idx >= rf.nfuncdata)
        return -1;
    uint32_t off = gp_le32(t->data + rf.off + t->func_size + 4 * ((size_t)rf.npcdata + idx));
    if (off == GP_FUNCDATA_ABSENT)
        return -1;
    *addr = t->gofunc + off;
    return 0;
}
