/* export_trie.h — stacks for pprof exports, interned as a trie while a
 * tree (dominators, shortest paths) is walked from its roots: a node's
 * stack is its parent's plus one location, so a chain a million deep
 * costs one trie node per distinct stack, not a copy of the chain per
 * sample.  Counts and bytes are summed per trie node and written as one
 * sample each. */
#ifndef RETAIN_REPORT_EXPORT_TRIE_H
#define RETAIN_REPORT_EXPORT_TRIE_H

#include <stdint.h>

#include "report/pprof_write.h"

#define TRIE_MAX_FRAMES 1024 /* frames written per sample, leaf first */

typedef struct trie {
    uint32_t *parent;  /* trie node -> parent trie node (0 = empty stack) */
    uint64_t *loc;     /* pprof location of the node's leaf frame */
    uint64_t *count, *bytes;
    uint32_t n, cap;
    uint32_t *slots;   /* hash (parent, loc) -> trie node */
    uint32_t nslots;
} trie;

/* An empty trie: node 0 is the empty stack. */
void trie_init(trie *t);
void trie_free(trie *t);
/* The node of parent's stack plus loc, made if new. */
uint32_t trie_child(trie *t, uint32_t parent, uint64_t loc);
/* One sample per node with a count: its stack, leaf first. */
void trie_samples(const trie *t, pprof_builder *b);

/* The sample types of every heap export: inuse_objects/count and
 * inuse_space/bytes (the default), as Go's heap profiles name them, so
 * that -sample_index and -diff_base work as users expect. */
void export_sample_types(pprof_builder *b);

#endif
