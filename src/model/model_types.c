/* model_types.c — the model's type table and field paths (model_types.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "util/alloc.h"
#include "util/hash.h"

enum { MAX_PATH_DEPTH = 32 };

static uint32_t append(rt_model *m, const rt_type *t)
{
    size_t cap = m->cap_type;
    if (!m->ntype) {
        /* id 0: "no type" */
        rt_grow((void **)&m->types, &cap, 2, sizeof *m->types);
        memset(&m->types[0], 0, sizeof m->types[0]);
        m->ntype = 1;
    }
    rt_grow((void **)&m->types, &cap, (size_t)m->ntype + 1, sizeof *m->types);
    m->cap_type = (uint32_t)cap;
    m->types[m->ntype] = *t;
    m->types[m->ntype].field_start = m->nfield;
    m->types[m->ntype].nfield = 0;
    return m->ntype++;
}

uint32_t model_type_add(rt_model *m, const rt_type *t)
{
    return append(m, t);
}

void model_type_field(rt_model *m, uint32_t type, uint32_t name, uint32_t ftype, uint64_t offset)
{
    rt_type *t = &m->types[type];
    if (t->field_start + t->nfield != m->nfield)
        return; /* fields of one type must be contiguous */
    size_t cap = m->cap_field;
    rt_grow((void **)&m->fields, &cap, (size_t)m->nfield + 1, sizeof *m->fields);
    m->cap_field = (uint32_t)cap;
    m->fields[m->nfield++] = (rt_field){ name, ftype, offset };
    t->nfield++;
}

/* ---- interning of name-only and array types ---- */

static uint64_t key_hash(const rt_type *t)
{
    if (t->kind == RT_TK_ARRAY)
        return rt_hash64(((uint64_t)t->elem << 32) ^ t->len ^ 0x5bd1e995ULL);
    return rt_hash64(t->name);
}

static int key_equal(const rt_type *a, const rt_type *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == RT_TK_ARRAY)
        return a->elem == b->elem && a->len == b->len;
    return a->name == b->name && a->nfield == 0 && b->nfield == 0;
}

static void index_grow(rt_model *m)
{
    rt_type_index *x = &m->type_index;
    size_t ncap = x->cap ? x->cap * 2 : 256;
    uint32_t *slots = rt_calloc(ncap, sizeof *slots);
    for (size_t i = 0; i < x->cap; i++) {
        uint32_t id = x->slots[i];
        if (!id)
            continue;
        size_t h = key_hash(&m->types[id]) & (ncap - 1);
        while (slots[h])
            h = (h + 1) & (ncap - 1);
        slots[h] = id;
    }
    free(x->slots);
    x->slots = slots;
    x->cap = ncap;
}

/* The slot of the interned type equal to t, or the empty slot where it
 * goes. */
static size_t slot_of(const rt_model *m, const rt_type *t)
{
    const rt_type_index *x = &m->type_index;
    size_t h = key_hash(t) & (x->cap - 1);
    while (x->slots[h] && !key_equal(&m->types[x->slots[h]], t))
        h = (h + 1) & (x->cap - 1);
    return h;
}

/* The interned type equal to t, made when first asked for; name makes
 * its name (string id) only then. */
static uint32_t intern(rt_model *m, rt_type *t, uint32_t (*name)(rt_model *, const rt_type *))
{
    rt_type_index *x = &m->type_index;
    if ((x->n + 1) * 2 > x->cap)
        index_grow(m);
    size_t h = slot_of(m, t);
    if (x->slots[h])
        return x->slots[h];
    if (name)
        t->name = name(m, t);
    uint32_t id = append(m, t);
    x->slots[h] = id;
    x->n++;
    return id;
}

uint32_t model_type_named(rt_model *m, uint32_t name, uint64_t size)
{
    rt_type t;
    memset(&t, 0, sizeof t);
    t.kind = RT_TK_OTHER;
    t.name = name;
    t.size = size;
    return intern(m, &t, NULL);
}

static uint32_t array_name(rt_model *m, const rt_type *t)
{
    const rt_type *e = model_type(m, t->elem);
    char buf[512];
    snprintf(buf, sizeof buf, "[%" PRIu64 "]%s", t->len, e ? strpool_get(m->strings, e->name) : "?");
    return strpool_intern_cstr(m->strings, buf);
}

uint32_t model_type_array(rt_model *m, uint32_t elem, uint64_t len)
{
    rt_type t;
    memset(&t, 0, sizeof t);
    t.kind = RT_TK_ARRAY;
    t.elem = elem;
    t.len = len;
    const rt_type *e = model_type(m, elem);
    uint64_t esize = e ? e->size : 0;
    t.size = esize && len <= UINT64_MAX / esize ? esize * len : 0;
    return intern(m, &t, array_name); /* keyed on (elem, len): named once */
}

/* ---- field paths ---- */

/* Append to buf at *w (kept NUL-terminated and within n). */
static void put(char *buf, size_t n, size_t *w, const char *fmt, uint64_t v)
{
    if (*w >= n)
        return;
    int k = snprintf(buf + *w, n - *w, fmt, v);
    if (k > 0)
        *w = *w + (size_t)k < n ? *w + (size_t)k : n - 1;
}

static void put_name(char *buf, size_t n, size_t *w, const char *s)
{
    if (*w >= n)
        return;
    int k = snprintf(buf + *w, n - *w, ".%s", s);
    if (k > 0)
        *w = *w + (size_t)k < n ? *w + (size_t)k : n - 1;
}

const char *model_field_path(const rt_model *m, uint32_t id, uint64_t off, char *buf, size_t n)
{
    return model_field_leaf(m, id, off, buf, n, NULL, NULL);
}

const char *model_field_leaf(const rt_model *m, uint32_t id, uint64_t off, char *buf, size_t n, uint32_t *leaf,
                             uint64_t *leaf_off)
{
    size_t w = 0;
    int lost = 0; /* off falls where the type names nothing */
    if (leaf)
        *leaf = 0;
    if (!n)
        return buf;
    buf[0] = 0;
    const rt_type *t = model_type(m, id);
    for (int depth = 0; t && depth < MAX_PATH_DEPTH; depth++) {
        if (t->kind == RT_TK_ARRAY) {
            const rt_type *e = model_type(m, t->elem);
            if (!e || !e->size || off >= t->size) {
                lost = 1;
                break;
            }
            put(buf, n, &w, "[%" PRIu64 "]", off / e->size);
            off %= e->size;
            id = t->elem;
            t = e;
            continue;
        }
        if (t->kind != RT_TK_STRUCT)
            break; /* a pointer, slice, string or interface: the path names its words */
        /* the last field starting at or before off that covers it */
        const rt_field *f = NULL;
        for (uint32_t i = 0; i < t->nfield; i++) {
            const rt_field *c = &m->fields[t->field_start + i];
            const rt_type *ct = model_type(m, c->type);
            uint64_t csize = ct ? ct->size : 0;
            if (c->offset <= off && (off < c->offset + csize || (csize == 0 && off == c->offset)))
                f = c;
        }
        if (!f) {
            lost = 1;
            break;
        }
        put_name(buf, n, &w, strpool_get(m->strings, f->name));
        off -= f->offset;
        id = f->type;
        t = model_type(m, f->type);
    }
    if (!t || (lost && off))
        put(buf, n, &w, "+0x%" PRIx64, off);
    if (leaf && t && !lost) {
        *leaf = id;
        *leaf_off = off;
    }
    return buf;
}

const char *model_edge_field(const rt_model *m, uint32_t src, uint32_t off, char *buf, size_t n)
{
    uint32_t type, start = 0;
    if (off == UINT32_MAX)
        return NULL;
    if (src >= m->nobj) {
        if (src - m->nobj >= m->nroot)
            return NULL;
        type = m->roots[src - m->nobj].type;
    } else {
        type = sidemap_get(&m->obj_types, src);
        start = sidemap_get(&m->obj_type_offs, src);
    }
    if (!type || off < start)
        return NULL;
    model_field_path(m, type, off - start, buf, n);
    return buf[0] == '+' ? NULL : buf;
}

void model_types_free(rt_model *m)
{
    free(m->types);
    free(m->fields);
    free(m->type_index.slots);
    m->types = NULL;
    m->fields = NULL;
    m->type_index.slots = NULL;
    m->ntype = m->nfield = 0;
}
