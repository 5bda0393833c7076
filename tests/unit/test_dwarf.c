/* test_dwarf.c — the DWARF reader (src/dwarf) on real Go executables.
 *
 * Usage: test_dwarf WORKDIR [1.NN ...]
 * Builds a small Go program with each toolchain /usr/lib/go-1.NN/bin/go
 * that exists (default: every version we support), and checks what
 * dwi_open reads against three oracles:
 *   - the tables of GO-RUNTIME.md (checked on real binaries): offsets in
 *     runtime.mspan, runtime.g, runtime.moduledata, runtime constants;
 *   - `go tool nm` on the same binary (addresses of main.someVar, main.work);
 *   - the program itself, which prints &someVar, &somePoint, the address of
 *     its point type's runtime _type and the entry of main.work.
 * Also: a stripped build (-ldflags=-s -w) gives RT_E_NOTFOUND; the same
 * binary with decompressed and with .zdebug_ (zlib-gnu) sections reads the
 * same (needs objcopy); corrupt DWARF gives an error or a result, never a
 * crash (each case in a forked child; the fixed set of damages includes
 * some on which libdwarf 20210528's own .debug_loclists reader segfaults,
 * which is why src/dwarf/dwarf_loc.c exists).  Prints the load time per
 * binary.
 * Exits 77 (skipped) when no toolchain is installed. */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dwarf/dwarf_info.h"
#include "test_check.h"
#include "util/alloc.h"

typedef struct tctx {
    tcheck c;        /* c.tag: "goVER", the toolchain being checked */
    const char *work;
    const char *ver; /* that toolchain, or NULL */
    char tag[32];
} tctx;

/* ---- the Go program ---- */

static const char go_main[] =
    "package main\n"
    "\n"
    "import (\n"
    "\t\"fmt\"\n"
    "\t\"os\"\n"
    "\t\"reflect\"\n"
    "\t\"unsafe\"\n"
    ")\n"
    "\n"
    "type point struct {\n"
    "\tX, Y int64\n"
    "\tName string\n"
    "\tNext *point\n"
    "\tTags []string\n"
    "}\n"
    "\n"
    "var someVar int64 = 42\n"
    "var somePoint = point{X: 1, Y: 2, Name: \"p\"}\n"
    "var someMap = map[string]*point{}\n"
    "var someArr [7]uint16\n"
    "\n"
    "//go:noinline\n"
    "func work(n int) *point {\n"
    "\tp := &point{X: int64(n)}\n"
    "\tsomeMap[fmt.Sprint(n)] = p\n"
    "\tsomeArr[n%7]++\n"
    "\treturn p\n"
    "}\n"
    "\n"
    "func main() {\n"
    "\tp := work(len(os.Args))\n"
    "\tsomeVar += p.X\n"
    "\tvar e any = somePoint\n"
    "\tfmt.Printf(\"someVar=%p somePoint=%p pointType=%#x work=%#x\\n\",\n"
    "\t\t&someVar, &somePoint, (*[2]uintptr)(unsafe.Pointer(&e))[0],\n"
    "\t\treflect.ValueOf(work).Pointer())\n"
    "}\n";

static const char go_mod[] = "module dwtest\n\ngo 1.19\n";

typedef struct truth {
    uint64_t some_var, some_point, point_type, work;
} truth;

static void path_in(const tctx *t, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", t->work, name);
}

static bool go_build(const tctx *t, const char *ver, const char *ldflags, const char *out)
{
    char src[1100], go[256];
    path_in(t, "src", src, sizeof src);
    return go_run(src, t->work, NULL, go_path(ver, go, sizeof go), "build %s%s%s -o '%s' . >&2",
                  ldflags ? "-ldflags='" : "", ldflags ? ldflags : "", ldflags ? "'" : "",
                  out) == 0;
}

/* The address `go tool nm` gives sym, or 0. */
static uint64_t nm_addr(const tctx *t, const char *ver, const char *exe, const char *sym)
{
    char src[1100], go[256], cmd[8192], line[512];
    path_in(t, "src", src, sizeof src);
    go_command(cmd, sizeof cmd, src, t->work, NULL, go_path(ver, go, sizeof go), "tool nm '%s'",
               exe);
    FILE *p = popen(cmd, "r");
    uint64_t addr = 0;
    while (p && fgets(line, sizeof line, p)) {
        char kind[8], name[400];
        uint64_t a;
        if (sscanf(line, "%" SCNx64 " %7s %399s", &a, kind, name) == 3 && strcmp(name, sym) == 0)
            addr = a;
    }
    if (p)
        pclose(p);
    return addr;
}

static bool run_truth(const char *exe, truth *tr)
{
    char cmd[1200], line[512];
    snprintf(cmd, sizeof cmd, "'%s'", exe);
    FILE *p = popen(cmd, "r");
    bool ok = false;
    while (p && fgets(line, sizeof line, p))
        if (sscanf(line, "someVar=%" SCNx64 " somePoint=%" SCNx64 " pointType=%" SCNx64
                         " work=%" SCNx64,
                   &tr->some_var, &tr->some_point, &tr->point_type, &tr->work) == 4)
            ok = true;
    if (p)
        pclose(p);
    return ok;
}

/* ---- GO-RUNTIME.md, per version ---- */

typedef struct layout {
    const char *ver;
    /* mspan */
    unsigned nelems, alloc_bits, spanclass, elemsize, limit, specials;
    /* g */
    unsigned atomicstatus, goid, waitreason, sched_bp;
    /* moduledata */
    unsigned md_types, md_etypes, md_gcdatamask, md_next;
    /* constants */
    int kind_special_profile;
    /* special.kind */
    unsigned special_kind;
} layout;

static const layout layouts[] = {
    { "1.19", 56, 72, 98, 104, 112, 128, 144, 152, 176, 104, 280, 288, 496, 544, 2, 10 },
    { "1.21", 56, 72, 106, 112, 120, 136, 144, 152, 176, 104, 296, 304, 536, 584, 2, 10 },
    { "1.22", 50, 64, 98, 104, 112, 128, 144, 152, 176, 104, 296, 304, 536, 584, 2, 10 },
    { "1.23", 50, 64, 98, 104, 112, 128, 152, 160, 184, 104, 296, 304, 536, 576, 3, 10 },
    { "1.24", 50, 64, 98, 104, 112, 128, 152, 160, 184, 104, 296, 304, 536, 576, 3, 16 },
    { "1.26", 50, 64, 98, 104, 112, 128, 144, 152, 176, 96, 296, 304, 544, 584, 4, 16 },
    { "1.27", 50, 64, 98, 104, 112, 128, 144, 152, 176, 96, 296, 312, 520, 560, 4, 16 },
};

static const layout *layout_of(const char *ver)
{
    for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++)
        if (strcmp(layouts[i].ver, ver) == 0)
            return &layouts[i];
    return NULL;
}

static uint64_t field_off(const dw_info *d, const char *type, const char *path)
{
    uint64_t off = UINT64_MAX;
    const dw_type *t = dwi_type(d, type);
    if (!t || dwt_field(t, path, &off, NULL) != 0)
        return UINT64_MAX;
    return off;
}

static int64_t const_of(const dw_info *d, const char *a, const char *b)
{
    const char *cands[] = { a, b, NULL };
    int64_t v = INT64_MIN;
    if (dwi_const(d, cands, &v) != 0)
        return INT64_MIN;
    return v;
}

static void check_runtime(tctx *t, const dw_info *d, const layout *L)
{
    /* mspan */
    CHECK_EQ(t, field_off(d, "runtime.mspan", "startAddr"), 24);
    CHECK_EQ(t, field_off(d, "runtime.mspan", "npages"), 32);
    CHECK_EQ(t, field_off(d, "runtime.mspan", "freeindex"), 48);
    CHECK_EQ(t, field_off(d, "runtime.mspan", "nelems"), L->nelems);
    CHECK_EQ(t, field_off(d, "runtime.mspan", "allocBits"), L->alloc_bits);
    CHECK_EQ(t, field_off(d, "runtime.mspan", "spanclass"), L->spanclass);
    CHECK_EQ(t, field_off(d, "runtime.mspan", "state"), L->spanclass + 1);
    CHECK_EQ(t, field_off(d, "runtime.mspan", "elemsize"), L->elemsize);
    CHECK_EQ(t, field_off(d, "runtime.mspan", "limit"), L->limit);
    CHECK_EQ(t, field_off(d, "runtime.mspan", "specials"), L->specials);
    const dw_type *span = dwi_type(d, "runtime.mspan");
    CHECK(t, dwt_kind(span) == DWK_STRUCT && dwt_go_kind(span) == DWGO_KIND_STRUCT);
    const dw_type *ft = NULL;
    uint64_t off = 0;
    CHECK(t, dwt_field(span, "specials", &off, &ft) == 0 && dwt_kind(ft) == DWK_POINTER &&
                 strcmp(dwt_name(dwt_elem(ft)), "runtime.special") == 0);
    CHECK(t, dwt_field(span, "noSuchField", &off, NULL) == -RT_E_NOTFOUND);
    CHECK(t, dwt_field(span, "startAddr.x", &off, NULL) == -RT_E_NOTFOUND);

    /* g, with dotted paths through embedded structs */
    CHECK_EQ(t, field_off(d, "runtime.g", "stack"), 0);
    CHECK_EQ(t, field_off(d, "runtime.g", "stack.hi"), 8);
    CHECK_EQ(t, field_off(d, "runtime.g", "m"), 48);
    CHECK_EQ(t, field_off(d, "runtime.g", "sched.sp"), 56);
    CHECK_EQ(t, field_off(d, "runtime.g", "sched.pc"), 64);
    CHECK_EQ(t, field_off(d, "runtime.g", "sched.bp"), L->sched_bp);
    CHECK_EQ(t, field_off(d, "runtime.g", "atomicstatus"), L->atomicstatus);
    CHECK_EQ(t, field_off(d, "runtime.g", "goid"), L->goid);
    CHECK_EQ(t, field_off(d, "runtime.g", "waitreason"), L->waitreason);

    /* moduledata */
    static const struct { const char *f; unsigned off; } md_all[] = {
        { "pcHeader", 0 }, { "ftab", 128 }, { "text", 176 }, { "noptrdata", 192 },
        { "data", 208 }, { "edata", 216 }, { "bss", 224 }, { "ebss", 232 },
    };
    for (size_t i = 0; i < sizeof md_all / sizeof *md_all; i++)
        if (!CHECK_EQ(t, field_off(d, "runtime.moduledata", md_all[i].f), md_all[i].off))
            fprintf(stderr, "  (moduledata.%s)\n", md_all[i].f);
    CHECK_EQ(t, field_off(d, "runtime.moduledata", "types"), L->md_types);
    CHECK_EQ(t, field_off(d, "runtime.moduledata", "etypes"), L->md_etypes);
    CHECK_EQ(t, field_off(d, "runtime.moduledata", "gcdatamask"), L->md_gcdatamask);
    CHECK_EQ(t, field_off(d, "runtime.moduledata", "next"), L->md_next);

    /* specials, buckets, the type descriptor */
    CHECK_EQ(t, field_off(d, "runtime.special", "offset"), 8);
    CHECK_EQ(t, field_off(d, "runtime.special", "kind"), L->special_kind);
    CHECK_EQ(t, field_off(d, "runtime.bucket", "size"), 32);
    CHECK_EQ(t, field_off(d, "runtime.bucket", "nstk"), 40);
    const char *tnames[] = { "internal/abi.Type", "runtime._type", NULL };
    const dw_type *rtype = dwi_type_any(d, tnames);
    CHECK(t, rtype != NULL);
    CHECK_EQ(t, dwt_size(rtype), 48);
    CHECK(t, dwi_type(d, "runtime.heapArena") != NULL);
    /* aliases leave no DWARF: runtime.itab = internal/abi.ITab from 1.23 */
    const char *itabs[] = { "runtime.itab", "internal/abi.ITab", NULL };
    const dw_type *itab = dwi_type_any(d, itabs);
    CHECK(t, itab && dwt_size(itab) == 32 &&
                 (dwt_field(itab, "fun", &off, NULL) == 0 || dwt_field(itab, "Fun", &off, NULL) == 0) &&
                 off == 24);

    /* constants */
    CHECK_EQ(t, const_of(d, "runtime._PageShift", "internal/runtime/gc.PageShift"), 13);
    CHECK_EQ(t, const_of(d, "runtime.heapArenaBytes", NULL), 67108864);
    CHECK_EQ(t, const_of(d, "runtime.logHeapArenaBytes", NULL), 26);
    CHECK_EQ(t, const_of(d, "runtime._KindSpecialProfile", NULL), L->kind_special_profile);
    CHECK_EQ(t, const_of(d, "runtime.mSpanInUse", NULL), 1);
    CHECK_EQ(t, const_of(d, "runtime._Gwaiting", NULL), 4);
    CHECK(t, const_of(d, "runtime.waitReasonChanReceive", NULL) > 0);
    const char *none[] = { "runtime.noSuchConstant", NULL };
    int64_t v = 0;
    CHECK(t, dwi_const(d, none, &v) == -RT_E_NOTFOUND);
    rt_error err;
    rt_error_clear(&err);
    CHECK(t, dwi_const_req(d, none, &v, &err) == -RT_E_NOTFOUND &&
                 strstr(err.msg, "runtime.noSuchConstant") != NULL);
    rt_error_clear(&err);
    CHECK(t, dwi_field_req(d, "runtime.mspan", "nope", &off, NULL, &err) == -RT_E_NOTFOUND &&
                 strstr(err.msg, "nope") != NULL);

    /* runtime globals */
    const dw_var *fm = dwi_global(d, "runtime.firstmoduledata");
    CHECK(t, fm && strcmp(dwt_name(dwt_strip(fm->type)), "runtime.moduledata") == 0);
    const dw_var *mh = dwi_global(d, "runtime.mheap_");
    CHECK(t, mh && mh->size == dwt_size(dwi_type(d, "runtime.mheap")) && mh->size > 65536);
}

static void check_main(tctx *t, dw_info *d, const char *exe, const truth *tr, bool have_truth)
{
    const dw_var *sv = dwi_global(d, "main.someVar");
    if (!CHECK(t, sv != NULL))
        return;
    uint64_t nm = nm_addr(t, t->ver, exe, "main.someVar");
    CHECK(t, nm != 0);
    CHECK_EQ(t, sv->addr, nm);
    if (have_truth)
        CHECK_EQ(t, sv->addr, tr->some_var);
    CHECK_EQ(t, sv->size, 8);
    CHECK(t, dwt_kind(sv->type) == DWK_INT && strcmp(dwt_name(sv->type), "int64") == 0);
    CHECK(t, dwi_global_at(d, sv->addr) == sv && dwi_global_at(d, sv->addr + 7) == sv);

    /* a struct global: type, members, containment */
    const dw_var *sp = dwi_global(d, "main.somePoint");
    if (!CHECK(t, sp != NULL))
        return;
    if (have_truth)
        CHECK_EQ(t, sp->addr, tr->some_point);
    const dw_type *pt = dwt_strip(sp->type);
    CHECK(t, strcmp(dwt_name(sp->type), "main.point") == 0);
    CHECK(t, dwt_kind(pt) == DWK_STRUCT && strcmp(dwt_name(pt), "main.point") == 0);
    CHECK(t, dwi_type(d, "main.point") == pt); /* the definition, not the typedef */
    CHECK_EQ(t, sp->size, 64);
    CHECK_EQ(t, dwt_nmembers(pt), 5);
    uint64_t off = 0;
    const dw_type *ft = NULL;
    CHECK(t, dwt_field(pt, "Name", &off, &ft) == 0 && off == 16 && dwt_kind(ft) == DWK_STRING &&
                 dwt_size(ft) == 16);
    CHECK(t, dwt_field(pt, "Tags", &off, &ft) == 0 && off == 40 && dwt_kind(ft) == DWK_SLICE &&
                 dwt_size(ft) == 24 && strcmp(dwt_name(dwt_elem(ft)), "string") == 0);
    CHECK(t, dwt_field(pt, "Next", &off, &ft) == 0 && off == 32 && dwt_kind(ft) == DWK_POINTER &&
                 dwt_strip(dwt_elem(ft)) == pt);
    CHECK(t, dwt_field(pt, "Tags.len", &off, NULL) == 0 && off == 48); /* slice header */
    const dw_member *m0 = dwt_member(pt, 0);
    CHECK(t, m0 && strcmp(m0->name, "X") == 0 && m0->offset == 0 && !m0->embedded);
    CHECK(t, dwi_global_at(d, sp->addr + 9) == sp);
    CHECK(t, dwi_global_at(d, sp->addr + 63) == sp);

    /* runtime type, both ways, against the program's own type word */
    uint64_t ra = 0;
    CHECK(t, dwt_runtime_type(d, pt, &ra));
    if (have_truth)
        CHECK_EQ(t, ra, tr->point_type);
    CHECK(t, dwi_type_by_rtype(d, ra) == pt);

    /* map and array globals */
    const dw_var *sm = dwi_global(d, "main.someMap");
    CHECK(t, sm && dwt_kind(sm->type) == DWK_MAP && sm->size == 8 &&
                 strcmp(dwt_name(dwt_key(sm->type)), "string") == 0 &&
                 strcmp(dwt_name(dwt_elem(sm->type)), "*main.point") == 0);
    const dw_var *sa = dwi_global(d, "main.someArr");
    CHECK(t, sa && dwt_kind(sa->type) == DWK_ARRAY && dwt_array_len(sa->type) == 7 &&
                 sa->size == 14 && dwt_kind(dwt_elem(sa->type)) == DWK_UINT);

    /* sorted, and every global findable by address */
    const dw_var *all;
    size_t n = dwi_globals(d, &all);
    bool sorted = true, found = true;
    for (size_t i = 0; i < n; i++) {
        if (i && all[i - 1].addr > all[i].addr)
            sorted = false;
        const dw_var *g = dwi_global_at(d, all[i].addr);
        if (!g || g->addr != all[i].addr)
            found = false;
    }
    CHECK(t, n > 100 && sorted && found);

    /* functions */
    const dw_func *w = dwi_func(d, "main.work");
    if (!CHECK(t, w != NULL))
        return;
    CHECK_EQ(t, w->lowpc, nm_addr(t, t->ver, exe, "main.work"));
    if (have_truth)
        CHECK_EQ(t, w->lowpc, tr->work);
    CHECK(t, w->highpc > w->lowpc && w->frame_base_cfa);
    CHECK(t, dwi_func_at(d, w->lowpc) == w && dwi_func_at(d, w->highpc - 1) == w);
    CHECK(t, dwi_func_at(d, w->highpc) != w);
    CHECK_EQ(t, w->nlocals, 0); /* not yet */
}

static void check_locals(tctx *t, dw_info *d)
{
    rt_error err;
    rt_error_clear(&err);
    int rc = dwi_load_locals(d, &err);
    if (!CHECK(t, rc == 0)) {
        print_err("dwi_load_locals", &err);
        return;
    }
    CHECK(t, dwi_has_locals(d) && dwi_load_locals(d, &err) == 0);
    const dw_func *w = dwi_func(d, "main.work");
    if (!CHECK(t, w && w->nlocals >= 2))
        return;
    const dw_local *n = NULL, *p = NULL;
    for (size_t i = 0; i < w->nlocals; i++) {
        if (strcmp(w->locals[i].name, "n") == 0)
            n = &w->locals[i];
        if (strcmp(w->locals[i].name, "p") == 0)
            p = &w->locals[i];
    }
    CHECK(t, n && n->is_param && !n->is_result && dwt_kind(n->type) == DWK_INT);
    CHECK(t, p && !p->is_param && dwt_kind(p->type) == DWK_POINTER && p->nlocs > 0);
    /* p is spilled to the frame somewhere in main.work */
    bool on_stack = false;
    for (size_t i = 0; p && i < p->nlocs; i++) {
        dw_piece pc[4];
        size_t np = 0;
        dwl_pieces(&p->locs[i], pc, 4, &np);
        if (np == 1 && (pc[0].kind == DWP_FBREG || pc[0].kind == DWP_CFA))
            on_stack = true;
        if (dwl_at(p, p->locs[i].lo) == NULL)
            on_stack = false;
    }
    CHECK(t, on_stack);

    /* every location of every function: inside its function, interpretable */
    const dw_func *f;
    size_t nf = dwi_funcs(d, &f), bad_range = 0, unknown = 0, unnamed = 0, untyped = 0, nl = 0;
    for (size_t i = 0; i < nf; i++)
        for (size_t j = 0; j < f[i].nlocals; j++) {
            const dw_local *l = &f[i].locals[j];
            nl++;
            unnamed += !l->name[0];
            untyped += !l->type;
            for (size_t k = 0; k < l->nlocs; k++) {
                const dw_loc *lc = &l->locs[k];
                if (lc->hi != UINT64_MAX && (lc->lo < f[i].lowpc || lc->hi > f[i].highpc))
                    bad_range++;
                dw_piece pc[16];
                size_t np = 0;
                dwl_pieces(lc, pc, 16, &np);
                for (size_t q = 0; q < np && q < 16; q++)
                    unknown += pc[q].kind == DWP_UNKNOWN;
            }
        }
    CHECK(t, nl > 1000);
    CHECK_EQ(t, bad_range, 0);
    CHECK_EQ(t, unknown, 0);
    CHECK_EQ(t, unnamed, 0);
    CHECK_EQ(t, untyped, 0);
}

/* ---- pieces on hand-made expressions (no Go needed) ---- */

static void test_pieces(tctx *t)
{
    dw_op ops[] = {
        { 0x91 /* fbreg */, (uint64_t)-40, 0 },
        { 0x50 /* reg0 */, 0, 0 },
        { 0x93 /* piece */, 8, 0 },
        { 0x93 /* piece */, 8, 0 },
        { 0x9c /* call_frame_cfa */, 0, 0 },
        { 0x11 /* consts */, 16, 0 },
        { 0x22 /* plus */, 0, 0 },
        { 0x12 /* dup */, 0, 0 },
    };
    dw_piece p[4];
    size_t n = 0;
    dw_loc l = { 0, UINT64_MAX, ops, 1 };
    dwl_pieces(&l, p, 4, &n);
    CHECK(t, n == 1 && p[0].kind == DWP_FBREG && p[0].off == -40 && p[0].size == 0);
    l = (dw_loc){ 0, UINT64_MAX, ops + 1, 3 }; /* reg0 piece 8, piece 8 (empty) */
    dwl_pieces(&l, p, 4, &n);
    CHECK(t, n == 2 && p[0].kind == DWP_REG && p[0].reg == 0 && p[0].size == 8 &&
                 p[1].kind == DWP_NONE && p[1].size == 8);
    l = (dw_loc){ 0, UINT64_MAX, ops + 4, 3 };
    dwl_pieces(&l, p, 4, &n);
    CHECK(t, n == 1 && p[0].kind == DWP_CFA && p[0].off == 16);
    l = (dw_loc){ 0, UINT64_MAX, ops + 4, 4 };
    dwl_pieces(&l, p, 4, &n);
    CHECK(t, n == 1 && p[0].kind == DWP_UNKNOWN);
    l = (dw_loc){ 0, UINT64_MAX, NULL, 0 };
    dwl_pieces(&l, p, 4, &n);
    CHECK(t, n == 1 && p[0].kind == DWP_NONE);
    dwl_pieces(&l, p, 0, &n); /* max 0: counts only */
    CHECK(t, n == 1);
}

/* ---- bad inputs ---- */

static void test_bad_files(tctx *t)
{
    char path[1024];
    dw_info *d = (dw_info *)1;
    rt_error err;
    rt_error_clear(&err);
    CHECK(t, dwi_open(&d, "/nonexistent/retain-test", &err) == -RT_E_IO && d == NULL);
    path_in(t, "notelf.bin", path, sizeof path);
    write_text(path, "#!/bin/sh\necho this is not an ELF file\n");
    rt_error_clear(&err);
    CHECK(t, dwi_open(&d, path, &err) == -RT_E_FORMAT);
    /* ELF magic, then garbage */
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 131 + 7);
    memcpy(junk, "\177ELF\002\001\001", 7);
    write_bytes(path, junk, sizeof junk);
    rt_error_clear(&err);
    int rc = dwi_open(&d, path, &err);
    CHECK(t, rc < 0);
    dwi_close(NULL);
}

/* Offset and size in the file of each named section, via libelf. */
typedef struct sec_span {
    char name[32];
    uint64_t off, size;
} sec_span;

static size_t debug_sections(const char *path, sec_span *out, size_t max)
{
    size_t n = 0, shstrndx = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
        return 0;
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    Elf_Scn *scn = NULL;
    if (e && elf_getshdrstrndx(e, &shstrndx) == 0)
        while ((scn = elf_nextscn(e, scn)) != NULL && n < max) {
            GElf_Shdr sh;
            const char *name;
            if (gelf_getshdr(scn, &sh) && (name = elf_strptr(e, shstrndx, sh.sh_name)) &&
                (strcmp(name, ".debug_info") == 0 || strcmp(name, ".debug_abbrev") == 0 ||
                 strcmp(name, ".debug_loc") == 0 || strcmp(name, ".debug_loclists") == 0 ||
                 strcmp(name, ".debug_addr") == 0) &&
                !(sh.sh_flags & SHF_COMPRESSED)) {
                snprintf(out[n].name, sizeof out[n].name, "%s", name);
                out[n].off = sh.sh_offset;
                out[n].size = sh.sh_size;
                n++;
            }
        }
    if (e)
        elf_end(e);
    close(fd);
    return n;
}

/* Read all of d; a child process's exit status says how it went. */
static int exercise(const char *path)
{
    rt_error err;
    rt_error_clear(&err);
    dw_info *d = NULL;
    int rc = dwi_open(&d, path, &err);
    if (rc)
        return 1;
    rc = dwi_load_locals(d, &err);
    uint64_t off;
    dwt_field(dwi_type(d, "runtime.g"), "sched.sp", &off, NULL);
    const dw_var *g;
    size_t n = dwi_globals(d, &g);
    for (size_t i = 0; i < n; i++)
        dwi_global_at(d, g[i].addr);
    const dw_func *f;
    size_t nf = dwi_funcs(d, &f);
    for (size_t i = 0; i < nf; i++) {
        dwi_func_at(d, f[i].lowpc);
        for (size_t j = 0; j < f[i].nlocals; j++)
            for (size_t k = 0; k < f[i].locals[j].nlocs; k++) {
                dw_piece p[8];
                size_t np;
                dwl_pieces(&f[i].locals[j].locs[k], p, 8, &np);
            }
    }
    for (size_t i = 0; i < dwi_ntypes(d); i++)
        dwt_size(dwt_strip(dwi_type_at(d, i)));
    dwi_close(d);
    return rc ? 1 : 0;
}

/* Damage the uncompressed DWARF of exe at many places, one copy at a time,
 * and read each copy in a child: an error or a result, never a signal. */
static void test_corrupt(tctx *t, const char *exe, const char *tag)
{
    char plain[1024], bad[1024];
    path_in(t, "plain.bin", plain, sizeof plain);
    path_in(t, "corrupt.bin", bad, sizeof bad);
    if (sh("objcopy --decompress-debug-sections '%s' '%s'", exe, plain) != 0) {
        printf("  skip corrupt-DWARF cases for %s: objcopy failed or missing\n", tag);
        return;
    }
    size_t n;
    uint8_t *orig = read_file(plain, &n);
    if (!CHECK(t, orig != NULL))
        return;
    uint8_t *copy = rt_malloc(n);
    sec_span secs[8];
    size_t ns = debug_sections(plain, secs, 8);
    CHECK(t, ns >= 3);
    int cases = 0, errors = 0, oks = 0, crashes = 0;
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    for (size_t s = 0; s < ns; s++) {
        const int per = 24;
        for (int k = 0; k < per; k++) {
            memcpy(copy, orig, n);
            /* evenly spaced 4-byte overwrites (0xff, 0x80) plus a few
             * pseudo-random bit flips */
            uint64_t at = secs[s].off + secs[s].size * (uint64_t)k / per;
            if (k % 3 == 2) {
                for (int b = 0; b < 6; b++) {
                    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
                    copy[secs[s].off + rng % secs[s].size] ^= (uint8_t)(1u << (rng >> 60 & 7));
                }
            } else {
                memset(copy + at, k % 3 ? 0x80 : 0xff,
                       secs[s].off + secs[s].size - at < 4 ? 1 : 4);
            }
            if (!write_bytes(bad, copy, n))
                continue;
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) {
                alarm(60);
                _exit(exercise(bad));
            }
            int st = 0;
            waitpid(pid, &st, 0);
            cases++;
            if (WIFEXITED(st) && WEXITSTATUS(st) <= 1)
                WEXITSTATUS(st) ? errors++ : oks++;
            else {
                crashes++;
                fprintf(stderr, "  %s: %s damaged at file offset 0x%" PRIx64
                                " (case %d): child status 0x%x\n",
                        tag, secs[s].name, at, k, st);
            }
        }
    }
    printf("  corrupt DWARF (%s): %d cases, %d errors, %d read anyway, %d crashes\n", tag, cases,
           errors, oks, crashes);
    CHECK_EQ(t, crashes, 0);
    free(orig);
    free(copy);
    unlink(bad);
    unlink(plain);
}

/* The same binary with decompressed and with .zdebug_ sections. */
static void test_compression_forms(tctx *t, const char *exe, const dw_info *ref)
{
    static const char *const forms[] = { "--decompress-debug-sections",
                                         "--compress-debug-sections=zlib-gnu" };
    for (size_t i = 0; i < 2; i++) {
        char out[1024], plain[1024];
        path_in(t, i ? "zdebug.bin" : "plain.bin", out, sizeof out);
        path_in(t, "plain.bin", plain, sizeof plain);
        if (sh("objcopy %s '%s' '%s'", forms[i], i == 1 ? plain : exe, out) != 0) {
            printf("  skip %s: objcopy failed or missing\n", forms[i]);
            return;
        }
        rt_error err;
        rt_error_clear(&err);
        dw_info *d = NULL;
        if (!CHECK(t, dwi_open(&d, out, &err) == 0)) {
            print_err(forms[i], &err);
            continue;
        }
        dw_stats a, b;
        dwi_stats(d, &a);
        dwi_stats(ref, &b);
        CHECK(t, a.ntypes == b.ntypes && a.nglobals == b.nglobals && a.nfuncs == b.nfuncs &&
                     a.nconsts == b.nconsts);
        const dw_var *x = dwi_global(d, "main.someVar"), *y = dwi_global(ref, "main.someVar");
        CHECK(t, x && y && x->addr == y->addr);
        rt_error_clear(&err);
        CHECK(t, dwi_load_locals(d, &err) == 0);
        dwi_stats(d, &a);
        CHECK(t, a.nlocals > 1000);
        dwi_close(d);
    }
    char p[1024];
    path_in(t, "zdebug.bin", p, sizeof p);
    unlink(p);
    path_in(t, "plain.bin", p, sizeof p);
    unlink(p);
}

/* dwi_load_locals reads the file again: a file changed since dwi_open
 * must be refused, not misread. */
static void test_changed_file(tctx *t, const char *exe)
{
    char copy[1024];
    path_in(t, "changed.bin", copy, sizeof copy);
    if (!CHECK(t, sh("cp '%s' '%s'", exe, copy) == 0))
        return;
    rt_error err;
    rt_error_clear(&err);
    dw_info *d = NULL;
    if (!CHECK(t, dwi_open(&d, copy, &err) == 0))
        return;
    FILE *f = fopen(copy, "ab");
    if (f) {
        fputc(0, f);
        fclose(f);
    }
    rt_error_clear(&err);
    CHECK(t, dwi_load_locals(d, &err) == -RT_E_MISMATCH && !dwi_has_locals(d));
    const dw_func *w = dwi_func(d, "main.work");
    CHECK(t, w && w->nlocals == 0);
    dwi_close(d);
    unlink(copy);
}

/* ---- one toolchain ---- */

static void test_version(tctx *t, const char *ver, bool extras)
{
    char exe[1024], stripped[1024], name[64];
    t->ver = ver;
    snprintf(t->tag, sizeof t->tag, "go%s", ver);
    t->c.tag = t->tag;
    snprintf(name, sizeof name, "prog-%s", ver);
    path_in(t, name, exe, sizeof exe);
    snprintf(name, sizeof name, "prog-%s-stripped", ver);
    path_in(t, name, stripped, sizeof stripped);
    if (!CHECK(t, go_build(t, ver, NULL, exe)))
        return;
    truth tr;
    memset(&tr, 0, sizeof tr);
    bool have_truth = run_truth(exe, &tr);
    CHECK(t, have_truth);

    rt_error err;
    rt_error_clear(&err);
    dw_info *d = NULL;
    if (!CHECK(t, dwi_open(&d, exe, &err) == 0)) {
        print_err(exe, &err);
        return;
    }
    char want[32];
    snprintf(want, sizeof want, "go%s", ver);
    CHECK(t, strstr(dwi_producer(d), want) != NULL);
    const layout *L = layout_of(ver);
    if (L)
        check_runtime(t, d, L);
    else
        printf("  go%s: no GO-RUNTIME.md row; runtime layouts not checked\n", ver);
    check_main(t, d, exe, &tr, have_truth);
    check_locals(t, d);
    dw_stats s;
    dwi_stats(d, &s);
    struct stat st;
    stat(exe, &st);
    printf("  go%s: %.1f MB, DWARF %u, %u CUs, %zu DIEs, %zu types, %zu consts, %zu globals, "
           "%zu funcs, %zu locals; dwi_open %.1f ms, dwi_load_locals %.1f ms\n",
           ver, (double)st.st_size / 1e6, s.dwarf_version_max, s.ncus, s.ndies, s.ntypes,
           s.nconsts, s.nglobals, s.nfuncs, s.nlocals, s.load_ms, s.locals_ms);
    CHECK(t, (s.dwarf_version_max == 5) == (strcmp(ver, "1.25") >= 0));

    if (extras) {
        test_changed_file(t, exe);
        test_compression_forms(t, exe, d);
        test_corrupt(t, exe, ver);
    }
    dwi_close(d);

    /* stripped: no DWARF, and a message that says so */
    if (CHECK(t, go_build(t, ver, "-s -w", stripped))) {
        rt_error_clear(&err);
        d = (dw_info *)1;
        CHECK(t, dwi_open(&d, stripped, &err) == -RT_E_NOTFOUND && d == NULL);
        CHECK(t, strstr(err.msg, "DWARF") && strstr(err.msg, "-s -w"));
        unlink(stripped);
    }
    t->ver = NULL;
    t->c.tag = "go-";
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_dwarf WORKDIR [1.NN ...]\n");
        return 2;
    }
    tctx t = { .c = { .tag = "go-" }, .work = argv[1] };
    char src[1024];
    if (sh("mkdir -p '%s/src'", t.work) != 0) {
        fprintf(stderr, "cannot create %s\n", t.work);
        return 1;
    }
    path_in(&t, "src/main.go", src, sizeof src);
    write_text(src, go_main);
    path_in(&t, "src/go.mod", src, sizeof src);
    write_text(src, go_mod);

    test_pieces(&t);
    test_bad_files(&t);

    size_t nvers;
    const char *const *vers = go_versions(argc, argv, 2, &nvers);
    int tested = 0;
    bool did_v4 = false, did_v5 = false;
    for (size_t i = 0; i < nvers; i++) {
        if (!go_installed(vers[i]))
            continue;
        /* the expensive extras once per DWARF version: the newest v4
         * toolchain would do as well as any, so take the first of each */
        bool v5 = strcmp(vers[i], "1.25") >= 0;
        bool extras = v5 ? !did_v5 : !did_v4;
        if (v5)
            did_v5 = true;
        else
            did_v4 = true;
        int before = t.c.fail;
        test_version(&t, vers[i], extras);
        printf("go%s: %s\n", vers[i], t.c.fail == before ? "ok" : "FAILED");
        tested++;
    }
    return check_summary_go(&t.c, tested);
}
