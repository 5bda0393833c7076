/* elf_pcln.c — .gopclntab from an executable file (elf_pcln.h). */
#include "loaders/elf/elf_pcln.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/input_file.h"
#include "util/alloc.h"

#define PCLN_MAX (1ULL << 30) /* no real table is this large */

/* Funcdata at link-time address addr: from the allocated section that
 * holds all of it. */
int elf_pcln_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    elf_pcln *p = ctx;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(p->elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) ||
            addr < sh.sh_addr || addr - sh.sh_addr > sh.sh_size || n > sh.sh_size - (addr - sh.sh_addr))
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        if (!d || !d->d_buf || d->d_size < sh.sh_size)
            return -1;
        memcpy(buf, (const uint8_t *)d->d_buf + (addr - sh.sh_addr), n);
        return 0;
    }
    return -1;
}

int elf_pcln_open(const char *path, uint64_t gofunc, elf_pcln *p, rt_error *err)
{
    memset(p, 0, sizeof *p);
    p->fd = -1;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return RT_FAIL(err, RT_E_IO, "libelf is unusable: %s", elf_errmsg(-1));
    int fd = input_file_open(path, "executable", NULL, err);
    if (fd < 0)
        return fd;
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    size_t shstrndx;
    uint64_t text = 0;
    Elf_Data *tab = NULL;
    int rc = 0;
    if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx) != 0) {
        rt_error_where(err, path, RT_NO_OFFSET, "reading section headers");
        rc = RT_FAIL(err, RT_E_FORMAT, "not an ELF file libelf can read: %s", elf_errmsg(-1));
        goto out;
    }
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        const char *nm = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
        if (nm && strcmp(nm, ".text") == 0)
            text = sh.sh_addr;
        else if (nm && (strcmp(nm, ".gopclntab") == 0 || strcmp(nm, ".data.rel.ro.gopclntab") == 0 /* PIE */) && sh.sh_type == SHT_PROGBITS)
            tab = elf_getdata(scn, NULL);
    }
    if (!tab || !tab->d_buf || tab->d_size == 0 || tab->d_size > PCLN_MAX) {
        rt_error_where(err, path, RT_NO_OFFSET, "reading .gopclntab");
        rc = RT_FAIL(err, RT_E_FORMAT, "the executable has no Go pc-value table (.gopclntab)");
        goto out;
    }
    p->bytes = rt_malloc(tab->d_size);
    memcpy(p->bytes, tab->d_buf, tab->d_size);
    gp_source src = { .data = p->bytes, .len = tab->d_size, .text_start = text, .what = path,
                      .gofunc = gofunc, .read = gofunc ? elf_pcln_read : NULL, .read_ctx = p };
    p->fd = fd;
    p->elf = e;
    if ((rc = gp_open(&src, &p->tab, err)) == 0)
        return 0;
out:
    free(p->bytes);
    p->bytes = NULL;
    p->tab = NULL;
    p->elf = NULL;
    p->fd = -1;
    if (e)
        elf_end(e);
    close(fd);
    return rc;
}

void elf_pcln_close(elf_pcln *p)
{
    if (!p)
        return;
    gp_close(p->tab);
    free(p->bytes);
    if (p->elf)
        elf_end(p->elf);
    if (p->fd >= 0)
        close(p->fd);
    p->tab = NULL;
    p->bytes = NULL;
    p->elf = NULL;
    p->fd = -1;
}
