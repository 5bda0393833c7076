/* inputs.c — which file is which (each kind recognised by its first
 * bytes), and the loaders that read the inputs holding a heap. */
#include "loaders/inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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
static int load_index(rt_model *m, const rt_inputs *in, const rt_progress *prog, rt_error *err)
{
    return index_load(m, in->index, in->threads, prog, err);
}

/* The loaders: the inputs that hold a heap, each recognised by its first
 * bytes and loaded with whatever else was given (executable, debug file,
 * symbols).  A new kind of input (a glibc core, say) is one more row. */
typedef struct rt_loader {
    rt_input_file_kind kind;
    int (*probe)(const uint8_t *head, size_t n);
    int (*load)(rt_model *m, const rt_inputs *in, const rt_progress *prog, rt_error *err);
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

int input_classify(const char *path, rt_input_file_kind *kind, rt_error *err)
{
    uint8_t head[4096]; /* pprof_sniff wants a gzip stream's first block */
    *kind = RT_IN_UNKNOWN;
    int fd = input_file_open(path, NULL, NULL, err);
    if (fd < 0)
        return fd;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
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

int inputs_sort(char *const *paths, int n, rt_inputs *in, rt_error *err)
{
    memset(in, 0, sizeof *in);
    for (int i = 0; i < n; i++) {
        rt_input_file_kind k;
        int rc = input_classify(paths[i], &k, err);
        if (rc)
            return rc;
        const char **slot = k == RT_IN_HEAPDUMP ? &in->dump
                          : k == RT_IN_CORE     ? &in->core
                          : k == RT_IN_EXE      ? &in->exe
                          : k == RT_IN_INDEX    ? &in->index
                                                : &in->profile;
        if (*slot && k == RT_IN_EXE && !in->debug) {
            /* an executable and its debug file, in either order */
            int debug_is_new;
            if ((rc = elf_debug_pair(*slot, paths[i], &debug_is_new, err)) != 0)
                return rc;
            in->debug = debug_is_new ? paths[i] : *slot;
            *slot = debug_is_new ? *slot : paths[i];
            continue;
        }
        if (*slot) {
            rt_error_where(err, paths[i], RT_NO_OFFSET, NULL);
            return RT_FAIL(err, RT_E_USAGE, "a second %s (the first was %s); give one of each kind",
                           k == RT_IN_HEAPDUMP ? "heap dump" : k == RT_IN_CORE ? "core"
                           : k == RT_IN_EXE ? "executable" : k == RT_IN_INDEX ? "index" : "profile", *slot);
        }
        *slot = paths[i];
    }
    if (in->index && (in->core || in->dump || in->exe || in->profile || in->debug))
        return RT_FAIL(err, RT_E_USAGE, "%s is a saved index, which holds what its inputs gave: name it alone",
                       in->index);
    if (in->core && in->dump)
        return RT_FAIL(err, RT_E_USAGE, "give a heap dump or a core, not both (%s, %s)", in->dump, in->core);
    if (!in->dump && !in->core && !in->profile && !in->index)
        return RT_FAIL(err, RT_E_USAGE, "no heap dump, core or heap profile given");
    return 0;
}

/* A heap profile alone: its sites, no objects. */
static int load_profile_alone(rt_model *m, const rt_inputs *in, rt_error *err)
{
    m->input_kind = RT_INPUT_PROFILE;
    m->input_path = rt_strdup(in->profile);
    if (in->exe)
        m->exe_path = rt_strdup(in->exe);
    return pprof_load(m, in->profile, err);
}

int inputs_load(const rt_inputs *in, const rt_progress *prog, rt_model **out, rt_error *err)
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
            rc = pprof_load(m, in->profile, err);
        }
    }
    if (rc) {
        model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}
