/* gocore_load.h — turn the ELF core of a Go program into the heap model. */
#ifndef RETAIN_GOCORE_LOAD_H
#define RETAIN_GOCORE_LOAD_H

#include "loaders/typing/typing.h"
#include "model/model.h"
#include "util/progress.h"

/* Load core_path (exe_path: its executable, or NULL to find it from the
 * core's notes) into the empty model m.  The executable's DWARF comes
 * from debug_path when given, else from the executable, else from a debug
 * file found by build id or debuglink under debug_dirs (NULL-terminated,
 * or NULL) and /usr/lib/debug.  force: go on with a Go version
 * outside the supported range.  A truncated core loads what it holds and
 * sets m->partial. */
int gocore_load(rt_model *m, const char *core_path, const char *exe_path, const char *debug_path,
                const char *const *debug_dirs, int force,
                ty_propagate_fn propagate, const rt_progress *prog, rt_error *err);

#endif
