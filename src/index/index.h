/* index.h — a saved index: the model of a heap (objects, edges both
 * ways, types, sites, roots, goroutines) and its dominator tree, written
 * once by `retain index` and mapped by later commands instead of reading
 * the core or dump again (index_format.h has the layout). */
#ifndef RETAIN_INDEX_INDEX_H
#define RETAIN_INDEX_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/retained.h"
#include "model/model.h"
#include "util/error.h"
#include "util/progress.h"

/* 1 if head (n bytes from the file's start) begins a saved index. */
int index_sniff(const uint8_t *head, size_t n);

/* The analyses an index saves beside the model. */
struct rt_shared;
typedef struct index_analyses {
    const rt_retained *r;          /* the dominator tree, computed here */
    const struct rt_shared *sh;    /* shared retention with every flag */
    const uint32_t *child_start;   /* the tree's children by retained size */
    const uint32_t *child;         /* (domtree_children with r->bytes) */
} index_analyses;

/* Write m and a to path (rt_output: never over an input, never half a
 * file).  m needs its forward edges with offsets and its reverse edges;
 * inputs[0..ninput) are the files it was read from, recorded with their
 * sizes and times so a later reader can say when they changed. */
int index_write(rt_model *m, const index_analyses *a, const char *const *inputs, size_t ninput, const char *path,
                rt_error *err);

/* Read the index at path into the empty model m: its arrays point into a
 * private mapping of the file (model_free unmaps it) and
 * m->saved_retained holds the dominator tree, m->saved_shared the shared
 * retention, m->saved_child_start/child the tree's children.  Checks the header, every
 * section's checksum (on a second thread when threads > 1) and that
 * every id in it names something, so that a
 * damaged index is refused with one line; the checks that read whole
 * sections are skipped for a file that passed them before and has not
 * changed since (index_trust.h).  Notes in m->stale an input that
 * changed since. */
int index_load(rt_model *m, const char *path, int threads, const rt_progress *prog, rt_error *err);

#endif
