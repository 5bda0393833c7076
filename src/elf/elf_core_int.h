/* elf_core_int.h — what the files of src/elf/ share behind elf_core.h.
 *
 * elf_core.c opens the files and finds the executable, elf_notes.c parses
 * the notes, elf_memory.c builds the map list and reads memory,
 * elf_identity.c checks that the executable belongs to the core. */
#ifndef RETAIN_ELF_CORE_INT_H
#define RETAIN_ELF_CORE_INT_H

#include <libelf.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf/elf_core.h"
#include "elf/elf_file.h"

/* A PT_LOAD of the executable, and what of the file the kernel maps for
 * it: p_filesz bytes, widened for a read-only segment to its whole pages
 * (the process sees file bytes there too), cut at the end of the file. */
typedef struct ec_exe_seg {
    uint64_t vaddr, offset, filesz, memsz;  /* from the program header */
    uint32_t flags;
    uint64_t map_vaddr, map_offset, map_len; /* the file image as mapped */
} ec_exe_seg;

struct ec_core {
    elf_file *core;
    bool own_core;           /* opened here (ec_open), not given */
    uint64_t core_want;      /* end of the furthest PT_LOAD/PT_NOTE file range */

    ec_thread *threads;
    size_t nthreads;
    ec_procinfo proc;
    ec_auxv_entry *auxv;
    size_t nauxv;
    char *execfn;            /* owned, or NULL */
    ec_file *files;
    size_t nfiles;
    char *file_names;        /* one block holding every NT_FILE path */

    elf_file *exe;           /* NULL without an executable */
    bool own_exe;            /* opened here (found from NT_FILE), not given */
    ec_exe_info exe_info;    /* strings point into exe.path, nt_path, problem */
    char *exe_nt_path;       /* owned */
    char *exe_problem;       /* owned */
    ec_exe_seg *exe_segs;
    size_t nexe_segs;
    uint16_t exe_phnum;
    uint64_t exe_phoff;

    ec_map *maps;            /* sorted, disjoint */
    size_t nmaps;
    /* index of the map used last (the read cache); atomic because the
     * pointer scan's threads read the core at once: a stale value only
     * costs a search */
    _Atomic size_t last;
    ec_range *missing;
    size_t nmissing;

    ec_verify verify;
    char verify_detail[512];

    char **warnings;
    size_t nwarnings;
};

/* elf_core.c */
void ec_warn(ec_core *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* elf_notes.c: parse every PT_NOTE of the core into c (threads, process,
 * auxv, files). */
int ec_parse_notes(ec_core *c, rt_error *err);

/* elf_memory.c: build c->maps and c->missing from the core's PT_LOADs
 * and, for what the core left out, the executable's segments (c->exe,
 * c->exe_segs, c->exe_info.bias). */
int ec_build_maps(ec_core *c, rt_error *err);
/* Copy n bytes at addr, from maps whose source is `only` (e.g. the core's
 * own bytes, to compare them with the executable's).  Returns 0 or -1;
 * no error record: callers decide what a miss means. */
int ec_read_from(ec_core *c, uint64_t addr, void *dst, size_t n, ec_src only);
/* A NUL-terminated string of at most max-1 bytes at addr, or NULL
 * (owned by the caller). */
char *ec_read_cstr(ec_core *c, uint64_t addr, size_t max);

#endif
