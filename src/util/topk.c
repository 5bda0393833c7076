/* topk.c — partial selection with a heap kept in the array itself
 * (topk.h): ids[0..k) hold the k best seen so far as a heap whose root is
 * the one that goes last; each later id that goes before the root
 * replaces it.  Then those k are sorted. */
#include "util/topk.h"

#include <stdlib.h>

/* Restore the heap below i: a parent goes after (or equal to) its children. */
static void sift_down(uint32_t *h, size_t k, size_t i, int (*cmp)(const void *, const void *, void *), void *ctx)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, last = i;
        if (l < k && cmp(&h[l], &h[last], ctx) > 0)
            last = l;
        if (r < k && cmp(&h[r], &h[last], ctx) > 0)
            last = r;
        if (last == i)
            return;
        uint32_t t = h[i];
        h[i] = h[last];
        h[last] = t;
        i = last;
    }
}

void rt_top_k(uint32_t *ids, size_t n, size_t k, int (*cmp)(const void *, const void *, void *), void *ctx)
{
    if (k > n)
        k = n;
    if (k == 0)
        return;
    if (k == n) {
        qsort_r(ids, n, sizeof *ids, cmp, ctx);
        return;
    }
    for (size_t i = k / 2; i-- > 0;)
        sift_down(ids, k, i, cmp, ctx);
    for (size_t j = k; j < n; j++) {
        if (cmp(&ids[j], &ids[0], ctx) < 0) {
            uint32_t t = ids[0];
            ids[0] = ids[j];
            ids[j] = t;
            sift_down(ids, k, 0, cmp, ctx);
        }
    }
    qsort_r(ids, k, sizeof *ids, cmp, ctx);
}
