/* frame_roots.c — one stack frame's roots, by DWARF local (frame_roots.h). */
#include "loaders/frame_roots.h"

void frame_roots_init(frame_roots *f)
{
    f->frame_root = RT_NONE;
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

uint32_t frame_root_for(frame_roots *f, uint64_t addr, uint64_t *base)
{
    uint64_t start, size;
    char name[128];
    const dw_local *v = dwl_slot_at(f->df, f->lookup_pc, f->cfa, addr, &start, &size);
    if (!v || !dwl_var_name(v, name, sizeof name)) {
        *base = f->sp;
        if (f->frame_root == RT_NONE)
            f->frame_root = new_root(f, f->sp, f->size, NULL);
        return f->frame_root;
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
