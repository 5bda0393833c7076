/* dwarf_walk.c — one pass over every DIE of a Go executable, appending raw
 * records to a dw_build (dwarf_int.h); dwarf_link.c resolves them.
 *
 * What the Go linker writes (cmd/internal/dwarf/dwarf.go abbrevs, and
 * cmd/link/internal/ld/dwarf.go newtype; same shape 1.19 … 1.27):
 *
 * - One CU per package (DW_AT_name = import path, DW_AT_producer
 *   "Go cmd/compile go1.NN; regabi", DW_AT_go_package_name).  DWARF 4
 *   up to Go 1.24; DWARF 5 from 1.25 (GOEXPERIMENT dwarf5): low_pc becomes
 *   DW_FORM_addrx into .debug_addr (via the CU's DW_AT_addr_base), high_pc a
 *   DW_FORM_udata length, location lists move to .debug_loclists and
 *   ranges to .debug_rnglists.  libdwarf 20210528 resolves the forms;
 *   location lists we decode ourselves (dwarf_loc.c says why).
 * - Sections are zlib-compressed (SHF_COMPRESSED; .zdebug_* before 1.17 or
 *   after objcopy --compress-debug-sections=zlib-gnu); libdwarf inflates
 *   both itself (checked with bookworm's build, which links zlib).
 * - Every type DIE is a child of the CU of package runtime:
 *     DW_TAG_base_type      name, DW_AT_encoding, byte_size, go_kind, go_runtime_type
 *     DW_TAG_structure_type name, byte_size, go_kind (25 struct, 23 slice,
 *                           24 string), go_runtime_type, slices also go_elem;
 *                           children DW_TAG_member {name,
 *                           data_member_location (udata), type, go_embedded_field}
 *     DW_TAG_array_type     name, type (element), byte_size, go_kind, go_runtime_type;
 *                           child DW_TAG_subrange_type {type uintptr, DW_AT_count}
 *     DW_TAG_pointer_type   name, type, go_kind, go_runtime_type ("unsafe.Pointer"
 *                           has no DW_AT_type)
 *     DW_TAG_subroutine_type name, byte_size, go_kind (19), params as children
 *     DW_TAG_typedef        plain (TYPEDECL): name, type.  Every named struct,
 *                           array, func, interface, pointer and slice type T gets
 *                           the definition DIE *and* a typedef T → definition
 *                           that other DIEs refer to (for gdb's sake).
 *                           With go_kind: map (21; type → the runtime
 *                           representation, go_key, go_elem), chan (18; type →
 *                           *hchan<T>, go_elem), interface (20; type →
 *                           runtime.iface / runtime.eface).
 *     DW_TAG_unspecified_type "<unspecified>"
 *   The linker also synthesises hash<K,V>, bucket<K,V>, hchan<T> (≤1.23),
 *   map<K,V>/table<K,V>/groupReference<K,V> (swiss maps) from the runtime's
 *   own structs.
 *   DW_AT_go_runtime_type is a DW_FORM_addr holding an R_ADDROFF: the offset
 *   of the runtime _type from the start of its section (not an address).
 * - DW_TAG_constant {name "pkg.Name", type, const_value sdata} at CU level
 *   for integer package constants.
 * - DW_TAG_variable {name, location = block1 [DW_OP_addr A], type,
 *   external} at CU level for package variables.
 * - DW_TAG_subprogram: out-of-line functions {name, low_pc, high_pc,
 *   frame_base = [DW_OP_call_frame_cfa]}; abstract ones {name, DW_AT_inline}
 *   with abstract params/autos {name, type}; concrete ones {abstract_origin,
 *   low_pc, high_pc}.  Children: DW_TAG_formal_parameter {name,
 *   variable_parameter (1 for results), type, location} and DW_TAG_variable
 *   {name, type, location}, or concrete ones {abstract_origin, location};
 *   DW_TAG_lexical_block and DW_TAG_inlined_subroutine {abstract_origin,
 *   low/high_pc or ranges} nest more of them.  A location is a block
 *   ([DW_OP_call_frame_cfa] or [DW_OP_fbreg N]; empty = none) or a location
 *   list (regabi register/stack pieces: DW_OP_regN, DW_OP_fbreg N,
 *   DW_OP_piece S).
 *
 * Locals (children of subprograms) are read by a second, optional pass
 * (dwarf_locals.c → dw_walk_func).  DIE attributes are read by
 * dwarf_die.c. */
#include <string.h>

#include "dwarf/dwarf_die.h"
#include "util/alloc.h"


/* Deeper nesting than this is treated as corrupt: Go's lexical blocks and
 * inlined calls nest a few levels, and the limit bounds our recursion. */
enum { MAX_DEPTH = 64 };

typedef enum scope_kind {
    SC_CU,       /* children of a compile unit */
    SC_STRUCT,   /* members of d->types[type] */
    SC_ARRAY,    /* subrange of d->types[type] */
    SC_FUNC,     /* params/locals of rfuncs[func] */
    SC_ABSTRACT, /* params/locals of an abstract function: origins only */
} scope_kind;

typedef struct scope {
    scope_kind kind;
    uint32_t index; /* type or function index */
    bool inlined;   /* inside a DW_TAG_inlined_subroutine */
    uint64_t inline_origin; /* the innermost one's DW_AT_abstract_origin, 0 */
} scope;

/* ---- types ---- */

static dw_kind kind_from_go(uint64_t k)
{
    if (k == 1)
        return DWK_BOOL;
    if (k >= 2 && k <= 6)
        return DWK_INT;
    if (k >= 7 && k <= 12)
        return DWK_UINT;
    if (k == 13 || k == 14)
        return DWK_FLOAT;
    if (k == 15 || k == 16)
        return DWK_COMPLEX;
    switch (k) {
    case DWGO_KIND_ARRAY: return DWK_ARRAY;
    case DWGO_KIND_CHAN: return DWK_CHAN;
    case DWGO_KIND_FUNC: return DWK_FUNC;
    case DWGO_KIND_INTERFACE: return DWK_INTERFACE;
    case DWGO_KIND_MAP: return DWK_MAP;
    case DWGO_KIND_POINTER: return DWK_POINTER;
    case DWGO_KIND_SLICE: return DWK_SLICE;
    case DWGO_KIND_STRING: return DWK_STRING;
    case DWGO_KIND_STRUCT: return DWK_STRUCT;
    case DWGO_KIND_UNSAFE_POINTER: return DWK_UNSAFE_POINTER;
    default: return DWK_UNKNOWN;
    }
}

static dw_kind kind_of(const die_info *di)
{
    if (di->have & HAVE_GOKIND) {
        dw_kind k = kind_from_go(di->go_kind);
        if (k != DWK_UNKNOWN)
            return k;
    }
    switch (di->tag) {
    case DW_TAG_base_type:
        switch (di->encoding) {
        case DW_ATE_boolean: return DWK_BOOL;
        case DW_ATE_signed:
        case DW_ATE_signed_char: return DWK_INT;
        case DW_ATE_unsigned:
        case DW_ATE_unsigned_char: return DWK_UINT;
        case DW_ATE_float: return DWK_FLOAT;
        case DW_ATE_complex_float: return DWK_COMPLEX;
        default: return DWK_UNKNOWN;
        }
    case DW_TAG_structure_type: return DWK_STRUCT;
    case DW_TAG_pointer_type: return (di->have & HAVE_TYPE) ? DWK_POINTER : DWK_UNSAFE_POINTER;
    case DW_TAG_array_type: return DWK_ARRAY;
    case DW_TAG_typedef: return DWK_TYPEDEF;
    case DW_TAG_subroutine_type: return DWK_FUNC;
    case DW_TAG_unspecified_type: return DWK_VOID;
    default: return DWK_UNKNOWN;
    }
}

static bool is_type_tag(Dwarf_Half tag)
{
    switch (tag) {
    case DW_TAG_base_type:
    case DW_TAG_structure_type:
    case DW_TAG_pointer_type:
    case DW_TAG_array_type:
    case DW_TAG_typedef:
    case DW_TAG_subroutine_type:
    case DW_TAG_unspecified_type:
        return true;
    default:
        return false;
    }
}

static uint32_t add_type(dw_build *b, const die_info *di)
{
    dw_info *d = b->d;
    RT_GROW(d->types, b->types_cap, d->ntypes + 1);
    uint32_t idx = (uint32_t)d->ntypes++;
    dw_type *t = &d->types[idx];
    memset(t, 0, sizeof *t);
    t->name = dw_pool_strdup(&d->pool, (di->have & HAVE_NAME) ? di->name : "");
    t->off = di->off;
    t->tag = di->tag;
    t->kind = (uint8_t)kind_of(di);
    t->go_kind = (di->have & HAVE_GOKIND) && di->go_kind < 256 ? (uint8_t)di->go_kind : 0;
    t->has_size = (di->have & HAVE_SIZE) != 0;
    t->size = di->byte_size;
    /* the linker writes 0 for a type with no runtime _type (the reloc
     * target was not reachable); offset 0 is never a real type's */
    t->has_rtype = (di->have & HAVE_RTYPE) && di->rtype != 0;
    t->rtype = di->rtype;
    t->target_off = (di->have & HAVE_TYPE) ? di->type_off : 0;
    t->key_off = (di->have & HAVE_KEY) ? di->key_off : 0;
    if (di->have & HAVE_ELEM)
        t->elem_off = di->elem_off;
    else if (t->kind == DWK_POINTER || t->kind == DWK_ARRAY)
        t->elem_off = t->target_off;
    t->mem_first = (uint32_t)b->nrmem;
    return idx;
}

/* ---- locations ---- */

static bool is_block_form(Dwarf_Half form)
{
    return form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 ||
           form == DW_FORM_block || form == DW_FORM_exprloc;
}

/* Decode the DW_AT_location of di into b->rlocs and d->ops; *first and *n
 * say which raw_locs are its.  A block is one location valid everywhere;
 * a section offset is a location list, read by dwarf_loc.c (not by
 * libdwarf, whose DWARF 5 list reader crashes on corrupt input). */
static int read_locs(dw_build *b, die_info *di, uint32_t *first, uint32_t *n)
{
    *first = (uint32_t)b->nrlocs;
    *n = 0;
    if (!di->loc)
        return 0;
    if (is_block_form(di->loc_form)) {
        const uint8_t *p;
        size_t len;
        int rc = dw_form_block(b, di, di->loc, &p, &len);
        if (rc)
            return rc;
        RT_GROW(b->rlocs, b->rlocs_cap, b->nrlocs + 1);
        size_t k = b->nrlocs++;
        b->rlocs[k] = (raw_loc){ .lo = 0, .hi = UINT64_MAX, .op_first = (uint32_t)b->d->nops };
        uint32_t nops = 0;
        rc = dw_expr_append(b, p, len, &nops);
        b->rlocs[k].nops = nops;
        if (rc)
            rt_error_where(b->err, NULL, RT_NO_OFFSET, "reading a location expression");
        *n = 1;
        return rc;
    }
    Dwarf_Off off = 0;
    if (di->loc_form == DW_FORM_sec_offset) {
        int rc = dw_form_ref(b, di, di->loc, &off, "reading a location list offset");
        if (rc)
            return rc;
    } else if (di->loc_form == DW_FORM_data4 || di->loc_form == DW_FORM_data8) {
        uint64_t u = 0; /* DWARF ≤3 wrote list offsets as data */
        int rc = dw_form_u(b, di, di->loc, &u, "reading a location list offset");
        if (rc)
            return rc;
        off = u;
    } else {
        return 0; /* DW_FORM_loclistx and others: Go writes none */
    }
    int rc = dw_loclist_append(b, off, n);
    if (rc)
        rt_error_where(b->err, NULL, RT_NO_OFFSET, "reading a location list");
    return rc;
}

/* A package variable: location [DW_OP_addr A] (or addrx). Others (none in
 * Go output) are skipped. */
static int add_global(dw_build *b, die_info *di)
{
    if (!(di->have & HAVE_NAME) || !di->loc || !is_block_form(di->loc_form))
        return 0;
    uint32_t first, n;
    size_t ops_before = b->d->nops;
    int rc = read_locs(b, di, &first, &n);
    if (rc)
        return rc;
    const raw_loc *rl = n == 1 ? &b->rlocs[first] : NULL;
    const dw_op *op = rl && rl->nops == 1 ? &b->d->ops[rl->op_first] : NULL;
    uint64_t addr = 0;
    bool ok = false;
    if (op && op->op == DW_OP_addr) {
        addr = op->arg1;
        ok = true;
    } else if (op && (op->op == DW_OP_addrx || op->op == DW_OP_GNU_addr_index)) {
        Dwarf_Error e = NULL;
        Dwarf_Unsigned a = 0;
        int r = dwarf_debug_addr_index_to_addr(di->die, op->arg1, &a, &e);
        if (r == DW_DLV_ERROR)
            return dw_lib_fail(b, e, di->off, "resolving DW_OP_addrx");
        ok = r == DW_DLV_OK;
        addr = a;
    }
    /* the expression was only needed here */
    b->nrlocs = first;
    b->d->nops = ops_before;
    if (!ok)
        return 0;
    RT_GROW(b->rvars, b->rvars_cap, b->nrvars + 1);
    b->rvars[b->nrvars++] = (raw_var){
        .name = dw_pool_strdup(&b->d->pool, di->name),
        .addr = addr,
        .type_off = (di->have & HAVE_TYPE) ? di->type_off : 0,
    };
    return 0;
}

static void add_const(dw_build *b, const die_info *di)
{
    if (!(di->have & HAVE_NAME) || !(di->have & HAVE_CONST))
        return;
    dw_info *d = b->d;
    RT_GROW(d->consts, b->consts_cap, d->nconsts + 1);
    d->consts[d->nconsts++] = (dw_const){ dw_pool_strdup(&d->pool, di->name), di->const_value };
}

/* Something a concrete DIE may name as its DW_AT_abstract_origin. */
static void add_origin(dw_build *b, const die_info *di)
{
    if (!(di->have & HAVE_NAME))
        return;
    RT_GROW(b->origins, b->origins_cap, b->norigins + 1);
    b->origins[b->norigins] = (raw_origin){
        .name = dw_pool_strdup(&b->d->pool, di->name),
        .type_off = (di->have & HAVE_TYPE) ? di->type_off : 0,
    };
    dw_u64map_put(&b->origin_by_off, di->off, (uint32_t)b->norigins, false);
    b->norigins++;
}

static int add_local(dw_build *b, die_info *di, const scope *sc)
{
    uint32_t first, n;
    int rc = read_locs(b, di, &first, &n);
    if (rc)
        return rc;
    RT_GROW(b->rlocals, b->rlocals_cap, b->nrlocals + 1);
    b->rlocals[b->nrlocals++] = (raw_local){
        .name = (di->have & HAVE_NAME) ? dw_pool_strdup(&b->d->pool, di->name) : NULL,
        .type_off = (di->have & HAVE_TYPE) ? di->type_off : 0,
        .origin_off = (di->have & HAVE_ORIGIN) ? di->origin_off : 0,
        .loc_first = first,
        .nlocs = n,
        .is_param = di->tag == DW_TAG_formal_parameter,
        .is_result = di->variable_parameter,
        .inlined = sc->inlined,
        .inline_origin_off = sc->inline_origin,
        .closure_off = di->closure_off,
        .has_closure_off = (di->have & HAVE_CLOSURE_OFF) != 0,
    };
    b->rfuncs[sc->index].nlocals++;
    return 0;
}

/* ---- the walk ---- */

static int walk_children(dw_build *b, Dwarf_Die parent, Dwarf_Off parent_off, int depth,
                         const scope *sc);

static int visit_cu_child(dw_build *b, die_info *di, int depth)
{
    if (is_type_tag(di->tag)) {
        uint32_t idx = add_type(b, di);
        if (di->tag == DW_TAG_structure_type) {
            scope sc = { SC_STRUCT, idx, false, 0 };
            return walk_children(b, di->die, di->off, depth + 1, &sc);
        }
        if (di->tag == DW_TAG_array_type) {
            scope sc = { SC_ARRAY, idx, false, 0 };
            return walk_children(b, di->die, di->off, depth + 1, &sc);
        }
        return 0;
    }
    switch (di->tag) {
    case DW_TAG_constant:
        add_const(b, di);
        return 0;
    case DW_TAG_variable:
        return add_global(b, di);
    case DW_TAG_subprogram:
        /* locals wait for dwi_load_locals (dw_walk_func): they are two
         * thirds of the DIEs and of the time */
        if (di->have & HAVE_INLINE) {
            add_origin(b, di);
            RT_GROW(b->abstract_offs, b->abstract_cap, b->nabstract + 1);
            b->abstract_offs[b->nabstract++] = di->off;
            return 0;
        }
        if ((di->have & (HAVE_LOWPC | HAVE_HIGHPC)) == (HAVE_LOWPC | HAVE_HIGHPC)) {
            uint64_t hi = di->highpc_is_len ? di->lowpc + di->highpc : di->highpc;
            RT_GROW(b->rfuncs, b->rfuncs_cap, b->nrfuncs + 1);
            b->rfuncs[b->nrfuncs++] = (raw_func){
                .name = (di->have & HAVE_NAME) ? dw_pool_strdup(&b->d->pool, di->name) : NULL,
                .die_off = di->off,
                .origin_off = (di->have & HAVE_ORIGIN) ? di->origin_off : 0,
                .lowpc = di->lowpc,
                .highpc = hi,
                .cu = (uint32_t)(b->d->ncus - 1),
                .frame_base_cfa = di->frame_base_cfa,
            };
        }
        return 0;
    default:
        return 0;
    }
}

static int visit(dw_build *b, Dwarf_Die die, int depth, const scope *sc)
{
    die_info di;
    int rc = dw_die_read(b, die, &di);
    if (rc) {
        dw_die_release(b, &di);
        return rc;
    }
    switch (sc->kind) {
    case SC_CU:
        rc = visit_cu_child(b, &di, depth);
        break;
    case SC_STRUCT:
        if (di.tag == DW_TAG_member) {
            RT_GROW(b->rmem, b->rmem_cap, b->nrmem + 1);
            b->rmem[b->nrmem++] = (raw_member){
                .name = dw_pool_strdup(&b->d->pool, (di.have & HAVE_NAME) ? di.name : ""),
                .offset = di.member_loc,
                .type_off = (di.have & HAVE_TYPE) ? di.type_off : 0,
                .embedded = di.embedded,
            };
            b->d->types[sc->index].nmembers++;
        }
        break;
    case SC_ARRAY:
        if (di.tag == DW_TAG_subrange_type && (di.have & HAVE_COUNT))
            b->d->types[sc->index].count = di.count;
        break;
    case SC_FUNC:
        if (di.tag == DW_TAG_variable || di.tag == DW_TAG_formal_parameter) {
            rc = add_local(b, &di, sc);
        } else if (di.tag == DW_TAG_typedef && (di.have & HAVE_TYPE)) {
            RT_GROW(b->shape_target, b->shape_cap, b->nshape + 1);
            b->shape_target[b->nshape] = di.type_off;
            dw_u64map_put(&b->shape_by_off, di.off, (uint32_t)b->nshape++, false);
        } else if (di.tag == DW_TAG_lexical_block || di.tag == DW_TAG_inlined_subroutine) {
            scope inner = *sc;
            inner.inlined = sc->inlined || di.tag == DW_TAG_inlined_subroutine;
            if (di.tag == DW_TAG_inlined_subroutine && (di.have & HAVE_ORIGIN))
                inner.inline_origin = di.origin_off;
            rc = walk_children(b, die, di.off, depth + 1, &inner);
        }
        break;
    case SC_ABSTRACT:
        if (di.tag == DW_TAG_variable || di.tag == DW_TAG_formal_parameter)
            add_origin(b, &di);
        else if (di.tag == DW_TAG_lexical_block)
            rc = walk_children(b, die, di.off, depth + 1, sc);
        break;
    }
    dw_die_release(b, &di);
    return rc;
}

static int walk_children(dw_build *b, Dwarf_Die parent, Dwarf_Off parent_off, int depth,
                         const scope *sc)
{
    Dwarf_Debug dbg = dw_dbg(b);
    Dwarf_Error e = NULL;
    if (depth > MAX_DEPTH)
        return dw_lib_fail(b, NULL, parent_off, "DIEs nested too deeply");
    Dwarf_Die child = NULL;
    int r = dwarf_child(parent, &child, &e);
    if (r == DW_DLV_NO_ENTRY)
        return 0;
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, e, parent_off, "reading the first child");
    Dwarf_Off last = parent_off;
    while (child) {
        Dwarf_Off off = 0;
        if (dwarf_dieoffset(child, &off, &e) != DW_DLV_OK) {
            dwarf_dealloc_die(child);
            return dw_lib_fail(b, e, last, "getting a DIE offset");
        }
        /* DIEs follow their parent and each other in the section; a
         * corrupt sibling link that points back would loop forever */
        if (off <= last) {
            dwarf_dealloc_die(child);
            return dw_lib_fail(b, NULL, last, "sibling DIE does not follow its predecessor");
        }
        last = off;
        int rc = visit(b, child, depth, sc);
        Dwarf_Die sib = NULL;
        r = rc ? DW_DLV_NO_ENTRY : dwarf_siblingof_b(dbg, child, 1, &sib, &e);
        dwarf_dealloc_die(child);
        if (rc)
            return rc;
        if (r == DW_DLV_ERROR)
            return dw_lib_fail(b, e, off, "reading the next sibling");
        child = r == DW_DLV_OK ? sib : NULL;
    }
    return 0;
}

int dw_walk_func(dw_build *b, uint64_t die_off, bool abstract, uint32_t func)
{
    Dwarf_Error e = NULL;
    Dwarf_Die die = NULL;
    int r = dwarf_offdie_b(dw_dbg(b), die_off, 1, &die, &e);
    if (r != DW_DLV_OK)
        return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, die_off, "finding a function DIE again");
    Dwarf_Half tag = 0;
    r = dwarf_tag(die, &tag, &e);
    int rc;
    if (r != DW_DLV_OK)
        rc = dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, die_off, "reading a DIE tag");
    else if (tag != DW_TAG_subprogram)
        rc = dw_lib_fail(b, NULL, die_off, "the DIE is no longer a function: the file changed");
    else {
        scope sc = { abstract ? SC_ABSTRACT : SC_FUNC, func, false, 0 };
        rc = 0;
        if (!abstract) {
            b->rfuncs[func].local_first = (uint32_t)b->nrlocals;
        } else {
            /* its name, for the locals of the calls inlined from it */
            die_info di;
            if ((rc = dw_die_read(b, die, &di)) == 0)
                add_origin(b, &di);
            dw_die_release(b, &di);
        }
        if (!rc)
            rc = walk_children(b, die, die_off, 2, &sc);
    }
    dwarf_dealloc_die(die);
    return rc;
}

int dw_walk(dw_build *b)
{
    Dwarf_Debug dbg = dw_dbg(b);
    dw_info *d = b->d;
    for (;;) {
        Dwarf_Unsigned hdr_len = 0, type_off = 0, next = 0;
        Dwarf_Half version = 0, addr_size = 0, off_size = 0, ext_size = 0, unit_type = 0;
        Dwarf_Off abbrev_off = 0;
        Dwarf_Sig8 sig;
        Dwarf_Error e = NULL;
        int r = dwarf_next_cu_header_d(dbg, 1, &hdr_len, &version, &abbrev_off, &addr_size,
                                       &off_size, &ext_size, &sig, &type_off, &next,
                                       &unit_type, &e);
        if (r == DW_DLV_NO_ENTRY)
            break;
        if (r != DW_DLV_OK)
            return dw_lib_fail(b, e, 0, "reading a compilation unit header");
        d->stats.ncus++;
        if (!b->addr_size)
            b->addr_size = addr_size;
        if (!d->stats.dwarf_version_min || version < d->stats.dwarf_version_min)
            d->stats.dwarf_version_min = version;
        if (version > d->stats.dwarf_version_max)
            d->stats.dwarf_version_max = version;

        Dwarf_Die cu = NULL;
        r = dwarf_siblingof_b(dbg, NULL, 1, &cu, &e);
        if (r != DW_DLV_OK)
            return dw_lib_fail(b, r == DW_DLV_ERROR ? e : NULL, 0, "reading a compilation unit DIE");
        die_info di;
        int rc = dw_die_read(b, cu, &di);
        if (!rc && (di.have & HAVE_PRODUCER) && !d->producer)
            d->producer = rt_strdup(di.producer);
        RT_GROW(d->cus, b->cus_cap, d->ncus + 1);
        d->cus[d->ncus] = (dw_cu){
            .base = (di.have & HAVE_LOWPC) ? di.lowpc : 0,
            .addr_base = di.addr_base,
            .has_addr_base = (di.have & HAVE_ADDR_BASE) != 0,
            .version = version,
            .addr_size = (uint8_t)addr_size,
            .off_size = (uint8_t)off_size,
        };
        b->cu = &d->cus[d->ncus++];
        Dwarf_Off cu_off = di.off;
        dw_die_release(b, &di);
        if (!rc) {
            scope sc = { SC_CU, 0, false, 0 };
            rc = walk_children(b, cu, cu_off, 1, &sc);
        }
        dwarf_dealloc_die(cu);
        b->cu = NULL;
        if (rc)
            return rc;
    }
    if (!d->stats.ncus)
        return RT_FAIL(b->err, RT_E_NOTFOUND,
                       "the executable has DWARF sections but no compilation unit in .debug_info");
    return 0;
}
