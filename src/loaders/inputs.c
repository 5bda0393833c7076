/* inputs.c — which file is which, and which loader reads it. */
#include "loaders/inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "io/input_file.h"
#include "loaders/elf/elf_debugfile.h"
#include "loaders/elf/elf_symbols.h"
#include "loaders/heapdump/heapdump_load.h"
#include "loaders/gocore/gocore_load.h"
#include "loaders/heapdump/heapdump_parse.h"

int input_classify(const char *path, rt_input_file_kind *kind, rt_error *err)
{
    uint8_t head[64];
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
    int is_core = 0;
    if (hd_sniff(head, (size_t)n))
        *kind = RT_IN_HEAPDUMP;
    else if (elf_sniff(head, (size_t)n, &is_core))
        *kind = is_core ? RT_IN_CORE : RT_IN_EXE;
    else if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        *kind = RT_IN_PPROF;
    if (*kind == RT_IN_UNKNOWN) {
        rt_error_where(err, path, 0, "recognising the input");
        return RT_FAIL(err, RT_E_FORMAT,
                       "not a Go heap dump, ELF core, executable or pprof profile%s",
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
                           : k == RT_IN_EXE ? "executable" : "profile", *slot);
        }
        *slot = paths[i];
    }
    if (in->core && in->dump)
        return RT_FAIL(err, RT_E_USAGE, "give a heap dump or a core, not both (%s, %s)", in->dump, in->core);
    if (!in->dump && !in->core) {
        return RT_FAIL(err, RT_E_USAGE, "no heap dump or core given%s",
                       in->profile ? " (a pprof profile alone has no retention paths)" : "");
    }
    return 0;
}

int inputs_load(const rt_inputs *in, const rt_progress *prog, rt_model **out, rt_error *err)
{
    elf_symtab syms;
    int have_syms = 0, rc;
    *out = NULL;
    if (in->core) {
        rt_model *m = model_new();
        if ((rc = gocore_load(m, in, prog, err)) != 0) {
            model_free(m);
            return rc;
        }
        *out = m;
        return 0;
    }
    /* names and types from the DWARF and symbols of the executable or of
     * its debug file; without either the dump is read with neither */
    char found[4096];
    const char *dwarf_path = NULL;
    if (in->exe) {
        rt_error e2;
        if (elf_debug_resolve(in->exe, in->debug, in->debug_dirs, found, sizeof found, &dwarf_path, &e2) != 0)
            dwarf_path = in->exe; /* a stripped executable still checks the dump */
        if ((rc = elf_symtab_load(&syms, dwarf_path, err)) != 0)
            return rc;
        have_syms = 1;
        if (in->symbols && dwarf_path == in->exe && !syms.has_symtab) {
            /* --symbols: names from an unstripped build of the same source */
            elf_symtab names;
            if ((rc = elf_symtab_load(&names, in->symbols, err)) != 0 ||
                (rc = elf_symtab_adopt(&names, &syms, in->symbols, in->exe, err)) != 0) {
                elf_symtab_free(&syms);
                return rc;
            }
            elf_symtab_free(&syms);
            syms = names;
        }
    }
    rt_model *m = model_new();
    rc = heapdump_load(m, in->dump, have_syms ? &syms : NULL, in->exe, dwarf_path, in->propagate, prog, err);
    if (have_syms)
        elf_symtab_free(&syms);
    if (rc) {
        model_free(m);
        return rc;
    }
    if (in->profile)
        model_warn(m, "pprof profiles are not read yet: %s ignored", in->profile);
    *out = m;
    return 0;
}
