/* test_pprof.c — tests of the pprof writer (report/pprof_write) and reader
 * (loaders/pprof/pprof_read): round trips, hand-made profiles that
 * exercise what our writer never produces (sparse ids, inlined frames,
 * numeric labels), and corrupt input of every kind the reader must refuse
 * with an error instead of crashing.
 *
 * Usage: test_pprof [GO_HEAP_PROFILE [FUNCTION]]
 * With a profile written by Go's pprof.WriteHeapProfile (see
 * tests/go/pprofgen), also checks that it parses with Go's four heap
 * sample types and that some stack contains FUNCTION (default
 * main.allocLeak). */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "loaders/pprof/pprof_read.h"
#include "profile.pb-c.h"
#include "report/pprof_write.h"
#include "test_check.h"
#include "util/alloc.h"

typedef struct tctx {
    tcheck c;     /* untagged: the line number says which check */
    char dir[64]; /* scratch directory, removed at the end */
} tctx;

static void path_in(const tctx *t, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", t->dir, name);
}

/* gzip buf into a new buffer (caller frees). */
static uint8_t *gzip_bytes(const void *buf, size_t n, size_t *outn)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&zs, (uLong)n) + 64;
    uint8_t *out = rt_malloc(cap);
    zs.next_in = (Bytef *)buf;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    deflate(&zs, Z_FINISH);
    *outn = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static uint8_t *gunzip_bytes(const uint8_t *buf, size_t n, size_t *outn)
{
    size_t cap = 1 << 20;
    uint8_t *out = rt_malloc(cap);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    inflateInit2(&zs, 15 + 16);
    zs.next_in = (Bytef *)buf;
    zs.avail_in = (uInt)n;
    for (;;) {
        zs.next_out = out + zs.total_out;
        zs.avail_out = (uInt)(cap - zs.total_out);
        int rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR))
            break;
        if (zs.avail_out == 0) {
            cap *= 2;
            out = rt_realloc(out, cap);
        } else
            break;
    }
    *outn = zs.total_out;
    inflateEnd(&zs);
    return out;
}

/* Deterministic pseudo-random bytes (xorshift), no shared state. */
static void fill_random(uint8_t *buf, size_t n, uint64_t seed)
{
    uint64_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)(x >> 24);
    }
}

/* ---- collecting a sample's frames ---- */

typedef struct frame_list {
    const pprof_frame *f[64];
    size_t n;
} frame_list;

static bool collect_frame(const pprof_frame *f, void *ctx)
{
    frame_list *l = ctx;
    if (l->n < 64)
        l->f[l->n++] = f;
    return true;
}

static frame_list frames_of(const pprof_profile *p, const pprof_sample *s)
{
    frame_list l;
    l.n = 0;
    pprof_sample_frames(p, s, collect_frame, &l);
    return l;
}

static bool frame_is(const pprof_frame *f, const char *fn, const char *file, int64_t line)
{
    return strcmp(f->function, fn) == 0 && strcmp(f->file, file) == 0 && f->line == line;
}

/* ---- writer tests ---- */

static void test_interning(tctx *t)
{
    pprof_builder *b = pprof_builder_new();
    uint64_t a = pprof_location(b, "main.f", "f.go", 10);
    uint64_t a2 = pprof_location(b, "main.f", "f.go", 10);
    uint64_t c = pprof_location(b, "main.f", "f.go", 11);
    uint64_t d = pprof_location(b, "main.f", "g.go", 10);
    uint64_t e = pprof_location(b, "main.g", "f.go", 10);
    uint64_t n1 = pprof_location(b, NULL, NULL, 0);
    uint64_t n2 = pprof_location(b, "", "", 0);
    CHECK(t, a >= 1);
    CHECK(t, a == a2);
    CHECK(t, a != c && a != d && a != e && c != d && c != e && d != e);
    CHECK(t, n1 == n2);
    CHECK(t, pprof_builder_nlocations(b) == 5);
    pprof_builder_free(b);
    pprof_builder_free(NULL);
}

static void test_roundtrip(tctx *t)
{
    char path[128];
    path_in(t, "rt.pb.gz", path, sizeof path);
    pprof_builder *b = pprof_builder_new();
    pprof_add_sample_type(b, "objects", "count");
    pprof_add_sample_type(b, "space", "bytes");
    pprof_set_period(b, "space", "bytes", 524288);
    pprof_set_default_sample_type(b, "space");
    uint64_t leaf = pprof_location(b, "main.(*T).grow", "/src/t.go", 42);
    uint64_t mid = pprof_location(b, "main.build", "/src/main.go", 17);
    uint64_t root = pprof_location(b, "main.main", "/src/main.go", 5);
    uint64_t other = pprof_location(b, "main.build", "/src/main.go", 18);
    uint64_t s1[] = {leaf, mid, root};
    uint64_t s2[] = {other, root};
    int64_t v1[] = {3, 192}, v2[] = {1, -8}, v3[] = {0, 0};
    pprof_add_sample(b, s1, 3, v1, "type", "main.T");
    pprof_add_sample(b, s2, 2, v2, NULL, NULL);
    pprof_add_sample(b, NULL, 0, v3, "type", "");
    CHECK(t, pprof_builder_nsamples(b) == 3);

    rt_error err;
    rt_error_clear(&err);
    int rc = pprof_write_file(b, path, &err);
    if (!CHECK(t, rc == 0))
        print_err("write", &err);
    pprof_builder_free(b);

    size_t n = 0;
    uint8_t *raw = read_file(path, &n);
    CHECK(t, raw && n > 18 && raw[0] == 0x1f && raw[1] == 0x8b); /* gzip'd */
    CHECK(t, raw && pprof_sniff(raw, n) == 1);

    pprof_profile *p = NULL;
    rt_error_clear(&err);
    rc = pprof_read_file(path, &p, &err);
    if (!CHECK(t, rc == 0 && p)) {
        print_err("read", &err);
        free(raw);
        return;
    }
    CHECK(t, p->nsample_types == 2);
    CHECK(t, !strcmp(p->sample_types[0].type, "objects") && !strcmp(p->sample_types[0].unit, "count"));
    CHECK(t, !strcmp(p->sample_types[1].type, "space") && !strcmp(p->sample_types[1].unit, "bytes"));
    CHECK(t, !strcmp(p->period_type.type, "space") && !strcmp(p->period_type.unit, "bytes"));
    CHECK(t, p->period == 524288);
    CHECK(t, !strcmp(p->default_sample_type, "space"));
    CHECK(t, p->nsamples == 3);
    CHECK(t, p->nlocations == 4);
    if (p->nsamples == 3) {
        const pprof_sample *s = &p->samples[0];
        frame_list fl = frames_of(p, s);
        CHECK(t, s->values[0] == 3 && s->values[1] == 192);
        CHECK(t, fl.n == 3);
        if (fl.n == 3) {
            CHECK(t, frame_is(fl.f[0], "main.(*T).grow", "/src/t.go", 42));
            CHECK(t, frame_is(fl.f[1], "main.build", "/src/main.go", 17));
            CHECK(t, frame_is(fl.f[2], "main.main", "/src/main.go", 5));
        }
        CHECK(t, s->nlabel == 1 && !strcmp(s->labels[0].key, "type") && s->labels[0].str &&
                     !strcmp(s->labels[0].str, "main.T"));
        s = &p->samples[1];
        fl = frames_of(p, s);
        CHECK(t, s->values[0] == 1 && s->values[1] == -8);
        CHECK(t, fl.n == 2 && frame_is(fl.f[0], "main.build", "/src/main.go", 18));
        CHECK(t, s->nlabel == 0);
        s = &p->samples[2];
        CHECK(t, s->nloc == 0 && s->values[0] == 0 && s->values[1] == 0);
        /* str "" is index 0, which pprof reads as "numeric label 0" */
        CHECK(t, s->nlabel == 1 && !strcmp(s->labels[0].key, "type"));
    }
    pprof_profile_free(p);

    /* The same bytes uncompressed must read the same. */
    size_t pn = 0;
    uint8_t *plain = gunzip_bytes(raw, n, &pn);
    CHECK(t, pprof_sniff(plain, pn) == 1);
    rt_error_clear(&err);
    p = NULL;
    rc = pprof_read_mem(plain, pn, "plain", 0, &p, &err);
    if (!CHECK(t, rc == 0 && p && p->nsamples == 3 && p->nlocations == 4))
        print_err("read plain", &err);
    pprof_profile_free(p);

    /* ... and so must two gzip members that concatenate to them */
    size_t n1, n2, half = pn / 2;
    uint8_t *g1 = gzip_bytes(plain, half, &n1), *g2 = gzip_bytes(plain + half, pn - half, &n2);
    uint8_t *both = rt_malloc(n1 + n2);
    memcpy(both, g1, n1);
    memcpy(both + n1, g2, n2);
    rt_error_clear(&err);
    p = NULL;
    rc = pprof_read_mem(both, n1 + n2, "two members", 0, &p, &err);
    if (!CHECK(t, rc == 0 && p && p->nsamples == 3 && p->nlocations == 4))
        print_err("two members", &err);
    pprof_profile_free(p);
    free(g1);
    free(g2);
    free(both);
    free(plain);
    free(raw);
}

static void test_misuse(tctx *t)
{
    char path[128];
    path_in(t, "misuse.pb.gz", path, sizeof path);
    rt_error err;

    pprof_builder *b = pprof_builder_new();
    pprof_add_sample_type(b, "objects", "count");
    uint64_t bad[] = {7};
    int64_t v[] = {1};
    pprof_add_sample(b, bad, 1, v, NULL, NULL);
    rt_error_clear(&err);
    CHECK(t, pprof_write_file(b, path, &err) == -RT_E_USAGE && err.code == RT_E_USAGE);
    CHECK(t, access(path, F_OK) != 0);
    pprof_builder_free(b);

    b = pprof_builder_new();
    pprof_add_sample_type(b, "objects", "count");
    uint64_t l = pprof_location(b, "f", "f.c", 1);
    pprof_add_sample(b, &l, 1, v, NULL, NULL);
    pprof_add_sample_type(b, "space", "bytes");
    rt_error_clear(&err);
    CHECK(t, pprof_write_file(b, path, &err) == -RT_E_USAGE);
    pprof_builder_free(b);

    b = pprof_builder_new();
    rt_error_clear(&err);
    CHECK(t, pprof_write_file(b, "/nonexistent-dir/x.pb.gz", &err) == -RT_E_IO);
    CHECK(t, strcmp(err.input, "/nonexistent-dir/x.pb.gz") == 0);
    pprof_builder_free(b);

    /* a failed write leaves an existing file as it was, and no temporary
     * file beside it (io/output.h) */
    write_bytes(path, (const uint8_t *)"old", 3);
    b = pprof_builder_new();
    pprof_add_sample_type(b, "objects", "count");
    pprof_add_sample(b, bad, 1, v, NULL, NULL);
    rt_error_clear(&err);
    CHECK(t, pprof_write_file(b, path, &err) == -RT_E_USAGE);
    size_t n = 0;
    uint8_t *raw = read_file(path, &n);
    CHECK(t, raw && n == 3 && memcmp(raw, "old", 3) == 0);
    free(raw);
    DIR *d = opendir(t->dir);
    struct dirent *de;
    int leftovers = 0;
    while (d && (de = readdir(d)) != NULL)
        leftovers += strncmp(de->d_name, ".misuse.pb.gz.", 14) == 0;
    if (d)
        closedir(d);
    CHECK(t, leftovers == 0);
    pprof_builder_free(b);
    /* (a full device as the output: tests/badinput.py, on a node of its
     * own, so that a regression cannot remove the machine's /dev/full) */
}

/* Many distinct locations and samples: interning must keep ids apart and
 * the file must read back whole.  (Big enough to exercise table growth,
 * small enough for a unit test; 10M is checked by hand, see the report.) */
static void test_scale(tctx *t)
{
    enum { N = 200000 };
    char path[128];
    path_in(t, "scale.pb.gz", path, sizeof path);
    pprof_builder *b = pprof_builder_new();
    pprof_add_sample_type(b, "objects", "count");
    pprof_add_sample_type(b, "space", "bytes");
    uint64_t root = pprof_location(b, "root", "", 0);
    bool ids_ok = true;
    for (int i = 0; i < N; i++) {
        char fn[48];
        snprintf(fn, sizeof fn, "type.%d", i % 5000);
        uint64_t leaf = pprof_location(b, fn, "heap", i);
        ids_ok &= leaf == (uint64_t)i + 2;
        uint64_t stack[] = {leaf, root};
        int64_t v[] = {1, i};
        pprof_add_sample(b, stack, 2, v, NULL, NULL);
    }
    CHECK(t, ids_ok);
    CHECK(t, pprof_location(b, "type.7", "heap", 7) == 9); /* found again */
    CHECK(t, pprof_builder_nlocations(b) == N + 1);
    rt_error err;
    rt_error_clear(&err);
    CHECK(t, pprof_write_file(b, path, &err) == 0);
    pprof_builder_free(b);

    size_t n = 0;
    uint8_t *raw = read_file(path, &n);
    CHECK(t, raw && n > 4096 && pprof_sniff(raw, 4096) == 1); /* the start is enough */
    free(raw);

    pprof_profile *p = NULL;
    rt_error_clear(&err);
    if (!CHECK(t, pprof_read_file(path, &p, &err) == 0)) {
        print_err("read", &err);
        return;
    }
    CHECK(t, p->nsamples == N && p->nlocations == N + 1);
    const pprof_sample *s = &p->samples[12345];
    frame_list fl = frames_of(p, s);
    CHECK(t, fl.n == 2 && frame_is(fl.f[0], "type.2345", "heap", 12345) &&
                 frame_is(fl.f[1], "root", "", 0) && s->values[1] == 12345);
    pprof_profile_free(p);
}

/* ---- hand-made profiles ---- */

/* Pack a protobuf-c Profile (the test builds it field by field). */
static uint8_t *pack_profile(const Perftools__Profiles__Profile *pb, size_t *n)
{
    *n = perftools__profiles__profile__get_packed_size(pb);
    uint8_t *buf = rt_malloc(*n ? *n : 1);
    perftools__profiles__profile__pack(pb, buf);
    return buf;
}

/* A profile our writer would never make: sparse ids, a location with an
 * inlined call, a numeric label, one unsymbolized location.  It is
 * parameterised so the error tests can break one thing at a time. */
typedef struct handmade {
    int64_t fn_name_idx;     /* of function id 500 */
    uint64_t sample_loc;     /* a location id of sample 0 */
    uint64_t line_fn;        /* function id of location 100's inner line */
    size_t nvalues;          /* values of sample 0 */
    const char *str0;        /* string_table[0] */
} handmade;

static uint8_t *make_handmade(const handmade *h, size_t *n)
{
    char *strs[] = {(char *)h->str0, "inuse_space", "bytes", "inner", "outer", "x.go",
                    "bytes_label", "count"};
    Perftools__Profiles__ValueType st0 = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
    Perftools__Profiles__ValueType st1 = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
    st0.type = 1, st0.unit = 2;
    st1.type = 7, st1.unit = 7;
    Perftools__Profiles__ValueType *sts[] = {&st0, &st1};

    Perftools__Profiles__Function f1 = PERFTOOLS__PROFILES__FUNCTION__INIT;
    Perftools__Profiles__Function f2 = PERFTOOLS__PROFILES__FUNCTION__INIT;
    f1.id = 500, f1.name = h->fn_name_idx, f1.filename = 5;
    f2.id = 7, f2.name = 0, f2.system_name = 4, f2.filename = 5; /* name only as system_name */
    Perftools__Profiles__Function *fns[] = {&f1, &f2};

    Perftools__Profiles__Line l_in = PERFTOOLS__PROFILES__LINE__INIT;
    Perftools__Profiles__Line l_out = PERFTOOLS__PROFILES__LINE__INIT;
    l_in.function_id = h->line_fn, l_in.line = 3;
    l_out.function_id = 7, l_out.line = 9;
    Perftools__Profiles__Line *lines[] = {&l_in, &l_out};
    Perftools__Profiles__Location loc1 = PERFTOOLS__PROFILES__LOCATION__INIT;
    Perftools__Profiles__Location loc2 = PERFTOOLS__PROFILES__LOCATION__INIT;
    loc1.id = 100, loc1.n_line = 2, loc1.line = lines;
    loc2.id = 200, loc2.address = 0x401000; /* no lines */
    Perftools__Profiles__Location *locs[] = {&loc1, &loc2};

    uint64_t sids[] = {h->sample_loc, 200};
    int64_t vals[] = {4096, 1};
    Perftools__Profiles__Label lab = PERFTOOLS__PROFILES__LABEL__INIT;
    lab.key = 6, lab.num = 4096, lab.num_unit = 2;
    Perftools__Profiles__Label *labs[] = {&lab};
    Perftools__Profiles__Sample s = PERFTOOLS__PROFILES__SAMPLE__INIT;
    s.n_location_id = 2, s.location_id = sids;
    s.n_value = h->nvalues, s.value = vals;
    s.n_label = 1, s.label = labs;
    Perftools__Profiles__Sample *samples[] = {&s};

    Perftools__Profiles__Profile pb = PERFTOOLS__PROFILES__PROFILE__INIT;
    pb.n_sample_type = 2, pb.sample_type = sts;
    pb.n_sample = 1, pb.sample = samples;
    pb.n_location = 2, pb.location = locs;
    pb.n_function = 2, pb.function = fns;
    pb.n_string_table = sizeof strs / sizeof *strs, pb.string_table = strs;
    return pack_profile(&pb, n);
}

static const handmade good = {3, 100, 500, 2, ""};

static void test_handmade(tctx *t)
{
    size_t n;
    uint8_t *buf = make_handmade(&good, &n);
    CHECK(t, pprof_sniff(buf, n) == 1);
    pprof_profile *p = NULL;
    rt_error err;
    rt_error_clear(&err);
    int rc = pprof_read_mem(buf, n, "handmade", 0, &p, &err);
    free(buf);
    if (!CHECK(t, rc == 0 && p)) {
        print_err("handmade", &err);
        return;
    }
    CHECK(t, p->nsamples == 1 && p->nlocations == 2);
    CHECK(t, !strcmp(p->period_type.type, "") && p->period == 0 && !strcmp(p->default_sample_type, ""));
    const pprof_sample *s = &p->samples[0];
    frame_list fl = frames_of(p, s);
    CHECK(t, fl.n == 3);
    if (fl.n == 3) {
        CHECK(t, frame_is(fl.f[0], "inner", "x.go", 3)); /* inlined callee first */
        CHECK(t, frame_is(fl.f[1], "outer", "x.go", 9));
        CHECK(t, frame_is(fl.f[2], "", "", 0));
    }
    CHECK(t, p->locations[s->locs[1]].address == 0x401000);
    CHECK(t, s->nlabel == 1 && !strcmp(s->labels[0].key, "bytes_label") && s->labels[0].str == NULL &&
                 s->labels[0].num == 4096 && !strcmp(s->labels[0].num_unit, "bytes"));
    pprof_profile_free(p);
}

/* Read bytes and expect failure with `code` and `needle` in the message. */
static void expect_error(tctx *t, const char *label, const uint8_t *buf, size_t n, uint64_t limit,
                         rt_code code, const char *needle)
{
    pprof_profile *p = NULL;
    rt_error err;
    rt_error_clear(&err);
    int rc = pprof_read_mem(buf, n, label, limit, &p, &err);
    bool ok = rc == -(int)code && err.code == code && p == NULL && !strcmp(err.input, label) &&
              (!needle || strstr(err.msg, needle));
    if (!check_at(&t->c, ok, label, __LINE__)) {
        fprintf(stderr, "  rc=%d want %d\n", rc, -(int)code);
        print_err(label, &err);
    }
    pprof_profile_free(p);
}

static void test_bad_contents(tctx *t)
{
    size_t n;
    uint8_t *buf;
    handmade h;

    h = good, h.fn_name_idx = 99;
    buf = make_handmade(&h, &n);
    expect_error(t, "string index", buf, n, 0, RT_E_CORRUPT, "string index 99");
    free(buf);

    h = good, h.fn_name_idx = -1;
    buf = make_handmade(&h, &n);
    expect_error(t, "negative string index", buf, n, 0, RT_E_CORRUPT, "string index -1");
    free(buf);

    h = good, h.sample_loc = 101;
    buf = make_handmade(&h, &n);
    expect_error(t, "missing location", buf, n, 0, RT_E_CORRUPT, "location id 101");
    free(buf);

    h = good, h.line_fn = 8;
    buf = make_handmade(&h, &n);
    expect_error(t, "missing function", buf, n, 0, RT_E_CORRUPT, "function id 8");
    free(buf);

    h = good, h.nvalues = 1;
    buf = make_handmade(&h, &n);
    expect_error(t, "value count", buf, n, 0, RT_E_CORRUPT, "1 values");
    free(buf);

    h = good, h.str0 = "nonempty";
    buf = make_handmade(&h, &n);
    expect_error(t, "string 0", buf, n, 0, RT_E_CORRUPT, "string_table[0]");
    free(buf);

    /* well-formed top level, broken nested Sample (a key with wire type 7) */
    const uint8_t nested[] = {0x12, 0x02, 0x0f, 0x00};
    expect_error(t, "nested", nested, sizeof nested, 0, RT_E_FORMAT, "sample 0 (2 bytes) is not a valid");
    /* a field length past the end */
    const uint8_t overrun[] = {0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0x7f, 0x00};
    expect_error(t, "overrun", overrun, sizeof overrun, 0, RT_E_FORMAT, "bytes long");
}

static void test_corrupt(tctx *t)
{
    char good_path[128], path[128];
    path_in(t, "good.pb.gz", good_path, sizeof good_path);
    pprof_builder *b = pprof_builder_new();
    pprof_add_sample_type(b, "space", "bytes");
    for (int i = 0; i < 2000; i++) {
        char fn[32];
        snprintf(fn, sizeof fn, "fn%d", i);
        uint64_t l = pprof_location(b, fn, "f.c", i);
        int64_t v = i;
        pprof_add_sample(b, &l, 1, &v, NULL, NULL);
    }
    rt_error err;
    rt_error_clear(&err);
    CHECK(t, pprof_write_file(b, good_path, &err) == 0);
    pprof_builder_free(b);
    size_t n = 0;
    uint8_t *raw = read_file(good_path, &n);
    if (!CHECK(t, raw && n > 100))
        return;

    /* truncated gzip, through the file API so the error names the file */
    const size_t cuts[] = {n / 2, n - 4, 10, 2};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        path_in(t, "cut.pb.gz", path, sizeof path);
        write_bytes(path, raw, cuts[i]);
        pprof_profile *p = NULL;
        rt_error_clear(&err);
        int rc = pprof_read_file(path, &p, &err);
        if (!CHECK(t, rc == -RT_E_TRUNCATED && p == NULL && !strcmp(err.input, path) &&
                          err.offset != RT_NO_OFFSET))
            print_err("truncated", &err);
        CHECK(t, pprof_sniff(raw, cuts[i]) == (cuts[i] > 100)); /* start still looks right */
    }

    /* a flipped byte in the CRC trailer, and in the deflate data */
    uint8_t *bad = rt_malloc(n);
    memcpy(bad, raw, n);
    bad[n - 6] ^= 0xff;
    expect_error(t, "bad crc", bad, n, 0, RT_E_CORRUPT, "gzip");
    memcpy(bad, raw, n);
    bad[3] = 0xff; /* reserved flag bits set */
    expect_error(t, "bad header", bad, n, 0, RT_E_CORRUPT, "gzip");
    free(bad);

    /* trailing garbage after the gzip stream */
    uint8_t *tail = rt_malloc(n + 3);
    memcpy(tail, raw, n);
    memcpy(tail + n, "xyz", 3);
    expect_error(t, "trailing", tail, n + 3, 0, RT_E_CORRUPT, "follow");
    free(tail);

    /* random bytes, several seeds; none may crash or parse */
    uint8_t rnd[4096];
    for (uint64_t seed = 1; seed <= 20; seed++) {
        fill_random(rnd, sizeof rnd, seed * 7919);
        if (rnd[0] == 0x1f)
            rnd[0] = 0;
        pprof_profile *p = NULL;
        rt_error_clear(&err);
        int rc = pprof_read_mem(rnd, sizeof rnd, "random", 0, &p, &err);
        CHECK(t, rc < 0 && p == NULL && !strcmp(err.input, "random"));
        CHECK(t, pprof_sniff(rnd, sizeof rnd) == 0);
    }
    /* a valid gzip of garbage */
    fill_random(rnd, sizeof rnd, 42);
    size_t gn;
    uint8_t *gz = gzip_bytes(rnd, sizeof rnd, &gn);
    expect_error(t, "gzip of garbage", gz, gn, 0, RT_E_CORRUPT, "not a profile.proto");
    CHECK(t, pprof_sniff(gz, gn) == 0);
    free(gz);
    /* a gzip'd text file is not a profile either */
    const char text[] = "hello, this is not a profile\nat all\n";
    gz = gzip_bytes(text, sizeof text - 1, &gn);
    CHECK(t, pprof_sniff(gz, gn) == 0);
    free(gz);

    /* zip bomb: 16 MiB of zeros gzip to ~16 KiB; refuse above a 1 MiB limit */
    size_t zn = 16 << 20;
    uint8_t *zeros = rt_calloc(zn, 1);
    gz = gzip_bytes(zeros, zn, &gn);
    free(zeros);
    expect_error(t, "zip bomb", gz, gn, 1 << 20, RT_E_UNSUPPORTED, "zip bomb");
    free(gz);

    /* empty input, other formats' openings */
    expect_error(t, "empty", (const uint8_t *)"", 0, 0, RT_E_FORMAT, "empty");
    const char heapdump[] = "go1.7 heap dump\n";
    CHECK(t, pprof_sniff((const uint8_t *)heapdump, sizeof heapdump - 1) == 0);
    expect_error(t, "heapdump", (const uint8_t *)heapdump, sizeof heapdump - 1, 0, RT_E_FORMAT,
                 "not a pprof profile");
    const uint8_t elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
    CHECK(t, pprof_sniff(elf, sizeof elf) == 0);
    CHECK(t, pprof_sniff(NULL, 0) == 0);

    /* a missing file */
    pprof_profile *p = NULL;
    path_in(t, "missing.pb.gz", path, sizeof path);
    rt_error_clear(&err);
    CHECK(t, pprof_read_file(path, &p, &err) == -RT_E_IO && !strcmp(err.input, path));
    free(raw);
}

/* ---- a real Go heap profile ---- */

typedef struct find_fn {
    const char *name;
    bool found;
} find_fn;

static bool match_fn(const pprof_frame *f, void *ctx)
{
    find_fn *ff = ctx;
    if (!strcmp(f->function, ff->name)) {
        ff->found = true;
        return false;
    }
    return true;
}

static void test_go_profile(tctx *t, const char *path, const char *fn)
{
    pprof_profile *p = NULL;
    rt_error err;
    rt_error_clear(&err);
    size_t n = 0;
    uint8_t *raw = read_file(path, &n);
    CHECK(t, raw && pprof_sniff(raw, n) == 1);
    free(raw);
    if (!CHECK(t, pprof_read_file(path, &p, &err) == 0)) {
        print_err("go profile", &err);
        return;
    }
    static const char *const want[4][2] = {{"alloc_objects", "count"},
                                           {"alloc_space", "bytes"},
                                           {"inuse_objects", "count"},
                                           {"inuse_space", "bytes"}};
    bool types_ok = p->nsample_types == 4;
    for (size_t i = 0; types_ok && i < 4; i++)
        types_ok = !strcmp(p->sample_types[i].type, want[i][0]) &&
                   !strcmp(p->sample_types[i].unit, want[i][1]);
    CHECK(t, types_ok);
    CHECK(t, !strcmp(p->period_type.type, "space") && !strcmp(p->period_type.unit, "bytes"));
    CHECK(t, p->period > 0);
    CHECK(t, p->nsamples > 0);
    find_fn ff = {fn, false};
    int64_t inuse = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        bool before = ff.found;
        pprof_sample_frames(p, &p->samples[i], match_fn, &ff);
        if (ff.found && !before && p->nsample_types == 4)
            inuse = p->samples[i].values[3];
    }
    if (!CHECK(t, ff.found))
        fprintf(stderr, "  no stack in %s contains %s\n", path, fn);
    CHECK(t, inuse > 0);
    printf("go profile %s: %zu samples, %zu locations, period %lld, %s in a stack with %lld "
           "in-use bytes\n",
           path, p->nsamples, p->nlocations, (long long)p->period, fn, (long long)inuse);
    pprof_profile_free(p);
}

int main(int argc, char **argv)
{
    tctx t = {{0}, ""};
    const char *tmp = getenv("TMPDIR");
    snprintf(t.dir, sizeof t.dir, "%s/test_pprof.XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(t.dir)) {
        perror("mkdtemp");
        return 1;
    }

    test_interning(&t);
    test_roundtrip(&t);
    test_misuse(&t);
    test_scale(&t);
    test_handmade(&t);
    test_bad_contents(&t);
    test_corrupt(&t);
    if (argc > 1)
        test_go_profile(&t, argv[1], argc > 2 ? argv[2] : "main.allocLeak");

    const char *names[] = {"rt.pb.gz", "misuse.pb.gz", "scale.pb.gz", "good.pb.gz", "cut.pb.gz"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[128];
        path_in(&t, names[i], path, sizeof path);
        unlink(path);
    }
    rmdir(t.dir);

    return check_summary(&t.c);
}
