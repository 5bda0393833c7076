/* gocore_specials.c — the special records of a span: the runtime keeps
 * per-object extras (memory-profile samples, finalizers, cleanups, weak
 * handles, ...) off the heap, in a list on the object's span
 * (mspan.specials), each record starting with a runtime.special {next,
 * offset of the object in the span, kind}.  Allocation sites
 * (gocore_sites.c) and finalizer roots (gocore_finalizers.c) both walk it.
 *
 * Every record is read through the bounds-checked core reader; a list
 * that does not end (a cycle in a corrupt core) is cut. */
#include "loaders/gocore/gocore_int.h"

int gc_span_specials(gc_load *L, size_t k, gc_special_fn fn, void *ctx)
{
    const gc_layout *y = &L->lay;
    const gc_span *s = &L->spans[k];
    uint64_t limit = 64 * s->nelems + 1024; /* more than any real list: a cycle ends here */
    uint64_t p = s->specials;
    for (uint64_t i = 0; p; i++) {
        if (i == limit)
            return -1;
        uint8_t kind = 0;
        uint64_t off = 0; /* little-endian: a narrower field fills its low bytes */
        rt_error e;
        if (ec_read(L->core, p + y->spc_kind, &kind, 1, &e) ||
            ec_read(L->core, p + y->spc_offset, &off, y->spc_offset_size, &e))
            return -1;
        fn(L, k, p, kind, off, ctx);
        p = ec_read_u64_or(L->core, p + y->spc_next, 0);
    }
    return 0;
}
