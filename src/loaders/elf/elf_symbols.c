/* elf_symbols.c — reading STT_OBJECT and STT_FUNC symbols with libelf
 * (elf_symbols.h). */
#include "loaders/elf/elf_symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "elf/elf_core.h"
#include "io/input_file.h"
#include "util/alloc.h"

int elf_sniff(const uint8_t *buf, size_t n, int *is_core)
{
    if (n < 18 || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return 0;
    uint16_t type = buf[EI_DATA] == ELFDATA2MSB ? (uint16_t)(buf[16] << 8 | buf[17])
                                                : (uint16_t)(buf[17] << 8 | buf[16]);
    if (is_core)
        *is_core = type == ET_CORE;
    return 1;
}

static int cmp_sym(const void *a, const void *b)
{
    const elf_sym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    /* larger first, so a covering symbol wins over a zero-sized marker */
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void note_marker(elf_symtab *t, const char *name, uint64_t v)
{
    static const struct { const char *name; size_t off; } markers[] = {
        { "runtime.data", offsetof(elf_symtab, data) },
        { "runtime.edata", offsetof(elf_symtab, edata) },
        { "runtime.bss", offsetof(elf_symtab, bss) },
        { "runtime.ebss", offsetof(elf_symtab, ebss) },
        { "runtime.noptrdata", offsetof(elf_symtab, noptrdata) },
        { "runtime.enoptrdata", offsetof(elf_symtab, enoptrdata) },
    };
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++)
        if (strcmp(name, markers[i].name) == 0)
            memcpy((char *)t + markers[i].off, &v, sizeof v);
}

size_t elf_go_buildid_note(const uint8_t *p, size_t n, uint8_t *out, size_t cap)
{
    /* note: namesz 4, descsz, type 4, "Go\0\0", desc */
    uint32_t descsz;
    if (!p || n < 16)
        return 0;
    memcpy(&descsz, p + 4, 4);
    if (descsz > cap || 16 + (size_t)descsz > n)
        return 0;
    memcpy(out, p + 16, descsz);
    return descsz;
}

/* .go.buildinfo (Go 1.18+): 16 bytes "\xff Go buildinf:" with pointer
 * size and flags, padding to 32, then with flag 2 the version as a
 * varint-prefixed string. */
static void read_buildinfo(elf_symtab *t, const uint8_t *p, size_t n)
{
    static const char magic[] = "\xff Go buildinf:";
    if (n < 33 || memcmp(p, magic, 14) != 0 || !(p[15] & 2))
        return;
    size_t len = 0, i = 32;
    for (unsigned shift = 0; i < n && shift < 28; shift += 7) {
        len |= (size_t)(p[i] & 0x7f) << shift;
        if (!(p[i++] & 0x80))
            break;
    }
    if (len == 0 || len >= sizeof t->go_version || i + len > n)
        return;
    memcpy(t->go_version, p + i, len);
    t->go_version[len] = 0;
}

/* The Go build id note, and the sections a stripped executable still
 * shows: the pc-value table, noptrdata, the type descriptors' (rodata,
 * .go.type) and the build info. */
static void read_go_sections(elf_symtab *t, Elf *e, size_t shstrndx)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        const char *nm = elf_strptr(e, shstrndx, sh.sh_name);
        if (!nm)
            continue;
        static const char *const symsecs[] = ELF_SYMSECS;
        for (size_t i = 0; i < sizeof symsecs / sizeof symsecs[0]; i++)
            if (strcmp(nm, symsecs[i]) == 0)
                t->secs[i] = (struct elf_symsec){ sh.sh_addr, sh.sh_size };
        if ((strcmp(nm, ".gopclntab") == 0 || strcmp(nm, ".data.rel.ro.gopclntab") == 0 /* PIE */)) {
            t->sec_gopclntab = sh.sh_addr;
        } else if (strcmp(nm, ".go.module") == 0) {
            t->sec_gomodule = sh.sh_addr;
            t->sec_egomodule = sh.sh_addr + sh.sh_size;
        } else if (strcmp(nm, ".noptrdata") == 0) {
            t->sec_noptrdata = sh.sh_addr;
            t->sec_enoptrdata = sh.sh_addr + sh.sh_size;
        } else if (strcmp(nm, ".rodata") == 0) {
            t->sec_rodata = sh.sh_addr;
            t->sec_erodata = sh.sh_addr + sh.sh_size;
        } else if (strcmp(nm, ".go.type") == 0) {
            t->sec_gotype = sh.sh_addr;
            t->sec_egotype = sh.sh_addr + sh.sh_size;
        } else if (sh.sh_type == SHT_PROGBITS && strcmp(nm, ".go.buildinfo") == 0) {
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d && d->d_buf)
                read_buildinfo(t, d->d_buf, d->d_size);
        } else if (strcmp(nm, ".note.go.buildid") == 0) {
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d)
                t->go_buildid_len = elf_go_buildid_note(d->d_buf, d->d_size, t->go_buildid,
                                                        sizeof t->go_buildid);
        }
    }
}

int elf_symtab_from_elf(elf_symtab *t, Elf *e, const char *path, rt_error *err)
{
    memset(t, 0, sizeof *t);
    int rc = 0;
    GElf_Ehdr eh;
    size_t shstrndx;
    if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
        elf_getshdrstrndx(e, &shstrndx) != 0) {
        rt_error_where(err, path, 0, "reading ELF header");
        return RT_FAIL(err, RT_E_FORMAT, "not a readable ELF executable (%s)", elf_errmsg(-1));
    }
    if (eh.e_machine != EM_X86_64 || gelf_getclass(e) != ELFCLASS64) {
        rt_error_where(err, path, 18, "reading the ELF header");
        return RT_FAIL(err, RT_E_UNSUPPORTED, "the executable is for %s%s (e_machine %u); only x86-64 "
                       "is supported for now", gelf_getclass(e) != ELFCLASS64 ? "32-bit " : "",
                       ec_machine_name(eh.e_machine), eh.e_machine);
    }
    t->is_pie = eh.e_type == ET_DYN;
    read_go_sections(t, e, shstrndx);
    Elf_Scn *scn = NULL;
    size_t cap = 0, fcap = 0, names_len = 0, names_cap = 0;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        if (!d)
            continue;
        t->has_symtab = 1;
        size_t n = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym s;
            if (!gelf_getsym(d, (int)i, &s))
                continue;
            const char *nm = elf_strptr(e, sh.sh_link, s.st_name);
            if (!nm || !nm[0])
                continue;
            note_marker(t, nm, s.st_value);
            int type = GELF_ST_TYPE(s.st_info);
            if ((type != STT_OBJECT && type != STT_FUNC) || s.st_shndx == SHN_UNDEF)
                continue;
            size_t len = strlen(nm) + 1;
            elf_sym *sym;
            if (type == STT_FUNC) {
                RT_GROW(t->funcs, fcap, t->nfuncs + 1);
                sym = &t->funcs[t->nfuncs++];
            } else {
                RT_GROW(t->syms, cap, t->nsyms + 1);
                sym = &t->syms[t->nsyms++];
            }
            RT_GROW(t->names, names_cap, names_len + len);
            memcpy(t->names + names_len, nm, len);
            sym->addr = s.st_value;
            sym->size = s.st_size;
            sym->name = (const char *)(uintptr_t)names_len; /* fixed below */
            names_len += len;
        }
    }
    for (size_t i = 0; i < t->nsyms; i++)
        t->syms[i].name = t->names + (uintptr_t)t->syms[i].name;
    for (size_t i = 0; i < t->nfuncs; i++)
        t->funcs[i].name = t->names + (uintptr_t)t->funcs[i].name;
    if (t->nsyms)
        qsort(t->syms, t->nsyms, sizeof *t->syms, cmp_sym);
    if (t->nfuncs)
        qsort(t->funcs, t->nfuncs, sizeof *t->funcs, cmp_sym);
    return rc;
}

int elf_symtab_load(elf_symtab *t, const char *path, rt_error *err)
{
    memset(t, 0, sizeof *t);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return RT_FAIL(err, RT_E_IO, "libelf is unusable: %s", elf_errmsg(-1));
    int fd = input_file_open(path, "executable", NULL, err);
    if (fd < 0)
        return fd;
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    int rc = elf_symtab_from_elf(t, e, path, err);
    if (e)
        elf_end(e);
    close(fd);
    if (rc)
        elf_symtab_free(t);
    return rc;
}

void elf_symtab_free(elf_symtab *t)
{
    free(t->syms);
    free(t->funcs);
    free(t->names);
    t->syms = t->funcs = NULL;
    t->names = NULL;
    t->nsyms = t->nfuncs = 0;
}

static const elf_sym *find_in(const elf_sym *syms, size_t n, uint64_t addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* syms[0..lo) start at or below addr: the closest one covering it
     * wins (symbols rarely nest, so the walk back stays short). */
    for (size_t i = lo, steps = 0; i > 0 && steps < 8; i--, steps++)
        if (addr - syms[i - 1].addr < syms[i - 1].size)
            return &syms[i - 1];
    return NULL;
}

/* The third part of a Go build id ("a/b/c/d"): the main package's
 * compile; its length, 0 if there is none. */
static size_t compile_id(const elf_symtab *t, const uint8_t **p)
{
    const uint8_t *s = t->go_buildid, *end = s + t->go_buildid_len;
    for (int slash = 0; s < end && slash < 2; s++)
        slash += *s == '/';
    const uint8_t *e = s;
    while (e < end && *e != '/')
        e++;
    *p = s;
    return (size_t)(e - s);
}

/* Move the symbols of syms[0..n) that lie in names' section k to exe's. */
static void move_syms(elf_sym *syms, size_t n, const elf_symtab *names, const elf_symtab *exe, size_t k)
{
    const struct elf_symsec *from = &names->secs[k], *to = &exe->secs[k];
    for (size_t i = 0; i < n; i++)
        if (syms[i].addr >= from->addr && syms[i].addr < from->addr + from->size)
            syms[i].addr = syms[i].addr - from->addr + to->addr;
}

int elf_symtab_adopt(elf_symtab *names, const elf_symtab *exe, const char *names_path, const char *exe_path,
                     rt_error *err)
{
    static const char *const secname[] = ELF_SYMSECS;
    const uint8_t *a, *b;
    size_t na = compile_id(names, &a), nb = compile_id(exe, &b);
    rt_error_where(err, names_path, RT_NO_OFFSET, "taking symbols from an unstripped build (--symbols)");
    if (!names->has_symtab || !names->nsyms)
        return RT_FAIL(err, RT_E_FORMAT, "it has no symbol table; give an unstripped build of the program");
    if (!na || na != nb || memcmp(a, b, na) != 0)
        return RT_FAIL(err, RT_E_MISMATCH, "it is another build than %s (their Go build ids' main "
                       "package parts differ); build the same source with the same toolchain, without "
                       "-s -w", exe_path);
    for (size_t k = 0; k < sizeof secname / sizeof secname[0]; k++)
        if (names->secs[k].size != exe->secs[k].size)
            return RT_FAIL(err, RT_E_MISMATCH, "its %s section has %llu bytes, %s's %llu: another build",
                           secname[k], (unsigned long long)names->secs[k].size, exe_path,
                           (unsigned long long)exe->secs[k].size);
    for (size_t k = 0; k < sizeof secname / sizeof secname[0]; k++) {
        move_syms(names->syms, names->nsyms, names, exe, k);
        move_syms(names->funcs, names->nfuncs, names, exe, k);
    }
    /* the moves keep each section's order; sections may have moved past
     * one another only in theory: sort again */
    qsort(names->syms, names->nsyms, sizeof *names->syms, cmp_sym);
    qsort(names->funcs, names->nfuncs, sizeof *names->funcs, cmp_sym);
    /* the segment markers: an end marker may sit just past its section */
    uint64_t *marks[] = { &names->data, &names->edata, &names->bss, &names->ebss, &names->noptrdata,
                          &names->enoptrdata };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        for (size_t k = 0; k < sizeof secname / sizeof secname[0]; k++) {
            const struct elf_symsec *from = &names->secs[k];
            if (*marks[i] && *marks[i] >= from->addr && *marks[i] <= from->addr + from->size) {
                *marks[i] = *marks[i] - from->addr + exe->secs[k].addr;
                break;
            }
        }
    names->is_pie = exe->is_pie;
    memcpy(names->go_buildid, exe->go_buildid, sizeof names->go_buildid);
    names->go_buildid_len = exe->go_buildid_len;
    names->sec_gopclntab = exe->sec_gopclntab;
    names->sec_noptrdata = exe->sec_noptrdata;
    names->sec_enoptrdata = exe->sec_enoptrdata;
    names->sec_gomodule = exe->sec_gomodule;
    names->sec_egomodule = exe->sec_egomodule;
    memcpy(names->go_version, exe->go_version, sizeof names->go_version);
    memcpy(names->secs, exe->secs, sizeof names->secs);
    rt_error_clear(err);
    return 0;
}

uint64_t elf_symtab_lookup(const elf_symtab *t, const char *name)
{
    for (size_t i = 0; i < t->nsyms; i++)
        if (strcmp(t->syms[i].name, name) == 0)
            return t->syms[i].addr;
    return 0;
}

const elf_sym *elf_symtab_find(const elf_symtab *t, uint64_t addr)
{
    return find_in(t->syms, t->nsyms, addr);
}

const elf_sym *elf_symtab_find_func(const elf_symtab *t, uint64_t addr)
{
    return find_in(t->funcs, t->nfuncs, addr);
}

int elf_is_go_elf(Elf *e)
{
    size_t shstrndx;
    if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx) != 0)
        return -1;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        const char *nm = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
        if (nm && (!strcmp(nm, ".note.go.buildid") || !strcmp(nm, ".gopclntab") || !strcmp(nm, ".go.buildinfo")))
            return 1;
    }
    return 0;
}
