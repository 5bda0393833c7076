/* elf_file.h — one ELF file (a core, an executable, a debug file) opened
 * once: its descriptor, its bytes mapped read-only, and libelf over it.
 *
 * Everything that reads the file goes through the one elf_file: the core
 * reader (elf_core.c), the executable handle (loaders/elf/exe_file.h),
 * DWARF (libdwarf is given the descriptor, not the path).  So a file is
 * opened once per command, and what it was when opened is what every
 * reader sees.
 *
 * Knows ELF and nothing of Go.  Not safe for concurrent use: libelf
 * caches what it reads. */
#ifndef RETAIN_ELF_FILE_H
#define RETAIN_ELF_FILE_H

#include <gelf.h>
#include <libelf.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct elf_file {
    char *path;            /* owned: as given, for messages */
    const char *what;      /* "core", "executable", "debug file": for messages */
    int fd;                /* -1 once closed */
    uint64_t size;         /* at open */
    const uint8_t *img;    /* the whole file, PROT_READ + MAP_PRIVATE; NULL when size is 0 */
    uint64_t dev, ino;     /* identity at open, for ef_unchanged() */
    int64_t mtime_ns;
    Elf *elf;              /* libelf over fd, begun by ef_begin() (NULL before) */
} elf_file;

/* Fill err as raised at this source line, about input file `path` at byte
 * `off` (RT_NO_OFFSET when none) while doing `phase`; returns -code.  Every
 * error of src/elf/ goes through it, so each names file, offset and phase. */
#define EC_FAIL(err, code, path, off, phase, ...) \
    (rt_error_where((err), (path), (off), (phase)), RT_FAIL((err), (code), __VA_ARGS__))
#define EC_CORRUPT(err, path, off, phase, ...) \
    EC_FAIL((err), RT_E_CORRUPT, (path), (off), (phase), __VA_ARGS__)

/* Open path (a regular file: a FIFO or a directory is refused at once)
 * and map it.  what names the file in errors ("core", "executable").  On
 * success *out is owned by the caller (ef_close); on failure *out is NULL
 * and err names the file. */
int ef_open(elf_file **out, const char *path, const char *what, rt_error *err);
/* The same with path already open as fd (a regular file; st its fstat),
 * which the elf_file takes over: closed by ef_close, or here on failure. */
struct stat;
int ef_open_fd(elf_file **out, int fd, const struct stat *st, const char *path, const char *what,
               rt_error *err);
void ef_close(elf_file *f); /* NULL-safe */

/* libelf over the file, begun on the first call and kept: cmd is
 * ELF_C_READ_MMAP (libelf reads through its own mapping; nothing may be
 * modified) or ELF_C_READ (libelf copies what it reads, so elf_compress
 * may inflate a section in place); a later call with another cmd gets the
 * first one's handle.  Call it after checking the ELF header yourself:
 * libelf says little about a file it cannot read.  NULL and err on
 * failure. */
Elf *ef_begin(elf_file *f, Elf_Cmd cmd, rt_error *err);

/* The section called name: 1 with *sh (and *scn when not NULL) set, 0
 * when there is none (or no section headers, or no libelf handle yet).
 * The first of that name counts. */
int ef_section(elf_file *f, const char *name, GElf_Shdr *sh, Elf_Scn **scn);

/* The n bytes at file offset off, or NULL unless they all lie in the file:
 * a pointer into the read-only mapping, valid until ef_close(). */
const uint8_t *ef_bytes(const elf_file *f, uint64_t off, uint64_t n);

/* The bytes of a section with contents in the file (not SHT_NOBITS, not
 * compressed), bounds-checked: NULL when it does not lie in the file. */
const uint8_t *ef_section_bytes(const elf_file *f, const GElf_Shdr *sh);

/* n bytes at link-time address addr, from the allocated SHT_PROGBITS
 * section that holds them all.  0, or -1 when none does. */
int ef_read_addr(elf_file *f, uint64_t addr, void *buf, size_t n);

/* 1 when the open file is still as it was opened (size, mtime), 0 when
 * it was rewritten in place since (reads may then see other bytes). */
int ef_unchanged(const elf_file *f);

#endif
