/* elf_pcln.h — an executable's pc-value table read from its file, for
 * inputs that bring no process memory to read it from (a heap profile
 * checked against its executable). */
#ifndef RETAIN_ELF_PCLN_H
#define RETAIN_ELF_PCLN_H

#include "gopclntab/gopclntab.h"
#include "util/error.h"

typedef struct elf_pcln {
    gp_table *tab;   /* NULL until opened */
    void *bytes;     /* the table's bytes, owned */
    int fd;          /* the file, open while funcdata may be read */
    struct Elf *elf;
} elf_pcln;

/* Open the .gopclntab of the executable at path (text start from its
 * .text section).  gofunc: the link-time address of go:func.* (from the
 * symbol table), where the funcdata — the inline trees — live; 0 without
 * it (then gp_frames gives physical frames only).  0, or an error naming
 * the file. */
int elf_pcln_open(const char *path, uint64_t gofunc, elf_pcln *p, rt_error *err);
void elf_pcln_close(elf_pcln *p); /* NULL-safe, idempotent */

/* n bytes at link-time address addr of the executable's allocated
 * sections (code, funcdata), ctx an open elf_pcln.  0 or -1. */
int elf_pcln_read(void *ctx, uint64_t addr, void *buf, size_t n);

#endif
