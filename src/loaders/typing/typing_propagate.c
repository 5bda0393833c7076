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
    F_VISITS = 16, /* visits counted in bits 4-6, in steps of 16 */
    F_OFF = 128,   /* the type starts past the object's base (off_keys) */
    MAX_VISITS = 4,
    MAX_DEPTH = 24,
    MAX_STATIC = 1 << 20, /* values outside the heap walked, at most */
    MAX_STATIC_NEST = 8,
    RELEASE_EVERY = 1 << 11,  /* objects walked between offers to give pages back */
    RELEASE_VIEWED = 16 << 20, /* or bytes viewed in place */
    CHUNK = 256 << 10, /* bytes read at once: the object walked and those after it */
    GAP = 2048,        /* bytes of other objects a read ahead may skip over */
};

/* A proposal: object obj (holding addr) is of type (| COUNT_REJECT). */
typedef struct pending {
    uint64_t addr;
    uint32_t obj, type;
} pending;

#define COUNT_REJECT 0x80000000u
#define PENDING (1u << 20)
#define SMALL_FLUSH (1u << 14) /* fewer are sorted by comparison, more by radix */
#define PREFETCH_LEVEL 1024    /* levels up to this many objects are prefetched as queued */

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
     * an object's bytes are read in one sweep over memory: next holds the
     * objects queued for the coming level, at most once each (F_QUEUED) */
    uint32_t *next, *cur; /* small levels: ids (cur sorted) */
    size_t nnext, small;
    uint32_t since_release; /* objects walked since the last maybe_release */
    uint64_t viewed;        /* bytes viewed in place since then (they stay resident) */
    /* proposals not yet applied (flush) */
    pending *pend, *pend_tmp;
    size_t npend;
    /* the object being visited (RT_NONE: a root or a global), and the
     * address of the pointer word a proposal comes from */
    uint32_t vis, ecur;
    uint64_t vis_base, from;
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
    /* bytes read ahead: [win_addr, win_addr + win_len) in win.  Levels
     * go in address order, so one read of CHUNK bytes serves the object
     * walked and the next ones; a value larger than that (region) is read
     * a chunk at a time as its words are asked for */
    uint64_t win_addr;
    size_t win_len;
    const uint8_t *win; /* buf, or the input's own bytes (ty_mem.view) */
    uint8_t *buf;
    uint64_t reg_lo, reg_hi;
} prop;

/* Read need bytes from addr, or ahead up to want (at most CHUNK bytes;
 * the objects walked next), as far as the input holds them.  0, or -1
 * when not even need bytes are there. */
static int fill(prop *p, uint64_t addr, uint64_t need, uint64_t want)
{
    if (need > CHUNK)
        need = CHUNK;
    if (want > CHUNK)
        want = CHUNK;
    size_t n = (size_t)(want > need && p->mem->contiguous ? want : need);
    p->win_len = 0;
    if (p->mem->view && (p->win = p->mem->view(p->mem->ctx, addr, n)) != NULL) {
        p->win_addr = addr;
        p->win_len = n;
        p->viewed += n;
        return 0;
    }
    p->win = p->buf;
    if (p->mem->read(p->mem->ctx, addr, p->buf, n) != 0) {
        if (n == need)
            return -1;
        n = (size_t)need; /* the input ends (or a gap starts) sooner */
        if (!n || p->mem->read(p->mem->ctx, addr, p->buf, n) != 0)
            return -1;
    }
    p->win_addr = addr;
    p->win_len = n;
    return 0;
}

static int word(prop *p, uint64_t addr, uint64_t *v)
{
    if (addr - p->win_addr + 8 <= p->win_len && addr >= p->win_addr) {
        memcpy(v, p->win + (addr - p->win_addr), 8);
        return 0;
    }
    if (addr >= p->reg_lo && addr + 8 <= p->reg_hi && fill(p, addr, p->reg_hi - addr, 0) == 0)
        return word(p, addr, v);
    return p->mem->read(p->mem->ctx, addr, v, 8);
}

/* The value being walked is [lo, hi): its bytes are read, and ahead up
 * to ahead (the end of the objects walked next, when they are near). */
static void region(prop *p, uint64_t lo, uint64_t hi, uint64_t ahead)
{
    p->reg_lo = lo;
    p->reg_hi = hi;
    if (!(lo >= p->win_addr && hi - p->win_addr <= p->win_len))
        fill(p, lo, hi - lo, ahead > lo ? ahead - lo : 0);
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
    if (!(p->flags[j] & F_OFF))
        return 0;
    for (size_t h = rt_hash64(j) & (p->cap_off - 1); p->off_keys[h]; h = (h + 1) & (p->cap_off - 1))
        if (p->off_keys[h] == j + 1)
            return p->off_vals[h];
    return 0;
}

static void toff_set(prop *p, uint32_t j, uint32_t off)
{
    if (!off && !(p->flags[j] & F_OFF))
        return;
    p->flags[j] |= F_OFF;
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

/* Whether a value of type id has words that say anything (a pointer-free
 * object needs no walk). */
static int has_steps(prop *p, uint32_t id)
{
    const rt_type *t = model_type(p->m, id);
    size_t n;
    return t && ty_ops(p->c, t->kind == RT_TK_ARRAY ? t->elem : id, &n) != NULL;
}

static void push(prop *p, uint32_t j)
{
    if (p->flags[j] & F_QUEUED || ((p->flags[j] >> 4) & 7) >= MAX_VISITS || !has_steps(p, p->type[j]))
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
    if (p->static_nest >= MAX_STATIC_NEST || !has_steps(p, id) || !first_static(p, addr, id))
        return;
    const uint32_t *live = p->live; /* a root's live words say nothing here */
    uint64_t lo = p->reg_lo, hi = p->reg_hi;
    p->live = NULL;
    p->reg_lo = p->reg_hi = 0; /* read word by word: no chunk for a global */
    uint32_t vis = p->vis;
    p->vis = RT_NONE; /* its words are not the visited object's */
    p->static_nest++;
    walk(p, id, addr, addr + size, 0);
    p->static_nest--;
    p->live = live;
    p->reg_lo = lo;
    p->reg_hi = hi;
    p->vis = vis;
}

/* The first of the n sorted values v[] not below x (n if none). */
static size_t lower_bound(const uint32_t *v, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The object holding addr, which the pointer word at p->from (0: not
 * known) holds.  When that word is one of the visited object's, its edge
 * says (the loader resolved every pointer word once already): a look
 * along the object's own edges, in offset order, instead of a search of
 * the whole heap. */
static uint32_t target(prop *p, uint64_t addr)
{
    const rt_model *m = p->m;
    uint64_t from = p->from;
    if (p->vis != RT_NONE && from >= p->vis_base && from - p->vis_base < RT_OFF_NONE - 1) {
        uint32_t rel = (uint32_t)(from - p->vis_base);
        uint32_t lo = m->edge_start[p->vis], hi = m->edge_start[p->vis + 1];
        uint32_t k = p->ecur >= lo && p->ecur < hi && m->edge_off[p->ecur] <= rel ? p->ecur : lo;
        for (int step = 0; k < hi && m->edge_off[k] < rel && step < 8; step++)
            k++;
        if (k < hi && m->edge_off[k] < rel)
            k += (uint32_t)lower_bound(m->edge_off + k, hi - k, rel); /* far ahead */
        p->ecur = k;
        if (k < hi && m->edge_off[k] == rel)
            return m->edge_dst[k]; /* the loader resolved this very word (apply checks it) */
    }
    return model_find(m, addr);
}

/* What visiting object j will read first, asked for when it is queued
 * in a level small enough that it is still cached when the level comes:
 * a level of a few dozen objects (the nodes of linked lists, one per
 * list) is walked in a few microseconds, and each of its objects is read
 * for the first time, a miss to memory every time. */
static void prefetch_visit(const prop *p, uint32_t j)
{
    const rt_model *m = p->m;
    const rt_object *o = &m->objects[j];
    __builtin_prefetch(&m->edge_start[j]);
    if (p->mem->view) {
        const uint8_t *b = p->mem->view(p->mem->ctx, o->base, 8);
        if (b)
            __builtin_prefetch(b);
    }
}

/* Object j (holding addr) takes type id at addr if that beats what it
 * has.  0, or -1 when the type does not fit the object there. */
static int apply(prop *p, uint32_t j, uint64_t addr, uint32_t id)
{
    const rt_type *t = model_type(p->m, id);
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
    if (p->nnext <= PREFETCH_LEVEL && p->flags[j] & F_QUEUED)
        prefetch_visit(p, j);
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void apply_pending(prop *p, const pending *e)
{
    if (apply(p, e->obj, e->addr, e->type & ~COUNT_REJECT) != 0 && e->type & COUNT_REJECT)
        p->st->rejected++;
}

/* The proposals of a stretch of the walk, applied in object order: each
 * looks at its object's slot, type and flags, and in object order those
 * reads go through memory in one direction instead of jumping.  Stable,
 * so proposals to one object keep the order they were made in. */
static void flush(prop *p)
{
    size_t n = p->npend;
    if (!n)
        return;
    pending *a = p->pend, *b = p->pend_tmp;
    if (n <= SMALL_FLUSH) {
        /* few: sorted by (object, order made) */
        uint64_t *key = (uint64_t *)(void *)b;
        for (size_t i = 0; i < n; i++)
            key[i] = (uint64_t)a[i].obj << 32 | (uint32_t)i;
        /* their objects' state, asked for at once: the misses overlap */
        for (size_t i = 0; i < n; i++) {
            __builtin_prefetch(&p->m->objects[a[i].obj]);
            __builtin_prefetch(&p->type[a[i].obj]);
            __builtin_prefetch(&p->flags[a[i].obj]);
        }
        qsort(key, n, sizeof *key, cmp_u64);
        p->npend = 0;
        for (size_t i = 0; i < n; i++)
            apply_pending(p, &a[(uint32_t)key[i]]);
        return;
    }
    for (int pass = 0; pass < 2; pass++) {
        size_t count[1 << 16 | 1];
        memset(count, 0, sizeof count);
        int shift = 16 * pass;
        for (size_t i = 0; i < n; i++)
            count[((a[i].obj >> shift) & 0xffff) + 1]++;
        for (size_t k = 1; k <= 1 << 16; k++)
            count[k] += count[k - 1];
        for (size_t i = 0; i < n; i++)
            b[count[(a[i].obj >> shift) & 0xffff]++] = a[i];
        pending *t = a;
        a = b;
        b = t;
    }
    p->npend = 0; /* apply may queue, not propose: nothing is added meanwhile */
    for (size_t i = 0; i < n; i++)
        apply_pending(p, &a[i]);
}

/* The heap object a value of type id at addr would type, or RT_NONE: no
 * type to give, or a value outside the heap (walked here, once). */
static uint32_t proposed_object(prop *p, uint64_t addr, uint32_t id)
{
    const rt_type *t = model_type(p->m, id);
    if (!t || !t->size)
        return RT_NONE;
    uint32_t j = target(p, addr);
    if (j == RT_NONE && addr + t->size > addr)
        static_value(p, addr, id, t->size);
    return j;
}

/* The value at addr is of type id; applied at the next flush.  flag is
 * COUNT_REJECT when a type that does not fit is a corrupt count. */
static void propose_flag(prop *p, uint64_t addr, uint32_t id, uint32_t flag)
{
    uint32_t j = proposed_object(p, addr, id);
    if (j == RT_NONE)
        return;
    if (p->npend == PENDING)
        flush(p);
    p->pend[p->npend++] = (pending){ addr, j, id | flag };
}

static void propose(prop *p, uint64_t addr, uint32_t id)
{
    propose_flag(p, addr, id, 0);
}

/* The same at once: 0, or -1 when it does not fit (the caller tries
 * another).  Pending proposals go first, to keep their order. */
static int propose_now(prop *p, uint64_t addr, uint32_t id)
{
    uint32_t j = proposed_object(p, addr, id);
    if (j == RT_NONE)
        return 0;
    flush(p);
    return apply(p, j, addr, id);
}

/* The closure whose context (funcval) is at fv: its code pointer names
 * its type. */
static void propose_closure(prop *p, uint64_t fv)
{
    uint64_t pc = 0;
    if (fv && p->mem->closure && p->mem->read(p->mem->ctx, fv, &pc, 8) == 0 && pc)
        propose(p, fv, p->mem->closure(p->mem->ctx, pc));
}

/* How many elems fit the object at addr from addr on; 0 if it is no
 * object or elem has no size. */
static uint64_t fit_count(prop *p, uint64_t addr, uint32_t elem)
{
    const rt_type *e = model_type(p->m, elem);
    uint32_t j = target(p, addr);
    if (!e || !e->size || j == RT_NONE)
        return 0;
    const rt_object *o = &p->m->objects[j];
    return (o->size - (addr - o->base)) / e->size;
}

/* [n]elem at addr, n a count read from memory; a count that does not
 * fit the object there is corrupt (or stale) and types nothing.  When the
 * count is unknown (0: a variable whose length and capacity live
 * elsewhere), as many elems as the object holds from addr on. */
static void propose_array(prop *p, uint64_t addr, uint32_t elem, uint64_t n)
{
    if (n) {
        if (n >= (1ULL << 40))
            p->st->rejected++;
        else
            propose_flag(p, addr, model_type_array(p->m, elem, n), COUNT_REJECT);
        return;
    }
    uint64_t fit = fit_count(p, addr, elem);
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
    else if (n == 1 && ops[0].off == 0 && ops[0].code == TOP_FUNC)
        propose_closure(p, data);
}

/* Whether the pointer word at addr may be followed. */
static int live(const prop *p, uint64_t addr)
{
    if (!p->live)
        return 1;
    if (addr < p->live_base || addr - p->live_base >= RT_OFF_NONE)
        return 0;
    uint32_t off = (uint32_t)(addr - p->live_base);
    size_t k = lower_bound(p->live, p->nlive, off);
    return k < p->nlive && p->live[k] == off;
}

static void step(prop *p, const ty_op *op, uint64_t base, uint64_t end, int depth)
{
    uint64_t a = base + op->off, v, w;
    if (a < base || a + 8 > end)
        return;
    /* the word that points somewhere: the data word of an interface */
    if (op->code != TOP_ARRAY && !live(p, op->code == TOP_EFACE || op->code == TOP_IFACE ? a + 8 : a))
        return;
    p->from = op->code == TOP_EFACE || op->code == TOP_IFACE ? a + 8 : a;
    switch ((ty_opcode)op->code) {
    case TOP_PTR:
        if ((v = word_or0(p, a)) != 0)
            propose(p, v, op->type);
        return;
    case TOP_SLICE: {
        if (!(v = word_or0(p, a)))
            return;
        uint64_t len = a + 24 <= end ? word_or0(p, a + 8) : 0, cap = a + 24 <= end ? word_or0(p, a + 16) : 0;
        if (len > cap)
            cap = 0;
        /* a frame keeps only the pointer of a slice live when it needs no
         * more (its len and cap slots may hold anything): a capacity that
         * does not fit is stale there, not corrupt */
        if (p->live && cap && cap > fit_count(p, v, op->type))
            cap = 0;
        propose_array(p, v, op->type, cap);
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
    case TOP_FUNC:
        propose_closure(p, word_or0(p, a));
        return;
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
         * the 2^B from B = 4 on, then rounds the count up to fill its size
         * class (up / bucket size): the slot holds as many buckets as fit.
         * What it filled the spares with is reached only through the array */
        uint64_t n = 1ULL << B;
        if (B >= 4) {
            uint64_t spare = n + (n >> 4), fit = fit_count(p, v, op->type);
            if (propose_now(p, v, model_type_array(p->m, op->type, fit > spare ? fit : spare)) == 0)
                return;
        }
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

/* Walk object j under its current type, its bytes read ahead up to
 * ahead (0: just its own). */
static void visit(prop *p, uint32_t j, uint64_t ahead)
{
    const rt_model *m = p->m;
    const rt_object *o = &m->objects[j];
    p->vis = j;
    p->vis_base = o->base;
    p->ecur = m->edge_start[j];
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
    region(p, start, end, ahead);
    walk(p, id, start, end, 0);
    p->vis = RT_NONE;
}

/* What visiting object j will look at, asked for ahead of time (the
 * objects its pointers lead to, their state): the misses overlap with the
 * work on the objects before it. */
static void prefetch(const prop *p, uint32_t j)
{
    const rt_model *m = p->m;
    for (uint32_t k = m->edge_start[j], e = m->edge_start[j + 1]; k < e && k < m->edge_start[j] + 16; k++) {
        uint32_t d = m->edge_dst[k];
        __builtin_prefetch(&m->objects[d]);
        __builtin_prefetch(&p->type[d]);
        __builtin_prefetch(&p->flags[d]);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Every RELEASE_EVERY objects walked, the input may give back what it
 * holds resident (a core's mapped pages): it decides whether that is
 * worth it. */
static void maybe_release(prop *p)
{
    if (p->mem->release && (++p->since_release >= RELEASE_EVERY || p->viewed >= RELEASE_VIEWED)) {
        p->mem->release(p->mem->ctx);
        p->since_release = 0;
        p->viewed = 0;
    }
}

/* Whether object j's bytes were read ahead already. */
static int in_window(const prop *p, uint32_t j)
{
    const rt_object *o = &p->m->objects[j];
    return o->base >= p->win_addr && o->base + o->size - p->win_addr <= p->win_len;
}

/* How far to read ahead for the k-th of the n sorted objects of a level:
 * over the next ones while they lie close (a gap of at most GAP bytes,
 * so that sparse levels read little more than their objects), within
 * one chunk. */
static uint64_t ahead_sorted(const prop *p, size_t k, size_t n)
{
    const rt_object *o = p->m->objects;
    uint64_t start = o[p->cur[k]].base, end = start + o[p->cur[k]].size;
    for (size_t i = k + 1; i < n && i < k + 256; i++) {
        const rt_object *x = &o[p->cur[i]];
        if (x->base - end > GAP || x->base + x->size - start > CHUNK)
            break;
        end = x->base + x->size;
    }
    return end;
}

/* The same for object j of a large level, whose next objects are those
 * after it marked F_CUR. */
static uint64_t ahead_flags(const prop *p, uint32_t j)
{
    const rt_object *o = p->m->objects;
    uint64_t start = o[j].base, end = o[j].base + o[j].size;
    for (uint32_t i = j + 1; i < p->m->nobj && i < j + 256; i++) {
        if (o[i].base + o[i].size - start > CHUNK || o[i].base - end > GAP)
            break;
        if (p->flags[i] & F_CUR)
            end = o[i].base + o[i].size;
    }
    return end;
}

static void walk_level(prop *p, uint64_t *done, const rt_progress *prog)
{
    rt_model *m = p->m;
    size_t n = p->nnext;
    p->nnext = 0;
    if (n <= p->small) {
        memcpy(p->cur, p->next, n * sizeof *p->cur);
        qsort(p->cur, n, sizeof *p->cur, cmp_u32);
        for (size_t k = 0; k < n; k++) {
            uint32_t j = p->cur[k];
            p->flags[j] = (uint8_t)(p->flags[j] & ~F_QUEUED);
            /* the edges its pointer words resolve through (target) */
            if (n <= PREFETCH_LEVEL) {
                __builtin_prefetch(&m->edge_off[m->edge_start[j]]);
                __builtin_prefetch(&m->edge_dst[m->edge_start[j]]);
            }
        }
        for (size_t k = 0; k < n; k++) {
            if (k + 1 < n)
                prefetch(p, p->cur[k + 1]);
            visit(p, p->cur[k], !p->mem->contiguous || in_window(p, p->cur[k]) ? 0 : ahead_sorted(p, k, n));
            maybe_release(p);
        }
        *done += n;
        return;
    }
    for (uint32_t i = 0; i < m->nobj; i++)
        if (p->flags[i] & F_QUEUED)
            p->flags[i] = (uint8_t)((p->flags[i] & ~F_QUEUED) | F_CUR);
    uint32_t next = 0; /* the next object marked, to prefetch for */
    for (uint32_t i = 0; i < m->nobj; i++) {
        if (!(p->flags[i] & F_CUR))
            continue;
        if (next <= i)
            next = i + 1;
        while (next < m->nobj && !(p->flags[next] & F_CUR))
            next++;
        if (next < m->nobj)
            prefetch(p, next);
        p->flags[i] = (uint8_t)(p->flags[i] & ~F_CUR);
        visit(p, i, !p->mem->contiguous || in_window(p, i) ? 0 : ahead_flags(p, i));
        maybe_release(p);
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
    if (!c->uint8_type) /* no DWARF: a string's bytes are [N]uint8 all the same */
        c->uint8_type = model_type_named(m, strpool_intern_cstr(m->strings, "uint8"), 1);
    if (!c->eface_type)
        c->eface_type = ty_dwarf_named(c, "interface {}");
    p->type = rt_calloc((size_t)m->nobj + 1, sizeof *p->type); /* handed over as a sidemap: nobj + 1 */
    p->flags = rt_calloc(m->nobj, sizeof *p->flags);
    p->buf = rt_malloc(CHUNK);
    p->win = p->buf;
    p->pend = rt_malloc(PENDING * sizeof *p->pend);
    p->pend_tmp = rt_malloc(PENDING * sizeof *p->pend_tmp);
    p->vis = RT_NONE;
    p->small = m->nobj / 64 > 4096 ? m->nobj / 64 : 4096;
    p->next = rt_malloc(p->small * sizeof *p->next);
    p->cur = rt_malloc(p->small * sizeof *p->cur);
    /* the loader's (the runtime's) types: fixed */
    uint32_t i, v;
    for (size_t k = 0; sidemap_next(&m->obj_types, m->nobj, &k, &i, &v);) {
        p->type[i] = v;
        p->flags[i] = F_FIXED;
        st->seeded++;
    }
    for (size_t k = 0; sidemap_next(&m->obj_type_offs, m->nobj, &k, &i, &v);)
        if (p->type[i])
            toff_set(p, i, v);
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
        region(p, rt->address, end, 0);
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
        p->live = NULL;
    }
    free(live);
    flush(p); /* what the roots said comes first */
    for (uint32_t i = 0; i < m->nobj; i++)
        if (p->flags[i] & F_FIXED)
            push(p, i);
    uint64_t done = 0;
    while (p->nnext) {
        walk_level(p, &done, prog);
        flush(p);
    }
    if (mem->release)
        mem->release(mem->ctx);

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
    free(p->buf);
    free(p->pend);
    free(p->pend_tmp);
    free(p);
}
