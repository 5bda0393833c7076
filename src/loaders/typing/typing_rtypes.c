/* typing_rtypes.c — runtime type descriptors as model types, and the
 * interface seeds (typing_rtypes.h).
 *
 * Descriptors are read from untrusted bytes: every count is bounded, a
 * descriptor being made is marked so that a type pointing to itself ends
 * (its element is patched in once made), and the number of types made
 * from descriptors is capped. */
#include "loaders/typing/typing_rtypes.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/hash.h"

#define TFLAG_EXTRA_STAR 0x02
#define DIRECT_IFACE 0x20 /* a kind bit up to 1.25, a tflag bit from 1.26 */
#define KIND_GCPROG 0x40
#define TFLAG_GCMASK_ON_DEMAND 0x10

typedef struct rt_slot {
    uint64_t typ; /* 0 = empty */
    uint32_t id;
    uint8_t direct;
    uint8_t resolving; /* being made: a pointer to it waits (rt_patch) */
} rt_slot;

/* A pointer or slice type made while its element was still being made
 * (a type that points to itself): its elem is set once that is done. */
typedef struct rt_patch {
    uint32_t type;
    uint64_t elem_typ;
} rt_patch;

enum { MAX_DESC_DEPTH = 32, MAX_DESC_TYPES = 1 << 16, MAX_FIELDS = 4096 };

struct ty_rtypes {
    ty_ctx *ty;
    rt_model *m;
    ty_rt_src src;
    rt_slot *slots;
    size_t n, cap;
    rt_patch *patches;
    size_t npatch, cap_patch;
    int depth;      /* of descriptors being made, one inside another */
    uint32_t built; /* types made from descriptors (bounded) */
};

ty_rtypes *ty_rtypes_new(ty_ctx *ty, const ty_rt_src *src)
{
    ty_rtypes *R = rt_calloc(1, sizeof *R);
    R->ty = ty;
    R->m = ty_model(ty);
    R->src = *src;
    return R;
}

void ty_rtypes_free(ty_rtypes *R)
{
    if (!R)
        return;
    free(R->slots);
    free(R->patches);
    free(R);
}

static int rd(ty_rtypes *R, uint64_t addr, void *buf, size_t n)
{
    return R->src.read(R->src.ctx, addr, buf, n);
}

uint64_t ty_rt_u64(ty_rtypes *R, uint64_t addr, uint64_t dflt)
{
    uint64_t v;
    return rd(R, addr, &v, 8) == 0 ? v : dflt;
}

/* abi.Name at p: flags byte, varint length, the bytes.  0 or -1. */
static int read_name(ty_rtypes *R, uint64_t at, char *buf, size_t n)
{
    uint8_t hdr[6];
    if (rd(R, at, hdr, sizeof hdr))
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
    if (rd(R, at + 1 + (uint64_t)i, buf, (size_t)len))
        return -1;
    buf[len] = 0;
    return 0;
}

int ty_rtype_name(ty_rtypes *R, uint64_t typ, char *buf, size_t n)
{
    const ty_rt_layout *y = &R->src.lay;
    int32_t off;
    uint8_t tflag;
    if (!y->type_names_ok || !R->src.types_base || n < 2 || rd(R, typ + y->ty_str, &off, 4) || off <= 0 ||
        rd(R, typ + y->ty_tflag, &tflag, 1) || read_name(R, R->src.types_base + (uint64_t)off, buf, n))
        return -1;
    /* TFlagExtraStar: the stored name has a '*' this type's own lacks */
    if ((tflag & TFLAG_EXTRA_STAR) && buf[0] == '*')
        memmove(buf, buf + 1, strlen(buf));
    return 0;
}

static void grow(ty_rtypes *R)
{
    size_t ncap = R->cap ? R->cap * 2 : 1024;
    rt_slot *s = rt_calloc(ncap, sizeof *s);
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

static rt_slot *slot_of(ty_rtypes *R, uint64_t typ)
{
    size_t h = rt_hash64(typ) & (R->cap - 1);
    while (R->slots[h].typ && R->slots[h].typ != typ)
        h = (h + 1) & (R->cap - 1);
    return &R->slots[h];
}

static uint32_t rtype_at(ty_rtypes *R, uint64_t typ, int *direct);

/* The element of a pointer or slice type id, or a patch for later. */
static void set_elem(ty_rtypes *R, uint32_t id, uint64_t elem_typ)
{
    if (!elem_typ)
        return;
    uint32_t e = rtype_at(R, elem_typ, NULL);
    if (e) {
        R->m->types[id].elem = e;
        return;
    }
    if (R->cap && slot_of(R, elem_typ)->resolving) {
        RT_GROW(R->patches, R->cap_patch, R->npatch + 1);
        R->patches[R->npatch++] = (rt_patch){ id, elem_typ };
    }
}

/* A model type from the descriptor itself, for a type DWARF does not
 * have (the linker leaves out types no variable names, and a stripped
 * executable has none): kind, size, element, struct fields with their
 * names; 0 when unreadable. */
static uint32_t from_descriptor(ty_rtypes *R, uint64_t typ, unsigned kind, const char *name, uint64_t size)
{
    const ty_rt_layout *y = &R->src.lay;
    rt_model *m = R->m;
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
        set_elem(R, id, ty_rt_u64(R, typ + (kind == 22 ? y->pt_elem : y->sl_elem), 0));
        return id;
    case 17: { /* array */
        uint32_t e = rtype_at(R, ty_rt_u64(R, typ + y->at_elem, 0), NULL);
        uint64_t len = ty_rt_u64(R, typ + y->at_len, UINT64_MAX);
        const rt_type *et = model_type(m, e);
        if (!et || len > (1ULL << 40) || (et->size && et->size * len != size))
            return 0;
        return model_type_array(m, e, len);
    }
    case 24: t.kind = RT_TK_STRING; return model_type_add(m, &t);
    case 20: /* interface: no methods is interface {} */
        t.kind = ty_rt_u64(R, typ + y->it_methods + 8, 1) ? RT_TK_IFACE : RT_TK_EFACE;
        return model_type_add(m, &t);
    case 18: /* chan: a pointer to the hchan, whose elemtype says the rest */
        t.kind = RT_TK_CHAN;
        t.elem = ty_dwarf_named(R->ty, "runtime.hchan");
        return model_type_add(m, &t);
    case 19: t.kind = RT_TK_FUNC; return model_type_add(m, &t);
    case 26: t.kind = RT_TK_UNSAFE; return model_type_add(m, &t);
    case 25: { /* struct */
        uint64_t fields = ty_rt_u64(R, typ + y->st_fields, 0);
        uint64_t nf = ty_rt_u64(R, typ + y->st_fields + 8, UINT64_MAX);
        if (nf > MAX_FIELDS || (nf && !fields))
            return 0;
        uint32_t *ft = rt_calloc(nf + 1, sizeof *ft), *fn = rt_calloc(nf + 1, sizeof *fn);
        uint64_t *fo = rt_calloc(nf + 1, sizeof *fo);
        for (uint64_t i = 0; i < nf; i++) {
            uint64_t f = fields + i * y->sf_size;
            char fname[256];
            uint64_t np = ty_rt_u64(R, f + y->sf_name, 0);
            fo[i] = ty_rt_u64(R, f + y->sf_offset, UINT64_MAX);
            ft[i] = rtype_at(R, ty_rt_u64(R, f + y->sf_typ, 0), NULL);
            fn[i] = strpool_intern_cstr(m->strings, np && read_name(R, np, fname, sizeof fname) == 0 ? fname : "?");
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
static uint32_t resolve(ty_rtypes *R, uint64_t typ, uint8_t *direct)
{
    const ty_rt_layout *y = &R->src.lay;
    uint8_t tflag = 0, kind = 0;
    if (rd(R, typ + y->ty_tflag, &tflag, 1) || rd(R, typ + y->ty_kind, &kind, 1))
        return 0;
    *direct = (uint8_t)(((y->direct_in_tflag ? tflag : kind) & DIRECT_IFACE) != 0);
    const dw_type *dt = R->src.dw ? dwi_type_by_rtype(R->src.dw, typ - R->src.bias) : NULL;
    if (dt)
        return ty_from_dwarf(R->ty, dt);
    char name[1024];
    if (ty_rtype_name(R, typ, name, sizeof name))
        return 0;
    uint32_t id = ty_dwarf_named(R->ty, name);
    if (id)
        return id;
    uint64_t size = ty_rt_u64(R, typ + y->ty_size, 0);
    if (y->desc_ok && R->depth < MAX_DESC_DEPTH && R->built < MAX_DESC_TYPES) {
        R->depth++;
        R->built++;
        id = from_descriptor(R, typ, kind & 0x1f, name, size);
        R->depth--;
        if (id)
            return id;
    }
    return model_type_named(R->m, strpool_intern_cstr(R->m->strings, name), size);
}

static uint32_t rtype_at(ty_rtypes *R, uint64_t typ, int *direct)
{
    if (!typ || typ % 8)
        return 0;
    if ((R->n + 1) * 2 > R->cap)
        grow(R);
    rt_slot *s = slot_of(R, typ);
    if (s->typ) {
        if (direct)
            *direct = s->direct;
        return s->id; /* 0 while it is being made */
    }
    *s = (rt_slot){ typ, 0, 0, 1 };
    R->n++;
    uint8_t d = 0;
    uint32_t id = resolve(R, typ, &d);
    s = slot_of(R, typ); /* the table may have grown meanwhile */
    s->id = id;
    s->direct = d;
    s->resolving = 0;
    if (direct)
        *direct = d;
    return id;
}

uint32_t ty_rtype(ty_rtypes *R, uint64_t typ, int *direct)
{
    uint32_t id = rtype_at(R, typ, direct);
    if (R->depth == 0 && R->npatch) {
        /* every type is made now: the elements that were not yet */
        for (size_t i = 0; i < R->npatch; i++) {
            rt_slot *s = slot_of(R, R->patches[i].elem_typ);
            if (s->typ && !R->m->types[R->patches[i].type].elem)
                R->m->types[R->patches[i].type].elem = s->id;
        }
        R->npatch = 0;
    }
    return id;
}

/* ---- interface seeds ---- */

typedef struct seeder {
    ty_rtypes *R;
    rt_model *m;
    const ty_mem *mem;
    uint64_t lo, hi;
} seeder;

static uint64_t mem_u64(const seeder *S, uint64_t addr, uint64_t dflt)
{
    uint64_t v;
    return S->mem->read(S->mem->ctx, addr, &v, 8) == 0 ? v : dflt;
}

/* The runtime _type an interface's first word w0 leads to, 0 if none. */
static uint64_t iface_type(const seeder *S, uint64_t w0)
{
    if (w0 >= S->lo && w0 < S->hi)
        return w0; /* an eface's type word */
    /* an itab: inter *interfacetype, _type *_type, both descriptors (a
     * heap dump states the second only, in its itab records) */
    uint64_t typ = mem_u64(S, w0 + 8, 0), inter = mem_u64(S, w0, S->lo);
    return inter >= S->lo && inter < S->hi && typ >= S->lo && typ < S->hi ? typ : 0;
}

/* Do the object's pointer words (its edges, which the heap's own bitmap
 * gave) all fall where the descriptor at typ has pointers?  1 when they
 * do or the mask cannot be read (a GC program, a mask built on demand). */
static int mask_agrees(const seeder *S, uint32_t obj, uint64_t off, uint64_t typ)
{
    ty_rtypes *R = S->R;
    const ty_rt_layout *y = &R->src.lay;
    const rt_model *m = S->m;
    uint64_t ptrbytes = ty_rt_u64(R, typ + y->ty_ptrbytes, UINT64_MAX);
    uint64_t size = ty_rt_u64(R, typ + y->ty_size, 0);
    uint64_t gcdata = ty_rt_u64(R, typ + y->ty_gcdata, 0);
    uint8_t kind = 0, tflag = 0, mask[512];
    if (ptrbytes > size || rd(R, typ + y->ty_kind, &kind, 1) || rd(R, typ + y->ty_tflag, &tflag, 1))
        return 0;
    if ((y->kind_gcprog && (kind & KIND_GCPROG)) || (y->gcmask_on_demand && (tflag & TFLAG_GCMASK_ON_DEMAND)) ||
        ptrbytes / 64 >= sizeof mask || !gcdata || rd(R, gcdata, mask, (size_t)(ptrbytes / 64 + 1)))
        return 1;
    for (uint64_t e = m->edge_start[obj]; e < m->edge_start[obj + 1]; e++) {
        uint32_t eo = m->edge_off ? m->edge_off[e] : RT_OFF_NONE;
        if (eo == RT_OFF_NONE || eo < off || eo - off >= size)
            continue; /* outside this value */
        uint64_t w = (eo - off) / 8;
        if (8 * w >= ptrbytes || !(mask[w / 8] >> (w % 8) & 1))
            return 0; /* a pointer where the type has none */
    }
    return 1;
}

/* Type the object at data from the descriptor at typ; 1 if it was. */
static int seed(const seeder *S, uint64_t typ, uint64_t data)
{
    ty_rtypes *R = S->R;
    rt_model *m = S->m;
    uint32_t obj = model_find(m, data);
    if (obj == RT_NONE || model_obj_type(m, obj))
        return 0;
    int direct = 0;
    uint32_t t = ty_rtype(R, typ, &direct);
    if (!t)
        return 0;
    if (direct) { /* a pointer-shaped value: data is the pointer itself */
        if (m->types[t].kind != RT_TK_POINTER || !m->types[t].elem)
            return 0;
        t = m->types[t].elem;
        /* the pointee's descriptor, for the mask check */
        typ = R->src.lay.desc_ok ? ty_rt_u64(R, typ + R->src.lay.pt_elem, 0) : 0;
    }
    if (m->types[t].kind == RT_TK_IFACE || m->types[t].kind == RT_TK_EFACE)
        return 0; /* a dynamic type is never an interface: no interface after all */
    const rt_object *o = &m->objects[obj];
    uint64_t off = data - o->base, size = m->types[t].size;
    if (!size || off >= o->size || size > o->size - off)
        return 0; /* does not fit: no interface after all */
    /* the tiny allocator packs small pointer-free values of many types
     * into one 16-byte block: none of them is the block's type */
    if (o->size <= 16 && typ && ty_rt_u64(R, typ + R->src.lay.ty_ptrbytes, 1) == 0)
        return 0;
    if (typ && !mask_agrees(S, obj, off, typ))
        return 0;
    model_set_type(m, obj, t);
    if (off)
        model_set_type_off(m, obj, (uint32_t)off);
    return 1;
}

uint64_t ty_iface_seeds(ty_rtypes *R, rt_model *m, const ty_mem *mem, uint64_t types_lo, uint64_t types_hi)
{
    if (!R->src.lay.type_names_ok || !m->edge_start || !types_lo || types_hi <= types_lo ||
        types_hi - types_lo > (1ULL << 32))
        return 0;
    seeder S = { R, m, mem, types_lo, types_hi };
    uint64_t seeded = 0;
    /* untyped objects' pointer words: the word below each is the candidate */
    for (uint32_t i = 0; i < m->nobj; i++) {
        if (model_obj_type(m, i))
            continue;
        uint64_t base = m->objects[i].base;
        for (uint64_t e = m->edge_start[i]; e < m->edge_start[i + 1]; e++) {
            uint32_t off = m->edge_off ? m->edge_off[e] : RT_OFF_NONE;
            if (off == RT_OFF_NONE || off < 8 || model_obj_type(m, m->edge_dst[e]))
                continue;
            uint64_t typ = iface_type(&S, mem_u64(&S, base + off - 8, 0));
            if (typ)
                seeded += (uint64_t)seed(&S, typ, mem_u64(&S, base + off, 0));
        }
    }
    /* the global segments' pointer words after a word that is not one: the
     * compiler's pointer masks leave an interface's first word out (it
     * points at an itab or a type descriptor, never into the heap), while
     * a *_type variable before a pointer is marked, and no interface */
    for (uint32_t k = 0; k < m->nptrmask; k++) {
        const rt_ptrmask *pm = &m->ptrmasks[k];
        for (uint64_t w = 1; w < pm->nwords; w++) {
            if (!(pm->bits[w / 8] >> (w % 8) & 1) || (pm->bits[(w - 1) / 8] >> ((w - 1) % 8) & 1))
                continue;
            uint64_t a = pm->start + 8 * w;
            uint64_t typ = iface_type(&S, mem_u64(&S, a - 8, 0));
            if (typ)
                seeded += (uint64_t)seed(&S, typ, mem_u64(&S, a, 0));
        }
    }
    return seeded;
}
