/* elf_debugfile.c — separate debug files (elf_debugfile.h). */
#include "loaders/elf/elf_debugfile.h"

#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "io/input_file.h"
#include "loaders/elf/elf_symbols.h"

#define NOTE_GNU_BUILD_ID 3

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/* The GNU build id among the notes of one SHT_NOTE section's bytes. */
static void find_build_id(const uint8_t *p, size_t len, elf_debug_ids *ids)
{
    size_t off = 0;
    while (off + 12 <= len) {
        uint32_t nsz, dsz, type;
        memcpy(&nsz, p + off, 4);
        memcpy(&dsz, p + off + 4, 4);
        memcpy(&type, p + off + 8, 4);
        size_t name = off + 12, desc = name + pad4(nsz);
        if (pad4(nsz) > len - name || pad4(dsz) > len - desc)
            return;
        if (type == NOTE_GNU_BUILD_ID && nsz == 4 && memcmp(p + name, "GNU", 4) == 0 && dsz > 0 &&
            dsz <= sizeof ids->build_id) {
            memcpy(ids->build_id, p + desc, dsz);
            ids->build_id_len = dsz;
            return;
        }
        off = desc + pad4(dsz);
    }
}

int elf_debug_ids_from_elf(Elf *e, const char *path, elf_debug_ids *ids, rt_error *err)
{
    memset(ids, 0, sizeof *ids);
    size_t shstrndx;
    if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx) != 0) {
        rt_error_where(err, path, RT_NO_OFFSET, "reading section headers");
        return RT_FAIL(err, RT_E_FORMAT, "not an ELF file libelf can read: %s", elf_errmsg(-1));
    }
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        const char *nm = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
        if (!nm)
            continue;
        int bits = sh.sh_type != SHT_NOBITS && sh.sh_size > 0;
        if (strcmp(nm, ".debug_info") == 0 || strcmp(nm, ".zdebug_info") == 0)
            ids->has_dwarf |= bits;
        else if (strcmp(nm, ".text") == 0)
            ids->has_code |= bits;
        else if (sh.sh_type == SHT_NOTE && strcmp(nm, ".note.go.buildid") == 0) {
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d)
                ids->go_build_id_len = elf_go_buildid_note(d->d_buf, d->d_size, ids->go_build_id,
                                                           sizeof ids->go_build_id);
        } else if (sh.sh_type == SHT_NOTE && !ids->build_id_len) {
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d && d->d_buf)
                find_build_id(d->d_buf, d->d_size, ids);
        } else if (strcmp(nm, ".gnu_debuglink") == 0 && bits) {
            /* a NUL-terminated name, padded to 4, then a CRC-32 */
            Elf_Data *d = elf_getdata(scn, NULL);
            if (!d || !d->d_buf)
                continue;
            const char *s = d->d_buf;
            size_t len = strnlen(s, d->d_size);
            size_t crc_at = pad4(len + 1);
            if (len == 0 || len >= sizeof ids->debuglink || crc_at + 4 > d->d_size || strchr(s, '/'))
                continue;
            memcpy(ids->debuglink, s, len);
            ids->debuglink[len] = 0;
            memcpy(&ids->debuglink_crc, (const uint8_t *)d->d_buf + crc_at, 4);
        }
    }
    return 0;
}

int elf_debug_ids_read(const char *path, elf_debug_ids *ids, rt_error *err)
{
    memset(ids, 0, sizeof *ids);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return RT_FAIL(err, RT_E_IO, "libelf is too old");
    int fd = input_file_open(path, "executable", NULL, err);
    if (fd < 0)
        return fd;
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    int rc = elf_debug_ids_from_elf(e, path, ids, err);
    if (e)
        elf_end(e);
    close(fd);
    return rc;
}

const char *elf_build_id_hex(const elf_debug_ids *ids, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < ids->build_id_len && k + 3 <= n; i++, k += 2)
        snprintf(buf + k, n - k, "%02x", ids->build_id[i]);
    return buf;
}

/* The CRC-32 .gnu_debuglink records: zlib's, over the whole file. */
static int file_crc(const char *path, uint32_t *crc)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    uLong c = crc32(0L, Z_NULL, 0);
    unsigned char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        c = crc32(c, buf, (uInt)n);
    close(fd);
    if (n < 0)
        return -1;
    *crc = (uint32_t)c;
    return 0;
}

static void note_tried(char *tried, size_t n, const char *path)
{
    if (!tried || !n)
        return;
    size_t len = strlen(tried);
    snprintf(tried + len, n - len, "%s%s", len ? "; " : "", path);
}

/* Whether path is the debug file of an executable with these ids. */
static int matches(const char *path, const elf_debug_ids *exe, int by_crc)
{
    if (access(path, R_OK) != 0)
        return 0;
    elf_debug_ids c;
    rt_error e;
    if (elf_debug_ids_read(path, &c, &e) != 0 || !c.has_dwarf)
        return 0;
    if (exe->build_id_len)
        return c.build_id_len == exe->build_id_len && memcmp(c.build_id, exe->build_id, c.build_id_len) == 0;
    uint32_t crc;
    return by_crc && file_crc(path, &crc) == 0 && crc == exe->debuglink_crc;
}

int elf_debug_find(const char *exe, const elf_debug_ids *ids, const char *const *dirs, char *out,
                   size_t nout, char *tried, size_t ntried)
{
    static const char *const system_dirs[] = { "/usr/lib/debug", NULL };
    char path[4096], hex[160];
    if (tried && ntried)
        tried[0] = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *const *list = pass ? system_dirs : dirs;
        for (size_t i = 0; list && list[i]; i++) {
            if (!ids->build_id_len)
                break;
            elf_build_id_hex(ids, hex, sizeof hex);
            if (snprintf(path, sizeof path, "%s/.build-id/%.2s/%s.debug", list[i], hex, hex + 2) >=
                (int)sizeof path)
                continue;
            if (matches(path, ids, 0)) {
                snprintf(out, nout, "%s", path);
                return 0;
            }
            note_tried(tried, ntried, path);
        }
    }
    if (ids->debuglink[0]) {
        char dir[4096];
        char *real = realpath(exe, NULL);
        int too_long = snprintf(dir, sizeof dir, "%s", real ? real : exe) >= (int)sizeof dir;
        free(real);
        if (too_long)
            return -RT_E_NOTFOUND;
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
        else
            snprintf(dir, sizeof dir, ".");
        for (int k = 0; k < 2; k++) {
            if (snprintf(path, sizeof path, k ? "%s/.debug/%s" : "%s/%s", dir, ids->debuglink) >=
                (int)sizeof path)
                continue;
            if (matches(path, ids, 1)) {
                snprintf(out, nout, "%s", path);
                return 0;
            }
            note_tried(tried, ntried, path);
        }
        for (int pass = 0; pass < 2; pass++) {
            const char *const *list = pass ? system_dirs : dirs;
            for (size_t i = 0; list && list[i]; i++) {
                if (snprintf(path, sizeof path, "%s%s%s/%s", list[i], dir[0] == '/' ? "" : "/", dir,
                             ids->debuglink) >= (int)sizeof path)
                    continue;
                if (matches(path, ids, 1)) {
                    snprintf(out, nout, "%s", path);
                    return 0;
                }
                note_tried(tried, ntried, path);
            }
        }
    }
    return -RT_E_NOTFOUND;
}

int elf_debug_resolve(const char *exe, const char *given, const char *const *dirs, char *buf, size_t n,
                      const char **dwarf_path, rt_error *err)
{
    elf_debug_ids ids;
    int rc;
    *dwarf_path = NULL;
    if (given) {
        *dwarf_path = given;
        return 0;
    }
    if ((rc = elf_debug_ids_read(exe, &ids, err)) != 0)
        return rc;
    return elf_debug_resolve_ids(exe, &ids, given, dirs, buf, n, dwarf_path, err);
}

int elf_debug_resolve_ids(const char *exe, const elf_debug_ids *exe_ids, const char *given,
                          const char *const *dirs, char *buf, size_t n, const char **dwarf_path, rt_error *err)
{
    const elf_debug_ids ids = *exe_ids;
    *dwarf_path = NULL;
    if (given) {
        *dwarf_path = given;
        return 0;
    }
    if (ids.has_dwarf) {
        *dwarf_path = exe;
        return 0;
    }
    char tried[1024], hex[160];
    if (elf_debug_find(exe, &ids, dirs, buf, n, tried, sizeof tried) == 0) {
        *dwarf_path = buf;
        return 0;
    }
    rt_error_where(err, exe, RT_NO_OFFSET, "finding its debug information");
    /* what to do first: the list of places tried may be long and is cut */
    return RT_FAIL(err, RT_E_NOTFOUND,
                   "the executable has no DWARF (stripped, or built with -ldflags=-s -w) and no debug "
                   "file was found for %s%s; name the debug file after the executable, give "
                   "--debug-dir DIR, or on Debian install the package's -dbgsym (dpkg -S names the "
                   "package); tried %s",
                   ids.build_id_len ? "GNU build id " : "an executable without a GNU build id",
                   elf_build_id_hex(&ids, hex, sizeof hex), tried[0] ? tried : "nothing");
}

int elf_debug_pair(const char *a, const char *b, int *debug_is_b, rt_error *err)
{
    elf_debug_ids ia, ib;
    int rc;
    if ((rc = elf_debug_ids_read(a, &ia, err)) != 0 || (rc = elf_debug_ids_read(b, &ib, err)) != 0)
        return rc;
    /* a debug file has DWARF and no code; failing that, the one with DWARF
     * goes with the one without */
    if (ib.has_dwarf && (!ib.has_code || !ia.has_dwarf) && ia.has_code)
        *debug_is_b = 1;
    else if (ia.has_dwarf && (!ia.has_code || !ib.has_dwarf) && ib.has_code)
        *debug_is_b = 0;
    else {
        rt_error_where(err, b, RT_NO_OFFSET, NULL);
        return RT_FAIL(err, RT_E_USAGE, "a second executable (the first was %s), and neither is the "
                                        "other's debug file; give one executable", a);
    }
    const elf_debug_ids *x = *debug_is_b ? &ia : &ib, *d = *debug_is_b ? &ib : &ia;
    const char *xp = *debug_is_b ? a : b, *dp = *debug_is_b ? b : a;
    char hx[260], hd[260];
    int same;
    const char *what;
    uint32_t crc;
    if (x->build_id_len && d->build_id_len) {
        what = "GNU build id";
        same = x->build_id_len == d->build_id_len && memcmp(x->build_id, d->build_id, x->build_id_len) == 0;
        elf_build_id_hex(x, hx, sizeof hx);
        elf_build_id_hex(d, hd, sizeof hd);
    } else if (x->go_build_id_len && d->go_build_id_len) {
        what = "Go build id";
        same = x->go_build_id_len == d->go_build_id_len &&
               memcmp(x->go_build_id, d->go_build_id, x->go_build_id_len) == 0;
        snprintf(hx, sizeof hx, "%.*s", (int)x->go_build_id_len, (const char *)x->go_build_id);
        snprintf(hd, sizeof hd, "%.*s", (int)d->go_build_id_len, (const char *)d->go_build_id);
    } else if (x->debuglink[0]) {
        what = "debuglink CRC";
        same = file_crc(dp, &crc) == 0 && crc == x->debuglink_crc;
        snprintf(hx, sizeof hx, "%08x", x->debuglink_crc);
        snprintf(hd, sizeof hd, "%08x", same ? x->debuglink_crc : crc);
    } else {
        rt_error_where(err, dp, RT_NO_OFFSET, "matching the debug file");
        return RT_FAIL(err, RT_E_MISMATCH,
                       "nothing shows this debug file belongs to %s (no build id or debuglink in "
                       "either); give the executable alone, or a pair built with a build id", xp);
    }
    if (!same) {
        rt_error_where(err, dp, RT_NO_OFFSET, "matching the debug file");
        return RT_FAIL(err, RT_E_MISMATCH,
                       "this debug file belongs to another build (%s %s; the executable %s has %s); "
                       "give the debug file of that very build", what, hd, xp, hx);
    }
    return 0;
}
