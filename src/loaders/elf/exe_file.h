/* exe_file.h — the executable handle: one Go executable (or its separate
 * debug file), opened once, and everything the loaders read from it.
 *
 * The file is opened when the inputs are sorted (or, for a core that
 * names its own executable, by the core reader) and every loader asks
 * the handle: the core loader, the heap-dump loader, the profile's
 * build check.  Nobody else opens the file.  What costs time or memory
 * is read on first use and kept until exe_close():
 *   - build ids (GNU, Go), whether it has DWARF and code, its debuglink;
 *   - the symbol table (and the Go sections' addresses);
 *   - the pc-value table (.gopclntab), read from the file;
 *   - DWARF, read by libdwarf from the handle's descriptor.
 * The executable's separate debug file, once found or named, is a second
 * handle owned by the first (exe_debug_attach).
 *
 * Errors name the file.  Not safe for concurrent use. */
#ifndef RETAIN_LOADERS_EXE_FILE_H
#define RETAIN_LOADERS_EXE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwarf/dwarf_info.h"
#include "elf/elf_file.h"
#include "gopclntab/gopclntab.h"
#include "loaders/elf/elf_symbols.h"
#include "util/error.h"

typedef struct exe_file exe_file;

/* What tells an executable and its debug file apart, and joins them. */
typedef struct elf_debug_ids {
    uint8_t build_id[64];  /* NT_GNU_BUILD_ID descriptor */
    size_t build_id_len;   /* 0: none */
    int has_dwarf;         /* a .debug_info (or .zdebug_info) with contents */
    int has_code;          /* a .text with contents (a debug file has none) */
    uint8_t go_build_id[128]; /* .note.go.buildid's descriptor */
    size_t go_build_id_len;
    char debuglink[256];   /* .gnu_debuglink's file name, "" if none */
    uint32_t debuglink_crc;
} elf_debug_ids;

/* Open path (what: "executable" or "debug file", for errors).  *out is
 * owned by the caller: exe_close(). */
int exe_open(exe_file **out, const char *path, const char *what, rt_error *err);
/* A handle over a file already open: taken over (closed by exe_close). */
exe_file *exe_from_file(elf_file *f);
void exe_close(exe_file *x); /* NULL-safe; closes the debug file's handle too */

const char *exe_path(const exe_file *x);
/* The open file, for the core reader (ec_open_with). */
elf_file *exe_elf_file(exe_file *x);

/* The ids, read on first use.  0 with *out pointing into x, or an error
 * ("not an ELF file libelf can read"). */
int exe_ids(exe_file *x, const elf_debug_ids **out, rt_error *err);

/* 1 if the file has a Go section (.note.go.buildid, .gopclntab or
 * .go.buildinfo), 0 if none, -1 if libelf cannot read it. */
int exe_is_go(exe_file *x);

/* The symbol table, read on first use; *out points into x. */
int exe_symtab(exe_file *x, const elf_symtab **out, rt_error *err);

/* The .gopclntab, read from the file on first use (text start from its
 * .text section).  gofunc: the link-time address of go:func.* where the
 * funcdata (inline trees) live, 0 without (then gp_frames gives physical
 * frames only); a table is kept per gofunc asked for.  *out belongs to x. */
int exe_pcln(exe_file *x, uint64_t gofunc, gp_table **out, rt_error *err);

/* n bytes at link-time address addr of the file's allocated sections
 * (code, funcdata, type descriptors); ctx an exe_file.  0 or -1: a
 * gp_read_fn. */
int exe_read(void *ctx, uint64_t addr, void *buf, size_t n);

/* The DWARF, read on first use (functions' locals not yet: dwi_load_locals
 * on *out).  *out belongs to x. */
int exe_dwarf(exe_file *x, dw_info **out, rt_error *err);

/* The separate debug file: attached (taken over) once named or found
 * (elf_debug_source); NULL before. */
void exe_debug_attach(exe_file *x, exe_file *debug);
exe_file *exe_debug(const exe_file *x);

#endif
