/* alloc.h — the one allocation wrapper.
 *
 * Out of memory is not recoverable for a command-line analyser: the
 * wrappers print one line and exit(1), so callers need not check.  Memory
 * they return is owned by the caller and released with free().
 *
 * Blocks of 8 MiB and more are advised onto transparent huge pages: the
 * big arrays (objects, edges, the typing's tables, the reverse lists) are
 * filled densely and then read all over, and on 2 MiB pages they fault
 * 512 times less and miss the TLB far less (a 10M-object core's overview:
 * 15% less CPU, 3% more RSS).  An array a search touches here and there
 * is allocated with rt_calloc_sparse instead, which advises the opposite:
 * a huge page would make a few touched bytes cost 2 MiB each. */
#ifndef RETAIN_UTIL_ALLOC_H
#define RETAIN_UTIL_ALLOC_H

#include <stddef.h>
#include <stdlib.h> /* free() goes with these */

void *rt_malloc(size_t n);
void *rt_calloc(size_t count, size_t size);
void *rt_calloc_sparse(size_t count, size_t size);
void *rt_realloc(void *p, size_t n);
/* realloc to count*size with overflow check */
void *rt_reallocarray(void *p, size_t count, size_t size);
char *rt_strdup(const char *s);

/* Grow *arr (element size elem) so that it holds at least need elements;
 * *cap is updated.  Doubling keeps appends amortised O(1). */
void rt_grow(void **arr, size_t *cap, size_t need, size_t elem);
#define RT_GROW(arr, cap, need) rt_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

#endif
