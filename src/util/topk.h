/* topk.h — the first k of n ids in an order, without sorting all n: the
 * top rows of a ranking of millions of objects (top --retained) cost
 * n log k instead of n log n. */
#ifndef RETAIN_UTIL_TOPK_H
#define RETAIN_UTIL_TOPK_H

#include <stddef.h>
#include <stdint.h>

/* Reorder ids[0..n) so that ids[0..k) are, in order, the k that cmp
 * (qsort_r's contract: <0 when a goes first) puts first; the rest are
 * left in no particular order.  cmp must be a total order (ties broken,
 * by id say) for the answer to be the one a full sort gives.  k > n
 * means n. */
void rt_top_k(uint32_t *ids, size_t n, size_t k, int (*cmp)(const void *, const void *, void *), void *ctx);

#endif
