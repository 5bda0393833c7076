/* fuzz_index.c — libFuzzer target: a saved index (src/index/), loaded and
 * analysed.
 *
 * An input is an index file (seeds: indexes of real dumps, made by
 * scripts/fuzz.sh index).  Before loading, the checksums of every section
 * the table places inside the input, and then the header's, are made
 * right again, so that a mutation reaches the checks behind them (counts,
 * ids, the tree) instead of stopping at the first checksum.  Loaded, the
 * model goes through the analyses of fuzz_analyses.h without the cross
 * checks a crafted file may break (a reverse graph that is not the
 * forward one's transpose gives wrong answers, never a crash or a hang).
 * Everything is freed per input (LeakSanitizer).
 *
 * Run: scripts/fuzz.sh SECONDS index */
#define FUZZ_TARGET "fuzz_index"
#include "fuzz_input.h" /* first: it defines _GNU_SOURCE */
#include "fuzz_analyses.h"

#include <stdint.h>
#include <string.h>
#include <xxhash.h>

#include "index/index.h"
#include "index/index_format.h"

static fuzz_file g_file = FUZZ_FILE_INIT;

static void fix_sums(uint8_t *b, size_t n)
{
    if (n < sizeof(rtx_header))
        return;
    rtx_header h;
    memcpy(&h, b, sizeof h);
    if (h.nsection > RTX_SECTION_END || sizeof h + (size_t)h.nsection * sizeof(rtx_section) > n)
        return;
    for (uint32_t i = 0; i < h.nsection; i++) {
        rtx_section s;
        memcpy(&s, b + sizeof h + i * sizeof s, sizeof s);
        if (s.offset <= n && s.size <= n - s.offset) {
            s.sum = XXH3_64bits(b + s.offset, s.size);
            memcpy(b + sizeof h + i * sizeof s, &s, sizeof s);
        }
    }
    rtx_section *table = malloc(h.nsection ? h.nsection * sizeof *table : 1);
    if (!table)
        abort();
    memcpy(table, b + sizeof h, h.nsection * sizeof *table); /* b need not be aligned */
    h.sum = rtx_header_sum(&h, table);
    free(table);
    memcpy(b, &h, sizeof h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* every input checked whole: nothing remembered from another run
     * (index_trust.c) */
    setenv("RETAIN_CACHE_DIR", "", 1);
    uint8_t *b = malloc(size ? size : 1);
    if (!b)
        abort();
    memcpy(b, data, size);
    fix_sums(b, size);
    fuzz_file_open(&g_file, "fuzz-index");
    if (fuzz_file_put(&g_file, b, size) != 0)
        abort();
    free(b);
    rt_model *m = model_new();
    rt_error err;
    rt_error_clear(&err);
    int rc = index_load(m, g_file.path, 1, NULL, &err);
    if (rc != 0) {
        INVARIANT(rc < 0);
        check_message(&err);
    } else {
        run_analyses(m, 0);
    }
    model_free(m);
    return 0;
}
