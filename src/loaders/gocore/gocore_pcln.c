/* gocore_pcln.c — the executable's pc-value table, as the runtime sees it.
 *
 * The first module's moduledata (in the core) holds the table's address
 * (pcHeader .. the end of pclntable), the text start and go:func.*; read
 * through the core, which takes the read-only segments the kernel left
 * out from the executable.  Going through moduledata rather than ELF
 * sections works for stripped and PIE binaries alike.  The table speaks
 * link-time addresses: everything here is shifted by the load bias. */
#include <stdlib.h>
#include <string.h>

#include "gopclntab/gopclntab.h"
#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"

#define PCLN_MAX (1ULL << 30) /* no real table is this large */

static int read_linktime(void *ctx, uint64_t addr, void *buf, size_t n)
{
    gc_load *L = ctx;
    rt_error e;
    return ec_read(L->core, addr + L->bias, buf, n, &e) == 0 ? 0 : -1;
}

int gc_pcln_open(gc_load *L)
{
    const gc_layout *y = &L->lay;
    if (L->pcln)
        return 0; /* opened already, to find the globals */
    if (!y->pcln_ok) {
        model_warn(L->m, "runtime.moduledata has no pc-value table fields in the DWARF; "
                         "functions are named by DWARF only");
        return -1;
    }
    uint64_t md = L->glob.firstmoduledata;
    uint64_t hdr = ec_read_u64_or(L->core, md + y->md_pcheader, 0);
    uint64_t tab = ec_read_u64_or(L->core, md + y->md_pclntable, 0);
    uint64_t tablen = ec_read_u64_or(L->core, md + y->md_pclntable + 8, 0);
    uint64_t text = ec_read_u64_or(L->core, md + y->md_text, 0);
    uint64_t gofunc = ec_read_u64_or(L->core, md + y->md_gofunc, 0);
    if (!hdr || tab < hdr || tablen > PCLN_MAX || tab - hdr > PCLN_MAX - tablen || text < L->bias) {
        model_warn(L->m, "runtime.firstmoduledata's pc-value table (at 0x%llx) makes no sense; "
                         "functions are named by DWARF only", (unsigned long long)hdr);
        return -1;
    }
    size_t len = (size_t)(tab + tablen - hdr);
    const uint8_t *data = ec_view(L->core, hdr, len);
    if (!data) {
        rt_error e;
        L->pcln_copy = rt_malloc(len);
        if (ec_read(L->core, hdr, L->pcln_copy, len, &e) != 0) {
            model_warn(L->m, "the pc-value table at 0x%llx cannot be read (%s); functions are named "
                             "by DWARF only", (unsigned long long)hdr, e.msg);
            free(L->pcln_copy);
            L->pcln_copy = NULL;
            return -1;
        }
        data = L->pcln_copy;
    }
    gp_source src = {
        .data = data,
        .len = len,
        .text_start = text - L->bias,
        .gofunc = gofunc >= L->bias ? gofunc - L->bias : 0,
        .read = read_linktime,
        .read_ctx = L,
        .what = L->exe_path,
    };
    rt_error e;
    if (gp_open(&src, &L->pcln, &e) != 0) {
        model_warn(L->m, "the pc-value table cannot be used: %s", e.msg);
        L->pcln = NULL;
        return -1;
    }
    return 0;
}

void gc_pcln_close(gc_load *L)
{
    gp_close(L->pcln);
    L->pcln = NULL;
    free(L->pcln_copy);
    L->pcln_copy = NULL;
}
