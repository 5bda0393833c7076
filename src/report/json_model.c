/* json_model.c — model pieces as JSON (json_model.h). */
#include "report/json_model.h"

void json_model_frames(json_w *w, const rt_model *m, const rt_frame *f, uint32_t n)
{
    json_arr_begin(w);
    for (uint32_t i = 0; i < n; i++) {
        json_obj_begin(w);
        json_key(w, "function");
        json_str(w, strpool_get(m->strings, f[i].function));
        json_key(w, "file");
        json_str_or_null(w, strpool_get(m->strings, f[i].file));
        json_key(w, "line");
        json_u64(w, f[i].line);
        json_obj_end(w);
    }
    json_arr_end(w);
}
