/* typing_ops.c — a type's layout flattened into walker steps, once per
 * type: which words of a value hold pointers, slices, strings,
 * interfaces or closures, and what each says about its target.
 *
 * Struct fields are flattened in place; an array of few pointer-holding
 * elements is unrolled, a long one becomes one TOP_ARRAY step.  The
 * runtime's map and channel headers (the linker's hash<K,V>, map<K,V>,
 * groupReference<K,V>, hchan<T>) get the steps that know their
 * variable-length arrays, which DWARF can only state as a pointer to
 * the first element. */
#include <stdio.h>
#include <string.h>

#include "loaders/typing/typing_int.h"
#include "util/alloc.h"

enum { MAX_UNROLL = 64, MAX_DEPTH = 16 };
#define BUILDING UINT64_MAX

typedef struct opbuf {
    ty_op *v;
    size_t n, cap;
} opbuf;

static void emit(opbuf *b, ty_op op)
{
    RT_GROW(b->v, b->cap, b->n + 1);
    b->v[b->n++] = op;
}

static ty_op op_at(ty_opcode code, uint64_t off, uint32_t type)
{
    ty_op op;
    memset(&op, 0, sizeof op);
    op.code = (uint8_t)code;
    op.off = (uint32_t)off;
    op.type = type;
    return op;
}

static int starts(const rt_model *m, const rt_type *t, const char *prefix)
{
    return strncmp(strpool_get(m->strings, t->name), prefix, strlen(prefix)) == 0;
}

static const rt_field *field(const rt_model *m, const rt_type *t, const char *name)
{
    for (uint32_t i = 0; i < t->nfield; i++) {
        const rt_field *f = &m->fields[t->field_start + i];
        if (strcmp(strpool_get(m->strings, f->name), name) == 0)
            return f;
    }
    return NULL;
}

/* The pointee of a pointer-typed field, 0 if it is none. */
static uint32_t pointee(const rt_model *m, const rt_field *f)
{
    const rt_type *t = f ? model_type(m, f->type) : NULL;
    return t && t->kind == RT_TK_POINTER ? t->elem : 0;
}

static void flatten(ty_ctx *c, uint32_t id, uint64_t off, int depth, opbuf *b);

/* "internal/sync.node[K,V]" as "internal/sync.<kind>[K,V]"'s model type. */
static uint32_t trie_sibling(ty_ctx *c, const char *node, const char *kind)
{
    const char *br = strchr(node, '[');
    const char *dot = br ? memrchr(node, '.', (size_t)(br - node)) : NULL;
    char name[1024];
    if (!dot || snprintf(name, sizeof name, "%.*s.%s%s", (int)(dot - node), node, kind, br) >= (int)sizeof name)
        return 0;
    return ty_dwarf_generic(c, name);
}

/* The step for a pointer word to a value of type elem.  A pointer to the
 * header of a HashTrieMap node (internal/sync from Go 1.24, internal/
 * concurrent in 1.23: sync.Map, unique) points at an entry or an indirect
 * node, as the header's isEntry byte says. */
static ty_op pointer_step(ty_ctx *c, uint64_t off, uint32_t elem)
{
    const rt_type *t = model_type(c->m, elem);
    const char *name = t ? strpool_get(c->m->strings, t->name) : "";
    if (strncmp(name, "internal/sync.node[", 19) == 0 || strncmp(name, "internal/concurrent.node[", 25) == 0) {
        uint32_t ind = trie_sibling(c, name, "indirect"), ent = trie_sibling(c, name, "entry");
        if (ind && ent) {
            ty_op op = op_at(TOP_TRIENODE, off, ind);
            op.type2 = ent;
            return op;
        }
    }
    return op_at(TOP_PTR, off, elem);
}

/* Special steps for the runtime's map and channel headers; 1 if t is one
 * (its other fields are flattened as usual). */
static int header_steps(ty_ctx *c, const rt_type *t, uint64_t off, opbuf *b, uint32_t *skip,
                        size_t *nskip)
{
    const rt_model *m = c->m;
    *nskip = 0;
    if (starts(m, t, "hash<")) {
        const rt_field *bk = field(m, t, "buckets"), *old = field(m, t, "oldbuckets");
        const rt_field *B = field(m, t, "B"), *fl = field(m, t, "flags");
        if (!bk || !B || !fl)
            return 0;
        for (int i = 0; i < 2; i++) {
            const rt_field *f = i ? old : bk;
            if (!f || !pointee(m, f))
                continue;
            ty_op op = op_at(TOP_BUCKETS, off + f->offset, pointee(m, f));
            op.aux = (uint8_t)i;
            op.off2 = (uint32_t)(off + B->offset);
            op.off3 = (uint32_t)(off + fl->offset);
            emit(b, op);
            skip[(*nskip)++] = (uint32_t)(f - m->fields);
        }
        return 1;
    }
    if (starts(m, t, "map<")) {
        const rt_field *dir = field(m, t, "dirPtr"), *dlen = field(m, t, "dirLen");
        uint32_t tabptr = pointee(m, dir); /* **table<K,V> → *table<K,V> */
        const rt_type *tp = model_type(m, tabptr);
        const rt_type *tab = tp && tp->kind == RT_TK_POINTER ? model_type(m, tp->elem) : NULL;
        const rt_field *groups = tab ? field(m, tab, "groups") : NULL;
        const rt_type *gref = groups ? model_type(m, groups->type) : NULL;
        uint32_t group = gref ? pointee(m, field(m, gref, "data")) : 0;
        if (!dir || !dlen || !tabptr || !group)
            return 0;
        ty_op op = op_at(TOP_SWISSDIR, off + dir->offset, tabptr);
        op.type2 = group;
        op.off2 = (uint32_t)(off + dlen->offset);
        emit(b, op);
        skip[(*nskip)++] = (uint32_t)(dir - m->fields);
        return 1;
    }
    if (starts(m, t, "groupReference<")) {
        const rt_field *data = field(m, t, "data"), *mask = field(m, t, "lengthMask");
        if (!data || !mask || !pointee(m, data))
            return 0;
        ty_op op = op_at(TOP_GROUPS, off + data->offset, pointee(m, data));
        op.off2 = (uint32_t)(off + mask->offset);
        emit(b, op);
        skip[(*nskip)++] = (uint32_t)(data - m->fields);
        return 1;
    }
    if (starts(m, t, "hchan<") || strcmp(strpool_get(m->strings, t->name), "runtime.hchan") == 0) {
        const rt_field *buf = field(m, t, "buf"), *q = field(m, t, "dataqsiz"), *et = field(m, t, "elemtype");
        if (!buf || !q || !et)
            return 0;
        ty_op op = op_at(TOP_CHANBUF, off + buf->offset, 0);
        op.off2 = (uint32_t)(off + q->offset);
        op.off3 = (uint32_t)(off + et->offset);
        emit(b, op);
        skip[(*nskip)++] = (uint32_t)(buf - m->fields);
        return 1;
    }
    if (strcmp(strpool_get(m->strings, t->name), "sync.Pool") == 0) {
        /* local and victim: unsafe.Pointers to [localSize]poolLocal */
        uint32_t pl = ty_dwarf_named(c, "sync.poolLocal");
        static const char *const pairs[2][2] = { { "local", "localSize" }, { "victim", "victimSize" } };
        for (int i = 0; i < 2 && pl; i++) {
            const rt_field *p = field(m, t, pairs[i][0]), *n = field(m, t, pairs[i][1]);
            if (!p || !n)
                continue;
            ty_op op = op_at(TOP_COUNTED, off + p->offset, pl);
            op.off2 = (uint32_t)(off + n->offset);
            emit(b, op);
            skip[(*nskip)++] = (uint32_t)(p - m->fields);
        }
        return *nskip > 0;
    }
    if (starts(m, t, "sync/atomic.Pointer[")) {
        /* {_ [0]*T; _ noCopy; v unsafe.Pointer}: v is a *T */
        const rt_field *v = field(m, t, "v");
        uint32_t target = 0;
        for (uint32_t i = 0; i < t->nfield && !target; i++) {
            const rt_type *a = model_type(m, m->fields[t->field_start + i].type);
            const rt_type *p = a && a->kind == RT_TK_ARRAY && a->len == 0 ? model_type(m, a->elem) : NULL;
            if (p && p->kind == RT_TK_POINTER)
                target = p->elem;
        }
        if (!v || !target)
            return 0;
        uint64_t voff = v->offset;
        skip[(*nskip)++] = (uint32_t)(v - m->fields);
        emit(b, pointer_step(c, off + voff, target)); /* may move m->fields */
        return 1;
    }
    if (strcmp(strpool_get(m->strings, t->name), "sync.entry") == 0 && c->eface_type) {
        /* Go 1.19: p unsafe.Pointer, a *interface{} (later an atomic.Pointer[any]) */
        const rt_field *p = field(m, t, "p");
        const rt_type *pt = p ? model_type(m, p->type) : NULL;
        if (!pt || pt->kind != RT_TK_UNSAFE)
            return 0;
        emit(b, op_at(TOP_PTR, off + p->offset, c->eface_type));
        skip[(*nskip)++] = (uint32_t)(p - m->fields);
        return 1;
    }
    return 0;
}

/* (Making the steps may add types and fields to the model, moving its
 * arrays: types and fields are copied before, never held across.) */
static void flatten_array(ty_ctx *c, const rt_type *t, uint64_t off, int depth, opbuf *b)
{
    const rt_type *e0 = model_type(c->m, t->elem);
    if (!e0 || !e0->size || !t->len)
        return;
    const rt_type ecopy = *e0, *e = &ecopy;
    opbuf eb = { 0 };
    flatten(c, t->elem, 0, depth + 1, &eb);
    if (eb.n && eb.n * t->len <= MAX_UNROLL) {
        for (uint64_t i = 0; i < t->len; i++)
            for (size_t k = 0; k < eb.n; k++) {
                ty_op op = eb.v[k];
                op.off = (uint32_t)(op.off + off + i * e->size);
                if (op.code >= TOP_BUCKETS) { /* steps that read other words of the value */
                    op.off2 = (uint32_t)(op.off2 + off + i * e->size);
                    op.off3 = (uint32_t)(op.off3 + off + i * e->size);
                }
                emit(b, op);
            }
    } else if (eb.n) {
        ty_op op = op_at(TOP_ARRAY, off, t->elem);
        op.len = t->len;
        op.stride = e->size;
        emit(b, op);
    }
    free(eb.v);
}

static void flatten(ty_ctx *c, uint32_t id, uint64_t off, int depth, opbuf *b)
{
    const rt_model *m = c->m;
    const rt_type *t0 = model_type(m, id);
    if (!t0 || depth > MAX_DEPTH || off > UINT32_MAX / 2)
        return;
    const rt_type copy = *t0, *t = &copy;
    switch ((rt_type_kind)t->kind) {
    case RT_TK_POINTER:
    case RT_TK_MAP:
    case RT_TK_CHAN:
        if (t->elem)
            emit(b, pointer_step(c, off, t->elem));
        return;
    case RT_TK_FUNC: emit(b, op_at(TOP_FUNC, off, 0)); return;
    case RT_TK_SLICE:
        if (t->elem)
            emit(b, op_at(TOP_SLICE, off, t->elem));
        return;
    case RT_TK_STRING: emit(b, op_at(TOP_STRING, off, 0)); return;
    case RT_TK_EFACE: emit(b, op_at(TOP_EFACE, off, 0)); return;
    case RT_TK_IFACE: emit(b, op_at(TOP_IFACE, off, 0)); return;
    case RT_TK_ARRAY: flatten_array(c, t, off, depth, b); return;
    case RT_TK_STRUCT: {
        uint32_t skip[2];
        size_t nskip = 0;
        header_steps(c, t, off, b, skip, &nskip);
        uint32_t start = t->field_start, nf = t->nfield;
        for (uint32_t i = 0; i < nf; i++) {
            const rt_field f = m->fields[start + i];
            int skipped = 0;
            for (size_t k = 0; k < nskip; k++)
                skipped |= skip[k] == start + i;
            if (!skipped && f.offset < t->size)
                flatten(c, f.type, off + f.offset, depth + 1, b);
        }
        return;
    }
    default:
        return;
    }
}

const ty_op *ty_ops(ty_ctx *c, uint32_t id, size_t *n)
{
    *n = 0;
    if (!id || id >= c->m->ntype)
        return NULL;
    if (id >= c->cap_ops_at) {
        size_t old = c->cap_ops_at;
        size_t ncap = old ? old : 256;
        while (ncap <= id)
            ncap *= 2;
        c->ops_at = rt_reallocarray(c->ops_at, ncap, sizeof *c->ops_at);
        memset(c->ops_at + old, 0, (ncap - old) * sizeof *c->ops_at);
        c->cap_ops_at = ncap;
    }
    uint64_t at = c->ops_at[id];
    if (at == BUILDING)
        return NULL;
    if (!at) {
        c->ops_at[id] = BUILDING;
        opbuf b = { 0 };
        flatten(c, id, 0, 0, &b);
        RT_GROW(c->ops, c->cap_ops, c->nops + b.n + 1);
        if (b.n)
            memcpy(c->ops + c->nops, b.v, b.n * sizeof *b.v);
        at = (uint64_t)(c->nops + 1) << 32 | b.n;
        c->nops += b.n;
        c->ops_at[id] = at;
        free(b.v);
    }
    *n = (size_t)(at & 0xffffffffu);
    return *n ? c->ops + ((at >> 32) - 1) : NULL;
}
