/* pprof_read.h — read a pprof profile (profile.proto, gzip'd or plain) into
 * plain C arrays: sample types, period, and samples with their values,
 * stacks and labels.  Made for Go heap profiles (pprof.WriteHeapProfile,
 * /debug/pprof/heap) but reads any profile.proto file.
 *
 * Layout (dense indexes and CSR, not the file's sparse ids):
 *   p->samples[i].locs[0..nloc)  indexes into p->locations, leaf first
 *   p->locations[j].frames[0..nframe)  that location's frames: pprof's
 *       Location.line list, i.e. inlined callees first and the function
 *       the code was inlined into last; always at least one frame (an
 *       unsymbolized location has one frame with function "")
 * so a sample's full stack, leaf first, is the locations' frames in turn;
 * pprof_sample_frames() walks it.
 *
 * Ownership: pprof_read_file/pprof_read_mem hand back a profile the caller
 * owns and releases with pprof_profile_free.  Every pointer inside it —
 * strings included — points into memory the profile owns, valid until
 * pprof_profile_free.  Strings are never NULL ("" when absent) except
 * pprof_label.str, which is NULL for numeric labels. */
#ifndef RETAIN_LOADERS_PPROF_PPROF_READ_H
#define RETAIN_LOADERS_PPROF_PPROF_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Inputs whose decompressed protobuf is larger than this are refused (a
 * small gzip can expand to anything; real heap profiles are megabytes). */
#define PPROF_MAX_DECOMPRESSED ((uint64_t)2 << 30) /* 2 GiB */

typedef struct pprof_value_type {
    const char *type; /* e.g. "inuse_space" */
    const char *unit; /* e.g. "bytes" */
} pprof_value_type;

typedef struct pprof_frame {
    const char *function; /* Function.name, or system_name when name is empty */
    const char *file;     /* source file, "" when unknown */
    int64_t line;         /* line number, 0 when unknown */
} pprof_frame;

typedef struct pprof_loc {
    const pprof_frame *frames; /* nframe >= 1 frames, innermost first */
    uint32_t nframe;
    uint64_t address; /* instruction address, 0 when the profile has none */
} pprof_loc;

typedef struct pprof_label {
    const char *key;
    const char *str;      /* string label value, or NULL for a numeric label */
    int64_t num;          /* numeric label value (0 for string labels) */
    const char *num_unit; /* unit of num, "" when not given */
} pprof_label;

typedef struct pprof_sample {
    const int64_t *values; /* one per sample type */
    const uint32_t *locs;  /* indexes into pprof_profile.locations, leaf first */
    uint32_t nloc;
    const pprof_label *labels;
    uint32_t nlabel;
} pprof_sample;

typedef struct pprof_profile {
    const pprof_value_type *sample_types;
    size_t nsample_types;
    pprof_value_type period_type; /* "" / "" when absent */
    int64_t period;               /* Go heap profiles: runtime.MemProfileRate */
    const char *default_sample_type; /* "" when absent */
    int64_t time_nanos;
    int64_t duration_nanos;

    const pprof_sample *samples;
    size_t nsamples;
    const pprof_loc *locations;
    size_t nlocations;

    const char *const *comments;
    size_t ncomments;

    void *priv_; /* storage owned by the profile; not for callers */
} pprof_profile;

/* 1 if buf[0..n) — the whole file or only its start — looks like a pprof
 * profile: a gzip stream whose first decompressed bytes, or plain bytes
 * that, parse as the opening fields of a profile.proto Profile.  Give it
 * the whole file or its first 4 KiB or so: a gzip prefix shorter than the
 * first deflate block's code tables (often ~100 bytes) decodes to
 * nothing and is answered 0. */
int pprof_sniff(const uint8_t *buf, size_t n);

/* Read the profile in file `path` into *out (set only on success).  Errors
 * name the file, the phase and, where known, the byte offset. */
int pprof_read_file(const char *path, pprof_profile **out, rt_error *err);

/* The same from memory; name is used in errors.  max_decompressed bounds
 * the protobuf size after gunzip (0 = PPROF_MAX_DECOMPRESSED). */
int pprof_read_mem(const uint8_t *buf, size_t n, const char *name, uint64_t max_decompressed,
                   pprof_profile **out, rt_error *err);

void pprof_profile_free(pprof_profile *p); /* NULL-safe */

/* Call fn for each frame of sample s, leaf first; stops early and returns
 * false when fn returns false, else returns true. */
typedef bool (*pprof_frame_fn)(const pprof_frame *f, void *ctx);
bool pprof_sample_frames(const pprof_profile *p, const pprof_sample *s, pprof_frame_fn fn, void *ctx);

#endif
