/* elf_core.h — a Linux x86-64 ELF core file as threads, notes and memory.
 *
 * The bottom layer of the Go core loader, and it knows nothing of Go (the
 * one exception: it compares the executable's Go build-ID note with the
 * core's, as it compares a GNU build ID — both are plain ELF notes).
 *
 * What an ec_core gives:
 *   - the threads (NT_PRSTATUS: thread id, signal, the 27 user registers
 *     including fs_base), the process (NT_PRPSINFO), the auxiliary vector
 *     (NT_AUXV) and the file-backed mappings (NT_FILE);
 *   - the main executable: as given, or found through NT_FILE (the entry
 *     containing AT_ENTRY, else AT_PHDR), with its load bias;
 *   - the memory of the process, through one bounds-checked reader.  The
 *     kernel leaves file-backed read-only mappings out of a core (text,
 *     rodata, .gopclntab, type data: PT_LOAD with filesz < memsz; gdb's
 *     gcore writes no PT_LOAD for them at all, NT_FILE still lists them);
 *     those bytes are read from the executable's own PT_LOAD file image,
 *     shifted by the load bias.
 *
 * Both files are mapped read-only (PROT_READ, MAP_PRIVATE) and never
 * written.  Mapped pages count in our RSS: ec_release() gives back the
 * pages behind a range that has been scanned.  The files must not shrink
 * while open (reading a mapped page past the new end raises SIGBUS): do
 * not open a core that is still being written.
 *
 * Ownership: everything returned by an accessor (strings, arrays, maps,
 * views) belongs to the ec_core and lives until ec_close(), except views,
 * which live until ec_release() of a range overlapping them or ec_close().
 *
 * Threads: an ec_core is not safe for concurrent use — even reads update
 * the reader's one-entry mapping cache. */
#ifndef RETAIN_ELF_CORE_H
#define RETAIN_ELF_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct ec_core ec_core;
struct elf_file;

/* ---------------------------------------------------------- open / close */

/* Open core_path, an ELF64 little-endian x86-64 ET_CORE file.  exe_path
 * is the program's executable; NULL means: find it from NT_FILE/auxv (or,
 * when that path is gone, a file of the same name beside the core).  An
 * executable that was given must open; one that was looked for and not
 * found is only a warning (ec_exe()->problem), and memory the kernel left
 * out then cannot be read.  On success *out owns both files' mappings and
 * is released with ec_close(); on failure *out is NULL and err says which
 * file, which offset, and what is wrong. */
int ec_open(ec_core **out, const char *core_path, const char *exe_path, rt_error *err);
/* The same with the core, and the executable when given, already open
 * (borrowed: they must outlive the ec_core): how the loaders call it, so
 * that each file is opened once for everything that reads it. */
int ec_open_with(ec_core **out, struct elf_file *core, struct elf_file *exe, rt_error *err);
void ec_close(ec_core *c); /* NULL-safe */

const char *ec_core_path(const ec_core *c);

/* A readable name of ELF machine m (e_machine), e.g. "AArch64/arm64". */
const char *ec_machine_name(unsigned m);

/* Size of the core file, and the size its program headers need (larger
 * when the core was truncated, e.g. by a full disk or `ulimit -c`). */
void ec_core_sizes(const ec_core *c, uint64_t *have, uint64_t *want);

/* Soft problems met while opening (the executable was not found, the
 * auxiliary vector disagrees with the executable's headers, ...), one
 * sentence each, in the order met. */
size_t ec_nwarnings(const ec_core *c);
const char *ec_warning(const ec_core *c, size_t i);

/* ---------------------------------------------------------- threads */

/* x86-64 user_regs_struct, in the kernel's order. */
typedef struct ec_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
    uint64_t fs_base, gs_base, ds, es, fs, gs;
} ec_regs;

typedef struct ec_thread {
    int32_t tid;          /* pr_pid: the thread (LWP) id */
    int32_t cursig;       /* signal pending on the thread when it dumped, or 0 */
    ec_regs regs;
    int has_siginfo;      /* an NT_SIGINFO followed this thread's NT_PRSTATUS */
    int32_t info_signo, info_code;
    uint64_t info_addr;     /* faulting address for SIGSEGV/SIGBUS, else 0 */
} ec_thread;

/* Threads in note order; the kernel writes the thread that dumped first. */
size_t ec_nthreads(const ec_core *c);
const ec_thread *ec_thread_at(const ec_core *c, size_t i);

/* ---------------------------------------------------------- process */

typedef struct ec_procinfo {
    int present;          /* an NT_PRPSINFO note was found */
    char state;           /* pr_sname: 'R', 'S', ... */
    int32_t pid, ppid, pgrp, sid;
    uint32_t uid, gid;
    char fname[17];       /* command name (comm), at most 15 characters */
    char args[81];        /* command line, arguments joined by spaces, cut at 80 */
} ec_procinfo;

const ec_procinfo *ec_process(const ec_core *c);

/* ---------------------------------------------------------- auxv */

/* AT_* values of interest (<elf.h> has them all). */
#define EC_AT_PHDR 3
#define EC_AT_ENTRY 9
#define EC_AT_BASE 7
#define EC_AT_EXECFN 31

typedef struct ec_auxv_entry {
    uint64_t type, value;
} ec_auxv_entry;

/* 1 and *out set if the auxiliary vector has the entry, else 0. */
int ec_auxv(const ec_core *c, uint64_t type, uint64_t *out);
/* All entries up to (not including) AT_NULL; *n set. */
const ec_auxv_entry *ec_auxv_all(const ec_core *c, size_t *n);
/* The string AT_EXECFN points at (the path exec was given, maybe
 * relative), or NULL when absent or unreadable. */
const char *ec_execfn(const ec_core *c);

/* ---------------------------------------------------------- NT_FILE */

typedef struct ec_file {
    uint64_t start, end;  /* mapped addresses [start, end) */
    uint64_t offset;      /* file offset mapped at start, in bytes */
    const char *path;     /* as the kernel wrote it, maybe ending " (deleted)" */
} ec_file;

size_t ec_nfiles(const ec_core *c);
const ec_file *ec_file_at(const ec_core *c, size_t i);

/* ---------------------------------------------------------- executable */

typedef enum {
    EC_EXE_NONE,          /* no executable: reads of left-out memory fail */
    EC_EXE_GIVEN,         /* the caller named it */
    EC_EXE_NT_FILE_ENTRY, /* NT_FILE entry containing AT_ENTRY */
    EC_EXE_NT_FILE_PHDR,  /* NT_FILE entry containing AT_PHDR */
    EC_EXE_NT_FILE_NAME,  /* no auxv: NT_FILE entry named like the command */
    EC_EXE_BESIDE_CORE    /* NT_FILE's path is gone; same name beside the core */
} ec_exe_how;

typedef struct ec_exe_info {
    const char *path;     /* the file opened, or NULL */
    const char *nt_path;  /* the path the core's NT_FILE names for it (also
                           * when one was given), or NULL */
    ec_exe_how how;
    int is_pie;           /* ET_DYN */
    uint64_t entry;       /* e_entry, link-time */
    uint64_t bias;        /* runtime address = link-time address + bias */
    int bias_known;       /* 0: no auxv/NT_FILE to place a PIE; left-out
                           * memory then cannot be read */
    const char *problem;  /* why path is NULL, or NULL */
} ec_exe_info;

const ec_exe_info *ec_exe(const ec_core *c);
/* The executable's open file (given to ec_open_with, or found and opened
 * by ec_open: then owned by the ec_core), NULL without one; its libelf
 * handle is begun.  The one handle every reader of its sections, notes,
 * symbols and DWARF shares. */
struct elf_file *ec_exe_file(const ec_core *c);
/* The same, and the caller now owns it (ef_close, after ec_close): for an
 * executable ec_open found, to outlive the ec_core.  A given one stays
 * the giver's. */
struct elf_file *ec_take_exe(ec_core *c);
const char *ec_exe_how_name(ec_exe_how how);

/* Does the executable belong to this core?  Compares the Go build ID note
 * (name "Go", type 4) of the executable with the same note in the core's
 * copy of the executable's first page (the kernel dumps the ELF header
 * page of every file mapping), else the GNU build ID (NT_GNU_BUILD_ID);
 * then whether it would sit where the process had its program (AT_ENTRY,
 * every PT_LOAD mapped); else the ELF header and program headers in that
 * page.  Returns -RT_E_MISMATCH when they differ ("executable X does not
 * match the core: Go build ID A vs B (executable vs core)"); 0 when they
 * agree or when nothing could be compared (ec_exe_verified() then says
 * EC_VERIFY_UNVERIFIED and why).  Reads made before still used the
 * executable: on a mismatch, close and open again with the right one. */
int ec_check_exe(ec_core *c, rt_error *err);

typedef enum {
    EC_VERIFY_NOT_RUN,    /* ec_check_exe() not called yet */
    EC_VERIFY_UNVERIFIED, /* nothing to compare */
    EC_VERIFY_GO_BUILDID,
    EC_VERIFY_GNU_BUILDID,
    EC_VERIFY_HEADERS,    /* ELF header and program headers agree */
    EC_VERIFY_MISMATCH
} ec_verify;

/* The outcome of the last ec_check_exe(); *detail (if not NULL) gets a
 * sentence: the build ID that matched, or why nothing was compared. */
ec_verify ec_exe_verified(const ec_core *c, const char **detail);

/* ---------------------------------------------------------- mappings */

#define EC_PERM_X 1u /* PF_X */
#define EC_PERM_W 2u /* PF_W */
#define EC_PERM_R 4u /* PF_R */

typedef enum {
    EC_SRC_CORE,      /* bytes are in the core file */
    EC_SRC_EXE,       /* left out of the core; read from the executable */
    EC_SRC_NONE,      /* left out of the core, no file to read them from
                       * (PROT_NONE reservations, other files' mappings) */
    EC_SRC_TRUNCATED  /* should be in the core, which ends before them */
} ec_src;

/* One piece of the address space with one source.  A core PT_LOAD is cut
 * into several maps when only part of it was dumped (e.g. the ELF header
 * page of a text mapping is in the core, the rest comes from the exe). */
typedef struct ec_map {
    uint64_t vaddr;   /* first address */
    uint64_t size;    /* > 0; vaddr + size may be exactly 2^64 */
    uint32_t perms;   /* EC_PERM_* of the segment */
    ec_src src;
    uint64_t offset;  /* CORE/EXE: file offset of vaddr in that file;
                       * TRUNCATED: core offset it would be at */
    uint32_t seg;     /* index of the core's program header it comes from;
                       * UINT32_MAX: none — an executable mapping NT_FILE
                       * lists that the core omits entirely (gdb's gcore
                       * omits read-only file mappings) */
} ec_map;

/* Maps sorted by address, not overlapping. */
size_t ec_nmaps(const ec_core *c);
const ec_map *ec_map_at(const ec_core *c, size_t i);
/* The map containing addr, or NULL. */
const ec_map *ec_find_map(ec_core *c, uint64_t addr);
/* How many bytes from addr on the core holds without a gap (readable
 * maps that follow one another), up to max: what bounds a count read
 * from the core before it drives a loop or an allocation. */
uint64_t ec_extent(ec_core *c, uint64_t addr, uint64_t max);
const char *ec_src_name(ec_src src);

typedef struct ec_range {
    uint64_t start, size;
} ec_range;

/* Ranges the core should hold but does not (it is truncated); *n set,
 * 0 for a complete core.  Reads there fail with RT_E_TRUNCATED. */
const ec_range *ec_missing_ranges(const ec_core *c, size_t *n);

/* ---------------------------------------------------------- memory */

/* Copy n bytes at addr into dst, across maps if need be.  On failure dst
 * is zeroed and err names the first address that could not be read and
 * why: not mapped (RT_E_NOTFOUND), left out of the core with no file to
 * read it from (RT_E_NOTFOUND), core truncated (RT_E_TRUNCATED). */
int ec_read(ec_core *c, uint64_t addr, void *dst, size_t n, rt_error *err);
/* A little-endian u64 at addr. */
int ec_read_u64(ec_core *c, uint64_t addr, uint64_t *out, rt_error *err);
/* The u64 at addr, or dflt when it cannot be read: for addresses that
 * may legitimately be unmapped (probing, conservative scanning). */
uint64_t ec_read_u64_or(ec_core *c, uint64_t addr, uint64_t dflt);

/* ec_read through read(2) instead of the mapping: for large reads of
 * which nothing stays resident (no page of ours to give back, no page
 * tables to unmap).  0, or -1 when some byte is not readable or the file
 * is shorter than its headers say. */
int ec_pread(ec_core *c, uint64_t addr, void *dst, size_t n);

/* Zero-copy: a pointer to the n bytes at addr, or NULL unless they all lie
 * in one readable map.  The pointer is into a read-only mapping (writing
 * through it faults) and is not aligned in general; it stays valid until
 * ec_release() of an overlapping range or ec_close(). */
const uint8_t *ec_view(ec_core *c, uint64_t addr, size_t n);

/* Give back the resident file pages behind [addr, addr+n) (madvise
 * MADV_DONTNEED): call after scanning a range once.  Whole pages are
 * released, so neighbouring bytes are too; reading them again is correct,
 * it only faults them back in. */
void ec_release(ec_core *c, uint64_t addr, size_t n);

/* The same for every page of both files: one call per file, where
 * ec_release(c, 0, SIZE_MAX) makes one per map. */
void ec_release_all(ec_core *c);

#endif
