/* gocore_typing.c — types of a core's objects: the runtime's type
 * descriptors as model types, and the propagation (loaders/typing) run
 * over the core's memory.
 *
 * A runtime _type becomes the DWARF type the linker tied to it
 * (DW_AT_go_runtime_type), else the DWARF type of the same name, else a
 * type known by its name and size only.  The name is the descriptor's
 * own: abi.Name at moduledata.types + Str (a flags byte, a varint length,
 * the bytes); TFlagExtraStar means the stored name has a '*' in front
 * that this type's own name does not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gopclntab/gopclntab.h"
#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"
#include "util/hash.h"

#define TFLAG_EXTRA_STAR 0x02
#define DIRECT_IFACE 0x20 /* a kind bit up to 1.25, a tflag bit from 1.26 */

typedef struct gc_rtype_slot {
    uint64_t typ; /* 0 = empty */
    uint32_t id;
    uint8_t direct;
    uint8_t resolving; /* being made: a pointer to it waits (gc_patch) */
} gc_rtype_slot;

/* A pointer or slice type made while its element was still being made
 * (a type that points to itself): its elem is set once that is done. */
typedef struct gc_patch {
    uint32_t type;
    uint64_t elem_typ;
} gc_patch;

enum { MAX_DESC_DEPTH = 32, MAX_DESC_TYPES = 1 << 16, MAX_FIELDS = 4096 };

struct gc_rtypes {
    gc_rtype_slot *slots;
    size_t n, cap;
    uint64_t types_base; /* moduledata.types of the first module, 0 if unknown */
    int base_read;
    gc_patch *patches;
    size_t npatch, cap_patch;
    int depth;           /* of descriptors being made, one inside another */
    uint32_t built;      /* types made from descriptors (bounded) */
};

/* abi.Name at p: flags byte, varint length, the bytes.  0 or -1. */
static int read_name(gc_load *L, uint64_t at, char *buf, size_t n)
{
    uint8_t hdr[6];
    rt_error e;
    if (ec_read(L->core, at, hdr, sizeof hdr, &e))
        return -1;
    uint64_t len = 0;
    int i = 1;
    for (int shift = 0; i < 6; i++, shift += 7) {
        len |= (uint64_t)(hdr[i] & 0x7f) << shift;
        if (!(hdr[i] & 0x80))
            break;
    }
    if (i == 6 || len == 0 || len >= n)
        return -1;
    if (ec_read(L->core, at + 1 + (uint64_t)i, buf, (size_t)len, &e))
        return -1;
    buf[len] = 0;
    return 0;
}

int gc_rtype_name(gc_load *L, uint64_t typ, char *buf, size_t n)
{
    const gc_layout *y = &L->lay;
    gc_rtypes *R = L->rtypes;
    int32_t off;
    uint8_t tflag;
    rt_error e;
    if (!R->base_read) {
        R->base_read = 1;
        if (y->type_names_ok)
            R->types_base = ec_read_u64_or(L->core, L->glob.firstmoduledata + y->md_types, 0);
    }
    if (!R->types_base || n < 2 || ec_read(L->core, typ + y->ty_str, &off, 4, &e) || off <= 0 ||
        ec_read(L->core, typ + y->ty_tflag, &tflag, 1, &e) ||
        read_name(L, R->types_base + (uint64_t)off, buf, n))
        return -1;
    if ((tflag & TFLAG_EXTRA_STAR) && buf[0] == '*')
        memmove(buf, buf + 1, strlen(buf));
    return 0;
}

static void grow(gc_rtypes *R)
{
    size_t ncap = R->cap ? R->cap * 2 : 1024;
    gc_rtype_slot *s = rt_calloc(ncap, sizeof *s);
    for (size_t i = 0; i < R->cap; i++) {
        if (!R->slots[i].typ)
            continue;
        size_t h = rt_hash64(R->slots[i].typ) & (ncap - 1);
        while (s[h].typ)
            h = (h + 1) & (ncap - 1);
        s[h] = R->slots[i];
    }
    free(R->slots);
    R->slots = s;
    R->cap = ncap;
}

static gc_rtype_slot *slot_of(gc_rtypes *R, uint64_t typ)
{
    size_t h = rt_hash64(typ) & (R->cap - 1);
    while (R->slots[h].typ && R->slots[h].typ != typ)
        h = (h + 1) & (R->cap - 1);
    return &R->slots[h];
}

static uint32_t rtype_at(gc_load *L, uint64_t typ, int *direct);

/* The element of a pointer or slice type id, or a patch for later. */
static void set_elem(gc_load *L, uint32_t id, uint64_t elem_typ)
{
    gc_rtypes *R = L->rtypes;
    if (!elem_typ)
        return;
    uint32_t e = rtype_at(L, elem_typ, NULL);
    if (e) {
        L->m->types[id].elem = e;
        return;
    }
    if (R->cap && slot_of(R, elem_typ)->resolving) {
        RT_GROW(R->patches, R->cap_patch, R->npatch + 1);
        R->patches[R->npatch++] = (gc_patch){ id, elem_typ };
    }
}

/* A model type from the runtime's own descriptor, for a type DWARF does
 * not have (the linker leaves out types no variable names): kind, size,
 * element, struct fields with their names; 0 when unreadable. */
static uint32_t from_descriptor(gc_load *L, uint64_t typ, unsigned kind, const char *name, uint64_t size)
{
    const gc_layout *y = &L->lay;
    rt_model *m = L->m;
    rt_type t;
    memset(&t, 0, sizeof t);
    t.name = strpool_intern_cstr(m->strings, name);
    t.size = size;
    uint32_t id;
    switch (kind) {
    case 22: /* pointer */
    case 23: /* slice */
        t.kind = kind == 22 ? RT_TK_POINTER : RT_TK_SLICE;
        id = model_type_add(m, &t);
        set_elem(L, id, ec_read_u64_or(L->core, typ + (kind == 22 ? y->pt_elem : y->sl_elem), 0));
        return id;
    case 17: { /* array */
        uint32_t e = rtype_at(L, ec_read_u64_or(L->core, typ + y->at_elem, 0), NULL);
        uint64_t len = ec_read_u64_or(L->core, typ + y->at_len, UINT64_MAX);
        const rt_type *et = model_type(m, e);
        if (!et || len > (1ULL << 40) || (et->size && et->size * len != size))
            return 0;
        return model_type_array(m, e, len);
    }
    case 24: t.kind = RT_TK_STRING; return model_type_add(m, &t);
    case 20: /* interface: no methods is interface {} */
        t.kind = ec_read_u64_or(L->core, typ + y->it_methods + 8, 1) ? RT_TK_IFACE : RT_TK_EFACE;
        return model_type_add(m, &t);
    case 18: /* chan: a pointer to the hchan, whose elemtype says the rest */
        t.kind = RT_TK_CHAN;
        t.elem = ty_dwarf_named(L->ty, "runtime.hchan");
        return model_type_add(m, &t);
    case 19: t.kind = RT_TK_FUNC; return model_type_add(m, &t);
    case 26: t.kind = RT_TK_UNSAFE; return model_type_add(m, &t);
    case 25: { /* struct */
        uint64_t fields = ec_read_u64_or(L->core, typ + y->st_fields, 0);
        uint64_t nf = ec_read_u64_or(L->core, typ + y->st_fields + 8, UINT64_MAX);
        if (nf > MAX_FIELDS || (nf && !fields))
            return 0;
        uint32_t *ft = rt_calloc(nf + 1, sizeof *ft), *fn = rt_calloc(nf + 1, sizeof *fn);
        uint64_t *fo = rt_calloc(nf + 1, sizeof *fo);
        for (uint64_t i = 0; i < nf; i++) {
            uint64_t f = fields + i * y->sf_size;
            char fname[256];
            uint64_t np = ec_read_u64_or(L->core, f + y->sf_name, 0);
            fo[i] = ec_read_u64_or(L->core, f + y->sf_offset, UINT64_MAX);
            ft[i] = rtype_at(L, ec_read_u64_or(L->core, f + y->sf_typ, 0), NULL);
            fn[i] = strpool_intern_cstr(m->strings, np && read_name(L, np, fname, sizeof fname) == 0 ? fname : "?");
        }
        t.kind = RT_TK_STRUCT;
        id = model_type_add(m, &t);
        for (uint64_t i = 0; i < nf; i++)
            if (fo[i] < size)
                model_type_field(m, id, fn[i], ft[i], fo[i]);
        free(ft);
        free(fn);
        free(fo);
        return id;
    }
    default:
        return model_type_named(m, t.name, size);
    }
}

/* The model type of the descriptor at typ, made the first time. */
static uint32_t resolve(gc_load *L, uint64_t typ, uint8_t *direct)
{
    const gc_layout *y = &L->lay;
    gc_rtypes *R = L->rtypes;
    uint8_t tflag = 0, kind = 0;
    rt_error e;
    if (ec_read(L->core, typ + y->ty_tflag, &tflag, 1, &e) || ec_read(L->core, typ + y->ty_kind, &kind, 1, &e))
        return 0;
    *direct = (uint8_t)(((gv_direct_iface_in_tflag(&L->ver) ? tflag : kind) & DIRECT_IFACE) != 0);
    const dw_type *dt = dwi_type_by_rtype(L->dw, typ - L->bias);
    if (dt)
        return ty_from_dwarf(L->ty, dt);
    char name[1024];
    if (gc_rtype_name(L, typ, name, sizeof name))
        return 0;
    uint32_t id = ty_dwarf_named(L->ty, name);
    if (id)
        return id;
    uint64_t size = ec_read_u64_or(L->core, typ + y->ty_size, 0);
    if (y->desc_ok && R->depth < MAX_DESC_DEPTH && R->built < MAX_DESC_TYPES) {
        R->depth++;
        R->built++;
        id = from_descriptor(L, typ, kind & 0x1f, name, size);
        R->depth--;
        if (id)
            return id;
    }
    return model_type_named(L->m, strpool_intern_cstr(L->m->strings, name), size);
}

static uint32_t rtype_at(gc_load *L, uint64_t typ, int *direct)
{
    gc_rtypes *R = L->rtypes;
    if (!typ || typ % 8)
        return 0;
    if ((R->n + 1) * 2 > R->cap)
        grow(R);
    gc_rtype_slot *s = slot_of(R, typ);
    if (s->typ) {
        if (direct)
            *direct = s->direct;
        return s->id; /* 0 while it is being made */
    }
    *s = (gc_rtype_slot){ typ, 0, 0, 1 };
    R->n++;
    uint8_t d = 0;
    uint32_t id = resolve(L, typ, &d);
    s = slot_of(R, typ); /* the table may have grown meanwhile */
    s->id = id;
    s->direct = d;
    s->resolving = 0;
    if (direct)
        *direct = d;
    return id;
}

uint32_t gc_rtype(gc_load *L, uint64_t typ, int *direct)
{
    gc_rtypes *R = L->rtypes;
    uint32_t id = rtype_at(L, typ, direct);
    if (R->depth == 0 && R->npatch) {
        /* every type is made now: the elements that were not yet */
        for (size_t i = 0; i < R->npatch; i++) {
            gc_rtype_slot *s = slot_of(R, R->patches[i].elem_typ);
            if (s->typ && !L->m->types[R->patches[i].type].elem)
                L->m->types[R->patches[i].type].elem = s->id;
        }
        R->npatch = 0;
    }
    return id;
}

void gc_rtypes_new(gc_load *L)
{
    L->rtypes = rt_calloc(1, sizeof *L->rtypes);
    L->ty = ty_new(L->m, L->dw);
}

void gc_rtypes_free(gc_load *L)
{
    if (L->rtypes) {
        free(L->rtypes->slots);
        free(L->rtypes->patches);
    }
    free(L->rtypes);
    L->rtypes = NULL;
    ty_free(L->ty);
    L->ty = NULL;
}

/* ---- the propagation's view of the core ---- */

/* Large reads (the propagation reads objects a chunk at a time) go
 * through read(2): nothing of them stays mapped. */
static int mem_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    gc_load *L = ctx;
    rt_error e;
    if (n >= 4096)
        return ec_pread(L->core, addr, buf, n);
    return ec_read(L->core, addr, buf, n, &e) == 0 ? 0 : -1;
}

static uint32_t mem_rtype(void *ctx, uint64_t addr, int *direct)
{
    return gc_rtype(ctx, addr, direct);
}

/* A closure's context type, by its function (ty_closure); a function
 * DWARF does not know is named from the pc-value table. */
static uint32_t mem_closure(void *ctx, uint64_t pc)
{
    gc_load *L = ctx;
    gp_func f;
    char name[512];
    const dw_func *df = dwi_func_at(L->dw, pc - L->bias);
    if (df && df->lowpc == pc - L->bias)
        return ty_closure(L->ty, df);
    if (!L->pcln || gp_func_at(L->pcln, pc - L->bias, &f) != 0 || f.entry != pc - L->bias)
        return 0;
    snprintf(name, sizeof name, "closure %s", f.name);
    return model_type_named(L->m, strpool_intern_cstr(L->m->strings, name), 8);
}

/* The core's pages our reads left resident (RssFile, from
 * /proc/self/statm's shared pages), given back once over RESIDENT_MAX:
 * all of them, heap or not (span records, stacks and the executable's
 * pages count as much), one call; what is read again is mapped again. */
#define RESIDENT_MAX (64ULL << 20)

static void mem_release(void *ctx)
{
    gc_load *L = ctx;
    unsigned long long size, resident, shared;
    FILE *f = fopen("/proc/self/statm", "r");
    int n = f ? fscanf(f, "%llu %llu %llu", &size, &resident, &shared) : 0;
    if (f)
        fclose(f);
    if (n == 3 && shared * (unsigned long long)sysconf(_SC_PAGESIZE) < RESIDENT_MAX)
        return;
    ec_release_all(L->core);
}

void gc_types(gc_load *L, ty_propagate_fn propagate)
{
    ty_mem mem = { mem_read, mem_rtype, mem_closure, mem_release, L, 1 };
    ty_stats st;
    propagate(L->ty, &mem, L->prog, &st);
    if (st.rejected)
        model_warn(L->m, "%llu type proposals were refused (a count or length read from the core "
                         "would type past its object): those objects keep what else is known",
                   (unsigned long long)st.rejected);
}
