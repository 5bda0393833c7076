/* elf_core.c — opening a core and its executable (elf_core.h).
 *
 * The ELF header, as far as we check it (offsets in the file):
 *     0  e_ident: 7f 'E' 'L' 'F', [4] class (2 = 64-bit), [5] data (1 = LE)
 *    16  e_type     u16   ET_CORE (4) for a core; ET_EXEC (2) / ET_DYN (3)
 *    18  e_machine  u16   EM_X86_64 (62)
 *    24  e_entry    u64
 *    32  e_phoff    u64   program headers: e_phnum entries of e_phentsize
 *    54  e_phentsize u16  56 for ELF64
 *    56  e_phnum    u16   PN_XNUM (0xffff): the count is in section 0's
 *                         sh_info (cores of processes with >65534 mappings)
 * We check the identity bytes ourselves, before libelf, so each error can
 * name the byte at fault; libelf then reads the program headers and notes.
 *
 * Finding the executable: the auxiliary vector gives its runtime entry
 * point (AT_ENTRY) and program headers (AT_PHDR); the NT_FILE entry whose
 * range contains one of them names the file.  A PIE's load bias is
 * AT_ENTRY - e_entry (cross-checked with AT_PHDR - the PT_PHDR's vaddr). */
#include "elf/elf_core_int.h"

#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PAGE 4096u

void ec_warn(ec_core *c, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    c->warnings = rt_reallocarray(c->warnings, c->nwarnings + 1, sizeof *c->warnings);
    c->warnings[c->nwarnings++] = rt_strdup(buf);
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

const char *ec_machine_name(unsigned m)
{
    switch (m) {
    case EM_386: return "i386";
    case EM_ARM: return "32-bit ARM";
    case EM_AARCH64: return "AArch64/arm64";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390x";
    case EM_MIPS: return "MIPS";
    case EM_RISCV: return "RISC-V";
    case 258: return "LoongArch"; /* EM_LOONGARCH, missing from older <elf.h> */
    case EM_X86_64: return "x86-64";
    default: return "an unknown machine";
    }
}

static const char *type_name(unsigned t)
{
    switch (t) {
    case ET_REL: return "a relocatable object (ET_REL)";
    case ET_EXEC: return "an executable (ET_EXEC)";
    case ET_DYN: return "a shared object or PIE executable (ET_DYN)";
    case ET_CORE: return "a core file (ET_CORE)";
    default: return "of an unknown ELF type";
    }
}

/* The identity bytes and the fields we rely on, checked before libelf
 * sees the file.  want_core: the file must be ET_CORE, else ET_EXEC/DYN. */
static int check_header(const elf_file *f, int want_core, rt_error *err)
{
    const char *what = want_core ? "core" : "executable";
    const char *phase = "reading the ELF header";
    const uint8_t *p = f->img;
    if (f->size < SELFMAG || memcmp(p, ELFMAG, SELFMAG) != 0)
        return EC_FAIL(err, RT_E_FORMAT, f->path, 0, phase,
                       "not an ELF file (no \\x7fELF magic), so not a%s %s",
                       want_core ? "" : "n", what);
    if (f->size < EI_NIDENT)
        return EC_FAIL(err, RT_E_TRUNCATED, f->path, f->size, phase,
                       "ELF identification truncated: the file has %llu bytes, it needs %d",
                       (unsigned long long)f->size, EI_NIDENT);
    if (p[EI_CLASS] != ELFCLASS64)
        return EC_FAIL(err, RT_E_UNSUPPORTED, f->path, EI_CLASS, phase,
                       "ELF class %u (%s); only 64-bit x86-64 %ss are supported", p[EI_CLASS],
                       p[EI_CLASS] == ELFCLASS32 ? "32-bit" : "invalid", what);
    if (p[EI_DATA] != ELFDATA2LSB)
        return EC_FAIL(err, RT_E_UNSUPPORTED, f->path, EI_DATA, phase,
                       "ELF data encoding %u (%s); only little-endian x86-64 %ss are supported",
                       p[EI_DATA], p[EI_DATA] == ELFDATA2MSB ? "big-endian" : "invalid", what);
    if (f->size < EHDR_SIZE)
        return EC_FAIL(err, RT_E_TRUNCATED, f->path, f->size, phase,
                       "ELF header truncated: the file has %llu bytes, the header needs %d",
                       (unsigned long long)f->size, EHDR_SIZE);
    unsigned type = get_u16(p + 16), machine = get_u16(p + 18);
    if (want_core && type != ET_CORE)
        return EC_FAIL(err, RT_E_FORMAT, f->path, 16, phase,
                       "this file is %s, not a core file: pass the core dump as the core%s",
                       type_name(type), type == ET_EXEC || type == ET_DYN
                       ? " (and this file as the executable)" : "");
    if (!want_core && type != ET_EXEC && type != ET_DYN)
        return EC_FAIL(err, RT_E_FORMAT, f->path, 16, phase, "this file is %s, not an executable",
                       type_name(type));
    if (machine != EM_X86_64)
        return EC_FAIL(err, RT_E_UNSUPPORTED, f->path, 18, phase,
                       "the %s is for %s (e_machine %u); only x86-64 is supported for now", what,
                       ec_machine_name(machine), machine);
    uint16_t phentsize = get_u16(p + 54), phnum = get_u16(p + 56);
    if (phnum != 0 && phentsize != PHDR_SIZE)
        return EC_CORRUPT(err, f->path, 54, phase,
                          "program header entry size is %u; ELF64 needs %d", phentsize,
                          PHDR_SIZE);
    return 0;
}

/* libelf over the open file, and the program header count checked
 * against the file size (so a corrupt count costs nothing). */
static int begin_elf(elf_file *f, Elf_Cmd cmd, size_t *phnum, uint64_t *phoff, rt_error *err)
{
    const char *phase = "reading the program headers";
    if (!ef_begin(f, cmd, err))
        return -(int)err->code;
    uint64_t off;
    memcpy(&off, f->img + 32, 8);
    *phoff = off;
    /* e_phnum checked before libelf, which refuses or clamps a count the
     * file cannot hold without saying which; PN_XNUM's real count only
     * libelf reads (section 0), and it is checked the same way after. */
    size_t raw = get_u16(f->img + 56);
    if (raw != PN_XNUM && raw > 0 && (off > f->size || (f->size - off) / PHDR_SIZE < raw))
        goto past_end;
    if (elf_getphdrnum(f->elf, phnum) != 0)
        return EC_CORRUPT(err, f->path, 56, phase, "cannot count the program headers: %s",
                          elf_errmsg(-1));
    if (raw != PN_XNUM && *phnum != raw)
        return EC_CORRUPT(err, f->path, 56, phase, "libelf counts %zu program headers, "
                          "e_phnum says %zu", *phnum, raw);
    raw = *phnum;
    if (raw > 0 && (off > f->size || (f->size - off) / PHDR_SIZE < raw))
        goto past_end;
    return 0;
past_end:
    return EC_FAIL(err, RT_E_TRUNCATED, f->path, off, phase,
                   "%zu program headers of %d bytes at offset %llu run past the end of the "
                   "file (%llu bytes)", raw, PHDR_SIZE, (unsigned long long)off,
                   (unsigned long long)f->size);
}

/* Core program headers: every file range must be well formed; PT_NOTEs
 * must lie in the file (we need them); PT_LOADs may run past its end
 * (truncated core: elf_memory.c lists what is missing). */
static int check_core_phdrs(ec_core *c, size_t phnum, uint64_t phoff, rt_error *err)
{
    int nload = 0;
    c->core_want = c->core->size;
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        uint64_t at = phoff + i * PHDR_SIZE;
        if (!gelf_getphdr(c->core->elf, (int)i, &ph))
            return EC_CORRUPT(err, c->core->path, at, "reading the program headers",
                              "cannot read program header %zu: %s", i, elf_errmsg(-1));
        if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE)
            continue;
        if (ph.p_filesz > UINT64_MAX - ph.p_offset)
            return EC_CORRUPT(err, c->core->path, at, "reading the program headers",
                              "program header %zu: file range offset %llu + size %llu overflows",
                              i, (unsigned long long)ph.p_offset,
                              (unsigned long long)ph.p_filesz);
        uint64_t end = ph.p_offset + ph.p_filesz;
        if (end > c->core_want)
            c->core_want = end;
        if (ph.p_type == PT_NOTE && end > c->core->size)
            return EC_FAIL(err, RT_E_TRUNCATED, c->core->path, at, "reading the program headers",
                           "the notes (PT_NOTE, offset %llu, %llu bytes) run past the end of "
                           "the core (%llu bytes): the core is truncated",
                           (unsigned long long)ph.p_offset, (unsigned long long)ph.p_filesz,
                           (unsigned long long)c->core->size);
        if (ph.p_type == PT_LOAD)
            nload++;
    }
    if (nload == 0)
        return EC_CORRUPT(err, c->core->path, phoff, "reading the program headers",
                          "the core has no PT_LOAD segment: no memory to read");
    return 0;
}

/* ------------------------------------------------------ the executable */

/* Take f as the executable (borrowed, or owned when own is set: then
 * closed with the core, also on failure): its header and segments. */
static int use_exe(ec_core *c, elf_file *f, bool own, rt_error *err)
{
    size_t phnum;
    uint64_t phoff;
    const char *path = f->path;
    c->exe = f;
    c->own_exe = own;
    int rc = check_header(c->exe, 0, err);
    /* ELF_C_READ: libelf copies what it reads, so that DWARF may inflate
     * compressed sections in place (dw_secs_load) through this handle */
    if (!rc)
        rc = begin_elf(c->exe, ELF_C_READ, &phnum, &phoff, err);
    if (rc)
        return rc;
    GElf_Ehdr eh;
    if (!gelf_getehdr(c->exe->elf, &eh))
        return EC_CORRUPT(err, path, 0, "reading the ELF header", "%s", elf_errmsg(-1));
    c->exe_info.is_pie = eh.e_type == ET_DYN;
    c->exe_info.entry = eh.e_entry;
    c->exe_phoff = phoff;
    c->exe_phnum = (uint16_t)(phnum > 0xffff ? 0xffff : phnum);
    c->exe_segs = rt_calloc(phnum ? phnum : 1, sizeof *c->exe_segs);
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(c->exe->elf, (int)i, &ph))
            return EC_CORRUPT(err, path, phoff + i * PHDR_SIZE, "reading the program headers",
                              "cannot read program header %zu: %s", i, elf_errmsg(-1));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        ec_exe_seg *s = &c->exe_segs[c->nexe_segs++];
        s->vaddr = ph.p_vaddr;
        s->offset = ph.p_offset;
        s->filesz = ph.p_filesz < ph.p_memsz ? ph.p_filesz : ph.p_memsz;
        s->memsz = ph.p_memsz;
        s->flags = ph.p_flags;
        /* The file image of a segment must be in the file; a short exe
         * only loses what is past its end (reads there fail). */
        if (s->offset > c->exe->size || s->filesz > c->exe->size - s->offset) {
            ec_warn(c, "%s: program header %zu (offset %llu) maps file bytes past the end of "
                    "the executable; that part of it cannot be read", path, i,
                    (unsigned long long)(phoff + i * PHDR_SIZE));
            s->filesz = s->offset > c->exe->size ? 0 : c->exe->size - s->offset;
        }
        s->map_vaddr = s->vaddr;
        s->map_offset = s->offset;
        s->map_len = s->filesz;
        uint64_t lead = s->vaddr & (PAGE - 1);
        if (!(s->flags & PF_W) && s->filesz > 0 && (s->offset & (PAGE - 1)) == lead) {
            /* end <= the exe's size (checked above), so rounding cannot wrap */
            uint64_t end = s->offset + s->filesz;
            uint64_t page_end = (end + PAGE - 1) & ~(uint64_t)(PAGE - 1);
            if (page_end > c->exe->size)
                page_end = c->exe->size;
            s->map_vaddr = s->vaddr - lead;
            s->map_offset = s->offset - lead;
            s->map_len = page_end - s->map_offset;
        }
    }
    c->exe_info.path = c->exe->path;
    return 0;
}

static int open_exe(ec_core *c, const char *path, rt_error *err)
{
    elf_file *f;
    int rc = ef_open(&f, path, "executable", err);
    return rc ? rc : use_exe(c, f, true, err);
}

static void drop_exe(ec_core *c)
{
    if (c->own_exe)
        ef_close(c->exe);
    c->exe = NULL;
    c->own_exe = false;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static const ec_file *file_containing(const ec_core *c, uint64_t addr)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (addr >= c->files[i].start && addr < c->files[i].end)
            return &c->files[i];
    return NULL;
}

/* Which NT_FILE entry is the executable, and how we know. */
static const ec_file *exe_file(const ec_core *c, ec_exe_how *how)
{
    uint64_t v;
    const ec_file *f;
    if (ec_auxv(c, EC_AT_ENTRY, &v) && (f = file_containing(c, v)) != NULL) {
        *how = EC_EXE_NT_FILE_ENTRY;
        return f;
    }
    if (ec_auxv(c, EC_AT_PHDR, &v) && (f = file_containing(c, v)) != NULL) {
        *how = EC_EXE_NT_FILE_PHDR;
        return f;
    }
    /* comm is the file name cut to 15 characters */
    if (c->proc.present && c->proc.fname[0])
        for (size_t i = 0; i < c->nfiles; i++)
            if (c->files[i].offset == 0 &&
                strncmp(base_name(c->files[i].path), c->proc.fname, 15) == 0) {
                *how = EC_EXE_NT_FILE_NAME;
                return &c->files[i];
            }
    return NULL;
}

static void set_problem(ec_core *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_problem(ec_core *c, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(c->exe_problem);
    c->exe_problem = rt_strdup(buf);
    c->exe_info.problem = c->exe_problem;
    ec_warn(c, "%s", buf);
}

/* Try path as the executable; on failure keep the reason in *why. */
static int try_exe(ec_core *c, const char *path, char *why, size_t nwhy)
{
    rt_error e;
    rt_error_clear(&e);
    if (open_exe(c, path, &e) == 0)
        return 1;
    rt_error_format(&e, why, nwhy);
    drop_exe(c);
    free(c->exe_segs);
    c->exe_segs = NULL;
    c->nexe_segs = 0;
    c->exe_info.is_pie = 0;
    c->exe_info.entry = 0;
    return 0;
}

static void find_exe(ec_core *c)
{
    ec_exe_how how;
    const ec_file *f = exe_file(c, &how);
    if (!f) {
        set_problem(c, "the core does not say which file is the executable: %s; name the "
                    "executable after the core", c->nfiles ? "no NT_FILE entry contains the entry point"
                                                           : "it has no NT_FILE note");
        return;
    }
    /* The kernel appends " (deleted)" to paths unlinked since mapped. */
    static const char deleted[] = " (deleted)";
    size_t len = strlen(f->path), dl = sizeof deleted - 1;
    c->exe_nt_path = rt_strdup(f->path);
    if (len > dl && strcmp(f->path + len - dl, deleted) == 0) {
        c->exe_nt_path[len - dl] = 0;
        ec_warn(c, "the executable %s was deleted or replaced after the process started; "
                "the file now there (if any) may be another build", c->exe_nt_path);
    }
    c->exe_info.nt_path = c->exe_nt_path;

    char why[700], why2[700];
    if (try_exe(c, c->exe_nt_path, why, sizeof why)) {
        c->exe_info.how = how;
        return;
    }
    /* Cores travel without their machine: look beside the core. */
    const char *slash = strrchr(c->core->path, '/');
    size_t dirlen = slash ? (size_t)(slash - c->core->path + 1) : 0;
    const char *bn = base_name(c->exe_nt_path);
    char *beside = rt_malloc(dirlen + strlen(bn) + 1);
    memcpy(beside, c->core->path, dirlen);
    strcpy(beside + dirlen, bn);
    if (strcmp(beside, c->exe_nt_path) != 0 && try_exe(c, beside, why2, sizeof why2)) {
        c->exe_info.how = EC_EXE_BESIDE_CORE;
        ec_warn(c, "the executable %s named by the core is not readable (%s); using %s beside "
                "the core", c->exe_nt_path, why, beside);
    } else {
        set_problem(c, "the executable the core names cannot be used: %s; name the executable "
                    "after the core", why);
    }
    free(beside);
}

/* The link-time vaddr of the program headers: PT_PHDR, else the PT_LOAD
 * whose file image holds e_phoff.  0 if neither. */
static uint64_t exe_phdr_vaddr(const ec_core *c)
{
    size_t n;
    if (elf_getphdrnum(c->exe->elf, &n) == 0)
        for (size_t i = 0; i < n; i++) {
            GElf_Phdr ph;
            if (gelf_getphdr(c->exe->elf, (int)i, &ph) && ph.p_type == PT_PHDR)
                return ph.p_vaddr;
        }
    for (size_t i = 0; i < c->nexe_segs; i++) {
        const ec_exe_seg *s = &c->exe_segs[i];
        if (c->exe_phoff >= s->offset && c->exe_phoff - s->offset < s->filesz)
            return s->vaddr + (c->exe_phoff - s->offset);
    }
    return 0;
}

/* No auxv: the NT_FILE entry mapping offset 0 of the executable starts at
 * its first segment's page, moved by the bias.  1 and *bias, or 0. */
static int bias_from_files(const ec_core *c, uint64_t *bias)
{
    const char *want = c->exe_info.nt_path ? c->exe_info.nt_path : c->exe->path;
    const ec_exe_seg *first = NULL;
    for (size_t k = 0; k < c->nexe_segs; k++)
        if (c->exe_segs[k].offset < PAGE && (!first || c->exe_segs[k].vaddr < first->vaddr))
            first = &c->exe_segs[k];
    if (!first)
        return 0;
    for (size_t i = 0; i < c->nfiles; i++) {
        const ec_file *f = &c->files[i];
        /* prefix: the core's path may end in " (deleted)" */
        if (f->offset == 0 && strncmp(f->path, want, strlen(want)) == 0) {
            *bias = f->start - (first->vaddr & ~(uint64_t)(PAGE - 1));
            return 1;
        }
    }
    return 0;
}

static void compute_bias(ec_core *c)
{
    ec_exe_info *x = &c->exe_info;
    uint64_t at_entry = 0, at_phdr = 0;
    int has_entry = ec_auxv(c, EC_AT_ENTRY, &at_entry);
    int has_phdr = ec_auxv(c, EC_AT_PHDR, &at_phdr);
    uint64_t phdr_vaddr = exe_phdr_vaddr(c);
    if (!x->is_pie) {
        x->bias = 0;
        x->bias_known = 1;
        if (has_entry && at_entry != x->entry)
            ec_warn(c, "the core's entry point (AT_ENTRY 0x%llx) is not the executable's "
                    "(0x%llx): %s is probably not the program that dumped",
                    (unsigned long long)at_entry, (unsigned long long)x->entry, x->path);
        return;
    }
    if (has_entry) {
        x->bias = at_entry - x->entry;
        x->bias_known = 1;
    }
    if (has_phdr && phdr_vaddr) {
        uint64_t b = at_phdr - phdr_vaddr;
        if (!x->bias_known) {
            x->bias = b;
            x->bias_known = 1;
        } else if (b != x->bias) {
            ec_warn(c, "load bias from AT_ENTRY (0x%llx) and from AT_PHDR (0x%llx) differ: "
                    "%s is probably not the program that dumped",
                    (unsigned long long)x->bias, (unsigned long long)b, x->path);
        }
    }
    if (!x->bias_known)
        x->bias_known = bias_from_files(c, &x->bias);
    if (!x->bias_known)
        ec_warn(c, "cannot tell where the position-independent executable %s was loaded (no "
                "auxv, no NT_FILE entry): memory the core left out cannot be read", x->path);
    else if (x->bias % PAGE != 0)
        ec_warn(c, "load bias 0x%llx of %s is not page-aligned: probably not the program "
                "that dumped", (unsigned long long)x->bias, x->path);
}

/* ------------------------------------------------------ open / close */

/* ec_open and ec_open_with: the executable given open (exe), or by path
 * (exe_path), or neither (found from the notes). */
static int open_core(ec_core **out, elf_file *core, const char *core_path, elf_file *exe,
                     const char *exe_path, rt_error *err)
{
    rt_error_clear(err);
    *out = NULL;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return RT_FAIL(err, RT_E_IO, "libelf is unusable: %s", elf_errmsg(-1));
    ec_core *c = rt_calloc(1, sizeof *c);
    c->verify = EC_VERIFY_NOT_RUN;
    size_t phnum;
    uint64_t phoff;
    int rc = 0;
    c->core = core;
    c->own_core = !core;
    if (!core)
        rc = ef_open(&c->core, core_path, "core", err);
    if (!rc)
        rc = check_header(c->core, 1, err);
    /* the core through libelf's own mapping: it is only read */
    if (!rc)
        rc = begin_elf(c->core, ELF_C_READ_MMAP, &phnum, &phoff, err);
    if (!rc)
        rc = check_core_phdrs(c, phnum, phoff, err);
    if (!rc)
        rc = ec_parse_notes(c, err);
    if (!rc) {
        if (exe || exe_path) {
            rc = exe ? use_exe(c, exe, false, err) : open_exe(c, exe_path, err);
            c->exe_info.how = EC_EXE_GIVEN;
            ec_exe_how how;
            const ec_file *f = exe_file(c, &how); /* what the core calls it */
            if (f) {
                c->exe_nt_path = rt_strdup(f->path);
                c->exe_info.nt_path = c->exe_nt_path;
            }
        } else {
            find_exe(c);
        }
    }
    if (!rc && c->exe)
        compute_bias(c);
    if (!rc)
        rc = ec_build_maps(c, err);
    if (rc) {
        ec_close(c);
        return rc;
    }
    uint64_t fn;
    if (ec_auxv(c, EC_AT_EXECFN, &fn))
        c->execfn = ec_read_cstr(c, fn, 4096);
    *out = c;
    return 0;
}

int ec_open(ec_core **out, const char *core_path, const char *exe_path, rt_error *err)
{
    return open_core(out, NULL, core_path, NULL, exe_path, err);
}

int ec_open_with(ec_core **out, elf_file *core, elf_file *exe, rt_error *err)
{
    if (!core) {
        *out = NULL;
        return RT_FAIL(err, RT_E_USAGE, "no core given (the caller opens it first)");
    }
    return open_core(out, core, core->path, exe, NULL, err);
}

void ec_close(ec_core *c)
{
    if (!c)
        return;
    if (c->own_core)
        ef_close(c->core);
    drop_exe(c);
    free(c->threads);
    free(c->auxv);
    free(c->execfn);
    free(c->files);
    free(c->file_names);
    free(c->exe_nt_path);
    free(c->exe_problem);
    free(c->exe_segs);
    free(c->maps);
    free(c->missing);
    for (size_t i = 0; i < c->nwarnings; i++)
        free(c->warnings[i]);
    free(c->warnings);
    free(c);
}

/* ------------------------------------------------------ accessors */

const char *ec_core_path(const ec_core *c) { return c->core->path; }

void ec_core_sizes(const ec_core *c, uint64_t *have, uint64_t *want)
{
    if (have)
        *have = c->core->size;
    if (want)
        *want = c->core_want;
}

size_t ec_nwarnings(const ec_core *c) { return c->nwarnings; }
const char *ec_warning(const ec_core *c, size_t i)
{
    return i < c->nwarnings ? c->warnings[i] : NULL;
}

size_t ec_nthreads(const ec_core *c) { return c->nthreads; }
const ec_thread *ec_thread_at(const ec_core *c, size_t i)
{
    return i < c->nthreads ? &c->threads[i] : NULL;
}

const ec_procinfo *ec_process(const ec_core *c) { return &c->proc; }

int ec_auxv(const ec_core *c, uint64_t type, uint64_t *out)
{
    for (size_t i = 0; i < c->nauxv; i++)
        if (c->auxv[i].type == type) {
            *out = c->auxv[i].value;
            return 1;
        }
    return 0;
}

const ec_auxv_entry *ec_auxv_all(const ec_core *c, size_t *n)
{
    *n = c->nauxv;
    return c->auxv;
}

const char *ec_execfn(const ec_core *c) { return c->execfn; }

size_t ec_nfiles(const ec_core *c) { return c->nfiles; }
const ec_file *ec_file_at(const ec_core *c, size_t i)
{
    return i < c->nfiles ? &c->files[i] : NULL;
}

const ec_exe_info *ec_exe(const ec_core *c) { return &c->exe_info; }

elf_file *ec_exe_file(const ec_core *c) { return c->exe; }

elf_file *ec_take_exe(ec_core *c)
{
    c->own_exe = false;
    return c->exe;
}

const char *ec_exe_how_name(ec_exe_how how)
{
    switch (how) {
    case EC_EXE_NONE: return "none";
    case EC_EXE_GIVEN: return "given";
    case EC_EXE_NT_FILE_ENTRY: return "NT_FILE entry holding AT_ENTRY";
    case EC_EXE_NT_FILE_PHDR: return "NT_FILE entry holding AT_PHDR";
    case EC_EXE_NT_FILE_NAME: return "NT_FILE entry named like the command";
    case EC_EXE_BESIDE_CORE: return "beside the core";
    }
    return "?";
}

ec_verify ec_exe_verified(const ec_core *c, const char **detail)
{
    if (detail)
        *detail = c->verify_detail;
    return c->verify;
}
