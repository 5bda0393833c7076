/* heapdump_load.h — turn a Go heap dump into the heap model. */
#ifndef RETAIN_HEAPDUMP_LOAD_H
#define RETAIN_HEAPDUMP_LOAD_H

#include "loaders/elf/elf_symbols.h"
#include "loaders/inputs.h"
#include "loaders/typing/typing.h"
#include "model/model.h"
#include "util/progress.h"

/* Load path into the empty model m; fd >= 0 is path already open (read,
 * not closed), -1 to open it.  syms (may be NULL) names global roots and
 * must belong to the dump (checked).  exe (may be NULL): the executable,
 * whose type descriptors type the objects when there is no DWARF;
 * dwarf_src: where its DWARF is (exe, its debug file, or NULL for exe).
 * threads > 1: a second thread may search the reachable set beside the
 * typing (and make the reverse graph there when want_reverse).
 * A dump that ends early loads as far as it goes and sets m->partial. */
int heapdump_load(rt_model *m, const char *path, int fd, const elf_symtab *syms, exe_file *exe,
                  exe_file *dwarf_src, ty_propagate_fn propagate, int threads, int want_reverse,
                  const rt_progress *prog, rt_error *err);

/* The loader's entry (inputs.c): in->dump with in->exe, its debug file
 * or in->symbols when given. */
int heapdump_load_inputs(rt_model *m, rt_inputs *in, const rt_progress *prog, rt_error *err);

#endif
