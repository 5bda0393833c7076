/* test_heapdump_parse.c — edge cases of the heap-dump parser
 * (loaders/heapdump/heapdump_parse) and loader (heapdump_load).
 *
 * Every input is a hand-built byte buffer in the format of
 * heapdump_format.h, written to a scratch file: bad headers, truncation at
 * every interesting place, lengths and counts larger than the file, fields
 * outside their record, unknown tags, overlong varints, overlapping objects,
 * and the smallest dumps that must load (one object held by one root; an
 * alloc sample pointing 8 bytes into its slot).  Lengths that would cost a
 * large allocation run in a child process whose address space is limited,
 * so "no big allocation" is checked, not hoped for.
 *
 * Usage: test_heapdump_parse
 * Output: one line per failed check, then "N passed, M failed"; exit 1 on
 * any failure. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/paths.h"
#include "analysis/reach.h"
#include "loaders/heapdump/heapdump_load.h"
#include "loaders/heapdump/heapdump_parse.h"
#include "loaders/inputs.h"
#include "model/model.h"
#include "test_check.h"
#include "util/alloc.h"
#include "util/error.h"

/* ------------------------------------------------------------ checks */

typedef struct tctx {
    tcheck c;       /* c.tag: the current case */
    char dir[64];   /* scratch directory, removed at the end */
    int nfile;
} tctx;

/* ------------------------------------------------------------ building dumps */

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *src, size_t n)
{
    RT_GROW(b->p, b->cap, b->n + n + 1);
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_byte(buf *b, uint8_t c) { put(b, &c, 1); }

static void uv(buf *b, uint64_t v)
{
    while (v >= 0x80) {
        put_byte(b, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put_byte(b, (uint8_t)v);
}

static void str(buf *b, const char *s)
{
    uv(b, strlen(s));
    put(b, s, strlen(s));
}

static void word(buf *b, uint64_t w)
{
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(w >> (8 * i));
    put(b, le, 8);
}

static void magic(buf *b) { put(b, HD_MAGIC, HD_MAGIC_LEN); }

static void params(buf *b, const char *version)
{
    uv(b, HD_PARAMS);
    uv(b, 0); /* little endian */
    uv(b, 8);
    uv(b, 0xc000000000ULL);
    uv(b, 0xc004000000ULL);
    str(b, "amd64");
    str(b, version);
    uv(b, 4);
}

/* An object / data / bss record whose contents are the n words w with
 * pointer fields at the nf byte offsets f. */
static void segment(buf *b, int tag, uint64_t addr, const uint64_t *w, size_t n, const uint64_t *f,
                    size_t nf)
{
    uv(b, (uint64_t)tag);
    uv(b, addr);
    uv(b, n * 8);
    for (size_t i = 0; i < n; i++)
        word(b, w[i]);
    for (size_t i = 0; i < nf; i++) {
        uv(b, HD_FIELD_PTR);
        uv(b, f[i]);
    }
    uv(b, HD_FIELD_EOL);
}

static void memprof(buf *b, uint64_t bucket, uint64_t size, const char *fn)
{
    uv(b, HD_MEMPROF);
    uv(b, bucket);
    uv(b, size);
    uv(b, 2);
    str(b, "runtime.mallocgc");
    str(b, "malloc.go");
    uv(b, 1000);
    str(b, fn);
    str(b, "main.go");
    uv(b, 42);
    uv(b, 1); /* allocs */
    uv(b, 0); /* frees */
}

static void eof(buf *b) { uv(b, HD_EOF); }

/* Write b (its first n bytes) to a new scratch file; returns its path
 * (static storage, one per call slot). */
static const char *spit(tctx *t, const buf *b, size_t n)
{
    static char paths[64][128];
    char *path = paths[t->nfile++ % 64];
    snprintf(path, 128, "%s/dump%d.hd", t->dir, t->nfile);
    if (!write_bytes(path, b->p, n)) {
        perror(path);
        exit(1);
    }
    return path;
}

/* ------------------------------------------------------------ running */

/* Parse every record of path.  Returns hd_next's last result (0 at EOF,
 * or the negative code) and the number of records before it; hd_open's
 * code when opening fails. */
static int parse_all(const char *path, uint64_t *nrec, rt_error *err)
{
    hd_parser p;
    hd_record r;
    memset(&r, 0, sizeof r);
    rt_error_clear(err);
    *nrec = 0;
    int rc = hd_open(&p, path, err);
    if (rc)
        return rc;
    while ((rc = hd_next(&p, &r, err)) == 1)
        (*nrec)++;
    hd_close(&p);
    return rc;
}

static rt_model *load(const char *path, int *rc, rt_error *err)
{
    rt_error_clear(err);
    rt_model *m = model_new();
    *rc = heapdump_load(m, path, -1, NULL, NULL, NULL, NULL, 1, 0, NULL, err);
    if (*rc) {
        model_free(m);
        return NULL;
    }
    return m;
}

static bool one_line(const rt_error *e)
{
    char line[1200];
    rt_error_format(e, line, sizeof line);
    return line[0] && strchr(line, '\n') == NULL;
}

/* Run fn(path) in a child whose address space is capped at 1 GiB (not
 * under ASan, which reserves terabytes), so a large allocation kills it
 * (rt_malloc exits 1 when malloc fails).  fn returns the rt_code it got;
 * the child exits with that code + 10.  Returns the code, or -1 if the
 * child died some other way. */
static int run_capped(const char *path, int (*fn)(const char *))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!UNDER_ASAN) {
            struct rlimit rl = { 1ULL << 30, 1ULL << 30 };
            setrlimit(RLIMIT_AS, &rl);
        }
        _exit(10 + fn(path));
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) < 10)
        return -1;
    return WEXITSTATUS(st) - 10;
}

static int capped_parse(const char *path)
{
    rt_error err;
    uint64_t n;
    int rc = parse_all(path, &n, &err);
    return rc < 0 ? -rc : 0;
}

static int capped_load(const char *path)
{
    rt_error err;
    int rc;
    rt_model *m = load(path, &rc, &err);
    model_free(m);
    return rc < 0 ? -rc : 0;
}

/* ------------------------------------------------------------ cases */

#define OBJ 0xc000010000ULL
#define DATA_ADDR 0x5a0000ULL

static void test_wrong_magic(tctx *t)
{
    t->c.tag = "wrong magic";
    buf b = { 0 };
    put(&b, "go1.6 heap dump\n", 16);
    eof(&b);
    const char *path = spit(t, &b, b.n);
    rt_error err;
    uint64_t n;
    int rc = parse_all(path, &n, &err);
    CHECK(t, rc == -RT_E_FORMAT);
    CHECK(t, err.code == RT_E_FORMAT && one_line(&err));
    CHECK(t, strstr(err.input, "dump") != NULL);
    rt_model *m = load(path, &rc, &err);
    CHECK(t, m == NULL && rc == -RT_E_FORMAT);
    /* an ELF header is not a dump either */
    b.n = 0;
    put(&b, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0go1.7 heap dump\n", 32);
    path = spit(t, &b, b.n);
    CHECK(t, parse_all(path, &n, &err) == -RT_E_FORMAT);
    free(b.p);
}

static void test_empty(tctx *t)
{
    t->c.tag = "empty file";
    buf b = { 0 };
    const char *path = spit(t, &b, 0);
    rt_error err;
    uint64_t n;
    int rc = parse_all(path, &n, &err);
    CHECK(t, rc == -RT_E_FORMAT);
    rt_model *m = load(path, &rc, &err);
    CHECK(t, m == NULL && rc == -RT_E_FORMAT && one_line(&err));
    /* the input sniffer names the reason */
    rt_input_file_kind k;
    rt_error_clear(&err);
    CHECK(t, input_classify(path, &k, &err) == -RT_E_FORMAT && strstr(err.msg, "empty") != NULL);
    /* half a header */
    put(&b, HD_MAGIC, 8);
    path = spit(t, &b, b.n);
    CHECK(t, parse_all(path, &n, &err) == -RT_E_FORMAT);
    free(b.p);
}

static void test_header_only(tctx *t)
{
    t->c.tag = "header only";
    buf b = { 0 };
    magic(&b);
    const char *path = spit(t, &b, b.n);
    rt_error err;
    uint64_t n;
    int rc = parse_all(path, &n, &err);
    CHECK(t, rc == -RT_E_TRUNCATED);
    CHECK(t, err.offset == HD_MAGIC_LEN && n == 0 && one_line(&err));
    rt_model *m = load(path, &rc, &err);
    if (CHECK(t, m != NULL)) {
        CHECK(t, m->partial && m->partial_offset == HD_MAGIC_LEN && m->nobj == 0);
        model_free(m);
    } else {
        print_err_origin("load", &err);
    }
    /* params, then nothing */
    params(&b, "go1.22.12");
    path = spit(t, &b, b.n);
    rc = parse_all(path, &n, &err);
    CHECK(t, rc == -RT_E_TRUNCATED && n == 1 && err.offset == b.n);
    free(b.p);
}

/* params; object OBJ (2 words, a pointer field at 0 holding a non-heap
 * value); a data segment whose word 1 points at the object's second word;
 * EOF. */
static void build_minimal(buf *b)
{
    magic(b);
    params(b, "go1.22.12");
    uint64_t ow[2] = { 0x1234, 7 }, of[1] = { 0 };
    segment(b, HD_OBJECT, OBJ, ow, 2, of, 1);
    uint64_t dw[2] = { 0, OBJ + 8 }, df[2] = { 0, 8 };
    segment(b, HD_DATA, DATA_ADDR, dw, 2, df, 2);
    eof(b);
}

static void test_minimal(tctx *t)
{
    t->c.tag = "minimal valid dump";
    buf b = { 0 };
    build_minimal(&b);
    const char *path = spit(t, &b, b.n);
    rt_error err;
    uint64_t n;
    int rc = parse_all(path, &n, &err);
    CHECK(t, rc == 0 && n == 3);
    /* the records as the parser sees them */
    hd_parser p;
    hd_record r;
    memset(&r, 0, sizeof r);
    rt_error_clear(&err);
    if (CHECK(t, hd_open(&p, path, &err) == 0)) {
        CHECK(t, hd_next(&p, &r, &err) == 1 && r.tag == HD_PARAMS && r.ptr_size == 8 &&
                     strcmp(r.version.s, "go1.22.12") == 0 && strcmp(r.goarch.s, "amd64") == 0);
        CHECK(t, hd_next(&p, &r, &err) == 1 && r.tag == HD_OBJECT && r.addr == OBJ &&
                     r.contents.len == 16 && r.nfields == 1 && r.fields[0] == 0);
        uint64_t w = 0;
        CHECK(t, hd_word(&p, &r.contents, 0, &w, &err) == 0 && w == 0x1234);
        CHECK(t, hd_word(&p, &r.contents, 8, &w, &err) == 0 && w == 7);
        CHECK(t, hd_word(&p, &r.contents, 9, &w, &err) < 0);
        CHECK(t, hd_next(&p, &r, &err) == 1 && r.tag == HD_DATA && r.nfields == 2);
        CHECK(t, hd_next(&p, &r, &err) == 0);
        CHECK(t, hd_next(&p, &r, &err) == 0); /* stays at EOF */
        hd_close(&p);
    }
    rt_model *m = load(path, &rc, &err);
    if (!CHECK(t, m != NULL)) {
        print_err_origin("load", &err);
        free(b.p);
        return;
    }
    CHECK(t, m->nobj == 1 && m->objects[0].base == OBJ && m->objects[0].size == 16);
    CHECK(t, m->nroot == 1 && !m->partial);
    CHECK(t, m->nroot == 1 && m->roots[0].kind == RT_ROOT_GLOBAL);
    CHECK(t, m->go_version && strcmp(m->go_version, "go1.22.12") == 0);
    CHECK(t, model_find(m, OBJ) == 0 && model_find(m, OBJ + 15) == 0 && model_find(m, OBJ + 16) == RT_NONE);
    rt_reach reach;
    reach_compute(m, &reach);
    CHECK(t, reach.nreachable == 1 && reach.reachable_bytes == 16 && reach_is(&reach, 0));
    reach_free(&reach);
    rt_paths paths;
    paths_find(m, 0, 1, &paths);
    if (CHECK(t, paths.npaths == 1)) {
        CHECK(t, paths.paths[0].nhops == 1 && paths.paths[0].hops[0] == 0 && paths.paths[0].root == 0);
        CHECK(t, paths.paths[0].offs[0] == 0); /* from the root word's address */
        CHECK(t, m->roots[0].address == DATA_ADDR + 8);
    }
    paths_free(&paths);
    model_free(m);
    free(b.p);
}

static void test_unknown_tag(tctx *t)
{
    t->c.tag = "unknown tag";
    static const uint64_t tags[] = { HD_TAG_COUNT, 0x7f, 300, UINT64_MAX };
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        buf b = { 0 };
        magic(&b);
        params(&b, "go1.22.12");
        uint64_t at = b.n;
        uv(&b, tags[i]);
        uv(&b, 1);
        uv(&b, 2);
        eof(&b);
        const char *path = spit(t, &b, b.n);
        rt_error err;
        uint64_t n;
        int rc = parse_all(path, &n, &err);
        if (!CHECK(t, rc == -RT_E_CORRUPT && err.offset == at && n == 1))
            print_err_origin("parse", &err);
        CHECK(t, one_line(&err));
        rt_model *m = load(path, &rc, &err);
        CHECK(t, m == NULL && rc == -RT_E_CORRUPT && err.offset == at);
        free(b.p);
    }
}

static void test_long_varint(tctx *t)
{
    t->c.tag = "varint longer than 10 bytes";
    buf b = { 0 };
    magic(&b);
    params(&b, "go1.22.12");
    uv(&b, HD_OBJECT);
    for (int i = 0; i < 11; i++)
        put_byte(&b, 0x80);
    put_byte(&b, 0x00);
    uv(&b, 0);
    uv(&b, 0);
    eof(&b);
    const char *path = spit(t, &b, b.n);
    rt_error err;
    uint64_t n;
    int rc = parse_all(path, &n, &err);
    CHECK(t, rc == -RT_E_CORRUPT && n == 1);
    rt_model *m = load(path, &rc, &err);
    CHECK(t, m == NULL && rc == -RT_E_CORRUPT && one_line(&err));

    /* 10 bytes whose last carries bits above 64 */
    b.n = 0;
    magic(&b);
    uv(&b, HD_OBJECT);
    for (int i = 0; i < 9; i++)
        put_byte(&b, 0xff);
    put_byte(&b, 0x02);
    uv(&b, 0);
    uv(&b, 0);
    eof(&b);
    path = spit(t, &b, b.n);
    CHECK(t, parse_all(path, &n, &err) == -RT_E_CORRUPT);

    /* the largest legal varint, 2^64-1 in 10 bytes, is fine */
    b.n = 0;
    magic(&b);
    uv(&b, HD_ITAB);
    uv(&b, UINT64_MAX);
    uv(&b, 1);
    eof(&b);
    CHECK(t, b.n == HD_MAGIC_LEN + 1 + 10 + 1 + 1);
    path = spit(t, &b, b.n);
    CHECK(t, parse_all(path, &n, &err) == 0 && n == 1);

    /* a varint cut by the end of the file is truncation, not corruption */
    b.n = 0;
    magic(&b);
    uv(&b, HD_ITAB);
    put_byte(&b, 0x80);
    put_byte(&b, 0x80);
    path = spit(t, &b, b.n);
    CHECK(t, parse_all(path, &n, &err) == -RT_E_TRUNCATED);
    free(b.p);
}

static void test_length_past_file(tctx *t)
{
    t->c.tag = "contents longer than the file";
    static const uint64_t lens[] = { 1ULL << 40, 1ULL << 31, UINT64_MAX, 64 };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        buf b = { 0 };
        magic(&b);
        params(&b, "go1.22.12");
        uint64_t at = b.n;
        uv(&b, HD_OBJECT);
        uv(&b, OBJ);
        uv(&b, lens[i]);
        word(&b, 1);
        uv(&b, 0);
        eof(&b);
        const char *path = spit(t, &b, b.n);
        free(b.p);
        /* first in a capped child: a large allocation must not happen */
        int code = run_capped(path, capped_parse);
        if (!CHECK(t, code == RT_E_CORRUPT || code == RT_E_TRUNCATED))
            continue;
        code = run_capped(path, capped_load);
        /* a dump cut inside a record loads as partial */
        if (!CHECK(t, code == RT_E_CORRUPT || code == RT_E_OK))
            continue;
        rt_error err;
        uint64_t n;
        int rc = parse_all(path, &n, &err);
        /* 64 bytes do not fit either: the file ends inside the field */
        CHECK(t, rc == -RT_E_CORRUPT || rc == -RT_E_TRUNCATED);
        CHECK(t, err.offset != RT_NO_OFFSET && err.offset >= at && err.offset <= b.n);
        CHECK(t, one_line(&err));
    }
    /* the same for a string (a frame's function name) */
    buf b = { 0 };
    magic(&b);
    uv(&b, HD_FRAME);
    uv(&b, 0xc000040000ULL);
    uv(&b, 0);
    uv(&b, 0);
    uv(&b, 0); /* no contents */
    uv(&b, 1);
    uv(&b, 2);
    uv(&b, 3);
    uv(&b, 1ULL << 40); /* name length */
    put(&b, "main.main", 9);
    eof(&b);
    const char *path = spit(t, &b, b.n);
    int code = run_capped(path, capped_parse);
    CHECK(t, code == RT_E_CORRUPT);
    free(b.p);
}

static void test_field_outside(tctx *t)
{
    t->c.tag = "field outside the object";
    static const uint64_t offs[] = { 16, 9, 1ULL << 63, UINT64_MAX - 7 };
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        buf b = { 0 };
        magic(&b);
        params(&b, "go1.22.12");
        uint64_t w[2] = { OBJ, 0 };
        segment(&b, HD_OBJECT, OBJ, w, 2, &offs[i], 1);
        eof(&b);
        const char *path = spit(t, &b, b.n);
        rt_error err;
        uint64_t n;
        int rc = parse_all(path, &n, &err);
        if (!CHECK(t, rc == -RT_E_CORRUPT))
            print_err_origin("parse", &err);
        rt_model *m = load(path, &rc, &err);
        CHECK(t, m == NULL && rc == -RT_E_CORRUPT && one_line(&err));
        free(b.p);
    }
    /* the last word is inside: accepted */
    buf b = { 0 };
    magic(&b);
    uint64_t w[2] = { 0, OBJ }, f[1] = { 8 };
    segment(&b, HD_OBJECT, OBJ, w, 2, f, 1);
    eof(&b);
    const char *path = spit(t, &b, b.n);
    rt_error err;
    uint64_t n;
    CHECK(t, parse_all(path, &n, &err) == 0 && n == 1);
    /* an unknown field kind is corruption too */
    b.n = 0;
    magic(&b);
    uv(&b, HD_OBJECT);
    uv(&b, OBJ);
    uv(&b, 8);
    word(&b, 0);
    uv(&b, 9);
    uv(&b, 0);
    uv(&b, 0);
    eof(&b);
    path = spit(t, &b, b.n);
    CHECK(t, parse_all(path, &n, &err) == -RT_E_CORRUPT);
    free(b.p);
}

static void test_memprof_frames(tctx *t)
{
    t->c.tag = "memprof bucket with 2^40 frames";
    static const uint64_t counts[] = { 1ULL << 40, 1ULL << 62, UINT64_MAX, 1000 };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        buf b = { 0 };
        magic(&b);
        params(&b, "go1.22.12");
        uv(&b, HD_MEMPROF);
        uv(&b, 0x600000);
        uv(&b, 16);
        uv(&b, counts[i]);
        str(&b, "main.f");
        str(&b, "main.go");
        uv(&b, 1);
        uv(&b, 1);
        uv(&b, 0);
        eof(&b);
        const char *path = spit(t, &b, b.n);
        free(b.p);
        /* first in a capped child: a large allocation must not happen */
        int code = run_capped(path, capped_parse);
        if (!CHECK(t, code == RT_E_CORRUPT || code == RT_E_TRUNCATED))
            continue;
        code = run_capped(path, capped_load);
        if (!CHECK(t, code == RT_E_CORRUPT || code == RT_E_OK))
            continue;
        rt_error err;
        uint64_t n;
        int rc = parse_all(path, &n, &err);
        if (!CHECK(t, rc == -RT_E_CORRUPT || rc == -RT_E_TRUNCATED))
            print_err_origin("parse", &err);
        CHECK(t, n == 1 && one_line(&err));
    }
}

/* A count the file could hold in principle is still no reason to
 * allocate for all of it up front: a memprof bucket claiming 10^9 frames
 * in a 3.5 GB file (sparse: it costs no disk) must fail without a
 * gigabytes-large allocation.  Go records at most 1024 frames per stack. */
static void test_memprof_frames_big_file(tctx *t)
{
    t->c.tag = "memprof bucket with 10^9 frames in a 3.5 GB file";
    if (UNDER_ASAN) {
        /* no address-space cap under ASan: a 40 GB malloc might succeed */
        fprintf(stderr, "note: [%s] skipped under AddressSanitizer\n", t->c.tag);
        return;
    }
    buf b = { 0 };
    magic(&b);
    params(&b, "go1.22.12");
    uv(&b, HD_MEMPROF);
    uv(&b, 0x600000);
    uv(&b, 16);
    uv(&b, 1000000000ULL);
    const char *path = spit(t, &b, b.n);
    free(b.p);
    if (truncate(path, 3500000000LL) != 0) {
        fprintf(stderr, "note: [%s] skipped: cannot make a sparse file\n", t->c.tag);
        return;
    }
    int code = run_capped(path, capped_parse);
    CHECK(t, code == RT_E_CORRUPT || code == RT_E_TRUNCATED);
}

static void test_sample_interior(tctx *t)
{
    t->c.tag = "alloc sample at slot+8";
    buf b = { 0 };
    magic(&b);
    params(&b, "go1.22.12");
    /* a 640-byte pointerful slot: malloc header at +0, data from +8 */
    uint64_t w[80] = { 0x4b0000, OBJ + 0x2000 }, f[1] = { 8 };
    segment(&b, HD_OBJECT, OBJ, w, 80, f, 1);
    uint64_t w2[2] = { 0, 0 };
    segment(&b, HD_OBJECT, OBJ + 0x2000, w2, 2, NULL, 0);
    uint64_t dw[1] = { OBJ + 8 }, df[1] = { 0 };
    segment(&b, HD_DATA, DATA_ADDR, dw, 1, df, 1);
    memprof(&b, 0x600000, 640, "main.makeTable");
    memprof(&b, 0x600100, 16, "main.makeNode");
    uv(&b, HD_ALLOC_SAMPLE);
    uv(&b, OBJ + 8); /* the user pointer, behind the header */
    uv(&b, 0x600000);
    uv(&b, HD_ALLOC_SAMPLE);
    uv(&b, OBJ + 0x2000);
    uv(&b, 0x600100);
    uv(&b, HD_ALLOC_SAMPLE);
    uv(&b, OBJ + 0x4000); /* no object there */
    uv(&b, 0x600100);
    eof(&b);
    const char *path = spit(t, &b, b.n);
    rt_error err;
    int rc;
    rt_model *m = load(path, &rc, &err);
    if (!CHECK(t, m != NULL)) {
        print_err_origin("load", &err);
        free(b.p);
        return;
    }
    CHECK(t, m->nobj == 2 && m->nsite == 2);
    if (m->nobj == 2) {
        uint32_t s0 = model_obj_site(m, 0), s1 = model_obj_site(m, 1);
        CHECK(t, s0 != RT_NONE && s1 != RT_NONE && s0 != s1);
        CHECK(t, strcmp(strpool_get(m->strings, model_site_function(m, s0)), "main.makeTable") == 0);
        CHECK(t, strcmp(strpool_get(m->strings, model_site_function(m, s1)), "main.makeNode") == 0);
    }
    CHECK(t, m->unresolved_samples == 1);
    CHECK(t, m->nedge >= 2); /* object -> object, root -> object */
    rt_reach reach;
    reach_compute(m, &reach);
    CHECK(t, reach.nreachable == 2);
    reach_free(&reach);
    model_free(m);
    free(b.p);
}

static void test_truncated(tctx *t)
{
    t->c.tag = "truncated in an object record";
    buf b = { 0 };
    magic(&b);
    params(&b, "go1.22.12");
    uint64_t rec_start[3], rec_end[3];
    for (int i = 0; i < 3; i++) {
        uint64_t w[4] = { OBJ + 0x40 * (uint64_t)(i + 1), 1, 2, 3 }, f[1] = { 0 };
        rec_start[i] = b.n;
        segment(&b, HD_OBJECT, OBJ + 0x40 * (uint64_t)i, w, 4, f, 1);
        rec_end[i] = b.n;
    }
    uint64_t dw[1] = { OBJ }, df[1] = { 0 };
    segment(&b, HD_DATA, DATA_ADDR, dw, 1, df, 1);
    eof(&b);
    /* cut inside the third object's contents, in its field list, and
     * right after its tag byte */
    uint64_t cuts[] = { rec_start[2] + 12, rec_end[2] - 1, rec_start[2] + 1 };
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        const char *path = spit(t, &b, cuts[c]);
        rt_error err;
        uint64_t n;
        int rc = parse_all(path, &n, &err);
        CHECK(t, rc == -RT_E_TRUNCATED && n == 3);
        rt_model *m = load(path, &rc, &err);
        if (!CHECK(t, m != NULL)) {
            print_err_origin("load", &err);
            continue;
        }
        CHECK(t, m->partial && m->partial_offset <= cuts[c] && m->partial_offset >= rec_end[1]);
        CHECK(t, m->partial_reason[0] != 0 && strchr(m->partial_reason, '\n') == NULL);
        CHECK(t, m->nobj == 2);
        if (m->nobj == 2) {
            CHECK(t, m->objects[0].base == OBJ && m->objects[1].base == OBJ + 0x40);
            CHECK(t, m->nedge == 1 && m->edge_dst[0] == 1); /* object 0 -> object 1 */
        }
        model_free(m);
    }
    /* cut after the data segment (no EOF record): partial, with the root */
    const char *path = spit(t, &b, b.n - 1);
    rt_error err;
    int rc;
    rt_model *m = load(path, &rc, &err);
    if (CHECK(t, m != NULL)) {
        CHECK(t, m->partial && m->partial_offset == b.n - 1 && m->nobj == 3 && m->nroot == 1);
        rt_reach reach;
        reach_compute(m, &reach);
        CHECK(t, reach.nreachable == 3);
        reach_free(&reach);
        model_free(m);
    }
    free(b.p);
}

static void test_overlap(tctx *t)
{
    t->c.tag = "overlapping objects";
    /* second object starts inside the first; then the same base twice;
     * then overlap found only after sorting (dump order descending) */
    static const uint64_t second[][2] = { { OBJ, OBJ + 16 }, { OBJ, OBJ }, { OBJ + 16, OBJ } };
    for (size_t i = 0; i < sizeof second / sizeof second[0]; i++) {
        buf b = { 0 };
        magic(&b);
        params(&b, "go1.19.8");
        uint64_t w4[4] = { 0 }, w2[2] = { 0 };
        if (second[i][0] == OBJ) {
            segment(&b, HD_OBJECT, second[i][0], w4, 4, NULL, 0);
            segment(&b, HD_OBJECT, second[i][1], w2, 2, NULL, 0);
        } else {
            segment(&b, HD_OBJECT, second[i][0], w2, 2, NULL, 0);
            segment(&b, HD_OBJECT, second[i][1], w4, 4, NULL, 0);
        }
        eof(&b);
        const char *path = spit(t, &b, b.n);
        free(b.p);
        rt_error err;
        uint64_t n;
        CHECK(t, parse_all(path, &n, &err) == 0 && n == 3); /* the parser does not judge */
        int rc;
        rt_model *m = load(path, &rc, &err);
        if (!CHECK(t, m == NULL && rc == -RT_E_CORRUPT)) {
            model_free(m);
            continue;
        }
        CHECK(t, one_line(&err) && strstr(err.msg, "overlap") != NULL);
    }
    /* adjacent objects do not overlap */
    buf b = { 0 };
    magic(&b);
    uint64_t w4[4] = { 0 };
    segment(&b, HD_OBJECT, OBJ + 32, w4, 4, NULL, 0);
    segment(&b, HD_OBJECT, OBJ, w4, 4, NULL, 0);
    eof(&b);
    const char *path = spit(t, &b, b.n);
    rt_error err;
    int rc;
    rt_model *m = load(path, &rc, &err);
    CHECK(t, m != NULL && m->nobj == 2 && m->objects[0].base == OBJ);
    model_free(m);
    free(b.p);
}

static void test_unsupported_params(tctx *t)
{
    t->c.tag = "big-endian / 32-bit params";
    for (int i = 0; i < 2; i++) {
        buf b = { 0 };
        magic(&b);
        uv(&b, HD_PARAMS);
        uv(&b, i == 0 ? 1 : 0);
        uv(&b, i == 0 ? 8 : 4);
        uv(&b, 0);
        uv(&b, 0);
        str(&b, i == 0 ? "s390x" : "386");
        str(&b, "go1.22.12");
        uv(&b, 1);
        eof(&b);
        const char *path = spit(t, &b, b.n);
        rt_error err;
        int rc;
        rt_model *m = load(path, &rc, &err);
        CHECK(t, m == NULL && rc == -RT_E_UNSUPPORTED && one_line(&err));
        free(b.p);
    }
}

static void test_large_objects(tctx *t)
{
    t->c.tag = "objects larger than the read window";
    /* the reader's window is 8 MiB and keeps records up to half of it:
     * 3 MiB stays in the window, 5 and 9 MiB are skipped and re-read */
    static const uint64_t sizes[] = { 3u << 20, 5u << 20, 9u << 20 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint64_t big = 0xc000400000ULL, small = big + sizes[i] + 0x2000;
        size_t nw = (size_t)(sizes[i] / 8);
        uint64_t *w = rt_calloc(nw, sizeof *w);
        w[0] = small;
        w[nw - 1] = small + 8;
        w[nw / 2] = 0xdead; /* not a heap address */
        uint64_t f[3] = { 0, (nw / 2) * 8, (nw - 1) * 8 };
        buf b = { 0 };
        magic(&b);
        params(&b, "go1.22.12");
        segment(&b, HD_OBJECT, big, w, nw, f, 3);
        uint64_t sw[2] = { big + 16, 0 }, sf[1] = { 0 };
        segment(&b, HD_OBJECT, small, sw, 2, sf, 1);
        uint64_t dw[1] = { small }, df[1] = { 0 };
        segment(&b, HD_DATA, DATA_ADDR, dw, 1, df, 1);
        eof(&b);
        free(w);
        const char *path = spit(t, &b, b.n);
        free(b.p);
        rt_error err;
        uint64_t n;
        CHECK(t, parse_all(path, &n, &err) == 0 && n == 4);
        int rc;
        rt_model *m = load(path, &rc, &err);
        if (!CHECK(t, m != NULL)) {
            print_err_origin("load", &err);
            continue;
        }
        CHECK(t, m->nobj == 2 && m->objects[0].base == big && m->objects[0].size == sizes[i]);
        if (m->nobj == 2) {
            uint32_t e0 = m->edge_start[0], e1 = m->edge_start[1];
            CHECK(t, e1 - e0 == 2);
            if (e1 - e0 == 2) {
                CHECK(t, m->edge_dst[e0] == 1 && m->edge_off[e0] == 0);
                CHECK(t, m->edge_dst[e0 + 1] == 1 && m->edge_off[e0 + 1] == (nw - 1) * 8);
            }
            CHECK(t, m->edge_start[2] - e1 == 1 && m->edge_dst[e1] == 0 && m->edge_off[e1] == 0);
            rt_reach reach;
            reach_compute(m, &reach);
            CHECK(t, reach.nreachable == 2);
            reach_free(&reach);
        }
        model_free(m);
    }
}

int main(void)
{
    tctx t = { 0 };
    snprintf(t.dir, sizeof t.dir, "/tmp/retain-hdparse-XXXXXX");
    if (!mkdtemp(t.dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_wrong_magic(&t);
    test_empty(&t);
    test_header_only(&t);
    test_minimal(&t);
    test_unknown_tag(&t);
    test_long_varint(&t);
    test_length_past_file(&t);
    test_field_outside(&t);
    test_memprof_frames(&t);
    test_memprof_frames_big_file(&t);
    test_sample_interior(&t);
    test_truncated(&t);
    test_overlap(&t);
    test_unsupported_params(&t);
    test_large_objects(&t);

    for (int i = 1; i <= t.nfile; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/dump%d.hd", t.dir, i);
        unlink(path);
    }
    rmdir(t.dir);
    return check_summary(&t.c);
}
