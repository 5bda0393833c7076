/* elf_debugfile.c — separate debug files (elf_debugfile.h): every file
 * looked at is opened once, as an executable handle, and the one that
 * matches is kept. */
#include "loaders/elf/elf_debugfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>


const char *elf_build_id_hex(const elf_debug_ids *ids, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < ids->build_id_len && k + 3 <= n; i++, k += 2)
        snprintf(buf + k, n - k, "%02x", ids->build_id[i]);
    return buf;
}

/* The CRC-32 .gnu_debuglink records: zlib's, over the whole file (read
 * through its mapping, in pieces zlib's uInt can count). */
static uint32_t file_crc(const elf_file *f)
{
    uLong c = crc32(0L, Z_NULL, 0);
    for (uint64_t off = 0; off < f->size;) {
        uint64_t n = f->size - off < (1u << 30) ? f->size - off : (1u << 30);
        c = crc32(c, f->img + off, (uInt)n);
        off += n;
    }
    return (uint32_t)c;
}

static void note_tried(char *tried, size_t n, const char *path)
{
    if (!tried || !n)
        return;
    size_t len = strlen(tried);
    snprintf(tried + len, n - len, "%s%s", len ? "; " : "", path);
}

/* path opened as the debug file of an executable with these ids: 1 with
 * *out set (the caller owns it), else 0. */
static int matches(const char *path, const elf_debug_ids *exe, int by_crc, exe_file **out)
{
    if (access(path, R_OK) != 0)
        return 0;
    exe_file *c;
    const elf_debug_ids *ids;
    rt_error e;
    rt_error_clear(&e);
    if (exe_open(&c, path, "debug file", &e) != 0)
        return 0;
    int ok = exe_ids(c, &ids, &e) == 0 && ids->has_dwarf;
    if (ok && exe->build_id_len)
        ok = ids->build_id_len == exe->build_id_len && memcmp(ids->build_id, exe->build_id, ids->build_id_len) == 0;
    else if (ok)
        ok = by_crc && file_crc(exe_elf_file(c)) == exe->debuglink_crc;
    if (!ok) {
        exe_close(c);
        return 0;
    }
    *out = c;
    return 1;
}

int elf_debug_find(exe_file *x, const elf_debug_ids *ids, const char *const *dirs, exe_file **found,
                   char *tried, size_t ntried)
{
    static const char *const system_dirs[] = { "/usr/lib/debug", NULL };
    const char *exe = exe_path(x);
    char path[4096], hex[160];
    *found = NULL;
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
            if (matches(path, ids, 0, found))
                return 0;
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
            if (matches(path, ids, 1, found))
                return 0;
            note_tried(tried, ntried, path);
        }
        for (int pass = 0; pass < 2; pass++) {
            const char *const *list = pass ? system_dirs : dirs;
            for (size_t i = 0; list && list[i]; i++) {
                if (snprintf(path, sizeof path, "%s%s%s/%s", list[i], dir[0] == '/' ? "" : "/", dir,
                             ids->debuglink) >= (int)sizeof path)
                    continue;
                if (matches(path, ids, 1, found))
                    return 0;
                note_tried(tried, ntried, path);
            }
        }
    }
    return -RT_E_NOTFOUND;
}

int elf_debug_source(exe_file *x, const char *const *dirs, exe_file **src, rt_error *err)
{
    const elf_debug_ids *ids;
    int rc;
    *src = NULL;
    if (exe_debug(x)) {
        *src = exe_debug(x);
        return 0;
    }
    if ((rc = exe_ids(x, &ids, err)) != 0)
        return rc;
    if (ids->has_dwarf) {
        *src = x;
        return 0;
    }
    char tried[1024], hex[160];
    exe_file *found;
    if (elf_debug_find(x, ids, dirs, &found, tried, sizeof tried) == 0) {
        exe_debug_attach(x, found);
        *src = found;
        return 0;
    }
    rt_error_where(err, exe_path(x), RT_NO_OFFSET, "finding its debug information");
    /* what to do first: the list of places tried may be long and is cut */
    return RT_FAIL(err, RT_E_NOTFOUND,
                   "the executable has no DWARF (stripped, or built with -ldflags=-s -w) and no debug "
                   "file was found for %s%s; name the debug file after the executable, give "
                   "--debug-dir DIR, or on Debian install the package's -dbgsym (dpkg -S names the "
                   "package); tried %s",
                   ids->build_id_len ? "GNU build id " : "an executable without a GNU build id",
                   elf_build_id_hex(ids, hex, sizeof hex), tried[0] ? tried : "nothing");
}

int elf_debug_pair(exe_file *fa, exe_file *fb, int *debug_is_b, rt_error *err)
{
    const elf_debug_ids *pa, *pb;
    int rc;
    if ((rc = exe_ids(fa, &pa, err)) != 0 || (rc = exe_ids(fb, &pb, err)) != 0)
        return rc;
    const elf_debug_ids ia = *pa, ib = *pb;
    const char *a = exe_path(fa), *b = exe_path(fb);
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
    exe_file *df = *debug_is_b ? fb : fa;
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
        crc = file_crc(exe_elf_file(df));
        same = crc == x->debuglink_crc;
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
