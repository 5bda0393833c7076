/* pprof_write.h — build a pprof profile (profile.proto, gzip'd) in memory
 * and write it to a file that `go tool pprof` and other pprof readers open.
 *
 * Usage: create a builder, declare the sample types in order, intern one
 * location per (function, file, line), add samples whose stacks are lists
 * of those location ids (leaf first) and whose values are one per sample
 * type, then write.  The builder copies every string it is given, so the
 * caller's strings may be freed at once.
 *
 * Built to export a whole heap's dominator tree — one sample per object,
 * ~10 million samples and locations: strings, functions and locations are
 * interned through hash tables, each string is stored once, memory grows
 * linearly with what was added, and writing streams the encoding through
 * gzip instead of building the whole encoded profile in memory.
 *
 * Misuse (a location id the builder did not hand out, a sample type added
 * after the first sample) is recorded and reported by pprof_write_file as
 * RT_E_USAGE; the void functions below never fail otherwise (allocation
 * failure exits, see util/alloc.h). */
#ifndef RETAIN_REPORT_PPROF_WRITE_H
#define RETAIN_REPORT_PPROF_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

typedef struct pprof_builder pprof_builder;

/* Returns a new, empty builder; the caller owns it and releases it with
 * pprof_builder_free. */
pprof_builder *pprof_builder_new(void);
void pprof_builder_free(pprof_builder *b); /* NULL-safe */

/* Append a sample type, e.g. ("objects","count") then ("space","bytes").
 * All sample types must be added before the first sample. */
void pprof_add_sample_type(pprof_builder *b, const char *type, const char *unit);

/* What one sampling period counts, and how many of it: Go heap profiles
 * say ("space","bytes", runtime.MemProfileRate). */
void pprof_set_period(pprof_builder *b, const char *type, const char *unit, int64_t period);

/* The file (and build id) of the one mapping every location belongs to:
 * the executable, so pprof's -list and source view know what was run. */
void pprof_set_mapping(pprof_builder *b, const char *file, const char *build_id);

/* The sample type pprof shows when the user names none. */
void pprof_set_default_sample_type(pprof_builder *b, const char *type);

/* The id (>= 1) of the location for (function, file, line); the same
 * triple always gives the same id.  NULL strings are taken as "". */
uint64_t pprof_location(pprof_builder *b, const char *function, const char *file, int64_t line);

/* Add one sample: locs[0..nloc) are ids from pprof_location, leaf first;
 * values holds one value per sample type.  label_key/label_str add one
 * string label when both are non-NULL.  (An empty label_str is string
 * index 0 on the wire, which pprof reads as the number 0, as it does in
 * Go's own profiles.) */
void pprof_add_sample(pprof_builder *b, const uint64_t *locs, size_t nloc, const int64_t *values,
                      const char *label_key, const char *label_str);

/* Counts so far, for progress messages and tests. */
size_t pprof_builder_nsamples(const pprof_builder *b);
size_t pprof_builder_nlocations(const pprof_builder *b);

/* Encode the profile, gzip it as Go's runtime/pprof does, and write it to
 * fp (name: the file, for errors); fp is neither flushed nor closed, see
 * io/output.h for the rest.  Fails on the first write error (its byte
 * offset in err).  The builder is unchanged and may be written again. */
int pprof_write(pprof_builder *b, FILE *fp, const char *name, rt_error *err);

/* pprof_write into path through io/output.h: all or nothing, a failed
 * write leaves whatever path was before. */
int pprof_write_file(pprof_builder *b, const char *path, rt_error *err);

#endif
