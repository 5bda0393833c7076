/* dwarf_loc.c — our own reader of location expressions and location
 * lists, from section bytes that libelf decompresses (in the executable
 * handle's own libelf handle: the file is not opened again).
 *
 * Why not libdwarf's dwarf_get_loclist_c: bookworm's libdwarf 20210528
 * reads past the end of a corrupt .debug_loclists (DWARF 5, Go ≥1.25) and
 * crashes (≈1 in 10 four-byte corruptions in our tests; its DWARF 4 reader
 * and DIE reader survived the same tests).  The formats are small and Go
 * uses few of their features, so we decode them here with every read
 * bounds-checked.
 *
 * Formats (DWARF 4 §2.6.2, DWARF 5 §2.6.2 and §7.7.3):
 *   .debug_loc (v4), at the DW_AT_location offset, entries until (0, 0):
 *     begin, end   addr_size each.  begin = all ones: base address
 *                  selection, end is the new base.  Otherwise begin/end are
 *                  relative to the base (initially the CU's DW_AT_low_pc),
 *     u16 length, expression bytes.
 *   .debug_loclists (v5), at the DW_AT_location offset, u8 kind then:
 *     0 end_of_list | 1 base_addressx uleb | 2 startx_endx uleb uleb expr |
 *     3 startx_length uleb uleb expr | 4 offset_pair uleb uleb expr |
 *     5 default_location expr | 6 base_address addr |
 *     7 start_end addr addr expr | 8 start_length addr uleb expr
 *     where expr = uleb length, bytes, and an index i means the address at
 *     .debug_addr + DW_AT_addr_base + i·addr_size.  Go writes 1 then 4s.
 *   An expression is a sequence of DW_OP_* with operands per op (table
 *   below).  An op we do not know ends the decoding: it is kept with no
 *   operands and dwl_pieces reports the piece as DWP_UNKNOWN. */
#include <dwarf.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "dwarf/dwarf_int.h"
#include "util/alloc.h"

/* Lists longer than this are corrupt: Go's have a handful of entries. */
enum { MAX_LIST_ENTRIES = 1 << 16 };

/* ---- sections ---- */

static const struct {
    const char *name, *zname;
} sec_names[DWS_COUNT] = {
    [DWS_LOC] = { ".debug_loc", ".zdebug_loc" },
    [DWS_LOCLISTS] = { ".debug_loclists", ".zdebug_loclists" },
    [DWS_ADDR] = { ".debug_addr", ".zdebug_addr" },
};

/* The sections are inflated in place, in the file's own libelf handle
 * (begun ELF_C_READ, so the bytes are libelf's copies): s points into
 * them, valid while the file is open, and nothing is copied again. */
int dw_secs_load(elf_file *f, dw_secs *s, rt_error *err)
{
    memset(s, 0, sizeof *s);
    rt_error e;
    rt_error_clear(&e);
    Elf *elf = ef_begin(f, ELF_C_READ, &e);
    size_t shstrndx = 0;
    if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
        return RT_FAIL(err, RT_E_CORRUPT, "cannot read the ELF sections: %s", elf_errmsg(-1));
    int rc = 0;
    Elf_Scn *scn = NULL;
    while (!rc && (scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
            continue;
        const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
        for (int k = 0; name && k < DWS_COUNT; k++) {
            bool plain = strcmp(name, sec_names[k].name) == 0;
            bool gnu = strcmp(name, sec_names[k].zname) == 0;
            if ((!plain && !gnu) || s->data[k])
                continue;
            /* libelf inflates in memory: SHF_COMPRESSED (Go ≥1.17) or
             * the older .zdebug_ "ZLIB" + size header */
            int z = 0;
            if (sh.sh_flags & SHF_COMPRESSED)
                z = elf_compress(scn, 0, 0);
            else if (gnu)
                z = elf_compress_gnu(scn, 0, 0);
            Elf_Data *data = z < 0 ? NULL : elf_getdata(scn, NULL);
            if (!data) {
                rc = RT_FAIL(err, RT_E_CORRUPT, "cannot read or decompress section %s: %s",
                             name, elf_errmsg(-1));
                break;
            }
            s->size[k] = data->d_size;
            /* a present section is never NULL, even when empty */
            s->data[k] = data->d_size ? data->d_buf : (uint8_t *)"";
        }
    }
    if (rc)
        dw_secs_free(s);
    return rc;
}

void dw_secs_free(dw_secs *s)
{
    memset(s, 0, sizeof *s); /* the bytes are the file handle's */
}

/* ---- a bounds-checked cursor ---- */

typedef struct cur {
    const uint8_t *p, *end;
    bool bad; /* a read ran past end; later reads return 0 */
} cur;

static bool need(cur *c, size_t n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = true;
        return false;
    }
    return true;
}

static uint64_t rd_u(cur *c, unsigned n) /* little-endian, n ≤ 8 */
{
    if (!need(c, n))
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)c->p[i] << (8 * i);
    c->p += n;
    return v;
}

static int64_t rd_s(cur *c, unsigned n)
{
    uint64_t v = rd_u(c, n);
    unsigned bits = 8 * n;
    if (bits < 64 && (v >> (bits - 1)) & 1)
        v |= ~0ull << bits;
    return (int64_t)v;
}

static uint64_t rd_uleb(cur *c)
{
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (!need(c, 1))
            return 0;
        uint8_t byte = *c->p++;
        if (shift < 64)
            v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return v;
        if (shift > 70) { /* longer than any 64-bit value */
            c->bad = true;
            return 0;
        }
    }
}

static int64_t rd_sleb(cur *c)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t byte = 0;
    do {
        if (!need(c, 1) || shift > 70) {
            c->bad = true;
            return 0;
        }
        byte = *c->p++;
        if (shift < 64)
            v |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
    } while (byte & 0x80);
    if (shift < 64 && (byte & 0x40))
        v |= ~0ull << shift;
    return (int64_t)v;
}

static void skip(cur *c, uint64_t n)
{
    if (need(c, 0) && n <= (uint64_t)(c->end - c->p))
        c->p += n;
    else
        c->bad = true;
}

/* ---- expressions ---- */

static void push_op(dw_build *b, uint8_t op, uint64_t a1, uint64_t a2)
{
    dw_info *d = b->d;
    RT_GROW(d->ops, b->ops_cap, d->nops + 1);
    d->ops[d->nops++] = (dw_op){ .op = op, .arg1 = a1, .arg2 = a2 };
}

/* Decode one op's operands at c; false when op is unknown. */
static bool operands(cur *c, uint8_t op, unsigned asz, unsigned osz, uint64_t *a1, uint64_t *a2)
{
    *a1 = *a2 = 0;
    if ((op >= DW_OP_lit0 && op <= DW_OP_lit31) || (op >= DW_OP_reg0 && op <= DW_OP_reg31))
        return true;
    if (op >= DW_OP_breg0 && op <= DW_OP_breg31) {
        *a1 = (uint64_t)rd_sleb(c);
        return true;
    }
    switch (op) {
    case DW_OP_addr: *a1 = rd_u(c, asz); return true;
    case DW_OP_const1u: *a1 = rd_u(c, 1); return true;
    case DW_OP_const1s: *a1 = (uint64_t)rd_s(c, 1); return true;
    case DW_OP_const2u: *a1 = rd_u(c, 2); return true;
    case DW_OP_const2s: *a1 = (uint64_t)rd_s(c, 2); return true;
    case DW_OP_const4u: *a1 = rd_u(c, 4); return true;
    case DW_OP_const4s: *a1 = (uint64_t)rd_s(c, 4); return true;
    case DW_OP_const8u: *a1 = rd_u(c, 8); return true;
    case DW_OP_const8s: *a1 = (uint64_t)rd_s(c, 8); return true;
    case DW_OP_constu:
    case DW_OP_plus_uconst:
    case DW_OP_regx:
    case DW_OP_piece:
    case DW_OP_addrx:
    case DW_OP_constx:
    case DW_OP_convert:
    case DW_OP_reinterpret:
    case DW_OP_GNU_addr_index:
    case DW_OP_GNU_const_index:
        *a1 = rd_uleb(c);
        return true;
    case DW_OP_consts:
    case DW_OP_fbreg:
        *a1 = (uint64_t)rd_sleb(c);
        return true;
    case DW_OP_pick:
    case DW_OP_deref_size:
    case DW_OP_xderef_size:
        *a1 = rd_u(c, 1);
        return true;
    case DW_OP_skip:
    case DW_OP_bra:
        *a1 = (uint64_t)rd_s(c, 2);
        return true;
    case DW_OP_call2: *a1 = rd_u(c, 2); return true;
    case DW_OP_call4: *a1 = rd_u(c, 4); return true;
    case DW_OP_call_ref: *a1 = rd_u(c, osz); return true;
    case DW_OP_bregx:
        *a1 = rd_uleb(c);
        *a2 = (uint64_t)rd_sleb(c);
        return true;
    case DW_OP_bit_piece:
    case DW_OP_regval_type:
        *a1 = rd_uleb(c);
        *a2 = rd_uleb(c);
        return true;
    case DW_OP_implicit_value:
    case DW_OP_entry_value:
        *a1 = rd_uleb(c); /* length; the block is skipped */
        skip(c, *a1);
        return true;
    case DW_OP_implicit_pointer:
        *a1 = rd_u(c, osz);
        *a2 = (uint64_t)rd_sleb(c);
        return true;
    case DW_OP_const_type:
        *a1 = rd_uleb(c);
        *a2 = rd_u(c, 1);
        skip(c, *a2);
        return true;
    case DW_OP_deref_type:
    case DW_OP_xderef_type:
        *a1 = rd_u(c, 1);
        *a2 = rd_uleb(c);
        return true;
    case DW_OP_deref:
    case DW_OP_dup:
    case DW_OP_drop:
    case DW_OP_over:
    case DW_OP_swap:
    case DW_OP_rot:
    case DW_OP_xderef:
    case DW_OP_abs:
    case DW_OP_and:
    case DW_OP_div:
    case DW_OP_minus:
    case DW_OP_mod:
    case DW_OP_mul:
    case DW_OP_neg:
    case DW_OP_not:
    case DW_OP_or:
    case DW_OP_plus:
    case DW_OP_shl:
    case DW_OP_shr:
    case DW_OP_shra:
    case DW_OP_xor:
    case DW_OP_eq:
    case DW_OP_ge:
    case DW_OP_gt:
    case DW_OP_le:
    case DW_OP_lt:
    case DW_OP_ne:
    case DW_OP_nop:
    case DW_OP_push_object_address:
    case DW_OP_form_tls_address:
    case DW_OP_call_frame_cfa:
    case DW_OP_stack_value:
    case DW_OP_GNU_push_tls_address:
        return true;
    default:
        return false;
    }
}

int dw_expr_append(dw_build *b, const uint8_t *p, size_t n, uint32_t *nops)
{
    const dw_cu *cu = b->cu;
    unsigned asz = cu && cu->addr_size ? cu->addr_size : 8;
    unsigned osz = cu && cu->off_size ? cu->off_size : 4;
    cur c = { p, p + n, false };
    *nops = 0;
    while (c.p < c.end) {
        uint8_t op = *c.p++;
        uint64_t a1, a2;
        bool known = operands(&c, op, asz, osz, &a1, &a2);
        if (c.bad)
            return RT_FAIL(b->err, RT_E_CORRUPT,
                           "the executable's DWARF is corrupt: a location expression "
                           "ends inside the operands of op 0x%02x",
                           op);
        push_op(b, op, a1, a2);
        (*nops)++;
        if (!known)
            break; /* cannot find the next op; dwl_pieces says "unknown" */
    }
    return 0;
}

/* ---- location lists ---- */

static int list_fail(dw_build *b, const char *sec, uint64_t off, const char *what)
{
    return RT_FAIL(b->err, RT_E_CORRUPT,
                   "the executable's DWARF is corrupt: %s at %s+0x%llx", what, sec,
                   (unsigned long long)off);
}

/* Append one location with its expression at c (length already read). */
static int add_entry(dw_build *b, cur *c, uint64_t len, uint64_t lo, uint64_t hi, uint32_t *n,
                     const char *sec, uint64_t off)
{
    const uint8_t *expr = c->p;
    skip(c, len);
    if (c->bad)
        return list_fail(b, sec, off, "location expression runs past the section");
    if (lo >= hi) /* an empty range says nothing */
        return 0;
    RT_GROW(b->rlocs, b->rlocs_cap, b->nrlocs + 1);
    raw_loc *rl = &b->rlocs[b->nrlocs++];
    rl->lo = lo;
    rl->hi = hi;
    rl->op_first = (uint32_t)b->d->nops;
    uint32_t nops = 0;
    int rc = dw_expr_append(b, expr, (size_t)len, &nops);
    b->rlocs[b->nrlocs - 1].nops = nops;
    if (rc)
        return rc;
    (*n)++;
    return 0;
}

static int loclist_v4(dw_build *b, uint64_t off, uint32_t *n)
{
    const dw_secs *s = b->secs;
    const dw_cu *cu = b->cu;
    unsigned asz = cu->addr_size ? cu->addr_size : 8;
    if (!s->data[DWS_LOC] || off >= s->size[DWS_LOC])
        return list_fail(b, ".debug_loc", off, "location list offset outside the section");
    cur c = { s->data[DWS_LOC] + off, s->data[DWS_LOC] + s->size[DWS_LOC], false };
    uint64_t all_ones = asz >= 8 ? UINT64_MAX : (1ull << (8 * asz)) - 1;
    uint64_t base = cu->base;
    for (int i = 0; i < MAX_LIST_ENTRIES; i++) {
        uint64_t begin = rd_u(&c, asz), end = rd_u(&c, asz);
        if (c.bad)
            break;
        if (begin == 0 && end == 0)
            return 0;
        if (begin == all_ones) {
            base = end;
            continue;
        }
        uint64_t len = rd_u(&c, 2);
        if (c.bad)
            break;
        int rc = add_entry(b, &c, len, base + begin, base + end, n, ".debug_loc", off);
        if (rc)
            return rc;
    }
    return list_fail(b, ".debug_loc", off, "location list runs past the section or has no end");
}

/* Address number i of the CU's .debug_addr table. */
static bool addrx(const dw_build *b, uint64_t i, uint64_t *addr)
{
    const dw_secs *s = b->secs;
    const dw_cu *cu = b->cu;
    unsigned asz = cu->addr_size ? cu->addr_size : 8;
    if (!s->data[DWS_ADDR] || !cu->has_addr_base || i > s->size[DWS_ADDR] / asz)
        return false;
    uint64_t at = cu->addr_base + i * asz;
    if (at < cu->addr_base || at > s->size[DWS_ADDR] || s->size[DWS_ADDR] - at < asz)
        return false;
    cur c = { s->data[DWS_ADDR] + at, s->data[DWS_ADDR] + s->size[DWS_ADDR], false };
    *addr = rd_u(&c, asz);
    return !c.bad;
}

static int loclist_v5(dw_build *b, uint64_t off, uint32_t *n)
{
    const dw_secs *s = b->secs;
    const dw_cu *cu = b->cu;
    unsigned asz = cu->addr_size ? cu->addr_size : 8;
    const char *sec = ".debug_loclists";
    if (!s->data[DWS_LOCLISTS] || off >= s->size[DWS_LOCLISTS])
        return list_fail(b, sec, off, "location list offset outside the section");
    cur c = { s->data[DWS_LOCLISTS] + off, s->data[DWS_LOCLISTS] + s->size[DWS_LOCLISTS], false };
    uint64_t base = cu->base;
    for (int i = 0; i < MAX_LIST_ENTRIES && !c.bad; i++) {
        uint8_t kind = (uint8_t)rd_u(&c, 1);
        uint64_t x = 0, y = 0, lo = 0, hi = 0;
        bool has_expr = true;
        switch (kind) {
        case DW_LLE_end_of_list:
            return c.bad ? list_fail(b, sec, off, "location list runs past the section") : 0;
        case DW_LLE_base_addressx:
            x = rd_uleb(&c);
            if (!c.bad && !addrx(b, x, &base))
                return list_fail(b, sec, off, "location list names a missing .debug_addr entry");
            has_expr = false;
            break;
        case DW_LLE_startx_endx:
            x = rd_uleb(&c);
            y = rd_uleb(&c);
            if (!c.bad && (!addrx(b, x, &lo) || !addrx(b, y, &hi)))
                return list_fail(b, sec, off, "location list names a missing .debug_addr entry");
            break;
        case DW_LLE_startx_length:
            x = rd_uleb(&c);
            y = rd_uleb(&c);
            if (!c.bad && !addrx(b, x, &lo))
                return list_fail(b, sec, off, "location list names a missing .debug_addr entry");
            hi = lo + y;
            break;
        case DW_LLE_offset_pair:
            lo = base + rd_uleb(&c);
            hi = base + rd_uleb(&c);
            break;
        case DW_LLE_default_location:
            lo = 0;
            hi = UINT64_MAX;
            break;
        case DW_LLE_base_address:
            base = rd_u(&c, asz);
            has_expr = false;
            break;
        case DW_LLE_start_end:
            lo = rd_u(&c, asz);
            hi = rd_u(&c, asz);
            break;
        case DW_LLE_start_length:
            lo = rd_u(&c, asz);
            hi = lo + rd_uleb(&c);
            break;
        default:
            return list_fail(b, sec, off, "unknown location list entry kind");
        }
        if (!has_expr || c.bad)
            continue;
        uint64_t len = rd_uleb(&c);
        if (c.bad)
            break;
        int rc = add_entry(b, &c, len, lo, hi, n, sec, off);
        if (rc)
            return rc;
    }
    return list_fail(b, sec, off, "location list runs past the section or has no end");
}

int dw_loclist_append(dw_build *b, uint64_t off, uint32_t *n)
{
    *n = 0;
    if (!b->secs || !b->cu)
        return list_fail(b, ".debug_loc", off, "location list outside a known unit");
    return b->cu->version >= 5 ? loclist_v5(b, off, n) : loclist_v4(b, off, n);
}
