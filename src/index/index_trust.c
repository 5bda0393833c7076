/* index_trust.c — which saved indexes were already checked whole.
 *
 * Checking an index (every section's checksum, every id against what it
 * names, the dominator tree's shape) reads all of it: about 0.1 s a GB,
 * most of what a one-object `why` from the index costs.  The first
 * command that opens an index checks it whole; the check is then
 * remembered in a short list in the user's cache directory, keyed by what
 * the kernel says of the file (device, inode, size, modification and
 * inode-change times) and by the index's header checksum.  Any write to
 * the file, or any change of its times, sets its inode-change time anew,
 * and no user can set that one back: a file changed since its check no
 * longer matches and is checked again.  As with git's index, a check made
 * within two seconds of the file's last change is not remembered, since
 * two changes within one tick of the file system's clock carry one time.
 *
 * Everything here is best effort: a cache that cannot be read or written
 * only means the next command checks the index again. */
#include "index/index_trust.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index_format.h"

#define LIST_NAME "checked-indexes"
#define LIST_MAX (64 * 1024)   /* past this, the older half is dropped */
#define SETTLE_SEC 2           /* a check this soon after a change is not kept */

/* The list's directory into dir: RETAIN_CACHE_DIR (empty: no list),
 * else $XDG_CACHE_HOME/retain, else $HOME/.cache/retain.  0 if none. */
static int list_dir(char *dir, size_t n)
{
    const char *env = getenv("RETAIN_CACHE_DIR");
    int w;
    if (env)
        w = snprintf(dir, n, "%s", env);
    else if ((env = getenv("XDG_CACHE_HOME")) && env[0] == '/')
        w = snprintf(dir, n, "%s/retain", env);
    else if ((env = getenv("HOME")) && env[0] == '/')
        w = snprintf(dir, n, "%s/.cache/retain", env);
    else
        return 0;
    return w > 0 && (size_t)w < n;
}

/* The list's line for the file st with header checksum sum. */
static int key_line(char *line, size_t n, const struct stat *st, uint64_t sum)
{
    int w = snprintf(line, n, "rtx%u %ju %ju %jd %jd.%09ld %jd.%09ld %016" PRIx64 "\n", (unsigned)RTX_VERSION,
                     (uintmax_t)st->st_dev, (uintmax_t)st->st_ino, (intmax_t)st->st_size,
                     (intmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (intmax_t)st->st_ctim.tv_sec,
                     st->st_ctim.tv_nsec, sum);
    return w > 0 && (size_t)w < n;
}

/* The list's bytes (NUL-terminated, malloc'd) when it is a regular file
 * of ours that no one else may write, else NULL. */
static char *read_list(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022) &&
        st.st_size <= 2 * LIST_MAX && (buf = malloc((size_t)st.st_size + 1)) != NULL) {
        ssize_t got = read(fd, buf, (size_t)st.st_size);
        if (got < 0) {
            free(buf);
            buf = NULL;
        } else {
            buf[got] = 0;
            *len = (size_t)got;
        }
    }
    close(fd);
    return buf;
}

int index_trust_known(const struct stat *st, uint64_t header_sum)
{
    char dir[4096], path[4200], line[256];
    size_t len = 0;
    if (!list_dir(dir, sizeof dir) || !dir[0] || !key_line(line, sizeof line, st, header_sum))
        return 0;
    snprintf(path, sizeof path, "%s/" LIST_NAME, dir);
    char *list = read_list(path, &len);
    if (!list)
        return 0;
    int found = 0;
    size_t n = strlen(line);
    for (const char *p = list; !found && p && *p;) {
        found = strncmp(p, line, n) == 0;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    free(list);
    return found;
}

/* mkdir -p for the list's directory, private to the user. */
static int make_dir(char *dir)
{
    for (char *s = strchr(dir + 1, '/');; s = strchr(s + 1, '/')) {
        if (s)
            *s = 0;
        int rc = mkdir(dir, 0700);
        if (s)
            *s = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
        if (!s)
            return 0;
    }
}

/* Keeps the newer half of a list grown past LIST_MAX: written aside and
 * renamed over it, so a reader sees the old list or the new one. */
static void trim_list(const char *path)
{
    size_t len = 0;
    char *list = read_list(path, &len);
    if (!list || len <= LIST_MAX) {
        free(list);
        return;
    }
    const char *keep = strchr(list + len - LIST_MAX / 2, '\n');
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    int fd = keep ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
    if (fd >= 0) {
        size_t n = strlen(keep + 1);
        int ok = write(fd, keep + 1, n) == (ssize_t)n;
        ok = close(fd) == 0 && ok;
        if (!ok || rename(tmp, path) != 0)
            (void)unlink(tmp);
    }
    free(list);
}

void index_trust_record(const struct stat *st, uint64_t header_sum, const struct timespec *checked_at)
{
    char dir[4096], path[4200], line[256];
    if (checked_at->tv_sec - st->st_ctim.tv_sec < SETTLE_SEC || checked_at->tv_sec - st->st_mtim.tv_sec < SETTLE_SEC)
        return;
    if (!list_dir(dir, sizeof dir) || !dir[0] || !key_line(line, sizeof line, st, header_sum) || make_dir(dir) != 0)
        return;
    snprintf(path, sizeof path, "%s/" LIST_NAME, dir);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    struct stat ls;
    /* one write of one short line: lines of commands running side by
     * side do not mix */
    size_t n = strlen(line);
    int ok = fstat(fd, &ls) == 0 && S_ISREG(ls.st_mode) && ls.st_uid == geteuid() && !(ls.st_mode & 022) &&
             write(fd, line, n) == (ssize_t)n;
    close(fd);
    if (ok && (uint64_t)ls.st_size + n > LIST_MAX)
        trim_list(path);
}
