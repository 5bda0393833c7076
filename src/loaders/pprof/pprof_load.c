/* pprof_load.c — a heap profile into the model: one profile site
 * (rt_psite) per distinct stack, with the in-use and allocated figures
 * summed over the profile's samples of that stack.  The stacks are
 * interned into the model's frames and strings like the heap's own sites,
 * so that sites are matched by (function, file, line) sequences and never
 * by address.  When the model names an executable, the profile's code
 * addresses are looked up in its pc-value table: a profile of another
 * build is said to be one. */
#include "loaders/pprof/pprof_load.h"

#include <stdlib.h>
#include <string.h>

#include "loaders/pprof/pprof_read.h"
#include "util/alloc.h"
#include "util/hash.h"

enum { V_INUSE_OBJ, V_INUSE_BYTES, V_ALLOC_OBJ, V_ALLOC_BYTES, V_COUNT };
static const char *const value_names[V_COUNT] = { "inuse_objects", "inuse_space", "alloc_objects",
                                                  "alloc_space" };

typedef struct stack_buf {
    rt_frame *f;
    size_t n, cap;
    rt_model *m;
} stack_buf;

static bool add_frame(const pprof_frame *f, void *ctx)
{
    stack_buf *b = ctx;
    RT_GROW(b->f, b->cap, b->n + 1);
    b->f[b->n++] = (rt_frame){
        strpool_intern_cstr(b->m->strings, f->function[0] ? f->function : "(unknown)"),
        strpool_intern_cstr(b->m->strings, f->file),
        f->line > 0 && f->line < UINT32_MAX ? (uint32_t)f->line : 0,
    };
    return true;
}

/* Open-addressing index: psite by its stack. */
typedef struct psite_index {
    uint32_t *slots; /* psite index + 1, 0 = empty */
    size_t cap;
} psite_index;

static uint64_t stack_hash(const rt_frame *f, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (size_t i = 0; i < n; i++)
        h = rt_hash64(h ^ ((uint64_t)f[i].function << 32 | f[i].line) ^ (uint64_t)f[i].file << 17);
    return h;
}

static int same_stack(const rt_model *m, const rt_psite *s, const rt_frame *f, size_t n)
{
    return s->nframes == n && memcmp(m->frames + s->frame_start, f, n * sizeof *f) == 0;
}

/* The psite of stack f[0..n), made if new. */
static uint32_t psite_of(rt_model *m, psite_index *x, size_t *cap_ps, size_t *cap_fr, const rt_frame *f,
                         size_t n)
{
    if ((m->npsite + 1) * 2 > x->cap) {
        size_t ncap = x->cap ? x->cap * 2 : 1024;
        uint32_t *ns = rt_calloc(ncap, sizeof *ns);
        for (size_t i = 0; i < x->cap; i++) {
            if (!x->slots[i])
                continue;
            const rt_psite *s = &m->psites[x->slots[i] - 1];
            size_t k = stack_hash(m->frames + s->frame_start, s->nframes) & (ncap - 1);
            while (ns[k])
                k = (k + 1) & (ncap - 1);
            ns[k] = x->slots[i];
        }
        free(x->slots);
        x->slots = ns;
        x->cap = ncap;
    }
    size_t k = stack_hash(f, n) & (x->cap - 1);
    for (; x->slots[k]; k = (k + 1) & (x->cap - 1))
        if (same_stack(m, &m->psites[x->slots[k] - 1], f, n))
            return x->slots[k] - 1;
    RT_GROW(m->psites, *cap_ps, (size_t)m->npsite + 1);
    RT_GROW(m->frames, *cap_fr, (size_t)m->nframe + n);
    rt_psite *s = &m->psites[m->npsite];
    memset(s, 0, sizeof *s);
    s->frame_start = m->nframe;
    s->nframes = (uint32_t)n;
    memcpy(m->frames + m->nframe, f, n * sizeof *f);
    m->nframe += (uint32_t)n;
    s->alloc_frame = model_pick_alloc_frame(m, f, (uint32_t)n);
    s->inuse_objects = s->inuse_bytes = s->alloc_objects = s->alloc_bytes = -1;
    x->slots[k] = ++m->npsite;
    return m->npsite - 1;
}

static void add_value(int64_t *to, int64_t v)
{
    *to = *to < 0 ? v : *to + v;
}

/* Are the profile's code addresses those of the executable's functions? */
static void check_build(rt_model *m, const pprof_profile *p, const char *path, exe_file *exe)
{
    gp_table *tab;
    rt_error e;
    if (!exe || !m->exe_path || exe_pcln(exe, 0, &tab, &e) != 0)
        return;
    uint64_t same = 0, other = 0;
    for (size_t i = 0; i < p->nlocations; i++) {
        const pprof_loc *l = &p->locations[i];
        if (!l->address || !l->nframe)
            continue;
        const char *want = l->frames[l->nframe - 1].function; /* the physical function */
        uint64_t a = l->address - (uint64_t)m->exe_bias;
        gp_func f;
        int hit = (gp_func_at(tab, a, &f) == 0 && strcmp(f.name, want) == 0) ||
                  (gp_func_at(tab, a - 1, &f) == 0 && strcmp(f.name, want) == 0);
        same += hit;
        other += !hit;
    }
    if (other > (same + other) / 10)
        model_warn(m, "the profile %s seems to come from another build than %s: %llu of its %llu code "
                      "addresses lie in other functions there; sites are matched by function and line, "
                      "which may have moved", path, m->exe_path, (unsigned long long)other,
                   (unsigned long long)(same + other));
}

/* The profile p (read from path) into m; p is freed. */
static int load_profile(rt_model *m, pprof_profile *p, const char *path, exe_file *exe, rt_error *err)
{
    int rc, idx[V_COUNT], any = 0;
    for (int v = 0; v < V_COUNT; v++) {
        idx[v] = -1;
        for (size_t i = 0; i < p->nsample_types; i++)
            if (strcmp(p->sample_types[i].type, value_names[v]) == 0)
                idx[v] = (int)i;
        any |= idx[v] >= 0;
    }
    if (!any) {
        rt_error_where(err, path, RT_NO_OFFSET, "reading the profile's sample types");
        rc = RT_FAIL(err, RT_E_FORMAT, "not a heap profile: its samples are %s/%s, not inuse_space or "
                     "alloc_space; give a heap profile (pprof.WriteHeapProfile, /debug/pprof/heap)",
                     p->nsample_types ? p->sample_types[0].type : "none",
                     p->nsample_types ? p->sample_types[0].unit : "");
        pprof_profile_free(p);
        return rc;
    }
    psite_index x = { NULL, 0 };
    stack_buf b = { NULL, 0, 0, m };
    RT_GROW(b.f, b.cap, 1); /* a sample of no locations still has a (empty) stack to point at */
    size_t cap_ps = m->npsite, cap_fr = m->nframe;
    for (size_t i = 0; i < p->nsamples; i++) {
        const pprof_sample *s = &p->samples[i];
        b.n = 0;
        pprof_sample_frames(p, s, add_frame, &b);
        uint32_t k = psite_of(m, &x, &cap_ps, &cap_fr, b.f, b.n);
        rt_psite *ps = &m->psites[k];
        int64_t *to[V_COUNT] = { &ps->inuse_objects, &ps->inuse_bytes, &ps->alloc_objects, &ps->alloc_bytes };
        for (int v = 0; v < V_COUNT; v++)
            if (idx[v] >= 0)
                add_value(to[v], s->values[idx[v]]);
    }
    free(x.slots);
    free(b.f);
    free(m->profile_path);
    m->profile_path = rt_strdup(path);
    if (p->period > 0 && strcmp(p->period_type.unit, "bytes") == 0)
        m->profile_rate = (uint64_t)p->period;
    check_build(m, p, path, exe);
    pprof_profile_free(p);
    return 0;
}

int pprof_load(rt_model *m, const char *path, exe_file *exe, rt_error *err)
{
    pprof_profile *p = NULL;
    int rc = pprof_read_file(path, &p, err);
    return rc ? rc : load_profile(m, p, path, exe, err);
}

int pprof_load_mem(rt_model *m, const uint8_t *buf, size_t n, const char *name, uint64_t max_decompressed,
                   rt_error *err)
{
    pprof_profile *p = NULL;
    int rc = pprof_read_mem(buf, n, name, max_decompressed, &p, err);
    return rc ? rc : load_profile(m, p, name, NULL, err);
}
