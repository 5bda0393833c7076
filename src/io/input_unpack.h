/* input_unpack.h — compressed inputs (gzip'd dumps and cores, zstd cores)
 * and standard input, unpacked into a temporary file the loaders read
 * like any other (input_unpack.c). */
#ifndef RETAIN_IO_INPUT_UNPACK_H
#define RETAIN_IO_INPUT_UNPACK_H

#include "util/error.h"

typedef struct input_unpacked {
    int fd;             /* the temporary file, -1 when the input is used as it is */
    char path[64];      /* "/proc/self/fd/N" to read it by */
    const char *how;    /* "gunzipped", "unzstd'd", "standard input" */
} input_unpacked;

/* Unpack path ("-" or /dev/stdin: standard input) when it needs it: 0
 * with u->fd >= 0 and u->path set, or 0 with u->fd -1 (read path as it
 * is), or an error naming the file.  In the second case *plain (when not
 * NULL) gets path open, for the caller to read and close: the file was
 * opened to look at its first bytes, and need not be opened again. */
int input_unpack(const char *path, input_unpacked *u, int *plain, rt_error *err);
void input_unpacked_close(input_unpacked *u);

#endif
