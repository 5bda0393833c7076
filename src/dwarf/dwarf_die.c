/* dwarf_die.c — reading one DIE's attributes into a die_info
 * (dwarf_die.h), and libdwarf failures into rt_errors.
 *
 * Every libdwarf call is checked: DW_DLV_ERROR becomes RT_E_CORRUPT with
 * libdwarf's message and the DIE offset; DW_DLV_NO_ENTRY means "absent".
 * No error handler is installed (a NULL errhand plus a non-NULL
 * Dwarf_Error* makes libdwarf return instead of abort). */
#include <string.h>

#include "dwarf/dwarf_die.h"

Dwarf_Debug dw_dbg(const dw_build *b)
{
    return (Dwarf_Debug)b->dbg;
}

/* Report a failed libdwarf call (e may be NULL for DW_DLV_NO_ENTRY where
 * an entry was required) and release e. */
int dw_lib_fail(dw_build *b, Dwarf_Error e, Dwarf_Off off, const char *what)
{
    int rc = RT_FAIL(b->err, RT_E_CORRUPT,
                     "the executable's DWARF is corrupt or not understood: %s at "
                     ".debug_info+0x%llx: %s",
                     what, (unsigned long long)off, e ? dwarf_errmsg(e) : "missing");
    rt_error_where(b->err, NULL, RT_NO_OFFSET, "reading DWARF .debug_info");
    if (e)
        dwarf_dealloc_error(dw_dbg(b), e);
    return rc;
}

void dw_die_release(dw_build *b, die_info *di)
{
    for (Dwarf_Signed i = 0; i < di->nattrs; i++)
        dwarf_dealloc_attribute(di->attrs[i]);
    if (di->attrs)
        dwarf_dealloc(dw_dbg(b), di->attrs, DW_DLA_LIST);
    di->attrs = NULL;
    di->nattrs = 0;
    di->loc = NULL;
}

/* Read a constant-class attribute as unsigned. */
int dw_form_u(dw_build *b, die_info *di, Dwarf_Attribute a, uint64_t *v, const char *what)
{
    Dwarf_Error e = NULL;
    Dwarf_Unsigned u = 0;
    Dwarf_Half form = 0;
    /* gcc's DWARF 5 (the C side of a cgo binary) uses DW_FORM_implicit_const,
     * which this libdwarf reads only as a signed value */
    if (dwarf_whatform(a, &form, &e) == DW_DLV_OK && form == DW_FORM_implicit_const) {
        Dwarf_Signed sv = 0;
        int r = dwarf_formsdata(a, &sv, &e);
        if (r != DW_DLV_OK)
            return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, di->off, what);
        *v = (uint64_t)sv;
        return 0;
    }
    int r = dwarf_formudata(a, &u, &e);
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, di->off, what);
    *v = u;
    return 0;
}

int dw_form_ref(dw_build *b, die_info *di, Dwarf_Attribute a, Dwarf_Off *v, const char *what)
{
    Dwarf_Error e = NULL;
    Dwarf_Off o = 0;
    int r = dwarf_global_formref(a, &o, &e);
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, di->off, what);
    *v = o;
    return 0;
}

static int form_addr(dw_build *b, die_info *di, Dwarf_Attribute a, uint64_t *v, const char *what)
{
    Dwarf_Error e = NULL;
    Dwarf_Addr x = 0;
    int r = dwarf_formaddr(a, &x, &e); /* resolves DW_FORM_addrx via .debug_addr */
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, di->off, what);
    *v = x;
    return 0;
}

static int form_flag(dw_build *b, die_info *di, Dwarf_Attribute a, bool *v, const char *what)
{
    Dwarf_Error e = NULL;
    Dwarf_Bool f = 0;
    int r = dwarf_formflag(a, &f, &e);
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, di->off, what);
    *v = f != 0;
    return 0;
}

static int form_str(dw_build *b, die_info *di, Dwarf_Attribute a, const char **v, const char *what)
{
    Dwarf_Error e = NULL;
    char *s = NULL;
    int r = dwarf_formstring(a, &s, &e);
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, di->off, what);
    *v = s;
    return 0;
}

/* Bytes of a block or exprloc attribute. */
int dw_form_block(dw_build *b, die_info *di, Dwarf_Attribute a, const uint8_t **p, size_t *n)
{
    Dwarf_Error e = NULL;
    Dwarf_Block *blk = NULL;
    int r = dwarf_formblock(a, &blk, &e);
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, di->off, "reading a block attribute");
    *p = blk->bl_data;
    *n = blk->bl_len;
    /* the block header is libdwarf's; its bytes stay in the section */
    dwarf_dealloc(dw_dbg(b), blk, DW_DLA_BLOCK);
    return 0;
}

static int read_uleb(const uint8_t *p, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

/* DW_AT_data_member_location: Go writes udata; older producers write
 * [DW_OP_plus_uconst N]. */
static int read_member_loc(dw_build *b, die_info *di, Dwarf_Attribute a, Dwarf_Half form)
{
    if (form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 ||
        form == DW_FORM_block || form == DW_FORM_exprloc) {
        const uint8_t *p;
        size_t n;
        int rc = dw_form_block(b, di, a, &p, &n);
        if (rc)
            return rc;
        if (n < 2 || p[0] != DW_OP_plus_uconst || read_uleb(p + 1, n - 1, &di->member_loc))
            return dw_lib_fail(b, NULL, di->off, "member location expression not a constant offset");
        return 0;
    }
    return dw_form_u(b, di, a, &di->member_loc, "reading DW_AT_data_member_location");
}

/* Fill di from the DIE's attribute list: one libdwarf call for the list,
 * then one per attribute we use. */
int dw_die_read(dw_build *b, Dwarf_Die die, die_info *di)
{
    Dwarf_Error e = NULL;
    memset(di, 0, sizeof *di);
    di->die = die;
    if (dwarf_dieoffset(die, &di->off, &e) != DW_DLV_OK)
        return dw_lib_fail(b, e, 0, "getting a DIE offset");
    int r = dwarf_tag(die, &di->tag, &e);
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, di->off, "reading a DIE tag");
    b->d->stats.ndies++;
    r = dwarf_attrlist(die, &di->attrs, &di->nattrs, &e);
    if (r == DW_DLV_NO_ENTRY)
        return 0;
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, e, di->off, "reading the attribute list");

    int rc = 0;
    for (Dwarf_Signed i = 0; i < di->nattrs && !rc; i++) {
        Dwarf_Attribute a = di->attrs[i];
        Dwarf_Half at = 0, form = 0;
        if (dwarf_whatattr(a, &at, &e) != DW_DLV_OK)
            return dw_lib_fail(b, e, di->off, "reading an attribute number");
        if (dwarf_whatform(a, &form, &e) != DW_DLV_OK)
            return dw_lib_fail(b, e, di->off, "reading an attribute form");
        switch (at) {
        case DW_AT_name:
            rc = form_str(b, di, a, &di->name, "reading DW_AT_name");
            di->have |= HAVE_NAME;
            break;
        case DW_AT_producer:
            rc = form_str(b, di, a, &di->producer, "reading DW_AT_producer");
            di->have |= HAVE_PRODUCER;
            break;
        case DW_AT_type:
            rc = dw_form_ref(b, di, a, &di->type_off, "reading DW_AT_type");
            di->have |= HAVE_TYPE;
            break;
        case DWGO_AT_ELEM:
            rc = dw_form_ref(b, di, a, &di->elem_off, "reading DW_AT_go_elem");
            di->have |= HAVE_ELEM;
            break;
        case DWGO_AT_KEY:
            rc = dw_form_ref(b, di, a, &di->key_off, "reading DW_AT_go_key");
            di->have |= HAVE_KEY;
            break;
        case DW_AT_abstract_origin:
            rc = dw_form_ref(b, di, a, &di->origin_off, "reading DW_AT_abstract_origin");
            di->have |= HAVE_ORIGIN;
            break;
        case DW_AT_byte_size:
            rc = dw_form_u(b, di, a, &di->byte_size, "reading DW_AT_byte_size");
            di->have |= HAVE_SIZE;
            break;
        case DWGO_AT_KIND:
            rc = dw_form_u(b, di, a, &di->go_kind, "reading DW_AT_go_kind");
            di->have |= HAVE_GOKIND;
            break;
        case DW_AT_encoding:
            rc = dw_form_u(b, di, a, &di->encoding, "reading DW_AT_encoding");
            di->have |= HAVE_ENCODING;
            break;
        case DW_AT_count:
            rc = dw_form_u(b, di, a, &di->count, "reading DW_AT_count");
            di->have |= HAVE_COUNT;
            break;
        case DW_AT_upper_bound:
            if (!(di->have & HAVE_COUNT)) {
                rc = dw_form_u(b, di, a, &di->count, "reading DW_AT_upper_bound");
                di->count++;
                di->have |= HAVE_COUNT;
            }
            break;
        case DW_AT_data_member_location:
            rc = read_member_loc(b, di, a, form);
            di->have |= HAVE_MEMBER_LOC;
            break;
        case DW_AT_const_value:
            if (form == DW_FORM_udata) {
                uint64_t u = 0;
                rc = dw_form_u(b, di, a, &u, "reading DW_AT_const_value");
                di->const_value = (int64_t)u;
            } else {
                Dwarf_Signed s = 0;
                int r2 = dwarf_formsdata(a, &s, &e);
                if (r2 != DW_DLV_OK)
                    rc = dw_lib_fail(b, r2 == DW_DLV_ERROR ? e : NULL, di->off,
                                  "reading DW_AT_const_value");
                di->const_value = s;
            }
            di->have |= HAVE_CONST;
            break;
        case DWGO_AT_RUNTIME_TYPE:
            rc = form_addr(b, di, a, &di->rtype, "reading DW_AT_go_runtime_type");
            di->have |= HAVE_RTYPE;
            break;
        case DW_AT_low_pc:
            rc = form_addr(b, di, a, &di->lowpc, "reading DW_AT_low_pc");
            di->have |= HAVE_LOWPC;
            break;
        case DW_AT_high_pc:
            if (form == DW_FORM_addr || form == DW_FORM_addrx || form == DW_FORM_GNU_addr_index) {
                rc = form_addr(b, di, a, &di->highpc, "reading DW_AT_high_pc");
            } else {
                rc = dw_form_u(b, di, a, &di->highpc, "reading DW_AT_high_pc");
                di->highpc_is_len = true;
            }
            di->have |= HAVE_HIGHPC;
            break;
        case DW_AT_location:
            di->loc = a;
            di->loc_form = form;
            di->have |= HAVE_LOC;
            break;
        case DW_AT_addr_base:
        case DW_AT_GNU_addr_base: {
            Dwarf_Off o = 0;
            rc = dw_form_ref(b, di, a, &o, "reading DW_AT_addr_base"); /* sec_offset */
            di->addr_base = o;
            di->have |= HAVE_ADDR_BASE;
            break;
        }
        case DW_AT_frame_base:
            if (form == DW_FORM_block1 || form == DW_FORM_exprloc) {
                const uint8_t *p;
                size_t n;
                rc = dw_form_block(b, di, a, &p, &n);
                di->frame_base_cfa = !rc && n == 1 && p[0] == DW_OP_call_frame_cfa;
            }
            break;
        case DW_AT_inline:
            di->have |= HAVE_INLINE;
            break;
        case DWGO_AT_EMBEDDED_FIELD:
            rc = form_flag(b, di, a, &di->embedded, "reading DW_AT_go_embedded_field");
            break;
        case DWGO_AT_CLOSURE_OFFSET:
            rc = dw_form_u(b, di, a, &di->closure_off, "reading DW_AT_go_closure_offset");
            di->have |= HAVE_CLOSURE_OFF;
            break;
        case DW_AT_variable_parameter:
            rc = form_flag(b, di, a, &di->variable_parameter, "reading DW_AT_variable_parameter");
            break;
        default:
            break;
        }
    }
    return rc;
}
