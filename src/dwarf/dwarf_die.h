/* dwarf_die.h — private to src/dwarf: one DIE's attributes, read with a
 * single libdwarf attribute-list call (dwarf_die.c), and the checked
 * wrappers of libdwarf's form readers that the walk uses.  The only
 * private header that includes libdwarf. */
#ifndef RETAIN_DWARF_DIE_H
#define RETAIN_DWARF_DIE_H

#include <dwarf.h>
#include <libdwarf.h>

#include "dwarf/dwarf_int.h"

enum {
    HAVE_NAME = 1u << 0,
    HAVE_TYPE = 1u << 1,
    HAVE_SIZE = 1u << 2,
    HAVE_GOKIND = 1u << 3,
    HAVE_RTYPE = 1u << 4,
    HAVE_COUNT = 1u << 5,
    HAVE_MEMBER_LOC = 1u << 6,
    HAVE_CONST = 1u << 7,
    HAVE_LOWPC = 1u << 8,
    HAVE_HIGHPC = 1u << 9,
    HAVE_LOC = 1u << 10,
    HAVE_INLINE = 1u << 11,
    HAVE_ELEM = 1u << 12,
    HAVE_KEY = 1u << 13,
    HAVE_ORIGIN = 1u << 14,
    HAVE_ENCODING = 1u << 15,
    HAVE_PRODUCER = 1u << 16,
    HAVE_ADDR_BASE = 1u << 17,
    HAVE_CLOSURE_OFF = 1u << 18,
};

/* The attributes of one DIE that we use.  Strings and the location
 * attribute belong to libdwarf and live until dw_die_release(). */
typedef struct die_info {
    Dwarf_Die die;
    Dwarf_Off off;
    Dwarf_Half tag;
    unsigned have;
    const char *name, *producer;
    Dwarf_Off type_off, elem_off, key_off, origin_off;
    uint64_t byte_size, go_kind, rtype, encoding, count, member_loc;
    uint64_t lowpc, highpc;
    bool highpc_is_len; /* DWARF 4+ constant class: a length from lowpc */
    int64_t const_value;
    uint64_t addr_base;
    uint64_t closure_off;  /* DW_AT_go_closure_offset */
    bool embedded, variable_parameter, frame_base_cfa;
    Dwarf_Attribute loc;
    Dwarf_Half loc_form;
    Dwarf_Attribute *attrs;
    Dwarf_Signed nattrs;
} die_info;

Dwarf_Debug dw_dbg(const dw_build *b);
/* Report a failed libdwarf call as RT_E_CORRUPT naming the DIE offset and
 * what we were doing (e may be NULL: an entry was required but absent),
 * and release e.  Returns -RT_E_CORRUPT. */
int dw_lib_fail(dw_build *b, Dwarf_Error e, Dwarf_Off off, const char *what);
/* Fill di from die; on failure di may hold attributes: release it anyway. */
int dw_die_read(dw_build *b, Dwarf_Die die, die_info *di);
void dw_die_release(dw_build *b, die_info *di);
int dw_form_u(dw_build *b, die_info *di, Dwarf_Attribute a, uint64_t *v, const char *what);
int dw_form_ref(dw_build *b, die_info *di, Dwarf_Attribute a, Dwarf_Off *v, const char *what);
/* Bytes of a block or exprloc attribute; they live in libdwarf's copy of
 * the section until dwarf_finish. */
int dw_form_block(dw_build *b, die_info *di, Dwarf_Attribute a, const uint8_t **p, size_t *n);

#endif
