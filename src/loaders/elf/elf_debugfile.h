/* elf_debugfile.h — an executable's separate debug information: telling
 * an executable from its debug file, and finding the debug file the way
 * gdb does (by GNU build id under .build-id/, then by .gnu_debuglink
 * beside the executable, in its .debug/ folder and under each debug
 * directory), for executables stripped of their DWARF. */
#ifndef RETAIN_ELF_DEBUGFILE_H
#define RETAIN_ELF_DEBUGFILE_H

#include <stddef.h>

#include "loaders/elf/exe_file.h"
#include "util/error.h"

/* The build id as lowercase hex into buf ("" when there is none). */
const char *elf_build_id_hex(const elf_debug_ids *ids, char *buf, size_t n);

/* Find the debug file of the executable x (whose ids are given):
 * DIR/.build-id/xx/rest.debug for each of dirs (NULL-terminated) and
 * /usr/lib/debug, then the debuglink name beside x, in x's .debug/ and
 * under each DIR followed by x's folder; a candidate counts only if its
 * build id (or, without one, the debuglink's CRC) matches.  0 with the
 * file open in *found (owned by the caller), or -RT_E_NOTFOUND with the
 * places tried in tried ("; "-separated, truncated to its size). */
int elf_debug_find(exe_file *x, const elf_debug_ids *ids, const char *const *dirs, exe_file **found,
                   char *tried, size_t ntried);

/* Where x's DWARF is: the debug file attached to x (named by the user),
 * else x itself when it has DWARF, else the debug file elf_debug_find
 * finds (then attached to x).  0 with *src set (x or its debug file);
 * with none, an error that names the build id, the places tried and what
 * to install. */
int elf_debug_source(exe_file *x, const char *const *dirs, exe_file **src, rt_error *err);

/* Of two executables named together, which is the other's debug file:
 * *debug_is_b set to 1 when b is, 0 when a is.  They must be shown to
 * belong together: the same GNU build id, else the same Go build id, else
 * the CRC the executable's debuglink records; an error otherwise. */
int elf_debug_pair(exe_file *a, exe_file *b, int *debug_is_b, rt_error *err);

#endif
