/* gocore_iface_seeds.c — types for a core read without DWARF, from the
 * interface values in its memory (loaders/typing/typing_rtypes.h).
 *
 * With DWARF, typed roots seed the propagation and interfaces are typed
 * where a typed parent holds them.  Without, nothing but malloc headers
 * (1.22+) states a type, and Go 1.19–1.21 heaps would stay untyped.  But
 * an interface value is its own evidence: two words, the first a runtime
 * type descriptor (eface) or an itab whose second word is one (iface),
 * the second a pointer to the value.  The descriptors lie between the
 * first module's types and etypes. */
#include "loaders/gocore/gocore_int.h"

void gc_iface_seeds(gc_load *L)
{
    rt_model *m = L->m;
    const gc_layout *y = &L->lay;
    if (L->dw || !y->type_names_ok)
        return;
    uint64_t lo = ec_read_u64_or(L->core, L->glob.firstmoduledata + y->md_types, 0);
    uint64_t hi = ec_read_u64_or(L->core, L->glob.firstmoduledata + y->md_etypes, 0);
    ty_mem mem = { gc_mem_read, NULL, NULL, NULL, L, 1, NULL };
    uint64_t seeded = ty_iface_seeds(L->rtypes, m, &mem, lo, hi);
    if (seeded)
        model_warn(m, "without DWARF, %llu objects were typed from the interface values pointing at them",
                   (unsigned long long)seeded);
}
