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

/* A list of records a goroutine owns: where runtime.g points at the
 * first, where each points at the next, the words of each to hold. */
typedef struct owned_list {
    uint64_t head, link;
    uint64_t offs[2];
    size_t noffs;
    uint64_t pc;          /* a pc in the function the record belongs to, or UINT64_MAX */
    const char *variable;
} owned_list;

/* Each record a root of gr; the runtime.g's pointer to the first and each
 * record's to the next are covered by those roots. */
static void owned_records(gc_load *L, const rt_goroutine *gr, uint64_t g, const owned_list *l,
                          uint32_t function)
{
    uint32_t var = strpool_intern_cstr(L->m->strings, l->variable);
    uint64_t rec = ec_read_u64_or(L->core, g + l->head, 0);
    rootset_cover(&L->rs, g, rec);
    for (uint32_t n = 0; rec && n < MAX_RECORDS; n++) {
        uint32_t fn = function;
        if (l->pc != UINT64_MAX)
            fn = function_at(L, ec_read_u64_or(L->core, rec + l->pc, 0), function);
        owned_root(L, gr, rec, l->offs, l->noffs, fn, var);
        uint64_t next = ec_read_u64_or(L->core, rec + l->link, 0);
        rootset_cover(&L->rs, rec, next);
        rec = next;
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
    if (y->defer_ok) { /* each one's function: its pc is a return address in it */
        owned_list l = { y->g_defer, y->df_link, { y->df_fn, 0 }, 1, y->df_pc, "(deferred call)" };
        owned_records(L, gr, g, &l, gr->user_function);
    }
    if (y->panic_ok) { /* the value: an eface's data word (a pointer-shaped
                        * value is the pointer itself, any other points to a copy) */
        owned_list l = { y->g_panic, y->pn_link, { y->pn_arg + 8, 0 }, 1, UINT64_MAX, "(panic)" };
        owned_records(L, gr, g, &l, panicked_in ? panicked_in : gr->user_function);
    }
    if (y->sudog_ok) {
        owned_list l = { y->g_waiting, y->sg_waitlink, { y->sg_c, y->sg_elem }, 2, UINT64_MAX,
                         "(waiting on channel)" };
        owned_records(L, gr, g, &l, gr->user_function);
    }
}
