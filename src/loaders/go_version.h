/* go_version.h — the one place that says which Go versions retain reads
 * and which runtime changes a version brings.  The loaders of cores and
 * heap dumps ask here instead of comparing minor numbers themselves; the
 * build (tests/CMakeLists.txt) and scripts/setup-debian.sh read the tested
 * list from the GV_TESTED line below. */
#ifndef RETAIN_LOADERS_GO_VERSION_H
#define RETAIN_LOADERS_GO_VERSION_H

#include <stddef.h>

#include "util/error.h"

#define GV_MIN 19 /* oldest minor version read */
#define GV_MAX 27 /* newest */
#define GV_STR_(x) #x
#define GV_STR(x) GV_STR_(x)
#define GV_SUPPORTED "1." GV_STR(GV_MIN) "-1." GV_STR(GV_MAX) /* for messages */
/* the versions the test suite runs (a Debian toolchain exists for each);
 * keep on one line: scripts read it */
#define GV_TESTED "1.19 1.21 1.22 1.23 1.24 1.26 1.27"

typedef struct gv_version {
    char text[96]; /* as the binary states it: "go1.22.12", "go1.25.0 X:greenteagc" */
    int minor;     /* 22; 0 when the text names no go1.N */
    int patch;
    int greentea;  /* the green tea collector: inline mark bits in small spans */
} gv_version;

/* Parse a runtime.buildVersion string (NULL or unparsable: minor 0). */
void gv_parse(const char *text, gv_version *v);

int gv_is_tested(int minor);

/* What a version's runtime does, by the version that changed it. */
static inline int gv_malloc_headers(const gv_version *v) { return v->minor >= 22; }
/* abi.Kind's 0x40 bit says "GC program" (≤1.23); from 1.24 masks are
 * built on demand (TFlag 0x10) */
static inline int gv_kind_gcprog(const gv_version *v) { return v->minor <= 23; }
static inline int gv_tflag_gcmask_on_demand(const gv_version *v) { return v->minor >= 24; }
/* "stored directly in an interface" moved from Kind_ to TFlag in 1.26 */
static inline int gv_direct_iface_in_tflag(const gv_version *v) { return v->minor >= 26; }

/* Whether to read an input of version v: 0 to go on (a warning for an
 * untested or forced version in warn, "" if none), or an error naming
 * path for a version outside GV_MIN..GV_MAX without force. */
int gv_admit(const gv_version *v, int force, const char *path, char *warn, size_t nwarn, rt_error *err);

#endif
