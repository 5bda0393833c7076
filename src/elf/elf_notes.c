/* elf_notes.c — the notes of an x86-64 Linux core (PT_NOTE segments).
 *
 * A note: namesz u32, descsz u32, type u32, name (padded to 4), desc
 * (padded to 4).  Notes named "CORE" that we read (little-endian; offsets
 * in the descriptor):
 *
 * NT_PRSTATUS (1), one per thread, 336 bytes; the dumping thread first:
 *     0 si_signo, si_code, si_errno  i32 x3
 *    12 pr_cursig  i16
 *    32 pr_pid i32 (the thread id), 36 pr_ppid, 40 pr_pgrp, 44 pr_sid
 *   112 pr_reg     27 x u64, user_regs_struct: r15 r14 r13 r12 rbp rbx r11
 *                  r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp
 *                  ss fs_base gs_base ds es fs gs
 *   328 pr_fpvalid i32
 * NT_PRPSINFO (3), 136 bytes:
 *     0 pr_state i8, 1 pr_sname char, 2 pr_zomb, 3 pr_nice, 8 pr_flag u64
 *    16 pr_uid u32, 20 pr_gid u32, 24 pr_pid, 28 pr_ppid, 32 pr_pgrp,
 *    36 pr_sid (i32 each), 40 pr_fname[16], 56 pr_psargs[80] (arguments
 *    joined by spaces, cut; neither string need end in NUL)
 * NT_AUXV (6): (type u64, value u64) pairs up to AT_NULL (0).
 * NT_SIGINFO (0x53494749), a siginfo_t (128 bytes) after the PRSTATUS of
 *   the thread it belongs to: 0 si_signo, 8 si_code (i32), 16 si_addr
 *   (u64, for faults).
 * NT_FILE (0x46494c45):
 *     0 count u64, 8 page_size u64,
 *    16 count x (start u64, end u64, file offset in pages u64),
 *       then count NUL-terminated paths, one after the other.
 * Other notes (FPU state, XSAVE area, gdb's target description) are
 * skipped.  Every length and count is checked against the bytes that hold
 * it before anything is allocated for it. */
#include "elf/elf_core_int.h"

#include <gelf.h>
#include <string.h>

#include "util/alloc.h"

#define PRSTATUS_MIN 328 /* up to and including pr_reg */
#define PRPSINFO_SIZE 136
#define NT_SIGINFO_TYPE 0x53494749u
#define NT_FILE_TYPE 0x46494c45u

typedef struct note_ctx {
    ec_core *c;
    uint64_t seg_off;   /* core offset of the PT_NOTE data */
    int seen_auxv, seen_file;
} note_ctx;

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static int32_t rd32(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static int note_prstatus(note_ctx *nc, const uint8_t *d, size_t n, uint64_t at, rt_error *err)
{
    ec_core *c = nc->c;
    if (n < PRSTATUS_MIN)
        return EC_CORRUPT(err, c->core->path, at, "reading NT_PRSTATUS",
                          "NT_PRSTATUS holds %zu bytes; x86-64's has %d (a 32-bit or "
                          "foreign core?)", n, 336);
    c->threads = rt_reallocarray(c->threads, c->nthreads + 1, sizeof *c->threads);
    ec_thread *t = &c->threads[c->nthreads++];
    memset(t, 0, sizeof *t);
    int16_t sig;
    memcpy(&sig, d + 12, 2);
    t->cursig = sig;
    t->tid = rd32(d + 32);
    _Static_assert(sizeof(ec_regs) == 27 * 8, "ec_regs is user_regs_struct");
    memcpy(&t->regs, d + 112, sizeof t->regs);
    return 0;
}

static void note_siginfo(note_ctx *nc, const uint8_t *d, size_t n)
{
    ec_core *c = nc->c;
    if (n < 24 || c->nthreads == 0 || c->threads[c->nthreads - 1].has_siginfo)
        return;
    ec_thread *t = &c->threads[c->nthreads - 1];
    t->has_siginfo = 1;
    t->info_signo = rd32(d);
    t->info_code = rd32(d + 8);
    /* si_addr is meaningful for the fault signals only */
    if (t->info_signo == 4 || t->info_signo == 5 || t->info_signo == 7 || t->info_signo == 8 ||
        t->info_signo == 11)
        t->info_addr = rd64(d + 16);
}

static void copy_str(char *dst, const uint8_t *src, size_t n)
{
    size_t k = 0;
    while (k < n && src[k])
        k++;
    memcpy(dst, src, k);
    dst[k] = 0;
}

static void note_prpsinfo(note_ctx *nc, const uint8_t *d, size_t n, uint64_t at)
{
    ec_core *c = nc->c;
    if (n < PRPSINFO_SIZE) {
        ec_warn(c, "%s: offset %llu: NT_PRPSINFO holds %zu bytes, not %d; ignored",
                c->core->path, (unsigned long long)at, n, PRPSINFO_SIZE);
        return;
    }
    ec_procinfo *p = &c->proc;
    p->present = 1;
    p->state = (char)d[1];
    memcpy(&p->uid, d + 16, 4);
    memcpy(&p->gid, d + 20, 4);
    p->pid = rd32(d + 24);
    p->ppid = rd32(d + 28);
    p->pgrp = rd32(d + 32);
    p->sid = rd32(d + 36);
    copy_str(p->fname, d + 40, 16);
    copy_str(p->args, d + 56, 80);
    /* the kernel leaves a trailing space where the last NUL was */
    for (size_t k = strlen(p->args); k > 0 && p->args[k - 1] == ' '; k--)
        p->args[k - 1] = 0;
}

static void note_auxv(note_ctx *nc, const uint8_t *d, size_t n)
{
    ec_core *c = nc->c;
    if (nc->seen_auxv++)
        return;
    size_t cnt = n / 16;
    c->auxv = rt_calloc(cnt ? cnt : 1, sizeof *c->auxv);
    for (size_t i = 0; i < cnt; i++) {
        uint64_t type = rd64(d + 16 * i);
        if (type == 0)
            break;
        c->auxv[c->nauxv].type = type;
        c->auxv[c->nauxv].value = rd64(d + 16 * i + 8);
        c->nauxv++;
    }
}

static int note_file(note_ctx *nc, const uint8_t *d, size_t n, uint64_t at, rt_error *err)
{
    ec_core *c = nc->c;
    const char *phase = "reading NT_FILE (the mapped files)";
    if (nc->seen_file++)
        return 0;
    if (n < 16)
        return EC_CORRUPT(err, c->core->path, at, phase, "NT_FILE holds %zu bytes; its header "
                          "alone needs 16", n);
    uint64_t count = rd64(d), page = rd64(d + 8);
    if (count > (n - 16) / 24)
        return EC_CORRUPT(err, c->core->path, at, phase,
                          "NT_FILE claims %llu mappings; its %zu bytes hold at most %zu",
                          (unsigned long long)count, n, (n - 16) / 24);
    const uint8_t *names = d + 16 + count * 24, *end = d + n;
    size_t names_len = (size_t)(end - names);
    c->files = rt_calloc(count ? count : 1, sizeof *c->files);
    c->file_names = rt_malloc(names_len + 1);
    memcpy(c->file_names, names, names_len);
    c->file_names[names_len] = 0;
    size_t pos = 0;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *e = d + 16 + i * 24;
        uint64_t start = rd64(e), stop = rd64(e + 8), pgoff = rd64(e + 16);
        uint64_t eat = at + 16 + i * 24;
        if (start > stop)
            return EC_CORRUPT(err, c->core->path, eat, phase,
                              "NT_FILE mapping %llu ends (0x%llx) before it starts (0x%llx)",
                              (unsigned long long)i, (unsigned long long)stop,
                              (unsigned long long)start);
        if (page != 0 && pgoff > UINT64_MAX / page)
            return EC_CORRUPT(err, c->core->path, eat, phase,
                              "NT_FILE mapping %llu: file offset %llu pages of %llu bytes "
                              "overflows", (unsigned long long)i, (unsigned long long)pgoff,
                              (unsigned long long)page);
        const char *nm = c->file_names + pos;
        size_t len = strnlen(nm, names_len - pos);
        if (pos >= names_len || len == names_len - pos)
            return EC_CORRUPT(err, c->core->path, at + 16 + count * 24 + pos, phase,
                              "NT_FILE has %llu mappings but its path list ends after %llu",
                              (unsigned long long)count, (unsigned long long)i);
        c->files[i].start = start;
        c->files[i].end = stop;
        c->files[i].offset = pgoff * page;
        c->files[i].path = nm;
        pos += len + 1;
    }
    c->nfiles = (size_t)count;
    return 0;
}

/* The remaining bytes of a note segment are all zero (padding). */
static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static int parse_segment(note_ctx *nc, const GElf_Phdr *ph, rt_error *err)
{
    ec_core *c = nc->c;
    const char *phase = "reading the notes";
    if (ph->p_filesz == 0)
        return 0;
    Elf_Data *d = elf_getdata_rawchunk(c->core->elf, (int64_t)ph->p_offset, ph->p_filesz,
                                       ELF_T_NHDR);
    if (!d)
        return EC_CORRUPT(err, c->core->path, ph->p_offset, phase,
                          "cannot read the notes (%llu bytes): %s",
                          (unsigned long long)ph->p_filesz, elf_errmsg(-1));
    const uint8_t *buf = d->d_buf;
    size_t off = 0;
    nc->seg_off = ph->p_offset;
    while (off < d->d_size) {
        GElf_Nhdr nh;
        size_t name_off, desc_off;
        size_t next = gelf_getnote(d, off, &nh, &name_off, &desc_off);
        uint64_t at = ph->p_offset + off;
        if (next == 0 || next <= off) {
            if (all_zero(buf + off, d->d_size - off))
                break;
            size_t left = d->d_size - off;
            if (left < 12)
                return EC_CORRUPT(err, c->core->path, at, phase,
                                  "a note header needs 12 bytes; the notes end after %zu", left);
            uint32_t namesz, descsz;
            memcpy(&namesz, buf + off, 4);
            memcpy(&descsz, buf + off + 4, 4);
            return EC_CORRUPT(err, c->core->path, at, phase,
                              "note with name size %u and descriptor size %u runs past the end "
                              "of the notes (%zu bytes left)", namesz, descsz, left - 12);
        }
        const char *name = (const char *)buf + name_off;
        const uint8_t *desc = buf + desc_off;
        uint64_t dat = ph->p_offset + desc_off;
        int rc = 0;
        if (nh.n_namesz == 5 && memcmp(name, "CORE", 5) == 0) {
            switch (nh.n_type) {
            case NT_PRSTATUS:
                rc = note_prstatus(nc, desc, nh.n_descsz, dat, err);
                break;
            case NT_PRPSINFO:
                note_prpsinfo(nc, desc, nh.n_descsz, dat);
                break;
            case NT_AUXV:
                note_auxv(nc, desc, nh.n_descsz);
                break;
            case NT_SIGINFO_TYPE:
                note_siginfo(nc, desc, nh.n_descsz);
                break;
            case NT_FILE_TYPE:
                rc = note_file(nc, desc, nh.n_descsz, dat, err);
                break;
            default:
                break;
            }
        }
        if (rc)
            return rc;
        off = next;
    }
    return 0;
}

int ec_parse_notes(ec_core *c, rt_error *err)
{
    size_t phnum;
    note_ctx nc = { .c = c };
    if (elf_getphdrnum(c->core->elf, &phnum) != 0)
        return EC_CORRUPT(err, c->core->path, 56, "reading the notes", "%s", elf_errmsg(-1));
    int nnote = 0;
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(c->core->elf, (int)i, &ph) || ph.p_type != PT_NOTE)
            continue;
        nnote++;
        int rc = parse_segment(&nc, &ph, err);
        if (rc)
            return rc;
    }
    if (nnote == 0)
        ec_warn(c, "%s: the core has no notes (PT_NOTE): no threads, no auxv, no mapped files",
                c->core->path);
    else if (c->nthreads == 0)
        ec_warn(c, "%s: the core has no NT_PRSTATUS note: no threads", c->core->path);
    return 0;
}
