/* output.c — outputs opened safely, every write error caught, committed
 * by rename or aborted (see output.h). */
#include "io/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"

/* The longest part of the target's name kept in the temporary file's
 * name, so that ".NAME.PID-N.tmp" stays within NAME_MAX (255). */
#define TMP_BASE_MAX 200
/* Temporary names tried before giving up (each is created O_EXCL). */
#define TMP_TRIES 100

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int output_check_inputs(const char *path, const char *const *inputs, size_t ninputs, rt_error *err)
{
    struct stat out, in;
    /* stat follows every link; a path that is not there yet is no input */
    if (stat(path, &out) != 0)
        return 0;
    for (size_t i = 0; i < ninputs; i++)
        if (inputs[i] && stat(inputs[i], &in) == 0 && same_file(&out, &in))
            return RT_FAIL(err, RT_E_USAGE,
                           "the output %s is the input %s (the same file); inputs are never written: "
                           "name another output", path, inputs[i]);
    return 0;
}

static void release(rt_output *o)
{
    free(o->path);
    free(o->target);
    free(o->tmp);
    free(o->ids);
    memset(o, 0, sizeof *o);
}

/* An error about the output with errno e; phase: "opening" or "writing". */
static int fail_errno(const rt_output *o, int e, const char *phase, const char *what, rt_error *err)
{
    char ph[64];
    snprintf(ph, sizeof ph, "%s the output", phase);
    rt_error_where(err, o->path, RT_NO_OFFSET, ph);
    return RT_FAIL(err, RT_E_IO, "%s: %s", what, strerror(e));
}

/* Create the temporary file beside o->target, with the permission bits of
 * the file it will replace (old), or for a new output 0666 less the umask
 * (open applies it).  Names are tried with O_EXCL, so no existing file is
 * ever opened. */
static int create_tmp(rt_output *o, const struct stat *old, rt_error *err)
{
    const char *slash = strrchr(o->target, '/');
    const char *base = slash ? slash + 1 : o->target;
    int dirlen = slash ? (int)(slash - o->target) + 1 : 0; /* with its '/' */
    if (!*base) {
        rt_error_where(err, o->path, RT_NO_OFFSET, "opening the output");
        return RT_FAIL(err, RT_E_USAGE, "names a directory, not a file");
    }
    size_t cap = (size_t)dirlen + TMP_BASE_MAX + 64;
    o->tmp = rt_malloc(cap);
    int fd = -1;
    for (int n = 0; fd < 0 && n < TMP_TRIES; n++) {
        snprintf(o->tmp, cap, "%.*s.%.*s.%ld-%d.tmp", dirlen, o->target, TMP_BASE_MAX, base, (long)getpid(), n);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        return fail_errno(o, e, "opening", "cannot create a file in its directory", err);
    }
    if ((old && fchmod(fd, old->st_mode & 07777) != 0) || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
        return fail_errno(o, e, "opening", "cannot set up a file in its directory", err);
    }
    return 0;
}

/* An existing file that is not regular: write into it as it is. */
static int open_direct(rt_output *o, const struct stat *st, rt_error *err)
{
    /* no O_CREAT: if it went away, do not make a regular file in its place */
    int fd = open(o->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return fail_errno(o, errno, "opening", "cannot open", err);
    struct stat now;
    if (fstat(fd, &now) != 0 || !same_file(st, &now)) {
        close(fd);
        rt_error_where(err, o->path, RT_NO_OFFSET, "opening the output");
        return RT_FAIL(err, RT_E_IO, "the file changed while it was being opened");
    }
    if (!(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        return fail_errno(o, e, "opening", "cannot open", err);
    }
    return 0;
}

static void keep_input_ids(rt_output *o, const char *const *inputs, size_t ninputs)
{
    o->ids = rt_calloc(2 * ninputs + 1, sizeof *o->ids);
    for (size_t i = 0; i < ninputs; i++) {
        struct stat st;
        if (inputs[i] && stat(inputs[i], &st) == 0) {
            o->ids[2 * o->nids] = (uint64_t)st.st_dev;
            o->ids[2 * o->nids + 1] = (uint64_t)st.st_ino;
            o->nids++;
        }
    }
}

int output_open(rt_output *o, const char *path, const char *const *inputs, size_t ninputs, rt_error *err)
{
    memset(o, 0, sizeof *o);
    int rc = output_check_inputs(path, inputs, ninputs, err);
    if (rc)
        return rc;
    o->path = rt_strdup(path);
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rt_error_where(err, path, RT_NO_OFFSET, "opening the output");
            rc = RT_FAIL(err, RT_E_USAGE, "is a directory; name a file");
        } else if (S_ISREG(st.st_mode)) {
            /* replace the file a link points to, not the link */
            if (!(o->target = realpath(path, NULL)))
                rc = fail_errno(o, errno, "opening", "cannot resolve its links", err);
            else
                rc = create_tmp(o, &st, err);
        } else {
            rc = open_direct(o, &st, err);
        }
    } else if (errno == ENOENT) {
        struct stat lst;
        if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
            rt_error_where(err, path, RT_NO_OFFSET, "opening the output");
            rc = RT_FAIL(err, RT_E_USAGE, "is a symbolic link to a file that does not exist; name the file "
                                          "itself");
        } else {
            o->target = rt_strdup(path);
            rc = create_tmp(o, NULL, err);
        }
    } else {
        rc = fail_errno(o, errno, "opening", "cannot look at it", err);
    }
    if (rc) {
        release(o);
        return rc;
    }
    keep_input_ids(o, inputs, ninputs);
    return 0;
}

/* The target became an input since output_open (it was renamed or linked
 * meanwhile): renaming over it would lose that input's name. */
static int target_is_input(const rt_output *o)
{
    struct stat st;
    if (stat(o->target, &st) != 0)
        return 0;
    for (size_t i = 0; i < o->nids; i++)
        if ((uint64_t)st.st_dev == o->ids[2 * i] && (uint64_t)st.st_ino == o->ids[2 * i + 1])
            return 1;
    return 0;
}

/* Flush f, fsync it when sync, close it.  0, or the errno of the first
 * failure, or -1 when a write failed earlier and its errno is gone (a
 * failed flush drops the buffer).  closed_ok: EBADF from close alone is
 * no error (standard output was closed, and nothing was written). */
static int close_stream(FILE *f, int sync, int closed_ok)
{
    int e = 0;
    if (fflush(f) != 0)
        e = errno ? errno : -1;
    else if (ferror(f))
        e = -1;
    else if (sync && fsync(fileno(f)) != 0)
        e = errno;
    if (fclose(f) != 0 && !e && !(closed_ok && errno == EBADF))
        e = errno;
    return e;
}

int output_commit(rt_output *o, rt_error *err)
{
    /* no fsync for a device or a FIFO written directly */
    int e = close_stream(o->f, o->tmp != NULL, 0);
    o->f = NULL;
    int rc = 0;
    if (e) {
        rt_error_where(err, o->path, RT_NO_OFFSET, "writing the output");
        rc = e > 0 ? RT_FAIL(err, RT_E_IO, "%s", strerror(e)) : RT_FAIL(err, RT_E_IO, "a write failed");
    } else if (o->tmp && target_is_input(o)) {
        rc = RT_FAIL(err, RT_E_USAGE, "the output %s became one of the inputs while it was written; "
                                      "inputs are never written: name another output", o->path);
    } else if (o->tmp && rename(o->tmp, o->target) != 0) {
        rc = fail_errno(o, errno, "writing", "cannot move the finished file into place", err);
    } else {
        free(o->tmp); /* renamed: nothing to remove */
        o->tmp = NULL;
    }
    if (o->tmp)
        unlink(o->tmp);
    release(o);
    return rc;
}

void output_abort(rt_output *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp); /* ours; the target is never removed */
    release(o);
}

int output_close_stdout(rt_error *err)
{
    int e = close_stream(stdout, 0, 1);
    if (e > 0)
        return RT_FAIL(err, RT_E_IO, "error writing standard output: %s", strerror(e));
    if (e)
        return RT_FAIL(err, RT_E_IO, "error writing standard output");
    return 0;
}
