/* pprof_load.h — a heap profile's sites into the model (rt_psite). */
#ifndef RETAIN_LOADERS_PPROF_PPROF_LOAD_H
#define RETAIN_LOADERS_PPROF_PPROF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "loaders/elf/exe_file.h"
#include "model/model.h"
#include "util/error.h"

/* Add the sites of the heap profile at path (gzip'd or plain) to m: to a
 * model loaded from a heap first, or to an empty one (a profile alone).
 * exe (may be NULL): the executable, whose functions check the profile's
 * build.  A profile that is not a heap profile is refused.  0 or a
 * negative code. */
int pprof_load(rt_model *m, const char *path, exe_file *exe, rt_error *err);
/* The same from memory (name for errors; max_decompressed as for
 * pprof_read_mem). */
int pprof_load_mem(rt_model *m, const uint8_t *buf, size_t n, const char *name, uint64_t max_decompressed,
                   rt_error *err);

#endif
