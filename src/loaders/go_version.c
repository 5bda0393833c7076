/* go_version.c — Go-version policy: parsing a version string, the tested
 * and supported versions, and what to do with the others. */
#include "loaders/go_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gv_parse(const char *text, gv_version *v)
{
    memset(v, 0, sizeof *v);
    if (!text)
        return;
    snprintf(v->text, sizeof v->text, "%s", text);
    const char *p = strstr(v->text, "go1.");
    if (p) {
        char *end;
        v->minor = (int)strtol(p + 4, &end, 10);
        if (*end == '.')
            v->patch = (int)strtol(end + 1, NULL, 10);
    }
    /* green tea: the default from 1.26 unless opted out, an experiment in 1.25 */
    int off = strstr(v->text, "nogreenteagc") != NULL;
    int on = !off && strstr(v->text, "greenteagc") != NULL;
    v->greentea = (v->minor >= 26 && !off) || on;
}

int gv_is_tested(int minor)
{
    static const char tested[] = " " GV_TESTED " ";
    char want[16];
    snprintf(want, sizeof want, " 1.%d ", minor);
    return strstr(tested, want) != NULL;
}

int gv_admit(const gv_version *v, int force, const char *path, char *warn, size_t nwarn, rt_error *err)
{
    warn[0] = 0;
    if (v->minor >= GV_MIN && v->minor <= GV_MAX) {
        if (!gv_is_tested(v->minor))
            snprintf(warn, nwarn, "%s is not tested (no Debian toolchain); results may be wrong", v->text);
        return 0;
    }
    if (force) {
        snprintf(warn, nwarn, "%s is outside the supported Go versions 1.%d-1.%d; reading it anyway (--force)",
                 v->text[0] ? v->text : "an unknown Go version", GV_MIN, GV_MAX);
        return 0;
    }
    rt_error_where(err, path, RT_NO_OFFSET, "checking the Go version");
    return RT_FAIL(err, RT_E_UNSUPPORTED, "the input is from %s; supported are Go 1.%d to 1.%d (--force tries anyway)",
                   v->text[0] ? v->text : "an unknown Go version", GV_MIN, GV_MAX);
}
