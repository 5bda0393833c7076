/* gocore_owned.c — what a goroutine owns beyond its frames, as roots of
 * that goroutine (DESIGN.md "Roots, registries and shared retention").
 *
 * The garbage collector's scanstack marks these with the stack: the
 * goroutine's deferred calls (each _defer record's closure, which holds
 * the call's arguments), its panics (each _panic's value), the sudogs it
 * waits on (the channel and the element being sent or received) and the
 * closure context the scheduler parked in g.sched.ctxt.  Reached only
 * through the runtime.g object they would show as paths through
 * allgs → g → _defer → closure; as roots they read "goroutine 18
 * main.deferLoop (deferred call)".
 *
 * A deferred call belongs to the function that deferred it: the record's
 * pc is a return address inside that function.  A panic belongs to the
 * function that called gopanic (the frame above runtime.gopanic). */
#include <string.h>

#include "gopclntab/gopclntab.h"
#include "loaders/gocore/gocore_int.h"

/* Longest list walked: a goroutine with more records than this is corrupt
 * (or its list loops). */
#define MAX_RECORDS (1u << 20)

/* A root of goroutine gr for the record at addr, holding the record
 * itself when it is a heap object and its words at offs (those that point
 * into the heap; a root left without one is dropped when the roots are
 * finished). */
static void owned_root(gc_load *L, const rt_goroutine *gr, uint64_t addr, const uint64_t *offs,
                       size_t n, uint32_t function, uint32_t variable)
{
    uint32_t root = rootset_add(&L->rs, RT_ROOT_STACK, addr);
    rt_root *r = &L->rs.roots[root];
    r->goroutine = gr->id;
    r->function = function;
    r->variable = variable;
    rootset_word(&L->rs, root, RT_OFF_NONE, addr);
    for (size_t i = 0; i < n; i++) {
        uint64_t v = ec_read_u64_or(L->core, addr + offs[i], 0);
        if (v)
            rootset_word(&L->rs, root, offs[i], v);
        if (offs[i] + 8 > r->size)
            r->size = offs[i] + 8;
    }
}

/* The function whose code holds pc (string id), or fallback. */
static uint32_t function_at(gc_load *L, uint64_t pc, uint32_t fallback)
{
    gp_func f;
    if (L->pcln && pc && gp_func_at(L->pcln, pc - L->bias, &f) == 0 && f.name)
        return strpool_intern_cstr(L->m->strings, f.name);
    return fallback;
}

static void deferred_calls(gc_load *L, const rt_goroutine *gr, uint64_t g)
{
    const gc_layout *y = &L->lay;
    uint32_t var = strpool_intern_cstr(L->m->strings, "(deferred call)");
    uint64_t d = ec_read_u64_or(L->core, g + y->g_defer, 0);
    rootset_cover(&L->rs, g, d);
    for (uint32_t n = 0; d && n < MAX_RECORDS; n++) {
        uint64_t pc = ec_read_u64_or(L->core, d + y->df_pc, 0);
        owned_root(L, gr, d, &y->df_fn, 1, function_at(L, pc, gr->user_function), var);
        uint64_t next = ec_read_u64_or(L->core, d + y->df_link, 0);
        rootset_cover(&L->rs, d, next); /* the next record is a root itself */
        d = next;
    }
}

static void panics(gc_load *L, const rt_goroutine *gr, uint64_t g, uint32_t panicked_in)
{
    const gc_layout *y = &L->lay;
    uint32_t var = strpool_intern_cstr(L->m->strings, "(panic)");
    uint32_t fn = panicked_in ? panicked_in : gr->user_function;
    uint64_t p = ec_read_u64_or(L->core, g + y->g_panic, 0);
    rootset_cover(&L->rs, g, p);
    for (uint32_t n = 0; p && n < MAX_RECORDS; n++) {
        /* the value: an eface's data word (a pointer-shaped value is the
         * pointer itself, any other points to a copy) */
        uint64_t data = y->pn_arg + 8;
        owned_root(L, gr, p, &data, 1, fn, var);
        uint64_t next = ec_read_u64_or(L->core, p + y->pn_link, 0);
        rootset_cover(&L->rs, p, next);
        p = next;
    }
}

static void waits(gc_load *L, const rt_goroutine *gr, uint64_t g)
{
    const gc_layout *y = &L->lay;
    uint32_t var = strpool_intern_cstr(L->m->strings, "(waiting on channel)");
    uint64_t s = ec_read_u64_or(L->core, g + y->g_waiting, 0);
    rootset_cover(&L->rs, g, s);
    for (uint32_t n = 0; s && n < MAX_RECORDS; n++) {
        uint64_t offs[2] = { y->sg_c, y->sg_elem };
        owned_root(L, gr, s, offs, 2, gr->user_function, var);
        uint64_t next = ec_read_u64_or(L->core, s + y->sg_waitlink, 0);
        rootset_cover(&L->rs, s, next);
        s = next;
    }
}

void gc_roots_owned(gc_load *L, const rt_goroutine *gr, uint64_t g, uint32_t panicked_in)
{
    const gc_layout *y = &L->lay;
    if (y->has_unwind) {
        uint64_t ctxt = ec_read_u64_or(L->core, g + y->g_sched_ctxt, 0);
        uint32_t root = rootset_add(&L->rs, RT_ROOT_STACK, g + y->g_sched_ctxt);
        L->rs.roots[root].goroutine = gr->id;
        L->rs.roots[root].function = gr->user_function;
        L->rs.roots[root].variable = strpool_intern_cstr(L->m->strings, "(closure context)");
        if (ctxt)
            rootset_word(&L->rs, root, 0, ctxt);
        rootset_cover(&L->rs, g, ctxt);
    }
    if (y->defer_ok)
        deferred_calls(L, gr, g);
    if (y->panic_ok)
        panics(L, gr, g, panicked_in);
    if (y->sudog_ok)
        waits(L, gr, g);
}
