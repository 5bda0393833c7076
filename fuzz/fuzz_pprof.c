/* fuzz_pprof.c — libFuzzer target: arbitrary bytes as a heap profile.
 *
 * Each input goes through what `retain` does with a profile given alone:
 * the reader (gzip'd or plain profile.proto), the loader into a fresh
 * model's profile sites, then `sites` by stack, function and line and
 * `top --by site`.  The invariants checked: every row is one of the
 * profile's sites, the loader refuses with a message.  Everything is freed,
 * so LeakSanitizer sees leaks per input.
 *
 * Build: fuzz/CMakeLists.txt (RETAIN_FUZZ=ON, clang); run: scripts/fuzz.sh
 * SECONDS pprof. */
#define FUZZ_TARGET "fuzz_pprof"
#include "fuzz_input.h" /* first: it defines _GNU_SOURCE */

#include <stdint.h>
#include <string.h>

#include "analysis/aggregate.h"
#include "analysis/sites.h"
#include "loaders/pprof/pprof_load.h"
#include "model/model.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_model *m = model_new();
    rt_error err;
    rt_error_clear(&err);
    m->input_kind = RT_INPUT_PROFILE;
    if (pprof_load_mem(m, data, size, "fuzz.pb.gz", 64u << 20, &err) != 0) {
        INVARIANT(err.msg[0] != 0);
        model_free(m);
        return 0;
    }
    for (int by = RT_SITES_BY_STACK; by <= RT_SITES_BY_LINE; by++) {
        rt_sites s;
        sites_compute(m, NULL, NULL, (rt_sites_by)by, 0, 5, &s);
        INVARIANT(s.nrows <= m->npsite);
        for (uint32_t i = 0; i < s.nrows; i++)
            INVARIANT(s.rows[i].psite < m->npsite && s.rows[i].objects == 0 && s.rows[i].nholder == 0);
        sites_free(&s);
    }
    rt_agg a;
    aggregate_profile(m, &a);
    aggregate_free(&a);
    model_free(m);
    return 0;
}
