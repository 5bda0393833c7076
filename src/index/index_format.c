/* index_format.c — what the writer and the loader of a saved index must
 * compute alike (index_format.h): the record sizes a header states and
 * the header's checksum. */
#include "index/index_format.h"

#include <xxhash.h>

#include "analysis/retained.h"
#include "analysis/shared.h"
#include "model/model.h"

void rtx_record_sizes(uint32_t out[RTX_NREC])
{
    out[RTX_REC_OBJECT] = sizeof(rt_object);
    out[RTX_REC_ROOT] = sizeof(rt_root);
    out[RTX_REC_TYPE] = sizeof(rt_type);
    out[RTX_REC_FIELD] = sizeof(rt_field);
    out[RTX_REC_SITE] = sizeof(rt_site);
    out[RTX_REC_FRAME] = sizeof(rt_frame);
    out[RTX_REC_GOROUTINE] = sizeof(rt_goroutine);
    out[RTX_REC_PSITE] = sizeof(rt_psite);
    out[RTX_REC_GROUP] = sizeof(rt_group);
    out[RTX_REC_SHARED_GROUP] = sizeof(rt_shared_group);
}

uint64_t rtx_header_sum(const rtx_header *h, const rtx_section *table)
{
    rtx_header copy = *h;
    copy.sum = 0;
    XXH3_state_t *xs = XXH3_createState();
    XXH3_64bits_reset(xs);
    XXH3_64bits_update(xs, &copy, sizeof copy);
    XXH3_64bits_update(xs, table, (size_t)h->nsection * sizeof *table);
    uint64_t sum = XXH3_64bits_digest(xs);
    XXH3_freeState(xs);
    return sum;
}
