/* elf_symbols.h — data and function symbols of an executable, to name
 * global roots and code addresses.
 *
 * Knows ELF and nothing of Go beyond the names of the linker's segment
 * markers (runtime.data, runtime.edata, runtime.bss, runtime.ebss) used
 * to check that an executable belongs to a dump. */
#ifndef RETAIN_ELF_SYMBOLS_H
#define RETAIN_ELF_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct elf_sym {
    uint64_t addr, size;
    const char *name; /* into the owning elf_symtab */
} elf_sym;

typedef struct elf_symtab {
    elf_sym *syms;  /* data objects sorted by address */
    size_t nsyms;
    elf_sym *funcs; /* functions sorted by address */
    size_t nfuncs;
    char *names;    /* one block holding every name */
    int is_pie;     /* ET_DYN */
    int has_symtab;
    /* segment markers; 0 when absent */
    uint64_t data, edata, bss, ebss, noptrdata, enoptrdata;
    uint8_t go_buildid[128];
    size_t go_buildid_len;
} elf_symtab;

/* 1 if the bytes start an ELF file; *is_core set for ET_CORE. */
int elf_sniff(const uint8_t *buf, size_t n, int *is_core);

/* The Go build id in the bytes of a .note.go.buildid section, copied to
 * out (at most cap bytes); its length, 0 if there is none. */
size_t elf_go_buildid_note(const uint8_t *p, size_t n, uint8_t *out, size_t cap);
/* Read the symbol table of path.  Returns 0 or a negative code. */
int elf_symtab_load(elf_symtab *t, const char *path, rt_error *err);
void elf_symtab_free(elf_symtab *t);

/* 1 if path is an ELF file with a Go section (.note.go.buildid,
 * .gopclntab or .go.buildinfo), 0 if it has none, -1 if unreadable. */
int elf_is_go(const char *path);

/* The data symbol covering addr (link-time address), or NULL. */
const elf_sym *elf_symtab_find(const elf_symtab *t, uint64_t addr);
/* The function whose code covers addr (link-time address), or NULL. */
const elf_sym *elf_symtab_find_func(const elf_symtab *t, uint64_t addr);

#endif
