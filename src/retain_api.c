/* retain_api.c — the public interface (include/retain/retain.h) over the
 * internal loaders and model. */
#include "retain/retain.h"

#include <stdio.h>

#include "loaders/inputs.h"

const char *retain_version(void)
{
    return RETAIN_VERSION;
}

int retain_open(const char *const *paths, size_t npaths, retain_model **out, char *msg, size_t msglen)
{
    rt_error err;
    rt_inputs in;
    rt_error_clear(&err);
    *out = NULL;
    int rc = inputs_sort((char *const *)paths, (int)npaths, &in, &err);
    if (rc == 0)
        rc = inputs_load(&in, NULL, out, &err);
    if (rc && msg && msglen)
        rt_error_format(&err, msg, msglen);
    return rc;
}

void retain_model_free(retain_model *m)
{
    model_free(m);
}

size_t retain_object_count(const retain_model *m)
{
    return m->nobj;
}

size_t retain_root_count(const retain_model *m)
{
    return m->nroot;
}

int retain_is_partial(const retain_model *m)
{
    return m->partial;
}
