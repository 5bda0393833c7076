/* typing_propagate.c — the BFS that carries types from what states them
 * to every object a typed word reaches (typing.h has the rules).
 *
 * Per object, while it runs: the type id, where the type starts inside
 * the object, and a flags byte (fixed by the runtime, queued, refined,
 * times queued).  An object whose type improves after it was walked is
 * walked again, at most MAX_VISITS times, so a chain of ever better
 * proposals cannot loop.  Every count read from memory (slice caps,
 * bucket shifts, directory lengths, channel sizes) is bounded by the
 * object it would type: a proposal past the object's end is refused. */
#include <string.h>

#include "loaders/typing/typing_int.h"
#include "util/alloc.h"
#include "util/hash.h"

enum {
    F_FIXED = 1,   /* the runtime's type: only refined, never replaced */
    F_QUEUED = 2,  /* to be walked in the next level */
    F_REFINED = 4,
    F_CUR = 8,     /* to be walked in this level (a large one) */
    F_VISITS = 16, /* visits counted in the high bits, in steps of 16 */
    MAX_VISITS = 4,
    MAX_DEPTH = 24,
    MAX_STATIC = 1 << 20, /* values outside the heap walked, at most */
    MAX_STATIC_NEST = 8,
    RELEASE_STEP = 160 << 20, /* bytes read between giving a core's pages back */
    FAULT_AROUND = 64 << 10,
    WINDOW = 4096, /* an object up to this size is read at once */
};

typedef struct prop {
    ty_ctx *c;
    rt_model *m;
    const ty_mem *mem;
    ty_stats *st;
    uint32_t *type;
    /* where an object's type starts, for the few where that is not 0:
     * open addressing, key object id + 1 */
    uint32_t *off_keys, *off_vals;
    size_t noff, cap_off;
    uint8_t *flags;
    /* the BFS goes level by level, each level in address order, so that
     * an object's bytes are read in one sweep over memory (a core's pages
     * are given back behind it): next holds the objects queued for the
     * coming level, at most once each (F_QUEUED) */
    uint32_t *next, *cur; /* small levels: ids (cur sorted) */
    size_t nnext, small;
    uint64_t touched; /* bytes read since a core's pages were last given back */
    uint64_t last_window;
    /* values outside the heap (globals a pointer leads to: a sync.Pool in
     * data) are walked once per (address, type): an open-addressing set */
    uint64_t *statics;
    size_t nstatic, cap_static;
    int static_nest;
    /* while a root is walked: its live pointer words (offsets from its
     * address, sorted), so that a variable's type is followed only
     * through words the stack maps say are live */
    const uint32_t *live;
    size_t nlive;
    uint64_t live_base;
    /* the words of the value being walked, when they fit the window */
    uint64_t win_addr;
    size_t win_len;
    uint8_t win[WINDOW];
} prop;

static int word(prop *p, uint64_t addr, uint64_t *v)
{
    if (addr >= p->win_addr && addr - p->win_addr + 8 <= p->win_len) {
        memcpy(v, p->win + (addr - p->win_addr), 8);
        return 0;
    }
    return p->mem->read(p->mem->ctx, addr, v, 8);
}

static uint64_t word_or0(prop *p, uint64_t addr)
{
    uint64_t v;
    return word(p, addr, &v) ? 0 : v;
}

static int is_bytes(const prop *p, const rt_type *t)
{
    return t->kind == RT_TK_ARRAY && t->elem == p->c->uint8_type;
}

/* Whether type nt at noff beats the object's type ot at ooff. */
static int better(const prop *p, const rt_type *nt, uint64_t noff, const rt_type *ot, uint64_t ooff)
{
    if ((noff == 0) != (ooff == 0))
        return noff == 0;
    if (is_bytes(p, nt) != is_bytes(p, ot))
        return !is_bytes(p, nt);
    return nt->size > ot->size;
}

static uint32_t toff_get(const prop *p, uint32_t j)
{
    if (!p->noff)
        return 0;
    for (size_t h = rt_hash64(j) & (p->cap_off - 1); p->off_keys[h]; h = (h + 1) & (p->cap_off - 1))
        if (p->off_keys[h] == j + 1)
            return p->off_vals[h];
    return 0;
}

static void toff_set(prop *p, uint32_t j, uint32_t off)
{
    if (!off && !toff_get(p, j))
        return;
    if ((p->noff + 1) * 2 > p->cap_off) {
        size_t ncap = p->cap_off ? p->cap_off * 2 : 1024;
        uint32_t *k = rt_calloc(ncap, sizeof *k), *v = rt_calloc(ncap, sizeof *v);
        for (size_t i = 0; i < p->cap_off; i++) {
            if (!p->off_keys[i])
                continue;
            size_t h = rt_hash64(p->off_keys[i] - 1) & (ncap - 1);
            while (k[h])
                h = (h + 1) & (ncap - 1);
            k[h] = p->off_keys[i];
            v[h] = p->off_vals[i];
        }
        free(p->off_keys);
        free(p->off_vals);
        p->off_keys = k;
        p->off_vals = v;
        p->cap_off = ncap;
    }
    size_t h = rt_hash64(j) & (p->cap_off - 1);
    while (p->off_keys[h] && p->off_keys[h] != j + 1)
        h = (h + 1) & (p->cap_off - 1);
    if (!p->off_keys[h])
        p->noff++;
    p->off_keys[h] = j + 1;
    p->off_vals[h] = off; /* 0 stays as an entry: rare, and still right */
}

static void push(prop *p, uint32_t j)
{
    if (p->flags[j] & F_QUEUED || p->flags[j] >> 4 >= MAX_VISITS)
        return;
    p->flags[j] = (uint8_t)(p->flags[j] | F_QUEUED);
    p->flags[j] = (uint8_t)(p->flags[j] + F_VISITS);
    if (p->nnext < p->small)
        p->next[p->nnext] = j; /* past small, the flags alone say it */
    p->nnext++;
}

static void walk(prop *p, uint32_t id, uint64_t addr, uint64_t end, int depth);

/* Whether (addr, id) is walked for the first time (and note it). */
static int first_static(prop *p, uint64_t addr, uint32_t id)
{
    uint64_t key = addr ^ ((uint64_t)id << 48) ^ ((uint64_t)id >> 16), h;
    if (!key || p->nstatic >= MAX_STATIC)
        return 0;
    if ((p->nstatic + 1) * 2 > p->cap_static) {
        size_t ncap = p->cap_static ? p->cap_static * 2 : 1024;
        uint64_t *s = rt_calloc(ncap, sizeof *s);
        for (size_t i = 0; i < p->cap_static; i++) {
            if (!p->statics[i])
                continue;
            for (h = rt_hash64(p->statics[i]) & (ncap - 1); s[h]; h = (h + 1) & (ncap - 1))
                ;
            s[h] = p->statics[i];
        }
        free(p->statics);
        p->statics = s;
        p->cap_static = ncap;
    }
    for (h = rt_hash64(key) & (p->cap_static - 1); p->statics[h]; h = (h + 1) & (p->cap_static - 1))
        if (p->statics[h] == key)
            return 0;
    p->statics[h] = key;
    p->nstatic++;
    return 1;
}

/* A value of type id outside the heap (a global): its words are evidence
 * too, walked once. */
static void static_value(prop *p, uint64_t addr, uint32_t id, uint64_t size)
{
    size_t n;
    const rt_type *t = model_type(p->m, id);
    uint32_t probe = t && t->kind == RT_TK_ARRAY ? t->elem : id;
    if (p->static_nest >= MAX_STATIC_NEST || !ty_ops(p->c, probe, &n) || !first_static(p, addr, id))
        return;
    const uint32_t *live = p->live; /* a root's live words say nothing here */
    p->live = NULL;
    p->static_nest++;
    walk(p, id, addr, addr + size, 0);
    p->static_nest--;
    p->live = live;
}

/* The value at addr is of type id.  0, or -1 when the type does not fit
 * the object there. */
static int propose(prop *p, uint64_t addr, uint32_t id)
{
    const rt_type *t = model_type(p->m, id);
    if (!t || !t->size)
        return 0;
    uint32_t j = model_find(p->m, addr);
    if (j == RT_NONE) {
        if (addr + t->size > addr)
            static_value(p, addr, id, t->size);
        return 0;
    }
    const rt_object *o = &p->m->objects[j];
    uint64_t off = addr - o->base;
    if (t->size > o->size - off || off > UINT32_MAX)
        return -1;
    uint32_t cur = p->type[j];
    uint32_t coff = toff_get(p, j);
    if (cur == id && coff == off)
        return 0;
    const rt_type *ct = model_type(p->m, cur);
    if (ct && p->flags[j] & F_FIXED) {
        /* the runtime said [n]T; a slice may say how many Ts are used */
        uint32_t celem = ct->kind == RT_TK_ARRAY ? ct->elem : cur;
        if (t->kind == RT_TK_ARRAY && t->elem == celem && off == coff && !(p->flags[j] & F_REFINED)) {
            p->type[j] = id;
            p->flags[j] |= F_REFINED;
            p->st->refined++;
        } else {
            p->st->conflicts++;
        }
        return 0;
    }
    if (ct && !better(p, t, off, ct, coff)) {
        p->st->conflicts++;
        return 0;
    }
    p->type[j] = id;
    toff_set(p, j, (uint32_t)off);
    push(p, j);
    return 0;
}

/* [n]elem at addr, n a count read from memory; a count that does not
 * fit the object there is corrupt (or stale) and types nothing.  When the
 * count is unknown (0: a variable whose length and capacity live
 * elsewhere), as many elems as the object holds from addr on. */
static void propose_array(prop *p, uint64_t addr, uint32_t elem, uint64_t n)
{
    if (n) {
        if (n >= (1ULL << 40) || propose(p, addr, model_type_array(p->m, elem, n)) != 0)
            p->st->rejected++;
        return;
    }
    const rt_type *e = model_type(p->m, elem);
    uint32_t j = model_find(p->m, addr);
    if (!e || !e->size || j == RT_NONE)
        return;
    const rt_object *o = &p->m->objects[j];
    uint64_t fit = (o->size - (addr - o->base)) / e->size;
    if (fit)
        propose(p, addr, model_type_array(p->m, elem, fit));
}

/* An interface's dynamic type (runtime _type at typ) and data word. */
static void iface_value(prop *p, uint64_t typ, uint64_t data)
{
    int direct = 0;
    uint32_t r = p->mem->rtype(p->mem->ctx, typ, &direct);
    if (!r)
        return;
    if (!direct) {
        propose(p, data, r);
        return;
    }
    /* a pointer-shaped value: what its one pointer points at */
    size_t n;
    const ty_op *ops = ty_ops(p->c, r, &n);
    if (n == 1 && ops[0].off == 0 && ops[0].code == TOP_PTR)
        propose(p, data, ops[0].type);
    else if (n == 1 && ops[0].off == 0 && ops[0].code == TOP_FUNC && p->mem->closure) {
        uint64_t pc = 0;
        if (p->mem->read(p->mem->ctx, data, &pc, 8) == 0 && pc)
            propose(p, data, p->mem->closure(p->mem->ctx, pc));
    }
}

/* Whether the pointer word at addr may be followed. */
static int live(const prop *p, uint64_t addr)
{
    if (!p->live)
        return 1;
    if (addr < p->live_base || addr - p->live_base >= RT_OFF_NONE)
        return 0;
    uint32_t off = (uint32_t)(addr - p->live_base);
    size_t lo = 0, hi = p->nlive;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->live[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->nlive && p->live[lo] == off;
}

static void step(prop *p, const ty_op *op, uint64_t base, uint64_t end, int depth)
{
    uint64_t a = base + op->off, v, w;
    if (a < base || a + 8 > end)
        return;
    /* the word that points somewhere: the data word of an interface */
    if (op->code != TOP_ARRAY && !live(p, op->code == TOP_EFACE || op->code == TOP_IFACE ? a + 8 : a))
        return;
    switch ((ty_opcode)op->code) {
    case TOP_PTR:
        if ((v = word_or0(p, a)) != 0)
            propose(p, v, op->type);
        return;
    case TOP_SLICE: {
        if (!(v = word_or0(p, a)))
            return;
        uint64_t len = a + 24 <= end ? word_or0(p, a + 8) : 0, cap = a + 24 <= end ? word_or0(p, a + 16) : 0;
        propose_array(p, v, op->type, len <= cap ? cap : 0);
        return;
    }
    case TOP_STRING:
        if (!(v = word_or0(p, a)) || !p->c->uint8_type)
            return;
        propose_array(p, v, p->c->uint8_type, a + 16 <= end ? word_or0(p, a + 8) : 0);
        return;
    case TOP_EFACE:
        if (a + 16 <= end && (v = word_or0(p, a)) != 0 && (w = word_or0(p, a + 8)) != 0)
            iface_value(p, v, w);
        return;
    case TOP_IFACE: {
        uint64_t typ = 0;
        if (a + 16 <= end && (v = word_or0(p, a)) != 0 && (w = word_or0(p, a + 8)) != 0 &&
            p->mem->read(p->mem->ctx, v + 8, &typ, 8) == 0 && typ)
            iface_value(p, typ, w);
        return;
    }
    case TOP_FUNC: {
        uint64_t pc = 0;
        if (p->mem->closure && (v = word_or0(p, a)) != 0 && p->mem->read(p->mem->ctx, v, &pc, 8) == 0 && pc)
            propose(p, v, p->mem->closure(p->mem->ctx, pc));
        return;
    }
    case TOP_ARRAY:
        for (uint64_t i = 0; i < op->len && op->stride; i++) {
            uint64_t e = a + i * op->stride;
            if (e < a || e + op->stride > end)
                break;
            walk(p, op->type, e, end, depth + 1);
        }
        return;
    case TOP_BUCKETS: {
        uint8_t B = (uint8_t)(word_or0(p, base + op->off2) & 0xff);
        uint8_t flags = (uint8_t)(word_or0(p, base + op->off3) & 0xff);
        if (!(v = word_or0(p, a)))
            return;
        if (B > 40) {
            p->st->rejected++;
            return;
        }
        if (op->aux && !(flags & 8) && B)
            B--; /* old buckets of a growing map: half as many, unless same-size */
        /* makeBucketArray allocates 2^(B-4) spare overflow buckets after
         * the 2^B from B = 4 on; what it filled them with is reached only
         * through the array */
        uint64_t n = 1ULL << B;
        if (B >= 4 && propose(p, v, model_type_array(p->m, op->type, n + (n >> 4))) == 0)
            return;
        propose_array(p, v, op->type, n);
        return;
    }
    case TOP_SWISSDIR:
        if (!(v = word_or0(p, a)))
            return;
        w = word_or0(p, base + op->off2);
        if (w == 0)
            propose(p, v, op->type2); /* a small map: one group */
        else
            propose_array(p, v, op->type, w < (1ULL << 24) ? w : UINT64_MAX);
        return;
    case TOP_GROUPS:
        if (!(v = word_or0(p, a)))
            return;
        w = word_or0(p, base + op->off2);
        propose_array(p, v, op->type, w < (1ULL << 32) ? w + 1 : UINT64_MAX);
        return;
    case TOP_TRIENODE: {
        uint8_t is_entry = 0;
        if ((v = word_or0(p, a)) != 0 && p->mem->read(p->mem->ctx, v, &is_entry, 1) == 0)
            propose(p, v, is_entry ? op->type2 : op->type);
        return;
    }
    case TOP_COUNTED:
        if ((v = word_or0(p, a)) != 0 && (w = word_or0(p, base + op->off2)) != 0)
            propose_array(p, v, op->type, w < (1ULL << 24) ? w : UINT64_MAX);
        return;
    case TOP_CHANBUF: {
        uint64_t n = word_or0(p, base + op->off2), et = word_or0(p, base + op->off3);
        int direct;
        uint32_t e;
        if (!(v = word_or0(p, a)) || !n || !et)
            return;
        if ((e = p->mem->rtype(p->mem->ctx, et, &direct)) != 0)
            propose_array(p, v, e, n < (1ULL << 32) ? n : UINT64_MAX);
        return;
    }
    }
}

/* The words of a value of type id at [addr, end). */
static void walk(prop *p, uint32_t id, uint64_t addr, uint64_t end, int depth)
{
    const rt_type *t = model_type(p->m, id);
    if (!t || depth > MAX_DEPTH)
        return;
    if (t->kind == RT_TK_ARRAY) {
        /* walking may add types and move the table: copy what is needed */
        const rt_type *e = model_type(p->m, t->elem);
        uint32_t elem = t->elem;
        uint64_t len = t->len, esize = e ? e->size : 0;
        size_t n;
        if (!esize || !ty_ops(p->c, elem, &n))
            return;
        for (uint64_t i = 0; i < len; i++) {
            uint64_t a = addr + i * esize;
            if (a < addr || a + esize > end)
                break;
            walk(p, elem, a, end, depth + 1);
        }
        return;
    }
    size_t n;
    const ty_op *ops = ty_ops(p->c, id, &n);
    for (size_t k = 0; k < n; k++) {
        /* proposals may add types and so move the ops: index afresh */
        ty_op op = ops[k];
        step(p, &op, addr, end, depth);
        ops = ty_ops(p->c, id, &n);
    }
}

/* Walk object j under its current type, its bytes read at once when
 * they fit the window. */
static void visit(prop *p, uint32_t j)
{
    const rt_object *o = &p->m->objects[j];
    uint64_t start = o->base + toff_get(p, j);
    uint32_t id = p->type[j];
    const rt_type *t = model_type(p->m, id);
    uint64_t end = o->base + o->size;
    if (p->flags[j] & F_FIXED && t && t->kind == RT_TK_ARRAY) {
        /* the runtime tiles its type over the whole slot, past a slice's
         * cap: a map's bucket array holds its spare overflow buckets there */
        const rt_type *e = model_type(p->m, t->elem);
        if (e && e->size)
            id = model_type_array(p->m, t->elem, (end - start) / e->size);
        t = model_type(p->m, id);
    }
    if (t && t->size && t->size < end - start)
        end = start + t->size;
    p->win_len = 0;
    if (end - start <= WINDOW && p->mem->read(p->mem->ctx, start, p->win, (size_t)(end - start)) == 0) {
        p->win_addr = start;
        p->win_len = (size_t)(end - start);
    }
    walk(p, id, start, end, 0);
    p->win_len = 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Give back a core's pages once RELEASE_STEP bytes were read since the
 * last time: all of [lo, hi), one call, so that page tables are not
 * unmapped over and over.  A read maps the pages around it too (the
 * kernel's fault-around): an object in another FAULT_AROUND window than
 * the one before counts as that window. */
static void maybe_release(prop *p, uint64_t addr, uint64_t size, uint64_t lo, uint64_t hi)
{
    if (addr / FAULT_AROUND != p->last_window) {
        p->touched += FAULT_AROUND;
        p->last_window = addr / FAULT_AROUND;
    }
    p->touched += size;
    if (p->mem->release && p->touched >= RELEASE_STEP && hi > lo) {
        p->mem->release(p->mem->ctx, lo, hi - lo);
        p->touched = 0;
    }
}

/* Walk the level the queued objects make, in id (= address) order: a
 * small one from its sorted list, a large one read off the flags (marked
 * F_CUR first, since walking queues the level after).  A large level's
 * sweep gives back the pages behind it as it goes. */
static void walk_level(prop *p, uint64_t *done, const rt_progress *prog)
{
    rt_model *m = p->m;
    size_t n = p->nnext;
    uint64_t heap_lo = m->objects[0].base, heap_hi = m->objects[m->nobj - 1].base + m->objects[m->nobj - 1].size;
    p->nnext = 0;
    if (n <= p->small) {
        memcpy(p->cur, p->next, n * sizeof *p->cur);
        qsort(p->cur, n, sizeof *p->cur, cmp_u32);
        for (size_t k = 0; k < n; k++)
            p->flags[p->cur[k]] = (uint8_t)(p->flags[p->cur[k]] & ~F_QUEUED);
        for (size_t k = 0; k < n; k++) {
            visit(p, p->cur[k]);
            maybe_release(p, m->objects[p->cur[k]].base, m->objects[p->cur[k]].size, heap_lo, heap_hi);
        }
        *done += n;
        return;
    }
    for (uint32_t i = 0; i < m->nobj; i++)
        if (p->flags[i] & F_QUEUED)
            p->flags[i] = (uint8_t)((p->flags[i] & ~F_QUEUED) | F_CUR);
    for (uint32_t i = 0; i < m->nobj; i++) {
        if (!(p->flags[i] & F_CUR))
            continue;
        p->flags[i] = (uint8_t)(p->flags[i] & ~F_CUR);
        visit(p, i);
        maybe_release(p, m->objects[i].base, m->objects[i].size, heap_lo, m->objects[i].base);
        if (++*done % (1u << 18) == 0)
            progress_report(prog, "typing objects", *done, m->nobj);
    }
}

void ty_propagate(ty_ctx *c, const ty_mem *mem, const rt_progress *prog, ty_stats *st)
{
    rt_model *m = c->m;
    memset(st, 0, sizeof *st);
    if (!m->nobj)
        return;
    prop *p = rt_calloc(1, sizeof *p);
    p->c = c;
    p->m = m;
    p->mem = mem;
    p->st = st;
    if (!c->uint8_type)
        c->uint8_type = ty_dwarf_named(c, "uint8");
    if (!c->eface_type)
        c->eface_type = ty_dwarf_named(c, "interface {}");
    p->type = rt_calloc((size_t)m->nobj + 1, sizeof *p->type); /* handed over as a sidemap: nobj + 1 */
    p->flags = rt_calloc(m->nobj, sizeof *p->flags);
    p->small = m->nobj / 64 > 4096 ? m->nobj / 64 : 4096;
    p->next = rt_malloc(p->small * sizeof *p->next);
    p->cur = rt_malloc(p->small * sizeof *p->cur);
    for (uint32_t i = 0; i < m->nobj; i++) {
        uint32_t t = model_obj_type(m, i);
        if (!t)
            continue;
        p->type[i] = t;
        toff_set(p, i, model_obj_type_off(m, i));
        p->flags[i] = F_FIXED;
        st->seeded++;
    }
    /* roots first, in the model's order, then what the runtime typed */
    uint32_t *live = NULL;
    size_t cap_live = 0;
    for (uint32_t r = 0; r < m->nroot; r++) {
        const rt_root *rt = &m->roots[r];
        const rt_type *t = model_type(m, rt->type);
        if (!t || !t->size)
            continue;
        /* a variable the compiler split (a slice whose pointer alone has a
         * stack slot) covers less than its type: read no further */
        uint64_t size = rt->size && rt->size < t->size ? rt->size : t->size;
        uint64_t end = rt->address + size;
        if (end < rt->address)
            continue;
        p->win_len = 0;
        if (size <= WINDOW && mem->read(mem->ctx, rt->address, p->win, (size_t)size) == 0) {
            p->win_addr = rt->address;
            p->win_len = (size_t)size;
        }
        uint32_t e0 = m->edge_start[m->nobj + r], e1 = m->edge_start[m->nobj + r + 1];
        if (m->edge_off) {
            /* the root's edges are its live words, sorted by offset */
            RT_GROW(live, cap_live, (size_t)(e1 - e0) + 1);
            size_t nl = 0;
            for (uint32_t k = e0; k < e1; k++)
                if (!nl || live[nl - 1] != m->edge_off[k])
                    live[nl++] = m->edge_off[k];
            p->live = live;
            p->nlive = nl;
            p->live_base = rt->address;
        }
        walk(p, rt->type, rt->address, end, 0);
        p->win_len = 0;
        p->live = NULL;
    }
    free(live);
    for (uint32_t i = 0; i < m->nobj; i++)
        if (p->flags[i] & F_FIXED)
            push(p, i);
    uint64_t done = 0;
    while (p->nnext)
        walk_level(p, &done, prog);
    if (mem->release && m->nobj)
        mem->release(mem->ctx, m->objects[0].base,
                     m->objects[m->nobj - 1].base + m->objects[m->nobj - 1].size - m->objects[0].base);

    /* the result replaces the loader's types */
    sidemap_free(&m->obj_types);
    sidemap_free(&m->obj_type_offs);
    m->obj_types.none = 0;
    m->obj_type_offs.none = 0;
    uint32_t ntyped = 0;
    for (uint32_t i = 0; i < m->nobj; i++) {
        if (p->type[i]) {
            ntyped++;
            if (!(p->flags[i] & F_FIXED))
                st->propagated++;
        }
        uint32_t off = p->type[i] ? toff_get(p, i) : 0;
        if (off)
            sidemap_set(&m->obj_type_offs, m->nobj, i, off);
    }
    if (ntyped > m->nobj / 16) {
        m->obj_types.dense = p->type; /* handed over */
        p->type = NULL;
    } else {
        for (uint32_t i = 0; i < m->nobj; i++)
            if (p->type[i])
                sidemap_set(&m->obj_types, m->nobj, i, p->type[i]);
    }
    sidemap_done(&m->obj_types);
    sidemap_done(&m->obj_type_offs);
    free(p->type);
    free(p->off_keys);
    free(p->off_vals);
    free(p->flags);
    free(p->next);
    free(p->cur);
    free(p->statics);
    free(p);
}
