/* output.h — writing an output file without ever harming an input or a
 * file we did not create.
 *
 * An output is opened, written through its FILE*, then committed or
 * aborted:
 *   - it is refused when it is, after links are followed (symbolic or
 *     hard, "./x", "/proc/self/cwd/x"), the same file (device and inode)
 *     as any input — checked at open and again just before commit;
 *   - a regular file (new or existing) is written to a temporary file
 *     beside it and renamed into place at commit, so a failed write leaves
 *     the old file, or nothing, never half an output;
 *   - an existing file that is not regular (/dev/full, a FIFO, a
 *     terminal) cannot be renamed over: it is written directly, and never
 *     removed, whatever happens.
 * Every write error surfaces at commit (the stream's error flag, the final
 * flush, fsync and close). */
#ifndef RETAIN_IO_OUTPUT_H
#define RETAIN_IO_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

typedef struct rt_output {
    FILE *f;          /* where to write; NULL once committed or aborted */
    char *path;       /* the path as given, for messages (owned) */
    char *target;     /* the resolved path renamed onto; NULL when direct (owned) */
    char *tmp;        /* the temporary file beside target; NULL when direct (owned) */
    uint64_t *ids;    /* (device, inode) pairs of the inputs, for the re-check (owned) */
    size_t nids;
} rt_output;

/* 0 when path is no input (a path that does not exist yet is none), or
 * -RT_E_USAGE naming the input it is.  Inputs that cannot be looked at are
 * skipped: loading them reports why. */
int output_check_inputs(const char *path, const char *const *inputs, size_t ninputs, rt_error *err);

/* Open path for writing after output_check_inputs.  On success o->f is
 * ready; the caller then calls output_commit or output_abort exactly
 * once.  On failure nothing was created and o needs no cleanup. */
int output_open(rt_output *o, const char *path, const char *const *inputs, size_t ninputs,
                rt_error *err);

/* Flush, check every error the stream saw, close, and rename the
 * temporary file into place.  On failure the temporary file is removed
 * (never the target) and err names the output. */
int output_commit(rt_output *o, rt_error *err);

/* Close and remove the temporary file; the target is left as it was. */
void output_abort(rt_output *o);

/* Flush and close standard output: 0, or -RT_E_IO with a message like
 * "error writing standard output: No space left on device". */
int output_close_stdout(rt_error *err);

#endif
