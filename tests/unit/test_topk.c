/* test_topk.c — rt_top_k (src/util/topk.c) against the obvious answer: a
 * full sort, then the first k.  Random values with many ties (broken by
 * id, as top --retained breaks them), every k from 0 past n on small
 * arrays, a few k on large ones. */
#include <stdlib.h>
#include <string.h>

#include "test_check.h"
#include "util/topk.h"

typedef struct tctx {
    tcheck c;
} tctx;

/* larger value first, then lower id */
static int by_value(const void *a, const void *b, void *ctx)
{
    const uint64_t *v = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (v[x] != v[y])
        return v[x] > v[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void one(tctx *t, size_t n, size_t k, uint64_t spread, unsigned seed)
{
    uint64_t *v = rt_malloc((n + 1) * sizeof *v);
    uint32_t *ids = rt_malloc((n + 1) * sizeof *ids), *ref = rt_malloc((n + 1) * sizeof *ref);
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        v[i] = (uint64_t)rand() % spread;
        ids[i] = (uint32_t)(n - 1 - i); /* not in id order */
    }
    memcpy(ref, ids, n * sizeof *ids);
    qsort_r(ref, n, sizeof *ref, by_value, v);
    rt_top_k(ids, n, k, by_value, v);
    size_t want = k < n ? k : n;
    int same = memcmp(ids, ref, want * sizeof *ids) == 0;
    if (!CHECK(t, same))
        fprintf(stderr, "  n %zu k %zu spread %llu seed %u\n", n, k, (unsigned long long)spread, seed);
    /* what is left is the rest of the ids, each once */
    qsort_r(ids, n, sizeof *ids, by_value, v);
    CHECK(t, memcmp(ids, ref, n * sizeof *ids) == 0);
    free(v);
    free(ids);
    free(ref);
}

int main(void)
{
    tctx t;
    memset(&t, 0, sizeof t);
    for (size_t n = 0; n <= 40; n++)
        for (size_t k = 0; k <= n + 2; k++)
            one(&t, n, k, n % 3 ? 5 : 1000, (unsigned)(n * 100 + k));
    size_t big[] = { 1, 2, 20, 100, 999 };
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        one(&t, 200000, big[i], 3, (unsigned)i);        /* ties everywhere */
        one(&t, 200000, big[i], 1u << 30, (unsigned)i); /* few ties */
    }
    return check_summary(&t.c);
}
