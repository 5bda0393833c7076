/* heapdump_parse.c — reading Go heap-dump records (see heapdump_parse.h). */
#include "loaders/heapdump/heapdump_parse.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

#define WINDOW (8u << 20)
#define MAX_STRING 65536 /* longer names are cut: no runtime name is this long */
#define HD_MAX_MEMPROF_FRAMES 65536

static const char *const tag_names[HD_TAG_COUNT] = {
    "EOF", "object", "other root", "type", "goroutine", "stack frame", "params",
    "finalizer", "itab", "OS thread", "memstats", "queued finalizer", "data segment",
    "bss segment", "defer", "panic", "memprof bucket", "alloc sample",
};

int hd_sniff(const uint8_t *buf, size_t n)
{
    return n >= HD_MAGIC_LEN && memcmp(buf, HD_MAGIC, HD_MAGIC_LEN) == 0;
}

/* hd_open and hd_open_fd: fd < 0 opens path. */
static int open_dump(hd_parser *p, int fd, const char *path, rt_error *err)
{
    memset(p, 0, sizeof *p);
    int rc = fd >= 0 ? rd_open_fd(&p->rd, fd, path, WINDOW, err) : rd_open(&p->rd, path, WINDOW, err);
    if (rc) {
        rt_error_where(err, path, RT_NO_OFFSET, "opening heap dump");
        return rc;
    }
    if (p->rd.file_size < HD_MAGIC_LEN || rd_need(&p->rd, HD_MAGIC_LEN, err) != 0 ||
        !hd_sniff(p->rd.buf, HD_MAGIC_LEN)) {
        rt_error_clear(err);
        rt_error_where(err, path, 0, "reading heap dump header");
        rc = RT_FAIL(err, RT_E_FORMAT,
                     "not a Go heap dump (expected the header \"go1.7 heap dump\\n\"); "
                     "write one with runtime/debug.WriteHeapDump");
        hd_close(p);
        return rc;
    }
    p->rd.pos += HD_MAGIC_LEN;
    return 0;
}

int hd_open(hd_parser *p, const char *path, rt_error *err) { return open_dump(p, -1, path, err); }
int hd_open_fd(hd_parser *p, int fd, const char *path, rt_error *err) { return open_dump(p, fd, path, err); }

void hd_close(hd_parser *p)
{
    rd_close(&p->rd);
    free(p->fields);
    free(p->scratch);
    free(p->frames);
    p->fields = NULL;
    p->scratch = NULL;
    p->frames = NULL;
}

int hd_seek(hd_parser *p, uint64_t off, rt_error *err)
{
    p->at_eof = 0;
    return rd_seek(&p->rd, off, err);
}

/* A string is copied into scratch; its position is kept as an offset
 * because scratch may move until the record is complete. */
typedef struct str_ref {
    size_t off, len;
} str_ref;

static int read_str(hd_parser *p, str_ref *out, rt_error *err)
{
    uint64_t len, off;
    const uint8_t *ptr;
    int rc = rd_uvarint(&p->rd, &len, err);
    if (rc)
        return rc;
    rc = rd_take(&p->rd, len, &ptr, &off, err);
    if (rc)
        return rc;
    size_t keep = len > MAX_STRING ? MAX_STRING : (size_t)len;
    RT_GROW(p->scratch, p->scratch_cap, p->scratch_len + keep + 1);
    if (ptr)
        memcpy(p->scratch + p->scratch_len, ptr, keep);
    else if ((rc = rd_pread(&p->rd, off, p->scratch + p->scratch_len, keep, err)) != 0)
        return rc;
    p->scratch[p->scratch_len + keep] = 0;
    out->off = p->scratch_len;
    out->len = keep;
    p->scratch_len += keep + 1;
    return 0;
}

static hd_str str_at(const hd_parser *p, str_ref r)
{
    hd_str s = { p->scratch + r.off, r.len };
    return s;
}

static int read_ints(hd_parser *p, uint64_t **dst, size_t n, rt_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = rd_uvarint(&p->rd, dst[i], err);
        if (rc)
            return rc;
    }
    return 0;
}
#define READ_INTS(p, err, ...)                                                    \
    read_ints((p), (uint64_t *[]){ __VA_ARGS__ },                                 \
              sizeof((uint64_t *[]){ __VA_ARGS__ }) / sizeof(uint64_t *), (err))

static int read_contents(hd_parser *p, hd_bytes *b, rt_error *err)
{
    uint64_t len;
    int rc = rd_uvarint(&p->rd, &len, err);
    if (rc)
        return rc;
    b->len = len;
    return rd_take(&p->rd, len, &b->ptr, &b->off, err);
}

/* Field list of a record whose contents are len bytes long.  strict:
 * a field outside the contents is corruption (objects, segments);
 * otherwise it is dropped and counted (frames, whose arg maps the runtime
 * computes from the callee). */
static int read_fields(hd_parser *p, hd_record *rec, uint64_t len, int strict, rt_error *err)
{
    size_t n = 0;
    rec->nfields_outside = 0;
    for (;;) {
        uint64_t kind, off;
        int rc = rd_uvarint(&p->rd, &kind, err);
        if (rc)
            return rc;
        if (kind == HD_FIELD_EOL)
            break;
        if (kind > HD_FIELD_EFACE) {
            rt_error_where(err, p->rd.path, rd_offset(&p->rd), NULL);
            return RT_FAIL(err, RT_E_CORRUPT, "unknown field kind %llu in %s record",
                           (unsigned long long)kind, tag_names[rec->tag]);
        }
        if ((rc = rd_uvarint(&p->rd, &off, err)) != 0)
            return rc;
        int words = kind == HD_FIELD_PTR ? 1 : 2;
        if (len < 8 || off > len - 8 || (words == 2 && (len < 16 || off > len - 16))) {
            if (strict) {
                rt_error_where(err, p->rd.path, rd_offset(&p->rd), NULL);
                return RT_FAIL(err, RT_E_CORRUPT,
                               "pointer field at offset %llu lies outside the %llu-byte %s",
                               (unsigned long long)off, (unsigned long long)len,
                               tag_names[rec->tag]);
            }
            rec->nfields_outside++;
            continue;
        }
        /* n is bounded: each field costs at least two bytes of the file */
        RT_GROW(p->fields, p->cap_fields, n + 2);
        if (words == 2) /* iface/eface: the data word is the pointer */
            p->fields[n++] = off + 8;
        else
            p->fields[n++] = off;
    }
    rec->fields = p->fields;
    rec->nfields = n;
    return 0;
}

/* After the record: the contents pointer may have moved with the window. */
static void settle_contents(hd_parser *p, hd_bytes *b)
{
    if (b->len == 0) {
        b->ptr = NULL;
        return;
    }
    b->ptr = p->rd.pin_lost ? NULL : rd_window_at(&p->rd, b->off, (size_t)b->len);
}

static int parse_body(hd_parser *p, hd_record *r, rt_error *err)
{
    str_ref s1 = { 0, 0 }, s2 = { 0, 0 };
    int rc = 0;
    uint64_t zero;

    switch (r->tag) {
    case HD_EOF:
        return 0;
    case HD_OBJECT:
    case HD_DATA:
    case HD_BSS:
        if ((rc = rd_uvarint(&p->rd, &r->addr, err)))
            return rc;
        r->contents.len = 0;
        rc = read_contents(p, &r->contents, err); /* sets the length it claims even when short */
        if (r->tag == HD_OBJECT && r->contents.len >= (1ULL << 31) && !p->big_object)
            p->big_object = r->offset + 1;
        if (rc || (rc = read_fields(p, r, r->contents.len, 1, err)))
            return rc;
        settle_contents(p, &r->contents);
        return 0;
    case HD_OTHER_ROOT:
        if ((rc = read_str(p, &s1, err)) || (rc = rd_uvarint(&p->rd, &r->addr, err)))
            return rc;
        r->name = str_at(p, s1);
        return 0;
    case HD_TYPE:
        if ((rc = READ_INTS(p, err, &r->addr, &r->size)) || (rc = read_str(p, &s1, err)) ||
            (rc = rd_uvarint(&p->rd, &r->indirect, err)))
            return rc;
        r->name = str_at(p, s1);
        return 0;
    case HD_GOROUTINE:
        if ((rc = READ_INTS(p, err, &r->g, &r->sp, &r->goid, &r->gopc, &r->status, &r->is_system,
                            &r->is_background, &r->waitsince)) ||
            (rc = read_str(p, &s1, err)) ||
            (rc = READ_INTS(p, err, &r->ctxt, &r->m, &r->defer, &r->panic)))
            return rc;
        r->waitreason = str_at(p, s1);
        return 0;
    case HD_FRAME:
        if ((rc = READ_INTS(p, err, &r->addr, &r->depth, &r->child_sp)) ||
            (rc = read_contents(p, &r->contents, err)) ||
            (rc = READ_INTS(p, err, &r->entry, &r->pc, &r->continpc)) ||
            (rc = read_str(p, &s1, err)) || (rc = read_fields(p, r, r->contents.len, 0, err)))
            return rc;
        r->name = str_at(p, s1);
        settle_contents(p, &r->contents);
        return 0;
    case HD_PARAMS:
        if ((rc = READ_INTS(p, err, &r->big_endian, &r->ptr_size, &r->arena_start, &r->arena_end)) ||
            (rc = read_str(p, &s1, err)) || (rc = read_str(p, &s2, err)) ||
            (rc = rd_uvarint(&p->rd, &r->ncpu, err)))
            return rc;
        r->goarch = str_at(p, s1);
        r->version = str_at(p, s2);
        return 0;
    case HD_FINALIZER:
    case HD_QUEUED_FINALIZER:
        return READ_INTS(p, err, &r->obj, &r->fn, &r->fnpc, &r->fint, &r->ot);
    case HD_ITAB:
        return READ_INTS(p, err, &r->addr, &r->type);
    case HD_THREAD:
        return READ_INTS(p, err, &r->m, &r->id, &r->procid);
    case HD_MEMSTATS:
        for (int i = 0; i < HD_MEMSTATS_COUNTERS; i++)
            if ((rc = rd_uvarint(&p->rd, &r->memstats[i], err)))
                return rc;
        for (int i = 0; i < HD_MEMSTATS_PAUSES; i++)
            if ((rc = rd_uvarint(&p->rd, &zero, err)))
                return rc;
        return rd_uvarint(&p->rd, &r->numgc, err);
    case HD_DEFER:
        return READ_INTS(p, err, &r->addr, &r->g, &r->sp, &r->pc, &r->fn, &r->fnpc, &r->link);
    case HD_PANIC:
        return READ_INTS(p, err, &r->addr, &r->g, &r->argtype, &r->argdata, &zero, &r->link);
    case HD_MEMPROF: {
        uint64_t nstk;
        if ((rc = READ_INTS(p, err, &r->bucket, &r->size, &nstk)))
            return rc;
        /* the runtime records at most a few hundred frames (profstackdepth
         * caps at 1024); each frame takes at least three bytes of the file */
        if (nstk > HD_MAX_MEMPROF_FRAMES || nstk > (hd_file_size(p) - hd_offset(p)) / 3) {
            rt_error_where(err, p->rd.path, hd_offset(p), NULL);
            return RT_FAIL(err, RT_E_CORRUPT, "memprof bucket claims %llu frames (at most %d are possible)",
                           (unsigned long long)nstk, HD_MAX_MEMPROF_FRAMES);
        }
        RT_GROW(p->frames, p->cap_frames, (size_t)nstk + 1);
        str_ref *refs = rt_malloc(((size_t)nstk + 1) * 2 * sizeof *refs);
        for (uint64_t i = 0; i < nstk && !rc; i++) {
            rc = read_str(p, &refs[2 * i], err);
            if (!rc)
                rc = read_str(p, &refs[2 * i + 1], err);
            if (!rc)
                rc = rd_uvarint(&p->rd, &p->frames[i].line, err);
        }
        if (!rc)
            rc = READ_INTS(p, err, &r->allocs, &r->frees);
        if (!rc) {
            for (uint64_t i = 0; i < nstk; i++) {
                p->frames[i].function = str_at(p, refs[2 * i]);
                p->frames[i].file = str_at(p, refs[2 * i + 1]);
            }
            r->frames = p->frames;
            r->nframes = (size_t)nstk;
        }
        free(refs);
        return rc;
    }
    case HD_ALLOC_SAMPLE:
        return READ_INTS(p, err, &r->addr, &r->bucket);
    default:
        rt_error_where(err, p->rd.path, r->offset, NULL);
        return RT_FAIL(err, RT_E_CORRUPT,
                       "unknown record tag %d after %llu records; the dump is corrupt or not from "
                       "runtime/debug.WriteHeapDump",
                       r->tag, (unsigned long long)p->nrecords);
    }
}

/* Go's heap dump writer (dwrite) passes a write's length as an int32: an
 * object of 2 GiB or more is written short, and every record after it is
 * read from the wrong place.  Say so: the dump is broken at its source. */
static void big_object_hint(const hd_parser *p, rt_error *err)
{
    char hint[200];
    snprintf(hint, sizeof hint,
             "; likely cause: the object record at offset %llu holds 2 GiB or more, which Go's heap "
             "dump writer writes short (an int32 length)",
             (unsigned long long)(p->big_object - 1));
    size_t n = strlen(err->msg);
    if (n + strlen(hint) < sizeof err->msg)
        memcpy(err->msg + n, hint, strlen(hint) + 1);
}

int hd_next(hd_parser *p, hd_record *r, rt_error *err)
{
    uint64_t tag;
    if (p->at_eof)
        return 0;
    r->offset = hd_offset(p);
    p->scratch_len = 0;
    rd_pin(&p->rd, r->offset);
    if (r->offset >= hd_file_size(p)) {
        rd_unpin(&p->rd);
        rt_error_where(err, p->rd.path, r->offset, "reading the next record");
        return RT_FAIL(err, RT_E_TRUNCATED,
                       "the dump ends at offset %llu without its EOF record (the writer was "
                       "interrupted); results are partial",
                       (unsigned long long)r->offset);
    }
    int rc = rd_uvarint(&p->rd, &tag, err);
    if (rc == 0) {
        r->tag = tag < HD_TAG_COUNT ? (int)tag : -1;
        if (r->tag < 0) {
            rt_error_where(err, p->rd.path, r->offset, NULL);
            rc = RT_FAIL(err, RT_E_CORRUPT,
                         "unknown record tag %llu after %llu records; the dump is corrupt or not "
                         "from runtime/debug.WriteHeapDump",
                         (unsigned long long)tag, (unsigned long long)p->nrecords);
        } else {
            rc = parse_body(p, r, err);
        }
    }
    rd_unpin(&p->rd);
    if (rc && p->big_object && (err->code == RT_E_CORRUPT || err->code == RT_E_TRUNCATED))
        big_object_hint(p, err);
    if (rc) {
        char phase[64];
        snprintf(phase, sizeof phase, "reading %s record %llu",
                 r->tag >= 0 && r->tag < HD_TAG_COUNT ? tag_names[r->tag] : "a",
                 (unsigned long long)p->nrecords);
        rt_error_where(err, p->rd.path, r->offset, phase);
        return rc;
    }
    p->nrecords++;
    if (r->tag == HD_EOF) {
        p->at_eof = 1;
        return 0;
    }
    return 1;
}

int hd_word(hd_parser *p, const hd_bytes *b, uint64_t off, uint64_t *out, rt_error *err)
{
    if (off + 8 > b->len)
        return RT_FAIL(err, RT_E_CORRUPT, "word at %llu outside a %llu-byte record",
                       (unsigned long long)off, (unsigned long long)b->len);
    if (b->ptr) {
        memcpy(out, b->ptr + off, 8);
        return 0;
    }
    return rd_pread_u64(&p->rd, b->off + off, out, err);
}
