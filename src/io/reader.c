/* reader.c — windowed file reading with pins (see reader.h). */
#include "io/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/input_file.h"
#include "util/alloc.h"

#define CHUNK 65536

/* rd_open and rd_open_fd: over fd, with its stat. */
static int start(rt_reader *r, int fd, const struct stat *st, const char *path, size_t window)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->pin = UINT64_MAX;
    r->fd = fd;
    r->file_size = (uint64_t)st->st_size;
    r->cap = window;
    r->buf = rt_malloc(window);
    r->chunk = rt_malloc(CHUNK);
    r->chunk_off = UINT64_MAX;
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return 0;
}

int rd_open(rt_reader *r, const char *path, size_t window, rt_error *err)
{
    struct stat st;
    memset(r, 0, sizeof *r);
    r->fd = -1;
    int fd = input_file_open(path, NULL, &st, err);
    if (fd < 0)
        return fd;
    start(r, fd, &st, path, window);
    r->own_fd = 1;
    return 0;
}

int rd_open_fd(rt_reader *r, int fd, const char *path, size_t window, rt_error *err)
{
    struct stat st;
    memset(r, 0, sizeof *r);
    r->fd = -1;
    if (fstat(fd, &st) != 0) {
        rt_error_where(err, path, RT_NO_OFFSET, "opening the input");
        return RT_FAIL(err, RT_E_IO, "cannot stat: %s", strerror(errno));
    }
    return start(r, fd, &st, path, window);
}

void rd_close(rt_reader *r)
{
    if (r->fd >= 0 && r->own_fd)
        close(r->fd);
    free(r->buf);
    free(r->chunk);
    r->fd = -1;
    r->buf = NULL;
    r->chunk = NULL;
}

static int read_full(int fd, uint8_t *dst, size_t n, uint64_t off, size_t *got)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = pread(fd, dst + done, n - done, (off_t)(off + done));
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (k == 0)
            break;
        done += (size_t)k;
    }
    *got = done;
    return 0;
}

/* Refill so that at least n bytes are unread, keeping pinned bytes. */
static int refill(rt_reader *r, size_t n, rt_error *err)
{
    uint64_t keep = rd_offset(r);
    if (r->pin != UINT64_MAX && r->pin < r->buf_off) {
        r->pin = UINT64_MAX;
        r->pin_lost = 1;
    }
    if (r->pin != UINT64_MAX && r->pin < keep) {
        if (keep - r->pin + n <= r->cap)
            keep = r->pin;
        else {
            r->pin = UINT64_MAX; /* too big to keep: caller re-reads */
            r->pin_lost = 1;
        }
    }
    if (n > r->cap)
        return RT_FAIL(err, RT_E_CORRUPT, "record field of %zu bytes exceeds the read window", n);
    size_t shift = (size_t)(keep - r->buf_off);
    size_t remain = r->len - shift;
    memmove(r->buf, r->buf + shift, remain);
    r->buf_off = keep;
    r->pos -= shift;
    r->len = remain;
    uint64_t fo = r->buf_off + r->len;
    size_t got = 0;
    if (fo < r->file_size) {
        if (read_full(r->fd, r->buf + r->len, r->cap - r->len, fo, &got) != 0)
            return RT_FAIL(err, RT_E_IO, "read failed: %s", strerror(errno));
    }
    r->len += got;
    if (r->len - r->pos < n) {
        rt_error_where(err, r->path, rd_offset(r), NULL);
        return RT_FAIL(err, RT_E_TRUNCATED, "file ends at offset %llu, in the middle of a record",
                       (unsigned long long)r->file_size);
    }
    return 0;
}

int rd_need(rt_reader *r, size_t n, rt_error *err)
{
    if (r->len - r->pos >= n)
        return 0;
    return refill(r, n, err);
}

int rd_uvarint(rt_reader *r, uint64_t *out, rt_error *err)
{
    const uint8_t *p;
    size_t avail = r->len - r->pos;
    if (avail < 10) {
        uint64_t left = r->file_size - rd_offset(r);
        size_t want = left < 10 ? (size_t)left : 10;
        if (want == 0) {
            rt_error_where(err, r->path, rd_offset(r), NULL);
            return RT_FAIL(err, RT_E_TRUNCATED, "file ends at offset %llu, in the middle of a record",
                           (unsigned long long)r->file_size);
        }
        int rc = rd_need(r, want, err);
        if (rc)
            return rc;
        avail = r->len - r->pos;
    }
    p = r->buf + r->pos;
    uint64_t v = 0;
    unsigned shift = 0;
    for (size_t i = 0; i < avail && i < 10; i++) {
        uint8_t b = p[i];
        if (i == 9 && b > 1)
            break;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            r->pos += i + 1;
            *out = v;
            return 0;
        }
        shift += 7;
    }
    rt_error_where(err, r->path, rd_offset(r), NULL);
    if (avail < 10 && rd_offset(r) + avail >= r->file_size)
        return RT_FAIL(err, RT_E_TRUNCATED, "file ends at offset %llu, in the middle of a number",
                       (unsigned long long)r->file_size);
    return RT_FAIL(err, RT_E_CORRUPT, "malformed varint (more than 64 bits)");
}

int rd_take(rt_reader *r, uint64_t len, const uint8_t **ptr, uint64_t *file_off, rt_error *err)
{
    uint64_t off = rd_offset(r);
    *file_off = off;
    if (len > r->file_size - off) {
        rt_error_where(err, r->path, off, NULL);
        /* A record longer than the rest of the file is what a dump cut
         * short looks like; only a length no real heap has is corrupt. */
        if (len >= RD_ABSURD_LENGTH)
            return RT_FAIL(err, RT_E_CORRUPT, "length %llu is absurd (the file has %llu bytes)",
                           (unsigned long long)len, (unsigned long long)r->file_size);
        return RT_FAIL(err, RT_E_TRUNCATED, "file ends at offset %llu, inside a %llu-byte field",
                       (unsigned long long)r->file_size, (unsigned long long)len);
    }
    if (len <= r->cap / 2) {
        int rc = rd_need(r, (size_t)len, err);
        if (rc)
            return rc;
        *ptr = r->buf + r->pos;
        r->pos += (size_t)len;
        return 0;
    }
    /* too large for the window: skip it, the caller reads on demand */
    *ptr = NULL;
    if (r->pin != UINT64_MAX && r->pin <= off) {
        r->pin = UINT64_MAX;
        r->pin_lost = 1;
    }
    return rd_seek(r, off + len, err);
}

void rd_pin(rt_reader *r, uint64_t off)
{
    r->pin = off;
    r->pin_lost = 0;
}

void rd_unpin(rt_reader *r)
{
    r->pin = UINT64_MAX;
}

const uint8_t *rd_window_at(const rt_reader *r, uint64_t off, size_t n)
{
    if (off < r->buf_off || off + n > r->buf_off + r->len)
        return NULL;
    return r->buf + (off - r->buf_off);
}

int rd_pread(rt_reader *r, uint64_t off, void *dst, size_t n, rt_error *err)
{
    size_t got;
    if (off > r->file_size || n > r->file_size - off)
        return RT_FAIL(err, RT_E_TRUNCATED, "read of %zu bytes at offset %llu is past the end",
                       n, (unsigned long long)off);
    if (read_full(r->fd, dst, n, off, &got) != 0 || got != n)
        return RT_FAIL(err, RT_E_IO, "read failed at offset %llu", (unsigned long long)off);
    return 0;
}

int rd_pread_u64(rt_reader *r, uint64_t off, uint64_t *out, rt_error *err)
{
    if (r->chunk_off == UINT64_MAX || off < r->chunk_off || off + 8 > r->chunk_off + r->chunk_len) {
        uint64_t left = off < r->file_size ? r->file_size - off : 0;
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        if (n < 8)
            return RT_FAIL(err, RT_E_TRUNCATED, "read at offset %llu is past the end",
                           (unsigned long long)off);
        int rc = rd_pread(r, off, r->chunk, n, err);
        if (rc)
            return rc;
        r->chunk_off = off;
        r->chunk_len = n;
    }
    memcpy(out, r->chunk + (off - r->chunk_off), 8);
    return 0;
}

int rd_seek(rt_reader *r, uint64_t off, rt_error *err)
{
    if (off > r->file_size)
        return RT_FAIL(err, RT_E_TRUNCATED, "seek past the end of the file");
    if (off >= r->buf_off && off <= r->buf_off + r->len) {
        r->pos = (size_t)(off - r->buf_off);
        return 0;
    }
    r->buf_off = off;
    r->pos = r->len = 0;
    return 0;
}
