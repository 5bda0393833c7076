/* index_write.c — writing a saved index (index_format.h): the model's
 * arrays and the dominator tree as they are in memory, each a section
 * with its checksum, behind a header that lets a reader refuse what it cannot
 * use.  The sections are listed first, so the table and every checksum
 * are known before the first byte is written and the output may be any
 * file rt_output accepts. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "analysis/overview.h"
#include "analysis/shared.h"
#include "index/index.h"
#include "index/index_format.h"
#include "io/output.h"
#include "util/alloc.h"

#define MAX_PARTS 64

typedef struct part {
    uint32_t id;
    const void *p;
    uint64_t size;
} part;

typedef struct writer {
    part parts[MAX_PARTS];
    uint32_t n;
} writer;

static void add(writer *w, uint32_t id, const void *p, uint64_t size)
{
    if (size == 0)
        return; /* an absent section reads as empty */
    w->parts[w->n++] = (part){ id, p, size };
}

static uint64_t align_up(uint64_t x) { return (x + RTX_ALIGN - 1) & ~(uint64_t)(RTX_ALIGN - 1); }

static uint64_t intern(rt_model *m, const char *s) { return s ? strpool_intern_cstr(m->strings, s) : 0; }

static void fill_meta(rt_model *m, const rt_retained *r, rtx_meta *x)
{
    memset(x, 0, sizeof *x);
    x->nobj = m->nobj;
    x->nroot = m->nroot;
    x->nedge = m->nedge;
    x->ntype = m->ntype;
    x->nfield = m->nfield;
    x->nsite = m->nsite;
    x->nframe = m->nframe;
    x->ngoroutine = m->ngoroutine;
    x->npsite = m->npsite;
    x->nptrmask = m->nptrmask;
    x->nwarning = m->nwarning;
    x->has_edge_off = m->edge_off != NULL;
    x->has_reverse = m->redge_start != NULL;
    x->has_page_first = m->page_first != NULL;
    x->index_lo = m->index_lo;
    x->index_hi = m->index_hi;
    x->has_reach = m->reach_bits != NULL;
    x->nreach = m->nreach;
    x->reach_bytes = m->reach_bytes;
    rt_reach reach;
    reach_compute(m, &reach);
    overview_tally(m, &reach, &x->tally);
    reach_free(&reach);
#define PUT_SCALAR(name, type) x->name = (uint64_t)m->name;
#define PUT_STRING(name) x->s_##name = intern(m, m->name);
    RTX_SCALARS(PUT_SCALAR)
    RTX_STRINGS(PUT_STRING)
#undef PUT_SCALAR
#undef PUT_STRING
    x->s_globals_found_by = intern(m, m->globals_found_by);
    x->s_partial_reason = intern(m, m->partial_reason);
    x->s_roots_lost = intern(m, m->roots_lost);
    for (int i = 0; i < 6; i++) {
        x->rg_name[i] = intern(m, m->runtime_globals[i].name);
        x->rg_addr[i] = m->runtime_globals[i].addr;
    }
    const rt_sidemap *sm[3] = { &m->obj_types, &m->obj_type_offs, &m->obj_sites };
    for (int i = 0; i < 3; i++)
        x->sm[i] = (rtx_sidemap){ sm[i]->dense != NULL, sm[i]->n, sm[i]->dir ? sm[i]->ndir : 0, sm[i]->shift,
                                  sm[i]->none };
    x->r_n = r->n;
    x->r_group0 = r->group0;
    x->r_ngroup = r->ngroup;
    x->r_super = r->super;
    x->r_nreach = r->tree.nreach;
    x->r_heap_bytes = r->heap_bytes;
}

/* The inputs as they are now: absolute path, size, modification time. */
static int describe_inputs(rt_model *m, const char *const *inputs, size_t n, rtx_input *out, rt_error *err)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        char abs[PATH_MAX];
        if (stat(inputs[i], &st) != 0 || !realpath(inputs[i], abs)) {
            rt_error_where(err, inputs[i], RT_NO_OFFSET, "recording the inputs of the index");
            return RT_FAIL(err, RT_E_IO, "cannot look at it: %s", strerror(errno));
        }
        out[i] = (rtx_input){ strpool_intern_cstr(m->strings, abs), (uint64_t)st.st_size, (int64_t)st.st_mtim.tv_sec,
                              (int64_t)st.st_mtim.tv_nsec };
    }
    return 0;
}

int index_write(rt_model *m, const index_analyses *a, const char *const *inputs, size_t ninput, const char *path,
                rt_error *err)
{
    const rt_retained *r = a->r;
    const rt_shared *sh = a->sh;
    if (!m->edge_start || !m->edge_off || !m->redge_start || r->borrowed || !sh->group_reachable_bytes ||
        (sh->ntop && !sh->top_node) || !a->child_start)
        return RT_FAIL(err, RT_E_USAGE, "index_write: the model needs its edges, offsets and reverse edges, "
                                        "and shared retention with every flag");
    writer w = { .n = 0 };
    rtx_meta meta;
    rtx_input *ins = rt_calloc(ninput ? ninput : 1, sizeof *ins);
    uint32_t *warn = rt_calloc(m->nwarning ? m->nwarning : 1, sizeof *warn);
    rtx_ptrmask *pm = rt_calloc(m->nptrmask ? m->nptrmask : 1, sizeof *pm);
    uint32_t *lens = NULL;
    char *bytes = NULL, *bits = NULL;
    int rc = describe_inputs(m, inputs, ninput, ins, err);
    if (rc)
        goto out;
    /* every string the index names goes into the pool before it is saved */
    for (size_t i = 0; i < m->nwarning; i++)
        warn[i] = strpool_intern_cstr(m->strings, m->warnings[i]);
    fill_meta(m, r, &meta);
    meta.ninput = ninput;
    uint64_t nroots = 0;
    for (uint32_t g = 0; g < sh->ngroup; g++)
        nroots += sh->groups[g].nroot;
    meta.sh_ngroup = sh->ngroup;
    meta.sh_nroots = nroots;
    meta.sh_ntop = sh->ntop;
    meta.sh_shared_bytes = sh->shared_bytes;
    meta.sh_shared_objects = sh->shared_objects;
    meta.sh_capped = (uint64_t)sh->capped;

    uint32_t nstr = strpool_count(m->strings);
    meta.nstring = nstr;
    lens = rt_malloc((size_t)nstr * sizeof *lens);
    uint64_t nbytes = 0;
    for (uint32_t i = 0; i < nstr; i++) {
        lens[i] = (uint32_t)strpool_len(m->strings, i);
        nbytes += lens[i] + 1;
    }
    bytes = rt_malloc(nbytes ? nbytes : 1);
    for (uint32_t i = 0, at = 0; i < nstr; i++) {
        memcpy(bytes + at, strpool_get(m->strings, i), lens[i] + 1);
        at += lens[i] + 1;
    }
    uint64_t nbits = 0;
    for (uint32_t i = 0; i < m->nptrmask; i++) {
        pm[i] = (rtx_ptrmask){ m->ptrmasks[i].start, m->ptrmasks[i].nwords };
        nbits += (m->ptrmasks[i].nwords + 7) / 8;
    }
    bits = rt_malloc(nbits ? nbits : 1);
    for (uint32_t i = 0, at = 0; i < m->nptrmask; i++) {
        uint64_t k = (m->ptrmasks[i].nwords + 7) / 8;
        memcpy(bits + at, m->ptrmasks[i].bits, k);
        at += k;
    }

    uint32_t nnode = model_nnodes(m);
    add(&w, RTX_META, &meta, sizeof meta);
    add(&w, RTX_STR_LENS, lens, (uint64_t)nstr * sizeof *lens);
    add(&w, RTX_STR_BYTES, bytes, nbytes);
    add(&w, RTX_OBJECTS, m->objects, (uint64_t)m->nobj * sizeof *m->objects);
    add(&w, RTX_TYPES, m->types, (uint64_t)m->ntype * sizeof *m->types);
    add(&w, RTX_FIELDS, m->fields, (uint64_t)m->nfield * sizeof *m->fields);
    add(&w, RTX_ROOTS, m->roots, (uint64_t)m->nroot * sizeof *m->roots);
    add(&w, RTX_EDGE_START, m->edge_start, ((uint64_t)nnode + 1) * sizeof *m->edge_start);
    add(&w, RTX_EDGE_DST, m->edge_dst, m->nedge * sizeof *m->edge_dst);
    add(&w, RTX_EDGE_OFF, m->edge_off, m->nedge * sizeof *m->edge_off);
    add(&w, RTX_REDGE_START, m->redge_start, ((uint64_t)nnode + 1) * sizeof *m->redge_start);
    add(&w, RTX_REDGE_SRC, m->redge_src, m->nedge * sizeof *m->redge_src);
    add(&w, RTX_SITES, m->sites, (uint64_t)m->nsite * sizeof *m->sites);
    add(&w, RTX_FRAMES, m->frames, (uint64_t)m->nframe * sizeof *m->frames);
    add(&w, RTX_GOROUTINES, m->goroutines, (uint64_t)m->ngoroutine * sizeof *m->goroutines);
    add(&w, RTX_PSITES, m->psites, (uint64_t)m->npsite * sizeof *m->psites);
    add(&w, RTX_PTRMASKS, pm, (uint64_t)m->nptrmask * sizeof *pm);
    add(&w, RTX_PTRMASK_BITS, bits, nbits);
    add(&w, RTX_WARNINGS, warn, (uint64_t)m->nwarning * sizeof *warn);
    if (m->page_first)
        add(&w, RTX_PAGE_FIRST, m->page_first,
            (((m->index_hi - m->index_lo) >> RT_PAGE_SHIFT) + 1) * sizeof *m->page_first);
    add(&w, RTX_INPUTS, ins, (uint64_t)ninput * sizeof *ins);
    if (m->reach_bits)
        add(&w, RTX_REACH, m->reach_bits, ((uint64_t)m->nobj / 64 + 1) * sizeof *m->reach_bits);
    add(&w, RTX_RET_GROUPS, r->groups, (uint64_t)r->ngroup * sizeof *r->groups);
    add(&w, RTX_RET_ROOT_GROUP, r->root_group, (uint64_t)m->nroot * sizeof *r->root_group);
    add(&w, RTX_RET_IDOM, r->tree.idom, (uint64_t)r->n * sizeof *r->tree.idom);
    add(&w, RTX_RET_ORDER, r->tree.order, (uint64_t)r->tree.nreach * sizeof *r->tree.order);
    add(&w, RTX_RET_BYTES, r->bytes, (uint64_t)r->n * sizeof *r->bytes);
    add(&w, RTX_RET_OBJECTS, r->objects, (uint64_t)r->n * sizeof *r->objects);
    add(&w, RTX_RET_CHILD_START, a->child_start, ((uint64_t)r->n + 1) * sizeof *a->child_start);
    add(&w, RTX_RET_CHILD, a->child, (uint64_t)(r->tree.nreach ? r->tree.nreach - 1 : 0) * sizeof *a->child);
    add(&w, RTX_SH_REACH_BYTES, sh->reachable_bytes, (uint64_t)m->nroot * sizeof *sh->reachable_bytes);
    add(&w, RTX_SH_REACH_OBJECTS, sh->reachable_objects, (uint64_t)m->nroot * sizeof *sh->reachable_objects);
    add(&w, RTX_SH_GROUP_BYTES, sh->group_reachable_bytes, (uint64_t)r->ngroup * sizeof *sh->group_reachable_bytes);
    add(&w, RTX_SH_GROUP_OBJECTS, sh->group_reachable_objects,
        (uint64_t)r->ngroup * sizeof *sh->group_reachable_objects);
    add(&w, RTX_SH_GROUPS, sh->groups, (uint64_t)sh->ngroup * sizeof *sh->groups);
    add(&w, RTX_SH_ROOTS, sh->roots, nroots * sizeof *sh->roots);
    add(&w, RTX_SH_TOP_NODE, sh->top_node, (uint64_t)sh->ntop * sizeof *sh->top_node);
    add(&w, RTX_SH_TOP_GROUP, sh->top_group, (uint64_t)sh->ntop * sizeof *sh->top_group);
    const rt_sidemap *sm[3] = { &m->obj_types, &m->obj_type_offs, &m->obj_sites };
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t id = RTX_SIDEMAP + 4 * i;
        if (sm[i]->dense)
            add(&w, id, sm[i]->dense, (uint64_t)m->nobj * sizeof *sm[i]->dense);
        add(&w, id + 1, sm[i]->keys, (uint64_t)sm[i]->n * sizeof *sm[i]->keys);
        add(&w, id + 2, sm[i]->vals, (uint64_t)sm[i]->n * sizeof *sm[i]->vals);
        if (sm[i]->dir)
            add(&w, id + 3, sm[i]->dir, (uint64_t)sm[i]->ndir * sizeof *sm[i]->dir);
    }

    /* the table, then the header over both */
    rtx_section table[MAX_PARTS];
    uint64_t at = align_up(sizeof(rtx_header) + (uint64_t)w.n * sizeof *table);
    for (uint32_t i = 0; i < w.n; i++) {
        table[i] = (rtx_section){ w.parts[i].id, 0, at, w.parts[i].size, XXH3_64bits(w.parts[i].p, w.parts[i].size) };
        at = align_up(at + w.parts[i].size);
    }
    rtx_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, RTX_MAGIC, sizeof h.magic);
    h.version = RTX_VERSION;
    h.byte_order = RTX_BYTE_ORDER;
    h.nsection = w.n;
    h.file_size = at;
    rtx_record_sizes(h.rec_sizes);
    h.sum = rtx_header_sum(&h, table);

    rt_output o;
    if ((rc = output_open(&o, path, inputs, ninput, err)) != 0)
        goto out;
    static const char zeros[RTX_ALIGN];
    fwrite(&h, sizeof h, 1, o.f);
    fwrite(table, sizeof *table, w.n, o.f);
    uint64_t pos = sizeof h + (uint64_t)w.n * sizeof *table;
    for (uint32_t i = 0; i < w.n; i++) {
        fwrite(zeros, 1, table[i].offset - pos, o.f);
        fwrite(w.parts[i].p, 1, w.parts[i].size, o.f);
        pos = table[i].offset + w.parts[i].size;
    }
    fwrite(zeros, 1, at - pos, o.f);
    rc = output_commit(&o, err);
out:
    free(ins);
    free(warn);
    free(pm);
    free(lens);
    free(bytes);
    free(bits);
    return rc;
}
