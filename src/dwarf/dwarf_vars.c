/* dwarf_vars.c — globals, functions and locations (dwarf_info.h): binary
 * searches over the sorted arrays, and the reading of Go's location
 * expressions as pieces. */
#include <dwarf.h>
#include <string.h>

#include "dwarf/dwarf_int.h"

/* ---- globals ---- */

size_t dwi_globals(const dw_info *d, const dw_var **out)
{
    if (!d) {
        *out = NULL;
        return 0;
    }
    *out = d->globals;
    return d->nglobals;
}

const dw_var *dwi_global(const dw_info *d, const char *name)
{
    if (!d)
        return NULL; /* no DWARF: nothing to find */
    uint32_t i;
    return dw_strmap_get(&d->global_by_name, name, &i) ? &d->globals[i] : NULL;
}

static bool var_contains(const dw_var *v, uint64_t addr)
{
    if (v->size == 0)
        return v->addr == addr;
    return addr >= v->addr && addr - v->addr < v->size;
}

const dw_var *dwi_global_at(const dw_info *d, uint64_t addr)
{
    if (!d)
        return NULL; /* no DWARF: nothing to find */
    /* the first global with addr > addr */
    size_t lo = 0, hi = d->nglobals;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->globals[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* globals do not overlap, but zero-sized ones share addresses with
     * their neighbours: look back a little */
    for (size_t i = lo, steps = 0; i > 0 && steps < 8; i--, steps++) {
        const dw_var *v = &d->globals[i - 1];
        if (var_contains(v, addr))
            return v;
        if (v->size && v->addr + v->size <= addr && v->addr < addr)
            break;
    }
    return NULL;
}

/* ---- functions ---- */

size_t dwi_funcs(const dw_info *d, const dw_func **out)
{
    if (!d) {
        *out = NULL;
        return 0;
    }
    *out = d->funcs;
    return d->nfuncs;
}

const dw_func *dwi_func(const dw_info *d, const char *name)
{
    if (!d)
        return NULL; /* no DWARF: nothing to find */
    uint32_t i;
    return dw_strmap_get(&d->func_by_name, name, &i) ? &d->funcs[i] : NULL;
}

const dw_func *dwi_func_at(const dw_info *d, uint64_t pc)
{
    if (!d)
        return NULL; /* no DWARF: nothing to find */
    size_t lo = 0, hi = d->nfuncs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->funcs[mid].lowpc <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const dw_func *f = &d->funcs[lo - 1];
    return pc < f->highpc ? f : NULL;
}

const dw_loc *dwl_at(const dw_local *v, uint64_t pc)
{
    for (size_t i = 0; v && i < v->nlocs; i++)
        if (pc >= v->locs[i].lo && pc < v->locs[i].hi)
            return &v->locs[i];
    return NULL;
}

/* ---- pieces ---- */

static void emit(dw_piece *out, size_t max, size_t *n, dw_piece p)
{
    if (*n < max)
        out[*n] = p;
    (*n)++;
}

void dwl_pieces(const dw_loc *l, dw_piece *out, size_t max, size_t *n)
{
    dw_piece cur = { .kind = DWP_NONE };
    bool have_op = false, bad = false, pending = false;
    int64_t pending_const = 0;
    *n = 0;
    for (size_t i = 0; l && i < l->nops; i++) {
        const dw_op *o = &l->ops[i];
        if (o->op == DW_OP_piece) {
            cur.size = o->arg1;
            if (bad || pending)
                cur.kind = DWP_UNKNOWN;
            emit(out, max, n, cur);
            cur = (dw_piece){ .kind = DWP_NONE };
            have_op = bad = pending = false;
            continue;
        }
        if (!have_op) {
            have_op = true;
            if (o->op == DW_OP_call_frame_cfa) {
                cur.kind = DWP_CFA;
            } else if (o->op == DW_OP_fbreg) {
                cur.kind = DWP_FBREG;
                cur.off = (int64_t)o->arg1;
            } else if (o->op >= DW_OP_reg0 && o->op <= DW_OP_reg31) {
                cur.kind = DWP_REG;
                cur.reg = (unsigned)(o->op - DW_OP_reg0);
            } else if (o->op == DW_OP_regx) {
                cur.kind = DWP_REG;
                cur.reg = (unsigned)o->arg1;
            } else if (o->op == DW_OP_addr) {
                cur.kind = DWP_ADDR;
                cur.off = (int64_t)o->arg1;
            } else {
                bad = true;
            }
            continue;
        }
        /* older compilers wrote CFA+N as [call_frame_cfa, consts N, plus] */
        if (cur.kind == DWP_CFA && !pending && (o->op == DW_OP_consts || o->op == DW_OP_constu)) {
            pending = true;
            pending_const = (int64_t)o->arg1;
        } else if (cur.kind == DWP_CFA && pending && o->op == DW_OP_plus) {
            cur.off += pending_const;
            pending = false;
        } else if (cur.kind == DWP_CFA && !pending && o->op == DW_OP_plus_uconst) {
            cur.off += (int64_t)o->arg1;
        } else {
            bad = true;
        }
    }
    if (have_op || *n == 0) {
        if (bad || pending)
            cur.kind = DWP_UNKNOWN;
        emit(out, max, n, cur);
    }
}
