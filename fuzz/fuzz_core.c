/* fuzz_core.c — libFuzzer target: arbitrary bytes as an ELF core.
 *
 * Each input is written to a memfd (the reader maps files by path, so it
 * is opened through /proc/self/fd/N) and opened with ec_open.  The
 * executable is a small, fixed, valid x86-64 ET_EXEC built once per
 * process in a second memfd (text page with a Go build-ID note, a data
 * segment), given explicitly — unless the input's first byte is odd:
 * then the reader looks for the executable itself through the input's
 * NT_FILE note (paths from the input are only opened read-only).
 *
 * When the core opens, checked (a violation aborts, so libFuzzer keeps
 * the input): maps sorted, disjoint and non-empty; every map readable
 * from the core lies within the core file, every one from the executable
 * within the executable; missing ranges are exactly the truncated maps;
 * reads of a readable map's first and last byte succeed and others fail
 * with a filled, one-line error; views agree with reads.  Then threads'
 * stack reads, ec_check_exe, ec_release.  Everything is closed, so
 * LeakSanitizer sees leaks per input.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DRETAIN_FUZZ=ON -DBUILD_TESTING=OFF
 *        cmake --build build-fuzz --target fuzz_core
 * Seeds: build/tests/test_elf_core --seeds DIR (small synthetic cores);
 * run:   build-fuzz/fuzz/fuzz_core -max_len=131072 DIR */
#define FUZZ_TARGET "fuzz_core"
#include "fuzz_input.h" /* first: it defines _GNU_SOURCE */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_core.h"
#include "util/error.h"

typedef struct fuzz_files {
    fuzz_file core, exe;
    uint64_t exe_size;
} fuzz_files;

static void le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The fixed executable: ET_EXEC at 0x400000, text 0x2000 bytes (headers,
 * a Go build-ID note at 0x200, code), data 0x800 bytes + bss. */
static void build_exe(uint8_t *e, size_t n)
{
    static const char id[] = "fuzz-build-id/0001";
    memset(e, 0, n);
    memcpy(e, "\x7f" "ELF\x02\x01\x01", 7);
    le(e + 16, 2, 2);
    le(e + 18, 62, 2);
    le(e + 20, 1, 4);
    le(e + 24, 0x401010, 8);
    le(e + 32, 64, 8);
    le(e + 52, 64, 2);
    le(e + 54, 56, 2);
    le(e + 56, 3, 2);
    uint64_t ph[3][6] = { { 1 | (uint64_t)5 << 32, 0, 0x400000, 0x400000, 0x2000, 0x2000 },
                          { 1 | (uint64_t)6 << 32, 0x2000, 0x402000, 0x402000, 0x800, 0x1800 },
                          { 4 | (uint64_t)4 << 32, 0x200, 0x400200, 0x400200, 36, 36 } };
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 6; k++)
            le(e + 64 + i * 56 + k * 8, ph[i][k], 8);
        le(e + 64 + i * 56 + 48, 0x1000, 8);
    }
    le(e + 0x200, 4, 4);
    le(e + 0x204, sizeof id - 1, 4);
    le(e + 0x208, 4, 4);
    memcpy(e + 0x20c, "Go\0\0", 4);
    memcpy(e + 0x210, id, sizeof id - 1);
    for (size_t i = 0x1000; i < n; i++)
        e[i] = (uint8_t)(i * 7 + 3);
}

static fuzz_files *files(void)
{
    /* per process, set once */
    static fuzz_files f = { FUZZ_FILE_INIT, FUZZ_FILE_INIT, 0 };
    if (f.core.fd >= 0)
        return &f;
    fuzz_file_open(&f.core, "retain-fuzz-core");
    fuzz_file_open(&f.exe, "retain-fuzz-exe");
    static uint8_t exe[0x2800];
    build_exe(exe, sizeof exe);
    if (fuzz_file_put(&f.exe, exe, sizeof exe) != 0)
        abort();
    f.exe_size = sizeof exe;
    return &f;
}

static void check_error(const rt_error *err, int rc)
{
    char line[1400];
    INVARIANT(rc < 0 && err->code != RT_E_OK && -rc == (int)err->code);
    rt_error_format(err, line, sizeof line);
    INVARIANT(strchr(line, '\n') == NULL);
}

static void exercise(ec_core *c, uint64_t core_size, uint64_t exe_size, int exe_given)
{
    rt_error err;
    size_t n = ec_nmaps(c), nmiss, ntrunc = 0;
    const ec_range *miss = ec_missing_ranges(c, &nmiss);
    for (size_t i = 0; i < n; i++) {
        const ec_map *m = ec_map_at(c, i);
        INVARIANT(m && m->size > 0);
        INVARIANT(m->size - 1 <= UINT64_MAX - m->vaddr);
        if (i > 0) {
            const ec_map *p = ec_map_at(c, i - 1);
            INVARIANT(p->vaddr + (p->size - 1) < m->vaddr);
        }
        INVARIANT(ec_find_map(c, m->vaddr) == m);
        INVARIANT(ec_find_map(c, m->vaddr + (m->size - 1)) == m);
        if (m->src == EC_SRC_CORE)
            INVARIANT(m->offset <= core_size && m->size <= core_size - m->offset);
        if (m->src == EC_SRC_EXE && exe_given)
            INVARIANT(m->offset <= exe_size && m->size <= exe_size - m->offset);
        ntrunc += m->src == EC_SRC_TRUNCATED &&
                  (i == 0 || ec_map_at(c, i - 1)->src != EC_SRC_TRUNCATED ||
                   ec_map_at(c, i - 1)->vaddr + ec_map_at(c, i - 1)->size != m->vaddr);

        uint8_t b[16];
        uint64_t last = m->vaddr + (m->size - 1);
        int readable = m->src == EC_SRC_CORE || m->src == EC_SRC_EXE;
        int rc = ec_read(c, m->vaddr, b, 1, &err);
        if (readable)
            INVARIANT(rc == 0);
        else
            check_error(&err, rc);
        rc = ec_read(c, last, b, 1, &err);
        INVARIANT(readable ? rc == 0 : rc < 0);
        const uint8_t *v = ec_view(c, m->vaddr, m->size < 16 ? (size_t)m->size : 16);
        INVARIANT(readable == (v != NULL));
        if (v && ec_read(c, m->vaddr, b, m->size < 16 ? (size_t)m->size : 16, &err) == 0)
            INVARIANT(memcmp(v, b, m->size < 16 ? (size_t)m->size : 16) == 0);
        /* across the end of the map, into whatever follows */
        rc = ec_read(c, last - (last > 7 ? 7 : last), b, 16, &err);
        if (rc)
            check_error(&err, rc);
        (void)ec_read_u64_or(c, last, 0);
    }
    INVARIANT(nmiss == ntrunc);
    for (size_t i = 0; i < nmiss; i++) {
        uint8_t b;
        int rc = ec_read(c, miss[i].start, &b, 1, &err);
        INVARIANT(rc == -RT_E_TRUNCATED);
        check_error(&err, rc);
    }
    for (size_t i = 0; i < ec_nthreads(c); i++) {
        const ec_thread *t = ec_thread_at(c, i);
        uint64_t w;
        int rc = ec_read_u64(c, t->regs.rsp, &w, &err);
        if (rc)
            check_error(&err, rc);
        (void)ec_read_u64_or(c, t->regs.rip, 0);
    }
    for (size_t i = 0; i < ec_nfiles(c); i++)
        INVARIANT(ec_file_at(c, i)->path != NULL);
    int rc = ec_check_exe(c, &err);
    if (rc)
        INVARIANT(rc == -RT_E_MISMATCH && err.code == RT_E_MISMATCH);
    const char *detail = NULL;
    ec_verify vr = ec_exe_verified(c, &detail);
    INVARIANT(detail != NULL && vr != EC_VERIFY_NOT_RUN);
    INVARIANT((rc != 0) == (vr == EC_VERIFY_MISMATCH));
    if (n) {
        const ec_map *m = ec_map_at(c, n / 2);
        ec_release(c, m->vaddr, (size_t)(m->size < (1u << 20) ? m->size : (1u << 20)));
        uint8_t b;
        int r1 = ec_read(c, m->vaddr, &b, 1, &err);
        INVARIANT((r1 == 0) == (m->src == EC_SRC_CORE || m->src == EC_SRC_EXE));
    }
    for (size_t i = 0; i < ec_nwarnings(c); i++)
        INVARIANT(ec_warning(c, i) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_files *f = files();
    if (fuzz_file_put(&f->core, data, size) != 0)
        return 0;
    int exe_given = !(size > 0 && (data[0] & 1));
    rt_error err;
    ec_core *c = NULL;
    int rc = ec_open(&c, f->core.path, exe_given ? f->exe.path : NULL, &err);
    if (rc) {
        INVARIANT(c == NULL);
        check_error(&err, rc);
        return 0;
    }
    INVARIANT(c != NULL);
    exercise(c, size, f->exe_size, exe_given);
    ec_close(c);
    return 0;
}
