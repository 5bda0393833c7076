/* dwarf_open.c — dwi_open / dwi_close (dwarf_info.h): check the ELF file,
 * open it with libdwarf, run the walk and the link, close libdwarf.
 *
 * The ELF check comes first and uses libelf, because libdwarf answers a
 * stripped binary, a non-ELF file and a zstd-compressed section alike with
 * "no entry" or a terse error; we want to tell the user which it is. It
 * also finds the section holding the runtime types, the base of
 * DW_AT_go_runtime_type. */
#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libdwarf.h>
#include <libelf.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
    uint64_t dev, ino, size;  /* identity, for dwi_load_locals */
    int64_t mtime_ns;
} elf_facts;

static int elf_check(const char *path, elf_facts *f, rt_error *err)
{
    memset(f, 0, sizeof *f);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return RT_FAIL(err, RT_E_IO, "libelf is unusable: %s", elf_errmsg(-1));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return RT_FAIL(err, RT_E_IO, "cannot open the executable: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0) {
        f->dev = (uint64_t)st.st_dev;
        f->ino = (uint64_t)st.st_ino;
        f->size = (uint64_t)st.st_size;
        f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
    int rc = 0;
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    size_t shstrndx = 0;
    if (!e || elf_kind(e) != ELF_K_ELF) {
        rc = RT_FAIL(err, RT_E_FORMAT,
                     "not an ELF file; give the Go executable the core or dump came from");
        goto out;
    }
    if (elf_getshdrstrndx(e, &shstrndx) != 0) {
        rc = RT_FAIL(err, RT_E_CORRUPT, "cannot read the ELF section names: %s", elf_errmsg(-1));
        goto out;
    }
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        const char *name = elf_strptr(e, shstrndx, sh.sh_name);
        if (!name)
            continue;
        if (strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0) {
            f->has_info = sh.sh_size > 0;
            if (sh.sh_flags & SHF_COMPRESSED) {
                GElf_Chdr ch;
                f->info_compressed = true;
                f->info_ctype = gelf_getchdr(scn, &ch) ? ch.ch_type : 0;
            }
        } else if (strcmp(name, ".go.type") == 0) {
            f->has_gotype = true;
            f->gotype = sh.sh_addr;
        } else if (strcmp(name, ".rodata") == 0) {
            f->has_rodata = true;
            f->rodata = sh.sh_addr;
        }
    }
out:
    if (e)
        elf_end(e);
    close(fd);
    return rc;
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

/* 0 when path is still the file d was read from. */
int dw_same_file(const dw_info *d, rt_error *err)
{
    struct stat st;
    if (stat(d->path, &st) != 0)
        return RT_FAIL(err, RT_E_IO, "cannot stat the executable again: %s", strerror(errno));
    int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if ((uint64_t)st.st_dev != d->file_dev || (uint64_t)st.st_ino != d->file_ino ||
        (uint64_t)st.st_size != d->file_size || mt != d->file_mtime_ns)
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

static int open_into(dw_info *d, const char *path, rt_error *err)
{
    elf_facts f;
    int rc = elf_check(path, &f, err);
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
    d->file_dev = f.dev;
    d->file_ino = f.ino;
    d->file_size = f.size;
    d->file_mtime_ns = f.mtime_ns;

    void *dbg = NULL;
    rc = dw_lib_open(path, &dbg, err);
    if (rc)
        return rc;
    dw_build b = { .d = d, .dbg = dbg, .err = err };
    rc = dw_walk(&b);
    if (!rc)
        rc = dw_link(&b);
    dw_build_free(&b);
    /* kept for dwi_load_locals, which comes next, so that the file is
     * opened and its sections decompressed once (closed there, or by
     * dwi_close) */
    if (rc)
        dw_lib_close(dbg);
    else
        d->dbg = dbg;
    return rc;
}

int dw_lib_open(const char *path, void **out, rt_error *err)
{
    Dwarf_Debug dbg = NULL;
    Dwarf_Error e = NULL;
    /* no errhand: with a Dwarf_Error* libdwarf returns DW_DLV_ERROR
     * instead of calling abort() */
    int r = dwarf_init_path(path, NULL, 0, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &dbg,
                            NULL, 0, NULL, &e);
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

int dwi_open(dw_info **out, const char *exe_path, rt_error *err)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *out = NULL;
    dw_info *d = rt_calloc(1, sizeof *d);
    d->path = rt_strdup(exe_path);
    int rc = open_into(d, exe_path, err);
    if (rc) {
        rt_error_where(err, exe_path, RT_NO_OFFSET, "reading DWARF");
        dwi_close(d);
        return rc;
    }
    d->stats.load_ms = dw_elapsed_ms(&t0);
    *out = d;
    return 0;
}

void dwi_close(dw_info *d)
{
    if (!d)
        return;
    dw_lib_close(d->dbg);
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
