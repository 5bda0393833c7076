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

void json_model_object_fields(json_w *w, const rt_model *m, uint32_t obj, const char *addr_key)
{
    const rt_object *o = &m->objects[obj];
    json_key(w, addr_key);
    json_addr(w, o->base);
    json_key(w, "size");
    json_u64(w, o->size);
    json_key(w, "type");
    json_str_or_null(w, strpool_get(m->strings, model_obj_type_name(m, obj)));
    json_key(w, "site");
    uint32_t site = model_obj_site(m, obj);
    json_str_or_null(w, site == RT_NONE ? NULL : strpool_get(m->strings, model_site_function(m, site)));
}

void json_model_warnings(json_w *w, const rt_model *m)
{
    json_key(w, "warnings");
    json_arr_begin(w);
    for (size_t i = 0; i < m->nwarning; i++)
        json_str(w, m->warnings[i]);
    json_arr_end(w);
}
