/* retain.h — the public interface of libretain.
 *
 * Small on purpose: open inputs into a heap model, free it, and read the
 * version.  The command-line tool is built on the internal headers under
 * src/; this header is what another program may rely on. */
#ifndef RETAIN_RETAIN_H
#define RETAIN_RETAIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The heap model: objects, pointers, roots, allocation sites. */
typedef struct rt_model retain_model;

/* "0.1.0" */
const char *retain_version(void);

/* Load inputs (a Go heap dump and optionally its executable, in any
 * order; each recognised by content) into a new model.  Returns 0 and
 * sets *out (free with retain_model_free), or a negative error code and
 * writes a one-line message naming the file and offset into msg. */
int retain_open(const char *const *paths, size_t npaths, retain_model **out, char *msg,
                size_t msglen);

/* NULL-safe. */
void retain_model_free(retain_model *m);

/* Counts, for a first look. */
size_t retain_object_count(const retain_model *m);
size_t retain_root_count(const retain_model *m);
/* Nonzero when the input ended early and answers are partial. */
int retain_is_partial(const retain_model *m);

#ifdef __cplusplus
}
#endif

#endif
