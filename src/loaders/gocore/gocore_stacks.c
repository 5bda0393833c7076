/* gocore_stacks.c — a goroutine's stack as roots, one per frame, the way
 * the garbage collector sees it (mgcmark.go scanstack, stkframe.go).
 *
 * Unwinding (amd64, no link register): a frame's size at pc comes from
 * the function's pcsp table; fp = sp + size + 8 (the return address);
 * the caller's pc is the word at fp - 8 and its sp is fp.  varp = fp - 8,
 * less 8 more for the saved frame pointer when the frame has locals;
 * argp = fp.  The walk ends at a TOPFRAME function (goexit, mstart), at a
 * function that writes SP in ways the table cannot say (SPWRITE), or at
 * a pc in no function.
 *
 * Which words are pointers: the locals map (FUNCDATA_LocalsPointerMaps)
 * and the args map at the call's stack-map index (PCDATA_StackMapIndex at
 * the return address - 1), plus the frame's stack objects
 * (FUNCDATA_StackObjects: address-taken locals), which count only when a
 * live pointer of the stack points into them, as the runtime decides.
 * A frame stopped by a signal (the core's own SIGABRT, or asyncPreempt
 * and the frame it interrupted) is not at a safe point: it is scanned
 * conservatively, as the runtime does.  So is everything above a frame
 * that cannot be unwound, and the whole stack when no pc is known.
 *
 * Roots: one per variable, named from the function's DWARF locals (a
 * local whose location at the frame's pc is a stack slot at CFA + off;
 * the CFA is fp); words no local covers (spill slots, compiler
 * temporaries) make one root for the frame, named by its physical
 * function like a heap dump's stack-frame record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gopclntab/gopclntab.h"
#include "loaders/frame_roots.h"
#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"

#define FLAG_TOPFRAME 1u /* abi.FuncFlagTopFrame */
#define FLAG_SPWRITE 2u  /* abi.FuncFlagSPWrite */
#define MAX_FRAMES 100000
#define MAX_MAP_BITS (1u << 24)

/* A stack object of a frame: live only if a live stack pointer hits it. */
typedef struct stk_obj {
    uint64_t addr, size, ptrbytes, gcdata;
    uint64_t base;     /* of root: word offsets are from here */
    uint32_t root;
    uint8_t scanned, conservative;
} stk_obj;

typedef struct stk_walk {
    gc_load *L;
    uint64_t lo, hi;
    stk_obj *objs;
    size_t nobj, cap_obj;
    uint64_t *ptrs; /* values that point into this stack: candidates for stack objects */
    size_t nptr, cap_ptr;
} stk_walk;

/* The word at addr if it points into the heap (0 if not).  A word that
 * points into this stack is kept as a candidate for stack objects. */
static uint64_t heap_word(stk_walk *w, uint64_t addr)
{
    uint64_t v;
    rt_error e;
    if (ec_read_u64(w->L->core, addr, &v, &e) || v == 0)
        return 0;
    if (v >= w->lo && v < w->hi) {
        RT_GROW(w->ptrs, w->cap_ptr, w->nptr + 1);
        w->ptrs[w->nptr++] = v;
        return 0;
    }
    return model_find(w->L->m, v) != RT_NONE ? v : 0;
}

/* A pointer-sized word of the frame at addr. */
static void word(stk_walk *w, frame_roots *fr, uint64_t addr)
{
    uint64_t v = heap_word(w, addr);
    if (v) {
        uint64_t base;
        uint32_t root = frame_root_for(fr, addr, &base);
        rootset_word(&w->L->rs, root, addr - base, v);
    }
}

static void scan_conservative(stk_walk *w, frame_roots *fr, uint64_t from, uint64_t to)
{
    from = (from + 7) & ~7ULL;
    for (uint64_t p = from; p + 8 <= to && p >= w->lo && p < w->hi; p += 8)
        word(w, fr, p);
}

/* Words at [start, start + 8 * nbits) whose bit in bits (at link-time
 * address bits_at, read from the executable) is set. */
static int scan_bits(stk_walk *w, frame_roots *fr, uint64_t start, uint32_t nbits, uint64_t bits_at)
{
    uint8_t buf[256];
    for (uint32_t i = 0; i < nbits; i += 8 * (uint32_t)sizeof buf) {
        uint32_t nb = (nbits - i + 7) / 8;
        if (nb > sizeof buf)
            nb = sizeof buf;
        rt_error e;
        if (ec_read(w->L->core, bits_at + i / 8, buf, nb, &e))
            return -1;
        for (uint32_t k = 0; k < 8 * nb && i + k < nbits; k++)
            if (buf[k / 8] >> (k % 8) & 1)
                word(w, fr, start + 8 * (uint64_t)(i + k));
    }
    return 0;
}

/* Bitmap idx of the stack map at link-time address map: its bit count
 * and where its bytes are (runtime address).  0, or -1 if there is none. */
static int stack_map(stk_walk *w, uint64_t map, int32_t idx, uint32_t *nbits, uint64_t *bytes)
{
    int32_t hdr[2];
    rt_error e;
    uint64_t at = map + w->L->bias;
    if (ec_read(w->L->core, at, hdr, sizeof hdr, &e) || hdr[0] <= 0 || hdr[1] < 0 ||
        (uint32_t)hdr[1] > MAX_MAP_BITS || idx < 0 || idx >= hdr[0])
        return -1;
    *nbits = (uint32_t)hdr[1];
    *bytes = at + 8 + (uint64_t)idx * ((*nbits + 7) / 8);
    return 0;
}

/* The frame's stack objects, to be scanned once something points in.
 * Each belongs to the variable whose slot it is. */
static void add_stack_objects(stk_walk *w, frame_roots *fr, const gp_func *f, uint64_t varp, uint64_t argp)
{
    gc_load *L = w->L;
    uint64_t at;
    if (gp_funcdata(L->pcln, f, GP_FUNCDATA_STACKOBJECTS, &at))
        return;
    at += L->bias;
    uint64_t n = ec_read_u64_or(L->core, at, 0);
    uint64_t rodata = ec_read_u64_or(L->core, L->glob.firstmoduledata + L->lay.md_rodata, 0);
    for (uint64_t i = 0; i < n && i < 4096; i++) {
        int32_t r[4]; /* off, size, ptrdata (negative: GC program), gcdataoff */
        rt_error e;
        if (ec_read(L->core, at + 8 + 16 * i, r, sizeof r, &e))
            return;
        uint64_t addr = (r[0] < 0 ? varp : argp) + (uint64_t)(int64_t)r[0];
        if (addr < fr->sp || r[1] <= 0 || addr + (uint64_t)r[1] > w->hi)
            continue; /* not allocated in the frame yet */
        RT_GROW(w->objs, w->cap_obj, w->nobj + 1);
        stk_obj *o = &w->objs[w->nobj++];
        memset(o, 0, sizeof *o);
        o->addr = addr;
        o->size = (uint64_t)r[1];
        o->root = frame_root_for(fr, addr, &o->base);
        o->conservative = r[2] < 0;
        o->ptrbytes = (uint64_t)(r[2] < 0 ? -(int64_t)r[2] : r[2]);
        o->gcdata = rodata + (uint32_t)r[3];
    }
}

static int cmp_obj(const void *a, const void *b)
{
    const stk_obj *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The stack object containing p (objects sorted by address), or NULL. */
static stk_obj *find_obj(stk_walk *w, uint64_t p)
{
    size_t lo = 0, hi = w->nobj;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->objs[mid].addr <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* frames do not overlap, so neither do their objects; a corrupt
     * core may make them, and then only the nearest one below counts */
    return lo && p < w->objs[lo - 1].addr + w->objs[lo - 1].size ? &w->objs[lo - 1] : NULL;
}

/* Stack objects some live stack pointer reaches, transitively. */
static void scan_stack_objects(stk_walk *w)
{
    uint8_t buf[256];
    if (w->nobj)
        qsort(w->objs, w->nobj, sizeof *w->objs, cmp_obj);
    for (size_t k = 0; k < w->nptr; k++) { /* nptr grows while we scan */
        stk_obj *o = find_obj(w, w->ptrs[k]);
        if (!o || o->scanned)
            continue;
        o->scanned = 1;
        uint64_t nwords = (o->ptrbytes < o->size ? o->ptrbytes : o->size) / 8;
        for (uint64_t j = 0; j < nwords; j++) {
            if (!o->conservative) {
                rt_error e;
                if (j % (8 * sizeof buf) == 0 &&
                    ec_read(w->L->core, o->gcdata + j / 8, buf,
                            (size_t)((nwords - j + 7) / 8 < sizeof buf ? (nwords - j + 7) / 8 : sizeof buf),
                            &e))
                    break;
                if (!(buf[(j / 8) % sizeof buf] >> (j % 8) & 1))
                    continue;
            }
            uint64_t v = heap_word(w, o->addr + 8 * j);
            if (v)
                rootset_word(&w->L->rs, o->root, o->addr + 8 * j - o->base, v);
        }
    }
}

/* Precise maps of one frame at a safe point; -1 if they cannot be read. */
static int scan_frame_maps(stk_walk *w, frame_roots *fr, const gp_func *f, uint64_t pc, uint64_t varp,
                           uint64_t argp)
{
    gc_load *L = w->L;
    uint64_t lpc = pc - L->bias;
    int32_t idx = -1;
    if (lpc != f->entry && gp_pcdata(L->pcln, f, GP_PCDATA_STACKMAPINDEX, lpc - 1, &idx) != 0)
        idx = -1;
    if (idx == -1)
        idx = 0; /* the prologue: the entry map, as the runtime assumes */
    uint64_t map, bytes;
    uint32_t nbits;
    int32_t hdr[2];
    rt_error e;
    if (varp > fr->sp) {
        if (gp_funcdata(L->pcln, f, GP_FUNCDATA_LOCALSPOINTERMAPS, &map) ||
            ec_read(L->core, map + L->bias, hdr, sizeof hdr, &e) || hdr[0] <= 0)
            return -1;
        if (hdr[1] > 0 && (stack_map(w, map, idx, &nbits, &bytes) ||
                           scan_bits(w, fr, varp - 8 * (uint64_t)nbits, nbits, bytes)))
            return -1;
    }
    if (f->args > 0) {
        if (gp_funcdata(L->pcln, f, GP_FUNCDATA_ARGSPOINTERMAPS, &map) ||
            ec_read(L->core, map + L->bias, hdr, sizeof hdr, &e) || hdr[0] <= 0)
            return -1;
        if (hdr[1] > 0) {
            if (stack_map(w, map, idx, &nbits, &bytes))
                return -1;
            if (nbits > (uint32_t)f->args / 8)
                nbits = (uint32_t)f->args / 8;
            if (scan_bits(w, fr, argp, nbits, bytes))
                return -1;
        }
    }
    add_stack_objects(w, fr, f, varp, argp);
    return 0;
}

/* The logical frames at a frame's pc (its inlined calls first) onto the
 * goroutine's stack in the model; the physical function alone where the
 * table does not say. */
static void record_frames(gc_load *L, rt_goroutine *gr, uint64_t lookup_pc, uint32_t function)
{
    rt_model *m = L->m;
    gp_frame f[16];
    size_t n = L->pcln ? gp_frames(L->pcln, lookup_pc, f, 16) : 0;
    if (n > 16)
        n = 16;
    RT_GROW(m->frames, L->cap_frame, (size_t)m->nframe + (n ? n : 1));
    if (!n)
        m->frames[m->nframe++] = (rt_frame){ function, 0, 0 };
    for (size_t i = 0; i < n; i++)
        m->frames[m->nframe++] = (rt_frame){ strpool_intern_cstr(m->strings, f[i].function),
                                             strpool_intern_cstr(m->strings, f[i].file),
                                             f[i].line > 0 ? (uint32_t)f[i].line : 0 };
    gr->nframes = m->nframe - gr->frame_start;
}

int gc_stack_walk(gc_load *L, rt_goroutine *gr, uint64_t lo, uint64_t hi, uint64_t pc, uint64_t sp,
                  int interrupted, uint32_t *panicked_in)
{
    int after_gopanic = 0;
    stk_walk w = { .L = L, .lo = lo, .hi = hi };
    int ok = -1;
    int conservative_next = interrupted; /* the signal's frame */
    if (!L->pcln)
        goto rest;
    if (pc == 0 && sp >= lo && sp + 8 <= hi) { /* a nil function call: start in the caller */
        pc = ec_read_u64_or(L->core, sp, 0);
        sp += 8;
    }
    for (int n = 0; n < MAX_FRAMES; n++) {
        gp_func f;
        int32_t delta;
        if (sp < lo || sp > hi || gp_func_at(L->pcln, pc - L->bias, &f) != 0 ||
            gp_pcsp(L->pcln, &f, pc - L->bias, &delta) != 0 || delta < 0)
            goto rest;
        uint64_t fp = sp + (uint64_t)delta + 8;
        if (fp > hi)
            goto rest;
        uint64_t varp = fp - 8;
        if (varp > sp)
            varp -= 8; /* the saved frame pointer */
        uint64_t argp = fp;
        int async = f.name && (strcmp(f.name, "runtime.asyncPreempt") == 0 ||
                               strncmp(f.name, "runtime.debugCall", 17) == 0);
        frame_roots fr = {
            .rs = &L->rs, .strings = L->m->strings, .cfa = fp, .sp = sp, .size = fp - sp,
            .goroutine = gr->id, .function = strpool_intern_cstr(L->m->strings, f.name ? f.name : "?"),
            /* a return address's variables are those of the call before
             * it (a parked goroutine's saved pc is one too); a signal's pc
             * is the instruction itself */
            .lookup_pc = pc - L->bias - (!conservative_next && pc - L->bias != f.entry ? 1 : 0),
            .conservative = conservative_next || async,
        };
        frame_roots_init(&fr);
        fr.types = fr.conservative ? NULL : L->ty; /* a variable's type says nothing of a dead slot */
        model_goroutine_frame(L->m, gr, f.name ? fr.function : 0);
        record_frames(L, gr, fr.lookup_pc, fr.function);
        if (after_gopanic && !*panicked_in)
            *panicked_in = fr.function;
        after_gopanic = f.name && strcmp(f.name, "runtime.gopanic") == 0;
        fr.df = dwi_func_at(L->dw, fr.lookup_pc);
        if (fr.conservative) {
            /* not at a safe point: the whole frame and its arguments */
            scan_conservative(&w, &fr, sp, varp > sp ? varp : sp);
            if (f.args > 0)
                scan_conservative(&w, &fr, argp, argp + (uint64_t)f.args);
            conservative_next = async; /* asyncPreempt saved its caller's registers */
        } else if (scan_frame_maps(&w, &fr, &f, pc, varp, argp) != 0) {
            fr.conservative = 1;
            scan_conservative(&w, &fr, sp, fp);
        }
        if (f.flag & FLAG_TOPFRAME) {
            ok = 0;
            goto done;
        }
        int sigpanic = f.name && strcmp(f.name, "runtime.sigpanic") == 0;
        if ((f.flag & FLAG_SPWRITE) && n > 0) {
            /* the runtime stops here too: nothing above is reachable by unwinding */
            sp = fp;
            goto rest;
        }
        uint64_t lr = ec_read_u64_or(L->core, fp - 8, 0);
        if (lr == 0) {
            ok = 0;
            goto done;
        }
        if (lr == pc && fp == sp)
            goto rest; /* stuck */
        pc = lr;
        sp = fp;
        conservative_next = conservative_next || sigpanic; /* a trap: the caller is not at a call */
    }
rest:
    /* what could not be unwound is scanned as the conservative scan did */
    if (sp < lo || sp >= hi)
        sp = lo;
    gc_stack_conservative(L, gr, sp, hi);
done:
    scan_stack_objects(&w);
    free(w.objs);
    free(w.ptrs);
    return ok;
}

void gc_stack_conservative(gc_load *L, const rt_goroutine *gr, uint64_t lo, uint64_t hi)
{
    rt_model *m = L->m;
    uint32_t root = rootset_add(&L->rs, RT_ROOT_STACK, lo);
    rt_root *r = &L->rs.roots[root];
    r->goroutine = gr->id;
    r->function = gr->start_function;
    r->variable = strpool_intern_cstr(m->strings, "(scanned conservatively)");
    r->conservative = 1;
    r->size = hi - lo;
    lo = (lo + 7) & ~7ULL;
    if (hi - lo > (1ULL << 30))
        return; /* no goroutine stack is this large: corrupt bounds */
    const uint8_t *view = ec_view(L->core, lo, (size_t)(hi - lo));
    for (uint64_t p = lo; p + 8 <= hi; p += 8) {
        uint64_t v;
        if (view)
            memcpy(&v, view + (p - lo), 8);
        else
            v = ec_read_u64_or(L->core, p, 0);
        if (v && model_find(m, v) != RT_NONE)
            rootset_word(&L->rs, root, p - lo, v);
    }
}
