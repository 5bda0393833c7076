/* gocore_iface_seeds.c — types for a core read without DWARF, from the
 * interface values in its memory.
 *
 * With DWARF, typed roots seed the propagation and interfaces are typed
 * where a typed parent holds them.  Without, nothing but malloc headers
 * (1.22+) states a type, and Go 1.19–1.21 heaps would stay untyped.  But
 * an interface value is its own evidence: two words, the first a runtime
 * type descriptor (eface) or an itab whose second word is one (iface),
 * the second a pointer to the value.  A pointer word whose neighbour below
 * points into the module's type descriptors, and whose descriptor reads
 * as a type of a size that fits the object, types the object it points
 * at, as a malloc header would (a pointer-shaped type stored directly
 * types its pointee).  Scanned: untyped heap objects' pointer words, and
 * the data and bss pointer words; stacks are left out.  Only types the
 * descriptor names are given; the propagation takes them from there. */
#include "loaders/gocore/gocore_int.h"

/* The runtime _type an interface's first word w0 leads to, 0 if none. */
static uint64_t iface_type(gc_load *L, uint64_t w0, uint64_t lo, uint64_t hi)
{
    if (w0 >= lo && w0 < hi)
        return w0; /* an eface's type word */
    /* an itab: inter *interfacetype, _type *_type, both descriptors */
    uint64_t inter = ec_read_u64_or(L->core, w0, 0), typ = ec_read_u64_or(L->core, w0 + 8, 0);
    return inter >= lo && inter < hi && typ >= lo && typ < hi ? typ : 0;
}

/* Do the object's pointer words (its edges, which the heap's own bitmap
 * gave) all fall where the descriptor at typ has pointers?  1 when they
 * do or the mask cannot be read (a GC program, a mask built on demand). */
static int mask_agrees(gc_load *L, uint32_t obj, uint64_t off, uint64_t typ)
{
    const gc_layout *y = &L->lay;
    const rt_model *m = L->m;
    uint64_t ptrbytes = ec_read_u64_or(L->core, typ + y->ty_ptrbytes, UINT64_MAX);
    uint64_t size = ec_read_u64_or(L->core, typ + y->ty_size, 0);
    uint64_t gcdata = ec_read_u64_or(L->core, typ + y->ty_gcdata, 0);
    uint8_t kind = 0, tflag = 0, mask[512];
    rt_error e;
    if (ptrbytes > size || ec_read(L->core, typ + y->ty_kind, &kind, 1, &e) ||
        ec_read(L->core, typ + y->ty_tflag, &tflag, 1, &e))
        return 0;
    if ((gv_kind_gcprog(&L->ver) && (kind & 0x40)) || (gv_tflag_gcmask_on_demand(&L->ver) && (tflag & 0x10)) ||
        ptrbytes / 64 >= sizeof mask || !gcdata || ec_read(L->core, gcdata, mask, (size_t)(ptrbytes / 64 + 1), &e))
        return 1;
    for (uint64_t e2 = m->edge_start[obj]; e2 < m->edge_start[obj + 1]; e2++) {
        uint32_t eo = m->edge_off ? m->edge_off[e2] : RT_OFF_NONE;
        if (eo == RT_OFF_NONE || eo < off || eo - off >= size)
            continue; /* outside this value */
        uint64_t w = (eo - off) / 8;
        if (8 * w >= ptrbytes || !(mask[w / 8] >> (w % 8) & 1))
            return 0; /* a pointer where the type has none */
    }
    return 1;
}

/* Type the object at data from the descriptor at typ; 1 if it was. */
static int seed(gc_load *L, uint64_t typ, uint64_t data)
{
    rt_model *m = L->m;
    uint32_t obj = model_find(m, data);
    if (obj == RT_NONE || model_obj_type(m, obj))
        return 0;
    int direct = 0;
    uint32_t t = gc_rtype(L, typ, &direct);
    if (!t)
        return 0;
    if (direct) { /* a pointer-shaped value: data is the pointer itself */
        if (m->types[t].kind != RT_TK_POINTER || !m->types[t].elem)
            return 0;
        t = m->types[t].elem;
        /* the pointee's descriptor (abi.PtrType.Elem, 1.21+), for the mask check */
        typ = L->lay.desc_ok ? ec_read_u64_or(L->core, typ + L->lay.pt_elem, 0) : 0;
    }
    if (m->types[t].kind == RT_TK_IFACE || m->types[t].kind == RT_TK_EFACE)
        return 0; /* a dynamic type is never an interface: no interface after all */
    const rt_object *o = &m->objects[obj];
    uint64_t off = data - o->base, size = m->types[t].size;
    if (!size || off >= o->size || size > o->size - off)
        return 0; /* does not fit: no interface after all */
    /* the tiny allocator packs small pointer-free values of many types
     * into one 16-byte block: none of them is the block's type */
    if (o->size <= 16 && typ && ec_read_u64_or(L->core, typ + L->lay.ty_ptrbytes, 1) == 0)
        return 0;
    if (typ && !mask_agrees(L, obj, off, typ))
        return 0;
    model_set_type(m, obj, t);
    if (off)
        model_set_type_off(m, obj, (uint32_t)off);
    return 1;
}

void gc_iface_seeds(gc_load *L)
{
    rt_model *m = L->m;
    const gc_layout *y = &L->lay;
    if (L->dw || !y->type_names_ok || !m->edge_start)
        return;
    uint64_t lo = ec_read_u64_or(L->core, L->glob.firstmoduledata + y->md_types, 0);
    uint64_t hi = ec_read_u64_or(L->core, L->glob.firstmoduledata + y->md_etypes, 0);
    if (!lo || hi <= lo || hi - lo > (1ULL << 32))
        return;
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
            uint64_t typ = iface_type(L, ec_read_u64_or(L->core, base + off - 8, 0), lo, hi);
            if (typ)
                seeded += (uint64_t)seed(L, typ, ec_read_u64_or(L->core, base + off, 0));
        }
    }
    /* the data and bss pointer words after a word that is not one: the
     * compiler's pointer masks leave an interface's first word out (it
     * points at an itab or a type descriptor, never into the heap), while
     * a *_type variable before a pointer is marked, and no interface */
    for (uint32_t k = 0; k < m->nptrmask; k++) {
        const rt_ptrmask *pm = &m->ptrmasks[k];
        for (uint64_t w = 1; w < pm->nwords; w++) {
            if (!(pm->bits[w / 8] >> (w % 8) & 1) || (pm->bits[(w - 1) / 8] >> ((w - 1) % 8) & 1))
                continue;
            uint64_t a = pm->start + 8 * w;
            uint64_t typ = iface_type(L, ec_read_u64_or(L->core, a - 8, 0), lo, hi);
            if (typ)
                seeded += (uint64_t)seed(L, typ, ec_read_u64_or(L->core, a, 0));
        }
    }
    if (seeded)
        model_warn(m, "without DWARF, %llu objects were typed from the interface values pointing at them",
                   (unsigned long long)seeded);
}
