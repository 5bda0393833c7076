/* gocore_load.h — turn the ELF core of a Go program into the heap model. */
#ifndef RETAIN_GOCORE_LOAD_H
#define RETAIN_GOCORE_LOAD_H

#include "loaders/go_version.h"
#include "loaders/inputs.h"
#include "loaders/typing/typing_rtypes.h"
#include "model/model.h"
#include "util/progress.h"

/* Load in->core (in->exe: its executable, or NULL to find it from the
 * core's notes) into the empty model m.  The executable's DWARF comes
 * from in->debug when given, else from the executable, else from a debug
 * file found by build id or debuglink under in->debug_dirs and
 * /usr/lib/debug, else there is none and the core is read without
 * (in->symbols may then name its globals).  in->force: go on with a Go
 * version outside the supported range.  A truncated core loads what it
 * holds and sets m->partial. */
int gocore_load(rt_model *m, rt_inputs *in, const rt_progress *prog, rt_error *err);

/* The type descriptors' offsets of Go version v from the built-in layout
 * tables (what a stripped executable's descriptors are read with, by a
 * heap dump too): 0, or -1 for a version no table was generated for. */
int gocore_rt_layout(const gv_version *v, ty_rt_layout *out);

#endif
