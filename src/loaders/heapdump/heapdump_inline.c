/* heapdump_inline.c — a heap dump's allocation stacks as cores and pprof
 * show them.  The dump records each frame as its physical function with
 * the file and line of the innermost code at its pc (runtime/heapdump.go,
 * dumpmemprof_callback), so an allocation in code inlined into main.login
 * reads "main.login main.go:82" where line 82 is in main.logEvent.  With
 * the executable's pc-value table and inline trees, each such frame
 * becomes its chain of inlined calls, innermost first: the first pc of
 * the physical function whose innermost position is that file and line
 * (gp_pc_of_line) is expanded like any return address. */
#include <stdlib.h>
#include <string.h>

#include "loaders/heapdump/heapdump_int.h"
#include "util/alloc.h"
#include "util/hash.h"

#define MAX_INLINE 32

/* Functions of the table by name. */
typedef struct name_index {
    uint32_t *slots; /* function index + 1, 0 = empty */
    size_t cap;
} name_index;

static void index_build(name_index *x, const gp_table *t)
{
    uint32_t n = gp_nfunc(t);
    x->cap = 1;
    while (x->cap < 2 * (size_t)n + 2)
        x->cap *= 2;
    x->slots = rt_calloc(x->cap, sizeof *x->slots);
    gp_func f;
    for (uint32_t i = 0; i < n; i++) {
        if (gp_func_index(t, i, &f) != 0)
            continue;
        size_t k = rt_hash_bytes(f.name, strlen(f.name)) & (x->cap - 1);
        while (x->slots[k])
            k = (k + 1) & (x->cap - 1);
        x->slots[k] = i + 1;
    }
}

static int index_find(const name_index *x, const gp_table *t, const char *name, gp_func *out)
{
    size_t k = rt_hash_bytes(name, strlen(name)) & (x->cap - 1);
    for (; x->slots[k]; k = (k + 1) & (x->cap - 1))
        if (gp_func_index(t, x->slots[k] - 1, out) == 0 && strcmp(out->name, name) == 0)
            return 0;
    return -1;
}

/* The pc to expand the dump's innermost frame at.  The dump gives that
 * frame the line of its return address itself (the runtime moves only the
 * outer frames' pcs back into their call): the line after the call when
 * the call ended its line.  So: the first return address on that line
 * from a call into the runtime (the allocation: mallocgc, newobject,
 * growslice, ...; a pc right after a CALL rel32 to such a function), and
 * the call before it (pc - 1); else the line's first pc. */
static uint64_t leaf_pc(exe_file *exe, const gp_table *t, const gp_func *g, const char *file, uint32_t line,
                        uint64_t first)
{
    uint64_t start, end;
    uint8_t code[5];
    gp_func callee;
    for (size_t run = 0; run < 64 && gp_line_run(t, g, file, (int32_t)line, run, &start, &end) == 0; run++)
        for (uint64_t p = start; p < end && p < start + 4096; p++) {
            if (p < g->entry + 5 || exe_read(exe, p - 5, code, 5) != 0 || code[0] != 0xe8)
                continue;
            int32_t rel;
            memcpy(&rel, code + 1, 4);
            uint64_t to = p + (uint64_t)(int64_t)rel;
            if (gp_func_at(t, to, &callee) == 0 && strncmp(callee.name, "runtime.", 8) == 0)
                return p - 1;
        }
    return first;
}

/* One frame of the dump → its chain (into out, at most MAX_INLINE); the
 * count, 0 when it stays as it is.  leaf: the innermost frame of its stack. */
static size_t expand(rt_model *m, exe_file *exe, const gp_table *t, const name_index *x, const rt_frame *f,
                     int leaf, rt_frame *out)
{
    const char *fn = strpool_get(m->strings, f->function), *file = strpool_get(m->strings, f->file);
    gp_func g;
    uint64_t pc;
    gp_frame chain[MAX_INLINE];
    if (index_find(x, t, fn, &g) != 0 || gp_pc_of_line(t, &g, file, (int32_t)f->line, &pc) != 0)
        return 0;
    if (leaf)
        pc = leaf_pc(exe, t, &g, file, f->line, pc);
    size_t n = gp_frames(t, pc, chain, MAX_INLINE);
    if (n < 1 || n > MAX_INLINE || strcmp(chain[n - 1].function, fn) != 0 || (n == 1 && !leaf))
        return 0; /* nothing inlined there, or not the function the dump named */
    for (size_t i = 0; i < n; i++)
        out[i] = (rt_frame){ strpool_intern_cstr(m->strings, chain[i].function),
                             strpool_intern_cstr(m->strings, chain[i].file),
                             chain[i].line > 0 ? (uint32_t)chain[i].line : 0 };
    return n;
}

void hd_expand_inline(rt_model *m, exe_file *exe, const elf_symtab *syms)
{
    uint64_t gofunc = 0;
    if (!m->nsite || !exe || !syms)
        return;
    gofunc = elf_symtab_lookup(syms, "go:func.*");
    if (!gofunc)
        gofunc = elf_symtab_lookup(syms, "go.func.*"); /* Go 1.19 */
    gp_table *tab;
    rt_error e;
    if (!gofunc || exe_pcln(exe, gofunc, &tab, &e) != 0) {
        model_warn(m, "allocation stacks keep the dump's physical frames: the executable's %s",
                   gofunc ? "pc-value table cannot be read" : "symbol table has no go:func.* (stripped?)");
        return;
    }
    name_index x;
    index_build(&x, tab);
    /* the frames so far (goroutines' too) stay where they are; the sites'
     * expanded stacks follow them */
    size_t n = m->nframe, cap = m->nframe, expanded = 0;
    rt_frame *frames = rt_malloc((cap + 1) * sizeof *frames), buf[MAX_INLINE];
    memcpy(frames, m->frames, n * sizeof *frames);
    for (uint32_t k = 0; k < m->nsite; k++) {
        rt_site *s = &m->sites[k];
        size_t start = n;
        for (uint32_t i = 0; i < s->nframes; i++) {
            const rt_frame *f = &m->frames[s->frame_start + i];
            size_t got = expand(m, exe, tab, &x, f, i == 0, buf);
            RT_GROW(frames, cap, n + (got ? got : 1));
            if (got) {
                memcpy(frames + n, buf, got * sizeof *buf);
                n += got;
                expanded++;
                /* runtimes that record a pc per inlined frame (tracebackPCs)
                 * already list the outer ones, named by the physical
                 * function: those are this chain's rest, not more frames */
                uint32_t k = 1;
                while (k < got && i + k < s->nframes &&
                       m->frames[s->frame_start + i + k].function == f->function &&
                       m->frames[s->frame_start + i + k].line == buf[k].line)
                    k++;
                if (k == got)
                    i += (uint32_t)got - 1;
            } else {
                frames[n++] = *f;
            }
        }
        s->frame_start = (uint32_t)start;
        s->nframes = (uint32_t)(n - start);
    }
    free(m->frames);
    m->frames = frames;
    m->nframe = (uint32_t)n;
    for (uint32_t k = 0; k < m->nsite; k++)
        model_site_pick_alloc_frame(m, &m->sites[k]);
    free(x.slots);
    (void)expanded;
}
