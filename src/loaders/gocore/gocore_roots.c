/* gocore_roots.c — roots of a Go core: global variables, and goroutine
 * stacks scanned conservatively until precise stack maps are read.
 *
 * Globals: every module's data and bss with the pointer masks the
 * runtime built at start-up (moduledata.gcdatamask/gcbssmask: a
 * bitvector {n int32, bytedata *uint8}, one bit per word); each pointer
 * word belongs to the DWARF variable that contains it.
 *
 * Stacks: every word between a goroutine's saved stack pointer and the
 * top of its stack that points into an object.  Conservative, so nothing
 * live looks unreachable; such roots say "conservative". */
#include <stdio.h>
#include <string.h>

#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"

static void segment_roots(gc_load *L, const char *seg, uint64_t start, uint64_t end, uint64_t mask,
                          uint64_t bias)
{
    rt_model *m = L->m;
    int32_t nbits = 0;
    rt_error e;
    uint64_t bytedata = ec_read_u64_or(L->core, mask + 8, 0);
    if (ec_read(L->core, mask, &nbits, 4, &e) || nbits <= 0 || !bytedata || end < start)
        return;
    uint64_t nwords = (end - start) / 8;
    if ((uint64_t)nbits < nwords)
        nwords = (uint64_t)nbits;
    const dw_var *last = NULL;
    const elf_sym *last_sym = NULL;
    uint32_t root = 0;
    uint8_t byte = 0;
    for (uint64_t w = 0; w < nwords; w++) {
        if (w % 8 == 0 && ec_read(L->core, bytedata + w / 8, &byte, 1, &e))
            return;
        if (!(byte >> (w % 8) & 1))
            continue;
        uint64_t addr = start + 8 * w, v;
        if (ec_read_u64(L->core, addr, &v, &e) || v == 0)
            continue;
        const dw_var *var = dwi_global_at(L->dw, addr - bias);
        const elf_sym *sym = !var && L->have_syms ? elf_symtab_find(&L->syms, addr - bias) : NULL;
        uint64_t base;
        if (var) {
            base = var->addr + bias;
            if (var != last) {
                root = rootset_add(&L->rs, RT_ROOT_GLOBAL, base);
                L->rs.roots[root].name = strpool_intern_cstr(m->strings, var->name);
                L->rs.roots[root].size = var->size;
                last = var;
                last_sym = NULL;
            }
        } else if (sym) {
            base = sym->addr + bias;
            if (sym != last_sym) {
                root = rootset_add(&L->rs, RT_ROOT_GLOBAL, base);
                L->rs.roots[root].name = strpool_intern_cstr(m->strings, sym->name);
                L->rs.roots[root].size = sym->size;
                last_sym = sym;
                last = NULL;
            }
        } else {
            char name[64];
            snprintf(name, sizeof name, "%s+0x%llx", seg, (unsigned long long)(addr - start));
            base = addr;
            root = rootset_add(&L->rs, RT_ROOT_GLOBAL, addr);
            L->rs.roots[root].name = strpool_intern_cstr(m->strings, name);
            L->rs.roots[root].size = 8;
            last = NULL;
            last_sym = NULL;
        }
        rootset_word(&L->rs, root, addr - base, v);
    }
}

int gc_roots_globals(gc_load *L, rt_error *err)
{
    const gc_layout *y = &L->lay;
    uint64_t bias = L->bias;
    uint64_t md = y->firstmoduledata;
    for (int n = 0; md && n < 1024; n++) {
        uint64_t data = ec_read_u64_or(L->core, md + y->md_data, 0);
        uint64_t edata = ec_read_u64_or(L->core, md + y->md_edata, 0);
        uint64_t bss = ec_read_u64_or(L->core, md + y->md_bss, 0);
        uint64_t ebss = ec_read_u64_or(L->core, md + y->md_ebss, 0);
        segment_roots(L, "data", data, edata, md + y->md_gcdatamask, bias);
        segment_roots(L, "bss", bss, ebss, md + y->md_gcbssmask, bias);
        md = ec_read_u64_or(L->core, md + y->md_next, 0);
    }
    (void)err;
    return 0;
}

/* Conservative scan of [lo, hi) as one root. */
static void scan_range(gc_load *L, uint32_t root, uint64_t lo, uint64_t hi)
{
    const rt_model *m = L->m;
    lo = (lo + 7) & ~7ULL;
    if (hi - lo > (1ULL << 30))
        return; /* no goroutine stack is this large: corrupt bounds */
    const uint8_t *view = ec_view(L->core, lo, (size_t)(hi - lo));
    for (uint64_t p = lo; p + 8 <= hi; p += 8) {
        uint64_t v;
        if (view)
            memcpy(&v, view + (p - lo), 8);
        else
            v = ec_read_u64_or(L->core, p, 0);
        if (v && model_find(m, v) != RT_NONE)
            rootset_word(&L->rs, root, p - lo, v);
    }
}

/* The stack pointer a signal interrupted in [lo, hi).  A crashing
 * goroutine's thread runs the signal handler on its signal stack, so
 * neither the thread's rsp nor g.sched.sp points into the goroutine's
 * stack; the kernel saved the interrupted registers in a ucontext on the
 * signal stack.  Look for one above each thread's rsp.  The runtime's own
 * structures on those stacks (gobufs, stack bounds, unwinder state) also
 * hold words that point into goroutine stacks, so a candidate must look
 * like a whole ucontext: uc_link 0, a uc_stack (sigaltstack) that contains
 * both the thread's rsp and the ucontext itself, a saved rip in executable
 * memory and a frame pointer that is 0 or inside the stack above sp.
 * Offsets: uc_link +8, uc_stack.ss_sp +16, ss_size +32, gregs at +40
 * (REG_RBP +120, REG_RSP +160, REG_RIP +168).  0 if none. */
static uint64_t signal_sp(gc_load *L, uint64_t lo, uint64_t hi)
{
    for (size_t t = 0; t < ec_nthreads(L->core); t++) {
        uint64_t rsp = ec_thread_at(L->core, t)->regs.rsp & ~7ULL;
        for (uint64_t uc = rsp; uc < rsp + 65536; uc += 8) {
            uint64_t sp = ec_read_u64_or(L->core, uc + 160, 0);
            if (sp < lo || sp >= hi)
                continue;
            uint64_t ss_sp = ec_read_u64_or(L->core, uc + 16, 0);
            uint64_t ss_size = ec_read_u64_or(L->core, uc + 32, 0);
            if (ec_read_u64_or(L->core, uc + 8, 1) != 0 || ss_size > (1u << 24) ||
                rsp < ss_sp || rsp >= ss_sp + ss_size || uc + 176 > ss_sp + ss_size)
                continue;
            uint64_t rip = ec_read_u64_or(L->core, uc + 168, 0);
            uint64_t rbp = ec_read_u64_or(L->core, uc + 120, 1);
            const ec_map *mp = ec_find_map(L->core, rip);
            if (mp && (mp->perms & EC_PERM_X) && (rbp == 0 || (rbp >= sp && rbp < hi)))
                return sp;
        }
    }
    return 0;
}

int gc_roots_stacks(gc_load *L, rt_error *err)
{
    const gc_layout *y = &L->lay;
    rt_model *m = L->m;
    uint64_t arr = ec_read_u64_or(L->core, y->allgs, 0);
    uint64_t len = ec_read_u64_or(L->core, y->allgs + 8, 0);
    if (len > (1u << 24))
        return RT_FAIL(err, RT_E_CORRUPT, "runtime.allgs claims %llu goroutines", (unsigned long long)len);
    uint32_t var = strpool_intern_cstr(m->strings, "(scanned conservatively)");
    size_t cap = 0;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t g = ec_read_u64_or(L->core, arr + 8 * i, 0);
        uint32_t status = 0;
        rt_error e;
        if (!g || ec_read(L->core, g + y->g_status, &status, 4, &e))
            continue;
        status &= ~0x1000u; /* _Gscan */
        if ((int64_t)status == y->g_dead || (int64_t)status == y->g_idle ||
            (int64_t)status == y->g_deadextra)
            continue;
        uint64_t lo = ec_read_u64_or(L->core, g + y->g_stack_lo, 0);
        uint64_t hi = ec_read_u64_or(L->core, g + y->g_stack_hi, 0);
        uint64_t sp = ec_read_u64_or(L->core, g + y->g_syscallsp, 0);
        uint64_t goid = ec_read_u64_or(L->core, g + y->g_goid, 0);
        if (!sp)
            sp = ec_read_u64_or(L->core, g + y->g_sched_sp, 0);
        /* a running goroutine's saved sp is stale: take its thread's, or
         * the one its signal handler saved */
        if ((int64_t)status == y->g_running) {
            uint64_t found = 0;
            for (size_t t = 0; t < ec_nthreads(L->core); t++) {
                uint64_t rsp = ec_thread_at(L->core, t)->regs.rsp;
                if (rsp >= lo && rsp < hi)
                    found = rsp;
            }
            if (!found)
                found = signal_sp(L, lo, hi);
            if (found)
                sp = found;
        }
        if (sp < lo || sp >= hi)
            sp = lo;
        if (hi <= lo)
            continue;
        RT_GROW(m->goroutines, cap, (size_t)m->ngoroutine + 1);
        rt_goroutine *gr = &m->goroutines[m->ngoroutine++];
        memset(gr, 0, sizeof *gr);
        gr->id = goid;
        gr->gaddr = g;
        gr->status = status;
        /* what the goroutine runs names it until stacks are unwound */
        if (y->has_startpc) {
            uint64_t pc = ec_read_u64_or(L->core, g + y->g_startpc, 0);
            const dw_func *f = pc ? dwi_func_at(L->dw, pc - L->bias) : NULL;
            if (f && f->name)
                gr->start_function = strpool_intern_cstr(m->strings, f->name);
        }
        uint32_t root = rootset_add(&L->rs, RT_ROOT_STACK, sp);
        L->rs.roots[root].goroutine = goid;
        L->rs.roots[root].function = gr->start_function;
        L->rs.roots[root].variable = var;
        L->rs.roots[root].conservative = 1;
        L->rs.roots[root].size = hi - sp;
        scan_range(L, root, sp, hi);
    }
    /* registers of every thread: the innermost frames' live values */
    uint32_t regs = strpool_intern_cstr(m->strings, "(registers)");
    for (size_t t = 0; t < ec_nthreads(L->core); t++) {
        const ec_thread *th = ec_thread_at(L->core, t);
        const uint64_t *r = (const uint64_t *)&th->regs;
        char name[48];
        snprintf(name, sizeof name, "thread %d registers", th->tid);
        uint32_t root = rootset_add(&L->rs, RT_ROOT_RUNTIME, 0);
        L->rs.roots[root].name = strpool_intern_cstr(m->strings, name);
        L->rs.roots[root].variable = regs;
        L->rs.roots[root].conservative = 1;
        for (size_t k = 0; k < sizeof th->regs / 8; k++)
            if (r[k] && model_find(m, r[k]) != RT_NONE)
                rootset_word(&L->rs, root, 8 * k, r[k]);
    }
    return 0;
}
