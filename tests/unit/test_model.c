/* test_model.c — the heap model's per-object values (allocation sites,
 * types): kept as sorted (object, value) pairs while few objects have one
 * (the default MemProfileRate), as a dense array once more than one in 16
 * has; both must answer the same, the last value set winning, by lookup
 * and by walking them with sidemap_next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "test_check.h"

typedef struct tctx {
    tcheck c;
} tctx;

static rt_model *model_of(uint32_t nobj)
{
    rt_model *m = model_new();
    m->objects = rt_calloc(nobj, sizeof *m->objects);
    for (uint32_t i = 0; i < nobj; i++) {
        m->objects[i].base = 0x10000 + 16 * (uint64_t)i;
        m->objects[i].size = 16;
    }
    m->nobj = nobj;
    return m;
}

/* Sets sites on n of nobj objects in a shuffled order, some twice, and
 * checks every object against the expected answer. */
static void sites_case(tctx *t, uint32_t nobj, uint32_t n, unsigned seed, int want_dense)
{
    rt_model *m = model_of(nobj);
    uint32_t *want = rt_malloc(nobj * sizeof *want);
    for (uint32_t i = 0; i < nobj; i++)
        want[i] = RT_NONE;
    srand(seed);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t obj = (uint32_t)rand() % nobj, site = (uint32_t)rand() % 50;
        model_set_site(m, obj, site);
        want[obj] = site;
        if (k % 7 == 0) { /* set again: the last one counts */
            model_set_site(m, obj, site + 1);
            want[obj] = site + 1;
        }
    }
    model_sides_done(m);
    CHECK(t, (m->obj_sites.dense != NULL) == (want_dense != 0));
    uint32_t bad = 0;
    for (uint32_t i = 0; i < nobj; i++)
        bad += model_obj_site(m, i) != want[i];
    CHECK_EQ(t, bad, 0);
    /* sidemap_next: every object with a value, in order, once */
    uint32_t obj, val, seen = 0, wanted = 0, last = 0;
    bad = 0;
    for (uint32_t i = 0; i < nobj; i++)
        wanted += want[i] != RT_NONE;
    for (size_t k = 0; sidemap_next(&m->obj_sites, nobj, &k, &obj, &val);) {
        bad += obj >= nobj || want[obj] != val || (seen && obj <= last);
        last = obj;
        seen++;
    }
    CHECK_EQ(t, bad, 0);
    CHECK_EQ(t, seen, wanted);
    free(want);
    model_free(m);
}

int main(void)
{
    tctx t = { .c = { .tag = "sites" } };
    rt_model *m = model_of(100);
    CHECK_EQ(&t, model_obj_site(m, 5), RT_NONE); /* nothing sampled */
    model_sides_done(m);
    CHECK_EQ(&t, model_obj_site(m, 99), RT_NONE);
    model_set_site(m, 7, RT_NONE); /* "no site" makes no side array */
    CHECK(&t, m->obj_sites.dense == NULL && m->obj_sites.n == 0);
    model_free(m);

    sites_case(&t, 100000, 10, 1, 0);     /* sparse */
    sites_case(&t, 100000, 1500, 2, 0);   /* sparse, like a 10 M-object heap at the default rate */
    sites_case(&t, 100000, 20000, 3, 1);  /* dense once past one in 16 */
    sites_case(&t, 16, 1, 4, 1);          /* tiny heaps: one object set twice is already 2 > 16 / 16 */
    sites_case(&t, 16, 40, 5, 1);
    return check_summary(&t.c);
}
