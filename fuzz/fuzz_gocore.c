/* fuzz_gocore.c — libFuzzer target: the Go core loader as a whole, and
 * the analyses and the report on whatever it accepts.
 *
 * A Go core is tens of MB, too big to be an input; the input is instead a
 * list of rewrites of one real core (FUZZ_GOCORE_CORE, of the program
 * FUZZ_GOCORE_EXE; scripts/fuzz.sh gocore makes both).  Each record of
 * REC bytes names a PT_LOAD segment (modulo their number, so the
 * runtime's small segments — data and bss with mheap_ and allgs, span and
 * special records, stacks — are hit as often as the heap), an offset in
 * it and 1, 2, 4 or 8 bytes to write there.  The core is copied once into
 * a memfd; each input's rewrites are applied there and undone after the
 * run.  Then the whole load (spans, objects, pointers, roots, stacks,
 * finalizers, specials, sites, types), the dominator tree, retained and
 * shared sizes, sites, goroutines and the report's data run on it.
 *
 * Checked: a refusal is one line with a code; an accepted model's edges
 * and roots point at objects; reachability, paths and aggregates agree
 * with the model's counts.  Everything is freed per input (LeakSanitizer).
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DRETAIN_FUZZ=ON -DBUILD_TESTING=OFF
 *        cmake --build build-fuzz --target fuzz_gocore
 * Run:   scripts/fuzz.sh SECONDS gocore */
#define FUZZ_TARGET "fuzz_gocore"
#include "fuzz_input.h" /* first: it defines _GNU_SOURCE */
#include "fuzz_analyses.h"

#include <elf.h>
#include <stdint.h>
#include <string.h>

#include "loaders/gocore/gocore_load.h"
#include "loaders/inputs.h"
#include "model/model.h"
#include "util/error.h"

#define REC 14       /* segment (2), width (1), pad (1), offset (4), value (8) */
#define MAX_RECS 64

typedef struct seg {
    uint64_t off, size; /* in the core file */
} seg;

static fuzz_file g_core = FUZZ_FILE_INIT;
static const char *g_exe;
static seg *g_segs;
static size_t g_nsegs;
static int g_ready;

static uint64_t rd(const uint8_t *p, int n)
{
    uint64_t v = 0;
    memcpy(&v, p, (size_t)n);
    return v;
}

/* The core into a memfd, and its PT_LOAD segments with file bytes. */
static void setup(void)
{
    const char *path = getenv("FUZZ_GOCORE_CORE");
    g_exe = getenv("FUZZ_GOCORE_EXE");
    if (!path || !g_exe) {
        fprintf(stderr, "fuzz_gocore: set FUZZ_GOCORE_CORE and FUZZ_GOCORE_EXE (scripts/fuzz.sh gocore does)\n");
        abort();
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        abort();
    }
    fuzz_file_open(&g_core, "retain-fuzz-core");
    uint8_t buf[1 << 16];
    size_t n, at = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        int zero = 1;
        for (size_t i = 0; i < n && zero; i++)
            zero = buf[i] == 0;
        if (!zero && pwrite(g_core.fd, buf, n, (off_t)at) != (ssize_t)n)
            abort();
        at += n;
    }
    fclose(f);
    if (ftruncate(g_core.fd, (off_t)at) != 0)
        abort();
    Elf64_Ehdr eh;
    if (pread(g_core.fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || eh.e_phentsize != sizeof(Elf64_Phdr))
        abort();
    g_segs = calloc(eh.e_phnum + 1u, sizeof *g_segs);
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (pread(g_core.fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != (ssize_t)sizeof ph)
            abort();
        if (ph.p_type == PT_LOAD && ph.p_filesz >= 8 && ph.p_offset + ph.p_filesz <= at)
            g_segs[g_nsegs++] = (seg){ ph.p_offset, ph.p_filesz };
    }
    if (!g_nsegs)
        abort();
    g_ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_ready)
        setup();
    /* apply the rewrites, keeping what they replace */
    struct { uint64_t off; uint8_t old[8]; int w; } undo[MAX_RECS];
    size_t nundo = 0;
    for (size_t i = 0; i + REC <= size && nundo < MAX_RECS; i += REC) {
        const seg *sg = &g_segs[rd(data + i, 2) % g_nsegs];
        int w = 1 << (data[i + 2] & 3);
        uint64_t off = rd(data + i + 4, 4) % (sg->size - 7);
        if (w > 1)
            off &= ~(uint64_t)(w - 1);
        off += sg->off;
        if (pread(g_core.fd, undo[nundo].old, (size_t)w, (off_t)off) != w ||
            pwrite(g_core.fd, data + i + 6, (size_t)w, (off_t)off) != w)
            abort();
        undo[nundo].off = off;
        undo[nundo].w = w;
        nundo++;
    }
    /* opened as the command line opens them: recognised, then loaded */
    rt_inputs in;
    rt_error err;
    rt_error_clear(&err);
    char *paths[2] = { (char *)g_core.path, (char *)g_exe };
    rt_model *m = model_new();
    int rc = inputs_sort(paths, 2, &in, &err);
    if (rc == 0)
        rc = gocore_load(m, &in, NULL, &err);
    if (rc != 0) {
        INVARIANT(rc < 0);
        check_message(&err);
    } else {
        run_analyses(m, 1);
    }
    inputs_release(&in);
    model_free(m);
    /* undo, last first (two records may hit one place) */
    while (nundo--)
        if (pwrite(g_core.fd, undo[nundo].old, (size_t)undo[nundo].w, (off_t)undo[nundo].off) != undo[nundo].w)
            abort();
    return 0;
}
