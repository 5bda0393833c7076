/* json_model.h — pieces of the model as JSON, written alike by every
 * answer that shows them. */
#ifndef RETAIN_REPORT_JSON_MODEL_H
#define RETAIN_REPORT_JSON_MODEL_H

#include "model/model.h"
#include "report/json.h"

/* frames[0..n) as an array of {"function", "file", "line"} (file null
 * when unknown). */
void json_model_frames(json_w *w, const rt_model *m, const rt_frame *f, uint32_t n);

/* An object's fields inside an object the caller opened: addr_key (its
 * base address: "base" in listings, "address" in a path's hops), "size",
 * "type" and "site" (its allocating function), null when unknown. */
void json_model_object_fields(json_w *w, const rt_model *m, uint32_t obj, const char *addr_key);

/* "warnings": the model's warnings, a list of sentences. */
void json_model_warnings(json_w *w, const rt_model *m);

#endif
