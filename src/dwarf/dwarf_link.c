/* dwarf_link.c — after the walk: turn DIE offsets into pointers, derive the
 * sizes DWARF leaves implicit, sort globals and functions, and build the
 * name and runtime-type indexes (dwarf_int.h).
 *
 * A reference to a DIE we did not record (corrupt DWARF, or a kind of type
 * we do not model) becomes NULL rather than an error: lookups then report
 * "not found" for what depends on it. */
#include <dwarf.h>
#include <string.h>

#include "dwarf/dwarf_int.h"
#include "util/alloc.h"

/* Typedef chains in Go are one link long; a longer one is a loop. */
enum { MAX_HOPS = 32 };

/* d->types is in DIE order, which is offset order (the walk visits CUs
 * and DIEs in section order and checks it), so a binary search finds a
 * type by offset; the locals pass, long after the walk, uses it too. */
static const dw_type *type_at_off(const dw_build *b, uint64_t off)
{
    const dw_info *d = b->d;
    size_t lo = 0, hi = d->ntypes;
    while (off && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->types[mid].off == off)
            return &d->types[mid];
        if (d->types[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The size of t where DWARF does not state it: pointers are one address,
 * typedefs (including Go's map, chan and interface typedefs) take their
 * target's. */
static uint64_t derived_size(const dw_type *t, unsigned addr_size)
{
    for (int hop = 0; t && hop < MAX_HOPS; hop++) {
        if (t->has_size)
            return t->size;
        if (t->kind == DWK_POINTER || t->kind == DWK_UNSAFE_POINTER)
            return addr_size;
        if (t->tag != DW_TAG_typedef || !t->target)
            return (t->kind == DWK_MAP || t->kind == DWK_CHAN) ? addr_size : 0;
        t = t->target;
    }
    return 0;
}

static void link_types(dw_build *b)
{
    dw_info *d = b->d;
    d->nmembers = b->nrmem;
    d->members = rt_calloc(b->nrmem ? b->nrmem : 1, sizeof *d->members);
    for (size_t i = 0; i < b->nrmem; i++) {
        const raw_member *rm = &b->rmem[i];
        d->members[i] = (dw_member){
            .name = rm->name,
            .offset = rm->offset,
            .type = type_at_off(b, rm->type_off),
            .embedded = rm->embedded,
        };
    }
    for (size_t i = 0; i < d->ntypes; i++) {
        dw_type *t = &d->types[i];
        t->target = type_at_off(b, t->target_off);
        t->elem = type_at_off(b, t->elem_off);
        t->key = type_at_off(b, t->key_off);
        t->members = t->nmembers ? &d->members[t->mem_first] : NULL;
    }
    unsigned asz = b->addr_size ? b->addr_size : 8;
    for (size_t i = 0; i < d->ntypes; i++) {
        dw_type *t = &d->types[i];
        if (!t->has_size)
            t->size = derived_size(t, asz);
    }

    /* Names: a named Go struct appears as the struct and as a typedef of
     * the same name; index the definition.  Otherwise the first wins. */
    for (size_t i = 0; i < d->ntypes; i++) {
        const dw_type *t = &d->types[i];
        if (!t->name[0])
            continue;
        uint32_t prev;
        bool replace = dw_strmap_get(&d->type_by_name, t->name, &prev) &&
                       d->types[prev].kind == DWK_TYPEDEF && t->kind != DWK_TYPEDEF;
        dw_strmap_put(&d->type_by_name, t->name, (uint32_t)i, replace);
        /* the synthesised hash<K,V> & co. copy attributes of runtime
         * structs; the first DIE with a runtime type is the real one */
        if (t->has_rtype)
            dw_u64map_put(&d->type_by_rtype, t->rtype, (uint32_t)i, false);
    }
}

static int cmp_var(const void *a, const void *b)
{
    const dw_var *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void link_globals(dw_build *b)
{
    dw_info *d = b->d;
    d->nglobals = b->nrvars;
    d->globals = rt_calloc(b->nrvars ? b->nrvars : 1, sizeof *d->globals);
    for (size_t i = 0; i < b->nrvars; i++) {
        const dw_type *t = type_at_off(b, b->rvars[i].type_off);
        d->globals[i] = (dw_var){
            .name = b->rvars[i].name,
            .addr = b->rvars[i].addr,
            .size = t ? t->size : 0,
            .type = t,
        };
    }
    qsort(d->globals, d->nglobals, sizeof *d->globals, cmp_var);
    for (size_t i = 0; i < d->nglobals; i++)
        dw_strmap_put(&d->global_by_name, d->globals[i].name, (uint32_t)i, false);
    for (size_t i = 0; i < d->nconsts; i++)
        dw_strmap_put(&d->const_by_name, d->consts[i].name, (uint32_t)i, false);
}

static const raw_origin *origin_at(const dw_build *b, uint64_t off)
{
    uint32_t i;
    if (!off || !dw_u64map_get(&b->origin_by_off, off, &i))
        return NULL;
    return &b->origins[i];
}

static int cmp_rfunc(const void *a, const void *b)
{
    const raw_func *x = a, *y = b;
    if (x->lowpc != y->lowpc)
        return x->lowpc < y->lowpc ? -1 : 1;
    if (x->highpc != y->highpc)
        return x->highpc < y->highpc ? -1 : 1;
    return x->die_off < y->die_off ? -1 : x->die_off > y->die_off;
}

/* Functions without their locals; dw_link_locals adds those later. */
static void link_funcs(dw_build *b)
{
    dw_info *d = b->d;
    if (b->nrfuncs > 1)
        qsort(b->rfuncs, b->nrfuncs, sizeof *b->rfuncs, cmp_rfunc);
    d->nfuncs = b->nrfuncs;
    d->funcs = rt_calloc(b->nrfuncs ? b->nrfuncs : 1, sizeof *d->funcs);
    d->func_die_off = rt_calloc(b->nrfuncs ? b->nrfuncs : 1, sizeof *d->func_die_off);
    d->func_cu = rt_calloc(b->nrfuncs ? b->nrfuncs : 1, sizeof *d->func_cu);
    for (size_t i = 0; i < b->nrfuncs; i++) {
        const raw_func *rf = &b->rfuncs[i];
        const raw_origin *o = origin_at(b, rf->origin_off);
        d->funcs[i] = (dw_func){
            .name = rf->name ? rf->name : o ? o->name : "",
            .lowpc = rf->lowpc,
            .highpc = rf->highpc,
            .frame_base_cfa = rf->frame_base_cfa,
        };
        d->func_die_off[i] = rf->die_off;
        d->func_cu[i] = rf->cu;
    }
    for (size_t i = 0; i < d->nfuncs; i++)
        if (d->funcs[i].name[0])
            dw_strmap_put(&d->func_by_name, d->funcs[i].name, (uint32_t)i, false);
    /* hand the abstract functions over for the locals pass */
    d->abstract_off = b->abstract_offs;
    d->nabstract = b->nabstract;
    b->abstract_offs = NULL;
    b->nabstract = 0;
}

void dw_link_locals(dw_build *b)
{
    dw_info *d = b->d;
    d->nlocs = b->nrlocs;
    d->locs = rt_calloc(b->nrlocs ? b->nrlocs : 1, sizeof *d->locs);
    for (size_t i = 0; i < b->nrlocs; i++) {
        const raw_loc *rl = &b->rlocs[i];
        d->locs[i] = (dw_loc){
            .lo = rl->lo,
            .hi = rl->hi,
            .ops = rl->nops ? &d->ops[rl->op_first] : NULL,
            .nops = rl->nops,
        };
    }
    d->nlocals = b->nrlocals;
    d->locals = rt_calloc(b->nrlocals ? b->nrlocals : 1, sizeof *d->locals);
    for (size_t i = 0; i < b->nrlocals; i++) {
        const raw_local *rv = &b->rlocals[i];
        const raw_origin *o = origin_at(b, rv->origin_off);
        const char *name = rv->name ? rv->name : o ? o->name : "";
        uint64_t toff = rv->type_off ? rv->type_off : o ? o->type_off : 0;
        const dw_type *t = type_at_off(b, toff);
        uint32_t si;
        if (!t && toff && dw_u64map_get(&b->shape_by_off, toff, &si))
            t = type_at_off(b, b->shape_target[si]);
        d->locals[i] = (dw_local){
            .name = name,
            .type = t,
            .is_param = rv->is_param,
            .is_result = rv->is_result,
            .inlined = rv->inlined,
            .inline_func = rv->inline_origin_off && origin_at(b, rv->inline_origin_off)
                               ? origin_at(b, rv->inline_origin_off)->name : NULL,
            .has_closure_off = rv->has_closure_off,
            .closure_off = rv->closure_off,
            .locs = rv->nlocs ? &d->locs[rv->loc_first] : NULL,
            .nlocs = rv->nlocs,
        };
    }
    /* b->rfuncs[i] of the locals pass is d->funcs[i] */
    for (size_t i = 0; i < d->nfuncs && i < b->nrfuncs; i++) {
        d->funcs[i].locals = b->rfuncs[i].nlocals ? &d->locals[b->rfuncs[i].local_first] : NULL;
        d->funcs[i].nlocals = b->rfuncs[i].nlocals;
    }
    d->stats.nlocals = d->nlocals;
}

void dw_build_free(dw_build *b)
{
    free(b->rmem);
    free(b->rvars);
    free(b->rfuncs);
    free(b->rlocals);
    free(b->rlocs);
    free(b->origins);
    free(b->abstract_offs);
    free(b->shape_target);
    dw_u64map_free(&b->origin_by_off);
    dw_u64map_free(&b->shape_by_off);
    b->rmem = NULL;
    b->rvars = NULL;
    b->rfuncs = NULL;
    b->rlocals = NULL;
    b->rlocs = NULL;
    b->origins = NULL;
    b->abstract_offs = NULL;
    b->shape_target = NULL;
}

int dw_link(dw_build *b)
{
    dw_info *d = b->d;
    link_types(b);
    link_globals(b);
    link_funcs(b);
    d->stats.ntypes = d->ntypes;
    d->stats.nconsts = d->nconsts;
    d->stats.nglobals = d->nglobals;
    d->stats.nfuncs = d->nfuncs;
    dw_build_free(b);
    return 0;
}
