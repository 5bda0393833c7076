/* json_diff.c — a diff's group as JSON (json_diff.h). */
#include "report/json_diff.h"

static void side(json_w *w, const char *key, const rt_group_sum *g, int heap, int retained)
{
    json_key(w, key);
    if (!g) {
        json_null(w);
        return;
    }
    json_obj_begin(w);
    json_key(w, "count");
    json_u64(w, g->count);
    json_key(w, "bytes");
    json_u64(w, g->bytes);
    json_key(w, "reachable_bytes");
    json_u64_or_null(w, heap, g->reachable_bytes);
    json_key(w, "retained_bytes");
    json_u64_or_null(w, heap && retained, g->retained_bytes);
    json_obj_end(w);
}

void json_diff_row(json_w *w, const rt_diff_row *row, const rt_groups *old, const rt_groups *new)
{
    const rt_group_sum *any = row->new ? row->new : row->old;
    json_obj_begin(w);
    json_key(w, "name");
    json_str(w, any->name);
    json_key(w, "label");
    json_str(w, any->label);
    side(w, "old", row->old, old->heap, old->retained);
    side(w, "new", row->new, new->heap, new->retained);
    json_key(w, "delta");
    json_obj_begin(w);
    json_key(w, "count");
    json_i64(w, row->dcount);
    json_key(w, "bytes");
    json_i64(w, row->dbytes);
    json_obj_end(w);
    json_key(w, "status");
    json_str(w, diff_status_name(row->status));
    json_obj_end(w);
}
