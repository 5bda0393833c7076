/* frame_roots.c — one stack frame's roots, by DWARF local (frame_roots.h). */
#include "loaders/frame_roots.h"

#include <stdio.h>
#include <string.h>

void frame_roots_init(frame_roots *f)
{
    f->nvars = 0;
}

static uint32_t new_root(frame_roots *f, uint64_t addr, uint64_t size, const char *var)
{
    uint32_t root = rootset_add(f->rs, RT_ROOT_STACK, addr);
    rt_root *r = &f->rs->roots[root];
    r->goroutine = f->goroutine;
    r->function = f->function;
    r->size = size;
    r->conservative = (uint8_t)(f->conservative != 0);
    if (var)
        r->variable = strpool_intern_cstr(f->strings, var);
    return root;
}

/* The names of v and of every other local in the same slot at this pc
 * ("ref, otherRef"), each once; NULL if v has none. */
static const char *slot_names(const frame_roots *f, const dw_local *v, uint64_t addr, uint64_t start,
                              char *buf, size_t n)
{
    if (!dwl_var_name(v, buf, n))
        return NULL;
    size_t len = strlen(buf);
    uint64_t s2, z2;
    for (const dw_local *w = v; (w = dwl_slot_next(f->df, w, f->lookup_pc, f->cfa, addr, &s2, &z2)) != NULL;) {
        char name[128];
        if (s2 != start || !dwl_var_name(w, name, sizeof name))
            continue;
        /* parts of one variable ("buf.ptr", "buf.len") share its name */
        const char *p = buf;
        size_t nl = strlen(name);
        int seen = 0;
        while (*p && !seen) {
            size_t k = strcspn(p, ",");
            seen = k == nl && memcmp(p, name, nl) == 0;
            p += k;
            while (*p == ',' || *p == ' ')
                p++;
        }
        if (!seen && len + 2 + nl < n) {
            snprintf(buf + len, n - len, ", %s", name);
            len += 2 + nl;
        }
    }
    return buf;
}

uint32_t frame_root_for(frame_roots *f, uint64_t addr, uint64_t *base)
{
    uint64_t start, size;
    char name[256];
    const dw_local *v = dwl_slot_at(f->df, f->lookup_pc, f->cfa, addr, &start, &size);
    if (!v || !slot_names(f, v, addr, start, name, sizeof name)) {
        /* a word no variable covers (a spill slot, a compiler temporary):
         * a root of its own, named by its place in the frame */
        char word[48];
        snprintf(word, sizeof word, "frame+0x%llx", (unsigned long long)(addr - f->sp));
        *base = addr;
        return new_root(f, addr, 8, word);
    }
    *base = start;
    for (size_t i = 0; i < f->nvars; i++)
        if (f->vars[i] == v)
            return f->var_roots[i];
    uint32_t root = new_root(f, start, size, name);
    if (v->inline_func && *v->inline_func) /* a variable of an inlined call */
        f->rs->roots[root].function = strpool_intern_cstr(f->strings, v->inline_func);
    if (f->types)
        f->rs->roots[root].type = ty_from_dwarf(f->types, v->type);
    if (f->nvars < FRAME_ROOTS_VARS) {
        f->vars[f->nvars] = v;
        f->var_roots[f->nvars++] = root;
    }
    return root;
}
