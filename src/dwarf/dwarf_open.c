/* dwarf_open.c — dwi_open / dwi_close (dwarf_info.h): check the ELF file,
 * open libdwarf on it, run the walk and the link, close libdwarf.  The
 * file is opened once, by the caller (the executable handle): libelf and
 * libdwarf both read its one descriptor.
 *
 * The ELF check comes first and uses libelf, because libdwarf answers a
 * stripped binary, a non-ELF file and a zstd-compressed section alike with
 * "no entry" or a terse error; we want to tell the user which it is. It
 * also finds the section holding the runtime types, the base of
 * DW_AT_go_runtime_type. */
#include <dwarf.h>
#include <gelf.h>
#include <libdwarf.h>
#include <libelf.h>
#include <string.h>
#include <time.h>

#include "dwarf/dwarf_int.h"
#include "util/alloc.h"

#ifndef ELFCOMPRESS_ZLIB
#define ELFCOMPRESS_ZLIB 1
#endif

typedef struct elf_facts {
    bool has_info;           /* .debug_info or .zdebug_info */
    bool info_compressed;    /* SHF_COMPRESSED */
    uint32_t info_ctype;     /* its ch_type */
    bool has_gotype, has_rodata;
    uint64_t gotype, rodata; /* section addresses */
} elf_facts;

static int elf_check(elf_file *f, elf_facts *facts, rt_error *err)
{
    memset(facts, 0, sizeof *facts);
    rt_error e;
    rt_error_clear(&e);
    /* ELF_C_READ: dw_secs_load inflates sections in place */
    Elf *elf = ef_begin(f, ELF_C_READ, &e);
    size_t shstrndx = 0;
    if (!elf)
        return RT_FAIL(err, RT_E_FORMAT,
                       "not an ELF file; give the Go executable the core or dump came from");
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return RT_FAIL(err, RT_E_CORRUPT, "cannot read the ELF section names: %s", elf_errmsg(-1));
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
        if (!name)
            continue;
        if (strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0) {
            facts->has_info = sh.sh_size > 0;
            if (sh.sh_flags & SHF_COMPRESSED) {
                GElf_Chdr ch;
                facts->info_compressed = true;
                facts->info_ctype = gelf_getchdr(scn, &ch) ? ch.ch_type : 0;
            }
        } else if (strcmp(name, ".go.type") == 0) {
            facts->has_gotype = true;
            facts->gotype = sh.sh_addr;
        } else if (strcmp(name, ".rodata") == 0) {
            facts->has_rodata = true;
            facts->rodata = sh.sh_addr;
        }
    }
    return 0;
}

static int no_dwarf(rt_error *err)
{
    return RT_FAIL(err, RT_E_NOTFOUND,
                   "the executable has no DWARF debug information (no .debug_info "
                   "section): it was built with -ldflags=-s -w or stripped. Runtime "
                   "struct layouts, constants and global variable types come from "
                   "DWARF, so the core cannot be read with it; use the unstripped "
                   "build of the same source and toolchain");
}

/* 0 when the open file is still what d was read from. */
int dw_same_file(const dw_info *d, rt_error *err)
{
    if (!ef_unchanged(d->file))
        return RT_FAIL(err, RT_E_MISMATCH,
                       "the executable changed on disk since its DWARF was first read");
    return 0;
}

double dw_elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int open_into(dw_info *d, rt_error *err)
{
    elf_facts f;
    int rc = elf_check(d->file, &f, err);
    if (rc)
        return rc;
    if (!f.has_info)
        return no_dwarf(err);
    if (f.info_compressed && f.info_ctype != ELFCOMPRESS_ZLIB)
        return RT_FAIL(err, RT_E_UNSUPPORTED,
                       "the DWARF sections are compressed with an algorithm other than "
                       "zlib (ch_type %u); decompress them with "
                       "objcopy --decompress-debug-sections",
                       (unsigned)f.info_ctype);
    /* ≤1.26 keep the types at the start of .rodata, 1.27 in .go.type */
    d->has_types_base = f.has_gotype || f.has_rodata;
    d->types_base = f.has_gotype ? f.gotype : f.rodata;

    void *dbg = NULL;
    rc = dw_lib_open(d->file, &dbg, err);
    if (rc)
        return rc;
    dw_build b = { .d = d, .dbg = dbg, .err = err };
    rc = dw_walk(&b);
    if (!rc)
        rc = dw_link(&b);
    dw_build_free(&b);
    /* kept for dwi_load_locals, which comes next, so that the sections
     * are decompressed once (closed there, or by dwi_close) */
    if (rc)
        dw_lib_close(dbg);
    else
        d->dbg = dbg;
    return rc;
}

int dw_lib_open(elf_file *f, void **out, rt_error *err)
{
    Dwarf_Debug dbg = NULL;
    Dwarf_Error e = NULL;
    /* dwarf_init_b reads the descriptor we hold (libdwarf's own ELF
     * reader, as dwarf_init_path uses, which would open the file twice
     * more); it neither owns nor closes it.  It moves the file offset:
     * everyone else reads with pread or through the mapping.  No errhand:
     * with a Dwarf_Error* libdwarf returns DW_DLV_ERROR instead of calling
     * abort() */
    int r = dwarf_init_b(f->fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &dbg, &e);
    if (r == DW_DLV_NO_ENTRY)
        return no_dwarf(err);
    if (r != DW_DLV_OK) {
        int rc = RT_FAIL(err, RT_E_CORRUPT, "libdwarf cannot open the executable's DWARF: %s",
                         e ? dwarf_errmsg(e) : "unknown error");
        if (e)
            dwarf_dealloc_error(dbg, e);
        return rc;
    }
    *out = dbg;
    return 0;
}

void dw_lib_close(void *dbg)
{
    Dwarf_Error e = NULL;
    if (dbg && dwarf_finish((Dwarf_Debug)dbg, &e) == DW_DLV_ERROR && e)
        dwarf_dealloc_error(NULL, e);
}

int dwi_open_file(dw_info **out, elf_file *f, rt_error *err)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *out = NULL;
    dw_info *d = rt_calloc(1, sizeof *d);
    d->path = rt_strdup(f->path);
    d->file = f;
    int rc = open_into(d, err);
    if (rc) {
        rt_error_where(err, f->path, RT_NO_OFFSET, "reading DWARF");
        dwi_close(d);
        return rc;
    }
    d->stats.load_ms = dw_elapsed_ms(&t0);
    *out = d;
    return 0;
}

int dwi_open(dw_info **out, const char *exe_path, rt_error *err)
{
    elf_file *f;
    *out = NULL;
    int rc = ef_open(&f, exe_path, "executable", err);
    if (rc) {
        rt_error_where(err, exe_path, RT_NO_OFFSET, "reading DWARF");
        return rc;
    }
    if ((rc = dwi_open_file(out, f, err)) != 0) {
        ef_close(f);
        return rc;
    }
    (*out)->own_file = true;
    return 0;
}

void dwi_close(dw_info *d)
{
    if (!d)
        return;
    dw_lib_close(d->dbg);
    if (d->own_file)
        ef_close(d->file);
    free(d->path);
    free(d->producer);
    free(d->types);
    free(d->members);
    free(d->consts);
    free(d->globals);
    free(d->funcs);
    free(d->locals);
    free(d->locs);
    free(d->ops);
    free(d->func_die_off);
    free(d->func_cu);
    free(d->cus);
    free(d->abstract_off);
    dw_strmap_free(&d->type_by_name);
    dw_strmap_free(&d->const_by_name);
    dw_strmap_free(&d->global_by_name);
    dw_strmap_free(&d->func_by_name);
    dw_u64map_free(&d->type_by_rtype);
    dw_pool_free(&d->pool);
    free(d);
}

const char *dwi_path(const dw_info *d)
{
    return d->path;
}

const char *dwi_producer(const dw_info *d)
{
    return d->producer ? d->producer : "";
}

void dwi_stats(const dw_info *d, dw_stats *out)
{
    *out = d->stats;
}
