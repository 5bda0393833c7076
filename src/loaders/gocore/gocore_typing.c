/* gocore_typing.c — types of a core's objects: the runtime's type
 * descriptors read from the core (loaders/typing/typing_rtypes.c), and
 * the propagation (loaders/typing) run over the core's memory. */
#include <stdio.h>
#include <unistd.h>

#include "gopclntab/gopclntab.h"
#include "io/resident.h"
#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"

void gc_rtypes_new(gc_load *L)
{
    L->ty = ty_new(L->m, L->dw);
    /* the descriptors are read from the core's memory (where the kernel
     * left read-only segments out, from the executable's file) */
    ty_rt_src src = { gc_mem_read, L, { 0 }, 0, L->dw, (uint64_t)L->bias };
    gc_rt_layout(&L->lay, &L->ver, &src.lay);
    if (src.lay.type_names_ok)
        src.types_base = ec_read_u64_or(L->core, L->glob.firstmoduledata + L->lay.md_types, 0);
    L->rtypes = ty_rtypes_new(L->ty, &src);
}

void gc_rtypes_free(gc_load *L)
{
    ty_rtypes_free(L->rtypes);
    L->rtypes = NULL;
    ty_free(L->ty);
    L->ty = NULL;
}

uint32_t gc_rtype(gc_load *L, uint64_t typ, int *direct)
{
    return ty_rtype(L->rtypes, typ, direct);
}

/* ---- the propagation's view of the core ---- */

/* Large reads (the propagation reads objects a chunk at a time) go
 * through read(2): nothing of them stays mapped. */
int gc_mem_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    gc_load *L = ctx;
    rt_error e;
    if (n >= 4096)
        return ec_pread(L->core, addr, buf, n);
    return ec_read(L->core, addr, buf, n, &e) == 0 ? 0 : -1;
}

/* The core's own bytes, in place: its mapping stays valid when pages
 * are given back (they are read again from the file). */
static const uint8_t *mem_view(void *ctx, uint64_t addr, size_t n)
{
    gc_load *L = ctx;
    return ec_view(L->core, addr, n);
}

static uint32_t mem_rtype(void *ctx, uint64_t addr, int *direct)
{
    return gc_rtype(ctx, addr, direct);
}

/* A closure's context type, by its function (ty_closure); a function
 * DWARF does not know is named from the pc-value table. */
static uint32_t mem_closure(void *ctx, uint64_t pc)
{
    gc_load *L = ctx;
    gp_func f;
    char name[512];
    const dw_func *df = dwi_func_at(L->dw, pc - L->bias);
    if (df && df->lowpc == pc - L->bias)
        return ty_closure(L->ty, df);
    if (!L->pcln || gp_func_at(L->pcln, pc - L->bias, &f) != 0 || f.entry != pc - L->bias)
        return 0;
    snprintf(name, sizeof name, "closure %s", f.name);
    return model_type_named(L->m, strpool_intern_cstr(L->m->strings, name), 8);
}

/* The core's pages our reads left resident (RssFile, from
 * /proc/self/statm's shared pages), given back once over RESIDENT_MAX:
 * all of them, heap or not (span records, stacks and the executable's
 * pages count as much), one call; what is read again is mapped again. */
#define RESIDENT_MAX (64ULL << 20)

static void mem_release(void *ctx)
{
    gc_load *L = ctx;
    if (resident_mapped_over(RESIDENT_MAX))
        ec_release_all(L->core);
}

void gc_types(gc_load *L, ty_propagate_fn propagate)
{
    ty_mem mem = { gc_mem_read, mem_rtype, mem_closure, mem_release, L, 1, mem_view };
    ty_stats st;
    propagate(L->ty, &mem, L->prog, &st);
    if (st.rejected)
        model_warn(L->m, "%llu type proposals were refused (a count or length read from the core "
                         "would type past its object): those objects keep what else is known",
                   (unsigned long long)st.rejected);
}
