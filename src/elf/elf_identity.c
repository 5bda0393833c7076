/* elf_identity.c — does the executable belong to the core? (ec_check_exe)
 *
 * The kernel dumps the first page of every file mapping that starts with
 * an ELF header (coredump_filter bit 4, on by default), so the core holds
 * the executable's first page as it was mapped: ELF header, program
 * headers and the notes the linker puts right after them.  Go's linker
 * writes the Go build ID there (section .note.go.buildid: note name "Go",
 * type 4, the descriptor an ASCII ID such as "abc/def/ghi/jkl"); C
 * toolchains, and Go from 1.27, also write NT_GNU_BUILD_ID (name "GNU",
 * type 3, 20 bytes of hash).
 *
 * We take each note from the executable (its SHT_NOTE sections, else its
 * PT_NOTE segments) with its link-time address, and read the same bytes
 * from the core's own copy at that address plus the load bias — the core
 * only, never the executable, or we would compare the file with itself.
 * When the bytes are not at that address (a wrong executable is placed
 * wrongly), the process's own first page — the one holding AT_PHDR — is
 * searched for the note, so a mismatch can still name both IDs.
 * Go build ID first, then GNU build ID; then the placement (AT_ENTRY, each
 * PT_LOAD mapped); then the ELF header and program headers; when the core
 * holds nothing of that page, the answer is "unverified", not a failure. */
#include "elf/elf_core_int.h"

#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NOTE_GO_BUILDID 4
#define NOTE_GNU_BUILD_ID 3
#define PAGE 4096u

/* One note found in the executable. */
typedef struct exe_note {
    int found;
    uint64_t addr;          /* link-time address of the note header */
    size_t len;             /* header + padded name + padded desc */
    const uint8_t *desc;    /* into the executable's mapping */
    size_t desc_len;
} exe_note;

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/* The note at buf[off] in a buffer of len bytes; 0 at the end or when it
 * does not fit, else the offset of the next note. */
static size_t next_note(const uint8_t *buf, size_t len, size_t off, uint32_t *type,
                        const uint8_t **name, size_t *namesz, const uint8_t **desc,
                        size_t *descsz)
{
    if (off > len || len - off < 12)
        return 0;
    uint32_t nsz, dsz;
    memcpy(&nsz, buf + off, 4);
    memcpy(&dsz, buf + off + 4, 4);
    memcpy(type, buf + off + 8, 4);
    size_t left = len - off - 12;
    if (pad4(nsz) > left || pad4(dsz) > left - pad4(nsz))
        return 0;
    *name = buf + off + 12;
    *namesz = nsz;
    *desc = *name + pad4(nsz);
    *descsz = dsz;
    return off + 12 + pad4(nsz) + pad4(dsz);
}

/* Go writes its note name as "Go\0\0" (namesz 4), GNU as "GNU\0": the
 * name, then NULs up to namesz. */
static int is_note(const uint8_t *name, size_t namesz, uint32_t type, const char *want_name,
                   uint32_t want_type)
{
    size_t wl = strlen(want_name);
    if (type != want_type || namesz <= wl || namesz > 8 || memcmp(name, want_name, wl) != 0)
        return 0;
    for (size_t i = wl; i < namesz; i++)
        if (name[i])
            return 0;
    return 1;
}

/* Look for the note (want_name, want_type) in buf, which sits at link
 * address addr in the executable. */
static void scan_exe_notes(const uint8_t *buf, size_t len, uint64_t addr, const char *want_name,
                           uint32_t want_type, exe_note *out)
{
    size_t off = 0, next;
    uint32_t type;
    const uint8_t *name, *desc;
    size_t namesz, descsz;
    while (!out->found && (next = next_note(buf, len, off, &type, &name, &namesz, &desc,
                                            &descsz)) != 0) {
        if (is_note(name, namesz, type, want_name, want_type)) {
            out->found = 1;
            out->addr = addr + off;
            out->len = next - off;
            out->desc = desc;
            out->desc_len = descsz;
        }
        off = next;
    }
}

static void find_exe_note(ec_core *c, const char *want_name, uint32_t want_type, exe_note *out)
{
    memset(out, 0, sizeof *out);
    Elf *e = c->exe->elf;
    Elf_Scn *scn = NULL;
    while (!out->found && (scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || !(sh.sh_flags & SHF_ALLOC))
            continue;
        if (sh.sh_offset > c->exe->size || sh.sh_size > c->exe->size - sh.sh_offset)
            continue;
        scan_exe_notes(c->exe->img + sh.sh_offset, sh.sh_size, sh.sh_addr, want_name, want_type,
                       out);
    }
    /* no section headers (stripped with sstrip): the PT_NOTE segments */
    size_t phnum;
    if (out->found || elf_getphdrnum(e, &phnum) != 0)
        return;
    for (size_t i = 0; i < phnum && !out->found; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE)
            continue;
        if (ph.p_offset > c->exe->size || ph.p_filesz > c->exe->size - ph.p_offset)
            continue;
        scan_exe_notes(c->exe->img + ph.p_offset, ph.p_filesz, ph.p_vaddr, want_name, want_type,
                       out);
    }
}

/* Printable form of a build ID: Go's are ASCII, GNU's are hex. */
static void id_str(const uint8_t *d, size_t n, int hex, char *out, size_t outn)
{
    size_t w = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && w + 4 < outn; i++) {
        if (hex)
            w += (size_t)snprintf(out + w, outn - w, "%02x", d[i]);
        else
            out[w++] = d[i] >= 0x20 && d[i] < 0x7f ? (char)d[i] : '?';
    }
    if (!hex)
        out[w] = 0;
}

/* The same kind of note anywhere in the core's copy of the page at
 * `page`, in 4-byte steps (notes are 4-aligned; the page holds headers
 * and notes, so a false match is not a practical worry).  Returns 1 and
 * the printable ID in out, else 0. */
static int core_page_note(ec_core *c, uint64_t page, const char *want_name, uint32_t want_type,
                          char *out, size_t outn, int hex)
{
    uint8_t buf[PAGE];
    if (page == UINT64_MAX || ec_read_from(c, page, buf, PAGE, EC_SRC_CORE) != 0)
        return 0;
    for (size_t off = 0; off + 12 <= PAGE; off += 4) {
        uint32_t type;
        const uint8_t *name, *desc;
        size_t namesz, descsz;
        if (next_note(buf, PAGE, off, &type, &name, &namesz, &desc, &descsz) &&
            is_note(name, namesz, type, want_name, want_type) && descsz > 0) {
            id_str(desc, descsz, hex, out, outn);
            return 1;
        }
    }
    return 0;
}

/* The core's copy of the first page of the process's executable: the page
 * holding AT_PHDR when it starts with an ELF header, else UINT64_MAX.
 * Found from the core alone, so it is right even for a wrong executable. */
static uint64_t core_exe_page(ec_core *c)
{
    uint64_t at_phdr;
    uint8_t magic[4];
    if (!ec_auxv(c, EC_AT_PHDR, &at_phdr))
        return UINT64_MAX;
    uint64_t page = at_phdr & ~(uint64_t)(PAGE - 1);
    if (ec_read_from(c, page, magic, 4, EC_SRC_CORE) != 0 || memcmp(magic, "\x7f" "ELF", 4) != 0)
        return UINT64_MAX;
    return page;
}

/* Is the executable a Go program at all?  A Go build ID note, or one of
 * the sections every Go linker writes.  Only used to word a mismatch. */
static int exe_is_go(ec_core *c)
{
    exe_note xn;
    find_exe_note(c, "Go", NOTE_GO_BUILDID, &xn);
    if (xn.found)
        return 1;
    size_t shstrndx;
    if (elf_getshdrstrndx(c->exe->elf, &shstrndx) != 0)
        return 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(c->exe->elf, scn)) != NULL) {
        GElf_Shdr sh;
        const char *name;
        if (gelf_getshdr(scn, &sh) && (name = elf_strptr(c->exe->elf, shstrndx, sh.sh_name)) != NULL &&
            (strcmp(name, ".go.buildinfo") == 0 || strcmp(name, ".gopclntab") == 0))
            return 1;
    }
    return 0;
}

/* A mismatch said for people: the executable does not belong to the core,
 * whether it is a Go program at all, and what to do; the technical reason
 * (fmt, "executable X does not match the core: ...") in parentheses. */
static int mismatch(ec_core *c, uint64_t off, rt_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int mismatch(ec_core *c, uint64_t off, rt_error *err, const char *fmt, ...)
{
    va_list ap;
    char detail[400];
    c->verify = EC_VERIFY_MISMATCH;
    rt_error_clear(err);
    rt_error_where(err, c->exe->path, off, "checking the executable against the core");
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    /* long paths may cut the sentence short; the technical detail, last,
     * is what goes */
    if (snprintf(c->verify_detail, sizeof c->verify_detail,
                 "the executable given %s, so it does not belong to the core %s; pass the executable of the "
                 "process that dumped the core, or leave it out and the core's NT_FILE note names it (%s)",
                 exe_is_go(c) ? "is not the Go program this core was dumped from" : "is not a Go program",
                 c->core->path, detail) >= (int)sizeof c->verify_detail)
        memcpy(c->verify_detail + sizeof c->verify_detail - 5, "...)", 5);
    return RT_FAIL(err, RT_E_MISMATCH, "%s", c->verify_detail);
}

/* Compare one kind of build ID.  Returns 1 verified, 0 not comparable,
 * or a negative code (mismatch, err filled). */
static int compare_note(ec_core *c, uint64_t core_page, const char *want_name,
                        uint32_t want_type, const char *label, int hex, rt_error *err)
{
    exe_note xn;
    find_exe_note(c, want_name, want_type, &xn);
    if (!xn.found || xn.len > PAGE)
        return 0;
    char xid[200], cid[200];
    id_str(xn.desc, xn.desc_len, hex, xid, sizeof xid);
    uint8_t got[PAGE];
    uint64_t at = xn.addr + c->exe_info.bias;
    if (ec_read_from(c, at, got, xn.len, EC_SRC_CORE) == 0) {
        uint32_t type;
        const uint8_t *name, *desc;
        size_t namesz, descsz;
        if (next_note(got, xn.len, 0, &type, &name, &namesz, &desc, &descsz) &&
            is_note(name, namesz, type, want_name, want_type) && descsz == xn.desc_len &&
            memcmp(desc, xn.desc, descsz) == 0) {
            c->verify = want_type == NOTE_GO_BUILDID ? EC_VERIFY_GO_BUILDID
                                                     : EC_VERIFY_GNU_BUILDID;
            snprintf(c->verify_detail, sizeof c->verify_detail,
                     "%s %s of %s is in the core at 0x%llx", label, xid, c->exe->path,
                     (unsigned long long)at);
            return 1;
        }
        /* the core has those bytes, and they are not this note */
        if (core_page_note(c, core_page != UINT64_MAX ? core_page : at & ~(uint64_t)(PAGE - 1),
                           want_name, want_type, cid, sizeof cid, hex))
            return mismatch(c, RT_NO_OFFSET, err,
                            "executable %s does not match the core: %s %s in the executable, "
                            "%s in the core", c->exe->path, label, xid, cid);
        return mismatch(c, RT_NO_OFFSET, err,
                        "executable %s does not match the core: it has %s %s at 0x%llx, where "
                        "the core's copy of that page has none", c->exe->path, label, xid,
                        (unsigned long long)at);
    }
    /* not there (wrong placement, or page not dumped): the process's own
     * executable page, found through AT_PHDR */
    if (core_page_note(c, core_page, want_name, want_type, cid, sizeof cid, hex)) {
        if (strcmp(cid, xid) == 0)
            return 0; /* same ID at another address: the placement check decides */
        return mismatch(c, RT_NO_OFFSET, err,
                        "executable %s does not match the core: %s %s in the executable, %s "
                        "in the core", c->exe->path, label, xid, cid);
    }
    return 0;
}

/* Where the auxiliary vector says the program was loaded must be where
 * this executable would be.  Returns 0 or a mismatch. */
static int check_placement(ec_core *c, rt_error *err)
{
    uint64_t at_entry;
    const ec_exe_info *x = &c->exe_info;
    if (ec_auxv(c, EC_AT_ENTRY, &at_entry) && at_entry != x->entry + x->bias)
        return mismatch(c, RT_NO_OFFSET, err,
                        "executable %s does not match the core: the process entered at 0x%llx "
                        "by AT_ENTRY, this executable at 0x%llx", c->exe->path,
                        (unsigned long long)at_entry, (unsigned long long)(x->entry + x->bias));
    if (x->is_pie && x->bias % PAGE != 0)
        return mismatch(c, RT_NO_OFFSET, err,
                        "executable %s does not match the core: it would be loaded at bias "
                        "0x%llx, which is not page-aligned", c->exe->path,
                        (unsigned long long)x->bias);
    for (size_t k = 0; k < c->nexe_segs; k++) {
        const ec_exe_seg *s = &c->exe_segs[k];
        if (!ec_find_map(c, s->vaddr + x->bias))
            return mismatch(c, RT_NO_OFFSET, err,
                            "executable %s does not match the core: its segment at 0x%llx is "
                            "not mapped in the process", c->exe->path,
                            (unsigned long long)(s->vaddr + x->bias));
    }
    return 0;
}

/* ELF header and program headers of the executable vs the core's copy of
 * its first page.  Same return convention as compare_note. */
static int compare_headers(ec_core *c, rt_error *err)
{
    uint64_t v0 = 0;
    int have = 0;
    for (size_t k = 0; k < c->nexe_segs; k++)
        if (c->exe_segs[k].offset == 0 && c->exe_segs[k].filesz > 0) {
            v0 = c->exe_segs[k].vaddr;
            have = 1;
            break;
        }
    uint64_t hdr_len = c->exe_phoff + (uint64_t)c->exe_phnum * 56;
    if (!have || c->exe_phoff < 64 || hdr_len > PAGE || hdr_len > c->exe->size)
        return 0;
    uint8_t got[PAGE];
    uint64_t at = v0 + c->exe_info.bias;
    if (ec_read_from(c, at, got, (size_t)hdr_len, EC_SRC_CORE) != 0)
        return 0;
    /* the ELF header, then the program headers (what lies between is
     * not ours to judge) */
    size_t diff = SIZE_MAX;
    for (size_t i = 0; i < hdr_len && diff == SIZE_MAX; i++)
        if ((i < 64 || i >= c->exe_phoff) && got[i] != c->exe->img[i])
            diff = i;
    if (diff == SIZE_MAX) {
        c->verify = EC_VERIFY_HEADERS;
        snprintf(c->verify_detail, sizeof c->verify_detail,
                 "no build ID to compare; the ELF header and %u program headers of %s match "
                 "the core's copy at 0x%llx", c->exe_phnum, c->exe->path,
                 (unsigned long long)at);
        return 1;
    }
    return mismatch(c, diff, err,
                    "executable %s does not match the core: its ELF %s differs from the core's "
                    "copy at 0x%llx, at byte %zu", c->exe->path,
                    diff < 64 ? "header" : "program headers", (unsigned long long)at, diff);
}

int ec_check_exe(ec_core *c, rt_error *err)
{
    c->verify = EC_VERIFY_UNVERIFIED;
    if (!c->exe) {
        snprintf(c->verify_detail, sizeof c->verify_detail, "no executable to check%s%s",
                 c->exe_info.problem ? ": " : "",
                 c->exe_info.problem ? c->exe_info.problem : "");
        return 0;
    }
    if (!c->exe_info.bias_known) {
        snprintf(c->verify_detail, sizeof c->verify_detail,
                 "unverified: where %s was loaded is unknown (no auxv, no NT_FILE)",
                 c->exe->path);
        return 0;
    }
    uint64_t page = core_exe_page(c);
    int rc = compare_note(c, page, "Go", NOTE_GO_BUILDID, "Go build ID", 0, err);
    if (rc == 0)
        rc = compare_note(c, page, "GNU", NOTE_GNU_BUILD_ID, "GNU build ID", 1, err);
    if (rc == 0)
        rc = check_placement(c, err);
    if (rc == 0)
        rc = compare_headers(c, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        c->verify = EC_VERIFY_UNVERIFIED;
        snprintf(c->verify_detail, sizeof c->verify_detail,
                 "unverified: the core holds no copy of the first page of %s (coredump_filter "
                 "without bit 4?), so there is no build ID or header to compare", c->exe->path);
    }
    return 0;
}
