/* reader.h — a streaming, bounds-checked reader over one input file.
 *
 * Inputs can be larger than memory we are willing to spend, so a file is
 * read through a window (no mmap: mapped pages would count in our RSS).
 * A caller may pin a position: the window then keeps the bytes from the
 * pin on, so a record's contents stay addressable while its trailer is
 * parsed.  When a record is too large for the window the pin is dropped
 * and the caller re-reads what it needs with rd_pread(). */
#ifndef RETAIN_IO_READER_H
#define RETAIN_IO_READER_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Lengths of 1 TiB and more are corruption, not a truncated file. */
#define RD_ABSURD_LENGTH (1ULL << 40)

typedef struct rt_reader {
    int fd;
    int own_fd;         /* opened by rd_open, closed by rd_close */
    const char *path;   /* borrowed */
    uint64_t file_size;
    uint8_t *buf;
    size_t cap;
    size_t pos, len;    /* buf[pos..len) is unread */
    uint64_t buf_off;   /* file offset of buf[0] */
    uint64_t pin;       /* file offset to keep, or UINT64_MAX */
    int pin_lost;       /* the pinned bytes had to be dropped */
    /* small cache for rd_pread_u64 on unpinned records */
    uint8_t *chunk;
    uint64_t chunk_off;
    size_t chunk_len;
} rt_reader;

int rd_open(rt_reader *r, const char *path, size_t window, rt_error *err);
/* The same over fd, path already open (borrowed: rd_close leaves it open). */
int rd_open_fd(rt_reader *r, int fd, const char *path, size_t window, rt_error *err);
void rd_close(rt_reader *r);

static inline uint64_t rd_offset(const rt_reader *r) { return r->buf_off + r->pos; }

/* Make n bytes available at r->buf + r->pos.  Returns 0, or
 * -RT_E_TRUNCATED when the file ends first (error filled). */
int rd_need(rt_reader *r, size_t n, rt_error *err);

int rd_uvarint(rt_reader *r, uint64_t *out, rt_error *err);

/* Consume len bytes: *ptr points at them when they fit in the window
 * (valid until the next read unless pinned), else *ptr = NULL and the
 * bytes are skipped; *file_off is their offset either way. */
int rd_take(rt_reader *r, uint64_t len, const uint8_t **ptr, uint64_t *file_off, rt_error *err);

void rd_pin(rt_reader *r, uint64_t off);
void rd_unpin(rt_reader *r);

/* Pointer to the pinned byte at file offset off, or NULL if not in the window. */
const uint8_t *rd_window_at(const rt_reader *r, uint64_t off, size_t n);

/* Random access read of n bytes at file offset off. */
int rd_pread(rt_reader *r, uint64_t off, void *dst, size_t n, rt_error *err);
/* Same for one little-endian u64, through a chunk cache (sequential use). */
int rd_pread_u64(rt_reader *r, uint64_t off, uint64_t *out, rt_error *err);

/* Seek so the next read starts at file offset off (drops the window). */
int rd_seek(rt_reader *r, uint64_t off, rt_error *err);

#endif
