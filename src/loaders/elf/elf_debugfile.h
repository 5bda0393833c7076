/* elf_debugfile.h — an executable's separate debug information: telling
 * an executable from its debug file, and finding the debug file the way
 * gdb does (by GNU build id under .build-id/, then by .gnu_debuglink
 * beside the executable, in its .debug/ folder and under each debug
 * directory), for executables stripped of their DWARF. */
#ifndef RETAIN_ELF_DEBUGFILE_H
#define RETAIN_ELF_DEBUGFILE_H

#include <libelf.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

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

/* Read them from the ELF file at path.  0 or a negative code. */
int elf_debug_ids_read(const char *path, elf_debug_ids *ids, rt_error *err);
/* The same from a file open in libelf (path for errors). */
int elf_debug_ids_from_elf(Elf *e, const char *path, elf_debug_ids *ids, rt_error *err);

/* The build id as lowercase hex into buf ("" when there is none). */
const char *elf_build_id_hex(const elf_debug_ids *ids, char *buf, size_t n);

/* Find the debug file of the executable at exe (whose ids are given):
 * DIR/.build-id/xx/rest.debug for each of dirs (NULL-terminated) and
 * /usr/lib/debug, then the debuglink name beside exe, in exe's .debug/
 * and under each DIR followed by exe's folder; a candidate counts only if
 * its build id (or, without one, the debuglink's CRC) matches.  0 with
 * the path in out, or -RT_E_NOTFOUND with the places tried in tried
 * ("; "-separated, truncated to its size). */
int elf_debug_find(const char *exe, const elf_debug_ids *ids, const char *const *dirs, char *out,
                   size_t nout, char *tried, size_t ntried);

/* Where exe's DWARF is: given (a debug file the user named), else exe
 * itself when it has DWARF, else the debug file elf_debug_find finds (its
 * path in buf).  *dwarf_path gets the answer; with none, an error that
 * names the build id, the places tried and what to install. */
int elf_debug_resolve(const char *exe, const char *given, const char *const *dirs, char *buf, size_t n,
                      const char **dwarf_path, rt_error *err);
/* The same with exe's ids already read. */
int elf_debug_resolve_ids(const char *exe, const elf_debug_ids *ids, const char *given,
                          const char *const *dirs, char *buf, size_t n, const char **dwarf_path, rt_error *err);

/* Of two executables named together, which is the other's debug file:
 * *debug_is_b set to 1 when b is, 0 when a is.  They must be shown to
 * belong together: the same GNU build id, else the same Go build id, else
 * the CRC the executable's debuglink records; an error otherwise. */
int elf_debug_pair(const char *a, const char *b, int *debug_is_b, rt_error *err);

#endif
