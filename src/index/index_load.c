/* index_load.c — reading a saved index (index_format.h) into a model.
 *
 * The file is mapped privately and the model's big arrays point into the
 * mapping: nothing is copied but the strings (re-interned, so that the
 * pool can grow as usual) and the type table (loaders' code may extend
 * it).  Nothing is trusted before it is checked: the header and table
 * against the file's size, each section against its checksum, and every id a
 * section holds against the count of what it names, since the analyses
 * index arrays with them unchecked.  The whole check reads every byte; an
 * index that passed it and has not changed since (index_trust.c) skips
 * the parts that read whole sections. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "analysis/shared.h"
#include "index/index.h"
#include "index/index_format.h"
#include "index/index_trust.h"
#include "io/input_file.h"
#include "util/alloc.h"
#include "util/threads.h"

typedef struct loader {
    const char *path;
    const uint8_t *base;
    uint64_t size;
    const rtx_section *sec[RTX_SECTION_END];
    rt_error *err;
    int threads; /* the checksums may use a second thread when > 1 */
    int trusted; /* checked whole before and unchanged since: the checks
                    that read whole sections are skipped */
} loader;

int index_sniff(const uint8_t *head, size_t n)
{
    return n >= 8 && memcmp(head, RTX_MAGIC, 8) == 0;
}

/* One refusal: the index's path, where, and what to do. */
#define BAD(L, off, ...) (rt_error_where((L)->err, (L)->path, (off), "reading the index"), \
                          RT_FAIL((L)->err, RT_E_CORRUPT, __VA_ARGS__))
#define REMAKE "; make it again with 'retain index'"

/* Give back the pages of [p, p+n) that were read to check them: they
 * are mapped again from the page cache when a command reads them, and
 * only those then count in its RSS, not the whole index. */
static void let_go(const void *p, uint64_t n)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1), hi = ((uintptr_t)p + n) & ~(page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* The sections' checksums, on up to L->threads threads: each takes the
 * next section not yet taken, largest first; the first damaged one in
 * table order is reported, whatever the threads. */
typedef struct sum_job {
    loader *L;
    const rtx_section *t;
    uint32_t *by_size; /* section indexes, largest first */
    uint32_t n;
    _Atomic uint32_t next;
    uint8_t *ok;       /* per section: its checksum matched */
    _Atomic uint64_t done;
    uint64_t total;
    const rt_progress *prog;
} sum_job;

static void sum_worker(void *arg, int worker)
{
    sum_job *j = arg;
    for (uint32_t k; (k = atomic_fetch_add(&j->next, 1)) < j->n;) {
        const rtx_section *s = &j->t[j->by_size[k]];
        j->ok[j->by_size[k]] = XXH3_64bits(j->L->base + s->offset, s->size) == s->sum;
        let_go(j->L->base + s->offset, s->size);
        uint64_t done = atomic_fetch_add(&j->done, s->size) + s->size;
        if (worker == 0) /* progress is the calling thread's */
            progress_report(j->prog, "checking the index", done, j->total);
    }
}

static int check_sums(loader *L, const rtx_section *t, uint32_t n, const rt_progress *prog)
{
    sum_job j = { .L = L, .t = t, .n = n, .prog = prog };
    j.by_size = rt_malloc((n + 1) * sizeof *j.by_size);
    j.ok = rt_calloc(n + 1, 1);
    for (uint32_t i = 0; i < n; i++) { /* a few dozen: by insertion */
        uint32_t k = i;
        for (; k > 0 && t[j.by_size[k - 1]].size < t[i].size; k--)
            j.by_size[k] = j.by_size[k - 1];
        j.by_size[k] = i;
        j.total += t[i].size;
    }
    atomic_init(&j.next, 0);
    atomic_init(&j.done, 0);
    rt_parallel(L->threads > 1 ? 2 : 1, sum_worker, &j);
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++)
        if (!j.ok[i])
            rc = BAD(L, t[i].offset, "section %u is damaged (checksum mismatch)" REMAKE, t[i].id);
    free(j.by_size);
    free(j.ok);
    return rc;
}

static int check_header(loader *L, const rt_progress *prog)
{
    if (L->size < sizeof(rtx_header))
        return BAD(L, 0, "%" PRIu64 " bytes: too short for an index header" REMAKE, L->size);
    const rtx_header *h = (const void *)L->base;
    if (h->version != RTX_VERSION)
        return BAD(L, offsetof(rtx_header, version), "index format %u, this retain reads format %u" REMAKE,
                   h->version, RTX_VERSION);
    if (h->byte_order != RTX_BYTE_ORDER)
        return BAD(L, offsetof(rtx_header, byte_order), "written on a machine of another byte order" REMAKE);
    uint32_t sizes[RTX_NREC];
    rtx_record_sizes(sizes);
    if (memcmp(h->rec_sizes, sizes, sizeof sizes) != 0)
        return BAD(L, offsetof(rtx_header, rec_sizes), "written by a build of retain with other record layouts"
                   REMAKE);
    if (h->file_size != L->size)
        return BAD(L, offsetof(rtx_header, file_size), "%" PRIu64 " bytes where the header says %" PRIu64 ": the "
                   "file was cut short or appended to" REMAKE, L->size, h->file_size);
    if (h->nsection > RTX_SECTION_END || sizeof *h + (uint64_t)h->nsection * sizeof(rtx_section) > L->size)
        return BAD(L, offsetof(rtx_header, nsection), "%u sections: more than an index has" REMAKE, h->nsection);
    const rtx_section *t = (const void *)(L->base + sizeof *h);
    if (rtx_header_sum(h, t) != h->sum)
        return BAD(L, 0, "the header or section table is damaged (checksum mismatch)" REMAKE);
    for (uint32_t i = 0; i < h->nsection; i++) {
        const rtx_section *s = &t[i];
        uint64_t where = sizeof *h + (uint64_t)i * sizeof *s;
        if (s->id == 0 || s->id >= RTX_SECTION_END || L->sec[s->id])
            return BAD(L, where, "section %u: unknown or repeated" REMAKE, s->id);
        if (s->offset % RTX_ALIGN || s->offset > L->size || s->size > L->size - s->offset)
            return BAD(L, where, "section %u lies outside the file" REMAKE, s->id);
        L->sec[s->id] = s;
    }
    return L->trusted ? 0 : check_sums(L, t, h->nsection, prog);
}

/* Section id as an array of count records of elem bytes: 0 and *p set
 * (NULL when count is 0), or an error when its size differs. */
static int array(loader *L, uint32_t id, uint64_t elem, uint64_t count, void *p)
{
    const rtx_section *s = L->sec[id];
    uint64_t have = s ? s->size : 0;
    if (count > UINT64_MAX / elem || have != count * elem)
        return BAD(L, s ? s->offset : RT_NO_OFFSET, "section %u holds %" PRIu64 " bytes, not %" PRIu64 " records "
                   "of %" PRIu64 REMAKE, id, have, count, elem);
    *(const void **)p = count ? L->base + s->offset : NULL;
    return 0;
}

/* Whether any of a[0..n) is >= limit and not also (NO_ALSO: no value
 * is let through): without an early exit, so the compiler vectorises it
 * (tens of millions of edges are checked when an index is first
 * opened); the caller looks for the first only on failure. */
#define NO_ALSO UINT64_MAX
static int any_past(const uint32_t *a, uint64_t n, uint64_t limit, uint64_t also)
{
    if (limit > UINT32_MAX)
        return 0;
    if (limit == 0 && also == NO_ALSO)
        return n > 0;
    uint32_t lim = (uint32_t)limit, bad = 0;
    /* a value equal to lim_also passes: also itself, or one that is
     * below the limit anyway when there is no also */
    uint32_t lim_also = also == NO_ALSO ? 0 : (uint32_t)also;
    uint64_t i = 0;
    for (; i + 16 <= n; i += 16) { /* a fixed count: vectorised at -O2 too */
        uint32_t b = 0;
        for (int k = 0; k < 16; k++)
            b |= (uint32_t)(a[i + k] >= lim) & (uint32_t)(a[i + k] != lim_also);
        bad |= b;
    }
    for (; i < n; i++)
        bad |= (uint32_t)(a[i] >= lim) & (uint32_t)(a[i] != lim_also);
    return bad != 0;
}

static int check_ids(loader *L, uint32_t id, const uint32_t *a, uint64_t n, uint64_t limit, uint64_t also)
{
    if (L->trusted)
        return 0;
    int bad = any_past(a, n, limit, also);
    let_go(a, n * sizeof *a);
    if (!bad)
        return 0;
    uint64_t i = 0;
    while (!(a[i] >= limit && a[i] != also))
        i++;
    return BAD(L, L->sec[id]->offset + i * 4, "section %u: entry %" PRIu64 " is %u, past %" PRIu64 REMAKE, id, i,
               a[i], limit);
}

/* A CSR over n nodes and ne edges whose targets must be below limit. */
static int check_csr(loader *L, uint32_t id, const uint32_t *start, uint64_t n, const uint32_t *adj, uint64_t ne,
                     uint64_t limit)
{
    if (start[0] != 0 || start[n] != ne)
        return BAD(L, L->sec[id]->offset, "section %u: edge lists do not cover the edges" REMAKE, id);
    if (L->trusted)
        return 0;
    uint32_t down = 0;
    uint64_t v = 0;
    for (; v + 16 <= n; v += 16) { /* as in any_past */
        uint32_t d = 0;
        for (int k = 0; k < 16; k++)
            d |= (uint32_t)(start[v + k + 1] < start[v + k]);
        down |= d;
    }
    for (; v < n; v++)
        down |= (uint32_t)(start[v + 1] < start[v]);
    let_go(start, (n + 1) * sizeof *start);
    if (down)
        return BAD(L, L->sec[id]->offset, "section %u: edge lists out of order" REMAKE, id);
    return check_ids(L, id + 1, adj, ne, limit, NO_ALSO);
}

static int load_strings(loader *L, rt_model *m, const rtx_meta *x)
{
    const uint32_t *lens = NULL;
    const char *bytes = NULL;
    int rc;
    if (x->nstring == 0 || x->nstring > UINT32_MAX)
        return BAD(L, RT_NO_OFFSET, "no string table" REMAKE);
    if ((rc = array(L, RTX_STR_LENS, 4, x->nstring, &lens)) != 0)
        return rc;
    uint64_t nbytes = L->sec[RTX_STR_BYTES] ? L->sec[RTX_STR_BYTES]->size : 0;
    if ((rc = array(L, RTX_STR_BYTES, 1, nbytes, &bytes)) != 0)
        return rc;
    uint64_t at = 0;
    for (uint32_t i = 0; i < x->nstring; i++) {
        if (lens[i] >= nbytes - at || bytes[at + lens[i]] != 0)
            return BAD(L, L->sec[RTX_STR_BYTES]->offset + at, "string %u runs past the string table" REMAKE, i);
        if (strpool_intern(m->strings, bytes + at, lens[i]) != i)
            return BAD(L, L->sec[RTX_STR_BYTES]->offset + at, "string %u is there twice" REMAKE, i);
        at += lens[i] + 1;
    }
    return 0;
}

static char *dup_str(const rt_model *m, uint64_t id)
{
    return id ? rt_strdup(strpool_get(m->strings, (uint32_t)id)) : NULL;
}

static int load_types(loader *L, rt_model *m, const rtx_meta *x)
{
    const rt_type *t = NULL;
    const rt_field *f = NULL;
    int rc;
    if ((rc = array(L, RTX_TYPES, sizeof *t, x->ntype, &t)) != 0 ||
        (rc = array(L, RTX_FIELDS, sizeof *f, x->nfield, &f)) != 0)
        return rc;
    if (x->ntype == 0 || x->ntype >= UINT32_MAX || x->nfield >= UINT32_MAX)
        return BAD(L, RT_NO_OFFSET, "%" PRIu64 " types" REMAKE, x->ntype);
    for (uint64_t i = 0; i < x->ntype; i++)
        if (t[i].name >= x->nstring || t[i].elem >= x->ntype || t[i].key >= x->ntype || t[i].field_start > x->nfield ||
            t[i].nfield > x->nfield - t[i].field_start)
            return BAD(L, L->sec[RTX_TYPES]->offset + i * sizeof *t, "type %" PRIu64 " names what is not there"
                       REMAKE, i);
    for (uint64_t i = 0; i < x->nfield; i++)
        if (f[i].type >= x->ntype || f[i].name >= x->nstring)
            return BAD(L, L->sec[RTX_FIELDS]->offset + i * sizeof *f, "field %" PRIu64 ": no type %u" REMAKE, i,
                       f[i].type);
    /* copied, not borrowed: the type table is the one the model may
     * grow; its name index stays empty, which costs a later interning
     * only a duplicate id */
    model_types_free(m);
    m->types = rt_malloc(x->ntype * sizeof *t);
    memcpy(m->types, t, x->ntype * sizeof *t);
    m->ntype = m->cap_type = (uint32_t)x->ntype;
    m->fields = rt_malloc((x->nfield ? x->nfield : 1) * sizeof *f);
    if (x->nfield)
        memcpy(m->fields, f, x->nfield * sizeof *f);
    m->nfield = m->cap_field = (uint32_t)x->nfield;
    return 0;
}

static int load_sidemaps(loader *L, rt_model *m, const rtx_meta *x)
{
    rt_sidemap *sm[3] = { &m->obj_types, &m->obj_type_offs, &m->obj_sites };
    /* what the values name: types, anything (an offset), sites */
    const uint64_t limit[3] = { x->ntype, UINT64_MAX, x->nsite };
    for (uint32_t i = 0; i < 3; i++) {
        const rtx_sidemap *s = &x->sm[i];
        uint32_t id = RTX_SIDEMAP + 4 * i;
        uint32_t *dense = NULL, *keys = NULL, *vals = NULL, *dir = NULL;
        int rc;
        if ((rc = array(L, id, 4, s->dense ? x->nobj : 0, &dense)) != 0 ||
            (rc = array(L, id + 1, 4, s->n, &keys)) != 0 || (rc = array(L, id + 2, 4, s->n, &vals)) != 0 ||
            (rc = array(L, id + 3, 4, s->ndir, &dir)) != 0)
            return rc;
        if (s->shift > 31 || s->n > x->nobj || (s->none != sm[i]->none))
            return BAD(L, RT_NO_OFFSET, "side table %u is inconsistent" REMAKE, i);
        if (limit[i] != UINT64_MAX &&
            ((rc = check_ids(L, id, dense, s->dense ? x->nobj : 0, limit[i], s->none)) != 0 ||
             (rc = check_ids(L, id + 2, vals, s->n, limit[i], s->none)) != 0))
            return rc;
        if ((rc = check_ids(L, id + 1, keys, s->n, x->nobj, NO_ALSO)) != 0 ||
            (rc = check_ids(L, id + 3, dir, s->ndir, s->n + 1, NO_ALSO)) != 0)
            return rc;
        sm[i]->dense = dense;
        sm[i]->keys = keys;
        sm[i]->vals = vals;
        sm[i]->n = sm[i]->cap = s->n;
        sm[i]->dir = dir;
        sm[i]->ndir = (uint32_t)s->ndir;
        sm[i]->shift = (uint8_t)s->shift;
    }
    return 0;
}

static int check_stacks(loader *L, uint32_t id, const void *recs, uint64_t n, size_t size, size_t start_at,
                        uint64_t nframe)
{
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *r = (const uint8_t *)recs + i * size;
        uint32_t start, count;
        memcpy(&start, r + start_at, 4);
        memcpy(&count, r + start_at + 4, 4);
        if (start > nframe || count > nframe - start)
            return BAD(L, L->sec[id]->offset + i * size, "section %u: record %" PRIu64 "'s frames lie past the "
                       "frame table" REMAKE, id, i);
    }
    return 0;
}

static int load_arrays(loader *L, rt_model *m, const rtx_meta *x)
{
    uint64_t nnode = x->nobj + x->nroot;
    int rc;
    if (x->nobj >= UINT32_MAX || nnode >= UINT32_MAX || x->nedge >= UINT32_MAX || x->nsite >= UINT32_MAX ||
        x->nframe >= UINT32_MAX || x->ngoroutine >= UINT32_MAX || x->npsite >= UINT32_MAX ||
        x->nptrmask >= UINT32_MAX || x->nwarning > 1u << 20 || !x->has_edge_off || !x->has_reverse)
        return BAD(L, RT_NO_OFFSET, "counts out of range" REMAKE);
    m->nobj = (uint32_t)x->nobj;
    m->nroot = (uint32_t)x->nroot;
    m->nedge = x->nedge;
    free(m->frames); /* model_new's empty one */
    m->frames = NULL;
    if ((rc = array(L, RTX_OBJECTS, sizeof *m->objects, x->nobj, &m->objects)) != 0 ||
        (rc = array(L, RTX_ROOTS, sizeof *m->roots, x->nroot, &m->roots)) != 0 ||
        (rc = array(L, RTX_EDGE_START, 4, nnode + 1, &m->edge_start)) != 0 ||
        (rc = array(L, RTX_EDGE_DST, 4, x->nedge, &m->edge_dst)) != 0 ||
        (rc = array(L, RTX_EDGE_OFF, 4, x->nedge, &m->edge_off)) != 0 ||
        (rc = array(L, RTX_REDGE_START, 4, nnode + 1, &m->redge_start)) != 0 ||
        (rc = array(L, RTX_REDGE_SRC, 4, x->nedge, &m->redge_src)) != 0 ||
        (rc = array(L, RTX_SITES, sizeof *m->sites, x->nsite, &m->sites)) != 0 ||
        (rc = array(L, RTX_FRAMES, sizeof *m->frames, x->nframe, &m->frames)) != 0 ||
        (rc = array(L, RTX_GOROUTINES, sizeof *m->goroutines, x->ngoroutine, &m->goroutines)) != 0 ||
        (rc = array(L, RTX_PSITES, sizeof *m->psites, x->npsite, &m->psites)) != 0)
        return rc;
    if (!m->frames) /* never NULL (model.h) */
        m->frames = rt_calloc(1, sizeof *m->frames);
    m->nsite = (uint32_t)x->nsite;
    m->nframe = (uint32_t)x->nframe;
    m->ngoroutine = (uint32_t)x->ngoroutine;
    m->npsite = (uint32_t)x->npsite;
    /* pointers lead to objects; reverse edges come from objects or roots */
    if ((rc = check_csr(L, RTX_EDGE_START, m->edge_start, nnode, m->edge_dst, x->nedge, x->nobj)) != 0 ||
        (rc = check_csr(L, RTX_REDGE_START, m->redge_start, nnode, m->redge_src, x->nedge, nnode)) != 0)
        return rc;
    /* string ids index tables sized by the string count (aggregates) */
    uint64_t ns = x->nstring;
    for (uint64_t i = 0; i < x->nframe; i++)
        if (m->frames[i].function >= ns || m->frames[i].file >= ns)
            return BAD(L, L->sec[RTX_FRAMES]->offset + i * sizeof *m->frames, "frame %" PRIu64 " names no string"
                       REMAKE, i);
    for (uint64_t i = 0; i < x->ngoroutine; i++) {
        const rt_goroutine *g = &m->goroutines[i];
        if (g->wait_reason >= ns || g->top_function >= ns || g->user_function >= ns || g->start_function >= ns ||
            g->created_by.function >= ns || g->created_by.file >= ns)
            return BAD(L, L->sec[RTX_GOROUTINES]->offset + i * sizeof *g, "goroutine %" PRIu64 " names no string"
                       REMAKE, i);
    }
    for (uint64_t i = 0; i < x->nroot; i++)
        if (m->roots[i].name >= ns || m->roots[i].function >= ns || m->roots[i].variable >= ns ||
            m->roots[i].type >= x->ntype || m->roots[i].kind >= RT_ROOT_KIND_COUNT ||
            m->roots[i].group > RT_GROUP_RUNTIME)
            return BAD(L, L->sec[RTX_ROOTS]->offset + i * sizeof *m->roots, "root %" PRIu64 " is inconsistent"
                       REMAKE, i);
    for (uint64_t i = 0; i < x->nsite; i++)
        if (m->sites[i].nframes && m->sites[i].alloc_frame >= m->sites[i].nframes)
            return BAD(L, L->sec[RTX_SITES]->offset + i * sizeof *m->sites, "site %" PRIu64 " is inconsistent"
                       REMAKE, i);
    for (uint64_t i = 0; i < x->npsite; i++)
        if (m->psites[i].nframes && m->psites[i].alloc_frame >= m->psites[i].nframes)
            return BAD(L, L->sec[RTX_PSITES]->offset + i * sizeof *m->psites, "profile site %" PRIu64 " is "
                       "inconsistent" REMAKE, i);
    if ((rc = check_stacks(L, RTX_SITES, m->sites, x->nsite, sizeof *m->sites, offsetof(rt_site, frame_start),
                           x->nframe)) != 0 ||
        (rc = check_stacks(L, RTX_PSITES, m->psites, x->npsite, sizeof *m->psites,
                           offsetof(rt_psite, frame_start), x->nframe)) != 0 ||
        (rc = check_stacks(L, RTX_GOROUTINES, m->goroutines, x->ngoroutine, sizeof *m->goroutines,
                           offsetof(rt_goroutine, frame_start), x->nframe)) != 0)
        return rc;
    if (x->has_reach) {
        if (x->nreach > x->nobj)
            return BAD(L, RT_NO_OFFSET, "more objects reached than there are" REMAKE);
        if ((rc = array(L, RTX_REACH, 8, x->nobj / 64 + 1, &m->reach_bits)) != 0)
            return rc;
        m->nreach = (uint32_t)x->nreach;
        m->reach_bytes = x->reach_bytes;
    }
    if (x->has_page_first) {
        if (x->index_hi <= x->index_lo ||
            (x->index_hi - x->index_lo) >> RT_PAGE_SHIFT > RT_PAGE_INDEX_MAX(x->nobj))
            return BAD(L, RT_NO_OFFSET, "the address index is inconsistent" REMAKE);
        uint64_t npage = ((x->index_hi - x->index_lo) >> RT_PAGE_SHIFT) + 1;
        if ((rc = array(L, RTX_PAGE_FIRST, 4, npage, &m->page_first)) != 0 ||
            (rc = check_ids(L, RTX_PAGE_FIRST, m->page_first, npage, x->nobj + 1, NO_ALSO)) != 0)
            return rc;
        m->index_lo = x->index_lo;
        m->index_hi = x->index_hi;
    }
    return 0;
}

static int load_ptrmasks(loader *L, rt_model *m, const rtx_meta *x)
{
    const rtx_ptrmask *pm = NULL;
    const uint8_t *bits = NULL;
    int rc;
    if ((rc = array(L, RTX_PTRMASKS, sizeof *pm, x->nptrmask, &pm)) != 0)
        return rc;
    uint64_t need = 0;
    for (uint64_t i = 0; i < x->nptrmask; i++) {
        if (pm[i].nwords > 1ULL << 40)
            return BAD(L, L->sec[RTX_PTRMASKS]->offset, "pointer mask %" PRIu64 " is too long" REMAKE, i);
        need += (pm[i].nwords + 7) / 8;
    }
    if ((rc = array(L, RTX_PTRMASK_BITS, 1, need, &bits)) != 0)
        return rc;
    m->ptrmasks = rt_calloc(x->nptrmask ? x->nptrmask : 1, sizeof *m->ptrmasks);
    for (uint64_t i = 0, at = 0; i < x->nptrmask; i++) {
        m->ptrmasks[i] = (rt_ptrmask){ pm[i].start, pm[i].nwords, (uint8_t *)bits + at };
        at += (pm[i].nwords + 7) / 8;
    }
    m->nptrmask = (uint32_t)x->nptrmask;
    return 0;
}

/* The saved dominator tree is a tree: order lists each reached node
 * once, the super-root first, every node after its immediate dominator,
 * and nodes not reached have none.  Walks over it (printing the tree,
 * cutting it) would otherwise loop on a crafted file. */
static int check_tree(loader *L, const uint32_t *idom, const uint32_t *order, uint64_t n, uint64_t nreach,
                      uint64_t super)
{
    if (L->trusted)
        return 0;
    /* one bit per node (it fits in cache where positions would not):
     * set once the node has been met in order */
    uint64_t *seen = rt_calloc((n + 63) / 64, sizeof *seen);
#define SEEN(v) (seen[(v) / 64] >> ((v) % 64) & 1)
    int ok = order[0] == super && idom[super] == super;
    if (ok)
        seen[super / 64] |= 1ULL << (super % 64);
    for (uint64_t i = 1; i < nreach && ok; i++) {
        if (i + 16 < nreach) /* order is a DFS's: idom[] is read all over */
            __builtin_prefetch(&idom[order[i + 16]]);
        uint32_t v = order[i], d = idom[v];
        ok = !SEEN(v) && d != RT_NONE && SEEN(d);
        seen[v / 64] |= 1ULL << (v % 64);
    }
    for (uint64_t v = 0; v < n && ok; v++)
        ok = SEEN(v) == (idom[v] != RT_NONE);
#undef SEEN
    free(seen);
    let_go(idom, n * sizeof *idom);
    let_go(order, nreach * sizeof *order);
    return ok ? 0 : BAD(L, L->sec[RTX_RET_IDOM]->offset, "the dominator tree is no tree" REMAKE);
}

/* Each node's children are the nodes it immediately dominates, each
 * listed once (the lists hold nreach - 1 entries in all, check_csr saw):
 * the walks over them (the tree printed, cut, reported) must not loop or
 * show a node twice. */
static int check_children(loader *L, const uint32_t *idom, const uint32_t *cs, const uint32_t *ch, uint64_t n)
{
    if (L->trusted)
        return 0;
    uint64_t *seen = rt_calloc(n / 64 + 1, sizeof *seen);
    int ok = 1;
    for (uint64_t v = 0; v < n && ok; v++)
        for (uint32_t i = cs[v]; i < cs[v + 1] && ok; i++) {
            uint32_t c = ch[i];
            ok = idom[c] == v && c != v && !(seen[c / 64] >> (c % 64) & 1);
            seen[c / 64] |= 1ULL << (c % 64);
        }
    free(seen);
    let_go(cs, (n + 1) * sizeof *cs);
    return ok ? 0 : BAD(L, L->sec[RTX_RET_CHILD]->offset, "a node's children are not the nodes it dominates"
                        REMAKE);
}

static int load_retained(loader *L, rt_model *m, const rtx_meta *x)
{
    rt_retained *r = rt_calloc(1, sizeof *r);
    m->saved_retained = r;
    uint64_t n = x->r_n;
    if (x->r_group0 != x->nobj + x->nroot || x->r_super != x->r_group0 + x->r_ngroup || n != x->r_super + 1 ||
        n >= UINT32_MAX || x->r_nreach > n || x->r_nreach == 0)
        return BAD(L, RT_NO_OFFSET, "the dominator tree does not fit the heap" REMAKE);
    int rc;
    if ((rc = array(L, RTX_RET_GROUPS, sizeof *r->groups, x->r_ngroup, &r->groups)) != 0 ||
        (rc = array(L, RTX_RET_ROOT_GROUP, 4, x->nroot, &r->root_group)) != 0 ||
        (rc = array(L, RTX_RET_IDOM, 4, n, &r->tree.idom)) != 0 ||
        (rc = array(L, RTX_RET_ORDER, 4, x->r_nreach, &r->tree.order)) != 0 ||
        (rc = array(L, RTX_RET_BYTES, 8, n, &r->bytes)) != 0 ||
        (rc = array(L, RTX_RET_OBJECTS, 4, n, &r->objects)) != 0)
        return rc;
    if ((rc = check_ids(L, RTX_RET_ROOT_GROUP, r->root_group, x->nroot, x->r_ngroup, NO_ALSO)) != 0 ||
        (rc = check_ids(L, RTX_RET_IDOM, r->tree.idom, n, n, RT_NONE)) != 0 ||
        (rc = check_ids(L, RTX_RET_ORDER, r->tree.order, x->r_nreach, n, NO_ALSO)) != 0)
        return rc;
    for (uint64_t g = 0; g < x->r_ngroup; g++)
        if (r->groups[g].kind > RT_GROUP_RUNTIME || r->groups[g].function >= x->nstring)
            return BAD(L, L->sec[RTX_RET_GROUPS]->offset, "group %" PRIu64 " is of no kind" REMAKE, g);
    if ((rc = check_tree(L, r->tree.idom, r->tree.order, n, x->r_nreach, x->r_super)) != 0)
        return rc;
    /* the children lists: a CSR over the nodes, each child's parent its
     * immediate dominator */
    uint64_t nch = x->r_nreach - 1;
    if ((rc = array(L, RTX_RET_CHILD_START, 4, n + 1, &m->saved_child_start)) != 0 ||
        (rc = array(L, RTX_RET_CHILD, 4, nch, &m->saved_child)) != 0 ||
        (rc = check_csr(L, RTX_RET_CHILD_START, m->saved_child_start, n, m->saved_child, nch, n)) != 0 ||
        (rc = check_children(L, r->tree.idom, m->saved_child_start, m->saved_child, n)) != 0)
        return rc;
    r->n = (uint32_t)n;
    r->group0 = (uint32_t)x->r_group0;
    r->ngroup = (uint32_t)x->r_ngroup;
    r->super = (uint32_t)x->r_super;
    r->tree.n = (uint32_t)n;
    r->tree.nreach = (uint32_t)x->r_nreach;
    r->heap_bytes = x->r_heap_bytes;
    return 0;
}

static int load_shared(loader *L, rt_model *m, const rtx_meta *x)
{
    rt_shared *s = rt_calloc(1, sizeof *s);
    m->saved_shared = s;
    int rc;
    if (x->sh_ngroup >= UINT32_MAX || x->sh_ntop >= UINT32_MAX)
        return BAD(L, RT_NO_OFFSET, "shared retention counts out of range" REMAKE);
    if ((rc = array(L, RTX_SH_REACH_BYTES, 8, x->nroot, &s->reachable_bytes)) != 0 ||
        (rc = array(L, RTX_SH_REACH_OBJECTS, 8, x->nroot, &s->reachable_objects)) != 0 ||
        (rc = array(L, RTX_SH_GROUP_BYTES, 8, x->r_ngroup, &s->group_reachable_bytes)) != 0 ||
        (rc = array(L, RTX_SH_GROUP_OBJECTS, 8, x->r_ngroup, &s->group_reachable_objects)) != 0 ||
        (rc = array(L, RTX_SH_GROUPS, sizeof *s->groups, x->sh_ngroup, &s->groups)) != 0 ||
        (rc = array(L, RTX_SH_ROOTS, 4, x->sh_nroots, &s->roots)) != 0 ||
        (rc = array(L, RTX_SH_TOP_NODE, 4, x->sh_ntop, &s->top_node)) != 0 ||
        (rc = array(L, RTX_SH_TOP_GROUP, 4, x->sh_ntop, &s->top_group)) != 0)
        return rc;
    for (uint64_t g = 0; g < x->sh_ngroup; g++) {
        const rt_shared_group *sg = &s->groups[g];
        int ok = sg->root_start <= x->sh_nroots && sg->nroot <= x->sh_nroots - sg->root_start &&
                 sg->ntype <= SHARED_TYPES;
        for (uint32_t k = 0; k < SHARED_TYPES && ok; k++)
            ok = sg->types[k].type < x->nstring;
        if (!ok)
            return BAD(L, L->sec[RTX_SH_GROUPS]->offset + g * sizeof *sg, "shared group %" PRIu64 " names what is "
                       "not there" REMAKE, g);
    }
    if ((rc = check_ids(L, RTX_SH_ROOTS, s->roots, x->sh_nroots, x->nroot, NO_ALSO)) != 0 ||
        (rc = check_ids(L, RTX_SH_TOP_NODE, s->top_node, x->sh_ntop, x->r_n, NO_ALSO)) != 0 ||
        (rc = check_ids(L, RTX_SH_TOP_GROUP, s->top_group, x->sh_ntop, x->sh_ngroup, RT_NONE)) != 0)
        return rc;
    s->ngroup = (uint32_t)x->sh_ngroup;
    s->ntop = (uint32_t)x->sh_ntop;
    s->shared_bytes = x->sh_shared_bytes;
    s->shared_objects = x->sh_shared_objects;
    s->capped = x->sh_capped != 0;
    return 0;
}

static void load_scalars(rt_model *m, const rtx_meta *x)
{
#define GET_SCALAR(name, type) m->name = (type)x->name;
#define GET_STRING(name) m->name = dup_str(m, x->s_##name);
    RTX_SCALARS(GET_SCALAR)
    RTX_STRINGS(GET_STRING)
#undef GET_SCALAR
#undef GET_STRING
    /* the pool's strings live as long as the model */
    m->globals_found_by = x->s_globals_found_by ? strpool_get(m->strings, (uint32_t)x->s_globals_found_by) : NULL;
    snprintf(m->partial_reason, sizeof m->partial_reason, "%s", strpool_get(m->strings, (uint32_t)x->s_partial_reason));
    snprintf(m->roots_lost, sizeof m->roots_lost, "%s", strpool_get(m->strings, (uint32_t)x->s_roots_lost));
    for (int i = 0; i < 6; i++) {
        m->runtime_globals[i].name = x->rg_name[i] ? strpool_get(m->strings, (uint32_t)x->rg_name[i]) : NULL;
        m->runtime_globals[i].addr = x->rg_addr[i];
    }
}

/* The inputs the index was made from, looked at again: a sentence for
 * the first that is gone or changed, else NULL. */
static int note_inputs(loader *L, rt_model *m, const rtx_meta *x)
{
    const rtx_input *in = NULL;
    int rc = array(L, RTX_INPUTS, sizeof *in, x->ninput, &in);
    if (rc)
        return rc;
    for (uint64_t i = 0; i < x->ninput && !m->stale; i++) {
        const char *p = strpool_get(m->strings, (uint32_t)in[i].path);
        struct stat st;
        char buf[1024];
        if (stat(p, &st) != 0)
            snprintf(buf, sizeof buf, "%s, which the index %s was made from, is gone; answers are from the index",
                     p, L->path);
        else if ((uint64_t)st.st_size != in[i].size || st.st_mtim.tv_sec != in[i].mtime_sec ||
                 st.st_mtim.tv_nsec != in[i].mtime_nsec)
            snprintf(buf, sizeof buf, "%s changed since the index %s was made (%" PRIu64 " bytes then, %lld now); "
                     "answers are from the index: make it again with 'retain index' to see the new file",
                     p, L->path, in[i].size, (long long)st.st_size);
        else
            continue;
        m->stale = rt_strdup(buf);
        model_warn(m, "%s", buf);
    }
    return 0;
}

int index_load(rt_model *m, const char *path, int threads, const rt_progress *prog, rt_error *err)
{
    struct stat st;
    struct timespec checked_at;
    (void)clock_gettime(CLOCK_REALTIME, &checked_at);
    int fd = input_file_open(path, "index", &st, err);
    if (fd < 0)
        return fd;
    loader L = { .path = path, .size = (uint64_t)st.st_size, .err = err, .threads = threads };
    if (L.size < sizeof(rtx_header)) {
        close(fd);
        return BAD(&L, 0, "%" PRIu64 " bytes: too short for an index header" REMAKE, L.size);
    }
    /* private and writable: an analysis that writes into an array writes
     * into its own copy of the page, never into the file */
    void *map = mmap(NULL, L.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        rt_error_where(err, path, RT_NO_OFFSET, "mapping the index");
        return RT_FAIL(err, RT_E_IO, "cannot map it into memory");
    }
    m->map = map;
    m->map_len = L.size;
    L.base = map;
    m->input_kind = RT_INPUT_NONE;
    const rtx_meta *x = NULL;
    const rtx_header *h = map;
    L.trusted = index_trust_known(&st, h->sum);
    int rc;
    if ((rc = check_header(&L, prog)) != 0 || (rc = array(&L, RTX_META, sizeof *x, 1, &x)) != 0 ||
        (rc = load_strings(&L, m, x)) != 0 || (rc = load_types(&L, m, x)) != 0 ||
        (rc = load_arrays(&L, m, x)) != 0 || (rc = load_sidemaps(&L, m, x)) != 0 ||
        (rc = load_ptrmasks(&L, m, x)) != 0 || (rc = load_retained(&L, m, x)) != 0 ||
        (rc = load_shared(&L, m, x)) != 0)
        return rc;
    if (x->input_kind != RT_INPUT_HEAPDUMP && x->input_kind != RT_INPUT_CORE)
        return BAD(&L, RT_NO_OFFSET, "input kind %" PRIu64 " is no heap" REMAKE, x->input_kind);
    load_scalars(m, x);
    if (x->tally.known > 1)
        return BAD(&L, RT_NO_OFFSET, "the object counts are inconsistent" REMAKE);
    m->saved_tally = x->tally;
    const uint32_t *warn = NULL;
    if ((rc = array(&L, RTX_WARNINGS, 4, x->nwarning, &warn)) != 0)
        return rc;
    for (uint64_t i = 0; i < x->nwarning; i++)
        model_warn(m, "%s", strpool_get(m->strings, warn[i]));
    if ((rc = note_inputs(&L, m, x)) != 0)
        return rc;
    m->index_path = rt_strdup(path);
    if (!L.trusted)
        index_trust_record(&st, h->sum, &checked_at);
    /* the check read every page; what the command reads again is mapped
     * again from the page cache, and only that counts in its RSS */
    (void)madvise(map, L.size, MADV_DONTNEED);
    return 0;
}
