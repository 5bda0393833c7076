/* heapdump_roots.c — roots of a heap dump: one per variable.
 *
 * Data and bss pointer words are grouped by the executable's symbol that
 * holds them (without an executable each word is its own root); a stack
 * frame's words go to the DWARF locals that hold them when the executable
 * is given (heapdump_load.c on_frame), else the frame is one root; a finalizer
 * root keeps what its object points to and its closure, a queued one
 * keeps the object itself (DESIGN.md). */
#include <stdio.h>
#include <string.h>

#include "loaders/heapdump/heapdump_int.h"
#include "util/alloc.h"

uint32_t hd_add_root(hd_load *L, rt_root_kind kind, uint64_t addr)
{
    return rootset_add(&L->rs, kind, addr);
}

void hd_add_word(hd_load *L, uint32_t root, uint64_t off, uint64_t value)
{
    rootset_word(&L->rs, root, off, value);
}

/* Check that the executable's segment markers match the dump's segment. */
static int check_segment(hd_load *L, const hd_record *r, uint64_t start, uint64_t end,
                         const char *what, rt_error *err)
{
    int64_t bias = (int64_t)(r->addr - start);
    int bad = end - start != r->contents.len;
    if (!L->syms->is_pie && bias != 0)
        bad = 1;
    if (bias & 4095)
        bad = 1;
    if (r->tag == HD_BSS && bias != L->bias)
        bad = 1;
    if (bad) {
        rt_error_where(err, L->path, r->offset, "matching the executable to the dump");
        return RT_FAIL(err, RT_E_MISMATCH,
                       "the executable does not belong to this dump: its %s segment is "
                       "0x%llx..0x%llx but the dump's is 0x%llx..0x%llx; pass the executable "
                       "of the process that wrote the dump",
                       what, (unsigned long long)start, (unsigned long long)end,
                       (unsigned long long)r->addr,
                       (unsigned long long)(r->addr + r->contents.len));
    }
    L->bias = bias;
    L->m->exe_bias = bias;
    return 0;
}

int hd_segment(hd_load *L, const hd_record *r, rt_error *err)
{
    rt_model *m = L->m;
    const char *seg = r->tag == HD_DATA ? "data" : "bss";
    const elf_symtab *syms = L->syms;
    if (syms) {
        uint64_t s = r->tag == HD_DATA ? syms->data : syms->bss;
        uint64_t e = r->tag == HD_DATA ? syms->edata : syms->ebss;
        if (s == 0 && e == 0 && syms->go_buildid_len == 0) {
            rt_error_where(err, L->path, r->offset, "matching the executable to the dump");
            return RT_FAIL(err, RT_E_MISMATCH,
                           "the executable given is not a Go program (no Go build ID, no "
                           "runtime.data symbol), so it does not belong to this dump; pass "
                           "the executable of the process that wrote the dump");
        }
        if (s == 0 && e == 0) {
            model_warn(m, "the executable has no Go symbol table (stripped?): global roots stay "
                          "unnamed and the executable could not be checked against the dump");
            L->syms = syms = NULL;
        } else {
            int rc = check_segment(L, r, s, e, seg, err);
            if (rc)
                return rc;
        }
    }
    L->last_sym = NULL;
    uint8_t *bits = model_add_ptrmask(m, r->addr, r->contents.len / 8);
    for (size_t i = 0; i < r->nfields; i++) {
        uint64_t off = r->fields[i], v;
        if (off / 8 < r->contents.len / 8)
            bits[off / 8 / 8] |= (uint8_t)(1u << (off / 8 % 8));
        int rc = hd_word(&L->p, &r->contents, off, &v, err);
        if (rc)
            return rc;
        if (v == 0)
            continue;
        uint64_t addr = r->addr + off;
        const elf_sym *sym = syms ? elf_symtab_find(syms, addr - (uint64_t)L->bias) : NULL;
        uint32_t root;
        uint64_t base;
        if (sym) {
            base = sym->addr + (uint64_t)L->bias;
            if (sym != L->last_sym) {
                root = hd_add_root(L, RT_ROOT_GLOBAL, base);
                L->rs.roots[root].name = strpool_intern_cstr(m->strings, sym->name);
                L->rs.roots[root].size = sym->size;
                if (L->ty && L->dw) {
                    /* the DWARF variable at the symbol's address gives its type */
                    const dw_var *var = dwi_global_at(L->dw, sym->addr);
                    if (var && var->addr == sym->addr)
                        L->rs.roots[root].type = ty_from_dwarf(L->ty, var->type);
                }
                L->last_sym = sym;
                L->last_sym_root = root;
            }
            root = L->last_sym_root;
        } else {
            base = addr;
            root = rootset_add_unnamed(&L->rs, m, seg, addr, off);
        }
        hd_add_word(L, root, addr - base, v);
    }
    return 0;
}

/* Resolve root words to objects, add finalizer edges (which need the
 * objects' edges), then hand the roots to the model. */
void hd_finish_roots(hd_load *L)
{
    rt_model *m = L->m;
    rootset_resolve(&L->rs, m);
    for (size_t i = 0; i < L->nfin; i++) {
        const hd_fin *f = &L->fins[i];
        uint32_t o = model_find(m, f->obj);
        if (o != RT_NONE) {
            if (f->queued) {
                rootset_word(&L->rs, f->root, 0, o);
            } else {
                /* not the object itself: what it points to */
                for (uint32_t e = m->edge_start[o]; e < m->edge_start[o + 1]; e++)
                    rootset_word(&L->rs, f->root, m->edge_off[e], m->edge_dst[e]);
            }
        }
        uint32_t fn = model_find(m, f->fn);
        if (fn != RT_NONE) {
            rootset_word(&L->rs, f->root, 0, fn);
            L->rs.words[L->rs.nword - 1].off = RT_OFF_NONE;
        }
    }
    rootset_finish(&L->rs, m);
}
