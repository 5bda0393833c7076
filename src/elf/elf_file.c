/* elf_file.c — one ELF file opened once (elf_file.h). */
#include "elf/elf_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/input_file.h"
#include "util/alloc.h"

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int ef_open(elf_file **out, const char *path, const char *what, rt_error *err)
{
    *out = NULL;
    /* a path taken from a core may name a FIFO: input_file_open neither
     * waits for a writer nor accepts anything but a regular file */
    struct stat st;
    int fd = input_file_open(path, what, &st, err);
    if (fd < 0)
        return fd;
    return ef_open_fd(out, fd, &st, path, what, err);
}

int ef_open_fd(elf_file **out, int fd, const struct stat *st, const char *path, const char *what,
               rt_error *err)
{
    char phase[64];
    snprintf(phase, sizeof phase, "opening the %s", what);
    *out = NULL;
    elf_file *f = rt_calloc(1, sizeof *f);
    f->path = rt_strdup(path);
    f->what = what;
    f->fd = fd;
    f->size = (uint64_t)st->st_size;
    f->dev = (uint64_t)st->st_dev;
    f->ino = (uint64_t)st->st_ino;
    f->mtime_ns = mtime_ns(st);
    int rc = 0;
    if ((uint64_t)(size_t)f->size != f->size) {
        rc = EC_FAIL(err, RT_E_UNSUPPORTED, path, RT_NO_OFFSET, phase, "the %s is too large to map",
                     what);
    } else if (f->size > 0) {
        void *p = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, f->fd, 0);
        if (p == MAP_FAILED)
            rc = EC_FAIL(err, RT_E_IO, path, RT_NO_OFFSET, phase, "cannot map the %s: %s", what,
                         strerror(errno));
        else
            f->img = p;
    }
    if (rc) {
        ef_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

void ef_close(elf_file *f)
{
    if (!f)
        return;
    if (f->elf)
        elf_end(f->elf);
    if (f->img)
        munmap((void *)f->img, f->size);
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f);
}

Elf *ef_begin(elf_file *f, Elf_Cmd cmd, rt_error *err)
{
    if (f->elf)
        return f->elf;
    if (elf_version(EV_CURRENT) == EV_NONE) {
        RT_FAIL(err, RT_E_IO, "libelf is unusable: %s", elf_errmsg(-1));
        return NULL;
    }
    Elf *e = elf_begin(f->fd, cmd, NULL);
    if (!e || elf_kind(e) != ELF_K_ELF) {
        EC_FAIL(err, RT_E_FORMAT, f->path, 0, "reading the ELF header", "libelf cannot read this file: %s",
                elf_errmsg(-1));
        if (e)
            elf_end(e);
        return NULL;
    }
    f->elf = e;
    return e;
}

int ef_section(elf_file *f, const char *name, GElf_Shdr *sh, Elf_Scn **scn_out)
{
    size_t shstrndx;
    if (!f->elf || elf_getshdrstrndx(f->elf, &shstrndx) != 0)
        return 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(f->elf, scn)) != NULL) {
        const char *nm = gelf_getshdr(scn, sh) ? elf_strptr(f->elf, shstrndx, sh->sh_name) : NULL;
        if (nm && strcmp(nm, name) == 0) {
            if (scn_out)
                *scn_out = scn;
            return 1;
        }
    }
    return 0;
}

const uint8_t *ef_bytes(const elf_file *f, uint64_t off, uint64_t n)
{
    if (!f->img || off > f->size || n > f->size - off)
        return NULL;
    return f->img + off;
}

const uint8_t *ef_section_bytes(const elf_file *f, const GElf_Shdr *sh)
{
    if (sh->sh_type == SHT_NOBITS || (sh->sh_flags & SHF_COMPRESSED))
        return NULL;
    return ef_bytes(f, sh->sh_offset, sh->sh_size);
}

int ef_read_addr(elf_file *f, uint64_t addr, void *buf, size_t n)
{
    Elf_Scn *scn = NULL;
    while (f->elf && (scn = elf_nextscn(f->elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) ||
            addr < sh.sh_addr || addr - sh.sh_addr > sh.sh_size || n > sh.sh_size - (addr - sh.sh_addr))
            continue;
        const uint8_t *p = ef_section_bytes(f, &sh);
        if (!p)
            return -1;
        memcpy(buf, p + (addr - sh.sh_addr), n);
        return 0;
    }
    return -1;
}

int ef_unchanged(const elf_file *f)
{
    struct stat st;
    return fstat(f->fd, &st) == 0 && (uint64_t)st.st_dev == f->dev && (uint64_t)st.st_ino == f->ino &&
           (uint64_t)st.st_size == f->size && mtime_ns(&st) == f->mtime_ns;
}
