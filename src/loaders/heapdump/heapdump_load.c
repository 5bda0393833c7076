/* heapdump_load.c — the two passes that turn a Go heap dump into the
 * heap model (see heapdump_int.h for the plan). */
#include "loaders/heapdump/heapdump_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaders/elf/elf_debugfile.h"
#include "loaders/frame_roots.h"
#include "loaders/heapdump/heapdump_int.h"
#include "util/alloc.h"

#define PROGRESS_STEP (64u << 20)

static void on_params(hd_load *L, const hd_record *r)
{
    rt_model *m = L->m;
    free(m->go_version);
    free(m->goarch);
    m->go_version = rt_strdup(r->version.s);
    m->goarch = rt_strdup(r->goarch.s);
    m->arena_start = r->arena_start;
    m->arena_end = r->arena_end;
    gv_parse(r->version.s, &L->ver);
    L->have_params = 1;
}

static void on_object(hd_load *L, const hd_record *r, rt_error *err)
{
    RT_GROW(L->objs, L->cap_obj, L->nobj + 1);
    hd_obj *o = &L->objs[L->nobj++];
    o->base = r->addr;
    o->size = r->contents.len;
    o->flags = r->nfields ? HD_OBJ_HAS_FIELDS : 0;
    /* upper bound of this object's edges: non-nil words (pass 2 keeps
     * those that land in an object) */
    uint32_t n = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        uint64_t v;
        if (hd_word(&L->p, &r->contents, r->fields[i], &v, err) == 0 && v != 0)
            n++;
    }
    o->nptr = n;
    if (L->nobj == 1)
        L->first_obj_off = r->offset;
    L->end_obj_off = hd_offset(&L->p);
}

static void on_goroutine(hd_load *L, const hd_record *r)
{
    rt_model *m = L->m;
    RT_GROW(m->goroutines, L->cap_goroutine, m->ngoroutine + 1);
    rt_goroutine *g = &m->goroutines[m->ngoroutine++];
    memset(g, 0, sizeof *g);
    g->id = r->goid;
    g->gaddr = r->g;
    g->gopc = r->gopc;
    g->status = (uint32_t)r->status;
    g->is_system = r->is_system != 0;
    g->wait_reason = strpool_intern(m->strings, r->waitreason.s, r->waitreason.len);
    g->wait_since = (int64_t)r->waitsince;
    g->frame_start = m->nframe; /* its frame records follow it */
    /* the go statement, by function (a dump has no line table) */
    const dw_func *cf = L->dw && r->gopc ? dwi_func_at(L->dw, r->gopc - 1 - (uint64_t)L->bias) : NULL;
    if (cf && cf->name)
        g->created_by.function = strpool_intern_cstr(m->strings, cf->name);
    L->cur_goid = r->goid;
    L->have_goroutine = 1;
    L->ngframe = 0;
    L->panicked_in = 0;
    if (r->ctxt) {
        uint32_t root = hd_add_root(L, RT_ROOT_STACK, r->g);
        L->rs.roots[root].goroutine = r->goid;
        L->rs.roots[root].variable = strpool_intern_cstr(m->strings, "(closure context)");
        hd_add_word(L, root, 0, r->ctxt);
    }
    /* the runtime.g's pointers to what the goroutine's own roots hold */
    rootset_cover(&L->rs, r->g, r->ctxt);
    rootset_cover(&L->rs, r->g, r->defer);
    rootset_cover(&L->rs, r->g, r->panic);
}

/* The current goroutine's function for a record at sp, pc: the frame at
 * that sp (a deferred call's sp is its deferring frame's), else the
 * executable's function at pc, else the goroutine's innermost user frame. */
static uint32_t goroutine_function(hd_load *L, uint64_t sp, uint64_t pc)
{
    for (size_t i = 0; sp && i < L->ngframe; i++)
        if (L->gframes[i].sp == sp)
            return L->gframes[i].function;
    const dw_func *f = L->dw && pc ? dwi_func_at(L->dw, pc - (uint64_t)L->bias) : NULL;
    if (f && f->name)
        return strpool_intern_cstr(L->m->strings, f->name);
    return L->have_goroutine && L->m->ngoroutine ? L->m->goroutines[L->m->ngoroutine - 1].user_function
                                                 : 0;
}

static int on_frame(hd_load *L, const hd_record *r, rt_error *err)
{
    rt_model *m = L->m;
    uint32_t fname = strpool_intern(m->strings, r->name.s, r->name.len);
    if (L->have_goroutine && m->ngoroutine) {
        rt_goroutine *g = &m->goroutines[m->ngoroutine - 1];
        model_goroutine_frame(m, g, fname);
        if (r->name.len && strcmp(r->name.s, "runtime.goexit") != 0)
            g->start_function = fname; /* frames come innermost first */
        if (L->ngframe && !L->panicked_in &&
            strcmp(strpool_get(m->strings, L->gframes[L->ngframe - 1].function), "runtime.gopanic") == 0)
            L->panicked_in = fname;
        RT_GROW(L->gframes, L->cap_gframe, L->ngframe + 1);
        L->gframes[L->ngframe++] = (hd_gframe){ r->addr, r->contents.len, fname };
        if (g->frame_start + g->nframes == m->nframe) { /* still contiguous */
            RT_GROW(m->frames, L->cap_frame, (size_t)m->nframe + 1);
            m->frames[m->nframe++] = (rt_frame){ fname, 0, 0 };
            g->nframes++;
        }
        g->stack_bytes += r->contents.len;
    }
    /* a root per DWARF local (the executable's, found by the frame's
     * function name; its entry pc in the dump gives the load bias, so PIE
     * needs nothing more), one for the words no local covers */
    frame_roots fr = {
        .rs = &L->rs, .strings = m->strings, .cfa = r->addr + r->contents.len, .sp = r->addr,
        .size = r->contents.len, .goroutine = L->have_goroutine ? L->cur_goid : RT_NO_GOROUTINE,
        .function = fname,
    };
    frame_roots_init(&fr);
    fr.types = L->ty;
    if (L->dw && r->name.len && (fr.df = dwi_func(L->dw, strpool_get(m->strings, fname))) != NULL) {
        /* a return address's variables are those of the call before it */
        uint64_t pc = r->pc > r->entry ? r->pc - 1 : r->pc;
        fr.lookup_pc = pc - (r->entry - fr.df->lowpc);
    }
    for (size_t i = 0; i < r->nfields; i++) {
        uint64_t v;
        int rc = hd_word(&L->p, &r->contents, r->fields[i], &v, err);
        if (rc)
            return rc;
        if (v == 0)
            continue;
        uint64_t base;
        uint32_t root = frame_root_for(&fr, r->addr + r->fields[i], &base);
        hd_add_word(L, root, r->addr + r->fields[i] - base, v);
    }
    return 0;
}

/* A record the current goroutine owns (a deferred call: its closure; a
 * panic: its value), a root of that goroutine. */
static void on_goroutine_record(hd_load *L, const char *what, uint64_t addr, uint32_t function,
                                uint64_t value, uint64_t link)
{
    rootset_cover(&L->rs, addr, link); /* the next record is a root itself */
    uint32_t root = hd_add_root(L, RT_ROOT_STACK, addr);
    L->rs.roots[root].goroutine = L->have_goroutine ? L->cur_goid : RT_NO_GOROUTINE;
    L->rs.roots[root].function = function;
    L->rs.roots[root].variable = strpool_intern_cstr(L->m->strings, what);
    hd_add_word(L, root, RT_OFF_NONE, addr); /* the record, when on the heap */
    if (value)
        hd_add_word(L, root, 0, value);
}

static void on_finalizer(hd_load *L, const hd_record *r)
{
    /* Go 1.24 queues cleanups with the finalizers, with only fn set
     * (runtime/mheap.go freeSpecial: queuefinalizer(nil, fn, 0, nil, nil));
     * the dump writes them as queued finalizers without object and type */
    int cleanup = r->tag == HD_QUEUED_FINALIZER && r->obj == 0 && r->fint == 0;
    uint32_t root = hd_add_root(L, cleanup ? RT_ROOT_CLEANUP : RT_ROOT_FINALIZER, r->obj);
    const char *name = cleanup ? "queued cleanup"
                     : r->tag == HD_QUEUED_FINALIZER ? "queued finalizer" : "finalizer";
    L->rs.roots[root].name = strpool_intern_cstr(L->m->strings, name);
    /* the finalizer's function, from its code pointer (data and bss come
     * before finalizers in a dump, so the load bias is known by now); a
     * 1.24 cleanup's fn is a wrapper the runtime made: left unnamed */
    const dw_func *f = L->dw && r->fnpc && !cleanup ? dwi_func_at(L->dw, r->fnpc - (uint64_t)L->bias) : NULL;
    if (f && f->name)
        L->rs.roots[root].function = strpool_intern_cstr(L->m->strings, f->name);
    RT_GROW(L->fins, L->cap_fin, L->nfin + 1);
    L->fins[L->nfin++] = (hd_fin){ r->obj, r->fn, root, r->tag == HD_QUEUED_FINALIZER };
}

static void on_memprof(hd_load *L, const hd_record *r)
{
    rt_model *m = L->m;
    RT_GROW(m->sites, L->cap_site, m->nsite + 1);
    RT_GROW(m->frames, L->cap_frame, (size_t)m->nframe + r->nframes);
    rt_site *s = &m->sites[m->nsite++];
    memset(s, 0, sizeof *s);
    s->bucket = r->bucket;
    s->size = r->size;
    s->allocs = r->allocs;
    s->frees = r->frees;
    s->frame_start = m->nframe;
    s->nframes = (uint32_t)r->nframes;
    for (size_t i = 0; i < r->nframes; i++) {
        rt_frame *f = &m->frames[m->nframe++];
        f->function = strpool_intern(m->strings, r->frames[i].function.s, r->frames[i].function.len);
        f->file = strpool_intern(m->strings, r->frames[i].file.s, r->frames[i].file.len);
        f->line = r->frames[i].line > UINT32_MAX ? UINT32_MAX : (uint32_t)r->frames[i].line;
    }
    model_site_pick_alloc_frame(m, s);
}

/* What a dump that ended early lost of its roots: it writes the
 * goroutines (with their frames), then data, bss and finalizer roots,
 * then memstats; past those, nothing of the roots is missing. */
static void note_lost_roots(hd_load *L)
{
    rt_model *m = L->m;
    if (L->saw_memstats)
        return;
    if (!L->saw_data && !L->saw_bss)
        snprintf(m->roots_lost, sizeof m->roots_lost, "%s, globals and finalizers",
                 m->ngoroutine ? "goroutine stacks after the last one read" : "goroutine stacks");
    else if (!L->saw_bss)
        snprintf(m->roots_lost, sizeof m->roots_lost, "bss globals and finalizers");
    else
        snprintf(m->roots_lost, sizeof m->roots_lost, "finalizers");
}

/* Pass 1: every record.  Returns 0, or a negative code; a dump that ends
 * early is not an error here: the model is marked partial. */
static int pass1(hd_load *L, rt_error *err)
{
    rt_model *m = L->m;
    hd_record r;
    uint64_t next_report = PROGRESS_STEP;
    int rc;
    memset(&r, 0, sizeof r);
    while ((rc = hd_next(&L->p, &r, err)) == 1) {
        if (r.offset >= next_report) {
            progress_report(L->prog, "reading heap dump", r.offset, hd_file_size(&L->p));
            next_report = r.offset + PROGRESS_STEP;
        }
        switch (r.tag) {
        case HD_PARAMS:
            on_params(L, &r);
            if (r.ptr_size != 8 || r.big_endian) {
                rt_error_where(err, L->path, r.offset, "reading params");
                return RT_FAIL(err, RT_E_UNSUPPORTED,
                               "dump of a %s process with %llu-byte %s-endian pointers; only "
                               "64-bit little-endian (amd64) dumps are supported for now",
                               r.goarch.s, (unsigned long long)r.ptr_size,
                               r.big_endian ? "big" : "little");
            }
            break;
        case HD_OBJECT:
            on_object(L, &r, err);
            break;
        case HD_OTHER_ROOT: {
            uint32_t root = hd_add_root(L, RT_ROOT_OTHER, 0);
            L->rs.roots[root].name = strpool_intern(m->strings, r.name.s, r.name.len);
            hd_add_word(L, root, 0, r.addr);
            break;
        }
        case HD_TYPE:
            RT_GROW(L->types, L->cap_type, L->ntype + 1);
            L->types[L->ntype++] = (hd_type){ r.addr, strpool_intern(m->strings, r.name.s, r.name.len) };
            break;
        case HD_GOROUTINE:
            on_goroutine(L, &r);
            break;
        case HD_FRAME:
            if ((rc = on_frame(L, &r, err)) != 0)
                return rc;
            hd_typing_region(L, &r);
            break;
        case HD_FINALIZER:
        case HD_QUEUED_FINALIZER:
            on_finalizer(L, &r);
            break;
        case HD_THREAD:
            m->nthreads++;
            break;
        case HD_MEMSTATS:
            L->saw_memstats = 1;
            m->heap_alloc_runtime = r.memstats[6];
            m->heap_objects_runtime = r.memstats[11];
            break;
        case HD_DATA:
        case HD_BSS:
            L->saw_data |= r.tag == HD_DATA;
            L->saw_bss |= r.tag == HD_BSS;
            if ((rc = hd_segment(L, &r, err)) != 0)
                return rc;
            hd_typing_region(L, &r);
            break;
        case HD_ITAB:
            hd_typing_itab(L, &r);
            break;
        case HD_DEFER:
            on_goroutine_record(L, "(deferred call)", r.addr, goroutine_function(L, r.sp, r.pc), r.fn,
                                r.link);
            break;
        case HD_PANIC:
            on_goroutine_record(L, "(panic)", r.addr,
                                L->panicked_in ? L->panicked_in : goroutine_function(L, 0, 0),
                                r.argdata, r.link);
            break;
        case HD_MEMPROF:
            on_memprof(L, &r);
            break;
        case HD_ALLOC_SAMPLE:
            RT_GROW(L->samples, L->cap_sample, L->nsample + 1);
            L->samples[L->nsample++] = (hd_sample){ r.addr, r.bucket };
            break;
        default: /* itabs: nothing the model needs */
            break;
        }
    }
    if (rc == -RT_E_TRUNCATED) {
        char line[600];
        rt_error_format(err, line, sizeof line);
        m->partial = 1;
        m->partial_offset = err->offset != RT_NO_OFFSET ? err->offset : hd_offset(&L->p);
        snprintf(m->partial_reason, sizeof m->partial_reason,
                 "the dump ends at byte %llu of %llu before its EOF record; objects and roots "
                 "after that point are missing%s",
                 (unsigned long long)m->partial_offset, (unsigned long long)hd_file_size(&L->p),
                 L->p.big_object ? " (likely cause: an object of 2 GiB or more, which Go's heap dump "
                                   "writer writes short: an int32 length)" : "");
        rt_error_clear(err);
        note_lost_roots(L);
        if (!L->end_obj_off || L->end_obj_off > m->partial_offset)
            L->end_obj_off = m->partial_offset;
        return 0;
    }
    return rc;
}

static int cmp_type(const void *a, const void *b)
{
    const hd_type *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

uint32_t hd_type_name(const hd_load *L, uint64_t addr)
{
    size_t lo = 0, hi = L->ntype;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (L->types[mid].addr == addr)
            return L->types[mid].name;
        if (L->types[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The type a malloc header names, tiled over the slot after the header:
 * [n]T for a slot of several Ts (as a core says it). */
static void set_header_type(hd_load *L, uint32_t id, uint64_t typ)
{
    rt_model *m = L->m;
    uint32_t t = 0;
    if (L->ty)
        t = hd_typing_rtype(L, typ);
    else {
        uint32_t name = hd_type_name(L, typ);
        t = name ? model_type_named(m, name, 0) : 0;
    }
    const rt_type *tt = model_type(m, t);
    if (!tt)
        return;
    uint64_t room = m->objects[id].size - 8, n = tt->size ? room / tt->size : 1;
    model_set_type(m, id, n >= 2 ? model_type_array(m, t, n) : t);
    model_set_type_off(m, id, 8);
}

/* Pass 2: object records again; pointers go straight into CSR slots. */
static int pass2(hd_load *L, uint32_t *actual, rt_error *err)
{
    rt_model *m = L->m;
    hd_record r;
    int rc;
    memset(&r, 0, sizeof r);
    if (L->nobj == 0)
        return 0;
    if ((rc = hd_seek(&L->p, L->first_obj_off, err)) != 0)
        return rc;
    uint64_t next_report = L->first_obj_off + PROGRESS_STEP;
    /* malloc headers (Go 1.22+): pointerful objects of 513..32768 bytes
     * start with their type's address, which names them when the dump
     * wrote that type (itab types only) */
    int headers = gv_malloc_headers(&L->ver) && L->ntype > 0;
    uint32_t prev = RT_NONE - 1;
    while (hd_offset(&L->p) < L->end_obj_off && (rc = hd_next(&L->p, &r, err)) == 1) {
        if (r.tag != HD_OBJECT)
            continue;
        if (r.offset >= next_report) {
            progress_report(L->prog, "resolving pointers", r.offset, hd_file_size(&L->p));
            next_report = r.offset + PROGRESS_STEP;
        }
        /* objects of a span come in address order: try the next id first */
        uint32_t id = prev + 1;
        if (id >= m->nobj || m->objects[id].base != r.addr)
            id = model_find(m, r.addr);
        if (id == RT_NONE || m->objects[id].base != r.addr)
            continue; /* a phantom slot we dropped */
        prev = id;
        if (L->obj_off)
            L->obj_off[id] = r.contents.off;
        uint32_t at = m->edge_start[id], cap = m->edge_start[id + 1] - at, n = 0;
        for (size_t i = 0; i < r.nfields && n < cap; i++) {
            uint64_t v;
            if ((rc = hd_word(&L->p, &r.contents, r.fields[i], &v, err)) != 0)
                return rc;
            if (v == 0)
                continue;
            uint32_t t = model_find(m, v);
            if (t == RT_NONE || t == id)
                continue;
            m->edge_dst[at + n] = t;
            m->edge_off[at + n] = r.fields[i] > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)r.fields[i];
            n++;
        }
        actual[id] = n;
        if (headers && r.nfields && r.contents.len > 512 && r.contents.len <= 32768) {
            uint64_t t;
            if (hd_word(&L->p, &r.contents, 0, &t, err) == 0)
                set_header_type(L, id, t);
        }
    }
    if (rc < 0 && rc != -RT_E_TRUNCATED)
        return rc;
    rt_error_clear(err);
    return 0;
}

static int cmp_site_bucket(const void *a, const void *b, void *ctx)
{
    const rt_site *s = ctx;
    uint64_t x = s[*(const uint32_t *)a].bucket, y = s[*(const uint32_t *)b].bucket;
    return x < y ? -1 : x > y;
}

static void attach_samples(hd_load *L)
{
    rt_model *m = L->m;
    if (!m->nsite)
        return;
    uint32_t *by = rt_malloc(m->nsite * sizeof *by);
    for (uint32_t i = 0; i < m->nsite; i++)
        by[i] = i;
    qsort_r(by, m->nsite, sizeof *by, cmp_site_bucket, m->sites);
    for (size_t i = 0; i < L->nsample; i++) {
        uint32_t o = model_find(m, L->samples[i].addr);
        size_t lo = 0, hi = m->nsite;
        uint32_t site = RT_NONE;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            uint64_t b = m->sites[by[mid]].bucket;
            if (b == L->samples[i].bucket) {
                site = by[mid];
                break;
            }
            if (b < L->samples[i].bucket)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (o == RT_NONE || site == RT_NONE) {
            m->unresolved_samples++;
            continue;
        }
        model_set_site(m, o, site);
    }
    free(by);
}

/* Move each object's edges down to close the gaps left by pointers that
 * did not land in an object.  In id order every move goes left. */
static void compact_edges(rt_model *m, const uint32_t *actual)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < m->nobj; i++) {
        uint32_t from = m->edge_start[i], n = actual[i];
        if (from != w) {
            memmove(m->edge_dst + w, m->edge_dst + from, (size_t)n * sizeof *m->edge_dst);
            memmove(m->edge_off + w, m->edge_off + from, (size_t)n * sizeof *m->edge_off);
        }
        m->edge_start[i] = w;
        w += n;
    }
    m->edge_start[m->nobj] = w;
    m->nedge = w;
}

static void free_load(hd_load *L)
{
    free(L->objs);
    rootset_free(&L->rs);
    free(L->fins);
    free(L->gframes);
    free(L->samples);
    free(L->types);
    free(L->obj_off);
    free(L->regions);
    free(L->itabs);
    free(L->fchunk);
    hd_typing_free(L);
    ty_free(L->ty);
}

typedef struct types_job {
    hd_load *L;
    ty_propagate_fn propagate;
} types_job;

static void run_types(void *arg)
{
    types_job *t = arg;
    hd_typing_run(t->L, t->propagate);
}

int heapdump_load(rt_model *m, const char *path, int fd, const elf_symtab *syms, exe_file *exe,
                  exe_file *dwarf_src, ty_propagate_fn propagate, int threads, int want_reverse,
                  const rt_progress *prog, rt_error *err)
{
    hd_load L;
    memset(&L, 0, sizeof L);
    L.m = m;
    L.path = path;
    L.syms = syms;
    L.prog = prog;
    m->input_kind = RT_INPUT_HEAPDUMP;
    m->input_path = rt_strdup(path);
    if (exe)
        m->exe_path = rt_strdup(exe_path(exe));
    if (dwarf_src && exe && dwarf_src != exe)
        m->debug_path = rt_strdup(exe_path(dwarf_src));
    if (!dwarf_src)
        dwarf_src = exe;

    int rc = fd >= 0 ? hd_open_fd(&L.p, fd, path, err) : hd_open(&L.p, path, err);
    if (rc)
        return rc;
    if (exe && syms) {
        /* stack roots are named by the functions' DWARF locals when the
         * executable has them; without, frames stay whole roots */
        rt_error e2;
        if (exe_dwarf(dwarf_src, &L.dw, &e2) != 0 || dwi_load_locals(L.dw, &e2) != 0) {
            /* without it, stack roots stay whole frames and types go: say so */
            if (e2.code != RT_E_NOTFOUND)
                model_warn(m, "the DWARF of %s cannot be used (%s): stack roots stay unnamed and objects "
                              "untyped", exe_path(dwarf_src), e2.msg);
            L.dw = NULL; /* the handle's, closed with it */
        }
    }
    /* types: by DWARF, else (a stripped executable) by the runtime's
     * type descriptors, read once the dump has said its Go version */
    if (L.dw || (exe && syms))
        L.ty = ty_new(m, L.dw);
    if ((rc = pass1(&L, err)) != 0)
        goto out;
    if (L.ty && !L.dw) {
        char why[256];
        int ok = hd_typing_descriptors(&L, exe, syms, why, sizeof why) == 0;
        if (!ok) {
            model_warn(m, "objects stay untyped: the executable has no DWARF and its type descriptors cannot "
                          "be read (%s)", why);
            hd_typing_free(&L);
            ty_free(L.ty);
            L.ty = NULL;
        }
        char buf[256];
        snprintf(buf, sizeof buf, "no DWARF: %s, stack slots unnamed, %s", L.syms ? "globals named by the symbol table"
                 : "globals unnamed", ok ? "types from runtime descriptors" : "objects untyped");
        m->degraded = rt_strdup(buf);
    }
    if (!L.have_params)
        model_warn(m, "the dump has no params record: Go version unknown");
    else {
        /* the dump's format has not changed since Go 1.7: read any version,
         * with a warning outside the tested ones */
        char warn[256];
        rt_error e2;
        if (gv_admit(&L.ver, 0, path, warn, sizeof warn, &e2) != 0)
            model_warn(m, "%s is outside the supported Go versions 1.%d-1.%d; read anyway, as the dump "
                          "format has not changed since Go 1.7", m->go_version, GV_MIN, GV_MAX);
        else if (warn[0])
            model_warn(m, "%s", warn);
    }

    if ((rc = hd_sort_objects(&L, err)) != 0)
        goto out;
    hd_drop_phantoms(&L);
    if ((rc = hd_check_overlap(&L, err)) != 0)
        goto out;

    /* Hand the sorted objects to the model, and CSR slots from the
     * bounds.  The 24-byte records become 16-byte ones in place: record
     * i is read before slot i is written, and slot i ends before record
     * i + 1 starts. */
    m->nobj = (uint32_t)L.nobj;
    m->edge_start = rt_malloc(((size_t)m->nobj + 1) * sizeof *m->edge_start);
    rt_object *objs = (rt_object *)(void *)L.objs;
    uint64_t total = 0;
    for (uint32_t i = 0; i < m->nobj; i++) {
        hd_obj h = L.objs[i];
        m->edge_start[i] = (uint32_t)total;
        total += h.nptr;
        rt_object o = { h.base, h.size };
        memcpy(&objs[i], &o, sizeof o); /* memcpy: the bytes were an hd_obj */
        if (total > UINT32_MAX - (1u << 24)) {
            L.objs = NULL;
            m->objects = objs;
            rc = RT_FAIL(err, RT_E_UNSUPPORTED, "more than 4 billion pointers");
            goto out;
        }
    }
    L.objs = NULL;
    m->objects = rt_reallocarray(objs, (size_t)m->nobj + 1, sizeof *m->objects);
    m->edge_start[m->nobj] = (uint32_t)total;
    m->edge_dst = rt_malloc((size_t)(total ? total : 1) * sizeof *m->edge_dst);
    m->edge_off = rt_malloc((size_t)(total ? total : 1) * sizeof *m->edge_off);
    model_build_index(m);
    if (L.ntype)
        qsort(L.types, L.ntype, sizeof *L.types, cmp_type);

    if (L.ty) {
        L.obj_off = rt_malloc(((size_t)m->nobj + 1) * sizeof *L.obj_off);
        memset(L.obj_off, 0xff, ((size_t)m->nobj + 1) * sizeof *L.obj_off);
    }
    uint32_t *actual = rt_calloc((size_t)m->nobj + 1, sizeof *actual);
    rc = pass2(&L, actual, err);
    if (rc == 0)
        compact_edges(m, actual);
    free(actual);
    if (rc)
        goto out;
    m->edge_dst = rt_reallocarray(m->edge_dst, m->nedge + 1, sizeof *m->edge_dst);
    m->edge_off = rt_reallocarray(m->edge_off, m->nedge + 1, sizeof *m->edge_off);

    hd_finish_roots(&L);
    attach_samples(&L);
    model_sides_done(m); /* types and sites are all set */
    /* the pruning after the types (they follow every edge), its search
     * beside them */
    types_job tj = { &L, propagate ? propagate : ty_propagate };
    rootset_prune_beside(&L.rs, m, threads, want_reverse, run_types, &tj);
    if (L.nobj && gv_malloc_headers(&L.ver) && m->heap_objects_runtime &&
        m->heap_objects_runtime != m->nobj && !m->partial)
        model_warn(m, "%u objects in the dump, but the runtime counted %llu (MemStats.HeapObjects)",
                   m->nobj, (unsigned long long)m->heap_objects_runtime);
out:
    hd_close(&L.p);
    free_load(&L);
    if (rc)
        rt_error_where(err, path, RT_NO_OFFSET, NULL);
    return rc;
}

/* The dump with what else was given: names and types from the DWARF and
 * symbols of the executable or of its debug file (or --symbols); without
 * either the dump is read with neither. */
int heapdump_load_inputs(rt_model *m, rt_inputs *in, const rt_progress *prog, rt_error *err)
{
    elf_symtab names;
    const elf_symtab *syms = NULL;
    int own_names = 0, rc;
    /* names and types from the DWARF and symbols of the executable or of
     * its debug file; without either the dump is read with neither */
    exe_file *src = NULL;
    if (in->exe_handle) {
        rt_error e2;
        if (elf_debug_source(in->exe_handle, in->debug_dirs, &src, &e2) != 0)
            src = in->exe_handle; /* a stripped executable still checks the dump */
        if ((rc = exe_symtab(src, &syms, err)) != 0)
            return rc;
        if (in->symbols && src == in->exe_handle && !syms->has_symtab) {
            /* --symbols: names from an unstripped build of the same source */
            if ((rc = elf_symtab_load(&names, in->symbols, err)) != 0)
                return rc;
            if ((rc = elf_symtab_adopt(&names, syms, in->symbols, in->exe, err)) != 0) {
                elf_symtab_free(&names);
                return rc;
            }
            syms = &names;
            own_names = 1;
        }
    }
    rc = heapdump_load(m, in->dump, in->dump_fd, syms, in->exe_handle, src, in->propagate, in->threads, in->want_reverse, prog, err);
    if (rc == 0 && syms)
        hd_expand_inline(m, in->exe_handle, syms);
    if (own_names)
        elf_symtab_free(&names);
    return rc;
}
