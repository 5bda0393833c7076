/* alloc.h — the one allocation wrapper.
 *
 * Out of memory is not recoverable for a command-line analyser: the
 * wrappers print one line and exit(1), so callers need not check.  Memory
 * they return is owned by the caller and released with free(). */
#ifndef RETAIN_UTIL_ALLOC_H
#define RETAIN_UTIL_ALLOC_H

#include <stddef.h>
#include <stdlib.h> /* free() goes with these */

void *rt_malloc(size_t n);
void *rt_calloc(size_t count, size_t size);
void *rt_realloc(void *p, size_t n);
/* realloc to count*size with overflow check */
void *rt_reallocarray(void *p, size_t count, size_t size);
char *rt_strdup(const char *s);

/* Grow *arr (element size elem) so that it holds at least need elements;
 * *cap is updated.  Doubling keeps appends amortised O(1). */
void rt_grow(void **arr, size_t *cap, size_t need, size_t elem);
#define RT_GROW(arr, cap, need) rt_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

#endif
