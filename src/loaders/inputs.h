/* inputs.h — recognising input files by content and loading them into
 * one model.  The user may name inputs in any order. */
#ifndef RETAIN_LOADERS_INPUTS_H
#define RETAIN_LOADERS_INPUTS_H

#include <stdbool.h>

#include "elf/elf_file.h"
#include "loaders/elf/exe_file.h"
#include "loaders/typing/typing.h"
#include "model/model.h"
#include "util/progress.h"

typedef enum {
    RT_IN_UNKNOWN = 0,
    RT_IN_HEAPDUMP,
    RT_IN_CORE,
    RT_IN_EXE,
    RT_IN_PPROF,
    RT_IN_INDEX,     /* a saved index (retain index) */
} rt_input_file_kind;

typedef struct rt_inputs {
    const char *dump, *core, *exe, *profile; /* borrowed paths, NULL if absent */
    const char *index;  /* a saved index, which stands for all of them */
    const char *debug;  /* the executable's separate debug file, if named */
    const char *const *debug_dirs; /* more places to look for it (NULL-terminated), or NULL */
    const char *symbols; /* an unstripped build of the same source: its symbol table
                            names what the executable's lacks (--symbols) */
    int force;  /* read a Go version outside the supported range anyway */
    int threads; /* threads the loaders may use (0 or 1: the calling one alone) */
    int want_reverse; /* the command will need the reverse graph: made beside the typing */
    ty_propagate_fn propagate; /* NULL: ty_propagate (tests compare a reference) */
    /* The files inputs_sort opened to recognise them, kept open for the
     * loaders so that each is opened once (owned: inputs_load closes them
     * when done, inputs_release when the inputs are not loaded) */
    elf_file *core_file;     /* the core, or NULL */
    exe_file *exe_handle;    /* the executable, its debug file attached when
                              * one was named; a core loader that finds the
                              * executable itself sets it; NULL when none */
    int dump_fd;             /* the heap dump, or -1 */
    int keep_open;           /* inputs_load leaves them open: the caller
                              * reads them afterwards (read: the process's
                              * memory) and calls inputs_release */
} rt_inputs;

int input_classify(const char *path, rt_input_file_kind *kind, rt_error *err);

/* Classify each path and check the combination makes sense.  The core,
 * the executables and the dump stay open in *in (see rt_inputs); on
 * failure nothing stays open. */
int inputs_sort(char *const *paths, int n, rt_inputs *in, rt_error *err);
/* The same where fds[i] >= 0 is paths[i] already open (read from offset
 * 0, not taken over: the caller still closes it); fds may be NULL. */
int inputs_sort_fds(char *const *paths, const int *fds, int n, rt_inputs *in, rt_error *err);
/* Close what inputs_sort opened (idempotent). */
void inputs_release(rt_inputs *in);

/* Load the inputs into a new model (*out owned by the caller), then
 * inputs_release(in). */
int inputs_load(rt_inputs *in, const rt_progress *prog, rt_model **out, rt_error *err);

#endif
