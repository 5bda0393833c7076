/* test_pclntab.c — the .gopclntab reader (src/gopclntab) on hand-made
 * tables and on real Go executables.
 *
 * Usage: test_pclntab WORKDIR GO_SRC [1.NN ...]
 *
 * Hand-made tables (no Go needed), in both layouts (Go 1.18–1.19 and
 * 1.20+): two functions whose pc-value tables, file/line, pcdata, funcdata
 * and inline tree are written byte by byte here, so every answer is known;
 * then damaged copies — every prefix, every byte overwritten — on which
 * every lookup must give an error or -1, never a crash (run it under the
 * sanitizers), and a few named cases (truncated header, wrong magic,
 * function table past the end, nameOff out of range, an inline cycle).
 *
 * Real executables: GO_SRC/pclntruth (module retaintest) is built with
 * each toolchain /usr/lib/go-1.NN/bin/go that exists (default: every
 * version we support), and with -buildmode=pie for 1.19, 1.22 and 1.27.
 * The program writes what runtime.Callers and runtime.CallersFrames say
 * about a few of its own stacks (an inlined chain, a closure, a method);
 * gp_frames(pc - 1) must give the same function/file/line sequence,
 * inlined frames included.  Every function symbol of .symtab must be found
 * by gp_func_at at its address under its name; pcsp is 0 at every entry
 * and positive in main.withPtrs's body; main.withPtrs has a locals pointer
 * map with a bit set at its call site.  Prints the counts per binary.
 * Exits 77 (skipped) when no toolchain is installed. */
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gopclntab/gopclntab.h"
#include "test_check.h"
#include "util/alloc.h"

typedef struct tctx {
    tcheck c; /* c.tag: what is being checked, "-" between the parts */
    const char *work, *gosrc;
} tctx;

/* ---- hand-made tables ----
 *
 * text_start 0x1000.  main.f is [0x1000, 0x1040), main.g [0x1040, 0x1140).
 * main.f: pcsp 0 on [0,4), 24 on [4,0x3c), 0 on [0x3c,0x40);
 *         file a.go except b.go on [0x20,0x30);
 *         line 10 [0,0x10), 12 [0x10,0x20), 30 [0x20,0x30), 14 [0x30,0x40);
 *         pcdata: 0 none, 1 (stack map index) 0 throughout,
 *                 2 (inline index) 0 on [0x20,0x30), -1 elsewhere;
 *         funcdata: 0 → gofunc+0, 1 → gofunc+0x10, 2 absent, 3 → gofunc+0x20;
 *         inline entry 0: main.inl called at parentPc 0x14 (line 12).
 * main.g: no pcdata or funcdata; file b.go, line 100 (a two-byte varint),
 *         pc delta 0x100 (two bytes too). */

enum { HM_TEXT = 0x1000, HM_GOFUNC = 0x9000 };

typedef struct hbuf {
    uint8_t b[1024];
    size_t n;
} hbuf;

static void put(hbuf *h, const void *p, size_t n)
{
    memcpy(h->b + h->n, p, n);
    h->n += n;
}
static void put8(hbuf *h, uint8_t v)
{
    put(h, &v, 1);
}
static void put32(hbuf *h, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(h, b, 4);
}
static void set64(hbuf *h, size_t at, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        h->b[at + i] = (uint8_t)(v >> (8 * i));
}
static void set32(hbuf *h, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        h->b[at + i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Offsets in the hand-made table, for the damage cases. */
typedef struct hm_layout {
    size_t pctab, pcln, func_f, func_g;
    size_t name_f; /* nameOff of main.f */
} hm_layout;

/* The go:func.* area of the hand-made table. */
typedef struct hm_gofunc {
    uint8_t b[0x40];
    bool fail; /* make every read fail */
} hm_gofunc;

static int hm_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    hm_gofunc *g = ctx;
    if (g->fail || addr < HM_GOFUNC || addr - HM_GOFUNC > sizeof g->b ||
        n > sizeof g->b - (addr - HM_GOFUNC))
        return -1;
    memcpy(buf, g->b + (addr - HM_GOFUNC), n);
    return 0;
}

static void build_table(bool v119, uint64_t hdr_text, hbuf *h, hm_layout *L, hm_gofunc *gf)
{
    memset(h, 0, sizeof *h);
    set32(h, 0, v119 ? 0xfffffff0u : 0xfffffff1u);
    h->b[6] = 1;
    h->b[7] = 8;
    set64(h, 8, 2);        /* nfunc */
    set64(h, 16, 2);       /* nfiles */
    set64(h, 24, hdr_text);
    h->n = 72;
    /* funcnametab: "" 0, main.f 1, main.g 8, main.inl 15 */
    size_t names = h->n;
    put(h, "\0main.f\0main.g\0main.inl\0", 24);
    /* cutab: file 0 a.go, 1 b.go, 2 none */
    size_t cutab = h->n;
    put32(h, 1);
    put32(h, 11);
    put32(h, 0xffffffffu);
    size_t filetab = h->n;
    put(h, "\0/src/a.go\0/src/b.go\0", 21);
    size_t pctab = h->n;
    put8(h, 0); /* offset 0 means "no table" */
#define TABLE(off, ...)                                        \
    do {                                                       \
        static const uint8_t bytes_[] = { __VA_ARGS__ };      \
        (off) = (uint32_t)(h->n - pctab);                      \
        put(h, bytes_, sizeof bytes_);                         \
    } while (0)
    uint32_t sp_f, file_f, line_f, smi_f, inl_f, sp_g, file_g, line_g;
    TABLE(sp_f, 2, 4, 48, 0x38, 47, 4, 0);
    TABLE(file_f, 2, 0x20, 2, 0x10, 1, 0x10, 0);
    TABLE(line_f, 22, 0x10, 4, 0x10, 36, 0x10, 31, 0x10, 0);
    TABLE(smi_f, 2, 0x40, 0);
    TABLE(inl_f, 0, 0x20, 2, 0x10, 1, 0x10, 0);
    TABLE(sp_g, 2, 0x80, 0x02, 0);
    TABLE(file_g, 4, 0x80, 0x02, 0);
    TABLE(line_g, 0xca, 0x01, 0x80, 0x02, 0);
#undef TABLE
    size_t pcln = h->n;
    /* functab, then the two records */
    size_t fsz = v119 ? 40 : 44;
    uint32_t fo_f = 20, fo_g = fo_f + (uint32_t)fsz + 3 * 4 + 4 * 4;
    put32(h, 0);
    put32(h, fo_f);
    put32(h, 0x40);
    put32(h, fo_g);
    put32(h, 0x140);
    /* main.f */
    put32(h, 0);     /* entryOff */
    put32(h, 1);     /* nameOff */
    put32(h, 16);    /* args */
    put32(h, 0);     /* deferreturn */
    put32(h, sp_f);
    put32(h, file_f);
    put32(h, line_f);
    put32(h, 3);     /* npcdata */
    put32(h, 0);     /* cuOffset */
    if (!v119)
        put32(h, 9); /* startLine */
    put8(h, 0);      /* funcID */
    put8(h, 0);      /* flag */
    put8(h, 0);
    put8(h, 4);      /* nfuncdata */
    put32(h, 0);
    put32(h, smi_f);
    put32(h, inl_f);
    put32(h, 0);
    put32(h, 0x10);
    put32(h, 0xffffffffu);
    put32(h, 0x20);
    /* main.g */
    put32(h, 0x40);
    put32(h, 8);
    put32(h, 0);
    put32(h, 0);
    put32(h, sp_g);
    put32(h, file_g);
    put32(h, line_g);
    put32(h, 0);
    put32(h, 0);
    if (!v119)
        put32(h, 99);
    put8(h, 21);     /* a funcID, to see it come through */
    put8(h, 2);      /* SPWRITE */
    put8(h, 0);
    put8(h, 0);
    set64(h, 32, names);
    set64(h, 40, cutab);
    set64(h, 48, filetab);
    set64(h, 56, pctab);
    set64(h, 64, pcln);
    L->pctab = pctab;
    L->pcln = pcln;
    L->func_f = pcln + fo_f;
    L->func_g = pcln + fo_g;
    L->name_f = 1;
    /* the inline tree at gofunc+0x20: entry 0 */
    memset(gf, 0, sizeof *gf);
    uint8_t *e = gf->b + 0x20;
    if (v119) { /* parent, funcID, pad, file, line, func_, parentPc */
        e[0] = e[1] = 0xff;
        e[2] = 0;
        memcpy(e + 4, "\1\0\0\0\36\0\0\0\17\0\0\0\24\0\0\0", 16);
    } else { /* funcID, pad[3], nameOff, parentPc, startLine */
        memcpy(e + 4, "\17\0\0\0\24\0\0\0\34\0\0\0", 12);
    }
}

static int open_hm(const uint8_t *data, size_t len, uint64_t text, hm_gofunc *gf, gp_table **out,
                   rt_error *err)
{
    gp_source src = { data, len, text, gf ? HM_GOFUNC : 0, gf ? hm_read : NULL, gf, "hand-made" };
    rt_error_clear(err);
    return gp_open(&src, out, err);
}

static bool frame_is(const gp_frame *f, const char *fn, const char *file, int32_t line)
{
    return strcmp(f->function, fn) == 0 && strcmp(f->file, file) == 0 && f->line == line &&
           f->entry == HM_TEXT;
}

/* What the hand-made table must answer. */
static void check_handmade(tctx *t, gp_table *g, hm_gofunc *gf, bool v119)
{
    CHECK_EQ(t, gp_nfunc(g), 2);
    CHECK_EQ(t, gp_funcid_wrapper(g), -1); /* no runtime.systemstack_switch */
    CHECK_EQ(t, gp_magic(g), v119 ? 0xfffffff0u : 0xfffffff1u);
    gp_func f, f2;
    CHECK(t, gp_func_at(g, 0x1000, &f) == 0 && f.entry == 0x1000 && f.end == 0x1040 &&
                 strcmp(f.name, "main.f") == 0 && f.args == 16 && f.funcid == 0);
    CHECK(t, gp_func_at(g, 0x103f, &f2) == 0 && f2.entry == 0x1000);
    CHECK(t, gp_func_at(g, 0x1040, &f2) == 0 && f2.entry == 0x1040 && f2.end == 0x1140 &&
                 strcmp(f2.name, "main.g") == 0 && f2.funcid == 21 && f2.flag == 2);
    CHECK(t, gp_func_at(g, 0x113f, &f2) == 0 && f2.entry == 0x1040);
    CHECK(t, gp_func_at(g, 0x1140, &f2) == -1);
    CHECK(t, gp_func_at(g, 0xfff, &f2) == -1);
    CHECK(t, gp_func_at(g, 0, &f2) == -1);
    CHECK(t, gp_func_at(g, UINT64_MAX, &f2) == -1);
    CHECK(t, gp_func_index(g, 1, &f2) == 0 && f2.entry == 0x1040);
    CHECK(t, gp_func_index(g, 2, &f2) == -1);

    int32_t v = 7;
    CHECK(t, gp_pcsp(g, &f, 0x1000, &v) == 0 && v == 0);
    CHECK(t, gp_pcsp(g, &f, 0x1003, &v) == 0 && v == 0);
    CHECK(t, gp_pcsp(g, &f, 0x1004, &v) == 0 && v == 24);
    CHECK(t, gp_pcsp(g, &f, 0x103b, &v) == 0 && v == 24);
    CHECK(t, gp_pcsp(g, &f, 0x103c, &v) == 0 && v == 0);
    CHECK(t, gp_pcsp(g, &f, 0x1040, &v) == -1); /* outside f */
    CHECK(t, gp_pcsp(g, &f, 0xfff, &v) == -1);
    gp_func_at(g, 0x1040, &f2);
    CHECK(t, gp_pcsp(g, &f2, 0x113f, &v) == 0 && v == 0);

    CHECK(t, gp_pcdata(g, &f, GP_PCDATA_STACKMAPINDEX, 0x1010, &v) == 0 && v == 0);
    v = 7;
    CHECK(t, gp_pcdata(g, &f, GP_PCDATA_UNSAFEPOINT, 0x1010, &v) == -1 && v == -1);
    CHECK(t, gp_pcdata(g, &f, GP_PCDATA_INLTREEINDEX, 0x1004, &v) == 0 && v == -1);
    CHECK(t, gp_pcdata(g, &f, GP_PCDATA_INLTREEINDEX, 0x1020, &v) == 0 && v == 0);
    CHECK(t, gp_pcdata(g, &f, GP_PCDATA_INLTREEINDEX, 0x102f, &v) == 0 && v == 0);
    CHECK(t, gp_pcdata(g, &f, GP_PCDATA_INLTREEINDEX, 0x1030, &v) == 0 && v == -1);
    CHECK(t, gp_pcdata(g, &f, 3, 0x1010, &v) == -1 && v == -1);
    CHECK(t, gp_pcdata(g, &f2, 0, 0x1050, &v) == -1);

    uint64_t a = 0;
    CHECK(t, gp_funcdata(g, &f, GP_FUNCDATA_ARGSPOINTERMAPS, &a) == 0 && a == HM_GOFUNC);
    CHECK(t, gp_funcdata(g, &f, GP_FUNCDATA_LOCALSPOINTERMAPS, &a) == 0 && a == HM_GOFUNC + 0x10);
    CHECK(t, gp_funcdata(g, &f, GP_FUNCDATA_STACKOBJECTS, &a) == -1);
    CHECK(t, gp_funcdata(g, &f, GP_FUNCDATA_INLTREE, &a) == 0 && a == HM_GOFUNC + 0x20);
    CHECK(t, gp_funcdata(g, &f, 4, &a) == -1);
    CHECK(t, gp_funcdata(g, &f2, 0, &a) == -1);

    gp_frame fr[4];
    memset(fr, 0, sizeof fr);
    CHECK(t, gp_frames(g, 0x1004, fr, 4) == 1 && frame_is(&fr[0], "main.f", "/src/a.go", 10));
    CHECK(t, gp_frames(g, 0x1024, fr, 4) == 2 && frame_is(&fr[0], "main.inl", "/src/b.go", 30) &&
                 frame_is(&fr[1], "main.f", "/src/a.go", 12));
    memset(fr, 0, sizeof fr);
    CHECK(t, gp_frames(g, 0x1024, fr, 1) == 2 && frame_is(&fr[0], "main.inl", "/src/b.go", 30) &&
                 fr[1].function == NULL);
    CHECK(t, gp_frames(g, 0x1024, NULL, 0) == 2);
    CHECK(t, gp_frames(g, 0x1034, fr, 4) == 1 && frame_is(&fr[0], "main.f", "/src/a.go", 14));
    CHECK(t, gp_frames(g, 0x1050, fr, 4) == 1 && strcmp(fr[0].function, "main.g") == 0 &&
                 strcmp(fr[0].file, "/src/b.go") == 0 && fr[0].line == 100 &&
                 fr[0].entry == 0x1040 && fr[0].funcid == 21);
    CHECK(t, gp_frames(g, 0x2000, fr, 4) == 0);
    /* an unreadable inline tree: the physical frame, at the inlined pc's position */
    gf->fail = true;
    CHECK(t, gp_frames(g, 0x1024, fr, 4) == 1 && frame_is(&fr[0], "main.f", "/src/b.go", 30));
    gf->fail = false;
}

static void test_handmade(tctx *t, bool v119)
{
    t->c.tag = v119 ? "hand-made 1.19" : "hand-made 1.20+";
    hbuf h;
    hm_layout L;
    hm_gofunc gf;
    rt_error err;
    gp_table *g = NULL;
    build_table(v119, 0, &h, &L, &gf);
    /* exact-size heap copies, so the sanitizer sees any read past the end */
    uint8_t *d = rt_malloc(h.n);
    memcpy(d, h.b, h.n);
    if (CHECK(t, open_hm(d, h.n, HM_TEXT, &gf, &g, &err) == 0)) {
        check_handmade(t, g, &gf, v119);
        gp_close(g);
    } else
        print_err("gp_open", &err);

    /* no text_start and none in the header (as Go 1.26+): the caller must say */
    g = (gp_table *)1;
    CHECK(t, open_hm(d, h.n, 0, &gf, &g, &err) == -RT_E_USAGE && g == NULL);
    /* the header's textStart when the caller gives none */
    set64(&h, 24, HM_TEXT);
    memcpy(d, h.b, h.n);
    if (CHECK(t, open_hm(d, h.n, 0, &gf, &g, &err) == 0)) {
        check_handmade(t, g, &gf, v119);
        gp_close(g);
    }
    /* no funcdata: frames without inline expansion */
    if (CHECK(t, open_hm(d, h.n, HM_TEXT, NULL, &g, &err) == 0)) {
        gp_frame fr[2];
        gp_func f;
        uint64_t a;
        CHECK(t, gp_frames(g, 0x1024, fr, 2) == 1 && frame_is(&fr[0], "main.f", "/src/b.go", 30));
        CHECK(t, gp_func_at(g, 0x1000, &f) == 0 && gp_funcdata(g, &f, 1, &a) == -1);
        gp_close(g);
    }
    free(d);
    gp_close(NULL);
}

/* ---- damaged tables ---- */

/* Every lookup over every pc of the hand-made table; the answers do not
 * matter, only that each returns. */
static unsigned long exercise(gp_table *g)
{
    unsigned long sum = 0;
    gp_frame fr[8];
    for (uint64_t pc = HM_TEXT - 0x10; pc < 0x1160; pc++) {
        gp_func f;
        size_t n = gp_frames(g, pc, fr, 8);
        for (size_t i = 0; i < n && i < 8; i++)
            sum += strlen(fr[i].function) + strlen(fr[i].file) + (unsigned long)fr[i].line;
        if (gp_func_at(g, pc, &f) != 0)
            continue;
        sum += strlen(f.name);
        int32_t v;
        uint64_t a;
        if (gp_pcsp(g, &f, pc, &v) == 0)
            sum += (unsigned long)v;
        for (uint32_t i = 0; i < 5; i++)
            if (gp_pcdata(g, &f, i, pc, &v) == 0)
                sum += (unsigned long)v;
        for (uint32_t i = 0; i < 6; i++)
            if (gp_funcdata(g, &f, i, &a) == 0)
                sum += a;
    }
    for (uint32_t i = 0; i <= gp_nfunc(g) && i < 4; i++) {
        gp_func f;
        if (gp_func_index(g, i, &f) == 0)
            sum += f.entry;
    }
    return sum;
}

static void test_damage(tctx *t, bool v119)
{
    t->c.tag = v119 ? "damage 1.19" : "damage 1.20+";
    hbuf h;
    hm_layout L;
    hm_gofunc gf;
    rt_error err;
    gp_table *g;
    build_table(v119, 0, &h, &L, &gf);
    hbuf good = h;
    unsigned opened = 0, refused = 0;

    /* every prefix: the header's 72 bytes are needed, the rest is checked */
    for (size_t n = 0; n <= good.n; n++) {
        uint8_t *d = rt_malloc(n ? n : 1);
        memcpy(d, good.b, n);
        int rc = open_hm(d, n, HM_TEXT, &gf, &g, &err);
        if (n < 72)
            CHECK(t, rc == -RT_E_TRUNCATED && g == NULL && err.offset == 0);
        if (rc == 0) {
            opened++;
            exercise(g);
            gp_close(g);
        } else
            refused++;
        free(d);
    }
    /* every byte overwritten with 0x00, 0xff, 0x80, and its bits flipped */
    static const int vals[] = { 0x00, 0xff, 0x80, -1 };
    for (size_t i = 0; i < good.n; i++)
        for (size_t k = 0; k < sizeof vals / sizeof *vals; k++) {
            uint8_t *d = rt_malloc(good.n);
            memcpy(d, good.b, good.n);
            d[i] = vals[k] < 0 ? (uint8_t)~d[i] : (uint8_t)vals[k];
            if (open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == 0) {
                opened++;
                exercise(g);
                gp_close(g);
            } else {
                refused++;
                CHECK(t, err.code != RT_E_OK && err.msg[0] && g == NULL);
            }
            free(d);
        }
    printf("  %s: %u damaged tables read without a crash, %u refused with an error\n", t->c.tag,
           opened, refused);

    /* named cases */
    uint8_t *d = rt_malloc(good.n);
#define RESET() memcpy(d, good.b, good.n)
    RESET();
    CHECK(t, open_hm(d, 71, HM_TEXT, &gf, &g, &err) == -RT_E_TRUNCATED);
    CHECK(t, strstr(err.msg, "72-byte header") != NULL);
    d[0] = 0x78, d[1] = 0x56, d[2] = 0x34, d[3] = 0x12; /* wrong magic */
    CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == -RT_E_FORMAT && g == NULL);
    d[0] = 0xfb, d[1] = d[2] = d[3] = 0xff; /* Go 1.2–1.15 */
    CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == -RT_E_UNSUPPORTED &&
                 strstr(err.msg, "1.18") != NULL);
    RESET();
    d[6] = 4; /* arm64's pc quantum */
    CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == -RT_E_UNSUPPORTED && err.offset == 6);
    RESET();
    d[7] = 4; /* 32-bit */
    CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == -RT_E_UNSUPPORTED);
    /* function table offset past the end, and just inside with too many
     * functions for what follows */
    RESET();
    set64(&h, 64, good.n + 1);
    memcpy(d + 64, h.b + 64, 8);
    CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == -RT_E_CORRUPT && err.offset == 64);
    h = good;
    set64(&h, 64, good.n - 8);
    memcpy(d + 64, h.b + 64, 8);
    CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == -RT_E_CORRUPT);
    RESET();
    h = good;
    set64(&h, 8, UINT64_MAX / 4); /* nfunc */
    memcpy(d + 8, h.b + 8, 8);
    CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == -RT_E_CORRUPT && err.offset == 8);
    RESET();
    h = good;
    set64(&h, 32, 3); /* funcnametab inside the header */
    memcpy(d + 32, h.b + 32, 8);
    CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == -RT_E_CORRUPT);
    /* functab out of order */
    RESET();
    set32(&h, L.pcln, 0x50);
    memcpy(d + L.pcln, h.b + L.pcln, 4);
    CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == -RT_E_CORRUPT);
    h = good;

    /* nameOff out of range, and one pointing at the last byte of the
     * table (no NUL before the end): main.f is not found, main.g is */
    static const uint32_t bad_names[] = { 0x7fffffffu, 0x80000000u, 24, 1000000 };
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        RESET();
        set32(&h, L.func_f + 4, bad_names[i]);
        memcpy(d + L.func_f + 4, h.b + L.func_f + 4, 4);
        gp_func f;
        gp_frame fr[2];
        if (CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == 0)) {
            CHECK(t, gp_func_at(g, 0x1004, &f) == -1 && gp_func_index(g, 0, &f) == -1);
            CHECK(t, gp_frames(g, 0x1004, fr, 2) == 0);
            CHECK(t, gp_func_at(g, 0x1050, &f) == 0 && strcmp(f.name, "main.g") == 0);
            gp_close(g);
        }
        h = good;
    }
    /* the names table's last string without its NUL */
    RESET();
    d[72 + 23] = 'x';
    if (CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == 0)) {
        gp_frame fr[2];
        gp_func f;
        CHECK(t, gp_func_at(g, 0x1004, &f) == 0); /* main.f is still whole */
        /* main.inl runs into cutab: the inline frame cannot be named */
        CHECK(t, gp_frames(g, 0x1024, fr, 2) == 1 && strcmp(fr[0].function, "main.f") == 0);
        gp_close(g);
    }
    /* a _func offset past the end, and a record whose arrays run past it */
    RESET();
    set32(&h, L.pcln + 4, 0x7ffffff0u);
    memcpy(d + L.pcln + 4, h.b + L.pcln + 4, 4);
    if (CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == 0)) {
        gp_func f;
        CHECK(t, gp_func_at(g, 0x1004, &f) == -1 && gp_func_at(g, 0x1044, &f) == 0);
        gp_close(g);
    }
    h = good;
    RESET();
    set32(&h, L.func_g + 28, 0x40000000u); /* npcdata */
    memcpy(d + L.func_g + 28, h.b + L.func_g + 28, 4);
    if (CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == 0)) {
        gp_func f;
        CHECK(t, gp_func_at(g, 0x1044, &f) == -1);
        gp_close(g);
    }
    h = good;
    /* a pcsp offset past pctab, and a varint that never ends (main.f's
     * pcsp table is the first, at pctab + 1) */
    RESET();
    set32(&h, L.func_f + 16, 0xfffffff0u);
    memcpy(d + L.func_f + 16, h.b + L.func_f + 16, 4);
    if (CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == 0)) {
        gp_func f;
        int32_t v;
        CHECK(t, gp_func_at(g, 0x1004, &f) == 0 && gp_pcsp(g, &f, 0x1004, &v) == -1);
        gp_close(g);
    }
    h = good;
    RESET();
    memset(d + L.pctab + 1, 0x80, 6);
    if (CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == 0)) {
        gp_func f;
        int32_t v;
        CHECK(t, gp_func_at(g, 0x1004, &f) == 0 && gp_pcsp(g, &f, 0x1000, &v) == -1);
        gp_close(g);
    }
    /* the inline tree: an index past go:func.*, then an entry whose parentPc
     * leads back into itself (the walk must stop) */
    RESET();
    if (CHECK(t, open_hm(d, good.n, HM_TEXT, &gf, &g, &err) == 0)) {
        gp_frame fr[4];
        hm_gofunc saved = gf;
        uint8_t *e = gf.b + 0x20;
        size_t ppc = v119 ? 16 : 8;
        e[ppc] = 0x24; /* parentPc → 0x1024, inlined at index 0 again */
        size_t n = gp_frames(g, 0x1024, fr, 4);
        CHECK(t, n > 4 && n < 100000 && frame_is(&fr[3], "main.inl", "/src/b.go", 30));
        printf("  %s: an inline cycle stops after %zu frames\n", t->c.tag, n);
        gf = saved;
        gp_close(g);
    }
    free(d);
#undef RESET
}

/* ---- real executables ---- */

typedef struct esec {
    char name[64];
    uint64_t addr, off, size;
    uint32_t type;
} esec;

typedef struct esym {
    char *name;
    uint64_t value, size;
    unsigned type;
} esym;

typedef struct ebin {
    uint8_t *file;
    size_t size;
    esec *secs;
    size_t nsecs;
    esym *syms;
    size_t nsyms;
    bool pie;
} ebin;

static void ebin_free(ebin *b)
{
    for (size_t i = 0; i < b->nsyms; i++)
        free(b->syms[i].name);
    free(b->syms);
    free(b->secs);
    free(b->file);
    memset(b, 0, sizeof *b);
}

static bool ebin_load(ebin *b, const char *path)
{
    memset(b, 0, sizeof *b);
    b->file = read_file(path, &b->size);
    if (!b->file || elf_version(EV_CURRENT) == EV_NONE)
        return false;
    Elf *e = elf_memory((char *)b->file, b->size);
    size_t shstrndx = 0;
    GElf_Ehdr eh;
    if (!e || elf_getshdrstrndx(e, &shstrndx) != 0 || !gelf_getehdr(e, &eh)) {
        if (e)
            elf_end(e);
        return false;
    }
    b->pie = eh.e_type == ET_DYN;
    size_t cap = 0, scap = 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        const char *name;
        if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(e, shstrndx, sh.sh_name)))
            continue;
        RT_GROW(b->secs, cap, b->nsecs + 1);
        esec *s = &b->secs[b->nsecs++];
        snprintf(s->name, sizeof s->name, "%s", name);
        s->addr = sh.sh_addr;
        s->off = sh.sh_offset;
        s->size = sh.sh_size;
        s->type = sh.sh_type;
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
        for (size_t i = 0; data && i < n; i++) {
            GElf_Sym sym;
            const char *sn;
            if (!gelf_getsym(data, (int)i, &sym) || !(sn = elf_strptr(e, sh.sh_link, sym.st_name)))
                continue;
            RT_GROW(b->syms, scap, b->nsyms + 1);
            esym *y = &b->syms[b->nsyms++];
            y->name = rt_strdup(sn);
            y->value = sym.st_value;
            y->size = sym.st_size;
            y->type = GELF_ST_TYPE(sym.st_info);
        }
    }
    elf_end(e);
    return true;
}

static const esec *ebin_sec(const ebin *b, const char *name)
{
    for (size_t i = 0; i < b->nsecs; i++)
        if (strcmp(b->secs[i].name, name) == 0)
            return &b->secs[i];
    return NULL;
}

static const esym *ebin_sym(const ebin *b, const char *name)
{
    for (size_t i = 0; i < b->nsyms; i++)
        if (strcmp(b->syms[i].name, name) == 0)
            return &b->syms[i];
    return NULL;
}

/* gp_read_fn over the file's allocated sections: link-time addresses. */
static int ebin_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    const ebin *b = ctx;
    for (size_t i = 0; i < b->nsecs; i++) {
        const esec *s = &b->secs[i];
        if (!s->addr || s->type == SHT_NOBITS || addr < s->addr || addr - s->addr > s->size ||
            n > s->size - (addr - s->addr) || s->off + s->size > b->size)
            continue;
        memcpy(buf, b->file + s->off + (addr - s->addr), n);
        return 0;
    }
    return -1;
}

/* ---- the program's truth: one JSON record per line (see main.go) ---- */

typedef struct tframe {
    uint64_t pc, entry;
    char function[256], file[512];
    int line;
} tframe;

typedef struct tstack {
    char name[32];
    uint64_t pcs[128];
    size_t npcs;
    tframe *frames;
    size_t nframes, cap;
} tstack;

/* The value after "key": in a flat JSON object on one line. */
static const char *json_find(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    return p ? p + strlen(pat) : NULL;
}

static bool json_str(const char *line, const char *key, char *out, size_t n)
{
    const char *p = json_find(line, key);
    if (!p || *p != '"')
        return false;
    size_t w = 0;
    for (p++; *p && *p != '"'; p++) {
        char c = *p;
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                unsigned u = 0;
                if (sscanf(p + 1, "%4x", &u) != 1)
                    return false;
                c = (char)u; /* ASCII is all our names use */
                p += 4;
            } else if (*p == 'n')
                c = '\n';
            else if (*p == 't')
                c = '\t';
            else
                c = *p;
        }
        if (w + 1 < n)
            out[w++] = c;
    }
    out[w] = 0;
    return *p == '"';
}

static bool json_u64(const char *line, const char *key, uint64_t *out)
{
    const char *p = json_find(line, key);
    return p && sscanf(p, "%" SCNu64, out) == 1;
}

static size_t read_truth(const char *path, tstack *st, size_t max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "{\"stack\":", 9) == 0 && n < max) {
            tstack *s = &st[n++];
            memset(s, 0, sizeof *s);
            json_str(line, "stack", s->name, sizeof s->name);
            const char *p = json_find(line, "pcs");
            if (p && *p == '[')
                for (p++; *p && *p != ']' && s->npcs < 128;) {
                    char *end;
                    unsigned long long v = strtoull(p, &end, 10);
                    if (end == p)
                        break;
                    s->pcs[s->npcs++] = v;
                    p = *end == ',' ? end + 1 : end;
                }
        } else if (strncmp(line, "{\"pc\":", 6) == 0 && n > 0) {
            tstack *s = &st[n - 1];
            RT_GROW(s->frames, s->cap, s->nframes + 1);
            tframe *fr = &s->frames[s->nframes++];
            uint64_t ln = 0;
            json_u64(line, "pc", &fr->pc);
            json_u64(line, "entry", &fr->entry);
            json_u64(line, "line", &ln);
            fr->line = (int)ln;
            json_str(line, "function", fr->function, sizeof fr->function);
            json_str(line, "file", fr->file, sizeof fr->file);
        }
    }
    fclose(f);
    return n;
}

/* ---- building and running ---- */

static bool go_build(const tctx *t, const char *ver, bool pie, const char *out)
{
    char go[256];
    return go_run(t->gosrc, t->work, "CGO_ENABLED=0", go_path(ver, go, sizeof go),
                  "build %s -o '%s' ./pclntruth >&2", pie ? "-buildmode=pie" : "", out) == 0;
}

typedef struct counts {
    size_t frames, inlined, syms, funcs, pcsp_tables;
    size_t abi0, elided, middot; /* .symtab names that differ (see name_match) */
    size_t wrappers;             /* functions with FuncIDWrapper */
} counts;

static bool same_frame(const gp_frame *g, const tframe *f, uint64_t bias)
{
    return strcmp(g->function, f->function) == 0 && strcmp(g->file, f->file) == 0 &&
           g->line == f->line && g->entry == f->entry - bias;
}

static void show_mismatch(const char *why, const gp_frame *g, size_t ng, const tframe *f,
                          size_t nf, uint64_t bias)
{
    fprintf(stderr, "  %s\n", why);
    for (size_t i = 0; i < ng; i++)
        fprintf(stderr, "    ours:  %s %s:%d entry %#" PRIx64 "\n", g[i].function, g[i].file,
                g[i].line, g[i].entry);
    for (size_t i = 0; i < nf; i++)
        fprintf(stderr, "    truth: %s %s:%d entry %#" PRIx64 " pc %#" PRIx64 "\n",
                f[i].function, f[i].file, f[i].line, f[i].entry - bias, f[i].pc - bias);
}

/* gp_frames against CallersFrames, one stack. */
static void check_stack(tctx *t, gp_table *g, const tstack *s, uint64_t bias, counts *c)
{
    /* Callers gives one pc per logical frame (virtual pcs for inlined
     * callers), CallersFrames one frame per pc */
    if (!CHECK_EQ(t, s->nframes, s->npcs))
        return;
    gp_frame fr[64];
    /* each pc alone: its innermost frame */
    for (size_t i = 0; i < s->npcs; i++) {
        uint64_t pc = s->pcs[i] - 1 - bias;
        size_t n = gp_frames(g, pc, fr, 64);
        CHECK_EQ(t, s->frames[i].pc - bias, pc);
        if (!CHECK(t, n >= 1 && same_frame(&fr[0], &s->frames[i], bias)))
            show_mismatch(s->name, fr, n < 64 ? n : 64, &s->frames[i], 1, bias);
    }
    /* physical pcs only: the whole expansion must be the next frames */
    for (size_t i = 0; i < s->npcs;) {
        uint64_t pc = s->pcs[i] - 1 - bias;
        size_t n = gp_frames(g, pc, fr, 64);
        bool ok = n >= 1 && n <= 64 && i + n <= s->nframes;
        for (size_t k = 0; ok && k < n; k++)
            ok = same_frame(&fr[k], &s->frames[i + k], bias);
        if (!CHECK(t, ok)) {
            show_mismatch(s->name, fr, n < 64 ? n : 64, &s->frames[i],
                          i + n <= s->nframes ? n : s->nframes - i, bias);
            return;
        }
        c->frames += n;
        c->inlined += n - 1;
        i += n;
    }
}

/* How a .symtab name may differ from the table's name of the same
 * function: the linker suffixes an assembly (ABI0) function that also has
 * an ABIInternal wrapper with ".abi0" in .symtab only; Go 1.19 writes array
 * lengths in the table's names as "[...]" (type..eq.[...]runtime.Frame for
 * .symtab's type..eq.[2]runtime.Frame); the table keeps a "·" (U+00B7)
 * that .symtab writes as "." (type:.eq.runtime.untracedG·4, 1.23+).
 * 0: same, 1: ".abi0", 2: "[...]", 3: "·", -1: different. */
static int name_match(const char *sym, const char *tab)
{
    if (strcmp(sym, tab) == 0)
        return 0;
    if (strstr(tab, "\xc2\xb7")) {
        char dots[1024];
        size_t w = 0;
        for (const char *p = tab; *p && w + 1 < sizeof dots; p++) {
            if (p[0] == '\xc2' && p[1] == '\xb7')
                p++, dots[w++] = '.';
            else
                dots[w++] = *p;
        }
        dots[w] = 0;
        if (strcmp(sym, dots) == 0)
            return 3;
    }
    size_t ns = strlen(sym), nt = strlen(tab);
    if (ns == nt + 5 && strncmp(sym, tab, nt) == 0 && strcmp(sym + nt, ".abi0") == 0)
        return 1;
    char buf[1024];
    size_t w = 0;
    for (const char *p = sym; *p && w + 6 < sizeof buf; p++) {
        size_t d = p[0] == '[' ? strspn(p + 1, "0123456789") : 0;
        if (d && p[1 + d] == ']') {
            memcpy(buf + w, "[...]", 5);
            w += 5;
            p += d + 1;
        } else
            buf[w++] = *p;
    }
    buf[w] = 0;
    return strcmp(buf, tab) == 0 ? 2 : -1;
}

static void check_symbols(tctx *t, gp_table *g, const ebin *b, counts *c)
{
    size_t bad = 0;
    for (size_t i = 0; i < b->nsyms; i++) {
        const esym *y = &b->syms[i];
        if (y->type != STT_FUNC || y->size == 0)
            continue;
        gp_func f, l;
        int m = -1;
        bool ok = gp_func_at(g, y->value, &f) == 0 && f.entry == y->value &&
                  (m = name_match(y->name, f.name)) >= 0 &&
                  gp_func_at(g, y->value + y->size - 1, &l) == 0 && l.entry == y->value &&
                  f.end >= y->value + y->size;
        c->abi0 += m == 1;
        c->elided += m == 2;
        c->middot += m == 3;
        if (!ok && bad++ < 5)
            fprintf(stderr, "  symbol %s at %#" PRIx64 " size %" PRIu64 ": %s\n", y->name,
                    y->value, y->size,
                    gp_func_at(g, y->value, &f) == 0 ? f.name : "(no function)");
        c->syms++;
    }
    CHECK_EQ(t, bad, 0);
    CHECK(t, c->syms > 1000);

    /* every function of the table, in order, findable by its entry, and
     * pcsp 0 at every entry */
    uint64_t prev = 0;
    size_t unordered = 0, unfound = 0, nonzero_sp = 0;
    for (uint32_t i = 0; i < gp_nfunc(g); i++) {
        gp_func f, h;
        if (gp_func_index(g, i, &f) != 0) {
            unfound++;
            continue;
        }
        unordered += f.entry < prev;
        prev = f.entry;
        if (f.end > f.entry && (gp_func_at(g, f.entry, &h) != 0 || h.entry != f.entry))
            unfound++;
        int32_t sp;
        if (gp_pcsp(g, &f, f.entry, &sp) == 0) {
            c->pcsp_tables++;
            nonzero_sp += sp != 0;
        }
        c->funcs++;
    }
    CHECK_EQ(t, unordered, 0);
    CHECK_EQ(t, unfound, 0);
    /* cmd/internal/objabi/funcid.go gives runtime.deferreturn FuncIDWrapper
     * in every version, and runtime.goexit an ID of its own */
    int wrapper = gp_funcid_wrapper(g);
    const esym *dr = ebin_sym(b, "runtime.deferreturn"), *ge = ebin_sym(b, "runtime.goexit.abi0");
    gp_func f;
    CHECK(t, dr && gp_func_at(g, dr->value, &f) == 0 && f.funcid == wrapper);
    CHECK(t, ge && gp_func_at(g, ge->value, &f) == 0 && f.funcid != wrapper && f.funcid != 0);
    for (uint32_t i = 0; i < gp_nfunc(g); i++)
        if (gp_func_index(g, i, &f) == 0)
            c->wrappers += f.funcid == wrapper;
    CHECK_EQ(t, nonzero_sp, 0);
    CHECK(t, c->pcsp_tables > c->funcs / 2);
}

/* pcsp, pcdata and funcdata of main.withPtrs, and its truth stack. */
static void check_with_ptrs(tctx *t, gp_table *g, const ebin *b, const tstack *st, size_t nst,
                            uint64_t bias)
{
    const esym *y = ebin_sym(b, "main.withPtrs");
    gp_func f;
    if (!CHECK(t, y && gp_func_at(g, y->value, &f) == 0))
        return;
    int32_t sp = -1, most = 0;
    CHECK(t, gp_pcsp(g, &f, f.entry, &sp) == 0 && sp == 0);
    for (uint64_t pc = f.entry; pc < f.end; pc++)
        if (gp_pcsp(g, &f, pc, &sp) == 0 && sp > most)
            most = sp;
    CHECK(t, most > 0 && most % 8 == 0);
    uint64_t maps = 0;
    if (!CHECK(t, gp_funcdata(g, &f, GP_FUNCDATA_LOCALSPOINTERMAPS, &maps) == 0))
        return;
    /* runtime.stackmap: n, nbit (int32), then n bitmaps of nbit bits */
    uint8_t hdr[8];
    if (!CHECK(t, ebin_read((void *)b, maps, hdr, 8) == 0))
        return;
    int32_t nmaps = (int32_t)get32(hdr), nbit = (int32_t)get32(hdr + 4);
    CHECK(t, nmaps >= 1 && nbit >= 1 && nbit < 4096);
    /* the call to record: a safe point whose stack map has a pointer */
    const tstack *s = NULL;
    for (size_t i = 0; i < nst; i++)
        if (strcmp(st[i].name, "ptrs") == 0)
            s = &st[i];
    if (!CHECK(t, s != NULL))
        return;
    bool found = false;
    for (size_t i = 0; i < s->npcs; i++) {
        uint64_t pc = s->pcs[i] - 1 - bias;
        if (pc < f.entry || pc >= f.end)
            continue;
        found = true;
        int32_t idx = -1;
        CHECK(t, gp_pcdata(g, &f, GP_PCDATA_STACKMAPINDEX, pc, &idx) == 0 && idx >= 0 &&
                     idx < nmaps);
        if (idx < 0 || idx >= nmaps || nbit < 1 || nbit >= 4096)
            break;
        size_t bytes = ((size_t)nbit + 7) / 8;
        uint8_t bits[512];
        bool any = false;
        if (CHECK(t, ebin_read((void *)b, maps + 8 + (uint64_t)idx * bytes, bits, bytes) == 0))
            for (size_t k = 0; k < bytes; k++)
                any |= bits[k] != 0;
        CHECK(t, any);
        printf("    main.withPtrs: frame %d bytes, %d locals maps of %d bits, map %d at the "
               "call\n",
               most, nmaps, nbit, idx);
    }
    CHECK(t, found);
    /* no address-taken locals (a and b are on the heap): no stack objects */
    uint64_t a;
    CHECK(t, gp_funcdata(g, &f, GP_FUNCDATA_STACKOBJECTS, &a) == -1);
}

static void check_binary(tctx *t, const char *ver, bool pie, const char *exe, const tstack *st,
                         size_t nst, ebin *bp);

static void test_binary(tctx *t, const char *ver, bool pie)
{
    char exe[1024], json[1100], tag[64];
    snprintf(tag, sizeof tag, "go%s%s", ver, pie ? " pie" : "");
    t->c.tag = tag;
    snprintf(exe, sizeof exe, "%s/pclntruth-%s%s", t->work, ver, pie ? "-pie" : "");
    snprintf(json, sizeof json, "%s.json", exe);
    if (!CHECK(t, go_build(t, ver, pie, exe)))
        return;
    unlink(json);
    CHECK(t, sh("'%s' '%s' >/dev/null", exe, json) == 0);
    static tstack st[16];
    size_t nst = read_truth(json, st, 16);
    CHECK_EQ(t, nst, 5);
    ebin b;
    if (CHECK(t, ebin_load(&b, exe)))
        check_binary(t, ver, pie, exe, st, nst, &b);
    ebin_free(&b);
    for (size_t i = 0; i < nst; i++)
        free(st[i].frames);
    t->c.tag = "-";
}

static void check_binary(tctx *t, const char *ver, bool pie, const char *exe, const tstack *st,
                         size_t nst, ebin *bp)
{
    const char *tag = t->c.tag;
    const ebin b = *bp;
    bool v119 = strcmp(ver, "1.19") == 0;
    bool v126 = strcmp(ver, "1.26") >= 0;
    CHECK(t, b.pie == pie);
    /* Go's own linker names the section .gopclntab, except in PIE before
     * 1.26: .data.rel.ro.gopclntab (it holds a relocated word, textStart) */
    const esec *tab = ebin_sec(&b, ".gopclntab");
    const char *tabname = ".gopclntab";
    if (!tab) {
        tab = ebin_sec(&b, ".data.rel.ro.gopclntab");
        tabname = ".data.rel.ro.gopclntab";
    }
    const esec *text = ebin_sec(&b, ".text");
    const esym *gofunc = ebin_sym(&b, v119 ? "go.func.*" : "go:func.*");
    const esym *other = ebin_sym(&b, v119 ? "go:func.*" : "go.func.*");
    const esym *rtext = ebin_sym(&b, "runtime.text");
    const esym *pcln = ebin_sym(&b, "runtime.pclntab");
    const esym *mainmain = ebin_sym(&b, "main.main");
    if (!CHECK(t, tab && text && gofunc && !other && rtext && pcln && mainmain &&
                      tab->off + tab->size <= b.size))
        return;
    CHECK(t, strcmp(tabname, pie && !v126 ? ".data.rel.ro.gopclntab" : ".gopclntab") == 0);
    CHECK_EQ(t, rtext->value, text->addr);
    CHECK_EQ(t, pcln->value, tab->addr);
    uint64_t hdr_text = 0;
    for (int i = 0; i < 8; i++)
        hdr_text |= (uint64_t)b.file[tab->off + 24 + i] << (8 * i);
    /* 1.19–1.24 write textStart (in PIE too: the link-time value, with an
     * R_X86_64_RELATIVE on it); 1.26+ leave it 0 */
    CHECK_EQ(t, hdr_text, v126 ? 0 : text->addr);
    bool gofunc_in_tab = gofunc->value >= tab->addr && gofunc->value < tab->addr + tab->size;

    gp_source src = { b.file + tab->off, tab->size, text->addr, gofunc->value, ebin_read, bp, exe };
    rt_error err;
    rt_error_clear(&err);
    gp_table *g = NULL;
    if (!CHECK(t, gp_open(&src, &g, &err) == 0)) {
        print_err(exe, &err);
        return;
    }
    CHECK_EQ(t, gp_magic(g), v119 ? 0xfffffff0u : 0xfffffff1u);
    /* FuncIDWrapper per internal/abi (runtime/symtab.go in 1.19) */
    int want_wrapper = strcmp(ver, "1.22") < 0 ? 21 : strcmp(ver, "1.26") < 0 ? 22 : 23;
    CHECK_EQ(t, gp_funcid_wrapper(g), want_wrapper);

    /* the header's own textStart where there is one */
    gp_source src0 = src;
    src0.text_start = 0;
    gp_table *g0 = NULL;
    rt_error_clear(&err);
    int rc0 = gp_open(&src0, &g0, &err);
    if (v126)
        CHECK(t, rc0 == -RT_E_USAGE);
    else {
        gp_func f;
        CHECK(t, rc0 == 0 && gp_func_at(g0, mainmain->value, &f) == 0 &&
                     f.entry == mainmain->value && strcmp(f.name, "main.main") == 0);
    }
    gp_close(g0);

    /* the load bias, from main.main's entry as the program saw it */
    uint64_t bias = 0;
    for (size_t i = 0; i < nst; i++)
        for (size_t k = 0; k < st[i].nframes; k++)
            if (strcmp(st[i].frames[k].function, "main.main") == 0)
                bias = st[i].frames[k].entry - mainmain->value;
    if (!pie)
        CHECK_EQ(t, bias, 0);

    counts c;
    memset(&c, 0, sizeof c);
    size_t inlined_stack = 0;
    for (size_t i = 0; i < nst; i++) {
        size_t before = c.inlined;
        check_stack(t, g, &st[i], bias, &c);
        if (strcmp(st[i].name, "inlined") == 0)
            inlined_stack = c.inlined - before;
    }
    /* inlLeaf and inlMid inlined into inlOuter, runtime.Callers into record */
    CHECK(t, inlined_stack >= 3);
    bool closure = false;
    for (size_t i = 0; i < nst; i++)
        for (size_t k = 0; k < st[i].nframes; k++)
            closure |= strcmp(st[i].frames[k].function, "main.main.func1") == 0;
    CHECK(t, closure);
    check_symbols(t, g, &b, &c);
    check_with_ptrs(t, g, &b, st, nst, bias);
    printf("  %s: %s, textStart %#" PRIx64 ", %s at %#" PRIx64 "%s, bias %#" PRIx64
           ": %zu frames (%zu inlined) in %zu stacks, %zu function symbols (%zu named "
           "X.abi0, %zu with [N] for [...], %zu with . for ·), %zu functions (%zu with pcsp, %zu wrappers: "
           "FuncIDWrapper %d)\n",
           tag, tabname, hdr_text, gofunc->name, gofunc->value,
           gofunc_in_tab ? " (inside the table)" : "", bias, c.frames, c.inlined, nst, c.syms,
           c.abi0, c.elided, c.middot, c.funcs, c.pcsp_tables, c.wrappers,
           gp_funcid_wrapper(g));
    /* "[...]" only in 1.19's names */
    if (!v119)
        CHECK_EQ(t, c.elided, 0);
    gp_close(g);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_pclntab WORKDIR GO_SRC [1.NN ...]\n");
        return 2;
    }
    tctx t = { .c = { .tag = "-" }, .work = argv[1], .gosrc = argv[2] };
    if (sh("mkdir -p '%s'", t.work) != 0) {
        fprintf(stderr, "cannot create %s\n", t.work);
        return 1;
    }

    test_handmade(&t, false);
    test_handmade(&t, true);
    test_damage(&t, false);
    test_damage(&t, true);
    t.c.tag = "-";
    printf("hand-made tables: %s\n", t.c.fail ? "FAILED" : "ok");

    size_t nvers;
    const char *const *vers = go_versions(argc, argv, 3, &nvers);
    int tested = 0;
    for (size_t i = 0; i < nvers; i++) {
        if (!go_installed(vers[i]))
            continue;
        int before = t.c.fail;
        test_binary(&t, vers[i], false);
        /* PIE where the layouts differ: 1.19's, the 1.20+ one with a
         * textStart, and the one without */
        if (strcmp(vers[i], "1.19") == 0 || strcmp(vers[i], "1.22") == 0 ||
            strcmp(vers[i], "1.27") == 0)
            test_binary(&t, vers[i], true);
        printf("go%s: %s\n", vers[i], t.c.fail == before ? "ok" : "FAILED");
        tested++;
    }
    return check_summary_go(&t.c, tested);
}
