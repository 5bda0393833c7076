/* dwarf_slots.c — which local variable of a Go function lives in a given
 * stack slot at a given pc (dwarf_info.h: dwl_slot_at, dwl_var_name).
 * Both loaders use it to name stack roots: a core's unwound frames and a
 * heap dump's frame records. */
#include <stdio.h>
#include <string.h>

#include "dwarf/dwarf_info.h"

#define MAX_PIECES 16

const dw_local *dwl_slot_at(const dw_func *f, uint64_t pc, uint64_t cfa, uint64_t addr, uint64_t *start,
                            uint64_t *size)
{
    return dwl_slot_next(f, NULL, pc, cfa, addr, start, size);
}

const dw_local *dwl_slot_next(const dw_func *f, const dw_local *after, uint64_t pc, uint64_t cfa,
                              uint64_t addr, uint64_t *start, uint64_t *size)
{
    if (!f)
        return NULL;
    for (size_t i = after ? (size_t)(after - f->locals) + 1 : 0; i < f->nlocals; i++) {
        const dw_local *v = &f->locals[i];
        const dw_loc *l = dwl_at(v, pc);
        if (!l || !l->nops)
            continue;
        dw_piece pc_[MAX_PIECES];
        size_t n;
        dwl_pieces(l, pc_, MAX_PIECES, &n);
        uint64_t vsize = v->type ? dwt_size(v->type) : 8;
        uint64_t at = 0; /* offset of the piece within the variable */
        for (size_t k = 0; k < n && k < MAX_PIECES; k++) {
            uint64_t psize = pc_[k].size ? pc_[k].size : vsize;
            if (pc_[k].kind == DWP_CFA || (pc_[k].kind == DWP_FBREG && f->frame_base_cfa)) {
                uint64_t a = cfa + (uint64_t)pc_[k].off;
                if (addr >= a && addr < a + psize) {
                    *start = a - at;
                    *size = vsize;
                    return v;
                }
            }
            at += psize;
        }
    }
    return NULL;
}

const char *dwl_var_name(const dw_local *v, char *buf, size_t n)
{
    /* Go 1.27 names the parts of a variable it keeps apart "buf.ptr",
     * "buf.len": a Go identifier has no dot, so the variable is "buf" */
    if (!v->name || !n)
        return NULL;
    size_t len = strcspn(v->name, ".");
    snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), v->name);
    return *buf ? buf : NULL;
}
