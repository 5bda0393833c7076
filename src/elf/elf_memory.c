/* elf_memory.c — the address space of a core: map list and reads.
 *
 * Where the bytes of a core PT_LOAD (vaddr, memsz, p_offset, filesz) are:
 *   [vaddr, vaddr+filesz)        in the core at p_offset — unless the file
 *                                ends first: that part is TRUNCATED;
 *   [vaddr+filesz, vaddr+memsz)  not in the core.  The kernel writes
 *                                filesz = 0 for mappings it does not dump
 *                                (file-backed read-only ones such as text
 *                                and rodata, PROT_NONE reservations, what
 *                                coredump_filter excludes) and filesz =
 *                                one page for a file mapping's ELF header
 *                                page.  Of that tail, what the executable's
 *                                own PT_LOAD file images cover (shifted by
 *                                the load bias; a read-only segment's
 *                                image widened to whole pages, as the
 *                                kernel maps it) is read from the
 *                                executable: EXE; the rest is NONE.
 * So one PT_LOAD becomes one to a few maps; all maps together are sorted
 * and disjoint, and a read finds its map by a one-entry cache (scans read
 * neighbouring addresses) and then binary search.
 *
 * Ranges are kept as (first, size) and compared as `addr - first < size`:
 * a segment may end exactly at 2^64, which no exclusive end holds. */
#include "elf/elf_core_int.h"

#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/alloc.h"

#define PHDR_SIZE 56

typedef struct map_list {
    ec_map *v;
    size_t n, cap;
} map_list;

/* Add the map [first, last] (inclusive: last may be 2^64-1). */
static void add_map(map_list *l, uint64_t first, uint64_t last, uint32_t perms, ec_src src,
                    uint64_t offset, uint32_t seg)
{
    RT_GROW(l->v, l->cap, l->n + 1);
    ec_map *m = &l->v[l->n++];
    m->vaddr = first;
    m->size = last - first + 1; /* 0 only for the whole 2^64 space, refused earlier */
    m->perms = perms;
    m->src = src;
    m->offset = offset;
    m->seg = seg;
}

static int cmp_seg(const void *a, const void *b)
{
    const ec_exe_seg *x = a, *y = b;
    return x->map_vaddr < y->map_vaddr ? -1 : x->map_vaddr > y->map_vaddr;
}

static int cmp_map(const void *a, const void *b)
{
    const ec_map *x = a, *y = b;
    return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* The tail [first, last] of a segment, left out of the core: from the
 * executable where its file images cover it, else NONE. */
static void split_tail(const ec_core *c, map_list *l, uint64_t first, uint64_t last,
                       uint32_t perms, uint32_t seg)
{
    uint64_t cur = first;
    if (c->exe && c->exe_info.bias_known) {
        for (size_t k = 0; k < c->nexe_segs; k++) {
            const ec_exe_seg *s = &c->exe_segs[k];
            if (s->map_len == 0)
                continue;
            uint64_t s_first = s->map_vaddr + c->exe_info.bias;
            uint64_t s_last = s_first + (s->map_len - 1);
            if (s_last < s_first || s_last < cur || s_first > last)
                continue; /* wraps (corrupt or wrong bias), or outside */
            if (s_first > cur) {
                add_map(l, cur, s_first - 1, perms, EC_SRC_NONE, 0, seg);
                cur = s_first;
            }
            uint64_t piece_last = s_last < last ? s_last : last;
            add_map(l, cur, piece_last, perms, EC_SRC_EXE, s->map_offset + (cur - s_first), seg);
            if (piece_last == last)
                return;
            cur = piece_last + 1;
        }
    }
    add_map(l, cur, last, perms, EC_SRC_NONE, 0, seg);
}

/* The NT_FILE path of the executable: the entry holding AT_ENTRY (or
 * AT_PHDR), or what we looked for.  NULL if unknown. */
static const char *exe_nt_path(const ec_core *c)
{
    uint64_t at[2];
    int has[2] = { ec_auxv(c, EC_AT_ENTRY, &at[0]), ec_auxv(c, EC_AT_PHDR, &at[1]) };
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; has[k] && i < c->nfiles; i++)
            if (at[k] >= c->files[i].start && at[k] < c->files[i].end)
                return c->files[i].path;
    return c->exe_info.nt_path;
}

/* Index of the first map of the sorted l that ends at or after addr. */
static size_t first_ending_after(const map_list *l, uint64_t addr)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].vaddr + (l->v[mid].size - 1) < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Add EXE maps for what of [a, b] (inclusive) no map of the sorted l
 * covers; keeps l sorted.  s: the executable segment whose image, at
 * s_first, holds [a, b]. */
static void fill_gaps(map_list *l, uint64_t a, uint64_t b, const ec_exe_seg *s,
                      uint64_t s_first)
{
    size_t before = l->n;
    uint64_t cur = a;
    bool done = false;
    for (size_t m = first_ending_after(l, a); m < before && !done; m++) {
        uint64_t m_first = l->v[m].vaddr, m_last = m_first + (l->v[m].size - 1);
        if (m_first > b)
            break;
        if (m_first > cur)
            add_map(l, cur, m_first - 1, s->flags & 7u, EC_SRC_EXE,
                    s->map_offset + (cur - s_first), UINT32_MAX);
        if (m_last >= b)
            done = true;
        else
            cur = m_last + 1;
    }
    if (!done)
        add_map(l, cur, b, s->flags & 7u, EC_SRC_EXE, s->map_offset + (cur - s_first),
                UINT32_MAX);
    if (l->n != before)
        qsort(l->v, l->n, sizeof *l->v, cmp_map);
}

/* Mappings of the executable that NT_FILE lists and no PT_LOAD covers at
 * all: gdb's gcore leaves read-only file mappings out entirely (the
 * kernel writes a PT_LOAD with filesz 0).  Added as EXE maps (seg
 * UINT32_MAX) where the executable's segment images cover them; l is
 * sorted before and after. */
static void add_unlisted(const ec_core *c, map_list *l)
{
    const char *path = exe_nt_path(c);
    if (!c->exe || !c->exe_info.bias_known || !path)
        return;
    for (size_t i = 0; i < c->nfiles; i++) {
        const ec_file *f = &c->files[i];
        if (f->end <= f->start || strcmp(f->path, path) != 0)
            continue;
        for (size_t k = 0; k < c->nexe_segs; k++) {
            const ec_exe_seg *s = &c->exe_segs[k];
            uint64_t s_first = s->map_vaddr + c->exe_info.bias;
            uint64_t s_last = s_first + (s->map_len - 1);
            if (s->map_len == 0 || s_last < s_first)
                continue;
            uint64_t a = f->start > s_first ? f->start : s_first;
            uint64_t b = f->end - 1 < s_last ? f->end - 1 : s_last;
            if (a <= b)
                fill_gaps(l, a, b, s, s_first);
        }
    }
}

int ec_build_maps(ec_core *c, rt_error *err)
{
    const char *phase = "reading the program headers";
    size_t phnum;
    map_list l = { 0 };
    if (elf_getphdrnum(c->core->elf, &phnum) != 0)
        return EC_CORRUPT(err, c->core->path, 56, phase, "%s", elf_errmsg(-1));
    uint64_t phoff;
    memcpy(&phoff, c->core->img + 32, 8);
    if (c->nexe_segs)
        qsort(c->exe_segs, c->nexe_segs, sizeof *c->exe_segs, cmp_seg);

    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(c->core->elf, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        uint64_t at = phoff + i * PHDR_SIZE;
        if (ph.p_memsz - 1 > UINT64_MAX - ph.p_vaddr) {
            free(l.v);
            return EC_CORRUPT(err, c->core->path, at, phase,
                              "segment at 0x%llx of %llu bytes runs past the end of the "
                              "address space", (unsigned long long)ph.p_vaddr,
                              (unsigned long long)ph.p_memsz);
        }
        uint32_t perms = ph.p_flags & (EC_PERM_R | EC_PERM_W | EC_PERM_X), seg = (uint32_t)i;
        uint64_t filesz = ph.p_filesz < ph.p_memsz ? ph.p_filesz : ph.p_memsz;
        uint64_t in_file = 0;
        if (ph.p_offset < c->core->size)
            in_file = c->core->size - ph.p_offset < filesz ? c->core->size - ph.p_offset : filesz;
        if (in_file)
            add_map(&l, ph.p_vaddr, ph.p_vaddr + (in_file - 1), perms, EC_SRC_CORE, ph.p_offset,
                    seg);
        if (filesz > in_file)
            add_map(&l, ph.p_vaddr + in_file, ph.p_vaddr + (filesz - 1), perms,
                    EC_SRC_TRUNCATED, ph.p_offset + in_file, seg);
        if (ph.p_memsz > filesz)
            split_tail(c, &l, ph.p_vaddr + filesz, ph.p_vaddr + (ph.p_memsz - 1), perms, seg);
    }
    if (l.n)
        qsort(l.v, l.n, sizeof *l.v, cmp_map);
    /* overlapping core segments are corrupt; checked before gaps are
     * filled, which relies on disjoint maps */
    for (size_t i = 1; i < l.n; i++) {
        const ec_map *a = &l.v[i - 1], *b = &l.v[i];
        if (b->vaddr - a->vaddr < a->size) {
            rt_error_where(err, c->core->path, phoff + (uint64_t)b->seg * PHDR_SIZE, phase);
            int rc = RT_FAIL(err, RT_E_CORRUPT,
                             "program headers %u and %u both map address 0x%llx", a->seg,
                             b->seg, (unsigned long long)b->vaddr);
            free(l.v);
            return rc;
        }
    }
    add_unlisted(c, &l);
    c->maps = l.v;
    c->nmaps = l.n;
    atomic_store_explicit(&c->last, 0, memory_order_relaxed);

    /* the truncated pieces, adjacent ones merged */
    size_t cap = 0;
    for (size_t i = 0; i < c->nmaps; i++) {
        const ec_map *m = &c->maps[i];
        if (m->src != EC_SRC_TRUNCATED)
            continue;
        ec_range *prev = c->nmissing ? &c->missing[c->nmissing - 1] : NULL;
        if (prev && prev->start + prev->size == m->vaddr) {
            prev->size += m->size;
            continue;
        }
        RT_GROW(c->missing, cap, c->nmissing + 1);
        c->missing[c->nmissing].start = m->vaddr;
        c->missing[c->nmissing].size = m->size;
        c->nmissing++;
    }
    if (c->nmissing)
        ec_warn(c, "%s: the core is truncated: it has %llu bytes, its program headers need "
                "%llu; %zu address range(s) cannot be read", c->core->path,
                (unsigned long long)c->core->size, (unsigned long long)c->core_want, c->nmissing);
    return 0;
}

/* ------------------------------------------------------ lookups */

static const ec_map *lookup(ec_core *c, uint64_t addr)
{
    if (c->nmaps == 0)
        return NULL;
    const ec_map *m = &c->maps[atomic_load_explicit(&c->last, memory_order_relaxed)];
    if (addr - m->vaddr < m->size)
        return m;
    size_t lo = 0, hi = c->nmaps; /* first map starting above addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->maps[mid].vaddr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    m = &c->maps[lo - 1];
    if (addr - m->vaddr >= m->size)
        return NULL;
    atomic_store_explicit(&c->last, lo - 1, memory_order_relaxed);
    return m;
}

static int readable(const ec_map *m)
{
    return m->src == EC_SRC_CORE || m->src == EC_SRC_EXE;
}

static const uint8_t *map_ptr(const ec_core *c, const ec_map *m, uint64_t addr)
{
    const uint8_t *base = m->src == EC_SRC_CORE ? c->core->img : c->exe->img;
    return base + m->offset + (addr - m->vaddr);
}

const ec_map *ec_find_map(ec_core *c, uint64_t addr) { return lookup(c, addr); }

uint64_t ec_extent(ec_core *c, uint64_t addr, uint64_t max)
{
    uint64_t n = 0;
    while (n < max) {
        const ec_map *m = lookup(c, addr + n);
        if (!m || !readable(m) || m->src == EC_SRC_NONE || m->src == EC_SRC_TRUNCATED)
            break;
        uint64_t left = m->size - (addr + n - m->vaddr);
        if (left == 0 || n + left < n)
            break;
        n += left;
    }
    return n < max ? n : max;
}

static void perm_str(uint32_t p, char out[4])
{
    out[0] = p & EC_PERM_R ? 'r' : '-';
    out[1] = p & EC_PERM_W ? 'w' : '-';
    out[2] = p & EC_PERM_X ? 'x' : '-';
    out[3] = 0;
}

/* Why addr (the first byte of a read of n at start) cannot be read. */
static int read_fail(ec_core *c, uint64_t start, size_t n, uint64_t addr, const ec_map *m,
                     rt_error *err)
{
    if (!err)
        return m && m->src == EC_SRC_TRUNCATED ? -RT_E_TRUNCATED : -RT_E_NOTFOUND;
    rt_error_clear(err);
    rt_error_where(err, c->core->path, RT_NO_OFFSET, NULL);
    char what[80] = "";
    if (n > 1 || addr != start)
        snprintf(what, sizeof what, " (reading %zu bytes at 0x%llx)", n,
                 (unsigned long long)start);
    if (!m)
        return RT_FAIL(err, RT_E_NOTFOUND, "address 0x%llx is not mapped in the process%s",
                       (unsigned long long)addr, what);
    char perms[4];
    perm_str(m->perms, perms);
    unsigned long long lo = m->vaddr, hi = m->vaddr + m->size;
    if (m->src == EC_SRC_TRUNCATED)
        return RT_FAIL(err, RT_E_TRUNCATED,
                       "address 0x%llx%s is not in the core file: the core is truncated (it "
                       "would be at offset %llu; the file has %llu bytes)",
                       (unsigned long long)addr, what,
                       (unsigned long long)(m->offset + (addr - m->vaddr)),
                       (unsigned long long)c->core->size);
    const char *why;
    if (m->perms == 0)
        why = "an inaccessible (PROT_NONE) reservation the process could not read either";
    else if (!c->exe)
        why = "no executable is loaded to read it from";
    else if (!c->exe_info.bias_known)
        why = "the executable's load address is unknown";
    else
        why = "the executable's file image does not cover it (another file's mapping, or "
              "excluded by coredump_filter)";
    return RT_FAIL(err, RT_E_NOTFOUND,
                   "address 0x%llx%s was not dumped: the core leaves out mapping "
                   "0x%llx-0x%llx (%s) and %s",
                   (unsigned long long)addr, what, lo, hi, perms, why);
}

/* The read loop shared by ec_read and ec_read_from (only: a source, or
 * -1 for any readable one). */
static int read_loop(ec_core *c, uint64_t addr, void *dst, size_t n, int only, rt_error *err)
{
    uint8_t *out = dst;
    if (n == 0)
        return 0;
    if (n - 1 > UINT64_MAX - addr) {
        memset(dst, 0, n);
        if (!err)
            return -RT_E_NOTFOUND;
        rt_error_clear(err);
        rt_error_where(err, c->core->path, RT_NO_OFFSET, NULL);
        return RT_FAIL(err, RT_E_NOTFOUND, "reading %zu bytes at 0x%llx wraps past the end of "
                       "the address space", n, (unsigned long long)addr);
    }
    size_t done = 0;
    while (done < n) {
        uint64_t a = addr + done;
        const ec_map *m = lookup(c, a);
        if (!m || !readable(m) || (only >= 0 && m->src != (ec_src)only)) {
            memset(dst, 0, n);
            return read_fail(c, addr, n, a, m, err);
        }
        uint64_t avail = m->size - (a - m->vaddr);
        size_t k = n - done < avail ? n - done : (size_t)avail;
        memcpy(out + done, map_ptr(c, m, a), k);
        done += k;
    }
    return 0;
}

int ec_pread(ec_core *c, uint64_t addr, void *dst, size_t n)
{
    uint8_t *out = dst;
    if (n == 0)
        return 0;
    if (n - 1 > UINT64_MAX - addr)
        return -1;
    size_t done = 0;
    while (done < n) {
        uint64_t a = addr + done;
        const ec_map *m = lookup(c, a);
        if (!m || !readable(m))
            return -1;
        const elf_file *f = m->src == EC_SRC_CORE ? c->core : c->exe;
        uint64_t avail = m->size - (a - m->vaddr);
        size_t k = n - done < avail ? n - done : (size_t)avail;
        if (f->fd < 0) {
            memcpy(out + done, map_ptr(c, m, a), k);
        } else {
            uint64_t off = m->offset + (a - m->vaddr);
            size_t got = 0;
            while (got < k) {
                ssize_t r = pread(f->fd, out + done + got, k - got, (off_t)(off + got));
                if (r < 0 && errno == EINTR)
                    continue;
                if (r <= 0)
                    return -1; /* the file is shorter than its headers say */
                got += (size_t)r;
            }
        }
        done += k;
    }
    return 0;
}

int ec_read(ec_core *c, uint64_t addr, void *dst, size_t n, rt_error *err)
{
    return read_loop(c, addr, dst, n, -1, err);
}

int ec_read_from(ec_core *c, uint64_t addr, void *dst, size_t n, ec_src only)
{
    return read_loop(c, addr, dst, n, (int)only, NULL) ? -1 : 0;
}

int ec_read_u64(ec_core *c, uint64_t addr, uint64_t *out, rt_error *err)
{
    const uint8_t *p = ec_view(c, addr, 8);
    if (p) {
        memcpy(out, p, 8);
        return 0;
    }
    return read_loop(c, addr, out, 8, -1, err); /* spans two maps, or fails */
}

uint64_t ec_read_u64_or(ec_core *c, uint64_t addr, uint64_t dflt)
{
    uint64_t v;
    const uint8_t *p = ec_view(c, addr, 8);
    if (p) {
        memcpy(&v, p, 8);
        return v;
    }
    return read_loop(c, addr, &v, 8, -1, NULL) == 0 ? v : dflt;
}

const uint8_t *ec_view(ec_core *c, uint64_t addr, size_t n)
{
    const ec_map *m = lookup(c, addr);
    if (!m || !readable(m) || n > m->size - (addr - m->vaddr))
        return NULL;
    return map_ptr(c, m, addr);
}

char *ec_read_cstr(ec_core *c, uint64_t addr, size_t max)
{
    char *s = rt_malloc(max);
    for (size_t i = 0; i < max; i++) {
        const uint8_t *p = ec_view(c, addr + i, 1);
        if (!p || addr + i < addr)
            break;
        s[i] = (char)*p;
        if (!*p)
            return s;
    }
    free(s);
    return NULL;
}

void ec_release(ec_core *c, uint64_t addr, size_t n)
{
    if (n == 0 || c->nmaps == 0)
        return;
    uint64_t last = n - 1 > UINT64_MAX - addr ? UINT64_MAX : addr + (n - 1);
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    /* first map that may overlap: the one containing addr, or the next */
    size_t lo = 0, hi = c->nmaps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->maps[mid].vaddr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo ? lo - 1 : 0; i < c->nmaps && c->maps[i].vaddr <= last; i++) {
        const ec_map *m = &c->maps[i];
        uint64_t m_last = m->vaddr + (m->size - 1);
        if (!readable(m) || m_last < addr)
            continue;
        uint64_t a = addr > m->vaddr ? addr : m->vaddr, b = last < m_last ? last : m_last;
        const elf_file *f = m->src == EC_SRC_CORE ? c->core : c->exe;
        uint64_t off_lo = m->offset + (a - m->vaddr), off_hi = m->offset + (b - m->vaddr) + 1;
        off_lo &= ~(page - 1);
        off_hi = (off_hi + page - 1) & ~(page - 1);
        uint64_t map_len = (f->size + page - 1) & ~(page - 1);
        if (off_hi > map_len)
            off_hi = map_len;
        if (off_lo < off_hi)
            (void)madvise((void *)(f->img + off_lo), (size_t)(off_hi - off_lo), MADV_DONTNEED);
    }
}

void ec_release_all(ec_core *c)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    const elf_file *f[2] = { c->core, c->exe };
    for (int i = 0; i < 2; i++)
        if (f[i] && f[i]->img && f[i]->size)
            (void)madvise((void *)f[i]->img, (size_t)((f[i]->size + page - 1) & ~(page - 1)), MADV_DONTNEED);
}

const ec_range *ec_missing_ranges(const ec_core *c, size_t *n)
{
    *n = c->nmissing;
    return c->missing;
}

size_t ec_nmaps(const ec_core *c) { return c->nmaps; }

const ec_map *ec_map_at(const ec_core *c, size_t i)
{
    return i < c->nmaps ? &c->maps[i] : NULL;
}

const char *ec_src_name(ec_src src)
{
    switch (src) {
    case EC_SRC_CORE: return "core";
    case EC_SRC_EXE: return "executable";
    case EC_SRC_NONE: return "none";
    case EC_SRC_TRUNCATED: return "truncated";
    }
    return "?";
}
