/* gocore_roots.c — roots of a Go core: global variables, goroutine
 * stacks (walked frame by frame in gocore_stacks.c) and registers.
 *
 * Globals: every module's data and bss with the pointer masks the
 * runtime built at start-up (moduledata.gcdatamask/gcbssmask: a
 * bitvector {n int32, bytedata *uint8}, one bit per word); each pointer
 * word belongs to the DWARF variable that contains it.
 *
 * Stacks: each live goroutine's walk starts where it stopped: its saved
 * syscall or scheduler registers, or, for one that was running, its
 * thread's registers or the ones a signal handler saved.  Registers of
 * threads and of signal contexts are roots too, scanned conservatively
 * (a register holds no type). */
#include <stdio.h>
#include <string.h>

#include "gopclntab/gopclntab.h"
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
    if (ec_extent(L->core, start, nwords * 8) < nwords * 8)
        L->globals_lost = 1;
    if (nwords > (1ULL << 32))
        return; /* no segment is this large: a corrupt mask */
    uint8_t *bits = model_add_ptrmask(m, start, nwords);
    const dw_var *last = NULL;
    const elf_sym *last_sym = NULL;
    uint32_t root = 0;
    uint8_t byte = 0;
    for (uint64_t w = 0; w < nwords; w++) {
        if (w % 8 == 0) {
            if (ec_read(L->core, bytedata + w / 8, &byte, 1, &e))
                return;
            bits[w / 8] = byte;
        }
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
                L->rs.roots[root].type = ty_from_dwarf(L->ty, var->type);
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
        } else if (L->glob.allgs && addr >= L->glob.allgs && addr < L->glob.allgs + 24) {
            /* found without symbols (gocore_globals.c): named, so that it
             * counts as the registry it is */
            base = L->glob.allgs;
            if (addr == base) {
                root = rootset_add(&L->rs, RT_ROOT_GLOBAL, base);
                L->rs.roots[root].name = strpool_intern_cstr(m->strings, "runtime.allgs");
                L->rs.roots[root].size = 24;
            }
            last = NULL;
            last_sym = NULL;
        } else {
            base = addr;
            root = rootset_add_unnamed(&L->rs, m, seg, addr, addr - start);
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
    uint64_t md = L->glob.firstmoduledata;
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

/* The registers a signal interrupted in [lo, hi).  A crashing
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
 * (REG_RBP +120, REG_RSP +160, REG_RIP +168).  The ucontext's address,
 * or 0 if none. */
static uint64_t signal_regs(gc_load *L, uint64_t lo, uint64_t hi, uint64_t *pc, uint64_t *sp)
{
    for (size_t t = 0; t < ec_nthreads(L->core); t++) {
        uint64_t rsp = ec_thread_at(L->core, t)->regs.rsp & ~7ULL;
        for (uint64_t uc = rsp; uc < rsp + 65536; uc += 8) {
            uint64_t s = ec_read_u64_or(L->core, uc + 160, 0);
            if (s < lo || s >= hi)
                continue;
            uint64_t ss_sp = ec_read_u64_or(L->core, uc + 16, 0);
            uint64_t ss_size = ec_read_u64_or(L->core, uc + 32, 0);
            if (ec_read_u64_or(L->core, uc + 8, 1) != 0 || ss_size > (1u << 24) ||
                rsp < ss_sp || rsp >= ss_sp + ss_size || uc + 176 > ss_sp + ss_size)
                continue;
            uint64_t rip = ec_read_u64_or(L->core, uc + 168, 0);
            uint64_t rbp = ec_read_u64_or(L->core, uc + 120, 1);
            const ec_map *mp = ec_find_map(L->core, rip);
            if (mp && (mp->perms & EC_PERM_X) && (rbp == 0 || (rbp >= s && rbp < hi))) {
                *pc = rip;
                *sp = s;
                return uc;
            }
        }
    }
    return 0;
}

/* The general registers a signal saved (23 gregs at uc + 40): the
 * interrupted frame's live values. */
static void signal_register_root(gc_load *L, const rt_goroutine *gr, uint64_t uc)
{
    uint32_t root = rootset_add(&L->rs, RT_ROOT_STACK, uc + 40);
    L->rs.roots[root].goroutine = gr->id;
    L->rs.roots[root].variable = strpool_intern_cstr(L->m->strings, "(registers at the signal)");
    L->rs.roots[root].conservative = 1;
    for (uint64_t k = 0; k < 23; k++) {
        uint64_t v = ec_read_u64_or(L->core, uc + 40 + 8 * k, 0);
        if (v && model_find(L->m, v) != RT_NONE)
            rootset_word(&L->rs, root, 8 * k, v);
    }
}

/* Where the goroutine's innermost frame is: (pc, sp), and whether a
 * signal stopped it there.  0 if unknown. */
static int goroutine_start(gc_load *L, const rt_goroutine *gr, uint64_t g, int64_t status, uint64_t lo,
                           uint64_t hi, uint64_t *pc, uint64_t *sp, int *interrupted)
{
    const gc_layout *y = &L->lay;
    *interrupted = 0;
    if (status == y->g_running) {
        /* its saved registers are stale: take its thread's, or the ones
         * its signal handler saved */
        for (size_t t = 0; t < ec_nthreads(L->core); t++) {
            const ec_thread *th = ec_thread_at(L->core, t);
            if (th->regs.rsp >= lo && th->regs.rsp < hi) {
                *pc = th->regs.rip;
                *sp = th->regs.rsp;
                *interrupted = 1;
                return 1;
            }
        }
        uint64_t uc = signal_regs(L, lo, hi, pc, sp);
        if (uc) {
            signal_register_root(L, gr, uc);
            *interrupted = 1;
            return 1;
        }
        return 0;
    }
    *sp = ec_read_u64_or(L->core, g + y->g_syscallsp, 0);
    if (*sp) {
        *pc = y->has_unwind ? ec_read_u64_or(L->core, g + y->g_syscallpc, 0) : 0;
    } else {
        *sp = ec_read_u64_or(L->core, g + y->g_sched_sp, 0);
        *pc = y->has_unwind ? ec_read_u64_or(L->core, g + y->g_sched_pc, 0) : 0;
    }
    return *sp >= lo && *sp < hi && *pc;
}

/* What `goroutines` shows beyond the roots: the go statement that made
 * it, what it waits for and since when, its stack's size. */
static void goroutine_info(gc_load *L, rt_goroutine *gr, uint64_t g, uint64_t lo, uint64_t hi)
{
    const gc_layout *y = &L->lay;
    rt_model *m = L->m;
    gr->stack_bytes = hi - lo;
    if (!y->ginfo_ok)
        return;
    gr->gopc = ec_read_u64_or(L->core, g + y->g_gopc, 0);
    gr->wait_since = (int64_t)ec_read_u64_or(L->core, g + y->g_waitsince, 0);
    if (gr->wait_since > m->clock_ns)
        m->clock_ns = gr->wait_since;
    gp_frame f[8];
    if (gr->gopc > L->bias && L->pcln) {
        /* the call's own line: one before the return address, as the runtime's traceback does */
        size_t n = gp_frames(L->pcln, gr->gopc - L->bias - 1, f, 8);
        if (n)
            gr->created_by = (rt_frame){ strpool_intern_cstr(m->strings, f[0].function),
                                         strpool_intern_cstr(m->strings, f[0].file),
                                         f[0].line > 0 ? (uint32_t)f[0].line : 0 };
    }
    uint8_t reason = 0;
    rt_error e;
    if (L->glob.waitreasons && ec_read(L->core, g + y->g_waitreason, &reason, 1, &e) == 0 &&
        reason < y->waitreasons_len) {
        uint64_t s = ec_read_u64_or(L->core, L->glob.waitreasons + 16 * reason, 0);
        uint64_t len = ec_read_u64_or(L->core, L->glob.waitreasons + 16 * reason + 8, 0);
        char buf[128];
        if (len && len < sizeof buf && ec_read(L->core, s, buf, (size_t)len, &e) == 0)
            gr->wait_reason = strpool_intern(m->strings, buf, (size_t)len);
    }
}

int gc_roots_stacks(gc_load *L, rt_error *err)
{
    const gc_layout *y = &L->lay;
    rt_model *m = L->m;
    uint64_t arr = ec_read_u64_or(L->core, L->glob.allgs, 0);
    uint64_t len = ec_read_u64_or(L->core, L->glob.allgs + 8, 0);
    /* one pointer per goroutine, all in the memory the core holds at arr */
    if (len > (1u << 24) || ec_extent(L->core, arr, len * 8) < len * 8) {
        rt_error_where(err, L->core_path, RT_NO_OFFSET, "reading runtime.allgs");
        return RT_FAIL(err, RT_E_CORRUPT,
                       "runtime.allgs (at 0x%llx) claims %llu goroutines, more than the memory at "
                       "0x%llx holds (%llu); the core is corrupt",
                       (unsigned long long)L->glob.allgs, (unsigned long long)len, (unsigned long long)arr,
                       (unsigned long long)(ec_extent(L->core, arr, 8ULL << 24) / 8));
    }
    size_t cap = 0, unwound = 0, partial = 0, inverted = 0, repeated = 0;
    uint64_t prev_g = 0;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t g = ec_read_u64_or(L->core, arr + 8 * i, 0);
        /* allgs lists each g once; the same g again (a damaged list) would
         * only repeat its roots */
        if (g && g == prev_g) {
            repeated++;
            continue;
        }
        prev_g = g;
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
        if (hi <= lo) {
            inverted++; /* a damaged g: its stack cannot be read */
            continue;
        }
        if (ec_extent(L->core, lo, hi - lo) < hi - lo)
            L->stacks_lost++;
        RT_GROW(m->goroutines, cap, (size_t)m->ngoroutine + 1);
        rt_goroutine *gr = &m->goroutines[m->ngoroutine++];
        memset(gr, 0, sizeof *gr);
        gr->id = ec_read_u64_or(L->core, g + y->g_goid, 0);
        gr->gaddr = g;
        gr->status = status;
        goroutine_info(L, gr, g, lo, hi);
        gr->frame_start = m->nframe;
        if (y->has_startpc) {
            uint64_t pc = ec_read_u64_or(L->core, g + y->g_startpc, 0);
            const dw_func *f = pc ? dwi_func_at(L->dw, pc - L->bias) : NULL;
            if (f && f->name)
                gr->start_function = strpool_intern_cstr(m->strings, f->name);
        }
        uint64_t pc = 0, sp = 0;
        int interrupted = 0;
        uint32_t panicked_in = 0;
        if (goroutine_start(L, gr, g, (int64_t)status, lo, hi, &pc, &sp, &interrupted)) {
            if (gc_stack_walk(L, gr, lo, hi, pc, sp, interrupted, &panicked_in) == 0)
                unwound++;
            else
                partial++;
        } else {
            /* nowhere to start: all of the stack, as a conservative scan */
            gc_stack_conservative(L, gr, sp >= lo && sp < hi ? sp : lo, hi);
            partial++;
        }
        if (!gr->user_function)
            gr->user_function = gr->start_function;
        gc_roots_owned(L, gr, g, panicked_in);
    }
    if (L->stacks_lost || L->globals_lost) {
        char stacks[64] = "";
        if (L->stacks_lost)
            snprintf(stacks, sizeof stacks, "%u goroutine stack%s", L->stacks_lost,
                     L->stacks_lost == 1 ? "" : "s");
        snprintf(m->roots_lost, sizeof m->roots_lost, "%s%s%s", stacks,
                 L->stacks_lost && L->globals_lost ? " and " : "",
                 L->globals_lost ? "globals (data or bss not in the core)" : "");
    }
    /* a moment close to the core's: the latest network poll, or the
     * latest start of a wait */
    if (L->lay.ginfo_ok && L->glob.sched) {
        int64_t poll = (int64_t)ec_read_u64_or(L->core, L->glob.sched + L->lay.sched_lastpoll, 0);
        if (poll > m->clock_ns)
            m->clock_ns = poll;
    }
    if (inverted)
        model_warn(m, "%zu goroutines have an empty or inverted stack (stack.hi <= stack.lo): their stacks "
                      "are not roots; the core may be damaged", inverted);
    if (repeated)
        model_warn(m, "runtime.allgs lists the same goroutine %zu times in a row; the repeats were "
                      "skipped (the core may be damaged)", repeated);
    if (partial)
        model_warn(m, "%zu of %zu goroutine stacks could not be unwound to their end; what lies above "
                      "the last frame is scanned conservatively", partial, partial + unwound);
    /* registers of every thread: the innermost frames' live values */
    for (size_t t = 0; t < ec_nthreads(L->core); t++) {
        const ec_thread *th = ec_thread_at(L->core, t);
        const uint64_t *r = (const uint64_t *)&th->regs;
        char name[48];
        snprintf(name, sizeof name, "thread %d registers", th->tid);
        uint32_t root = rootset_add(&L->rs, RT_ROOT_RUNTIME, 0);
        L->rs.roots[root].name = strpool_intern_cstr(m->strings, name);
        L->rs.roots[root].conservative = 1;
        for (size_t k = 0; k < sizeof th->regs / 8; k++)
            if (r[k] && model_find(m, r[k]) != RT_NONE)
                rootset_word(&L->rs, root, 8 * k, r[k]);
    }
    return 0;
}
