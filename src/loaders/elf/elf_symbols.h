/* elf_symbols.h — data and function symbols of an executable, to name
 * global roots and code addresses.
 *
 * Knows ELF and nothing of Go beyond the names of the linker's segment
 * markers (runtime.data, runtime.edata, runtime.bss, runtime.ebss) used
 * to check that an executable belongs to a dump. */
#ifndef RETAIN_ELF_SYMBOLS_H
#define RETAIN_ELF_SYMBOLS_H

#include <libelf.h>
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
    /* from section headers, which stripped executables keep: link-time
     * addresses (0 when absent) and .go.buildinfo's Go version ("" if none) */
    uint64_t sec_gopclntab, sec_noptrdata, sec_enoptrdata;
    uint64_t sec_gomodule, sec_egomodule; /* .go.module (1.27+): the module data */
    /* the type descriptors: .go.type (1.27+), else the start of .rodata */
    uint64_t sec_rodata, sec_erodata, sec_gotype, sec_egotype;
    char go_version[96];
    /* the sections symbols live in: .text and Go's data sections */
    struct elf_symsec { uint64_t addr, size; } secs[6];
} elf_symtab;

/* The sections of elf_symtab.secs, in order. */
#define ELF_SYMSECS { ".text", ".go.module", ".noptrdata", ".data", ".bss", ".noptrbss" }

/* 1 if the bytes start an ELF file; *is_core set for ET_CORE. */
int elf_sniff(const uint8_t *buf, size_t n, int *is_core);

/* The Go build id in the bytes of a .note.go.buildid section, copied to
 * out (at most cap bytes); its length, 0 if there is none. */
size_t elf_go_buildid_note(const uint8_t *p, size_t n, uint8_t *out, size_t cap);
/* Read the symbol table of path.  Returns 0 or a negative code. */
int elf_symtab_load(elf_symtab *t, const char *path, rt_error *err);
/* The same from a file already open in libelf (the executable handle a
 * core holds); path for errors.  On error *t holds nothing to free. */
int elf_symtab_from_elf(elf_symtab *t, Elf *e, const char *path, rt_error *err);
void elf_symtab_free(elf_symtab *t);

/* 1 if the file open in libelf has a Go section (.note.go.buildid,
 * .gopclntab or .go.buildinfo), 0 if it has none, -1 if unreadable. */
int elf_is_go_elf(Elf *e);

/* Take the symbols of names — an unstripped build of the program whose
 * stripped executable is exe — for exe: the same Go build (the main
 * package's compile, the third part of the Go build id) and sections of
 * the same sizes, each symbol moved with its section (-s -w shifts them).
 * The section details and ids of exe replace names' own.  0, or an error
 * naming names_path; names is unchanged on error. */
int elf_symtab_adopt(elf_symtab *names, const elf_symtab *exe, const char *names_path, const char *exe_path,
                     rt_error *err);

/* The address of the data symbol called name; 0 if there is none. */
uint64_t elf_symtab_lookup(const elf_symtab *t, const char *name);

/* The data symbol covering addr (link-time address), or NULL. */
const elf_sym *elf_symtab_find(const elf_symtab *t, uint64_t addr);
/* The function whose code covers addr (link-time address), or NULL. */
const elf_sym *elf_symtab_find_func(const elf_symtab *t, uint64_t addr);

#endif
