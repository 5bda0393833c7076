/* gopclntab_open.c — gp_open / gp_close and the function table: check the
 * pcHeader, find the sub-tables, and look functions up by pc (a binary
 * search over functab) or by index.
 *
 * gp_open checks what every later lookup relies on — the header, that the
 * sub-table offsets lie inside the table, that functab fits and is sorted
 * — once, so lookups are O(log n) with no allocation.  What it does not
 * check up front (each _func record, names, pc-value tables) is checked
 * where it is read, and a bad record makes that one lookup answer -1. */

#include "gopclntab/gopclntab_int.h"
#include "util/alloc.h"

/* Every error of gp_open names the file, the byte offset in the table and
 * the phase. */
#define GP_FAIL(err, code, what, off, ...) \
    (rt_error_where((err), (what), (off), "reading Go's pc-value table (.gopclntab)"), \
     RT_FAIL((err), (code), __VA_ARGS__))

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)gp_le32(p) | (uint64_t)gp_le32(p + 4) << 32;
}

const char *gp_string(const gp_table *t, gp_region r, uint64_t off)
{
    if (off >= r.end - r.off)
        return NULL;
    const uint8_t *s = t->data + r.off + off;
    if (!memchr(s, 0, r.end - r.off - off))
        return NULL;
    return (const char *)s;
}

/* The magics of tables we do not read, so the message can say why. */
static int bad_magic(const gp_source *src, uint32_t magic, rt_error *err)
{
    switch (magic) {
    case 0xfffffffbu:
    case 0xfffffffau:
        return GP_FAIL(err, RT_E_UNSUPPORTED, src->what, 0,
                       "the executable was built by Go 1.2–1.17 (pc-value table magic %#x); "
                       "retain reads Go 1.18 and later",
                       magic);
    case 0xf0ffffffu:
    case 0xf1ffffffu:
        return GP_FAIL(err, RT_E_UNSUPPORTED, src->what, 0,
                       "the pc-value table is big-endian (magic %#x); retain reads "
                       "little-endian x86-64 executables",
                       magic);
    default:
        return GP_FAIL(err, RT_E_FORMAT, src->what, 0,
                       "not a Go 1.18+ pc-value table: magic %#x, expected 0xfffffff0 or "
                       "0xfffffff1",
                       magic);
    }
}

/* Each sub-table ends where the next one (in offset order) starts: the
 * linker writes them back to back, but we do not rely on their order. */
static size_t region_end(const size_t *starts, size_t n, size_t start, size_t len)
{
    size_t end = len;
    for (size_t i = 0; i < n; i++)
        if (starts[i] > start && starts[i] < end)
            end = starts[i];
    return end;
}

int gp_open(const gp_source *src, gp_table **out, rt_error *err)
{
    *out = NULL;
    if (!src || !src->data)
        return RT_FAIL(err, RT_E_USAGE, "gp_open: no table given");
    const char *what = src->what;
    const uint8_t *d = src->data;
    size_t len = src->len;
    if (len < GP_HEADER_SIZE)
        return GP_FAIL(err, RT_E_TRUNCATED, what, 0,
                       "the pc-value table is %zu bytes, shorter than its %d-byte header", len,
                       GP_HEADER_SIZE);
    uint32_t magic = gp_le32(d);
    if (magic != GP_MAGIC_118 && magic != GP_MAGIC_120)
        return bad_magic(src, magic, err);
    if (d[4] != 0 || d[5] != 0)
        return GP_FAIL(err, RT_E_CORRUPT, what, 4, "pcHeader padding is %u,%u, not 0,0", d[4],
                       d[5]);
    if (d[6] != 1)
        return GP_FAIL(err, RT_E_UNSUPPORTED, what, 6,
                       "the pc quantum is %u, not 1: the executable is not for x86-64", d[6]);
    if (d[7] != 8)
        return GP_FAIL(err, RT_E_UNSUPPORTED, what, 7,
                       "pointers are %u bytes: retain reads 64-bit executables only", d[7]);
    uint64_t nfunc = le64(d + 8);
    uint64_t text = le64(d + 24);
    size_t starts[5];
    static const char *const names[5] = { "funcnametab", "cutab", "filetab", "pctab",
                                          "functab" };
    for (int i = 0; i < 5; i++) {
        uint64_t o = le64(d + 32 + 8 * i);
        if (o < GP_HEADER_SIZE || o > len)
            return GP_FAIL(err, RT_E_CORRUPT, what, (uint64_t)(32 + 8 * i),
                           "the %s offset %#llx lies outside the %zu-byte table", names[i],
                           (unsigned long long)o, len);
        starts[i] = (size_t)o;
    }
    /* functab: nfunc {entryoff, funcoff} pairs and the end pc, 4 bytes each */
    size_t ftab = starts[4];
    if (nfunc > (uint64_t)(len - ftab) / 8 || (len - ftab) - nfunc * 8 < 4)
        return GP_FAIL(err, RT_E_CORRUPT, what, 8,
                       "the function table (%llu functions at offset %#zx) runs past the end "
                       "of the %zu-byte table",
                       (unsigned long long)nfunc, ftab, len);
    if (nfunc >= UINT32_MAX)
        return GP_FAIL(err, RT_E_CORRUPT, what, 8, "%llu functions are too many",
                       (unsigned long long)nfunc);
    /* sorted entries make the binary search well-defined on any input */
    for (uint64_t i = 0; i < nfunc; i++)
        if (gp_le32(d + ftab + 8 * i) > gp_le32(d + ftab + 8 * (i + 1)))
            return GP_FAIL(err, RT_E_CORRUPT, what, ftab + 8 * i,
                           "the function table is not sorted by entry (function %llu)",
                           (unsigned long long)i);

    uint64_t text_start = src->text_start ? src->text_start : text;
    if (!text_start)
        return GP_FAIL(err, RT_E_USAGE, what, 24,
                       "the pc-value table does not record where the code starts (Go 1.26 "
                       "and later leave pcHeader.textStart 0); give the address of "
                       "runtime.text");

    gp_table *t = rt_calloc(1, sizeof *t);
    t->data = d;
    t->len = len;
    t->magic = magic;
    t->quantum = d[6];
    t->nfunc = (uint32_t)nfunc;
    t->text_start = text_start;
    bool funcdata = src->read && src->gofunc; /* both, or funcdata is unavailable */
    t->gofunc = funcdata ? src->gofunc : 0;
    t->read = funcdata ? src->read : NULL;
    t->read_ctx = src->read_ctx;
    gp_region *regs[5] = { &t->names, &t->cutab, &t->files, &t->pctab, &t->pcln };
    for (int i = 0; i < 5; i++) {
        regs[i]->off = starts[i];
        regs[i]->end = region_end(starts, 5, starts[i], len);
    }
    /* startLine joined _func in Go 1.20, with the new inline tree entry */
    t->func_size = magic == GP_MAGIC_118 ? 40 : 44;
    t->inl_size = magic == GP_MAGIC_118 ? 20 : 16;
    t->wrapper_funcid = -1;
    for (uint32_t i = 0; i < t->nfunc; i++) {
        gp_func f;
        if (gp_func_index(t, i, &f) == 0 && strcmp(f.name, "runtime.systemstack_switch") == 0) {
            t->wrapper_funcid = f.funcid + 1;
            break;
        }
    }
    *out = t;
    return 0;
}

void gp_close(gp_table *t)
{
    free(t);
}

uint32_t gp_nfunc(const gp_table *t)
{
    return t->nfunc;
}

uint32_t gp_magic(const gp_table *t)
{
    return t->magic;
}

int gp_funcid_wrapper(const gp_table *t)
{
    return t->wrapper_funcid;
}

int gp_rawfunc_at(const gp_table *t, size_t off, gp_rawfunc *out)
{
    const gp_region r = t->pcln;
    if (off < r.off || off > r.end || r.end - off < t->func_size)
        return -1;
    const uint8_t *p = t->data + off;
    out->off = off;
    out->entryoff = gp_le32(p);
    out->nameoff = (int32_t)gp_le32(p + 4);
    out->args = (int32_t)gp_le32(p + 8);
    out->pcsp = gp_le32(p + 16);
    out->pcfile = gp_le32(p + 20);
    out->pcln = gp_le32(p + 24);
    out->npcdata = gp_le32(p + 28);
    out->cuoff = gp_le32(p + 32);
    const uint8_t *tail = p + t->func_size - 4;
    out->funcid = tail[0];
    out->flag = tail[1];
    out->nfuncdata = tail[3];
    uint64_t arrays = 4 * ((uint64_t)out->npcdata + out->nfuncdata);
    if (arrays > r.end - off - t->func_size)
        return -1;
    return 0;
}

int gp_func_index(const gp_table *t, uint32_t i, gp_func *out)
{
    if (i >= t->nfunc)
        return -1;
    size_t ft = t->pcln.off + 8 * (size_t)i; /* in bounds: checked by gp_open */
    uint32_t entryoff = gp_le32(t->data + ft);
    uint32_t funcoff = gp_le32(t->data + ft + 4);
    uint32_t endoff = gp_le32(t->data + ft + 8);
    gp_rawfunc rf;
    if ((uint64_t)t->pcln.off + funcoff > UINT32_MAX ||
        gp_rawfunc_at(t, t->pcln.off + funcoff, &rf) != 0)
        return -1;
    /* the record must describe the function functab says it does */
    if (rf.entryoff != entryoff || rf.nameoff < 0)
        return -1;
    const char *name = gp_string(t, t->names, (uint64_t)rf.nameoff);
    if (!name)
        return -1;
    out->entry = t->text_start + entryoff;
    out->end = t->text_start + endoff;
    out->name = name;
    out->args = rf.args;
    out->funcid = rf.funcid;
    out->flag = rf.flag;
    out->off = (uint32_t)rf.off;
    return 0;
}

int gp_func_at(const gp_table *t, uint64_t pc, gp_func *out)
{
    if (pc < t->text_start || pc - t->text_start > UINT32_MAX || t->nfunc == 0)
        return -1;
    uint32_t x = (uint32_t)(pc - t->text_start);
    const uint8_t *ftab = t->data + t->pcln.off;
    if (x < gp_le32(ftab) || x >= gp_le32(ftab + 8 * (size_t)t->nfunc))
        return -1;
    /* the last function whose entry is <= x */
    uint32_t lo = 0, hi = t->nfunc; /* entry(lo) <= x < entry(hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (gp_le32(ftab + 8 * (size_t)mid) <= x)
            lo = mid;
        else
            hi = mid;
    }
    return gp_func_index(t, lo, out);
}
