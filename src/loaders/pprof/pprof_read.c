/* pprof_read.c — reading pprof profiles (see pprof_read.h).
 *
 * The format, in our words.  A file is usually a gzip stream (RFC 1952,
 * magic 1f 8b) whose content is one protobuf message, Profile; files
 * written by hand or by other tools may hold the message uncompressed.
 * A message is a sequence of fields, each a varint key (field number << 3
 * | wire type) and then a varint (wire type 0), 8 bytes (1), a varint
 * length and that many bytes (2), or 4 bytes (5).  Profile's fields
 * (numbers from formats/profile.proto), in any order, repeated ones
 * interleaved:
 *
 *   1 sample_type  ValueType, repeated   type, unit as string indexes
 *   2 sample       Sample, repeated      location ids (leaf first), values
 *                                        (one per sample_type), labels
 *   3 mapping      (not needed here)
 *   4 location     Location, repeated    id, address, lines: function id and
 *                                        line, inlined callees first
 *   5 function     Function, repeated    id, name, system name, file
 *   6 string_table string, repeated      entry 0 is always ""
 *   9, 10          time and duration (ns)
 *   11, 12         period_type (ValueType), period
 *   13 comment     string indexes (packed or not)
 *   14             default_sample_type (string index)
 *
 * Strings are referred to by index into string_table, functions and
 * locations by their own nonzero ids, which need not be dense.
 *
 * Reading: gunzip (bounded), then walk the top-level fields ourselves,
 * once to check them and count, and again for each kind of field in the
 * order that resolves references (strings, then functions, locations,
 * samples).  Each sub-message is decoded by protobuf-c on its own,
 * converted into dense arrays and freed at once.  Decoding the whole
 * Profile with protobuf-c in one call would hold a malloc'd struct per
 * sample, location, line and label at the same time: 8 GB for a 10M-sample
 * profile, where this way needs about the decompressed size plus the
 * result.  Walking the top level ourselves also lets every error carry
 * the byte offset of the field at fault. */
#include "loaders/pprof/pprof_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/input_file.h"
#include "profile.pb-c.h"
#include "util/alloc.h"
#include "util/hash.h"

enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

/* Profile field numbers we read (formats/profile.proto). */
enum {
    F_SAMPLE_TYPE = 1,
    F_SAMPLE = 2,
    F_LOCATION = 4,
    F_FUNCTION = 5,
    F_STRING_TABLE = 6,
    F_TIME_NANOS = 9,
    F_DURATION_NANOS = 10,
    F_PERIOD_TYPE = 11,
    F_PERIOD = 12,
    F_COMMENT = 13,
    F_DEFAULT_SAMPLE_TYPE = 14,
};

/* Storage behind a pprof_profile (its priv_): every array it points into. */
typedef struct pprof_store {
    char *strbuf;      /* all strings, NUL-terminated, back to back */
    const char **strs; /* string_table[i] -> into strbuf */
    size_t nstrs;
    pprof_value_type *types;
    pprof_frame *frames;
    pprof_loc *locs;
    pprof_sample *samples;
    uint32_t *sample_locs;
    int64_t *values;
    pprof_label *labels;
    const char **comments;
} pprof_store;

/* ---- protobuf wire reading (top level only) ---- */

static bool get_varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*pos >= n)
            return false;
        uint8_t c = p[(*pos)++];
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false; /* more than 10 bytes */
}

/* Whether Profile field `field` may come with wire type wt.  Fields this
 * schema does not know may have any valid wire type (a newer writer may
 * add fields); comment (13) is repeated int64, so packed (2) or not (0). */
static bool known_field(uint64_t field)
{
    return field >= 1 && field <= 15;
}

static int expected_wire(uint64_t field)
{
    switch (field) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 11:
        return WIRE_LEN;
    default:
        return WIRE_VARINT;
    }
}

static bool wire_ok(uint64_t field, int wt)
{
    if (field == F_COMMENT)
        return wt == WIRE_VARINT || wt == WIRE_LEN;
    if (known_field(field))
        return wt == expected_wire(field);
    return wt == WIRE_VARINT || wt == WIRE_I64 || wt == WIRE_LEN || wt == WIRE_I32;
}

static const char *const field_names[] = {
    "?", "sample_type", "sample", "mapping", "location", "function", "string_table",
    "drop_frames", "keep_frames", "time_nanos", "duration_nanos", "period_type",
    "period", "comment", "default_sample_type", "doc_url",
};

/* One top-level field. */
typedef struct field {
    uint64_t num;
    int wt;
    uint64_t v;          /* value of a varint field */
    const uint8_t *data; /* bytes of a length-delimited field */
    size_t len;
    size_t off;          /* offset of the field's key */
} field;

enum { RF_OK, RF_END, RF_PARTIAL, RF_BAD };

/* Read the field at *pos into *f.  With `prefix` the buffer may be only
 * the start of the message, so a field running past its end is
 * RF_PARTIAL rather than bad, and unknown field numbers count as bad —
 * that is the sniffing mode.  On RF_BAD, why (if not NULL) says what is
 * wrong. */
static int read_field(const uint8_t *p, size_t n, size_t *pos, bool prefix, field *f, char *why,
                      size_t whyn)
{
    if (*pos >= n)
        return RF_END;
    f->off = *pos;
    uint64_t key;
    if (!get_varint(p, n, pos, &key)) {
        if (prefix && *pos >= n)
            return RF_PARTIAL;
        if (why)
            snprintf(why, whyn, "field key is not a valid varint");
        return RF_BAD;
    }
    f->num = key >> 3;
    f->wt = (int)(key & 7);
    if (f->num == 0 || f->num > 536870911u || (prefix && !known_field(f->num))) {
        if (why)
            snprintf(why, whyn, "field number %llu is not a Profile field",
                     (unsigned long long)f->num);
        return RF_BAD;
    }
    if (!wire_ok(f->num, f->wt)) {
        if (why && known_field(f->num))
            snprintf(why, whyn, "field %llu (%s) has wire type %d, expected %d",
                     (unsigned long long)f->num, field_names[f->num], f->wt,
                     expected_wire(f->num));
        else if (why)
            snprintf(why, whyn, "field %llu has invalid wire type %d", (unsigned long long)f->num,
                     f->wt);
        return RF_BAD;
    }
    switch (f->wt) {
    case WIRE_VARINT:
        if (!get_varint(p, n, pos, &f->v)) {
            if (prefix && *pos >= n)
                return RF_PARTIAL;
            if (why)
                snprintf(why, whyn, "field %llu value is not a valid varint",
                         (unsigned long long)f->num);
            return RF_BAD;
        }
        return RF_OK;
    case WIRE_I64:
    case WIRE_I32: {
        size_t w = f->wt == WIRE_I64 ? 8 : 4;
        if (n - *pos < w) {
            if (prefix)
                return RF_PARTIAL;
            if (why)
                snprintf(why, whyn, "field %llu needs %zu bytes, %zu left",
                         (unsigned long long)f->num, w, n - *pos);
            return RF_BAD;
        }
        *pos += w;
        return RF_OK;
    }
    default: { /* WIRE_LEN */
        uint64_t len;
        if (!get_varint(p, n, pos, &len)) {
            if (prefix && *pos >= n)
                return RF_PARTIAL;
            if (why)
                snprintf(why, whyn, "field %llu length is not a valid varint",
                         (unsigned long long)f->num);
            return RF_BAD;
        }
        if (len > n - *pos) {
            if (prefix)
                return RF_PARTIAL;
            if (why)
                snprintf(why, whyn, "field %llu (%s) is %llu bytes long but only %zu bytes are left",
                         (unsigned long long)f->num,
                         known_field(f->num) ? field_names[f->num] : "unknown",
                         (unsigned long long)len, n - *pos);
            return RF_BAD;
        }
        f->data = p + *pos;
        f->len = (size_t)len;
        *pos += (size_t)len;
        return RF_OK;
    }
    }
}

typedef struct walk_result {
    size_t nfields;  /* fields read whole */
    bool partial;    /* prefix mode: the last field runs past the end */
    size_t bad_off;  /* where the bad field starts */
    char why[160];   /* what is wrong with it; "" when nothing is */
} walk_result;

/* Walk all top-level fields of p[0..n); true when none is bad. */
static bool walk_profile(const uint8_t *p, size_t n, bool prefix, walk_result *r)
{
    size_t pos = 0;
    field f;
    r->nfields = 0;
    r->partial = false;
    r->why[0] = '\0';
    for (;;) {
        r->bad_off = pos;
        switch (read_field(p, n, &pos, prefix, &f, r->why, sizeof r->why)) {
        case RF_OK:
            r->nfields++;
            break;
        case RF_END:
            return true;
        case RF_PARTIAL:
            r->partial = true;
            return true;
        default:
            return false;
        }
    }
}

/* ---- gzip ---- */

static bool is_gzip(const uint8_t *buf, size_t n)
{
    return n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
}

/* Feed zlib at most this much input per call: avail_in is 32-bit. */
#define ZCHUNK ((size_t)1 << 30)

/* Gunzip in[0..n) into a new buffer *out (caller frees) of *outn bytes,
 * refusing to produce more than limit bytes.  Concatenated gzip members
 * are decoded one after another, as gunzip(1) does. */
static int gunzip(const uint8_t *in, size_t n, uint64_t limit, uint8_t **out, size_t *outn,
                  rt_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) /* 16: gzip wrapper only */
        return RT_FAIL(err, RT_E_NOMEM, "cannot start gzip decompression");

    /* First guess: profiles compress about 4x or better. */
    size_t cap = n < (limit + 1) / 4 ? n * 4 : (size_t)limit + 1;
    if (cap < ((size_t)1 << 16))
        cap = (size_t)1 << 16;
    if (cap > limit + 1)
        cap = (size_t)limit + 1;
    uint8_t *buf = rt_malloc(cap);
    size_t have = 0, used = 0; /* bytes produced / input consumed */
    int rc = 0;
    for (;;) {
        if (have == cap) {
            if (have > limit) {
                rc = RT_FAIL(err, RT_E_UNSUPPORTED,
                             "decompresses to more than %llu bytes, the reader's limit (it "
                             "guards against zip bombs)",
                             (unsigned long long)limit);
                break;
            }
            cap = cap > (limit + 1) / 2 ? (size_t)limit + 1 : cap * 2;
            buf = rt_realloc(buf, cap);
        }
        size_t in_chunk = n - used < ZCHUNK ? n - used : ZCHUNK;
        size_t out_room = cap - have < ZCHUNK ? cap - have : ZCHUNK;
        zs.next_in = (Bytef *)(in + used);
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = buf + have;
        zs.avail_out = (uInt)out_room;
        int zrc = inflate(&zs, Z_NO_FLUSH);
        used += in_chunk - zs.avail_in;
        have += out_room - zs.avail_out;
        if (zrc == Z_STREAM_END) {
            if (used == n)
                break;
            if (!is_gzip(in + used, n - used)) {
                rc = RT_FAIL(err, RT_E_CORRUPT,
                             "%zu bytes of something other than gzip follow the gzip stream",
                             n - used);
                break;
            }
            inflateReset(&zs); /* another gzip member follows */
            continue;
        }
        if (zrc == Z_DATA_ERROR) {
            rc = RT_FAIL(err, RT_E_CORRUPT, "bad gzip data: %s",
                         zs.msg ? zs.msg : "inflate failed");
            break;
        }
        if (zrc == Z_MEM_ERROR) {
            rc = RT_FAIL(err, RT_E_NOMEM, "out of memory while decompressing");
            break;
        }
        if (used == n && zs.avail_out != 0) {
            /* zlib wants more input and there is none */
            rc = RT_FAIL(err, RT_E_TRUNCATED,
                         "the gzip stream ends early, after %zu of its compressed bytes and "
                         "%zu decompressed bytes (file cut short?)",
                         n, have);
            break;
        }
        if ((zrc != Z_OK && zrc != Z_BUF_ERROR) ||
            (zs.avail_in == in_chunk && zs.avail_out == out_room)) {
            /* the second test: no progress with input and room left —
             * cannot happen with a sane zlib, but must not loop forever */
            rc = RT_FAIL(err, RT_E_CORRUPT, "gzip decompression failed (zlib error %d)", zrc);
            break;
        }
    }
    inflateEnd(&zs);
    if (rc) {
        rt_error_where(err, NULL, used, "decompressing gzip");
        free(buf);
        return rc;
    }
    *out = buf;
    *outn = have;
    return 0;
}

/* ---- sniffing ---- */

int pprof_sniff(const uint8_t *buf, size_t n)
{
    uint8_t head[4096];
    const uint8_t *p = buf;
    size_t pn = n;
    bool ended = false; /* we saw the end of the message, not a prefix */
    bool gz = is_gzip(buf, n);
    if (gz) {
        /* Decompress only the start: enough to see the opening fields. */
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (inflateInit2(&zs, 15 + 16) != Z_OK)
            return 0;
        zs.next_in = (Bytef *)buf;
        zs.avail_in = (uInt)(n < ZCHUNK ? n : ZCHUNK);
        zs.next_out = head;
        zs.avail_out = sizeof head;
        int zrc = inflate(&zs, Z_SYNC_FLUSH);
        pn = sizeof head - zs.avail_out;
        inflateEnd(&zs);
        if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
            return 0;
        ended = zrc == Z_STREAM_END;
        p = head;
    }
    if (pn == 0)
        return 0;
    walk_result r;
    if (!walk_profile(p, pn, true, &r))
        return 0;
    /* One well-formed field could be chance: ask for two, unless a single
     * field is all there is (plain bytes we were given whole as far as we
     * can tell, or a gzip stream we saw end). */
    if (r.nfields >= 2)
        return 1;
    return r.nfields == 1 && !r.partial && (!gz || ended);
}

/* ---- id maps ---- */

/* Maps the file's nonzero ids (function or location) to dense indexes.
 * Writers almost always number them 1..n in order, so that case is a
 * subtraction; anything else goes through an open-addressing table. */
typedef struct id_map {
    bool dense;      /* ids are exactly 1..n in order */
    size_t n;
    uint64_t *keys;  /* cap slots; 0 = empty */
    uint32_t *vals;
    size_t cap;
} id_map;

static size_t id_slot(uint64_t id, size_t mask)
{
    return (size_t)rt_hash64(id) & mask;
}

/* Returns the index of a zero or duplicate id, or SIZE_MAX when all are
 * fine. */
static size_t id_map_build(id_map *m, const uint64_t *ids, size_t n)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->dense = true;
    for (size_t i = 0; i < n && m->dense; i++)
        m->dense = ids[i] == (uint64_t)i + 1;
    if (m->dense)
        return SIZE_MAX;
    m->cap = 16;
    while (m->cap < 2 * n)
        m->cap *= 2;
    m->keys = rt_calloc(m->cap, sizeof *m->keys);
    m->vals = rt_malloc(m->cap * sizeof *m->vals);
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == 0)
            return i;
        size_t j = id_slot(ids[i], m->cap - 1);
        while (m->keys[j] && m->keys[j] != ids[i])
            j = (j + 1) & (m->cap - 1);
        if (m->keys[j])
            return i;
        m->keys[j] = ids[i];
        m->vals[j] = (uint32_t)i;
    }
    return SIZE_MAX;
}

/* Index of id, or -1 when no entry has it. */
static int64_t id_map_get(const id_map *m, uint64_t id)
{
    if (m->dense)
        return id >= 1 && id <= m->n ? (int64_t)(id - 1) : -1;
    if (id == 0)
        return -1;
    for (size_t j = id_slot(id, m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1))
        if (m->keys[j] == id)
            return m->vals[j];
    return -1;
}

static void id_map_free(id_map *m)
{
    free(m->keys);
    free(m->vals);
}

/* ---- conversion ---- */

/* Functions are resolved to (name, file) and then only used through
 * locations' frames, so the result needs no array of them. */
typedef struct fn_info {
    const char *name;
    const char *file;
} fn_info;

/* One read in progress.  The data has passed walk_profile, so the passes
 * below read its fields without checking the wire format again. */
typedef struct reader {
    const uint8_t *data; /* the decompressed Profile message */
    size_t n;
    bool gz;             /* it came gzip'd (errors then say "corrupt") */
    rt_error *err;
    ProtobufCAllocator al;
    pprof_profile *p;
    pprof_store *st;
    size_t counts[16];   /* how many times each known field occurs */
    fn_info *fns;        /* by function index */
    id_map fnmap;        /* function id -> index */
    id_map locmap;       /* location id -> index */
} reader;

/* Raise an error about the field at (decompressed) offset off. */
#define FAIL_AT(r, off, code, ...)                                                \
    (RT_FAIL((r)->err, (code), __VA_ARGS__), rt_error_where((r)->err, NULL, (off), NULL), \
     -(int)(code))

static bool next_field(const reader *r, size_t *pos, field *f)
{
    return read_field(r->data, r->n, pos, false, f, NULL, 0) == RF_OK;
}

static int bad_message(reader *r, const field *f, size_t which)
{
    return FAIL_AT(r, f->off, r->gz ? RT_E_CORRUPT : RT_E_FORMAT,
                   "%s %zu (%zu bytes) is not a valid profile.proto message", field_names[f->num],
                   which, f->len);
}

/* String `idx` of the table into *out; what/which/off say whose index it
 * is, for the error. */
static int get_str(reader *r, int64_t idx, const char **out, const char *what, size_t which,
                   uint64_t off)
{
    if (idx >= 0 && (uint64_t)idx < r->st->nstrs) {
        *out = r->st->strs[idx];
        return 0;
    }
    if (idx == 0) { /* a profile without a string table: index 0 is "" by definition */
        *out = "";
        return 0;
    }
    return FAIL_AT(r, off, RT_E_CORRUPT,
                   "string index %lld in %s %zu is out of range (the string table has %zu entries)",
                   (long long)idx, what, which, r->st->nstrs);
}

/* Pass 1: the string table, the scalar fields, and how many of each
 * repeated field there are. */
static int pass_strings(reader *r)
{
    pprof_store *st = r->st;
    pprof_profile *p = r->p;
    size_t used = 0, cap = 0, offcap = 0, ncom = 0, comcap = 0;
    uint64_t *offs = NULL, str0_off = RT_NO_OFFSET, default_off = RT_NO_OFFSET;
    int64_t *com = NULL, default_idx = 0;
    size_t pos = 0;
    field f;
    int rc = 0;
    while (!rc && next_field(r, &pos, &f)) {
        if (known_field(f.num))
            r->counts[f.num]++;
        switch (f.num) {
        case F_STRING_TABLE:
            RT_GROW(st->strbuf, cap, used + f.len + 1);
            memcpy(st->strbuf + used, f.data, f.len);
            st->strbuf[used + f.len] = '\0';
            RT_GROW(offs, offcap, st->nstrs + 1);
            offs[st->nstrs++] = used;
            used += f.len + 1;
            if (st->nstrs == 1)
                str0_off = f.off;
            break;
        case F_TIME_NANOS:
            p->time_nanos = (int64_t)f.v;
            break;
        case F_DURATION_NANOS:
            p->duration_nanos = (int64_t)f.v;
            break;
        case F_PERIOD:
            p->period = (int64_t)f.v;
            break;
        case F_DEFAULT_SAMPLE_TYPE:
            default_idx = (int64_t)f.v;
            default_off = f.off;
            break;
        case F_COMMENT:
            if (f.wt == WIRE_VARINT) {
                RT_GROW(com, comcap, ncom + 1);
                com[ncom++] = (int64_t)f.v;
                break;
            }
            for (size_t q = 0; q < f.len;) { /* packed */
                uint64_t v;
                if (!get_varint(f.data, f.len, &q, &v)) {
                    rc = FAIL_AT(r, f.off, RT_E_CORRUPT, "packed comment list is malformed");
                    break;
                }
                RT_GROW(com, comcap, ncom + 1);
                com[ncom++] = (int64_t)v;
            }
            break;
        default:
            break;
        }
    }
    st->strs = rt_malloc((st->nstrs ? st->nstrs : 1) * sizeof *st->strs);
    for (size_t i = 0; i < st->nstrs; i++)
        st->strs[i] = st->strbuf + offs[i];
    free(offs);
    if (!rc && st->nstrs && st->strs[0][0])
        rc = FAIL_AT(r, str0_off, RT_E_CORRUPT,
                     "string_table[0] is \"%.40s\", but a profile's first string must be empty",
                     st->strs[0]);
    p->period_type.type = p->period_type.unit = "";
    if (!rc)
        rc = get_str(r, default_idx, &p->default_sample_type, "default_sample_type", 0, default_off);
    st->comments = rt_calloc(ncom ? ncom : 1, sizeof *st->comments);
    for (size_t i = 0; i < ncom && !rc; i++)
        rc = get_str(r, com[i], &st->comments[i], "comment", i, RT_NO_OFFSET);
    p->comments = st->comments;
    p->ncomments = rc ? 0 : ncom;
    free(com);
    return rc;
}

static int value_type(reader *r, const field *f, size_t which, pprof_value_type *out)
{
    Perftools__Profiles__ValueType *vt = perftools__profiles__value_type__unpack(&r->al, f->len, f->data);
    if (!vt)
        return bad_message(r, f, which);
    const char *what = field_names[f->num];
    int rc = get_str(r, vt->type, &out->type, what, which, f->off);
    if (!rc)
        rc = get_str(r, vt->unit, &out->unit, what, which, f->off);
    perftools__profiles__value_type__free_unpacked(vt, &r->al);
    return rc;
}

/* Pass 2: sample types, period type, functions. */
static int pass_functions(reader *r)
{
    pprof_store *st = r->st;
    size_t nt = r->counts[F_SAMPLE_TYPE], nf = r->counts[F_FUNCTION], it = 0, ifn = 0;
    if (nf > UINT32_MAX - 1)
        return FAIL_AT(r, RT_NO_OFFSET, RT_E_UNSUPPORTED, "more than 4294967294 functions");
    st->types = rt_calloc(nt ? nt : 1, sizeof *st->types);
    r->fns = rt_calloc(nf ? nf : 1, sizeof *r->fns);
    uint64_t *ids = rt_malloc((nf ? nf : 1) * sizeof *ids);
    size_t pos = 0;
    field f;
    int rc = 0;
    while (!rc && next_field(r, &pos, &f)) {
        if (f.num == F_SAMPLE_TYPE) {
            rc = value_type(r, &f, it, &st->types[it]);
            it++;
        } else if (f.num == F_PERIOD_TYPE) {
            rc = value_type(r, &f, 0, &r->p->period_type);
        } else if (f.num == F_FUNCTION) {
            Perftools__Profiles__Function *fn =
                perftools__profiles__function__unpack(&r->al, f.len, f.data);
            if (!fn) {
                rc = bad_message(r, &f, ifn);
                break;
            }
            ids[ifn] = fn->id;
            rc = get_str(r, fn->name, &r->fns[ifn].name, "function", ifn, f.off);
            if (!rc && !r->fns[ifn].name[0]) /* fall back to the system name */
                rc = get_str(r, fn->system_name, &r->fns[ifn].name, "function", ifn, f.off);
            if (!rc)
                rc = get_str(r, fn->filename, &r->fns[ifn].file, "function", ifn, f.off);
            perftools__profiles__function__free_unpacked(fn, &r->al);
            ifn++;
        }
    }
    r->p->sample_types = st->types;
    r->p->nsample_types = nt;
    if (!rc) {
        size_t bad = id_map_build(&r->fnmap, ids, nf);
        if (bad != SIZE_MAX)
            rc = FAIL_AT(r, RT_NO_OFFSET, RT_E_CORRUPT,
                         "function %zu has id %llu, which is zero or repeated", bad,
                         (unsigned long long)ids[bad]);
    }
    free(ids);
    return rc;
}

/* Pass 3: locations, each expanded into its frames. */
static int pass_locations(reader *r)
{
    pprof_store *st = r->st;
    size_t nl = r->counts[F_LOCATION], il = 0, nframes = 0, fcap = 0;
    if (nl > UINT32_MAX - 1)
        return FAIL_AT(r, RT_NO_OFFSET, RT_E_UNSUPPORTED, "more than 4294967294 locations");
    st->locs = rt_calloc(nl ? nl : 1, sizeof *st->locs);
    RT_GROW(st->frames, fcap, nl ? nl : 1); /* at least one frame each */
    uint64_t *ids = rt_malloc((nl ? nl : 1) * sizeof *ids);
    size_t pos = 0;
    field f;
    int rc = 0;
    while (!rc && next_field(r, &pos, &f)) {
        if (f.num != F_LOCATION)
            continue;
        Perftools__Profiles__Location *l = perftools__profiles__location__unpack(&r->al, f.len, f.data);
        if (!l) {
            rc = bad_message(r, &f, il);
            break;
        }
        ids[il] = l->id;
        st->locs[il].address = l->address;
        size_t nline = l->n_line ? l->n_line : 1; /* unsymbolized: one anonymous frame */
        if (nline > UINT32_MAX) {
            rc = FAIL_AT(r, f.off, RT_E_UNSUPPORTED, "location %zu has too many lines", il);
            perftools__profiles__location__free_unpacked(l, &r->al);
            break;
        }
        RT_GROW(st->frames, fcap, nframes + nline);
        for (size_t j = 0; j < nline; j++) {
            pprof_frame *fr = &st->frames[nframes + j];
            fr->function = fr->file = "";
            fr->line = 0;
            if (!l->n_line)
                break;
            uint64_t fid = l->line[j]->function_id;
            fr->line = l->line[j]->line;
            if (fid == 0)
                continue; /* a line without a function: keep the number */
            int64_t k = id_map_get(&r->fnmap, fid);
            if (k < 0) {
                rc = FAIL_AT(r, f.off, RT_E_CORRUPT,
                             "location %zu (id %llu) line %zu names function id %llu, which the "
                             "profile does not define",
                             il, (unsigned long long)l->id, j, (unsigned long long)fid);
                break;
            }
            fr->function = r->fns[k].name;
            fr->file = r->fns[k].file;
        }
        st->locs[il].nframe = (uint32_t)nline;
        nframes += nline;
        perftools__profiles__location__free_unpacked(l, &r->al);
        il++;
    }
    /* Frames were appended in location order: hand out the pointers now
     * that the array has stopped moving. */
    for (size_t i = 0, acc = 0; i < il && !rc; i++) {
        st->locs[i].frames = st->frames + acc;
        acc += st->locs[i].nframe;
    }
    if (!rc) {
        size_t bad = id_map_build(&r->locmap, ids, nl);
        if (bad != SIZE_MAX)
            rc = FAIL_AT(r, RT_NO_OFFSET, RT_E_CORRUPT,
                         "location %zu has id %llu, which is zero or repeated", bad,
                         (unsigned long long)ids[bad]);
    }
    r->p->locations = st->locs;
    r->p->nlocations = rc ? 0 : nl;
    free(ids);
    return rc;
}

static int convert_sample(reader *r, const Perftools__Profiles__Sample *s, size_t i, uint64_t off,
                          size_t *nlocs, size_t *lcap, size_t *nlabels, size_t *bcap)
{
    pprof_store *st = r->st;
    size_t nt = r->counts[F_SAMPLE_TYPE];
    if (s->n_value != nt)
        return FAIL_AT(r, off, RT_E_CORRUPT,
                       "sample %zu has %zu values, but the profile declares %zu sample types", i,
                       s->n_value, nt);
    if (s->n_location_id > UINT32_MAX || s->n_label > UINT32_MAX)
        return FAIL_AT(r, off, RT_E_UNSUPPORTED, "sample %zu has too many locations or labels", i);
    if (nt) /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(&st->values[i * nt], s->value, nt * sizeof *s->value);
    st->samples[i].values = &st->values[i * nt];
    st->samples[i].nloc = (uint32_t)s->n_location_id;
    st->samples[i].nlabel = (uint32_t)s->n_label;

    RT_GROW(st->sample_locs, *lcap, *nlocs + s->n_location_id);
    for (size_t j = 0; j < s->n_location_id; j++) {
        int64_t k = id_map_get(&r->locmap, s->location_id[j]);
        if (k < 0)
            return FAIL_AT(r, off, RT_E_CORRUPT,
                           "sample %zu refers to location id %llu, which the profile does not "
                           "define",
                           i, (unsigned long long)s->location_id[j]);
        st->sample_locs[(*nlocs)++] = (uint32_t)k;
    }

    RT_GROW(st->labels, *bcap, *nlabels + s->n_label);
    for (size_t j = 0; j < s->n_label; j++) {
        const Perftools__Profiles__Label *l = s->label[j];
        pprof_label *lab = &st->labels[(*nlabels)++];
        memset(lab, 0, sizeof *lab);
        lab->num_unit = "";
        int rc = get_str(r, l->key, &lab->key, "label of sample", i, off);
        if (!rc && l->str) /* as pprof: a nonzero str makes a string label */
            rc = get_str(r, l->str, &lab->str, "label of sample", i, off);
        else if (!rc) {
            lab->num = l->num;
            rc = get_str(r, l->num_unit, &lab->num_unit, "label of sample", i, off);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* Pass 4: samples. */
static int pass_samples(reader *r)
{
    pprof_store *st = r->st;
    size_t ns = r->counts[F_SAMPLE], nt = r->counts[F_SAMPLE_TYPE], is = 0;
    size_t nlocs = 0, lcap = 0, nlabels = 0, bcap = 0;
    if (nt && ns > SIZE_MAX / sizeof(int64_t) / nt)
        return FAIL_AT(r, RT_NO_OFFSET, RT_E_UNSUPPORTED, "too many sample values");
    st->samples = rt_calloc(ns ? ns : 1, sizeof *st->samples);
    /* Allocated even when empty, so that no pointer handed out is NULL. */
    RT_GROW(st->sample_locs, lcap, 1);
    RT_GROW(st->labels, bcap, 1);
    size_t nvalues = ns * nt;
    st->values = rt_malloc((nvalues ? nvalues : 1) * sizeof *st->values);
    size_t pos = 0;
    field f;
    int rc = 0;
    while (!rc && next_field(r, &pos, &f)) {
        if (f.num != F_SAMPLE)
            continue;
        Perftools__Profiles__Sample *s = perftools__profiles__sample__unpack(&r->al, f.len, f.data);
        if (!s) {
            rc = bad_message(r, &f, is);
            break;
        }
        rc = convert_sample(r, s, is, f.off, &nlocs, &lcap, &nlabels, &bcap);
        perftools__profiles__sample__free_unpacked(s, &r->al);
        is++;
    }
    /* As for frames: pointers only once the arrays stop growing. */
    for (size_t i = 0, al = 0, ab = 0; i < is && !rc; i++) {
        st->samples[i].locs = st->sample_locs + al;
        st->samples[i].labels = st->labels + ab;
        al += st->samples[i].nloc;
        ab += st->samples[i].nlabel;
    }
    r->p->samples = st->samples;
    r->p->nsamples = rc ? 0 : ns;
    return rc;
}

static void *pb_alloc(void *data, size_t n)
{
    (void)data;
    return rt_malloc(n); /* never NULL, so a failed unpack means bad input */
}

static void pb_free(void *data, void *ptr)
{
    (void)data;
    free(ptr);
}

void pprof_profile_free(pprof_profile *p)
{
    if (!p)
        return;
    pprof_store *st = p->priv_;
    if (st) {
        free(st->strbuf);
        free(st->strs);
        free(st->types);
        free(st->frames);
        free(st->locs);
        free(st->samples);
        free(st->sample_locs);
        free(st->values);
        free(st->labels);
        free(st->comments);
        free(st);
    }
    free(p);
}

int pprof_read_mem(const uint8_t *buf, size_t n, const char *name, uint64_t max_decompressed,
                   pprof_profile **out, rt_error *err)
{
    if (!max_decompressed)
        max_decompressed = PPROF_MAX_DECOMPRESSED;
    if (max_decompressed > SIZE_MAX - 1)
        max_decompressed = SIZE_MAX - 1;
    if (!name)
        name = "<memory>";
    if (n == 0) {
        int rc = RT_FAIL(err, RT_E_FORMAT, "the file is empty, not a pprof profile");
        rt_error_where(err, name, RT_NO_OFFSET, "reading pprof profile");
        return rc;
    }

    bool gz = is_gzip(buf, n);
    const char *phase = gz ? "decoding gunzipped profile (offsets are into the decompressed data)"
                           : "decoding profile";
    uint8_t *plain = NULL;
    const uint8_t *data = buf;
    size_t dn = n;
    int rc;
    if (gz) {
        if ((rc = gunzip(buf, n, max_decompressed, &plain, &dn, err))) {
            rt_error_where(err, name, RT_NO_OFFSET, NULL);
            return rc;
        }
        data = plain;
    }

    walk_result wr;
    if (!walk_profile(data, dn, false, &wr)) {
        if (gz)
            rc = RT_FAIL(err, RT_E_CORRUPT, "the gzip'd data is not a profile.proto message: %s",
                         wr.why);
        else
            rc = RT_FAIL(err, RT_E_FORMAT,
                         "not a pprof profile: not gzip (no 1f 8b magic) and not a plain "
                         "profile.proto message: %s",
                         wr.why);
        rt_error_where(err, name, wr.bad_off, phase);
        free(plain);
        return rc;
    }

    reader r;
    memset(&r, 0, sizeof r);
    r.data = data;
    r.n = dn;
    r.gz = gz;
    r.err = err;
    r.al.alloc = pb_alloc;
    r.al.free = pb_free;
    r.p = rt_calloc(1, sizeof *r.p);
    r.st = rt_calloc(1, sizeof *r.st);
    r.p->priv_ = r.st;
    rc = pass_strings(&r);
    if (!rc)
        rc = pass_functions(&r);
    if (!rc)
        rc = pass_locations(&r);
    if (!rc)
        rc = pass_samples(&r);
    free(r.fns);
    id_map_free(&r.fnmap);
    id_map_free(&r.locmap);
    free(plain);
    if (rc) {
        rt_error_where(err, name, RT_NO_OFFSET, phase);
        pprof_profile_free(r.p);
        return rc;
    }
    *out = r.p;
    return 0;
}

int pprof_read_file(const char *path, pprof_profile **out, rt_error *err)
{
    struct stat sb;
    int fd = input_file_open(path, "pprof profile", &sb, err);
    if (fd < 0)
        return fd;
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = rt_malloc(n ? n : 1);
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int rc = r < 0 ? RT_FAIL(err, RT_E_IO, "read failed: %s", strerror(errno))
                           : RT_FAIL(err, RT_E_TRUNCATED, "file shrank while being read");
            rt_error_where(err, path, got, "reading pprof profile");
            free(buf);
            close(fd);
            return rc;
        }
        got += (size_t)r;
    }
    close(fd);
    int rc = pprof_read_mem(buf, n, path, 0, out, err);
    free(buf);
    return rc;
}

bool pprof_sample_frames(const pprof_profile *p, const pprof_sample *s, pprof_frame_fn fn, void *ctx)
{
    for (uint32_t i = 0; i < s->nloc; i++) {
        const pprof_loc *l = &p->locations[s->locs[i]];
        for (uint32_t j = 0; j < l->nframe; j++)
            if (!fn(&l->frames[j], ctx))
                return false;
    }
    return true;
}
