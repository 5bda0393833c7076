/* test_shared.c — shared retention (src/analysis/shared.c) against a slow,
 * obvious reference on real inputs.
 *
 * The reference walks the object graph once per root, collects for every
 * object the exact set of roots that reach it, and then: a root's
 * reachable bytes are the sizes of what its walk met; a goroutine's, what
 * the walks of all its roots met; memory held by several roots is every
 * object with two or more roots, grouped by that set.  shared_compute,
 * which works on the dominator tree and the sets of its shared tops, must
 * give exactly the same figures and groups.
 *
 * usage: test_shared INPUT EXE [INPUT EXE ...] */
#include "analysis/retained.h"
#include "analysis/shared.h"
#include "loaders/inputs.h"
#include "test_check.h"

typedef struct tctx {
    tcheck c;
} tctx;

/* Objects root i reaches (stamp[o] == mark), their bytes and count. */
static void walk(const rt_model *m, const uint32_t *src, size_t nsrc, uint32_t *stamp, uint32_t mark,
                 uint32_t *queue, uint64_t *bytes, uint64_t *count)
{
    uint32_t head = 0, tail = 0;
    *bytes = *count = 0;
    for (size_t k = 0; k < nsrc; k++) {
        uint32_t v = m->nobj + src[k];
        for (uint32_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++)
            if (stamp[m->edge_dst[e]] != mark) {
                stamp[m->edge_dst[e]] = mark;
                queue[tail++] = m->edge_dst[e];
            }
    }
    while (head < tail) {
        uint32_t v = queue[head++];
        *bytes += m->objects[v].size;
        (*count)++;
        for (uint32_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++)
            if (stamp[m->edge_dst[e]] != mark) {
                stamp[m->edge_dst[e]] = mark;
                queue[tail++] = m->edge_dst[e];
            }
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The roots of rt_retained group g. */
static size_t group_roots(const rt_model *m, const rt_retained *r, uint32_t g, uint32_t *out)
{
    const rt_group *G = &r->groups[g];
    size_t n = 0;
    for (uint32_t i = 0; i < m->nroot; i++) {
        const rt_root *rt = &m->roots[i];
        int gor = rt->group == RT_GROUP_GOROUTINE && rt->goroutine != RT_NO_GOROUTINE;
        uint8_t kind = gor ? RT_GROUP_GOROUTINE : rt->group == RT_GROUP_GOROUTINE ? RT_GROUP_RUNTIME : rt->group;
        if (kind == G->kind && (!gor || rt->goroutine == G->goroutine))
            out[n++] = i;
    }
    return n;
}

static void compare(tctx *t, const char *input, const char *exe)
{
    char *paths[2] = { (char *)input, (char *)exe };
    rt_inputs in;
    rt_error err;
    rt_model *m = NULL;
    memset(&in, 0, sizeof in);
    memset(&err, 0, sizeof err);
    if (inputs_sort(paths, 2, &in, &err) != 0 || inputs_load(&in, NULL, &m, &err) != 0) {
        print_err(input, &err);
        CHECK(t, 0 && "load");
        return;
    }
    rt_retained r;
    if (!CHECK(t, retained_compute(m, &r, RETAINED_KEEP_REVERSE, &err) == 0)) {
        model_free(m);
        return;
    }
    rt_shared s;
    shared_compute(m, &r, SHARED_GROUPS | SHARED_LISTS, &s);
    CHECK(t, !s.capped);

    /* the reference: every root's walk, and (object, root) pairs */
    uint32_t *stamp = rt_calloc((size_t)m->nobj + 1, sizeof *stamp);
    uint32_t *queue = rt_malloc(((size_t)m->nobj + 1) * sizeof *queue);
    uint64_t *pairs = NULL;
    size_t np = 0, cap = 0;
    uint32_t bad_reach = 0;
    for (uint32_t i = 0; i < m->nroot; i++) {
        uint64_t bytes, count;
        walk(m, &i, 1, stamp, i + 1, queue, &bytes, &count);
        if (bytes != s.reachable_bytes[i] || count != s.reachable_objects[i]) {
            if (bad_reach++ < 5)
                fprintf(stderr, "  %s: root %u reaches %llu B in %llu objects; shared says %llu B, %llu\n",
                        input, i, (unsigned long long)bytes, (unsigned long long)count,
                        (unsigned long long)s.reachable_bytes[i], (unsigned long long)s.reachable_objects[i]);
        }
        for (uint32_t v = 0; v < m->nobj; v++)
            if (stamp[v] == i + 1) {
                RT_GROW(pairs, cap, np + 1);
                pairs[np++] = (uint64_t)v << 32 | i;
            }
    }
    CHECK_EQ(t, bad_reach, 0);

    /* goroutines: all of their roots' walks at once */
    uint32_t *src = rt_malloc(((size_t)m->nroot + 1) * sizeof *src), bad_group = 0;
    memset(stamp, 0, (size_t)m->nobj * sizeof *stamp);
    for (uint32_t g = 0; g < r.ngroup; g++) {
        uint64_t bytes, count;
        size_t n = group_roots(m, &r, g, src);
        walk(m, src, n, stamp, g + 1, queue, &bytes, &count);
        if (bytes != s.group_reachable_bytes[g] && bad_group++ < 5)
            fprintf(stderr, "  %s: group %u reaches %llu B; shared says %llu B\n", input, g,
                    (unsigned long long)bytes, (unsigned long long)s.group_reachable_bytes[g]);
    }
    CHECK_EQ(t, bad_group, 0);

    /* objects with two or more roots, grouped by their exact set: each
     * group of the reference must be one of shared's, same bytes */
    if (np)
        qsort(pairs, np, sizeof *pairs, cmp_u64);
    uint32_t ngroups = 0, matched = 0;
    uint64_t shared_bytes = 0;
    uint32_t *set = rt_malloc(((size_t)m->nroot + 1) * sizeof *set);
    /* mark objects already counted, as members of the first of their set */
    uint8_t *done = rt_calloc((size_t)m->nobj + 1, 1);
    size_t *first = rt_malloc(((size_t)m->nobj + 1) * sizeof *first);
    uint32_t *len = rt_calloc((size_t)m->nobj + 1, sizeof *len);
    for (size_t i = 0; i < np; i++) {
        uint32_t v = (uint32_t)(pairs[i] >> 32);
        if (!len[v])
            first[v] = i;
        len[v]++;
    }
    for (uint32_t v = 0; v < m->nobj; v++) {
        if (len[v] < 2 || done[v])
            continue;
        uint64_t bytes = 0, objs = 0;
        for (uint32_t w = v; w < m->nobj; w++) {
            if (len[w] != len[v] || done[w])
                continue;
            int same = 1;
            for (uint32_t k = 0; k < len[v] && same; k++)
                same = (uint32_t)pairs[first[w] + k] == (uint32_t)pairs[first[v] + k];
            if (!same)
                continue;
            done[w] = 1;
            bytes += m->objects[w].size;
            objs++;
        }
        ngroups++;
        shared_bytes += bytes;
        for (uint32_t k = 0; k < len[v]; k++)
            set[k] = (uint32_t)pairs[first[v] + k];
        int found = 0;
        for (uint32_t gi = 0; gi < s.ngroup && !found; gi++) {
            const rt_shared_group *g = &s.groups[gi];
            found = g->nroot == len[v] && memcmp(s.roots + g->root_start, set, len[v] * sizeof *set) == 0 &&
                    g->bytes == bytes && g->objects == objs;
        }
        if (found)
            matched++;
        else
            fprintf(stderr, "  %s: %llu B in %llu objects held by %u roots (first %u) is no group of shared\n",
                    input, (unsigned long long)bytes, (unsigned long long)objs, len[v], set[0]);
    }
    /* a budget too small for the sets: one group of unlisted roots, the
     * groups still add up, and every reachable figure is a lower bound */
    rt_shared small;
    shared_compute_budget(m, &r, SHARED_LISTS, 2, &small);
    uint64_t sum = 0;
    uint32_t unlisted = 0, above = 0;
    for (uint32_t gi = 0; gi < small.ngroup; gi++) {
        sum += small.groups[gi].bytes;
        unlisted += small.groups[gi].nroot == 0;
    }
    for (uint32_t i = 0; i < m->nroot; i++)
        above += small.reachable_bytes[i] > s.reachable_bytes[i];
    if (ngroups > 1) {
        CHECK(t, small.capped);
        CHECK_EQ(t, unlisted, 1);
    }
    CHECK_EQ(t, sum, small.shared_bytes);
    CHECK_EQ(t, above, 0);
    shared_free(&small);

    printf("%s: %u roots, %u shared groups (reference %u, %u matched), %llu shared bytes\n", input,
           m->nroot, s.ngroup, ngroups, matched, (unsigned long long)shared_bytes);
    CHECK_EQ(t, matched, ngroups);
    CHECK_EQ(t, s.ngroup, ngroups);
    CHECK_EQ(t, s.shared_bytes, shared_bytes);
    free(set);
    free(done);
    free(first);
    free(len);
    free(src);
    free(pairs);
    free(stamp);
    free(queue);
    shared_free(&s);
    retained_free(&r);
    model_free(m);
}

int main(int argc, char **argv)
{
    tctx t;
    memset(&t, 0, sizeof t);
    if (argc < 3 || argc % 2 == 0) {
        fprintf(stderr, "usage: test_shared INPUT EXE [INPUT EXE ...]\n");
        return 2;
    }
    for (int i = 1; i + 1 < argc; i += 2)
        compare(&t, argv[i], argv[i + 1]);
    return check_summary(&t.c);
}
