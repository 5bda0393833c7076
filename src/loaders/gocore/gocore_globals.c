/* gocore_globals.c — where the runtime's globals are, and which Go
 * version wrote the core: from DWARF, else from the symbol table, else —
 * an executable built with -ldflags=-s -w, or stripped — from what every
 * Go binary keeps for its own runtime.
 *
 * Without symbols, each global is found by one rule, checked on every
 * tested toolchain against the symbol table of an unstripped build
 * (tests/unit/test_globals.c):
 *   version          .go.buildinfo's version string (Go 1.18+ layout);
 *   firstmoduledata  the word in .go.module (1.27+) or .noptrdata that
 *                    holds the address of .gopclntab (moduledata.pcHeader
 *                    is its first field), whose pclntable lies inside;
 *   mheap_           in runtime.mallocinit, the LEAQ whose result the next
 *                    instruction passes to runtime.(*mheap).init;
 *   allgs            in runtime.forEachG, the first RIP-relative MOVQ load
 *                    whose target plus 8 is loaded too (the slice's array
 *                    and length);
 *   MemProfileRate   in runtime.allocmcache, the first RIP-relative MOVQ
 *                    load, if it reads data or bss (1.19 sets the rate at
 *                    init: bss; later versions statically: noptrdata);
 *   allfin           in runtime.markroot, the first RIP-relative MOVQ load
 *                    whose target differs from the first one's
 *                    (modulesSlice), if that lies in bss or noptrbss;
 *   gcCleanups       (1.26+) in runtime.freeSpecial, the LEAQ whose next
 *                    instruction calls a runtime.(*cleanupQueue) method.
 * The functions come from the pc-value table, their code from the core
 * (or the executable's file, where the core left text out).  Each rule
 * checks its answer lies where such a global must (the bss sections,
 * noptrdata), and
 * an optional global that is not found only costs its roots, with a
 * warning. */
#include <stdlib.h>
#include <string.h>

#include "gopclntab/gopclntab.h"
#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"

#define CODE_MAX (256u << 10) /* longer runtime functions than this are not ours */

static int version_at(gc_load *L, uint64_t addr, rt_error *err)
{
    uint64_t ptr = 0, len = 0;
    char buf[sizeof L->ver.text];
    int rc;
    if ((rc = ec_read_u64(L->core, addr, &ptr, err)) || (rc = ec_read_u64(L->core, addr + 8, &len, err))) {
        rt_error_where(err, L->core_path, RT_NO_OFFSET, "reading runtime.buildVersion");
        return rc;
    }
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    if ((rc = ec_read(L->core, ptr, buf, (size_t)len, err)) != 0) {
        rt_error_where(err, L->core_path, RT_NO_OFFSET, "reading runtime.buildVersion");
        return rc;
    }
    buf[len] = 0;
    gv_parse(buf, &L->ver);
    return 0;
}

/* A global's run-time address by DWARF, else by symbol; 0 if neither. */
static uint64_t named(gc_load *L, const char *name)
{
    if (L->dw) {
        const dw_var *v = dwi_global(L->dw, name);
        return v ? v->addr + L->bias : 0;
    }
    uint64_t a = L->have_syms ? elf_symtab_lookup(&L->syms, name) : 0;
    return a ? a + L->bias : 0;
}

int gc_version_find(gc_load *L, rt_error *err)
{
    uint64_t addr = named(L, "runtime.buildVersion");
    if (addr)
        return version_at(L, addr, err);
    if (L->have_syms && L->syms.go_version[0]) {
        gv_parse(L->syms.go_version, &L->ver);
        return 0;
    }
    rt_error_where(err, L->exe_path, RT_NO_OFFSET, "finding the Go version");
    return RT_FAIL(err, RT_E_UNSUPPORTED, "the executable has no DWARF, no symbols and no .go.buildinfo "
                   "to tell its Go version; give its debug file or an unstripped build");
}

/* ---- without symbols ---------------------------------------------------- */

/* The moduledata in [lo, hi) whose first word points at .gopclntab. */
static uint64_t moduledata_in(gc_load *L, uint64_t lo, uint64_t hi)
{
    const gc_layout *y = &L->lay;
    uint64_t want = L->syms.sec_gopclntab + L->bias;
    for (uint64_t a = (lo + 7) & ~7ULL; lo && a + 8 <= hi; a += 8) {
        if (ec_read_u64_or(L->core, a, 0) != want)
            continue;
        uint64_t tab = ec_read_u64_or(L->core, a + y->md_pclntable, 0);
        uint64_t text = ec_read_u64_or(L->core, a + y->md_text, 0);
        if (tab >= want && tab - want < (1ULL << 30) && text)
            return a;
    }
    return 0;
}

/* firstmoduledata: in .go.module (1.27+) or .noptrdata. */
static uint64_t find_moduledata(gc_load *L)
{
    const elf_symtab *t = &L->syms;
    if (!t->sec_gopclntab)
        return 0;
    uint64_t md = t->sec_gomodule ? moduledata_in(L, t->sec_gomodule + L->bias, t->sec_egomodule + L->bias) : 0;
    if (!md && t->sec_noptrdata)
        md = moduledata_in(L, t->sec_noptrdata + L->bias, t->sec_enoptrdata + L->bias);
    return md;
}

/* The code of the function called name, read into *code (owned by the
 * caller); its run-time entry in *pc.  Length, 0 if not found. */
static size_t func_code(gc_load *L, const char *name, uint8_t **code, uint64_t *pc)
{
    uint32_t n = gp_nfunc(L->pcln);
    gp_func f;
    for (uint32_t i = 0; i < n; i++) {
        if (gp_func_index(L->pcln, i, &f) != 0 || strcmp(f.name, name) != 0)
            continue;
        if (f.end <= f.entry || f.end - f.entry > CODE_MAX)
            return 0;
        size_t len = (size_t)(f.end - f.entry);
        rt_error e;
        *code = rt_malloc(len);
        *pc = f.entry + L->bias;
        if (ec_read(L->core, *pc, *code, len, &e) != 0) {
            free(*code);
            *code = NULL;
            return 0;
        }
        return len;
    }
    return 0;
}

/* x86-64 instructions with a RIP-relative operand that the rules use:
 * REX.W (0x48/0x4c) + opcode + ModRM with mod 00, r/m 101 + disp32. */
enum { OP_LEA = 0x8d, OP_LOAD = 0x8b };

static int riprel(const uint8_t *c, size_t len, size_t i, uint8_t op, int64_t *disp)
{
    if (i + 7 > len || (c[i] != 0x48 && c[i] != 0x4c) || c[i + 1] != op || (c[i + 2] & 0xc7) != 0x05)
        return 0;
    int32_t d;
    memcpy(&d, c + i + 3, 4);
    *disp = d;
    return 1;
}

/* Run-time entry of the function a CALL rel32 at i reaches; 0 if none. */
static uint64_t call_target(const uint8_t *c, size_t len, size_t i, uint64_t pc)
{
    if (i + 5 > len || c[i] != 0xe8)
        return 0;
    int32_t d;
    memcpy(&d, c + i + 1, 4);
    return pc + i + 5 + (uint64_t)(int64_t)d;
}

/* The name of the function at run-time pc, "" if none. */
static const char *func_name(gc_load *L, uint64_t pc)
{
    gp_func f;
    return pc >= L->bias && gp_func_at(L->pcln, pc - L->bias, &f) == 0 && f.entry + L->bias == pc ? f.name : "";
}

/* In function fn: the target of a LEAQ followed directly by a call to a
 * function whose name starts with callee. */
static uint64_t lea_before_call(gc_load *L, const char *fn, const char *callee)
{
    uint8_t *c = NULL;
    uint64_t pc = 0, found = 0;
    size_t len = func_code(L, fn, &c, &pc);
    int64_t d;
    for (size_t i = 0; i + 12 <= len && !found; i++) {
        if (!riprel(c, len, i, OP_LEA, &d))
            continue;
        uint64_t to = call_target(c, len, i + 7, pc);
        if (to && strncmp(func_name(L, to), callee, strlen(callee)) == 0)
            found = pc + i + 7 + (uint64_t)d;
    }
    free(c);
    return found;
}

/* In function fn: the targets of its RIP-relative MOVQ loads, in order
 * (at most max). */
static size_t loads(gc_load *L, const char *fn, uint64_t *out, size_t max)
{
    uint8_t *c = NULL;
    uint64_t pc = 0;
    size_t len = func_code(L, fn, &c, &pc), n = 0;
    int64_t d;
    for (size_t i = 0; i + 7 <= len && n < max; i++)
        if (riprel(c, len, i, OP_LOAD, &d))
            out[n++] = pc + i + 7 + (uint64_t)d;
    free(c);
    return n;
}

static int within(uint64_t a, uint64_t lo, uint64_t hi) { return a && a >= lo && a < hi; }

/* In section k of ELF_SYMSECS (run-time address)? */
static int in_sec(gc_load *L, size_t k, uint64_t a)
{
    const struct elf_symsec *sc = &L->syms.secs[k];
    return sc->size && within(a, sc->addr + L->bias, sc->addr + L->bias + sc->size);
}

/* In noptrdata or data? */
static int in_data(gc_load *L, uint64_t a) { return in_sec(L, 2, a) || in_sec(L, 3, a); }

/* In the bss or noptrbss section (run-time address)? */
static int in_bss(gc_load *L, uint64_t a)
{
    return in_sec(L, 4, a) || in_sec(L, 5, a); /* ELF_SYMSECS: .bss, .noptrbss */
}

static int globals_from_code(gc_load *L, rt_error *err)
{
    gc_globals *g = &L->glob;
    const gc_layout *y = &L->lay;
    g->how = "code";
    if (!(g->firstmoduledata = find_moduledata(L))) {
        rt_error_where(err, L->exe_path, RT_NO_OFFSET, "finding runtime.firstmoduledata without symbols");
        return RT_FAIL(err, RT_E_UNSUPPORTED, "no module data points at the executable's .gopclntab; "
                       "give its debug file or an unstripped build (--symbols)");
    }
    if (gc_pcln_open(L) != 0) {
        rt_error_where(err, L->exe_path, RT_NO_OFFSET, "reading the pc-value table");
        return RT_FAIL(err, RT_E_UNSUPPORTED, "without DWARF or symbols the pc-value table is needed to "
                       "find the runtime's globals, and it cannot be read");
    }

    g->mheap = lea_before_call(L, "runtime.mallocinit", "runtime.(*mheap).init");
    uint64_t t[64];
    size_t n = loads(L, "runtime.forEachG", t, 64);
    for (size_t i = 0; i < n && !g->allgs; i++)
        for (size_t j = i + 1; j < n; j++)
            if (t[j] == t[i] + 8 && in_bss(L, t[i]))
                g->allgs = t[i];
    if (!in_bss(L, g->mheap) || !g->allgs) {
        rt_error_where(err, L->exe_path, RT_NO_OFFSET, "finding the runtime's globals without symbols");
        return RT_FAIL(err, RT_E_UNSUPPORTED, "the code of runtime.%s does not have the expected shape "
                       "(%s); give the executable's debug file or an unstripped build (--symbols)",
                       !in_bss(L, g->mheap) ? "mallocinit" : "forEachG", L->ver.text);
    }
    n = loads(L, "runtime.allocmcache", t, 64);
    if (n && (in_data(L, t[0]) || in_bss(L, t[0])))
        g->memprofilerate = t[0];
    n = loads(L, "runtime.markroot", t, 64);
    for (size_t i = 1; i < n; i++)
        if (t[i] != t[0]) {
            g->allfin = in_bss(L, t[i]) ? t[i] : 0;
            break;
        }
    if (y->cleanq_ok) {
        g->gccleanups = lea_before_call(L, "runtime.freeSpecial", "runtime.(*cleanupQueue).");
        if (!in_bss(L, g->gccleanups))
            g->gccleanups = 0;
    }
    if (!g->memprofilerate)
        model_warn(L->m, "runtime.MemProfileRate was not found without symbols; the sampling rate is unknown");
    if (!g->gccleanups && y->cleanq_ok)
        model_warn(L->m, "runtime.gcCleanups was not found without symbols; what queued cleanups keep "
                         "alive may show as unreachable");
    return 0;
}

int gc_globals_find(gc_load *L, rt_error *err)
{
    gc_globals *g = &L->glob;
    memset(g, 0, sizeof *g);
    if (!L->dw && !named(L, "runtime.mheap_"))
        return globals_from_code(L, err);
    g->how = L->dw ? "DWARF" : "symbols";
    static const struct { const char *name; size_t off; int required; } want[] = {
        { "runtime.mheap_", offsetof(gc_globals, mheap), 1 },
        { "runtime.allgs", offsetof(gc_globals, allgs), 1 },
        { "runtime.firstmoduledata", offsetof(gc_globals, firstmoduledata), 1 },
        { "runtime.MemProfileRate", offsetof(gc_globals, memprofilerate), 0 },
        { "runtime.allfin", offsetof(gc_globals, allfin), 0 },
        { "runtime.gcCleanups", offsetof(gc_globals, gccleanups), 0 },
        { "runtime.sched", offsetof(gc_globals, sched), 0 },
        { "runtime.waitReasonStrings", offsetof(gc_globals, waitreasons), 0 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint64_t a = named(L, want[i].name);
        if (!a && want[i].required) {
            rt_error_where(err, L->exe_path, RT_NO_OFFSET, "reading runtime globals");
            return RT_FAIL(err, RT_E_UNSUPPORTED, "the executable's %s has no global %s; is it a Go program?",
                           g->how, want[i].name);
        }
        memcpy((char *)g + want[i].off, &a, sizeof a);
    }
    return 0;
}
