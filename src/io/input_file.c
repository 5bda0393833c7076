/* input_file.c — opening inputs without blocking, regular files only (see
 * input_file.h). */
#include "io/input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *kind_name(mode_t m)
{
    return S_ISFIFO(m)  ? "a FIFO (named pipe)"
         : S_ISDIR(m)   ? "a directory"
         : S_ISCHR(m)   ? "a character device"
         : S_ISBLK(m)   ? "a block device"
         : S_ISSOCK(m)  ? "a socket"
                        : "a special file";
}

int input_file_open(const char *path, const char *what, struct stat *st, rt_error *err)
{
    char phase[64], noun[48] = ""; /* noun: " the core", or nothing */
    snprintf(phase, sizeof phase, "opening the %s", what ? what : "input");
    if (what)
        snprintf(noun, sizeof noun, " the %s", what);
    /* O_NONBLOCK: open() of a FIFO would otherwise wait for a writer */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        rt_error_where(err, path, RT_NO_OFFSET, phase);
        return RT_FAIL(err, RT_E_IO, "cannot open%s: %s", noun, strerror(errno));
    }
    struct stat sb;
    int rc = 0;
    if (fstat(fd, &sb) != 0)
        rc = RT_FAIL(err, RT_E_IO, "cannot stat%s: %s", noun, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        rc = RT_FAIL(err, RT_E_IO, "%s is %s, not a regular file: name the file itself",
                     what ? noun + 1 : "it", kind_name(sb.st_mode));
    else {
        /* regular files ignore O_NONBLOCK; clear it all the same, so no
         * reader ever sees EAGAIN */
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
            rc = RT_FAIL(err, RT_E_IO, "cannot set up%s for reading: %s", noun, strerror(errno));
    }
    if (rc) {
        close(fd);
        rt_error_where(err, path, RT_NO_OFFSET, phase);
        return rc;
    }
    if (st)
        *st = sb;
    return fd;
}
