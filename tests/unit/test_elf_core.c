/* test_elf_core.c — the ELF core reader (src/elf/elf_core.h).
 *
 * Part 1, always: hand-built cores and executables.  A small synthetic
 * x86-64 core (two threads, psinfo, siginfo, auxv, NT_FILE; a text mapping
 * whose ELF header page alone was dumped, a data mapping, a stack, a
 * PROT_NONE reservation, another file's mapping, a page ending at 2^64)
 * with its executable, non-PIE and PIE: every accessor, reads
 * from the core, from the executable and across the two, each kind of
 * failed read, views and release, build-ID checks (match, mismatch,
 * headers only, unverified), the executable found beside the core or not
 * at all, a truncated core.  Then bad inputs, each in a child process
 * with a capped address space and an alarm (no crash, no hang, no
 * allocation proportional to a corrupt length): not ELF, ELF executable
 * as the core, other classes/encodings/machines, truncated header, program
 * headers and notes pointing outside the file, overflowing note sizes,
 * lying NT_FILE counts; and a few thousand random byte flips.
 *
 * Part 2, with arguments WORKDIR GO...: real Go programs built by each
 * toolchain (non-PIE and -buildmode=pie) print the address and bytes of a
 * .noptrdata global, a .rodata string and a function's code, then die of
 * SIGABRT with GOTRACEBACK=crash and `ulimit -c unlimited` (core_pattern
 * "core"; when the pattern sends cores elsewhere, gdb's gcore on the live
 * process instead; TEST_ELF_CORE_GCORE=1 forces that way).  Checked: the executable is found through NT_FILE,
 * the three reads give the printed bytes (.rodata and text from the
 * executable, as the kernel left them out), threads and rip are sane,
 * the build ID matches its own executable and not another program's, the
 * PIE load bias, a core cut in half by `truncate` lists missing ranges
 * and fails reads there cleanly, ec_release gives RSS back.
 *
 * Usage: test_elf_core [WORKDIR GO...]   (GO: path of a `go` binary)
 *        test_elf_core --dump CORE [EXE] (print what the reader sees)
 *        test_elf_core --seeds DIR       (write the synthetic files, as
 *                                         seeds for fuzz/fuzz_core.c)
 * Output: one line per failed check, then "N passed, M failed"; exit 1 on
 * any failure, 77 when a GO given does not exist (skip). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf/elf_core.h"
#include "test_check.h"
#include "util/alloc.h"
#include "util/error.h"

/* ------------------------------------------------------------ checks */

typedef struct tctx {
    tcheck c;           /* c.tag: the current case */
    char dir[PATH_MAX]; /* scratch directory */
} tctx;

static bool has(const char *s, const char *sub) { return s && strstr(s, sub) != NULL; }

/* ------------------------------------------------------------ byte buffers */

typedef struct bb {
    uint8_t *p;
    size_t n, cap;
} bb;

static void bb_size(bb *b, size_t n)
{
    if (n <= b->n)
        return;
    RT_GROW(b->p, b->cap, n);
    memset(b->p + b->n, 0, n - b->n);
    b->n = n;
}

static void wbytes(bb *b, size_t off, const void *src, size_t n)
{
    bb_size(b, off + n);
    memcpy(b->p + off, src, n);
}

static void w16(bb *b, size_t off, uint16_t v) { wbytes(b, off, &v, 2); }
static void w32(bb *b, size_t off, uint32_t v) { wbytes(b, off, &v, 4); }
static void w64(bb *b, size_t off, uint64_t v) { wbytes(b, off, &v, 8); }

static uint64_t r64(const bb *b, size_t off)
{
    uint64_t v;
    memcpy(&v, b->p + off, 8);
    return v;
}

static char *scratch(tctx *t, const char *name)
{
    char *p = rt_malloc(strlen(t->dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", t->dir, name);
    return p;
}

/* ELF header (64 bytes) of an x86-64 LE file */
static void ehdr(bb *b, uint16_t type, uint64_t entry, uint16_t phnum)
{
    static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
    wbytes(b, 0, ident, 16);
    w16(b, 16, type);
    w16(b, 18, 62);
    w32(b, 20, 1);
    w64(b, 24, entry);
    w64(b, 32, 64);   /* e_phoff */
    w64(b, 40, 0);    /* e_shoff */
    w16(b, 52, 64);   /* e_ehsize */
    w16(b, 54, 56);
    w16(b, 56, phnum);
    w16(b, 58, 64);
}

static void phdr(bb *b, int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                 uint64_t filesz, uint64_t memsz)
{
    size_t at = 64 + (size_t)i * 56;
    w32(b, at, type);
    w32(b, at + 4, flags);
    w64(b, at + 8, off);
    w64(b, at + 16, vaddr);
    w64(b, at + 24, 0);
    w64(b, at + 32, filesz);
    w64(b, at + 40, memsz);
    w64(b, at + 48, type == 4 ? 4 : 0x1000);
}

/* one note at off; returns the offset after it */
static size_t note(bb *b, size_t off, const char *name, uint32_t type, const void *desc,
                   size_t dn)
{
    size_t nn = strlen(name) + 1, np = (nn + 3) & ~(size_t)3, dp = (dn + 3) & ~(size_t)3;
    w32(b, off, (uint32_t)nn);
    w32(b, off + 4, (uint32_t)dn);
    w32(b, off + 8, type);
    wbytes(b, off + 12, name, nn);
    bb_size(b, off + 12 + np);
    if (dn)
        wbytes(b, off + 12 + np, desc, dn);
    bb_size(b, off + 12 + np + dp);
    return off + 12 + np + dp;
}

/* ------------------------------------------------------------ synthetic files */

#define TEXT_BYTE(i) ((uint8_t)((i) * 7 + 3))   /* exe file offsets 0x1000..0x2000 */
#define DATA_BYTE(i) ((uint8_t)((i) * 13 + 1))  /* exe file offsets 0x2000..0x2800 */
#define STACK 0x7ffc00000000ULL
#define RESERVED 0xc000000000ULL
#define OTHERFILE 0x7f0000000000ULL
#define TOPPAGE 0xfffffffffffff000ULL /* a page ending at 2^64 */

/* The executable: link base 0x400000 (ET_EXEC) or 0 (ET_DYN); a text
 * segment (headers page + one page of code), a data segment with bss; a
 * Go build-ID note in the first page unless go_id is NULL. */
static void make_exe(bb *b, int pie, const char *go_id)
{
    uint64_t base = pie ? 0 : 0x400000;
    memset(b, 0, sizeof *b);
    ehdr(b, pie ? 3 : 2, base + 0x1010, go_id ? 3 : 2);
    phdr(b, 0, 1, 5, 0, base, 0x2000, 0x2000);
    phdr(b, 1, 1, 6, 0x2000, base + 0x2000, 0x800, 0x1800);
    if (go_id) {
        size_t end = note(b, 0x200, "Go", 4, go_id, strlen(go_id));
        w32(b, 0x200, 4); /* Go writes the name as "Go\0\0" */
        phdr(b, 2, 4, 4, 0x200, base + 0x200, end - 0x200, end - 0x200);
    }
    bb_size(b, 0x2800);
    for (size_t i = 0x1000; i < 0x2000; i++)
        b->p[i] = TEXT_BYTE(i);
    for (size_t i = 0x2000; i < 0x2800; i++)
        b->p[i] = DATA_BYTE(i);
}

typedef struct core_opts {
    const bb *exe;          /* its first page is copied into the core */
    int pie;
    uint64_t load;          /* runtime address of the exe's first byte */
    const char *nt_path;    /* NT_FILE path of the exe */
    int header_page;        /* dump the exe's first page (kernel default) */
    int no_auxv;
} core_opts;

/* where the interesting fields of a built core are */
typedef struct core_layout {
    size_t note_off, note_len;
    size_t prstatus_desc, file_desc, file_note;
    size_t load_off[6];     /* file offset of each PT_LOAD's data */
} core_layout;

static void make_core(bb *b, const core_opts *o, core_layout *lay)
{
    uint64_t base = o->load, entry = base + 0x1010;
    memset(b, 0, sizeof *b);
    memset(lay, 0, sizeof *lay);
    ehdr(b, 4, 0, 7);
    size_t off = 0x200;
    lay->note_off = off;
    /* thread 1: the one that dumped */
    uint8_t pr[336] = { 0 };
    int16_t sig = 6;
    int32_t tid = 100;
    memcpy(pr + 12, &sig, 2);
    memcpy(pr + 32, &tid, 4);
    uint64_t regs[27] = { 0 };
    regs[4] = STACK + 0xf100;      /* rbp */
    regs[16] = entry;              /* rip */
    regs[19] = STACK + 0xf000;     /* rsp */
    regs[21] = 0x12345;            /* fs_base */
    memcpy(pr + 112, regs, sizeof regs);
    lay->prstatus_desc = off + 20;
    off = note(b, off, "CORE", 1, pr, sizeof pr);
    uint8_t ps[136] = { 0 };
    ps[1] = 'R';
    int32_t pid = 100;
    memcpy(ps + 24, &pid, 4);
    memcpy(ps + 40, "synth", 5);
    memcpy(ps + 56, "synth -x ", 9);
    off = note(b, off, "CORE", 3, ps, sizeof ps);
    uint8_t si[128] = { 0 };
    int32_t signo = 6, code = -6;
    memcpy(si, &signo, 4);
    memcpy(si + 8, &code, 4);
    off = note(b, off, "CORE", 0x53494749, si, sizeof si);
    if (!o->no_auxv) {
        uint64_t av[] = { 3, base + 64, 7, 0, 9, entry, 31, STACK + 0xff00, 0, 0 };
        off = note(b, off, "CORE", 6, av, sizeof av);
    }
    /* NT_FILE: text and data mappings of the exe */
    bb f = { 0 };
    w64(&f, 0, 2);
    w64(&f, 8, 4096);
    w64(&f, 16, base);
    w64(&f, 24, base + 0x2000);
    w64(&f, 32, 0);
    w64(&f, 40, base + 0x2000);
    w64(&f, 48, base + 0x3000);
    w64(&f, 56, 2);
    size_t pl = strlen(o->nt_path) + 1;
    wbytes(&f, 64, o->nt_path, pl);
    wbytes(&f, 64 + pl, o->nt_path, pl);
    lay->file_note = off;
    lay->file_desc = off + 20;
    off = note(b, off, "CORE", 0x46494c45, f.p, f.n);
    free(f.p);
    /* thread 2 */
    memset(pr, 0, sizeof pr);
    tid = 101;
    memcpy(pr + 32, &tid, 4);
    regs[16] = base + 0x1800;
    memcpy(pr + 112, regs, sizeof regs);
    off = note(b, off, "CORE", 1, pr, sizeof pr);
    /* an XSAVE-like note we skip */
    off = note(b, off, "LINUX", 0x202, "xsave", 5);
    lay->note_len = off - lay->note_off;
    phdr(b, 0, 4, 0, lay->note_off, 0, lay->note_len, 0);

    size_t data = (off + 0xfff) & ~(size_t)0xfff;
    /* text: the header page only */
    size_t hp = o->header_page ? 0x1000 : 0;
    lay->load_off[0] = data;
    phdr(b, 1, 1, 5, data, base, hp, 0x2000);
    if (hp)
        wbytes(b, data, o->exe->p, 0x1000);
    data += hp;
    /* data: dumped whole, its bytes changed by the process */
    lay->load_off[1] = data;
    phdr(b, 2, 1, 6, data, base + 0x2000, 0x2000, 0x2000);
    bb_size(b, data + 0x2000);
    memset(b->p + data, 0xa5, 0x2000);
    data += 0x2000;
    /* stack, with AT_EXECFN's string */
    lay->load_off[2] = data;
    phdr(b, 3, 1, 6, data, STACK, 0x10000, 0x10000);
    bb_size(b, data + 0x10000);
    for (size_t i = 0; i < 0x10000; i += 8)
        w64(b, data + i, STACK + i);
    wbytes(b, data + 0xff00, "/synth/path", 12);
    data += 0x10000;
    /* PROT_NONE reservation and another file's mapping: not dumped */
    phdr(b, 4, 1, 0, data, RESERVED, 0, 0x100000);
    phdr(b, 5, 1, 4, data, OTHERFILE, 0, 0x1000);
    /* the last page of the address space: ends at 2^64 */
    lay->load_off[5] = data;
    phdr(b, 6, 1, 1, data, TOPPAGE, 0x1000, 0x1000);
    bb_size(b, data + 0x1000);
    memset(b->p + data, 0xcc, 0x1000);
}

/* ------------------------------------------------------------ part 1: synthetic */

typedef struct synth {
    char *exe, *exe_other, *exe_nonote, *core, *core_nonote, *core_nohdr;
    bb exe_b, core_b;
    core_layout lay;
} synth;

static ec_core *open_ok(tctx *t, const char *core, const char *exe)
{
    rt_error err;
    ec_core *c = NULL;
    int rc = ec_open(&c, core, exe, &err);
    if (!CHECK(t, rc == 0 && c != NULL))
        print_err_origin("ec_open", &err);
    return rc == 0 ? c : NULL;
}

static void test_synth_basic(tctx *t, synth *s, int pie)
{
    t->c.tag = pie ? "synthetic PIE core" : "synthetic core";
    uint64_t base = pie ? 0x555555554000ULL : 0x400000;
    ec_core *c = open_ok(t, s->core, NULL);
    if (!c)
        return;
    const ec_exe_info *x = ec_exe(c);
    CHECK(t, x->how == EC_EXE_NT_FILE_ENTRY);
    CHECK(t, x->path && strcmp(x->path, s->exe) == 0);
    CHECK(t, x->problem == NULL);
    CHECK(t, x->is_pie == pie);
    CHECK(t, x->bias_known && x->bias == (pie ? base : 0));
    CHECK(t, ec_nwarnings(c) == 0);
    for (size_t i = 0; i < ec_nwarnings(c); i++)
        fprintf(stderr, "  warning: %s\n", ec_warning(c, i));

    CHECK(t, ec_nthreads(c) == 2);
    const ec_thread *th = ec_thread_at(c, 0);
    CHECK(t, th && th->tid == 100 && th->cursig == 6 && th->regs.rip == base + 0x1010);
    CHECK(t, th && th->regs.rsp == STACK + 0xf000 && th->regs.fs_base == 0x12345);
    CHECK(t, th && th->has_siginfo && th->info_signo == 6 && th->info_code == -6);
    th = ec_thread_at(c, 1);
    CHECK(t, th && th->tid == 101 && !th->has_siginfo && th->regs.rip == base + 0x1800);
    CHECK(t, ec_thread_at(c, 2) == NULL);

    const ec_procinfo *p = ec_process(c);
    CHECK(t, p->present && p->pid == 100 && p->state == 'R');
    CHECK(t, strcmp(p->fname, "synth") == 0 && strcmp(p->args, "synth -x") == 0);

    uint64_t v = 0;
    CHECK(t, ec_auxv(c, EC_AT_ENTRY, &v) == 1 && v == base + 0x1010);
    CHECK(t, ec_auxv(c, EC_AT_PHDR, &v) == 1 && v == base + 64);
    CHECK(t, ec_auxv(c, 12345, &v) == 0);
    size_t na;
    ec_auxv_all(c, &na);
    CHECK(t, na == 4);
    CHECK(t, ec_execfn(c) && strcmp(ec_execfn(c), "/synth/path") == 0);

    CHECK(t, ec_nfiles(c) == 2);
    const ec_file *f = ec_file_at(c, 1);
    CHECK(t, f && f->start == base + 0x2000 && f->offset == 0x2000 &&
                 strcmp(f->path, s->exe) == 0);

    /* maps: text header page (core) + code (exe), data, stack, reserved,
     * other file, the top page */
    CHECK(t, ec_nmaps(c) == 7);
    const ec_map *m = ec_find_map(c, base);
    CHECK(t, m && m->src == EC_SRC_CORE && m->size == 0x1000 &&
                 m->perms == (EC_PERM_R | EC_PERM_X));
    m = ec_find_map(c, base + 0x1fff);
    CHECK(t, m && m->src == EC_SRC_EXE && m->vaddr == base + 0x1000 && m->offset == 0x1000);
    m = ec_find_map(c, base + 0x2000);
    CHECK(t, m && m->src == EC_SRC_CORE);
    m = ec_find_map(c, RESERVED + 5);
    CHECK(t, m && m->src == EC_SRC_NONE && m->perms == 0);
    m = ec_find_map(c, TOPPAGE + 0xfff);
    CHECK(t, m && m->src == EC_SRC_CORE && m->vaddr + m->size == 0); /* ends at 2^64 */
    for (size_t i = 1; i < ec_nmaps(c); i++)
        CHECK(t, ec_map_at(c, i - 1)->vaddr + ec_map_at(c, i - 1)->size <=
                     ec_map_at(c, i)->vaddr);
    size_t nmiss;
    ec_missing_ranges(c, &nmiss);
    CHECK(t, nmiss == 0);

    /* reads: core, exe, across the two, u64 */
    rt_error err;
    uint8_t buf[64];
    CHECK(t, ec_read(c, base, buf, 4, &err) == 0 && memcmp(buf, "\x7f" "ELF", 4) == 0);
    CHECK(t, ec_read(c, base + 0x1100, buf, 16, &err) == 0 && buf[0] == TEXT_BYTE(0x1100) &&
                 buf[15] == TEXT_BYTE(0x110f));
    CHECK(t, ec_read(c, base + 0xff8, buf, 16, &err) == 0 && buf[8] == TEXT_BYTE(0x1000) &&
                 buf[0] == s->exe_b.p[0xff8]);
    CHECK(t, ec_read(c, base + 0x2000, buf, 8, &err) == 0 && buf[0] == 0xa5 && buf[7] == 0xa5);
    CHECK(t, ec_read_u64(c, STACK + 0x40, &v, &err) == 0 && v == STACK + 0x40);
    CHECK(t, ec_read_u64_or(c, STACK + 0x48, 7) == STACK + 0x48);
    /* a u64 straddling two maps: text's last bytes (exe) and data (core) */
    CHECK(t, ec_read_u64(c, base + 0x1ffc, &v, &err) == 0 &&
                 v == ((uint64_t)0xa5a5a5a5 << 32 | (uint64_t)TEXT_BYTE(0x1fff) << 24 |
                       (uint64_t)TEXT_BYTE(0x1ffe) << 16 | (uint64_t)TEXT_BYTE(0x1ffd) << 8 |
                       TEXT_BYTE(0x1ffc)));
    CHECK(t, ec_read(c, TOPPAGE + 0xff8, buf, 8, &err) == 0 && buf[7] == 0xcc);

    /* failed reads say where and why; the buffer is zeroed */
    memset(buf, 0xee, sizeof buf);
    int rc = ec_read(c, 0x1000, buf, 8, &err);
    CHECK(t, rc == -RT_E_NOTFOUND && err.code == RT_E_NOTFOUND && buf[0] == 0 && buf[7] == 0);
    CHECK(t, has(err.msg, "0x1000") && has(err.msg, "not mapped"));
    CHECK(t, strcmp(err.input, s->core) == 0);
    rc = ec_read(c, RESERVED + 0x10, buf, 8, &err);
    CHECK(t, rc == -RT_E_NOTFOUND && has(err.msg, "PROT_NONE") && has(err.msg, "0xc000000010"));
    rc = ec_read(c, OTHERFILE, buf, 8, &err);
    CHECK(t, rc == -RT_E_NOTFOUND && has(err.msg, "not dumped"));
    rc = ec_read(c, STACK + 0xfff8, buf, 16, &err); /* runs off the stack's end */
    CHECK(t, rc == -RT_E_NOTFOUND && has(err.msg, "0x7ffc00010000") && buf[0] == 0);
    rc = ec_read(c, TOPPAGE + 0xff8, buf, 16, &err); /* wraps */
    CHECK(t, rc == -RT_E_NOTFOUND && has(err.msg, "wraps"));
    CHECK(t, ec_read_u64_or(c, 0x1000, 42) == 42);
    CHECK(t, ec_read_u64_or(c, RESERVED, 43) == 43);
    CHECK(t, ec_read_u64_or(c, UINT64_MAX - 3, 44) == 44);
    CHECK(t, ec_read(c, 0x1000, buf, 0, &err) == 0);

    /* views: inside one map only */
    const uint8_t *vp = ec_view(c, base + 0x1000, 0x1000);
    CHECK(t, vp && vp[0] == TEXT_BYTE(0x1000) && vp[0xfff] == TEXT_BYTE(0x1fff));
    CHECK(t, ec_view(c, base + 0xff8, 16) == NULL);
    CHECK(t, ec_view(c, RESERVED, 8) == NULL);
    CHECK(t, ec_view(c, STACK + 0xfff8, 9) == NULL);
    vp = ec_view(c, STACK, 0x10000);
    CHECK(t, vp && r64(&(bb){ (uint8_t *)vp, 16, 16 }, 8) == STACK + 8);
    /* release, then the bytes read back the same */
    ec_release(c, STACK, 0x10000);
    ec_release(c, base, 0x3000);
    ec_release(c, 0, UINT64_MAX);
    CHECK(t, ec_read_u64(c, STACK + 0x800, &v, &err) == 0 && v == STACK + 0x800);
    CHECK(t, ec_read(c, base + 0x1100, buf, 1, &err) == 0 && buf[0] == TEXT_BYTE(0x1100));

    /* identity */
    const char *detail = NULL;
    CHECK(t, ec_exe_verified(c, &detail) == EC_VERIFY_NOT_RUN);
    rc = ec_check_exe(c, &err);
    CHECK(t, rc == 0 && ec_exe_verified(c, &detail) == EC_VERIFY_GO_BUILDID);
    CHECK(t, has(detail, "synthetic-build-id/one"));
    if (rc)
        print_err_origin("ec_check_exe", &err);
    ec_close(c);

    /* another build of "the same" program */
    c = open_ok(t, s->core, s->exe_other);
    if (c) {
        CHECK(t, ec_exe(c)->how == EC_EXE_GIVEN);
        rc = ec_check_exe(c, &err);
        CHECK(t, rc == -RT_E_MISMATCH && err.code == RT_E_MISMATCH);
        CHECK(t, has(err.msg, "does not match the core") && has(err.msg, "synthetic-build-id/two")
                     && has(err.msg, "synthetic-build-id/one") && has(err.msg, s->exe_other));
        CHECK(t, ec_exe_verified(c, NULL) == EC_VERIFY_MISMATCH);
        ec_close(c);
    }
    /* no note anywhere: the headers decide */
    c = open_ok(t, s->core_nonote, s->exe_nonote);
    if (c) {
        rc = ec_check_exe(c, &err);
        CHECK(t, rc == 0 && ec_exe_verified(c, &detail) == EC_VERIFY_HEADERS);
        ec_close(c);
    }
    c = open_ok(t, s->core, s->exe_nonote); /* exe without note, core with one: headers differ */
    if (c) {
        rc = ec_check_exe(c, &err);
        CHECK(t, rc == -RT_E_MISMATCH && has(err.msg, "ELF header differs"));
        ec_close(c);
    }
    /* no first page in the core: nothing to compare */
    c = open_ok(t, s->core_nohdr, NULL);
    if (c) {
        rc = ec_check_exe(c, &err);
        CHECK(t, rc == 0 && ec_exe_verified(c, &detail) == EC_VERIFY_UNVERIFIED);
        CHECK(t, has(detail, "unverified"));
        m = ec_find_map(c, base);
        CHECK(t, m && m->src == EC_SRC_EXE && m->size == 0x2000);
        CHECK(t, ec_read(c, base, buf, 4, &err) == 0 && memcmp(buf, "\x7f" "ELF", 4) == 0);
        ec_close(c);
    }
    /* no auxv: the exe given, placed through its NT_FILE entry */
    core_opts o = { .exe = &s->exe_b, .pie = pie, .load = base, .nt_path = s->exe,
                    .header_page = 1, .no_auxv = 1 };
    bb cb;
    core_layout lay;
    make_core(&cb, &o, &lay);
    char *path = scratch(t, "core.noauxv");
    write_or_exit(path, cb.p, cb.n);
    c = open_ok(t, path, s->exe);
    if (c) {
        CHECK(t, ec_exe(c)->bias_known && ec_exe(c)->bias == (pie ? base : 0));
        CHECK(t, ec_read(c, base + 0x1100, buf, 1, &err) == 0 && buf[0] == TEXT_BYTE(0x1100));
        rc = ec_check_exe(c, &err);
        CHECK(t, rc == 0 && ec_exe_verified(c, NULL) == EC_VERIFY_GO_BUILDID);
        ec_close(c);
    }
    free(path);
    free(cb.p);
}

/* The exe named by NT_FILE is gone: found beside the core, or not at all. */
static void test_synth_exe_search(tctx *t, synth *s)
{
    t->c.tag = "executable search";
    rt_error err;
    char *sub = scratch(t, "moved");
    mkdir(sub, 0755);
    char *core = rt_malloc(strlen(sub) + 16), *exe = rt_malloc(strlen(sub) + 16);
    sprintf(core, "%s/core", sub);
    sprintf(exe, "%s/prog", sub);
    core_opts o = { .exe = &s->exe_b, .load = 0x400000, .nt_path = "/nonexistent/dir/prog",
                    .header_page = 1 };
    bb cb;
    core_layout lay;
    make_core(&cb, &o, &lay);
    write_or_exit(core, cb.p, cb.n);
    unlink(exe);
    ec_core *c = open_ok(t, core, NULL);
    if (c) {
        const ec_exe_info *x = ec_exe(c);
        CHECK(t, x->how == EC_EXE_NONE && x->path == NULL &&
                     has(x->problem, "/nonexistent/dir/prog"));
        CHECK(t, x->nt_path && strcmp(x->nt_path, "/nonexistent/dir/prog") == 0);
        CHECK(t, ec_nwarnings(c) >= 1);
        uint8_t buf[8];
        int rc = ec_read(c, 0x401000, buf, 8, &err);
        CHECK(t, rc == -RT_E_NOTFOUND && has(err.msg, "no executable"));
        CHECK(t, ec_read(c, 0x400000, buf, 4, &err) == 0); /* the core's own page still reads */
        rc = ec_check_exe(c, &err);
        CHECK(t, rc == 0 && ec_exe_verified(c, NULL) == EC_VERIFY_UNVERIFIED);
        ec_close(c);
    }
    write_or_exit(exe, s->exe_b.p, s->exe_b.n);
    c = open_ok(t, core, NULL);
    if (c) {
        const ec_exe_info *x = ec_exe(c);
        CHECK(t, x->how == EC_EXE_BESIDE_CORE && x->path && strcmp(x->path, exe) == 0);
        uint8_t b1;
        CHECK(t, ec_read(c, 0x401000, &b1, 1, &err) == 0 && b1 == TEXT_BYTE(0x1000));
        CHECK(t, ec_check_exe(c, &err) == 0);
        ec_close(c);
    }
    /* " (deleted)" is stripped, with a warning */
    o.nt_path = "/nonexistent/dir/prog (deleted)";
    free(cb.p);
    make_core(&cb, &o, &lay);
    write_or_exit(core, cb.p, cb.n);
    c = open_ok(t, core, NULL);
    if (c) {
        CHECK(t, ec_exe(c)->how == EC_EXE_BESIDE_CORE);
        CHECK(t, ec_nwarnings(c) >= 2 && has(ec_warning(c, 0), "deleted"));
        ec_close(c);
    }
    /* NT_FILE names a FIFO: not opened for reading (that would wait for a
     * writer); the alarm turns a hang into a failure */
    char *fifo = rt_malloc(strlen(sub) + 16);
    sprintf(fifo, "%s/fifo", sub);
    unlink(fifo);
    if (CHECK(t, mkfifo(fifo, 0600) == 0)) {
        o.nt_path = fifo;
        free(cb.p);
        make_core(&cb, &o, &lay);
        write_or_exit(core, cb.p, cb.n);
        alarm(20);
        c = open_ok(t, core, NULL);
        alarm(0);
        if (c) {
            CHECK(t, ec_exe(c)->how == EC_EXE_NONE && has(ec_exe(c)->problem, "regular file"));
            ec_close(c);
        }
    }
    free(fifo);
    /* no auxv: the NT_FILE entry named like the command ("synth") */
    o.nt_path = s->exe;
    o.no_auxv = 1;
    free(cb.p);
    make_core(&cb, &o, &lay);
    write_or_exit(core, cb.p, cb.n);
    c = open_ok(t, core, NULL);
    if (c) {
        /* the synthetic exe is called "synth_exe": comm "synth" is a prefix, not a match */
        CHECK(t, ec_exe(c)->how == EC_EXE_NONE);
        CHECK(t, ec_auxv(c, EC_AT_ENTRY, &(uint64_t){ 0 }) == 0 && ec_execfn(c) == NULL);
        ec_close(c);
    }
    /* the given exe must open */
    c = (ec_core *)1;
    int rc = ec_open(&c, s->core, "/nonexistent/exe", &err);
    CHECK(t, rc == -RT_E_IO && c == NULL && strcmp(err.input, "/nonexistent/exe") == 0);
    rc = ec_open(&c, s->core, s->core, &err); /* a core as the exe */
    CHECK(t, rc == -RT_E_FORMAT && has(err.msg, "not an executable"));
    free(cb.p);
    free(core);
    free(exe);
    free(sub);
}

static void test_synth_truncated(tctx *t, synth *s)
{
    t->c.tag = "truncated synthetic core";
    char *path = scratch(t, "core.trunc");
    size_t cut = s->lay.load_off[2] + 0x8000; /* half the stack */
    write_or_exit(path, s->core_b.p, cut);
    ec_core *c = open_ok(t, path, NULL);
    if (c) {
        size_t n;
        const ec_range *r = ec_missing_ranges(c, &n);
        uint64_t have, want;
        ec_core_sizes(c, &have, &want);
        CHECK(t, have == cut && want == s->core_b.n);
        /* the stack's second half, then the top page (not adjacent) */
        CHECK(t, n == 2 && r[0].start == STACK + 0x8000 && r[0].size == 0x8000);
        CHECK(t, n == 2 && r[1].start == TOPPAGE && r[1].size == 0x1000);
        const ec_map *m = ec_find_map(c, STACK + 0x9000);
        CHECK(t, m && m->src == EC_SRC_TRUNCATED);
        rt_error err;
        uint64_t v;
        CHECK(t, ec_read_u64(c, STACK + 0x7ff8, &v, &err) == 0 && v == STACK + 0x7ff8);
        int rc = ec_read_u64(c, STACK + 0x9000, &v, &err);
        CHECK(t, rc == -RT_E_TRUNCATED && has(err.msg, "truncated") &&
                     has(err.msg, "0x7ffc00009000"));
        uint8_t two[16];
        rc = ec_read(c, STACK + 0x7ff8, two, 16, &err);
        CHECK(t, rc == -RT_E_TRUNCATED && has(err.msg, "0x7ffc00008000"));
        CHECK(t, ec_read_u64_or(c, STACK + 0x9000, 5) == 5);
        CHECK(t, ec_view(c, STACK + 0x9000, 8) == NULL);
        bool warned = false;
        for (size_t i = 0; i < ec_nwarnings(c); i++)
            warned |= has(ec_warning(c, i), "truncated");
        CHECK(t, warned);
        ec_close(c);
    }
    free(path);
}

static void build_synth(tctx *t, synth *s, int pie)
{
    memset(s, 0, sizeof *s);
    uint64_t load = pie ? 0x555555554000ULL : 0x400000;
    s->exe = scratch(t, pie ? "synth_pie_exe" : "synth_exe");
    s->exe_other = scratch(t, pie ? "synth_pie_other" : "synth_other");
    s->exe_nonote = scratch(t, pie ? "synth_pie_nonote" : "synth_nonote");
    s->core = scratch(t, pie ? "core.pie" : "core.synth");
    s->core_nonote = scratch(t, pie ? "core.pie.nonote" : "core.synth.nonote");
    s->core_nohdr = scratch(t, pie ? "core.pie.nohdr" : "core.synth.nohdr");
    bb other, nonote, cb;
    core_layout lay;
    make_exe(&s->exe_b, pie, "synthetic-build-id/one");
    make_exe(&other, pie, "synthetic-build-id/two");
    make_exe(&nonote, pie, NULL);
    write_or_exit(s->exe, s->exe_b.p, s->exe_b.n);
    write_or_exit(s->exe_other, other.p, other.n);
    write_or_exit(s->exe_nonote, nonote.p, nonote.n);
    core_opts o = { .exe = &s->exe_b, .pie = pie, .load = load, .nt_path = s->exe,
                    .header_page = 1 };
    make_core(&s->core_b, &o, &s->lay);
    write_or_exit(s->core, s->core_b.p, s->core_b.n);
    o.exe = &nonote;
    o.nt_path = s->exe_nonote;
    make_core(&cb, &o, &lay);
    write_or_exit(s->core_nonote, cb.p, cb.n);
    free(cb.p);
    o.exe = &s->exe_b;
    o.nt_path = s->exe;
    o.header_page = 0;
    make_core(&cb, &o, &lay);
    write_or_exit(s->core_nohdr, cb.p, cb.n);
    free(cb.p);
    free(other.p);
    free(nonote.p);
}

static void free_synth(synth *s)
{
    free(s->exe);
    free(s->exe_other);
    free(s->exe_nonote);
    free(s->core);
    free(s->core_nonote);
    free(s->core_nohdr);
    free(s->exe_b.p);
    free(s->core_b.p);
}

/* ------------------------------------------------------------ part 1: bad inputs */

/* Open path (and do a few reads) in a child with a capped address space
 * and a 20 s alarm.  Returns the rt_code ec_open gave (0 = opened), or -1
 * when the child crashed, hung or ran out of memory. */
static int open_capped(const char *path, const char *exe, char *msg, size_t nmsg)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(pfd[0]);
        if (!UNDER_ASAN) {
            struct rlimit rl = { 1ULL << 30, 1ULL << 30 };
            setrlimit(RLIMIT_AS, &rl);
        }
        alarm(20);
        rt_error err;
        ec_core *c = NULL;
        int rc = ec_open(&c, path, exe, &err);
        char line[1400] = "";
        if (rc) {
            rt_error_format(&err, line, sizeof line);
            /* one line, naming the file */
            if (strchr(line, '\n') || !strstr(line, err.input[0] ? err.input : "\x01"))
                _exit(99);
        } else {
            uint64_t v;
            for (size_t i = 0; i < ec_nmaps(c); i++) {
                const ec_map *m = ec_map_at(c, i);
                (void)ec_read_u64(c, m->vaddr, &v, &err);
                (void)ec_read_u64_or(c, m->vaddr + m->size - 4, 0);
                (void)ec_view(c, m->vaddr, (size_t)(m->size < 4096 ? m->size : 4096));
            }
            for (size_t i = 0; i < ec_nthreads(c); i++)
                (void)ec_read_u64_or(c, ec_thread_at(c, i)->regs.rsp, 0);
            (void)ec_check_exe(c, &err);
            ec_close(c);
        }
        if (write(pfd[1], line, strlen(line)) < 0)
            _exit(98);
        _exit(10 + (rc < 0 ? -rc : 0));
    }
    close(pfd[1]);
    size_t got = 0;
    ssize_t k;
    while (got + 1 < nmsg && (k = read(pfd[0], msg + got, nmsg - 1 - got)) > 0)
        got += (size_t)k;
    msg[got] = 0;
    close(pfd[0]);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) < 10 ||
        WEXITSTATUS(st) >= 98)
        return -1;
    return WEXITSTATUS(st) - 10;
}

typedef struct bad_case {
    const char *name;
    int want;            /* rt_code expected */
    const char *in_msg;  /* substring of the formatted error */
} bad_case;

static void expect_bad(tctx *t, const bad_case *bc, const bb *b, size_t n)
{
    t->c.tag = bc->name;
    char *path = scratch(t, "bad");
    write_or_exit(path, b->p, n);
    char msg[1400];
    int rc = open_capped(path, NULL, msg, sizeof msg);
    bool ok = CHECK(t, rc == bc->want);
    ok &= CHECK(t, bc->in_msg == NULL || has(msg, bc->in_msg));
    if (!ok)
        fprintf(stderr, "  got code %d: %s\n", rc, msg);
    free(path);
}

static void test_bad_inputs(tctx *t, synth *s)
{
    const bb *good = &s->core_b;
    const core_layout *lay = &s->lay;
    bb b = { 0 };
#define FRESH() (b.n = 0, wbytes(&b, 0, good->p, good->n))

    wbytes(&b, 0, "hello, this is not an ELF file at all\n", 38);
    expect_bad(t, &(bad_case){ "not ELF", RT_E_FORMAT, "not an ELF file" }, &b, b.n);
    expect_bad(t, &(bad_case){ "empty file", RT_E_FORMAT, "not an ELF file" }, &b, 0);
    FRESH();
    expect_bad(t, &(bad_case){ "magic only", RT_E_TRUNCATED, "identification truncated" }, &b, 10);
    expect_bad(t, &(bad_case){ "truncated header", RT_E_TRUNCATED, "offset 40" }, &b, 40);
    expect_bad(t, &(bad_case){ "headers only", RT_E_TRUNCATED, "program headers" }, &b, 100);
    FRESH();
    b.p[4] = 1;
    expect_bad(t, &(bad_case){ "32-bit", RT_E_UNSUPPORTED, "32-bit" }, &b, b.n);
    FRESH();
    b.p[5] = 2;
    expect_bad(t, &(bad_case){ "big-endian", RT_E_UNSUPPORTED, "big-endian" }, &b, b.n);
    FRESH();
    w16(&b, 18, 183);
    expect_bad(t, &(bad_case){ "arm64 core", RT_E_UNSUPPORTED, "AArch64" }, &b, b.n);
    FRESH();
    w16(&b, 18, 40);
    expect_bad(t, &(bad_case){ "arm core", RT_E_UNSUPPORTED, "e_machine 40" }, &b, b.n);
    FRESH();
    w16(&b, 16, 2);
    expect_bad(t, &(bad_case){ "ET_EXEC as core", RT_E_FORMAT, "not a core file" }, &b, b.n);
    expect_bad(t, &(bad_case){ "synthetic exe as core", RT_E_FORMAT, "not a core file" },
               &s->exe_b, s->exe_b.n);
    FRESH();
    w16(&b, 54, 32);
    expect_bad(t, &(bad_case){ "phentsize", RT_E_CORRUPT, "entry size" }, &b, b.n);
    FRESH();
    w64(&b, 32, 1ULL << 40);
    expect_bad(t, &(bad_case){ "phoff past the end", RT_E_TRUNCATED, "offset 1099511627776" },
               &b, b.n);
    FRESH();
    w64(&b, 32, UINT64_MAX - 10);
    expect_bad(t, &(bad_case){ "phoff near 2^64", RT_E_TRUNCATED, "program headers" }, &b, b.n);
    FRESH();
    w16(&b, 56, 0xfffe);
    expect_bad(t, &(bad_case){ "phnum huge", RT_E_TRUNCATED, "65534 program headers" }, &b, b.n);
    /* PN_XNUM: the real count in section 0's sh_info */
    FRESH();
    {
        size_t sh = b.n;
        bb_size(&b, sh + 64);
        w32(&b, sh + 44, 0x7fffffff); /* sh_info */
        w16(&b, 56, 0xffff);
        w64(&b, 40, sh);
        w16(&b, 58, 64);
        w16(&b, 60, 1);
        char msg[1400];
        t->c.tag = "PN_XNUM huge";
        char *path = scratch(t, "bad");
        write_or_exit(path, b.p, b.n);
        int rc = open_capped(path, NULL, msg, sizeof msg);
        if (!CHECK(t, rc == RT_E_TRUNCATED || rc == RT_E_CORRUPT))
            fprintf(stderr, "  got %d: %s\n", rc, msg);
        /* a correct PN_XNUM header opens */
        w32(&b, sh + 44, 7);
        write_or_exit(path, b.p, b.n);
        t->c.tag = "PN_XNUM right";
        rc = open_capped(path, NULL, msg, sizeof msg);
        if (!CHECK(t, rc == 0))
            fprintf(stderr, "  got %d: %s\n", rc, msg);
        free(path);
    }
    FRESH();
    w64(&b, 64 + 8, 1ULL << 40);
    expect_bad(t, &(bad_case){ "PT_NOTE past the end", RT_E_TRUNCATED, "notes" }, &b, b.n);
    FRESH();
    w64(&b, 64 + 8, UINT64_MAX - 100);
    expect_bad(t, &(bad_case){ "PT_NOTE offset overflow", RT_E_CORRUPT, "overflows" }, &b, b.n);
    FRESH();
    w32(&b, lay->note_off + 4, 0xfffffff0);
    expect_bad(t, &(bad_case){ "note descsz huge", RT_E_CORRUPT, "descriptor size 4294967280" },
               &b, b.n);
    FRESH();
    w32(&b, lay->note_off, 0xffffffff);
    expect_bad(t, &(bad_case){ "note namesz huge", RT_E_CORRUPT, "name size 4294967295" }, &b,
               b.n);
    FRESH();
    w32(&b, lay->note_off + 4, 100);
    expect_bad(t, &(bad_case){ "PRSTATUS short", RT_E_CORRUPT, "NT_PRSTATUS" }, &b, b.n);
    FRESH();
    w64(&b, lay->file_desc, 1ULL << 60);
    expect_bad(t, &(bad_case){ "NT_FILE count huge", RT_E_CORRUPT, "claims 1152921504606846976" },
               &b, b.n);
    FRESH();
    {
        uint32_t dn;
        memcpy(&dn, b.p + lay->file_note + 4, 4);
        w64(&b, lay->file_desc, (dn - 16) / 24);
    }
    expect_bad(t, &(bad_case){ "NT_FILE paths missing", RT_E_CORRUPT, "path list" }, &b, b.n);
    FRESH();
    w64(&b, lay->file_desc + 8, 1ULL << 40);
    w64(&b, lay->file_desc + 16 + 16 + 24, 1ULL << 40);
    expect_bad(t, &(bad_case){ "NT_FILE offset overflow", RT_E_CORRUPT, "overflows" }, &b, b.n);
    FRESH();
    w64(&b, lay->file_desc + 16, UINT64_MAX);
    expect_bad(t, &(bad_case){ "NT_FILE start > end", RT_E_CORRUPT, "before it starts" }, &b,
               b.n);
    /* program header 2 is the data PT_LOAD */
    FRESH();
    w64(&b, 64 + 2 * 56 + 8, UINT64_MAX - 0xfff);
    expect_bad(t, &(bad_case){ "PT_LOAD offset overflow", RT_E_CORRUPT, "overflows" }, &b, b.n);
    FRESH();
    w64(&b, 64 + 2 * 56 + 8, 1ULL << 40);
    expect_bad(t, &(bad_case){ "PT_LOAD past the end", 0, NULL }, &b, b.n); /* = truncated */
    FRESH();
    w64(&b, 64 + 2 * 56 + 16, UINT64_MAX - 0xfff);
    expect_bad(t, &(bad_case){ "PT_LOAD wraps", RT_E_CORRUPT, "address space" }, &b, b.n);
    FRESH();
    w64(&b, 64 + 2 * 56 + 16, STACK + 0x1000);
    expect_bad(t, &(bad_case){ "PT_LOADs overlap", RT_E_CORRUPT, "both map" }, &b, b.n);
    FRESH();
    for (int i = 1; i < 7; i++)
        w32(&b, 64 + (size_t)i * 56, 0);
    expect_bad(t, &(bad_case){ "no PT_LOAD", RT_E_CORRUPT, "no PT_LOAD" }, &b, b.n);
    FRESH();
    w64(&b, 64 + 32, 0); /* PT_NOTE filesz 0: opens, no threads, a warning */
    expect_bad(t, &(bad_case){ "empty notes", 0, NULL }, &b, b.n);
    FRESH();
    w64(&b, 64 + 32, lay->note_len + 64); /* zero padding after the notes */
    expect_bad(t, &(bad_case){ "padded notes", 0, NULL }, &b, b.n);

    /* random byte flips in the headers and notes */
    t->c.tag = "random flips";
    char *path = scratch(t, "flip");
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    int crashed = 0, opened = 0;
    for (int round = 0; round < 300 && !crashed; round++) {
        FRESH();
        int nflip = 1 + round % 4;
        for (int k = 0; k < nflip; k++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t at = (size_t)(seed >> 33) % (lay->note_off + lay->note_len);
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            b.p[at] = (uint8_t)(seed >> 56);
        }
        write_or_exit(path, b.p, b.n);
        char msg[1400];
        int rc = open_capped(path, s->exe, msg, sizeof msg);
        if (rc < 0) {
            crashed = 1;
            char keep[PATH_MAX];
            snprintf(keep, sizeof keep, "%s.crash", path);
            rename(path, keep);
            fprintf(stderr, "  round %d crashed or hung; input kept in %s\n", round, keep);
        }
        opened += rc == 0;
    }
    CHECK(t, !crashed);
    CHECK(t, opened > 0);
    free(path);
    free(b.p);
#undef FRESH
}

static void test_exe_as_core(tctx *t)
{
    t->c.tag = "this test's own executable as the core";
    char self[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k <= 0)
        return;
    self[k] = 0;
    rt_error err;
    ec_core *c;
    int rc = ec_open(&c, self, NULL, &err);
    CHECK(t, rc == -RT_E_FORMAT && has(err.msg, "not a core file") && err.offset == 16);
    CHECK(t, strcmp(err.input, self) == 0);
    rc = ec_open(&c, "/nonexistent/core", NULL, &err);
    CHECK(t, rc == -RT_E_IO && has(err.msg, "cannot open"));
    rc = ec_open(&c, "/", NULL, &err);
    CHECK(t, rc == -RT_E_IO);
    ec_close(NULL);
}

/* ------------------------------------------------------------ part 2: real Go cores */

static const char go_prog[] =
    "package main\n"
    "\n"
    "import (\n"
    "\t\"fmt\"\n"
    "\t\"os\"\n"
    "\t\"reflect\"\n"
    "\t\"syscall\"\n"
    "\t\"time\"\n"
    "\t\"unsafe\"\n"
    ")\n"
    "\n"
    "var data16 = [16]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}\n"
    "\n"
    "const rostr = \"retain-elf-core-rodata-marker-0123456789\"\n"
    "\n"
    "var sink string\n"
    "\n"
    "//go:noinline\n"
    "func marker() int { return len(sink) }\n"
    "\n"
    "func main() {\n"
    "\tsink = rostr\n"
    "\tstrData := *(*uintptr)(unsafe.Pointer(&sink))\n"
    "\tpc := reflect.ValueOf(marker).Pointer()\n"
    "\tcode := (*[16]byte)(unsafe.Pointer(pc))\n"
    "\tfmt.Printf(\"data %#x %x\\n\", uintptr(unsafe.Pointer(&data16)), data16[:])\n"
    "\tfmt.Printf(\"rodata %#x %x\\n\", strData, []byte(rostr))\n"
    "\tfmt.Printf(\"text %#x %x\\n\", pc, code[:])\n"
    "\tfmt.Printf(\"pid %d\\n\", os.Getpid())\n"
    "\tos.Stdout.Sync()\n"
    "\tif len(os.Args) > 1 && os.Args[1] == \"wait\" {\n"
    "\t\tfor {\n"
    "\t\t\ttime.Sleep(time.Hour)\n"
    "\t\t}\n"
    "\t}\n"
    "\tsyscall.Kill(os.Getpid(), syscall.SIGABRT)\n"
    "\t// not select{}: if the signal is still pending, the deadlock detector\n"
    "\t// would end the program first (seen with go1.24 -buildmode=pie)\n"
    "\tfor {\n"
    "\t\ttime.Sleep(time.Second)\n"
    "\t}\n"
    "}\n";

static const char go_other[] =
    "package main\n"
    "\n"
    "import \"fmt\"\n"
    "\n"
    "func main() { fmt.Println(\"another program\") }\n";

static const char go_mod[] = "module ectest\n\ngo 1.19\n";

static int hexval(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

typedef struct truth {
    uint64_t addr;
    uint8_t bytes[64];
    size_t n;
} truth;

/* "KEY 0xADDR HEX" from the program's output */
static bool parse_truth(const char *out_path, const char *key, truth *tr)
{
    FILE *f = fopen(out_path, "r");
    if (!f)
        return false;
    char line[512];
    bool ok = false;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, kl) != 0 || line[kl] != ' ')
            continue;
        char *p = line + kl + 1, *end;
        tr->addr = strtoull(p, &end, 0);
        p = end;
        while (*p == ' ')
            p++;
        tr->n = 0;
        while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0 && tr->n < sizeof tr->bytes) {
            tr->bytes[tr->n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
            p += 2;
        }
        ok = tr->addr != 0 && tr->n > 0;
        break;
    }
    fclose(f);
    return ok;
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* The core the kernel wrote in run_dir ("core" or "core.PID"). */
static bool find_core(const char *run_dir, char *out, size_t n)
{
    DIR *d = opendir(run_dir);
    if (!d)
        return false;
    struct dirent *e;
    bool found = false;
    while (!found && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "core", 4) == 0 && (e->d_name[4] == 0 || e->d_name[4] == '.')) {
            found = (size_t)snprintf(out, n, "%s/%s", run_dir, e->d_name) < n;
        }
    closedir(d);
    return found;
}

/* Run prog in run_dir until it dumps core; *how says which way. */
static bool capture_core(const char *prog, const char *run_dir, char *core, size_t n,
                         const char **how)
{
    char pattern[256] = "";
    FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");
    if (f) {
        if (!fgets(pattern, sizeof pattern, f))
            pattern[0] = 0;
        fclose(f);
    }
    pattern[strcspn(pattern, "\n")] = 0;
    sh("rm -rf '%s' && mkdir -p '%s'", run_dir, run_dir);
    /* TEST_ELF_CORE_GCORE=1 takes the gdb way even where the kernel's works */
    bool kernel_here = pattern[0] && pattern[0] != '|' && !strchr(pattern, '/') &&
                       !getenv("TEST_ELF_CORE_GCORE");
    if (kernel_here) {
        sh("cd '%s' && ulimit -c unlimited 2>/dev/null; GOTRACEBACK=crash timeout -s KILL 120 "
           "'%s' > out.txt 2> err.txt", run_dir, prog);
        if (find_core(run_dir, core, n)) {
            *how = "kernel";
            return true;
        }
    }
    /* the pattern sends cores elsewhere (or the limit forbids): gcore */
    *how = "gdb gcore";
    snprintf(core, n, "%s/core", run_dir);
    sh("cd '%s' && ('%s' wait > out.txt 2> err.txt &) ; i=0; while [ $i -lt 100 ] && ! grep -q "
       "'^pid ' out.txt; do sleep 0.1; i=$((i+1)); done; pid=$(awk '/^pid /{print $2}' out.txt); "
       "[ -n \"$pid\" ] && timeout 300 gdb -batch -nx -ex 'gcore %s' -p $pid > gdb.log 2>&1; "
       "[ -n \"$pid\" ] && kill -9 $pid; "
       /* gdb writes never-touched reservations as zeros: holes keep CI's disk */
       "fallocate --dig-holes '%s' 2>/dev/null", run_dir, prog, core, core);
    return exists(core);
}

static uint64_t rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    uint64_t kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtoull(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static void check_go_core(tctx *t, const char *core, const char *prog, const char *other,
                          const char *out_txt, int pie, bool kernel)
{
    truth data, ro, text;
    if (!CHECK(t, parse_truth(out_txt, "data", &data) && parse_truth(out_txt, "rodata", &ro) &&
                      parse_truth(out_txt, "text", &text)))
        return;
    ec_core *c = open_ok(t, core, NULL);
    if (!c)
        return;
    rt_error err;
    const ec_exe_info *x = ec_exe(c);
    char rp1[PATH_MAX] = "", rp2[PATH_MAX] = "";
    CHECK(t, x->how == EC_EXE_NT_FILE_ENTRY);
    CHECK(t, x->path && realpath(x->path, rp1) && realpath(prog, rp2) && strcmp(rp1, rp2) == 0);
    CHECK(t, x->is_pie == pie && x->bias_known);
    if (pie)
        CHECK(t, x->bias != 0 && x->bias % 4096 == 0);
    else
        CHECK(t, x->bias == 0);
    for (size_t i = 0; i < ec_nwarnings(c); i++)
        fprintf(stderr, "  [%s] warning: %s\n", t->c.tag, ec_warning(c, i));
    CHECK(t, ec_nwarnings(c) == 0);

    /* the .noptrdata global: in the core */
    uint8_t buf[64];
    int rc = ec_read(c, data.addr, buf, data.n, &err);
    if (!CHECK(t, rc == 0 && memcmp(buf, data.bytes, data.n) == 0) && rc)
        print_err_origin("read data", &err);
    const ec_map *m = ec_find_map(c, data.addr);
    CHECK(t, m && m->src == EC_SRC_CORE && (m->perms & EC_PERM_W));
    /* the .rodata string and the code: left out by the kernel, from the exe */
    rc = ec_read(c, ro.addr, buf, ro.n, &err);
    if (!CHECK(t, rc == 0 && memcmp(buf, ro.bytes, ro.n) == 0) && rc)
        print_err_origin("read rodata", &err);
    m = ec_find_map(c, ro.addr);
    CHECK(t, m && !(m->perms & EC_PERM_W));
    if (kernel)
        CHECK(t, m && m->src == EC_SRC_EXE);
    rc = ec_read(c, text.addr, buf, text.n, &err);
    if (!CHECK(t, rc == 0 && memcmp(buf, text.bytes, text.n) == 0) && rc)
        print_err_origin("read text", &err);
    m = ec_find_map(c, text.addr);
    CHECK(t, m && (m->perms & EC_PERM_X));
    if (kernel)
        CHECK(t, m && m->src == EC_SRC_EXE);
    const uint8_t *vp = ec_view(c, text.addr, text.n);
    CHECK(t, vp && memcmp(vp, text.bytes, text.n) == 0);

    /* threads */
    size_t nt = ec_nthreads(c);
    CHECK(t, nt >= 1 && nt < 10000);
    for (size_t i = 0; i < nt; i++) {
        const ec_thread *th = ec_thread_at(c, i);
        const ec_map *pm = ec_find_map(c, th->regs.rip);
        CHECK(t, th->tid > 0);
        CHECK(t, pm && (pm->perms & EC_PERM_X));
        uint64_t w;
        CHECK(t, ec_read_u64(c, th->regs.rsp, &w, &err) == 0);
        CHECK(t, th->regs.fs_base != 0);
    }
    if (kernel && nt) /* the thread that dumped comes first (not always the main one) */
        CHECK(t, ec_thread_at(c, 0)->cursig == SIGABRT);
    bool main_thread = false;
    for (size_t i = 0; i < nt; i++)
        main_thread |= ec_thread_at(c, i)->tid == ec_process(c)->pid;
    CHECK(t, ec_process(c)->present && main_thread);
    CHECK(t, ec_nfiles(c) >= 1);
    uint64_t av;
    CHECK(t, ec_auxv(c, EC_AT_ENTRY, &av) && av == x->entry + x->bias);

    rc = ec_check_exe(c, &err);
    const char *detail;
    if (!CHECK(t, rc == 0 && ec_exe_verified(c, &detail) == EC_VERIFY_GO_BUILDID))
        print_err_origin("ec_check_exe", &err);

    /* release gives RSS back: touch 4 MiB of the dumped heap, release it */
    uint64_t heap = 0, heap_len = 0;
    for (size_t i = 0; i < ec_nmaps(c) && !heap; i++) {
        const ec_map *hm = ec_map_at(c, i);
        if (hm->src == EC_SRC_CORE && hm->size >= (4u << 20)) {
            heap = hm->vaddr;
            heap_len = 4u << 20;
        }
    }
    if (CHECK(t, heap != 0)) {
        const volatile uint8_t *hp = ec_view(c, heap, heap_len);
        uint64_t before = rss_kb();
        unsigned sum = 0;
        for (uint64_t i = 0; hp && i < heap_len; i += 4096)
            sum += hp[i];
        uint64_t touched = rss_kb();
        ec_release(c, heap, heap_len);
        uint64_t after = rss_kb();
        (void)sum;
        if (!CHECK(t, touched >= before + 3000 && after + 3000 <= touched))
            fprintf(stderr, "  RSS kB: before %llu, touched %llu, released %llu\n",
                    (unsigned long long)before, (unsigned long long)touched,
                    (unsigned long long)after);
    }
    ec_close(c);

    /* another program's executable */
    c = open_ok(t, core, other);
    if (c) {
        rc = ec_check_exe(c, &err);
        CHECK(t, rc == -RT_E_MISMATCH && has(err.msg, "does not match the core") &&
                     has(err.msg, "Go build ID"));
        ec_close(c);
    }

    /* the core cut in half */
    char trunc[PATH_MAX + 16];
    struct stat st;
    if ((size_t)snprintf(trunc, sizeof trunc, "%s.trunc", core) >= sizeof trunc ||
        !CHECK(t, stat(core, &st) == 0))
        return;
    uint64_t half = (uint64_t)st.st_size / 2;
    sh("head -c %llu '%s' > '%s'", (unsigned long long)half, core, trunc);
    rc = ec_open(&c, trunc, NULL, &err);
    if (rc) /* gcore writes the notes last: without them, a clear error */
        CHECK(t, !kernel && rc == -RT_E_TRUNCATED && has(err.msg, "notes") &&
                     has(err.msg, "truncated"));
    if (rc && kernel)
        print_err_origin("ec_open", &err);
    if (rc == 0) {
        size_t nmiss;
        const ec_range *r = ec_missing_ranges(c, &nmiss);
        uint64_t have, want;
        ec_core_sizes(c, &have, &want);
        CHECK(t, nmiss >= 1 && have == half && want == (uint64_t)st.st_size);
        if (nmiss) {
            rc = ec_read(c, r[0].start + r[0].size / 2, buf, 8, &err);
            CHECK(t, rc == -RT_E_TRUNCATED && has(err.msg, "truncated"));
            CHECK(t, ec_read_u64_or(c, r[0].start, 77) == 77);
        }
        rc = ec_read(c, data.addr, buf, data.n, &err);
        CHECK(t, rc == 0 && memcmp(buf, data.bytes, data.n) == 0);
        ec_close(c);
    }
    unlink(trunc);
}

/* Print what a core looks like (for the report and for debugging). */
static void describe(ec_core *c, FILE *out)
{
    uint64_t have, want;
    ec_core_sizes(c, &have, &want);
    const ec_exe_info *x = ec_exe(c);
    fprintf(out, "core %s: %llu bytes (needs %llu)\n", ec_core_path(c), (unsigned long long)have,
            (unsigned long long)want);
    fprintf(out, "exe %s (%s), nt_path %s, pie %d, entry 0x%llx, bias 0x%llx%s\n",
            x->path ? x->path : "-", ec_exe_how_name(x->how), x->nt_path ? x->nt_path : "-",
            x->is_pie, (unsigned long long)x->entry, (unsigned long long)x->bias,
            x->bias_known ? "" : " (unknown)");
    const ec_procinfo *p = ec_process(c);
    fprintf(out, "process pid %d comm '%s' args '%s' execfn '%s'\n", p->pid, p->fname, p->args,
            ec_execfn(c) ? ec_execfn(c) : "-");
    for (size_t i = 0; i < ec_nthreads(c); i++) {
        const ec_thread *th = ec_thread_at(c, i);
        fprintf(out, "thread %d sig %d rip 0x%llx rsp 0x%llx fs_base 0x%llx\n", th->tid,
                th->cursig, (unsigned long long)th->regs.rip, (unsigned long long)th->regs.rsp,
                (unsigned long long)th->regs.fs_base);
    }
    size_t na;
    const ec_auxv_entry *a = ec_auxv_all(c, &na);
    for (size_t i = 0; i < na; i++)
        fprintf(out, "auxv %llu = 0x%llx\n", (unsigned long long)a[i].type,
                (unsigned long long)a[i].value);
    for (size_t i = 0; i < ec_nfiles(c); i++) {
        const ec_file *f = ec_file_at(c, i);
        fprintf(out, "file 0x%llx-0x%llx @%llu %s\n", (unsigned long long)f->start,
                (unsigned long long)f->end, (unsigned long long)f->offset, f->path);
    }
    for (size_t i = 0; i < ec_nmaps(c); i++) {
        const ec_map *m = ec_map_at(c, i);
        fprintf(out, "map 0x%012llx +0x%-9llx %c%c%c %-10s off %llu (phdr %u)\n",
                (unsigned long long)m->vaddr, (unsigned long long)m->size,
                m->perms & EC_PERM_R ? 'r' : '-', m->perms & EC_PERM_W ? 'w' : '-',
                m->perms & EC_PERM_X ? 'x' : '-', ec_src_name(m->src),
                (unsigned long long)m->offset, m->seg);
    }
    for (size_t i = 0; i < ec_nwarnings(c); i++)
        fprintf(out, "warning: %s\n", ec_warning(c, i));
}

static int dump_main(const char *core, const char *exe)
{
    rt_error err;
    ec_core *c;
    char buf[1400];
    if (ec_open(&c, core, exe, &err) != 0) {
        rt_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "%s\n", buf);
        return 1;
    }
    describe(c, stdout);
    const char *detail;
    if (ec_check_exe(c, &err) != 0) {
        rt_error_format(&err, buf, sizeof buf);
        printf("check: %s\n", buf);
    } else {
        ec_exe_verified(c, &detail);
        printf("check: ok: %s\n", detail);
    }
    ec_close(c);
    return 0;
}

/* Build the two programs with one toolchain and check its cores. */
static void test_go(tctx *t, const char *work, const char *go)
{
    char ver[64] = "go";
    const char *lib = strstr(go, "/go-");
    if (lib)
        snprintf(ver, sizeof ver, "go%.*s", (int)strcspn(lib + 4, "/"), lib + 4);
    char dir[PATH_MAX], path[PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s/%s", work, ver);
    sh("mkdir -p '%s/src/prog' '%s/src/other'", dir, dir);
    snprintf(path, sizeof path, "%s/src/prog/main.go", dir);
    write_or_exit(path, go_prog, strlen(go_prog));
    snprintf(path, sizeof path, "%s/src/prog/go.mod", dir);
    write_or_exit(path, go_mod, strlen(go_mod));
    snprintf(path, sizeof path, "%s/src/other/main.go", dir);
    write_or_exit(path, go_other, strlen(go_other));
    snprintf(path, sizeof path, "%s/src/other/go.mod", dir);
    write_or_exit(path, go_mod, strlen(go_mod));

    static const struct { const char *name, *flags; int pie; } builds[] = {
        { "prog", "", 0 }, { "prog_pie", "-buildmode=pie", 1 }, { "other", "", 0 } };
    char bin[3][PATH_MAX + 16];
    for (int i = 0; i < 3; i++) {
        snprintf(bin[i], sizeof bin[i], "%s/%s", dir, builds[i].name);
        snprintf(path, sizeof path, "%s/src/%s", dir, i == 2 ? "other" : "prog");
        t->c.tag = ver;
        int rc = go_run(path, work, "GOENV=off", go, "build %s -o '%s' . > '%s.build.log' 2>&1",
                        builds[i].flags, bin[i], bin[i]);
        if (!CHECK(t, rc == 0)) {
            sh("cat '%s.build.log' >&2", bin[i]);
            return;
        }
    }
    for (int i = 0; i < 2; i++) {
        char run[PATH_MAX + 32], core[PATH_MAX + 64], out[PATH_MAX + 64], name[128];
        snprintf(name, sizeof name, "%s %s", ver, builds[i].name);
        t->c.tag = name;
        snprintf(run, sizeof run, "%s/run_%s", dir, builds[i].name);
        const char *how;
        if (!CHECK(t, capture_core(bin[i], run, core, sizeof core, &how))) {
            fprintf(stderr, "  no core in %s (core_pattern elsewhere and gdb failed?)\n", run);
            continue;
        }
        snprintf(out, sizeof out, "%s/out.txt", run);
        int fail0 = t->c.fail;
        check_go_core(t, core, bin[i], bin[2], out, builds[i].pie, strcmp(how, "kernel") == 0);
        char desc[PATH_MAX + 64];
        snprintf(desc, sizeof desc, "%s/describe.txt", run);
        FILE *f = fopen(desc, "w");
        ec_core *c;
        rt_error err;
        if (f && ec_open(&c, core, NULL, &err) == 0) {
            describe(c, f);
            ec_close(c);
        }
        if (f)
            fclose(f);
        if (t->c.fail == fail0)
            unlink(core); /* keep failing cores only: they are tens of MB */
        else
            fprintf(stderr, "  [%s] core (%s) kept: %s; see %s\n", name, how, core, desc);
    }
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--dump") == 0)
        return dump_main(argv[2], argc > 3 ? argv[3] : NULL);
    tctx t = { 0 };
    if (argc == 3 && strcmp(argv[1], "--seeds") == 0) {
        /* fuzz seeds: the synthetic cores and executables, one truncated */
        snprintf(t.dir, sizeof t.dir, "%s", argv[2]);
        mkdir(t.dir, 0755);
        synth s;
        for (int pie = 0; pie <= 1; pie++) {
            build_synth(&t, &s, pie);
            if (!pie) {
                char *path = scratch(&t, "core.synth.trunc");
                write_or_exit(path, s.core_b.p, s.lay.load_off[2] + 0x100);
                free(path);
            }
            free_synth(&s);
        }
        return 0;
    }
    for (int i = 2; i < argc; i++)
        if (access(argv[i], X_OK) != 0) {
            fprintf(stderr, "test_elf_core: %s not found: skipped\n", argv[i]);
            return 77;
        }
    /* one scratch directory per run: ctest runs the per-toolchain tests
     * in parallel over the same WORKDIR */
    if (argc >= 2) {
        sh("mkdir -p '%s'", argv[1]);
        snprintf(t.dir, sizeof t.dir, "%s/synthetic.XXXXXX", argv[1]);
    } else {
        snprintf(t.dir, sizeof t.dir, "/tmp/test_elf_core.XXXXXX");
    }
    if (!mkdtemp(t.dir)) {
        perror("mkdtemp");
        return 2;
    }

    synth s;
    for (int pie = 0; pie <= 1; pie++) {
        build_synth(&t, &s, pie);
        test_synth_basic(&t, &s, pie);
        if (!pie) {
            test_synth_exe_search(&t, &s);
            test_synth_truncated(&t, &s);
            test_bad_inputs(&t, &s);
        }
        free_synth(&s);
    }
    test_exe_as_core(&t);

    for (int i = 2; i < argc; i++)
        test_go(&t, argv[1], argv[i]);

    if (t.c.fail == 0)
        sh("rm -rf '%s'", t.dir);
    return check_summary(&t.c);
}
