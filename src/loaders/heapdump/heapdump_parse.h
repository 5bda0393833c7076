/* heapdump_parse.h — record-at-a-time parser for Go heap dumps.
 *
 * Knows the byte format (heapdump_format.h) and nothing of the heap
 * model: the loader asks for one record at a time.  Every length is
 * checked against the file before anything is allocated for it, so a
 * corrupt dump gives an error naming the offset and never a large
 * allocation. */
#ifndef RETAIN_HEAPDUMP_PARSE_H
#define RETAIN_HEAPDUMP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "io/reader.h"
#include "loaders/heapdump/heapdump_format.h"
#include "util/error.h"

/* A byte range of the dump.  ptr is NULL when the range was too large
 * for the read window; read it with hd_word(). */
typedef struct hd_bytes {
    const uint8_t *ptr;
    uint64_t len;
    uint64_t off; /* file offset */
} hd_bytes;

/* A string copied out of the dump; valid until the next hd_next(). */
typedef struct hd_str {
    const char *s; /* NUL-terminated copy (may contain other NULs) */
    size_t len;
} hd_str;

typedef struct hd_memprof_frame {
    hd_str function, file;
    uint64_t line;
} hd_memprof_frame;

/* One record.  Which members are set depends on tag (see the table in
 * heapdump_format.h); the names follow the runtime's. */
typedef struct hd_record {
    int tag;
    uint64_t offset; /* file offset of the tag byte */

    /* object, data, bss, frame */
    uint64_t addr;      /* object/data/bss address; frame sp */
    hd_bytes contents;
    const uint64_t *fields; /* offsets of pointer words within contents */
    size_t nfields;
    size_t nfields_outside; /* frame fields that fell outside contents (dropped) */

    /* frame */
    uint64_t depth, child_sp, entry, pc, continpc;
    hd_str name;        /* frame function; type name; other-root description */

    /* goroutine */
    uint64_t g, sp, goid, gopc, status, is_system, is_background, waitsince;
    uint64_t ctxt, m, defer, panic;
    hd_str waitreason;

    /* params */
    uint64_t big_endian, ptr_size, arena_start, arena_end, ncpu;
    hd_str goarch, version;

    /* finalizer, queued finalizer: obj, fn, fnpc, fint, ot */
    uint64_t obj, fn, fnpc, fint, ot;

    /* type: addr, size, name, indirect; itab: itab (addr), type */
    uint64_t size, indirect, type;

    /* thread: m, id, procid */
    uint64_t id, procid;

    /* memstats */
    uint64_t memstats[HD_MEMSTATS_COUNTERS];
    uint64_t numgc;

    /* defer: d (addr), g, sp, pc, fn, fnpc, link; panic: p (addr), g,
     * argtype, argdata, link */
    uint64_t link, argtype, argdata;

    /* memprof: bucket, size, frames, allocs, frees; alloc sample: addr, bucket */
    uint64_t bucket, allocs, frees;
    const hd_memprof_frame *frames;
    size_t nframes;
} hd_record;

typedef struct hd_parser {
    rt_reader rd;
    uint64_t *fields;
    size_t cap_fields;
    char *scratch;        /* copies of this record's strings */
    size_t scratch_len, scratch_cap;
    hd_memprof_frame *frames;
    size_t cap_frames;
    uint64_t nrecords;
    uint64_t big_object;  /* offset + 1 of the first object record of 2 GiB or more, 0 if none */
    int at_eof;
} hd_parser;

/* 1 if buf (n bytes from the start of a file) is a Go heap dump. */
int hd_sniff(const uint8_t *buf, size_t n);

/* Open and check the header. */
int hd_open(hd_parser *p, const char *path, rt_error *err);
/* The same from path already open as fd (read with pread, not closed). */
int hd_open_fd(hd_parser *p, int fd, const char *path, rt_error *err);
void hd_close(hd_parser *p);

/* Next record: 1 and *rec filled, 0 at the EOF record, or a negative
 * code (RT_E_TRUNCATED when the file ends before the EOF record). */
int hd_next(hd_parser *p, hd_record *rec, rt_error *err);

/* The little-endian word at byte offset off of b. */
int hd_word(hd_parser *p, const hd_bytes *b, uint64_t off, uint64_t *out, rt_error *err);

/* Continue parsing at file offset off (a record start). */
int hd_seek(hd_parser *p, uint64_t off, rt_error *err);

static inline uint64_t hd_offset(const hd_parser *p) { return rd_offset(&p->rd); }
static inline uint64_t hd_file_size(const hd_parser *p) { return p->rd.file_size; }

#endif
