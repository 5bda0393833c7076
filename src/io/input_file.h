/* input_file.h — opening an input for reading: regular files only, and
 * never a wait.
 *
 * A FIFO with no writer would block open() forever, and a directory, a
 * device or a socket is no dump, core or executable; every input is opened
 * O_NONBLOCK and anything but a regular file is refused at once with one
 * line naming the file. */
#ifndef RETAIN_IO_INPUT_FILE_H
#define RETAIN_IO_INPUT_FILE_H

#include <sys/stat.h>

#include "util/error.h"

/* Open path read-only.  what names the file in messages ("core",
 * "executable"), or NULL for "input".  Returns the descriptor (blocking
 * again, close-on-exec) with *st filled when st is not NULL, or a negative
 * rt_code with err naming path. */
int input_file_open(const char *path, const char *what, struct stat *st, rt_error *err);

#endif
