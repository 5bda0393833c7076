/* input_unpack.c — inputs that are not plain files of their format: a
 * gzip'd heap dump or core, a zstd-compressed core (systemd-coredump keeps
 * them as .zst), or standard output of another program ("-").  Each is
 * written whole, decompressed, into an unnamed temporary file (O_TMPFILE
 * under $TMPDIR, else /tmp: gone when retain exits), which the loaders
 * then read like any file through /proc/self/fd/N.  A gzip'd heap
 * profile stays as it is: the profile reader takes gzip itself. */
#include "io/input_unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "io/input_file.h"

#define CHUNK (1u << 20)

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int temp_file(rt_error *err)
{
    const char *dir = getenv("TMPDIR");
    int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return RT_FAIL(err, RT_E_IO, "cannot make a temporary file to unpack into: %s", strerror(errno));
    return fd;
}

/* What the first decompressed bytes are: 1 for a heap dump or an ELF
 * file (unpack), 0 for anything else (a gzip'd profile: leave it). */
static int worth_unpacking(const uint8_t *p, size_t n)
{
    static const char dump[] = "go1.7 heap dump\n";
    return (n >= sizeof dump - 1 && memcmp(p, dump, sizeof dump - 1) == 0) ||
           (n >= 4 && memcmp(p, "\x7f" "ELF", 4) == 0);
}

static int gunzip(int in, int out, const char *path, rt_error *err)
{
    gzFile gz = gzdopen(dup(in), "rb");
    if (!gz)
        return RT_FAIL(err, RT_E_IO, "cannot read the gzip stream");
    char *buf = malloc(CHUNK);
    int rc = 0, n;
    uint64_t total = 0;
    while (buf && (n = gzread(gz, buf, CHUNK)) > 0) {
        total += (uint64_t)n;
        if (write_all(out, buf, (size_t)n) != 0) {
            rc = RT_FAIL(err, RT_E_IO, "cannot write the unpacked copy: %s", strerror(errno));
            break;
        }
    }
    int zerr = 0;
    const char *msg = gzerror(gz, &zerr);
    const char *colon = msg ? strstr(msg, ": ") : NULL;
    if (colon && msg[0] == '<')
        msg = colon + 2; /* zlib prefixes "<fd:N>: " */
    if (!rc && (!buf || zerr < 0 || (zerr == Z_OK && !gzeof(gz)))) {
        rt_error_where(err, path, total, "decompressing gzip");
        rc = RT_FAIL(err, RT_E_TRUNCATED, "the gzip stream is damaged or cut short (%s) after %llu bytes",
                     zerr < 0 ? msg : "ends early", (unsigned long long)total);
    }
    free(buf);
    gzclose(gz);
    return rc;
}

static int unzstd(int in, int out, const char *path, rt_error *err)
{
    ZSTD_DCtx *z = ZSTD_createDCtx();
    size_t isz = ZSTD_DStreamInSize(), osz = ZSTD_DStreamOutSize();
    uint8_t *ib = malloc(isz), *ob = malloc(osz);
    int rc = 0;
    size_t last = 1;
    uint64_t total = 0;
    ssize_t n;
    while (z && ib && ob && (n = read(in, ib, isz)) > 0) {
        ZSTD_inBuffer zi = { ib, (size_t)n, 0 };
        while (zi.pos < zi.size && !rc) {
            ZSTD_outBuffer zo = { ob, osz, 0 };
            last = ZSTD_decompressStream(z, &zo, &zi);
            if (ZSTD_isError(last)) {
                rt_error_where(err, path, total, "decompressing zstd");
                rc = RT_FAIL(err, RT_E_CORRUPT, "the zstd stream is damaged: %s", ZSTD_getErrorName(last));
            } else if (write_all(out, ob, zo.pos) != 0) {
                rc = RT_FAIL(err, RT_E_IO, "cannot write the unpacked copy: %s", strerror(errno));
            }
            total += zo.pos;
        }
        if (rc)
            break;
    }
    if (!rc && last != 0) {
        rt_error_where(err, path, total, "decompressing zstd");
        rc = RT_FAIL(err, RT_E_TRUNCATED, "the zstd stream ends early, after %llu bytes", (unsigned long long)total);
    }
    free(ib);
    free(ob);
    ZSTD_freeDCtx(z);
    return rc;
}

/* Copy fd in to out as it is (standard input). */
static int copy(int in, int out, rt_error *err)
{
    char *buf = malloc(CHUNK);
    ssize_t n;
    int rc = 0;
    while (buf && (n = read(in, buf, CHUNK)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || write_all(out, buf, (size_t)n) != 0) {
            rc = RT_FAIL(err, RT_E_IO, "cannot copy standard input: %s", strerror(errno));
            break;
        }
    }
    free(buf);
    return rc;
}

/* The first decompressed bytes of a gzip stream at fd (rewound after). */
static size_t gzip_head(int fd, uint8_t *head, size_t n)
{
    gzFile gz = gzdopen(dup(fd), "rb");
    int got = gz ? gzread(gz, head, (unsigned)n) : 0;
    if (gz)
        gzclose(gz);
    lseek(fd, 0, SEEK_SET);
    return got > 0 ? (size_t)got : 0;
}

int input_unpack(const char *path, input_unpacked *u, int *plain, rt_error *err)
{
    memset(u, 0, sizeof *u);
    if (plain)
        *plain = -1;
    u->fd = -1;
    int in, rc = 0, from_stdin = strcmp(path, "-") == 0 || strcmp(path, "/dev/stdin") == 0;
    if (from_stdin) {
        /* a pipe is read once, into a file the loaders can seek in */
        int t = temp_file(err);
        if (t < 0)
            return t;
        if ((rc = copy(0, t, err)) != 0) {
            close(t);
            rt_error_where(err, "standard input", RT_NO_OFFSET, NULL);
            return rc;
        }
        lseek(t, 0, SEEK_SET);
        in = t;
        u->how = "standard input";
    } else if ((in = input_file_open(path, NULL, NULL, err)) < 0) {
        return in;
    }
    uint8_t head[64], inner[64];
    ssize_t n = pread(in, head, sizeof head, 0);
    int gz = n >= 2 && head[0] == 0x1f && head[1] == 0x8b;
    int zst = n >= 4 && memcmp(head, "\x28\xb5\x2f\xfd", 4) == 0;
    if (gz && !worth_unpacking(inner, gzip_head(in, inner, sizeof inner)))
        gz = 0; /* a heap profile: its reader takes gzip */
    if (!gz && !zst) {
        if (!from_stdin) {
            if (plain)
                *plain = in;
            else
                close(in);
            return 0; /* as it is */
        }
        u->fd = in;
    } else {
        int t = temp_file(err);
        if (t < 0) {
            close(in);
            return t;
        }
        rc = gz ? gunzip(in, t, path, err) : unzstd(in, t, path, err);
        close(in);
        if (rc) {
            close(t);
            rt_error_where(err, path, RT_NO_OFFSET, NULL);
            return rc;
        }
        u->fd = t;
        u->how = gz ? (from_stdin ? "gunzipped from standard input" : "gunzipped")
                    : (from_stdin ? "unzstd'd from standard input" : "unzstd'd");
    }
    snprintf(u->path, sizeof u->path, "/proc/self/fd/%d", u->fd);
    return 0;
}

void input_unpacked_close(input_unpacked *u)
{
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
}
