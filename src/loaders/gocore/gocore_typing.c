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
#include <string.h>

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
} gc_rtype_slot;

struct gc_rtypes {
    gc_rtype_slot *slots;
    size_t n, cap;
    uint64_t types_base; /* moduledata.types of the first module, 0 if unknown */
    int base_read;
};

int gc_rtype_name(gc_load *L, uint64_t typ, char *buf, size_t n)
{
    const gc_layout *y = &L->lay;
    gc_rtypes *R = L->rtypes;
    int32_t off;
    uint8_t tflag, hdr[6];
    rt_error e;
    if (!R->base_read) {
        R->base_read = 1;
        if (y->type_names_ok)
            R->types_base = ec_read_u64_or(L->core, y->firstmoduledata + y->md_types, 0);
    }
    if (!R->types_base || n < 2 || ec_read(L->core, typ + y->ty_str, &off, 4, &e) || off <= 0 ||
        ec_read(L->core, typ + y->ty_tflag, &tflag, 1, &e))
        return -1;
    uint64_t at = R->types_base + (uint64_t)off;
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
    if ((tflag & TFLAG_EXTRA_STAR) && buf[0] == '*')
        memmove(buf, buf + 1, (size_t)len);
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

/* The model type of the descriptor at typ, made the first time. */
static uint32_t resolve(gc_load *L, uint64_t typ, uint8_t *direct)
{
    const gc_layout *y = &L->lay;
    uint8_t tflag = 0, kind = 0;
    rt_error e;
    if (ec_read(L->core, typ + y->ty_tflag, &tflag, 1, &e) || ec_read(L->core, typ + y->ty_kind, &kind, 1, &e))
        return 0;
    *direct = (uint8_t)(((y->go_minor >= 26 ? tflag : kind) & DIRECT_IFACE) != 0);
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
    return model_type_named(L->m, strpool_intern_cstr(L->m->strings, name), size);
}

uint32_t gc_rtype(gc_load *L, uint64_t typ, int *direct)
{
    gc_rtypes *R = L->rtypes;
    if (!typ || typ % 8)
        return 0;
    if ((R->n + 1) * 2 > R->cap)
        grow(R);
    size_t h = rt_hash64(typ) & (R->cap - 1);
    while (R->slots[h].typ) {
        if (R->slots[h].typ == typ) {
            if (direct)
                *direct = R->slots[h].direct;
            return R->slots[h].id;
        }
        h = (h + 1) & (R->cap - 1);
    }
    uint8_t d = 0;
    uint32_t id = resolve(L, typ, &d);
    /* resolve may have grown nothing here, but find the slot again to be
     * independent of it */
    h = rt_hash64(typ) & (R->cap - 1);
    while (R->slots[h].typ)
        h = (h + 1) & (R->cap - 1);
    R->slots[h] = (gc_rtype_slot){ typ, id, d };
    R->n++;
    if (direct)
        *direct = d;
    return id;
}

int gc_rtypes_new(gc_load *L)
{
    L->rtypes = rt_calloc(1, sizeof *L->rtypes);
    L->ty = ty_new(L->m, L->dw);
    return 0;
}

void gc_rtypes_free(gc_load *L)
{
    if (L->rtypes)
        free(L->rtypes->slots);
    free(L->rtypes);
    L->rtypes = NULL;
    ty_free(L->ty);
    L->ty = NULL;
}

/* ---- the propagation's view of the core ---- */

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    gc_load *L = ctx;
    rt_error e;
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

void gc_types(gc_load *L, ty_propagate_fn propagate)
{
    ty_mem mem = { mem_read, mem_rtype, mem_closure, L };
    ty_stats st;
    propagate(L->ty, &mem, L->prog, &st);
    if (st.rejected)
        model_warn(L->m, "%llu type proposals were refused (a count or length read from the core "
                         "would type past its object): those objects keep what else is known",
                   (unsigned long long)st.rejected);
}
