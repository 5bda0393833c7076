/* test_typing.c — the type propagation (src/loaders/typing) against a
 * slow, obvious reference, on real cores and heap dumps.
 *
 *   test_typing INPUT EXE [INPUT EXE ...]
 *
 * Each input (a core or a heap dump, with its executable) is loaded twice:
 * once with the loaders' BFS (ty_propagate: types flattened into steps, a
 * work queue, each object walked again only when its type improves) and
 * once with the reference below: the same rules applied by walking types
 * recursively, over every root and then every typed object in id order,
 * again and again until nothing changes.  Every object must end with the
 * same type name and the same offset.  The rules, as DESIGN.md states
 * them: the runtime's type is fixed (a slice may narrow its count); a type
 * at the object's base beats one inside it; anything beats [N]uint8; more
 * bytes beat fewer; nothing past the object's end; else the first seen.
 * Ties of the last kind would depend on the order of the walk: none of the
 * test programs has one, and a difference there fails too. */
#include <stdio.h>
#include <string.h>

#include "loaders/inputs.h"
#include "test_check.h"

typedef struct tctx {
    tcheck c;
} tctx;

enum { MAX_ROUNDS = 200, MAX_DEPTH = 24 };

typedef struct ref {
    rt_model *m;
    ty_ctx *c;
    const ty_mem *mem;
    uint32_t *type, *toff;
    uint8_t *fixed, *refined;
    uint32_t u8;
    int changed;
    /* a root's live words (offsets from live_base), NULL for objects */
    const uint32_t *live;
    size_t nlive;
    uint64_t live_base;
    /* values outside the heap already walked */
    struct { uint64_t addr; uint32_t id; } *outside;
    size_t noutside, cap_outside;
    int nest;
} ref;

static uint64_t rd(ref *R, uint64_t addr)
{
    uint64_t v = 0;
    return R->mem->read(R->mem->ctx, addr, &v, 8) == 0 ? v : 0;
}

static int is_live(const ref *R, uint64_t addr)
{
    if (!R->live)
        return 1;
    for (size_t i = 0; i < R->nlive; i++)
        if (R->live_base + R->live[i] == addr)
            return 1;
    return 0;
}

static int is_bytes(const ref *R, const rt_type *t)
{
    return t->kind == RT_TK_ARRAY && t->elem == R->u8;
}

static void walk(ref *R, uint32_t id, uint64_t addr, uint64_t end, int depth);

/* Whether the value (addr, id) outside the heap was not walked yet. */
static int first_outside(ref *R, uint64_t addr, uint32_t id)
{
    for (size_t i = 0; i < R->noutside; i++)
        if (R->outside[i].addr == addr && R->outside[i].id == id)
            return 0;
    if (R->noutside == R->cap_outside) {
        R->cap_outside = R->cap_outside ? 2 * R->cap_outside : 64;
        R->outside = rt_reallocarray(R->outside, R->cap_outside, sizeof *R->outside);
    }
    R->outside[R->noutside].addr = addr;
    R->outside[R->noutside++].id = id;
    return 1;
}

/* -1: does not fit the object at addr; 0 otherwise.  A value outside the
 * heap (a global a pointer leads to) is walked, once. */
static int propose(ref *R, uint64_t addr, uint32_t id)
{
    const rt_type *t = model_type(R->m, id);
    if (!t || !t->size)
        return 0;
    uint32_t j = model_find(R->m, addr);
    if (j == RT_NONE) {
        if (R->nest < 8 && addr + t->size > addr && first_outside(R, addr, id)) {
            const uint32_t *live = R->live;
            uint64_t size = t->size;
            R->live = NULL;
            R->nest++;
            walk(R, id, addr, addr + size, 0);
            R->nest--;
            R->live = live;
        }
        return 0;
    }
    uint64_t off = addr - R->m->objects[j].base;
    if (t->size > R->m->objects[j].size - off)
        return -1;
    const rt_type *cur = model_type(R->m, R->type[j]);
    if (R->fixed[j]) {
        uint32_t elem = cur && cur->kind == RT_TK_ARRAY ? cur->elem : R->type[j];
        if (!R->refined[j] && t->kind == RT_TK_ARRAY && t->elem == elem && off == R->toff[j] &&
            id != R->type[j]) {
            R->type[j] = id;
            R->refined[j] = 1;
            R->changed = 1;
        }
        return 0;
    }
    if (cur) {
        uint64_t coff = R->toff[j];
        int wins;
        if ((off == 0) != (coff == 0))
            wins = off == 0;
        else if (is_bytes(R, t) != is_bytes(R, cur))
            wins = !is_bytes(R, t);
        else
            wins = t->size > cur->size;
        if (!wins)
            return 0;
    }
    R->type[j] = id;
    R->toff[j] = (uint32_t)off;
    R->changed = 1;
    return 0;
}

static void propose_array(ref *R, uint64_t addr, uint32_t elem, uint64_t n)
{
    if (n) {
        if (n < (1ULL << 40))
            propose(R, addr, model_type_array(R->m, elem, n));
        return;
    }
    const rt_type *e = model_type(R->m, elem);
    uint32_t j = model_find(R->m, addr);
    if (!e || !e->size || j == RT_NONE)
        return;
    uint64_t fit = (R->m->objects[j].base + R->m->objects[j].size - addr) / e->size;
    if (fit)
        propose(R, addr, model_type_array(R->m, elem, fit));
}

/* A pointer p to a value of type elem; a HashTrieMap node header stands
 * for an entry or an indirect node, as its first byte (isEntry) says. */
static void point(ref *R, uint64_t p, uint32_t elem)
{
    const rt_type *t = model_type(R->m, elem);
    const char *name = t ? strpool_get(R->m->strings, t->name) : "";
    const char *pkgs[] = { "internal/sync.node[", "internal/concurrent.node[" };
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(pkgs[k]);
        if (strncmp(name, pkgs[k], n) != 0)
            continue;
        char ent[1024], ind[1024];
        size_t pkg = n - strlen("node[");
        snprintf(ent, sizeof ent, "%.*sentry%s", (int)pkg, name, name + n - 1);
        snprintf(ind, sizeof ind, "%.*sindirect%s", (int)pkg, name, name + n - 1);
        uint32_t e = ty_dwarf_generic(R->c, ent), i = ty_dwarf_generic(R->c, ind);
        uint8_t is_entry = 0;
        if (e && i) {
            if (R->mem->read(R->mem->ctx, p, &is_entry, 1) == 0)
                propose(R, p, is_entry ? e : i);
            return;
        }
    }
    propose(R, p, elem);
}

static void closure(ref *R, uint64_t fv)
{
    uint64_t pc = fv ? rd(R, fv) : 0;
    if (pc && R->mem->closure)
        propose(R, fv, R->mem->closure(R->mem->ctx, pc));
}

/* What a direct interface's data word points at, for a pointer-shaped
 * type: the pointee of its one pointer at offset 0. */
static void direct_value(ref *R, uint32_t id, uint64_t data, int depth)
{
    const rt_type *t = model_type(R->m, id);
    if (!t || depth > MAX_DEPTH)
        return;
    switch ((rt_type_kind)t->kind) {
    case RT_TK_POINTER:
    case RT_TK_MAP:
    case RT_TK_CHAN:
        if (t->elem)
            propose(R, data, t->elem);
        return;
    case RT_TK_FUNC: closure(R, data); return;
    case RT_TK_STRUCT:
        if (t->nfield >= 1 && R->m->fields[t->field_start].offset == 0)
            direct_value(R, R->m->fields[t->field_start].type, data, depth + 1);
        return;
    case RT_TK_ARRAY:
        if (t->len == 1)
            direct_value(R, t->elem, data, depth + 1);
        return;
    default:
        return;
    }
}

static void dynamic(ref *R, uint64_t typ, uint64_t data)
{
    int direct = 0;
    uint32_t id = typ ? R->mem->rtype(R->mem->ctx, typ, &direct) : 0;
    if (!id || !data)
        return;
    if (direct)
        direct_value(R, id, data, 0);
    else
        propose(R, data, id);
}

static const rt_field *field_named(const rt_model *m, const rt_type *t, const char *name)
{
    for (uint32_t i = 0; i < t->nfield; i++)
        if (strcmp(strpool_get(m->strings, m->fields[t->field_start + i].name), name) == 0)
            return &m->fields[t->field_start + i];
    return NULL;
}

static uint32_t pointee_of(const rt_model *m, const rt_field *f)
{
    const rt_type *t = f ? model_type(m, f->type) : NULL;
    return t && t->kind == RT_TK_POINTER ? t->elem : 0;
}

static int named(const rt_model *m, const rt_type *t, const char *prefix)
{
    return strncmp(strpool_get(m->strings, t->name), prefix, strlen(prefix)) == 0;
}

/* The variable-length arrays of the runtime's map and channel headers:
 * 1 if field f of struct t at addr is one (and was handled). */
static int header_field(ref *R, const rt_type *t, const rt_field *f, uint64_t addr, uint64_t end)
{
    const rt_model *m = R->m;
    const char *fname = strpool_get(m->strings, f->name);
    uint64_t a = addr + f->offset, p_;
    if (named(m, t, "hash<") && (strcmp(fname, "buckets") == 0 || strcmp(fname, "oldbuckets") == 0)) {
        const rt_field *B = field_named(m, t, "B"), *fl = field_named(m, t, "flags");
        if (!B || !fl || !field_named(m, t, "buckets") || !pointee_of(m, f))
            return 0;
        if (a + 8 > end || !is_live(R, a))
            return 1;
        uint64_t p = rd(R, a), b = rd(R, addr + B->offset) & 0xff, flags = rd(R, addr + fl->offset) & 0xff;
        if (!p || b > 40)
            return 1;
        if (strcmp(fname, "oldbuckets") == 0 && !(flags & 8) && b)
            b--;
        uint64_t n = 1ULL << b, spare = b >= 4 ? n / 16 : 0;
        /* and, from B = 4 on, as many more as fill the allocation's slot */
        uint32_t o = model_find(m, p);
        const rt_type *bt = model_type(m, pointee_of(m, f));
        if (spare && o != RT_NONE && bt && bt->size) {
            uint64_t fit = (m->objects[o].size - (p - m->objects[o].base)) / bt->size;
            if (fit > n + spare)
                spare = fit - n;
        }
        if (!spare || propose(R, p, model_type_array(R->m, pointee_of(m, f), n + spare)) != 0)
            propose_array(R, p, pointee_of(m, f), n);
        return 1;
    }
    if (named(m, t, "map<") && strcmp(fname, "dirPtr") == 0) {
        const rt_field *dlen = field_named(m, t, "dirLen");
        uint32_t tabptr = pointee_of(m, f);
        const rt_type *tp = model_type(m, tabptr);
        const rt_type *tab = tp && tp->kind == RT_TK_POINTER ? model_type(m, tp->elem) : NULL;
        const rt_field *groups = tab ? field_named(m, tab, "groups") : NULL;
        const rt_type *gref = groups ? model_type(m, groups->type) : NULL;
        const rt_field *data = gref ? field_named(m, gref, "data") : NULL;
        uint32_t group = pointee_of(m, data);
        if (!dlen || !tabptr || !group)
            return 0;
        if (a + 8 > end || !is_live(R, a))
            return 1;
        uint64_t p = rd(R, a), n = rd(R, addr + dlen->offset);
        if (p && n == 0)
            propose(R, p, group);
        else if (p && n < (1ULL << 24))
            propose_array(R, p, tabptr, n);
        return 1;
    }
    if (named(m, t, "groupReference<") && strcmp(fname, "data") == 0) {
        const rt_field *mask = field_named(m, t, "lengthMask");
        if (!mask || !pointee_of(m, f))
            return 0;
        if (a + 8 > end || !is_live(R, a))
            return 1;
        uint64_t p = rd(R, a), n = rd(R, addr + mask->offset);
        if (p && n < (1ULL << 32))
            propose_array(R, p, pointee_of(m, f), n + 1);
        return 1;
    }
    if ((named(m, t, "hchan<") || strcmp(strpool_get(m->strings, t->name), "runtime.hchan") == 0) &&
        strcmp(fname, "buf") == 0) {
        const rt_field *q = field_named(m, t, "dataqsiz"), *et = field_named(m, t, "elemtype");
        if (!q || !et)
            return 0;
        if (a + 8 > end || !is_live(R, a))
            return 1;
        uint64_t p = rd(R, a), n = rd(R, addr + q->offset), typ = rd(R, addr + et->offset);
        int direct;
        uint32_t e = typ ? R->mem->rtype(R->mem->ctx, typ, &direct) : 0;
        if (p && n && n < (1ULL << 32) && e)
            propose_array(R, p, e, n);
        return 1;
    }
    if (strcmp(strpool_get(m->strings, t->name), "sync.Pool") == 0 &&
        (strcmp(fname, "local") == 0 || strcmp(fname, "victim") == 0)) {
        const rt_field *n = field_named(m, t, strcmp(fname, "local") == 0 ? "localSize" : "victimSize");
        uint32_t pl = ty_dwarf_named(R->c, "sync.poolLocal");
        if (!n || !pl)
            return 0;
        if (a + 8 > end || !is_live(R, a))
            return 1;
        uint64_t p = rd(R, a), cnt = rd(R, addr + n->offset);
        if (p && cnt && cnt < (1ULL << 24))
            propose_array(R, p, pl, cnt);
        return 1;
    }
    if (named(m, t, "sync/atomic.Pointer[") && strcmp(fname, "v") == 0) {
        uint32_t target = 0;
        for (uint32_t i = 0; i < t->nfield && !target; i++) {
            const rt_type *arr = model_type(m, m->fields[t->field_start + i].type);
            const rt_type *pt = arr && arr->kind == RT_TK_ARRAY && arr->len == 0 ? model_type(m, arr->elem) : NULL;
            if (pt && pt->kind == RT_TK_POINTER)
                target = pt->elem;
        }
        if (!target)
            return 0;
        if (a + 8 <= end && is_live(R, a) && (p_ = rd(R, a)) != 0)
            point(R, p_, target);
        return 1;
    }
    if (strcmp(strpool_get(m->strings, t->name), "sync.entry") == 0 && strcmp(fname, "p") == 0) {
        const rt_type *ft = model_type(m, f->type);
        uint32_t eface = ty_dwarf_named(R->c, "interface {}");
        if (!ft || ft->kind != RT_TK_UNSAFE || !eface)
            return 0;
        if (a + 8 <= end && is_live(R, a) && (p_ = rd(R, a)) != 0)
            propose(R, p_, eface);
        return 1;
    }
    return 0;
}

/* A value of type id at [addr, end): what each of its words says. */
static void walk(ref *R, uint32_t id, uint64_t addr, uint64_t end, int depth)
{
    const rt_type *t0 = model_type(R->m, id);
    if (!t0 || depth > MAX_DEPTH)
        return;
    rt_type t = *t0; /* proposals may grow the type table */
    uint64_t p;
    switch ((rt_type_kind)t.kind) {
    case RT_TK_POINTER:
    case RT_TK_MAP:
    case RT_TK_CHAN:
        if (addr + 8 <= end && is_live(R, addr) && (p = rd(R, addr)) != 0 && t.elem)
            point(R, p, t.elem);
        return;
    case RT_TK_FUNC:
        if (addr + 8 <= end && is_live(R, addr))
            closure(R, rd(R, addr));
        return;
    case RT_TK_SLICE:
        if (addr + 8 <= end && is_live(R, addr) && (p = rd(R, addr)) != 0 && t.elem) {
            uint64_t len = addr + 24 <= end ? rd(R, addr + 8) : 0, cap = addr + 24 <= end ? rd(R, addr + 16) : 0;
            /* a root's dead len/cap slots: as many as fit */
            const rt_type *e = model_type(R->m, t.elem);
            uint32_t j = model_find(R->m, p);
            if (len > cap || (R->live && cap &&
                              (!e || !e->size || j == RT_NONE ||
                               cap > (R->m->objects[j].base + R->m->objects[j].size - p) / e->size)))
                cap = 0;
            propose_array(R, p, t.elem, cap);
        }
        return;
    case RT_TK_STRING:
        if (addr + 8 <= end && is_live(R, addr) && (p = rd(R, addr)) != 0 && R->u8)
            propose_array(R, p, R->u8, addr + 16 <= end ? rd(R, addr + 8) : 0);
        return;
    case RT_TK_EFACE:
        if (addr + 16 <= end && is_live(R, addr + 8))
            dynamic(R, rd(R, addr), rd(R, addr + 8));
        return;
    case RT_TK_IFACE:
        if (addr + 16 <= end && is_live(R, addr + 8)) {
            uint64_t tab = rd(R, addr);
            dynamic(R, tab ? rd(R, tab + 8) : 0, rd(R, addr + 8));
        }
        return;
    case RT_TK_ARRAY: {
        const rt_type *e = model_type(R->m, t.elem);
        uint64_t esize = e ? e->size : 0;
        for (uint64_t i = 0; esize && i < t.len && addr + (i + 1) * esize <= end; i++)
            walk(R, t.elem, addr + i * esize, end, depth + 1);
        return;
    }
    case RT_TK_STRUCT:
        for (uint32_t i = 0; i < t.nfield; i++) {
            rt_field f = R->m->fields[t.field_start + i];
            if (f.offset >= t.size || header_field(R, model_type(R->m, id), &f, addr, end))
                continue;
            walk(R, f.type, addr + f.offset, end, depth + 1);
        }
        return;
    default:
        return;
    }
}

static void reference(ty_ctx *c, const ty_mem *mem, const rt_progress *prog, ty_stats *st)
{
    (void)prog;
    memset(st, 0, sizeof *st);
    ref R;
    memset(&R, 0, sizeof R);
    rt_model *m = ty_model(c);
    R.m = m;
    R.c = c;
    R.mem = mem;
    R.u8 = ty_dwarf_named(c, "uint8");
    R.type = rt_calloc((size_t)m->nobj + 1, sizeof *R.type);
    R.toff = rt_calloc((size_t)m->nobj + 1, sizeof *R.toff);
    R.fixed = rt_calloc((size_t)m->nobj + 1, 1);
    R.refined = rt_calloc((size_t)m->nobj + 1, 1);
    for (uint32_t i = 0; i < m->nobj; i++)
        if ((R.type[i] = model_obj_type(m, i)) != 0) {
            R.toff[i] = model_obj_type_off(m, i);
            R.fixed[i] = 1;
        }
    for (int round = 0; round < MAX_ROUNDS; round++) {
        R.changed = 0;
        for (uint32_t r = 0; r < m->nroot; r++) {
            const rt_root *rt = &m->roots[r];
            const rt_type *t = model_type(m, rt->type);
            if (!t)
                continue;
            uint32_t e0 = m->edge_start[m->nobj + r], e1 = m->edge_start[m->nobj + r + 1];
            R.live = m->edge_off + e0;
            R.nlive = e1 - e0;
            R.live_base = rt->address;
            walk(&R, rt->type, rt->address, rt->address + (rt->size && rt->size < t->size ? rt->size : t->size), 0);
            R.live = NULL;
        }
        for (uint32_t i = 0; i < m->nobj; i++) {
            const rt_type *t = model_type(m, R.type[i]);
            if (!t)
                continue;
            const rt_object *o = &m->objects[i];
            uint64_t start = o->base + R.toff[i], end = o->base + o->size;
            uint32_t id = R.type[i];
            if (R.fixed[i] && t->kind == RT_TK_ARRAY) {
                const rt_type *e = model_type(m, t->elem);
                if (e && e->size)
                    id = model_type_array(m, t->elem, (end - start) / e->size);
            } else if (t->size < end - start) {
                end = start + t->size;
            }
            walk(&R, id, start, end, 0);
        }
        if (!R.changed)
            break;
    }
    sidemap_free(&m->obj_types);
    sidemap_free(&m->obj_type_offs);
    for (uint32_t i = 0; i < m->nobj; i++) {
        if (R.type[i])
            sidemap_set(&m->obj_types, m->nobj, i, R.type[i]);
        if (R.type[i] && R.toff[i])
            sidemap_set(&m->obj_type_offs, m->nobj, i, R.toff[i]);
    }
    sidemap_done(&m->obj_types);
    sidemap_done(&m->obj_type_offs);
    free(R.type);
    free(R.toff);
    free(R.fixed);
    free(R.refined);
    free(R.outside);
}

static rt_model *load(tctx *t, const char *input, const char *exe, ty_propagate_fn fn)
{
    char *paths[2] = { (char *)input, (char *)exe };
    rt_inputs in;
    rt_error err;
    rt_model *m = NULL;
    memset(&in, 0, sizeof in);
    memset(&err, 0, sizeof err);
    if (inputs_sort(paths, 2, &in, &err) != 0) {
        print_err(input, &err);
        CHECK(t, 0 && "inputs");
        return NULL;
    }
    in.propagate = fn;
    if (inputs_load(&in, NULL, &m, &err) != 0) {
        print_err(input, &err);
        CHECK(t, 0 && "load");
        return NULL;
    }
    return m;
}

static void compare(tctx *t, const char *input, const char *exe)
{
    rt_model *fast = load(t, input, exe, NULL), *slow = load(t, input, exe, reference);
    if (!fast || !slow || !CHECK(t, fast->nobj == slow->nobj)) {
        model_free(fast);
        model_free(slow);
        return;
    }
    uint32_t differ = 0, typed = 0;
    for (uint32_t i = 0; i < fast->nobj; i++) {
        const char *a = strpool_get(fast->strings, model_obj_type_name(fast, i));
        const char *b = strpool_get(slow->strings, model_obj_type_name(slow, i));
        typed += *a != 0;
        if (strcmp(a, b) == 0 && model_obj_type_off(fast, i) == model_obj_type_off(slow, i))
            continue;
        if (differ++ < 8)
            fprintf(stderr, "  %s: object 0x%llx (%llu B): fast %s +%u, reference %s +%u\n", input,
                    (unsigned long long)fast->objects[i].base, (unsigned long long)fast->objects[i].size,
                    *a ? a : "(none)", model_obj_type_off(fast, i), *b ? b : "(none)",
                    model_obj_type_off(slow, i));
    }
    printf("%s: %u objects, %u typed, %u differ from the reference\n", input, fast->nobj, typed, differ);
    CHECK_EQ(t, differ, 0);
    CHECK(t, typed > 0);
    model_free(fast);
    model_free(slow);
}

int main(int argc, char **argv)
{
    tctx t;
    memset(&t, 0, sizeof t);
    if (argc < 3 || argc % 2 == 0) {
        fprintf(stderr, "usage: test_typing INPUT EXE [INPUT EXE ...]\n");
        return 2;
    }
    for (int i = 1; i + 1 < argc; i += 2)
        compare(&t, argv[i], argv[i + 1]);
    return check_summary(&t.c);
}
