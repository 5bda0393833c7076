/* gocore_sites.c — allocation sites of a core, from the runtime's memory
 * profile.
 *
 * A sampled object carries a "profile" special in its span's specials
 * list (kind _KindSpecialProfile, the object's offset in the span) that
 * points at the bucket of its allocation stack.  A bucket is a header
 * followed by nstk pcs and then the memRecord.  The pcs are logical: one
 * per frame, inlined calls included, each a return address (the call's
 * pc + 1), so each names exactly one frame — the innermost at pc - 1 —
 * and is not expanded again.  Names, files and lines come from the
 * executable's pc-value table (gopclntab), which stripped binaries keep.
 *
 * The specials list is walked by gocore_specials.c; every bucket is read
 * through the bounds-checked core reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gopclntab/gopclntab.h"
#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"

#define MAX_STACK 1024            /* the runtime's maxProfStackDepth (32 up to 1.22) */
#define LOGICAL_SENTINEL UINT64_MAX /* a stack that starts with it is logical already */

typedef struct sample {
    uint64_t bucket;
    uint32_t obj;
} sample;

static int cmp_sample(const void *a, const void *b)
{
    const sample *x = a, *y = b;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    return x->obj < y->obj ? -1 : x->obj > y->obj;
}

typedef struct samples {
    sample *v;
    size_t n, cap;
} samples;

/* One special record (gc_span_specials): a profile special is a sample of
 * the object at its offset. */
static void on_special(gc_load *L, size_t k, uint64_t rec, unsigned kind, uint64_t off, void *ctx)
{
    const gc_layout *y = &L->lay;
    const gc_span *s = &L->spans[k];
    samples *out = ctx;
    if ((int64_t)kind != y->kind_profile || off >= s->npages * y->page_size)
        return;
    uint64_t b = ec_read_u64_or(L->core, rec + y->spp_b, 0);
    uint32_t o = model_find(L->m, s->base + off);
    if (b && o != RT_NONE && o >= L->span_first[k] && o < L->span_first[k + 1]) {
        RT_GROW(out->v, out->cap, out->n + 1);
        out->v[out->n++] = (sample){ b, o };
    }
}

/* The frames of one pc: the innermost logical frame at pc - 1. */
static void add_frame(gc_load *L, uint64_t pc)
{
    rt_model *m = L->m;
    gp_frame fr;
    rt_frame *f = &m->frames[m->nframe++];
    memset(f, 0, sizeof *f);
    if (L->pcln && gp_frames(L->pcln, pc - 1 - L->bias, &fr, 1) > 0) {
        f->function = strpool_intern_cstr(m->strings, fr.function ? fr.function : "");
        f->file = strpool_intern_cstr(m->strings, fr.file ? fr.file : "");
        f->line = fr.line > 0 ? (uint32_t)fr.line : 0;
        return;
    }
    char name[40];
    snprintf(name, sizeof name, "0x%llx", (unsigned long long)pc);
    f->function = strpool_intern_cstr(m->strings, name);
}

/* One site per bucket.  0, or -1 if the bucket could not be read. */
static int read_bucket(gc_load *L, uint64_t b, size_t *cap_site, size_t *cap_frame)
{
    const gc_layout *y = &L->lay;
    rt_model *m = L->m;
    uint64_t size, nstk;
    rt_error e;
    if (ec_read_u64(L->core, b + y->bk_size, &size, &e) || ec_read_u64(L->core, b + y->bk_nstk, &nstk, &e) ||
        nstk > MAX_STACK)
        return -1;
    uint64_t pcs[MAX_STACK];
    if (nstk && ec_read(L->core, b + y->bk_hdr, pcs, (size_t)nstk * 8, &e))
        return -1;
    size_t first = nstk && pcs[0] == LOGICAL_SENTINEL;
    RT_GROW(m->sites, *cap_site, (size_t)m->nsite + 1);
    RT_GROW(m->frames, *cap_frame, (size_t)m->nframe + nstk);
    rt_site *s = &m->sites[m->nsite++];
    memset(s, 0, sizeof *s);
    s->bucket = b;
    s->size = size;
    s->frame_start = m->nframe;
    uint64_t rec = b + y->bk_hdr + nstk * 8;
    if (y->mr_allocs != UINT64_MAX) {
        s->allocs = ec_read_u64_or(L->core, rec + y->mr_allocs, 0);
        s->frees = ec_read_u64_or(L->core, rec + y->mr_frees, 0);
    }
    for (size_t i = first; i < nstk; i++)
        if (pcs[i])
            add_frame(L, pcs[i]);
    s->nframes = m->nframe - s->frame_start;
    model_site_pick_alloc_frame(m, s);
    return 0;
}

int gc_sites(gc_load *L, rt_error *err)
{
    const gc_layout *y = &L->lay;
    rt_model *m = L->m;
    if (L->glob.memprofilerate) {
        uint64_t rate = ec_read_u64_or(L->core, L->glob.memprofilerate, 0);
        m->mem_profile_rate = (int64_t)rate > 0 ? rate : 0;
        m->mem_profile_rate_known = 1;
    }
    if (!y->sites_ok) {
        model_warn(m, "allocation sites: this runtime's profile records were not found in the DWARF");
        return 0;
    }
    samples all = { NULL, 0, 0 };
    uint64_t cut = 0;
    for (size_t k = 0; k < L->nspans; k++)
        if (L->spans[k].specials && gc_span_specials(L, k, on_special, &all) != 0)
            cut++;
    sample *smp = all.v;
    size_t n = all.n;
    if (cut)
        model_warn(m, "%llu spans' special records could not be read to their end; some allocation "
                      "sites are missing", (unsigned long long)cut);
    if (n)
        qsort(smp, n, sizeof *smp, cmp_sample);
    size_t cap_site = 0, bad = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && smp[j].bucket == smp[i].bucket)
            j++;
        if (read_bucket(L, smp[i].bucket, &cap_site, &L->cap_frame) == 0) {
            for (size_t k = i; k < j; k++)
                model_set_site(m, smp[k].obj, m->nsite - 1);
        } else {
            bad++;
            m->unresolved_samples += j - i;
        }
        i = j;
    }
    if (bad)
        model_warn(m, "%zu memory-profile buckets could not be read; their objects have no site", bad);
    if (n && !L->pcln)
        model_warn(m, "allocation stacks are shown as addresses: the executable's pc-value table "
                      "could not be read");
    free(smp);
    (void)err;
    return 0;
}
