/* heapdump_typing.c — types of a heap dump's objects, given its
 * executable: the propagation of loaders/typing over the dump's bytes.
 *
 * A dump holds the contents of every object, of data and bss and of every
 * stack frame; their file offsets are kept while loading (objects in
 * pass 2, regions in pass 1).  While typing, the file is mapped and the
 * propagation reads the bytes where they lie (a pread each was a system
 * call per object visited: a quarter of a 10M-object dump's load); the
 * pages it leaves resident are given back once they add up, as a core's
 * are.  Where the file cannot be mapped they are read with pread.  What a core would
 * read from read-only memory the dump states in records instead: an
 * itab's type (itab records; served as the word at itab+8), a runtime
 * type's name (type records).  A runtime _type is the DWARF type the
 * linker tied to its address (DW_AT_go_runtime_type), else the DWARF type
 * of its recorded name, else a type known by that name only.
 *
 * Without DWARF (a stripped executable), the runtime's type descriptors
 * are read from the executable's file, as a core reads them from memory
 * (loaders/typing/typing_rtypes.h): malloc headers and the interface
 * values in the dump seed the propagation.  A position-independent
 * executable's descriptors hold addresses the loader fills in at run
 * time, which the file does not have: those dumps stay untyped. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "io/resident.h"
#include "loaders/gocore/gocore_load.h"
#include "loaders/heapdump/heapdump_int.h"
#include "util/alloc.h"

#define FILE_CHUNK (16u << 10)
#define RESIDENT_MAX (32ULL << 20) /* mapped pages kept before giving them back */

void hd_typing_region(hd_load *L, const hd_record *r)
{
    if (!L->ty || !r->contents.len)
        return;
    RT_GROW(L->regions, L->cap_region, L->nregion + 1);
    L->regions[L->nregion++] = (hd_region){ r->addr, r->contents.len, r->contents.off };
}

void hd_typing_itab(hd_load *L, const hd_record *r)
{
    if (!L->ty)
        return;
    RT_GROW(L->itabs, L->cap_itab, L->nitab + 1);
    L->itabs[L->nitab++] = (hd_itab){ r->addr, r->type };
}

static int cmp_region(const void *a, const void *b)
{
    const hd_region *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_itab(const void *a, const void *b)
{
    const hd_itab *x = a, *y = b;
    return x->itab < y->itab ? -1 : x->itab > y->itab;
}

/* The region holding [addr, addr+n), or NULL. */
static const hd_region *region_at(const hd_load *L, uint64_t addr, size_t n)
{
    size_t lo = 0, hi = L->nregion;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (L->regions[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    const hd_region *g = &L->regions[lo - 1];
    return addr - g->addr <= g->len && n <= g->len - (addr - g->addr) ? g : NULL;
}

static void mem_release(void *ctx)
{
    hd_load *L = ctx;
    L->map_touched = 0;
    if (L->map && resident_mapped_over(RESIDENT_MAX))
        (void)madvise((void *)L->map, L->map_len, MADV_DONTNEED);
}

/* The n bytes at file offset off in the mapping, NULL when there is none
 * or they lie past it.  Objects far apart cost a page each: past
 * RESIDENT_MAX of such touches the resident pages are looked at here
 * too, as the propagation's own offers (every so many objects) let a
 * burst of them pile up. */
static const uint8_t *map_at(hd_load *L, uint64_t off, size_t n)
{
    if (!L->map || off > L->map_len || n > L->map_len - off)
        return NULL;
    L->map_touched += n < 4096 ? 4096 : n;
    if (L->map_touched >= RESIDENT_MAX)
        mem_release(L);
    return L->map + off;
}

/* n bytes of the dump at file offset off: from the mapping while there
 * is one, else through a chunk read ahead: the propagation walks objects
 * in address order, which is mostly the order the dump wrote them in, so
 * one read serves many. */
static int read_file(hd_load *L, uint64_t off, void *buf, size_t n)
{
    rt_error e;
    const uint8_t *in_map = map_at(L, off, n);
    if (in_map) { /* the propagation's word reads outside the value it walks */
        memcpy(buf, in_map, n);
        return 0;
    }
    if (off >= L->fchunk_off && off - L->fchunk_off + n <= L->fchunk_len) {
        memcpy(buf, L->fchunk + (off - L->fchunk_off), n);
        return 0;
    }
    /* a read far from the one before (the search jumps between lists,
     * one node of each per level): just its bytes, since a chunk read
     * ahead there would be copied for nothing; reads that follow one
     * another (a level in address order, the file's order) share chunks */
    int near = off >= L->fchunk_next && off - L->fchunk_next < 4096;
    L->fchunk_next = off + n;
    if (n > FILE_CHUNK || !near)
        return rd_pread(&L->p.rd, off, buf, n, &e) == 0 ? 0 : -1;
    if (!L->fchunk)
        L->fchunk = rt_malloc(FILE_CHUNK);
    /* from the page holding off: the page cache's unit */
    uint64_t size = hd_file_size(&L->p), at = off & ~(uint64_t)4095;
    size_t len = at < size && size - at < FILE_CHUNK ? (size_t)(size - at) : FILE_CHUNK;
    L->fchunk_len = 0;
    if (len < off - at + n) /* past the end, or across the chunk */
        return rd_pread(&L->p.rd, off, buf, n, &e) == 0 ? 0 : -1;
    if (rd_pread(&L->p.rd, at, L->fchunk, len, &e) != 0)
        return -1;
    L->fchunk_off = at;
    L->fchunk_len = len;
    memcpy(buf, L->fchunk + (off - at), n);
    return 0;
}

/* The file offset of the n bytes at addr: inside one object or one
 * region.  0 when found, 1 when addr is in an object but the bytes are
 * not all there, -1 when nothing holds addr. */
static int file_offset(const hd_load *L, uint64_t addr, size_t n, uint64_t *off)
{
    const rt_model *m = L->m;
    uint32_t j = model_find(m, addr);
    if (j != RT_NONE) {
        const rt_object *o = &m->objects[j];
        if (L->obj_off[j] == UINT64_MAX || n > o->base + o->size - addr)
            return 1;
        *off = L->obj_off[j] + (addr - o->base);
        return 0;
    }
    const hd_region *g = region_at(L, addr, n);
    if (!g)
        return -1;
    *off = g->off + (addr - g->addr);
    return 0;
}

/* The bytes in place, in the mapping; NULL sends the caller to read. */
static const uint8_t *mem_view(void *ctx, uint64_t addr, size_t n)
{
    hd_load *L = ctx;
    uint64_t off;
    return L->map && file_offset(L, addr, n, &off) == 0 ? map_at(L, off, n) : NULL;
}

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    hd_load *L = ctx;
    uint64_t off;
    int found = file_offset(L, addr, n, &off);
    if (found == 1)
        return -1;
    if (found == 0)
        return read_file(L, off, buf, n);
    if (n == 8 && addr >= 8) {
        /* itab+8: the itab's type, as its record says */
        size_t lo = 0, hi = L->nitab;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (L->itabs[mid].itab < addr - 8)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < L->nitab && L->itabs[lo].itab == addr - 8) {
            memcpy(buf, &L->itabs[lo].type, 8);
            return 0;
        }
    }
    return -1;
}

/* Whether an interface stores a value of type id in its data word: the
 * pointer-shaped kinds, and structs and arrays of one pointer. */
static int direct_iface(const rt_model *m, uint32_t id)
{
    const rt_type *t = model_type(m, id);
    if (!t)
        return 0;
    switch ((rt_type_kind)t->kind) {
    case RT_TK_POINTER:
    case RT_TK_MAP:
    case RT_TK_CHAN:
    case RT_TK_FUNC:
    case RT_TK_UNSAFE:
        return 1;
    case RT_TK_STRUCT:
        for (uint32_t i = 0; i < t->nfield && t->size == 8; i++) {
            const rt_field *f = &m->fields[t->field_start + i];
            const rt_type *ft = model_type(m, f->type);
            if (ft && ft->size == 8)
                return direct_iface(m, f->type);
        }
        return 0;
    case RT_TK_ARRAY:
        return t->len == 1 && t->size == 8 && direct_iface(m, t->elem);
    default:
        return 0;
    }
}

uint32_t hd_typing_rtype(hd_load *L, uint64_t addr)
{
    if (!L->dw)
        return L->rtypes ? ty_rtype(L->rtypes, addr, NULL) : 0;
    uint32_t id = 0;
    const dw_type *dt = dwi_type_by_rtype(L->dw, addr - (uint64_t)L->bias);
    if (dt)
        id = ty_from_dwarf(L->ty, dt);
    if (!id) {
        uint32_t name = hd_type_name(L, addr);
        if (name) {
            id = ty_dwarf_named(L->ty, strpool_get(L->m->strings, name));
            if (!id)
                id = model_type_named(L->m, name, 0);
        }
    }
    return id;
}

static uint32_t mem_rtype(void *ctx, uint64_t addr, int *direct)
{
    hd_load *L = ctx;
    if (!L->dw)
        return L->rtypes ? ty_rtype(L->rtypes, addr, direct) : 0;
    uint32_t id = hd_typing_rtype(L, addr);
    *direct = direct_iface(L->m, id);
    return id;
}

/* A closure's context type, by its function: from DWARF, else named from
 * the pc-value table. */
static uint32_t mem_closure(void *ctx, uint64_t pc)
{
    hd_load *L = ctx;
    uint64_t link = pc - (uint64_t)L->bias;
    if (L->dw) {
        const dw_func *f = dwi_func_at(L->dw, link);
        return f && f->lowpc == link ? ty_closure(L->ty, f) : 0;
    }
    gp_func f;
    char name[512];
    if (!L->exe_pcln || gp_func_at(L->exe_pcln, link, &f) != 0 || f.entry != link)
        return 0;
    snprintf(name, sizeof name, "closure %s", f.name);
    return model_type_named(L->m, strpool_intern_cstr(L->m->strings, name), 8);
}

/* The dump's addresses are run-time ones: the file speaks link-time. */
static int descriptor_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    hd_load *L = ctx;
    return exe_read(L->exe, addr - (uint64_t)L->bias, buf, n);
}

int hd_typing_descriptors(hd_load *L, exe_file *x, const elf_symtab *syms, char *why, size_t n)
{
    ty_rt_src src = { descriptor_read, L, { 0 }, 0, NULL, (uint64_t)L->bias };
    rt_error e;
    if (!L->have_params || gocore_rt_layout(&L->ver, &src.lay) != 0 || !src.lay.type_names_ok) {
        snprintf(why, n, "no descriptor layout is known for %s", L->have_params ? L->ver.text : "an unknown Go version");
        return -1;
    }
    if (syms->is_pie) {
        snprintf(why, n, "the executable is position-independent: its type descriptors hold addresses "
                         "filled in at run time");
        return -1;
    }
    /* the descriptors: .go.type (1.27+), else the start of .rodata (its
     * end bounds them: etypes has no section of its own) */
    uint64_t lo = syms->sec_gotype ? syms->sec_gotype : syms->sec_rodata;
    uint64_t hi = syms->sec_gotype ? syms->sec_egotype : syms->sec_erodata;
    if (!lo) {
        snprintf(why, n, "the executable has no .rodata section");
        return -1;
    }
    if (exe_pcln(x, 0, &L->exe_pcln, &e) != 0) {
        snprintf(why, n, "%s", e.msg);
        return -1;
    }
    L->exe = x;
    src.types_base = L->types_lo = lo + (uint64_t)L->bias;
    L->types_hi = hi + (uint64_t)L->bias;
    L->rtypes = ty_rtypes_new(L->ty, &src);
    return 0;
}

void hd_typing_free(hd_load *L)
{
    ty_rtypes_free(L->rtypes);
    L->rtypes = NULL;
    L->exe_pcln = NULL; /* the handle's */
}

void hd_typing_run(hd_load *L, ty_propagate_fn propagate)
{
    if (!L->ty || !L->obj_off)
        return;
    if (L->nregion)
        qsort(L->regions, L->nregion, sizeof *L->regions, cmp_region);
    if (L->nitab)
        qsort(L->itabs, L->nitab, sizeof *L->itabs, cmp_itab);
    ty_mem mem = { mem_read, mem_rtype, mem_closure, mem_release, L, 0, mem_view };
    /* private and read-only: nothing is ever written to the dump */
    uint64_t size = hd_file_size(&L->p);
    void *map = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, L->p.rd.fd, 0) : MAP_FAILED;
    if (map != MAP_FAILED) {
        L->map = map;
        L->map_len = size;
        (void)madvise(map, size, MADV_RANDOM);
    }
    if (!L->dw && L->rtypes) {
        uint64_t seeded = ty_iface_seeds(L->rtypes, L->m, &mem, L->types_lo, L->types_hi);
        if (seeded)
            model_warn(L->m, "without DWARF, %llu objects were typed from the interface values pointing at them",
                       (unsigned long long)seeded);
    }
    ty_stats st;
    propagate(L->ty, &mem, L->prog, &st);
    if (L->map)
        munmap((void *)L->map, L->map_len);
    L->map = NULL;
}
