/* inputs.c — which file is which (each kind recognised by its first
 * bytes), and the loaders that read the inputs holding a heap.  Each file
 * is opened here once; the core, the executables and the dump stay open
 * for their loaders. */
#include "loaders/inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index.h"
#include "io/input_file.h"
#include "loaders/elf/elf_debugfile.h"
#include "loaders/elf/elf_symbols.h"
#include "loaders/heapdump/heapdump_load.h"
#include "loaders/gocore/gocore_load.h"
#include "loaders/heapdump/heapdump_parse.h"
#include "loaders/pprof/pprof_load.h"
#include "loaders/pprof/pprof_read.h"
#include "util/alloc.h"

/* What each kind of input starts with. */
static int probe_dump(const uint8_t *head, size_t n) { return hd_sniff(head, n); }
static int probe_core(const uint8_t *head, size_t n)
{
    int is_core = 0;
    return elf_sniff(head, n, &is_core) && is_core;
}
static int probe_exe(const uint8_t *head, size_t n)
{
    int is_core = 1;
    return elf_sniff(head, n, &is_core) && !is_core;
}
static int probe_pprof(const uint8_t *head, size_t n) { return pprof_sniff(head, n); }
static int probe_index(const uint8_t *head, size_t n) { return index_sniff(head, n); }
static int load_index(rt_model *m, rt_inputs *in, const rt_progress *prog, rt_error *err)
{
    return index_load(m, in->index, in->threads, prog, err);
}

/* The loaders: the inputs that hold a heap, each recognised by its first
 * bytes and loaded with whatever else was given (executable, debug file,
 * symbols), through the files inputs_sort opened: rt_inputs is the one
 * context a loader gets.  A new kind of input (a glibc core, say) is one
 * more row. */
typedef struct rt_loader {
    rt_input_file_kind kind;
    int (*probe)(const uint8_t *head, size_t n);
    int (*load)(rt_model *m, rt_inputs *in, const rt_progress *prog, rt_error *err);
} rt_loader;

static const rt_loader loaders[] = {
    { RT_IN_HEAPDUMP, probe_dump, heapdump_load_inputs },
    { RT_IN_CORE, probe_core, gocore_load },
    { RT_IN_INDEX, probe_index, load_index },
};

/* The companion inputs, recognised the same way. */
static const struct { rt_input_file_kind kind; int (*probe)(const uint8_t *, size_t); } companions[] = {
    { RT_IN_EXE, probe_exe },
    { RT_IN_PPROF, probe_pprof }, /* last: a plain protobuf is the weakest evidence */
};

/* What the open file fd starts with. */
static int classify_fd(const char *path, int fd, rt_input_file_kind *kind, rt_error *err)
{
    uint8_t head[4096]; /* pprof_sniff wants a gzip stream's first block */
    *kind = RT_IN_UNKNOWN;
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n < 0) {
        rt_error_where(err, path, RT_NO_OFFSET, NULL);
        return RT_FAIL(err, RT_E_IO, "cannot read: %s", strerror(errno));
    }
    for (size_t i = 0; i < sizeof loaders / sizeof loaders[0] && *kind == RT_IN_UNKNOWN; i++)
        if (loaders[i].probe(head, (size_t)n))
            *kind = loaders[i].kind;
    for (size_t i = 0; i < sizeof companions / sizeof companions[0] && *kind == RT_IN_UNKNOWN; i++)
        if (companions[i].probe(head, (size_t)n))
            *kind = companions[i].kind;
    if (*kind == RT_IN_UNKNOWN) {
        rt_error_where(err, path, 0, "recognising the input");
        return RT_FAIL(err, RT_E_FORMAT,
                       "not a Go heap dump, ELF core, executable, pprof profile or retain index%s",
                       n == 0 ? " (the file is empty)" : "");
    }
    return 0;
}

int input_classify(const char *path, rt_input_file_kind *kind, rt_error *err)
{
    *kind = RT_IN_UNKNOWN;
    int fd = input_file_open(path, NULL, NULL, err);
    if (fd < 0)
        return fd;
    int rc = classify_fd(path, fd, kind, err);
    close(fd);
    return rc;
}

/* path opened (or given, fd >= 0: then a descriptor of our own on it), with
 * its stat.  The descriptor, or a negative code. */
static int open_input(const char *path, int given, struct stat *st, rt_error *err)
{
    if (given < 0)
        return input_file_open(path, NULL, st, err);
    int fd = fcntl(given, F_DUPFD_CLOEXEC, 0);
    if (fd < 0 || fstat(fd, st) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        rt_error_where(err, path, RT_NO_OFFSET, "opening the input");
        return RT_FAIL(err, RT_E_IO, "cannot use the open input: %s", strerror(e));
    }
    return fd;
}

static const char *kind_noun(rt_input_file_kind k)
{
    return k == RT_IN_HEAPDUMP ? "heap dump" : k == RT_IN_CORE ? "core"
         : k == RT_IN_EXE ? "executable" : k == RT_IN_INDEX ? "index" : "profile";
}

/* A second executable: the first's debug file, or the first is its (they
 * may come in either order).  Takes x over. */
static int pair_exe(rt_inputs *in, exe_file *x, const char *path, rt_error *err)
{
    int debug_is_new, rc;
    if ((rc = elf_debug_pair(in->exe_handle, x, &debug_is_new, err)) != 0) {
        exe_close(x);
        return rc;
    }
    in->debug = debug_is_new ? path : in->exe;
    if (debug_is_new) {
        exe_debug_attach(in->exe_handle, x);
    } else {
        in->exe = path;
        exe_debug_attach(x, in->exe_handle);
        in->exe_handle = x;
    }
    return 0;
}

/* Recognise path and keep it open where its loader will want it. */
static int sort_one(rt_inputs *in, const char *path, int given, rt_error *err)
{
    struct stat st;
    rt_input_file_kind k;
    int fd = open_input(path, given, &st, err);
    if (fd < 0)
        return fd;
    int rc = classify_fd(path, fd, &k, err);
    if (rc) {
        close(fd);
        return rc;
    }
    const char **slot = k == RT_IN_HEAPDUMP ? &in->dump
                      : k == RT_IN_CORE     ? &in->core
                      : k == RT_IN_EXE      ? &in->exe
                      : k == RT_IN_INDEX    ? &in->index
                                            : &in->profile;
    if (*slot && !(k == RT_IN_EXE && !in->debug)) {
        close(fd);
        rt_error_where(err, path, RT_NO_OFFSET, NULL);
        return RT_FAIL(err, RT_E_USAGE, "a second %s (the first was %s); give one of each kind", kind_noun(k),
                       *slot);
    }
    elf_file *f = NULL;
    if (k == RT_IN_CORE || k == RT_IN_EXE) {
        if ((rc = ef_open_fd(&f, fd, &st, path, k == RT_IN_CORE ? "core" : "executable", err)) != 0)
            return rc;
        if (k == RT_IN_CORE)
            in->core_file = f;
        else if (*slot) /* an executable and its debug file, in either order */
            return pair_exe(in, exe_from_file(f), path, err);
        else
            in->exe_handle = exe_from_file(f);
    } else if (k == RT_IN_HEAPDUMP) {
        in->dump_fd = fd;
    } else {
        close(fd); /* read by path: profiles and indexes are read once */
    }
    *slot = path;
    return 0;
}

int inputs_sort_fds(char *const *paths, const int *fds, int n, rt_inputs *in, rt_error *err)
{
    memset(in, 0, sizeof *in);
    in->dump_fd = -1;
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = sort_one(in, paths[i], fds ? fds[i] : -1, err);
    if (!rc && in->index && (in->core || in->dump || in->exe || in->profile || in->debug))
        rc = RT_FAIL(err, RT_E_USAGE, "%s is a saved index, which holds what its inputs gave: name it alone",
                     in->index);
    else if (!rc && in->core && in->dump)
        rc = RT_FAIL(err, RT_E_USAGE, "give a heap dump or a core, not both (%s, %s)", in->dump, in->core);
    else if (!rc && !in->dump && !in->core && !in->profile && !in->index)
        rc = RT_FAIL(err, RT_E_USAGE, "no heap dump, core or heap profile given");
    if (rc)
        inputs_release(in);
    return rc;
}

int inputs_sort(char *const *paths, int n, rt_inputs *in, rt_error *err)
{
    return inputs_sort_fds(paths, NULL, n, in, err);
}

void inputs_release(rt_inputs *in)
{
    ef_close(in->core_file);
    in->core_file = NULL;
    exe_close(in->exe_handle);
    in->exe_handle = NULL;
    if (in->dump_fd >= 0)
        close(in->dump_fd);
    in->dump_fd = -1;
}

/* A heap profile alone: its sites, no objects. */
static int load_profile_alone(rt_model *m, const rt_inputs *in, rt_error *err)
{
    m->input_kind = RT_INPUT_PROFILE;
    m->input_path = rt_strdup(in->profile);
    if (in->exe)
        m->exe_path = rt_strdup(in->exe);
    return pprof_load(m, in->profile, in->exe_handle, err);
}

int inputs_load(rt_inputs *in, const rt_progress *prog, rt_model **out, rt_error *err)
{
    const char *heap = in->index ? in->index : in->core ? in->core : in->dump;
    rt_input_file_kind kind = in->index ? RT_IN_INDEX : in->core ? RT_IN_CORE : RT_IN_HEAPDUMP;
    *out = NULL;
    rt_model *m = model_new();
    int rc = -RT_E_UNSUPPORTED;
    if (!heap) {
        rc = load_profile_alone(m, in, err);
    } else {
        size_t i = 0;
        while (i < sizeof loaders / sizeof loaders[0] && loaders[i].kind != kind)
            i++;
        if (i == sizeof loaders / sizeof loaders[0]) {
            rt_error_where(err, heap, RT_NO_OFFSET, NULL);
            rc = RT_FAIL(err, RT_E_UNSUPPORTED, "no loader reads this input");
        } else if ((rc = loaders[i].load(m, in, prog, err)) == 0 && in->profile) {
            /* the profile joins the heap: used, or refused with a reason */
            rc = pprof_load(m, in->profile, in->exe_handle, err);
        }
    }
    m->workers = in->threads;
    if (!in->keep_open)
        inputs_release(in);
    if (rc) {
        model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}
