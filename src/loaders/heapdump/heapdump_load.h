/* heapdump_load.h — turn a Go heap dump into the heap model. */
#ifndef RETAIN_HEAPDUMP_LOAD_H
#define RETAIN_HEAPDUMP_LOAD_H

#include "loaders/elf/elf_symbols.h"
#include "loaders/inputs.h"
#include "loaders/typing/typing.h"
#include "model/model.h"
#include "util/progress.h"

/* Load path into the empty model m.  syms (may be NULL) names global
 * roots and must belong to the dump (checked).  A dump that ends early
 * loads as far as it goes and sets m->partial. */
int heapdump_load(rt_model *m, const char *path, const elf_symtab *syms, const char *exe_path,
                  const char *dwarf_path, ty_propagate_fn propagate, const rt_progress *prog, rt_error *err);

/* The loader's entry (inputs.c): in->dump with in->exe, its debug file
 * or in->symbols when given. */
int heapdump_load_inputs(rt_model *m, const rt_inputs *in, const rt_progress *prog, rt_error *err);

#endif
