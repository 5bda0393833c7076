/* json_diff.h — one group of a diff as JSON, written alike by `diff
 * --json` and by the growth tables of `report`. */
#ifndef RETAIN_REPORT_JSON_DIFF_H
#define RETAIN_REPORT_JSON_DIFF_H

#include "analysis/diff.h"
#include "report/json.h"

/* {"name", "label", "old": {...} | null, "new": {...} | null, "delta":
 * {"count", "bytes"}, "status"}; a side from a heap profile alone has
 * null reachable and retained bytes, one summarised without a dominator
 * tree null retained bytes. */
void json_diff_row(json_w *w, const rt_diff_row *row, const rt_groups *old, const rt_groups *new);

#endif
