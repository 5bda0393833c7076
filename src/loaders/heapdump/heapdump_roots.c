/* heapdump_roots.c — roots of a heap dump: one per variable.
 *
 * Data and bss pointer words are grouped by the executable's symbol that
 * holds them (without an executable each word is its own root); each
 * stack frame is one root (a dump has no variable names); a finalizer
 * root keeps what its object points to and its closure, a queued one
 * keeps the object itself (DESIGN.md). */
#include <stdio.h>
#include <string.h>

#include "loaders/heapdump/heapdump_int.h"
#include "util/alloc.h"

uint32_t hd_add_root(hd_load *L, rt_root_kind kind, uint64_t addr)
{
    RT_GROW(L->roots, L->cap_root, L->nroot + 1);
    rt_root *r = &L->roots[L->nroot];
    memset(r, 0, sizeof *r);
    r->kind = (uint8_t)kind;
    r->address = addr;
    r->goroutine = RT_NO_GOROUTINE;
    switch (kind) {
    case RT_ROOT_GLOBAL: r->group = RT_GROUP_GLOBALS; break;
    case RT_ROOT_STACK: r->group = RT_GROUP_GOROUTINE; break;
    case RT_ROOT_FINALIZER:
    case RT_ROOT_CLEANUP: r->group = RT_GROUP_FINALIZERS; break;
    default: r->group = RT_GROUP_RUNTIME; break;
    }
    return (uint32_t)L->nroot++;
}

void hd_add_word(hd_load *L, uint32_t root, uint64_t off, uint64_t value)
{
    RT_GROW(L->words, L->cap_word, L->nword + 1);
    L->words[L->nword++] = (hd_rootword){ root, off > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)off, value };
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
    for (size_t i = 0; i < r->nfields; i++) {
        uint64_t off = r->fields[i], v;
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
                L->roots[root].name = strpool_intern_cstr(m->strings, sym->name);
                L->roots[root].size = sym->size;
                L->last_sym = sym;
                L->last_sym_root = root;
            }
            root = L->last_sym_root;
        } else {
            char name[64];
            snprintf(name, sizeof name, "%s+0x%llx", seg, (unsigned long long)off);
            base = addr;
            root = hd_add_root(L, RT_ROOT_GLOBAL, addr);
            L->roots[root].name = strpool_intern_cstr(m->strings, name);
            L->roots[root].size = 8;
        }
        hd_add_word(L, root, addr - base, v);
    }
    return 0;
}

/* ---- ordering roots: kind, name, function, goroutine, variable, address ---- */

static int cmp_str(const rt_strpool *sp, uint32_t a, uint32_t b)
{
    if (a == b)
        return 0;
    return strcmp(strpool_get(sp, a), strpool_get(sp, b));
}

static int cmp_root(const void *pa, const void *pb, void *ctx)
{
    const hd_load *L = ctx;
    const rt_root *a = &L->roots[*(const uint32_t *)pa], *b = &L->roots[*(const uint32_t *)pb];
    const rt_strpool *sp = L->m->strings;
    int c;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if ((c = cmp_str(sp, a->name, b->name)) != 0)
        return c;
    if ((c = cmp_str(sp, a->function, b->function)) != 0)
        return c;
    if (a->goroutine != b->goroutine)
        return a->goroutine < b->goroutine ? -1 : 1;
    if ((c = cmp_str(sp, a->variable, b->variable)) != 0)
        return c;
    if (a->address != b->address)
        return a->address < b->address ? -1 : 1;
    return 0;
}

static int cmp_word(const void *pa, const void *pb)
{
    const hd_rootword *a = pa, *b = pb;
    if (a->root != b->root)
        return a->root < b->root ? -1 : 1;
    if (a->off != b->off)
        return a->off < b->off ? -1 : 1;
    return a->value < b->value ? -1 : a->value > b->value;
}

/* Resolve root words to objects, add finalizer edges, order the roots
 * and append their edges to the model's CSR (objects' edges are final). */
void hd_finish_roots(hd_load *L, uint32_t *unused)
{
    rt_model *m = L->m;
    (void)unused;
    size_t w = 0;
    for (size_t i = 0; i < L->nword; i++) {
        uint32_t t = model_find(m, L->words[i].value);
        if (t == RT_NONE)
            continue;
        L->words[w] = L->words[i];
        L->words[w++].value = t;
    }
    L->nword = w;

    for (size_t i = 0; i < L->nfin; i++) {
        const hd_fin *f = &L->fins[i];
        uint32_t o = model_find(m, f->obj);
        if (o != RT_NONE) {
            if (f->queued) {
                hd_add_word(L, f->root, 0, o);
            } else {
                /* not the object itself: what it points to */
                for (uint32_t e = m->edge_start[o]; e < m->edge_start[o + 1]; e++)
                    hd_add_word(L, f->root, m->edge_off[e], m->edge_dst[e]);
            }
        }
        uint32_t fn = model_find(m, f->fn);
        if (fn != RT_NONE) {
            hd_add_word(L, f->root, 0, fn);
            L->words[L->nword - 1].off = RT_OFF_NONE;
        }
    }

    /* keep roots that reach the heap */
    uint32_t *count = rt_calloc(L->nroot + 1, sizeof *count);
    for (size_t i = 0; i < L->nword; i++)
        count[L->words[i].root]++;
    uint32_t *order = rt_malloc((L->nroot + 1) * sizeof *order);
    uint32_t nkeep = 0;
    for (uint32_t r = 0; r < L->nroot; r++)
        if (count[r])
            order[nkeep++] = r;
    qsort_r(order, nkeep, sizeof *order, cmp_root, L);
    uint32_t *newid = count; /* reuse: old index -> new index */
    for (uint32_t r = 0; r < L->nroot; r++)
        newid[r] = RT_NONE;
    m->roots = rt_malloc((nkeep ? nkeep : 1) * sizeof *m->roots);
    for (uint32_t k = 0; k < nkeep; k++) {
        newid[order[k]] = k;
        m->roots[k] = L->roots[order[k]];
    }
    m->nroot = nkeep;
    for (size_t i = 0; i < L->nword; i++)
        L->words[i].root = newid[L->words[i].root];
    if (L->nword)
        qsort(L->words, L->nword, sizeof *L->words, cmp_word);
    free(order);
    free(count);

    /* append root edges after the objects' */
    uint64_t base = m->nedge;
    m->edge_start = rt_reallocarray(m->edge_start, (size_t)m->nobj + nkeep + 1, sizeof *m->edge_start);
    m->edge_dst = rt_reallocarray(m->edge_dst, base + L->nword + 1, sizeof *m->edge_dst);
    m->edge_off = rt_reallocarray(m->edge_off, base + L->nword + 1, sizeof *m->edge_off);
    size_t wi = 0;
    for (uint32_t k = 0; k < nkeep; k++) {
        m->edge_start[m->nobj + k] = (uint32_t)(base + wi);
        while (wi < L->nword && L->words[wi].root == k) {
            m->edge_dst[base + wi] = (uint32_t)L->words[wi].value;
            m->edge_off[base + wi] = L->words[wi].off;
            wi++;
        }
    }
    m->nedge = base + L->nword;
    m->edge_start[m->nobj + nkeep] = (uint32_t)m->nedge;
}
