/* typing_dwarf.c — DWARF types as model types (typing.h).
 *
 * Each DWARF type becomes one model type the first time it is asked for;
 * its element, key and field types are made then too, through a work
 * list rather than recursion (a linked list type points to itself, and
 * corrupt DWARF may chain types deeply).  A typedef takes its target's
 * layout under its own name; Go names a struct and the typedef to it
 * alike, and both become the struct's model type. */
#include <stdio.h>
#include <string.h>

#include "loaders/typing/typing_int.h"
#include "util/alloc.h"

static rt_type_kind kind_of(const dw_type *s)
{
    switch (dwt_kind(s)) {
    case DWK_STRUCT: return RT_TK_STRUCT;
    case DWK_ARRAY: return RT_TK_ARRAY;
    case DWK_POINTER: return RT_TK_POINTER;
    case DWK_SLICE: return RT_TK_SLICE;
    case DWK_STRING: return RT_TK_STRING;
    case DWK_INTERFACE: {
        const dw_type *rep = dwt_strip(dwt_target(s));
        return rep && strcmp(dwt_name(rep), "runtime.eface") == 0 ? RT_TK_EFACE : RT_TK_IFACE;
    }
    case DWK_MAP: return RT_TK_MAP;
    case DWK_CHAN: return RT_TK_CHAN;
    case DWK_FUNC: return RT_TK_FUNC;
    case DWK_UNSAFE_POINTER: return RT_TK_UNSAFE;
    default: return RT_TK_OTHER;
    }
}

/* The model type's entry, made without its links (filled by complete). */
static uint32_t make(ty_ctx *c, const dw_type *t)
{
    size_t idx = dwt_index(c->dw, t);
    if (c->memo[idx])
        return c->memo[idx];
    const dw_type *s = dwt_strip(t);
    if (!s)
        s = t;
    if (s != t && strcmp(dwt_name(s), dwt_name(t)) == 0) {
        uint32_t id = make(c, s); /* one hop: s is no typedef */
        c->memo[idx] = id;
        return id;
    }
    rt_type mt;
    memset(&mt, 0, sizeof mt);
    mt.name = strpool_intern_cstr(c->m->strings, dwt_name(t));
    mt.kind = (uint8_t)kind_of(s);
    mt.size = dwt_size(s);
    uint32_t id = model_type_add(c->m, &mt);
    c->memo[idx] = id;
    RT_GROW(c->pending, c->cap_pending, c->npending + 1);
    c->pending[c->npending++] = (struct ty_made){ s, id };
    return id;
}

/* Links and fields of type id (DWARF s, typedefs stripped). */
static void complete(ty_ctx *c, const dw_type *s, uint32_t id)
{
    rt_model *m = c->m;
    uint32_t elem = 0, key = 0;
    uint64_t len = 0;
    const dw_type *e;
    switch ((rt_type_kind)m->types[id].kind) {
    case RT_TK_ARRAY:
        e = dwt_elem(s);
        elem = e ? make(c, e) : 0;
        len = dwt_array_len(s);
        break;
    case RT_TK_POINTER:
    case RT_TK_SLICE:
        e = dwt_elem(s);
        elem = e ? make(c, e) : 0;
        break;
    case RT_TK_MAP:
    case RT_TK_CHAN: {
        /* the value is a pointer to the synthesized header (hash<K,V>,
         * map<K,V>, hchan<T>) */
        const dw_type *rep = dwt_strip(dwt_target(s));
        e = rep && dwt_kind(rep) == DWK_POINTER ? dwt_elem(rep) : NULL;
        elem = e ? make(c, e) : 0;
        const dw_type *k = dwt_key(s);
        key = k ? make(c, k) : 0;
        break;
    }
    default:
        break;
    }
    /* fields: structs, and the words of slices, strings and interfaces */
    size_t nf = dwt_nmembers(s);
    uint32_t *ftypes = NULL;
    if (nf) {
        ftypes = rt_malloc(nf * sizeof *ftypes);
        for (size_t i = 0; i < nf; i++) {
            const dw_member *mb = dwt_member(s, i);
            ftypes[i] = mb && mb->type ? make(c, mb->type) : 0;
        }
    }
    /* every type made above is appended after id: take the pointer now */
    rt_type *mt = &m->types[id];
    mt->elem = elem;
    mt->key = key;
    mt->len = len;
    if (nf && (mt->kind == RT_TK_STRUCT || mt->kind == RT_TK_SLICE || mt->kind == RT_TK_STRING ||
               mt->kind == RT_TK_IFACE || mt->kind == RT_TK_EFACE)) {
        mt->field_start = m->nfield;
        for (size_t i = 0; i < nf; i++) {
            const dw_member *mb = dwt_member(s, i);
            if (mb)
                model_type_field(m, id, strpool_intern_cstr(m->strings, mb->name ? mb->name : "?"), ftypes[i],
                                 mb->offset);
        }
    }
    free(ftypes);
}

uint32_t ty_from_dwarf(ty_ctx *c, const dw_type *t)
{
    if (!t || !c->dw)
        return 0;
    uint32_t id = make(c, t);
    /* drain: each completion may make more types */
    while (c->npending) {
        struct ty_made t = c->pending[--c->npending];
        complete(c, t.dw, t.id);
    }
    return id;
}

/* "map.bucket[K]V" (the runtime's name of a bucket type, ≤1.23) as
 * DWARF's "bucket<K,V>"; 0 if name is not one. */
static int bucket_name(const char *name, char *out, size_t n)
{
    const char *p = "map.bucket[";
    size_t lp = strlen(p);
    if (strncmp(name, p, lp) != 0)
        return 0;
    const char *k = name + lp, *q = k;
    int depth = 1;
    for (; *q && depth; q++) {
        if (*q == '[')
            depth++;
        else if (*q == ']')
            depth--;
    }
    if (depth)
        return 0;
    int w = snprintf(out, n, "bucket<%.*s,%s>", (int)(q - 1 - k), k, q);
    return w > 0 && (size_t)w < n;
}

uint32_t ty_dwarf_named(ty_ctx *c, const char *name)
{
    if (!c->dw)
        return 0;
    const dw_type *t = dwi_type(c->dw, name);
    if (!t) {
        char alt[1024];
        if (bucket_name(name, alt, sizeof alt))
            t = dwi_type(c->dw, alt);
    }
    return t ? ty_from_dwarf(c, t) : 0;
}

uint32_t ty_dwarf_generic(ty_ctx *c, const char *name)
{
    uint32_t id = ty_dwarf_named(c, name);
    const char *br = strchr(name, '[');
    if (id || !br)
        return id;
    /* each top-level type argument a shape */
    char shape[1024];
    size_t w = (size_t)(br - name) + 1;
    if (w >= sizeof shape)
        return 0;
    memcpy(shape, name, w);
    int depth = 0, arg_start = 1;
    for (const char *q = br + 1; *q && w + 16 < sizeof shape; q++) {
        if (arg_start && *q != ']') {
            memcpy(shape + w, "go.shape.", 9);
            w += 9;
            arg_start = 0;
        }
        if (*q == '[' || *q == '(' || *q == '{')
            depth++;
        else if ((*q == ']' || *q == ')' || *q == '}') && depth)
            depth--;
        else if (*q == ',' && depth == 0)
            arg_start = 1;
        shape[w++] = *q;
    }
    shape[w] = 0;
    return ty_dwarf_named(c, shape);
}

ty_ctx *ty_new(rt_model *m, const dw_info *d)
{
    ty_ctx *c = rt_calloc(1, sizeof *c);
    c->m = m;
    c->dw = d;
    if (d)
        c->memo = rt_calloc(dwi_ntypes(d) + 1, sizeof *c->memo);
    return c;
}

uint32_t ty_closure(ty_ctx *c, const dw_func *f)
{
    rt_model *m = c->m;
    const dw_func *all;
    size_t nf = c->dw ? dwi_funcs(c->dw, &all) : 0;
    if (!f || !nf || f < all || f >= all + nf)
        return 0;
    size_t k = (size_t)(f - all);
    if (!c->closures)
        c->closures = rt_calloc(nf, sizeof *c->closures);
    if (c->closures[k])
        return c->closures[k];
    char name[512];
    snprintf(name, sizeof name, "closure %s", f->name);
    uint32_t sname = strpool_intern_cstr(m->strings, name);
    /* the captured variables, each at its offset in the context */
    uint64_t size = 8;
    size_t ncap = 0;
    uint32_t *ftypes = rt_malloc((f->nlocals + 1) * sizeof *ftypes);
    for (size_t i = 0; i < f->nlocals; i++) {
        const dw_local *v = &f->locals[i];
        ftypes[i] = 0;
        if (!v->has_closure_off || v->inlined || !v->type || v->closure_off < 8 || v->closure_off > (1u << 20))
            continue;
        ftypes[i] = ty_from_dwarf(c, v->type);
        const rt_type *t = model_type(m, ftypes[i]);
        if (t && v->closure_off + t->size > size)
            size = v->closure_off + t->size;
        ncap++;
    }
    uint32_t id;
    if (!ncap) {
        id = model_type_named(m, sname, 8);
    } else {
        rt_type st;
        memset(&st, 0, sizeof st);
        st.name = sname;
        st.kind = RT_TK_STRUCT;
        st.size = size;
        id = model_type_add(m, &st);
        model_type_field(m, id, strpool_intern_cstr(m->strings, "F"), 0, 0);
        for (size_t i = 0; i < f->nlocals; i++) {
            const dw_local *v = &f->locals[i];
            if (!ftypes[i])
                continue;
            /* a variable captured by reference is named "&x" and typed *T */
            const char *vn = v->name && v->name[0] == '&' ? v->name + 1 : v->name ? v->name : "?";
            model_type_field(m, id, strpool_intern_cstr(m->strings, vn), ftypes[i], v->closure_off);
        }
    }
    free(ftypes);
    c->closures[k] = id;
    return id;
}

rt_model *ty_model(const ty_ctx *c)
{
    return c->m;
}

void ty_free(ty_ctx *c)
{
    if (!c)
        return;
    free(c->memo);
    free(c->closures);
    free(c->pending);
    free(c->ops);
    free(c->ops_at);
    free(c);
}
