/* labels.c — one wording for objects with no type and no site, shared by
 * every command and export (it used to be "-", "object" or "(not
 * sampled)" depending on where it was printed). */
#include "report/labels.h"

#include <ctype.h>
#include <stdio.h>

/* a core whose memory profile was not read has no sites at all */
static int sites_unread(const rt_model *m)
{
    return m->input_kind == RT_INPUT_CORE && m->nsite == 0;
}

const char *report_obj_label(const rt_model *m, uint32_t obj)
{
    uint32_t type = model_obj_type_name(m, obj), site = model_obj_site(m, obj);
    if (type)
        return strpool_get(m->strings, type);
    if (site != RT_NONE) {
        const char *fn = strpool_get(m->strings, model_site_function(m, site));
        if (*fn)
            return fn;
    }
    /* when no site was read at all (a core read without its memory
     * profile), "not sampled" would blame the program's MemProfileRate */
    return sites_unread(m) ? "(unknown type and site)" : "(unknown type, not sampled)";
}

const char *report_unknown_group(const rt_model *m, int by_type)
{
    if (by_type)
        return "(unknown type)";
    return sites_unread(m) ? "(allocation sites were not read from this core)" : "(not sampled)";
}

const char *report_node_label(const rt_model *m, const rt_retained *r, uint32_t node, char *buf, size_t len)
{
    if (node < m->nobj) {
        snprintf(buf, len, "%s", report_obj_label(m, node));
        return buf;
    }
    return retained_label(m, r, node, buf, len);
}

const char *report_export_label(const rt_model *m, const rt_retained *r, uint32_t node, char *buf, size_t len)
{
    if (node < m->nobj && !model_obj_type_name(m, node)) {
        uint32_t site = model_obj_site(m, node);
        uint32_t fn = site != RT_NONE ? model_site_function(m, site) : 0;
        if (fn) {
            snprintf(buf, len, "site %s", strpool_get(m->strings, fn));
            return buf;
        }
    }
    return report_node_label(m, r, node, buf, len);
}

/* "[12].values[3]" -> "[].values[]", "+0x40" -> "+": elements of one
 * array are one hop, so that the 300 entries of a map add up. */
static void drop_indexes(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        *w++ = *r;
        if (*r == '[')
            while (r[1] >= '0' && r[1] <= '9')
                r++;
        /* an offset past the type ("+0x37488": the overflow buckets
         * behind a bucket array) is one hop too */
        if (*r == '+' && r[1] == '0' && r[2] == 'x') {
            r += 2;
            while (isxdigit((unsigned char)r[1]))
                r++;
        }
    }
    *w = 0;
}

const char *report_hop_label(const rt_model *m, uint32_t obj, uint64_t off, char *buf, size_t len)
{
    uint32_t type = model_obj_type(m, obj);
    if (!type)
        return report_export_label(m, NULL, obj, buf, len);
    char path[400];
    uint64_t start = model_obj_type_off(m, obj);
    model_field_path(m, type, off >= start ? off - start : off, path, sizeof path);
    drop_indexes(path);
    snprintf(buf, len, "%s%s", strpool_get(m->strings, m->types[type].name), path);
    return buf;
}
