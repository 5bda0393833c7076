/* gopclntab_frames.c — gp_frames: a pc to its source position, with the
 * inlined calls at that pc expanded into logical frames, innermost first.
 *
 * As the runtime's inlineUnwinder does: the pcdata table InlTreeIndex at
 * pc names an entry of the function's inline tree (funcdata InlTree, read
 * through the caller's callback from go:func.*) or is -1 in the physical
 * function's own code.  An entry gives the inlined function's name and
 * parentPc, a pc in the caller whose file/line is the call site and whose
 * InlTreeIndex is the caller's own entry — so every frame's file and line
 * come from the pcfile/pcln tables at that frame's pc.  The two entry
 * layouts (Go 1.18–1.19, 1.20+) are in gopclntab_int.h.
 *
 * Nothing is allocated: names point into the table, frames go into the
 * caller's array. */
#include "gopclntab/gopclntab_int.h"

/* A corrupt tree could make parentPc lead back to an inlined pc forever;
 * real chains are a handful deep (the inliner's budget bounds them). */
#define GP_MAX_INLINE_DEPTH 1000

/* The file name and line at pc, or "?" and 0 as the runtime answers when
 * the tables do not say. */
static void file_line(const gp_table *t, const gp_rawfunc *rf, uint64_t entry, uint64_t pc,
                      const char **file, int32_t *line)
{
    *file = "?";
    *line = 0;
    int32_t fileno, ln;
    if (gp_pcvalue(t, rf->pcfile, entry, pc, &fileno) != 0 ||
        gp_pcvalue(t, rf->pcln, entry, pc, &ln) != 0 || fileno < 0 || ln < 0)
        return;
    /* cutab[cuOffset + fileno] is the file's offset in filetab, ~0 if none */
    uint64_t slot = 4 * ((uint64_t)rf->cuoff + (uint32_t)fileno);
    size_t culen = t->cutab.end - t->cutab.off;
    uint32_t foff;
    if (culen < 4 || slot > culen - 4 || !gp_u32(t, t->cutab.off + (size_t)slot, &foff) ||
        foff == UINT32_MAX)
        return;
    const char *s = gp_string(t, t->files, foff);
    if (!s)
        return;
    *file = s;
    *line = ln;
}

/* The inline tree entry ix: its name and parentPc.  false if it cannot be
 * read or names no function; the caller then ends at the physical frame,
 * as the runtime's non-strict lookups do. */
static bool inl_entry(const gp_table *t, uint64_t tree, int32_t ix, const char **name,
                      uint32_t *parent_pc, uint8_t *funcid)
{
    uint8_t e[20];
    uint64_t at = tree + (uint64_t)(uint32_t)ix * t->inl_size;
    if (at < tree || t->read(t->read_ctx, at, e, t->inl_size) != 0)
        return false;
    int32_t nameoff;
    if (t->inl_size == 20) { /* Go 1.18–1.19 */
        *funcid = e[2];
        nameoff = (int32_t)gp_le32(e + 12);
        *parent_pc = gp_le32(e + 16);
    } else { /* Go 1.20+ */
        *funcid = e[0];
        nameoff = (int32_t)gp_le32(e + 4);
        *parent_pc = gp_le32(e + 8);
    }
    if (nameoff < 0)
        return false;
    *name = gp_string(t, t->names, (uint64_t)nameoff);
    return *name != NULL;
}

size_t gp_frames(const gp_table *t, uint64_t pc, gp_frame *out, size_t max)
{
    gp_func f;
    gp_rawfunc rf;
    if (gp_func_at(t, pc, &f) != 0 || gp_rawfunc_at(t, f.off, &rf) != 0)
        return 0;
    uint64_t tree = 0;
    bool inlined = t->read && gp_funcdata(t, &f, GP_FUNCDATA_INLTREE, &tree) == 0;
    size_t n = 0;
    for (unsigned depth = 0;; depth++) {
        gp_frame fr = { f.name, "?", 0, f.entry, f.funcid };
        int32_t ix = -1;
        uint32_t parent_pc = 0;
        bool more = inlined && depth < GP_MAX_INLINE_DEPTH &&
                    gp_pcdata(t, &f, GP_PCDATA_INLTREEINDEX, pc, &ix) == 0 && ix >= 0 &&
                    inl_entry(t, tree, ix, &fr.function, &parent_pc, &fr.funcid);
        if (!more) { /* the physical function's own code */
            fr.function = f.name;
            fr.funcid = f.funcid;
        }
        file_line(t, &rf, f.entry, pc, &fr.file, &fr.line);
        if (n < max)
            out[n] = fr;
        n++;
        if (!more)
            return n;
        pc = f.entry + parent_pc;
    }
}

int gp_line_run(const gp_table *t, const gp_func *f, const char *file, int32_t line, size_t idx, uint64_t *start,
                uint64_t *end)
{
    gp_rawfunc rf;
    if (!f || gp_rawfunc_at(t, f->off, &rf) != 0 || rf.pcln == 0)
        return -1;
    /* the line table's runs, decoded as gp_pcvalue does: each run's value
     * holds from its start to the next run's */
    const gp_region r = t->pctab;
    if (rf.pcln >= r.end - r.off)
        return -1;
    const uint8_t *p = t->data + r.off + rf.pcln, *e = t->data + r.end;
    uint64_t at = f->entry;
    int32_t v = -1;
    while (p < e && at < f->end) {
        if (*p == 0 && at != f->entry)
            return -1;
        uint32_t uv, pcd;
        if (!gp_uvarint(&p, e, &uv) || !gp_uvarint(&p, e, &pcd))
            return -1;
        v = (int32_t)((uint32_t)v + ((uv >> 1) ^ (0u - (uv & 1))));
        uint64_t next = at + (uint64_t)pcd * t->quantum;
        if (v == line) {
            const char *fn;
            int32_t ln;
            file_line(t, &rf, f->entry, at, &fn, &ln);
            if (ln == line && strcmp(fn, file) == 0 && idx-- == 0) {
                *start = at;
                *end = next;
                return 0;
            }
        }
        at = next;
    }
    return -1;
}

int gp_pc_of_line(const gp_table *t, const gp_func *f, const char *file, int32_t line, uint64_t *pc)
{
    uint64_t end;
    return gp_line_run(t, f, file, line, 0, pc, &end);
}
