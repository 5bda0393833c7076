/* exe_file.c — the executable handle (exe_file.h): one open file and what
 * is read from it on first use. */
#include "loaders/elf/exe_file.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define PCLN_MAX (1ULL << 30) /* no real table is this large */
#define NOTE_GNU_BUILD_ID 3

/* One pc-value table read with one go:func.* address. */
typedef struct exe_pcln_slot {
    gp_table *tab;    /* NULL: not read */
    uint64_t gofunc;
} exe_pcln_slot;

struct exe_file {
    elf_file *f;              /* owned */
    bool have_ids;
    elf_debug_ids ids;
    bool have_syms;
    elf_symtab syms;
    /* heap dumps read the table without funcdata (types, profile check)
     * and with it (inline expansion): two at most */
    exe_pcln_slot pcln[2];
    dw_info *dw;
    exe_file *debug;          /* the separate debug file, owned, or NULL */
};

int exe_open(exe_file **out, const char *path, const char *what, rt_error *err)
{
    elf_file *f;
    *out = NULL;
    int rc = ef_open(&f, path, what, err);
    if (rc)
        return rc;
    *out = exe_from_file(f);
    return 0;
}

exe_file *exe_from_file(elf_file *f)
{
    exe_file *x = rt_calloc(1, sizeof *x);
    x->f = f;
    return x;
}

void exe_close(exe_file *x)
{
    if (!x)
        return;
    if (x->have_syms)
        elf_symtab_free(&x->syms);
    for (size_t i = 0; i < sizeof x->pcln / sizeof x->pcln[0]; i++)
        gp_close(x->pcln[i].tab);
    dwi_close(x->dw); /* before the file: it reads it until closed */
    exe_close(x->debug);
    ef_close(x->f);
    free(x);
}

const char *exe_path(const exe_file *x) { return x->f->path; }
elf_file *exe_elf_file(exe_file *x) { return x->f; }

/* libelf over the file, with its section names (*shstrndx): ELF_C_READ,
 * as DWARF inflates sections in place through the same handle
 * (dw_secs_load). */
static Elf *begin(exe_file *x, const char *phase, size_t *shstrndx, rt_error *err)
{
    rt_error e;
    rt_error_clear(&e);
    Elf *elf = ef_begin(x->f, ELF_C_READ, &e);
    if (!elf || elf_getshdrstrndx(elf, shstrndx) != 0) {
        rt_error_where(err, x->f->path, RT_NO_OFFSET, phase);
        RT_FAIL(err, RT_E_FORMAT, "not an ELF file libelf can read: %s", elf_errmsg(-1));
        return NULL;
    }
    return elf;
}

/* ---------------------------------------------------------------- ids */

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/* The GNU build id among the notes of one SHT_NOTE section's bytes. */
static void find_build_id(const uint8_t *p, size_t len, elf_debug_ids *ids)
{
    size_t off = 0;
    while (off + 12 <= len) {
        uint32_t nsz, dsz, type;
        memcpy(&nsz, p + off, 4);
        memcpy(&dsz, p + off + 4, 4);
        memcpy(&type, p + off + 8, 4);
        size_t name = off + 12, desc = name + pad4(nsz);
        if (pad4(nsz) > len - name || pad4(dsz) > len - desc)
            return;
        if (type == NOTE_GNU_BUILD_ID && nsz == 4 && memcmp(p + name, "GNU", 4) == 0 && dsz > 0 &&
            dsz <= sizeof ids->build_id) {
            memcpy(ids->build_id, p + desc, dsz);
            ids->build_id_len = dsz;
            return;
        }
        off = desc + pad4(dsz);
    }
}

/* .gnu_debuglink: a NUL-terminated name, padded to 4, then a CRC-32. */
static void read_debuglink(const Elf_Data *d, elf_debug_ids *ids)
{
    if (!d || !d->d_buf)
        return;
    const char *s = d->d_buf;
    size_t len = strnlen(s, d->d_size);
    size_t crc_at = pad4(len + 1);
    if (len == 0 || len >= sizeof ids->debuglink || crc_at + 4 > d->d_size || strchr(s, '/'))
        return;
    memcpy(ids->debuglink, s, len);
    ids->debuglink[len] = 0;
    memcpy(&ids->debuglink_crc, (const uint8_t *)d->d_buf + crc_at, 4);
}

static int read_ids(exe_file *x, elf_debug_ids *ids, rt_error *err)
{
    memset(ids, 0, sizeof *ids);
    size_t shstrndx;
    Elf *e = begin(x, "reading section headers", &shstrndx, err);
    if (!e)
        return -RT_E_FORMAT;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        const char *nm = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
        if (!nm)
            continue;
        int bits = sh.sh_type != SHT_NOBITS && sh.sh_size > 0;
        if (strcmp(nm, ".debug_info") == 0 || strcmp(nm, ".zdebug_info") == 0)
            ids->has_dwarf |= bits;
        else if (strcmp(nm, ".text") == 0)
            ids->has_code |= bits;
        else if (sh.sh_type == SHT_NOTE && strcmp(nm, ".note.go.buildid") == 0) {
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d)
                ids->go_build_id_len = elf_go_buildid_note(d->d_buf, d->d_size, ids->go_build_id,
                                                           sizeof ids->go_build_id);
        } else if (sh.sh_type == SHT_NOTE && !ids->build_id_len) {
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d && d->d_buf)
                find_build_id(d->d_buf, d->d_size, ids);
        } else if (strcmp(nm, ".gnu_debuglink") == 0 && bits) {
            read_debuglink(elf_getdata(scn, NULL), ids);
        }
    }
    return 0;
}

int exe_ids(exe_file *x, const elf_debug_ids **out, rt_error *err)
{
    *out = NULL;
    if (!x->have_ids) {
        int rc = read_ids(x, &x->ids, err);
        if (rc)
            return rc;
        x->have_ids = true;
    }
    *out = &x->ids;
    return 0;
}

int exe_is_go(exe_file *x)
{
    rt_error e;
    size_t shstrndx;
    rt_error_clear(&e);
    Elf *elf = begin(x, NULL, &shstrndx, &e);
    return elf ? elf_is_go_elf(elf) : -1;
}

/* ---------------------------------------------------------------- symbols */

int exe_symtab(exe_file *x, const elf_symtab **out, rt_error *err)
{
    *out = NULL;
    if (!x->have_syms) {
        rt_error e;
        rt_error_clear(&e);
        /* elf_symtab_from_elf words the error of a file libelf cannot read */
        Elf *elf = ef_begin(x->f, ELF_C_READ, &e);
        int rc = elf_symtab_from_elf(&x->syms, elf, x->f->path, err);
        if (rc)
            return rc;
        x->have_syms = true;
    }
    *out = &x->syms;
    return 0;
}

/* ---------------------------------------------------------------- pc-value table */

int exe_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    exe_file *x = ctx;
    return ef_read_addr(x->f, addr, buf, n);
}

/* The table's bytes, straight from the file's mapping; *text the .text
 * section's address (0 without one). */
static const uint8_t *pcln_bytes(exe_file *x, uint64_t *len, uint64_t *text, rt_error *err)
{
    GElf_Shdr sh;
    const uint8_t *p = NULL;
    size_t shstrndx;
    *len = 0;
    *text = 0;
    if (!begin(x, "reading section headers", &shstrndx, err))
        return NULL;
    if (ef_section(x->f, ".text", &sh, NULL))
        *text = sh.sh_addr;
    if ((ef_section(x->f, ".gopclntab", &sh, NULL) ||
         ef_section(x->f, ".data.rel.ro.gopclntab", &sh, NULL) /* PIE */) &&
        sh.sh_type == SHT_PROGBITS)
        p = ef_section_bytes(x->f, &sh);
    if (!p || sh.sh_size == 0 || sh.sh_size > PCLN_MAX) {
        rt_error_where(err, x->f->path, RT_NO_OFFSET, "reading .gopclntab");
        RT_FAIL(err, RT_E_FORMAT, "the executable has no Go pc-value table (.gopclntab)");
        return NULL;
    }
    *len = sh.sh_size;
    return p;
}

int exe_pcln(exe_file *x, uint64_t gofunc, gp_table **out, rt_error *err)
{
    *out = NULL;
    exe_pcln_slot *free_slot = NULL;
    for (size_t i = 0; i < sizeof x->pcln / sizeof x->pcln[0]; i++) {
        if (x->pcln[i].tab && x->pcln[i].gofunc == gofunc) {
            *out = x->pcln[i].tab;
            return 0;
        }
        if (!x->pcln[i].tab && !free_slot)
            free_slot = &x->pcln[i];
    }
    if (!free_slot)
        return RT_FAIL(err, RT_E_USAGE, "exe_pcln: more go:func.* addresses than slots");
    uint64_t len, text;
    const uint8_t *bytes = pcln_bytes(x, &len, &text, err);
    if (!bytes)
        return -(int)err->code;
    gp_source src = { .data = bytes, .len = (size_t)len, .text_start = text, .what = x->f->path,
                      .gofunc = gofunc, .read = gofunc ? exe_read : NULL, .read_ctx = x };
    int rc = gp_open(&src, &free_slot->tab, err);
    if (rc) {
        free_slot->tab = NULL;
        return rc;
    }
    free_slot->gofunc = gofunc;
    *out = free_slot->tab;
    return 0;
}

/* ---------------------------------------------------------------- DWARF */

int exe_dwarf(exe_file *x, dw_info **out, rt_error *err)
{
    *out = NULL;
    if (!x->dw) {
        int rc = dwi_open_file(&x->dw, x->f, err);
        if (rc)
            return rc;
    }
    *out = x->dw;
    return 0;
}

/* ---------------------------------------------------------------- debug file */

void exe_debug_attach(exe_file *x, exe_file *debug)
{
    if (x->debug != debug)
        exe_close(x->debug);
    x->debug = debug;
}

exe_file *exe_debug(const exe_file *x) { return x->debug; }
