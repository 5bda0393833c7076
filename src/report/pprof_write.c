/* pprof_write.c — the pprof profile builder and gzip'd writer (see
 * pprof_write.h).
 *
 * Storage, chosen so that ~10M samples and locations fit comfortably:
 *   strings    one arena of NUL-terminated bytes plus an offset per string;
 *              string index i is string_table[i], index 0 is "".
 *   functions  (name, file) string-index pairs; function id = index + 1.
 *   locations  (function index, line) pairs; location id = index + 1.
 *   samples    CSR: sample i's stack is locs[loc_off[i] .. loc_off[i+1]),
 *              its values vals[i*ntypes ..), its label labels[2i], [2i+1].
 * Each of strings, functions and locations has an open-addressing hash
 * table of (index + 1, hash) slots, so interning is O(1) expected and
 * growing never re-reads the keys.
 *
 * Writing: a Profile message is, on the wire, just its fields one after
 * another, so rather than building one Perftools__Profiles__Profile (a
 * pointer per sample and the whole encoding in memory at once) we emit the
 * top-level fields ourselves and let protobuf-c encode each small
 * sub-message (a Sample, a Location, ...) into a scratch buffer.  The bytes
 * go through zlib's deflate straight to the file. */
#include "report/pprof_write.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "io/output.h"
#include "profile.pb-c.h"
#include "util/alloc.h"
#include "util/hash.h"

/* Profile field numbers (formats/profile.proto) for the fields we emit by
 * hand. */
enum {
    F_SAMPLE_TYPE = 1,
    F_SAMPLE = 2,
    F_MAPPING = 3,
    F_LOCATION = 4,
    F_FUNCTION = 5,
    F_STRING_TABLE = 6,
    F_PERIOD_TYPE = 11,
    F_PERIOD = 12,
    F_DEFAULT_SAMPLE_TYPE = 14,
};
enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

/* One hash-table slot: idx1 is the interned item's index + 1 (0 = empty);
 * hash is kept so that growing the table needs no access to the keys and
 * most mismatches are rejected without comparing keys. */
typedef struct slot {
    uint32_t idx1;
    uint32_t hash;
} slot;

typedef struct itable {
    slot *slots; /* cap entries, cap a power of two (or 0 before first use) */
    size_t cap;
    size_t n;    /* occupied slots */
} itable;

typedef struct func_rec {
    uint32_t name; /* string index */
    uint32_t file; /* string index */
} func_rec;

typedef struct loc_rec {
    uint32_t func; /* function index (id - 1) */
    int64_t line;
} loc_rec;

struct pprof_builder {
    /* strings */
    char *sbuf;        /* arena of NUL-terminated strings */
    size_t slen, scap; /* bytes used / allocated in sbuf */
    uint64_t *soff;    /* soff[i] = offset of string i in sbuf */
    size_t nstr, soff_cap;
    itable strtab;

    /* functions and locations */
    func_rec *funcs;
    size_t nfunc, func_cap;
    itable functab;
    loc_rec *locs;
    size_t nloc, loc_cap;
    itable loctab;

    /* header fields, as string indexes */
    uint32_t *types; /* 2 per sample type: type, unit */
    size_t ntypes, types_cap;
    bool has_period;
    uint32_t period_type, period_unit;
    int64_t period;
    uint32_t default_type; /* 0 = unset */
    uint32_t map_file, map_build_id; /* the mapping's, 0 = unset */

    /* samples */
    uint64_t *loc_off; /* nsamples + 1 offsets into sample_locs */
    size_t loc_off_cap;
    uint32_t *sample_locs; /* location indexes (id - 1), leaf first */
    size_t nsample_locs, sample_locs_cap;
    int64_t *vals; /* nsamples * ntypes */
    size_t vals_cap;
    uint32_t *labels; /* 2 per sample: key, str; 0,0 = no label */
    size_t labels_cap;
    size_t nsamples;

    char misuse[200]; /* first API misuse, reported by pprof_write_file */
};

/* ---- open-addressing table of indexes ---- */

typedef bool (*eq_fn)(const pprof_builder *b, uint32_t idx, const void *key);

/* The slot holding key, or the empty slot where it belongs.  The table
 * must have room (itable_reserve first). */
static slot *itable_find(itable *t, uint32_t h, eq_fn eq, const pprof_builder *b, const void *key)
{
    size_t mask = t->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        slot *s = &t->slots[i];
        if (s->idx1 == 0 || (s->hash == h && eq(b, s->idx1 - 1, key)))
            return s;
    }
}

/* Make room for one more entry, keeping the load under 70% so linear
 * probing stays short. */
static void itable_reserve(itable *t)
{
    if (t->cap && (t->n + 1) * 10 < t->cap * 7)
        return;
    size_t ncap = t->cap ? t->cap * 2 : 1024;
    slot *ns = rt_calloc(ncap, sizeof *ns);
    for (size_t i = 0; i < t->cap; i++) {
        slot s = t->slots[i];
        if (!s.idx1)
            continue;
        size_t j = s.hash & (ncap - 1);
        while (ns[j].idx1)
            j = (j + 1) & (ncap - 1);
        ns[j] = s;
    }
    free(t->slots);
    t->slots = ns;
    t->cap = ncap;
}

static void set_misuse(pprof_builder *b, const char *msg)
{
    if (!b->misuse[0])
        snprintf(b->misuse, sizeof b->misuse, "%s", msg);
}

/* ---- strings ---- */

typedef struct str_key {
    const char *s;
    size_t len;
} str_key;

static bool str_eq(const pprof_builder *b, uint32_t idx, const void *key)
{
    const str_key *k = key;
    const char *have = b->sbuf + b->soff[idx];
    return memcmp(have, k->s, k->len) == 0 && have[k->len] == '\0';
}

static uint32_t intern_str(pprof_builder *b, const char *s)
{
    if (!s)
        s = "";
    str_key k = {s, strlen(s)};
    uint32_t h = (uint32_t)rt_hash_bytes(k.s, k.len);
    itable_reserve(&b->strtab);
    slot *sl = itable_find(&b->strtab, h, str_eq, b, &k);
    if (sl->idx1)
        return sl->idx1 - 1;
    if (b->nstr >= UINT32_MAX - 1) {
        set_misuse(b, "more than 4294967294 distinct strings");
        return 0;
    }
    RT_GROW(b->sbuf, b->scap, b->slen + k.len + 1);
    memcpy(b->sbuf + b->slen, k.s, k.len + 1);
    RT_GROW(b->soff, b->soff_cap, b->nstr + 1);
    b->soff[b->nstr] = b->slen;
    b->slen += k.len + 1;
    sl->idx1 = (uint32_t)b->nstr + 1;
    sl->hash = h;
    b->strtab.n++;
    return (uint32_t)b->nstr++;
}

/* ---- functions and locations ---- */

static bool func_eq(const pprof_builder *b, uint32_t idx, const void *key)
{
    const func_rec *k = key;
    return b->funcs[idx].name == k->name && b->funcs[idx].file == k->file;
}

static uint32_t intern_func(pprof_builder *b, uint32_t name, uint32_t file)
{
    func_rec k = {name, file};
    uint32_t h = (uint32_t)rt_hash64((uint64_t)name << 32 | file);
    itable_reserve(&b->functab);
    slot *sl = itable_find(&b->functab, h, func_eq, b, &k);
    if (sl->idx1)
        return sl->idx1 - 1;
    if (b->nfunc >= UINT32_MAX - 1) {
        set_misuse(b, "more than 4294967294 distinct functions");
        return 0;
    }
    RT_GROW(b->funcs, b->func_cap, b->nfunc + 1);
    b->funcs[b->nfunc] = k;
    sl->idx1 = (uint32_t)b->nfunc + 1;
    sl->hash = h;
    b->functab.n++;
    return (uint32_t)b->nfunc++;
}

static bool loc_eq(const pprof_builder *b, uint32_t idx, const void *key)
{
    const loc_rec *k = key;
    return b->locs[idx].func == k->func && b->locs[idx].line == k->line;
}

uint64_t pprof_location(pprof_builder *b, const char *function, const char *file, int64_t line)
{
    uint32_t fn = intern_func(b, intern_str(b, function), intern_str(b, file));
    loc_rec k = {fn, line};
    uint32_t h = (uint32_t)rt_hash64((uint64_t)fn * 0x9e3779b97f4a7c15ULL ^ (uint64_t)line);
    itable_reserve(&b->loctab);
    slot *sl = itable_find(&b->loctab, h, loc_eq, b, &k);
    if (sl->idx1)
        return sl->idx1;
    if (b->nloc >= UINT32_MAX - 1) {
        set_misuse(b, "more than 4294967294 distinct locations");
        return 1;
    }
    RT_GROW(b->locs, b->loc_cap, b->nloc + 1);
    b->locs[b->nloc] = k;
    sl->idx1 = (uint32_t)b->nloc + 1;
    sl->hash = h;
    b->loctab.n++;
    return ++b->nloc; /* id = index + 1 */
}

/* ---- builder ---- */

pprof_builder *pprof_builder_new(void)
{
    pprof_builder *b = rt_calloc(1, sizeof *b);
    intern_str(b, ""); /* string_table[0] must be "" */
    RT_GROW(b->loc_off, b->loc_off_cap, 1);
    b->loc_off[0] = 0;
    return b;
}

void pprof_builder_free(pprof_builder *b)
{
    if (!b)
        return;
    free(b->sbuf);
    free(b->soff);
    free(b->strtab.slots);
    free(b->funcs);
    free(b->functab.slots);
    free(b->locs);
    free(b->loctab.slots);
    free(b->types);
    free(b->loc_off);
    free(b->sample_locs);
    free(b->vals);
    free(b->labels);
    free(b);
}

void pprof_add_sample_type(pprof_builder *b, const char *type, const char *unit)
{
    if (b->nsamples) {
        /* earlier samples would have one value too few */
        set_misuse(b, "pprof_add_sample_type called after samples were added");
        return;
    }
    RT_GROW(b->types, b->types_cap, 2 * (b->ntypes + 1));
    b->types[2 * b->ntypes] = intern_str(b, type);
    b->types[2 * b->ntypes + 1] = intern_str(b, unit);
    b->ntypes++;
}

void pprof_set_period(pprof_builder *b, const char *type, const char *unit, int64_t period)
{
    b->has_period = true;
    b->period_type = intern_str(b, type);
    b->period_unit = intern_str(b, unit);
    b->period = period;
}

void pprof_set_mapping(pprof_builder *b, const char *file, const char *build_id)
{
    b->map_file = file ? intern_str(b, file) : 0;
    b->map_build_id = build_id ? intern_str(b, build_id) : 0;
}

void pprof_set_default_sample_type(pprof_builder *b, const char *type)
{
    b->default_type = intern_str(b, type);
}

void pprof_add_sample(pprof_builder *b, const uint64_t *locs, size_t nloc, const int64_t *values,
                      const char *label_key, const char *label_str)
{
    for (size_t i = 0; i < nloc; i++) {
        if (locs[i] == 0 || locs[i] > b->nloc) {
            char msg[120];
            snprintf(msg, sizeof msg, "pprof_add_sample given location id %llu, not one from pprof_location",
                     (unsigned long long)locs[i]);
            set_misuse(b, msg);
            return;
        }
    }
    size_t s = b->nsamples;
    RT_GROW(b->sample_locs, b->sample_locs_cap, b->nsample_locs + nloc);
    for (size_t i = 0; i < nloc; i++)
        b->sample_locs[b->nsample_locs + i] = (uint32_t)(locs[i] - 1);
    b->nsample_locs += nloc;
    RT_GROW(b->loc_off, b->loc_off_cap, s + 2);
    b->loc_off[s + 1] = b->nsample_locs;
    if (b->ntypes) {
        RT_GROW(b->vals, b->vals_cap, (s + 1) * b->ntypes);
        memcpy(&b->vals[s * b->ntypes], values, b->ntypes * sizeof *values);
    }
    RT_GROW(b->labels, b->labels_cap, 2 * (s + 1));
    bool lab = label_key && label_str;
    b->labels[2 * s] = lab ? intern_str(b, label_key) : 0;
    b->labels[2 * s + 1] = lab ? intern_str(b, label_str) : 0;
    b->nsamples++;
}

size_t pprof_builder_nsamples(const pprof_builder *b)
{
    return b->nsamples;
}

size_t pprof_builder_nlocations(const pprof_builder *b)
{
    return b->nloc;
}

/* ---- gzip'd output ---- */

/* Bytes to write are staged in `in` and deflated a block at a time:
 * protobuf fields are a few bytes each, and one deflate() call per field
 * would cost more than the encoding itself. */
typedef struct gz_sink {
    z_stream zs;
    FILE *fp;
    uint8_t in[1 << 16];
    size_t nin;
    uint8_t out[1 << 16];
    uint64_t written; /* compressed bytes written, for error offsets */
    int zerr;         /* first zlib error, or Z_OK */
    int io_errno;     /* first write errno, or 0 */
    uint8_t *scratch; /* encoding of the current sub-message */
    size_t scratch_cap;
} gz_sink;

static void sink_deflate(gz_sink *k, int flush)
{
    k->zs.next_in = k->in;
    k->zs.avail_in = (uInt)k->nin;
    do {
        k->zs.next_out = k->out;
        k->zs.avail_out = sizeof k->out;
        int rc = deflate(&k->zs, flush);
        if (rc == Z_STREAM_ERROR) {
            if (k->zerr == Z_OK)
                k->zerr = rc;
            break;
        }
        size_t have = sizeof k->out - k->zs.avail_out;
        if (have && !k->io_errno && fwrite(k->out, 1, have, k->fp) != have)
            k->io_errno = errno ? errno : EIO;
        k->written += have;
        if (flush == Z_FINISH && rc == Z_STREAM_END)
            break;
    } while (k->zs.avail_out == 0 || (flush == Z_FINISH && !k->zerr));
    k->nin = 0;
}

static void put_bytes(gz_sink *k, const void *p, size_t n)
{
    const uint8_t *s = p;
    while (n) {
        size_t room = sizeof k->in - k->nin;
        size_t c = n < room ? n : room;
        memcpy(k->in + k->nin, s, c);
        k->nin += c;
        s += c;
        n -= c;
        if (k->nin == sizeof k->in)
            sink_deflate(k, Z_NO_FLUSH);
    }
}

static void put_varint(gz_sink *k, uint64_t v)
{
    uint8_t buf[10];
    size_t n = 0;
    while (v >= 0x80) {
        buf[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    buf[n++] = (uint8_t)v;
    put_bytes(k, buf, n);
}

static void put_int64_field(gz_sink *k, unsigned field, int64_t v)
{
    if (v == 0)
        return; /* proto3: zero is the default and is not written */
    put_varint(k, (uint64_t)field << 3 | WIRE_VARINT);
    put_varint(k, (uint64_t)v); /* int64 is two's complement on the wire */
}

static void put_message(gz_sink *k, unsigned field, const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    RT_GROW(k->scratch, k->scratch_cap, n);
    protobuf_c_message_pack(m, k->scratch);
    put_varint(k, (uint64_t)field << 3 | WIRE_LEN);
    put_varint(k, n);
    put_bytes(k, k->scratch, n);
}

static void put_value_type(gz_sink *k, unsigned field, uint32_t type, uint32_t unit)
{
    Perftools__Profiles__ValueType vt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
    vt.type = type;
    vt.unit = unit;
    put_message(k, field, &vt.base);
}

static void emit_profile(const pprof_builder *b, gz_sink *k)
{
    for (size_t i = 0; i < b->ntypes; i++)
        put_value_type(k, F_SAMPLE_TYPE, b->types[2 * i], b->types[2 * i + 1]);

    uint64_t *ids = NULL; /* one sample's location ids, widened for protobuf-c */
    size_t ids_cap = 0;
    for (size_t s = 0; s < b->nsamples; s++) {
        Perftools__Profiles__Sample sm = PERFTOOLS__PROFILES__SAMPLE__INIT;
        Perftools__Profiles__Label lab = PERFTOOLS__PROFILES__LABEL__INIT;
        Perftools__Profiles__Label *labp = &lab;
        size_t first = b->loc_off[s], n = b->loc_off[s + 1] - first;
        RT_GROW(ids, ids_cap, n);
        for (size_t i = 0; i < n; i++)
            ids[i] = (uint64_t)b->sample_locs[first + i] + 1;
        sm.n_location_id = n;
        sm.location_id = ids;
        sm.n_value = b->ntypes;
        sm.value = b->ntypes ? &b->vals[s * b->ntypes] : NULL;
        if (b->labels[2 * s]) {
            lab.key = b->labels[2 * s];
            lab.str = b->labels[2 * s + 1];
            sm.n_label = 1;
            sm.label = &labp;
        }
        put_message(k, F_SAMPLE, &sm.base);
    }
    free(ids);

    /* One mapping that every location belongs to, saying the profile is
     * already symbolized: without it pprof invents a mapping and then
     * complains that it cannot find that mapping's binary. */
    Perftools__Profiles__Mapping map = PERFTOOLS__PROFILES__MAPPING__INIT;
    map.id = 1;
    map.has_functions = map.has_filenames = map.has_line_numbers = 1;
    map.filename = b->map_file;
    map.build_id = b->map_build_id;
    put_message(k, F_MAPPING, &map.base);

    for (size_t i = 0; i < b->nloc; i++) {
        Perftools__Profiles__Location loc = PERFTOOLS__PROFILES__LOCATION__INIT;
        Perftools__Profiles__Line line = PERFTOOLS__PROFILES__LINE__INIT;
        Perftools__Profiles__Line *linep = &line;
        loc.id = i + 1;
        loc.mapping_id = 1;
        line.function_id = (uint64_t)b->locs[i].func + 1;
        line.line = b->locs[i].line;
        loc.n_line = 1;
        loc.line = &linep;
        put_message(k, F_LOCATION, &loc.base);
    }

    for (size_t i = 0; i < b->nfunc; i++) {
        Perftools__Profiles__Function fn = PERFTOOLS__PROFILES__FUNCTION__INIT;
        fn.id = i + 1;
        fn.name = b->funcs[i].name;
        fn.system_name = b->funcs[i].name; /* as Go's runtime/pprof does */
        fn.filename = b->funcs[i].file;
        put_message(k, F_FUNCTION, &fn.base);
    }

    /* Every entry, "" included: indexes are positions in this list. */
    for (size_t i = 0; i < b->nstr; i++) {
        const char *s = b->sbuf + b->soff[i];
        size_t len = strlen(s);
        put_varint(k, (uint64_t)F_STRING_TABLE << 3 | WIRE_LEN);
        put_varint(k, len);
        put_bytes(k, s, len);
    }

    if (b->has_period) {
        put_value_type(k, F_PERIOD_TYPE, b->period_type, b->period_unit);
        put_int64_field(k, F_PERIOD, b->period);
    }
    put_int64_field(k, F_DEFAULT_SAMPLE_TYPE, b->default_type);
}

int pprof_write(pprof_builder *b, FILE *fp, const char *name, rt_error *err)
{
    if (b->misuse[0]) {
        int rc = RT_FAIL(err, RT_E_USAGE, "cannot write pprof profile: %s", b->misuse);
        rt_error_where(err, name, RT_NO_OFFSET, "building pprof profile");
        return rc;
    }
    gz_sink *k = rt_calloc(1, sizeof *k);
    k->fp = fp;
    /* windowBits 15 + 16 asks zlib for a gzip wrapper; level 1 because
     * these profiles can be gigabytes of protobuf and Go's runtime/pprof
     * makes the same trade (gzip.BestSpeed). */
    int zrc = deflateInit2(&k->zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK) {
        free(k);
        int rc = RT_FAIL(err, RT_E_NOMEM, "cannot start gzip compression (zlib error %d)", zrc);
        rt_error_where(err, name, RT_NO_OFFSET, "writing pprof profile");
        return rc;
    }

    emit_profile(b, k);
    sink_deflate(k, Z_FINISH);
    deflateEnd(&k->zs);
    free(k->scratch);

    int rc = 0;
    if (k->zerr != Z_OK)
        rc = RT_FAIL(err, RT_E_IO, "gzip compression failed (zlib error %d)", k->zerr);
    else if (k->io_errno)
        rc = RT_FAIL(err, RT_E_IO, "write failed: %s", strerror(k->io_errno));
    if (rc)
        rt_error_where(err, name, k->written, "writing pprof profile");
    free(k);
    return rc;
}

int pprof_write_file(pprof_builder *b, const char *path, rt_error *err)
{
    rt_output out;
    int rc = output_open(&out, path, NULL, 0, err);
    if (rc)
        return rc;
    if ((rc = pprof_write(b, out.f, path, err)) != 0) {
        output_abort(&out);
        return rc;
    }
    return output_commit(&out, err);
}
