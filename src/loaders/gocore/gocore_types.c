/* gocore_types.c — a type's pointer mask when the binary did not store
 * one (Go 1.24+: TFlagGCMaskOnDemand; the runtime builds such masks on
 * first use, so a core often has none).  Same recipe as the runtime's
 * buildGCMask: a type without the flag carries its mask; with the flag it
 * is an array or a struct, whose elements or fields carry theirs.  Done
 * with an explicit stack and an operation budget, since the types are
 * read from untrusted memory. */
#include <string.h>

#include "loaders/gocore/gocore_int.h"
#include "util/alloc.h"

#define TFLAG_GCMASK_ON_DEMAND 0x10
#define KIND_ARRAY 17
#define KIND_STRUCT 25
#define BUDGET (1u << 24)

typedef struct item {
    uint64_t typ, bit;
} item;

int gc_type_mask(gc_load *L, uint64_t typ, uint64_t nwords, uint8_t *mask)
{
    const gc_layout *y = &L->lay;
    if (!y->at_elem_ok)
        return -1;
    memset(mask, 0, (size_t)((nwords + 7) / 8));
    item *st = NULL;
    size_t n = 0, cap = 0;
    uint32_t ops = 0;
    RT_GROW(st, cap, 1);
    st[n++] = (item){ typ, 0 };
    int rc = 0;
    while (n && rc == 0) {
        item it = st[--n];
        if (++ops > BUDGET) {
            rc = -1;
            break;
        }
        uint64_t size = ec_read_u64_or(L->core, it.typ + y->ty_size, 0);
        uint64_t ptrbytes = ec_read_u64_or(L->core, it.typ + y->ty_ptrbytes, 0);
        uint64_t gcdata = ec_read_u64_or(L->core, it.typ + y->ty_gcdata, 0);
        uint8_t tflag = 0, kind = 0;
        rt_error e;
        if (ec_read(L->core, it.typ + y->ty_tflag, &tflag, 1, &e) || ec_read(L->core, it.typ + y->ty_kind, &kind, 1, &e)) {
            rc = -1;
            break;
        }
        if (ptrbytes == 0)
            continue;
        if (ptrbytes > size || it.bit + ptrbytes / 8 > nwords) {
            rc = -1;
            break;
        }
        if (tflag & TFLAG_GCMASK_ON_DEMAND) {
            uint64_t built = ec_read_u64_or(L->core, gcdata, 0);
            if (built) {
                gcdata = built; /* the runtime already made it */
            } else if ((kind & 0x1f) == KIND_ARRAY) {
                uint64_t elem = ec_read_u64_or(L->core, it.typ + y->at_elem, 0);
                uint64_t len = ec_read_u64_or(L->core, it.typ + y->at_len, 0);
                uint64_t esize = elem ? ec_read_u64_or(L->core, elem + y->ty_size, 0) : 0;
                if (!elem || !esize || esize % 8 || len > nwords) {
                    rc = -1;
                    break;
                }
                for (uint64_t i = 0; i < len && rc == 0; i++) {
                    if (++ops > BUDGET)
                        rc = -1;
                    RT_GROW(st, cap, n + 1);
                    st[n++] = (item){ elem, it.bit + i * esize / 8 };
                }
                continue;
            } else if ((kind & 0x1f) == KIND_STRUCT) {
                uint64_t fields = ec_read_u64_or(L->core, it.typ + y->st_fields, 0);
                uint64_t nf = ec_read_u64_or(L->core, it.typ + y->st_fields + 8, 0);
                if (nf > 1u << 20) {
                    rc = -1;
                    break;
                }
                for (uint64_t i = 0; i < nf; i++) {
                    uint64_t f = fields + i * y->sf_size;
                    uint64_t ft = ec_read_u64_or(L->core, f + y->sf_typ, 0);
                    uint64_t off = ec_read_u64_or(L->core, f + y->sf_offset, UINT64_MAX);
                    if (!ft || off % 8 || off >= size) {
                        rc = -1;
                        break;
                    }
                    RT_GROW(st, cap, n + 1);
                    st[n++] = (item){ ft, it.bit + off / 8 };
                }
                continue;
            } else {
                rc = -1;
                break;
            }
        }
        /* a stored mask: copy its bits */
        uint64_t nb = ptrbytes / 8;
        uint8_t byte = 0;
        for (uint64_t j = 0; j < nb; j++) {
            if (j % 8 == 0 && ec_read(L->core, gcdata + j / 8, &byte, 1, &e)) {
                rc = -1;
                break;
            }
            if (byte >> (j % 8) & 1)
                mask[(it.bit + j) / 8] |= (uint8_t)(1u << ((it.bit + j) % 8));
        }
    }
    free(st);
    return rc;
}
